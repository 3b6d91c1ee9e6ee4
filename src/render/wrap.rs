//! Narration as the transcript shows it: headings, paragraphs, quotes,
//! bulleted and numbered lists, tables and code, wrapped to the transcript's
//! width at word boundaries (code only between tokens).

use std::io::{self, Write};

use super::Transcript;
use crate::lesson::{Prose, Span, Style};
use crate::term::palette::Role;
use crate::term::width::{self, Token};

impl<W: Write> Transcript<W> {
    pub fn narration(&mut self, prose: &[Prose]) -> io::Result<()> {
        for (i, block) in prose.iter().enumerate() {
            match block {
                Prose::Heading(_, spans) => {
                    let mut heading = vec![Span {
                        text: "── ".to_owned(),
                        style: Style::Strong,
                    }];
                    heading.extend(spans.iter().map(|s| Span {
                        text: s.text.clone(),
                        style: if s.style == Style::Code {
                            Style::Code
                        } else {
                            Style::Strong
                        },
                    }));
                    self.wrapped(&heading, "", "   ")?;
                }
                Prose::Paragraph(spans) => self.wrapped(spans, "", "")?,
                Prose::Quote(spans) => self.wrapped(spans, "│ ", "│ ")?,
                Prose::Item(depth, number, spans) => {
                    let indent = "  ".repeat(*depth);
                    let bullet = number.map_or("• ".to_owned(), |n| format!("{n}. "));
                    let hang = " ".repeat(width::columns(&bullet));
                    self.wrapped(
                        spans,
                        &format!("{indent}{bullet}"),
                        &format!("{indent}{hang}"),
                    )?;
                    // A list is one block: a blank line only after its last item.
                    if matches!(prose.get(i + 1), Some(Prose::Item(..))) {
                        continue;
                    }
                }
                Prose::Exercise { goal, closes_run } => {
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
                    spans.extend(goal.iter().cloned());
                    self.wrapped(&spans, "", "  ")?;
                    // A run of exercises is one block, closed by the pointer.
                    if !closes_run {
                        continue;
                    }
                    let pointer = "(graded by the live server: `sockets-tour practice` with \
                                   this lesson's name)";
                    for line in width::wrap(pointer, self.width, "  ", "  ") {
                        let text = line.get(2..).unwrap_or("");
                        writeln!(self.out, "  {}", self.paint(Role::Label, text))?;
                    }
                }
                Prose::Table(rows) => self.table(rows)?,
                Prose::Code { text, .. } => {
                    for line in text.lines() {
                        for part in width::wrap_code(line, self.width, "    ") {
                            let code = self.paint(Role::Code, part.get(4..).unwrap_or(""));
                            writeln!(self.out, "    {code}")?;
                        }
                    }
                }
            }
            writeln!(self.out)?;
        }
        Ok(())
    }

    /// Spans as shown: code keeps its backticks when there is no colour.
    fn shown(&self, span: &Span) -> String {
        match (span.style, self.palette.color) {
            (Style::Code, false) => format!("`{}`", span.text),
            _ => span.text.clone(),
        }
    }

    fn painted(&self, text: &str, style: Style) -> String {
        match style {
            Style::Plain => text.to_owned(),
            Style::Code => self.paint(Role::Code, text),
            Style::Strong => self.paint(Role::Strong, text),
            Style::Emphasis => self.paint(Role::Emphasis, text),
            Style::Link => self.paint(Role::Link, text),
        }
    }

    /// Spans as words for [`width::fill`]: split at spaces, except inside
    /// code, which is one word (split, if it must be, between tokens only);
    /// pieces with nothing between them stay one word (`` `join`, ``).
    fn tokens(&self, spans: &[Span]) -> Vec<Token<Style>> {
        let mut tokens: Vec<Token<Style>> = Vec::new();
        let mut glue = false;
        for span in spans {
            if span.text == "\n" {
                tokens.push(Token::Break);
                glue = false;
                continue;
            }
            let shown = self.shown(span);
            let words: Vec<&str> = if span.style == Style::Code {
                vec![shown.as_str()]
            } else {
                shown.split(' ').collect()
            };
            for (i, word) in words.into_iter().enumerate() {
                if i > 0 {
                    glue = false;
                }
                if word.is_empty() {
                    continue;
                }
                let piece = (word.to_owned(), span.style);
                match tokens.last_mut() {
                    Some(Token::Word(pieces)) if glue => pieces.push(piece),
                    _ => tokens.push(Token::Word(vec![piece])),
                }
                glue = true;
            }
        }
        tokens
    }

    /// Word-wraps spans to the width: `first` before the first line, `rest`
    /// before the others (a hanging indent).
    fn wrapped(&mut self, spans: &[Span], first: &str, rest: &str) -> io::Result<()> {
        let tokens = self.tokens(spans);
        let lines = width::fill(
            &tokens,
            self.width,
            width::columns(first),
            width::columns(rest),
        );
        for (i, words) in lines.iter().enumerate() {
            let text: Vec<String> = words
                .iter()
                .map(|pieces| {
                    pieces
                        .iter()
                        .map(|(text, style)| self.painted(text, *style))
                        .collect()
                })
                .collect();
            let prefix = if i == 0 { first } else { rest };
            let line = format!("{prefix}{}", text.join(" "));
            writeln!(self.out, "{}", line.trim_end())?;
        }
        Ok(())
    }

    /// A table: aligned columns when it fits the width, else each row as a
    /// list item of `header: cell` pairs.
    fn table(&mut self, rows: &[Vec<Vec<Span>>]) -> io::Result<()> {
        let plain = |cell: &[Span]| -> String { cell.iter().map(|s| self.shown(s)).collect() };
        let cells: Vec<Vec<String>> = rows
            .iter()
            .map(|row| row.iter().map(|c| plain(c)).collect())
            .collect();
        let columns = cells.iter().map(Vec::len).max().unwrap_or(0);
        let widths: Vec<usize> = (0..columns)
            .map(|c| {
                cells
                    .iter()
                    .filter_map(|r| r.get(c))
                    .map(|t| width::columns(t))
                    .max()
                    .unwrap_or(0)
            })
            .collect();
        let total = 2 + widths.iter().sum::<usize>() + 3 * columns.saturating_sub(1);
        if total <= self.width {
            for (r, row) in rows.iter().enumerate() {
                let mut line = String::from("  ");
                for (c, cell) in row.iter().enumerate() {
                    if c > 0 {
                        line.push_str(" │ ");
                    }
                    let text: String = cell
                        .iter()
                        .map(|s| self.painted(&self.shown(s), s.style))
                        .collect();
                    let pad = widths[c].saturating_sub(width::columns(&cells[r][c]));
                    let text = if r == 0 {
                        self.paint(Role::Strong, &text)
                    } else {
                        text
                    };
                    line.push_str(&text);
                    line.push_str(&" ".repeat(pad));
                }
                writeln!(self.out, "{}", line.trim_end())?;
                if r == 0 {
                    let rule: Vec<String> = widths.iter().map(|w| "─".repeat(*w)).collect();
                    writeln!(self.out, "  {}", rule.join("─┼─"))?;
                }
            }
            return Ok(());
        }
        // Too wide: one item per row, each cell named by its header.
        let header = rows.first().cloned().unwrap_or_default();
        for row in rows.iter().skip(1) {
            let mut spans = Vec::new();
            for (c, cell) in row.iter().enumerate() {
                if c > 0 {
                    spans.push(Span {
                        text: "; ".to_owned(),
                        style: Style::Plain,
                    });
                }
                if let Some(head) = header.get(c) {
                    spans.extend(head.iter().map(|s| Span {
                        text: s.text.clone(),
                        style: Style::Strong,
                    }));
                    spans.push(Span {
                        text: ": ".to_owned(),
                        style: Style::Plain,
                    });
                }
                spans.extend(cell.iter().cloned());
            }
            self.wrapped(&spans, "• ", "  ")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    //! Narration layout: wrapping at any width, lists, tables, hard breaks.
    use super::*;
    use crate::lesson::parse_markdown;

    fn narrate_at(markdown: &str, columns: usize) -> String {
        let lesson = parse_markdown(markdown).unwrap();
        let mut out = Vec::new();
        let mut t = Transcript::new(&mut out, false).with_width(columns);
        for section in &lesson.sections {
            if let crate::lesson::Section::Narration(prose) = section {
                t.narration(prose).unwrap();
            }
        }
        String::from_utf8(out).unwrap()
    }

    fn narrate(markdown: &str) -> String {
        narrate_at(markdown, 80)
    }

    #[test]
    fn long_paragraphs_wrap_within_the_width() {
        for columns in [40, 60, 80] {
            let text = narrate_at(&format!("# T\n\n{}\n", "word ".repeat(60)), columns);
            assert!(text.lines().all(|l| width::columns(l) <= columns), "{text}");
            assert!(text.lines().count() > 3);
        }
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

    #[test]
    fn a_code_span_is_never_broken_at_a_space_inside_it() {
        let text = narrate_at(
            "# T\n\nThen write `io.to(\"the lobby\").emit(\"x\")` here and there and there.\n",
            40,
        );
        assert!(
            text.contains("`io.to(\"the lobby\").emit(\"x\")`"),
            "{text}"
        );
    }

    #[test]
    fn numbered_items_hang_under_their_text() {
        let text = narrate_at(
            "# T\n\n9. nine words that wrap over the line here\n10. ten\n",
            24,
        );
        assert_eq!(
            text,
            "9. nine words that wrap\n   over the line here\n10. ten\n\n"
        );
    }

    #[test]
    fn a_table_aligns_when_it_fits_and_becomes_a_list_when_not() {
        let markdown = "# T\n\n| who | gets |\n|---|---|\n| `io.emit` | everyone |\n| alice | nothing at all |\n";
        assert_eq!(
            narrate(markdown),
            "  who       │ gets\n  ──────────┼───────────────\n  `io.emit` │ everyone\n  alice     │ nothing at all\n\n"
        );
        let narrow = narrate_at(markdown, 20);
        assert!(narrow.contains("• who: `io.emit`;"), "{narrow}");
        assert!(narrow.lines().all(|l| width::columns(l) <= 20), "{narrow}");
    }

    #[test]
    fn long_code_samples_break_between_tokens() {
        let text = narrate_at(
            "# T\n\n```js\nio.to(\"lobby\").except(\"games\").emit(\"lobby-only\", \"not for gamers\");\n```\n",
            40,
        );
        assert!(text.lines().all(|l| width::columns(l) <= 40), "{text}");
        let joined: String = text.split_whitespace().collect();
        assert!(
            joined.contains("io.to(\"lobby\").except(\"games\")"),
            "{text}"
        );
    }
}
