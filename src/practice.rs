//! `sockets-tour practice`: a run mode for a lesson's exercises only, one
//! graded try at a time. Each try runs on a fresh live server
//! ([`crate::learn::live`]): the starting state, the learner's answer, then
//! the `then:` lines; the observed outcome is graded against the goal.

use std::io::Write;

use crate::engine::Servers;
use crate::error::{Error, bad_input};
use crate::learn::attempt::{Part, Placed};
use crate::learn::grade;
use crate::learn::javascript::javascript;
use crate::learn::live::run_try;
use crate::learn::progress::{ExerciseStatus, Progress, Store};
use crate::learn::prompt::Prompt;
use crate::lesson::{self, Exercise};
use crate::render::Transcript;
use crate::report::StepReport;
use crate::source::{builtin_file, read_source, syntax_error};

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
    let exercises =
        Placed::all_of(&parsed).map_err(|e| bad_input(format!("{file}: exercise block, {e}")))?;
    Ok(PracticeLesson {
        key: key.map(str::to_owned),
        title: parsed.title.unwrap_or_else(|| file.to_owned()),
        exercises,
    })
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

/// Where a practice session writes and how it runs its tries.
pub struct Practice<'a, W: Write> {
    pub out: Transcript<W>,
    pub prompt: &'a mut dyn Prompt,
    /// Where each try's servers run.
    pub servers: Servers,
}

impl<W: Write> Practice<'_, W> {
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

    /// One exercise, from its goal to how it ended.
    async fn one(
        &mut self,
        title: &str,
        number: usize,
        of: usize,
        placed: &Placed,
    ) -> anyhow::Result<Ending> {
        let ex = &placed.exercise;
        self.out.exercise(number, of, title, &ex.goal_prose)?;
        self.show_start(placed).await?;
        let mut hints = ex.hints.iter().enumerate();
        // A hint about the last try's miss, shown once before the next hint.
        let mut about_miss: Option<String> = None;
        loop {
            let Some(answer) = self.read_answer(ex.max_statements)? else {
                return Ok(Ending::Stopped);
            };
            let command = match answer.as_slice() {
                [one] => one.trim(),
                _ => "",
            };
            match command {
                "hint" => {
                    if let Some(about) = about_miss.take() {
                        self.out
                            .practice_note(&format!("About your last try: {about}"))?;
                    }
                    match hints.next() {
                        Some((i, hint)) => self.out.practice_note(&format!(
                            "Hint {} of {}: {hint}",
                            i + 1,
                            ex.hints.len()
                        ))?,
                        None => self.out.practice_note(
                            "No more hints; `solution` shows the reference answer.",
                        )?,
                    }
                }
                "solution" => {
                    self.out
                        .practice_note("The reference solution, on the live server:")?;
                    // Shown, not solved, whatever its verdict.
                    let _ = self.show_try(placed, &ex.solution_lines(), true).await?;
                    return Ok(Ending::Shown);
                }
                "skip" => {
                    self.out.practice_note("Skipped.")?;
                    return Ok(Ending::Skipped);
                }
                "quit" => return Ok(Ending::Stopped),
                _ => {
                    let lines: Vec<&str> = answer.iter().map(String::as_str).collect();
                    match self.show_try(placed, &lines, false).await? {
                        None => return Ok(Ending::Solved),
                        Some(about) => about_miss = about,
                    }
                }
            }
        }
    }

    /// Where the exercise starts, what runs after the answer, and how to answer.
    async fn show_start(&mut self, placed: &Placed) -> anyhow::Result<()> {
        let ex = &placed.exercise;
        let (from_lesson, start) = if ex.setup.is_empty() {
            (true, self.lesson_state(placed).await?)
        } else {
            (false, ex.setup.iter().map(|l| l.text.clone()).collect())
        };
        let then: Vec<String> = ex.then.iter().map(|l| l.text.clone()).collect();
        self.out
            .exercise_start(from_lesson, &start, &then, ex.max_statements)?;
        Ok(())
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
    /// reference solution, shown): `None` when it passed, else a hint
    /// about its miss, if there is one to give.
    async fn show_try(
        &mut self,
        placed: &Placed,
        answer: &[&str],
        solution: bool,
    ) -> anyhow::Result<Option<Option<String>>> {
        let tried = match run_try(placed, answer, &self.servers).await? {
            Ok(tried) => tried,
            Err(e) => {
                let file = match e.part {
                    Part::Answer => "your answer",
                    Part::Start => "the exercise's setup",
                    Part::Then => "the exercise's then lines",
                };
                self.out.answer_error(&e.error.render(file))?;
                return Ok(Some(None));
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
        if tried.verdict.passed() {
            let reference = placed.exercise.solution_lines();
            let differs = solution || squeezed(answer) != squeezed(&reference);
            let shown_reference = (!solution && differs).then_some(reference.as_slice());
            let js: Vec<String> = tried.answer.iter().flat_map(javascript).collect();
            self.out.after_pass(shown_reference, &js)?;
        }
        Ok((!tried.verdict.passed()).then(|| grade::hint_about(&tried.verdict)))
    }

    /// The clients and rooms the lesson's steps leave behind, one line each.
    async fn lesson_state(&mut self, placed: &Placed) -> anyhow::Result<Vec<String>> {
        Ok(match run_try(placed, &[], &self.servers).await? {
            Ok(tried) => grade::describe(&tried.start_rooms),
            Err(_) => Vec::new(),
        })
    }
}

/// Lines without their whitespace, to compare an answer with the reference.
fn squeezed(lines: &[&str]) -> Vec<String> {
    lines
        .iter()
        .map(|l| l.chars().filter(|c| !c.is_whitespace()).collect())
        .collect()
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
