//! `drugchatter`: the command-line client of the DrugChatter engine.

mod args;
mod bench;
mod eval;
mod printer;
mod progress_bar;

use anyhow::{Context, Result};
use args::{Args, Command, LibraryAction};
use clap::Parser;
use drugchatter_engine::ImportOptions;
use drugchatter_engine::{AnswerUpdate, AskOptions, Conversation};
use drugchatter_engine::{Engine, Paths};
use std::io::{BufRead, Write};
use std::time::Instant;

fn main() -> std::process::ExitCode {
    let args = Args::parse();
    init_logging(args.verbose);
    match run(args) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

fn init_logging(verbose: u8) {
    let default = match verbose {
        0 => "warn",
        1 => "info",
        _ => "debug",
    };
    let filter = tracing_subscriber::EnvFilter::try_from_env("DRUGCHATTER_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default));
    tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).init();
}

fn paths(args: &Args) -> Paths {
    let mut paths = Paths::discover();
    if let Some(dir) = &args.data_dir {
        paths.data_dir = dir.clone();
    }
    if let Some(dir) = &args.models_dir {
        paths.models_dir = dir.clone();
    }
    paths
}

fn run(args: Args) -> Result<std::process::ExitCode> {
    let mut paths = paths(&args);
    match &args.command {
        Command::Index { corpus, store_vectors } => {
            if let Some(corpus) = corpus {
                paths.corpus_dir = corpus.clone();
            }
            let mut engine = Engine::open(paths).context("starting the engine")?;
            let bar = progress_bar::Bar::new();
            let report = engine.update_index(None, &bar)?;
            bar.finish();
            printer::standard::build_report(&report);
            if *store_vectors {
                let (written, dir) = engine.store_vectors().context("storing the passage vectors")?;
                println!("stored the vectors of {written} monographs in {}", dir.display());
            }
            Ok(if report.failures.is_empty() {
                std::process::ExitCode::SUCCESS
            } else {
                std::process::ExitCode::from(2)
            })
        }
        Command::Import { paths: inputs, library, embed_tokens, json } => {
            let engine = Engine::open(paths).context("starting the engine")?;
            let options = ImportOptions { library: library.clone(), embed_max_tokens: usize::from(*embed_tokens) };
            let bar = progress_bar::Bar::new();
            let report = engine.import(inputs, &options, &bar)?;
            bar.finish();
            if *json {
                printer::json::print(&report)?;
            } else {
                printer::standard::import_report(&report);
            }
            Ok(if report.build.is_some() { std::process::ExitCode::SUCCESS } else { std::process::ExitCode::from(2) })
        }
        Command::Library { action: LibraryAction::List { json } } => {
            let engine = Engine::open(paths).context("starting the engine")?;
            let libraries = engine.library_infos();
            if *json {
                printer::json::print(&libraries)?;
            } else {
                printer::standard::libraries(&libraries);
            }
            Ok(std::process::ExitCode::SUCCESS)
        }
        Command::Library { action: LibraryAction::Remove { name } } => {
            drugchatter_engine::remove_library(&paths, name)?;
            eprintln!("removed the library {name:?}");
            Ok(std::process::ExitCode::SUCCESS)
        }
        Command::Lint { dir } => {
            let dir = dir.clone().unwrap_or(paths.corpus_dir);
            let report = drugchatter_engine::lint(&dir)?;
            for problem in &report.problems {
                println!("{problem}");
            }
            eprintln!("{} files, {} problems", report.files, report.problems.len());
            Ok(if report.problems.is_empty() {
                std::process::ExitCode::SUCCESS
            } else {
                std::process::ExitCode::from(1)
            })
        }
        Command::Search { question, k, json } => {
            let started = Instant::now();
            let engine = open_with_index(paths)?;
            let results = engine.search(question, usize::from(*k))?;
            if *json {
                printer::json::print(&results)?;
            } else {
                printer::standard::search_results(&results, started.elapsed());
            }
            Ok(std::process::ExitCode::SUCCESS)
        }
        Command::Class { name, json } => {
            let engine = open_with_index(paths)?;
            match name {
                None if *json => printer::json::print(&engine.drug_classes())?,
                None => printer::standard::classes(&engine.drug_classes()),
                Some(name) => {
                    let page = engine.drug_class(name)?;
                    if *json {
                        printer::json::print(&page)?;
                    } else {
                        printer::standard::class_page(&page);
                    }
                }
            }
            Ok(std::process::ExitCode::SUCCESS)
        }
        Command::Ask { question, answer } => {
            let engine = open_for_answers(paths, answer)?;
            let mut conversation = Conversation::default();
            ask_once(&engine, question, &mut conversation, answer)?;
            Ok(std::process::ExitCode::SUCCESS)
        }
        Command::Chat { answer } => {
            let engine = open_for_answers(paths, answer)?;
            chat(&engine, answer)?;
            Ok(std::process::ExitCode::SUCCESS)
        }
        Command::Eval { file, limit, dump, answer } => {
            let engine = open_for_answers(paths, answer)?;
            eval::run(&engine, file, &ask_options(answer), *limit, dump.as_deref())?;
            Ok(std::process::ExitCode::SUCCESS)
        }
        Command::Bench {
            corpus,
            questions,
            synthetic,
            synthetic_only,
            import,
            embed_tokens,
            embedding,
            generation,
            question,
            model,
            max_tokens,
            llama_python,
            repeats,
        } => {
            if let Some(corpus) = corpus {
                paths.corpus_dir = corpus.clone();
            }
            if *generation {
                let engine = open_with_index(paths)?;
                let default_python = std::env::var_os("HOME")
                    .map(|home| std::path::PathBuf::from(home).join(".cache/drugchatter/llama-venv/bin/python"))
                    .filter(|p| p.exists());
                let options = bench::generation::Options {
                    question: question.clone(),
                    model: model.clone(),
                    max_tokens: *max_tokens,
                    llama_python: llama_python.clone().or(default_python),
                    repeats: *repeats,
                };
                bench::generation::run(&engine, &options)?;
            } else if *embedding {
                bench::embedding(paths)?;
            } else if import.is_empty() {
                bench::run(paths, questions, *synthetic, !*synthetic_only)?;
            } else {
                bench::import_scale(paths, import, usize::from(*embed_tokens))?;
            }
            Ok(std::process::ExitCode::SUCCESS)
        }
    }
}

/// Opens the engine and builds the index if there is none yet (first use).
fn open_with_index(paths: Paths) -> Result<Engine> {
    let mut engine = Engine::open(paths).context("starting the engine")?;
    let bar = progress_bar::Bar::new();
    if let Some(report) = engine.ensure_index(&bar)? {
        bar.finish();
        eprintln!("built the index on first use:");
        printer::standard::build_report(&report);
    }
    Ok(engine)
}

fn ask_options(args: &args::AnswerArgs) -> AskOptions {
    let defaults = AskOptions::default();
    AskOptions {
        max_tokens: usize::from(args.max_tokens),
        show_unverified: args.show_unverified,
        constrain_citations: !args.free_citations,
        copy_bias: args.copy_bias.unwrap_or(defaults.copy_bias),
        open_with_drug: defaults.open_with_drug && !args.free_opening,
        ..defaults
    }
}

/// Opens the engine, builds the index on first use, and loads the answer model.
fn open_for_answers(paths: Paths, args: &args::AnswerArgs) -> Result<Engine> {
    let engine = open_with_index(paths)?;
    if !args.no_model {
        let started = Instant::now();
        let id = engine.load_generator(args.model.as_deref()).context("loading the answer model")?;
        tracing::info!("loaded {id} in {:.1} s", started.elapsed().as_secs_f64());
    }
    Ok(engine)
}

fn ask_once(engine: &Engine, question: &str, conversation: &mut Conversation, args: &args::AnswerArgs) -> Result<()> {
    let options = ask_options(args);
    // The raw draft is unchecked: it is shown only to those who asked to see unverified
    // sentences. Everyone else sees a spinner counting the sentences checked so far.
    let show_draft = !args.json && args.show_unverified;
    let spinner = (!args.json && !show_draft).then(progress_bar::Spinner::writing);
    let mut streamed_any = false;
    let mut verified = 0;
    let mut on_update = |update: AnswerUpdate<'_>| {
        match update {
            AnswerUpdate::Draft(piece) if show_draft => {
                if !streamed_any {
                    print!("(draft, being checked) ");
                    streamed_any = true;
                }
                print!("{piece}");
                let _ = std::io::stdout().flush();
            }
            AnswerUpdate::Verified(_) => {
                verified += 1;
                if let Some(spinner) = &spinner {
                    spinner.checked(verified);
                }
            }
            AnswerUpdate::Draft(_) => {}
        }
        true
    };
    let answer = engine.ask(question, conversation, &options, &mut on_update);
    if let Some(spinner) = &spinner {
        spinner.finish();
    }
    let answer = answer?;
    if args.json {
        printer::json::print(&answer)?;
    } else {
        printer::answer::answer(&answer, streamed_any);
    }
    Ok(())
}

fn chat(engine: &Engine, args: &args::AnswerArgs) -> Result<()> {
    let mut conversation = Conversation::default();
    let stdin = std::io::stdin();
    eprintln!("Ask about a medicine. Follow-up questions keep the drug. An empty line or Ctrl-D ends.");
    loop {
        eprint!("\n> ");
        let mut line = String::new();
        if stdin.lock().read_line(&mut line)? == 0 || line.trim().is_empty() {
            return Ok(());
        }
        if let Err(e) = ask_once(engine, line.trim(), &mut conversation, args) {
            eprintln!("error: {e:#}");
        }
    }
}
