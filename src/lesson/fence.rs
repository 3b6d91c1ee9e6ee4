//! Code fences left open: a ```` ```tour ```` block never closed, or a block
//! that swallows the ```` ```tour ```` fences after it, is a syntax error
//! rather than steps silently read as text.

use std::ops::Range;

use crate::script::SyntaxError;

/// The error for a fenced block (its source at `range`, starting on `line`)
/// that is a ```` ```tour ```` block never closed, or a block that swallows
/// a ```` ```tour ```` fence line because it was not closed first.
pub fn unclosed_fence(
    text: &str,
    range: Range<usize>,
    lang: &str,
    line: usize,
) -> Option<SyntaxError> {
    let block = &text[range];
    let tour = lang.eq_ignore_ascii_case("tour");
    if !(tour && !is_closed(block) || swallows_steps(block)) {
        return None;
    }
    let source_line = text.lines().nth(line - 1).unwrap_or("").to_owned();
    let column = 1 + source_line
        .chars()
        .take_while(|c| c.is_whitespace() || *c == '>')
        .count();
    let message = if tour {
        "this ```tour block is never closed: end it with a line of ``` (as it is, the \
         rest of the file is read as its statements)"
            .to_owned()
    } else {
        format!(
            "this ```{lang} block is never closed, so the ```tour blocks after it are read \
             as its text: end it with a line of ```"
        )
    };
    Some(SyntaxError {
        line,
        column,
        message,
        source_line,
    })
}

/// Whether a block's source holds a ```` ```tour ```` line fenced at least
/// as long as its own opening: a forgotten closing fence (a longer fence
/// quotes it on purpose).
fn swallows_steps(block: &str) -> bool {
    let open = block.lines().next().and_then(fence_of).map(|f| f.0);
    block.lines().skip(1).any(|l| {
        fence_of(l).is_some_and(|(fence, info)| {
            info.eq_ignore_ascii_case("tour")
                && open.as_ref().is_some_and(|o| fence.len() >= o.len())
        })
    })
}

/// A fence line's fence (its character repeated) and info string, if the
/// line is one (after any indent and block-quote markers).
fn fence_of(line: &str) -> Option<(String, &str)> {
    let line = line.trim_start_matches(|c: char| c.is_whitespace() || c == '>');
    let c = line.chars().next().filter(|c| matches!(c, '`' | '~'))?;
    let count = line.chars().take_while(|&x| x == c).count();
    (count >= 3).then(|| (c.to_string().repeat(count), line[count..].trim()))
}

/// Whether a fenced code block's source (fences included) ends with a
/// closing fence: the opening's character, at least as many, nothing after.
fn is_closed(block: &str) -> bool {
    let mut lines = block.lines();
    let Some((open, _)) = lines.next().and_then(fence_of) else {
        return true;
    };
    lines
        .next_back()
        .and_then(fence_of)
        .is_some_and(|(close, info)| {
            info.is_empty() && close.starts_with(&open[..1]) && close.len() >= open.len()
        })
}
