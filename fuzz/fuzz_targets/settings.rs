//! The desktop app's settings file (`src-tauri/src/settings.rs` `load`, `save` and
//! `Settings::validate`) on arbitrary bytes: any file gives settings (the defaults when it
//! is not valid), never a panic; settings that validate name an absolute `.gguf` file that
//! exists; what is saved loads back equal.
//!
//! The app's three modules it needs (`settings`, `validate` for model paths, `error`) are
//! included by path: they name no Tauri and no other module of the app, and compiling the
//! app instrumented would take far longer than the engine.
#![no_main]

#[allow(dead_code)]
#[path = "../../src-tauri/src/error.rs"]
mod error;
#[allow(dead_code)]
#[path = "../../src-tauri/src/settings.rs"]
mod settings;
#[allow(dead_code)]
#[path = "../../src-tauri/src/validate.rs"]
mod validate;

use libfuzzer_sys::fuzz_target;
use settings::{ModelChoice, Settings};

fuzz_target!(|data: &[u8]| {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let path = settings::file_in(dir.path());
    std::fs::write(&path, data).expect("writable");
    let loaded = settings::load(&path);
    // A file serde reads is taken as it is; any other gives the defaults.
    match serde_json::from_slice::<Settings>(data) {
        Ok(parsed) => assert_eq!(loaded, parsed),
        Err(_) => assert_eq!(loaded, Settings::default()),
    }
    if loaded.validate().is_ok() {
        if let ModelChoice::File { path } = &loaded.model {
            let path = std::path::Path::new(path);
            assert!(path.is_absolute() && path.is_file(), "{path:?} validated");
            assert!(path.extension().is_some_and(|e| e.eq_ignore_ascii_case("gguf")), "{path:?} validated");
        }
    }
    let _ = loaded.model_path();
    let _ = loaded.answer_length.max_tokens();
    settings::save(&path, &loaded).expect("settings save");
    assert_eq!(settings::load(&path), loaded, "saved settings load back differently");
});
