//! The language in brief, for `sockets-tour help script` and the
//! playground's `:help`: every statement form with an example (Markdown in
//! `language.md`, rendered like a lesson's narration).

/// The help text, as Markdown: `script` blocks are examples, `script v2`
/// blocks the forms of version 2 of the language.
pub const MARKDOWN: &str = include_str!("language.md");

/// Each example block: whether it is a version 2 form, and its lines.
#[cfg(test)]
pub fn examples() -> Vec<(bool, String)> {
    let mut blocks = Vec::new();
    let mut current: Option<(bool, String)> = None;
    for line in MARKDOWN.lines() {
        match (&mut current, line.trim()) {
            (None, fence) if fence.starts_with("```script") => {
                current = Some((fence.ends_with("v2"), String::new()));
            }
            (Some(_), "```") => blocks.extend(current.take()),
            (Some((_, text)), _) => {
                text.push_str(line);
                text.push('\n');
            }
            (None, _) => {}
        }
    }
    blocks
}

#[cfg(test)]
mod tests {
    //! The examples are real statements: they parse, in order, as one script.
    use super::*;

    #[test]
    fn every_example_parses_as_one_script() {
        // Version 2 forms parse once the parser knows them; a bare
        // `io.of("/ns")` is the simplest sign that it does.
        let v2 = crate::script::parse_script("io.of(\"/x\")\n").is_ok();
        let script: String = examples()
            .into_iter()
            .filter(|(is_v2, _)| v2 || !is_v2)
            .map(|(_, text)| text)
            .collect();
        assert!(script.lines().count() > 20, "{script}");
        if let Err(e) = crate::script::parse_script(&script) {
            panic!("{}\n{script}", e.render("the examples of language.md"));
        }
    }

    #[test]
    fn every_statement_form_has_an_example() {
        let all: String = examples().into_iter().map(|(_, text)| text).collect();
        for form in [
            "# ",
            "connect ",
            "disconnect ",
            ": socket.",
            "> socket.emit(",
            "io.emit(",
            "io.of(",
            ".to(",
            ".in(",
            ".except(",
            "socket.broadcast",
            "socketsJoin(",
            "socketsLeave(",
            "disconnectSockets(",
            "on \"",
            "on /",
            "use /",
            " else \"",
            ", ack)",
            "callback(",
            "on \"connection\"",
            "\"disconnect\":",
            ".id",
            "socket.join(",
            "socket.leave(",
            "drop ",
            "reconnect ",
            "socket.volatile.emit(",
            "await socket.emitWithAck(",
            ".timeout(",
            "> on \"",
            ", ack)",
        ] {
            assert!(all.contains(form), "no example of `{form}`");
        }
    }
}
