//! Inline Markdown: the text of one block (plain, code, strong, emphasis,
//! links) as styled spans.

use pulldown_cmark::{Event, Tag, TagEnd};

use super::prose::{Span, Style};

/// The spans of the block being read, with the styles and links open
/// around them.
#[derive(Default)]
pub struct Inline {
    spans: Vec<Span>,
    styles: Vec<Style>,
    /// The URL of each open link, written after its text.
    links: Vec<String>,
}

impl Inline {
    pub fn is_empty(&self) -> bool {
        self.spans.is_empty()
    }

    /// The spans read so far, leaving none.
    pub fn take(&mut self) -> Vec<Span> {
        std::mem::take(&mut self.spans)
    }

    /// Takes in an inline event; gives back any other event.
    pub fn read<'e>(&mut self, event: Event<'e>) -> Option<Event<'e>> {
        match event {
            Event::Text(t) => self.spans.push(Span {
                text: t.into_string(),
                style: self.styles.last().copied().unwrap_or(Style::Plain),
            }),
            Event::Code(t) => self.spans.push(Span {
                text: t.into_string(),
                style: Style::Code,
            }),
            Event::SoftBreak => self.spans.push(Span::plain(" ")),
            Event::HardBreak => self.spans.push(Span::plain("\n")),
            Event::Start(Tag::Strong) => self.styles.push(Style::Strong),
            Event::Start(Tag::Emphasis) => self.styles.push(Style::Emphasis),
            Event::Start(Tag::Link { dest_url, .. }) => {
                self.styles.push(Style::Link);
                self.links.push(dest_url.into_string());
            }
            Event::End(TagEnd::Link) => self.end_link(),
            Event::End(TagEnd::Strong | TagEnd::Emphasis) => {
                self.styles.pop();
            }
            other => return Some(other),
        }
        None
    }

    fn end_link(&mut self) {
        self.styles.pop();
        let url = self.links.pop().unwrap_or_default();
        // An autolink (`<https://…>`) is its own URL: not twice.
        let shown = self
            .spans
            .last()
            .is_some_and(|s| s.text == url || s.text == format!("mailto:{url}"));
        if !url.is_empty() && !shown {
            self.spans.push(Span::plain(format!(" ({url})")));
        }
    }
}
