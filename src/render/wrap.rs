//! Narration as the transcript shows it: headings, paragraphs, quotes,
//! lists and code, word-wrapped to the width of a projector.

use std::io::{self, Write};

use colored::Colorize as _;

use super::Transcript;
use crate::lesson::{Prose, Span, Style};

/// Narration is wrapped to this many columns (a projector's comfortable width).
const WIDTH: usize = 78;

impl<W: Write> Transcript<W> {
    pub fn narration(&mut self, prose: &[Prose]) -> io::Result<()> {
        for (i, block) in prose.iter().enumerate() {
            match block {
                Prose::Heading(_, spans) => {
                    let text = self.spans(spans);
                    writeln!(
                        self.out,
                        "{}",
                        self.paint(&format!("── {text}"), |s| s.bold())
                    )?;
                }
                Prose::Paragraph(spans) => self.wrapped(spans, "", "")?,
                Prose::Quote(spans) => self.wrapped(spans, "│ ", "│ ")?,
                Prose::Item(depth, spans) => {
                    let indent = "  ".repeat(*depth);
                    self.wrapped(spans, &format!("{indent}• "), &format!("{indent}  "))?;
                    // A list is one block: a blank line only after its last item.
                    if matches!(prose.get(i + 1), Some(Prose::Item(..))) {
                        continue;
                    }
                }
                Prose::Exercise { goal } => {
                    let goal = crate::lesson::parse_markdown(goal)
                        .ok()
                        .and_then(|l| {
                            l.sections.into_iter().find_map(|s| match s {
                                crate::lesson::Section::Narration(mut p) if p.len() == 1 => {
                                    match p.remove(0) {
                                        Prose::Paragraph(spans) => Some(spans),
                                        _ => None,
                                    }
                                }
                                _ => None,
                            })
                        })
                        .unwrap_or_else(|| {
                            vec![Span {
                                text: goal.clone(),
                                style: Style::Plain,
                            }]
                        });
                    let mut spans = vec![
                        Span {
                            text: "✎ Exercise:".to_owned(),
                            style: Style::Strong,
                        },
                        Span {
                            text: " ".to_owned(),
                            style: Style::Plain,
                        },
                    ];
                    spans.extend(goal);
                    self.wrapped(&spans, "", "  ")?;
                    // A run of exercises is one block, closed by the pointer.
                    if matches!(prose.get(i + 1), Some(Prose::Exercise { .. })) {
                        continue;
                    }
                    let pointer = "  (graded by the live server: `sockets-tour practice` with this lesson's name)";
                    writeln!(self.out, "{}", self.paint(pointer, |s| s.dimmed()))?;
                }
                Prose::Code { text, .. } => {
                    for line in text.lines() {
                        writeln!(self.out, "    {}", self.paint(line, |s| s.dimmed()))?;
                    }
                }
            }
            writeln!(self.out)?;
        }
        Ok(())
    }

    /// Spans as text: code keeps its backticks when there is no colour.
    fn spans(&self, spans: &[Span]) -> String {
        spans.iter().map(|s| self.span(s)).collect()
    }

    fn span(&self, span: &Span) -> String {
        match (span.style, self.color) {
            (Style::Code, false) => format!("`{}`", span.text),
            (Style::Code, true) => span.text.cyan().to_string(),
            (Style::Strong, true) => span.text.bold().to_string(),
            (Style::Emphasis, true) => span.text.italic().to_string(),
            (Style::Link, true) => span.text.underline().to_string(),
            _ => span.text.clone(),
        }
    }

    /// Word-wraps spans to `WIDTH`, measuring the text without colour codes.
    fn wrapped(&mut self, spans: &[Span], first: &str, rest: &str) -> io::Result<()> {
        // Split into words, each keeping its style, so wrapping never breaks a code span's colour.
        let mut words: Vec<(String, usize)> = Vec::new();
        let mut glue = false;
        for span in spans {
            if span.text == "\n" {
                words.push(("\n".to_owned(), 0));
                glue = false;
                continue;
            }
            let shown = match (span.style, self.color) {
                (Style::Code, false) => format!("`{}`", span.text),
                _ => span.text.clone(),
            };
            for (i, word) in shown.split(' ').enumerate() {
                if word.is_empty() {
                    glue = false;
                    continue;
                }
                // Without colour the backticks are already in `shown`.
                let style = match (span.style, self.color) {
                    (Style::Code, false) => Style::Plain,
                    (style, _) => style,
                };
                let painted = self.span(&Span {
                    text: word.to_owned(),
                    style,
                });
                let width = word.chars().count();
                match words.last_mut() {
                    Some((text, w)) if glue && i == 0 => {
                        text.push_str(&painted);
                        *w += width;
                    }
                    _ => words.push((painted, width)),
                }
                glue = true;
            }
            glue = !shown.ends_with(' ');
        }
        let mut line = String::new();
        let mut used = 0;
        let mut prefix = first;
        for (word, width) in words {
            // A hard line break (two trailing spaces in Markdown) keeps the indent.
            if word == "\n" {
                writeln!(self.out, "{prefix}{line}")?;
                line.clear();
                used = 0;
                prefix = rest;
                continue;
            }
            if used > 0 && used + 1 + width > WIDTH.saturating_sub(prefix.chars().count()) {
                writeln!(self.out, "{prefix}{line}")?;
                line.clear();
                used = 0;
                prefix = rest;
            }
            if used > 0 {
                line.push(' ');
                used += 1;
            }
            line.push_str(&word);
            used += width;
        }
        writeln!(self.out, "{prefix}{line}")
    }
}

#[cfg(test)]
mod tests {
    //! Narration layout: wrapping, lists and hard breaks.
    use super::*;
    use crate::lesson::parse_markdown;

    fn narrate(markdown: &str) -> String {
        let lesson = parse_markdown(markdown).unwrap();
        let mut out = Vec::new();
        let mut t = Transcript::new(&mut out, false);
        for section in &lesson.sections {
            if let crate::lesson::Section::Narration(prose) = section {
                t.narration(prose).unwrap();
            }
        }
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn long_paragraphs_wrap_within_the_width() {
        let text = narrate(&format!("# T\n\n{}\n", "word ".repeat(60)));
        assert!(text.lines().all(|l| l.chars().count() <= WIDTH), "{text}");
        assert!(text.lines().count() > 3);
    }

    #[test]
    fn a_hard_break_in_a_list_item_keeps_the_indent() {
        let text = narrate("# T\n\n- first line  \n  second line\n");
        assert_eq!(text, "• first line\n  second line\n\n");
    }

    #[test]
    fn code_spans_keep_backticks_without_colour() {
        assert_eq!(
            narrate("# T\n\nCall `socket.join(room)` now.\n"),
            "Call `socket.join(room)` now.\n\n"
        );
    }
}
