//! What the presenter does to the screen beyond writing lines: erase its
//! pause line, clear the screen for a page shown again, and notice that the
//! terminal was resized. A dumb terminal (`TERM=dumb`) understands no
//! escape code: it gets none, the pause line stays and nothing is cleared.

use std::io::{self, Write};

/// The screen the presenter writes to, decided once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Screen {
    /// `TERM=dumb`: plain lines only.
    pub dumb: bool,
    /// The width follows the terminal (no `--width`, no `COLUMNS`), so a
    /// resized terminal re-wraps the next page.
    pub follows_terminal: bool,
}

impl Screen {
    /// This process's screen; `width_flag` is whether `--width` was given.
    pub fn detect(width_flag: bool) -> Screen {
        Screen {
            dumb: std::env::var_os("TERM").is_some_and(|t| t == "dumb"),
            follows_terminal: !width_flag && std::env::var_os("COLUMNS").is_none(),
        }
    }

    /// After a pause line (written without a newline): erased, or on a
    /// dumb terminal ended and left.
    pub fn end_pause(&self, out: &mut impl Write) -> io::Result<()> {
        if self.dumb {
            writeln!(out)
        } else {
            write!(out, "\r\x1b[2K")
        }
    }

    /// Before a page shown again: a clear screen, or on a dumb terminal a
    /// blank line.
    pub fn clear(&self, out: &mut impl Write) -> io::Result<()> {
        if self.dumb {
            writeln!(out)
        } else {
            write!(out, "\x1b[H\x1b[2J")
        }
    }

    /// The terminal's columns and rows now, if the width follows it and
    /// they are no longer `columns` × `rows` (it was resized).
    pub fn resized(&self, columns: usize, rows: usize) -> Option<(usize, usize)> {
        if !self.follows_terminal {
            return None;
        }
        let now = (super::width::detect(None), super::width::detect_rows());
        (now != (columns, rows)).then_some(now)
    }
}

#[cfg(test)]
mod tests {
    //! A dumb terminal gets plain lines; another gets the escape codes.
    use super::*;

    #[test]
    fn a_dumb_terminal_gets_no_escape_code() {
        let dumb = Screen {
            dumb: true,
            follows_terminal: false,
        };
        let mut out = Vec::new();
        dumb.end_pause(&mut out).unwrap();
        dumb.clear(&mut out).unwrap();
        assert_eq!(out, b"\n\n");
        let mut out = Vec::new();
        Screen {
            dumb: false,
            ..dumb
        }
        .clear(&mut out)
        .unwrap();
        assert_eq!(out, b"\x1b[H\x1b[2J");
        assert_eq!(dumb.resized(1, 1), None, "a fixed width never re-wraps");
    }
}
