//! A try on the live server: each try runs on a fresh server (the start,
//! the answer, then the `then:` lines) and is graded against the goal; an
//! exercise is sound when its solution passes and an empty answer does not.

use crate::engine::{Engine, Servers};
use crate::learn::attempt::{self, Part, Placed, TryError};
use crate::learn::grade::{self, Verdict};
use crate::report::{RoomsNow, StepReport};
use crate::script::Statement;

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
    let attempt = match attempt::try_with(&placed.exercise, placed.start(), answer) {
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

/// Checks an exercise on the live server: its reference solution passes
/// from its starting state, and an empty answer does not. The problems, in
/// words (empty when it is sound).
pub async fn verify(placed: &Placed, servers: &Servers) -> anyhow::Result<Vec<String>> {
    let mut problems = Vec::new();
    let ex = &placed.exercise;
    match run_try(placed, &ex.solution_lines(), servers).await? {
        Err(e) => problems.push(format!(
            "its solution does not parse ({} line {}): {}",
            e.part.name(),
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
            e.part.name(),
            e.error.line,
            e.error.message
        )),
        Ok(tried) if tried.verdict.passed() => problems
            .push("an empty answer already passes: the goal is met by doing nothing".to_owned()),
        Ok(_) => {}
    }
    Ok(problems)
}
