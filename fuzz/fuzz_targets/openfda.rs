//! The openFDA importer on arbitrary bytes, read both as one JSON value and as JSON Lines:
//! it never panics, reports broken input as skipped records or a clean error, and every
//! label it accepts can be stored and indexed (see `check_found`).
#![no_main]

use drugchatter_engine::testing::openfda;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    for lines in [false, true] {
        let _ = openfda::read(data, "fuzz.json", lines, &mut |found| {
            drugchatter_fuzz::check_found(&found);
            Ok(())
        });
    }
});
