//! `sockets-tour play` on this process's terminal: on a terminal, lines come
//! from the line editor (history, Tab completion, Ctrl-C clears a line),
//! and its prompt shows only once the previous line's output is written;
//! the lines of a paste, and lines typed ahead, each run in turn; what an
//! outside client's arrival says is printed above the prompt; a pipe is
//! read line by line as a script.

use std::io::IsTerminal as _;
use std::sync::{Arc, Mutex};

use tokio::sync::mpsc;

use super::{InputLine, play as run_session, stdin_lines};
use crate::error::{Error, Status};
use crate::render::Output;
use crate::setup::Setup;
use crate::term::complete::Vocabulary;
use crate::term::editor::{Input, LineEditor, SharedWords};

/// What the prompt says.
const PROMPT: &str = "tour> ";

/// Runs the playground on stdin and stdout, as `setup` says; how it ended
/// is its exit status: a MISMATCH, or a refused piped line (a typed one is
/// only reported).
pub fn play(setup: &Setup) -> Result<Status, Error> {
    let interactive = std::io::stdin().is_terminal() && std::io::stdout().is_terminal();
    let runtime = crate::runtime::build()?;
    let output = setup.output;
    // Not locked for the session: the editor's thread writes too (the
    // newline after Ctrl-D), and would wait for the lock forever.
    let mut stdout = crate::term::stdout::Out::stdout();
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
            setup,
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
            setup,
            || {},
            None,
        ))?
    };
    Ok(if played.summary.mismatched > 0 {
        Status::Mismatch
    } else if played.refused > 0 && !interactive {
        Status::BadInput
    } else {
        Status::Done
    })
}

/// Sends typed lines to `lines`, one each time `wait` says the session is
/// ready for one, until Ctrl-D, an error, or the session's end. A paste of
/// several lines is sent a line at a time, each echoed with its receipt
/// (the screen shows the paste, not which receipt is whose).
fn read_lines(
    prompt: &mut LineEditor,
    lines: &mpsc::Sender<InputLine>,
    wait: &std::sync::mpsc::Receiver<()>,
) {
    let mut pasted = std::collections::VecDeque::new();
    // A closed `ready` means the session is over.
    while wait.recv().is_ok() {
        let line = match pasted.pop_front() {
            Some(line) => InputLine::unseen(Ok(line)),
            None => {
                let Some(typed) = read_line(prompt) else {
                    return;
                };
                pasted.extend(typed.lines().map(str::to_owned));
                let shown = pasted.len() <= 1;
                InputLine {
                    text: Ok(pasted.pop_front().unwrap_or_default()),
                    shown,
                }
            }
        };
        if lines.blocking_send(line).is_err() {
            return;
        }
    }
}

/// What the learner typed (or pasted) at the prompt; `None` at Ctrl-D or
/// an error (said).
fn read_line(prompt: &mut LineEditor) -> Option<String> {
    loop {
        match prompt.read(PROMPT) {
            Ok(Input::Line(line)) => return Some(line),
            Ok(Input::Cleared) => continue,
            Ok(Input::End) => return None,
            Err(e) => {
                eprintln!("error: reading the terminal: {e}");
                return None;
            }
        }
    }
}

/// Lines from the line editor, on a thread of its own (reading a terminal
/// blocks). The editor shows its prompt only when `ready` is called, so
/// that the prompt never shows while a step's report is being written.
/// Ctrl-C clears the line and prompts again; Ctrl-D ends the lines.
fn editor_lines(
    words: SharedWords,
) -> (
    mpsc::Receiver<InputLine>,
    impl FnMut(),
    std::thread::JoinHandle<()>,
) {
    let (lines, receiver) = mpsc::channel(1);
    let (ready, wait) = std::sync::mpsc::channel::<()>();
    let editor = std::thread::spawn(move || {
        let mut prompt = match LineEditor::open("play", words) {
            Ok(prompt) => prompt,
            Err(e) => {
                eprintln!("error: no line editor on this terminal: {e}");
                return;
            }
        };
        // Without a printer (no terminal after all), asides go to stderr.
        crate::runtime::aside_to(prompt.printer().ok());
        read_lines(&mut prompt, &lines, &wait);
        crate::runtime::aside_to(None);
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
