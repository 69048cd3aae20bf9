//! The importer's input reading on arbitrary bytes, as a zip and as gzipped openFDA JSON and
//! JSON Lines: the zip reader (entries, nested zips, their caps), the gzip decoder and the
//! unpacking budget. It never panics, allocates within the budget (libFuzzer's malloc and
//! RSS limits, set low for this target in scripts/fuzz.sh), reports what it could not read,
//! and every label it finds can be stored and indexed (see `check_found`).
#![no_main]

use drugchatter_engine::testing::input::{read_bytes, unpack_limit};
use drugchatter_engine::testing::Found;
use libfuzzer_sys::fuzz_target;

/// The real budget is 32 times the file's size and at least 256 MB; an input of a few KB
/// reaches the floor, and unpacking 256 MB unoptimised takes a minute, so the target caps it
/// lower. The caps themselves are the importer's: the budget is checked as it is spent, and
/// `import::input`'s unit tests run the full-size bombs.
const FUZZ_UNPACK_LIMIT: u64 = 4 << 20;

fuzz_target!(|data: &[u8]| {
    let limit = unpack_limit(data.len() as u64).min(FUZZ_UNPACK_LIMIT);
    for name in ["fuzz.zip", "fuzz.jsonl.gz", "fuzz.json.gz"] {
        let mut skipped = 0;
        let mut labels = 0;
        let result = read_bytes(data, name, limit, &mut |found| {
            match &found {
                Found::Skipped(s) => {
                    assert!(s.place.starts_with(name), "{name}: a skip placed outside the file: {s}");
                    assert!(!s.reason.is_empty(), "{name}: a skip without its reason at {}", s.place);
                    skipped += 1;
                }
                Found::Label(..) => {
                    drugchatter_fuzz::check_found(&found);
                    labels += 1;
                }
            }
            Ok(())
        })
        .expect("a label file name");
        // Bytes that are not a zip (no end-of-directory record: a zip is read from its end,
        // so anything may come before) or not gzip are reported, never passed over in silence.
        let unreadable = if name.ends_with(".zip") {
            !data.windows(4).any(|w| w == b"PK\x05\x06")
        } else {
            !data.starts_with(b"\x1f\x8b")
        };
        if unreadable {
            assert!(result.is_err() || skipped > 0, "{name}: unreadable bytes read silently");
        }
        let _ = labels;
    }
});
