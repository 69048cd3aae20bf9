//! Small text utilities shared by chunking, lexical search and drug resolution.

/// Splits text into sentences at `.`, `!` or `?` followed by white space and an upper-case
/// letter, digit or quote. Abbreviations such as "e.g." and decimals such as "2.5 mg" stay whole.
pub fn sentences(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let bytes = text.as_bytes();
    let mut start = 0;
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        if matches!(c, b'.' | b'!' | b'?' | b'\n') {
            let mut j = i + 1;
            while j < bytes.len() && matches!(bytes[j], b')' | b'"' | b'\'' | b']') {
                j += 1;
            }
            let followed_by_space = j < bytes.len() && bytes[j].is_ascii_whitespace();
            let next = text[j..].trim_start().chars().next();
            let starts_new = next.is_some_and(|n| n.is_uppercase() || n.is_ascii_digit() || n == '"' || n == '[');
            let abbreviation = c == b'.' && is_abbreviation(&text[start..i]);
            if c == b'\n' || (followed_by_space && starts_new && !abbreviation) {
                let s = text[start..j].trim();
                if !s.is_empty() {
                    out.push(s);
                }
                start = j;
            }
            i = j;
        } else {
            i += 1;
        }
    }
    let rest = text[start..].trim();
    if !rest.is_empty() {
        out.push(rest);
    }
    out
}

fn is_abbreviation(before: &str) -> bool {
    let word = before.rsplit(|c: char| c.is_whitespace() || c == '(').next().unwrap_or("");
    matches!(word.to_ascii_lowercase().as_str(), "e.g" | "i.e" | "etc" | "vs" | "dr" | "approx" | "no" | "fig" | "st")
        || (word.len() == 1 && word.chars().all(|c| c.is_ascii_uppercase()))
}

/// Lower-case word tokens: letters and digits, with inner hyphens and dots kept
/// (`covid-19`, `2.5`).
pub fn words(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for raw in text.split(|c: char| !(c.is_alphanumeric() || c == '-' || c == '.' || c == '\'')) {
        let w = raw.trim_matches(|c: char| !c.is_alphanumeric());
        if !w.is_empty() {
            out.push(w.to_lowercase().replace('\'', ""));
        }
    }
    out
}

/// Folds runs of spaces to one and trims.
pub fn collapse_spaces(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// `text` without its bracketed asides: "NSAIDs (ibuprofen, naproxen) and lithium" →
/// "NSAIDs  and lithium". Nested brackets count; an unmatched ")" is dropped.
pub fn without_asides(text: &str) -> String {
    let mut plain = String::with_capacity(text.len());
    let mut depth = 0usize;
    for c in text.chars() {
        match c {
            '(' => depth += 1,
            ')' => depth = depth.saturating_sub(1),
            _ if depth == 0 => plain.push(c),
            _ => {}
        }
    }
    plain
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sentence_split() {
        let s = sentences("Take 2.5 mg daily. Do not exceed 10 mg, e.g. in elderly patients. Stop?\nNext line");
        assert_eq!(s, ["Take 2.5 mg daily.", "Do not exceed 10 mg, e.g. in elderly patients.", "Stop?", "Next line"]);
    }

    #[test]
    fn word_split() {
        assert_eq!(
            words("Ibuprofen's dose: 2.5 mg/kg (COVID-19)."),
            ["ibuprofens", "dose", "2.5", "mg", "kg", "covid-19"]
        );
    }
}
