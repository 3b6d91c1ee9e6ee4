//! `use`: a middleware that admits or refuses a connecting socket by its
//! auth (with the refusal's message and, v3, its `err.data`), on one
//! namespace or (v3, `use *`) on every one; `use /ns packet` is v3's
//! per-packet middleware (see `packet_rule`).

use super::ast::StatementKind;
use super::cursor::{Cursor, Parsed};

impl Cursor<'_> {
    /// `use /ns require KEY "VALUE" [else "MESSAGE"] [data JSON]`, after `use`.
    pub(super) fn use_statement(&mut self) -> Parsed<StatementKind> {
        // v3: `use *`, a middleware of every namespace (those to come too).
        let ns = if self.eat('*') {
            super::ast::EVERY_NAMESPACE.to_owned()
        } else {
            self.namespace()?
        };
        self.skip_ws();
        let at = self.pos;
        match self.ident(false) {
            Some("require") => {}
            // v3: a per-packet middleware
            Some("packet") if ns != super::ast::EVERY_NAMESPACE => return self.packet_rule(ns),
            _ => {
                return Err(self.error_at(
                    at,
                    "expected `require KEY \"VALUE\"` after the namespace, as in \
                     `use /admin require token \"s3cret\"`",
                ));
            }
        }
        self.skip_ws();
        let at = self.pos;
        let Some(key) = self.ident(false) else {
            return Err(self.error_at(
                at,
                format!("expected the auth key to check{}", self.found()),
            ));
        };
        let key = key.to_owned();
        let value = self.string("the value that `auth.KEY` must have")?;
        self.skip_ws();
        let mut at = self.pos;
        let mut word = self.ident(false);
        let message = match word {
            Some("else") => {
                let message = self.string("the refusal's message after `else`")?;
                self.skip_ws();
                at = self.pos;
                word = self.ident(false);
                message
            }
            _ => "unauthorized".to_owned(),
        };
        // v3: `data JSON`, the refusal's `err.data`
        let data = match word {
            Some("data") => Some(self.json()?),
            Some(_) => {
                return Err(self.error_at(
                    at,
                    "expected `else \"MESSAGE\"`, `data JSON` or the end of the statement, as in \
                     `use /admin require role \"admin\" else \"not admin\" data {\"retry\": false}`",
                ));
            }
            None => None,
        };
        self.end_of_statement()?;
        Ok(StatementKind::Use {
            ns,
            key,
            value,
            message,
            data,
        })
    }
}
