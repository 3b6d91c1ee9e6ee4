//! Lessons: Markdown documents whose ```` ```tour ```` blocks are the steps
//! and whose prose is the narration; the built-in ones are embedded here.

use pulldown_cmark::{CodeBlockKind, Event, HeadingLevel, Options, Parser, Tag, TagEnd};

use crate::script::{self, Statement, SyntaxError};

// `BUILTIN`: every `lessons/*.md`, embedded by `build.rs` in the order of `lessons/order.txt`.
include!(concat!(env!("OUT_DIR"), "/lessons.rs"));

/// A lesson or a bare script, ready to run.
#[derive(Debug, Clone, PartialEq)]
pub struct Lesson {
    /// The `# Title`, if any.
    pub title: Option<String>,
    /// The first block quote: a one-line summary for `list`.
    pub summary: Option<String>,
    /// Narration and steps, in document order.
    pub sections: Vec<Section>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Section {
    Narration(Vec<Prose>),
    Steps(Vec<Statement>),
}

/// One block of narration.
#[derive(Debug, Clone, PartialEq)]
pub enum Prose {
    Heading(u8, Vec<Span>),
    Paragraph(Vec<Span>),
    /// A list item, with its depth (0 for a top-level item).
    Item(usize, Vec<Span>),
    Quote(Vec<Span>),
    /// A code block other than `tour` (say, the JavaScript a step mirrors).
    Code {
        lang: String,
        text: String,
    },
    /// An ```` ```exercise ```` block, by its goal: the transcript points to
    /// `sockets-tour practice` rather than show the block (its solution
    /// included) as code.
    Exercise {
        goal: String,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub struct Span {
    pub text: String,
    pub style: Style,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    Plain,
    Code,
    Strong,
    Emphasis,
    Link,
}

impl Lesson {
    /// Every statement of the lesson, in order.
    pub fn statements(&self) -> impl Iterator<Item = &Statement> {
        self.sections.iter().flat_map(|s| match s {
            Section::Steps(steps) => steps.as_slice(),
            Section::Narration(_) => &[],
        })
    }
}

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
            title: None,
            summary: None,
            sections: vec![Section::Steps(script::parse_script(text)?)],
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

/// A built-in lesson's Markdown, by name.
pub fn builtin(name: &str) -> Option<&'static str> {
    BUILTIN
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, text)| *text)
}

/// Parses a Markdown lesson. Statement line numbers are lines of the whole file.
pub fn parse_markdown(text: &str) -> Result<Lesson, SyntaxError> {
    let line_starts: Vec<usize> = std::iter::once(0)
        .chain(text.match_indices('\n').map(|(i, _)| i + 1))
        .collect();
    let line_of = |offset: usize| line_starts.partition_point(|&start| start <= offset);

    let mut lesson = Lesson {
        title: None,
        summary: None,
        sections: Vec::new(),
    };
    let mut prose: Vec<Prose> = Vec::new();
    let mut spans: Vec<Span> = Vec::new();
    let mut styles: Vec<Style> = Vec::new();
    let mut list_depth = 0usize;
    let mut in_quote = false;
    let mut heading: Option<u8> = None;
    // Inside a code block: its language, its text, and where it starts.
    let mut code: Option<(String, String, usize)> = None;
    // All statements of the lesson, checked together (names connected earlier).
    let mut numbered: Vec<(usize, String)> = Vec::new();
    let mut blocks: Vec<std::ops::Range<usize>> = Vec::new();

    let flush_spans = |spans: &mut Vec<Span>| std::mem::take(spans);

    for (event, range) in Parser::new_ext(text, Options::empty()).into_offset_iter() {
        match event {
            Event::Start(Tag::Heading { level, .. }) => heading = Some(heading_number(level)),
            Event::End(TagEnd::Heading(_)) => {
                let level = heading.take().unwrap_or(1);
                let spans = flush_spans(&mut spans);
                if level == 1 && lesson.title.is_none() {
                    lesson.title = Some(plain(&spans));
                } else {
                    prose.push(Prose::Heading(level, spans));
                }
            }
            Event::Start(Tag::BlockQuote(_)) => in_quote = true,
            Event::End(TagEnd::BlockQuote(_)) => in_quote = false,
            Event::Start(Tag::List(_)) => list_depth += 1,
            Event::End(TagEnd::List(_)) => list_depth = list_depth.saturating_sub(1),
            // An item's text may come with or without a paragraph around it;
            // a parent item's text is pending when its nested list starts.
            Event::Start(Tag::Item) if !spans.is_empty() => {
                prose.push(Prose::Item(
                    list_depth.saturating_sub(2),
                    flush_spans(&mut spans),
                ));
            }
            Event::End(TagEnd::Item) if !spans.is_empty() => {
                prose.push(Prose::Item(
                    list_depth.saturating_sub(1),
                    flush_spans(&mut spans),
                ));
            }
            Event::End(TagEnd::Paragraph) => {
                let spans = flush_spans(&mut spans);
                if in_quote {
                    if lesson.summary.is_none() && prose.is_empty() && lesson.sections.is_empty() {
                        lesson.summary = Some(plain(&spans));
                    } else {
                        prose.push(Prose::Quote(spans));
                    }
                } else if list_depth > 0 {
                    prose.push(Prose::Item(list_depth - 1, spans));
                } else {
                    prose.push(Prose::Paragraph(spans));
                }
            }
            Event::Start(Tag::CodeBlock(kind)) => {
                let lang = match kind {
                    CodeBlockKind::Fenced(info) => {
                        info.split_whitespace().next().unwrap_or("").to_owned()
                    }
                    CodeBlockKind::Indented => String::new(),
                };
                code = Some((lang, String::new(), range.start));
            }
            Event::End(TagEnd::CodeBlock) => {
                if let Some((lang, body, start)) = code.take() {
                    // Info strings are case-sensitive in CommonMark, but a
                    // ```Tour block is plainly meant as steps, not as prose.
                    if lang.eq_ignore_ascii_case("tour") {
                        if !prose.is_empty() {
                            lesson
                                .sections
                                .push(Section::Narration(std::mem::take(&mut prose)));
                        }
                        // The block's first line follows its fence line.
                        let first = line_of(start) + 1;
                        let from = numbered.len();
                        numbered.extend(
                            body.lines()
                                .enumerate()
                                .map(|(i, l)| (first + i, l.to_owned())),
                        );
                        blocks.push(from..numbered.len());
                        lesson.sections.push(Section::Steps(Vec::new()));
                    } else if crate::learn::exercise::is_exercise(&lang) {
                        prose.push(Prose::Exercise {
                            goal: crate::learn::exercise::goal_of(&body),
                        });
                    } else {
                        prose.push(Prose::Code {
                            lang,
                            text: body.trim_end().to_owned(),
                        });
                    }
                }
            }
            Event::Text(t) => match &mut code {
                Some((_, body, _)) => body.push_str(&t),
                None => spans.push(Span {
                    text: t.into_string(),
                    style: styles.last().copied().unwrap_or(Style::Plain),
                }),
            },
            Event::Code(t) => spans.push(Span {
                text: t.into_string(),
                style: Style::Code,
            }),
            Event::SoftBreak => spans.push(Span {
                text: " ".to_owned(),
                style: Style::Plain,
            }),
            Event::HardBreak => spans.push(Span {
                text: "\n".to_owned(),
                style: Style::Plain,
            }),
            Event::Start(Tag::Strong) => styles.push(Style::Strong),
            Event::Start(Tag::Emphasis) => styles.push(Style::Emphasis),
            Event::Start(Tag::Link { .. }) => styles.push(Style::Link),
            Event::End(TagEnd::Strong | TagEnd::Emphasis | TagEnd::Link) => {
                styles.pop();
            }
            _ => {}
        }
    }
    if !prose.is_empty() {
        lesson.sections.push(Section::Narration(prose));
    }

    let statements = script::parse_lines(numbered.iter().map(|(n, l)| (*n, l.as_str())))?;
    // Hand each block its statements back, by line range.
    let mut statements = statements.into_iter().peekable();
    let mut block_ranges = blocks.into_iter();
    for section in &mut lesson.sections {
        if let Section::Steps(steps) = section {
            let range = block_ranges.next().unwrap_or(0..0);
            let last_line = numbered
                .get(range.end.wrapping_sub(1))
                .map_or(0, |(n, _)| *n);
            while let Some(s) = statements.next_if(|s| s.line <= last_line) {
                steps.push(s);
            }
        }
    }
    Ok(lesson)
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

/// The text of spans, without styles.
pub fn plain(spans: &[Span]) -> String {
    spans.iter().map(|s| s.text.as_str()).collect()
}

#[cfg(test)]
mod tests {
    //! Lessons as data: the embedded table, the folder, and the parse.
    use super::*;

    #[test]
    fn embedded_table_matches_the_lessons_folder() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/lessons");
        let mut on_disk: Vec<String> = std::fs::read_dir(dir)
            .expect("lessons/ exists")
            .filter_map(|e| e.ok())
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".md"))
            .map(|n| n.trim_end_matches(".md").to_owned())
            .collect();
        on_disk.sort();
        let mut embedded: Vec<String> = BUILTIN.iter().map(|(n, _)| n.to_string()).collect();
        embedded.sort();
        assert_eq!(on_disk, embedded);
        for name in &embedded {
            assert!(
                !RESERVED_NAMES.contains(&name.as_str()),
                "lessons/{name}.md: `{name}` is a built-in subcommand, so it cannot name a lesson"
            );
        }
        let order = std::fs::read_to_string(format!("{dir}/order.txt")).unwrap();
        for name in order
            .lines()
            .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        {
            assert!(
                on_disk.iter().any(|n| n == name.trim()),
                "order.txt names {name}, which has no lessons/{name}.md"
            );
        }
        for (name, text) in BUILTIN {
            let on_disk = std::fs::read_to_string(format!("{dir}/{name}.md")).unwrap();
            assert_eq!(&on_disk, text, "{name}.md differs from its embedded copy");
        }
    }

    #[test]
    fn steps_keep_their_file_line_numbers() {
        let text = "# T\n\n> Sum.\n\nSay hi.\n\n```tour\nconnect alice\n\nio.emit(\"x\")\n```\n\nMore.\n\n```js\nio.emit()\n```\n";
        let lesson = parse_markdown(text).unwrap();
        assert_eq!(lesson.title.as_deref(), Some("T"));
        assert_eq!(lesson.summary.as_deref(), Some("Sum."));
        let lines: Vec<usize> = lesson.statements().map(|s| s.line).collect();
        assert_eq!(lines, [8, 10]);
        assert!(matches!(&lesson.sections[0], Section::Narration(p) if p.len() == 1));
        assert!(
            matches!(&lesson.sections[2], Section::Narration(p) if matches!(p[1], Prose::Code { .. }))
        );
    }

    #[test]
    fn markdown_extensions_and_tour_fences_ignore_case() {
        let text = "# T\n\n```Tour\nconnect alice\n```\n";
        for name in ["a.md", "a.MD", "a.Markdown", "dir.x/a.markdown"] {
            assert!(is_markdown(name), "{name}");
            let lesson = load(name, text).unwrap();
            assert_eq!(lesson.title.as_deref(), Some("T"), "{name}");
            assert_eq!(lesson.statements().count(), 1, "{name}");
        }
        for name in ["a.tour", "a", "md", "a.md.tour"] {
            assert!(!is_markdown(name), "{name}");
        }
        // A bare script is parsed as statements, not Markdown.
        assert!(load("a.tour", text).is_err());
    }

    #[test]
    fn an_exercise_block_is_its_goal_never_code_nor_steps() {
        let text = "# T\n\n```tour\nconnect alice\n```\n\n```exercise\ngoal: Reach alice,\ngoal: once.\nexpect receivers: alice\nhint: h\nsolution: io.emit(\"x\")\n```\n";
        let lesson = parse_markdown(text).unwrap();
        assert_eq!(lesson.statements().count(), 1);
        let Section::Narration(prose) = &lesson.sections[1] else {
            panic!("{:?}", lesson.sections)
        };
        assert_eq!(
            prose,
            &[Prose::Exercise {
                goal: "Reach alice, once.".to_owned()
            }]
        );
    }

    #[test]
    fn a_syntax_error_names_the_file_line() {
        let text = "# T\n\n```tour\nconnect alice\nalice: socket.jion(\"r\")\n```\n";
        let err = parse_markdown(text).unwrap_err();
        assert_eq!((err.line, err.column), (5, 15));
    }
}
