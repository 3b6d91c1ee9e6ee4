//! Lesson and script sources as the command line names them: files read
//! as UTF-8 text, built-in lessons by name, each parsed, with every failure
//! a [`BadInput`] that says what to do.

use std::path::Path;

use crate::lesson::{self, Lesson};
use crate::script::SyntaxError;

/// A failure that is the user's input, not the run: exit status 2.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct BadInput(pub String);

/// The file a built-in lesson comes from, to name it in messages.
pub fn builtin_file(name: &str) -> String {
    format!("lessons/{name}.md")
}

pub fn parse_builtin(name: &str, text: &str) -> anyhow::Result<Lesson> {
    lesson::parse_markdown(text).map_err(|e| syntax_error(&e, &builtin_file(name)))
}

pub fn syntax_error(e: &SyntaxError, file: &str) -> anyhow::Error {
    // Labelled `error:` where every error is, in `main`.
    anyhow::Error::new(BadInput(e.located(file)))
}

/// Reads a lesson or script file as text, saying what is wrong with it if not.
pub fn read_source(path: &Path) -> Result<String, BadInput> {
    let file = path.display();
    let bytes = std::fs::read(path).map_err(|e| {
        BadInput(if e.kind() == std::io::ErrorKind::NotFound {
            format!(
                "cannot read {file}: no such file; give the path of a .md lesson or a .tour script"
            )
        } else {
            format!("cannot read {file}: {e}")
        })
    })?;
    let text = String::from_utf8(bytes).map_err(|e| {
        let valid = &e.as_bytes()[..e.utf8_error().valid_up_to()];
        let line = 1 + valid.iter().filter(|&&b| b == b'\n').count();
        BadInput(format!(
            "cannot read {file}: line {line} is not UTF-8 text; save the file as UTF-8"
        ))
    })?;
    // Some editors start UTF-8 files with a byte-order mark; it is not text.
    Ok(text
        .strip_prefix('\u{feff}')
        .map(str::to_owned)
        .unwrap_or(text))
}

/// Reads and parses a lesson or script file that has at least one statement.
pub fn load_file(path: &Path) -> anyhow::Result<Lesson> {
    let text = read_source(path)?;
    let name = path.display().to_string();
    let lesson = lesson::load(&name, &text).map_err(|e| syntax_error(&e, &name))?;
    if lesson.statements().next().is_none() {
        let advice = if lesson::is_markdown(&name) {
            "put statements in ```tour blocks"
        } else {
            "write one statement per line"
        };
        return Err(BadInput(format!("no statements in {name}: {advice}")).into());
    }
    Ok(lesson)
}
