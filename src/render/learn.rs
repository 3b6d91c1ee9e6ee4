//! What the learner sees of predictions and exercises: the question before
//! a step, the graded guess under its receipt, the score with the ideas
//! missed, and practice's goal, hints and verdicts (transcript and NDJSON).

use std::collections::BTreeMap;
use std::io::{self, Write};

use serde::Serialize;

use super::Transcript;
use super::ndjson::Ndjson;
use crate::learn::grade::{VariantRun, Verdict};
use crate::learn::guess::{self, ClientGrade, Graded, Idea, Prediction, Question, Score};
use crate::lesson::{Prose, Span, Style};
use crate::report::{Outcome, StepReport};
use crate::term::palette::Role;

impl<W: Write> Transcript<W> {
    /// A question before a step: its code (above the first question), then
    /// what to answer.
    pub fn question(&mut self, code: Option<&str>, question: &Question) -> io::Result<()> {
        if let Some(code) = code {
            let mark = self.paint(Role::Label, "?");
            writeln!(self.out, "{mark} {}", self.paint(Role::Statement, code))?;
        }
        writeln!(self.out, "  {}", question.text())?;
        self.out.flush()
    }

    /// The graded guess, under the step's receipt.
    pub fn prediction(
        &mut self,
        report: &StepReport,
        prediction: &Prediction,
        graded: &Graded,
    ) -> io::Result<()> {
        let said = match prediction {
            Prediction::Receivers(names) if names.is_empty() => "nobody".to_owned(),
            Prediction::Receivers(names) => names.iter().cloned().collect::<Vec<_>>().join(" "),
            Prediction::Admitted(true) => "admitted".to_owned(),
            Prediction::Admitted(false) => "refused".to_owned(),
            Prediction::Ack(None) => "no acknowledgement".to_owned(),
            Prediction::Ack(Some(args)) => format!("the ack gets {}", guess::json_args(args)),
            Prediction::GetsMissed(true) => "yes".to_owned(),
            Prediction::GetsMissed(false) => "no".to_owned(),
            Prediction::Skipped => "? (skipped)".to_owned(),
        };
        if graded.right() {
            let mark = self.paint(Role::Received, "✔ right");
            writeln!(self.out, "  you said: {said}  {mark}\n")?;
            return self.out.flush();
        }
        writeln!(self.out, "  you said: {said}")?;
        match graded {
            Graded::Receivers(clients) => self.per_client(
                clients.iter().filter_map(guess::wrong_because),
                clients
                    .iter()
                    .filter(|c| c.right())
                    .map(|c| c.name.as_str()),
            )?,
            Graded::Admission {
                name,
                said,
                admitted,
                no_namespace,
            } => {
                let what = if *admitted { "admitted" } else { "refused" };
                if said == admitted {
                    let mark = self.paint(Role::Received, "✔");
                    writeln!(self.out, "    {mark} right: {name} was {what}")?;
                } else {
                    let mark = self.paint(Role::Missed, "✘");
                    let why = match &report.outcome {
                        Outcome::Connect { ns, .. } if *no_namespace => {
                            format!(": the namespace {ns} does not exist")
                        }
                        Outcome::Connect {
                            ns, error: Some(_), ..
                        } => format!(" by the middleware of {ns}"),
                        _ => String::new(),
                    };
                    writeln!(self.out, "    {mark} {name} was {what}{why}")?;
                }
            }
            Graded::Answerers(clients) => self.per_client(
                clients.iter().filter_map(guess::AnswerGrade::wrong_because),
                clients
                    .iter()
                    .filter(|c| c.right())
                    .map(|c| c.name.as_str()),
            )?,
            Graded::Ack { .. } | Graded::Missed { .. } => {
                if let Some((_, line)) = guess::what_came(graded) {
                    let mark = self.paint(Role::Missed, "✘");
                    self.hanging(&format!("    {mark} "), 6, &line, None)?;
                }
            }
            Graded::Skipped => {}
            Graded::Ungradable => writeln!(
                self.out,
                "    (not graded: the step did not do what was asked)"
            )?,
        }
        writeln!(self.out)?;
        self.out.flush()
    }

    /// A lesson's predict score, and the ideas behind the wrong guesses.
    /// A graded list of clients: a ✘ line for each wrong guess, with why,
    /// then one ✔ line naming those it was right about.
    fn per_client<'a>(
        &mut self,
        wrong: impl Iterator<Item = String>,
        right: impl Iterator<Item = &'a str>,
    ) -> io::Result<()> {
        for line in wrong {
            let mark = self.paint(Role::Missed, "✘");
            self.hanging(&format!("    {mark} "), 6, &line, None)?;
        }
        let right: Vec<&str> = right.collect();
        if !right.is_empty() {
            let mark = self.paint(Role::Received, "✔");
            writeln!(self.out, "    {mark} right about {}", right.join(", "))?;
        }
        Ok(())
    }

    pub fn score(&mut self, score: &Score) -> io::Result<()> {
        let heading = self.paint(Role::Heading, "── Your predictions");
        writeln!(self.out, "{heading}\n")?;
        let skipped = if score.skipped > 0 {
            format!(" ({} skipped)", score.skipped)
        } else {
            String::new()
        };
        writeln!(
            self.out,
            "{} of {} right{skipped}.",
            score.right, score.graded
        )?;
        if score.ideas.is_empty() {
            writeln!(self.out)?;
        } else {
            writeln!(self.out, "The wrong guesses were about:")?;
            // As a list of narration, to wrap like the lesson's own.
            let items: Vec<Prose> = score
                .ideas
                .iter()
                .map(|(idea, times)| {
                    let times = if *times > 1 {
                        format!(" ({times} times)")
                    } else {
                        String::new()
                    };
                    Prose::Item(0, None, plain(&format!("{}{times}", idea.sentence())))
                })
                .collect();
            self.narration(&items)?;
        }
        self.out.flush()
    }

    /// An exercise's heading and goal.
    pub fn exercise(
        &mut self,
        number: usize,
        of: usize,
        title: &str,
        goal: &[Prose],
    ) -> io::Result<()> {
        let heading = format!("── Exercise {number} of {of} · {title}");
        writeln!(self.out, "{}\n", self.paint(Role::Heading, &heading))?;
        self.narration(goal)
    }

    /// Where the exercise starts (`start`: lines shown as code, or the
    /// state the lesson leaves), what runs after the answer, and how to answer.
    pub fn exercise_start(
        &mut self,
        from_lesson: bool,
        start: &[String],
        then: &[String],
        max_statements: usize,
    ) -> io::Result<()> {
        if from_lesson {
            writeln!(self.out, "It starts where the lesson's steps leave off:")?;
        } else {
            writeln!(self.out, "It starts from:")?;
        }
        for line in start {
            writeln!(self.out, "    {}", self.paint(Role::Code, line))?;
        }
        if !then.is_empty() {
            writeln!(self.out, "After your answer, the server runs:")?;
            for line in then {
                writeln!(self.out, "    {}", self.paint(Role::Code, line))?;
            }
        }
        let how = if max_statements == 1 {
            "Type one statement".to_owned()
        } else {
            format!(
                "Type up to {max_statements} statements, one per line (an empty line ends the answer)"
            )
        };
        writeln!(self.out, "\n{how}; or `hint`, `solution`, `skip`.\n")?;
        self.out.flush()
    }

    /// Practice's last line: how many exercises were solved.
    pub fn solved(&mut self, solved: usize, of: usize) -> io::Result<()> {
        writeln!(self.out, "Solved {solved} of {of} exercises this time.")?;
        self.out.flush()
    }

    /// A note of practice's own (a hint, "Skipped.", the solution's heading).
    pub fn practice_note(&mut self, text: &str) -> io::Result<()> {
        self.hanging("  ", 2, text, None)?;
        writeln!(self.out)?;
        self.out.flush()
    }

    /// Why an answer could not run: its syntax error, as the compiler shows it.
    pub fn answer_error(&mut self, rendered: &str) -> io::Result<()> {
        for line in rendered.trim_end().lines() {
            writeln!(self.out, "  {line}")?;
        }
        writeln!(self.out)?;
        self.out.flush()
    }

    /// A try's verdict; `solution` when it was the reference solution shown.
    pub fn verdict(&mut self, verdict: &Verdict, solution: bool) -> io::Result<()> {
        if solution {
            self.hanging(
                "  ",
                2,
                "It meets the goal. Marked as shown, not solved: practice asks again next time.",
                None,
            )?;
            writeln!(self.out)?;
        } else if verdict.passed() {
            let text = self.paint(
                Role::Received,
                "✔ Solved: the live server did what the goal asks.",
            );
            writeln!(self.out, "  {text}\n")?;
        } else {
            let text = self.paint(Role::Error, "✘ Not yet:");
            writeln!(self.out, "  {text}")?;
            if let Some(variant) = &verdict.variant {
                self.variant(variant)?;
            }
            for miss in &verdict.misses {
                self.hanging("    - ", 6, &miss.to_string(), None)?;
            }
            writeln!(
                self.out,
                "  Try again, or type `hint`, `solution` or `skip`.\n"
            )?;
        }
        self.out.flush()
    }
}

impl<W: Write> Transcript<W> {
    /// The variant a try failed on: what changed, where it starts, and
    /// what the answer did there.
    fn variant(&mut self, variant: &VariantRun) -> io::Result<()> {
        self.hanging(
            "    ",
            4,
            &format!(
                "Right on the exercise's own start, but not on a variant: {}. It starts from:",
                variant.label
            ),
            None,
        )?;
        for line in &variant.start {
            writeln!(self.out, "      {}", self.paint(Role::Code, line))?;
        }
        if !variant.then.is_empty() {
            writeln!(self.out, "    and then runs:")?;
            for line in &variant.then {
                writeln!(self.out, "      {}", self.paint(Role::Code, line))?;
            }
        }
        if !variant.reports.is_empty() {
            writeln!(self.out, "    There, your answer did:")?;
            let width = variant
                .reports
                .iter()
                .flat_map(|r| r.outcomes())
                .filter_map(|o| match o {
                    Outcome::Emit { deliveries, .. } => {
                        deliveries.keys().map(|n| n.chars().count()).max()
                    }
                    _ => None,
                })
                .max()
                .unwrap_or(0);
            for report in &variant.reports {
                self.step(report, width)?;
            }
        }
        writeln!(self.out, "    What differs:")?;
        Ok(())
    }

    /// After a pass: the reference solution when it differs from the
    /// answer, and the answer (or the solution shown) as Socket.IO code.
    pub fn after_pass(&mut self, reference: Option<&[&str]>, js: &[String]) -> io::Result<()> {
        if let Some(lines) = reference {
            writeln!(
                self.out,
                "  The reference solution, another way to write it:"
            )?;
            for line in lines {
                writeln!(self.out, "    {}", self.paint(Role::Code, line))?;
            }
        }
        if !js.is_empty() {
            writeln!(self.out, "  As Socket.IO JavaScript:")?;
            for line in js {
                writeln!(self.out, "    {}", self.paint(Role::Code, line))?;
            }
        }
        writeln!(self.out)?;
        self.out.flush()
    }
}

/// Text as one plain span of narration.
fn plain(text: &str) -> Vec<Span> {
    vec![Span {
        text: text.to_owned(),
        style: Style::Plain,
    }]
}

/// A prediction's NDJSON line.
#[derive(Serialize)]
struct PredictionLine<'a> {
    step: usize,
    code: &'a str,
    /// The names said, `"admitted"`/`"refused"`, `{"ack": [ARGS…]}` (or
    /// `{"ack": null}`: none comes back), `{"gets_missed": BOOL}`, or null
    /// for a skip.
    predicted: serde_json::Value,
    /// Absent for a skip or an ungraded step.
    #[serde(skip_serializing_if = "Option::is_none")]
    right: Option<bool>,
    /// Each client guessed wrong, with why.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    wrong: BTreeMap<&'a str, String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    ideas: Vec<&'static str>,
}

/// The score's NDJSON line.
#[derive(Serialize)]
struct ScoreLine {
    score: ScoreBody,
}

#[derive(Serialize)]
struct ScoreBody {
    right: usize,
    graded: usize,
    skipped: usize,
    ideas: BTreeMap<&'static str, usize>,
}

impl<W: Write> Ndjson<W> {
    pub fn prediction_line(
        &mut self,
        report: &StepReport,
        prediction: &Prediction,
        graded: &Graded,
        ideas: &[Idea],
    ) -> io::Result<()> {
        let predicted = match prediction {
            // v3: who answers a broadcast's ask, told from who receives it.
            Prediction::Receivers(names) if matches!(graded, Graded::Answerers(_)) => {
                serde_json::json!({ "answerers": names })
            }
            Prediction::Receivers(names) => serde_json::json!(names),
            Prediction::Admitted(true) => serde_json::json!("admitted"),
            Prediction::Admitted(false) => serde_json::json!("refused"),
            Prediction::Ack(args) => serde_json::json!({ "ack": args }),
            Prediction::GetsMissed(said) => serde_json::json!({ "gets_missed": said }),
            Prediction::Skipped => serde_json::Value::Null,
        };
        let wrong = match graded {
            Graded::Receivers(clients) => clients
                .iter()
                .filter_map(|c: &ClientGrade| {
                    guess::wrong_because(c).map(|why| (c.name.as_str(), why))
                })
                .collect(),
            Graded::Answerers(clients) => clients
                .iter()
                .filter_map(|c| c.wrong_because().map(|why| (c.name.as_str(), why)))
                .collect(),
            _ => guess::what_came(graded).into_iter().collect(),
        };
        let line = PredictionLine {
            step: report.line,
            code: &report.code,
            predicted,
            right: graded.counts().then(|| graded.right()),
            wrong,
            ideas: ideas.iter().map(|i| i.key()).collect(),
        };
        let text = serde_json::to_string(&line).expect("a prediction is plain JSON data");
        writeln!(self.out, "{text}")
    }

    pub fn score_line(&mut self, score: &Score) -> io::Result<()> {
        let line = ScoreLine {
            score: ScoreBody {
                right: score.right,
                graded: score.graded,
                skipped: score.skipped,
                ideas: score.ideas.iter().map(|(i, n)| (i.key(), *n)).collect(),
            },
        };
        let text = serde_json::to_string(&line).expect("a score is plain JSON data");
        writeln!(self.out, "{text}")
    }
}
