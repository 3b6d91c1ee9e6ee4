//! One try at an exercise, as statements: where it starts (the exercise's
//! setup, or the lesson's steps before it), the answer, then the `then:`
//! lines, each statement tagged with its part.

use crate::lesson::{Exercise, ExerciseError, Lesson, ScriptLine};
use crate::script::{self, Statement, SyntaxError};

/// An exercise, with the lesson's statements before it (its starting
/// state when it has no `setup:` lines).
#[derive(Debug, Clone, PartialEq)]
pub struct Placed {
    pub exercise: Exercise,
    pub lesson_before: Vec<ScriptLine>,
}

impl Placed {
    /// A lesson's exercises, each placed after the lesson's steps before
    /// it; the first malformed block's error if there is one.
    pub fn all_of(lesson: &Lesson) -> Result<Vec<Placed>, ExerciseError> {
        Ok(lesson
            .exercises()?
            .into_iter()
            .map(|exercise| Placed {
                lesson_before: lesson.statements_before(exercise.line),
                exercise: exercise.clone(),
            })
            .collect())
    }

    /// The statements a try starts from.
    pub fn start(&self) -> &[ScriptLine] {
        self.exercise.start(&self.lesson_before)
    }
}

/// Which part of a try a statement belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    /// The exercise's `setup:` lines, or the lesson's steps before it.
    Start,
    /// What the learner typed (or the reference solution).
    Answer,
    /// The exercise's `then:` lines.
    Then,
}

impl Part {
    /// The part's name in a message about the exercise.
    pub fn name(self) -> &'static str {
        match self {
            Part::Start => "setup",
            Part::Answer => "answer",
            Part::Then => "then",
        }
    }
}

/// The statements of one try, in order, each with its part.
#[derive(Debug, Clone, PartialEq)]
pub struct Try {
    pub statements: Vec<(Part, Statement)>,
}

/// A try that cannot be parsed: the error, and the part it is in.
#[derive(Debug, Clone, PartialEq)]
pub struct TryError {
    pub part: Part,
    /// The error, with the line number the line has in its part (the
    /// file's for the lesson's lines, 1-based within the answer).
    pub error: SyntaxError,
}

/// The statements of a try of `exercise` with `answer`, starting from
/// `start` (the setup lines, or the lesson's statements before the block).
/// Names must be connected before they are used, across all three parts.
pub fn try_with(
    exercise: &Exercise,
    start: &[ScriptLine],
    answer: &[&str],
) -> Result<Try, TryError> {
    let answer: Vec<ScriptLine> = answer
        .iter()
        .enumerate()
        .map(|(i, text)| ScriptLine {
            number: i + 1,
            text: (*text).to_owned(),
        })
        .collect();
    let parts = [
        (Part::Start, start),
        (Part::Answer, answer.as_slice()),
        (Part::Then, exercise.then.as_slice()),
    ];
    let tagged: Vec<(Part, &ScriptLine)> = parts
        .iter()
        .flat_map(|(part, lines)| lines.iter().map(move |l| (*part, l)))
        .collect();
    // Numbered in sequence for the parser, then mapped back.
    let parsed = script::parse_lines(
        tagged
            .iter()
            .enumerate()
            .map(|(i, (_, l))| (i + 1, l.text.as_str())),
    );
    match parsed {
        Ok(statements) => Ok(Try {
            statements: statements
                .into_iter()
                .map(|mut s| {
                    let (part, line) = tagged[s.line - 1];
                    s.line = line.number;
                    (part, s)
                })
                .collect(),
        }),
        Err(mut error) => {
            let (part, line) = tagged[error.line - 1];
            error.line = line.number;
            Err(TryError { part, error })
        }
    }
}

#[cfg(test)]
mod tests {
    //! A try's statements keep the line numbers of their own part.
    use super::*;

    #[test]
    fn a_try_maps_lines_back_to_their_part() {
        let lesson = crate::lesson::parse_markdown(
            "# T\n\n```exercise\ngoal: g\nsetup: connect alice\nthen: bob> socket.emit(\"x\")\nexpect receivers: -\nhint: h\nsolution: connect bob\n```\n",
        )
        .unwrap();
        let ex = lesson.exercises().unwrap()[0];
        let t = try_with(ex, ex.start(&[]), &["connect bob"]).unwrap();
        let parts: Vec<(Part, usize)> = t.statements.iter().map(|(p, s)| (*p, s.line)).collect();
        assert_eq!(
            parts,
            [(Part::Start, 5), (Part::Answer, 1), (Part::Then, 6)]
        );
        // The answer forgot to connect bob, whom the then line uses.
        let e = try_with(ex, ex.start(&[]), &["connect carol"]).unwrap_err();
        assert_eq!((e.part, e.error.line), (Part::Then, 6));
        // A syntax error in the answer has the answer's own line number.
        let e = try_with(ex, ex.start(&[]), &["connect carol", "io.emt(1)"]).unwrap_err();
        assert_eq!((e.part, e.error.line), (Part::Answer, 2));
    }
}
