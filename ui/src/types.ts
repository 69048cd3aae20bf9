// The shapes the shell sends and takes: the engine's JSON (README: "ask --json schema",
// "search --json schema") and src-tauri's Status, Settings, AskEvent and AppError. They are
// generated from the Rust types into bindings.ts (its header says how to regenerate it);
// this file re-exports them so the UI imports its types from one place.
export type * from "./bindings";

// UI-only types, with no Rust counterpart, go below.
