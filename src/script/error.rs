//! Syntax errors: where a line went wrong and what to do about it,
//! rendered as a compiler would print them.

/// How much of the user's text a message quotes, in characters.
pub(super) const EXCERPT_CHARS: usize = 40;

/// `text` as quoted in a message: at most [`EXCERPT_CHARS`] characters,
/// then `…` if there was more.
pub(super) fn excerpt(text: &str) -> String {
    match text.char_indices().nth(EXCERPT_CHARS) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.to_owned(),
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
    /// so that the caret stays under the column. A line too long to show
    /// whole is cut to a window around the column, marked with `…`.
    pub fn render(&self, file: &str) -> String {
        format!("error: {}\n", self.located(file))
    }

    /// The error without its `error: ` label and final newline: its message,
    /// then where it is (for a caller that labels errors itself).
    pub fn located(&self, file: &str) -> String {
        const WHOLE: usize = 120;
        const BEFORE: usize = 40;
        const SHOWN: usize = 100;
        let number = self.line.to_string();
        let pad = " ".repeat(number.len());
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
        let mut shown: String = line[start..end].iter().collect();
        let mut caret = String::new();
        if start > 0 {
            shown.insert(0, '…');
            caret.push(' ');
        }
        if end < line.len() {
            shown.push('…');
        }
        caret.extend(
            line[start..col]
                .iter()
                .map(|&c| if c.is_whitespace() { c } else { ' ' }),
        );
        format!(
            "{}\n{pad}--> {file}:{}:{}\n{pad} |\n{number} | {shown}\n{pad} | {caret}^",
            self.message, self.line, self.column,
        )
    }
}
