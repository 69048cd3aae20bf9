//! No network: the `drugchatter` binary indexes, imports, searches and answers (with and
//! without the answer model) inside a network namespace whose only interface is loopback,
//! and under strace it never creates an Internet socket at all.
//!
//! Both tests need root (or user namespaces) and strace. Where one is missing they say so
//! and pass, except in CI (`CI` set), where they fail: CI must prove the guarantee.

#[path = "../crates/engine/tests/common/mod.rs"]
mod common;

use std::path::Path;
use std::process::{Command, Output};

/// One step of the session both tests run, with what its output must show.
struct Step {
    name: &'static str,
    args: Vec<String>,
    check: fn(&serde_json::Value),
}

/// index → import → search (bundled and imported) → ask without and with the model.
fn session(corpus: &Path) -> Vec<Step> {
    let spl = common::shared().join("data/spl/FDA-openfda__cough.xml");
    let s = |v: &[&str]| v.iter().map(|a| a.to_string()).collect::<Vec<_>>();
    vec![
        Step { name: "index", args: s(&["index", "--corpus", corpus.to_str().unwrap()]), check: |_| {} },
        Step {
            name: "import",
            args: s(&["import", spl.to_str().unwrap(), "--library", "offline", "--json"]),
            check: |report| assert_eq!(report["labels_added"], 1, "{report}"),
        },
        Step {
            name: "search",
            args: s(&["search", "Aldara side effects", "-k", "3", "--json"]),
            check: |results| assert_eq!(results["hits"][0]["drug_slug"], "imiquimod", "{results}"),
        },
        Step {
            name: "search an imported label",
            args: s(&["search", "Triaminic warnings", "-k", "3", "--json"]),
            check: |results| assert_eq!(results["hits"][0]["library"], "offline", "{results}"),
        },
        Step {
            name: "ask --no-model",
            args: s(&["ask", "How does imiquimod work?", "--no-model", "--json"]),
            check: |answer| {
                assert_eq!(answer["status"], "extractive", "{answer}");
                assert_eq!(answer["sources"][0]["drug_slug"], "imiquimod", "{answer}");
            },
        },
        Step {
            name: "ask",
            args: s(&["ask", "How does imiquimod work?", "--max-tokens", "32", "--json"]),
            check: |answer| {
                assert_eq!(answer["model"], "SmolLM2-135M-Instruct.Q4_1.gguf", "{answer}");
                assert_ne!(answer["status"], "abstained", "{answer}");
            },
        },
    ]
}

/// Runs the whole session, each command wrapped by `wrap` (e.g. `unshare -n --`), in a
/// fresh data folder over a one-monograph corpus; returns each step's name and output.
fn run_session(wrap: &dyn Fn(&str) -> Command) -> Vec<(&'static str, Output)> {
    let corpus = common::corpus_copy(&["imiquimod"]);
    let data = tempfile::tempdir().unwrap();
    let mut outputs = Vec::new();
    for step in session(corpus.path()) {
        let out = wrap(step.name)
            .arg(env!("CARGO_BIN_EXE_drugchatter"))
            .args(&step.args)
            .env("DRUGCHATTER_DATA_DIR", data.path())
            .env("DRUGCHATTER_MODELS_DIR", common::models_dir())
            .env("DRUGCHATTER_CORPUS_DIR", corpus.path())
            .env_remove("DRUGCHATTER_LOG")
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{} failed ({}): {stderr}", step.name, out.status);
        if step.args.iter().any(|a| a == "--json") {
            let json: serde_json::Value = serde_json::from_slice(&out.stdout)
                .unwrap_or_else(|e| panic!("{}: not JSON ({e}): {}", step.name, String::from_utf8_lossy(&out.stdout)));
            (step.check)(&json);
        }
        outputs.push((step.name, out));
    }
    outputs
}

/// Whether a guarantee's tool works here; in CI its absence is a failure, elsewhere a skip.
fn available(tool: &str, probe: &mut Command) -> bool {
    let works = probe.output().is_ok_and(|o| o.status.success());
    if !works {
        assert!(std::env::var_os("CI").is_none(), "{tool} must work in CI to prove the no-network guarantee");
        eprintln!("SKIPPED: {tool} does not work on this machine (install it, run as root); the guarantee is unproven");
    }
    works
}

#[test]
fn every_command_works_in_a_network_namespace_without_interfaces() {
    if !available("unshare -n", Command::new("unshare").args(["-n", "true"])) {
        return;
    }
    // The namespace really has no network: its only interface is loopback.
    // (/proc/net follows the reader's namespace; /sys/class/net would show the host's.)
    let out = Command::new("unshare").args(["-n", "cat", "/proc/net/dev"]).output().unwrap();
    let table = String::from_utf8_lossy(&out.stdout);
    let interfaces: Vec<&str> = table.lines().skip(2).filter_map(|l| l.split(':').next()).map(str::trim).collect();
    assert_eq!(interfaces, ["lo"], "{table}");

    let steps = run_session(&|_| {
        let mut cmd = Command::new("unshare");
        cmd.args(["-n", "--"]);
        cmd
    });
    assert_eq!(steps.len(), 6);
}

/// The lines of an strace log that create an Internet (IPv4 or IPv6) socket.
fn internet_sockets_created(trace: &str) -> Vec<&str> {
    trace.lines().filter(|l| l.contains("socket(AF_INET") || l.contains("socket(PF_INET")).collect()
}

/// The lines of an strace log that create or use an Internet socket in any way (an
/// inherited one included): any address of family AF_INET or AF_INET6.
fn internet_socket_calls(trace: &str) -> Vec<&str> {
    trace.lines().filter(|l| l.contains("AF_INET") || l.contains("PF_INET")).collect()
}

/// `strace -f` limited to network system calls, logging to `log`.
fn strace(log: &Path) -> Command {
    let mut cmd = Command::new("strace");
    cmd.args(["-f", "--seccomp-bpf", "-e", "trace=network", "-o"]).arg(log).arg("--");
    cmd
}

#[test]
fn no_command_ever_creates_an_internet_socket() {
    if !available("strace", Command::new("strace").args(["-o", "/dev/null", "true"])) {
        return;
    }
    let logs = tempfile::tempdir().unwrap();

    // The check sees a program that does create Internet sockets (no traffic is sent).
    let control = logs.path().join("control.log");
    let out = strace(&control)
        .args(["python3", "-c", "import socket; socket.socket(socket.AF_INET); socket.socket(socket.AF_INET6)"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let trace = std::fs::read_to_string(&control).unwrap();
    assert_eq!(internet_sockets_created(&trace).len(), 2, "the control run's trace: {trace}");

    let steps = run_session(&|name| strace(&logs.path().join(format!("{}.log", name.replace(' ', "-")))));
    for (name, _) in steps {
        let trace = std::fs::read_to_string(logs.path().join(format!("{}.log", name.replace(' ', "-")))).unwrap();
        assert!(trace.contains("+++ exited with 0 +++"), "{name}: strace did not follow the run: {trace}");
        assert!(internet_sockets_created(&trace).is_empty(), "{name} created Internet sockets:\n{trace}");
        let calls = internet_socket_calls(&trace);
        assert!(calls.is_empty(), "{name} used Internet sockets:\n{}", calls.join("\n"));
    }
}
