//! Crash safety under `kill -9`: `drugchatter index` and `drugchatter import` are killed at
//! random moments. After every kill the library's index must load and be exactly the old
//! complete index or the new complete one (never a mix, never unreadable); the next run
//! must finish the work, and search must answer from it.
//!
//! CI runs `CRASH_TRIALS` trials of each command (default 3); `scripts/crash-loop.sh` runs
//! 25 of each. `CRASH_SEED` replays a run (the seed is printed).

#[path = "../crates/engine/tests/common/mod.rs"]
mod common;

use drugchatter_engine::testing::Index;
use drugchatter_engine::Error;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

/// What identifies an index's content: its drugs and its chunks, in order.
#[derive(Debug, Clone, PartialEq)]
struct Snapshot {
    drugs: Vec<String>,
    chunks: Vec<String>,
}

/// The live index of `library`: None when there is none; a panic when it is unreadable.
fn snapshot(data: &Path, library: &str) -> Option<Snapshot> {
    match Index::load(&data.join("index").join(library)) {
        Ok(index) => Some(Snapshot {
            drugs: index.drugs.iter().map(|d| d.slug.clone()).collect(),
            chunks: index.chunks.iter().map(|c| format!("{} {}", c.id, c.text)).collect(),
        }),
        Err(Error::NoIndex { .. }) => None,
        Err(e) => panic!("the index of {library} is unreadable after a kill: {e}"),
    }
}

fn drugchatter(data: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_drugchatter"));
    cmd.env("DRUGCHATTER_DATA_DIR", data)
        .env("DRUGCHATTER_MODELS_DIR", common::models_dir())
        .env_remove("DRUGCHATTER_LOG")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null());
    cmd
}

/// Small, seedable, dependency-free randomness (xorshift64*).
struct Random(u64);

impl Random {
    fn unit(&mut self) -> f64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        (self.0.wrapping_mul(0x2545_f491_4f6c_dd1d) >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// One command to kill, the data folder it starts from, and what its work leads to.
struct Scenario {
    name: &'static str,
    library: &'static str,
    args: Vec<String>,
    /// A data folder holding the old, complete state; each trial starts from a copy.
    old_state: tempfile::TempDir,
    /// A search whose top hit must be `expect_drug` once the work is done.
    question: &'static str,
    expect_drug: &'static str,
}

/// What the trials of a scenario saw right after their kill.
#[derive(Default, Debug)]
struct Tally {
    old: usize,
    new: usize,
    finished_before_kill: usize,
}

fn run_to_completion(scenario: &Scenario, data: &Path) -> Duration {
    let started = Instant::now();
    let status = drugchatter(data).args(&scenario.args).status().unwrap();
    assert!(status.success(), "{}: {status}", scenario.name);
    started.elapsed()
}

/// Whether a build has started writing a new generation (its temporary folder exists).
fn writing_a_generation(index_root: &Path) -> bool {
    std::fs::read_dir(index_root)
        .map(|entries| entries.flatten().any(|e| e.file_name().to_string_lossy().starts_with(".tmp-")))
        .unwrap_or(false)
}

fn run_trials(scenario: &Scenario, trials: usize, random: &mut Random) -> Tally {
    // The reference: the old state, then the work run undisturbed.
    let old = snapshot(scenario.old_state.path(), scenario.library);
    let reference = tempfile::tempdir().unwrap();
    common::copy_dir(scenario.old_state.path(), reference.path());
    let duration = run_to_completion(scenario, reference.path());
    let new = snapshot(reference.path(), scenario.library).expect("the finished work has an index");
    assert_ne!(old.as_ref(), Some(&new), "{}: the work must change the index", scenario.name);

    let mut tally = Tally::default();
    for trial in 0..trials {
        let data = tempfile::tempdir().unwrap();
        common::copy_dir(scenario.old_state.path(), data.path());
        let index_root = data.path().join("index").join(scenario.library);
        let started = Instant::now();
        let mut child = drugchatter(data.path()).args(&scenario.args).spawn().unwrap();
        // A third of the kills anywhere in the run, a third in its last fifth, and a third
        // within 250 ms of the new generation's first file: writing and switching the index
        // takes milliseconds, a window that chosen times would rarely hit.
        match trial % 3 {
            0 => std::thread::sleep(duration.mul_f64(random.unit())),
            1 => std::thread::sleep(duration.mul_f64(0.8 + 0.25 * random.unit())),
            _ => {
                while child.try_wait().unwrap().is_none() && !writing_a_generation(&index_root) {
                    std::thread::sleep(Duration::from_millis(1));
                }
                std::thread::sleep(Duration::from_secs_f64(0.25 * random.unit()));
            }
        }
        let delay = started.elapsed();
        let finished = child.try_wait().unwrap().is_some();
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();

        let found = snapshot(data.path(), scenario.library);
        let what = match &found {
            _ if finished => {
                tally.finished_before_kill += 1;
                "finished before the kill"
            }
            f if *f == old => {
                tally.old += 1;
                "old index"
            }
            Some(f) if *f == new => {
                tally.new += 1;
                "new index"
            }
            _ => panic!("{} trial {trial}: killed after {delay:?}, the index is neither old nor new", scenario.name),
        };
        eprintln!(
            "{} trial {trial}: killed after {:.2}s of {:.2}s: {what}",
            scenario.name,
            delay.as_secs_f64(),
            duration.as_secs_f64()
        );
        if finished {
            assert_eq!(
                found.as_ref(),
                Some(&new),
                "{} trial {trial}: a finished run left the new index",
                scenario.name
            );
        }

        // The next run finishes the work, leaves no temporary generation, and search answers.
        run_to_completion(scenario, data.path());
        assert_eq!(snapshot(data.path(), scenario.library).as_ref(), Some(&new), "{} trial {trial}", scenario.name);
        let leftovers: Vec<PathBuf> = std::fs::read_dir(&index_root)
            .unwrap()
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.file_name().unwrap().to_string_lossy().starts_with(".tmp"))
            .collect();
        assert!(leftovers.is_empty(), "{} trial {trial}: temporary generations left: {leftovers:?}", scenario.name);
        let out = drugchatter(data.path())
            .args(["search", scenario.question, "-k", "1", "--json"])
            .stdout(std::process::Stdio::piped())
            .output()
            .unwrap();
        assert!(out.status.success(), "{} trial {trial}: search failed", scenario.name);
        let results: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(results["hits"][0]["drug_slug"], scenario.expect_drug, "{} trial {trial}: {results}", scenario.name);
    }
    tally
}

/// An index of one monograph; the work adds a second and changes the first.
fn index_scenario(corpus: &Path) -> Scenario {
    let old_state = tempfile::tempdir().unwrap();
    let old_corpus = common::corpus_copy(&["loratadine"]);
    let status = drugchatter(old_state.path()).args(["index", "--corpus"]).arg(old_corpus.path()).status().unwrap();
    assert!(status.success());
    for slug in ["loratadine", "cetirizine"] {
        std::fs::copy(common::repo().join(format!("corpus/{slug}.md")), corpus.join(format!("{slug}.md"))).unwrap();
    }
    let loratadine = corpus.join("loratadine.md");
    let text = std::fs::read_to_string(&loratadine).unwrap();
    std::fs::write(&loratadine, text.replacen("## **Usage**\n", "## **Usage**\n\nA sentence added by the test.\n", 1))
        .unwrap();
    Scenario {
        name: "index",
        library: "bundled",
        args: vec!["index".into(), "--corpus".into(), corpus.to_string_lossy().into_owned()],
        old_state,
        question: "Zyrtec side effects",
        expect_drug: "cetirizine",
    }
}

/// A library with one imported label; the work imports a second. (A small bundled index
/// sits beside it, or the search would first index the whole bundled corpus.)
fn import_scenario() -> Scenario {
    let spl = common::shared().join("data/spl");
    let old_state = tempfile::tempdir().unwrap();
    let bundled = common::corpus_copy(&["loratadine"]);
    let status = drugchatter(old_state.path()).args(["index", "--corpus"]).arg(bundled.path()).status().unwrap();
    assert!(status.success());
    let status = drugchatter(old_state.path())
        .args(["import", "--library", "labels", "--embed-tokens", "64"])
        .arg(spl.join("FDA-openfda__cough.xml"))
        .status()
        .unwrap();
    assert!(status.success());
    Scenario {
        name: "import",
        library: "labels",
        args: vec![
            "import".into(),
            "--library".into(),
            "labels".into(),
            "--embed-tokens".into(),
            "64".into(),
            spl.join("FDA-openfda__no-title.xml").to_string_lossy().into_owned(),
        ],
        old_state,
        question: "haloperidol overdose",
        expect_drug: "haloperidol",
    }
}

/// Runs the trials of one scenario: `CRASH_TRIALS` kills (default 3), `CRASH_SEED` to replay.
fn crash_loop(scenario: Scenario) {
    let trials: usize = std::env::var("CRASH_TRIALS").ok().and_then(|t| t.parse().ok()).unwrap_or(3);
    let seed: u64 = std::env::var("CRASH_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or_else(|| {
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos() as u64 | 1
    });
    eprintln!("crash loop: {}: {trials} trials, CRASH_SEED={seed}", scenario.name);
    let tally = run_trials(&scenario, trials, &mut Random(seed));
    eprintln!(
        "crash loop: {}: {trials} kills: {} found the old index, {} the new one, {} finished before the kill",
        scenario.name, tally.old, tally.new, tally.finished_before_kill
    );
}

#[test]
fn kill_9_during_index_never_leaves_a_broken_index() {
    let corpus = tempfile::tempdir().unwrap();
    crash_loop(index_scenario(corpus.path()));
}

#[test]
fn kill_9_during_import_never_leaves_a_broken_index() {
    crash_loop(import_scenario());
}
