//! How an answer reads in a terminal: notices, the verified answer, links, then sources.

use drugchatter_engine::answer::{Answer, AnswerStatus, NoticeKind};

pub fn answer(answer: &Answer, streamed: bool) {
    for notice in answer.notices.iter().filter(|n| n.kind == NoticeKind::Emergency) {
        println!("!! {}\n", notice.text);
    }
    if streamed {
        println!("\n");
        println!("--- verified answer ---");
    }
    match answer.status {
        AnswerStatus::Abstained => println!("{}", answer.text),
        AnswerStatus::Extractive => println!("From the library:\n{}", answer.text),
        AnswerStatus::Generated => println!("{}", answer.text),
    }
    for notice in answer.notices.iter().filter(|n| !matches!(n.kind, NoticeKind::Emergency | NoticeKind::Disclaimer)) {
        println!("\nNote: {}", notice.text);
    }
    for link in &answer.profiles {
        println!("\n{}  (drugchatter search \"{}\")", link.label, link.title);
    }
    if !answer.sources.is_empty() {
        println!("\nSources:");
        for s in &answer.sources {
            println!("[{}] {} — {}  ({}:{}-{})", s.n, s.drug, s.section, s.source.display(), s.span.start, s.span.end);
        }
    }
    for group in &answer.other_questions {
        if !group.questions.is_empty() {
            println!("\n{}:", group.heading);
            for q in group.questions.iter().take(6) {
                println!("  - {q}");
            }
        }
    }
    if let Some(disclaimer) = answer.notices.iter().find(|n| n.kind == NoticeKind::Disclaimer) {
        println!("\n{}", disclaimer.text);
    }
    let t = &answer.timings;
    let first = t.first_token_ms.map(|ms| format!(", first token {ms:.0} ms")).unwrap_or_default();
    eprintln!(
        "\nretrieval {:.0} ms{first}, total {:.0} ms, {} prompt tokens, {} generated at {:.1} tok/s{}",
        t.retrieval_ms,
        t.total_ms,
        t.prompt_tokens,
        t.generated_tokens,
        t.tokens_per_second,
        answer.model.as_ref().map(|m| format!(" ({m})")).unwrap_or_default()
    );
}
