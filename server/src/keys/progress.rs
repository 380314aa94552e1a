//! What `carillon rekey` shows while it works: a bar per kind of value, on stderr.

use std::{
    io::{IsTerminal, Write},
    ops::ControlFlow,
};

/// Told of the work as it goes; may stop it between two batches (each batch is committed
/// on its own, so stopping there is what an interruption does at worst).
pub trait Progress {
    /// Work on `what` begins: `total` values to re-encrypt, as counted now.
    fn start(&mut self, what: &str, total: u64);
    /// `done` of them are now handled (re-encrypted, or found unreadable).
    fn advance(&mut self, done: u64) -> ControlFlow<()>;
    /// `what` is finished.
    fn finish(&mut self, what: &str, resealed: u64, unreadable: u64);
}

/// A bar redrawn in place on a terminal; one line per kind of value otherwise (a log).
pub struct Bar {
    what: String,
    total: u64,
    terminal: bool,
}

const WIDTH: u64 = 30;

impl Bar {
    pub fn stderr() -> Self {
        Bar {
            what: String::new(),
            total: 0,
            terminal: std::io::stderr().is_terminal(),
        }
    }

    fn draw(&self, done: u64) {
        let total = self.total.max(done).max(1);
        let filled = done * WIDTH / total;
        let bar: String = (0..WIDTH)
            .map(|i| if i < filled { '#' } else { '-' })
            .collect();
        let mut err = std::io::stderr().lock();
        let _ = write!(
            err,
            "\r{:<28} [{bar}] {done}/{} ({}%)",
            self.what,
            self.total.max(done),
            done * 100 / total
        );
        let _ = err.flush();
    }
}

impl Progress for Bar {
    fn start(&mut self, what: &str, total: u64) {
        self.what = what.to_owned();
        self.total = total;
        if self.terminal {
            self.draw(0);
        }
    }

    fn advance(&mut self, done: u64) -> ControlFlow<()> {
        if self.terminal {
            self.draw(done);
        }
        ControlFlow::Continue(())
    }

    fn finish(&mut self, what: &str, resealed: u64, unreadable: u64) {
        let mut err = std::io::stderr().lock();
        if self.terminal {
            let _ = write!(err, "\r\x1b[2K");
        }
        let unreadable = if unreadable > 0 {
            format!(", {unreadable} unreadable (left as they are; see the log)")
        } else {
            String::new()
        };
        let _ = writeln!(err, "{what:<28} {resealed} re-encrypted{unreadable}");
    }
}
