//! Splits a markdown body into headings and text blocks (paragraphs and list items), each
//! with its byte span and line.

use crate::clean::{clean_heading, clean_inline};
use crate::Span;

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Item {
    Heading { level: u8, text: String, span: Span, line: usize },
    Text { text: String, span: Span, line: usize },
}

struct Line<'a> {
    text: &'a str,
    start: usize,
    end: usize,
    number: usize,
}

fn lines(source: &str, from: usize) -> impl Iterator<Item = Line<'_>> {
    let first_line = 1 + source[..from].matches('\n').count();
    let mut offset = from;
    let mut number = first_line;
    std::iter::from_fn(move || {
        if offset >= source.len() {
            return None;
        }
        let end = source[offset..].find('\n').map_or(source.len(), |i| offset + i);
        let text = source[offset..end].trim_end_matches('\r');
        let line = Line { text, start: offset, end: offset + text.len(), number };
        offset = end + 1;
        number += 1;
        Some(line)
    })
}

fn heading_level(line: &str) -> Option<(u8, &str)> {
    let trimmed = line.trim_start();
    if line.len() - trimmed.len() > 3 {
        return None;
    }
    let hashes = trimmed.bytes().take_while(|&b| b == b'#').count();
    if hashes == 0 || hashes > 6 {
        return None;
    }
    let rest = &trimmed[hashes..];
    if !rest.is_empty() && !rest.starts_with([' ', '\t']) {
        return None;
    }
    Some((hashes as u8, rest.trim().trim_end_matches('#').trim()))
}

/// The text after a list marker (`*   `, `- `, `+ `, `12. `), if the line is a list item.
fn list_item(line: &str) -> Option<&str> {
    let trimmed = line.trim_start();
    for marker in ["* ", "- ", "+ ", "*\t", "-\t"] {
        if let Some(rest) = trimmed.strip_prefix(marker) {
            return Some(rest);
        }
    }
    let digits = trimmed.bytes().take_while(u8::is_ascii_digit).count();
    if digits > 0 && digits < 4 {
        let rest = &trimmed[digits..];
        if let Some(rest) = rest.strip_prefix(". ").or_else(|| rest.strip_prefix(") ")) {
            return Some(rest);
        }
    }
    None
}

/// Splits `source[from..]` into items.
pub(crate) fn split(source: &str, from: usize) -> Vec<Item> {
    let mut items = Vec::new();
    let mut pending: Option<(String, Span, usize)> = None;
    let flush = |pending: &mut Option<(String, Span, usize)>, items: &mut Vec<Item>| {
        if let Some((raw, span, line)) = pending.take() {
            let text = clean_inline(&raw);
            if !text.is_empty() {
                items.push(Item::Text { text, span, line });
            }
        }
    };
    for line in lines(source, from) {
        if line.text.trim().is_empty() {
            flush(&mut pending, &mut items);
            continue;
        }
        if let Some((level, text)) = heading_level(line.text) {
            flush(&mut pending, &mut items);
            items.push(Item::Heading {
                level,
                text: clean_heading(text),
                span: Span::new(line.start, line.end),
                line: line.number,
            });
            continue;
        }
        if let Some(rest) = list_item(line.text) {
            flush(&mut pending, &mut items);
            pending = Some((rest.to_string(), Span::new(line.start, line.end), line.number));
            continue;
        }
        match &mut pending {
            Some((raw, span, _)) => {
                raw.push(' ');
                raw.push_str(line.text.trim());
                span.end = line.end;
            }
            None => pending = Some((line.text.trim().to_string(), Span::new(line.start, line.end), line.number)),
        }
    }
    flush(&mut pending, &mut items);
    items
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paragraphs_lists_and_headings() {
        let src = "## **Usage**\n\nFirst line\ncontinues.\n\n*   **A:** one\n*   two\n    more\n### Sub\n";
        let items = split(src, 0);
        assert_eq!(items.len(), 5, "{items:?}");
        assert!(matches!(&items[0], Item::Heading { level: 2, text, .. } if text == "Usage"));
        match &items[1] {
            Item::Text { text, span, line } => {
                assert_eq!(text, "First line continues.");
                assert_eq!(&src[span.start..span.end], "First line\ncontinues.");
                assert_eq!(*line, 3);
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(&items[2], Item::Text { text, .. } if text == "A: one"));
        assert!(matches!(&items[3], Item::Text { text, .. } if text == "two more"));
        assert!(matches!(&items[4], Item::Heading { level: 3, .. }));
    }

    #[test]
    fn hash_without_space_is_text() {
        let items = split("#hashtag text\n", 0);
        assert!(matches!(&items[0], Item::Text { .. }));
    }
}
