//! openFDA drug label JSON: a single record, a `{"results": […]}` response, or JSON Lines,
//! gzipped or not. Records are handed over one at a time as they are read, so a file of
//! any size is never held in memory whole.

use super::label::{Label, LabelSection, Part};
use super::{Found, Skipped};
use crate::error::{Error, Result};
use serde::de::{DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};
use std::cell::Cell;
use std::io::{BufRead, BufReader, Read};

/// The largest record read, a JSON Lines line or an element of `results`: the largest of
/// the 1,130 labels of the openFDA sample is 1 MB. Anything larger is not a label, and
/// reading it whole could take all memory.
pub const MAX_RECORD_BYTES: u64 = 16 * 1024 * 1024;

fn too_large() -> String {
    format!("larger than {} MB, more than any label", MAX_RECORD_BYTES >> 20)
}

/// openFDA fields we keep, in the order they fill each part. A field marked `fallback` is
/// used only when the part has nothing from the fields before it (`clinical_pharmacology`
/// repeats `mechanism_of_action` and adds pharmacokinetics; `use_in_specific_populations`
/// holds `pregnancy` and `nursing_mothers` as sub-sections).
const FIELDS: &[(&str, Part, bool)] = &[
    ("indications_and_usage", Part::Usage, false),
    ("purpose", Part::Usage, false),
    ("boxed_warning", Part::BoxedWarning, false),
    ("dosage_and_administration", Part::Dosage, false),
    ("dosage_forms_and_strengths", Part::Dosage, false),
    ("contraindications", Part::Contraindications, false),
    ("do_not_use", Part::Contraindications, false),
    ("warnings_and_cautions", Part::Precautions, false),
    ("warnings", Part::Precautions, false),
    ("precautions", Part::Precautions, false),
    ("general_precautions", Part::Precautions, false),
    ("ask_doctor", Part::Precautions, false),
    ("ask_doctor_or_pharmacist", Part::Precautions, false),
    ("when_using", Part::Precautions, false),
    ("stop_use", Part::Precautions, false),
    ("keep_out_of_reach_of_children", Part::Precautions, false),
    ("adverse_reactions", Part::SideEffects, false),
    ("drug_interactions", Part::DrugInteractions, false),
    ("use_in_specific_populations", Part::Pregnancy, false),
    ("pregnancy", Part::Pregnancy, true),
    ("nursing_mothers", Part::Pregnancy, true),
    ("lactation", Part::Pregnancy, true),
    ("pregnancy_or_breast_feeding", Part::Pregnancy, true),
    ("pediatric_use", Part::Pregnancy, true),
    ("geriatric_use", Part::Pregnancy, true),
    ("mechanism_of_action", Part::HowItWorks, false),
    ("clinical_pharmacology", Part::HowItWorks, true),
    ("overdosage", Part::Overdosage, false),
    ("how_supplied", Part::Storage, false),
    ("storage_and_handling", Part::Storage, false),
];

/// Label text fields we know and leave out on purpose (studies, chemistry, packaging).
fn is_known_unused(field: &str) -> bool {
    field.ends_with("_table")
        || matches!(
            field,
            "set_id"
                | "id"
                | "version"
                | "effective_time"
                | "openfda"
                | "spl_product_data_elements"
                | "package_label_principal_display_panel"
                | "description"
                | "clinical_studies"
                | "nonclinical_toxicology"
                | "carcinogenesis_and_mutagenesis_and_impairment_of_fertility"
                | "pharmacokinetics"
                | "pharmacodynamics"
                | "references"
                | "recent_major_changes"
                | "spl_unclassified_section"
                | "information_for_patients"
                | "spl_patient_package_insert"
                | "spl_medguide"
                | "patient_medication_information"
                | "instructions_for_use"
                | "active_ingredient"
                | "inactive_ingredient"
                | "questions"
                | "components"
                | "spl_indexing_data_elements"
        )
}

/// Reads openFDA JSON from `reader`. `lines` selects JSON Lines (one record per line);
/// otherwise the stream is one value: a record or a `{"results": […]}` response.
pub fn read(
    mut reader: impl BufRead,
    source: &str,
    lines: bool,
    found: &mut dyn FnMut(Found) -> Result<()>,
) -> Result<()> {
    let io_error = |e: std::io::Error| Error::Import { path: source.into(), reason: e.to_string() };
    if lines {
        let mut line = Vec::new();
        for n in 1.. {
            line.clear();
            let read = (&mut reader).take(MAX_RECORD_BYTES + 1).read_until(b'\n', &mut line).map_err(io_error)?;
            if read == 0 {
                break;
            }
            let place = format!("{source}, line {n}");
            if line.len() as u64 > MAX_RECORD_BYTES && line.last() != Some(&b'\n') {
                reader.skip_until(b'\n').map_err(io_error)?;
                found(Found::Skipped(Skipped { place, reason: format!("the line is {}; skipped", too_large()) }))?;
                continue;
            }
            if line.trim_ascii().is_empty() {
                continue;
            }
            match serde_json::from_slice::<Value>(&line) {
                Ok(value) => each_record(value, &place, source, found)?,
                Err(e) => found(Found::Skipped(Skipped { place, reason: format!("not valid JSON: {e}") }))?,
            }
        }
        return Ok(());
    }
    let budget = Cell::new(MAX_RECORD_BYTES);
    let mut de = serde_json::Deserializer::from_reader(BufReader::new(Budgeted { inner: reader, budget: &budget }));
    let mut count = 0;
    let mut failure = None;
    let outcome =
        TopLevel { source, count: &mut count, found, failure: &mut failure, budget: &budget }.deserialize(&mut de);
    if let Some(e) = failure {
        return Err(e);
    }
    if let Err(e) = outcome.and_then(|_| de.end()) {
        // Truncated, broken or oversized: what came before stays imported, the rest is reported.
        let reason = if budget.get() == 0 && e.is_io() {
            format!("record {} is {}; it and the records after it were not read", count + 1, too_large())
        } else {
            format!("the JSON is broken or cut short ({e}); records after this point were not read")
        };
        found(Found::Skipped(Skipped { place: format!("{source}, after record {count}"), reason }))?;
    }
    Ok(())
}

/// Fails a read once `budget` bytes are spent; the `results` visitor gives each record a
/// fresh budget, so one oversized record stops the file instead of filling memory. The
/// deserializer's buffer reads ahead by a few KB, which the limit does not need to count.
struct Budgeted<'a, R> {
    inner: R,
    budget: &'a Cell<u64>,
}

impl<R: Read> Read for Budgeted<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let left = self.budget.get();
        if left == 0 {
            return Err(std::io::Error::other(format!("a record is {}", too_large())));
        }
        let room = (buf.len() as u64).min(left) as usize;
        let n = self.inner.read(&mut buf[..room])?;
        self.budget.set(left - n as u64);
        Ok(n)
    }
}

fn each_record(value: Value, place: &str, source: &str, found: &mut dyn FnMut(Found) -> Result<()>) -> Result<()> {
    match value {
        Value::Object(mut map) if map.contains_key("results") => match map.remove("results") {
            Some(Value::Array(records)) => {
                for (i, record) in records.into_iter().enumerate() {
                    found(record_to_label(record, &format!("{place}, result {}", i + 1), source))?;
                }
                Ok(())
            }
            _ => found(Found::Skipped(Skipped { place: place.into(), reason: "`results` is not a list".into() })),
        },
        record => found(record_to_label(record, place, source)),
    }
}

/// The top-level value of a `.json` file, visited without building it: `results` entries
/// are converted as they are parsed; any other object is one record.
struct TopLevel<'a> {
    source: &'a str,
    count: &'a mut usize,
    found: &'a mut dyn FnMut(Found) -> Result<()>,
    /// An error from `found` (cancellation, disk), which must not be mistaken for bad JSON.
    failure: &'a mut Option<Error>,
    budget: &'a Cell<u64>,
}

impl<'de> DeserializeSeed<'de> for TopLevel<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> std::result::Result<(), D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for TopLevel<'_> {
    type Value = ();

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("an openFDA label record or a {\"results\": [...]} response")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> std::result::Result<(), A::Error> {
        let mut record = Map::new();
        let mut had_results = false;
        while let Some(key) = map.next_key::<String>()? {
            if key == "results" {
                had_results = true;
                map.next_value_seed(Results {
                    source: self.source,
                    count: &mut *self.count,
                    found: &mut *self.found,
                    failure: &mut *self.failure,
                    budget: self.budget,
                })?;
            } else {
                record.insert(key, map.next_value()?);
            }
        }
        if !had_results {
            *self.count += 1;
            if let Err(e) = (self.found)(record_to_label(Value::Object(record), self.source, self.source)) {
                *self.failure = Some(e);
                return Err(serde::de::Error::custom("stopped"));
            }
        }
        Ok(())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> std::result::Result<(), A::Error> {
        Results {
            source: self.source,
            count: self.count,
            found: self.found,
            failure: self.failure,
            budget: self.budget,
        }
        .visit_seq(seq)
    }
}

struct Results<'a> {
    source: &'a str,
    count: &'a mut usize,
    found: &'a mut dyn FnMut(Found) -> Result<()>,
    failure: &'a mut Option<Error>,
    budget: &'a Cell<u64>,
}

impl<'de> DeserializeSeed<'de> for Results<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> std::result::Result<(), D::Error> {
        deserializer.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for Results<'_> {
    type Value = ();

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a list of label records")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> std::result::Result<(), A::Error> {
        loop {
            self.budget.set(MAX_RECORD_BYTES);
            let Some(record) = seq.next_element::<Value>()? else { break };
            *self.count += 1;
            let place = format!("{}, result {}", self.source, *self.count);
            if let Err(e) = (self.found)(record_to_label(record, &place, self.source)) {
                *self.failure = Some(e);
                return Err(serde::de::Error::custom("stopped"));
            }
        }
        Ok(())
    }
}

fn strings(value: Option<&Value>) -> Vec<String> {
    match value {
        Some(Value::Array(items)) => items.iter().filter_map(|v| v.as_str().map(str::to_string)).collect(),
        Some(Value::String(s)) => vec![s.clone()],
        _ => Vec::new(),
    }
}

fn first(value: Option<&Value>) -> String {
    strings(value).into_iter().map(|s| s.trim().to_string()).find(|s| !s.is_empty()).unwrap_or_default()
}

/// Converts one record, or says why it cannot be used.
pub fn record_to_label(record: Value, place: &str, source: &str) -> Found {
    let skip = |reason: String| Found::Skipped(Skipped { place: place.to_string(), reason });
    let Value::Object(map) = record else {
        return skip("a label record must be a JSON object".into());
    };
    let set_id = first(map.get("set_id"));
    if !super::is_set_id(&set_id) {
        return skip(if set_id.is_empty() { "no set_id".into() } else { format!("malformed set_id {set_id:?}") });
    }
    let openfda = map.get("openfda").and_then(Value::as_object);
    let field = |name: &str| openfda.and_then(|o| o.get(name));
    let generic_name = first(field("generic_name"));
    let brand_names = strings(field("brand_name"));
    if generic_name.is_empty() {
        return skip(format!("label {set_id} names no generic drug (openfda.generic_name is missing)"));
    }
    let version = match super::parse_version(&first(map.get("version"))) {
        Ok(version) => version,
        Err(reason) => return skip(format!("label {set_id}: {reason}")),
    };
    let effective_date = super::iso_date(&first(map.get("effective_time")));

    let mut sections: Vec<LabelSection> = Vec::new();
    let mut unmapped = Vec::new();
    for (name, part, fallback) in FIELDS {
        if *fallback && sections.iter().any(|s| s.part == *part) {
            continue;
        }
        let texts = strings(map.get(*name));
        if texts.iter().all(|t| t.trim().is_empty()) {
            continue;
        }
        let mut section =
            LabelSection { part: *part, heading: field_title(name), paragraphs: Vec::new(), children: Vec::new() };
        for text in texts {
            let (own_heading, intro, children) = super::label_text::split_numbered(&text);
            if let Some(h) = own_heading {
                section.heading = h;
            }
            section.paragraphs.extend(intro);
            section.children.extend(children.into_iter().map(|(heading, paragraphs)| LabelSection {
                part: *part,
                heading,
                paragraphs,
                children: Vec::new(),
            }));
        }
        if !section.is_empty() {
            sections.push(section);
        }
    }
    for key in map.keys() {
        if !FIELDS.iter().any(|(name, _, _)| name == key) && !is_known_unused(key) {
            unmapped.push(key.clone());
        }
    }
    if sections.is_empty() {
        return skip(format!("label {set_id} ({generic_name}) has no usable sections"));
    }
    let title = brand_names.first().cloned().unwrap_or_else(|| generic_name.clone());
    Found::Label(
        Box::new(Label {
            set_id,
            version,
            effective_date,
            title,
            generic_name,
            brand_names,
            manufacturer: first(field("manufacturer_name")),
            source_file: source.to_string(),
            sections,
        }),
        unmapped,
    )
}

/// `dosage_and_administration` → `Dosage and Administration`
fn field_title(field: &str) -> String {
    let small = ["and", "or", "of", "for", "to", "in"];
    field
        .split('_')
        .enumerate()
        .map(|(i, w)| {
            if i > 0 && small.contains(&w) {
                w.to_string()
            } else {
                let mut c = w.chars();
                c.next().map(|f| f.to_uppercase().chain(c).collect()).unwrap_or_default()
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}
