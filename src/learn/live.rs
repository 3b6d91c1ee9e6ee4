//! A try on the live server, graded: the goal's conditions on the parsed
//! answer; then the answer and the reference solution, each on a fresh
//! server, on the exercise's own start and on each variant, must observe
//! the same in what the goal asks. An exercise is sound when its solution
//! passes, an empty answer does not, and every variant tells them apart.

use crate::engine::{Engine, Servers};
use crate::learn::attempt::{self, Part, Placed, TryError};
use crate::learn::grade::{self, Observed, VariantRun, Verdict};
use crate::learn::variants::{self, Case};
use crate::report::{RoomsNow, StepReport};
use crate::script::Statement;

/// One try that ran on the exercise's own start: every step's report with
/// its part, and the verdict over every case.
#[derive(Debug, Clone)]
pub struct Tried {
    pub reports: Vec<(Part, StepReport)>,
    pub verdict: Verdict,
    /// The server's clients and rooms when the answer began.
    pub start_rooms: RoomsNow,
    /// The answer, parsed.
    pub answer: Vec<Statement>,
}

/// One run of some lines from one case's start.
struct Run {
    reports: Vec<(Part, StepReport)>,
    start_rooms: RoomsNow,
    end_rooms: RoomsNow,
    answer: Vec<Statement>,
}

/// Runs `answer` from `case` on fresh servers; `Ok(Err(_))`: it does not parse.
async fn run_case(
    placed: &Placed,
    case: &Case,
    answer: &[String],
    servers: &Servers,
) -> anyhow::Result<Result<Run, TryError>> {
    let mut exercise = placed.exercise.clone();
    exercise.then = case.then.clone();
    let lines: Vec<&str> = answer.iter().map(String::as_str).collect();
    let attempt = match attempt::try_with(&exercise, &case.start, &lines) {
        Ok(attempt) => attempt,
        Err(e) => return Ok(Err(e)),
    };
    // Boxed: a try runs several of these in turn, and the nested futures
    // would otherwise outgrow the compiler's layout depth.
    let (reports, start_rooms, end_rooms) =
        Box::pin(Engine::run(servers.clone(), async |engine| {
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
        }))
        .await?;
    let answer = attempt
        .statements
        .into_iter()
        .filter(|(p, _)| *p == Part::Answer)
        .map(|(_, s)| s)
        .collect();
    Ok(Ok(Run {
        reports,
        start_rooms,
        end_rooms,
        answer,
    }))
}

/// What a run observed, in what the exercise's goal asks.
fn observed(placed: &Placed, run: &Run) -> Observed {
    grade::observe(&placed.exercise.expect, &run.reports, &run.end_rooms)
}

/// Runs one try of `answer` and grades it: the goal's conditions and
/// expectations on the exercise's own start, then the same outcome as the
/// reference solution's there and on every variant (the first variant
/// that differs is the verdict's). `Ok(Err(_))`: the answer does not parse.
pub async fn run_try(
    placed: &Placed,
    answer: &[&str],
    servers: &Servers,
) -> anyhow::Result<Result<Tried, TryError>> {
    let ex = &placed.exercise;
    let cases = variants::cases(placed);
    let own_lines: Vec<String> = answer.iter().map(|l| (*l).to_owned()).collect();
    let own = match run_case(placed, &cases[0], &own_lines, servers).await? {
        Ok(run) => run,
        Err(e) => return Ok(Err(e)),
    };
    let mut verdict = grade::grade(&ex.expect, &own.reports, &own.start_rooms, &own.end_rooms);
    let mut conditions = grade::unmet(&ex.require, ex.max_statements, &own.answer);
    conditions.append(&mut verdict.misses);
    verdict.misses = conditions;
    if verdict.passed() {
        verdict = Box::pin(against_reference(placed, &cases, answer, &own, servers)).await?;
    }
    Ok(Ok(Tried {
        reports: own.reports,
        verdict,
        start_rooms: own.start_rooms,
        answer: own.answer,
    }))
}

/// The answer (its run on the own start: `own`) against the reference
/// solution, case by case, up to the first that differs.
async fn against_reference(
    placed: &Placed,
    cases: &[Case],
    answer: &[&str],
    own: &Run,
    servers: &Servers,
) -> anyhow::Result<Verdict> {
    let ex = &placed.exercise;
    for case in cases {
        let Ok(reference) =
            run_case(placed, case, &case.lines(&ex.solution_lines()), servers).await?
        else {
            continue; // `check` reports a solution that does not run here.
        };
        let case_answer;
        let ours = if case.label.is_none() {
            own
        } else {
            match run_case(placed, case, &case.lines(answer), servers).await? {
                Ok(run) => {
                    case_answer = run;
                    &case_answer
                }
                Err(e) => {
                    return Ok(Verdict {
                        misses: vec![grade::Miss::Condition(format!(
                            "your answer does not run here ({} line {}): {}",
                            e.part.name(),
                            e.error.line,
                            e.error.message
                        ))],
                        variant: shown(case, None),
                    });
                }
            }
        };
        let misses = grade::compare(
            &ex.expect,
            &|n| case.name(n),
            &observed(placed, ours),
            &observed(placed, &reference),
        );
        if !misses.is_empty() {
            return Ok(Verdict {
                misses,
                variant: shown(case, Some(ours)),
            });
        }
    }
    Ok(Verdict {
        misses: Vec::new(),
        variant: None,
    })
}

/// A variant as a miss shows it (`None` for the exercise's own start).
fn shown(case: &Case, run: Option<&Run>) -> Option<VariantRun> {
    Some(VariantRun {
        label: case.label.clone()?,
        start: case.start.iter().map(|l| l.text.clone()).collect(),
        then: case.then.iter().map(|l| l.text.clone()).collect(),
        reports: run
            .map(|r| {
                r.reports
                    .iter()
                    .filter(|(p, _)| *p != Part::Start)
                    .map(|(_, r)| r.clone())
                    .collect()
            })
            .unwrap_or_default(),
    })
}

/// Checks an exercise on the live server: its reference solution passes
/// from its starting state (conditions included) and an empty answer does
/// not; it has at least two variants, on each of which the solution runs
/// without an error and does something an empty answer does not. The
/// problems, in words (empty when it is sound).
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
    let cases = variants::cases(placed);
    let variants = &cases[1..];
    if variants.len() < 2 {
        problems.push(format!(
            "it has {} variant{}; an answer is graded on at least two (allow more `vary:` kinds or declare `variant:` lines)",
            variants.len(),
            if variants.len() == 1 { "" } else { "s" }
        ));
    }
    for case in variants {
        let label = case.label.as_deref().unwrap_or_default();
        let solution = case.lines(&ex.solution_lines());
        let reference = match run_case(placed, case, &solution, servers).await? {
            Err(e) => {
                problems.push(format!(
                    "on the variant \"{label}\", its solution does not parse ({} line {}): {}",
                    e.part.name(),
                    e.error.line,
                    e.error.message
                ));
                continue;
            }
            Ok(run) => observed(placed, &run),
        };
        if let Some((code, message)) = reference.errors.first() {
            problems.push(format!(
                "on the variant \"{label}\", its solution fails: `{code}`: {message}"
            ));
            continue;
        }
        if let Ok(empty) = run_case(placed, case, &[], servers).await?
            && grade::compare(
                &ex.expect,
                &|n| case.name(n),
                &observed(placed, &empty),
                &reference,
            )
            .is_empty()
        {
            problems.push(format!(
                "on the variant \"{label}\", an empty answer does what the solution does, so it tells nothing apart (leave it out with `vary:`)"
            ));
        }
    }
    Ok(problems)
}
