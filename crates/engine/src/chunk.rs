//! Section-aware chunking. A chunk never spans two sections; each carries its drug, its
//! section path, a stable id and the byte span of its passage in the source file.

use drugchatter_monograph::{slugify, Block, Monograph, Section, SectionKind, Span};
use serde::{Deserialize, Serialize};

/// Chunks grow to about this many words before a new one starts.
pub const MAX_WORDS: usize = 180;
/// A trailing piece shorter than this joins the previous chunk when it fits.
pub const MIN_WORDS: usize = 60;
/// How far past MAX_WORDS a merge of a short tail may go.
const MERGE_SLACK: usize = 40;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Chunk {
    /// `<drug slug>:<section slugs joined by />:<n>`, derived from the document's structure
    /// alone, so the same file always gives the same ids.
    pub id: String,
    /// Index of the drug in the library's drug list.
    pub drug: u32,
    /// Headings from the top-level section down: `["Dosage", "Standard Dosage", "Adults"]`.
    pub section_path: Vec<String>,
    pub section_kind: SectionKind,
    pub span: Span,
    pub text: String,
}

impl Chunk {
    /// `Dosage › Standard Dosage › Adults`
    pub fn section_label(&self) -> String {
        self.section_path.join(" › ")
    }
}

/// Drops chunks whose text repeats an earlier chunk's. Labels of one drug (brands,
/// generics, strengths) share most of their text; indexing it once keeps one drug's
/// repeats from crowding the results and saves embedding work.
pub fn drop_repeats(chunks: Vec<Chunk>) -> Vec<Chunk> {
    let mut seen = std::collections::HashSet::new();
    chunks.into_iter().filter(|c| seen.insert(crate::text::words(&c.text).join(" "))).collect()
}

/// Splits a monograph into chunks.
pub fn chunk_monograph(doc_slug: &str, drug_index: u32, monograph: &Monograph) -> Vec<Chunk> {
    let mut chunks = Vec::new();
    for root in &monograph.sections {
        root.walk(&mut Vec::new(), &mut |path: &[&Section]| {
            let section = path[path.len() - 1];
            let section_path: Vec<String> = path.iter().map(|s| s.heading.clone()).collect();
            let id_path = id_path(path);
            let is_faq_entry = section.kind == SectionKind::Faqs && path.len() > 1;
            let pieces =
                if is_faq_entry { faq_piece(section).into_iter().collect() } else { group_blocks(&section.blocks) };
            for (n, (text, span)) in pieces.into_iter().enumerate() {
                chunks.push(Chunk {
                    id: format!("{doc_slug}:{id_path}:{n}"),
                    drug: drug_index,
                    section_path: section_path.clone(),
                    section_kind: section.kind,
                    span,
                    text,
                });
            }
        });
    }
    chunks
}

/// Top-level sections of a known kind use the kind's name (so `## **FAQs (Frequently Asked
/// Questions)**` is `faqs`); FAQ entries use their position (`q3`); others their heading.
fn id_path(path: &[&Section]) -> String {
    let root = path[0];
    let mut parts = vec![match root.kind {
        SectionKind::Other => root.slug(),
        kind => slugify(kind.title()),
    }];
    for (depth, section) in path.iter().enumerate().skip(1) {
        if root.kind == SectionKind::Faqs {
            let position = path[depth - 1].children.iter().position(|c| std::ptr::eq(c, *section)).unwrap_or(0);
            parts.push(format!("q{}", position + 1));
        } else {
            parts.push(section.slug());
        }
    }
    parts.join("/")
}

/// One FAQ entry is one chunk: the question and its answer together.
fn faq_piece(section: &Section) -> Option<(String, Span)> {
    let answer = section.own_text();
    if answer.is_empty() {
        return None;
    }
    Some((format!("Q: {}\nA: {}", section.heading, answer), section.span))
}

fn word_count(text: &str) -> usize {
    text.split_whitespace().count()
}

/// Greedily packs consecutive blocks into pieces of at most MAX_WORDS; a block longer than
/// that is cut at sentence ends.
fn group_blocks(blocks: &[Block]) -> Vec<(String, Span)> {
    let mut units: Vec<(String, Span)> = Vec::new();
    for block in blocks {
        if word_count(&block.text) <= MAX_WORDS {
            units.push((block.text.clone(), block.span));
        } else {
            // Sentence pieces of a long block all point at the whole block: cleaned text no
            // longer maps byte-for-byte onto the markdown.
            units.extend(split_long(&block.text).into_iter().map(|t| (t, block.span)));
        }
    }
    let mut pieces: Vec<(String, Span, usize)> = Vec::new();
    for (text, span) in units {
        let words = word_count(&text);
        match pieces.last_mut() {
            Some((acc, acc_span, acc_words)) if *acc_words + words <= MAX_WORDS => {
                acc.push('\n');
                acc.push_str(&text);
                *acc_span = acc_span.cover(span);
                *acc_words += words;
            }
            _ => pieces.push((text, span, words)),
        }
    }
    if pieces.len() >= 2 {
        let (_, _, last_words) = pieces[pieces.len() - 1];
        let (_, _, prev_words) = pieces[pieces.len() - 2];
        if last_words < MIN_WORDS && prev_words + last_words <= MAX_WORDS + MERGE_SLACK {
            let (text, span, words) = pieces.pop().unwrap();
            let prev = pieces.last_mut().unwrap();
            prev.0.push('\n');
            prev.0.push_str(&text);
            prev.1 = prev.1.cover(span);
            prev.2 += words;
        }
    }
    pieces.into_iter().map(|(text, span, _)| (text, span)).collect()
}

/// Cuts text at sentence ends into pieces of at most MAX_WORDS (a single longer sentence
/// is cut at the word limit).
fn split_long(text: &str) -> Vec<String> {
    let mut pieces = Vec::new();
    let mut current = String::new();
    let mut current_words = 0;
    for sentence in crate::text::sentences(text) {
        for part in split_words(sentence, MAX_WORDS) {
            let words = word_count(&part);
            if current_words + words > MAX_WORDS && !current.is_empty() {
                pieces.push(std::mem::take(&mut current));
                current_words = 0;
            }
            if !current.is_empty() {
                current.push(' ');
            }
            current.push_str(&part);
            current_words += words;
        }
    }
    if !current.is_empty() {
        pieces.push(current);
    }
    pieces
}

fn split_words(text: &str, max: usize) -> Vec<String> {
    let words: Vec<&str> = text.split_whitespace().collect();
    words.chunks(max.max(1)).map(|c| c.join(" ")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn block(text: &str, start: usize) -> Block {
        Block { text: text.to_string(), span: Span::new(start, start + text.len()), line: 1 }
    }

    #[test]
    fn packs_blocks_up_to_the_limit() {
        let long = "word ".repeat(100);
        let blocks = [block(&long, 0), block(&long, 600), block("tail words here", 1200)];
        let pieces = group_blocks(&blocks);
        assert_eq!(pieces.len(), 2);
        assert_eq!(word_count(&pieces[1].0), 103, "short tail merged into the previous piece");
        assert_eq!(pieces[1].1, Span::new(600, 1215));
    }

    #[test]
    fn long_block_cut_at_sentences() {
        let sentence = format!("Word {}end.", "w ".repeat(48));
        let text = std::iter::repeat_n(sentence.as_str(), 8).collect::<Vec<_>>().join(" ");
        let pieces = group_blocks(&[block(&text, 0)]);
        assert!(pieces.len() >= 2);
        for (piece, _) in &pieces {
            assert!(word_count(piece) <= MAX_WORDS + MERGE_SLACK);
            assert!(piece.ends_with("end."));
        }
    }
}
