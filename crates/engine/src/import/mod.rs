//! Importing FDA labels into a library of their own.
//!
//! An import runs in three steps, each safe to interrupt and repeat:
//! 1. **Read**: inputs are streamed record by record (openFDA JSON or JSON Lines, gzipped
//!    or not; SPL XML; DailyMed zips; folders of these). Each usable label is stored as
//!    `labels/<set_id>@<version>.json`, written atomically; a newer version of a set id
//!    replaces the older one, and every unusable record is reported with its reason.
//! 2. **Render**: the labels of each drug (same generic name) become one document in the
//!    monograph format, `documents/<drug>.md`, newest label first.
//! 3. **Index**: the library's index is brought up to date like the bundled one.
//!    Embeddings are saved as they are made, so an interrupted import resumes where it
//!    stopped; the new index becomes visible only when complete.

pub(crate) mod label;
mod label_text;
pub(crate) mod openfda;
pub(crate) mod spl;

use crate::embed::Embedder;
use crate::error::{Error, Result};
use crate::index::{self, BuildOptions, BuildReport};
use crate::library;
use crate::paths::Paths;
use crate::progress::{Progress, Stage};
use crate::writer_lock::WriterLock;
use label::Label;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};
use std::io::{BufReader, Read};
use std::path::{Path, PathBuf};

/// What reading one record gave.
pub enum Found {
    /// A usable label, with the names of sections it had that we do not map.
    Label(Box<Label>, Vec<String>),
    Skipped(Skipped),
}

/// A record or file left out, with where it is and why.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Skipped {
    pub place: String,
    pub reason: String,
}

/// How many skipped records a report lists; every one is counted.
pub const MAX_LISTED_SKIPPED: usize = 100;

/// Records and files left out: all counted, the first [`MAX_LISTED_SKIPPED`] kept, so a file
/// of millions of bad records fills neither memory nor the window.
#[derive(Debug, Default)]
struct SkipLog {
    count: usize,
    first: Vec<Skipped>,
}

impl SkipLog {
    fn push(&mut self, skipped: Skipped) {
        tracing::debug!("skipped {skipped}");
        self.count += 1;
        if self.first.len() < MAX_LISTED_SKIPPED {
            self.first.push(skipped);
        }
    }
}

impl std::fmt::Display for Skipped {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.place, self.reason)
    }
}

#[derive(Debug, Clone)]
pub struct ImportOptions {
    /// The library to import into (created if new).
    pub library: String,
    /// Tokens of each passage the embedder reads; see [`BuildOptions::embed_max_tokens`].
    pub embed_max_tokens: usize,
}

impl Default for ImportOptions {
    fn default() -> Self {
        ImportOptions { library: "fda-labels".into(), embed_max_tokens: DEFAULT_EMBED_TOKENS }
    }
}

/// Label passages are long and numerous; the first 64 tokens of each (the drug and section
/// come first) carry its topic, and the whole passage stays searchable through BM25. On the
/// 1,130-label import, 128 tokens took twice as long for 2 points of section hit@5
/// (BENCHMARKS.md).
pub const DEFAULT_EMBED_TOKENS: usize = 64;

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ImportReport {
    pub library: String,
    /// Label records read from the inputs.
    pub records: usize,
    pub labels_added: usize,
    /// A newer version of a label already in the library replaced it.
    pub labels_updated: usize,
    /// Already in the library at this version.
    pub labels_unchanged: usize,
    /// An older version than the one the library keeps.
    pub labels_older: usize,
    /// Records and files left out, all of them counted…
    pub skipped_count: usize,
    /// …and the first 100 of them listed (`MAX_LISTED_SKIPPED`).
    pub skipped: Vec<Skipped>,
    /// Label sections left out (studies, chemistry, packaging…), by name, with counts.
    pub unmapped_sections: BTreeMap<String, usize>,
    /// Labels and drugs in the library after the import.
    pub labels: usize,
    pub drugs: usize,
    /// None when the library holds no usable label at all.
    pub build: Option<BuildReport>,
}

/// Imports `inputs` into the library named in `options`.
pub fn import(
    paths: &Paths,
    embedder: &Embedder,
    inputs: &[PathBuf],
    options: &ImportOptions,
    progress: &dyn Progress,
) -> Result<ImportReport> {
    library::check_name(&options.library)?;
    let library_dir = paths.data_dir.join("libraries").join(&options.library);
    let labels_dir = library_dir.join("labels");
    let documents_dir = library::documents_dir(paths, &options.library);
    crate::atomic::create_dir_all(&labels_dir)?;
    // One import per library at a time; a second one fails clearly rather than waiting,
    // as it would redo the first one's work.
    let lock = WriterLock::try_acquire(&library_dir)?.ok_or_else(|| Error::Import {
        path: library_dir.clone(),
        reason: "another import into this library (or its removal) is running".into(),
    })?;
    crate::atomic::remove_temporaries(&labels_dir, &lock);
    crate::atomic::create_dir_all(&documents_dir)?;
    crate::atomic::remove_temporaries(&documents_dir, &lock);

    let mut report = ImportReport {
        library: options.library.clone(),
        records: 0,
        labels_added: 0,
        labels_updated: 0,
        labels_unchanged: 0,
        labels_older: 0,
        skipped_count: 0,
        skipped: Vec::new(),
        unmapped_sections: BTreeMap::new(),
        labels: 0,
        drugs: 0,
        build: None,
    };

    let mut skips = SkipLog::default();
    let files = collect_inputs(inputs, &mut skips)?;
    let total_bytes: u64 = files.iter().filter_map(|f| std::fs::metadata(f).ok()).map(|m| m.len()).sum();
    progress.stage(Stage::Reading, total_bytes);
    let mut store = LabelStore::open(&labels_dir)?;
    let mut read_bytes = 0u64;
    for file in &files {
        let mut on_found = |found: Found| -> Result<()> {
            if progress.is_cancelled() {
                return Err(Error::Cancelled);
            }
            match found {
                Found::Label(label, unmapped) => {
                    report.records += 1;
                    for name in unmapped {
                        *report.unmapped_sections.entry(name).or_default() += 1;
                    }
                    match store.put(&label)? {
                        Stored::Added => report.labels_added += 1,
                        Stored::Updated => report.labels_updated += 1,
                        Stored::Unchanged => report.labels_unchanged += 1,
                        Stored::Older => report.labels_older += 1,
                    }
                }
                Found::Skipped(skipped) => {
                    report.records += 1;
                    skips.push(skipped);
                }
            }
            Ok(())
        };
        read_file(file, read_bytes, progress, &mut on_found)?;
        read_bytes += std::fs::metadata(file).map(|m| m.len()).unwrap_or(0);
        progress.advance(read_bytes);
    }

    let (labels, drugs) = render_documents(&mut store, &documents_dir, &mut skips, progress)?;
    report.skipped_count = skips.count;
    report.skipped = skips.first;
    report.labels = labels;
    report.drugs = drugs;
    if drugs == 0 {
        return Ok(report);
    }
    let build_options = BuildOptions {
        embed_max_tokens: options.embed_max_tokens,
        embedding_cache: Some(library_dir.join("embeddings.cache")),
    };
    let root = paths.index_dir(&options.library);
    let (_, build) = index::build(&root, &documents_dir, &options.library, embedder, &build_options, progress)?;
    report.build = Some(build);
    Ok(report)
}

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
fn collect_inputs(inputs: &[PathBuf], skipped: &mut SkipLog) -> Result<Vec<PathBuf>> {
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
fn unpack_limit(size: u64) -> u64 {
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

fn read_file(
    path: &Path,
    base: u64,
    progress: &dyn Progress,
    found: &mut dyn FnMut(Found) -> Result<()>,
) -> Result<()> {
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let format = format_of(path).expect("collected inputs have a format");
    let file = std::fs::File::open(path).map_err(Error::io(path))?;
    let size = file.metadata().map_err(Error::io(path))?.len();
    let mut budget = Budget { left: unpack_limit(size), exceeded: false };
    match format {
        Format::Zip => read_zip(file, &name, 0, &mut budget, found)?,
        _ => read_entry(Counting { inner: file, read: 0, base, progress }, &name, format, &mut budget, found)?,
    }
    if budget.exceeded {
        let limit = unpack_limit(size) >> 20;
        found(skip(
            &name,
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

/// A set id is a UUID; anything else would make a bad file name and a bad citation.
pub(crate) fn is_set_id(s: &str) -> bool {
    (8..=64).contains(&s.len()) && s.chars().all(|c| c.is_ascii_hexdigit() || c == '-')
}

/// A label's version number. None given counts as the first; one that is not a whole
/// number is refused, since taken as 0 it would rank a newer label below an older one.
pub(crate) fn parse_version(text: &str) -> std::result::Result<u32, String> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(0);
    }
    text.parse().map_err(|_| format!("its version {text:?} is not a whole number, so it cannot be ordered"))
}

/// `20240102` → `2024-01-02`; anything else → empty.
pub(crate) fn iso_date(yyyymmdd: &str) -> String {
    let digits = yyyymmdd.get(..8).unwrap_or("");
    if digits.len() == 8 && digits.chars().all(|c| c.is_ascii_digit()) {
        format!("{}-{}-{}", &digits[..4], &digits[4..6], &digits[6..8])
    } else {
        String::new()
    }
}

enum Stored {
    Added,
    Updated,
    Unchanged,
    Older,
}

/// The library's labels on disk, one file per set id, named with its version so the
/// folder listing alone says what is there.
struct LabelStore {
    dir: PathBuf,
    /// set id → (version, effective date, file name)
    kept: HashMap<String, (u32, String, String)>,
}

impl LabelStore {
    fn open(dir: &Path) -> Result<LabelStore> {
        let mut kept: HashMap<String, (u32, String, String)> = HashMap::new();
        let mut stale = Vec::new();
        for entry in std::fs::read_dir(dir).map_err(Error::io(dir))?.filter_map(|e| e.ok()) {
            let file = entry.file_name().to_string_lossy().into_owned();
            let Some((set_id, version, date)) = parse_label_file_name(&file) else { continue };
            match kept.get(&set_id) {
                Some((v, d, _)) if (*v, d.as_str()) >= (version, date.as_str()) => stale.push(file),
                _ => {
                    if let Some((_, _, old)) = kept.insert(set_id, (version, date, file)) {
                        stale.push(old);
                    }
                }
            }
        }
        // A crash between writing a newer version and removing the older leaves both.
        for file in stale {
            let _ = std::fs::remove_file(dir.join(file));
        }
        Ok(LabelStore { dir: dir.to_path_buf(), kept })
    }

    fn put(&mut self, label: &Label) -> Result<Stored> {
        // The same set id: the higher version is the newer label.
        let new_key = (label.version, label.effective_date.as_str());
        let outcome = match self.kept.get(&label.set_id) {
            None => Stored::Added,
            Some((v, d, _)) => match new_key.cmp(&(*v, d.as_str())) {
                std::cmp::Ordering::Greater => Stored::Updated,
                std::cmp::Ordering::Equal => return Ok(Stored::Unchanged),
                std::cmp::Ordering::Less => return Ok(Stored::Older),
            },
        };
        let file = format!("{}@{}@{}.json", label.set_id, label.version, label.effective_date.replace('-', ""));
        let json = serde_json::to_vec(label).expect("labels serialise");
        crate::atomic::write(&self.dir.join(&file), &json)?;
        if let Some((_, _, old)) =
            self.kept.insert(label.set_id.clone(), (label.version, label.effective_date.clone(), file))
        {
            let _ = std::fs::remove_file(self.dir.join(old));
        }
        Ok(outcome)
    }

    /// Drops a stored label that cannot be read, file and entry.
    fn forget(&mut self, file: &str) {
        let _ = std::fs::remove_file(self.dir.join(file));
        self.kept.retain(|_, (_, _, f)| f != file);
    }

    fn read(&self, file: &str) -> Result<Label> {
        let path = self.dir.join(file);
        let bytes = std::fs::read(&path).map_err(Error::io(&path))?;
        serde_json::from_slice(&bytes).map_err(|e| Error::Import { path, reason: format!("damaged stored label: {e}") })
    }
}

/// `<set id>@<version>@<yyyymmdd>.json`
fn parse_label_file_name(file: &str) -> Option<(String, u32, String)> {
    let stem = file.strip_suffix(".json")?;
    let mut parts = stem.split('@');
    let (set_id, version, date) = (parts.next()?, parts.next()?, parts.next().unwrap_or(""));
    if !is_set_id(set_id) || parts.next().is_some() {
        return None;
    }
    let date = if date.is_empty() { String::new() } else { iso_date(date) };
    Some((set_id.to_string(), version.parse().ok()?, date))
}

/// Writes one document per drug from the stored labels, and removes documents of drugs
/// no longer there. A stored label that cannot be read back is reported in `skipped` and
/// removed from the store, so it never blocks the library and importing its source again
/// stores it anew. Returns (labels, drugs).
fn render_documents(
    store: &mut LabelStore,
    documents_dir: &Path,
    skipped: &mut SkipLog,
    progress: &dyn Progress,
) -> Result<(usize, usize)> {
    crate::atomic::create_dir_all(documents_dir)?;
    let mut files: Vec<String> = store.kept.values().map(|(_, _, f)| f.clone()).collect();
    files.sort();
    progress.stage(Stage::Rendering, files.len() as u64);
    // Only names are kept in memory while grouping; each group's labels are read again to render.
    let mut groups: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for file in files {
        let label = match store.read(&file) {
            Ok(label) => label,
            Err(e) => {
                skipped.push(Skipped {
                    place: store.dir.join(&file).display().to_string(),
                    reason: format!("{e}; removed from the library, import its source again to restore it"),
                });
                store.forget(&file);
                continue;
            }
        };
        let key = label::drug_key(&label.generic_name);
        groups.entry(if key.is_empty() { label.set_id } else { key }).or_default().push(file);
    }
    let mut done = 0;
    for (key, members) in &groups {
        if progress.is_cancelled() {
            return Err(Error::Cancelled);
        }
        let mut labels = members.iter().map(|f| store.read(f)).collect::<Result<Vec<_>>>()?;
        labels.sort_by(label::newest_first);
        let document = label::render(&labels);
        let path = documents_dir.join(format!("{key}.md"));
        if std::fs::read(&path).ok().as_deref() != Some(document.as_bytes()) {
            crate::atomic::write(&path, document.as_bytes())?;
        }
        done += members.len();
        progress.advance(done as u64);
    }
    for entry in std::fs::read_dir(documents_dir).map_err(Error::io(documents_dir))?.filter_map(|e| e.ok()) {
        let name = entry.file_name().to_string_lossy().into_owned();
        if let Some(key) = name.strip_suffix(".md") {
            if !groups.contains_key(key) {
                let _ = std::fs::remove_file(entry.path());
            }
        }
    }
    Ok((groups.values().map(Vec::len).sum(), groups.len()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::progress::Silent;

    fn spl_label(xml: &str) -> Label {
        match spl::parse(xml, "deep.xml") {
            Found::Label(label, _) => *label,
            Found::Skipped(s) => panic!("skipped: {s}"),
        }
    }

    #[test]
    fn a_label_64_sections_deep_round_trips_through_the_store() {
        // Stored unflattened, it was written but exceeded serde_json's depth limit when
        // read back, and every later import into the library failed.
        let dir = tempfile::tempdir().unwrap();
        let label = spl_label(&spl::nested_document(64));
        let mut store = LabelStore::open(dir.path()).unwrap();
        assert!(matches!(store.put(&label).unwrap(), Stored::Added));
        let file = store.kept[&label.set_id].2.clone();
        assert_eq!(store.read(&file).unwrap(), label);
        let mut skipped = SkipLog::default();
        let documents = dir.path().join("documents");
        assert_eq!(render_documents(&mut store, &documents, &mut skipped, &Silent).unwrap(), (1, 1));
        assert_eq!(skipped.count, 0, "{skipped:?}");
        let document = std::fs::read_to_string(documents.join("deepamide.md")).unwrap();
        assert!(document.contains("Level 63."), "no level is lost");
    }

    #[test]
    fn a_stored_label_that_cannot_be_read_is_reported_and_never_blocks_the_library() {
        let dir = tempfile::tempdir().unwrap();
        let good = spl_label(&spl::nested_document(3));
        let damaged = "1111aaaa-73bf-4005-a7e3-b035f451a861@1@20240101.json";
        std::fs::write(dir.path().join(damaged), b"{\"set_id\": [[[[").unwrap();
        let mut store = LabelStore::open(dir.path()).unwrap();
        store.put(&good).unwrap();
        let mut skipped = SkipLog::default();
        let documents = dir.path().join("documents");
        assert_eq!(render_documents(&mut store, &documents, &mut skipped, &Silent).unwrap(), (1, 1));
        let listed = &skipped.first;
        assert_eq!((skipped.count, listed.len()), (1, 1), "{skipped:?}");
        assert!(listed[0].place.ends_with(damaged) && listed[0].reason.contains("damaged stored label"), "{listed:?}");
        assert!(!dir.path().join(damaged).exists(), "removed, so importing its source again stores it anew");
        assert!(documents.join("deepamide.md").exists());
        // The next run finds nothing to report.
        let mut store = LabelStore::open(dir.path()).unwrap();
        let mut again = SkipLog::default();
        assert_eq!(render_documents(&mut store, &documents, &mut again, &Silent).unwrap(), (1, 1));
        assert_eq!(again.count, 0, "{again:?}");
    }
}

#[cfg(test)]
mod input_tests {
    use super::*;
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
