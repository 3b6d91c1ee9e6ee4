//! What `list` and `progress` show of a learner's progress: per lesson,
//! read or not, exercises solved out of how many, best predict score.

use std::io::{self, Write};

use crate::learn::progress::{ExerciseStatus, Progress};
use crate::lesson;

/// One built-in lesson's progress, in numbers.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub name: String,
    pub read: bool,
    pub solved: usize,
    pub shown: usize,
    pub exercises: usize,
    /// Right out of graded, in the best `--predict` run.
    pub best_predict: Option<(usize, usize)>,
}

/// The rows of the built-in lessons, in learning order.
pub fn rows(progress: &Progress, lessons: &[(&str, &str)]) -> Vec<Row> {
    lessons
        .iter()
        .map(|(name, markdown)| {
            // A malformed block is `check`'s to report; here it counts as none.
            let goals: Vec<String> = lesson::parse_markdown(markdown)
                .ok()
                .and_then(|l| {
                    l.exercises()
                        .ok()
                        .map(|all| all.into_iter().map(|e| e.goal.clone()).collect())
                })
                .unwrap_or_default();
            let saved = progress.lessons.get(*name);
            let status = |goal: &String| saved.and_then(|p| p.exercises.get(goal)).copied();
            Row {
                name: (*name).to_owned(),
                read: saved.is_some_and(|p| p.read),
                solved: goals
                    .iter()
                    .filter(|g| status(g) == Some(ExerciseStatus::Solved))
                    .count(),
                shown: goals
                    .iter()
                    .filter(|g| status(g) == Some(ExerciseStatus::Shown))
                    .count(),
                exercises: goals.len(),
                best_predict: saved
                    .and_then(|p| p.best_predict)
                    .map(|s| (s.right, s.graded)),
            }
        })
        .collect()
}

impl Row {
    /// `read · exercises 3/4 · predict 5/6`, leaving out what is not there.
    pub fn status(&self) -> String {
        let mut parts = Vec::new();
        if self.read {
            parts.push(self.read_column().to_owned());
        }
        if self.exercises > 0 {
            parts.push(format!("exercises {}", self.exercises_column()));
        }
        if self.best_predict.is_some() {
            parts.push(self.predict_column());
        }
        parts.join(" · ")
    }

    /// `read`, or blank.
    pub fn read_column(&self) -> &'static str {
        if self.read { "read" } else { "" }
    }

    /// `3/4`, or `-` for a lesson without exercises.
    pub fn exercises_column(&self) -> String {
        if self.exercises == 0 {
            "-".to_owned()
        } else {
            format!("{}/{}", self.solved, self.exercises)
        }
    }

    /// `predict 5/6`, or blank.
    pub fn predict_column(&self) -> String {
        self.best_predict
            .map(|(right, graded)| format!("predict {right}/{graded}"))
            .unwrap_or_default()
    }
}

/// `sockets-tour progress`: one paragraph per lesson.
pub fn write_detail(out: &mut impl Write, rows: &[Row], path: Option<&str>) -> io::Result<()> {
    writeln!(out, "Your progress, lesson by lesson:\n")?;
    for row in rows {
        let read = if row.read { "read" } else { "not read yet" };
        writeln!(out, "  {}: {read}", row.name)?;
        if row.exercises > 0 {
            let shown = if row.shown > 0 {
                format!(", {} solution{} shown", row.shown, plural(row.shown))
            } else {
                String::new()
            };
            writeln!(
                out,
                "    exercises: {} of {} solved{shown}",
                row.solved, row.exercises
            )?;
        }
        match row.best_predict {
            Some((right, graded)) => writeln!(
                out,
                "    best --predict run: {right} of {graded} guesses right"
            )?,
            None => writeln!(out, "    --predict: not tried yet")?,
        }
    }
    let next = rows
        .iter()
        .find(|r| !r.read)
        .map(|r| format!("sockets-tour {}", r.name))
        .or_else(|| {
            rows.iter()
                .find(|r| r.solved < r.exercises)
                .map(|r| format!("sockets-tour practice {}", r.name))
        });
    if let Some(next) = next {
        writeln!(out, "\nNext: `{next}`")?;
    }
    if let Some(path) = path {
        writeln!(
            out,
            "\nSaved in {path} (`sockets-tour reset-progress` deletes it)."
        )?;
    }
    Ok(())
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

#[cfg(test)]
mod tests {
    //! Rows from saved progress and the lessons' exercise blocks.
    use super::*;
    use crate::learn::progress::PredictScore;

    const LESSON: &str = "# T\n\n```exercise\ngoal: one\nexpect receivers: -\nhint: h\nsolution: io.emit(\"x\")\n```\n\n```exercise\ngoal: two\nexpect receivers: -\nhint: h\nsolution: io.emit(\"x\")\n```\n";

    #[test]
    fn rows_count_solved_exercises_of_the_lesson_as_it_is_now() {
        let mut p = Progress::default();
        p.mark_read("rooms");
        p.mark_exercise("rooms", "one", ExerciseStatus::Solved);
        p.mark_exercise("rooms", "two", ExerciseStatus::Shown);
        // A goal the lesson no longer has does not count.
        p.mark_exercise("rooms", "gone", ExerciseStatus::Solved);
        p.record_predict(
            "rooms",
            PredictScore {
                right: 5,
                graded: 6,
            },
        );
        let rows = rows(&p, &[("rooms", LESSON), ("chat", "# C\n")]);
        assert_eq!(rows[0].exercises_column(), "1/2");
        assert_eq!(rows[0].predict_column(), "predict 5/6");
        assert_eq!(rows[0].read_column(), "read");
        assert_eq!(rows[1].exercises_column(), "-");
        assert_eq!(rows[0].status(), "read · exercises 1/2 · predict 5/6");
        assert_eq!(rows[1].status(), "");
        let mut out = Vec::new();
        write_detail(&mut out, &rows, None).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(
            text.contains("exercises: 1 of 2 solved, 1 solution shown"),
            "{text}"
        );
        assert!(text.contains("Next: `sockets-tour chat`"), "{text}");
    }
}
