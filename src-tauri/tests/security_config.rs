//! The app's security configuration, checked statically: the webview may call exactly the
//! shell's own commands (no core, shell, fs or dialog permissions), the CSP allows nothing
//! remote and no inline or eval'd script, and the UI's sources name no remote URL.

use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).to_path_buf()
}

fn json(path: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// The command names listed in build.rs's `COMMANDS`.
fn manifest_commands() -> Vec<String> {
    let build = std::fs::read_to_string(root().join("build.rs")).unwrap();
    let list = build.split("const COMMANDS").nth(1).unwrap().split("];").next().unwrap();
    list.lines()
        .filter_map(|l| l.trim().strip_prefix('"').and_then(|l| l.split('"').next()))
        .map(str::to_string)
        .collect()
}

#[test]
fn capabilities_grant_only_the_apps_own_commands() {
    let capability = json(&root().join("capabilities/default.json"));
    let granted: Vec<String> =
        capability["permissions"].as_array().unwrap().iter().map(|p| p.as_str().unwrap().to_string()).collect();
    let mut expected: Vec<String> =
        manifest_commands().iter().map(|c| format!("allow-{}", c.replace('_', "-"))).collect();
    let mut sorted = granted.clone();
    sorted.sort();
    expected.sort();
    assert_eq!(sorted, expected, "capabilities/default.json must grant exactly build.rs's commands");
    for permission in &granted {
        assert!(!permission.contains(':'), "plugin or core permission {permission} granted to the webview");
    }
    assert_eq!(capability["windows"], serde_json::json!(["main"]));
}

#[test]
fn every_command_is_registered_and_listed() {
    let lib = std::fs::read_to_string(root().join("src/lib.rs")).unwrap();
    let handler = lib.split("generate_handler![").nth(1).unwrap().split(']').next().unwrap();
    let mut registered: Vec<String> = handler
        .split(',')
        .map(|c| c.trim().trim_start_matches("commands::").to_string())
        .filter(|c| !c.is_empty())
        .collect();
    let mut listed = manifest_commands();
    registered.sort();
    listed.sort();
    assert_eq!(registered, listed, "invoke_handler! and build.rs's COMMANDS must match");
}

#[test]
fn the_csp_allows_nothing_remote_and_no_inline_script() {
    let config = json(&root().join("tauri.conf.json"));
    let csp = config["app"]["security"]["csp"].as_object().expect("a CSP is set");
    let sources = |directive: &str| csp.get(directive).and_then(|v| v.as_str()).unwrap_or("").to_string();
    assert_eq!(sources("default-src"), "'self'");
    assert_eq!(sources("script-src"), "'self'");
    assert_eq!(sources("object-src"), "'none'");
    assert_eq!(sources("frame-ancestors"), "'none'");
    for (directive, value) in csp {
        let value = value.as_str().unwrap();
        assert!(!value.contains("unsafe-eval"), "{directive} allows eval");
        assert!(!value.contains("unsafe-inline"), "{directive} allows inline code");
        assert!(!value.contains('*'), "{directive} has a wildcard");
        for source in value.split_whitespace() {
            let remote = source.starts_with("http") || source.starts_with("ws") || source.starts_with("data:");
            assert!(
                !remote || source == "http://ipc.localhost",
                "{directive} allows {source}: only the app's own IPC origin may be named"
            );
        }
    }
    assert_eq!(config["app"]["withGlobalTauri"], false, "no global __TAURI__ object for injected scripts");
}

#[test]
fn the_ui_loads_nothing_remote() {
    let ui = root().parent().unwrap().join("ui");
    let mut files = vec![ui.join("index.html")];
    for entry in std::fs::read_dir(ui.join("src")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "ts" || e == "css") && !path.to_string_lossy().ends_with(".test.ts") {
            files.push(path);
        }
    }
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        for needle in ["http://", "https://", "//fonts.", "@import url(", "cdn."] {
            assert!(!text.contains(needle), "{} contains {needle}", file.display());
        }
    }
}

#[test]
fn no_shell_or_filesystem_plugin() {
    let manifest = std::fs::read_to_string(root().join("Cargo.toml")).unwrap();
    let plugins: Vec<&str> = manifest
        .lines()
        .filter_map(|line| line.split_once('=').map(|(key, _)| key.trim()))
        .filter(|key| key.starts_with("tauri-plugin-"))
        .collect();
    assert_eq!(plugins, ["tauri-plugin-dialog"], "only the dialog plugin, whose dialogs open from Rust");
}
