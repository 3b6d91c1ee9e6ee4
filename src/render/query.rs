//! The transcript's lines for `fetchSockets()` (v3): each socket found,
//! by client name, with its server and rooms, then why each other client
//! of the run was not found.

use std::collections::BTreeMap;
use std::io::{self, Write};

use super::transcript::{Transcript, pad, quoted_list};
use crate::report::{Fetched, Reason, explain};
use crate::term::width;

impl<W: Write> Transcript<W> {
    /// `fetchSockets()`: what it found, and who it did not find, and why.
    pub(super) fn fetched(
        &mut self,
        found: &BTreeMap<String, Fetched>,
        missed: &BTreeMap<String, Reason>,
        w: usize,
    ) -> io::Result<()> {
        if found.is_empty() {
            self.note("fetchSockets() found no socket")?;
        }
        for (name, socket) in found {
            let place = match &socket.server {
                Some(label) => format!("found, on server {label}, "),
                None => "found, ".to_owned(),
            };
            let rooms = if socket.rooms.is_empty() {
                "in no room (besides its own-id room)".to_owned()
            } else {
                format!("in {}", quoted_list(&socket.rooms))
            };
            let prefix = format!("  ⌕ {}  ", pad(name, w));
            let columns = width::columns(&prefix);
            self.hanging(&prefix, columns, &format!("{place}{rooms}"), None)?;
        }
        for (name, reason) in missed {
            let why = match reason {
                Reason::OtherNamespace { own, target } => {
                    format!("is in namespace {own}; this fetch looks in {target} only")
                }
                other => explain(other),
            };
            self.mark(false, name, w, &format!("not found: {why}"))?;
        }
        Ok(())
    }
}
