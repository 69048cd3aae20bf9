use drugchatter_engine::BuildReport;
use drugchatter_engine::ImportReport;
use drugchatter_engine::SearchResults;
use drugchatter_engine::{ClassPage, ClassSummary, SharedFact};
use drugchatter_engine::{LibraryInfo, LibraryKind};
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

pub fn import_report(report: &ImportReport) {
    eprintln!(
        "read {} records: {} labels added, {} updated, {} already there, {} older than the library's, {} skipped",
        report.records,
        report.labels_added,
        report.labels_updated,
        report.labels_unchanged,
        report.labels_older,
        report.skipped_count
    );
    for skipped in &report.skipped {
        eprintln!("  skipped {skipped}");
    }
    if report.skipped_count > report.skipped.len() {
        eprintln!("  and {} more skipped (`-vv` logs every one)", report.skipped_count - report.skipped.len());
    }
    if !report.unmapped_sections.is_empty() {
        let names: Vec<String> = report.unmapped_sections.iter().map(|(n, c)| format!("{n} ({c})")).collect();
        eprintln!("  sections left out: {}", names.join(", "));
    }
    match &report.build {
        Some(build) => {
            eprintln!("library {:?}: {} labels, {} drugs", report.library, report.labels, report.drugs);
            build_report(build);
        }
        None => eprintln!("library {:?} holds no usable label; nothing was indexed", report.library),
    }
}

pub fn libraries(libraries: &[LibraryInfo]) {
    if libraries.is_empty() {
        println!("no libraries indexed yet; run `drugchatter index`");
    }
    for l in libraries {
        let kind = match l.kind {
            LibraryKind::Bundled => "bundled monographs",
            LibraryKind::Imported => "imported FDA labels",
        };
        println!(
            "{:<16} {kind:<20} {:>6} drugs {:>7} documents {:>8} passages   {}",
            l.name,
            l.drugs,
            l.documents,
            l.chunks,
            l.source_dir.display()
        );
    }
}

pub fn classes(classes: &[ClassSummary]) {
    for class in classes {
        let plural = if class.members == 1 { "" } else { "s" };
        println!("{:<44} {:>3} member{plural}", class.name, class.members);
    }
}

pub fn class_page(page: &ClassPage) {
    let members: Vec<&str> = page.members.iter().map(|m| m.title.as_str()).collect();
    println!("{}: {}", page.name, members.join(", "));
    let mut n = 0;
    let mut facts = |heading: &str, facts: &[SharedFact]| {
        println!("\n{heading}");
        if facts.is_empty() {
            println!("  (none stated by two or more members)");
        }
        for fact in facts {
            if let Some(topic) = &fact.topic {
                println!("\n  {topic} ({} of {} members)", fact.lines.len(), page.members.len());
            } else {
                println!();
            }
            for line in &fact.lines {
                n += 1;
                println!("    [{n}] {}: {}", line.drug, line.text);
            }
        }
    };
    facts("Interactions named by two or more members", &page.interactions);
    facts("Warnings stated by two or more members", &page.warnings);
    println!("\nSources");
    let all = page.interactions.iter().chain(&page.warnings).flat_map(|f| &f.lines);
    for (i, line) in all.enumerate() {
        println!(
            "  [{}] {} — {} ({}:{}-{})",
            i + 1,
            line.drug,
            line.section,
            line.library,
            line.span.start,
            line.span.end
        );
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
