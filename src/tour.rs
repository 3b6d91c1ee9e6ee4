//! Runs a lesson end to end: starts the engine, shows the narration, runs
//! each step on the live server, prints its report, and shuts down.

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
    summary.stopped = pager.stopped;
    // No answer at all (Ctrl-D at the first question) is no score of 0 of 0;
    // a run stopped at a pause shows no score either.
    if let Some(predicting) = predicting
        .filter(|p| p.score.graded + p.score.skipped > 0)
        .filter(|_| pager.stopped.is_none())
    {
        if pager.fit(&mut *format, 0, |f| f.score(&predicting.score))? {
            format.score(&predicting.score)?;
        }
        summary.predictions = Some(predicting.score);
    }
    format.flush()?;
    Ok(summary)
}

/// `--step --predict`'s pages: the rows printed since the last stop (a
/// pause, or a question answered), and the presenter's pause, taken after
/// each block's results and before whatever would make the page taller
/// than the screen.
struct Pager<'a> {
    pausing: Option<Pausing<'a>>,
    /// Rows printed since the last stop (counted by [`Rows`]).
    used: Rc<Cell<usize>>,
    output: Output,
    columns: usize,
    /// The presenter stopped at a pause (`q`, Ctrl-C).
    stopped: Option<Paused>,
}

impl Pager<'_> {
    /// Whether there are pages at all (`--step`).
    fn pages(&self) -> bool {
        self.pausing.is_some()
    }

    /// Before printing what `draw` prints (and `extra` rows more, such as
    /// the answer's line under a question): pauses first when it would make
    /// the page taller than the screen. `false`: the presenter stopped.
    fn fit(
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
    fn pause(&mut self, format: &mut dyn Format) -> anyhow::Result<bool> {
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
    fn restart(&self) {
        self.used.set(0);
    }
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
                let _ = writeln!(std::io::stderr(), "  {advice}");
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

/// The transcript on its way out, counting the screen rows of each line
/// written (for `--step --predict`'s pages).
struct Rows<W> {
    out: W,
    columns: usize,
    /// The line being written, up to its newline.
    line: Vec<u8>,
    used: Rc<Cell<usize>>,
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
