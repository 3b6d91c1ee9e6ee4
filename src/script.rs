//! The tour-script language: its statements, and the parser that turns a
//! line of text into one (see `tour-script.md`, the contract).

use std::collections::HashSet;

use serde_json::Value;

use crate::protocol::{self, Refusal};

/// One statement of a script, with where it was written.
#[derive(Debug, Clone, PartialEq)]
pub struct Statement {
    /// 1-based line number in its file.
    pub line: usize,
    /// The statement as written, trimmed.
    pub code: String,
    pub kind: StatementKind,
}

#[derive(Debug, Clone, PartialEq)]
pub enum StatementKind {
    /// `connect NAME [/ns] [{auth}]`
    Connect {
        name: String,
        ns: String,
        auth: serde_json::Map<String, Value>,
    },
    /// `disconnect NAME`: the client disconnects itself.
    Disconnect { name: String },
    /// `NAME: socket.…` (with `socket` = NAME's server-side socket) or `io.…`.
    Server { socket: Option<String>, expr: Expr },
    /// `use /ns require KEY "VALUE"`
    Use {
        ns: String,
        key: String,
        value: String,
    },
    /// `on [/ns] "EVENT": ACTION`
    On {
        ns: String,
        event: String,
        action: Expr,
    },
    /// `NAME> socket.emit("EVENT", ARGS…)`
    ClientEmit {
        name: String,
        event: String,
        args: Vec<Value>,
    },
}

impl Statement {
    /// The namespaces this statement names (the server must have them).
    pub fn namespaces(&self) -> Vec<&str> {
        match &self.kind {
            StatementKind::Connect { ns, .. } | StatementKind::Use { ns, .. } => vec![ns],
            StatementKind::On { ns, action, .. } => std::iter::once(ns.as_str())
                .chain(namespace_of(action))
                .collect(),
            StatementKind::Server { expr, .. } => namespace_of(expr).into_iter().collect(),
            StatementKind::Disconnect { .. } | StatementKind::ClientEmit { .. } => Vec::new(),
        }
    }
}

/// The namespace an `io.of(…)` expression names, if it does.
fn namespace_of(expr: &Expr) -> Option<&str> {
    match expr {
        Expr::Broadcast {
            scope: Scope::Namespace(ns),
            ..
        } => Some(ns),
        _ => None,
    }
}

/// A value that is either written in the script or, inside an `on` handler,
/// the bare word `msg` (the first argument the client sent).
#[derive(Debug, Clone, PartialEq)]
pub enum Arg<T> {
    Lit(T),
    Msg,
}

/// A server-side expression, reduced to what it does and to whom.
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    /// An action on one socket: `socket.emit`, `.join`, `.leave`, `.disconnect`.
    Socket(SocketAction),
    /// An action on a set of sockets chosen by namespace and rooms.
    Broadcast {
        scope: Scope,
        /// Each `.to(R)`/`.in(R)`, in order; their union is the target.
        to: Vec<Arg<Vec<String>>>,
        /// Each `.except(R)`, in order.
        except: Vec<Arg<Vec<String>>>,
        action: BroadcastAction,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub enum SocketAction {
    Emit {
        event: Arg<String>,
        args: Vec<Arg<Value>>,
    },
    Join(Arg<Vec<String>>),
    Leave(Arg<String>),
    Disconnect {
        close: bool,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub enum Scope {
    /// `io.…` or `io.of("/ns").…`: every socket of the namespace.
    Namespace(String),
    /// `socket.nsp.…`: the sender's namespace, sender included.
    SenderNamespace,
    /// `socket.broadcast`/`.to`/`.in`/`.except`: the sender's namespace
    /// without the sender.
    SenderExcluded,
}

#[derive(Debug, Clone, PartialEq)]
pub enum BroadcastAction {
    Emit {
        event: Arg<String>,
        args: Vec<Arg<Value>>,
    },
    SocketsJoin(Arg<Vec<String>>),
    SocketsLeave(Arg<Vec<String>>),
    DisconnectSockets {
        close: bool,
    },
}

impl Expr {
    /// The expression with every `msg` replaced by `msg`'s value.
    pub fn resolve(&self, msg: &Value) -> Result<Expr, String> {
        Ok(match self {
            Expr::Socket(action) => Expr::Socket(match action {
                SocketAction::Emit { event, args } => SocketAction::Emit {
                    event: Arg::Lit(resolve_name(event, msg, "an event name")?),
                    args: resolve_args(args, msg),
                },
                SocketAction::Join(rooms) => {
                    SocketAction::Join(Arg::Lit(resolve_rooms(rooms, msg)?))
                }
                SocketAction::Leave(room) => {
                    SocketAction::Leave(Arg::Lit(resolve_name(room, msg, "a room name")?))
                }
                SocketAction::Disconnect { close } => SocketAction::Disconnect { close: *close },
            }),
            Expr::Broadcast {
                scope,
                to,
                except,
                action,
            } => Expr::Broadcast {
                scope: scope.clone(),
                to: to
                    .iter()
                    .map(|r| resolve_rooms(r, msg).map(Arg::Lit))
                    .collect::<Result<_, _>>()?,
                except: except
                    .iter()
                    .map(|r| resolve_rooms(r, msg).map(Arg::Lit))
                    .collect::<Result<_, _>>()?,
                action: match action {
                    BroadcastAction::Emit { event, args } => BroadcastAction::Emit {
                        event: Arg::Lit(resolve_name(event, msg, "an event name")?),
                        args: resolve_args(args, msg),
                    },
                    BroadcastAction::SocketsJoin(r) => {
                        BroadcastAction::SocketsJoin(Arg::Lit(resolve_rooms(r, msg)?))
                    }
                    BroadcastAction::SocketsLeave(r) => {
                        BroadcastAction::SocketsLeave(Arg::Lit(resolve_rooms(r, msg)?))
                    }
                    BroadcastAction::DisconnectSockets { close } => {
                        BroadcastAction::DisconnectSockets { close: *close }
                    }
                },
            },
        })
    }
}

impl<T> Arg<T> {
    /// The literal, for an expression that has been resolved (or has no `msg`).
    pub fn lit(&self) -> Option<&T> {
        match self {
            Arg::Lit(v) => Some(v),
            Arg::Msg => None,
        }
    }
}

/// The name `arg` stands for; `noun` ("a room name") says what it must be.
fn resolve_name(arg: &Arg<String>, msg: &Value, noun: &str) -> Result<String, String> {
    match arg {
        Arg::Lit(name) => Ok(name.clone()),
        Arg::Msg => match msg {
            Value::String(s) => Ok(s.clone()),
            other => Err(format!(
                "msg must be {noun} (a string) here, but it is {}",
                excerpt(&other.to_string())
            )),
        },
    }
}

fn resolve_args(args: &[Arg<Value>], msg: &Value) -> Vec<Arg<Value>> {
    args.iter()
        .map(|a| match a {
            Arg::Lit(v) => Arg::Lit(v.clone()),
            Arg::Msg => Arg::Lit(msg.clone()),
        })
        .collect()
}

fn resolve_rooms(rooms: &Arg<Vec<String>>, msg: &Value) -> Result<Vec<String>, String> {
    match rooms {
        Arg::Lit(r) => Ok(r.clone()),
        Arg::Msg => room_list(msg).ok_or_else(|| {
            format!(
                "msg must be a room name or an array of room names here, but it is {}",
                excerpt(&msg.to_string())
            )
        }),
    }
}

/// The rooms a value names: a string is one room, an array of strings several.
fn room_list(value: &Value) -> Option<Vec<String>> {
    match value {
        Value::String(room) => Some(vec![room.clone()]),
        Value::Array(items) => items
            .iter()
            .map(|v| v.as_str().map(str::to_owned))
            .collect(),
        _ => None,
    }
}

/// How much of the user's text a message quotes, in characters.
const EXCERPT_CHARS: usize = 40;

/// `text` as quoted in a message: at most [`EXCERPT_CHARS`] characters,
/// then `…` if there was more.
fn excerpt(text: &str) -> String {
    match text.char_indices().nth(EXCERPT_CHARS) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.to_owned(),
    }
}

/// Whether `text` starts with the bare word `msg` (not `msgs`, `msg_1`…).
fn starts_with_msg(text: &str) -> bool {
    text.strip_prefix("msg")
        .is_some_and(|after| !after.starts_with(|c: char| c.is_ascii_alphanumeric() || c == '_'))
}

/// A statement that cannot be parsed: where, and what to do about it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct SyntaxError {
    /// 1-based line number.
    pub line: usize,
    /// 1-based column, in characters.
    pub column: usize,
    pub message: String,
    /// The whole line as written.
    pub source_line: String,
}

impl SyntaxError {
    /// The error as a compiler would print it, naming `file`.
    ///
    /// The caret line copies the source line's white space (tabs stay tabs)
    /// so that the caret stays under the column. A line too long to show
    /// whole is cut to a window around the column, marked with `…`.
    pub fn render(&self, file: &str) -> String {
        const WHOLE: usize = 120;
        const BEFORE: usize = 40;
        const SHOWN: usize = 100;
        let number = self.line.to_string();
        let pad = " ".repeat(number.len());
        let line: Vec<char> = self
            .source_line
            .trim_end_matches(['\r', '\n'])
            .chars()
            .collect();
        let col = self.column.saturating_sub(1).min(line.len());
        let (start, end) = if line.len() <= WHOLE {
            (0, line.len())
        } else {
            let start = col.saturating_sub(BEFORE);
            (start, (start + SHOWN).min(line.len()))
        };
        let mut shown: String = line[start..end].iter().collect();
        let mut caret = String::new();
        if start > 0 {
            shown.insert(0, '…');
            caret.push(' ');
        }
        if end < line.len() {
            shown.push('…');
        }
        caret.extend(
            line[start..col]
                .iter()
                .map(|&c| if c.is_whitespace() { c } else { ' ' }),
        );
        format!(
            "error: {}\n{pad}--> {file}:{}:{}\n{pad} |\n{number} | {shown}\n{pad} | {caret}^\n",
            self.message, self.line, self.column,
        )
    }
}

/// Parses a whole `.tour` script: every line is a statement, a comment or blank.
pub fn parse_script(text: &str) -> Result<Vec<Statement>, SyntaxError> {
    parse_lines(text.lines().enumerate().map(|(i, l)| (i + 1, l)))
}

/// Parses numbered lines (a lesson passes the lines of its `tour` blocks),
/// and checks that every name is connected on an earlier line.
pub fn parse_lines<'a>(
    lines: impl IntoIterator<Item = (usize, &'a str)>,
) -> Result<Vec<Statement>, SyntaxError> {
    let mut statements = Vec::new();
    let mut connected: HashSet<String> = HashSet::new();
    for (number, text) in lines {
        let Some((statement, name_column)) = parse_numbered(number, text)? else {
            continue;
        };
        if let Some(name) = used_name(&statement)
            && !connected.contains(name)
        {
            let name = excerpt(name);
            return Err(SyntaxError {
                line: number,
                column: name_column,
                message: format!(
                    "no client named `{name}` is connected on an earlier line; \
                     add `connect {name}` before this line"
                ),
                source_line: text.to_owned(),
            });
        }
        if let StatementKind::Connect { name, .. } = &statement.kind {
            connected.insert(name.clone());
        }
        statements.push(statement);
    }
    Ok(statements)
}

/// The client name a statement acts on (not `connect`).
fn used_name(statement: &Statement) -> Option<&str> {
    match &statement.kind {
        StatementKind::Disconnect { name }
        | StatementKind::ClientEmit { name, .. }
        | StatementKind::Server {
            socket: Some(name), ..
        } => Some(name),
        _ => None,
    }
}

/// Parses one line. `Ok(None)` for a blank line or a comment.
pub fn parse_line(number: usize, text: &str) -> Result<Option<Statement>, SyntaxError> {
    Ok(parse_numbered(number, text)?.map(|(statement, _)| statement))
}

/// Parses one line, with the 1-based column of the client name the
/// statement names (the first column if it names none).
fn parse_numbered(number: usize, text: &str) -> Result<Option<(Statement, usize)>, SyntaxError> {
    let trimmed = text.trim();
    if trimmed.is_empty() || trimmed.starts_with('#') {
        return Ok(None);
    }
    let start = text.len() - text.trim_start().len();
    let end = start + trimmed.len();
    let mut p = Parser {
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

struct Parser<'a> {
    text: &'a str,
    pos: usize,
    end: usize,
    line: usize,
    /// `msg` may stand as an argument (inside an `on` action).
    msg_allowed: bool,
    /// Where the client name that the statement names was parsed.
    name_at: usize,
}

/// What a chain has produced so far, before its action.
enum Chain {
    Io,
    Socket,
    Namespace(Scope),
    Operator(Scope),
}

type Parsed<T> = Result<T, SyntaxError>;

impl<'a> Parser<'a> {
    /// The 1-based column, in characters, of byte offset `pos` (or of the
    /// character that contains it).
    fn column_of(&self, pos: usize) -> usize {
        self.text[..self.text.floor_char_boundary(pos)]
            .chars()
            .count()
            + 1
    }

    fn error_at(&self, pos: usize, message: impl Into<String>) -> SyntaxError {
        SyntaxError {
            line: self.line,
            column: self.column_of(pos),
            message: message.into(),
            source_line: self.text.to_owned(),
        }
    }

    fn error(&self, message: impl Into<String>) -> SyntaxError {
        self.error_at(self.pos, message)
    }

    fn rest(&self) -> &'a str {
        &self.text[self.pos..self.end]
    }

    fn peek(&self) -> Option<char> {
        self.rest().chars().next()
    }

    fn skip_ws(&mut self) {
        let rest = self.rest();
        self.pos += rest.len() - rest.trim_start().len();
    }

    fn at_end(&self) -> bool {
        self.pos >= self.end
    }

    /// Skips white space, then eats `c` if it is next.
    fn eat(&mut self, c: char) -> bool {
        self.skip_ws();
        if self.peek() == Some(c) {
            self.pos += c.len_utf8();
            true
        } else {
            false
        }
    }

    fn expect(&mut self, c: char, what: &str) -> Parsed<()> {
        if self.eat(c) {
            Ok(())
        } else {
            Err(self.error(format!("expected `{c}` {what}{}", self.found())))
        }
    }

    /// ", found `…`" describing what is at the cursor, for error messages.
    fn found(&self) -> String {
        match self.rest().chars().next() {
            None => ", found the end of the line".to_owned(),
            Some(_) => {
                let rest = self.rest();
                let word = rest.split(char::is_whitespace).next().unwrap_or(rest);
                format!(", found `{}`", excerpt(word))
            }
        }
    }

    /// An identifier: `[A-Za-z_][A-Za-z0-9_-]*` when `dash`, else without `-`.
    fn ident(&mut self, dash: bool) -> Option<&'a str> {
        self.skip_ws();
        let rest = self.rest();
        let mut chars = rest.char_indices();
        match chars.next() {
            Some((_, c)) if c.is_ascii_alphabetic() || c == '_' => {}
            _ => return None,
        }
        let len = chars
            .find(|&(_, c)| !(c.is_ascii_alphanumeric() || c == '_' || (dash && c == '-')))
            .map_or(rest.len(), |(i, _)| i);
        self.pos += len;
        Some(&rest[..len])
    }

    fn name(&mut self, context: &str) -> Parsed<String> {
        self.skip_ws();
        let at = self.pos;
        match self.ident(true) {
            Some(name) => {
                self.name_at = at;
                Ok(name.to_owned())
            }
            None => Err(self.error_at(
                at,
                format!(
                    "expected a client name {context} (letters, digits, `_` and `-`, \
                     not starting with a digit){}",
                    self.found()
                ),
            )),
        }
    }

    /// `/ns`, as written after `connect NAME`, `use` or `on`.
    fn namespace(&mut self) -> Parsed<String> {
        self.skip_ws();
        let rest = self.rest();
        // The statement's one optional trailing `;` ends the word too:
        // `connect bob /orders;` is `/orders` (as the official runner reads it).
        let len = rest
            .find(|c: char| c.is_whitespace() || c == ';')
            .unwrap_or(rest.len());
        let word = &rest[..len];
        let valid = word.starts_with('/')
            && word[1..]
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "_-./~".contains(c));
        if !valid {
            return Err(self.error(format!(
                "expected a namespace such as `/orders`{}",
                self.found()
            )));
        }
        self.pos += len;
        Ok(word.to_owned())
    }

    fn end_of_statement(&mut self) -> Parsed<()> {
        self.eat(';');
        self.skip_ws();
        if self.at_end() {
            Ok(())
        } else {
            Err(self.error(format!(
                "unexpected text after the end of the statement{}",
                self.found()
            )))
        }
    }

    fn statement(&mut self) -> Parsed<StatementKind> {
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

    fn connect(&mut self) -> Parsed<StatementKind> {
        let name = self.name("after `connect`")?;
        self.skip_ws();
        let ns = if self.peek() == Some('/') {
            self.namespace()?
        } else {
            "/".to_owned()
        };
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

    fn use_statement(&mut self) -> Parsed<StatementKind> {
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

    fn on_statement(&mut self) -> Parsed<StatementKind> {
        self.skip_ws();
        let ns = if self.peek() == Some('/') {
            self.namespace()?
        } else {
            "/".to_owned()
        };
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

    fn server_statement(&mut self, name: Option<String>) -> Parsed<StatementKind> {
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

    fn client_emit(&mut self, name: String) -> Parsed<StatementKind> {
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
    fn check_event_name(&self, event: &str, at: usize) -> Parsed<()> {
        match protocol::refusal(event) {
            Some(refusal @ Refusal::EngineOwn) => Err(self.error_at(at, refusal.to_string())),
            _ => Ok(()),
        }
    }

    /// Parses `.member…` links after a root, up to and including the action.
    fn chain(&mut self, mut chain: Chain) -> Parsed<Expr> {
        let mut to = Vec::new();
        let mut except = Vec::new();
        loop {
            if !self.eat('.') {
                return Err(self.error(format!(
                    "expected `.` and a method, {}{}",
                    expected_members(&chain),
                    self.found()
                )));
            }
            self.skip_ws();
            let at = self.pos;
            let Some(member) = self.ident(false) else {
                return Err(self.error(format!("expected a method name{}", self.found())));
            };
            chain = match (chain, member) {
                (Chain::Io, "of") => {
                    self.expect('(', "after `of`")?;
                    let ns = self.string("the namespace")?;
                    self.expect(')', "to close `of(`")?;
                    let ns = if ns.starts_with('/') {
                        ns
                    } else {
                        format!("/{ns}")
                    };
                    Chain::Namespace(Scope::Namespace(ns))
                }
                (Chain::Io, "sockets") => Chain::Namespace(Scope::Namespace("/".to_owned())),
                (Chain::Socket, "nsp") => Chain::Namespace(Scope::SenderNamespace),
                (Chain::Socket, "broadcast") => Chain::Operator(Scope::SenderExcluded),
                (
                    c @ (Chain::Io | Chain::Socket | Chain::Namespace(_) | Chain::Operator(_)),
                    "to" | "in" | "except",
                ) => {
                    self.expect('(', &format!("after `{member}`"))?;
                    let rooms = self.rooms()?;
                    self.expect(')', &format!("to close `{member}(`"))?;
                    if member == "except" {
                        except.push(rooms);
                    } else {
                        to.push(rooms);
                    }
                    Chain::Operator(match c {
                        Chain::Io => Scope::Namespace("/".to_owned()),
                        Chain::Socket => Scope::SenderExcluded,
                        Chain::Namespace(s) | Chain::Operator(s) => s,
                    })
                }
                (Chain::Socket, "emit") => {
                    let (event, args) = self.emit_args()?;
                    return Ok(Expr::Socket(SocketAction::Emit { event, args }));
                }
                (Chain::Socket, "join") => {
                    self.expect('(', "after `join`")?;
                    let rooms = self.rooms()?;
                    self.expect(')', "to close `join(`")?;
                    return Ok(Expr::Socket(SocketAction::Join(rooms)));
                }
                (Chain::Socket, "leave") => {
                    self.expect('(', "after `leave`")?;
                    let room = self.room()?;
                    self.expect(')', "to close `leave(`")?;
                    return Ok(Expr::Socket(SocketAction::Leave(room)));
                }
                (Chain::Socket, "disconnect") => {
                    let close = self.optional_bool("disconnect")?;
                    return Ok(Expr::Socket(SocketAction::Disconnect { close }));
                }
                (
                    c @ (Chain::Io | Chain::Namespace(_) | Chain::Operator(_)),
                    action @ ("emit" | "socketsJoin" | "socketsLeave" | "disconnectSockets"),
                ) => {
                    let scope = match c {
                        Chain::Io => Scope::Namespace("/".to_owned()),
                        Chain::Namespace(s) | Chain::Operator(s) => s,
                        Chain::Socket => unreachable!("matched above"),
                    };
                    let action = match action {
                        "emit" => {
                            let (event, args) = self.emit_args()?;
                            BroadcastAction::Emit { event, args }
                        }
                        "socketsJoin" | "socketsLeave" => {
                            self.expect('(', &format!("after `{action}`"))?;
                            let rooms = self.rooms()?;
                            self.expect(')', &format!("to close `{action}(`"))?;
                            if action == "socketsJoin" {
                                BroadcastAction::SocketsJoin(rooms)
                            } else {
                                BroadcastAction::SocketsLeave(rooms)
                            }
                        }
                        _ => BroadcastAction::DisconnectSockets {
                            close: self.optional_bool("disconnectSockets")?,
                        },
                    };
                    return Ok(Expr::Broadcast {
                        scope,
                        to,
                        except,
                        action,
                    });
                }
                (c, other) => {
                    return Err(self.error_at(
                        at,
                        format!(
                            "`{}` is not available here: {}",
                            excerpt(other),
                            expected_members(&c)
                        ),
                    ));
                }
            };
        }
    }

    /// `(EVENT, ARGS…)` of an emit.
    fn emit_args(&mut self) -> Parsed<(Arg<String>, Vec<Arg<Value>>)> {
        self.expect('(', "after `emit`")?;
        self.skip_ws();
        let at = self.pos;
        let event = if self.eat_msg() {
            Arg::Msg
        } else {
            let event = self.string("the event name")?;
            self.check_event_name(&event, at)?;
            Arg::Lit(event)
        };
        let mut args = Vec::new();
        while self.eat(',') {
            args.push(if self.eat_msg() {
                Arg::Msg
            } else {
                Arg::Lit(self.json()?)
            });
        }
        self.expect(')', "to close `emit(`")?;
        Ok((event, args))
    }

    /// `()` or `(true)` / `(false)`.
    fn optional_bool(&mut self, method: &str) -> Parsed<bool> {
        self.expect('(', &format!("after `{method}`"))?;
        if self.eat(')') {
            return Ok(false);
        }
        let at = self.pos;
        let value = self.json()?;
        let Value::Bool(close) = value else {
            return Err(self.error_at(at, format!("`{method}` takes `true`, `false` or nothing")));
        };
        self.expect(')', &format!("to close `{method}(`"))?;
        Ok(close)
    }

    /// Eats the bare word `msg` when it is allowed here.
    fn eat_msg(&mut self) -> bool {
        self.skip_ws();
        if self.msg_allowed && starts_with_msg(self.rest()) {
            self.pos += "msg".len();
            true
        } else {
            false
        }
    }

    /// The error for a bare `msg` at the cursor, where it cannot stand.
    fn misplaced_msg(&self) -> Option<SyntaxError> {
        if !starts_with_msg(self.rest()) {
            return None;
        }
        Some(self.error(if self.msg_allowed {
            "`msg` cannot stand here: in an `on` handler it may be the event name, \
             an emit argument or a room name"
        } else {
            "`msg` only means something inside an `on` handler, \
             where it is the client's first argument"
        }))
    }

    /// A room name or an array of room names (or `msg`).
    fn rooms(&mut self) -> Parsed<Arg<Vec<String>>> {
        if self.eat_msg() {
            return Ok(Arg::Msg);
        }
        self.skip_ws();
        let at = self.pos;
        room_list(&self.json()?).map(Arg::Lit).ok_or_else(|| {
            self.error_at(
                at,
                "a room is a string, or an array of strings for several rooms",
            )
        })
    }

    /// One room name (or `msg`).
    fn room(&mut self) -> Parsed<Arg<String>> {
        if self.eat_msg() {
            return Ok(Arg::Msg);
        }
        Ok(Arg::Lit(self.string("one room name")?))
    }

    /// A JSON string literal.
    fn string(&mut self, what: &str) -> Parsed<String> {
        self.skip_ws();
        let at = self.pos;
        if self.peek() == Some('\'') {
            return Err(self.error("strings take double quotes (JSON), not single quotes"));
        }
        if self.peek() != Some('"') {
            if let Some(e) = self.misplaced_msg() {
                return Err(e);
            }
            return Err(self.error(format!(
                "expected {what} as a double-quoted string{}",
                self.found()
            )));
        }
        match self.json()? {
            Value::String(s) => Ok(s),
            _ => Err(self.error_at(at, format!("expected {what} as a double-quoted string"))),
        }
    }

    /// One JSON literal, numbers as JavaScript would hold them.
    fn json(&mut self) -> Parsed<Value> {
        self.skip_ws();
        let rest = self.rest();
        let at = self.pos;
        if rest.starts_with('\'') {
            return Err(self.error("strings take double quotes (JSON), not single quotes"));
        }
        if let Some(e) = self.misplaced_msg() {
            return Err(e);
        }
        let len = json_extent(rest);
        if len == 0 {
            return Err(self.error(format!(
                "expected a JSON value (a string, number, true, false, null, array or object){}",
                self.found()
            )));
        }
        match serde_json::from_str::<Value>(&rest[..len]) {
            Ok(value) if depth(&value) > MAX_DEPTH => Err(self.error_at(
                at,
                format!(
                    "this value nests {} levels deep; the clients read at most {MAX_DEPTH}",
                    depth(&value)
                ),
            )),
            Ok(value) => {
                self.pos += len;
                Ok(js_number_semantics(value))
            }
            Err(e) => {
                // serde_json's column is 1-based and counts bytes (of the
                // value: one line). Point at the character holding that byte,
                // or at the value's last character when it ran out.
                let value = &rest[..len];
                let last = value.char_indices().next_back().map_or(0, |(i, _)| i);
                let offset = value.floor_char_boundary(e.column().saturating_sub(1));
                Err(self.error_at(
                    at + offset.min(last),
                    format!(
                        "`{}` is not valid JSON: {}",
                        excerpt(value),
                        json_error_text(&e)
                    ),
                ))
            }
        }
    }
}

const EXPECTED_STATEMENT: &str = "expected a statement: `connect NAME`, `disconnect NAME`, \
     `NAME: socket.…`, `io.…`, `use /ns require …`, `on \"EVENT\": …` or `NAME> socket.emit(…)`";

fn expected_members(chain: &Chain) -> &'static str {
    match chain {
        Chain::Io => {
            "after `io` come `.of(\"/ns\")`, `.sockets`, `.to(…)`, `.in(…)`, `.except(…)`, `.emit(…)`, `.socketsJoin(…)`, `.socketsLeave(…)` or `.disconnectSockets()`"
        }
        Chain::Socket => {
            "after `socket` come `.to(…)`, `.in(…)`, `.except(…)`, `.broadcast`, `.nsp`, `.emit(…)`, `.join(…)`, `.leave(…)` or `.disconnect()`"
        }
        Chain::Namespace(_) => {
            "after a namespace come `.to(…)`, `.in(…)`, `.except(…)`, `.emit(…)`, `.socketsJoin(…)`, `.socketsLeave(…)` or `.disconnectSockets()`"
        }
        Chain::Operator(_) => {
            "after `.to`, `.in`, `.except` or `.broadcast` come `.to(…)`, `.in(…)`, `.except(…)`, `.emit(…)`, `.socketsJoin(…)`, `.socketsLeave(…)` or `.disconnectSockets()`"
        }
    }
}

/// The length of the JSON literal at the start of `text`: a string, a
/// bracketed array or object (strings inside skipped), or a bare word such as
/// a number, `true` or `null` (up to a delimiter).
fn json_extent(text: &str) -> usize {
    let mut depth = 0usize;
    let mut in_string = false;
    let mut escaped = false;
    for (i, c) in text.char_indices() {
        if in_string {
            match c {
                _ if escaped => escaped = false,
                '\\' => escaped = true,
                '"' => {
                    in_string = false;
                    if depth == 0 {
                        return i + 1;
                    }
                }
                _ => {}
            }
            continue;
        }
        match c {
            '"' => in_string = true,
            '[' | '{' => depth += 1,
            ']' | '}' if depth > 0 => {
                depth -= 1;
                if depth == 0 {
                    return i + 1;
                }
            }
            ',' | ')' | ']' | '}' | ';' if depth == 0 => return i,
            c if c.is_whitespace() && depth == 0 => return i,
            _ => {}
        }
    }
    text.len()
}

/// serde_json's message without its own " at line 1 column N" suffix.
fn json_error_text(e: &serde_json::Error) -> String {
    let text = e.to_string();
    match text.find(" at line ") {
        Some(i) => text[..i].to_owned(),
        None => text,
    }
}

/// How deeply an argument may nest: rust_socketio's JSON reader stops at
/// 128 levels, and a packet wraps the arguments in one more.
const MAX_DEPTH: usize = 100;

/// How many arrays and objects deep a value goes.
fn depth(value: &Value) -> usize {
    match value {
        Value::Array(items) => 1 + items.iter().map(depth).max().unwrap_or(0),
        Value::Object(map) => 1 + map.values().map(depth).max().unwrap_or(0),
        _ => 0,
    }
}

/// JavaScript has one number type: `-3.5e2` is `-350`, printed without `.0`.
pub fn js_number_semantics(value: Value) -> Value {
    match value {
        Value::Number(n) => {
            const SAFE: f64 = 9_007_199_254_740_991.0;
            if let Some(f) = n.as_f64().filter(|_| n.is_f64())
                && f.fract() == 0.0
                && f.abs() <= SAFE
            {
                // Exact: an integral f64 within ±2^53 fits an i64 losslessly.
                return Value::from(f as i64);
            }
            // serde_json keeps an integer beyond ±2^53 exact (9007199254740993);
            // JavaScript holds the nearest f64 (9007199254740992) and prints it
            // with its shortest digits padded with zeros (12345678901234567000),
            // as Rust's `Display` for f64 does. Keep that integer when it fits.
            if let Some(f) = n.as_f64().filter(|f| !n.is_f64() && f.abs() > SAFE) {
                if let Ok(int) = serde_json::from_str::<Value>(&f.to_string())
                    && (int.is_i64() || int.is_u64())
                {
                    return int;
                }
                if let Some(float) = serde_json::Number::from_f64(f) {
                    return Value::Number(float);
                }
            }
            Value::Number(n)
        }
        Value::Array(items) => Value::Array(items.into_iter().map(js_number_semantics).collect()),
        Value::Object(map) => Value::Object(
            map.into_iter()
                .map(|(k, v)| (k, js_number_semantics(v)))
                .collect(),
        ),
        other => other,
    }
}

#[cfg(test)]
mod tests {
    //! Parser details found by the differential test (tests/integration/differential.rs).
    use super::*;

    #[test]
    fn integers_beyond_2_pow_53_are_rounded_as_javascript_holds_them() {
        let parsed = |text: &str| js_number_semantics(serde_json::from_str(text).unwrap());
        assert_eq!(parsed("9007199254740993").to_string(), "9007199254740992");
        assert_eq!(parsed("-9007199254740993").to_string(), "-9007199254740992");
        assert_eq!(
            parsed("12345678901234567890").to_string(),
            "12345678901234567000"
        );
        assert_eq!(parsed("9007199254740991").to_string(), "9007199254740991");
        assert_eq!(parsed("[-3.5e2, 1.0]").to_string(), "[-350,1]");
    }

    #[test]
    fn msg_resolves_to_names_and_rooms_or_says_what_it_must_be() {
        let on = |line: &str| match parse_line(1, line).unwrap().unwrap().kind {
            StatementKind::On { action, .. } => action,
            other => panic!("{line}: {other:?}"),
        };
        let leave = on(r#"on "x": socket.leave(msg)"#);
        let join = on(r#"on "x": io.to(msg).socketsJoin(msg)"#);
        assert_eq!(
            leave.resolve(&Value::from("r")).unwrap(),
            Expr::Socket(SocketAction::Leave(Arg::Lit("r".into())))
        );
        let Expr::Broadcast { to, .. } = join.resolve(&serde_json::json!(["a", "b"])).unwrap()
        else {
            panic!("not a broadcast");
        };
        assert_eq!(to, [Arg::Lit(vec!["a".to_owned(), "b".to_owned()])]);
        let huge = Value::from(vec![1; 100_000]);
        let err = leave.resolve(&huge).unwrap_err();
        assert!(
            err.starts_with("msg must be a room name (a string) here, but it is [1,1,")
                && err.ends_with('…')
                && err.len() < 120,
            "{err}"
        );
        let err = join.resolve(&serde_json::json!(["a", 2])).unwrap_err();
        assert_eq!(
            err,
            "msg must be a room name or an array of room names here, but it is [\"a\",2]"
        );
    }

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
