//! v3: `use /ns packet "EVENT" refuse "MESSAGE"`, a per-packet middleware.

use super::ast::StatementKind;
use super::cursor::{Cursor, Parsed};

impl Cursor<'_> {
    /// The rest of `use /ns packet …`, after `packet`.
    pub(super) fn packet_rule(&mut self, ns: String) -> Parsed<StatementKind> {
        let event = self.string("the event the middleware refuses")?;
        self.skip_ws();
        let at = self.pos;
        if self.ident(false) != Some("refuse") {
            return Err(self.error_at(
                at,
                "expected `refuse \"MESSAGE\"` after the event, as in \
                 `use /shop packet \"order\" refuse \"closed\"`",
            ));
        }
        let message = self.string("the error's message after `refuse`")?;
        self.end_of_statement()?;
        Ok(StatementKind::UsePacket { ns, event, message })
    }
}
