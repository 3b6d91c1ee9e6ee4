//! Exercises: the ```` ```exercise ```` block format (the README's "Adding a
//! lesson"), one `KEY: VALUE` per line, read through one table of keys into
//! a goal, a starting state, the outcome that counts, hints and a solution.

use std::collections::{BTreeMap, BTreeSet};

use super::expect::{self, Expect, shorten};
use super::prose::Prose;
use super::require::{self, Require};
use super::variant::{self, Vary};
use crate::script::{self, SyntaxError};

/// One exercise of a lesson.
#[derive(Debug, Clone, PartialEq)]
pub struct Exercise {
    /// 1-based line of the block's opening fence in its file.
    pub line: usize,
    /// The task in words (several `goal:` lines joined by spaces); also the
    /// name its progress is saved under.
    pub goal: String,
    /// The goal read as Markdown, as practice shows it (filled in by the
    /// lesson's Markdown reader: the block format knows no Markdown).
    pub goal_prose: Vec<Prose>,
    /// Statements run on a fresh server before the answer. Empty: the
    /// exercise starts from the lesson's state at the block.
    pub setup: Vec<ScriptLine>,
    /// Statements run after the answer, as part of what is graded.
    pub then: Vec<ScriptLine>,
    pub expect: Expect,
    pub hints: Vec<String>,
    /// The reference answer, one statement per line.
    pub solution: Vec<ScriptLine>,
    /// The most statements an answer may have.
    pub max_statements: usize,
    /// Conditions on how the answer is written (`require:`).
    pub require: Vec<Require>,
    /// The kinds of variant derived from the start (`vary:`; all by default).
    pub vary: BTreeSet<Vary>,
    /// The variants the exercise declares (`variant:`).
    pub variants: Vec<Variant>,
}

/// One statement's text with its 1-based line number: in the lesson file
/// for a block's lines and the lesson's steps, in the answer for an answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScriptLine {
    pub number: usize,
    pub text: String,
}

/// A variant the exercise declares (`variant:`): a label, and the lines
/// that replace the exercise's own (empty: the exercise's own are kept).
#[derive(Debug, Clone, PartialEq)]
pub struct Variant {
    pub label: String,
    pub setup: Vec<ScriptLine>,
    pub then: Vec<ScriptLine>,
}

/// A malformed exercise block: where, and what to do about it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {message}")]
pub struct ExerciseError {
    /// 1-based line number in the lesson file.
    pub line: usize,
    pub message: String,
}

impl Exercise {
    /// Where a try starts: the setup lines, or (with none) `lesson_before`,
    /// the lesson's statements before the block.
    pub fn start<'a>(&'a self, lesson_before: &'a [ScriptLine]) -> &'a [ScriptLine] {
        if self.setup.is_empty() {
            lesson_before
        } else {
            &self.setup
        }
    }

    /// The solution, one statement per line.
    pub fn solution_lines(&self) -> Vec<&str> {
        self.solution.iter().map(|l| l.text.as_str()).collect()
    }

    /// The exercise's statement lines read in the order a try with its
    /// solution reads them (the start, the solution, the `then:` lines):
    /// the first that does not parse, with its key, and the error (its line
    /// the file's, its column the value's). A declared variant's own lines
    /// too, read in its try; that the solution itself fails on a variant
    /// is for `check` to say. A lesson with such a line is refused when it
    /// loads, not when a learner first answers.
    pub fn unreadable_line(
        &self,
        lesson_before: &[ScriptLine],
    ) -> Option<(&'static str, SyntaxError)> {
        let setup = if self.setup.is_empty() { "" } else { "setup" };
        let own = [
            (setup, self.start(lesson_before)),
            ("solution", &self.solution[..]),
            ("then", &self.then[..]),
        ];
        if let Some(found) = first_unparsed(&own) {
            return Some(found);
        }
        self.variants.iter().find_map(|variant| {
            let [start, solution, then] = own;
            let parts = [
                match variant.setup.is_empty() {
                    true => start,
                    false => ("variant setup", &variant.setup[..]),
                },
                solution,
                match variant.then.is_empty() {
                    true => then,
                    false => ("variant then", &variant.then[..]),
                },
            ];
            first_unparsed(&parts).filter(|(key, _)| key.starts_with("variant"))
        })
    }
}

/// The lines of `parts` parsed as one script, in order: the key of the
/// first that does not parse, and its error.
fn first_unparsed(parts: &[(&'static str, &[ScriptLine])]) -> Option<(&'static str, SyntaxError)> {
    let lines = || {
        parts
            .iter()
            .flat_map(|&(key, lines)| lines.iter().map(move |l| (key, l)))
    };
    let error = script::parse_lines(lines().map(|(_, l)| (l.number, l.text.as_str()))).err()?;
    let key = lines()
        .find(|(_, l)| l.number == error.line)
        .map_or("", |(key, _)| key);
    Some((key, error))
}

/// How many times a key may appear in one block.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Count {
    /// 0 or 1.
    Optional,
    /// 0 or more.
    Any,
    /// 1 or more.
    Required,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Field {
    Goal,
    Setup,
    Then,
    ExpectReceivers,
    ExpectEvent,
    ExpectPayload,
    ExpectRooms,
    ExpectAdmitted,
    ExpectRefused,
    ExpectAck,
    ExpectFound,
    Hint,
    Solution,
    Statements,
    Require,
    Vary,
    Variant,
    VariantSetup,
    VariantThen,
}

/// Every key of the format: its word, its meaning, how often it may appear.
/// The parser and its messages both read this table.
const FIELDS: [(&str, Field, Count); 19] = [
    ("goal", Field::Goal, Count::Required),
    ("setup", Field::Setup, Count::Any),
    ("then", Field::Then, Count::Any),
    ("expect receivers", Field::ExpectReceivers, Count::Optional),
    ("expect event", Field::ExpectEvent, Count::Optional),
    ("expect payload", Field::ExpectPayload, Count::Optional),
    ("expect rooms", Field::ExpectRooms, Count::Any),
    ("expect admitted", Field::ExpectAdmitted, Count::Optional),
    ("expect refused", Field::ExpectRefused, Count::Optional),
    ("expect ack", Field::ExpectAck, Count::Optional),
    ("expect found", Field::ExpectFound, Count::Optional),
    ("hint", Field::Hint, Count::Required),
    ("solution", Field::Solution, Count::Required),
    ("statements", Field::Statements, Count::Optional),
    ("require", Field::Require, Count::Any),
    ("vary", Field::Vary, Count::Optional),
    ("variant", Field::Variant, Count::Any),
    ("variant setup", Field::VariantSetup, Count::Any),
    ("variant then", Field::VariantThen, Count::Any),
];

fn key_word(key: Field) -> &'static str {
    FIELDS
        .iter()
        .find(|(_, k, _)| *k == key)
        .map_or("?", |(word, _, _)| word)
}

fn known_keys() -> String {
    FIELDS
        .iter()
        .map(|(word, _, _)| format!("`{word}:`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A line's key, read through [`FIELDS`], and its value (trimmed).
struct Entry<'a> {
    word: &'static str,
    key: Field,
    count: Count,
    value: &'a str,
}

/// Reads `KEY: VALUE` (a line already trimmed, not blank, not a comment).
fn read_entry(text: &str) -> Result<Entry<'_>, String> {
    let Some((word, value)) = text.split_once(':') else {
        return Err(format!(
            "`{}` is not `KEY: VALUE`; the keys are {}",
            shorten(text),
            known_keys()
        ));
    };
    let word = word.split_whitespace().collect::<Vec<_>>().join(" ");
    let Some(&(word, key, count)) = FIELDS.iter().find(|(w, _, _)| *w == word) else {
        return Err(format!(
            "unknown key `{}:`; the keys are {}",
            shorten(&word),
            known_keys()
        ));
    };
    Ok(Entry {
        word,
        key,
        count,
        value: value.trim(),
    })
}

/// The lines of a block that say something, with their line numbers in the
/// file (the fence is on `fence_line`).
fn meaningful_lines(fence_line: usize, body: &str) -> impl Iterator<Item = (usize, &str)> {
    body.lines()
        .enumerate()
        .map(move |(i, raw)| (fence_line + 1 + i, raw.trim()))
        .filter(|(_, text)| !text.is_empty() && !text.starts_with('#'))
}

/// Parses the text of one exercise block whose opening fence is on line
/// `fence_line` of its file.
pub fn parse_block(fence_line: usize, body: &str) -> Result<Exercise, ExerciseError> {
    let mut draft = Draft::new(fence_line);
    for (number, text) in meaningful_lines(fence_line, body) {
        draft.entry(number, text).map_err(|message| ExerciseError {
            line: number,
            message,
        })?;
    }
    draft.finish()
}

/// The goal of an exercise block, for the transcript; read leniently (the
/// whole block is checked by `check` and `practice`).
pub fn goal_of(body: &str) -> String {
    meaningful_lines(0, body)
        .filter_map(|(_, text)| read_entry(text).ok())
        .filter(|entry| entry.key == Field::Goal)
        .map(|entry| entry.value)
        .collect::<Vec<_>>()
        .join(" ")
}

/// Whether a fence's info string opens an exercise (in any case, as `tour`).
pub fn is_exercise(info: &str) -> bool {
    info.split_whitespace()
        .next()
        .is_some_and(|lang| lang.eq_ignore_ascii_case("exercise"))
}

/// An exercise being read, line by line.
struct Draft {
    exercise: Exercise,
    goal: Vec<String>,
    /// How many times each key has appeared.
    seen: BTreeMap<&'static str, usize>,
}

impl Draft {
    fn new(fence_line: usize) -> Draft {
        Draft {
            exercise: Exercise {
                line: fence_line,
                goal: String::new(),
                goal_prose: Vec::new(),
                setup: Vec::new(),
                then: Vec::new(),
                expect: Expect::default(),
                hints: Vec::new(),
                solution: Vec::new(),
                max_statements: 1,
                require: Vec::new(),
                vary: variant::all_kinds(),
                variants: Vec::new(),
            },
            goal: Vec::new(),
            seen: BTreeMap::new(),
        }
    }

    /// Reads one `KEY: VALUE` line (line `number` of the file).
    fn entry(&mut self, number: usize, text: &str) -> Result<(), String> {
        let entry = read_entry(text)?;
        let times = self.seen.entry(entry.word).or_insert(0);
        *times += 1;
        if entry.count == Count::Optional && *times > 1 {
            return Err(format!(
                "`{}:` appears twice; an exercise has at most one",
                entry.word
            ));
        }
        if entry.value.is_empty() {
            return Err(format!("`{}:` has no value", entry.word));
        }
        self.set(&entry, number)
    }

    fn set(&mut self, entry: &Entry, number: usize) -> Result<(), String> {
        let value = entry.value;
        let line = || ScriptLine {
            number,
            text: value.to_owned(),
        };
        let exercise = &mut self.exercise;
        let expect = &mut exercise.expect;
        match entry.key {
            Field::Goal => self.goal.push(value.to_owned()),
            Field::Setup => exercise.setup.push(line()),
            Field::Then => exercise.then.push(line()),
            Field::Solution => exercise.solution.push(line()),
            Field::Hint => exercise.hints.push(value.to_owned()),
            Field::ExpectReceivers => expect.receivers = Some(expect::names(value)?),
            Field::ExpectAdmitted => expect.admitted = Some(expect::names(value)?),
            Field::ExpectRefused => expect.refused = Some(expect::names(value)?),
            Field::ExpectEvent => expect.event = Some(expect::event(value)?),
            Field::ExpectPayload => expect.payload = Some(expect::json_array(entry.word, value)?),
            Field::ExpectAck => expect.ack = Some(expect::json_array(entry.word, value)?),
            Field::ExpectFound => expect.found = Some(expect::names(value)?),
            Field::ExpectRooms => {
                let (name, rooms) = expect::rooms(value)?;
                if expect.rooms.insert(name.clone(), rooms).is_some() {
                    return Err(format!(
                        "`expect rooms:` names {name} twice; give all of {name}'s rooms on one line"
                    ));
                }
            }
            Field::Statements => exercise.max_statements = statements(value)?,
            Field::Require => exercise.require.push(require::parse(value)?),
            Field::Vary => exercise.vary = variant::kinds(value)?,
            Field::Variant => exercise.variants.push(Variant {
                label: value.to_owned(),
                setup: Vec::new(),
                then: Vec::new(),
            }),
            Field::VariantSetup | Field::VariantThen => {
                let Some(last) = exercise.variants.last_mut() else {
                    return Err(format!(
                        "`{}:` comes before any `variant:` line; start a variant with `variant: LABEL`",
                        entry.word
                    ));
                };
                if entry.key == Field::VariantSetup {
                    last.setup.push(line());
                } else {
                    last.then.push(line());
                }
            }
        }
        Ok(())
    }

    /// The exercise, once every line is read: it must have each required
    /// key, something expected, and a solution short enough.
    fn finish(mut self) -> Result<Exercise, ExerciseError> {
        let fence_line = self.exercise.line;
        let missing = |key: Field| ExerciseError {
            line: fence_line,
            message: format!(
                "the exercise has no `{}:` line; every exercise needs a goal, a hint, a solution and an `expect` line",
                key_word(key)
            ),
        };
        if self.goal.is_empty() {
            return Err(missing(Field::Goal));
        }
        self.exercise.goal = self.goal.join(" ");
        let exercise = self.exercise;
        if exercise.hints.is_empty() {
            return Err(missing(Field::Hint));
        }
        if exercise.solution.is_empty() {
            return Err(missing(Field::Solution));
        }
        if exercise.expect.is_empty() {
            return Err(ExerciseError {
                line: fence_line,
                message: "the exercise has no `expect …:` line, so any answer would pass; \
                          say what must happen, e.g. `expect receivers: bob carol`"
                    .to_owned(),
            });
        }
        if exercise.solution.len() > exercise.max_statements {
            return Err(ExerciseError {
                line: exercise.solution[0].number,
                message: format!(
                    "the solution has {} statements but `statements:` allows {}; \
                     raise `statements:` or shorten the solution",
                    exercise.solution.len(),
                    exercise.max_statements
                ),
            });
        }
        Ok(exercise)
    }
}

/// The `statements:` value: a whole number of 1 or more.
fn statements(value: &str) -> Result<usize, String> {
    match value.parse::<usize>() {
        Ok(n) if n >= 1 => Ok(n),
        _ => Err(format!(
            "`statements:` takes a whole number of 1 or more, not `{}`",
            shorten(value)
        )),
    }
}

#[cfg(test)]
mod tests;
