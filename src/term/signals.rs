//! A signal that ends the program (TERM, INT, HUP) first puts the terminal
//! back as it was when the program started, whoever made it raw (the
//! presenter's keys, a line editor), then ends the program as the signal
//! would have, so that a shell sees 128 + the signal's number.

/// The signals that end the program and are caught to restore the terminal
/// first (QUIT is left alone: it is asked for a core dump, as it is).
#[cfg(unix)]
const ENDING: [i32; 3] = [
    signal_hook::consts::SIGTERM,
    signal_hook::consts::SIGINT,
    signal_hook::consts::SIGHUP,
];

/// Remembers the terminal's modes now (if stdin is a terminal) and, from a
/// thread of its own, waits for a signal in [`ENDING`]: then restores them,
/// turns bracketed paste off again, and ends as the signal does. Without a
/// terminal nothing needs restoring and nothing is caught.
#[cfg(unix)]
pub fn restore_on_signal() {
    use std::io::IsTerminal as _;
    let stdin = std::io::stdin();
    if !stdin.is_terminal() {
        return;
    }
    let Ok(modes) = rustix::termios::tcgetattr(&stdin) else {
        return;
    };
    // Nothing is caught if the handlers cannot be installed: the signals
    // then end the program as before.
    let Ok(mut signals) = signal_hook::iterator::Signals::new(ENDING) else {
        return;
    };
    let plain = std::env::var_os("TERM").is_some_and(|t| t == "dumb");
    std::thread::spawn(move || {
        let Some(signal) = signals.forever().next() else {
            return;
        };
        // A terminal that refuses cannot be helped; the program still ends.
        let _ = rustix::termios::tcsetattr(
            std::io::stdin(),
            rustix::termios::OptionalActions::Now,
            &modes,
        );
        let stderr = std::io::stderr();
        if !plain && stderr.is_terminal() {
            // Bracketed paste off (a line editor turns it on), and the
            // shell's prompt on a line of its own. Written past the lock
            // on stderr, which the thread that was interrupted may hold.
            let _ = rustix::io::write(&stderr, b"\x1b[?2004l\r\n");
        }
        let _ = signal_hook::low_level::emulate_default_handler(signal);
        std::process::exit(128 + signal);
    });
}

/// Elsewhere there is no raw mode a signal could leave behind.
#[cfg(not(unix))]
pub fn restore_on_signal() {}
