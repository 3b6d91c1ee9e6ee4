//! Runs a lesson end to end: starts the engine, shows the narration, runs
//! each step on the live server, prints its report, and shuts down.

use std::collections::BTreeSet;
use std::io::Write;

use crate::engine::Engine;
use crate::error::Error;
use crate::learn::guess::{self, Asker, Graded, Prediction, Question, Score};
use crate::learn::prompt::Prompt;
use crate::lesson::{Lesson, Section};
use crate::render::Format;
use crate::report::{Outcome, StepReport};
use crate::script::{Statement, StatementKind};
use crate::setup::Setup;

/// `--predict`: where the learner's answers come from.
pub type Answers<'a, 'p> = Option<&'a mut (dyn Prompt + 'p)>;

/// What a run found.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Summary {
    pub steps: usize,
    /// Steps where the prediction and the observation disagreed.
    pub mismatched: usize,
    /// Steps that ended in a run-time error (a client that is not connected,
    /// a reserved event name), in order. The run went on after each.
    pub errors: Vec<StepError>,
    /// With `--predict`: how the learner's guesses went.
    pub predictions: Option<Score>,
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
pub fn name_width(lesson: &Lesson) -> usize {
    lesson
        .statements()
        .filter_map(|s| match &s.kind {
            StatementKind::Connect { name, .. } => Some(name.chars().count()),
            _ => None,
        })
        .max()
        .unwrap_or(0)
}

/// Runs `lesson` as `setup` says (its servers, its output), writing its
/// transcript (or NDJSON) to `out` as it goes.
pub async fn run(lesson: &Lesson, out: &mut impl Write, setup: &Setup) -> Result<Summary, Error> {
    run_with(lesson, out, setup, None).await
}

/// Runs `lesson` as `setup` says; with `answers`, asks the learner to
/// predict each step that delivers events (or admits a client) before it
/// runs.
pub async fn run_with(
    lesson: &Lesson,
    out: &mut impl Write,
    setup: &Setup,
    answers: Answers<'_, '_>,
) -> Result<Summary, Error> {
    Engine::run(setup.servers.clone(), async |engine| {
        run_on(engine, lesson, out, setup, answers).await
    })
    .await
}

async fn run_on(
    engine: &mut Engine,
    lesson: &Lesson,
    out: &mut impl Write,
    setup: &Setup,
    mut answers: Answers<'_, '_>,
) -> anyhow::Result<Summary> {
    let mut summary = Summary::default();
    let mut predicting = answers.is_some().then(Predicting::default);
    let width = name_width(lesson);
    let mut format = setup.output.format(&mut *out);
    if let Some(title) = &lesson.title {
        format.title(title)?;
    }
    let ran: anyhow::Result<()> = async {
        for section in &lesson.sections {
            match section {
                Section::Narration(prose) => format.narration(prose)?,
                Section::Steps(steps) => match (answers.as_deref_mut(), predicting.as_mut()) {
                    (Some(prompt), Some(predicting)) => {
                        predicting
                            .block(engine, steps, &mut *format, prompt, width, &mut summary)
                            .await?;
                    }
                    _ => {
                        engine
                            .run_block(steps, |report| {
                                format.step(report, width)?;
                                format.flush()?;
                                summary.count(report);
                                Ok(())
                            })
                            .await?;
                    }
                },
            }
        }
        Ok(())
    }
    .await;
    // When the machine failed the run (a Redis that stopped answering), the
    // answers given so far still count: their score is shown, then the failure.
    if let Err(e) = ran {
        if engine.environment_failed() {
            show_score(&mut *format, predicting, &mut summary)?;
            format.flush()?;
        }
        return Err(e);
    }
    show_score(&mut *format, predicting, &mut summary)?;
    format.flush()?;
    Ok(summary)
}

/// The learner's score, when there was at least one answer.
fn show_score(
    format: &mut dyn Format,
    predicting: Option<Predicting>,
    summary: &mut Summary,
) -> anyhow::Result<()> {
    // No answer at all (Ctrl-D at the first question) is no score of 0 of 0.
    if let Some(predicting) = predicting.filter(|p| p.score.graded + p.score.skipped > 0) {
        format.score(&predicting.score)?;
        summary.predictions = Some(predicting.score);
    }
    Ok(())
}

/// A `--predict` run in progress.
#[derive(Default)]
struct Predicting {
    asker: Asker,
    score: Score,
    /// Set at end of input: the lesson then goes on unasked.
    answers_ended: bool,
}

impl Predicting {
    /// Runs a block one statement at a time, asking before each one that
    /// has a question, and grading the guess under its receipt.
    async fn block(
        &mut self,
        engine: &mut Engine,
        steps: &[Statement],
        format: &mut dyn Format,
        prompt: &mut dyn Prompt,
        width: usize,
        summary: &mut Summary,
    ) -> anyhow::Result<()> {
        for statement in steps {
            let mut prediction = None;
            if let Some(question) = self.asker.question(statement)
                && !self.answers_ended
            {
                let clients = self.asker.clients();
                prediction = ask(format, prompt, statement, &question, clients)?;
                self.answers_ended = prediction.is_none();
                if self.answers_ended && prompt.asks_again() {
                    // Said once, on the terminal: not part of the transcript.
                    eprintln!("  (Ctrl-D: no more questions; the lesson goes on to its end)");
                }
            }
            let mut reports = Vec::new();
            engine
                .run_block(std::slice::from_ref(statement), |report| {
                    format.step(report, width)?;
                    summary.count(report);
                    reports.push(report.clone());
                    Ok(())
                })
                .await?;
            if let Some(prediction) = prediction {
                let (report, graded) = graded(&prediction, &reports);
                let ideas: Vec<_> = graded.ideas(statement).into_iter().collect();
                if let Some(report) = report {
                    format.prediction(report, &prediction, &graded, &ideas)?;
                }
                self.score.add(&graded, statement);
            }
            format.flush()?;
        }
        Ok(())
    }
}

/// Asks `question` until the answer reads (at a terminal; a piped answer
/// that does not read counts as `?`, so that each line still answers its
/// own question); `Ok(None)` at end of input (the lesson goes on unasked).
fn ask(
    format: &mut dyn Format,
    prompt: &mut dyn Prompt,
    statement: &Statement,
    question: &Question,
    clients: BTreeSet<String>,
) -> anyhow::Result<Option<Prediction>> {
    format.question(&statement.code, question)?;
    loop {
        let Some(answer) = crate::runtime::wait_for_person(|| prompt.answer("  > "))? else {
            return Ok(None);
        };
        match question.parse(&answer, &clients) {
            Ok(prediction) => return Ok(Some(prediction)),
            // Not part of the transcript: the learner types again.
            Err(advice) if prompt.asks_again() => {
                let advice = format!("  {advice}");
                let advice = match crate::term::width::stderr_columns() {
                    Some(width) => crate::term::width::wrap_message(&advice, width, ""),
                    None => advice,
                };
                let _ = writeln!(std::io::stderr(), "{advice}");
            }
            Err(advice) => {
                let _ = writeln!(std::io::stderr(), "  {advice} (taken as `?`)");
                return Ok(Some(Prediction::Skipped));
            }
        }
    }
}

/// The report a guess is about (a statement may report more than one
/// step), and the guess graded against it.
fn graded<'a>(
    prediction: &Prediction,
    reports: &'a [StepReport],
) -> (Option<&'a StepReport>, Graded) {
    reports
        .iter()
        .map(|r| (Some(r), guess::grade(prediction, r)))
        .find(|(_, g)| *g != Graded::Ungradable)
        .unwrap_or((reports.last(), Graded::Ungradable))
}
