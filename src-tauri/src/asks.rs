//! One ask at a time, and the newest wins.
//!
//! A new ask raises the running ask's cancel flag, then waits for its turn. The engine calls
//! back after every generated token, and the callback returns `false` once the flag is up,
//! so the wait is one token long. An ask superseded while it still waited for its turn
//! gives up without running. Nothing here waits on anything but the turn, so two asks, or
//! an ask and a Stop, cannot wait on each other.

use crate::poison::lock;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

#[derive(Default)]
pub struct Asks {
    /// The newest ask's cancel flag.
    current: Mutex<Arc<AtomicBool>>,
    /// Held by the ask that runs.
    turn: Mutex<()>,
}

/// One ask's place in line: its cancel flag.
pub struct Ticket {
    cancelled: Arc<AtomicBool>,
}

impl Ticket {
    /// Stop (the user pressed Stop, a newer ask came, or the window closed).
    pub fn is_cancelled(&self) -> bool {
        self.cancelled.load(Ordering::SeqCst)
    }
}

impl Asks {
    /// Starts a new ask: cancels the running one (and any still waiting) and returns the
    /// new one's ticket.
    pub fn begin(&self) -> Ticket {
        let cancelled = Arc::new(AtomicBool::new(false));
        let previous = std::mem::replace(&mut *lock(&self.current), Arc::clone(&cancelled));
        previous.store(true, Ordering::SeqCst);
        Ticket { cancelled }
    }

    /// Waits until no other ask runs, then holds the turn while the guard lives. `None` when
    /// the ask was cancelled in the meantime: it must not run.
    pub fn wait_turn(&self, ticket: &Ticket) -> Option<MutexGuard<'_, ()>> {
        let turn = lock(&self.turn);
        (!ticket.is_cancelled()).then_some(turn)
    }

    /// Cancels the newest ask, if it still runs (Stop).
    pub fn cancel(&self) {
        lock(&self.current).store(true, Ordering::SeqCst);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::mpsc;
    use std::thread;

    /// Stands in for a generation: sends one "token" per step until its ticket is cancelled,
    /// waiting for the test's go-ahead between tokens. Returns how many it generated, or
    /// `None` when it never got its turn.
    fn generate(asks: &Asks, ticket: Ticket, tokens: mpsc::Sender<usize>, steps: mpsc::Receiver<()>) -> Option<usize> {
        let _turn = asks.wait_turn(&ticket)?;
        let mut generated = 0;
        while !ticket.is_cancelled() {
            generated += 1;
            if tokens.send(generated).is_err() || steps.recv().is_err() {
                break;
            }
        }
        Some(generated)
    }

    #[test]
    fn a_new_ask_cancels_the_running_one_and_then_runs() {
        let asks = Arc::new(Asks::default());
        let (first_tokens, first_token) = mpsc::channel();
        let (first_step, first_steps) = mpsc::channel();
        let first = {
            let asks = Arc::clone(&asks);
            let ticket = asks.begin();
            thread::spawn(move || generate(&asks, ticket, first_tokens, first_steps))
        };
        assert_eq!(first_token.recv().unwrap(), 1, "the first ask is generating");

        // The second ask arrives mid-generation: the first stops at its next token.
        let second_ticket = asks.begin();
        let (second_tokens, second_token) = mpsc::channel();
        let (second_step, second_steps) = mpsc::channel();
        let second = {
            let asks = Arc::clone(&asks);
            thread::spawn(move || generate(&asks, second_ticket, second_tokens, second_steps))
        };
        first_step.send(()).unwrap();
        assert_eq!(first.join().unwrap(), Some(1), "the first ask stopped after the token it was writing");
        assert_eq!(second_token.recv().unwrap(), 1, "the second ask got its turn");
        asks.cancel();
        second_step.send(()).unwrap();
        assert_eq!(second.join().unwrap(), Some(1), "Stop ends the second ask too");
    }

    #[test]
    fn an_ask_superseded_while_waiting_never_runs() {
        let asks = Asks::default();
        let running = asks.begin();
        let guard = asks.wait_turn(&running).expect("nothing else runs");
        let waiting = asks.begin();
        let newest = asks.begin();
        assert!(running.is_cancelled() && waiting.is_cancelled() && !newest.is_cancelled());
        drop(guard);
        assert!(asks.wait_turn(&waiting).is_none(), "a superseded ask gives up");
        assert!(asks.wait_turn(&newest).is_some(), "the newest runs");
    }

    #[test]
    fn stop_cancels_only_the_newest_ask() {
        let asks = Asks::default();
        let older = asks.begin();
        let newer = asks.begin();
        asks.cancel();
        assert!(older.is_cancelled() && newer.is_cancelled());
        let next = asks.begin();
        assert!(!next.is_cancelled(), "an ask after Stop runs");
        assert!(asks.wait_turn(&next).is_some());
    }
}
