//! `verify EXERCISE -- COMMAND…` (or `--url`): the learner's server
//! started (or reached), the exercise's clients run on it and on the
//! reference, case by case (its own clients, then each variant), up to
//! the first difference; always the learner's process group killed at
//! the end.

use std::io::Write;
use std::time::{Duration, Instant};

use super::exercise::{ServerExercise, split_start};
use super::process::{Learner, Unready, free_port};
use super::render::Receipt;
use super::run::{self, CaseResult, Timing};
use crate::learn::attempt::Placed;
use crate::learn::variants;
use crate::lesson::ScriptLine;

/// Where the learner's server is.
#[derive(Debug, Clone)]
pub enum Target {
    /// Start this command with `PORT` set; wait this long for it to listen.
    Command(Vec<String>, Duration),
    /// A server the learner started.
    Url(String),
}

/// How verify ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Pass,
    /// A difference, or a server that crashed or never listened.
    Fail,
}

/// The cases: the exercise's own clients, then each variant, with labels.
pub fn cases(exercise: &ServerExercise) -> Vec<(Option<String>, Vec<ScriptLine>)> {
    let placed = Placed {
        exercise: exercise.as_practice(),
        lesson_before: Vec::new(),
    };
    let mut all: Vec<(Option<String>, Vec<ScriptLine>)> = variants::cases(&placed)
        .into_iter()
        .map(|case| {
            let lines = case.start.iter().chain(&case.then).cloned().collect();
            (case.label, lines)
        })
        .collect();
    for (label, lines) in &exercise.variants {
        let (start, then) = split_start(lines);
        all.push((Some(label.clone()), start.into_iter().chain(then).collect()));
    }
    all
}

pub async fn verify(
    exercise: &ServerExercise,
    target: &Target,
    timing: Timing,
    out: &mut Receipt<impl Write>,
) -> anyhow::Result<Verdict> {
    out.title(&exercise.title)?;
    let started = Instant::now();
    let (url, mut learner) = match target {
        Target::Url(url) => {
            out.note(&format!("Checking the server at {url}."))?;
            (url.clone(), None)
        }
        Target::Command(command, bound) => {
            let port = free_port()?;
            let mut learner = match Learner::start(command, port) {
                Ok(learner) => learner,
                Err(Unready::Spawn(message)) => {
                    return Err(crate::error::bad_input(format!(
                        "{message}; give the command that starts your server after `--`, e.g. \
                         `sockets-tour verify {} -- node server.js`",
                        exercise.name
                    ))
                    .into());
                }
                Err(other) => return Err(anyhow::anyhow!("{other:?}")),
            };
            let shown = learner.shown.clone();
            let waited = tokio::task::block_in_place(|| learner.wait_listening(*bound));
            if let Err(unready) = waited {
                learner.kill();
                learner.settle_output();
                let why = match unready {
                    Unready::Exited(status) => format!(
                        "`{shown}` exited ({status}) before it listened on port {port}. Check \
                         the error below (for JavaScript, did `npm install` run in this folder?)"
                    ),
                    _ => format!(
                        "`{shown}` did not listen on port {port} within {} s. Check that it \
                         listens on the port in the PORT environment variable \
                         (`process.env.PORT`, `std::env::var(\"PORT\")`); a first `cargo run` \
                         that compiles for longer needs `cargo build` first, or --start-timeout",
                        bound.as_secs()
                    ),
                };
                out.failure(&why, &learner.output(), "the server could not be checked")?;
                return Ok(Verdict::Fail);
            }
            out.note(&format!(
                "`{shown}` is listening on port {port} (PORT={port}), ready after {:.1} s.",
                started.elapsed().as_secs_f64()
            ))?;
            (format!("http://127.0.0.1:{port}"), Some(learner))
        }
    };
    let verdict = run_cases(exercise, &url, &mut learner, timing, out).await;
    if let Some(learner) = learner.as_mut() {
        learner.kill();
    }
    let verdict = verdict?;
    out.note(&format!(
        "Each step waited up to {} ms for every delivery the reference makes, then \
         for {} ms of quiet; a delivery later than that is not seen (`--wait MS` on a slow \
         machine). Took {:.1} s.",
        timing.wait.as_millis(),
        timing.quiet.as_millis(),
        started.elapsed().as_secs_f64()
    ))?;
    Ok(verdict)
}

async fn run_cases(
    exercise: &ServerExercise,
    url: &str,
    learner: &mut Option<Learner>,
    timing: Timing,
    out: &mut Receipt<impl Write>,
) -> anyhow::Result<Verdict> {
    let cases = cases(exercise);
    let variants = cases.len() - 1;
    for (i, (label, clients)) in cases.iter().enumerate() {
        if i == 0 {
            out.note("The exercise's clients, step by step, against the reference server:")?;
        } else if i == 1 {
            out.note(&format!(
                "The same on {variants} variants (fresh clients each), so that a server \
                 written for the names and values above fails:"
            ))?;
        }
        let result: CaseResult =
            run::case(&exercise.reference, clients, url, learner, timing).await?;
        match label {
            None => out.case_steps(&result, true)?,
            Some(label) => out.variant(label, &result)?,
        }
        if let Some(status) = &result.exited {
            if let Some(learner) = learner.as_mut() {
                learner.settle_output();
                out.failure(
                    &format!("your server exited ({status}) during the step above"),
                    &learner.output(),
                    "your server crashed; fix the error in its output",
                )?;
            }
            return Ok(Verdict::Fail);
        }
        if let Some(broken) = &result.broken {
            out.failure(
                &format!("the server stopped answering the clients: {broken}"),
                &learner.as_ref().map(Learner::output).unwrap_or_default(),
                "the server stopped answering",
            )?;
            return Ok(Verdict::Fail);
        }
        if !result.passed() {
            out.verdict(false, "the first difference is above (✘)")?;
            return Ok(Verdict::Fail);
        }
    }
    out.verdict(
        true,
        &format!(
            "your server does what the reference does, on the exercise's clients and on \
             {variants} variants"
        ),
    )?;
    Ok(Verdict::Pass)
}
