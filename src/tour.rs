//! Runs a lesson end to end: starts the engine, shows the narration, runs
//! each step on the live server, prints its report, and shuts down; with
//! `--predict`, asks before the steps and grades the answers.
//!
//! - `pager`: `--step --predict`'s pages (rows counted, pauses taken).

mod pager;

use std::cell::Cell;
use std::collections::BTreeSet;
use std::io::Write;
use std::rc::Rc;

use crate::engine::Engine;
use crate::error::Error;
use crate::learn::guess::{self, Asker, Graded, Prediction, Question, Score};
use crate::learn::prompt::Prompt;
use crate::lesson::{Lesson, Section};
use crate::render::{Format, Output};
use crate::report::{Outcome, StepReport};
use crate::script::{Statement, StatementKind};
use crate::setup::Setup;
use pager::{Pager, Rows};

/// `--predict`: where the learner's answers come from, and with `--step`
/// the presenter's pauses.
pub struct Asking<'a, 'p> {
    pub prompt: &'a mut (dyn Prompt + 'p),
    pub pause: Option<Pausing<'a>>,
}

/// `--step --predict`: a question stops the page (the receipt opens the
/// next one); the presenter pauses after each block's results, and within
/// narration before a piece that would make the page taller than `rows`.
pub struct Pausing<'a> {
    /// The screen's rows, the pause line among them.
    pub rows: usize,
    /// The presenter's pause: shows it, and waits for a key.
    pub wait: &'a mut dyn FnMut() -> anyhow::Result<Paused>,
}

/// `--predict`, if asked for.
pub type Answers<'a, 'p> = Option<Asking<'a, 'p>>;

/// What the presenter said at a pause of `--step --predict`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Paused {
    Next,
    /// `q`: stop here, and run no further lesson.
    Quit,
    /// Ctrl-C: stop as interrupted.
    Interrupted,
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
    /// With `--predict`: how the learner's guesses went.
    pub predictions: Option<Score>,
    /// With `--step --predict`: the presenter stopped the run at a pause.
    pub stopped: Option<Paused>,
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
    answers: Answers<'_, '_>,
) -> anyhow::Result<Summary> {
    let mut summary = Summary::default();
    let mut predicting = answers.is_some().then(Predicting::default);
    let (mut prompt, pausing) = match answers {
        Some(Asking { prompt, pause }) => (Some(prompt), pause),
        None => (None, None),
    };
    let width = name_width(lesson);
    let columns = match setup.output {
        Output::Transcript { width, .. } => width,
        Output::Ndjson => crate::term::width::DEFAULT,
    };
    let mut pager = Pager {
        pausing,
        used: Rc::new(Cell::new(0)),
        output: setup.output,
        columns,
        stopped: None,
    };
    let counted = Rows {
        out: &mut *out,
        columns,
        line: Vec::new(),
        used: Rc::clone(&pager.used),
    };
    let mut format = setup.output.format(counted);
    if let Some(title) = &lesson.title {
        format.title(title)?;
    }
    let ran: anyhow::Result<()> = async {
        'lesson: for section in &lesson.sections {
            match section {
                Section::Narration(prose) if pager.pages() => {
                    for piece in crate::lesson::prose::pieces(prose) {
                        if !pager.fit(&mut *format, 0, |f| f.narration(piece))? {
                            break 'lesson;
                        }
                        format.narration(piece)?;
                    }
                }
                Section::Narration(prose) => format.narration(prose)?,
                Section::Steps(steps) => match (prompt.as_deref_mut(), predicting.as_mut()) {
                    (Some(prompt), Some(predicting)) => {
                        let block = Block {
                            engine: &mut *engine,
                            format: &mut *format,
                            prompt,
                            width,
                            summary: &mut summary,
                            pager: &mut pager,
                        };
                        predicting.block(block, steps).await?;
                        // `--step`: the class looks at the block's results.
                        if !pager.pause(&mut *format)? {
                            break;
                        }
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
    summary.stopped = pager.stopped;
    // When the machine failed the run (a Redis that stopped answering), the
    // answers given so far still count: their score is shown, then the failure.
    if let Err(e) = ran {
        if engine.environment_failed() {
            show_score(&mut *format, predicting, &mut summary, &mut pager)?;
            format.flush()?;
        }
        return Err(e);
    }
    show_score(&mut *format, predicting, &mut summary, &mut pager)?;
    format.flush()?;
    Ok(summary)
}

/// The learner's score, when there was at least one answer.
fn show_score(
    format: &mut dyn Format,
    predicting: Option<Predicting>,
    summary: &mut Summary,
    pager: &mut Pager<'_>,
) -> anyhow::Result<()> {
    // No answer at all (Ctrl-D at the first question) is no score of 0 of 0;
    // a run stopped at a pause shows no score either.
    if let Some(predicting) = predicting
        .filter(|p| p.score.graded + p.score.skipped > 0)
        .filter(|_| pager.stopped.is_none())
    {
        if pager.fit(format, 0, |f| f.score(&predicting.score))? {
            format.score(&predicting.score)?;
        }
        summary.predictions = Some(predicting.score);
    }
    Ok(())
}

/// What a block of a `--predict` run is run with.
struct Block<'b, 'a, 'p> {
    engine: &'b mut Engine,
    format: &'b mut dyn Format,
    prompt: &'b mut (dyn Prompt + 'p),
    /// The widest client name.
    width: usize,
    summary: &'b mut Summary,
    pager: &'b mut Pager<'a>,
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
    /// has a question, and grading the guess under its receipt. With
    /// `--step`, a question stops the page (the receipt opens the next),
    /// and a presenter who stops at a pause ends the block.
    async fn block(&mut self, block: Block<'_, '_, '_>, steps: &[Statement]) -> anyhow::Result<()> {
        let Block {
            engine,
            format,
            prompt,
            width,
            summary,
            pager,
        } = block;
        for statement in steps {
            let mut predictions = Vec::new();
            for (i, question) in self.asker.questions(statement).into_iter().enumerate() {
                if self.answers_ended {
                    break;
                }
                let clients = self.asker.clients();
                // The statement is shown once, above its first question.
                let code = (i == 0).then_some(statement.code.as_str());
                // The answer's own line comes under the question.
                if !pager.fit(&mut *format, 1, |f| f.question(code, &question))? {
                    return Ok(());
                }
                let answer = ask(format, prompt, code, &question, clients)?;
                pager.restart();
                match answer {
                    Some(prediction) => predictions.push((question, prediction)),
                    None => {
                        self.answers_ended = true;
                        if prompt.asks_again() {
                            // Said once, on the terminal: not part of the transcript.
                            eprintln!(
                                "  (Ctrl-D: no more questions; the lesson goes on to its end)"
                            );
                        }
                    }
                }
            }
            let mut reports = Vec::new();
            engine
                .run_block(std::slice::from_ref(statement), |report| {
                    // A presenter who stopped sees no more, but the step ends.
                    if pager.fit(&mut *format, 0, |f| f.step(report, width))? {
                        format.step(report, width)?;
                    }
                    summary.count(report);
                    reports.push(report.clone());
                    Ok(())
                })
                .await?;
            for (question, prediction) in &predictions {
                let (report, graded) = graded(question, prediction, &reports);
                let ideas: Vec<_> = graded.ideas(statement).into_iter().collect();
                if let Some(report) = report {
                    let draw =
                        |f: &mut dyn Format| f.prediction(report, prediction, &graded, &ideas);
                    if !pager.fit(&mut *format, 0, draw)? {
                        return Ok(());
                    }
                    format.prediction(report, prediction, &graded, &ideas)?;
                }
                self.score.add(&graded, statement);
            }
            format.flush()?;
            if pager.stopped.is_some() {
                return Ok(());
            }
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
    code: Option<&str>,
    question: &Question,
    clients: BTreeSet<String>,
) -> anyhow::Result<Option<Prediction>> {
    format.question(code, question)?;
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
    question: &Question,
    prediction: &Prediction,
    reports: &'a [StepReport],
) -> (Option<&'a StepReport>, Graded) {
    reports
        .iter()
        .map(|r| (Some(r), guess::grade(question, prediction, r)))
        .find(|(_, g)| *g != Graded::Ungradable)
        .unwrap_or((reports.last(), Graded::Ungradable))
}
