//! A lesson cut into the smallest pieces the presenter may pause between: a
//! heading with the block after it, a whole list, a paragraph, a run of
//! connects (the engine opens them together), or one other statement.

use crate::lesson::{Lesson, Prose, Section, prose};
use crate::script::{Statement, StatementKind};

/// One piece of a lesson, in order.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Piece<'a> {
    Title(&'a str),
    Prose(&'a [Prose]),
    Steps {
        statements: &'a [Statement],
        /// The last piece of its ```` ```tour ```` block: a pause follows.
        ends_block: bool,
    },
}

impl Piece<'_> {
    pub fn ends_block(&self) -> bool {
        matches!(
            self,
            Piece::Steps {
                ends_block: true,
                ..
            }
        )
    }

    /// The heading this piece starts with, if it does (for `--from`).
    pub fn heading(&self) -> Option<String> {
        match self {
            Piece::Prose([Prose::Heading(_, spans), ..]) => Some(crate::lesson::plain(spans)),
            _ => None,
        }
    }
}

/// The pieces of `lesson`, in order.
pub fn pieces(lesson: &Lesson) -> Vec<Piece<'_>> {
    let mut pieces = Vec::new();
    if let Some(title) = &lesson.title {
        pieces.push(Piece::Title(title));
    }
    for section in &lesson.sections {
        match section {
            Section::Narration(prose) => pieces.extend(prose::pieces(prose).map(Piece::Prose)),
            Section::Steps(steps) => {
                let mut rest = steps.as_slice();
                while !rest.is_empty() {
                    let connects = rest
                        .iter()
                        .take_while(|s| matches!(s.kind, StatementKind::Connect { .. }))
                        .count();
                    let (now, later) = rest.split_at(connects.max(1));
                    rest = later;
                    pieces.push(Piece::Steps {
                        statements: now,
                        ends_block: rest.is_empty(),
                    });
                }
            }
        }
    }
    pieces
}

#[cfg(test)]
mod tests {
    //! How a lesson is cut.
    use super::*;
    use crate::lesson::parse_markdown;

    #[test]
    fn lists_stay_whole_headings_keep_their_block_and_connects_go_together() {
        let lesson = parse_markdown(
            "# T\n\nIntro.\n\n- a\n- b\n\n## Part\n\nText.\n\n```tour\nconnect a\nconnect b\nio.emit(\"x\")\nio.emit(\"y\")\n```\n\nEnd.\n",
        )
        .unwrap();
        let shape: Vec<String> = pieces(&lesson)
            .iter()
            .map(|p| match p {
                Piece::Title(t) => format!("title {t}"),
                Piece::Prose(blocks) => format!("prose {}", blocks.len()),
                Piece::Steps {
                    statements,
                    ends_block,
                } => format!("steps {} {ends_block}", statements.len()),
            })
            .collect();
        assert_eq!(
            shape,
            [
                "title T",
                "prose 1",
                "prose 2",
                "prose 2",
                "steps 2 false",
                "steps 1 false",
                "steps 1 true",
                "prose 1",
            ]
        );
        assert_eq!(pieces(&lesson)[3].heading().as_deref(), Some("Part"));
    }
}
