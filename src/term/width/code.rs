//! Code that fits the width: where a line of JavaScript may be broken
//! without cutting a token, and a `//` comment continued as a comment.

use super::size::columns;
use crate::script::{Quotes, Region, scan};

/// Byte offsets where `text` is cut so that each part fits (the first in
/// `first` columns, the others in `rest`): at the last strong break point
/// that fits, else the last weak one, else the first one after (a token runs
/// over rather than being cut).
pub(super) fn cut(text: &str, first: usize, rest: usize) -> Vec<usize> {
    let points = break_points(text);
    let mut cuts = Vec::new();
    let mut start = 0;
    loop {
        let room = if cuts.is_empty() { first } else { rest };
        if columns(&text[start..]) <= room {
            break;
        }
        let after = || points.iter().filter(|p| p.at > start);
        let fits = |p: &&Break| columns(&text[start..p.at]) <= room;
        let chosen = after()
            .rfind(|p| p.strong && fits(p))
            .or_else(|| after().rfind(fits))
            .or_else(|| after().next());
        match chosen {
            Some(p) => {
                cuts.push(p.at);
                start = p.at;
            }
            None => break,
        }
    }
    cuts
}

/// A place where code may be broken: before the byte at `at`. A strong one
/// (after a space or `,`, before a member's `.`) reads better than a weak one
/// (after an opening bracket).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Break {
    pub at: usize,
    pub strong: bool,
}

/// Where a line of code may be broken without cutting a token: after a run
/// of spaces, after `,` or `;` (strong), after `(` `[` `{` (weak), and before
/// a `.` that follows a name or a closing bracket (`io.to("r")` → `io` |
/// `.to("r")`, strong), never inside a string literal or a number; before a
/// `//` comment, and at the spaces inside it.
pub fn break_points(code: &str) -> Vec<Break> {
    let mut points: Vec<Break> = Vec::new();
    let mut previous: Option<char> = None;
    // Inside a `//` comment, only its spaces are break points.
    let mut comment = false;
    // Whether the run of letters and digits before here began with a digit.
    let mut in_number = false;
    let chars: Vec<(usize, char, Region)> = scan(code, Quotes::Both).collect();
    for (i, &(at, c, place)) in chars.iter().enumerate() {
        let next = chars.get(i + 1);
        let after = next.map_or(code.len(), |&(n, _, _)| n);
        let followed_by_space = next.is_some_and(|&(_, n, _)| n == ' ');
        if comment {
            // Not right after the `//`: a bare `//` ending a line says nothing.
            if c == ' ' && !followed_by_space && previous != Some('/') {
                points.push(Break {
                    at: after,
                    strong: true,
                });
            }
        } else if place == Region::Code {
            let strong = |at| Break { at, strong: true };
            match c {
                '/' if next.is_some_and(|&(_, n, _)| n == '/') => {
                    comment = true;
                    points.push(Break { at, strong: true });
                }
                ',' | ';' if !followed_by_space => points.push(strong(after)),
                ' ' if !followed_by_space => points.push(strong(after)),
                '(' | '[' | '{' => points.push(Break {
                    at: after,
                    strong: false,
                }),
                '.' if !in_number
                    && previous
                        .is_some_and(|p| p.is_alphanumeric() || matches!(p, '_' | ')' | ']')) =>
                {
                    points.push(strong(at))
                }
                _ => {}
            }
        }
        let word = c.is_alphanumeric() || c == '_';
        let was_word = previous.is_some_and(|p| p.is_alphanumeric() || p == '_');
        if word && !was_word {
            in_number = c.is_ascii_digit();
        } else if !word && c != '.' {
            in_number = false;
        }
        previous = Some(c);
    }
    points.retain(|p| p.at > 0 && p.at < code.len());
    points.dedup_by_key(|p| p.at);
    points
}

/// One line of a code sample, written after `indent`, broken between tokens
/// (see [`break_points`]) if it is too wide; its continuation lines are
/// indented two more columns than the line itself, which keeps JavaScript
/// valid (a break between tokens outside strings changes nothing). A single
/// token wider than the line runs over.
pub fn wrap_code(line: &str, width: usize, indent: &str) -> Vec<String> {
    let own: String = line.chars().take_while(|c| *c == ' ').collect();
    let room = width.saturating_sub(columns(indent));
    if columns(line) <= room {
        return vec![format!("{indent}{line}")];
    }
    let body = &line[own.len()..];
    let more = format!("{own}  ");
    // A comment continued on a later line starts with `// ` again, so that
    // the code stays code.
    let comment = comment_start(body);
    let reserve = if comment.is_some() { 3 } else { 0 };
    let cuts = cut(
        body,
        room.saturating_sub(own.len()),
        room.saturating_sub(more.len() + reserve),
    );
    let mut starts = vec![0];
    starts.extend(&cuts);
    let mut ends = cuts.clone();
    ends.push(body.len());
    starts
        .iter()
        .zip(ends)
        .enumerate()
        .map(|(i, (&s, e))| {
            let lead = if i == 0 { &own } else { &more };
            let part = body[s..e].trim();
            let again = if comment.is_some_and(|c| s > c) {
                "// "
            } else {
                ""
            };
            format!("{indent}{lead}{again}{part}").trim_end().to_owned()
        })
        .collect()
}

/// Where a `//` comment starts in a line of code (outside strings), if it has one.
fn comment_start(code: &str) -> Option<usize> {
    let bytes = code.as_bytes();
    scan(code, Quotes::Both)
        .find(|&(i, c, place)| place == Region::Code && c == '/' && bytes.get(i + 1) == Some(&b'/'))
        .map(|(i, _, _)| i)
}

#[cfg(test)]
mod tests {
    //! Break points and code lines: between tokens, never inside one.
    use super::*;

    #[test]
    fn break_points_skip_strings_and_numbers() {
        let code = r#"io.emit("a. b, c", 1.5)"#;
        let points: Vec<usize> = break_points(code).iter().map(|p| p.at).collect();
        let pieces: Vec<&str> = std::iter::once(0)
            .chain(points.iter().copied())
            .zip(points.iter().copied().chain([code.len()]))
            .map(|(s, e)| &code[s..e])
            .collect();
        assert_eq!(pieces, ["io", ".emit(", r#""a. b, c", "#, "1.5)"]);
    }

    #[test]
    fn code_lines_break_between_tokens_with_a_deeper_indent() {
        let line = r#"  io.to("lobby").except("games").emit("lobby-only", "not for gamers");"#;
        let lines = wrap_code(line, 50, "    ");
        assert!(lines.iter().all(|l| columns(l) <= 50), "{lines:#?}");
        assert_eq!(lines[0], r#"      io.to("lobby").except("games")"#);
        assert!(lines[1].starts_with("        .emit("), "{lines:#?}");
        let joined: String = lines.iter().map(|l| l.trim()).collect();
        assert_eq!(joined, line.trim());
        assert_eq!(wrap_code("short();", 50, "    "), ["    short();"]);
    }

    #[test]
    fn a_comment_breaks_before_it_and_continues_as_a_comment() {
        let line =
            r#"  socket.join("orders"); // or the rooms this user belongs in, looked up again"#;
        let lines = wrap_code(line, 60, "    ");
        assert!(lines.iter().all(|l| columns(l) <= 60), "{lines:#?}");
        assert!(
            lines[0].starts_with(r#"      socket.join("orders");"#),
            "{lines:#?}"
        );
        for later in &lines[1..] {
            assert!(later.trim_start().starts_with("// "), "{lines:#?}");
        }
        let words: Vec<&str> = lines
            .iter()
            .flat_map(|l| l.split_whitespace())
            .filter(|w| *w != "//")
            .collect();
        let original: Vec<&str> = line.split_whitespace().filter(|w| *w != "//").collect();
        assert_eq!(words, original);
        // A `//` inside a string is no comment.
        assert_eq!(comment_start(r#"io.emit("http://x")"#), None);
    }
}
