//! Asking the learner: one answer per line, from a line editor at a
//! terminal, or from a pipe (a test, a teacher's prepared demo), which
//! echoes nothing and ends cleanly at end of input. A terminal whose output
//! goes to a file is refused: the prompts would go into the file.

use std::io::BufRead;

use crate::error::{Error, bad_input};

/// Where answers come from.
pub trait Prompt {
    /// Reads one answer after showing `prompt` (a terminal only). `None` at
    /// end of input (Ctrl-D, or the pipe ran dry): stop asking. Ctrl-C is
    /// an error that [`interrupted`] recognises: stop the program.
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

/// The learner pressed Ctrl-C at a prompt: the program stops (status 130).
#[derive(Debug, thiserror::Error)]
#[error("interrupted (Ctrl-C)")]
pub struct Interrupted;

/// Set once a learner presses Ctrl-C at a prompt: the prompt knows what
/// happened, so it says so here, and the command line reads it to choose
/// the exit status (130) without looking inside the error that carried it up.
static INTERRUPTED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// A prompt saw Ctrl-C: the program is to stop as interrupted.
pub fn interrupt() -> std::io::Error {
    INTERRUPTED.store(true, std::sync::atomic::Ordering::SeqCst);
    std::io::Error::other(Interrupted)
}

/// Whether a prompt saw Ctrl-C in this process.
pub fn was_interrupted() -> bool {
    INTERRUPTED.load(std::sync::atomic::Ordering::SeqCst)
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
            Err(ReadlineError::Eof) => Ok(None),
            Err(ReadlineError::Interrupted) => {
                // The shell's prompt starts on a line of its own.
                eprintln!();
                Err(interrupt())
            }
            Err(ReadlineError::Io(e)) => Err(e),
            Err(e) => Err(std::io::Error::other(e)),
        }
    }

    fn asks_again(&self) -> bool {
        true
    }
}

/// The prompt for this process: a line editor when stdin is a terminal,
/// else the piped lines of stdin. `mode` (`--predict`, `practice`) names
/// what asks, for the refusal: a terminal whose output is redirected would
/// wait at a blank screen while its prompts went into the file.
pub fn for_stdin(mode: &str) -> Result<Box<dyn Prompt>, Error> {
    use std::io::IsTerminal as _;
    if !std::io::stdin().is_terminal() {
        return Ok(Box::new(Piped::new(std::io::stdin().lock())));
    }
    if !std::io::stdout().is_terminal() {
        return Err(bad_input(format!(
            "{mode} asks its questions at the terminal, but the output goes to a file \
             or a pipe, where the questions would be lost: run it without redirecting \
             its output, or give the answers on stdin too, one per line (`< answers.txt`)"
        )));
    }
    let terminal = Terminal::new().map_err(|e| Error::Environment(e.to_string()))?;
    Ok(Box::new(terminal))
}

#[cfg(test)]
mod tests {
    //! Piped answers: one per line, line endings dropped, a clean end; and
    //! a Ctrl-C recognised however it was wrapped.
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

    #[test]
    fn a_ctrl_c_at_a_prompt_is_remembered_for_the_exit_status() {
        let e = interrupt();
        assert!(e.to_string().contains("interrupted"), "{e}");
        assert!(was_interrupted());
    }
}
