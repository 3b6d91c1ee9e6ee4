//! `sockets-tour check`: validates lessons without trusting them — each
//! parses, has a title, a summary and narration, uses only names connected
//! earlier — then runs each and fails if prediction and observation disagree.

use std::io::Write;

use crate::lesson::{self, Lesson, Section};
use crate::tour::{self, Options};

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
    /// Steps where the server's state and the clients disagreed.
    pub mismatched: usize,
    pub steps: usize,
}

/// The problems of a lesson that can be seen without running it.
pub fn validate(source: &Source) -> Result<Lesson, Vec<String>> {
    let lesson =
        lesson::load(&source.name, &source.text).map_err(|e| vec![e.render(&source.name)])?;
    let mut problems = Vec::new();
    if source.name.ends_with(".md") {
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
    if lesson.statements().next().is_none() {
        problems.push("no steps: put statements in ```tour blocks".to_owned());
    }
    if problems.is_empty() {
        Ok(lesson)
    } else {
        Err(problems)
    }
}

/// Checks every source, then runs the valid ones; writes one line each.
pub async fn check(sources: &[Source], out: &mut impl Write) -> anyhow::Result<Vec<Findings>> {
    let mut all = Vec::new();
    for source in sources {
        let mut findings = Findings::default();
        match validate(source) {
            Err(problems) => findings.invalid = problems,
            Ok(lesson) => {
                let summary = tour::run(
                    &lesson,
                    &mut std::io::sink(),
                    Options {
                        json: true,
                        ..Options::default()
                    },
                )
                .await?;
                findings.steps = summary.steps;
                findings.mismatched = summary.mismatched;
            }
        }
        if !findings.invalid.is_empty() {
            writeln!(out, "FAIL {}", source.name)?;
            for problem in &findings.invalid {
                for line in problem.trim_end().lines() {
                    writeln!(out, "     {line}")?;
                }
            }
        } else if findings.mismatched > 0 {
            writeln!(
                out,
                "FAIL {}: {} of {} steps disagreed with the server's state (run it to see where)",
                source.name, findings.mismatched, findings.steps
            )?;
        } else {
            writeln!(
                out,
                "ok   {} ({} steps, observed = predicted)",
                source.name, findings.steps
            )?;
        }
        all.push(findings);
    }
    Ok(all)
}
