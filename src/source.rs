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

/// Lines as a file or a pipe holds them: each ends at `\n`, `\r\n` or a
/// lone `\r` (old Mac files), the same for `run`, `play` and `:load`.
/// A line is handed out as soon as its end is read: nothing waits to see
/// whether a `\n` follows a `\r` (it is skipped when it comes).
pub struct Lines<R> {
    input: R,
    /// The last line ended with `\r`: a `\n` right after it belongs to it.
    after_cr: bool,
}

impl<R: std::io::BufRead> Lines<R> {
    pub fn new(input: R) -> Lines<R> {
        Lines {
            input,
            after_cr: false,
        }
    }

    /// The next line without its ending; `None` at the end of the input.
    pub fn next_line(&mut self) -> std::io::Result<Option<Vec<u8>>> {
        let mut line = Vec::new();
        loop {
            let buffer = self.input.fill_buf()?;
            if buffer.is_empty() {
                return Ok((!line.is_empty()).then_some(line));
            }
            if std::mem::take(&mut self.after_cr) && buffer[0] == b'\n' {
                self.input.consume(1);
                continue;
            }
            match buffer.iter().position(|&b| b == b'\n' || b == b'\r') {
                Some(end) => {
                    self.after_cr = buffer[end] == b'\r';
                    line.extend_from_slice(&buffer[..end]);
                    self.input.consume(end + 1);
                    return Ok(Some(line));
                }
                None => {
                    let all = buffer.len();
                    line.extend_from_slice(buffer);
                    self.input.consume(all);
                }
            }
        }
    }
}

/// `bytes` with every line ending made `\n` (see [`Lines`]).
fn with_newlines(bytes: &[u8]) -> Vec<u8> {
    let mut lines = Lines::new(bytes);
    let mut text = Vec::with_capacity(bytes.len() + 1);
    // Reading a slice cannot fail.
    while let Ok(Some(line)) = lines.next_line() {
        text.extend_from_slice(&line);
        text.push(b'\n');
    }
    text
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
    let text = String::from_utf8(with_newlines(&bytes)).map_err(|e| {
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
    let text = String::from_utf8(with_newlines(&bytes)).map_err(|e| {
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

#[cfg(test)]
mod tests {
    //! Line endings: `\n`, `\r\n` and a lone `\r` all end a line.
    use super::*;

    fn lines(input: &[u8]) -> Vec<String> {
        let mut lines = Lines::new(input);
        let mut all = Vec::new();
        while let Some(line) = lines.next_line().unwrap() {
            all.push(String::from_utf8(line).unwrap());
        }
        all
    }

    #[test]
    fn lf_crlf_and_a_lone_cr_each_end_one_line() {
        assert_eq!(lines(b"a\nb\r\nc\rd"), ["a", "b", "c", "d"]);
        assert_eq!(lines(b"a\r\r\nb\n\n"), ["a", "", "b", ""]);
        assert_eq!(lines(b""), Vec::<String>::new());
        assert_eq!(
            with_newlines(b"# c\rconnect alice\r"),
            b"# c\nconnect alice\n"
        );
    }

    #[test]
    fn a_crlf_split_between_two_reads_is_one_ending() {
        // A reader that hands out one byte at a time.
        let input = std::io::BufReader::with_capacity(1, &b"a\r\nb\r"[..]);
        let mut lines = Lines::new(input);
        let mut all = Vec::new();
        while let Some(line) = lines.next_line().unwrap() {
            all.push(line);
        }
        assert_eq!(all, [b"a".to_vec(), b"b".to_vec()]);
    }
}
