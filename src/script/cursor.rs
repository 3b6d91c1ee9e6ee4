//! The cursor over one line: white space, words, names, namespaces,
//! strings and `msg`, with errors that point at a column.

use serde_json::Value;

use super::error::{SyntaxError, excerpt};

pub(super) struct Cursor<'a> {
    pub(super) text: &'a str,
    pub(super) pos: usize,
    pub(super) end: usize,
    pub(super) line: usize,
    /// `msg` may stand as an argument (inside an `on` action).
    pub(super) msg_allowed: bool,
    /// `reason` may stand as an argument (a disconnect handler's action, v3).
    pub(super) reason_allowed: bool,
    /// Where the client name that the statement names was parsed.
    pub(super) name_at: usize,
    /// `socket.id` may stand as a room (a `NAME:` statement or an `on` action).
    pub(super) own_id_allowed: bool,
    /// Each `NAME.id` of the line, with where its name starts.
    pub(super) ids: Vec<(String, usize)>,
    /// The line's `@LABEL` (a server), with where its `@` is.
    pub(super) server: Option<(String, usize)>,
    /// What the line said about acknowledgements (v3).
    pub(super) ask: AskSeen,
}

pub(super) type Parsed<T> = Result<T, SyntaxError>;

/// Whether `text` starts with the bare word `msg` (not `msgs`, `msg_1`…).
pub(super) fn starts_with_msg(text: &str) -> bool {
    text.strip_prefix("msg")
        .is_some_and(|after| !after.starts_with(|c: char| c.is_ascii_alphanumeric() || c == '_'))
}

impl<'a> Cursor<'a> {
    /// The 1-based column, in characters, of byte offset `pos` (or of the
    /// character that contains it).
    pub(super) fn column_of(&self, pos: usize) -> usize {
        self.text[..self.text.floor_char_boundary(pos)]
            .chars()
            .count()
            + 1
    }

    pub(super) fn error_at(&self, pos: usize, message: impl Into<String>) -> SyntaxError {
        SyntaxError {
            line: self.line,
            column: self.column_of(pos),
            message: message.into(),
            source_line: self.text.to_owned(),
        }
    }

    pub(super) fn error(&self, message: impl Into<String>) -> SyntaxError {
        self.error_at(self.pos, message)
    }

    pub(super) fn rest(&self) -> &'a str {
        &self.text[self.pos..self.end]
    }

    pub(super) fn peek(&self) -> Option<char> {
        self.rest().chars().next()
    }

    pub(super) fn skip_ws(&mut self) {
        let rest = self.rest();
        self.pos += rest.len() - rest.trim_start().len();
    }

    pub(super) fn at_end(&self) -> bool {
        self.pos >= self.end
    }

    /// Skips white space, then eats `c` if it is next.
    pub(super) fn eat(&mut self, c: char) -> bool {
        self.skip_ws();
        if self.peek() == Some(c) {
            self.pos += c.len_utf8();
            true
        } else {
            false
        }
    }

    pub(super) fn expect(&mut self, c: char, what: &str) -> Parsed<()> {
        if self.eat(c) {
            Ok(())
        } else {
            Err(self.error(format!("expected `{c}` {what}{}", self.found())))
        }
    }

    /// ", found `…`" describing what is at the cursor, for error messages.
    pub(super) fn found(&self) -> String {
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
    pub(super) fn ident(&mut self, dash: bool) -> Option<&'a str> {
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

    pub(super) fn name(&mut self, context: &str) -> Parsed<String> {
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

    /// `@LABEL`, a server of `servers A B`, if the cursor is at `@`.
    pub(super) fn optional_server(&mut self) -> Parsed<()> {
        self.skip_ws();
        let at = self.pos;
        if !self.eat('@') {
            return Ok(());
        }
        if self.peek().is_some_and(char::is_whitespace) {
            return Err(self.error("expected a server's label right after `@`, as in `@A`"));
        }
        match self.ident(false) {
            Some(label) => {
                self.server = Some((label.to_owned(), at));
                Ok(())
            }
            None => Err(self.error(format!(
                "expected a server's label after `@`, as in `@A`{}",
                self.found()
            ))),
        }
    }

    /// `/ns`, as written after `connect NAME`, `use` or `on`.
    pub(super) fn namespace(&mut self) -> Parsed<String> {
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

    /// `/ns` if one comes next, else `/`.
    pub(super) fn optional_namespace(&mut self) -> Parsed<String> {
        self.skip_ws();
        if self.peek() == Some('/') {
            self.namespace()
        } else {
            Ok("/".to_owned())
        }
    }

    pub(super) fn end_of_statement(&mut self) -> Parsed<()> {
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

    /// Eats the bare word `msg` when it is allowed here.
    pub(super) fn eat_msg(&mut self) -> bool {
        self.skip_ws();
        if self.msg_allowed && starts_with_msg(self.rest()) {
            self.pos += "msg".len();
            true
        } else {
            false
        }
    }

    /// The error for a bare `msg` at the cursor, where it cannot stand.
    pub(super) fn misplaced_msg(&self) -> Option<SyntaxError> {
        if !starts_with_msg(self.rest()) {
            return self.misplaced_reason();
        }
        Some(self.error(if self.msg_allowed {
            "`msg` cannot stand here: in an `on` handler it may be the event name, \
             an emit argument or a room name"
        } else {
            "`msg` only means something inside an `on` handler, \
             where it is the client's first argument"
        }))
    }

    /// A JSON string literal.
    pub(super) fn string(&mut self, what: &str) -> Parsed<String> {
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
}

/// What a server-side line said about acknowledgements, while it is parsed.
#[derive(Debug, Default)]
pub(super) struct AskSeen {
    /// The line may ask (a statement of its own, not an `on` action).
    pub(super) allowed: bool,
    /// `.timeout(MS)`, and where it stands.
    pub(super) timeout: Option<(u64, usize)>,
    /// Where the emit's trailing `ack` stands.
    pub(super) ack: Option<usize>,
}
