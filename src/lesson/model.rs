//! The lesson model: what a lesson file says once it is read, so that the
//! tour, `check`, `practice`, `list` and the renderer never read its text.

use super::exercise::{Exercise, ExerciseError, ScriptLine};
use super::prose::Prose;
use crate::script::Statement;

/// A lesson or a bare script, ready to run.
#[derive(Debug, Clone, PartialEq)]
pub struct Lesson {
    /// The `# Title`, if any.
    pub title: Option<String>,
    /// The first block quote: a one-line summary for `list`.
    pub summary: Option<String>,
    /// Narration and steps, in document order.
    pub sections: Vec<Section>,
    /// The ```` ```exercise ```` blocks, in document order, each parsed. A
    /// malformed one is kept as its error: the tour still shows its goal,
    /// while `check` and `practice` refuse the lesson's exercises.
    pub exercises: Vec<Result<Exercise, ExerciseError>>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Section {
    Narration(Vec<Prose>),
    Steps(Vec<Statement>),
}

impl Lesson {
    /// A lesson of nothing yet.
    pub fn empty() -> Lesson {
        Lesson {
            title: None,
            summary: None,
            sections: Vec::new(),
            exercises: Vec::new(),
        }
    }

    /// Every statement of the lesson, in order.
    pub fn statements(&self) -> impl Iterator<Item = &Statement> {
        self.sections.iter().flat_map(|s| match s {
            Section::Steps(steps) => steps.as_slice(),
            Section::Narration(_) => &[],
        })
    }

    /// The lesson's own statements before line `line`: the start of an
    /// exercise there that has no `setup:` lines.
    pub fn statements_before(&self, line: usize) -> Vec<ScriptLine> {
        self.statements()
            .filter(|s| s.line < line)
            .map(|s| ScriptLine {
                number: s.line,
                text: s.code.clone(),
            })
            .collect()
    }

    /// The exercises, in order; the first malformed block's error if there
    /// is one.
    pub fn exercises(&self) -> Result<Vec<&Exercise>, ExerciseError> {
        self.exercises
            .iter()
            .map(|e| e.as_ref().map_err(Clone::clone))
            .collect()
    }
}
