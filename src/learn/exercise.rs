//! Exercises: the ```` ```exercise ```` blocks of a lesson (format:
//! `notes/exercise-format.md`), parsed into a goal, a starting state, the
//! outcome that counts, hints and a reference solution.

use std::collections::{BTreeMap, BTreeSet};

use pulldown_cmark::{CodeBlockKind, Event, Options, Parser, Tag, TagEnd};
use serde_json::Value;

use crate::script::{self, Statement, SyntaxError};

/// One exercise of a lesson.
#[derive(Debug, Clone, PartialEq)]
pub struct Exercise {
    /// 1-based line of the block's opening fence in its file.
    pub line: usize,
    /// The task in words (several `goal:` lines joined by spaces).
    pub goal: String,
    /// Statements run on a fresh server before the answer. Empty: the
    /// exercise starts from the lesson's state at the block.
    pub setup: Vec<Line>,
    /// Statements run after the answer, as part of what is graded.
    pub then: Vec<Line>,
    pub expect: Expect,
    pub hints: Vec<String>,
    /// The reference answer, one statement per line.
    pub solution: Vec<Line>,
    /// The most statements an answer may have.
    pub max_statements: usize,
}

/// A line of an exercise block, with its 1-based line number in the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    pub number: usize,
    pub text: String,
}

/// The outcome that counts. Every field that is set must hold.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Expect {
    /// The event that counts; `None`: any event the graded statements emit.
    pub event: Option<String>,
    /// Exactly who must receive the event (empty: nobody).
    pub receivers: Option<BTreeSet<String>>,
    /// The arguments every receiver must get.
    pub payload: Option<Vec<Value>>,
    /// Each named client's rooms afterwards, exactly (own-id room not counted).
    pub rooms: BTreeMap<String, BTreeSet<String>>,
    pub admitted: Option<BTreeSet<String>>,
    pub refused: Option<BTreeSet<String>>,
    /// The arguments the sender's `ack` callback must receive.
    pub ack: Option<Vec<Value>>,
}

impl Expect {
    /// Whether anything is expected at all.
    pub fn is_empty(&self) -> bool {
        self.receivers.is_none()
            && self.payload.is_none()
            && self.rooms.is_empty()
            && self.admitted.is_none()
            && self.refused.is_none()
            && self.ack.is_none()
    }
}

/// A malformed exercise block: where, and what to do about it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {message}")]
pub struct ExerciseError {
    /// 1-based line number in the lesson file.
    pub line: usize,
    pub message: String,
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
enum Key {
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
    Hint,
    Solution,
    Statements,
}

/// Every key of the format: its word, its meaning, how often it may appear.
/// The parser and its messages both read this table.
const KEYS: [(&str, Key, Count); 13] = [
    ("goal", Key::Goal, Count::Required),
    ("setup", Key::Setup, Count::Any),
    ("then", Key::Then, Count::Any),
    ("expect receivers", Key::ExpectReceivers, Count::Optional),
    ("expect event", Key::ExpectEvent, Count::Optional),
    ("expect payload", Key::ExpectPayload, Count::Optional),
    ("expect rooms", Key::ExpectRooms, Count::Any),
    ("expect admitted", Key::ExpectAdmitted, Count::Optional),
    ("expect refused", Key::ExpectRefused, Count::Optional),
    ("expect ack", Key::ExpectAck, Count::Optional),
    ("hint", Key::Hint, Count::Required),
    ("solution", Key::Solution, Count::Required),
    ("statements", Key::Statements, Count::Optional),
];

fn key_word(key: Key) -> &'static str {
    KEYS.iter()
        .find(|(_, k, _)| *k == key)
        .map_or("?", |(word, _, _)| word)
}

fn known_keys() -> String {
    KEYS.iter()
        .map(|(word, _, _)| format!("`{word}:`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Parses the text of one exercise block whose opening fence is on line
/// `fence_line` of its file.
pub fn parse_block(fence_line: usize, body: &str) -> Result<Exercise, ExerciseError> {
    let mut seen: BTreeMap<&'static str, usize> = BTreeMap::new();
    let mut goal: Vec<String> = Vec::new();
    let mut exercise = Exercise {
        line: fence_line,
        goal: String::new(),
        setup: Vec::new(),
        then: Vec::new(),
        expect: Expect::default(),
        hints: Vec::new(),
        solution: Vec::new(),
        max_statements: 1,
    };
    for (i, raw) in body.lines().enumerate() {
        let number = fence_line + 1 + i;
        let text = raw.trim();
        if text.is_empty() || text.starts_with('#') {
            continue;
        }
        let err = |message: String| ExerciseError {
            line: number,
            message,
        };
        let Some((word, value)) = text.split_once(':') else {
            return Err(err(format!(
                "`{}` is not `KEY: VALUE`; the keys are {}",
                shorten(text),
                known_keys()
            )));
        };
        let word = word.split_whitespace().collect::<Vec<_>>().join(" ");
        let value = value.trim();
        let Some(&(word, key, count)) = KEYS.iter().find(|(w, _, _)| *w == word) else {
            return Err(err(format!(
                "unknown key `{}:`; the keys are {}",
                shorten(&word),
                known_keys()
            )));
        };
        let times = seen.entry(word).or_insert(0);
        *times += 1;
        if count == Count::Optional && *times > 1 {
            return Err(err(format!(
                "`{word}:` appears twice; an exercise has at most one"
            )));
        }
        if value.is_empty() {
            return Err(err(format!("`{word}:` has no value")));
        }
        let line = Line {
            number,
            text: value.to_owned(),
        };
        match key {
            Key::Goal => goal.push(value.to_owned()),
            Key::Setup => exercise.setup.push(line),
            Key::Then => exercise.then.push(line),
            Key::Solution => exercise.solution.push(line),
            Key::Hint => exercise.hints.push(value.to_owned()),
            Key::ExpectReceivers => exercise.expect.receivers = Some(names(value).map_err(err)?),
            Key::ExpectAdmitted => exercise.expect.admitted = Some(names(value).map_err(err)?),
            Key::ExpectRefused => exercise.expect.refused = Some(names(value).map_err(err)?),
            Key::ExpectEvent => match serde_json::from_str::<Value>(value) {
                Ok(Value::String(event)) => exercise.expect.event = Some(event),
                _ => {
                    return Err(err(format!(
                        "`expect event:` takes the event name as a JSON string, e.g. `\"news\"`, not `{}`",
                        shorten(value)
                    )));
                }
            },
            Key::ExpectPayload => {
                exercise.expect.payload = Some(json_array(word, value).map_err(err)?)
            }
            Key::ExpectAck => exercise.expect.ack = Some(json_array(word, value).map_err(err)?),
            Key::ExpectRooms => {
                let (name, rooms) = rooms(value).map_err(err)?;
                if exercise.expect.rooms.insert(name.clone(), rooms).is_some() {
                    return Err(err(format!(
                        "`expect rooms:` names {name} twice; give all of {name}'s rooms on one line"
                    )));
                }
            }
            Key::Statements => match value.parse::<usize>() {
                Ok(n) if n >= 1 => exercise.max_statements = n,
                _ => {
                    return Err(err(format!(
                        "`statements:` takes a whole number of 1 or more, not `{}`",
                        shorten(value)
                    )));
                }
            },
        }
    }
    let missing = |key: Key| ExerciseError {
        line: fence_line,
        message: format!(
            "the exercise has no `{}:` line; every exercise needs a goal, a hint, a solution and an `expect` line",
            key_word(key)
        ),
    };
    if goal.is_empty() {
        return Err(missing(Key::Goal));
    }
    exercise.goal = goal.join(" ");
    if exercise.hints.is_empty() {
        return Err(missing(Key::Hint));
    }
    if exercise.solution.is_empty() {
        return Err(missing(Key::Solution));
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

/// Client names separated by spaces, or `-` for nobody.
fn names(value: &str) -> Result<BTreeSet<String>, String> {
    let words: Vec<&str> = value.split_whitespace().collect();
    if words == ["-"] {
        return Ok(BTreeSet::new());
    }
    if words.contains(&"-") {
        return Err(format!(
            "`{}` mixes `-` (nobody) with names; write either names or `-`",
            shorten(value)
        ));
    }
    if let Some(bad) = words.iter().find(|w| !is_name(w)) {
        return Err(format!(
            "`{}` is not a client name; write names separated by spaces, e.g. `bob carol`, or `-` for nobody",
            shorten(bad)
        ));
    }
    let set: BTreeSet<String> = words.iter().map(|w| (*w).to_owned()).collect();
    if set.len() != words.len() {
        return Err(format!("`{}` names a client twice", shorten(value)));
    }
    Ok(set)
}

/// Whether `word` can be a client name of the tour language.
fn is_name(word: &str) -> bool {
    word.chars()
        .all(|c| c.is_alphanumeric() || c == '_' || c == '-')
        && !word.starts_with(|c: char| c.is_ascii_digit() || c == '-')
}

fn json_array(word: &str, value: &str) -> Result<Vec<Value>, String> {
    match serde_json::from_str::<Value>(value) {
        Ok(Value::Array(items)) => Ok(items),
        _ => Err(format!(
            "`{word}:` takes a JSON array of arguments, e.g. `[\"hi\"]` or `[{{\"status\": \"ok\"}}]`, not `{}`",
            shorten(value)
        )),
    }
}

/// `NAME ROOM ROOM…` with rooms as JSON strings, or `NAME -` for no room.
fn rooms(value: &str) -> Result<(String, BTreeSet<String>), String> {
    let usage = "`expect rooms:` takes a name, then its rooms as JSON strings, e.g. \
                 `bob \"lobby\" \"games\"`, or `bob -` for no room";
    let (name, rest) = value
        .split_once(char::is_whitespace)
        .ok_or_else(|| usage.to_owned())?;
    if !is_name(name) {
        return Err(format!("`{}` is not a client name; {usage}", shorten(name)));
    }
    let rest = rest.trim();
    if rest == "-" {
        return Ok((name.to_owned(), BTreeSet::new()));
    }
    let mut rooms = BTreeSet::new();
    for item in serde_json::Deserializer::from_str(rest).into_iter::<Value>() {
        match item {
            Ok(Value::String(room)) => {
                rooms.insert(room);
            }
            _ => return Err(usage.to_owned()),
        }
    }
    Ok((name.to_owned(), rooms))
}

/// How much of the author's text a message quotes, in characters.
const EXCERPT_CHARS: usize = 40;

fn shorten(text: &str) -> String {
    match text.char_indices().nth(EXCERPT_CHARS) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.to_owned(),
    }
}

/// Every ```` ```exercise ```` block of a Markdown lesson, in order.
pub fn exercises_in(markdown: &str) -> Result<Vec<Exercise>, ExerciseError> {
    let line_starts: Vec<usize> = std::iter::once(0)
        .chain(markdown.match_indices('\n').map(|(i, _)| i + 1))
        .collect();
    let line_of = |offset: usize| line_starts.partition_point(|&start| start <= offset);
    let mut exercises = Vec::new();
    let mut block: Option<(usize, String)> = None;
    for (event, range) in Parser::new_ext(markdown, Options::empty()).into_offset_iter() {
        match event {
            Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(info))) if is_exercise(&info) => {
                block = Some((line_of(range.start), String::new()));
            }
            Event::Text(text) => {
                if let Some((_, body)) = &mut block {
                    body.push_str(&text);
                }
            }
            Event::End(TagEnd::CodeBlock) => {
                if let Some((line, body)) = block.take() {
                    exercises.push(parse_block(line, &body)?);
                }
            }
            _ => {}
        }
    }
    Ok(exercises)
}

/// The goal of an exercise block, for the transcript; read leniently (the
/// whole block is checked by `check` and `practice`).
pub fn goal_of(body: &str) -> String {
    body.lines()
        .filter_map(|l| l.trim().strip_prefix("goal:"))
        .map(str::trim)
        .collect::<Vec<_>>()
        .join(" ")
}

/// Whether a fence's info string opens an exercise (in any case, as `tour`).
pub fn is_exercise(info: &str) -> bool {
    info.split_whitespace()
        .next()
        .is_some_and(|lang| lang.eq_ignore_ascii_case("exercise"))
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

impl Exercise {
    /// The statements of a try with `answer`, starting from `start` (the
    /// setup lines, or the lesson's statements before the block). Names
    /// must be connected before they are used, across all three parts.
    pub fn try_with(&self, start: &[Line], answer: &[&str]) -> Result<Try, TryError> {
        let answer: Vec<Line> = answer
            .iter()
            .enumerate()
            .map(|(i, text)| Line {
                number: i + 1,
                text: (*text).to_owned(),
            })
            .collect();
        let parts = [
            (Part::Start, start),
            (Part::Answer, answer.as_slice()),
            (Part::Then, self.then.as_slice()),
        ];
        let tagged: Vec<(Part, &Line)> = parts
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

    /// Where a try starts: the setup lines, or (with none) `lesson_before`,
    /// the lesson's statements before the block (see [`lesson_prefix`]).
    pub fn start<'a>(&'a self, lesson_before: &'a [Line]) -> &'a [Line] {
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
}

/// The lesson's own statements before line `line`, as the start of an
/// exercise that has no setup.
pub fn lesson_prefix<'a>(
    statements: impl IntoIterator<Item = &'a Statement>,
    line: usize,
) -> Vec<Line> {
    statements
        .into_iter()
        .filter(|s| s.line < line)
        .map(|s| Line {
            number: s.line,
            text: s.code.clone(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    //! The block format: every key, the starting state, and malformed blocks
    //! with the line and the message an author sees.
    use super::*;

    const EXAMPLE: &str = "goal: Send \"news\" to everyone in \"lobby\" except alice,\ngoal: in one statement.\n# a comment\n\nexpect event: \"news\"\nexpect receivers: bob carol\nhint: `io.to(room)` picks a room.\nhint: alice is the only one in \"games\".\nsolution: io.to(\"lobby\").except(\"games\").emit(\"news\", \"hi\")\n";

    fn error_of(body: &str) -> (usize, String) {
        let e = parse_block(10, body).unwrap_err();
        (e.line, e.message)
    }

    #[test]
    fn the_documented_example_parses() {
        let ex = parse_block(10, EXAMPLE).unwrap();
        assert_eq!(ex.line, 10);
        assert_eq!(
            ex.goal,
            "Send \"news\" to everyone in \"lobby\" except alice, in one statement."
        );
        assert!(ex.setup.is_empty());
        assert_eq!(ex.expect.event.as_deref(), Some("news"));
        assert_eq!(
            ex.expect.receivers,
            Some(BTreeSet::from(["bob".to_owned(), "carol".to_owned()]))
        );
        assert_eq!(ex.hints.len(), 2);
        assert_eq!(ex.solution[0].number, 19);
        assert_eq!(ex.max_statements, 1);
    }

    #[test]
    fn every_expect_key_parses() {
        let body = "goal: g\nsetup: connect alice\nthen: connect bob\nexpect receivers: -\nexpect payload: [1, {\"a\": 2}]\nexpect rooms: alice \"lobby\" \"games\"\nexpect rooms: bob -\nexpect admitted: alice\nexpect refused: bob carol\nexpect ack: [{\"status\": \"ok\"}]\nhint: h\nsolution: a\nsolution: b\nstatements: 2\n";
        let ex = parse_block(1, body).unwrap();
        assert_eq!(ex.expect.receivers, Some(BTreeSet::new()));
        assert_eq!(
            ex.expect.payload,
            Some(vec![serde_json::json!(1), serde_json::json!({"a": 2})])
        );
        assert_eq!(ex.expect.rooms["alice"].len(), 2);
        assert!(ex.expect.rooms["bob"].is_empty());
        assert_eq!(ex.expect.refused.as_ref().map(BTreeSet::len), Some(2));
        assert_eq!(
            ex.expect.ack,
            Some(vec![serde_json::json!({"status": "ok"})])
        );
        assert_eq!(ex.setup[0].number, 3);
        assert_eq!(ex.then[0].text, "connect bob");
        assert_eq!(ex.max_statements, 2);
    }

    #[test]
    fn malformed_blocks_name_the_line_and_say_what_to_do() {
        let base = "goal: g\nhint: h\nsolution: io.emit(\"x\")\n";
        let cases: [(&str, usize, &str); 12] = [
            (
                "goal g\n",
                11,
                "`goal g` is not `KEY: VALUE`; the keys are `goal:`",
            ),
            ("gaol: g\n", 11, "unknown key `gaol:`; the keys are `goal:`"),
            (
                "expect event: news\n",
                11,
                "`expect event:` takes the event name as a JSON string",
            ),
            (
                "expect event: \"a\"\nexpect event: \"b\"\n",
                12,
                "`expect event:` appears twice",
            ),
            (
                "expect receivers: bob -\n",
                11,
                "mixes `-` (nobody) with names",
            ),
            (
                "expect receivers: bob 2x\n",
                11,
                "`2x` is not a client name",
            ),
            ("expect receivers: bob bob\n", 11, "names a client twice"),
            (
                "expect payload: \"hi\"\n",
                11,
                "`expect payload:` takes a JSON array",
            ),
            (
                "expect rooms: bob lobby\n",
                11,
                "`expect rooms:` takes a name, then its rooms as JSON strings",
            ),
            ("expect rooms: bob\n", 11, "`expect rooms:` takes a name"),
            (
                "statements: 0\n",
                11,
                "`statements:` takes a whole number of 1 or more",
            ),
            ("hint:\n", 11, "`hint:` has no value"),
        ];
        for (extra, line, message) in cases {
            let body = format!("{extra}expect admitted: bob\n{base}");
            let (got_line, got) = error_of(&body);
            assert_eq!(got_line, line, "{extra:?}: {got}");
            assert!(got.contains(message), "{extra:?}: {got}");
        }
    }

    #[test]
    fn a_block_without_goal_hint_solution_or_expect_is_refused() {
        let (line, message) = error_of("hint: h\nsolution: s\nexpect receivers: -\n");
        assert_eq!(line, 10);
        assert!(message.contains("no `goal:` line"), "{message}");
        let (_, message) = error_of("goal: g\nsolution: s\nexpect receivers: -\n");
        assert!(message.contains("no `hint:` line"), "{message}");
        let (_, message) = error_of("goal: g\nhint: h\nexpect receivers: -\n");
        assert!(message.contains("no `solution:` line"), "{message}");
        let (_, message) = error_of("goal: g\nhint: h\nsolution: s\nexpect event: \"x\"\n");
        assert!(message.contains("any answer would pass"), "{message}");
    }

    #[test]
    fn a_solution_longer_than_statements_allows_is_refused() {
        let (line, message) = error_of(
            "goal: g\nhint: h\nexpect receivers: -\nsolution: connect a\nsolution: connect b\n",
        );
        assert_eq!(line, 14);
        assert!(
            message.contains("2 statements but `statements:` allows 1"),
            "{message}"
        );
    }

    #[test]
    fn blocks_are_found_in_markdown_with_their_fence_line() {
        let md = format!(
            "# T\n\n```tour\nconnect alice\n```\n\n```Exercise\n{EXAMPLE}```\n\n```js\nx\n```\n"
        );
        let found = exercises_in(&md).unwrap();
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].line, 7);
        assert_eq!(found[0].solution[0].number, 16);
        let broken = "# T\n\n```exercise\ngoal: g\nnonsense\n```\n";
        assert_eq!(exercises_in(broken).unwrap_err().line, 5);
    }

    #[test]
    fn a_try_maps_lines_back_to_their_part() {
        let ex = parse_block(
            10,
            "goal: g\nsetup: connect alice\nthen: bob> socket.emit(\"x\")\nexpect receivers: -\nhint: h\nsolution: connect bob\n",
        )
        .unwrap();
        let t = ex.try_with(ex.start(&[]), &["connect bob"]).unwrap();
        let parts: Vec<(Part, usize)> = t.statements.iter().map(|(p, s)| (*p, s.line)).collect();
        assert_eq!(
            parts,
            [(Part::Start, 12), (Part::Answer, 1), (Part::Then, 13)]
        );
        // The answer forgot to connect bob, whom the then line uses.
        let e = ex.try_with(ex.start(&[]), &["connect carol"]).unwrap_err();
        assert_eq!((e.part, e.error.line), (Part::Then, 13));
        // A syntax error in the answer has the answer's own line number.
        let e = ex
            .try_with(ex.start(&[]), &["connect carol", "io.emt(1)"])
            .unwrap_err();
        assert_eq!((e.part, e.error.line), (Part::Answer, 2));
    }
}
