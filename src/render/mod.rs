//! The one place that knows about the terminal: turns lessons and step
//! reports into what is written, in one [`Format`] chosen once per run
//! ([`Output`]): the transcript a learner reads, or the NDJSON of
//! `tour-script.md`.
//!
//! - `transcript`: steps as aligned lines per client, with colour or without.
//! - `wrap`: narration, word-wrapped.
//! - `ndjson`: one serde-derived JSON object per step.
//! - `link`: a reconnection and an emit made offline, in the transcript.
//! - `learn`: predictions (question, graded guess, score) and practice.

mod acks;
mod learn;
mod link;
mod ndjson;
mod query;
mod transcript;
mod wrap;

use std::io::{self, Write};

pub use ndjson::{Ndjson, json_line};
pub use transcript::Transcript;

use crate::learn::guess::{Graded, Idea, Prediction, Question, Score};
use crate::lesson::Prose;
use crate::report::StepReport;

/// One way of writing a run. A new format is one file and one [`Output`]
/// variant.
pub trait Format {
    /// A lesson's title; formats without prose leave it out.
    fn title(&mut self, _title: &str) -> io::Result<()> {
        Ok(())
    }

    /// Narration between steps; formats without prose leave it out.
    fn narration(&mut self, _prose: &[Prose]) -> io::Result<()> {
        Ok(())
    }

    /// One step's report; `name_width` aligns the client names.
    fn step(&mut self, report: &StepReport, name_width: usize) -> io::Result<()>;

    /// `--predict`: a question before a step, under the step's code (given
    /// with the step's first question only); formats a person does not
    /// read as it comes leave it out.
    fn question(&mut self, _code: Option<&str>, _question: &Question) -> io::Result<()> {
        Ok(())
    }

    /// `--predict`: the learner's guess graded, after the step's report;
    /// `ideas` are those behind its wrong parts.
    fn prediction(
        &mut self,
        report: &StepReport,
        prediction: &Prediction,
        graded: &Graded,
        ideas: &[Idea],
    ) -> io::Result<()>;

    /// `--predict`: the lesson's score, at its end.
    fn score(&mut self, score: &Score) -> io::Result<()>;

    /// Whether a person reads this as it comes (a pause makes sense).
    fn is_transcript(&self) -> bool {
        false
    }

    fn flush(&mut self) -> io::Result<()>;
}

/// Which format a run writes, decided once (by the command line).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Output {
    /// The transcript, `width` columns wide.
    Transcript {
        color: bool,
        width: usize,
    },
    Ndjson,
}

impl Default for Output {
    fn default() -> Self {
        Output::Transcript {
            color: false,
            width: crate::term::width::DEFAULT,
        }
    }
}

impl Output {
    /// The format, writing to `out`.
    pub fn format<'a>(self, out: impl Write + 'a) -> Box<dyn Format + 'a> {
        match self {
            Output::Transcript { color, width } => {
                Box::new(Transcript::new(out, color).with_width(width))
            }
            Output::Ndjson => Box::new(Ndjson::new(out)),
        }
    }
}
