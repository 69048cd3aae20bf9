//! Tauri build step. The app manifest lists every command the shell exposes, so each gets
//! its own `allow-<command>` permission and `capabilities/default.json` grants exactly the
//! ones the UI uses; a command not listed there cannot be invoked from the webview.

/// Keep in sync with `invoke_handler!` in `src/lib.rs` and `capabilities/default.json`.
const COMMANDS: &[&str] = &[
    "subscribe_status",
    "ask",
    "cancel_ask",
    "new_conversation",
    "search",
    "drugs",
    "monograph",
    "drug_classes",
    "drug_class",
    "libraries",
    "get_settings",
    "set_settings",
    "choose_model_file",
    "choose_import_paths",
    "import_library",
    "remove_library",
    "cancel_import",
    "conversations",
    "delete_conversation",
    "clear_conversations",
    "export_markdown",
];

fn main() {
    let attributes = tauri_build::Attributes::new().app_manifest(tauri_build::AppManifest::new().commands(COMMANDS));
    tauri_build::try_build(attributes).expect("tauri build step failed");
}
