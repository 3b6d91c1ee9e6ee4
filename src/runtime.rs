//! The async runtime, built in one place, and the one way to wait for a
//! person (a key, a typed answer) inside it: `block_in_place`, which hands
//! the worker's other tasks (the servers', the clients') to another worker
//! first, so that nothing stalls while the person thinks. It needs the
//! multi-threaded runtime, which is why `build` is the only builder. And
//! where a line said aside goes while a person may be typing (`say_aside`).

use std::io::Write as _;

use crate::error::Error;

/// The runtime every command runs on.
pub fn build() -> Result<tokio::runtime::Runtime, Error> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| Error::Environment(format!("could not start the async runtime: {e}")))
}

/// Runs `wait` (reading a key, or a line a person types), which blocks,
/// from inside async code on the runtime of [`build`].
pub fn wait_for_person<T>(wait: impl FnOnce() -> T) -> T {
    tokio::task::block_in_place(wait)
}

/// Where a line said aside goes (an outside client's coming and going,
/// which no step reports): stderr, or, while a prompt may show, the channel
/// its line editor prints from above the prompt.
static ASIDE: std::sync::Mutex<Option<std::sync::mpsc::Sender<String>>> =
    std::sync::Mutex::new(None);

/// Says `line` aside (see [`ASIDE`]); never blocks the caller.
pub fn say_aside(line: String) {
    let aside = ASIDE.lock().unwrap_or_else(|e| e.into_inner());
    let unsent = match aside.as_ref() {
        Some(printer) => printer.send(line).err().map(|e| e.0),
        None => Some(line),
    };
    if let Some(line) = unsent {
        // A closed stderr is no reason to fail a step.
        let _ = writeln!(std::io::stderr(), "{line}");
    }
}

/// Prints `text` above the prompt when a line editor's prompt may show;
/// `Err(text)` when none does (the caller writes it where it writes).
pub fn print_above_prompt(text: String) -> Result<(), String> {
    let aside = ASIDE.lock().unwrap_or_else(|e| e.into_inner());
    match aside.as_ref() {
        Some(printer) => printer.send(text).map_err(|e| e.0),
        None => Err(text),
    }
}

/// Sends what is said aside to `printer` from now on (`None`: to stderr again).
pub fn aside_to(printer: Option<std::sync::mpsc::Sender<String>>) {
    *ASIDE.lock().unwrap_or_else(|e| e.into_inner()) = printer;
}
