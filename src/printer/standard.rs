use drugchatter_engine::index::BuildReport;
use drugchatter_engine::retrieve::SearchResults;
use std::time::Duration;

pub fn build_report(report: &BuildReport) {
    let action = if report.rebuilt { "indexed" } else { "up to date" };
    eprintln!(
        "{action}: {} files, {} drugs, {} chunks ({} embedded, {} reused), {} failures, {:.1}s",
        report.files,
        report.drugs,
        report.chunks,
        report.embedded_chunks,
        report.reused_chunks,
        report.failures.len(),
        report.elapsed.as_secs_f64()
    );
    for failure in &report.failures {
        eprintln!("  failed: {failure}");
    }
}

pub fn search_results(results: &SearchResults, elapsed: Duration) {
    if results.no_matching_drug {
        let named = if results.unknown_drugs.is_empty() {
            String::new()
        } else {
            format!(" (not in the library: {})", results.unknown_drugs.join(", "))
        };
        println!("No drug in the library matches this question{named}. Closest passages anyway:");
    } else {
        let drugs: Vec<String> = results
            .drugs
            .iter()
            .map(|d| {
                if d.matched.eq_ignore_ascii_case(&d.title) {
                    d.title.clone()
                } else {
                    format!("{} (\"{}\")", d.title, d.matched)
                }
            })
            .collect();
        println!("Drugs: {}", drugs.join(", "));
    }
    for hit in &results.hits {
        println!();
        println!("{}. {} — {}  [{}]  score {:.4}", hit.rank, hit.drug, hit.section, hit.chunk_id, hit.score);
        println!("   {}:{}-{}", hit.source.display(), hit.span.start, hit.span.end);
        for line in textwrap(&hit.text, 92) {
            println!("   {line}");
        }
    }
    eprintln!("\n{} passages in {:.0} ms", results.hits.len(), elapsed.as_secs_f64() * 1000.0);
}

fn textwrap(text: &str, width: usize) -> Vec<String> {
    let mut lines = Vec::new();
    for paragraph in text.lines() {
        let mut line = String::new();
        for word in paragraph.split_whitespace() {
            if !line.is_empty() && line.len() + word.len() + 1 > width {
                lines.push(std::mem::take(&mut line));
            }
            if !line.is_empty() {
                line.push(' ');
            }
            line.push_str(word);
        }
        lines.push(line);
    }
    lines
}
