//! The forms about a client's connection itself (version 3): `drop NAME`
//! (the network lost it), `reconnect NAME` (it comes back) and
//! `NAME> socket.volatile.emit(…)` (an emit the client drops rather than
//! buffers while its connection is down).

use super::ast::{Link, StatementKind};
use super::cursor::{Cursor, Parsed};

impl Cursor<'_> {
    /// `drop NAME` or `reconnect NAME`, after the keyword.
    pub(super) fn link_statement(&mut self, keyword: &str) -> Parsed<StatementKind> {
        let name = self.name(&format!("after `{keyword}`"))?;
        self.end_of_statement()?;
        Ok(StatementKind::Link(match keyword {
            "drop" => Link::Drop { name },
            _ => Link::Reconnect { name },
        }))
    }

    /// `NAME> socket.volatile.emit(…)`, after `volatile`.
    pub(super) fn volatile_emit(&mut self, name: String) -> Parsed<StatementKind> {
        let at = self.pos;
        if !(self.eat('.') && {
            self.skip_ws();
            self.ident(false) == Some("emit")
        }) {
            return Err(self.error_at(at, "expected `.emit(\"EVENT\", …)` after `socket.volatile`"));
        }
        self.expect('(', "after `emit`")?;
        self.skip_ws();
        let at = self.pos;
        let event = self.string("the event name")?;
        self.check_event_name(&event, at)?;
        let mut args = Vec::new();
        while self.eat(',') {
            self.skip_ws();
            let at = self.pos;
            if self.ident(false) == Some("ack") {
                return Err(self.error_at(
                    at,
                    "a volatile emit takes no `ack` in the tour: write \
                     `socket.emit(…, ack)` for an acknowledgement",
                ));
            }
            self.pos = at;
            args.push(self.json()?);
        }
        self.expect(')', "to close `emit(`")?;
        self.end_of_statement()?;
        Ok(StatementKind::Link(Link::VolatileEmit {
            name,
            event,
            args,
        }))
    }
}
