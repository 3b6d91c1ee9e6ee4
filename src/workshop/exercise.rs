//! A server exercise as data: `workshop/NAME/exercise.md` (a title, a
//! one-line summary, the goal as prose, and one ```` ```server ```` block
//! with the reference handlers and the client actions that test them),
//! with the starters beside it, all embedded in the binary.

use std::collections::BTreeSet;

use crate::lesson::{self, Exercise, Expect, Prose, ScriptLine, Section, Vary};
use crate::script::{self, StatementKind};

/// The exercises, in order: name, `exercise.md`, the JavaScript starter
/// (`server.js`) and the Rust starter (`src/main.rs`).
pub const EXERCISES: &[(&str, &str, &str, &str)] = &[
    (
        "chat",
        include_str!("../../workshop/chat/exercise.md"),
        include_str!("../../workshop/chat/server.js"),
        include_str!("../../workshop/chat/main.rs"),
    ),
    (
        "rooms",
        include_str!("../../workshop/rooms/exercise.md"),
        include_str!("../../workshop/rooms/server.js"),
        include_str!("../../workshop/rooms/main.rs"),
    ),
    (
        "lobby",
        include_str!("../../workshop/lobby/exercise.md"),
        include_str!("../../workshop/lobby/server.js"),
        include_str!("../../workshop/lobby/main.rs"),
    ),
    (
        "private",
        include_str!("../../workshop/private/exercise.md"),
        include_str!("../../workshop/private/server.js"),
        include_str!("../../workshop/private/main.rs"),
    ),
    (
        "admin",
        include_str!("../../workshop/admin/exercise.md"),
        include_str!("../../workshop/admin/server.js"),
        include_str!("../../workshop/admin/main.rs"),
    ),
    (
        "ack",
        include_str!("../../workshop/ack/exercise.md"),
        include_str!("../../workshop/ack/server.js"),
        include_str!("../../workshop/ack/main.rs"),
    ),
];

/// The starters' project files, `{{exercise}}` and `{{title}}` filled in.
pub const PACKAGE_JSON: &str = include_str!("../../workshop/package.json");
pub const CARGO_TOML: &str = include_str!("../../workshop/Cargo.toml");

/// One server exercise, read.
#[derive(Debug, Clone)]
pub struct ServerExercise {
    pub name: &'static str,
    pub title: String,
    pub summary: String,
    /// The goal, as the transcript shows narration.
    pub goal: Vec<Prose>,
    /// The reference server: tour-script `on`, `use` and `io.of` lines.
    pub reference: Vec<ScriptLine>,
    /// What the clients do, in order: `connect`, `NAME> socket.emit`, `disconnect`.
    pub clients: Vec<ScriptLine>,
    /// The variants derived by themselves (`vary:`; all by default).
    pub vary: BTreeSet<Vary>,
    /// Declared variants: a label and the client lines that replace the
    /// exercise's own.
    pub variants: Vec<(String, Vec<ScriptLine>)>,
    pub js: &'static str,
    pub rust: &'static str,
}

/// The exercise called `name`, read; bad input names the exercises.
pub fn find(name: &str) -> Result<ServerExercise, crate::error::Error> {
    let found = EXERCISES.iter().find(|(n, ..)| *n == name).ok_or_else(|| {
        crate::error::bad_input(format!(
            "no workshop exercise is called {name:?}; the exercises are {} \
             (`sockets-tour workshop` lists them)",
            names().join(", ")
        ))
    })?;
    read(found)
        .map_err(|e| crate::error::Error::Run(anyhow::anyhow!("workshop/{name}/exercise.md: {e}")))
}

pub fn names() -> Vec<&'static str> {
    EXERCISES.iter().map(|(n, ..)| *n).collect()
}

/// Reads one embedded exercise.
pub fn read(
    &(name, text, js, rust): &(&'static str, &str, &'static str, &'static str),
) -> Result<ServerExercise, String> {
    let lesson = lesson::parse_markdown(text).map_err(|e| e.to_string())?;
    let goal: Vec<Prose> = lesson
        .sections
        .iter()
        .flat_map(|s| match s {
            Section::Narration(prose) => prose.clone(),
            Section::Steps(_) => Vec::new(),
        })
        .filter(|p| !matches!(p, Prose::Code { lang, .. } if lang == "server"))
        .collect();
    let mut exercise = ServerExercise {
        name,
        title: lesson.title.ok_or("it has no `# Title`")?,
        summary: lesson.summary.ok_or("it has no `> summary` line")?,
        goal,
        reference: Vec::new(),
        clients: Vec::new(),
        vary: [Vary::Rename, Vary::Sender, Vary::Payload, Vary::Extra].into(),
        variants: Vec::new(),
        js,
        rust,
    };
    let mut inside = false;
    let mut blocks = 0;
    for (i, line) in text.lines().enumerate() {
        let number = i + 1;
        let trimmed = line.trim();
        if !inside {
            inside = trimmed == "```server";
            blocks += usize::from(inside);
            continue;
        }
        if trimmed.starts_with("```") {
            inside = false;
            continue;
        }
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        let (key, value) = trimmed
            .split_once(':')
            .ok_or_else(|| format!("line {number}: write `KEY: VALUE`"))?;
        let value = value.trim();
        let script_line = ScriptLine {
            number,
            text: value.to_owned(),
        };
        match key.trim() {
            "reference" => exercise.reference.push(script_line),
            "client" => exercise.clients.push(script_line),
            "variant" => exercise.variants.push((value.to_owned(), Vec::new())),
            "variant client" => exercise
                .variants
                .last_mut()
                .ok_or_else(|| format!("line {number}: `variant client:` before any `variant:`"))?
                .1
                .push(script_line),
            "vary" => exercise.vary = vary(value).map_err(|e| format!("line {number}: {e}"))?,
            other => {
                return Err(format!(
                    "line {number}: unknown key `{other}`; the keys are reference, client, \
                     vary, variant, variant client"
                ));
            }
        }
    }
    if blocks != 1 {
        return Err(format!("it needs one ```server block, not {blocks}"));
    }
    check_lines(&exercise)?;
    Ok(exercise)
}

fn vary(value: &str) -> Result<BTreeSet<Vary>, String> {
    let kinds = [
        ("rename", Vary::Rename),
        ("sender", Vary::Sender),
        ("payload", Vary::Payload),
        ("extra", Vary::Extra),
    ];
    if value == "none" {
        return Ok(BTreeSet::new());
    }
    value
        .split_whitespace()
        .map(|w| {
            kinds
                .iter()
                .find(|(k, _)| *k == w)
                .map(|(_, v)| *v)
                .ok_or_else(|| format!("`vary:` does not know `{w}`"))
        })
        .collect()
}

/// The reference is server code only and the client lines client actions
/// only, and both parse together (a real server knows no client's name).
fn check_lines(exercise: &ServerExercise) -> Result<(), String> {
    let mut all = vec![exercise.clients.clone()];
    all.extend(exercise.variants.iter().map(|(_, lines)| lines.clone()));
    for clients in all {
        let lines = exercise.reference.iter().chain(&clients);
        let parsed = script::parse_lines(lines.map(|l| (l.number, l.text.as_str())))
            .map_err(|e| format!("line {}: {}", e.line, e.message))?;
        for statement in parsed {
            let client = matches!(
                statement.kind,
                StatementKind::Connect { .. }
                    | StatementKind::Disconnect { .. }
                    | StatementKind::ClientEmit { .. }
            );
            let in_reference = exercise
                .reference
                .iter()
                .any(|l| l.number == statement.line);
            if client == in_reference {
                return Err(format!(
                    "line {}: `{}` belongs in {}",
                    statement.line,
                    statement.code,
                    if client { "`client:`" } else { "`reference:`" }
                ));
            }
        }
    }
    Ok(())
}

impl ServerExercise {
    /// The exercise as the practice grader's model, for its variants: the
    /// clients' first `connect` lines are the start, the rest follow the
    /// reference (its "solution").
    pub fn as_practice(&self) -> Exercise {
        let (start, then) = split_start(&self.clients);
        Exercise {
            line: 1,
            goal: self.title.clone(),
            goal_prose: Vec::new(),
            setup: start,
            then,
            expect: Expect::default(),
            hints: Vec::new(),
            solution: self.reference.clone(),
            max_statements: self.reference.len(),
            require: Vec::new(),
            vary: self.vary.clone(),
            variants: Vec::new(),
        }
    }
}

/// The leading `connect` lines, and the rest.
pub fn split_start(clients: &[ScriptLine]) -> (Vec<ScriptLine>, Vec<ScriptLine>) {
    let first_action = clients
        .iter()
        .position(|l| !l.text.trim_start().starts_with("connect "))
        .unwrap_or(clients.len());
    (
        clients[..first_action].to_vec(),
        clients[first_action..].to_vec(),
    )
}

#[cfg(test)]
mod tests {
    //! The embedded table and the `workshop/` folder agree, and every
    //! exercise reads.
    use super::*;

    #[test]
    fn every_exercise_folder_is_embedded_and_reads() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("workshop");
        let mut on_disk: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .filter_map(Result::ok)
            .filter(|e| e.path().is_dir())
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        on_disk.sort();
        let mut embedded: Vec<String> = names().into_iter().map(str::to_owned).collect();
        embedded.sort();
        assert_eq!(on_disk, embedded, "workshop/ and EXERCISES differ");
        for entry in EXERCISES {
            let exercise = read(entry).unwrap_or_else(|e| panic!("{}: {e}", entry.0));
            assert!(!exercise.reference.is_empty() && !exercise.clients.is_empty());
            assert!(!exercise.goal.is_empty());
        }
    }

    #[test]
    fn a_client_line_in_the_reference_is_refused() {
        let text = "# T\n\n> s\n\nGoal.\n\n```server\nreference: connect alice\nclient: connect bob\n```\n";
        let e = read(&("x", text, "", "")).unwrap_err();
        assert!(e.contains("belongs in `client:`"), "{e}");
    }
}
