//! The kinds of variant derived from an exercise's start by themselves
//! (`vary:`), on which an answer must do what the reference solution does;
//! the declared ones (`variant:`) are the exercise's own `Variant`s.

use std::collections::BTreeSet;

use super::expect::shorten;

/// A kind of variant derived from the exercise's own start.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Vary {
    /// Every client renamed, in the start, the `then:` lines and the answer.
    Rename,
    /// Another client sends (or leaves) in the `then:` lines.
    Sender,
    /// Other values in the `then:` lines' arguments and auth.
    Payload,
    /// One more client, in no room, connected at the end of the start.
    Extra,
}

/// Every kind, by its word; all of them apply unless `vary:` says otherwise.
pub const KINDS: [(&str, Vary); 4] = [
    ("rename", Vary::Rename),
    ("sender", Vary::Sender),
    ("payload", Vary::Payload),
    ("extra", Vary::Extra),
];

/// Every kind of variant.
pub fn all_kinds() -> BTreeSet<Vary> {
    KINDS.iter().map(|(_, k)| *k).collect()
}

/// Reads a `vary:` value: kinds separated by spaces, or `none`.
pub fn kinds(value: &str) -> Result<BTreeSet<Vary>, String> {
    if value.trim() == "none" {
        return Ok(BTreeSet::new());
    }
    value
        .split_whitespace()
        .map(|w| {
            KINDS
                .iter()
                .find(|(word, _)| *word == w)
                .map(|(_, k)| *k)
                .ok_or_else(|| {
                    format!(
                        "`vary:` does not know `{}`; the kinds are rename, sender, payload, extra (or `none`)",
                        shorten(w)
                    )
                })
        })
        .collect()
}
