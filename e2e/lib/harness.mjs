// Starts tauri-driver (which starts WebKitWebDriver, which starts the app) and opens a
// WebdriverIO session on the real DrugChatter window. Everything is local: tauri-driver
// listens on 127.0.0.1 and the app loads nothing remote.

import { spawn } from "node:child_process";
import { connect } from "node:net";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { remote } from "webdriverio";

const here = path.dirname(fileURLToPath(import.meta.url));
export const ROOT = path.resolve(here, "../..");
export const SHOTS = process.env.E2E_SCREENSHOTS ?? path.join(ROOT, "target", "e2e-screenshots");
const TARGET = process.env.CARGO_TARGET_DIR ?? path.join(ROOT, "target");
export const APP = process.env.DRUGCHATTER_APP ?? path.join(TARGET, "debug", "drugchatter-app");
const PORT = Number(process.env.TAURI_DRIVER_PORT ?? 4444);
const NATIVE_PORT = Number(process.env.TAURI_DRIVER_NATIVE_PORT ?? 4445);

/** The index is built once (minutes) and reused: keep it out of the per-run temp dir. */
export const DATA_DIR = process.env.DRUGCHATTER_DATA_DIR ?? path.join(ROOT, "target", "e2e-data");

let driver = null;
let shot = 0;

/** Waits until something listens on 127.0.0.1:port (a TCP connect, no HTTP request). */
async function waitForPort(port, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const open = await new Promise((resolve) => {
      const socket = connect({ host: "127.0.0.1", port }, () => {
        socket.end();
        resolve(true);
      });
      socket.on("error", () => resolve(false));
    });
    if (open) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`tauri-driver did not listen on port ${port}`);
}

export async function startDriver() {
  mkdirSync(SHOTS, { recursive: true });
  mkdirSync(DATA_DIR, { recursive: true });
  const configDir = mkdtempSync(path.join(tmpdir(), "drugchatter-e2e-config-"));
  const env = {
    ...process.env,
    DRUGCHATTER_DATA_DIR: DATA_DIR,
    DRUGCHATTER_MODELS_DIR: process.env.DRUGCHATTER_MODELS_DIR ?? path.join(ROOT, "models"),
    DRUGCHATTER_CORPUS_DIR: process.env.DRUGCHATTER_CORPUS_DIR ?? path.join(ROOT, "corpus"),
    DRUGCHATTER_CONFIG_DIR: configDir,
    DRUGCHATTER_LOG: process.env.DRUGCHATTER_LOG ?? "info",
  };
  const nativeDriver = process.env.WEBKIT_WEBDRIVER ?? "/usr/bin/WebKitWebDriver";
  driver = spawn("tauri-driver", ["--port", String(PORT), "--native-port", String(NATIVE_PORT), "--native-driver", nativeDriver], {
    env,
    stdio: ["ignore", "inherit", "inherit"],
  });
  driver.on("exit", (code, signal) => {
    if (code !== 0 && signal !== "SIGTERM") console.error(`tauri-driver exited: ${code ?? signal}`);
  });
  await waitForPort(PORT, 30_000);
}

export async function stopDriver() {
  if (driver && driver.exitCode === null) {
    driver.kill("SIGTERM");
    await new Promise((r) => setTimeout(r, 500));
  }
  driver = null;
}

export async function openApp() {
  const browser = await remote({
    hostname: "127.0.0.1",
    port: PORT,
    logLevel: "warn",
    connectionRetryTimeout: 300_000,
    connectionRetryCount: 0,
    waitforTimeout: 30_000,
    capabilities: {
      // No browserName: tauri-driver matches on tauri:options only.
      "tauri:options": { application: APP },
      // tauri-driver does not proxy WebDriver BiDi; use classic WebDriver.
      "wdio:enforceWebDriverClassic": true,
    },
  });
  return browser;
}

/** Saves target/e2e-screenshots/NN-name.png. */
export async function screenshot(browser, name) {
  shot += 1;
  const file = path.join(SHOTS, `${String(shot).padStart(2, "0")}-${name}.png`);
  await browser.saveScreenshot(file);
  return file;
}

export function writeJson(name, value) {
  writeFileSync(path.join(SHOTS, name), `${JSON.stringify(value, null, 2)}\n`);
}
