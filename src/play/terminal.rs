//! `sockets-tour play` on this process's terminal: on a terminal, lines come
//! from the line editor (history, Tab completion, Ctrl-C clears a line),
//! and its prompt shows only once the previous line's output is written; a
//! pipe is read line by line as a script.

use std::io::IsTerminal as _;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use tokio::sync::mpsc;

use super::{Line, play as run_session, stdin_lines};
use crate::render::Output;
use crate::term::complete::Vocabulary;
use crate::term::editor::{Input, Prompt, SharedWords, history_file};
use crate::tour::Options;

/// How a playground session ended, as its exit status says it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Ok,
    /// A step disagreed with the server's state.
    Mismatched,
    /// A piped line was refused (a typed one is only reported).
    Refused,
}

/// What the prompt says.
const PROMPT: &str = "tour> ";

/// Runs the playground on stdin and stdout.
pub fn play(output: Output, listen: SocketAddr) -> anyhow::Result<Outcome> {
    let interactive = std::io::stdin().is_terminal() && std::io::stdout().is_terminal();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| anyhow::anyhow!("could not start the async runtime: {e}"))?;
    let options = Options { output };
    // Not locked for the session: the editor's thread writes too (the
    // newline after Ctrl-D), and would wait for the lock forever.
    let mut stdout = std::io::stdout();
    let mut stderr = std::io::stderr();
    let played = if interactive {
        let columns = match output {
            Output::Transcript { width, .. } => width,
            Output::Ndjson => crate::term::width::detect(None),
        };
        for line in [
            "sockets-tour playground: type a statement and press Enter, e.g. `connect alice`.",
            ":help shows the language and the commands; Tab completes; Ctrl-D leaves.",
        ] {
            for part in crate::term::width::wrap(line, columns, "", "") {
                eprintln!("{part}");
            }
        }
        let words: SharedWords = Arc::new(Mutex::new(Vocabulary::default()));
        let (lines, ready, editor) = editor_lines(words.clone());
        let played = runtime.block_on(run_session(
            lines,
            &mut stdout,
            &mut stderr,
            options,
            listen,
            ready,
            Some(words),
        ));
        // The editor saves its history as it ends; wait for that.
        let _ = editor.join();
        played?
    } else {
        runtime.block_on(run_session(
            stdin_lines(),
            &mut stdout,
            &mut stderr,
            options,
            listen,
            || {},
            None,
        ))?
    };
    Ok(if played.summary.mismatched > 0 {
        Outcome::Mismatched
    } else if played.refused > 0 && !interactive {
        Outcome::Refused
    } else {
        Outcome::Ok
    })
}

/// Sends typed lines to `lines`, one each time `wait` says the session is
/// ready for one, until Ctrl-D, an error, or the session's end.
fn read_lines(
    prompt: &mut Prompt,
    lines: &mpsc::Sender<Line>,
    wait: &std::sync::mpsc::Receiver<()>,
) {
    // A closed `ready` means the session is over.
    while wait.recv().is_ok() {
        let line = loop {
            match prompt.read(PROMPT) {
                Ok(Input::Line(line)) => break line,
                Ok(Input::Cleared) => continue,
                Ok(Input::End) => return,
                Err(e) => {
                    eprintln!("error: reading the terminal: {e}");
                    return;
                }
            }
        };
        if lines.blocking_send(Ok(line)).is_err() {
            return;
        }
    }
}

/// Closes the editor, which saves the history as it closes, unless the
/// history file is now a symbolic link: sockets-tour never makes one, and
/// saving (rustyline truncates the file and makes it private) would write
/// through it to whatever it points at.
fn close(prompt: Prompt) {
    let Some(history) = history_file("play") else {
        return;
    };
    if crate::data_dir::is_link(&history) {
        eprintln!(
            "sockets-tour: the playground's history is not saved: {} is a symbolic link, \
             which sockets-tour never makes (remove it to keep history again)",
            history.display()
        );
        // Dropping the prompt would save the history; nothing else of it
        // needs closing (the terminal is restored after every line), and
        // the process ends next.
        std::mem::forget(prompt);
    }
}

/// Lines from the line editor, on a thread of its own (reading a terminal
/// blocks). The editor shows its prompt only when `ready` is called, so
/// that the prompt never shows while a step's report is being written.
/// Ctrl-C clears the line and prompts again; Ctrl-D ends the lines.
fn editor_lines(
    words: SharedWords,
) -> (
    mpsc::Receiver<Line>,
    impl FnMut(),
    std::thread::JoinHandle<()>,
) {
    let (lines, receiver) = mpsc::channel(1);
    let (ready, wait) = std::sync::mpsc::channel::<()>();
    let editor = std::thread::spawn(move || {
        let mut prompt = match Prompt::open("play", words) {
            Ok(prompt) => prompt,
            Err(e) => {
                eprintln!("error: no line editor on this terminal: {e}");
                return;
            }
        };
        read_lines(&mut prompt, &lines, &wait);
        close(prompt);
    });
    (
        receiver,
        move || {
            // The editor may have ended (Ctrl-D): then nothing waits.
            let _ = ready.send(());
        },
        editor,
    )
}
