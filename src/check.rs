//! `sockets-tour check`: validates lessons without trusting them — each
//! parses, has a title, a summary and narration, uses only names connected
//! earlier — then runs each and fails if prediction and observation disagree,
//! or if an exercise's solution does not pass (or an empty answer does, or
//! a variant tells nothing apart), or if it copies a line of the lesson.

use std::io::Write;

use crate::learn::attempt::Placed;
use crate::learn::live;
use crate::lesson::{self, Lesson, Section};
use crate::render::Output;
use crate::setup::Setup;
use crate::tour::{self, StepError};

/// A lesson to check: where it comes from, and its text.
pub struct Source {
    pub name: String,
    pub text: String,
}

/// What `check` found in one lesson.
#[derive(Debug, Default)]
pub struct Findings {
    /// Problems found without running it (the lesson is malformed).
    pub invalid: Vec<String>,
    /// Why the lesson could not be run to the end (the engine failed).
    pub run_error: Option<String>,
    /// Steps where the server's state and the clients disagreed.
    pub mismatched: usize,
    pub steps: usize,
    /// Steps that ended in a run-time error: notes, not failures, since a
    /// lesson may show an error on purpose (a reserved event name).
    pub errors: Vec<StepError>,
    /// How many exercises the lesson has.
    pub exercises: usize,
    /// Why exercises are not sound (a solution that does not pass on the
    /// live server or copies the lesson, a goal an empty answer already
    /// meets, a variant that tells nothing apart): `exercise at line N: why`.
    pub unsound: Vec<String>,
    /// How many exercises are not sound.
    pub unsound_exercises: usize,
}

/// The problems of a lesson that can be seen without running it.
pub fn validate(source: &Source) -> Result<Lesson, Vec<String>> {
    let lesson =
        lesson::load(&source.name, &source.text).map_err(|e| vec![e.render(&source.name)])?;
    let mut problems = Vec::new();
    if lesson::is_markdown(&source.name) {
        if lesson.title.is_none() {
            problems.push("no `# Title` heading".to_owned());
        }
        if lesson.summary.is_none() {
            problems.push(
                "no one-line `> summary` after the title (shown by `sockets-tour list`)".to_owned(),
            );
        }
        if !lesson
            .sections
            .iter()
            .any(|s| matches!(s, Section::Narration(_)))
        {
            problems.push("no narration: the prose before a ```tour block tells the learner what is about to happen".to_owned());
        }
    }
    if let Err(e) = lesson.exercises() {
        problems.push(format!("exercise block, {e}"));
    }
    if lesson.statements().next().is_none() {
        problems.push(if lesson::is_markdown(&source.name) {
            "no steps: put statements in ```tour blocks".to_owned()
        } else {
            "no steps: write one statement per line".to_owned()
        });
    }
    if problems.is_empty() {
        Ok(lesson)
    } else {
        Err(problems)
    }
}

/// Checks every source, then runs the valid ones; writes one line each, and
/// a note under it for each step that ended in a run-time error.
pub async fn check(sources: &[Source], out: &mut impl Write) -> anyhow::Result<Vec<Findings>> {
    let mut all = Vec::new();
    for source in sources {
        let mut findings = Findings::default();
        match validate(source) {
            Err(problems) => findings.invalid = problems,
            Ok(lesson) => {
                let setup = Setup::loopback(Output::Ndjson);
                match tour::run(&lesson, &mut std::io::sink(), &setup).await {
                    Ok(summary) => {
                        findings.steps = summary.steps;
                        findings.mismatched = summary.mismatched;
                        findings.errors = summary.errors;
                    }
                    // Reported under the lesson's name; the other lessons are still checked.
                    Err(e) => findings.run_error = Some(format!("{e:#}")),
                }
                if let Err(e) = check_exercises(&lesson, &mut findings).await {
                    findings.run_error = Some(format!("{e:#}"));
                }
            }
        }
        report(&source.name, &findings, out)?;
        all.push(findings);
    }
    Ok(all)
}

/// Runs every exercise's reference solution, and an empty answer, on the
/// live server from the exercise's starting state.
async fn check_exercises(lesson: &Lesson, findings: &mut Findings) -> anyhow::Result<()> {
    // `validate` has reported a malformed block already.
    let Ok(exercises) = Placed::all_of(lesson) else {
        return Ok(());
    };
    findings.exercises = exercises.len();
    let servers = Setup::loopback(Output::Ndjson).servers;
    for placed in &exercises {
        let before = findings.unsound.len();
        for line in copied_lines(lesson, &placed.exercise) {
            findings.unsound.push(format!(
                "exercise at line {}: its solution line `{line}` is in the lesson's own steps, so the exercise asks for a copy; ask for something the lesson's ideas apply to",
                placed.exercise.line
            ));
        }
        for problem in live::verify(placed, &servers).await? {
            findings.unsound.push(format!(
                "exercise at line {}: {problem}",
                placed.exercise.line
            ));
        }
        if findings.unsound.len() > before {
            findings.unsound_exercises += 1;
        }
    }
    Ok(())
}

/// The solution lines of `exercise` that the lesson's steps hold too
/// (whitespace aside).
pub fn copied_lines<'a>(lesson: &Lesson, exercise: &'a lesson::Exercise) -> Vec<&'a str> {
    let squeeze = |text: &str| -> String { text.chars().filter(|c| !c.is_whitespace()).collect() };
    let steps: std::collections::BTreeSet<String> =
        lesson.statements().map(|s| squeeze(&s.code)).collect();
    exercise
        .solution_lines()
        .into_iter()
        .filter(|line| steps.contains(&squeeze(line)))
        .collect()
}

fn report(name: &str, findings: &Findings, out: &mut impl Write) -> std::io::Result<()> {
    if !findings.invalid.is_empty() {
        writeln!(out, "FAIL {name}")?;
        for problem in &findings.invalid {
            for line in problem.trim_end().lines() {
                writeln!(out, "     {line}")?;
            }
        }
        return Ok(());
    }
    if let Some(error) = &findings.run_error {
        writeln!(out, "FAIL {name}: could not run it: {error}")?;
    } else if findings.mismatched > 0 {
        writeln!(
            out,
            "FAIL {name}: {} of {} steps disagreed with the server's state (run it to see where)",
            findings.mismatched, findings.steps
        )?;
    } else if !findings.unsound.is_empty() {
        writeln!(
            out,
            "FAIL {name}: {} of {} exercises are not sound",
            findings.unsound_exercises, findings.exercises
        )?;
        for problem in &findings.unsound {
            writeln!(out, "     {problem}")?;
        }
    } else {
        let exercises = match findings.exercises {
            0 => String::new(),
            n => format!("; {n} exercise{} solvable", if n == 1 { "" } else { "s" }),
        };
        writeln!(
            out,
            "ok   {name} ({} steps, observed = predicted{exercises})",
            findings.steps
        )?;
    }
    for StepError {
        line,
        code,
        message,
    } in &findings.errors
    {
        writeln!(out, "     note: line {line}: `{code}`: error: {message}")?;
    }
    Ok(())
}
