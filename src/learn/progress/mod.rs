//! Progress: which lessons a learner has read, which exercises they solved
//! (or only saw the solution of), and their best predict score per lesson,
//! kept in a small JSON file in the user's data directory. A file that is
//! corrupt or cannot be written is reported once and otherwise ignored.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// The environment variable that names the folder of the progress file
/// (tests and demos point it away from the learner's home).
const FILE_NAME: &str = "progress.json";
const VERSION: u32 = 1;

/// Everything saved, per lesson name.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Progress {
    pub version: u32,
    #[serde(default)]
    pub lessons: BTreeMap<String, LessonProgress>,
}

impl Default for Progress {
    fn default() -> Self {
        Progress {
            version: VERSION,
            lessons: BTreeMap::new(),
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct LessonProgress {
    /// Run to the end at least once.
    #[serde(default)]
    pub read: bool,
    /// Per exercise, by its goal (stable when exercises are added or moved).
    #[serde(default)]
    pub exercises: BTreeMap<String, ExerciseStatus>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub best_predict: Option<PredictScore>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ExerciseStatus {
    /// The learner asked for the solution; it is not solved.
    Shown,
    Solved,
}

/// Predictions right out of predictions graded, in one run of a lesson.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PredictScore {
    pub right: usize,
    pub graded: usize,
}

impl PredictScore {
    /// Whether this score beats `other`: a higher share right, or the same
    /// share over more guesses.
    pub fn beats(&self, other: &PredictScore) -> bool {
        let (a, b) = (self.right * other.graded, other.right * self.graded);
        a > b || (a == b && self.graded > other.graded)
    }
}

impl Progress {
    pub fn lesson(&mut self, name: &str) -> &mut LessonProgress {
        self.lessons.entry(name.to_owned()).or_default()
    }

    pub fn mark_read(&mut self, lesson: &str) {
        self.lesson(lesson).read = true;
    }

    /// Records an exercise's status; solved is never downgraded to shown.
    pub fn mark_exercise(&mut self, lesson: &str, goal: &str, status: ExerciseStatus) {
        let entry = self
            .lesson(lesson)
            .exercises
            .entry(goal.to_owned())
            .or_insert(status);
        *entry = (*entry).max(status);
    }

    /// Keeps `score` if it is the lesson's best.
    pub fn record_predict(&mut self, lesson: &str, score: PredictScore) {
        if score.graded == 0 {
            return;
        }
        let best = &mut self.lesson(lesson).best_predict;
        if best.is_none_or(|b| score.beats(&b)) {
            *best = Some(score);
        }
    }

    /// How many of `goals` are solved in `lesson`.
    pub fn solved<'a>(&self, lesson: &str, goals: impl IntoIterator<Item = &'a str>) -> usize {
        let Some(p) = self.lessons.get(lesson) else {
            return 0;
        };
        goals
            .into_iter()
            .filter(|g| p.exercises.get(*g) == Some(&ExerciseStatus::Solved))
            .count()
    }
}

/// The progress file, and whether a problem with it was already reported.
impl Progress {
    /// Adds what `other` holds: lessons read, exercises solved or shown
    /// (solved wins), the better predict score. Nothing is ever taken away.
    pub fn merge(&mut self, other: &Progress) {
        for (name, theirs) in &other.lessons {
            if theirs.read {
                self.mark_read(name);
            }
            for (goal, status) in &theirs.exercises {
                self.mark_exercise(name, goal, *status);
            }
            if let Some(score) = theirs.best_predict {
                self.record_predict(name, score);
            }
        }
    }
}

mod store;
#[cfg(test)]
mod tests;

pub use store::Store;
