//! Narration as data: the blocks of prose a lesson shows between its steps,
//! each made of styled spans.

/// One block of narration.
#[derive(Debug, Clone, PartialEq)]
pub enum Prose {
    Heading(u8, Vec<Span>),
    Paragraph(Vec<Span>),
    /// A list item, with its depth (0 for a top-level item) and its number
    /// in an ordered list (`None` in a bullet list).
    Item(usize, Option<u64>, Vec<Span>),
    /// A table: its header row first, then its rows; each cell is spans.
    Table(Vec<Vec<Vec<Span>>>),
    Quote(Vec<Span>),
    /// A code block other than `tour` (say, the JavaScript a step mirrors).
    Code {
        lang: String,
        text: String,
    },
    /// An ```` ```exercise ```` block, by its goal as the transcript shows
    /// it: the transcript points to `sockets-tour practice` rather than show
    /// the block (its solution included) as code.
    Exercise {
        goal: Vec<Span>,
        /// The last of a run of exercises: the pointer to `practice` follows
        /// it (once per run, also when `--step` presents each on its own).
        closes_run: bool,
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

impl Span {
    pub fn plain(text: impl Into<String>) -> Span {
        Span {
            text: text.into(),
            style: Style::Plain,
        }
    }
}

/// The text of spans, without styles.
pub fn plain(spans: &[Span]) -> String {
    spans.iter().map(|s| s.text.as_str()).collect()
}
