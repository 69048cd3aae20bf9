//! `ui/src/bindings.ts` is what the Rust types generate now (src-tauri/src/bindings.rs).
//! With `UPDATE_BINDINGS=1` the test rewrites the file instead of comparing.

use drugchatter_app::bindings::{typescript, REGENERATE};
use std::path::Path;

#[test]
fn ui_bindings_match_the_rust_types() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../ui/src/bindings.ts");
    let generated = typescript();
    if std::env::var_os("UPDATE_BINDINGS").is_some() {
        std::fs::write(&path, &generated).unwrap();
        return;
    }
    let checked_in = std::fs::read_to_string(&path).unwrap_or_default();
    if checked_in != generated {
        let line = checked_in.lines().zip(generated.lines()).position(|(a, b)| a != b);
        let line = line.unwrap_or_else(|| checked_in.lines().count().min(generated.lines().count())) + 1;
        panic!(
            "ui/src/bindings.ts is not what the Rust types generate (first difference at line {line}).\n\
             Regenerate it with:\n    {REGENERATE}\nthen check the UI still builds: npm --prefix ui run build"
        );
    }
}

#[test]
fn numbers_are_numbers_and_lines_have_no_trailing_space() {
    let generated = typescript();
    // `u64` would be `bigint` without `Config::with_large_int`; serde writes it as a number.
    assert!(!generated.contains("bigint"), "a Rust integer became `bigint`");
    assert!(generated.lines().all(|l| l == l.trim_end()), "trailing whitespace in the bindings");
}
