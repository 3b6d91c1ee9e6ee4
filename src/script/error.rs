//! Syntax errors: where a line went wrong and what to do about it,
//! rendered as a compiler would print them.

/// How much of the user's text a message quotes, in characters.
pub(super) const EXCERPT_CHARS: usize = 40;

/// `text` as quoted in a message: at most [`EXCERPT_CHARS`] characters,
/// then `…` if there was more; control characters escaped (see [`visible`]).
pub(super) fn excerpt(text: &str) -> String {
    let (kept, more) = match text.char_indices().nth(EXCERPT_CHARS) {
        Some((cut, _)) => (&text[..cut], "…"),
        None => (text, ""),
    };
    let mut quoted = String::new();
    kept.chars().for_each(|c| visible(c, &mut quoted));
    quoted + more
}

/// Pushes `c` as a message shows it: a control character (ESC, NUL, a lone
/// CR, DEL, …) as its escape (`\u{1b}`, `\0`, `\r`), so that the user's
/// bytes reach the terminal as text and never as commands; a tab stays a
/// tab (the caret line copies it to stay in its column).
fn visible(c: char, out: &mut String) {
    if c.is_control() && c != '\t' {
        out.extend(c.escape_debug());
    } else {
        out.push(c);
    }
}

/// A statement that cannot be parsed: where, and what to do about it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct SyntaxError {
    /// 1-based line number.
    pub line: usize,
    /// 1-based column, in characters.
    pub column: usize,
    pub message: String,
    /// The whole line as written.
    pub source_line: String,
}

impl SyntaxError {
    /// The error as a compiler would print it, naming `file`.
    ///
    /// The caret line copies the source line's white space (tabs stay tabs)
    /// so that the caret stays under the column.
    pub fn render(&self, file: &str) -> String {
        format!("error: {}\n", self.located(file))
    }

    /// The error without its `error: ` label and final newline: its message,
    /// then where it is (for a caller that labels errors itself).
    pub fn located(&self, file: &str) -> String {
        let number = self.line.to_string();
        let pad = " ".repeat(number.len());
        let (shown, caret) = self.snippet();
        format!(
            "{}\n{pad}--> {file}:{}:{}\n{pad} |\n{number} | {shown}\n{pad} | {caret}^",
            self.message, self.line, self.column,
        )
    }

    /// The error in a line typed at a prompt, which is in no file: the
    /// message, then the line with a caret under the column, no location.
    pub fn render_typed(&self) -> String {
        let (shown, caret) = self.snippet();
        format!("error: {}\n  | {shown}\n  | {caret}^\n", self.message)
    }

    /// The source line as shown (control characters escaped; a line too
    /// long to show whole cut to a window around the column, marked with
    /// `…`), and the white space that puts a caret under the column.
    fn snippet(&self) -> (String, String) {
        const WHOLE: usize = 120;
        const BEFORE: usize = 40;
        const SHOWN: usize = 100;
        let line: Vec<char> = self
            .source_line
            .trim_end_matches(['\r', '\n'])
            .chars()
            .collect();
        let col = self.column.saturating_sub(1).min(line.len());
        let (start, end) = if line.len() <= WHOLE {
            (0, line.len())
        } else {
            let start = col.saturating_sub(BEFORE);
            (start, (start + SHOWN).min(line.len()))
        };
        let mut shown = String::new();
        line[start..end]
            .iter()
            .for_each(|&c| visible(c, &mut shown));
        let mut caret = String::new();
        if start > 0 {
            shown.insert(0, '…');
            caret.push(' ');
        }
        if end < line.len() {
            shown.push('…');
        }
        for &c in &line[start..col] {
            let mut as_shown = String::new();
            visible(c, &mut as_shown);
            if as_shown.chars().count() == 1 && c.is_whitespace() {
                caret.push(c);
            } else {
                caret.extend(as_shown.chars().map(|_| ' '));
            }
        }
        (shown, caret)
    }
}

#[cfg(test)]
mod tests {
    //! What a snippet copies from the user's line to the terminal.
    use super::*;

    #[test]
    fn control_characters_in_a_snippet_are_escaped_and_the_caret_stays_under_its_column() {
        let e = SyntaxError {
            line: 2,
            column: 9,
            message: format!("found `{}`", excerpt("\u{1b}[31mfoo\0")),
            source_line: "\u{1b}[31mfoo\0 b\rar".to_owned(),
        };
        let text = e.render("x.tour");
        assert!(
            !text.chars().any(|c| c.is_control() && c != '\n'),
            "{text:?}"
        );
        assert!(
            text.starts_with("error: found `\\u{1b}[31mfoo\\0`\n"),
            "{text}"
        );
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[3], "2 | \\u{1b}[31mfoo\\0 b\\rar");
        // Column 9 is the NUL: the caret is under its escape.
        let at = lines[4].find('^').unwrap();
        assert_eq!(&lines[3][at..at + 2], "\\0", "{text}");
    }

    #[test]
    fn a_typed_line_is_shown_with_its_caret_and_no_location() {
        let e = SyntaxError {
            line: 12,
            column: 4,
            message: "m".to_owned(),
            source_line: "io.emt(1)".to_owned(),
        };
        assert_eq!(e.render_typed(), "error: m\n  | io.emt(1)\n  |    ^\n");
    }

    #[test]
    fn a_tab_stays_a_tab_in_the_caret_line() {
        let e = SyntaxError {
            line: 1,
            column: 3,
            message: "m".to_owned(),
            source_line: "\tx!".to_owned(),
        };
        assert!(
            e.render("f").ends_with("1 | \tx!\n  | \t ^\n"),
            "{:?}",
            e.render("f")
        );
    }
}
