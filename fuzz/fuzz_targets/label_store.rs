//! The label store's write/read round trip on labels built from fuzz bytes (any text,
//! sections nested up to 300 deep): a stored label is listed by a store opened afresh under
//! its set id, version and date, and reads back equal to what was stored, or is reported
//! unreadable (a label nested past what serde_json reads back, which the importers never
//! make: SPL nesting is flattened past 8 levels); never a panic.
#![no_main]

use drugchatter_engine::testing::store::round_trip;
use libfuzzer_sys::arbitrary::Unstructured;
use libfuzzer_sys::fuzz_target;

/// Deeper than serde_json's recursion limit (128: two levels per section), so the
/// unreadable path is taken too.
const MAX_DEPTH: usize = 300;

fuzz_target!(|data: &[u8]| {
    let mut u = Unstructured::new(data);
    let Ok(label) = drugchatter_fuzz::label(&mut u, None, MAX_DEPTH) else { return };
    let dir = tempfile::tempdir().expect("a temporary folder");
    match round_trip(dir.path(), &label) {
        Ok(back) => assert_eq!(back, label, "the label read back differs from the one stored"),
        Err(e) => {
            let message = e.to_string();
            assert!(message.contains("damaged stored label"), "not an unreadable label: {message}");
            assert!(
                drugchatter_fuzz::depth(&label) > 60,
                "a label {} deep is unreadable: {message}",
                drugchatter_fuzz::depth(&label)
            );
        }
    }
});
