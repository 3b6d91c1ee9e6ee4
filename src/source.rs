//! Lesson and script sources as the command line names them: files read
//! as UTF-8 text, built-in lessons by name, each parsed, with every failure
//! bad input ([`Error::BadInput`]) that says what to do.

use std::path::Path;

use crate::error::{Error, bad_input};
use crate::lesson::{self, Lesson};
use crate::script::SyntaxError;

/// The file a built-in lesson comes from, to name it in messages.
pub fn builtin_file(name: &str) -> String {
    format!("lessons/{name}.md")
}

pub fn parse_builtin(name: &str, text: &str) -> Result<Lesson, Error> {
    lesson::parse_markdown(text).map_err(|e| syntax_error(&e, &builtin_file(name)))
}

pub fn syntax_error(e: &SyntaxError, file: &str) -> Error {
    // Labelled `error:` where every error is, in `main`.
    bad_input(e.located(file))
}

/// Reads a lesson or script file as text, saying what is wrong with it if not.
pub fn read_source(path: &Path) -> Result<String, Error> {
    let file = path.display();
    let bytes = std::fs::read(path).map_err(|e| {
        bad_input(if e.kind() == std::io::ErrorKind::NotFound {
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
        bad_input(format!(
            "cannot read {file}: line {line} is not UTF-8 text; save the file as UTF-8"
        ))
    })?;
    // Some editors start UTF-8 files with a byte-order mark; it is not text.
    Ok(text
        .strip_prefix('\u{feff}')
        .map(str::to_owned)
        .unwrap_or(text))
}

/// Standard input as a source (`run -`): a Markdown lesson if it has a
/// ```` ``` ```` fence line, else a bare script.
fn read_stdin() -> Result<(String, String), Error> {
    use std::io::Read as _;
    let mut bytes = Vec::new();
    std::io::stdin()
        .read_to_end(&mut bytes)
        .map_err(|e| bad_input(format!("cannot read standard input: {e}")))?;
    let text = String::from_utf8(bytes).map_err(|e| {
        let valid = &e.as_bytes()[..e.utf8_error().valid_up_to()];
        let line = 1 + valid.iter().filter(|&&b| b == b'\n').count();
        bad_input(format!("standard input: line {line} is not UTF-8 text"))
    })?;
    let text = text
        .strip_prefix('\u{feff}')
        .map(str::to_owned)
        .unwrap_or(text);
    let markdown = text
        .lines()
        .any(|l| l.trim_start().starts_with("```") || l.trim_start().starts_with("~~~"));
    let name = if markdown { "<stdin>.md" } else { "<stdin>" };
    Ok((name.to_owned(), text))
}

/// Reads and parses a lesson or script file that has at least one statement;
/// `-` is standard input.
pub fn load_file(path: &Path) -> Result<Lesson, Error> {
    let (name, text) = if path == Path::new("-") {
        read_stdin()?
    } else {
        (path.display().to_string(), read_source(path)?)
    };
    let lesson = lesson::load(&name, &text).map_err(|e| syntax_error(&e, &name))?;
    if lesson.statements().next().is_none() {
        let advice = if lesson::is_markdown(&name) {
            "put statements in ```tour blocks"
        } else {
            "write one statement per line"
        };
        return Err(bad_input(format!("no statements in {name}: {advice}")));
    }
    Ok(lesson)
}
