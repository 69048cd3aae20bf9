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
