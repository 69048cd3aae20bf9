//! `drugchatter eval FILE.jsonl`: runs a question set through the full answer path and
//! reports relevance (does the first sentence answer?), retrieval, verification and
//! abstention quality, and latency.

mod key_facts;

use anyhow::{Context, Result};
use drugchatter_engine::bench::{quantities, supported};
use drugchatter_engine::Engine;
use drugchatter_engine::{
    Abstention, Answer, AnswerStatus, AnswerUpdate, AskOptions, Conversation, Coverage, SentenceStatus,
};
use key_facts::{holds, KeyFact};
use serde::Deserialize;
use std::io::Write;
use std::path::Path;
use std::time::Instant;

#[derive(Deserialize)]
struct Case {
    id: String,
    question: String,
    drugs: Vec<String>,
    section: Option<String>,
    abstain: bool,
    /// The monograph lines that answer the question (empty: the library lacks it).
    #[serde(default)]
    key_facts: Vec<KeyFact>,
    /// Whether the library states the asked fact.
    #[serde(default = "yes")]
    covered: bool,
    /// Whether the question names a medicine several monographs share.
    #[serde(default)]
    clarify: bool,
}

fn yes() -> bool {
    true
}

/// How well answers answer: the figures of issue 16.
#[derive(Default)]
struct Relevance {
    /// Questions the library answers, with gold key facts.
    fact_cases: usize,
    answer_first: usize,
    recall_3: usize,
    said_missing: usize,
    said_missing_right: usize,
    should_say_missing: usize,
    clarified: usize,
    clarified_right: usize,
    should_clarify: usize,
    only_unrelated: usize,
    false_no_monograph: usize,
}

impl Relevance {
    fn add(&mut self, case: &Case, answer: &Answer) {
        let shown: Vec<&str> =
            answer.sentences.iter().filter(|s| s.status.is_fact() && !s.related).map(|s| s.text.as_str()).collect();
        let holds_any = |s: &str| case.key_facts.iter().any(|f| holds(s, &f.text));
        let said_missing = answer.coverage != Coverage::Covered || answer.status == AnswerStatus::Abstained;
        let clarified = answer.status == AnswerStatus::Clarification;
        self.said_missing += usize::from(said_missing);
        self.clarified += usize::from(clarified);
        self.clarified_right += usize::from(clarified && case.clarify);
        self.should_clarify += usize::from(case.clarify);
        if !case.covered {
            self.should_say_missing += 1;
            self.said_missing_right += usize::from(said_missing);
        }
        if !case.abstain && matches!(answer.abstention, Some(Abstention::NoMonograph { .. })) {
            self.false_no_monograph += 1;
        }
        if case.covered && !case.clarify && !case.key_facts.is_empty() {
            self.fact_cases += 1;
            self.answer_first += usize::from(shown.first().is_some_and(|s| holds_any(s)));
            let recalled = shown.iter().take(3).any(|s| holds_any(s));
            self.recall_3 += usize::from(recalled);
            self.only_unrelated += usize::from(!recalled && !shown.is_empty());
        } else if !case.covered {
            // A fact shown as the answer to a question the library cannot answer.
            self.only_unrelated += usize::from(!shown.is_empty());
        }
    }

    fn print(&self, total: usize) {
        println!("answer-first (first sentence holds a key fact): {}", pct(self.answer_first, self.fact_cases));
        println!("key-fact recall within three sentences: {}", pct(self.recall_3, self.fact_cases));
        println!("\"not covered\" precision: {}", pct(self.said_missing_right, self.said_missing));
        println!("\"not covered\" recall: {}", pct(self.said_missing_right, self.should_say_missing));
        println!("clarification precision: {}", pct(self.clarified_right, self.clarified));
        println!("clarification recall: {}", pct(self.clarified_right, self.should_clarify));
        println!("answers showing only unrelated facts: {}", pct(self.only_unrelated, total));
        println!("false \"no monograph\": {}", self.false_no_monograph);
    }
}

#[derive(Default)]
struct Tally {
    answerable: usize,
    drug_hit_1: usize,
    drug_hit_5: usize,
    section_cases: usize,
    section_hit_5: usize,
    generated_claims: usize,
    verified_claims: usize,
    off_topic_claims: usize,
    shown_sentences: usize,
    unsupported_numbers: usize,
    abstained_right: usize,
    abstained_wrong: usize,
    should_abstain: usize,
    latencies: Vec<f64>,
    statuses: [usize; 4],
    relevance: Relevance,
}

pub fn run(
    engine: &Engine,
    file: &Path,
    options: &AskOptions,
    limit: Option<usize>,
    dump: Option<&Path>,
) -> Result<()> {
    let text = std::fs::read_to_string(file).with_context(|| format!("reading {}", file.display()))?;
    let cases: Vec<Case> = text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, l)| serde_json::from_str(l).with_context(|| format!("{}:{}", file.display(), i + 1)))
        .collect::<Result<_>>()?;
    let cases = &cases[..limit.unwrap_or(cases.len()).min(cases.len())];
    let mut t = Tally::default();
    let mut dump = dump
        .map(|p| {
            std::fs::File::create(p).map(std::io::BufWriter::new).with_context(|| format!("creating {}", p.display()))
        })
        .transpose()?;
    for (n, case) in cases.iter().enumerate() {
        let started = Instant::now();
        let results = engine.search(&case.question, 5)?;
        let mut raw = String::new();
        let answer = engine.ask(&case.question, &mut Conversation::default(), options, &mut |update| {
            if let AnswerUpdate::Draft(piece) = update {
                raw.push_str(piece);
            }
            true
        })?;
        if let Some(out) = dump.as_mut() {
            let line = serde_json::json!({ "id": case.id, "raw": raw, "answer": answer });
            writeln!(out, "{line}").and_then(|_| out.flush()).context("writing the dump")?;
        }
        t.latencies.push(started.elapsed().as_secs_f64() * 1000.0);
        t.statuses[answer.status as usize] += 1;
        t.relevance.add(case, &answer);
        let abstained = answer.status == AnswerStatus::Abstained;
        if case.abstain {
            t.should_abstain += 1;
            t.abstained_right += usize::from(abstained);
        } else {
            t.abstained_wrong += usize::from(abstained);
            t.answerable += 1;
            let first =
                results.drugs.first().map(|d| d.slug.as_str()).or(results.hits.first().map(|h| h.drug_slug.as_str()));
            t.drug_hit_1 += usize::from(first.is_some_and(|d| case.drugs.iter().any(|e| e == d)));
            t.drug_hit_5 += usize::from(results.hits.iter().any(|h| case.drugs.contains(&h.drug_slug)));
            if let Some(section) = &case.section {
                t.section_cases += 1;
                let kind = |h: &drugchatter_engine::Hit| serde_json::to_value(h.section_kind).ok();
                t.section_hit_5 += usize::from(results.hits.iter().any(|h| {
                    case.drugs.contains(&h.drug_slug) && kind(h).as_ref().and_then(|v| v.as_str()) == Some(section)
                }));
            }
        }
        for s in answer.sentences.iter().chain(&answer.dropped) {
            if !matches!(s.status, SentenceStatus::Quoted) {
                t.generated_claims += 1;
                t.verified_claims += usize::from(s.status == SentenceStatus::Verified);
                t.off_topic_claims += usize::from(s.status == SentenceStatus::OffTopic);
            }
        }
        for s in answer.sentences.iter().filter(|s| s.status.is_fact()) {
            t.shown_sentences += 1;
            let cited: String = s
                .citations
                .iter()
                .filter_map(|&c| answer.sources.get(c - 1))
                .map(|s| s.text.as_str())
                .collect::<Vec<_>>()
                .join("\n");
            let available = quantities(&cited);
            t.unsupported_numbers += quantities(&s.text).iter().filter(|q| !supported(q, &available)).count();
        }
        eprintln!("[{}/{}] {} {:?} {:.0} ms", n + 1, cases.len(), case.id, answer.status, t.latencies.last().unwrap());
    }
    print_report(&t, cases.len());
    Ok(())
}

fn pct(a: usize, b: usize) -> String {
    if b == 0 {
        "n/a".into()
    } else {
        format!("{:.1}% ({a}/{b})", 100.0 * a as f64 / b as f64)
    }
}

fn print_report(t: &Tally, total: usize) {
    let mut lat = t.latencies.clone();
    lat.sort_by(f64::total_cmp);
    let p = |q: f64| lat.get(((lat.len() as f64 - 1.0) * q).round() as usize).copied().unwrap_or(0.0);
    let predicted_abstain = t.abstained_right + t.abstained_wrong;
    println!("questions: {total}");
    println!(
        "answers: {} generated, {} extractive, {} abstained, {} clarifications",
        t.statuses[0], t.statuses[1], t.statuses[2], t.statuses[3]
    );
    t.relevance.print(total);
    println!("drug hit@1: {}", pct(t.drug_hit_1, t.answerable));
    println!("drug hit@5: {}", pct(t.drug_hit_5, t.answerable));
    println!("section hit@5: {}", pct(t.section_hit_5, t.section_cases));
    println!(
        "generated sentences verified: {}; supported but off the question: {}",
        pct(t.verified_claims, t.generated_claims),
        t.off_topic_claims
    );
    println!(
        "shown sentences: {}; numbers shown that are absent from their cited passage: {}",
        t.shown_sentences, t.unsupported_numbers
    );
    println!("abstention precision: {}", pct(t.abstained_right, predicted_abstain));
    println!("abstention recall: {}", pct(t.abstained_right, t.should_abstain));
    println!("latency p50 {:.0} ms, p95 {:.0} ms", p(0.5), p(0.95));
}
