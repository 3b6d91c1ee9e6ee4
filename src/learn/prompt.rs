//! Asking the learner: one answer per line, from a line editor at a
//! terminal, or from a pipe (a test, a teacher's prepared demo), which
//! echoes nothing and ends cleanly at end of input.

use std::io::BufRead;

/// Where answers come from.
pub trait Prompt {
    /// Reads one answer after showing `prompt` (a terminal only). `None` at
    /// end of input (Ctrl-D, Ctrl-C, or the pipe ran dry): stop asking.
    fn answer(&mut self, prompt: &str) -> std::io::Result<Option<String>>;

    /// Whether an answer that does not read is asked again (a person at a
    /// terminal), rather than taken as no answer (a prepared list of answers,
    /// one per question, which must not shift).
    fn asks_again(&self) -> bool;
}

/// Answers piped in, one per line; the prompt is not shown and nothing is
/// echoed, so the output is the same with or without answers.
pub struct Piped<R> {
    input: R,
}

impl<R: BufRead> Piped<R> {
    pub fn new(input: R) -> Self {
        Piped { input }
    }
}

impl<R: BufRead> Prompt for Piped<R> {
    fn answer(&mut self, _prompt: &str) -> std::io::Result<Option<String>> {
        let mut line = String::new();
        if self.input.read_line(&mut line)? == 0 {
            return Ok(None);
        }
        Ok(Some(line.trim_end_matches(['\n', '\r']).to_owned()))
    }

    fn asks_again(&self) -> bool {
        false
    }
}

/// Answers typed at a terminal, with line editing and history.
pub struct Terminal {
    editor: rustyline::DefaultEditor,
}

impl Terminal {
    pub fn new() -> anyhow::Result<Terminal> {
        let editor = rustyline::DefaultEditor::new()
            .map_err(|e| anyhow::anyhow!("cannot read from the terminal: {e}"))?;
        Ok(Terminal { editor })
    }
}

impl Prompt for Terminal {
    fn answer(&mut self, prompt: &str) -> std::io::Result<Option<String>> {
        use rustyline::error::ReadlineError;
        match self.editor.readline(prompt) {
            Ok(line) => {
                if !line.trim().is_empty() {
                    // History is a convenience; a failure to keep it is not an error.
                    let _ = self.editor.add_history_entry(line.as_str());
                }
                Ok(Some(line))
            }
            Err(ReadlineError::Eof | ReadlineError::Interrupted) => Ok(None),
            Err(ReadlineError::Io(e)) => Err(e),
            Err(e) => Err(std::io::Error::other(e)),
        }
    }

    fn asks_again(&self) -> bool {
        true
    }
}

/// The prompt for this process: a line editor when stdin is a terminal,
/// else the piped lines of stdin.
pub fn for_stdin() -> anyhow::Result<Box<dyn Prompt>> {
    use std::io::IsTerminal as _;
    if std::io::stdin().is_terminal() {
        Ok(Box::new(Terminal::new()?))
    } else {
        Ok(Box::new(Piped::new(std::io::stdin().lock())))
    }
}

#[cfg(test)]
mod tests {
    //! Piped answers: one per line, line endings dropped, a clean end.
    use super::*;

    #[test]
    fn piped_answers_come_one_per_line_and_end_cleanly() {
        let mut p = Piped::new("bob carol\r\n-\n\n?".as_bytes());
        assert_eq!(p.answer("> ").unwrap().as_deref(), Some("bob carol"));
        assert_eq!(p.answer("> ").unwrap().as_deref(), Some("-"));
        assert_eq!(p.answer("> ").unwrap().as_deref(), Some(""));
        assert_eq!(p.answer("> ").unwrap().as_deref(), Some("?"));
        assert_eq!(p.answer("> ").unwrap(), None);
        assert_eq!(p.answer("> ").unwrap(), None);
    }
}
