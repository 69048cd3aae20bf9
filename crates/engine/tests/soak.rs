//! Soak: many sequential asks on the real model do not grow the process's memory. RSS is
//! read after a warm-up (model weights, caches and allocator pools in place) and after the
//! asks; the growth must stay under a generous bound. No timing is asserted.
//!
//! CI runs a short soak: `SOAK_ASKS` asks (default 6) of at most `SOAK_MAX_TOKENS` tokens
//! (default 48; one ask then takes about 10 s on 2 cores). `scripts/soak.sh 200` runs the
//! long soak with the app's settings (160 tokens), whose figures SECURITY.md reports.

mod common;

use drugchatter_engine::{AskOptions, Conversation};

/// Growth allowed over the asks, after the warm-up.
const MAX_GROWTH_MB: f64 = 64.0;
const WARM_UP_ASKS: usize = 3;

/// Varied questions over the small corpus: every drug, several intents, an abstention, a
/// follow-up (no drug named), and a long one.
const QUESTIONS: &[&str] = &[
    "How does imiquimod work?",
    "What is the usual dose of ibuprofen for a headache?",
    "Can I take ibuprofen with lisinopril?",
    "What are the side effects of metformin?",
    "Is sertraline safe during pregnancy?",
    "What about while breastfeeding?",
    "What should I do if I miss a dose of rivastigmine?",
    "Can I still take ranitidine for heartburn?",
    "How much acetaminophen is too much in one day?",
    "What is zolmitriptan used for?",
    "Who should not take lisinopril, and what are the warning signs of angioedema or a dangerous drop in blood \
     pressure that should make me call a doctor straight away?",
];

/// Resident and peak memory of this process, in MB, from /proc.
fn memory_mb() -> (f64, f64) {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let field = |name: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|rest| rest.split_whitespace().next())
            .and_then(|kb| kb.parse::<f64>().ok())
            .map(|kb| kb / 1024.0)
            .unwrap_or_else(|| panic!("{name} not in /proc/self/status"))
    };
    (field("VmRSS:"), field("VmHWM:"))
}

#[test]
fn sequential_asks_do_not_grow_memory() {
    let setting = |name: &str, default: usize| std::env::var(name).ok().and_then(|n| n.parse().ok()).unwrap_or(default);
    let asks = setting("SOAK_ASKS", 6);
    let options = AskOptions { max_tokens: setting("SOAK_MAX_TOKENS", 48), ..AskOptions::default() };
    let engine = common::small_engine();
    engine.load_generator(None).expect("the bundled generator loads");
    let mut conversation = Conversation::default();
    let mut ask = |n: usize| {
        let question = QUESTIONS[n % QUESTIONS.len()];
        let answer = engine.ask(question, &mut conversation, &options, &mut |_| true).unwrap();
        assert!(answer.sentences.iter().all(|s| s.status.is_fact()), "{question}: {answer:#?}");
        answer.timings.generated_tokens
    };

    for n in 0..WARM_UP_ASKS {
        ask(n);
    }
    let (before, _) = memory_mb();
    let started = std::time::Instant::now();
    let mut tokens = 0;
    for n in 0..asks {
        tokens += ask(WARM_UP_ASKS + n);
        if (n + 1) % 20 == 0 {
            eprintln!("soak: {} asks, RSS {:.1} MB", n + 1, memory_mb().0);
        }
    }
    let (after, peak) = memory_mb();
    eprintln!(
        "soak: {asks} asks of at most {} tokens after {WARM_UP_ASKS} warm-up asks ({tokens} tokens generated, {:.0} \
         s): RSS {before:.1} MB before, {after:.1} MB after ({:+.1} MB), peak {peak:.1} MB",
        options.max_tokens,
        started.elapsed().as_secs_f64(),
        after - before
    );
    assert!(after - before < MAX_GROWTH_MB, "RSS grew {:.1} MB over {asks} asks", after - before);
}
