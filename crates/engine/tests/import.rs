//! Importing the real FDA label files in `../shared/data`: openFDA JSON Lines (gzipped),
//! `{"results": …}` and single-record JSON, every SPL XML sample and the DailyMed zip; and
//! malformed records. (An import killed mid-way and resumed, through the CLI, is the
//! workspace's `tests/import_cli.rs`.)

mod common;

use drugchatter_engine::testing::EngineParts;
use drugchatter_engine::{Engine, ImportOptions, ImportReport, LibraryKind, Silent};
use serde_json::Value;
use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};

fn empty_engine(data: &Path) -> Engine {
    Engine::open(common::paths(&common::repo().join("corpus"), data)).expect("engine opens")
}

fn import(engine: &Engine, inputs: &[PathBuf], library: &str) -> ImportReport {
    let options = ImportOptions { library: library.into(), ..Default::default() };
    engine.import(inputs, &options, &Silent).expect("import runs")
}

/// Records of the openFDA file whose generic name is one of `names`, first of each.
fn openfda_records(names: &[&str]) -> Vec<Value> {
    let file = std::fs::File::open(common::shared().join("data/openfda/labels-1130.jsonl.gz")).unwrap();
    let reader = std::io::BufReader::new(flate2::read::GzDecoder::new(file));
    let mut found: Vec<Value> = Vec::new();
    for line in reader.lines() {
        let record: Value = serde_json::from_str(&line.unwrap()).unwrap();
        let generic = record["openfda"]["generic_name"][0].as_str().unwrap_or("").to_lowercase();
        let seen = |r: &Value| r["openfda"]["generic_name"][0].as_str().unwrap_or("").eq_ignore_ascii_case(&generic);
        if names.contains(&generic.as_str()) && !found.iter().any(seen) {
            found.push(record);
        }
    }
    assert_eq!(found.len(), names.len(), "all of {names:?} are in the openFDA file");
    let position = |r: &Value| {
        let generic = r["openfda"]["generic_name"][0].as_str().unwrap().to_lowercase();
        names.iter().position(|n| *n == generic)
    };
    found.sort_by_key(position);
    found
}

#[test]
fn spl_samples_and_the_dailymed_zip() {
    let data = tempfile::tempdir().unwrap();
    let mut engine = empty_engine(data.path());
    let report = import(&engine, &[common::shared().join("data/spl")], "spl");
    assert!(report.skipped.is_empty(), "{:#?}", report.skipped);
    assert_eq!((report.labels, report.labels_added), (5, 5));
    // The original and the repackaged Lipitor are one drug (atorvastatin) with two labels.
    assert_eq!(report.drugs, 4);
    assert!(report.unmapped_sections.keys().any(|k| k.contains("PACKAGE LABEL")));

    engine.reload_libraries();
    let spl = engine.libraries().iter().find(|l| l.name == "spl").expect("library loaded");
    assert_eq!(spl.kind, LibraryKind::Imported);

    let atorvastatin = engine.monograph("spl", "atorvastatin").unwrap();
    assert_eq!(atorvastatin.labels.len(), 2, "grouped under one drug, one entry per set id");
    assert!(atorvastatin.synonyms.iter().any(|s| s == "Lipitor"), "{:?}", atorvastatin.synonyms);
    let dosage = atorvastatin.sections.iter().find(|s| s.heading == "Dosage").expect("Dosage section");
    let first_label = &dosage.children[0];
    assert!(first_label.heading.contains(&atorvastatin.labels[0].set_id), "label named in its heading");
    let label_sections: Vec<&str> = first_label.children.iter().map(|s| s.heading.as_str()).collect();
    assert!(label_sections.iter().any(|h| h.starts_with("2 DOSAGE AND ADMINISTRATION")), "{label_sections:?}");
    assert!(first_label.children[0].children.iter().any(|s| s.heading.starts_with("2.1")), "sub-structure kept");

    let haloperidol =
        engine.monograph("spl", "haloperidol").expect("the label without a title is named by its product");
    assert_eq!(haloperidol.title, "Haloperidol");
    assert!(haloperidol.labels[0].source_file.ends_with("no-title.xml"));
    let minoxidil = engine.monograph("spl", "minoxidil").expect("the zip's label");
    assert!(minoxidil.labels[0].source_file.contains(".zip:"), "{}", minoxidil.labels[0].source_file);
    assert_eq!(minoxidil.labels[0].set_id, "1b5e2860-6855-4a65-8bbc-e064172a1adf");

    let results = engine.search("lipitor dose", 5).unwrap();
    let top = &results.hits[0];
    assert_eq!((top.library.as_str(), top.drug_slug.as_str()), ("spl", "atorvastatin"));
    assert_eq!(top.section_kind, drugchatter_engine::SectionKind::Dosage, "{}", top.section);
    let label = top.label.as_ref().expect("an imported passage names its label");
    assert!(atorvastatin.labels.iter().any(|l| l.set_id == label.set_id));

    // Importing the same files again changes nothing.
    let again = import(&engine, &[common::shared().join("data/spl")], "spl");
    assert_eq!((again.labels_unchanged, again.labels_added), (5, 0));
    assert!(!again.build.unwrap().rebuilt);
}

#[test]
fn openfda_jsonl_results_and_single_records_search_with_the_bundled_library() {
    let records = openfda_records(&["metformin hydrochloride", "sertraline hydrochloride", "ibuprofen sodium"]);
    let inputs = tempfile::tempdir().unwrap();
    // JSON Lines, gzipped, with a line cut short.
    let jsonl = inputs.path().join("labels.jsonl.gz");
    let mut gz = flate2::write::GzEncoder::new(std::fs::File::create(&jsonl).unwrap(), Default::default());
    writeln!(gz, "{}", records[0]).unwrap();
    writeln!(gz, "{}", &records[2].to_string()[..200]).unwrap();
    gz.finish().unwrap();
    // An API response, with one record lacking its set_id.
    let mut no_set_id = records[2].clone();
    no_set_id.as_object_mut().unwrap().remove("set_id");
    let results = inputs.path().join("response.json");
    std::fs::write(&results, serde_json::json!({"meta": {}, "results": [records[1], no_set_id]}).to_string()).unwrap();
    // A single record, and the metformin record again.
    std::fs::write(inputs.path().join("ibuprofen.json"), records[2].to_string()).unwrap();
    std::fs::write(inputs.path().join("metformin-again.json"), records[0].to_string()).unwrap();

    let corpus = common::corpus_copy(&["metformin", "imiquimod"]);
    let (mut engine, _data) = common::engine_over(corpus.path());
    let report = import(&engine, &[inputs.path().to_path_buf()], "fda");
    assert_eq!((report.labels, report.drugs), (3, 3), "{report:#?}");
    assert_eq!(report.labels_unchanged, 1, "the repeated metformin label is stored once");
    let reasons: Vec<String> = report.skipped.iter().map(|s| s.to_string()).collect();
    assert!(
        reasons.iter().any(|r| r.contains("labels.jsonl.gz, line 2") && r.contains("not valid JSON")),
        "{reasons:?}"
    );
    assert!(reasons.iter().any(|r| r.contains("response.json, result 2") && r.contains("no set_id")), "{reasons:?}");

    engine.reload_libraries();
    let names: Vec<&str> = engine.libraries().iter().map(|l| l.name.as_str()).collect();
    assert_eq!(names, ["bundled", "fda"]);

    let metformin = engine.monograph("fda", "metformin").unwrap();
    assert_eq!(metformin.labels[0].set_id, records[0]["set_id"].as_str().unwrap());
    assert_eq!(metformin.labels[0].source_file, "labels.jsonl.gz");
    for heading in ["Usage", "Dosage", "Side Effects", "Pregnancy and Breastfeeding", "How It Works"] {
        assert!(metformin.sections.iter().any(|s| s.heading == heading), "metformin label lacks {heading}");
    }

    // Drug-aware over both libraries: the metformin label's dosage, and the bundled monograph.
    let results = engine.search("metformin dose for adults", 6).unwrap();
    let libraries: Vec<&str> = results.drugs.iter().map(|d| d.library.as_str()).collect();
    assert_eq!(libraries, ["bundled", "fda"]);
    assert!(results.hits.iter().all(|h| h.drug_slug == "metformin"));
    let label_dosage = results.hits.iter().find(|h| h.library == "fda").expect("a label passage");
    assert_eq!(label_dosage.section_kind, drugchatter_engine::SectionKind::Dosage, "{}", label_dosage.section);

    // Sertraline is only in the imported library.
    let results = engine.search("sertraline and alcohol", 5).unwrap();
    assert!(!results.no_matching_drug);
    assert_eq!(results.drugs[0].slug, "sertraline");
    assert!(results.hits.iter().all(|h| h.library == "fda" && h.drug_slug == "sertraline"));

    // Brand names become synonyms: the ibuprofen sodium label is Advil's.
    let ibuprofen = engine.drugs().into_iter().find(|d| d.slug == "ibuprofen" && d.library == "fda").unwrap();
    assert_eq!(ibuprofen.title, "Ibuprofen Sodium");
    assert_eq!(ibuprofen.synonyms, ["Advil"]);

    engine.remove_library("fda").unwrap();
    assert_eq!(engine.libraries().len(), 1);
    assert!(!engine.paths().data_dir.join("libraries/fda").exists());
}

#[test]
fn malformed_records_are_reported_and_skipped() {
    let inputs = tempfile::tempdir().unwrap();
    let mut record = openfda_records(&["entacapone"]).remove(0);
    record["made_up_section"] = serde_json::json!(["Text."]);
    // A response cut off in the middle of its second record.
    let response = serde_json::json!({"results": [record, record]}).to_string();
    std::fs::write(inputs.path().join("cut.json"), &response[..response.len() * 3 / 4]).unwrap();
    // A record whose sections are all empty, and one with only sections we do not use.
    let mut empty = record.clone();
    for (key, value) in empty.as_object_mut().unwrap().iter_mut() {
        if value.is_array() && key != "openfda" && key != "set_id" && key != "version" && key != "effective_time" {
            *value = serde_json::json!([" "]);
        }
    }
    empty["set_id"] = "11111111-2222-3333-4444-555555555555".into();
    let mut unknown = serde_json::json!({"set_id": "99999999-2222-3333-4444-555555555555", "version": "1",
        "openfda": record["openfda"].clone(), "clinical_studies": ["A study."]});
    unknown["effective_time"] = "20240101".into();
    std::fs::write(inputs.path().join("odd.jsonl"), format!("{empty}\n{unknown}\n")).unwrap();
    // SPL without a title or any product name.
    let xml = std::fs::read_to_string(common::shared().join("data/spl/FDA-openfda__no-title.xml")).unwrap();
    let nameless = regex_free_strip(&xml, "<name>", "</name>");
    std::fs::write(inputs.path().join("nameless.xml"), nameless).unwrap();
    std::fs::write(inputs.path().join("broken.xml"), "<document><title>x</tit").unwrap();
    std::fs::write(inputs.path().join("notes.txt"), "not a label").unwrap();

    let data = tempfile::tempdir().unwrap();
    let engine = empty_engine(data.path());
    let report = import(&engine, &[inputs.path().to_path_buf()], "odd");
    let reasons: Vec<String> = report.skipped.iter().map(|s| s.to_string()).collect();
    let has = |place: &str, why: &str| reasons.iter().any(|r| r.contains(place) && r.contains(why));
    assert!(has("cut.json", "cut short"), "{reasons:#?}");
    assert!(has("odd.jsonl, line 1", "no usable sections"), "{reasons:#?}");
    assert!(has("odd.jsonl, line 2", "no usable sections"), "{reasons:#?}");
    assert!(has("nameless.xml", "no title and names no product"), "{reasons:#?}");
    assert!(has("broken.xml", "XML"), "{reasons:#?}");
    assert!(has("notes.txt", "not a label file"), "{reasons:#?}");
    assert!(report.unmapped_sections.contains_key("made_up_section"), "{:?}", report.unmapped_sections);
    // The first record of the cut response was whole, so it is imported.
    assert_eq!(report.labels, 1);

    // A named file that does not exist is an error naming it.
    let missing = engine.import(&[inputs.path().join("nope.json")], &ImportOptions::default(), &Silent);
    assert!(missing.unwrap_err().to_string().contains("nope.json"));
}

/// Removes every `open`…`close` element from the text.
fn regex_free_strip(text: &str, open: &str, close: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(start) = rest.find(open) {
        out.push_str(&rest[..start]);
        let end = rest[start..].find(close).map_or(rest.len(), |e| start + e + close.len());
        rest = &rest[end..];
    }
    out.push_str(rest);
    out.replace("<title/>", "")
}
