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
use rustyline::history::{DefaultHistory, History as _};
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
    /// How the history is kept (length, duplicates), for the copy each
    /// save merges into.
    config: Config,
    /// Lines added to the history this session and not saved yet.
    unsaved: Vec<String>,
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
        let mut editor = Editor::with_config(config.clone())?;
        editor.set_helper(Some(TourHelper { words }));
        let history = history_file(name);
        if let Some(file) = &history {
            // No history yet (a first session) is no error.
            let _ = editor.load_history(file);
        }
        Ok(LineEditor {
            editor,
            history,
            config,
            unsaved: Vec::new(),
        })
    }

    /// Reads one line after showing `prompt`; a paste of several lines
    /// comes whole, with its newlines.
    pub fn read(&mut self, prompt: &str) -> rustyline::Result<Input> {
        match self.editor.readline(prompt) {
            Ok(line) => {
                for one in line.lines() {
                    if self.editor.add_history_entry(one)? {
                        self.unsaved.push(one.to_owned());
                    }
                }
                // Saved at once, so that a signal, a crash or another
                // session's save loses none of it. A failure keeps the
                // lines for the next try; the last one is said at the end.
                let _ = self.save();
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

    /// Adds the lines of this session not saved yet to the history file
    /// (creating its directory), after each line and on drop. Under a lock,
    /// the file as it is now (another session may have saved since) is read,
    /// these lines are added, and the result is written to a fresh file of
    /// its own, renamed over it: nothing is written through a link (a
    /// history file that is a link is left alone and said to be), a file
    /// that cannot be read is never replaced, and another session's lines
    /// stay.
    pub fn save(&mut self) -> std::io::Result<()> {
        let Some(file) = &self.history else {
            return Ok(());
        };
        if self.unsaved.is_empty() {
            return Ok(());
        }
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
        let _lock = crate::data_dir::lock(&crate::data_dir::lock_path(file))?;
        let mut merged = DefaultHistory::with_config(&self.config);
        match merged.load(file) {
            Ok(()) => {}
            Err(ReadlineError::Io(e)) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => {
                return Err(std::io::Error::other(format!(
                    "the history is not saved: {} could not be read ({e})",
                    file.display()
                )));
            }
        }
        for line in &self.unsaved {
            merged.add(line).map_err(std::io::Error::other)?;
        }
        let temporary = crate::data_dir::temporary_beside(file)?;
        merged
            .save(temporary.path())
            .map_err(|e| std::io::Error::other(e.to_string()))?;
        // rustyline writes nothing when nothing was added (the lines were
        // there already): the file stays as it is.
        if temporary.as_file().metadata()?.len() > 0 {
            temporary.persist(file).map_err(|e| e.error)?;
        }
        self.unsaved.clear();
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
