//! The statement forms: `connect`, `disconnect`, `use`, `on`, server
//! code (`NAME: socket.…`, `io.…`) and client emits (`NAME> socket.emit`).

use serde_json::Value;

use super::ast::{Action, Arg, Hook, Statement, StatementKind, hook};
use super::chain::Chain;
use super::cursor::{Cursor, Parsed};
use super::error::{SyntaxError, excerpt};
use crate::protocol::{self, Refusal};

pub(super) const EXPECTED_STATEMENT: &str = "expected a statement: `connect NAME`, `disconnect NAME`, \
     `NAME: socket.…`, `io.…`, `use /ns require …`, `on \"EVENT\": …`, `NAME> socket.emit(…)` \
     or `servers A B`";

/// A parsed line, with the client names it uses (not the one a `connect`
/// connects) and the 1-based column of each, in the order written.
pub(super) struct Parsed1 {
    pub(super) statement: Statement,
    pub(super) uses: Vec<(String, usize)>,
    /// The 1-based column of the line's `@LABEL`, or of its start without one.
    pub(super) server_column: usize,
}

/// Parses one line (`None` for a blank line or a comment).
pub(super) fn parse_numbered(number: usize, text: &str) -> Result<Option<Parsed1>, SyntaxError> {
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
        reason_allowed: false,
        name_at: start,
        own_id_allowed: false,
        ids: Vec::new(),
        server: None,
        ask: Default::default(),
    };
    let kind = p.statement()?;
    let mut uses = Vec::new();
    match &kind {
        StatementKind::Disconnect { name }
        | StatementKind::ClientEmit { name, .. }
        | StatementKind::Link(
            super::ast::Link::Drop { name }
            | super::ast::Link::Reconnect { name }
            | super::ast::Link::VolatileEmit { name, .. },
        )
        | StatementKind::Listen { name, .. }
        | StatementKind::Ask {
            socket: Some(name), ..
        }
        | StatementKind::Server {
            socket: Some(name), ..
        } => uses.push((name.clone(), p.column_of(p.name_at))),
        _ => {}
    }
    uses.extend(
        std::mem::take(&mut p.ids)
            .into_iter()
            .map(|(name, at)| (name, p.column_of(at))),
    );
    let (server, server_column) = match p.server.take() {
        Some((label, at)) => (Some(label), p.column_of(at)),
        None => (None, p.column_of(start)),
    };
    let statement = Statement {
        line: number,
        code: trimmed.to_owned(),
        kind,
        server,
    };
    Ok(Some(Parsed1 {
        statement,
        uses,
        server_column,
    }))
}

impl Cursor<'_> {
    pub(super) fn statement(&mut self) -> Parsed<StatementKind> {
        if self.peek() == Some('@') {
            return self.labelled_statement();
        }
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
            "drop" | "reconnect" => self.link_statement(word),
            "servers" => self.servers_statement(),
            "on" => self.on_statement(),
            "io" => {
                self.pos = start;
                self.server_statement(None)
            }
            "callback" => Err(self.error_at(
                start,
                "`callback(…)` answers a client's acknowledgement: it stands only as an \
                 `on` handler's action, as in `on \"order\": callback({\"ok\": true})`",
            )),
            "socket" => Err(self.error_at(
                start,
                "server code about one socket needs the client's name first, \
                 as in `alice: socket.join(\"room1\")`",
            )),
            _ => {
                let keywords = [
                    "connect",
                    "disconnect",
                    "drop",
                    "reconnect",
                    "use",
                    "servers",
                    "on",
                    "io",
                ];
                let meant = super::suggest::nearest(
                    word,
                    keywords.into_iter().chain(super::chain::member_names()),
                );
                let hint = meant.map_or(String::new(), |m| format!("; did you mean `{m}`?"));
                Err(self.error_at(
                    start,
                    format!("{EXPECTED_STATEMENT}, found `{}`{hint}", excerpt(word)),
                ))
            }
        }
    }

    pub(super) fn connect(&mut self) -> Parsed<StatementKind> {
        let name = self.name("after `connect`")?;
        let ns = self.optional_namespace()?;
        self.optional_server()?;
        self.skip_ws();
        let mut auth = serde_json::Map::new();
        if !self.at_end() && !matches!(self.peek(), Some(';' | '{' | '[')) {
            return Err(self.error(format!(
                "expected a namespace such as `/orders`, a server such as `@A`, \
                 or a JSON object of handshake auth{}",
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

    /// `@LABEL io.…`: server code on the server labelled LABEL.
    fn labelled_statement(&mut self) -> Parsed<StatementKind> {
        self.optional_server()?;
        self.skip_ws();
        let at = self.pos;
        let word = self.ident(true);
        self.pos = at;
        match word {
            Some("io") => match self.server_statement(None)? {
                StatementKind::Declare { .. } => Err(self.error_at(
                    at,
                    "`io.of(…)` alone declares a namespace on every server: leave out the `@` label",
                )),
                kind => Ok(kind),
            },
            Some(name) if self.rest()[name.len()..].trim_start().starts_with([':', '>']) => {
                let name = excerpt(name);
                Err(self.error_at(
                    self.server.as_ref().map_or(at, |(_, at)| *at),
                    format!(
                        "`{name}:` and `{name}>` lines run on {name}'s own server: leave out the `@` label"
                    ),
                ))
            }
            _ => Err(self.error_at(
                at,
                format!(
                    "expected `io.…` after the server's label, as in `@A io.emit(\"news\")`{}",
                    self.found()
                ),
            )),
        }
    }

    /// `servers A B [with adapter]`.
    fn servers_statement(&mut self) -> Parsed<StatementKind> {
        let mut labels: Vec<String> = Vec::new();
        loop {
            self.skip_ws();
            let at = self.pos;
            match self.ident(false) {
                Some("with") => {
                    self.pos = at;
                    break;
                }
                Some(label) if labels.iter().any(|l| l == label) => {
                    return Err(
                        self.error_at(at, format!("server `{}` is named twice", excerpt(label)))
                    );
                }
                Some(label) => labels.push(label.to_owned()),
                None if self.at_end() || self.peek() == Some(';') => break,
                None => {
                    return Err(self.error(format!(
                        "expected a server's label (letters, digits and `_`), \
                         or `with adapter`{}",
                        self.found()
                    )));
                }
            }
        }
        if labels.len() < 2 {
            return Err(self.error(format!(
                "`servers` names two servers or more, as in `servers A B`{}",
                self.found()
            )));
        }
        let mut adapter = false;
        self.skip_ws();
        if self.ident(false) == Some("with") {
            self.skip_ws();
            let at = self.pos;
            if self.ident(false) != Some("adapter") {
                return Err(self.error_at(
                    at,
                    "expected `adapter` after `with`, as in `servers A B with adapter`",
                ));
            }
            adapter = true;
        }
        self.end_of_statement()?;
        Ok(StatementKind::Servers { labels, adapter })
    }

    pub(super) fn on_statement(&mut self) -> Parsed<StatementKind> {
        let ns = self.optional_namespace()?;
        self.skip_ws();
        let at = self.pos;
        let event = self.string("the event name")?;
        match protocol::refusal(&event) {
            _ if matches!(hook(&event), Hook::Disconnect | Hook::Disconnecting) => {}
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
        self.reason_allowed = matches!(hook(&event), Hook::Disconnect | Hook::Disconnecting);
        self.own_id_allowed = true;
        self.skip_ws();
        let at = self.pos;
        let action = match self.ident(false) {
            Some("socket") => Action::Expr(self.chain(Chain::Socket)?),
            Some("io") => Action::Expr(self.chain(Chain::Io)?),
            Some("callback") => Action::Callback(self.callback_args()?),
            _ => {
                return Err(self.error_at(
                    at,
                    "expected the handler's action, `socket.…`, `io.…` or `callback(…)`, \
                     as in `on \"join\": socket.join(msg)`",
                ));
            }
        };
        self.end_of_statement()?;
        if hook(&event) == Hook::Disconnecting {
            super::handshake::refuse_disconnect_while_disconnecting(&action)
                .map_err(|message| self.error_at(at, message))?;
        }
        Ok(StatementKind::On { ns, event, action })
    }

    /// `(ARGS…)` of `callback`: JSON values or `msg`.
    pub(super) fn callback_args(&mut self) -> Parsed<Vec<Arg<serde_json::Value>>> {
        self.expect('(', "after `callback`")?;
        let mut args = Vec::new();
        self.skip_ws();
        if self.eat(')') {
            return Ok(args);
        }
        loop {
            args.push(match self.eat_ref()? {
                Some(value) => value,
                None => Arg::Lit(self.json()?),
            });
            if self.eat(')') {
                return Ok(args);
            }
            if !self.eat(',') {
                return Err(self.error(format!(
                    "expected `,` or `)` in `callback(…)`{}",
                    self.found()
                )));
            }
        }
    }

    /// `io.of("/ns")` and nothing after it: a declaration. `None` (and the
    /// cursor where it was) when more of a chain follows.
    fn declaration(&mut self) -> Parsed<Option<String>> {
        let start = self.pos;
        if !(self.eat('.') && self.ident(false) == Some("of")) {
            self.pos = start;
            return Ok(None);
        }
        self.skip_ws();
        if self.peek() != Some('(') {
            self.pos = start;
            return Ok(None);
        }
        let ns = self.namespace_argument()?;
        self.skip_ws();
        if self.peek() == Some('.') {
            self.pos = start;
            return Ok(None);
        }
        self.end_of_statement()?;
        Ok(Some(ns))
    }

    pub(super) fn server_statement(&mut self, name: Option<String>) -> Parsed<StatementKind> {
        self.skip_ws();
        let at = self.pos;
        let root = self.ident(false);
        self.own_id_allowed = name.is_some();
        self.ask.allowed = true;
        if name.is_none()
            && root == Some("io")
            && let Some(ns) = self.declaration()?
        {
            return Ok(StatementKind::Declare { ns });
        }
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
        self.ask_statement(name, expr)
    }

    pub(super) fn client_emit(&mut self, name: String) -> Parsed<StatementKind> {
        if let Some(kind) = self.client_v3(&name)? {
            return Ok(kind);
        }
        self.skip_ws();
        let at = self.pos;
        let mut member = None;
        let ok = self.ident(false) == Some("socket") && self.eat('.') && {
            self.skip_ws();
            member = self.ident(false);
            member == Some("emit")
        };
        if member == Some("volatile") {
            return self.volatile_emit(name);
        }
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
        let mut ack = false;
        while self.eat(',') {
            self.skip_ws();
            let at = self.pos;
            if self.ident(false) == Some("ack") {
                ack = true;
                self.skip_ws();
                if self.peek() != Some(')') {
                    return Err(self.error(format!(
                        "`ack` (the client's acknowledgement callback) comes last, \
                         then `)`{}",
                        self.found()
                    )));
                }
                break;
            }
            self.pos = at;
            args.push(self.json()?);
        }
        self.expect(')', "to close `emit(`")?;
        self.end_of_statement()?;
        Ok(StatementKind::ClientEmit {
            name,
            event,
            args,
            ack,
            form: Default::default(),
        })
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
