//! The SPL XML importer on arbitrary text: it never panics, and every label it accepts can
//! be stored and indexed (see `check_found`). The importer hands it UTF-8 only.
#![no_main]

use drugchatter_engine::testing::spl;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(xml) = std::str::from_utf8(data) {
        drugchatter_fuzz::check_found(&spl::parse(xml, "fuzz.xml"));
    }
});
