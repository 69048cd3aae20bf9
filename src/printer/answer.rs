//! How an answer reads in a terminal: notices, the verified answer, links, then sources.
//! The engine returns data; every word a person reads about it is chosen here.

use drugchatter_engine::{
    Abstention, Answer, AnswerSentence, AnswerStatus, Clarification, Coverage, Notice, QuestionType,
};

/// The research-preview disclaimer of the DrugChatter answer page.
const DISCLAIMER: &str = "Free Research Preview. DrugChatter may produce inaccurate information.";

const EMERGENCY: &str = "If this is an emergency (someone may have taken too much of a medicine or swallowed \
something poisonous, or has trouble breathing or swelling of the face, lips or throat), call your local emergency \
number now. For a possible poisoning you can also call poison control (in the US, 1-800-222-1222).";

/// Most other questions listed per drug.
const OTHER_QUESTIONS: usize = 6;

pub fn answer(answer: &Answer, streamed: bool) {
    for notice in answer.notices.iter().filter(|n| **n == Notice::Emergency) {
        println!("!! {}\n", notice_text(notice));
    }
    if streamed {
        println!("\n");
        println!("--- verified answer ---");
    }
    match (&answer.status, &answer.abstention) {
        (_, Some(abstention)) => println!("{}", abstention_text(abstention)),
        (AnswerStatus::Clarification, _) => {
            if let Some(clarification) = &answer.clarification {
                println!("{}", clarification_text(clarification));
                for candidate in &clarification.candidates {
                    println!("  - {}", candidate.title);
                }
            }
        }
        _ => match coverage_text(&answer.coverage, answer.question_type) {
            Some(missing) => {
                println!("{missing}");
                if !answer.sentences.is_empty() {
                    println!("\nRelated, from the library:\n{}", sentences_text(&answer.sentences));
                }
            }
            None if answer.status == AnswerStatus::Extractive => {
                println!("From the library:\n{}", sentences_text(&answer.sentences))
            }
            None => println!("{}", sentences_text(&answer.sentences)),
        },
    }
    for notice in answer.notices.iter().filter(|n| !matches!(n, Notice::Emergency | Notice::Disclaimer)) {
        println!("\nNote: {}", notice_text(notice));
    }
    for link in &answer.profiles {
        println!("\nSee the profile for {}  (drugchatter search \"{}\")", link.title, link.title);
    }
    if !answer.sources.is_empty() {
        println!("\nSources:");
        for s in &answer.sources {
            println!("[{}] {} — {}  ({}:{}-{})", s.n, s.drug, s.section, s.source.display(), s.span.start, s.span.end);
        }
    }
    for group in answer.other_questions.iter().filter(|g| !g.questions.is_empty()) {
        println!("\nOther questions about {}:", group.title);
        for q in group.questions.iter().take(OTHER_QUESTIONS) {
            println!("  - {q}");
        }
    }
    if answer.notices.contains(&Notice::Disclaimer) {
        println!("\n{DISCLAIMER}");
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

/// The shown sentences joined, each followed by its `[n]` citations.
pub fn sentences_text(sentences: &[AnswerSentence]) -> String {
    sentences
        .iter()
        .map(|s| {
            let marks: String = s.citations.iter().map(|n| format!("[{n}]")).collect();
            let flag = if s.status.is_fact() { "" } else { " (unverified)" };
            if marks.is_empty() {
                format!("{}{flag}", s.text)
            } else {
                format!("{} {marks}{flag}", s.text)
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// "the medicine you asked about", or the names that look like medicines.
fn named(names: &[String]) -> String {
    if names.is_empty() {
        "the medicine you asked about".to_string()
    } else {
        names.join(", ")
    }
}

/// What the library lacks, said first; `None` when it states the answer.
fn coverage_text(coverage: &Coverage, kind: QuestionType) -> Option<String> {
    match coverage {
        Coverage::Covered => None,
        Coverage::NotCovered { drugs, .. } if kind == QuestionType::AppearanceIngredients => {
            Some(format!("The library does not describe what {} looks like or what it contains.", drugs.join(" or ")))
        }
        Coverage::NotCovered { drugs, asked } if asked.is_empty() => {
            Some(format!("The library's monograph on {} does not answer this.", drugs.join(" and ")))
        }
        Coverage::NotCovered { drugs, asked } => {
            Some(format!("The library's monograph on {} does not mention {}.", drugs.join(" and "), asked.join(" ")))
        }
        Coverage::PairNotLinked { first, second } => Some(format!(
            "Neither monograph lists an interaction between {first} and {second}. That does not prove they are safe \
             together: ask a pharmacist before combining them."
        )),
    }
}

fn clarification_text(clarification: &Clarification) -> String {
    format!(
        "\"{}\" can mean several medicines in this library ({}). Which one do you mean?",
        clarification.matched, clarification.name
    )
}

fn abstention_text(abstention: &Abstention) -> String {
    match abstention {
        Abstention::NoMonograph { names } => format!(
            "This library has no monograph on {}, so DrugChatter cannot answer this. Ask a pharmacist or doctor, or \
             search the library for another name of the medicine.",
            named(names)
        ),
        Abstention::NothingRelevant => "The library's passages on this drug do not answer this question.".to_string(),
    }
}

fn notice_text(notice: &Notice) -> String {
    match notice {
        Notice::Emergency => EMERGENCY.to_string(),
        Notice::Banned { drug } => format!(
            "{drug} is flagged as banned: it has been withdrawn from the market. Do not start it; ask a pharmacist \
             about alternatives."
        ),
        Notice::NotInLibrary { names } => format!("No monograph on {}.", named(names)),
        Notice::Unverified { count: 1 } => {
            "1 sentence the model wrote could not be checked against the sources and is not shown.".to_string()
        }
        Notice::Unverified { count } => {
            format!("{count} sentences the model wrote could not be checked against the sources and are not shown.")
        }
        Notice::NoModel => "No answer model is loaded, so this answer quotes the library.".to_string(),
        Notice::QuestionTooLong => {
            "The question is too long for the answer model, so this answer quotes the library.".to_string()
        }
        Notice::Disclaimer => DISCLAIMER.to_string(),
    }
}
