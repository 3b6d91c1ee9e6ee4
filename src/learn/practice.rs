//! Practice: a lesson's exercises only. Each try runs on a fresh live
//! server: the starting state, the learner's answer, then the `then:`
//! lines; the observed outcome is graded against the goal.

use std::io::Write;

use crate::engine::{Engine, Servers};
use crate::error::{Error, bad_input};
use crate::learn::exercise::{self, Exercise, ExerciseError, Line, Part, TryError};
use crate::learn::grade::{self, Verdict};
use crate::learn::progress::{ExerciseStatus, Progress, Store};
use crate::learn::prompt::Prompt;
use crate::lesson::{self, Lesson, Section};
use crate::render::Transcript;
use crate::report::{RoomsNow, StepReport};
use crate::script::Statement;
use crate::source::{builtin_file, read_source, syntax_error};

/// An exercise, with the lesson's statements before it (its starting
/// state when it has no `setup:` lines).
#[derive(Debug, Clone, PartialEq)]
pub struct Placed {
    pub exercise: Exercise,
    pub lesson_before: Vec<Line>,
}

impl Placed {
    /// The statements a try starts from.
    pub fn start(&self) -> &[Line] {
        self.exercise.start(&self.lesson_before)
    }
}

/// A lesson's exercises, each placed after the lesson's steps before it.
pub fn exercises_of(markdown: &str, lesson: &Lesson) -> Result<Vec<Placed>, ExerciseError> {
    Ok(exercise::exercises_in(markdown)?
        .into_iter()
        .map(|exercise| Placed {
            lesson_before: exercise::lesson_prefix(lesson.statements(), exercise.line),
            exercise,
        })
        .collect())
}

/// A lesson to practise: its exercises, its title, and the name its
/// progress is saved under (`None` for a lesson file).
#[derive(Debug, Clone)]
pub struct PracticeLesson {
    pub key: Option<String>,
    pub title: String,
    pub exercises: Vec<Placed>,
}

/// The lessons `practice [LESSON]` runs: a built-in lesson by name, a
/// Markdown lesson by path, or (without LESSON) every built-in lesson's
/// exercises not solved yet, in learning order.
pub fn lessons_for(
    lesson: Option<&str>,
    progress: &Progress,
) -> Result<Vec<PracticeLesson>, Error> {
    let mut chosen = Vec::new();
    match lesson {
        Some(name) if lesson::builtin(name).is_some() => {
            let text = lesson::builtin(name).unwrap_or_default();
            chosen.push(practice_lesson(Some(name), &builtin_file(name), text)?);
        }
        Some(path) if lesson::is_markdown(path) => {
            let text = read_source(std::path::Path::new(path))?;
            chosen.push(practice_lesson(None, path, &text)?);
        }
        Some(other) => {
            let names: Vec<&str> = lesson::BUILTIN.iter().map(|(n, _)| *n).collect();
            return Err(bad_input(format!(
                "no lesson named `{other}`; the lessons are {}, or give the path of a .md lesson",
                names.join(", ")
            )));
        }
        None => {
            for (name, text) in lesson::BUILTIN {
                let mut one = practice_lesson(Some(name), &builtin_file(name), text)?;
                one.exercises
                    .retain(|p| progress.solved(name, [p.exercise.goal.as_str()]) == 0);
                chosen.push(one);
            }
        }
    }
    if chosen.iter().all(|l| l.exercises.is_empty()) {
        let why = if lesson.is_none() {
            "no exercises left to solve: every built-in exercise is solved, or there are none yet"
        } else {
            "no exercises here: a lesson holds them in ```exercise blocks (see the README's \"Adding a lesson\")"
        };
        return Err(bad_input(why));
    }
    Ok(chosen)
}

fn practice_lesson(key: Option<&str>, file: &str, text: &str) -> Result<PracticeLesson, Error> {
    let parsed = lesson::load(file, text).map_err(|e| syntax_error(&e, file))?;
    let exercises = exercises_of(text, &parsed)
        .map_err(|e| bad_input(format!("{file}: exercise block, {e}")))?;
    Ok(PracticeLesson {
        key: key.map(str::to_owned),
        title: parsed.title.unwrap_or_else(|| file.to_owned()),
        exercises,
    })
}

/// One try that ran: every step's report with its part, and the verdict.
#[derive(Debug, Clone)]
pub struct Tried {
    pub reports: Vec<(Part, StepReport)>,
    pub verdict: Verdict,
    /// The server's clients and rooms when the answer began.
    pub start_rooms: RoomsNow,
}

/// Runs one try of `answer` on fresh servers (`servers`).
/// `Ok(Err(_))`: the try does not parse (the answer, most likely).
pub async fn run_try(
    placed: &Placed,
    answer: &[&str],
    servers: &Servers,
) -> anyhow::Result<Result<Tried, TryError>> {
    let attempt = match placed.exercise.try_with(placed.start(), answer) {
        Ok(attempt) => attempt,
        Err(e) => return Ok(Err(e)),
    };
    let (reports, start_rooms, end_rooms) = Engine::run(servers.clone(), async |engine| {
        let mut reports = Vec::new();
        let mut start_rooms = RoomsNow::new();
        for part in [Part::Start, Part::Answer, Part::Then] {
            if part == Part::Answer {
                start_rooms = engine.rooms();
            }
            let statements: Vec<Statement> = attempt
                .statements
                .iter()
                .filter(|(p, _)| *p == part)
                .map(|(_, s)| s.clone())
                .collect();
            engine
                .run_block(&statements, |report| {
                    reports.push((part, report.clone()));
                    Ok(())
                })
                .await?;
        }
        Ok((reports, start_rooms, engine.rooms()))
    })
    .await?;
    let verdict = grade::grade(&placed.exercise.expect, &reports, &start_rooms, &end_rooms);
    Ok(Ok(Tried {
        reports,
        verdict,
        start_rooms,
    }))
}

/// What a learner's work on one exercise came to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ending {
    Solved,
    /// `solution`: shown, not solved.
    Shown,
    Skipped,
    /// End of input (or `quit`): practice stops here.
    Stopped,
}

/// Checks an exercise on the live server: its reference solution passes
/// from its starting state, and an empty answer does not. The problems, in
/// words (empty when it is sound).
pub async fn verify(placed: &Placed, servers: &Servers) -> anyhow::Result<Vec<String>> {
    let mut problems = Vec::new();
    let ex = &placed.exercise;
    match run_try(placed, &ex.solution_lines(), servers).await? {
        Err(e) => problems.push(format!(
            "its solution does not parse ({} line {}): {}",
            part_name(e.part),
            e.error.line,
            e.error.message
        )),
        Ok(tried) if !tried.verdict.passed() => {
            let misses: Vec<String> = tried
                .verdict
                .misses
                .iter()
                .map(ToString::to_string)
                .collect();
            problems.push(format!(
                "its solution does not pass on the live server: {}",
                misses.join("; ")
            ));
        }
        Ok(_) => {}
    }
    match run_try(placed, &[], servers).await? {
        Err(e) => problems.push(format!(
            "it does not parse without an answer ({} line {}): {}",
            part_name(e.part),
            e.error.line,
            e.error.message
        )),
        Ok(tried) if tried.verdict.passed() => problems
            .push("an empty answer already passes: the goal is met by doing nothing".to_owned()),
        Ok(_) => {}
    }
    Ok(problems)
}

fn part_name(part: Part) -> &'static str {
    match part {
        Part::Start => "setup",
        Part::Answer => "answer",
        Part::Then => "then",
    }
}

/// Where a practice session writes and how it runs its tries.
pub struct Session<'a, W: Write> {
    pub out: Transcript<W>,
    pub prompt: &'a mut dyn Prompt,
    /// Where each try's servers run.
    pub servers: Servers,
}

impl<W: Write> Session<'_, W> {
    /// Runs the exercises of `lessons` in order, saving each exercise's
    /// ending in `store` (built-in lessons only) as it comes; stops at end
    /// of input, then says how many were solved.
    pub async fn practise_lessons(
        &mut self,
        lessons: &[PracticeLesson],
        store: &Store,
    ) -> anyhow::Result<Vec<Ending>> {
        let mut endings = Vec::new();
        for one in lessons.iter().filter(|l| !l.exercises.is_empty()) {
            let mut save = |exercise: &Exercise, ending: Ending| {
                let status = match ending {
                    Ending::Solved => ExerciseStatus::Solved,
                    Ending::Shown => ExerciseStatus::Shown,
                    Ending::Skipped | Ending::Stopped => return,
                };
                if let Some(key) = &one.key {
                    let mut progress = store.load(&mut std::io::stderr());
                    progress.mark_exercise(key, &exercise.goal, status);
                    store.save(&progress, &mut std::io::stderr());
                }
            };
            let done = self.practice(&one.title, &one.exercises, &mut save).await?;
            let stopped = done.contains(&Ending::Stopped);
            endings.extend(done);
            if stopped {
                break;
            }
        }
        let solved = endings.iter().filter(|e| **e == Ending::Solved).count();
        let total: usize = lessons.iter().map(|l| l.exercises.len()).sum();
        self.out.solved(solved, total)?;
        Ok(endings)
    }

    /// Runs the exercises of the lesson titled `title`, in order, calling
    /// `done` after each one; stops early at end of input.
    pub async fn practice(
        &mut self,
        title: &str,
        exercises: &[Placed],
        done: &mut dyn FnMut(&Exercise, Ending),
    ) -> anyhow::Result<Vec<Ending>> {
        let mut endings = Vec::new();
        for (i, placed) in exercises.iter().enumerate() {
            let ending = self.one(title, i + 1, exercises.len(), placed).await?;
            done(&placed.exercise, ending);
            endings.push(ending);
            if ending == Ending::Stopped {
                break;
            }
        }
        Ok(endings)
    }

    async fn one(
        &mut self,
        title: &str,
        number: usize,
        of: usize,
        placed: &Placed,
    ) -> anyhow::Result<Ending> {
        let ex = &placed.exercise;
        let goal = lesson::parse_markdown(&ex.goal)
            .ok()
            .and_then(|l| {
                l.sections.into_iter().find_map(|s| match s {
                    Section::Narration(prose) => Some(prose),
                    Section::Steps(_) => None,
                })
            })
            .unwrap_or_default();
        self.out.exercise(number, of, title, &goal)?;
        let (from_lesson, start) = if ex.setup.is_empty() {
            (true, self.lesson_state(placed).await?)
        } else {
            (false, ex.setup.iter().map(|l| l.text.clone()).collect())
        };
        let then: Vec<String> = ex.then.iter().map(|l| l.text.clone()).collect();
        self.out
            .exercise_start(from_lesson, &start, &then, ex.max_statements)?;
        let mut hints = ex.hints.iter().enumerate();
        loop {
            let Some(answer) = self.read_answer(ex.max_statements)? else {
                return Ok(Ending::Stopped);
            };
            let command = match answer.as_slice() {
                [one] => one.trim(),
                _ => "",
            };
            match command {
                "hint" => match hints.next() {
                    Some((i, hint)) => self.out.practice_note(&format!(
                        "Hint {} of {}: {hint}",
                        i + 1,
                        ex.hints.len()
                    ))?,
                    None => self
                        .out
                        .practice_note("No more hints; `solution` shows the reference answer.")?,
                },
                "solution" => {
                    self.out
                        .practice_note("The reference solution, on the live server:")?;
                    self.show_try(placed, &ex.solution_lines(), true).await?;
                    return Ok(Ending::Shown);
                }
                "skip" => {
                    self.out.practice_note("Skipped.")?;
                    return Ok(Ending::Skipped);
                }
                "quit" => return Ok(Ending::Stopped),
                _ => {
                    let lines: Vec<&str> = answer.iter().map(String::as_str).collect();
                    if self.show_try(placed, &lines, false).await? {
                        return Ok(Ending::Solved);
                    }
                }
            }
        }
    }

    /// Reads up to `max` statements; `None` at end of input.
    fn read_answer(&mut self, max: usize) -> anyhow::Result<Option<Vec<String>>> {
        let mut lines: Vec<String> = Vec::new();
        while lines.len() < max {
            let prompt = if lines.is_empty() {
                "answer> "
            } else {
                "   ...> "
            };
            let read = crate::runtime::wait_for_person(|| self.prompt.answer(prompt))?;
            match read {
                None if lines.is_empty() => return Ok(None),
                None => break,
                Some(line) if line.trim().is_empty() => {
                    if lines.is_empty() {
                        continue;
                    }
                    break;
                }
                Some(line) => {
                    let command = matches!(line.trim(), "hint" | "solution" | "skip" | "quit");
                    lines.push(line);
                    if command && lines.len() == 1 {
                        break;
                    }
                }
            }
        }
        Ok(Some(lines))
    }

    /// Runs a try and shows its graded steps and verdict (`solution`: the
    /// reference solution, shown); whether it passed.
    async fn show_try(
        &mut self,
        placed: &Placed,
        answer: &[&str],
        solution: bool,
    ) -> anyhow::Result<bool> {
        let tried = match run_try(placed, answer, &self.servers).await? {
            Ok(tried) => tried,
            Err(e) => {
                let file = match e.part {
                    Part::Answer => "your answer",
                    Part::Start => "the exercise's setup",
                    Part::Then => "the exercise's then lines",
                };
                self.out.answer_error(&e.error.render(file))?;
                return Ok(false);
            }
        };
        let width = tried
            .reports
            .iter()
            .flat_map(|(_, r)| names_in(r))
            .map(|n| n.chars().count())
            .max()
            .unwrap_or(0);
        for (_, report) in tried.reports.iter().filter(|(p, _)| *p != Part::Start) {
            self.out.step(report, width)?;
        }
        self.out.verdict(&tried.verdict, solution)?;
        Ok(tried.verdict.passed())
    }

    /// The clients and rooms the lesson's steps leave behind, one line each.
    async fn lesson_state(&mut self, placed: &Placed) -> anyhow::Result<Vec<String>> {
        Ok(match run_try(placed, &[], &self.servers).await? {
            Ok(tried) => grade::describe(&tried.start_rooms),
            Err(_) => Vec::new(),
        })
    }
}

/// The client names a report shows, to align its lines.
fn names_in(report: &StepReport) -> Vec<&str> {
    use crate::report::Outcome;
    match &report.outcome {
        Outcome::Connect { name, .. } => vec![name.as_str()],
        Outcome::Emit { deliveries, .. } => deliveries.keys().map(String::as_str).collect(),
        Outcome::Rooms(rooms) => rooms.keys().map(String::as_str).collect(),
        Outcome::Disconnected(gone) => gone.keys().map(String::as_str).collect(),
        _ => Vec::new(),
    }
}
