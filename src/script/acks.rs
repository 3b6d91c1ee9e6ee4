//! The acknowledgement forms of version 3: a client's `emitWithAck` and
//! `.timeout(MS)`, a client's `on "EVENT": callback(…)` that answers the
//! server, and a server's emit that asks for answers (`…, ack`).

use serde_json::Value;

use super::ast::{AckForm, Arg, Expr, StatementKind};
use super::cursor::{Cursor, Parsed};
use super::error::excerpt;
use crate::protocol::{self, Refusal};

/// The largest timeout a script may write: the reference waits it out for
/// real when no answer comes, and every wait stays under the wait bound.
const MAX_TIMEOUT_MS: u64 = 2000;

impl Cursor<'_> {
    /// The client forms of version 3 after `NAME>`, or `None` (the cursor
    /// where it was) for a plain `socket.emit(…)`.
    pub(super) fn client_v3(&mut self, name: &str) -> Parsed<Option<StatementKind>> {
        let start = self.pos;
        self.skip_ws();
        let at = self.pos;
        match self.ident(false) {
            Some("on") => self.client_listener(name).map(Some),
            Some("await") => {
                self.skip_ws();
                let at = self.pos;
                if !(self.ident(false) == Some("socket") && self.eat('.')) {
                    return Err(self.error_at(
                        at,
                        "expected `socket.emitWithAck(…)` after `await`, as in \
                         `alice> await socket.emitWithAck(\"order\", 1)`",
                    ));
                }
                let timeout = self.client_timeout()?;
                self.skip_ws();
                let at = self.pos;
                if self.ident(false) != Some("emitWithAck") {
                    return Err(self.error_at(
                        at,
                        "`await` waits for a promise: expected `emitWithAck(…)`, as in \
                         `alice> await socket.emitWithAck(\"order\", 1)`",
                    ));
                }
                let (event, args, ack) = self.client_args("emitWithAck")?;
                if let Some(ack) = ack {
                    return Err(self.error_at(
                        ack,
                        "`emitWithAck` returns a promise of the answer: it takes no `ack`",
                    ));
                }
                let form = AckForm {
                    promise: true,
                    timeout,
                };
                self.client_emit_kind(name, event, args, true, form)
            }
            Some("socket") if self.eat('.') => {
                self.skip_ws();
                let word_at = self.pos;
                let word = self.ident(false);
                self.pos = word_at;
                match word {
                    Some("timeout") => {
                        let timeout = self.client_timeout()?;
                        self.skip_ws();
                        let at = self.pos;
                        if self.ident(false) != Some("emit") {
                            return Err(self.error_at(
                                at,
                                "expected `emit(…, ack)` or `emitWithAck(…)` after `.timeout(MS)`",
                            ));
                        }
                        let (event, args, ack) = self.client_args("emit")?;
                        if ack.is_none() {
                            return Err(self.error(
                                "`.timeout(MS)` bounds the wait for an acknowledgement: \
                                 end the emit with `ack`, as in \
                                 `alice> socket.timeout(100).emit(\"order\", 1, ack)`",
                            ));
                        }
                        let form = AckForm {
                            promise: false,
                            timeout,
                        };
                        self.client_emit_kind(name, event, args, true, form)
                    }
                    Some("emitWithAck") => Err(self.error_at(
                        at,
                        "`emitWithAck` returns a promise: write `await socket.emitWithAck(…)`",
                    )),
                    _ => {
                        self.pos = start;
                        Ok(None)
                    }
                }
            }
            _ => {
                self.pos = start;
                Ok(None)
            }
        }
    }

    /// `.timeout(MS)` and its dot after `socket.`, if it is there.
    fn client_timeout(&mut self) -> Parsed<Option<u64>> {
        self.skip_ws();
        let at = self.pos;
        if self.ident(false) != Some("timeout") {
            self.pos = at;
            return Ok(None);
        }
        let ms = self.timeout_argument()?;
        self.expect('.', "after `.timeout(MS)`")?;
        Ok(Some(ms))
    }

    /// `(MS)` after `timeout`: a whole number of milliseconds.
    pub(super) fn timeout_argument(&mut self) -> Parsed<u64> {
        self.expect('(', "after `timeout`")?;
        self.skip_ws();
        let at = self.pos;
        let value = self.json()?;
        let ms = value
            .as_u64()
            .filter(|ms| (1..=MAX_TIMEOUT_MS).contains(ms))
            .ok_or_else(|| {
                self.error_at(
                    at,
                    format!(
                        "`timeout` takes a whole number of milliseconds from 1 to \
                         {MAX_TIMEOUT_MS}, as in `.timeout(100)`"
                    ),
                )
            })?;
        self.expect(')', "to close `timeout(`")?;
        Ok(ms)
    }

    /// `("EVENT", ARGS…[, ack])` of a client's emit: the event, the JSON
    /// arguments, and where `ack` stands if it does (last).
    fn client_args(&mut self, method: &str) -> Parsed<(String, Vec<Value>, Option<usize>)> {
        self.expect('(', &format!("after `{method}`"))?;
        self.skip_ws();
        let at = self.pos;
        let event = self.string("the event name")?;
        self.check_event_name(&event, at)?;
        let mut args = Vec::new();
        let mut ack = None;
        while self.eat(',') {
            self.skip_ws();
            let at = self.pos;
            if self.ident(false) == Some("ack") {
                ack = Some(at);
                if !self.eat(')') {
                    return Err(self.error(format!(
                        "`ack` (the client's acknowledgement callback) comes last, then `)`{}",
                        self.found()
                    )));
                }
                self.end_of_statement()?;
                return Ok((event, args, ack));
            }
            self.pos = at;
            args.push(self.json()?);
        }
        self.expect(')', &format!("to close `{method}(`"))?;
        self.end_of_statement()?;
        Ok((event, args, ack))
    }

    fn client_emit_kind(
        &self,
        name: &str,
        event: String,
        args: Vec<Value>,
        ack: bool,
        form: AckForm,
    ) -> Parsed<Option<StatementKind>> {
        Ok(Some(StatementKind::ClientEmit {
            name: name.to_owned(),
            event,
            args,
            ack,
            form,
        }))
    }

    /// `NAME> on "EVENT": callback(ARGS…)`: the client's listener that
    /// answers the server's acknowledgements for EVENT.
    fn client_listener(&mut self, name: &str) -> Parsed<StatementKind> {
        self.skip_ws();
        let at = self.pos;
        let event = self.string("the event name")?;
        match protocol::refusal(&event) {
            Some(refusal @ Refusal::Reserved(_)) => {
                return Err(self.error_at(
                    at,
                    format!("{refusal}: the server cannot emit it, so nothing would ask"),
                ));
            }
            Some(refusal) => return Err(self.error_at(at, refusal.to_string())),
            None => {}
        }
        self.expect(':', "after the event name of `on`")?;
        self.skip_ws();
        let at = self.pos;
        if self.ident(false) != Some("callback") {
            let name = excerpt(name);
            return Err(self.error_at(
                at,
                format!(
                    "a client's listener answers the server's acknowledgement: expected \
                     `callback(…)`, as in `{name}> on \"question\": callback(\"yes\")`"
                ),
            ));
        }
        self.msg_allowed = true;
        let args_at = self.pos;
        let answer = self.callback_args()?;
        if answer.iter().any(|arg| matches!(arg, Arg::Auth(_))) {
            return Err(self.error_at(
                args_at,
                "`socket.handshake.auth` is the server's view of a socket: a client's listener \
                 answers with values or `msg`"
                    .to_owned(),
            ));
        }
        self.end_of_statement()?;
        Ok(StatementKind::Listen {
            name: name.to_owned(),
            event,
            answer,
        })
    }

    /// `.timeout(MS)` in a server-side chain.
    pub(super) fn server_timeout(&mut self) -> Parsed<()> {
        let at = self.pos;
        let ms = self.timeout_argument()?;
        if !self.ask.allowed {
            return Err(self.error_at(
                at,
                "`.timeout(MS)` waits for acknowledgements: it stands only in a statement of \
                 its own, as in `io.timeout(100).emit(\"question\", ack)`, not in an `on` action",
            ));
        }
        self.ask.timeout = Some((ms, at));
        Ok(())
    }

    /// `ack` as the last argument of a server-side emit (the cursor after it).
    pub(super) fn server_ack(&mut self, at: usize) -> Parsed<()> {
        if !self.ask.allowed {
            return Err(self.error_at(
                at,
                "`ack` stands last in a client's emit, as in `alice> socket.emit(\"order\", 1, \
                 ack)`, or in a server's emit written as a statement of its own, as in \
                 `io.timeout(100).emit(\"question\", ack)`; an `on` action asks for none",
            ));
        }
        if self.peek_past_ws() != Some(')') {
            return Err(self.error(format!(
                "`ack` (the server's acknowledgement callback) comes last, then `)`{}",
                self.found()
            )));
        }
        self.ask.ack = Some(at);
        Ok(())
    }

    fn peek_past_ws(&mut self) -> Option<char> {
        self.skip_ws();
        self.peek()
    }

    /// A server-side line that said `ack` or `.timeout` is an ask: checked
    /// here; any other is left as it was.
    pub(super) fn ask_statement(
        &mut self,
        socket: Option<String>,
        expr: Expr,
    ) -> Parsed<StatementKind> {
        let ask = std::mem::take(&mut self.ask);
        let (timeout, ack) = match (ask.timeout, ask.ack) {
            (None, None) => return Ok(StatementKind::Server { socket, expr }),
            (Some((_, at)), None) => {
                return Err(self.error_at(
                    at,
                    "`.timeout(MS)` bounds the wait for acknowledgements: end the chain with an \
                     emit whose last argument is `ack`, as in `io.timeout(100).emit(\"question\", ack)`",
                ));
            }
            (timeout, Some(ack)) => (timeout.map(|(ms, _)| ms), ack),
        };
        if matches!(expr, Expr::Broadcast { .. }) && timeout.is_none() {
            return Err(self.error_at(
                ack,
                "a broadcast that asks for acknowledgements needs `.timeout(MS)`, as in \
                 `io.timeout(100).emit(\"question\", ack)`: without it the official server \
                 gives up after 1 ms, racing the answers (measured: 11 of 50 lost)",
            ));
        }
        Ok(StatementKind::Ask {
            socket,
            expr,
            timeout,
        })
    }
}

/// A client's emit as a script writes it, in any of its forms.
pub fn client_emit_code(
    name: &str,
    event: &str,
    args: &[String],
    ack: bool,
    form: AckForm,
) -> String {
    let mut parts = vec![Value::String(event.to_owned()).to_string()];
    parts.extend(args.iter().cloned());
    let timeout = form
        .timeout
        .map_or(String::new(), |ms| format!("timeout({ms})."));
    if form.promise {
        return format!(
            "{name}> await socket.{timeout}emitWithAck({})",
            parts.join(", ")
        );
    }
    if ack {
        parts.push("ack".to_owned());
    }
    format!("{name}> socket.{timeout}emit({})", parts.join(", "))
}

/// A socket's ask as a script writes it: `NAME: socket[.timeout(MS)].emit(…, ack)`.
pub fn socket_ask_code(name: &str, event: &str, args: &[String], timeout: Option<u64>) -> String {
    let mut parts = vec![Value::String(event.to_owned()).to_string()];
    parts.extend(args.iter().cloned());
    parts.push("ack".to_owned());
    let timeout = timeout.map_or(String::new(), |ms| format!("timeout({ms})."));
    format!("{name}: socket.{timeout}emit({})", parts.join(", "))
}

/// Arguments of a listener's `callback(…)`, with `msg` = what it received first.
pub fn answer_args(answer: &[Arg<Value>], msg: &Value) -> Vec<Value> {
    answer
        .iter()
        .map(|arg| match arg {
            Arg::Lit(value) => value.clone(),
            // The parser refuses the server's handshake in a client's listener.
            Arg::Msg | Arg::Auth(_) | Arg::Reason => msg.clone(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    //! Each form parses to what it means, and its misuses say what to write.
    use super::*;
    use crate::script::{StatementKind, parse_script};

    fn last(script: &str) -> StatementKind {
        let parsed = parse_script(script).unwrap_or_else(|e| panic!("{script}: {e}"));
        parsed.last().expect("a statement").kind.clone()
    }

    fn error(script: &str) -> String {
        parse_script(script).expect_err(script).to_string()
    }

    #[test]
    fn the_client_forms_parse_to_their_ack_form() {
        let form = |line: &str| match last(&format!("connect a\n{line}")) {
            StatementKind::ClientEmit { ack, form, .. } => (ack, form),
            other => panic!("{line}: {other:?}"),
        };
        let promise = |timeout| AckForm {
            promise: true,
            timeout,
        };
        assert_eq!(
            form("a> await socket.emitWithAck(\"e\", 1)"),
            (true, promise(None))
        );
        assert_eq!(
            form("a> await socket.timeout(50).emitWithAck(\"e\")"),
            (true, promise(Some(50)))
        );
        assert_eq!(
            form("a> socket.timeout(50).emit(\"e\", 1, ack)"),
            (
                true,
                AckForm {
                    promise: false,
                    timeout: Some(50)
                }
            )
        );
        assert_eq!(
            form("a> socket.emit(\"e\", ack)"),
            (true, AckForm::default())
        );
    }

    #[test]
    fn a_client_listener_and_a_server_ask_parse() {
        assert!(matches!(
            last("connect a\na> on \"q\": callback(\"yes\", msg)"),
            StatementKind::Listen { ref event, ref answer, .. } if event == "q" && answer.len() == 2
        ));
        assert!(matches!(
            last("connect a\na: socket.emit(\"q\", 1, ack)"),
            StatementKind::Ask { timeout: None, .. }
        ));
        assert!(matches!(
            last("io.to(\"r\").timeout(100).emit(\"q\", ack)"),
            StatementKind::Ask {
                timeout: Some(100),
                ..
            }
        ));
        assert!(matches!(
            last("connect a\na: socket.timeout(5).broadcast.emit(\"q\", ack)"),
            StatementKind::Ask {
                timeout: Some(5),
                ..
            }
        ));
    }

    #[test]
    fn misuses_say_what_to_write() {
        for (script, says) in [
            ("connect a\na> socket.emitWithAck(\"e\")", "write `await"),
            (
                "connect a\na> await socket.emitWithAck(\"e\", ack)",
                "takes no `ack`",
            ),
            (
                "connect a\na> socket.timeout(5).emit(\"e\")",
                "end the emit with `ack`",
            ),
            (
                "connect a\na> socket.timeout(0).emit(\"e\", ack)",
                "from 1 to 2000",
            ),
            ("io.emit(\"q\", ack)", "needs `.timeout(MS)`"),
            ("io.timeout(100).emit(\"q\")", "end the chain with an emit"),
            (
                "on \"x\": io.timeout(100).emit(\"q\", ack)",
                "not in an `on` action",
            ),
            (
                "on \"x\": socket.emit(\"q\", ack)",
                "an `on` action asks for none",
            ),
            (
                "connect a\na> on \"q\": socket.emit(\"x\")",
                "expected `callback(…)`",
            ),
            (
                "connect a\na> on \"disconnect\": callback()",
                "nothing would ask",
            ),
        ] {
            let message = error(script);
            assert!(message.contains(says), "{script}: {message}");
        }
    }
}
