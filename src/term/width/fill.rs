//! Prose that fits the width: words filled into lines with hanging indents,
//! a word too wide for a line split only where code may be broken.

use super::code::cut;
use super::size::columns;
use crate::script::{Quotes, Region, scan};

/// Text in one style, a run of it (the style is the caller's: the renderer's
/// colours, or `()` for plain text); a word is one or more of them.
pub type Styled<S> = (String, S);

/// What is wrapped: words (pieces written without a space between them, such
/// as a code span and the comma after it) and hard line breaks.
#[derive(Debug, Clone, PartialEq)]
pub enum Token<S> {
    Word(Vec<Styled<S>>),
    Break,
}

/// Fills lines with words, a space between two words: the first line has
/// `width - first` columns, every later one `width - rest` (the caller
/// writes the indents, so a list item's text hangs under its first word).
/// A word wider than a whole line is split only where code may be broken
/// (see [`break_points`](super::break_points)), on lines of its own; a
/// single token wider than a line runs over.
pub fn fill<S: Copy>(
    tokens: &[Token<S>],
    width: usize,
    first: usize,
    rest: usize,
) -> Vec<Vec<Vec<Styled<S>>>> {
    let mut lines: Vec<Vec<Vec<Styled<S>>>> = Vec::new();
    let mut line: Vec<Vec<Styled<S>>> = Vec::new();
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

fn pieces_width<S>(pieces: &[Styled<S>]) -> usize {
    pieces.iter().map(|(t, _)| columns(t)).sum()
}

/// A word as parts that each fit (the first in `first` columns, the others
/// in `rest`), split only at code break points; one part if it fits.
fn split_long<S: Copy>(pieces: &[Styled<S>], first: usize, rest: usize) -> Vec<Vec<Styled<S>>> {
    let text: String = pieces.iter().map(|(t, _)| t.as_str()).collect();
    if columns(&text) <= first {
        return vec![pieces.to_vec()];
    }
    let cuts = cut(&text, first.max(1), rest.max(1));
    // Map the cuts (byte offsets into `text`) back onto the styled pieces.
    let mut parts: Vec<Vec<Styled<S>>> = vec![Vec::new()];
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

/// A message as a terminal of `width` columns shows it: its first line (the
/// sentence) wrapped at words, the next ones with `indent`; the lines after
/// it (a snippet with its caret) as they are, since their columns matter.
pub fn wrap_message(message: &str, width: usize, indent: &str) -> String {
    let (first, rest) = match message.split_once('\n') {
        Some((first, rest)) => (first, Some(rest)),
        None => (message, None),
    };
    let lead = &first[..first.len() - first.trim_start().len()];
    let mut lines = wrap(first.trim_start(), width, lead, &format!("{lead}{indent}"));
    lines.extend(rest.map(str::to_owned));
    lines.join("\n")
}

/// The words of a line: split at spaces outside double-quoted strings.
fn words(line: &str) -> Vec<&str> {
    let mut words = Vec::new();
    let mut start = 0;
    for (i, c, place) in scan(line, Quotes::Double) {
        if c == ' ' && place == Region::Code {
            words.push(&line[start..i]);
            start = i + 1;
        }
    }
    words.push(&line[start..]);
    words.retain(|w| !w.is_empty());
    words
}

#[cfg(test)]
mod tests {
    //! Filling and wrapping: word boundaries, hanging indents, styled words.
    use super::*;
    use crate::term::width::wrap_code;

    #[test]
    fn a_message_wraps_its_sentence_at_words_and_keeps_its_snippet() {
        let message = "error: `emt` is not available here: after `io` come `.of(\"/ns\")` or `.emit(…)`\n  | io.emt(1)\n  |    ^";
        let wrapped = wrap_message(message, 40, "  ");
        let lines: Vec<&str> = wrapped.lines().collect();
        assert_eq!(
            lines,
            [
                "error: `emt` is not available here:",
                "  after `io` come `.of(\"/ns\")` or",
                "  `.emit(…)`",
                "  | io.emt(1)",
                "  |    ^",
            ]
        );
        assert_eq!(wrap_message("  short", 40, "  "), "  short");
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
    fn a_token_wider_than_the_line_runs_over_rather_than_being_cut() {
        let long = "a".repeat(50);
        assert_eq!(wrap(&long, 30, "", ""), std::slice::from_ref(&long));
        assert_eq!(wrap_code(&long, 30, ""), [long]);
    }
}
