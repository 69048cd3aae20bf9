//! Label text arrives as long runs (openFDA flattens each section to one string). These
//! functions recover what structure it has: the section's own numbered heading, its
//! numbered sub-sections (`2.1 Adults …`), bullets, and paragraphs of readable length.

/// Paragraphs grow to about this many words; a chunk then holds one to three of them.
const PARAGRAPH_WORDS: usize = 90;

fn is_caps_word(word: &str) -> bool {
    let letters = word.chars().filter(|c| c.is_alphabetic()).count();
    letters > 0 && !word.chars().any(char::is_lowercase)
}

const CONNECTORS: &[&str] = &["and", "or", "of", "for", "in", "with", "the", "to", "on", "a", "&", "-", "/"];

/// Splits a section's text into its own heading (`2 DOSAGE AND ADMINISTRATION`), the
/// paragraphs before its first numbered sub-section, and the sub-sections.
#[allow(clippy::type_complexity)]
pub fn split_numbered(text: &str) -> (Option<String>, Vec<String>, Vec<(String, Vec<String>)>) {
    let words: Vec<&str> = text.split_whitespace().collect();
    // Own heading: an optional section number, then words in capitals.
    let mut at = 0;
    let number = words.first().filter(|w| w.chars().all(|c| c.is_ascii_digit()) && w.len() <= 2).copied();
    if number.is_some() {
        at = 1;
    }
    let caps_start = at;
    while at < words.len() && is_caps_word(words[at]) && at - caps_start < 12 {
        at += 1;
    }
    // A lone capital word ("A", "I") or a number without a heading is not a heading.
    let heading = if at > caps_start && words[caps_start..at].iter().any(|w| w.len() >= 3) {
        Some(words[..at].join(" ").trim_end_matches(':').to_string())
    } else {
        at = 0;
        None
    };

    let mut starts: Vec<usize> = Vec::new();
    if let Some(number) = number.filter(|_| heading.is_some()) {
        let prefix = format!("{number}.");
        for i in at..words.len() {
            let w = words[i];
            let is_number = w
                .strip_prefix(&prefix)
                .is_some_and(|rest| !rest.is_empty() && rest.len() <= 2 && rest.chars().all(|c| c.is_ascii_digit()));
            let cited = i > 0 && words[i - 1].ends_with('(') || words.get(i + 1).is_some_and(|n| n.starts_with(')'));
            let titled = words.get(i + 1).is_some_and(|n| n.chars().next().is_some_and(char::is_uppercase));
            if is_number && !cited && titled {
                starts.push(i);
            }
        }
    }
    let intro_end = starts.first().copied().unwrap_or(words.len());
    let intro = paragraphs(&words[at..intro_end].join(" "));
    let mut children = Vec::new();
    for (n, &start) in starts.iter().enumerate() {
        let end = starts.get(n + 1).copied().unwrap_or(words.len());
        let mut title_end = start + 1;
        while title_end < end
            && title_end - start <= 8
            && (words[title_end].chars().next().is_some_and(char::is_uppercase)
                || CONNECTORS.contains(&words[title_end]))
        {
            title_end += 1;
        }
        // "Risk Summary Limited data …": the last capitalised word starts the sentence.
        if title_end < end && title_end - start > 2 && words[title_end].chars().next().is_some_and(char::is_lowercase) {
            title_end -= 1;
        }
        children.push((words[start..title_end].join(" "), paragraphs(&words[title_end..end].join(" "))));
    }
    (heading, intro, children)
}

/// Splits text at bullets and groups sentences into paragraphs of about
/// [`PARAGRAPH_WORDS`] words.
pub fn paragraphs(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for piece in text.split('•') {
        let piece = piece.trim();
        if piece.is_empty() {
            continue;
        }
        let mut current = String::new();
        let mut count = 0;
        for sentence in crate::text::sentences(piece) {
            let n = sentence.split_whitespace().count();
            if count > 0 && count + n > PARAGRAPH_WORDS {
                out.push(std::mem::take(&mut current));
                count = 0;
            }
            if !current.is_empty() {
                current.push(' ');
            }
            current.push_str(sentence.trim());
            count += n;
        }
        if !current.is_empty() {
            out.push(current);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbered_sub_sections_but_not_cross_references() {
        let text = "8 USE IN SPECIFIC POPULATIONS Lactation: see below ( 8.2 ) 8.1 Pregnancy Risk Summary \
                    Limited data are not sufficient. 8.2 Lactation Metformin is present in human milk.";
        let (heading, intro, children) = split_numbered(text);
        assert_eq!(heading.as_deref(), Some("8 USE IN SPECIFIC POPULATIONS"));
        assert_eq!(intro, vec!["Lactation: see below ( 8.2 )"]);
        assert_eq!(children.len(), 2);
        assert_eq!(children[0].0, "8.1 Pregnancy Risk Summary");
        assert_eq!(children[0].1, vec!["Limited data are not sufficient."]);
        assert_eq!(children[1].0, "8.2 Lactation");
    }

    #[test]
    fn plain_text_has_no_heading() {
        let (heading, intro, children) = split_numbered("Uses temporarily relieves pain. • headache");
        assert!(heading.is_none() && children.is_empty());
        assert_eq!(intro, vec!["Uses temporarily relieves pain.", "headache"]);
    }
}
