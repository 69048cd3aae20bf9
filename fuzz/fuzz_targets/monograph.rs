//! The monograph parser on arbitrary bytes: it never panics, and whatever it returns has
//! spans a citation can open (see `check_parsed`).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let parsed = drugchatter_monograph::parse(data);
    drugchatter_fuzz::check_parsed(data, &parsed);
});
