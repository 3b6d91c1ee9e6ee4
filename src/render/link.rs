//! The transcript's lines for a client's connection itself (v3): a
//! reconnection and the emits it flushed, an emit made while offline.

use std::io::{self, Write};

use serde_json::Value;

use super::transcript::Transcript;
use crate::report::quoted;

impl<W: Write> Transcript<W> {
    /// `reconnect NAME`: the new socket (or the refusal), then what the
    /// client sent from its buffer.
    pub(super) fn reconnected(
        &mut self,
        name: &str,
        ns: &str,
        error: Option<&str>,
        flushed: &[(String, Vec<Value>)],
        w: usize,
    ) -> io::Result<()> {
        if let Some(message) = error {
            let text = format!("refused on reconnecting: connect_error {}", quoted(message));
            return self.mark(false, name, w, &text);
        }
        let text =
            format!("reconnected to {ns}: a new socket, with a new id and none of the old rooms");
        self.mark(true, name, w, &text)?;
        if flushed.is_empty() {
            return self.note("its client had buffered nothing");
        }
        let sent: Vec<String> = flushed.iter().map(|(e, a)| emit_text(e, a)).collect();
        self.note(&format!(
            "then its client sent what it had buffered, in order: {}",
            sent.join("; ")
        ))
    }

    /// An emit while the client's connection is lost.
    pub(super) fn offline(
        &mut self,
        name: &str,
        event: &str,
        buffered: bool,
        w: usize,
    ) -> io::Result<()> {
        let text = if buffered {
            format!(
                "{} buffered by its client: its connection is lost; it is sent on reconnecting",
                quoted(event)
            )
        } else {
            format!(
                "{} dropped by its client: volatile, and its connection is lost",
                quoted(event)
            )
        };
        self.mark(false, name, w, &text)
    }
}

fn emit_text(event: &str, args: &[Value]) -> String {
    let mut parts = vec![quoted(event)];
    parts.extend(args.iter().map(Value::to_string));
    parts.join(", ")
}
