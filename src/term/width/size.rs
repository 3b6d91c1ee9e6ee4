//! How big the screen is: its columns (`--width`, then `COLUMNS`, then the
//! terminal, else 80) and rows, and the columns a string takes on it.

use std::io::IsTerminal as _;

use unicode_width::UnicodeWidthStr as _;

/// The width when nothing says otherwise (and the width of the snapshots).
pub const DEFAULT: usize = 80;
/// Narrower than this, nothing reads well: `--width` refuses it, and a
/// narrower `COLUMNS` or terminal is taken as this.
pub const MIN: usize = 30;
/// The rows of a screen when nothing says otherwise (a projector's terminal).
pub const DEFAULT_ROWS: usize = 24;

/// The width to write to: the flag, then `COLUMNS` (a positive number), then
/// the terminal's width, else [`DEFAULT`]; never less than [`MIN`].
pub fn decide(flag: Option<usize>, columns: Option<&str>, terminal: Option<usize>) -> usize {
    flag.or_else(|| positive(columns))
        .or(terminal.filter(|&c| c > 0))
        .unwrap_or(DEFAULT)
        .max(MIN)
}

/// The rows of the screen: `LINES`, then the terminal, else [`DEFAULT_ROWS`].
pub fn decide_rows(lines: Option<&str>, terminal: Option<usize>) -> usize {
    positive(lines)
        .or(terminal.filter(|&r| r > 0))
        .unwrap_or(DEFAULT_ROWS)
        .max(4)
}

fn positive(text: Option<&str>) -> Option<usize> {
    text.and_then(|t| t.trim().parse().ok()).filter(|&n| n > 0)
}

/// [`decide`] on this process: its `COLUMNS`, and its terminal if stdout is
/// one (a pipe or a file gets the default, so that output is reproducible).
pub fn detect(flag: Option<usize>) -> usize {
    let columns = std::env::var("COLUMNS").ok();
    decide(flag, columns.as_deref(), terminal_size().map(|(c, _)| c))
}

/// [`decide_rows`] on this process.
pub fn detect_rows() -> usize {
    let lines = std::env::var("LINES").ok();
    decide_rows(lines.as_deref(), terminal_size().map(|(_, r)| r))
}

/// The width to wrap a message on standard error to, when standard error
/// is a terminal (`COLUMNS`, then the terminal's width); `None` when it is
/// not: a message piped or redirected keeps its lines whole.
pub fn stderr_columns() -> Option<usize> {
    if !std::io::stderr().is_terminal() {
        return None;
    }
    let columns = std::env::var("COLUMNS").ok();
    let terminal = crossterm::terminal::size()
        .ok()
        .map(|(c, _)| usize::from(c));
    Some(decide(None, columns.as_deref(), terminal))
}

fn terminal_size() -> Option<(usize, usize)> {
    if !std::io::stdout().is_terminal() {
        return None;
    }
    crossterm::terminal::size()
        .ok()
        .map(|(c, r)| (usize::from(c), usize::from(r)))
}

/// The columns a string takes on screen (without colour codes in it).
pub fn columns(text: &str) -> usize {
    text.width()
}

/// The rows some transcript text takes on a screen `columns` wide: each
/// line, its colour codes left out, wraps to as many rows as it needs.
pub fn rows(text: &str, columns: usize) -> usize {
    text.lines()
        .map(|line| {
            self::columns(&strip_colour(line))
                .max(1)
                .div_ceil(columns.max(1))
        })
        .sum()
}

/// A line without its colour codes (`ESC [ … m`).
fn strip_colour(line: &str) -> String {
    let mut plain = String::with_capacity(line.len());
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        if c == '\x1b' {
            for c in chars.by_ref() {
                if c == 'm' {
                    break;
                }
            }
        } else {
            plain.push(c);
        }
    }
    plain
}

#[cfg(test)]
mod tests {
    //! Width and row decisions: which source wins, and what is ignored.
    use super::*;

    #[test]
    fn the_flag_beats_columns_which_beats_the_terminal() {
        assert_eq!(decide(Some(60), Some("100"), Some(120)), 60);
        assert_eq!(decide(None, Some("100"), Some(120)), 100);
        assert_eq!(decide(None, Some(" 72 "), None), 72);
        assert_eq!(decide(None, None, Some(120)), 120);
        assert_eq!(decide(None, None, None), DEFAULT);
    }

    #[test]
    fn nonsense_columns_and_tiny_widths_are_ignored_or_raised() {
        assert_eq!(decide(None, Some("wide"), Some(90)), 90);
        assert_eq!(decide(None, Some("0"), None), DEFAULT);
        assert_eq!(decide(None, Some("-5"), None), DEFAULT);
        assert_eq!(decide(None, Some("10"), None), MIN);
        assert_eq!(decide(None, None, Some(0)), DEFAULT);
        assert_eq!(decide_rows(Some("40"), Some(24)), 40);
        assert_eq!(decide_rows(None, None), DEFAULT_ROWS);
    }
}
