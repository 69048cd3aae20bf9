//! DailyMed Structured Product Labeling (SPL) XML: an HL7 document whose sections carry
//! LOINC codes, titles, paragraphs, lists, tables and nested sub-sections.

use super::label::{Label, LabelSection, Part};
use super::{Found, Skipped};
use quick_xml::escape::resolve_predefined_entity;
use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;

/// The part a section's LOINC code maps to; `Some(None)` for sections left out on purpose.
fn part_of_code(code: &str) -> Option<Option<Part>> {
    Some(Some(match code {
        "34067-9" | "55105-1" => Part::Usage,
        "34066-1" => Part::BoxedWarning,
        "34068-7" | "43678-2" => Part::Dosage,
        "34070-3" | "50570-1" => Part::Contraindications,
        "43685-7" | "34071-1" | "42232-9" | "34072-9" | "50569-3" | "50568-5" | "50567-7" | "50566-9" | "50565-1" => {
            Part::Precautions
        }
        "34084-4" => Part::SideEffects,
        "34073-7" => Part::DrugInteractions,
        "43684-0" | "42228-7" | "34080-2" | "77290-5" | "34081-0" | "34082-8" | "53414-9" | "34077-8" | "34079-4" => {
            Part::Pregnancy
        }
        "43679-0" | "34090-1" => Part::HowItWorks,
        "34088-5" => Part::Overdosage,
        "34069-5" | "44425-7" | "60561-8" => Part::Storage,
        "48780-1" | "51945-4" | "34089-3" | "34092-7" | "43680-8" | "34093-5" | "43683-2" | "42230-3" | "42231-1"
        | "43682-4" | "43681-6" | "34083-6" | "55106-9" | "51727-6" | "53413-1" | "34076-0" | "38056-8" => {
            return Some(None)
        }
        _ => return None,
    }))
}

#[derive(Default)]
struct Open {
    code: String,
    display: String,
    title: String,
    paragraphs: Vec<String>,
    children: Vec<(Option<Part>, LabelSection)>,
}

impl Open {
    /// The part by code, else by title or the code's display name; None to leave it out.
    fn part(&self) -> Option<Part> {
        match part_of_code(&self.code) {
            Some(known) => known,
            None => Part::from_heading(&self.title).or_else(|| Part::from_heading(&self.display)),
        }
    }
}

fn attribute(e: &BytesStart, name: &str) -> String {
    e.try_get_attribute(name)
        .ok()
        .flatten()
        .and_then(|a| a.normalized_value(quick_xml::XmlVersion::Implicit1_0).ok().map(|v| v.trim().to_string()))
        .unwrap_or_default()
}

/// Sections nested deeper than this are flattened into their ancestor at this depth: their
/// titles and text become its paragraphs, in document order. Real labels nest four or five
/// deep; without a limit a few-KB file of 20,000 nested sections overflows the stack in every
/// recursive walk of the label (emptiness, drop, serialisation), and a label 64 deep is
/// stored but exceeds serde_json's depth limit when read back.
pub const MAX_SECTION_DEPTH: usize = 8;

/// Parses one SPL document.
pub fn parse(xml: &str, source: &str) -> Found {
    let skip = |reason: String| Found::Skipped(Skipped { place: source.to_string(), reason });
    let mut reader = Reader::from_str(xml);
    let mut path: Vec<String> = Vec::new();
    let (mut set_id, mut version, mut effective, mut title) =
        (String::new(), String::new(), String::new(), String::new());
    let (mut brand, mut generic, mut manufacturer) = (String::new(), String::new(), String::new());
    let mut open: Vec<Open> = Vec::new();
    let mut top: Vec<(Option<Part>, LabelSection)> = Vec::new();
    let mut text = String::new();
    let mut unmapped: Vec<String> = Vec::new();
    // Sections open below `MAX_SECTION_DEPTH`; always the innermost ones on `path`.
    let mut flattened = 0usize;
    // How many `text` or `title` elements are open: counted, as a scan of `path` at every
    // text event would be quadratic in a deeply nested file.
    let mut within_text = 0usize;

    loop {
        let event = match reader.read_event() {
            Ok(event) => event,
            Err(e) => return skip(format!("not well-formed XML at byte {}: {e}", reader.error_position())),
        };
        match event {
            Event::Start(ref e) | Event::Empty(ref e) => {
                let name = e.local_name().as_ref().to_string();
                let parent = path.last().map(String::as_str).unwrap_or("");
                let at_document = path.len() == 1;
                match name.as_str() {
                    "setId" if at_document => set_id = attribute(e, "root"),
                    "versionNumber" if at_document => version = attribute(e, "value"),
                    "effectiveTime" if at_document => effective = attribute(e, "value"),
                    "section" if open.len() >= MAX_SECTION_DEPTH => {
                        flush(&mut text, &mut open);
                        flattened += 1;
                    }
                    "section" => open.push(Open::default()),
                    "code" if parent == "section" && flattened == 0 => {
                        if let Some(section) = open.last_mut() {
                            section.code = attribute(e, "code");
                            section.display = attribute(e, "displayName");
                        }
                    }
                    "paragraph" | "item" | "tr" | "caption" => flush(&mut text, &mut open),
                    "td" | "th" | "br" => text.push(' '),
                    _ => {}
                }
                if matches!(event, Event::Start(_)) {
                    if matches!(name.as_str(), "text" | "title") {
                        within_text += 1;
                    }
                    path.push(name);
                }
            }
            Event::End(ref e) => {
                let name = e.local_name().as_ref().to_string();
                match name.as_str() {
                    "paragraph" | "item" | "tr" | "caption" | "text" => flush(&mut text, &mut open),
                    "title" => {
                        let collected = std::mem::take(&mut text).split_whitespace().collect::<Vec<_>>().join(" ");
                        match path.len() {
                            2 => title = collected,
                            _ if flattened > 0 && path.iter().rev().nth(1).is_some_and(|p| p == "section") => {
                                text = collected;
                                flush(&mut text, &mut open);
                            }
                            _ if path.iter().rev().nth(1).is_some_and(|p| p == "section") => {
                                if let Some(section) = open.last_mut() {
                                    section.title = collected;
                                }
                            }
                            _ => {}
                        }
                    }
                    "name" => {
                        let collected = std::mem::take(&mut text).trim().to_string();
                        let parent = path.iter().rev().nth(1).map(String::as_str).unwrap_or("");
                        if parent == "manufacturedProduct" && brand.is_empty() {
                            brand = collected;
                        } else if parent == "genericMedicine" && generic.is_empty() {
                            generic = collected;
                        } else if parent == "representedOrganization" && manufacturer.is_empty() {
                            manufacturer = collected;
                        }
                    }
                    "section" if flattened > 0 => {
                        flush(&mut text, &mut open);
                        flattened -= 1;
                    }
                    "section" => {
                        flush(&mut text, &mut open);
                        if let Some(done) = open.pop() {
                            let part = done.part();
                            let coded = part_of_code(&done.code).flatten().is_some();
                            if part.is_none() && open.is_empty() && !done.code.is_empty() {
                                let label = if done.display.is_empty() { &done.code } else { &done.display };
                                unmapped.push(label.clone());
                            }
                            let section = LabelSection {
                                part: part.unwrap_or(Part::Usage),
                                heading: done.title,
                                paragraphs: done.paragraphs,
                                children: done.children.into_iter().map(|(_, c)| c).collect(),
                            };
                            match open.last_mut() {
                                // Old labels nest Pregnancy or Drug Interactions under
                                // Precautions: such a section moves to its own part.
                                Some(parent) if coded && part != parent.part() && parent.part().is_some() => {
                                    top.push((part, section))
                                }
                                Some(parent) => parent.children.push((part, section)),
                                None => top.push((part, section)),
                            }
                        }
                    }
                    _ => {}
                }
                if path.pop().is_some_and(|p| p == "text" || p == "title") {
                    within_text -= 1;
                }
            }
            Event::Text(e) if collecting(&path, within_text) => text.push_str(&e.html_content()),
            Event::CData(e) if collecting(&path, within_text) => text.push_str(&e.into_inner()),
            Event::GeneralRef(e) if collecting(&path, within_text) => match e.resolve_char_ref() {
                Ok(Some(c)) => text.push(c),
                _ => text.push_str(resolve_predefined_entity(&e.html_content()).unwrap_or(" ")),
            },
            Event::Eof => break,
            _ => {}
        }
    }

    if !super::is_set_id(&set_id) {
        return skip(if set_id.is_empty() { "no setId".into() } else { format!("malformed setId {set_id:?}") });
    }
    let version = match super::parse_version(&version) {
        Ok(version) => version,
        Err(reason) => return skip(format!("label {set_id}: {reason}")),
    };
    let name = if generic.is_empty() { brand.clone() } else { generic.clone() };
    if name.is_empty() && title.is_empty() {
        return skip(format!("label {set_id} has no title and names no product"));
    }
    let generic_name = if name.is_empty() { title.clone() } else { name };
    let sections: Vec<LabelSection> =
        top.into_iter().filter_map(|(part, s)| part.map(|p| LabelSection { part: p, ..s })).collect();
    let sections: Vec<LabelSection> = sections.into_iter().filter(|s| !s.is_empty()).collect();
    if sections.is_empty() {
        return skip(format!("label {set_id} ({generic_name}) has no usable sections"));
    }
    // Highlights-style titles run to a paragraph; the product name is the better title then.
    let label_title = if !title.is_empty() && title.len() <= 80 {
        title
    } else if !brand.is_empty() {
        brand.clone()
    } else {
        generic_name.clone()
    };
    Found::Label(
        Box::new(Label {
            set_id,
            version,
            effective_date: super::iso_date(&effective),
            title: label_title,
            generic_name,
            brand_names: if brand.is_empty() { Vec::new() } else { vec![brand] },
            manufacturer,
            source_file: source.to_string(),
            sections,
        }),
        unmapped,
    )
}

/// Text is kept inside titles, names and section text, not in codes or product data.
fn collecting(path: &[String], within_text: usize) -> bool {
    within_text > 0 || path.last().is_some_and(|p| p == "name")
}

fn flush(text: &mut String, open: &mut [Open]) {
    let paragraph = text.split_whitespace().collect::<Vec<_>>().join(" ");
    text.clear();
    if paragraph.is_empty() {
        return;
    }
    if let Some(section) = open.last_mut() {
        section.paragraphs.extend(super::label_text::paragraphs(&paragraph));
    }
}

/// An SPL document whose Dosage section holds `depth` sections nested one in another, each
/// with a title and a paragraph naming its level.
#[cfg(test)]
pub(crate) fn nested_document(depth: usize) -> String {
    let mut xml = String::from(
        r#"<document><setId root="0027b8a3-73bf-4005-a7e3-b035f451a861"/><versionNumber value="2"/><title>Deep</title>
<component><structuredBody><component><section><code code="48780-1"/><subject><manufacturedProduct><manufacturedProduct>
<name>Deepa</name><asEntityWithGeneric><genericMedicine><name>deepamide</name></genericMedicine></asEntityWithGeneric>
</manufacturedProduct></manufacturedProduct></subject></section></component><component><section><code code="34068-7"/>
<title>2 DOSAGE AND ADMINISTRATION</title><text><paragraph>Level 0.</paragraph></text>"#,
    );
    for level in 1..depth {
        xml.push_str(&format!(
            "\n<section><title>Heading {level}</title><text><paragraph>Level {level}.</paragraph></text>"
        ));
    }
    xml.push_str(&"</section>".repeat(depth));
    xml.push_str("</component></structuredBody></component></document>");
    xml
}

#[cfg(test)]
mod tests {
    use super::*;

    fn depth(sections: &[LabelSection]) -> usize {
        sections.iter().map(|s| 1 + depth(&s.children)).max().unwrap_or(0)
    }

    fn texts(sections: &[LabelSection], out: &mut Vec<String>) {
        for s in sections {
            out.push(s.heading.clone());
            out.extend(s.paragraphs.iter().cloned());
            texts(&s.children, out);
        }
    }

    fn label_of(xml: &str) -> Label {
        match parse(xml, "deep.xml") {
            Found::Label(label, _) => *label,
            Found::Skipped(s) => panic!("skipped: {s}"),
        }
    }

    #[test]
    fn twenty_thousand_nested_sections_are_flattened_keeping_their_text() {
        // A few KB of zipped XML; unflattened, dropping or checking the label overflowed
        // the stack and aborted the process.
        let label = label_of(&nested_document(20_000));
        assert_eq!(depth(&label.sections), MAX_SECTION_DEPTH);
        let mut all = Vec::new();
        texts(&label.sections, &mut all);
        for level in [0, MAX_SECTION_DEPTH - 1, MAX_SECTION_DEPTH, 12_345, 19_999] {
            assert!(all.iter().any(|t| t == &format!("Level {level}.")), "level {level} lost");
        }
        assert!(all.iter().any(|t| t == "Heading 19999"), "a flattened title is kept as text");
        let json = serde_json::to_vec(&label).unwrap();
        assert_eq!(serde_json::from_slice::<Label>(&json).unwrap(), label);
    }

    #[test]
    fn text_after_a_flattened_section_stays_in_order() {
        let mut xml = nested_document(MAX_SECTION_DEPTH + 2);
        // After the innermost section closes, inside its parent (itself flattened).
        xml = xml.replacen("</section></section>", "</section><text><paragraph>After.</paragraph></text></section>", 1);
        let label = label_of(&xml);
        let mut all = Vec::new();
        texts(&label.sections, &mut all);
        let at = |t: &str| all.iter().position(|x| x == t).unwrap_or_else(|| panic!("{t} missing: {all:?}"));
        let last = MAX_SECTION_DEPTH + 1;
        assert!(at(&format!("Level {last}.")) < at("After."), "{all:?}");
        assert_eq!(depth(&label.sections), MAX_SECTION_DEPTH);
    }
}
