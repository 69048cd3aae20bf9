//! Importing FDA labels into a library of their own.
//!
//! An import runs in three steps, each safe to interrupt and repeat:
//! 1. **Read**: inputs are streamed record by record (openFDA JSON or JSON Lines, gzipped
//!    or not; SPL XML; DailyMed zips; folders of these). Each usable label is stored as
//!    `labels/<set_id>@<version>.json`, written atomically; a newer version of a set id
//!    replaces the older one, and every unusable record is reported with its reason.
//! 2. **Render**: the labels of each drug (same generic name) become one document in the
//!    monograph format, `documents/<drug>.md`, newest label first (a drug with more labels
//!    than one document of at most 2 MiB holds continues in `<drug>.2.md`…).
//! 3. **Index**: the library's index is brought up to date like the bundled one.
//!    Embeddings are saved as they are made, so an interrupted import resumes where it
//!    stopped; the new index becomes visible only when complete.

pub(crate) mod input;
pub(crate) mod label;
mod label_text;
pub(crate) mod openfda;
pub(crate) mod spl;
pub(crate) mod store;

use crate::embed::Embedder;
use crate::error::{Error, Result};
use crate::index::{self, BuildOptions, BuildReport};
use crate::library;
use crate::paths::Paths;
use crate::progress::{Progress, Stage};
use crate::writer_lock::WriterLock;
use input::{collect_inputs, read_file};
use label::Label;
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use store::{LabelStore, Stored};

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
        stored_vectors: None,
    };
    let root = paths.index_dir(&options.library);
    let (_, build) = index::build(&root, &documents_dir, &options.library, embedder, &build_options, progress)?;
    report.build = Some(build);
    Ok(report)
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

/// Writes one document per drug from the stored labels (several for a drug with more labels
/// than one document holds), and removes documents of drugs no longer there. A stored label that cannot be read back is reported in `skipped` and
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
    let mut written = std::collections::HashSet::new();
    let mut drugs = 0;
    let mut rendered = 0;
    for (key, members) in &groups {
        if progress.is_cancelled() {
            return Err(Error::Cancelled);
        }
        let mut labels = members.iter().map(|f| store.read(f).map(|label| (label, f))).collect::<Result<Vec<_>>>()?;
        labels.sort_by(|a, b| label::newest_first(&a.0, &b.0));
        let (labels, files): (Vec<Label>, Vec<&String>) = labels.into_iter().unzip();
        let (documents, too_large) = label::render_within(&labels, drugchatter_monograph::MAX_MONOGRAPH_BYTES);
        rendered += labels.len() - too_large.len();
        for i in too_large {
            skipped.push(Skipped {
                place: store.dir.join(files[i]).display().to_string(),
                reason: format!(
                    "its text alone makes a document larger than {} MB, more than a library document may be; not \
                     indexed",
                    drugchatter_monograph::MAX_MONOGRAPH_BYTES >> 20
                ),
            });
        }
        // A drug with more labels than one document holds has several: `<drug>.md`, then
        // `<drug>.2.md`… (a drug key never holds a dot).
        for (n, document) in documents.iter().enumerate() {
            let name = if n == 0 { format!("{key}.md") } else { format!("{key}.{}.md", n + 1) };
            let path = documents_dir.join(&name);
            if std::fs::read(&path).ok().as_deref() != Some(document.as_bytes()) {
                crate::atomic::write(&path, document.as_bytes())?;
            }
            written.insert(name);
        }
        drugs += usize::from(!documents.is_empty());
        done += members.len();
        progress.advance(done as u64);
    }
    for entry in std::fs::read_dir(documents_dir).map_err(Error::io(documents_dir))?.filter_map(|e| e.ok()) {
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.ends_with(".md") && !written.contains(&name) {
            let _ = std::fs::remove_file(entry.path());
        }
    }
    Ok((rendered, drugs))
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

    #[test]
    fn a_drug_with_more_labels_than_one_document_holds_gets_several_and_loses_none() {
        // Found writing the render_many fuzz target: the labels of one drug made one
        // document however many there were, and a document over 2 MiB is refused by the
        // library's reader, so a drug with hundreds of labels vanished from search.
        let dir = tempfile::tempdir().unwrap();
        let mut store = LabelStore::open(dir.path()).unwrap();
        let bulky = |n: u32, words: usize| label::Label {
            set_id: format!("{n:08x}-73bf-4005-a7e3-b035f451a861"),
            version: 1,
            effective_date: format!("2024-01-{:02}", n % 28 + 1),
            title: format!("BULKAMIDE tablets {n}"),
            generic_name: "BULKAMIDE".into(),
            brand_names: vec![format!("Bulk{n}")],
            manufacturer: "Maker".into(),
            source_file: "labels.jsonl".into(),
            sections: vec![label::LabelSection {
                part: label::Part::Dosage,
                heading: "2 DOSAGE AND ADMINISTRATION".into(),
                paragraphs: vec![format!("Label {n} says take one tablet. {}", "Daily dose. ".repeat(words))],
                children: vec![],
            }],
        };
        // 30 labels of 120 KB: 3.6 MB in one document.
        for n in 0..30 {
            store.put(&bulky(n, 10_000)).unwrap();
        }
        // One label whose own document would be over the limit.
        store.put(&bulky(99, 200_000)).unwrap();
        let mut skipped = SkipLog::default();
        let documents = dir.path().join("documents");
        assert_eq!(render_documents(&mut store, &documents, &mut skipped, &Silent).unwrap(), (30, 1));
        assert_eq!(skipped.count, 1, "{skipped:?}");
        assert!(
            skipped.first[0].place.contains("00000063-73bf") && skipped.first[0].reason.contains("larger than 2 MB")
        );

        let (files, failures) = crate::corpus::scan(&documents).unwrap();
        assert!(failures.is_empty(), "{failures:?}");
        let names: Vec<String> = files.iter().map(|f| f.slug()).collect();
        assert_eq!(names, ["bulkamide.2", "bulkamide"], "sorted by file name");
        let mut set_ids = Vec::new();
        for file in &files {
            assert!(file.bytes.len() <= drugchatter_monograph::MAX_MONOGRAPH_BYTES);
            let (drug, monograph) = crate::corpus::parse_file(file, "fda").unwrap();
            assert_eq!(drug.title, "Bulkamide");
            set_ids.extend(monograph.labels.iter().map(|l| l.set_id.clone()));
        }
        set_ids.sort();
        let expected: Vec<String> = (0..30).map(|n| bulky(n, 0).set_id).collect();
        assert_eq!(set_ids, expected, "every label in exactly one document");

        // Fewer labels later: the second document goes.
        for n in 0..30 {
            store.forget(&store.kept[&bulky(n, 0).set_id].2.clone());
        }
        store.put(&bulky(1, 10)).unwrap();
        render_documents(&mut store, &documents, &mut SkipLog::default(), &Silent).unwrap();
        assert!(documents.join("bulkamide.md").exists() && !documents.join("bulkamide.2.md").exists());
    }
}
