//! Parsing a whole script: every line a statement, a comment or blank, and
//! every client name connected on an earlier line.

use std::collections::HashSet;

use super::ast::{Statement, StatementKind};
use super::error::{SyntaxError, excerpt};
use super::statement::{Parsed1, parse_numbered};

/// Parses a whole `.tour` script: every line is a statement, a comment or blank.
pub fn parse_script(text: &str) -> Result<Vec<Statement>, SyntaxError> {
    parse_lines(text.lines().enumerate().map(|(i, l)| (i + 1, l)))
}

/// Parses numbered lines (a lesson passes the lines of its `tour` blocks),
/// and checks that every name is connected on an earlier line.
pub fn parse_lines<'a>(
    lines: impl IntoIterator<Item = (usize, &'a str)>,
) -> Result<Vec<Statement>, SyntaxError> {
    let mut parser = ScriptParser::new();
    let mut statements = Vec::new();
    for (number, text) in lines {
        statements.extend(parser.line(number, text)?);
    }
    Ok(statements)
}

/// The parser of one script, fed a line at a time: a file and the
/// playground alike. It keeps what a line's meaning depends on from the
/// lines before it: the names connected so far.
#[derive(Debug, Default)]
pub struct ScriptParser {
    connected: HashSet<String>,
    /// The labels of the last `servers` line; `None` before any.
    servers: Option<Vec<String>>,
}

impl ScriptParser {
    pub fn new() -> ScriptParser {
        ScriptParser::default()
    }

    /// Parses line `number`: `Ok(None)` for a blank line or a comment. A
    /// statement that names a client no earlier line connected is refused;
    /// a `connect` is remembered for the lines after it.
    pub fn line(&mut self, number: usize, text: &str) -> Result<Option<Statement>, SyntaxError> {
        let Some(Parsed1 {
            statement,
            uses,
            server_column,
        }) = parse_numbered(number, text)?
        else {
            return Ok(None);
        };
        let at_server = |message: String| SyntaxError {
            line: number,
            column: server_column,
            message,
            source_line: text.to_owned(),
        };
        if let Some(message) = self.server_error(&statement) {
            return Err(at_server(message));
        }
        if let StatementKind::Servers { labels, .. } = &statement.kind {
            // Fresh servers: every client of the run is gone.
            self.connected.clear();
            self.servers = Some(labels.clone());
        }
        if let Some((name, column)) = uses.iter().find(|(name, _)| !self.connected.contains(name)) {
            let name = excerpt(name);
            return Err(SyntaxError {
                line: number,
                column: *column,
                message: format!(
                    "no client named `{name}` is connected on an earlier line; \
                     add `connect {name}` before this line"
                ),
                source_line: text.to_owned(),
            });
        }
        if let StatementKind::Connect { name, .. } = &statement.kind {
            self.connected.insert(name.clone());
        }
        Ok(Some(statement))
    }
}

impl ScriptParser {
    /// What is wrong with a statement's server (its `@LABEL`, or the lack
    /// of one) given the `servers` line before it, if anything.
    fn server_error(&self, statement: &Statement) -> Option<String> {
        let needs_label = matches!(
            statement.kind,
            StatementKind::Connect { .. } | StatementKind::Server { socket: None, .. }
        );
        match (&self.servers, &statement.server) {
            (None, Some(label)) => Some(format!(
                "`@{}` names a server, but this script runs on one server: declare several \
                 first, as in `servers A B`",
                excerpt(label)
            )),
            (Some(labels), Some(label)) if !labels.contains(label) => Some(format!(
                "no server is labelled `{}`: the servers are {}",
                excerpt(label),
                labels.join(", ")
            )),
            (Some(labels), None) if needs_label => {
                let first = &labels[0];
                Some(match &statement.kind {
                    StatementKind::Connect { name, .. } => format!(
                        "which server does {} connect to? Add its label, as in \
                         `connect {} @{first}` (the servers are {})",
                        excerpt(name),
                        excerpt(name),
                        labels.join(", ")
                    ),
                    _ => format!(
                        "which server runs this? Put its label first, as in `@{first} io.emit(…)` \
                         (the servers are {})",
                        labels.join(", ")
                    ),
                })
            }
            _ => None,
        }
    }
}

/// Parses one line. `Ok(None)` for a blank line or a comment.
pub fn parse_line(number: usize, text: &str) -> Result<Option<Statement>, SyntaxError> {
    Ok(parse_numbered(number, text)?.map(|parsed| parsed.statement))
}

#[cfg(test)]
mod tests {
    //! One parser fed a line at a time, as the playground feeds it.
    use super::*;

    #[test]
    fn a_name_is_known_from_the_connect_fed_before_it_and_not_from_a_refused_line() {
        let mut parser = ScriptParser::new();
        assert!(parser.line(1, "connect alice 5").is_err());
        assert!(parser.line(2, "alice: socket.join(\"r\")").is_err());
        assert!(parser.line(3, "# a comment").unwrap().is_none());
        assert!(parser.line(4, "connect alice").unwrap().is_some());
        assert!(
            parser
                .line(5, "alice: socket.join(\"r\")")
                .unwrap()
                .is_some()
        );
        let e = parser.line(6, "  bob> socket.emit(\"x\")").unwrap_err();
        assert_eq!((e.line, e.column), (6, 3));
    }
}
