//! Parsing a whole script: every line a statement, a comment or blank, and
//! every client name connected on an earlier line.

use std::collections::HashSet;

use super::ast::{Statement, StatementKind};
use super::error::{SyntaxError, excerpt};
use super::statement::parse_numbered;

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
