//! The line editor behind every prompt (the playground's, the exercises'):
//! rustyline with history kept in the user's data directory, Tab completion
//! of the language, Ctrl-C clearing the line and Ctrl-D ending with a
//! newline, each line of a paste a history entry of its own, and a printer
//! for output that arrives while the prompt shows.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use rustyline::completion::Completer;
use rustyline::error::ReadlineError;
use rustyline::highlight::Highlighter;
use rustyline::hint::Hinter;
use rustyline::history::DefaultHistory;
use rustyline::validate::Validator;
use rustyline::{Config, Context, Editor, Helper};

use super::complete::{Vocabulary, complete};

/// What the learner did at the prompt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    /// A line, Enter pressed (without its newline).
    Line(String),
    /// Ctrl-C: the line was cleared; prompt again.
    Cleared,
    /// Ctrl-D on an empty line, or the end of input: the session is over.
    End,
}

/// The words completion offers, shared with the session that learns them.
pub type SharedWords = Arc<Mutex<Vocabulary>>;

/// Completes from the shared vocabulary; no hints, colours or validation.
struct TourHelper {
    words: SharedWords,
}

impl Completer for TourHelper {
    type Candidate = String;

    fn complete(
        &self,
        line: &str,
        pos: usize,
        _ctx: &Context<'_>,
    ) -> rustyline::Result<(usize, Vec<String>)> {
        // A poisoned lock only means another thread panicked mid-update; the words are still words.
        let words = self.words.lock().unwrap_or_else(|e| e.into_inner());
        Ok(complete(line, pos, &words))
    }
}

impl Hinter for TourHelper {
    type Hint = String;
}
impl Highlighter for TourHelper {}
impl Validator for TourHelper {}
impl Helper for TourHelper {}

/// A line editor for prompts: line editing, history and completion.
pub struct LineEditor {
    editor: Editor<TourHelper, DefaultHistory>,
    history: Option<PathBuf>,
}

/// Where a prompt's history is kept: `NAME-history.txt` in the user's data
/// directory (`$XDG_DATA_HOME/sockets-tour` on Linux), if there is one.
pub fn history_file(name: &str) -> Option<PathBuf> {
    crate::data_dir::data_dir().map(|dir| dir.join(format!("{name}-history.txt")))
}

impl LineEditor {
    /// A prompt whose history is `history_file(name)`; completion reads `words`.
    pub fn open(name: &str, words: SharedWords) -> rustyline::Result<LineEditor> {
        let config = Config::builder()
            // Added by `read`, a line at a time (a paste may hold several).
            .auto_add_history(false)
            .history_ignore_dups(true)?
            .history_ignore_space(true)
            .max_history_size(1000)?
            .completion_type(rustyline::CompletionType::List)
            // Asking the terminal where the cursor is swallows keys typed
            // meanwhile; every prompt here follows a newline anyway.
            .check_cursor_position(false)
            .build();
        let mut editor = Editor::with_config(config)?;
        editor.set_helper(Some(TourHelper { words }));
        let history = history_file(name);
        if let Some(file) = &history {
            // No history yet (a first session) is no error.
            let _ = editor.load_history(file);
        }
        Ok(LineEditor { editor, history })
    }

    /// Reads one line after showing `prompt`; a paste of several lines
    /// comes whole, with its newlines.
    pub fn read(&mut self, prompt: &str) -> rustyline::Result<Input> {
        match self.editor.readline(prompt) {
            Ok(line) => {
                for one in line.lines() {
                    self.editor.add_history_entry(one)?;
                }
                Ok(Input::Line(line))
            }
            Err(ReadlineError::Interrupted) => Ok(Input::Cleared),
            Err(ReadlineError::Eof) => {
                // The shell's prompt starts on a line of its own.
                println!();
                Ok(Input::End)
            }
            Err(e) => Err(e),
        }
    }

    /// Lines sent to the returned channel are printed above the prompt
    /// while it shows (and as they come while it does not), from a thread
    /// of their own, which ends when every sender has gone.
    pub fn printer(&mut self) -> rustyline::Result<std::sync::mpsc::Sender<String>> {
        use rustyline::ExternalPrinter as _;
        let mut printer = self.editor.create_external_printer()?;
        let (sender, lines) = std::sync::mpsc::channel::<String>();
        std::thread::spawn(move || {
            for line in lines {
                // A terminal that is gone has no prompt to keep clear.
                if printer.print(format!("{line}\n")).is_err() {
                    eprintln!("{line}");
                }
            }
        });
        Ok(sender)
    }

    /// Writes the history file (creating its directory); called on drop
    /// too. It is written to a fresh file of its own beside it, then renamed
    /// over it, so that nothing is ever written through a link (and
    /// rustyline's making the file private touches only that fresh file);
    /// a history file that is a link is left alone and said to be.
    pub fn save(&mut self) -> std::io::Result<()> {
        let Some(file) = &self.history else {
            return Ok(());
        };
        if crate::data_dir::is_link(file) {
            return Err(std::io::Error::other(format!(
                "the history is not saved: {} is a symbolic link, which sockets-tour never \
                 makes (remove it to keep history again)",
                file.display()
            )));
        }
        if let Some(dir) = file.parent() {
            std::fs::create_dir_all(dir)?;
        }
        let temporary = crate::data_dir::temporary_beside(file)?;
        self.editor
            .save_history(temporary.path())
            .map_err(|e| std::io::Error::other(e.to_string()))?;
        // rustyline writes nothing when no line was added since the last
        // save (a session that typed nothing, or a second save): the file
        // it would have written is still the one on disk, and an empty one
        // renamed over it would wipe the history. The temporary goes.
        if temporary.as_file().metadata()?.len() == 0 {
            return Ok(());
        }
        temporary.persist(file).map_err(|e| e.error)?;
        Ok(())
    }
}

impl Drop for LineEditor {
    fn drop(&mut self) {
        // History is a convenience: a read-only home must not spoil the
        // exit, but a link where it goes is worth a word.
        if let Some(file) = &self.history
            && crate::data_dir::is_link(file)
            && let Err(e) = self.save()
        {
            eprintln!("sockets-tour: {e}");
            return;
        }
        let _ = self.save();
    }
}

#[cfg(test)]
mod tests {
    //! Where history goes (the editing itself is tested through tmux).
    use super::*;

    #[test]
    fn history_lives_in_the_data_directory_under_the_program_name() {
        if let Some(file) = history_file("play") {
            assert!(file.ends_with("play-history.txt"), "{}", file.display());
            let dir = file.parent().unwrap().to_string_lossy().to_lowercase();
            assert!(dir.contains("sockets-tour"), "{dir}");
        }
    }
}
