//! How wide the output is (`--width`, then `COLUMNS`, then the terminal, else
//! 80) and how text is wrapped to it: at word boundaries, with hanging
//! indents, and never cutting a code token.

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

/// A piece of text in one style (the style is the caller's: the renderer's
/// colours, or `()` for plain text).
pub type Piece<S> = (String, S);

/// What is wrapped: words (pieces written without a space between them, such
/// as a code span and the comma after it) and hard line breaks.
#[derive(Debug, Clone, PartialEq)]
pub enum Token<S> {
    Word(Vec<Piece<S>>),
    Break,
}

/// Fills lines with words, a space between two words: the first line has
/// `width - first` columns, every later one `width - rest` (the caller
/// writes the indents, so a list item's text hangs under its first word).
/// A word wider than a whole line is split only where code may be broken
/// (see [`break_points`]), on lines of its own; a single token wider than a
/// line runs over.
pub fn fill<S: Copy>(
    tokens: &[Token<S>],
    width: usize,
    first: usize,
    rest: usize,
) -> Vec<Vec<Vec<Piece<S>>>> {
    let mut lines: Vec<Vec<Vec<Piece<S>>>> = Vec::new();
    let mut line: Vec<Vec<Piece<S>>> = Vec::new();
    let mut used = 0;
    let room = |lines: &Vec<_>| width.saturating_sub(if lines.is_empty() { first } else { rest });
    for token in tokens {
        let Token::Word(pieces) = token else {
            lines.push(std::mem::take(&mut line));
            used = 0;
            continue;
        };
        let w = pieces_width(pieces);
        if used > 0 && used + 1 + w <= room(&lines) {
            line.push(pieces.clone());
            used += 1 + w;
            continue;
        }
        if used > 0 {
            lines.push(std::mem::take(&mut line));
        }
        // At the start of a line: a word too wide for it gets lines of its own.
        for (i, part) in split_long(pieces, room(&lines), width.saturating_sub(rest))
            .into_iter()
            .enumerate()
        {
            if i > 0 {
                lines.push(std::mem::take(&mut line));
            }
            used = pieces_width(&part);
            line.push(part);
        }
    }
    lines.push(line);
    lines
}

fn pieces_width<S>(pieces: &[Piece<S>]) -> usize {
    pieces.iter().map(|(t, _)| columns(t)).sum()
}

/// A word as parts that each fit (the first in `first` columns, the others
/// in `rest`), split only at code break points; one part if it fits.
fn split_long<S: Copy>(pieces: &[Piece<S>], first: usize, rest: usize) -> Vec<Vec<Piece<S>>> {
    let text: String = pieces.iter().map(|(t, _)| t.as_str()).collect();
    if columns(&text) <= first {
        return vec![pieces.to_vec()];
    }
    let cuts = cut(&text, first.max(1), rest.max(1));
    // Map the cuts (byte offsets into `text`) back onto the styled pieces.
    let mut parts: Vec<Vec<Piece<S>>> = vec![Vec::new()];
    let mut offset = 0;
    for (piece, style) in pieces {
        let end = offset + piece.len();
        let mut start = offset;
        for &at in cuts.iter().filter(|&&c| c > offset && c <= end) {
            if at > start {
                parts
                    .last_mut()
                    .expect("never empty")
                    .push((text[start..at].to_owned(), *style));
            }
            parts.push(Vec::new());
            start = at;
        }
        if end > start {
            parts
                .last_mut()
                .expect("never empty")
                .push((text[start..end].to_owned(), *style));
        }
        offset = end;
    }
    parts.retain(|p| !p.is_empty());
    parts
}

/// Byte offsets where `text` is cut so that each part fits (the first in
/// `first` columns, the others in `rest`): at the last strong break point
/// that fits, else the last weak one, else the first one after (a token runs
/// over rather than being cut).
fn cut(text: &str, first: usize, rest: usize) -> Vec<usize> {
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
    let mut quote: Option<char> = None;
    let mut escaped = false;
    let mut previous: Option<char> = None;
    // Inside a `//` comment, only its spaces are break points.
    let mut comment = false;
    // Whether the run of letters and digits before here began with a digit.
    let mut in_number = false;
    let chars: Vec<(usize, char)> = code.char_indices().collect();
    for (i, &(at, c)) in chars.iter().enumerate() {
        let next = chars.get(i + 1);
        let after = next.map_or(code.len(), |&(n, _)| n);
        let followed_by_space = next.is_some_and(|&(_, n)| n == ' ');
        if comment {
            // Not right after the `//`: a bare `//` ending a line says nothing.
            if c == ' ' && !followed_by_space && previous != Some('/') {
                points.push(Break {
                    at: after,
                    strong: true,
                });
            }
        } else if let Some(q) = quote {
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == q {
                quote = None;
            }
        } else {
            let strong = |at| Break { at, strong: true };
            match c {
                '/' if next.is_some_and(|&(_, n)| n == '/') => {
                    comment = true;
                    points.push(Break { at, strong: true });
                }
                '"' | '\'' => quote = Some(c),
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

/// Plain text wrapped at spaces, but never inside a double-quoted string
/// (a JSON value in a receipt is one token): the first line starts with
/// `first`, the others with `rest` (a hanging indent); returns whole lines.
pub fn wrap(text: &str, width: usize, first: &str, rest: &str) -> Vec<String> {
    let mut tokens = Vec::new();
    for (i, line) in text.split('\n').enumerate() {
        if i > 0 {
            tokens.push(Token::Break);
        }
        tokens.extend(
            words(line)
                .into_iter()
                .map(|w| Token::Word(vec![(w.to_owned(), ())])),
        );
    }
    let lines = fill(&tokens, width, columns(first), columns(rest));
    lines
        .into_iter()
        .enumerate()
        .map(|(i, words)| {
            let prefix = if i == 0 { first } else { rest };
            let words: Vec<String> = words
                .into_iter()
                .map(|w| w.into_iter().map(|(t, ())| t).collect())
                .collect();
            format!("{prefix}{}", words.join(" ")).trim_end().to_owned()
        })
        .collect()
}

/// The words of a line: split at spaces outside double-quoted strings.
fn words(line: &str) -> Vec<&str> {
    let mut words = Vec::new();
    let mut start = 0;
    let mut quoted = false;
    let mut escaped = false;
    for (i, c) in line.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' if quoted => escaped = true,
            '"' => quoted = !quoted,
            ' ' if !quoted => {
                words.push(&line[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    words.push(&line[start..]);
    words.retain(|w| !w.is_empty());
    words
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
    let mut quote: Option<char> = None;
    let mut escaped = false;
    let bytes = code.as_bytes();
    for (i, c) in code.char_indices() {
        match quote {
            Some(_) if escaped => escaped = false,
            Some(_) if c == '\\' => escaped = true,
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None if c == '"' || c == '\'' => quote = Some(c),
            None if c == '/' && bytes.get(i + 1) == Some(&b'/') => return Some(i),
            None => {}
        }
    }
    None
}

#[cfg(test)]
mod tests {
    //! Width decisions and wrapping: word boundaries, hanging indents, code.
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

    #[test]
    fn prose_wraps_at_spaces_within_the_width() {
        let text = "the quick brown fox jumps over the lazy dog ".repeat(5);
        for width in [30, 41, 60, 80] {
            let lines = wrap(&text, width, "", "");
            assert!(
                lines.iter().all(|l| columns(l) <= width),
                "{width}: {lines:#?}"
            );
            let words: Vec<&str> = lines.iter().flat_map(|l| l.split(' ')).collect();
            let original: Vec<&str> = text.split_whitespace().collect();
            assert_eq!(words, original, "no word cut or lost at {width}");
        }
    }

    #[test]
    fn list_items_and_receipts_hang_under_their_text() {
        let lines = wrap(
            "rooms live on the server only and a client cannot join one itself",
            30,
            "• ",
            "  ",
        );
        assert_eq!(
            lines,
            [
                "• rooms live on the server",
                "  only and a client cannot",
                "  join one itself"
            ]
        );
        let receipt = wrap(
            "disconnected (client namespace disconnect); left \"lobby\" automatically",
            40,
            "  ✘ alice  ",
            "           ",
        );
        assert_eq!(
            receipt,
            [
                "  ✘ alice  disconnected (client",
                "           namespace disconnect); left",
                "           \"lobby\" automatically",
            ]
        );
    }

    #[test]
    fn a_quoted_string_in_a_receipt_is_one_token() {
        let lines = wrap(
            r#"refused: the server has no namespace /orders (connect_error "Invalid namespace")"#,
            60,
            "  ✘ alice  ",
            "           ",
        );
        assert_eq!(
            lines[1], r#"           (connect_error "Invalid namespace")"#,
            "{lines:#?}"
        );
        assert_eq!(words(r#"a "b \" c" d"#), ["a", r#""b \" c""#, "d"]);
    }

    #[test]
    fn a_hard_break_starts_a_line_with_the_hanging_indent() {
        assert_eq!(wrap("one\ntwo", 40, "• ", "  "), ["• one", "  two"]);
    }

    #[test]
    fn a_long_code_word_is_split_between_tokens_never_inside_one() {
        let word = "`io.of(\"/orders\").to(\"room1\").except(\"games\").emit(\"news\")`";
        let tokens = vec![Token::Word(vec![(word.to_owned(), ())])];
        let lines = fill(&tokens, 30, 0, 2);
        let parts: Vec<String> = lines
            .iter()
            .map(|l| l.iter().flatten().map(|(t, ())| t.as_str()).collect())
            .collect();
        assert_eq!(parts.concat(), word, "nothing lost");
        assert!(parts.iter().all(|p| columns(p) <= 30), "{parts:#?}");
        for part in &parts[1..] {
            assert!(
                part.starts_with('.'),
                "a part starts at a member: {parts:#?}"
            );
        }
    }

    #[test]
    fn styles_survive_a_split() {
        let tokens = vec![Token::Word(vec![
            ("socket.broadcast.emit(\"x\")".to_owned(), 1),
            (",".to_owned(), 0),
        ])];
        let lines = fill(&tokens, 20, 0, 0);
        let flat: Vec<(String, i32)> = lines.into_iter().flatten().flatten().collect();
        assert!(
            flat.iter().filter(|(_, s)| *s == 1).count() >= 2,
            "{flat:?}"
        );
        assert_eq!(flat.last(), Some(&(",".to_owned(), 0)));
    }

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

    #[test]
    fn a_token_wider_than_the_line_runs_over_rather_than_being_cut() {
        let long = "a".repeat(50);
        assert_eq!(wrap(&long, 30, "", ""), std::slice::from_ref(&long));
        assert_eq!(wrap_code(&long, 30, ""), [long]);
    }
}
