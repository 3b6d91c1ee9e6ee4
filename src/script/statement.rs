//! The statement forms: `connect`, `disconnect`, `use`, `on`, server
//! code (`NAME: socket.…`, `io.…`) and client emits (`NAME> socket.emit`).

use serde_json::Value;

use super::ast::{Statement, StatementKind};
use super::chain::Chain;
use super::cursor::{Cursor, Parsed};
use super::error::{SyntaxError, excerpt};
use crate::protocol::{self, Refusal};

pub(super) const EXPECTED_STATEMENT: &str = "expected a statement: `connect NAME`, `disconnect NAME`, \
     `NAME: socket.…`, `io.…`, `use /ns require …`, `on \"EVENT\": …` or `NAME> socket.emit(…)`";

/// Parses one line, with the 1-based column of the client name the
/// statement names (the first column if it names none).
pub(super) fn parse_numbered(
    number: usize,
    text: &str,
) -> Result<Option<(Statement, usize)>, SyntaxError> {
    let trimmed = text.trim();
    if trimmed.is_empty() || trimmed.starts_with('#') {
        return Ok(None);
    }
    let start = text.len() - text.trim_start().len();
    let end = start + trimmed.len();
    let mut p = Cursor {
        text,
        pos: start,
        end,
        line: number,
        msg_allowed: false,
        name_at: start,
    };
    let kind = p.statement()?;
    let statement = Statement {
        line: number,
        code: trimmed.to_owned(),
        kind,
    };
    Ok(Some((statement, p.column_of(p.name_at))))
}

impl Cursor<'_> {
    pub(super) fn statement(&mut self) -> Parsed<StatementKind> {
        let start = self.pos;
        let Some(word) = self.ident(true) else {
            return Err(self.error(format!("{}{}", EXPECTED_STATEMENT, self.found())));
        };
        let after_word = self.pos;
        self.skip_ws();
        match self.peek() {
            Some(':') => {
                self.name_at = start;
                self.pos += 1;
                return self.server_statement(Some(word.to_owned()));
            }
            Some('>') => {
                self.name_at = start;
                self.pos += 1;
                return self.client_emit(word.to_owned());
            }
            _ => {}
        }
        self.pos = after_word;
        match word {
            "connect" => self.connect(),
            "disconnect" => {
                let name = self.name("after `disconnect`")?;
                self.end_of_statement()?;
                Ok(StatementKind::Disconnect { name })
            }
            "use" => self.use_statement(),
            "on" => self.on_statement(),
            "io" => {
                self.pos = start;
                self.server_statement(None)
            }
            "socket" => Err(self.error_at(
                start,
                "server code about one socket needs the client's name first, \
                 as in `alice: socket.join(\"room1\")`",
            )),
            _ => Err(self.error_at(
                start,
                format!("{EXPECTED_STATEMENT}, found `{}`", excerpt(word)),
            )),
        }
    }

    pub(super) fn connect(&mut self) -> Parsed<StatementKind> {
        let name = self.name("after `connect`")?;
        let ns = self.optional_namespace()?;
        self.skip_ws();
        let mut auth = serde_json::Map::new();
        if !self.at_end() && !matches!(self.peek(), Some(';' | '{' | '[')) {
            return Err(self.error(format!(
                "expected a namespace such as `/orders`, or a JSON object of handshake auth{}",
                self.found()
            )));
        }
        if !self.at_end() && self.peek() != Some(';') {
            let at = self.pos;
            match self.json()? {
                Value::Object(extra) => auth = extra,
                _ => {
                    return Err(self.error_at(
                        at,
                        "the handshake auth after `connect NAME` must be a JSON object, \
                         as in {\"token\":\"x\"}",
                    ));
                }
            }
        }
        self.end_of_statement()?;
        Ok(StatementKind::Connect { name, ns, auth })
    }

    pub(super) fn use_statement(&mut self) -> Parsed<StatementKind> {
        let ns = self.namespace()?;
        self.skip_ws();
        let at = self.pos;
        if self.ident(false) != Some("require") {
            return Err(self.error_at(
                at,
                "expected `require KEY \"VALUE\"` after the namespace, as in \
                 `use /admin require token \"s3cret\"`",
            ));
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
        self.end_of_statement()?;
        Ok(StatementKind::Use { ns, key, value })
    }

    pub(super) fn on_statement(&mut self) -> Parsed<StatementKind> {
        let ns = self.optional_namespace()?;
        self.skip_ws();
        let at = self.pos;
        let event = self.string("the event name")?;
        match protocol::refusal(&event) {
            Some(refusal @ Refusal::Reserved(_)) => {
                return Err(self.error_at(
                    at,
                    format!(
                        "{refusal}: the server emits it itself, \
                         so a handler cannot be declared for it"
                    ),
                ));
            }
            Some(refusal) => return Err(self.error_at(at, refusal.to_string())),
            None => {}
        }
        self.expect(':', "after the event name of `on`")?;
        self.msg_allowed = true;
        self.skip_ws();
        let at = self.pos;
        let action = match self.ident(false) {
            Some("socket") => self.chain(Chain::Socket)?,
            Some("io") => self.chain(Chain::Io)?,
            _ => {
                return Err(self.error_at(
                    at,
                    "expected the handler's action, `socket.…` or `io.…`, \
                     as in `on \"join\": socket.join(msg)`",
                ));
            }
        };
        self.end_of_statement()?;
        Ok(StatementKind::On { ns, event, action })
    }

    pub(super) fn server_statement(&mut self, name: Option<String>) -> Parsed<StatementKind> {
        self.skip_ws();
        let at = self.pos;
        let root = self.ident(false);
        let expr = match (&name, root) {
            (Some(_), Some("socket")) => self.chain(Chain::Socket)?,
            (None, Some("io")) => self.chain(Chain::Io)?,
            (Some(name), _) => {
                let name = excerpt(name);
                return Err(self.error_at(
                    at,
                    format!(
                        "expected `socket` after `{name}:` (server code about {name}'s socket), \
                         as in `{name}: socket.join(\"room1\")`"
                    ),
                ));
            }
            (None, _) => return Err(self.error_at(at, EXPECTED_STATEMENT)),
        };
        self.end_of_statement()?;
        Ok(StatementKind::Server { socket: name, expr })
    }

    pub(super) fn client_emit(&mut self, name: String) -> Parsed<StatementKind> {
        self.skip_ws();
        let at = self.pos;
        let ok = self.ident(false) == Some("socket") && self.eat('.') && {
            self.skip_ws();
            self.ident(false) == Some("emit")
        };
        if !ok {
            let name = excerpt(&name);
            return Err(self.error_at(
                at,
                format!(
                    "a client can only emit: expected `socket.emit(\"EVENT\", …)` after `{name}>`; \
                     joining rooms and broadcasting are server code (`{name}: socket.…`)"
                ),
            ));
        }
        self.expect('(', "after `emit`")?;
        self.skip_ws();
        let at = self.pos;
        let event = self.string("the event name")?;
        self.check_event_name(&event, at)?;
        let mut args = Vec::new();
        while self.eat(',') {
            args.push(self.json()?);
        }
        self.expect(')', "to close `emit(`")?;
        self.end_of_statement()?;
        Ok(StatementKind::ClientEmit { name, event, args })
    }

    /// Refuses the engine's own event names, which no script may use. A
    /// reserved name may be written: emitting it is a run-time error, as
    /// the official server throws when it runs.
    pub(super) fn check_event_name(&self, event: &str, at: usize) -> Parsed<()> {
        match protocol::refusal(event) {
            Some(refusal @ Refusal::EngineOwn) => Err(self.error_at(at, refusal.to_string())),
            _ => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    //! Statement details found by the differential test (tests/integration/differential.rs).
    use crate::script::{StatementKind, parse_line};

    #[test]
    fn a_trailing_semicolon_ends_a_namespace() {
        for line in ["connect bob /orders;", "use /orders require token \"x\";"] {
            let statement = parse_line(1, line).expect("parses").expect("a statement");
            match statement.kind {
                StatementKind::Connect { ns, .. } | StatementKind::Use { ns, .. } => {
                    assert_eq!(ns, "/orders", "{line}");
                }
                other => panic!("{line}: {other:?}"),
            }
        }
    }
}
