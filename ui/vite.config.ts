/// <reference types="vitest/config" />
import { defineConfig } from "vite";

// Tauri serves the built files from ui/dist. Everything is local: no CDN, no remote fonts.
export default defineConfig({
  clearScreen: false,
  server: { port: 5173, strictPort: true, host: "localhost" },
  build: {
    outDir: "dist",
    emptyOutDir: true,
    target: "safari16",
    // No inline polyfill script: the CSP allows only the app's own script files.
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
    sourcemap: false,
  },
  test: {
    environment: "happy-dom",
    include: ["src/**/*.test.ts"],
  },
});
