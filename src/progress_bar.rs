//! Shows engine progress as a terminal bar (indicatif) on stderr; hidden when not a terminal.

use drugchatter_engine::{Progress, Stage};
use indicatif::{ProgressBar, ProgressStyle};

pub struct Bar {
    bar: ProgressBar,
}

impl Bar {
    pub fn new() -> Bar {
        Bar { bar: ProgressBar::hidden() }
    }

    pub fn finish(&self) {
        self.bar.finish_and_clear();
    }
}

impl Progress for Bar {
    fn stage(&self, stage: Stage, total: u64) {
        if self.bar.is_hidden() {
            self.bar.set_draw_target(indicatif::ProgressDrawTarget::stderr());
        }
        self.bar.set_position(0);
        self.bar.set_length(total);
        let template = if stage == Stage::Reading {
            "{prefix:>10} [{bar:30}] {bytes}/{total_bytes} ({bytes_per_sec}, eta {eta})"
        } else if total > 0 {
            "{prefix:>10} [{bar:30}] {pos}/{len} ({per_sec}, eta {eta})"
        } else {
            "{prefix:>10} {spinner}"
        };
        self.bar.set_style(ProgressStyle::with_template(template).expect("valid template").progress_chars("=> "));
        self.bar.set_prefix(stage.label());
    }

    fn advance(&self, done: u64) {
        self.bar.set_position(done);
    }
}

/// A spinner on stderr while an answer is written and checked; hidden when not a terminal.
pub struct Spinner {
    bar: ProgressBar,
}

impl Spinner {
    pub fn writing() -> Spinner {
        let bar = ProgressBar::new_spinner();
        bar.set_draw_target(indicatif::ProgressDrawTarget::stderr());
        bar.set_style(ProgressStyle::with_template("{spinner} {msg}").expect("valid template"));
        bar.set_message("Finding and checking the answer…");
        bar.enable_steady_tick(std::time::Duration::from_millis(120));
        Spinner { bar }
    }

    /// `count` sentences of the draft have passed verification.
    pub fn checked(&self, count: usize) {
        let sentences = if count == 1 { "sentence" } else { "sentences" };
        self.bar.set_message(format!("Writing the answer: {count} {sentences} checked…"));
    }

    pub fn finish(&self) {
        self.bar.finish_and_clear();
    }
}
