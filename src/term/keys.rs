//! Single keys for the presenter's `--step`: read in raw mode behind a guard
//! that restores the terminal whatever happens (a key, an error, a panic),
//! with the keys typed ahead discarded, and `--pace` advancing by itself.

use std::io;
use std::time::{Duration, Instant};

use crossterm::event::{self, Event, KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

/// What a presenter asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Key {
    /// Enter, space, `n`, →, ↓, Page Down: go on.
    Next,
    /// `b`, `p`, ←, ↑, Page Up: back to the previous pause.
    Back,
    /// `r`: this block again.
    Replay,
    /// `q`, Esc: stop, cleanly.
    Quit,
    /// Ctrl-C: stop, as interrupted (exit status 130).
    Interrupt,
    /// `?`, `h`: the keys.
    Help,
}

/// The keys, for `?` and the pause line.
pub const HELP: &str = "Enter/space next · ? help · b back · r replay · q quit";

/// The key a key press means, if any. Ctrl-D is not "next" (it ends input
/// elsewhere, so a presenter who types it means no step).
pub fn key_of(event: &KeyEvent) -> Option<Key> {
    if event.kind == KeyEventKind::Release {
        return None;
    }
    let ctrl = event.modifiers.contains(KeyModifiers::CONTROL);
    match event.code {
        KeyCode::Char('c') if ctrl => Some(Key::Interrupt),
        _ if ctrl => None,
        KeyCode::Enter
        | KeyCode::Char(' ' | 'n')
        | KeyCode::Right
        | KeyCode::Down
        | KeyCode::PageDown => Some(Key::Next),
        KeyCode::Char('b' | 'p') | KeyCode::Left | KeyCode::Up | KeyCode::PageUp => Some(Key::Back),
        KeyCode::Char('r') => Some(Key::Replay),
        KeyCode::Char('q') | KeyCode::Esc => Some(Key::Quit),
        KeyCode::Char('?' | 'h') => Some(Key::Help),
        _ => None,
    }
}

/// Raw mode while it lives: its `Drop` puts the terminal back, so `q`,
/// Ctrl-C (which raw mode turns into a key), an error and a panic all leave
/// a sane shell.
pub struct RawMode(());

impl RawMode {
    pub fn enable() -> io::Result<RawMode> {
        crossterm::terminal::enable_raw_mode()?;
        Ok(RawMode(()))
    }
}

impl Drop for RawMode {
    fn drop(&mut self) {
        // Nothing more can be done about a terminal that refuses.
        let _ = crossterm::terminal::disable_raw_mode();
    }
}

/// Waits for a key that means something, in raw mode only while waiting (so
/// that output between pauses is written as usual). Keys pressed before the
/// call are discarded: a presenter who pressed Enter twice while a block ran
/// must not skip the next one. Then `prompt` shows what the keys are for
/// (after the discarding, so that a key pressed as soon as it shows counts).
/// With `pace`, no key for that long means [`Key::Next`]. It may be called
/// from async code: it waits as [`crate::runtime::wait_for_person`] does.
pub fn wait(pace: Option<Duration>, prompt: impl FnOnce() -> io::Result<()>) -> io::Result<Key> {
    crate::runtime::wait_for_person(|| wait_here(pace, prompt))
}

fn wait_here(pace: Option<Duration>, prompt: impl FnOnce() -> io::Result<()>) -> io::Result<Key> {
    let _raw = RawMode::enable()?;
    while event::poll(Duration::ZERO)? {
        event::read()?;
    }
    prompt()?;
    let deadline = pace.map(|p| Instant::now() + p);
    loop {
        let timeout = match deadline {
            Some(d) => d.saturating_duration_since(Instant::now()),
            // A day: poll needs a bound, and no one presents that long.
            None => Duration::from_secs(24 * 60 * 60),
        };
        if !event::poll(timeout)? {
            if deadline.is_some() {
                return Ok(Key::Next);
            }
            continue;
        }
        if let Event::Key(k) = event::read()?
            && let Some(key) = key_of(&k)
        {
            return Ok(key);
        }
    }
}

#[cfg(test)]
mod tests {
    //! What each key means (the terminal itself is tested through tmux).
    use super::*;

    fn press(code: KeyCode, modifiers: KeyModifiers) -> Option<Key> {
        key_of(&KeyEvent::new(code, modifiers))
    }

    #[test]
    fn the_presenter_keys_mean_what_the_help_says() {
        let none = KeyModifiers::NONE;
        assert_eq!(press(KeyCode::Enter, none), Some(Key::Next));
        assert_eq!(press(KeyCode::Char(' '), none), Some(Key::Next));
        assert_eq!(press(KeyCode::Char('b'), none), Some(Key::Back));
        assert_eq!(press(KeyCode::Left, none), Some(Key::Back));
        assert_eq!(press(KeyCode::Char('r'), none), Some(Key::Replay));
        assert_eq!(press(KeyCode::Char('q'), none), Some(Key::Quit));
        assert_eq!(press(KeyCode::Esc, none), Some(Key::Quit));
        assert_eq!(press(KeyCode::Char('?'), none), Some(Key::Help));
        assert_eq!(press(KeyCode::Char('x'), none), None);
    }

    #[test]
    fn ctrl_d_is_not_next_and_ctrl_c_interrupts() {
        let ctrl = KeyModifiers::CONTROL;
        assert_eq!(press(KeyCode::Char('d'), ctrl), None);
        assert_eq!(press(KeyCode::Char('c'), ctrl), Some(Key::Interrupt));
        assert_eq!(press(KeyCode::Char('n'), ctrl), None);
    }

    #[test]
    fn a_key_release_is_no_second_press() {
        let mut release = KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE);
        release.kind = KeyEventKind::Release;
        assert_eq!(key_of(&release), None);
    }
}
