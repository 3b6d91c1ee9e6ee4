//! `--step --predict`'s pages: what has been printed since the last stop
//! (a pause, or a question answered), counted in screen rows on its way
//! out, and the presenter's pause before what would not fit.

use std::cell::Cell;
use std::io::Write;
use std::rc::Rc;

use super::{Paused, Pausing};
use crate::render::{Format, Output};

/// `--step --predict`'s pages: the rows printed since the last stop (a
/// pause, or a question answered), and the presenter's pause, taken after
/// each block's results and before whatever would make the page taller
/// than the screen.
pub(super) struct Pager<'a> {
    pub(super) pausing: Option<Pausing<'a>>,
    /// Rows printed since the last stop (counted by [`Rows`]).
    pub(super) used: Rc<Cell<usize>>,
    pub(super) output: Output,
    pub(super) columns: usize,
    /// The presenter stopped at a pause (`q`, Ctrl-C).
    pub(super) stopped: Option<Paused>,
}

impl Pager<'_> {
    /// Whether there are pages at all (`--step`).
    pub(super) fn pages(&self) -> bool {
        self.pausing.is_some()
    }

    /// Before printing what `draw` prints (and `extra` rows more, such as
    /// the answer's line under a question): pauses first when it would make
    /// the page taller than the screen. `false`: the presenter stopped.
    pub(super) fn fit(
        &mut self,
        format: &mut dyn Format,
        extra: usize,
        draw: impl FnOnce(&mut dyn Format) -> std::io::Result<()>,
    ) -> anyhow::Result<bool> {
        let Some(screen) = self.pausing.as_ref().map(|p| p.rows) else {
            return Ok(true);
        };
        if self.stopped.is_some() {
            return Ok(false);
        }
        let mut drawn = Vec::new();
        draw(&mut *self.output.format(&mut drawn))?;
        let rows = crate::term::width::rows(&String::from_utf8_lossy(&drawn), self.columns);
        let used = self.used.get();
        // One row of the screen is the pause line.
        if used > 0 && used + rows + extra > screen.saturating_sub(1) {
            return self.pause(format);
        }
        Ok(true)
    }

    /// The presenter's pause (with `--step`). `false`: the presenter stopped.
    pub(super) fn pause(&mut self, format: &mut dyn Format) -> anyhow::Result<bool> {
        let Some(pausing) = self.pausing.as_mut() else {
            return Ok(true);
        };
        if self.stopped.is_some() {
            return Ok(false);
        }
        format.flush()?;
        self.used.set(0);
        match (pausing.wait)()? {
            Paused::Next => Ok(true),
            stop => {
                self.stopped = Some(stop);
                Ok(false)
            }
        }
    }

    /// A question was answered: what follows opens a page.
    pub(super) fn restart(&self) {
        self.used.set(0);
    }
}

/// The transcript on its way out, counting the screen rows of each line
/// written (for `--step --predict`'s pages).
pub(super) struct Rows<W> {
    pub(super) out: W,
    pub(super) columns: usize,
    /// The line being written, up to its newline.
    pub(super) line: Vec<u8>,
    pub(super) used: Rc<Cell<usize>>,
}

impl<W: Write> Write for Rows<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let written = self.out.write(buf)?;
        for &byte in &buf[..written] {
            if byte == b'\n' {
                let line = String::from_utf8_lossy(&self.line);
                let rows = crate::term::width::rows(&line, self.columns).max(1);
                self.used.set(self.used.get() + rows);
                self.line.clear();
            } else {
                self.line.push(byte);
            }
        }
        Ok(written)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.out.flush()
    }
}

#[cfg(test)]
mod tests {
    //! `--step --predict`'s pages, without a terminal: a pause is a
    //! recorded place in the transcript.
    use std::cell::RefCell;

    use super::super::*;
    use super::*;
    use crate::learn::prompt::Piped;

    /// A transcript that a pause can look at while the run writes it.
    #[derive(Clone, Default)]
    struct Shared(Rc<RefCell<Vec<u8>>>);

    impl Write for Shared {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.borrow_mut().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn step_predict_stops_at_every_question_and_never_prints_more_than_a_screen() {
        const ROWS: usize = 24;
        let output = Output::Transcript {
            color: false,
            width: 80,
        };
        let setup = Setup::loopback(output);
        for (name, text) in crate::lesson::BUILTIN {
            let lesson = crate::lesson::parse_markdown(text).unwrap();
            let shared = Shared::default();
            let pauses = RefCell::new(Vec::new());
            let mut wait = || {
                pauses.borrow_mut().push(shared.0.borrow().len());
                Ok(Paused::Next)
            };
            let answers = b"-\n".repeat(200);
            let mut prompt = Piped::new(&answers[..]);
            let asking = Asking {
                prompt: &mut prompt,
                pause: Some(Pausing {
                    rows: ROWS,
                    wait: &mut wait,
                }),
            };
            let mut out = shared.clone();
            let summary = run_with(&lesson, &mut out, &setup, Some(asking))
                .await
                .unwrap();
            assert_eq!(summary.stopped, None);
            assert!(summary.predictions.is_some(), "{name}");
            let text = String::from_utf8(shared.0.borrow().clone()).unwrap();
            let pauses = pauses.into_inner();
            assert!(pauses.len() > 3, "{name}: {pauses:?}");
            // Between two stops (a pause, or a question: its last line asks
            // how to answer), at most a screen less the pause line.
            let mut page = 0;
            let mut offset = 0;
            for line in text.split_inclusive('\n') {
                // A line wider than the screen takes more than one row.
                page += crate::term::width::rows(line, 80).max(1);
                offset += line.len();
                assert!(
                    page < ROWS,
                    "{name}: {page} rows before a stop at byte {offset}, up to:\n{}",
                    text[..offset]
                        .chars()
                        .rev()
                        .take(1500)
                        .collect::<Vec<_>>()
                        .into_iter()
                        .rev()
                        .collect::<String>()
                );
                if line.ends_with("to skip)\n") || pauses.contains(&offset) {
                    page = 0;
                }
            }
        }
    }
}
