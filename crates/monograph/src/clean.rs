//! Markdown-to-plain-text cleaning for the inline text of headings, paragraphs and FAQs.

/// Strips inline markdown (bold, italics, code, links) and folds white space, giving the
/// text a reader or the embedder should see.
pub fn clean_inline(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            // Emphasis markers. A lone `*` between spaces is kept as text ("2 * 3").
            '*' | '_' => {
                let doubled = chars.peek() == Some(&c);
                if doubled {
                    chars.next();
                    continue;
                }
                let prev_space = out.chars().last().is_none_or(char::is_whitespace);
                let next_space = chars.peek().is_none_or(|n| n.is_whitespace());
                let intraword = c == '_' && !prev_space && !next_space;
                if (prev_space && next_space) || intraword {
                    out.push(c);
                }
            }
            '`' => {}
            '[' => {
                // [text](target) → text
                let rest: String = chars.clone().collect();
                if let Some(close) = rest.find("](") {
                    if let Some(end) = rest[close..].find(')') {
                        out.push_str(&rest[..close]);
                        for _ in 0..rest[..close + end + 1].chars().count() {
                            chars.next();
                        }
                        continue;
                    }
                }
                out.push(c);
            }
            _ => out.push(c),
        }
    }
    fold_whitespace(&out)
}

/// Collapses every run of white space to one space and trims the ends.
pub fn fold_whitespace(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A heading's text without markdown, numbering of FAQ entries kept, trailing colon dropped:
/// `## **Usage**` → `Usage`, `#### **Adults:**` → `Adults`.
pub fn clean_heading(text: &str) -> String {
    let cleaned = clean_inline(text);
    cleaned.trim_end_matches(':').trim().to_string()
}

/// A lower-case, hyphen-separated identifier: `Insulin Glargine` → `insulin-glargine`.
pub fn slugify(text: &str) -> String {
    let mut slug = String::with_capacity(text.len());
    for c in text.chars().flat_map(char::to_lowercase) {
        if c.is_alphanumeric() {
            slug.push(c);
        } else if !slug.ends_with('-') && !slug.is_empty() {
            slug.push('-');
        }
    }
    slug.trim_end_matches('-').to_string()
}

/// Removes the seed's FAQ answer prefixes: `A:**`, `**A:**`, `A:`.
pub fn strip_answer_prefix(text: &str) -> &str {
    let mut rest = text.trim_start();
    for prefix in ["**A:**", "A:**", "**A**:", "A:"] {
        if let Some(stripped) = rest.strip_prefix(prefix) {
            rest = stripped.trim_start();
            break;
        }
    }
    rest
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strips_bold_and_folds_space() {
        assert_eq!(clean_inline("**Absorption:**  Minimally   absorbed"), "Absorption: Minimally absorbed");
    }

    #[test]
    fn keeps_lone_asterisk_and_snake_case() {
        assert_eq!(clean_inline("2 * 3 and some_name"), "2 * 3 and some_name");
    }

    #[test]
    fn italics_and_links() {
        assert_eq!(clean_inline("*see* [the label](http://x/y) now"), "see the label now");
    }

    #[test]
    fn headings() {
        assert_eq!(clean_heading("**Adults:**"), "Adults");
        assert_eq!(clean_heading("**FAQs (Frequently Asked Questions)**"), "FAQs (Frequently Asked Questions)");
    }

    #[test]
    fn slugs() {
        assert_eq!(slugify("Insulin Glargine"), "insulin-glargine");
        assert_eq!(slugify("COVID-19 mRNA Vaccine"), "covid-19-mrna-vaccine");
        assert_eq!(slugify("  Amoxicillin and Clavulanate "), "amoxicillin-and-clavulanate");
        assert_eq!(slugify("Rare but Serious Side Effects:"), "rare-but-serious-side-effects");
    }

    #[test]
    fn answer_prefixes() {
        assert_eq!(strip_answer_prefix("A:**  Imiquimod is"), "Imiquimod is");
        assert_eq!(strip_answer_prefix("**A:** Yes"), "Yes");
        assert_eq!(strip_answer_prefix("Plain answer"), "Plain answer");
    }
}
