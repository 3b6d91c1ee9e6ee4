//! Where the string literals are in a line of script or JavaScript: one walk
//! that says, for each character, whether it is code or part of a string.

use std::str::CharIndices;

/// Which quotes open a string literal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Quotes {
    /// JSON and the tour-script: `"…"` only (a `'` is code).
    Double,
    /// JavaScript: `"…"` and `'…'`, each closed by its own kind.
    Both,
}

/// Where a character stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Region {
    /// Outside every string literal.
    Code,
    /// The quote that opens a string.
    Open,
    /// Inside a string: its text, a `\` and the character it escapes, and a
    /// quote of the other kind.
    Inside,
    /// The quote that closes a string.
    Close,
}

/// The characters of `text` with their byte offsets and where each stands;
/// a `\` inside a string escapes the character after it (a string left open
/// at the end stays open).
pub fn scan(text: &str, quotes: Quotes) -> Scan<'_> {
    Scan {
        chars: text.char_indices(),
        quotes,
        open: None,
        escaped: false,
    }
}

/// The walk [`scan`] returns: `(byte offset, character, place)`.
#[derive(Debug, Clone)]
pub struct Scan<'a> {
    chars: CharIndices<'a>,
    quotes: Quotes,
    /// The quote of the string the walk is in.
    open: Option<char>,
    /// Whether the last character was an escaping `\` in a string.
    escaped: bool,
}

impl Iterator for Scan<'_> {
    type Item = (usize, char, Region);

    fn next(&mut self) -> Option<Self::Item> {
        let (at, c) = self.chars.next()?;
        let place = match self.open {
            Some(_) if self.escaped => {
                self.escaped = false;
                Region::Inside
            }
            Some(_) if c == '\\' => {
                self.escaped = true;
                Region::Inside
            }
            Some(q) if c == q => {
                self.open = None;
                Region::Close
            }
            Some(_) => Region::Inside,
            None if c == '"' || c == '\'' && self.quotes == Quotes::Both => {
                self.open = Some(c);
                Region::Open
            }
            None => Region::Code,
        };
        Some((at, c, place))
    }
}

#[cfg(test)]
mod tests {
    //! Strings as JSON and JavaScript write them: escapes, both quote kinds.
    use super::*;

    fn places(text: &str, quotes: Quotes) -> String {
        scan(text, quotes)
            .map(|(_, _, place)| match place {
                Region::Code => '.',
                Region::Open => '<',
                Region::Inside => '-',
                Region::Close => '>',
            })
            .collect()
    }

    #[test]
    fn an_escaped_quote_does_not_close_the_string() {
        assert_eq!(places(r#"a("b\"c", d)"#, Quotes::Double), "..<---->....");
        assert_eq!(places(r#""\\" x"#, Quotes::Double), "<-->..");
    }

    #[test]
    fn single_quotes_are_strings_in_javascript_only() {
        let text = r#"f('it"s', "x")"#;
        assert_eq!(places(text, Quotes::Both), "..<---->..<->.");
        assert_eq!(places(text, Quotes::Double), ".....<---->.<-");
    }

    #[test]
    fn offsets_are_bytes_and_a_string_may_stay_open() {
        let found: Vec<(usize, Region)> = scan("é\"ü", Quotes::Double)
            .map(|(at, _, place)| (at, place))
            .collect();
        assert_eq!(
            found,
            [(0, Region::Code), (2, Region::Open), (3, Region::Inside)]
        );
    }
}
