//! Reading a lesson file: Markdown (narration, ```` ```tour ```` steps,
//! ```` ```exercise ```` blocks) or a bare script, once, into a [`Lesson`].

use std::ops::Range;

use pulldown_cmark::{CodeBlockKind, Event, HeadingLevel, Options, Parser, Tag, TagEnd};

use super::exercise::{self, Exercise};
use super::fence::unclosed_fence;
use super::inline::Inline;
use super::model::{Lesson, Section};
use super::prose::{Prose, Span, plain};
use crate::script::{self, SyntaxError};

/// Whether a file is a Markdown lesson (`.md` or `.markdown`, in any case)
/// rather than a bare script.
pub fn is_markdown(path_name: &str) -> bool {
    std::path::Path::new(path_name)
        .extension()
        .is_some_and(|ext| ext.eq_ignore_ascii_case("md") || ext.eq_ignore_ascii_case("markdown"))
}

/// Reads a file's text as a lesson (`.md`) or a bare script (anything else).
pub fn load(path_name: &str, text: &str) -> Result<Lesson, SyntaxError> {
    if is_markdown(path_name) {
        parse_markdown(text)
    } else {
        Ok(Lesson {
            sections: vec![Section::Steps(script::parse_script(text)?)],
            ..Lesson::empty()
        })
    }
}

/// A lesson's one-line summary (its first block quote), or "" if it has none.
pub fn summary(markdown: &str) -> String {
    parse_markdown(markdown)
        .ok()
        .and_then(|l| l.summary)
        .unwrap_or_default()
}

/// Parses a Markdown lesson. Statement line numbers are lines of the whole file.
pub fn parse_markdown(text: &str) -> Result<Lesson, SyntaxError> {
    let mut reader = Reader::new(text);
    for (event, range) in Parser::new_ext(text, Options::ENABLE_TABLES).into_offset_iter() {
        reader.event(event, range)?;
    }
    reader.finish()
}

/// Where each line of a text starts, to turn a byte offset into a line.
struct LineIndex(Vec<usize>);

impl LineIndex {
    fn new(text: &str) -> LineIndex {
        LineIndex(
            std::iter::once(0)
                .chain(text.match_indices('\n').map(|(i, _)| i + 1))
                .collect(),
        )
    }

    /// The 1-based line of byte `offset`.
    fn line_of(&self, offset: usize) -> usize {
        self.0.partition_point(|&start| start <= offset)
    }
}

/// A code block being read: its language, its text, and its first byte.
struct CodeBlock {
    lang: String,
    body: String,
    start: usize,
}

/// The lines of every ```` ```tour ```` block, parsed together at the end
/// (a name must be connected earlier in the lesson, not just in its block).
#[derive(Default)]
struct StepLines {
    /// Each line with its line number in the file.
    numbered: Vec<(usize, String)>,
    /// Each block's lines, as a range of `numbered`.
    blocks: Vec<Range<usize>>,
}

impl StepLines {
    /// A block's lines; its first line follows its fence line.
    fn push_block(&mut self, fence_line: usize, body: &str) {
        let from = self.numbered.len();
        self.numbered.extend(
            body.lines()
                .enumerate()
                .map(|(i, l)| (fence_line + 1 + i, l.to_owned())),
        );
        self.blocks.push(from..self.numbered.len());
    }

    /// Parses every block's lines, then hands each `Steps` section its
    /// statements back, by line range.
    fn parse_into(self, sections: &mut [Section]) -> Result<(), SyntaxError> {
        let numbered = self.numbered.iter().map(|(n, l)| (*n, l.as_str()));
        let mut statements = script::parse_lines(numbered)?.into_iter().peekable();
        let mut block_ranges = self.blocks.into_iter();
        for section in sections {
            if let Section::Steps(steps) = section {
                let range = block_ranges.next().unwrap_or(0..0);
                let last_line = self
                    .numbered
                    .get(range.end.wrapping_sub(1))
                    .map_or(0, |(n, _)| *n);
                while let Some(s) = statements.next_if(|s| s.line <= last_line) {
                    steps.push(s);
                }
            }
        }
        Ok(())
    }
}

/// The state of reading one lesson, event by event.
struct Reader<'t> {
    text: &'t str,
    lines: LineIndex,
    lesson: Lesson,
    /// Narration since the last ```` ```tour ```` block.
    prose: Vec<Prose>,
    /// The text of the block being read.
    inline: Inline,
    /// The next number of each open list (`None` for a bullet list).
    numbers: Vec<Option<u64>>,
    /// The number of the item being read, until its text is pushed.
    pending_number: Option<u64>,
    /// The rows of the table being read, and the cells of its current row.
    table: Vec<Vec<Vec<Span>>>,
    row: Vec<Vec<Span>>,
    in_quote: bool,
    heading: Option<u8>,
    code: Option<CodeBlock>,
    steps: StepLines,
}

impl<'t> Reader<'t> {
    fn new(text: &'t str) -> Reader<'t> {
        Reader {
            text,
            lines: LineIndex::new(text),
            lesson: Lesson::empty(),
            prose: Vec::new(),
            inline: Inline::default(),
            numbers: Vec::new(),
            pending_number: None,
            table: Vec::new(),
            row: Vec::new(),
            in_quote: false,
            heading: None,
            code: None,
            steps: StepLines::default(),
        }
    }

    fn event(&mut self, event: Event, range: Range<usize>) -> Result<(), SyntaxError> {
        if let (Some(code), Event::Text(t)) = (&mut self.code, &event) {
            code.body.push_str(t);
            return Ok(());
        }
        let Some(event) = self.inline.read(event) else {
            return Ok(());
        };
        match event {
            Event::Start(Tag::Heading { level, .. }) => self.heading = Some(heading_number(level)),
            Event::End(TagEnd::Heading(_)) => self.end_heading(),
            Event::Start(Tag::BlockQuote(_)) => self.in_quote = true,
            Event::End(TagEnd::BlockQuote(_)) => self.in_quote = false,
            Event::Start(Tag::List(first)) => self.start_list(first),
            Event::End(TagEnd::List(_)) => {
                self.numbers.pop();
            }
            Event::Start(Tag::Item) => self.pending_number = self.take_number(),
            // An item's text may come with or without a paragraph around it.
            Event::End(TagEnd::Item) if !self.inline.is_empty() => {
                let spans = self.inline.take();
                self.push_item(spans);
            }
            Event::Start(Tag::Table(_)) => self.table.clear(),
            Event::End(TagEnd::TableHead | TagEnd::TableRow) => {
                self.table.push(std::mem::take(&mut self.row));
            }
            Event::End(TagEnd::TableCell) => self.row.push(self.inline.take()),
            Event::End(TagEnd::Table) => {
                let rows = std::mem::take(&mut self.table);
                self.prose.push(Prose::Table(rows));
            }
            Event::End(TagEnd::Paragraph) => self.end_paragraph(),
            Event::Start(Tag::CodeBlock(kind)) => self.start_code(kind, range)?,
            Event::End(TagEnd::CodeBlock) => self.end_code(),
            _ => {}
        }
        Ok(())
    }

    /// How deep the list being read is (0: not in a list).
    fn list_depth(&self) -> usize {
        self.numbers.len()
    }

    fn end_heading(&mut self) {
        let level = self.heading.take().unwrap_or(1);
        let spans = self.inline.take();
        if level == 1 && self.lesson.title.is_none() {
            self.lesson.title = Some(plain(&spans));
        } else {
            self.prose.push(Prose::Heading(level, spans));
        }
    }

    fn start_list(&mut self, first: Option<u64>) {
        // A parent item's text is pending when its nested list starts.
        if !self.inline.is_empty() {
            let spans = self.inline.take();
            self.push_item(spans);
        }
        self.numbers.push(first);
    }

    /// The number an item gets: the next of its list, if the list is ordered.
    fn take_number(&mut self) -> Option<u64> {
        let next = self.numbers.last_mut().and_then(|n| n.as_mut());
        next.map(|n| {
            *n += 1;
            *n - 1
        })
    }

    /// `spans` as an item of the list being read.
    fn push_item(&mut self, spans: Vec<Span>) {
        let depth = self.list_depth().saturating_sub(1);
        self.prose
            .push(Prose::Item(depth, self.pending_number.take(), spans));
    }

    fn end_paragraph(&mut self) {
        let spans = self.inline.take();
        if self.in_quote {
            let first_of_lesson = self.prose.is_empty() && self.lesson.sections.is_empty();
            if self.lesson.summary.is_none() && first_of_lesson {
                self.lesson.summary = Some(plain(&spans));
            } else {
                self.prose.push(Prose::Quote(spans));
            }
        } else if self.list_depth() > 0 {
            // A second paragraph of one item has no number of its own.
            self.push_item(spans);
        } else {
            self.prose.push(Prose::Paragraph(spans));
        }
    }

    fn start_code(&mut self, kind: CodeBlockKind, range: Range<usize>) -> Result<(), SyntaxError> {
        let lang = match kind {
            CodeBlockKind::Fenced(info) => {
                let lang = info.split_whitespace().next().unwrap_or("").to_owned();
                let line = self.lines.line_of(range.start);
                if let Some(e) = unclosed_fence(self.text, range.clone(), &lang, line) {
                    return Err(e);
                }
                lang
            }
            CodeBlockKind::Indented => String::new(),
        };
        self.code = Some(CodeBlock {
            lang,
            body: String::new(),
            start: range.start,
        });
        Ok(())
    }

    fn end_code(&mut self) {
        let Some(CodeBlock { lang, body, start }) = self.code.take() else {
            return;
        };
        let fence_line = self.lines.line_of(start);
        // Info strings are case-sensitive in CommonMark, but a ```Tour
        // block is plainly meant as steps, not as prose.
        if lang.eq_ignore_ascii_case("tour") {
            self.tour_block(fence_line, &body);
        } else if exercise::is_exercise(&lang) {
            self.exercise_block(fence_line, &body);
        } else {
            self.prose.push(Prose::Code {
                lang,
                text: body.trim_end().to_owned(),
            });
        }
    }

    /// A ```` ```tour ```` block: the narration so far is a section, and
    /// the block's lines are steps (parsed with the others at the end).
    fn tour_block(&mut self, fence_line: usize, body: &str) {
        if !self.prose.is_empty() {
            let prose = std::mem::take(&mut self.prose);
            self.lesson.sections.push(Section::Narration(prose));
        }
        self.steps.push_block(fence_line, body);
        self.lesson.sections.push(Section::Steps(Vec::new()));
    }

    /// An ```` ```exercise ```` block: its goal in the narration (read
    /// leniently, so a malformed block still shows it), the block itself
    /// among the lesson's exercises.
    fn exercise_block(&mut self, fence_line: usize, body: &str) {
        let goal = exercise::goal_of(body);
        let goal_prose = goal_prose(&goal);
        if let Some(Prose::Exercise { closes_run, .. }) = self.prose.last_mut() {
            *closes_run = false;
        }
        self.prose.push(Prose::Exercise {
            goal: goal_spans(&goal, &goal_prose),
            closes_run: true,
        });
        let parsed = exercise::parse_block(fence_line, body).map(|exercise| Exercise {
            goal_prose,
            ..exercise
        });
        self.lesson.exercises.push(parsed);
    }

    /// The lesson, once every event is read: the steps parsed together,
    /// then handed back to their blocks.
    fn finish(mut self) -> Result<Lesson, SyntaxError> {
        if !self.prose.is_empty() {
            self.lesson.sections.push(Section::Narration(self.prose));
        }
        self.steps.parse_into(&mut self.lesson.sections)?;
        for exercise in self.lesson.exercises.iter().flatten() {
            let before = self.lesson.statements_before(exercise.line);
            if let Some((key, error)) = exercise.unreadable_line(&before) {
                return Err(in_exercise(error, key, exercise.line, self.text));
            }
        }
        Ok(self.lesson)
    }
}

/// A syntax error in an exercise's `key:` line, as the file has it: the
/// whole line shown, the column counted from its start, the message saying
/// which exercise and which key.
fn in_exercise(error: SyntaxError, key: &str, fence_line: usize, text: &str) -> SyntaxError {
    let file_line = text
        .lines()
        .nth(error.line.saturating_sub(1))
        .unwrap_or_default();
    // The value starts after the key's `:` and the spaces after it.
    let value_at = file_line.find(':').map_or(0, |colon| {
        let after = &file_line[colon + 1..];
        colon + 1 + after.len() - after.trim_start().len()
    });
    let whose = match key {
        "" => "its start".to_owned(),
        key => format!("its `{key}:` line"),
    };
    SyntaxError {
        column: file_line[..value_at].chars().count() + error.column,
        message: format!(
            "the exercise at line {fence_line}: {whose} does not parse: {}",
            error.message
        ),
        source_line: file_line.to_owned(),
        ..error
    }
}

/// An exercise's goal read as Markdown, as practice shows it (the goal is
/// one line: at most one block of narration).
fn goal_prose(goal: &str) -> Vec<Prose> {
    parse_markdown(goal)
        .ok()
        .and_then(|l| {
            l.sections.into_iter().find_map(|s| match s {
                Section::Narration(prose) => Some(prose),
                Section::Steps(_) => None,
            })
        })
        .unwrap_or_default()
}

/// The goal as the transcript's one-line pointer shows it: its spans if it
/// reads as one paragraph, else its text as it is.
fn goal_spans(goal: &str, prose: &[Prose]) -> Vec<Span> {
    match prose {
        [Prose::Paragraph(spans)] => spans.clone(),
        _ => vec![Span::plain(goal)],
    }
}

fn heading_number(level: HeadingLevel) -> u8 {
    match level {
        HeadingLevel::H1 => 1,
        HeadingLevel::H2 => 2,
        HeadingLevel::H3 => 3,
        HeadingLevel::H4 => 4,
        HeadingLevel::H5 => 5,
        HeadingLevel::H6 => 6,
    }
}

#[cfg(test)]
mod tests;
