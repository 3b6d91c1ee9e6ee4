//! The rooms of `.to`, `.in` and `.except`: room names, socket ids
//! (`NAME.id`, `socket.id`), and the handler's own rooms, alone or in an
//! array.

use super::ast::{Arg, Room};
use super::cursor::{Cursor, Parsed};
use super::error::excerpt;
use super::handshake::OWN_ROOMS;

impl Cursor<'_> {
    /// `(ROOMS)` after `.to`, `.in` or `.except`, where socket ids may stand
    /// beside room names: `"lobby"`, `bob.id`, `socket.id`, or an array of them.
    pub(super) fn targets_argument(&mut self, method: &str) -> Parsed<Arg<Vec<Room>>> {
        self.expect('(', &format!("after `{method}`"))?;
        self.skip_ws();
        let rooms = if let Some(value) = self.eat_ref()? {
            value
        } else if self.peek() == Some('[') {
            let at = self.pos;
            self.pos += 1;
            let mut rooms = Vec::new();
            self.skip_ws();
            if !self.eat(']') {
                loop {
                    rooms.push(self.target(at)?);
                    if self.eat(']') {
                        break;
                    }
                    if !self.eat(',') {
                        return Err(self.error(format!(
                            "expected `,` or `]` in the array of rooms{}",
                            self.found()
                        )));
                    }
                }
            }
            Arg::Lit(rooms)
        } else if self.rest().starts_with("...") {
            return Err(self.error(format!(
                "spread `{OWN_ROOMS}` inside an array, `[{OWN_ROOMS}]`: `.{method}(...)` \
                 would take only its first room"
            )));
        } else {
            Arg::Lit(vec![self.target(self.pos)?])
        };
        self.expect(')', &format!("to close `{method}(`"))?;
        Ok(rooms)
    }

    /// One room of `.to/.in/.except`: a string, `NAME.id` or `socket.id`.
    /// `list_at` is where the argument starts, for a value that is no room.
    fn target(&mut self, list_at: usize) -> Parsed<Room> {
        if let Some(own) = self.eat_own_rooms()? {
            return Ok(own);
        }
        self.skip_ws();
        let at = self.pos;
        if let Some(word) = self
            .ident(true)
            .filter(|w| !matches!(*w, "true" | "false" | "null"))
        {
            if word == "msg" {
                self.pos = at;
                return Err(self
                    .misplaced_msg()
                    .unwrap_or_else(|| self.error("`msg` cannot stand here")));
            }
            if !self.eat('.') || self.ident(false) != Some("id") {
                return Err(self.error_at(
                    at,
                    format!(
                        "expected a room: a string, `NAME.id` or `socket.id`, found `{}`",
                        excerpt(word)
                    ),
                ));
            }
            if word == "socket" {
                if !self.own_id_allowed {
                    return Err(self.error_at(
                        at,
                        "`socket.id` means the statement's own socket: it stands in \
                         `NAME: socket.…` lines and `on` actions; at the top level write `NAME.id`",
                    ));
                }
                return Ok(Room::OwnId);
            }
            self.ids.push((word.to_owned(), at));
            return Ok(Room::IdOf(word.to_owned()));
        }
        if self.peek() == Some('"') {
            return Ok(Room::Name(self.string("a room name")?));
        }
        self.pos = at;
        self.json()?;
        Err(self.error_at(
            list_at,
            "a room is a string, or an array of strings for several rooms",
        ))
    }
}
