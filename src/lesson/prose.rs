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
/// Narration in the smallest pieces a presenter may pause between: a list stays whole, and a heading stays with the
/// block after it (a heading alone at the bottom of a page says nothing).
pub fn pieces(prose: &[Prose]) -> impl Iterator<Item = &[Prose]> {
    let mut start = 0;
    std::iter::from_fn(move || {
        if start >= prose.len() {
            return None;
        }
        let mut end = start;
        while matches!(prose.get(end), Some(Prose::Heading(..))) {
            end += 1;
        }
        if matches!(prose.get(end), Some(Prose::Item(..))) {
            while matches!(prose.get(end), Some(Prose::Item(..))) {
                end += 1;
            }
        } else {
            end += 1;
        }
        let end = end.min(prose.len());
        let piece = &prose[start..end];
        start = end;
        Some(piece)
    })
}
