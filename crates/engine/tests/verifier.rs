//! The verifier on crafted model outputs, with the real embedder and real passages.

mod common;

use drugchatter_engine::testing::verify::{source, Verifier};
use drugchatter_engine::testing::{DrugCatalog, Embedder};
use drugchatter_engine::{MatchKind, ResolvedDrug, SectionKind, SentenceStatus, Source, Thresholds};

fn sources() -> Vec<Source> {
    vec![
        source(
            1,
            "Imiquimod",
            "Dosage",
            SectionKind::Dosage,
            "For actinic keratosis, apply a thin layer twice a week for 16 weeks. For superficial basal cell carcinoma, \
             apply 5 times per week for 6 weeks.",
        ),
        source(
            2,
            "Imiquimod",
            "How It Works",
            SectionKind::HowItWorks,
            "Imiquimod switches on the skin's innate immune system through toll-like receptor 7. Immune cells then \
             release interferon-alpha and other cytokines that attack abnormal cells.",
        ),
        source(
            3,
            "Imiquimod",
            "Storage",
            SectionKind::Storage,
            "Store the cream at room temperature and keep the sachets closed until use.",
        ),
    ]
}

/// A drug the question was resolved to, named in it by `matched`.
fn resolved(slug: &str, title: &str, matched: &str, how: MatchKind) -> ResolvedDrug {
    ResolvedDrug {
        index: 0,
        slug: slug.into(),
        title: title.into(),
        matched: matched.into(),
        how,
        is_banned: false,
        library: "bundled".into(),
    }
}

fn embedder() -> &'static Embedder {
    static EMBEDDER: std::sync::OnceLock<Embedder> = std::sync::OnceLock::new();
    EMBEDDER.get_or_init(|| Embedder::load(&common::models_dir()).unwrap())
}

fn check(output: &str) -> Vec<(String, SentenceStatus, Option<String>)> {
    check_against(output, &sources())
}

fn check_against(output: &str, sources: &[Source]) -> Vec<(String, SentenceStatus, Option<String>)> {
    check_about(output, sources, &[])
}

/// Checks `output` for a question about `drugs`.
fn check_about(
    output: &str,
    sources: &[Source],
    drugs: &[ResolvedDrug],
) -> Vec<(String, SentenceStatus, Option<String>)> {
    let catalog = DrugCatalog::new(&[]);
    let verifier = Verifier { embedder: embedder(), catalogs: vec![&catalog], thresholds: Thresholds::default() };
    verifier.check(output, sources, drugs).unwrap().into_iter().map(|s| (s.text, s.status, s.reason)).collect()
}

/// A crafted false positive: the old rules accepted `claim` citing source [1]; now it is
/// dropped, for a reason that mentions `reason`.
fn assert_false_positive_dropped(claim: &str, sources: &[Source], reason: &str) {
    assert!(accepted_before(claim, &[&sources[0]]), "no longer reproduces the false positive");
    let checked = check_against(&format!("{claim} [1]"), sources);
    assert_eq!(checked[0].1, SentenceStatus::Unverified, "{checked:?}");
    assert!(checked[0].2.as_deref().unwrap().contains(reason), "{checked:?}");
}

/// What the verifier accepted before support had to come from one passage, numbers from one
/// sentence and words from the passage or common English: the best similarity to any cited
/// sentence, word overlap with the cited passages joined, every number anywhere in them. The
/// tests below use it to show that each crafted false positive would have been shown as fact.
fn accepted_before(claim: &str, cited: &[&Source]) -> bool {
    use drugchatter_engine::testing::numbers::{quantities, supported};
    use drugchatter_engine::testing::verify::{negated, word_overlap};
    let t = Thresholds::default();
    let joined: String = cited.iter().map(|s| s.text.as_str()).collect::<Vec<_>>().join("\n");
    let available = quantities(&joined);
    if !quantities(claim).iter().all(|q| supported(q, &available)) {
        return false;
    }
    let claim_vector = embedder().embed_one(claim).unwrap();
    let similarity = cited
        .iter()
        .flat_map(|s| drugchatter_engine::testing::sentences(&s.text))
        .map(|x| x.trim_start_matches("A: "))
        .filter(|x| !x.ends_with('?') && negated(x) == negated(claim))
        .map(|x| drugchatter_engine::testing::cosine(&claim_vector, &embedder().embed_one(x).unwrap()))
        .fold(f32::MIN, f32::max);
    let overlap = word_overlap(claim, &joined);
    (similarity >= t.strong_similarity && overlap >= t.strong_overlap)
        || (similarity >= t.similarity && overlap >= t.overlap)
}

fn assert_verified(checked: &[(String, SentenceStatus, Option<String>)]) {
    assert!(!checked.is_empty());
    for (text, status, reason) in checked {
        assert_eq!(*status, SentenceStatus::Verified, "{text}: {reason:?}");
    }
}

#[test]
fn a_wrong_dose_is_dropped() {
    let checked = check("For superficial basal cell carcinoma, apply it 7 times per week for 6 weeks [1].");
    assert_eq!(checked[0].1, SentenceStatus::Unverified, "{checked:?}");
    assert!(checked[0].2.as_deref().unwrap().contains("7 times"), "{checked:?}");
    let checked = check("For actinic keratosis, use it twice a week for 12 weeks [1].");
    assert_eq!(checked[0].1, SentenceStatus::Unverified, "{checked:?}");
}

#[test]
fn a_citation_to_an_unrelated_passage_is_dropped() {
    let checked = check("Imiquimod activates the immune system through toll-like receptor 7 [3].");
    assert_eq!(checked[0].1, SentenceStatus::Unverified, "{checked:?}");
}

#[test]
fn an_uncited_sentence_is_dropped() {
    let checked = check("Imiquimod activates the immune system through toll-like receptor 7.");
    assert_eq!(checked[0].1, SentenceStatus::Uncited, "{checked:?}");
}

#[test]
fn a_correct_paraphrase_is_kept() {
    let checked = check(
        "Imiquimod works by turning on the skin's innate immune defences via toll-like receptor 7 [2]. \
         For superficial basal cell carcinoma it is applied five times a week for six weeks [1].",
    );
    assert_eq!(checked.len(), 2);
    for (text, status, reason) in &checked {
        assert_eq!(*status, SentenceStatus::Verified, "{text}: {reason:?}");
    }
}

#[test]
fn a_citation_to_a_missing_source_is_dropped() {
    let checked = check("Store it at room temperature [7].");
    assert_eq!(checked[0].1, SentenceStatus::Unverified);
}

#[test]
fn a_forced_citation_to_an_unrelated_passage_still_fails() {
    // What citation-constrained decoding produces when the model picks the wrong source.
    let checked = check("Immune cells release interferon-alpha that attacks abnormal cells [3].");
    assert_eq!(checked[0].1, SentenceStatus::Unverified, "{checked:?}");
    let checked = check("Apply it 5 times per week for 6 weeks [2].");
    assert_eq!(checked[0].1, SentenceStatus::Unverified, "{checked:?}");
}

#[test]
fn a_reversed_claim_is_dropped() {
    let checked = check("Imiquimod does not switch on the skin's innate immune system [2].");
    assert_eq!(checked[0].1, SentenceStatus::Unverified, "{checked:?}");
    let checked = check("Do not store the cream at room temperature [3].");
    assert_eq!(checked[0].1, SentenceStatus::Unverified, "{checked:?}");
}

#[test]
fn a_negated_claim_against_a_passage_with_no_negation_says_why() {
    let checked = check("Imiquimod does not need to be stored at room temperature [3].");
    assert_eq!(checked[0].1, SentenceStatus::Unverified, "{checked:?}");
    let reason = checked[0].2.as_deref().unwrap_or_default();
    assert!(reason.contains("nothing negated"), "{reason}");
}

#[test]
fn an_echoed_source_label_is_not_part_of_the_claim() {
    let checked = check("Imiquimod (Storage): Store the cream at room temperature [3].");
    assert_eq!(checked[0].0, "Store the cream at room temperature.");
    assert_eq!(checked[0].1, SentenceStatus::Verified, "{checked:?}");
}

#[test]
fn questions_echoed_from_the_sources_are_not_claims() {
    let checked = check("Q: Where do I store the cream? [3] A: Store the cream at room temperature [3].");
    assert_eq!(checked.len(), 1, "{checked:?}");
    assert_eq!(checked[0].0, "Store the cream at room temperature.");
}

#[test]
fn an_invented_clause_after_a_copied_sentence_is_dropped() {
    let checked = check(
        "Imiquimod switches on the skin's innate immune system through toll-like receptor 7, which also lowers \
         blood pressure and cholesterol levels [2].",
    );
    assert_eq!(checked[0].1, SentenceStatus::Unverified, "{checked:?}");
}

/// Two products' schedules in one passage, one line each (invented names and doses).
fn schedules() -> Vec<Source> {
    vec![source(
        1,
        "Hepatitis B Vaccine",
        "Dosage",
        SectionKind::Dosage,
        "Vaxirex (20 years and older): 20 mcg at 0, 1 and 6 months.\nImmunova (18 years and older): 20 mcg at 0 \
         and 1 month (2 doses).\nProtegen (18 years and older): 10 mcg at 0, 1 and 6 months.",
    )]
}

#[test]
fn numbers_from_two_schedules_are_dropped() {
    // Every number is in the passage, but "0, 1 and 6 months" is another product's schedule.
    let claim = "Adults 18 years and older get 2 doses of Immunova at 0, 1 and 6 months.";
    assert_false_positive_dropped(claim, &schedules(), "together");
}

#[test]
fn numbers_from_one_schedule_are_kept() {
    assert_verified(&check_against(
        "Immunova is given to adults 18 years and older as 2 doses, at 0 and 1 month [1]. \
         Protegen (18 years and older) is given at 0, 1 and 6 months [1].",
        &schedules(),
    ));
}

/// A mechanism passage and a names passage (invented drug).
fn mechanism() -> Vec<Source> {
    vec![
        source(
            1,
            "Calmaxine",
            "How It Works",
            SectionKind::HowItWorks,
            "Calmaxine blocks the reuptake of serotonin by nerve cells, so serotonin stays longer between them. It \
             has little effect on dopamine or histamine receptors.\nPeak levels are reached 6 hours after a dose.\n\
             Onset: Sleep, energy and appetite may improve within 1 to 2 weeks; the full effect on mood takes 4 to 6 \
             weeks.",
        ),
        source(
            2,
            "Calmaxine",
            "Side Effects",
            SectionKind::SideEffects,
            "Common: nausea, sweating, tremor and a sedating effect in the first weeks.",
        ),
        source(3, "Calmaxine", "Alternate Names", SectionKind::AlternateNames, "Brand Names: Serenavil"),
    ]
}

#[test]
fn words_gathered_from_several_cited_passages_are_not_support() {
    // Its words are in the three passages joined, but no one passage says it.
    let claim = "Serenavil has little effect on dopamine receptors, and has a sedating effect on sleep, energy and \
                 appetite.";
    let sources = mechanism();
    assert!(
        accepted_before(claim, &[&sources[0], &sources[1], &sources[2]]),
        "no longer reproduces the false positive"
    );
    let checked = check_against(&format!("{claim} [1][2][3]"), &sources);
    assert_eq!(checked[0].1, SentenceStatus::Unverified, "{checked:?}");
    assert!(checked[0].2.as_deref().unwrap().starts_with("not supported"), "{checked:?}");
}

#[test]
fn an_invented_term_in_a_near_copy_is_dropped() {
    let claim = "Calmaxine has little effect on dopamine, histamine or NMDA receptors.";
    assert_false_positive_dropped(claim, &mechanism(), "nmda");
}

fn interactions() -> Vec<Source> {
    vec![source(
        1,
        "Doxycycline",
        "FAQs",
        SectionKind::Faqs,
        "Q: Can I take it with antacids?\nA: Keep antacids, calcium and iron tablets at least 2 hours apart from \
         your doxycycline dose. It may cause drowsiness, nausea and diarrhoea in some people.",
    )]
}

#[test]
fn a_garbled_word_in_a_near_copy_is_dropped() {
    let claim = "Keep antacrolls, calcium and iron tablets at least 2 hours apart from your doxycycline dose.";
    assert_false_positive_dropped(claim, &interactions(), "antacrolls");
}

#[test]
fn copies_inflections_and_other_spellings_are_kept() {
    assert_verified(&check_against(
        "Keep antacids, calcium and iron tablets at least 2 hours apart from your doxycycline dose [1]. \
         Doxycycline can cause drowsiness, nausea and diarrhea in some people [1]. \
         Keep antacids and calcium and iron supplements 2 hours away from doses of doxycycline [1].",
        &interactions(),
    ));
    assert_verified(&check_against("It may make some people drowsy [1].", &interactions()));
    // Asked about Serenavil: its brand name need not be in the cited passage.
    let asked = resolved("calmaxine", "Calmaxine", "serenavil", MatchKind::Brand);
    assert_verified(&check_about(
        "Calmaxine (How It Works) blocks serotonin reuptake by nerve cells, so serotonin stays longer between them \
         [1]. Sleep, energy and appetite may improve within 1 to 2 weeks [1]. Serenavil commonly causes nausea, \
         sweating, tremor and a sedating effect in the first weeks [2].",
        &mechanism(),
        &[asked],
    ));
}

#[test]
fn a_short_invented_clause_after_a_copied_sentence_is_dropped() {
    // Two content words ("makes", "stronger") are enough to be checked.
    let checked = check(
        "Store the cream at room temperature and keep the sachets closed until use, which makes it stronger [3].",
    );
    assert_eq!(checked[0].1, SentenceStatus::Unverified, "{checked:?}");
    // A clause must come from around the sentence the whole copies, not from elsewhere in the passage.
    let claim =
        "Calmaxine has little effect on dopamine or histamine receptors, especially after a full effect on mood.";
    assert_false_positive_dropped(claim, &mechanism(), "especially");
}

/// One FAQ passage (invented drug).
fn faq(text: &str) -> Vec<Source> {
    vec![source(1, "Calmaxine", "FAQs", SectionKind::Faqs, text)]
}

#[test]
fn a_copied_yes_or_no_is_dropped_and_quoted_with_its_question() {
    // The FAQ asks "Can I drive?"; a user asking "…drowsy enough that I shouldn't drive?"
    // would read the copied "No" the other way round.
    let sources =
        faq("Q: Can I drive after taking Calmaxine?\nA: No, not until you know how it affects you. It causes marked \
         drowsiness and slows reaction time.");
    assert_false_positive_dropped("No, not until you know how it affects you.", &sources, "yes or no");
    // A statement that opens with "No" is not an answer.
    assert_verified(&check_against(
        "No more than one dose a day is needed [1].",
        &faq("No more than one dose a day is needed for sleep."),
    ));
    // Quoted, an FAQ is always a unit with its question (answer/evidence.rs; tests/relevance.rs
    // `missed_dose_is_answered_by_the_faq_kept_whole`).
}

#[test]
fn a_near_copy_that_adds_a_thought_in_common_words_is_dropped() {
    let sources = faq("Dyrafen is combined with simethicone in OTC products for diarrhoea with gas and bloating.");
    let claim = "Dyrafen is sometimes combined with simethicone for treating diarrhoea caused by gas and bloating.";
    assert_false_positive_dropped(claim, &sources, "adds words");
}

#[test]
fn words_joined_from_apart_in_the_passage_are_dropped() {
    let sources =
        faq("Q: What if I miss my weekly Ostavan dose?\nA: Take one tablet on the morning after you remember, then \
         return to your usual weekly day. Never take two tablets on the same day.");
    assert_false_positive_dropped("Take one tablet on the morning of your usual day.", &sources, "apart");
    // Reordered and shortened lists keep their words close enough.
    assert_verified(&check_against(
        "Take one tablet on the morning after you remember [1]. Never take two tablets on the same day [1].",
        &sources,
    ));
}

#[test]
fn a_word_turned_into_its_opposite_is_dropped() {
    let sources = faq("Black stools from Bismolin are harmless and go away.");
    assert_false_positive_dropped("Black stools from Bismolin are harmful and go away.", &sources, "harmless");
}

#[test]
fn a_one_word_clause_after_a_copied_sentence_is_dropped() {
    // Seen with copy-biased decoding: the copy runs to the clause, then swerves.
    let sources = faq("Bismolin combines with sulfur in the gut to form black bismuth sulfide, which is harmless.");
    let claim = "Bismolin combines with sulfur in the gut to form black bismuth sulfide, which can be fatal.";
    assert_false_positive_dropped(claim, &sources, "which can be fatal");
}

#[test]
fn a_pronoun_copied_from_another_drugs_passage_is_dropped() {
    let sources = vec![
        source(1, "Calmaxine", "Interactions", SectionKind::DrugInteractions, "Calmaxine raises potassium levels."),
        source(2, "Dyrafen", "How It Works", SectionKind::HowItWorks, "It also blocks aldosterone in the kidney."),
    ];
    let drug = |slug: &str, title: &str| resolved(slug, title, slug, MatchKind::Generic);
    let claim = "It also blocks aldosterone in the kidney [2].";
    // Asked about Calmaxine (and Dyrafen), "It" reads as Calmaxine.
    let checked = check_about(claim, &sources, &[drug("calmaxine", "Calmaxine"), drug("dyrafen", "Dyrafen")]);
    assert_eq!(checked[0].1, SentenceStatus::Unverified, "{checked:?}");
    assert!(checked[0].2.as_deref().unwrap().contains("opens on \"it\""), "{checked:?}");
    // Asked about Dyrafen, it is right.
    assert_verified(&check_about(claim, &sources, &[drug("dyrafen", "Dyrafen")]));
}

#[test]
fn a_repeated_sentence_is_checked_once() {
    let checked =
        check("Store the cream at room temperature [3]. Store the cream at room temperature [3]. Store the cream [3].");
    assert_eq!(checked.len(), 1, "{checked:?}");
}

#[test]
fn a_true_sentence_about_something_else_is_marked_off_topic() {
    use drugchatter_engine::Intent;
    let catalog = DrugCatalog::new(&[]);
    let verifier = Verifier { embedder: embedder(), catalogs: vec![&catalog], thresholds: Thresholds::default() };
    let sources = sources();
    let mut sentences = verifier
        .check(
            "Store the cream at room temperature [3]. Immune cells then release interferon-alpha and other \
             cytokines [2].",
            &sources,
            &[],
        )
        .unwrap();
    assert!(sentences.iter().all(|s| s.status == SentenceStatus::Verified), "{sentences:?}");
    let question = embedder().embed_one("How does imiquimod work?").unwrap();
    verifier.mark_off_topic(&question, &[Intent::Mechanism], &sources, &mut sentences).unwrap();
    assert_eq!(sentences[0].status, SentenceStatus::OffTopic, "{sentences:?}");
    assert!(sentences[0].reason.as_deref().unwrap().contains("question does not ask"));
    // From the section the question asks about, it stays, however far its wording.
    assert_eq!(sentences[1].status, SentenceStatus::Verified, "{sentences:?}");
}

#[test]
fn a_line_copied_without_its_label_is_dropped_unless_the_question_names_it() {
    let catalog = DrugCatalog::new(&[]);
    let verifier = Verifier { embedder: embedder(), catalogs: vec![&catalog], thresholds: Thresholds::default() };
    let sources = schedules();
    let checked_for = |question: &str| {
        let mut sentences = verifier.check("20 mcg at 0 and 1 month (2 doses) [1].", &sources, &[]).unwrap();
        assert_eq!(sentences[0].status, SentenceStatus::Verified, "{sentences:?}");
        verifier.mark_dropped_labels(question, &sources, &mut sentences);
        sentences.remove(0)
    };
    // Said of Immunova only; as an answer on hepatitis B vaccines in general it is wrong.
    let general = checked_for("How many hepatitis B shots do adults need?");
    assert_eq!(general.status, SentenceStatus::Unverified, "{general:?}");
    assert!(general.reason.as_deref().unwrap().contains("Immunova (18 years and older)"), "{general:?}");
    assert_eq!(checked_for("How many Immunova shots do I need?").status, SentenceStatus::Verified);
}
