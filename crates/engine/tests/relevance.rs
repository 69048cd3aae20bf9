//! Answers that answer the question, on the real models and real monographs: for each kind
//! of question the first sentence comes from where the answer lives; a two-drug question
//! leads with the lines that link them; a class finds its members; a shared name asks which
//! one; a fact the library lacks is said to be missing before any related fact.

mod common;

use drugchatter_engine::{
    Answer, AnswerStatus, AskOptions, Conversation, Coverage, Engine, Notice, QuestionType, SectionKind,
};
use std::sync::OnceLock;

/// Real monographs enough for every case below: pairs, a class, a shared name.
const CORPUS: &[&str] = &[
    "acetaminophen",
    "cetirizine",
    "atorvastatin",
    "budesonide-and-formoterol",
    "clopidogrel",
    "dimenhydrinate",
    "fexofenadine",
    "gabapentin",
    "ibuprofen",
    "imiquimod",
    "insulin-glargine",
    "insulin-lispro",
    "lisinopril",
    "loratadine",
    "metformin",
    "metoprolol",
    "naproxen",
    "omeprazole",
    "potassium-chloride",
    "prednisone",
    "ramipril",
    "sertraline",
    "simvastatin",
];

fn engine() -> &'static Engine {
    static ENGINE: OnceLock<(Engine, tempfile::TempDir, tempfile::TempDir)> = OnceLock::new();
    &ENGINE
        .get_or_init(|| {
            let corpus = common::corpus_copy_with_vectors(CORPUS);
            let (engine, data) = common::engine_over(corpus.path());
            engine.load_generator(None).expect("the bundled generator loads");
            (engine, data, corpus)
        })
        .0
}

fn ask(question: &str) -> Answer {
    ask_in(question, &mut Conversation::default())
}

fn ask_in(question: &str, conversation: &mut Conversation) -> Answer {
    engine().ask(question, conversation, &AskOptions::default(), &mut |_| true).expect("answers")
}

/// The first shown sentence, lower-cased, and the source it cites.
fn first(answer: &Answer) -> (String, &drugchatter_engine::Source) {
    let sentence = answer.sentences.first().unwrap_or_else(|| panic!("no sentence: {answer:#?}"));
    assert!(sentence.status.is_fact(), "{answer:#?}");
    let n = sentence.citations[0];
    (sentence.text.to_lowercase(), answer.sources.iter().find(|s| s.n == n).expect("a cited source"))
}

fn assert_first_says(answer: &Answer, any_of: &[&str]) {
    let (text, _) = first(answer);
    assert!(any_of.iter().any(|w| text.contains(w)), "first sentence {text:?} lacks all of {any_of:?}: {answer:#?}");
    assert_eq!(answer.coverage, Coverage::Covered, "{answer:#?}");
}

fn assert_first_from(answer: &Answer, slug: &str, kind: SectionKind) {
    let (_, source) = first(answer);
    assert_eq!((source.drug_slug.as_str(), source.section_kind), (slug, kind), "{answer:#?}");
}

#[test]
fn mechanism() {
    let answer = ask("How does imiquimod work?");
    assert_eq!(answer.question_type, QuestionType::Mechanism);
    assert_first_from(&answer, "imiquimod", SectionKind::HowItWorks);
    assert_first_says(&answer, &["immune", "toll-like"]);
}

#[test]
fn used_for() {
    let answer = ask("what is metformin used for");
    assert_eq!(answer.question_type, QuestionType::UsedFor);
    assert_first_from(&answer, "metformin", SectionKind::Usage);
}

#[test]
fn dose_carries_its_limits() {
    let answer = ask("how much naproxen can I take");
    assert_eq!(answer.question_type, QuestionType::Dose);
    let (text, source) = first(&answer);
    assert!(matches!(source.section_kind, SectionKind::Dosage | SectionKind::Faqs), "{answer:#?}");
    assert!(text.contains("mg"), "{text}");
    let all: String = answer.sentences.iter().map(|s| s.text.to_lowercase()).collect();
    assert!(["no more than", "do not exceed", "maximum", "in 24 hours"].iter().any(|l| all.contains(l)), "{all}");
}

#[test]
fn kidney_dose() {
    let answer = ask("what dose of gabapentin with kidney disease");
    assert_eq!(answer.question_type, QuestionType::DoseKidneyLiver);
    assert_first_says(&answer, &["creatinine", "ml/min", "kidney"]);
}

#[test]
fn child_dose() {
    // Not the adults' line that also names older children.
    let answer = ask("zyrtec dose for a 3 year old?");
    assert_eq!(answer.question_type, QuestionType::DoseChild);
    assert_first_says(&answer, &["2.5 mg"]);
    let answer = ask("ibuprofen dose for my 6 year old");
    assert_eq!(answer.question_type, QuestionType::DoseChild);
    let (_, source) = first(&answer);
    assert!(source.section.to_lowercase().contains("child") || source.section_kind == SectionKind::Faqs, "{answer:#?}");
}

#[test]
fn missed_dose_is_answered_by_the_faq_kept_whole() {
    let answer = ask("I forgot to take my metformin this morning, what should I do?");
    assert_eq!(answer.question_type, QuestionType::MissedDose);
    let (text, source) = first(&answer);
    assert_eq!(source.section_kind, SectionKind::Faqs, "{answer:#?}");
    // The FAQ's question and its answer together.
    assert!(text.contains('?') && text.split('?').nth(1).is_some_and(|a| a.split_whitespace().count() >= 3), "{text}");
}

#[test]
fn an_faq_asking_what_was_asked_leads_whatever_the_kind() {
    // "How do I know…" reads like a question on how it works; the FAQ asks it word for word.
    let answer = ask("how do I know if my potassium is too high on potassium chloride");
    let (text, source) = first(&answer);
    assert_eq!((source.drug_slug.as_str(), source.section_kind), ("potassium-chloride", SectionKind::Faqs));
    assert!(text.starts_with("how will i know if my potassium is too high?"), "{text}");
}

#[test]
fn a_form_after_a_drug_name_is_the_drug_not_a_second_medicine() {
    // "inhaler" names a class, but "my formoterol inhaler" is the one medicine.
    let answer = ask("can I use my formoterol inhaler for a sudden asthma attack");
    assert_ne!(answer.question_type, QuestionType::Interaction, "{answer:#?}");
    let titles: Vec<&str> = answer.drugs.iter().map(|d| d.title.as_str()).collect();
    assert_eq!(titles, ["Budesonide and Formoterol"]);
    let (text, _) = first(&answer);
    assert!(text.contains("sudden asthma attack") && text.contains("rescue inhaler"), "{text}");
}

#[test]
fn what_a_tablet_looks_like_and_contains_is_answered_where_the_label_said() {
    let answer = ask("What colour is the 50 mg metoprolol tablet?");
    assert_eq!(answer.coverage, Coverage::Covered, "{answer:#?}");
    let (text, source) = first(&answer);
    assert_eq!((source.drug_slug.as_str(), source.section_kind), ("metoprolol", SectionKind::AlternateNames));
    assert!(text.starts_with("appearance:"), "{text}");
}

#[test]
fn a_class_question_is_answered_by_a_members_faq_asking_it() {
    // Lisinopril's FAQ "Why does lisinopril make me cough?" asks it for the class.
    let answer = ask("why do ACE inhibitors make people cough");
    let (text, source) = first(&answer);
    assert_eq!(source.section_kind, SectionKind::Faqs, "{answer:#?}");
    assert!(text.contains("cough") && text.contains("bradykinin"), "{text}");
}

#[test]
fn a_class_question_naming_its_own_examples_is_not_answered_by_another_members_faq() {
    // Dimenhydrinate's FAQ "Will dimenhydrinate make me sleepy?" would ask it for the class,
    // but the question is about the three it names.
    let answer =
        ask("which of the non drowsy allergy pills is least likely to make me sleepy, zyrtec claritin or allegra?");
    let (_, source) = first(&answer);
    assert_ne!(source.drug_slug, "dimenhydrinate", "{answer:#?}");
}

#[test]
fn stopping() {
    let answer = ask("can I stop metoprolol all at once?");
    assert_eq!(answer.question_type, QuestionType::Stopping);
    assert_first_says(&answer, &["stop", "sudden", "gradual"]);
}

#[test]
fn side_effects() {
    // "Common" is the section's word, not a fact the library lacks.
    let answer = ask("What are the common side effects of ibuprofen?");
    assert_eq!(answer.coverage, Coverage::Covered, "{answer:#?}");
    assert_first_from(&answer, "ibuprofen", SectionKind::SideEffects);
    let answer = ask("sertraline side effects");
    assert_first_from(&answer, "sertraline", SectionKind::SideEffects);
}

#[test]
fn pregnancy() {
    let answer = ask("is ibuprofen ok when pregnant");
    assert_eq!(answer.question_type, QuestionType::PregnancyBreastfeeding);
    assert_first_says(&answer, &["pregnan", "weeks"]);
}

#[test]
fn alcohol() {
    let answer = ask("Can I drink alcohol with naproxen?");
    assert_eq!(answer.question_type, QuestionType::FoodAlcohol);
    assert_first_says(&answer, &["alcohol"]);
}

#[test]
fn overdose_gets_the_emergency_notice_and_the_overdose_line() {
    let answer = ask("I took too much acetaminophen");
    assert_eq!(answer.notices[0], Notice::Emergency);
    assert_first_says(&answer, &["overdose", "emergency", "poison", "liver"]);
}

#[test]
fn an_interaction_leads_with_the_lines_that_link_the_two_drugs() {
    let answer = ask("Can I take naproxen with ramipril?");
    assert_eq!(answer.question_type, QuestionType::Interaction);
    let linking: Vec<(String, String)> = answer
        .sentences
        .iter()
        .take(2)
        .map(|s| {
            let source = answer.sources.iter().find(|x| x.n == s.citations[0]).unwrap();
            (source.drug_slug.clone(), s.text.to_lowercase())
        })
        .collect();
    assert!(linking.iter().any(|(d, t)| d == "naproxen" && t.contains("ace inhibitor")), "{answer:#?}");
    assert!(linking.iter().any(|(d, t)| d == "ramipril" && t.contains("nsaid")), "{answer:#?}");
}

#[test]
fn omeprazole_and_clopidogrel_lead_with_the_clopidogrel_line() {
    let answer = ask("Does omeprazole affect clopidogrel?");
    let (text, source) = first(&answer);
    assert!(text.contains("omeprazole") || text.contains("clopidogrel"), "{answer:#?}");
    assert!(["clopidogrel", "omeprazole"].contains(&source.drug_slug.as_str()));
    assert!(answer.sentences.iter().take(2).any(|s| {
        let source = answer.sources.iter().find(|x| x.n == s.citations[0]).unwrap();
        source.drug_slug == "clopidogrel" && s.text.to_lowercase().contains("omeprazole")
    }));
}

#[test]
fn a_steroid_and_an_nsaid_lead_with_the_bleeding_line() {
    let answer = ask("is it ok to take ibuprofen with prednisone");
    let (text, _) = first(&answer);
    assert!(text.contains("bleed") || text.contains("ulcer") || text.contains("gastrointestinal"), "{answer:#?}");
}

#[test]
fn a_class_question_is_answered_from_its_members() {
    let answer = ask("do statins cause muscle pain?");
    assert_ne!(answer.status, AnswerStatus::Abstained, "{answer:#?}");
    let (text, source) = first(&answer);
    assert!(["atorvastatin", "simvastatin"].contains(&source.drug_slug.as_str()), "{answer:#?}");
    assert!(text.contains("muscle") || text.contains("myopathy"), "{text}");
}

#[test]
fn a_shared_name_asks_which_medicine() {
    let answer = ask("how do I inject insulin");
    assert_eq!(answer.status, AnswerStatus::Clarification, "{answer:#?}");
    let clarification = answer.clarification.expect("choices");
    let slugs: Vec<&str> = clarification.candidates.iter().map(|c| c.slug.as_str()).collect();
    assert_eq!(slugs, ["insulin-glargine", "insulin-lispro"]);
    assert!(answer.sentences.is_empty());
}

#[test]
fn a_partial_name_resolves() {
    let answer = ask("how much glargine should I start with");
    assert_eq!(answer.drugs[0].slug, "insulin-glargine", "{answer:#?}");
}

#[test]
fn a_fact_the_library_lacks_is_said_first_with_related_facts_marked() {
    // Prednisone's monograph was checked against no label, so it says nothing of its looks.
    let answer = ask("What do prednisone tablets look like? What color are they?");
    assert!(matches!(answer.coverage, Coverage::NotCovered { .. }), "{answer:#?}");
    assert!(answer.sentences.len() <= 2 && answer.sentences.iter().all(|s| s.related), "{answer:#?}");
    let answer = ask("does metformin make your hair fall out");
    assert!(matches!(&answer.coverage, Coverage::NotCovered { asked, .. } if asked.contains(&"hair".to_string())));
}

#[test]
fn a_follow_up_naming_a_shared_name_does_not_inherit_the_drug() {
    let mut conversation = Conversation::default();
    ask_in("What are the side effects of ibuprofen?", &mut conversation);
    let follow_up = ask_in("how to administer insulin", &mut conversation);
    assert!(!follow_up.carried_over, "{follow_up:#?}");
    assert!(follow_up.sources.iter().all(|s| s.drug_slug != "ibuprofen"), "{follow_up:#?}");
}

#[test]
fn how_does_it_verb_asks_how_it_works() {
    // "Lower" is not a side effect and "stop" would not be stopping the drug.
    let answer = ask("how does metformin lower blood sugar");
    assert_eq!(answer.question_type, QuestionType::Mechanism, "{answer:#?}");
    assert_first_from(&answer, "metformin", SectionKind::HowItWorks);
}

#[test]
fn what_it_is_used_for_reads_the_list_as_one_sentence() {
    let answer = ask("What is Aldara used for?");
    let (text, _) = first(&answer);
    for condition in ["actinic keratosis", "basal cell carcinoma", "warts"] {
        assert!(text.to_lowercase().contains(condition), "{text}");
    }
}

#[test]
fn a_class_answer_names_the_member_of_each_line() {
    let answer = ask("Are NSAIDs hard on your kidneys?");
    assert_ne!(answer.status, AnswerStatus::Clarification, "{answer:#?}");
    let (text, source) = first(&answer);
    assert!(["ibuprofen", "naproxen"].contains(&source.drug_slug.as_str()), "{answer:#?}");
    let lower = text.to_lowercase();
    assert!(lower.starts_with("ibuprofen") || lower.starts_with("naproxen"), "{text}");
    assert!(text.to_lowercase().contains("kidney"), "{text}");
}

#[test]
fn a_class_with_nothing_asked_beyond_it_asks_which() {
    let answer = ask("are statins bad for you");
    assert_eq!(answer.status, AnswerStatus::Clarification, "{answer:#?}");
    let slugs: Vec<String> = answer.clarification.expect("choices").candidates.into_iter().map(|c| c.slug).collect();
    assert_eq!(slugs, ["atorvastatin", "simvastatin"]);
}

#[test]
fn a_drug_beside_a_class_is_asked_about_alone_unless_combined() {
    let answer = ask("Is Zyrtec a steroid?");
    assert!(!matches!(answer.coverage, Coverage::PairNotLinked { .. }), "{answer:#?}");
    assert_ne!(answer.question_type, QuestionType::Interaction, "{answer:#?}");
    assert!(answer.sources.iter().all(|s| s.drug_slug == "cetirizine"), "{answer:#?}");
}

#[test]
fn drugs_named_as_examples_make_a_class_question() {
    let answer = ask("Do statins like Lipitor and Zocor cause muscle pain?");
    assert_ne!(answer.question_type, QuestionType::Interaction, "{answer:#?}");
    let (text, source) = first(&answer);
    assert!(["atorvastatin", "simvastatin"].contains(&source.drug_slug.as_str()), "{answer:#?}");
    assert!(text.contains("muscle") || text.contains("myopathy"), "{text}");
}

#[test]
fn what_no_monograph_holds_is_said_to_be_missing() {
    let answer = ask("who makes lipitor");
    assert!(
        matches!(&answer.coverage, Coverage::NotCovered { asked, .. } if asked == &["who makes it".to_string()]),
        "{answer:#?}"
    );
    assert!(answer.sentences.iter().all(|s| s.related), "{answer:#?}");
}

#[test]
fn a_dose_conversion_is_answered_only_by_a_line_stating_the_equivalence() {
    // Metoprolol's monograph says the same total daily dose carries over between its forms.
    let answer =
        ask("I am switching from metoprolol tartrate 50 mg twice a day to the succinate. What dose is the same?");
    assert_first_says(&answer, &["same total daily dose"]);
    // No monograph here gives a naproxen dose equal to one of ibuprofen: "conversion" or
    // "converted" in a line is not an equivalence.
    let answer = ask("What dose of naproxen is equivalent to 400 mg of ibuprofen?");
    assert!(
        matches!(&answer.coverage, Coverage::NotCovered { asked, .. } if asked == &["dose conversions".to_string()]),
        "{answer:#?}"
    );
    assert!(answer.sentences.iter().all(|s| s.related), "{answer:#?}");
}
