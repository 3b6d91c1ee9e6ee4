//! The transcript's lines for `fetchSockets()` (v3): each socket found,
//! by client name, with its server and rooms.

use std::collections::BTreeMap;
use std::io::{self, Write};

use super::transcript::{Transcript, pad, quoted_list};
use crate::report::Fetched;
use crate::term::width;

impl<W: Write> Transcript<W> {
    /// `fetchSockets()`: what it found, or that it found nobody.
    pub(super) fn fetched(&mut self, sockets: &BTreeMap<String, Fetched>, w: usize) -> io::Result<()> {
        if sockets.is_empty() {
            return self.note("fetchSockets() found no socket");
        }
        for (name, found) in sockets {
            let place = match &found.server {
                Some(label) => format!("found, on server {label}, "),
                None => "found, ".to_owned(),
            };
            let rooms = if found.rooms.is_empty() {
                "in no room (besides its own-id room)".to_owned()
            } else {
                format!("in {}", quoted_list(&found.rooms))
            };
            let prefix = format!("  ⌕ {}  ", pad(name, w));
            let columns = width::columns(&prefix);
            self.hanging(&prefix, columns, &format!("{place}{rooms}"), None)?;
        }
        Ok(())
    }
}
