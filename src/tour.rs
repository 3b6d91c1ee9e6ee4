//! Runs a lesson end to end: starts the engine, shows the narration, runs
//! each step on the live server, prints its report, and shuts down.

use std::io::Write;
use std::net::{Ipv4Addr, SocketAddr};

use crate::engine::{Engine, Setup};
use crate::lesson::{Lesson, Section};
use crate::render::Output;
use crate::report::{Outcome, StepReport};
use crate::script::StatementKind;

/// How to show a run.
#[derive(Debug, Clone, Copy, Default)]
pub struct Options {
    /// The transcript (with colour or without) or NDJSON.
    pub output: Output,
    /// Wait for Enter before each block of steps (a classroom demo), with a
    /// prompt on stderr. The caller decides: only when stdin is a terminal;
    /// never for a format a person does not read as it comes.
    pub pause: bool,
}

/// What a run found.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Summary {
    pub steps: usize,
    /// Steps where the prediction and the observation disagreed.
    pub mismatched: usize,
    /// Steps that ended in a run-time error (a client that is not connected,
    /// a reserved event name), in order. The run went on after each.
    pub errors: Vec<StepError>,
}

impl Summary {
    /// Counts a step's report in.
    pub fn count(&mut self, report: &StepReport) {
        self.steps += 1;
        self.mismatched += usize::from(report.has_mismatch());
        if let Outcome::Error(message) = &report.outcome {
            self.errors.push(StepError {
                line: report.line,
                code: report.code.clone(),
                message: message.clone(),
            });
        }
    }
}

/// A step that ended in a run-time error.
#[derive(Debug, Clone, PartialEq)]
pub struct StepError {
    /// 1-based line number of the statement in its file.
    pub line: usize,
    /// The statement as written.
    pub code: String,
    pub message: String,
}

/// The widest client name of a lesson, to align the transcript.
fn name_width(lesson: &Lesson) -> usize {
    lesson
        .statements()
        .filter_map(|s| match &s.kind {
            StatementKind::Connect { name, .. } => Some(name.chars().count()),
            _ => None,
        })
        .max()
        .unwrap_or(0)
}

/// Runs `lesson`, writing its transcript (or NDJSON) to `out` as it goes.
pub async fn run(
    lesson: &Lesson,
    out: &mut impl Write,
    options: Options,
) -> anyhow::Result<Summary> {
    run_with(
        lesson,
        out,
        options,
        SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
    )
    .await
}

/// Runs `lesson` with its server listening on `setup.listen` (and its
/// `servers … with adapter` on `setup.redis`, if given).
pub async fn run_with(
    lesson: &Lesson,
    out: &mut impl Write,
    options: Options,
    setup: impl Into<Setup>,
) -> anyhow::Result<Summary> {
    Engine::run(setup, async |engine| {
        run_on(engine, lesson, out, options).await
    })
    .await
}

async fn run_on(
    engine: &mut Engine,
    lesson: &Lesson,
    out: &mut impl Write,
    options: Options,
) -> anyhow::Result<Summary> {
    let mut summary = Summary::default();
    let width = name_width(lesson);
    let mut format = options.output.format(&mut *out);
    if let Some(title) = &lesson.title {
        format.title(title)?;
    }
    for section in &lesson.sections {
        match section {
            Section::Narration(prose) => format.narration(prose)?,
            Section::Steps(steps) => {
                if options.pause && format.is_transcript() {
                    // What was shown so far must be on screen before the
                    // prompt; the prompt is not part of the transcript.
                    format.flush()?;
                    eprint!("  [press Enter to run the next steps]");
                    wait_for_enter().await;
                }
                engine
                    .run_block(steps, |report| {
                        format.step(report, width)?;
                        format.flush()?;
                        summary.count(report);
                        Ok(())
                    })
                    .await?;
            }
        }
    }
    format.flush()?;
    Ok(summary)
}

async fn wait_for_enter() {
    // End of input or an error both mean: go on without waiting.
    let _ = tokio::task::spawn_blocking(|| {
        let mut line = String::new();
        std::io::stdin().read_line(&mut line)
    })
    .await;
}
