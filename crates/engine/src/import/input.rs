//! Reading the inputs. An import reads whatever files it is given, so every read is bounded
//! (a gzip or zip bomb, an oversized record, a link loop) and ends as a reported skip,
//! never as a full memory or a walk of the whole disk.

use super::{openfda, spl, Found, SkipLog, Skipped};
use crate::error::{Error, Result};
use crate::progress::Progress;
use std::io::{BufReader, Read};
use std::path::{Path, PathBuf};

/// What the reader understands, from the file name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    Json { gzip: bool },
    JsonLines { gzip: bool },
    Xml,
    Zip,
}

fn format_of(path: &Path) -> Option<Format> {
    let name = path.file_name()?.to_str()?.to_lowercase();
    let (stem, gzip) = match name.strip_suffix(".gz") {
        Some(stem) => (stem.to_string(), true),
        None => (name.clone(), false),
    };
    if stem.ends_with(".jsonl") || stem.ends_with(".ndjson") {
        Some(Format::JsonLines { gzip })
    } else if stem.ends_with(".json") {
        Some(Format::Json { gzip })
    } else if stem.ends_with(".xml") && !gzip {
        Some(Format::Xml)
    } else if stem.ends_with(".zip") && !gzip {
        Some(Format::Zip)
    } else {
        None
    }
}

/// Expands folders (recursively, sorted) into the files we can read; other files in a
/// folder are reported as skipped. A named input that does not exist is an error. Each real
/// folder is read once, and links to folders are reported, never followed: a link back up
/// would loop, and one to `/` would walk the whole disk.
pub(super) fn collect_inputs(inputs: &[PathBuf], skipped: &mut SkipLog) -> Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    let mut visited = std::collections::HashSet::new();
    for input in inputs {
        let meta = std::fs::metadata(input).map_err(Error::io(input))?;
        if meta.is_dir() {
            let root = std::fs::canonicalize(input).map_err(Error::io(input))?;
            if !visited.insert(root.clone()) {
                continue;
            }
            let mut stack = vec![input.clone()];
            while let Some(dir) = stack.pop() {
                let mut entries: Vec<PathBuf> = std::fs::read_dir(&dir)
                    .map_err(Error::io(&dir))?
                    .filter_map(|e| e.ok().map(|e| e.path()))
                    .collect();
                entries.sort();
                for entry in entries.into_iter().rev() {
                    let place = entry.display().to_string();
                    if entry.is_dir() {
                        let is_link = std::fs::symlink_metadata(&entry).is_ok_and(|m| m.file_type().is_symlink());
                        if !is_link {
                            if visited.insert(std::fs::canonicalize(&entry).map_err(Error::io(&entry))?) {
                                stack.push(entry);
                            }
                            continue;
                        }
                        // Every real folder inside the one named is read through its own
                        // path, so a link is never needed to reach one.
                        let reason = match std::fs::canonicalize(&entry) {
                            Ok(real) if real.starts_with(&root) => {
                                format!("a link to {}, a folder read anyway; not read twice", real.display())
                            }
                            Ok(real) => {
                                format!("a link to {}, outside the folder imported; not followed", real.display())
                            }
                            Err(e) => format!("a link that cannot be followed: {e}"),
                        };
                        skipped.push(Skipped { place, reason });
                    } else if format_of(&entry).is_some() {
                        files.push(entry);
                    } else {
                        skipped.push(Skipped {
                            place,
                            reason: "not a label file (.json, .jsonl, .json.gz, .jsonl.gz, .xml or .zip)".into(),
                        });
                    }
                }
            }
        } else if format_of(input).is_some() {
            files.push(input.clone());
        } else {
            return Err(Error::Import {
                path: input.clone(),
                reason: "not a label file: expected openFDA JSON (.json, .jsonl, optionally .gz), SPL XML (.xml) \
                         or a DailyMed zip (.zip)"
                    .into(),
            });
        }
    }
    files.sort();
    files.dedup();
    Ok(files)
}

/// SPL documents are a few megabytes at most; anything far larger is not one.
const MAX_XML_BYTES: u64 = 64 * 1024 * 1024;

/// Label JSON compresses about 5 times (the 1,130-label openFDA sample: 24 MB to 131 MB);
/// a gzip or zip bomb, a thousand times. A file is unpacked up to this many times its size…
const UNPACK_RATIO: u64 = 32;
/// …or this many bytes, for small files.
const UNPACK_FLOOR: u64 = 256 * 1024 * 1024;

/// Entries of a zip looked at; a DailyMed release part holds a few thousand labels.
const MAX_ZIP_ENTRIES: usize = 100_000;

/// A zip inside a zip (a DailyMed release part holds one per label) is unpacked into memory
/// to be read, up to this size; each is a label with its images, a few megabytes.
const MAX_INNER_ZIP_BYTES: u64 = 256 * 1024 * 1024;

/// How many bytes a file of `size` bytes may unpack to.
pub fn unpack_limit(size: u64) -> u64 {
    size.saturating_mul(UNPACK_RATIO).max(UNPACK_FLOOR)
}

/// The bytes a file may still unpack to, and whether it had more.
struct Budget {
    left: u64,
    exceeded: bool,
}

/// Ends a stream once the file's [`Budget`] is spent, noting whether there was more.
struct Capped<'a, R> {
    inner: R,
    budget: &'a mut Budget,
}

impl<R: Read> Read for Capped<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.budget.left == 0 {
            self.budget.exceeded = self.budget.exceeded || self.inner.read(&mut [0])? > 0;
            return Ok(0);
        }
        let room = (buf.len() as u64).min(self.budget.left) as usize;
        let n = self.inner.read(&mut buf[..room])?;
        self.budget.left -= n as u64;
        Ok(n)
    }
}

/// Counts the bytes read from the input file, for progress.
struct Counting<'a, R> {
    inner: R,
    read: u64,
    base: u64,
    progress: &'a dyn Progress,
}

impl<R: Read> Read for Counting<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        // Reported every 4 MiB or so, not on every small read.
        if (self.read + n as u64) >> 22 != self.read >> 22 {
            self.progress.advance(self.base + self.read + n as u64);
        }
        self.read += n as u64;
        Ok(n)
    }
}

fn skip(place: &str, reason: impl Into<String>) -> Found {
    Found::Skipped(Skipped { place: place.into(), reason: reason.into() })
}

pub(super) fn read_file(
    path: &Path,
    base: u64,
    progress: &dyn Progress,
    found: &mut dyn FnMut(Found) -> Result<()>,
) -> Result<()> {
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let format = format_of(path).expect("collected inputs have a format");
    let file = std::fs::File::open(path).map_err(Error::io(path))?;
    let size = file.metadata().map_err(Error::io(path))?.len();
    read_input(file, &name, format, unpack_limit(size), base, progress, found)
}

/// Reads `bytes` as a file named `name` would be read (its format from the name), unpacking
/// at most `limit` bytes: the archive fuzz target, without a file. None when the name is
/// not that of a label file.
pub fn read_bytes(
    bytes: &[u8],
    name: &str,
    limit: u64,
    found: &mut dyn FnMut(Found) -> Result<()>,
) -> Option<Result<()>> {
    let format = format_of(Path::new(name))?;
    Some(read_input(std::io::Cursor::new(bytes), name, format, limit, 0, &crate::progress::Silent, found))
}

/// Reads one input (a file, or bytes) of `format`, unpacking at most `limit` bytes; what
/// lies past the limit is reported, never read.
fn read_input(
    reader: impl Read + std::io::Seek,
    name: &str,
    format: Format,
    limit: u64,
    base: u64,
    progress: &dyn Progress,
    found: &mut dyn FnMut(Found) -> Result<()>,
) -> Result<()> {
    let mut budget = Budget { left: limit, exceeded: false };
    match format {
        Format::Zip => read_zip(reader, name, 0, &mut budget, found)?,
        _ => read_entry(Counting { inner: reader, read: 0, base, progress }, name, format, &mut budget, found)?,
    }
    if budget.exceeded {
        let limit = limit >> 20;
        found(skip(
            name,
            format!(
                "it unpacks to more than {limit} MB ({UNPACK_RATIO} times its size, more than any label file); the \
                 rest was not read"
            ),
        ))?;
    }
    Ok(())
}

/// Reads one file or zip entry that is not a zip.
fn read_entry(
    reader: impl Read,
    place: &str,
    format: Format,
    budget: &mut Budget,
    found: &mut dyn FnMut(Found) -> Result<()>,
) -> Result<()> {
    match format {
        Format::Json { gzip } | Format::JsonLines { gzip } => {
            let lines = matches!(format, Format::JsonLines { .. });
            // The budget counts what is unpacked, after the gzip decoder.
            let inner: Box<dyn Read + '_> =
                if gzip { Box::new(flate2::read::MultiGzDecoder::new(reader)) } else { Box::new(reader) };
            openfda::read(BufReader::new(Capped { inner, budget }), place, lines, found)
        }
        Format::Xml => {
            let mut bytes = Vec::new();
            let read = Capped { inner: reader, budget }.take(MAX_XML_BYTES + 1).read_to_end(&mut bytes);
            match read {
                Err(e) => found(skip(place, format!("cannot unpack: {e}"))),
                Ok(_) if bytes.len() as u64 > MAX_XML_BYTES => {
                    found(skip(place, format!("larger than {} MB, too large for an SPL document", MAX_XML_BYTES >> 20)))
                }
                Ok(_) => found(xml_document(&bytes, place)),
            }
        }
        Format::Zip => unreachable!("zips are read by read_zip"),
    }
}

/// Reads the label files in a zip: SPL XML, openFDA JSON, and the zips inside it (one
/// level deep, as DailyMed's release parts hold them). Other entries (a label's images)
/// are not labels and are passed over.
fn read_zip(
    reader: impl Read + std::io::Seek,
    place: &str,
    depth: usize,
    budget: &mut Budget,
    found: &mut dyn FnMut(Found) -> Result<()>,
) -> Result<()> {
    let mut archive = match zip::ZipArchive::new(reader) {
        Ok(archive) => archive,
        Err(e) => return found(skip(place, format!("not a readable zip: {e}"))),
    };
    if archive.len() > MAX_ZIP_ENTRIES {
        found(skip(place, format!("it holds {} entries; only the first {MAX_ZIP_ENTRIES} were read", archive.len())))?;
    }
    for i in 0..archive.len().min(MAX_ZIP_ENTRIES) {
        let mut entry = match archive.by_index(i) {
            Ok(entry) => entry,
            Err(e) => {
                found(skip(&format!("{place}, entry {}", i + 1), e.to_string()))?;
                continue;
            }
        };
        let entry_name = entry.name().map(|n| n.into_owned()).unwrap_or_else(|_| format!("entry {}", i + 1));
        let entry_place = format!("{place}:{entry_name}");
        let Some(format) = format_of(Path::new(&entry_name)) else { continue };
        if budget.left == 0 {
            budget.exceeded = true;
            break;
        }
        match format {
            Format::Zip if depth > 0 => {
                found(skip(&entry_place, "a zip inside a zip inside a zip; not read"))?;
            }
            Format::Zip if entry.size() > MAX_INNER_ZIP_BYTES => {
                found(skip(
                    &entry_place,
                    format!("a zip inside a zip larger than {} MB; not read", MAX_INNER_ZIP_BYTES >> 20),
                ))?;
            }
            Format::Zip => {
                let mut bytes = Vec::new();
                let read = Capped { inner: &mut entry, budget: &mut *budget }
                    .take(MAX_INNER_ZIP_BYTES)
                    .read_to_end(&mut bytes);
                match read {
                    Ok(_) => read_zip(std::io::Cursor::new(bytes), &entry_place, depth + 1, budget, found)?,
                    Err(e) => found(skip(&entry_place, format!("cannot unpack: {e}")))?,
                }
            }
            format => read_entry(&mut entry, &entry_place, format, budget, found)?,
        }
    }
    Ok(())
}

fn xml_document(bytes: &[u8], place: &str) -> Found {
    match std::str::from_utf8(bytes) {
        Ok(xml) => spl::parse(xml, place),
        Err(e) => Found::Skipped(Skipped { place: place.into(), reason: format!("not UTF-8 text: {e}") }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::MAX_LISTED_SKIPPED;
    use crate::progress::Silent;
    use flate2::write::GzEncoder;
    use std::io::Write;

    const RECORD: &str = r#"{"set_id":["0027b8a3-73bf-4005-a7e3-b035f451a861"],"openfda":{"generic_name":["testamide"]},"dosage_and_administration":["Take one tablet daily."]}"#;

    /// What reading `path` found: labels read, and skipped (place, reason).
    fn read(path: &Path) -> (usize, Vec<(String, String)>) {
        let (mut labels, mut skipped) = (0, Vec::new());
        read_file(path, 0, &Silent, &mut |found| {
            match found {
                Found::Label(..) => labels += 1,
                Found::Skipped(s) => skipped.push((s.place, s.reason)),
            }
            Ok(())
        })
        .unwrap();
        (labels, skipped)
    }

    fn gzip(bytes: &[u8]) -> Vec<u8> {
        let mut encoder = GzEncoder::new(Vec::new(), flate2::Compression::best());
        encoder.write_all(bytes).unwrap();
        encoder.finish().unwrap()
    }

    #[test]
    fn a_gzip_bomb_is_read_only_up_to_its_limit() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("bomb.jsonl.gz");
        let mut file = std::fs::File::create(&path).unwrap();
        file.write_all(&gzip(format!("{RECORD}\n").as_bytes())).unwrap();
        // Gzip members one after another are one stream: 160 of 64 MiB of spaces make a
        // 10 MB file that unpacks to 10 GiB, one line.
        let member = gzip(&vec![b' '; 64 << 20]);
        for _ in 0..160 {
            file.write_all(&member).unwrap();
        }
        drop(file);
        let size = std::fs::metadata(&path).unwrap().len();
        assert!((9_000_000..12_000_000).contains(&size), "{size}");
        let (labels, skipped) = read(&path);
        assert_eq!(labels, 1, "the record before the bomb is read");
        let limit = unpack_limit(size) >> 20;
        assert_eq!(
            skipped,
            [
                (
                    "bomb.jsonl.gz, line 2".to_string(),
                    "the line is larger than 16 MB, more than any label; skipped".into()
                ),
                (
                    "bomb.jsonl.gz".into(),
                    format!(
                        "it unpacks to more than {limit} MB (32 times its size, more than any label file); the rest \
                         was not read"
                    )
                ),
            ]
        );
    }

    #[test]
    fn an_oversized_record_is_reported_and_the_rest_still_read() {
        let dir = tempfile::tempdir().unwrap();
        let huge = format!(r#"{{"set_id":["{}"]}}"#, "a".repeat(17 << 20));
        let lines = dir.path().join("labels.jsonl");
        std::fs::write(&lines, format!("{huge}\n{RECORD}\n")).unwrap();
        let (labels, skipped) = read(&lines);
        assert_eq!(labels, 1, "the record after the long line is read");
        assert_eq!(
            skipped,
            [("labels.jsonl, line 1".into(), "the line is larger than 16 MB, more than any label; skipped".into())]
        );

        let response = dir.path().join("response.json");
        std::fs::write(&response, format!(r#"{{"results": [{RECORD}, {huge}, {RECORD}]}}"#)).unwrap();
        let (labels, skipped) = read(&response);
        assert_eq!(labels, 1);
        assert_eq!(
            skipped,
            [(
                "response.json, after record 1".into(),
                "record 2 is larger than 16 MB, more than any label; it and the records after it were not read".into()
            )]
        );
    }

    #[test]
    fn skipped_records_are_all_counted_and_the_first_hundred_listed() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("bad.jsonl");
        std::fs::write(&path, "{}\n".repeat(1000)).unwrap();
        let mut log = SkipLog::default();
        read_file(&path, 0, &Silent, &mut |found| {
            if let Found::Skipped(s) = found {
                log.push(s);
            }
            Ok(())
        })
        .unwrap();
        assert_eq!((log.count, log.first.len()), (1000, MAX_LISTED_SKIPPED));
        assert_eq!(log.first[99].place, "bad.jsonl, line 100");
    }

    #[test]
    fn each_real_folder_is_read_once_and_links_out_or_back_are_reported() {
        let dir = tempfile::tempdir().unwrap();
        let labels = dir.path().join("labels");
        std::fs::create_dir_all(labels.join("a")).unwrap();
        std::fs::write(labels.join("a/one.xml"), "<document/>").unwrap();
        std::os::unix::fs::symlink(&labels, labels.join("a/loop")).unwrap();
        std::os::unix::fs::symlink("/", labels.join("root")).unwrap();
        std::os::unix::fs::symlink(labels.join("a"), labels.join("again")).unwrap();
        let mut skipped = SkipLog::default();
        let files = collect_inputs(std::slice::from_ref(&labels), &mut skipped).unwrap();
        assert_eq!(files, [labels.join("a/one.xml")]);
        let reasons: Vec<String> = skipped.first.iter().map(|s| s.to_string()).collect();
        assert_eq!(reasons.len(), 3, "{reasons:#?}");
        let has = |place: &str, reason: &str| reasons.iter().any(|r| r.contains(place) && r.contains(reason));
        assert!(has("labels/a/loop", "a folder read anyway; not read twice"), "{reasons:#?}");
        assert!(has("labels/again", "a folder read anyway; not read twice"), "{reasons:#?}");
        assert!(has("labels/root", "a link to /, outside the folder imported; not followed"), "{reasons:#?}");
    }

    /// A zip of `entries` (name, bytes), deflated.
    fn zip_of(entries: &[(&str, &[u8])]) -> Vec<u8> {
        let mut writer = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        for (name, bytes) in entries {
            writer.start_file(*name, zip::write::SimpleFileOptions::default()).unwrap();
            writer.write_all(bytes).unwrap();
        }
        writer.finish().unwrap().into_inner()
    }

    #[test]
    fn json_and_nested_zips_inside_a_zip_are_read_or_reported() {
        let dir = tempfile::tempdir().unwrap();
        let xml = spl::nested_document(2);
        let inner = zip_of(&[("label.xml", xml.as_bytes()), ("picture.jpg", b"\xff\xd8")]);
        let innermost = zip_of(&[("deep.zip", &inner)]);
        let path = dir.path().join("release.zip");
        let gzipped = gzip(format!("{RECORD}\n").as_bytes());
        let outer = zip_of(&[
            ("drug-label.json", RECORD.as_bytes()),
            ("more.jsonl.gz", &gzipped),
            ("spl/one.zip", &inner),
            ("spl/two.zip", &innermost),
            ("notes.txt", b"not a label"),
        ]);
        std::fs::write(&path, outer).unwrap();
        let (labels, skipped) = read(&path);
        assert_eq!(labels, 3, "the JSON, the gzipped JSON Lines and the nested zip's SPL: {skipped:?}");
        assert_eq!(
            skipped,
            [("release.zip:spl/two.zip:deep.zip".into(), "a zip inside a zip inside a zip; not read".into())]
        );
    }

    #[test]
    fn a_zip_is_read_up_to_its_entry_and_byte_limits() {
        let dir = tempfile::tempdir().unwrap();
        let bomb = dir.path().join("bomb.zip");
        let spaces = vec![b' '; 300 << 20];
        std::fs::write(&bomb, zip_of(&[("a.jsonl", &spaces), ("b.json", RECORD.as_bytes())])).unwrap();
        let (labels, skipped) = read(&bomb);
        assert_eq!(labels, 0, "nothing is read past the limit");
        let reasons: Vec<&str> = skipped.iter().map(|(_, r)| r.as_str()).collect();
        assert_eq!(reasons.len(), 2, "{skipped:?}");
        assert!(reasons[0].starts_with("the line is larger than 16 MB"), "{skipped:?}");
        assert_eq!(
            skipped[1],
            (
                "bomb.zip".into(),
                "it unpacks to more than 256 MB (32 times its size, more than any label file); the rest was not read"
                    .into()
            )
        );

        let many = dir.path().join("many.zip");
        let names: Vec<String> = (0..=MAX_ZIP_ENTRIES).map(|i| format!("{i}.txt")).collect();
        let entries: Vec<(&str, &[u8])> = names.iter().map(|n| (n.as_str(), &b""[..])).collect();
        std::fs::write(&many, zip_of(&entries)).unwrap();
        let (_, skipped) = read(&many);
        assert_eq!(skipped, [("many.zip".into(), "it holds 100001 entries; only the first 100000 were read".into())]);
    }

    #[test]
    fn a_version_that_is_not_a_number_is_refused_not_taken_as_zero() {
        let dir = tempfile::tempdir().unwrap();
        let lines = dir.path().join("versions.jsonl");
        let numbered = |v: &str| RECORD.replacen('{', &format!(r#"{{"version":["{v}"],"#), 1);
        std::fs::write(&lines, format!("{}\n{}\n{RECORD}\n", numbered("3"), numbered("4.1"))).unwrap();
        let (labels, skipped) = read(&lines);
        assert_eq!(labels, 2, "version 3 and none given: {skipped:?}");
        let reason = "label 0027b8a3-73bf-4005-a7e3-b035f451a861: its version \"4.1\" is not a whole number, so it cannot be ordered";
        assert_eq!(skipped, [("versions.jsonl, line 2".into(), reason.into())]);

        let xml = dir.path().join("label.xml");
        std::fs::write(
            &xml,
            spl::nested_document(2).replace(r#"<versionNumber value="2"/>"#, r#"<versionNumber value="2b"/>"#),
        )
        .unwrap();
        let (labels, skipped) = read(&xml);
        assert_eq!(labels, 0);
        assert!(
            skipped[0].1.ends_with(r#"its version "2b" is not a whole number, so it cannot be ordered"#),
            "{skipped:?}"
        );
    }
}
