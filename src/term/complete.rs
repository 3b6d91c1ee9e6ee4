//! Tab completion for the tour-script language: the words a learner may type
//! next, from the language's own forms and what the session has seen so far
//! (client names, rooms, namespaces).

use std::collections::BTreeSet;

use crate::script::{Quotes, Region, scan};

/// What the session has seen so far, which completion offers.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Vocabulary {
    pub clients: BTreeSet<String>,
    pub rooms: BTreeSet<String>,
    pub namespaces: BTreeSet<String>,
    /// Commands that are not statements (the playground's `:help`, …).
    pub commands: Vec<String>,
}

/// The first words of a statement.
const STARTS: [&str; 7] = [
    "connect ",
    "disconnect ",
    "drop ",
    "reconnect ",
    "io.",
    "on ",
    "use ",
];

/// Members after a client's own `socket` (`alice> socket.`): it only emits
/// (v3: after `.timeout(MS)` too).
const CLIENT_MEMBERS: [&str; 3] = ["emit(", "timeout(", "volatile.emit("];

/// What may follow `NAME>` (v3): its socket, an ask awaited or bounded, a
/// listener.
const AFTER_CLIENT: [&str; 4] = [
    "await socket.emitWithAck(",
    "on \"",
    "socket.",
    "socket.timeout(",
];

/// What the text before a `.` is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Receiver {
    Io,
    Socket,
    ClientSocket,
    /// A client's `await socket` (v3): only an ask that returns a promise.
    ClientAwait,
    /// A client's `socket.timeout(MS)` (v3), awaited or not.
    ClientTimeout {
        awaited: bool,
    },
    /// A namespace or an operator: the same members follow both.
    Operator,
    /// A client's name (`bob.id`).
    Client,
}

impl Receiver {
    /// The members the language allows after this receiver.
    /// (The parser's own member table says what follows `io`, `socket`
    /// and an operator.)
    pub fn members(self) -> Vec<String> {
        use crate::script::{After, members_after};
        match self {
            Receiver::Io => members_after(After::Io),
            Receiver::Socket => members_after(After::Socket),
            Receiver::Operator => members_after(After::Operator),
            Receiver::ClientSocket => CLIENT_MEMBERS.map(str::to_owned).to_vec(),
            Receiver::ClientAwait => vec!["emitWithAck(".to_owned(), "timeout(".to_owned()],
            Receiver::ClientTimeout { awaited: true } => vec!["emitWithAck(".to_owned()],
            Receiver::ClientTimeout { awaited: false } => vec!["emit(".to_owned()],
            Receiver::Client => vec!["id".to_owned()],
        }
    }
}

/// Where the word being completed starts in `line` (up to the cursor
/// `pos`), and the candidates that replace it, sorted.
pub fn complete(line: &str, pos: usize, words: &Vocabulary) -> (usize, Vec<String>) {
    let pos = floor_boundary(line, pos);
    let before = &line[..pos];
    // Inside a string: a room or a namespace name, by the method it is an argument of.
    if let Some(open) = open_string(before) {
        let word = &before[open + 1..];
        let method = open_call(&before[..open]).map_or("", |paren| {
            before[..paren]
                .rsplit(|ch: char| !is_name_char(ch))
                .next()
                .unwrap_or("")
        });
        let pool: Box<dyn Iterator<Item = &String>> = match method {
            "of" => Box::new(words.namespaces.iter()),
            "to" | "in" | "except" | "join" | "leave" | "socketsJoin" | "socketsLeave" => {
                Box::new(words.rooms.iter())
            }
            _ => Box::new(std::iter::empty()),
        };
        return (open + 1, matching(pool.map(|w| format!("{w}\"")), word));
    }
    // A word here is a name, a namespace (`/orders`) or a command (`:help`).
    let start = before
        .rfind(|c: char| {
            !(is_name_char(c) || c == '/' || c == ':' && before.trim_start().starts_with(':'))
        })
        .map_or(0, |i| i + 1);
    let word = &before[start..];
    let prefix = before[..start].trim_end();
    if prefix.ends_with('.') {
        let receiver = receiver_before(before, &before[..start - 1]);
        let members = receiver.map(Receiver::members).unwrap_or_default();
        return (start, matching(members.into_iter(), word));
    }
    let trimmed = prefix.trim_start();
    let candidates: Vec<String> = if trimmed.is_empty() {
        if word.starts_with(':') {
            words.commands.clone()
        } else {
            STARTS
                .iter()
                .map(|s| s.to_string())
                .chain(
                    words
                        .clients
                        .iter()
                        .flat_map(|c| [format!("{c}: socket."), format!("{c}> socket.emit(")]),
                )
                .collect()
        }
    } else if matches!(trimmed, "disconnect" | "drop" | "reconnect") {
        words.clients.iter().cloned().collect()
    } else if trimmed == "use" || trimmed == "on" {
        words.namespaces.iter().map(|n| format!("{n} ")).collect()
    } else if trimmed.starts_with("connect ") && trimmed.split_whitespace().count() == 2 {
        words.namespaces.iter().cloned().collect()
    } else if trimmed.ends_with('>') {
        AFTER_CLIENT.map(str::to_owned).to_vec()
    } else if trimmed.ends_with(':') {
        vec!["socket.".to_owned(), "io.".to_owned()]
    } else {
        Vec::new()
    };
    (start, matching(candidates.into_iter(), word))
}

fn matching(candidates: impl Iterator<Item = String>, word: &str) -> Vec<String> {
    let mut found: Vec<String> = candidates.filter(|c| c.starts_with(word)).collect();
    found.sort();
    found.dedup();
    found
}

fn is_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_' || c == '-'
}

fn floor_boundary(line: &str, pos: usize) -> usize {
    let mut pos = pos.min(line.len());
    while !line.is_char_boundary(pos) {
        pos -= 1;
    }
    pos
}

/// The byte offset of the quote that opens an unclosed string at the end of
/// `text`, if there is one.
fn open_string(text: &str) -> Option<usize> {
    scan(text, Quotes::Double).fold(None, |open, (i, _, place)| match place {
        Region::Open => Some(i),
        Region::Close => None,
        Region::Code | Region::Inside => open,
    })
}

/// The byte offset of the last `(` not closed in `text`, outside strings.
fn open_call(text: &str) -> Option<usize> {
    let mut opened = Vec::new();
    for (i, c, place) in scan(text, Quotes::Double) {
        match (place, c) {
            (Region::Code, '(') => opened.push(i),
            (Region::Code, ')') => {
                opened.pop();
            }
            _ => {}
        }
    }
    opened.pop()
}

/// What stands before the `.` that ends `chain`, in the statement `line`.
fn receiver_before(line: &str, chain: &str) -> Option<Receiver> {
    let client_side = line
        .split_once('>')
        .is_some_and(|(name, _)| !name.trim().is_empty() && name.trim().chars().all(is_name_char));
    let last = chain
        .rsplit(|c: char| !is_name_char(c) && c != ')')
        .next()
        .unwrap_or("");
    let before_last = chain[..chain.len() - last.len()].trim_end();
    let first_in_chain = !before_last.ends_with('.');
    // v3: `alice> await socket.…` and `alice> [await] socket.timeout(MS).…`.
    let awaited = client_side
        && line
            .split_once('>')
            .is_some_and(|(_, rest)| rest.trim_start().starts_with("await "));
    if client_side && chain.trim_end().ends_with(')') && chain.contains("socket.timeout(") {
        return Some(Receiver::ClientTimeout { awaited });
    }
    match last {
        "socket" if first_in_chain && awaited => Some(Receiver::ClientAwait),
        "io" if first_in_chain => Some(Receiver::Io),
        "socket" if first_in_chain && client_side => Some(Receiver::ClientSocket),
        "socket" if first_in_chain => Some(Receiver::Socket),
        "sockets" | "nsp" | "broadcast" => Some(Receiver::Operator),
        _ if last.ends_with(')') || chain.ends_with(')') => Some(Receiver::Operator),
        name if first_in_chain && !name.is_empty() => Some(Receiver::Client),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    //! Completion as a learner meets it: first words, members after a `.`,
    //! rooms and namespaces inside strings, names seen so far.
    use super::*;

    fn words() -> Vocabulary {
        Vocabulary {
            clients: ["alice", "bob"].map(str::to_owned).into(),
            rooms: ["lobby", "games"].map(str::to_owned).into(),
            namespaces: ["/", "/orders"].map(str::to_owned).into(),
            commands: vec![":help".into(), ":state".into(), ":quit".into()],
        }
    }

    fn at_end(line: &str) -> Vec<String> {
        let (start, found) = complete(line, line.len(), &words());
        found
            .into_iter()
            .map(|c| format!("{}{c}", &line[..start]))
            .collect()
    }

    #[test]
    fn first_words_are_statements_and_client_names() {
        assert_eq!(at_end("con"), ["connect "]);
        assert_eq!(at_end("di"), ["disconnect "]);
        assert_eq!(at_end("al"), ["alice: socket.", "alice> socket.emit("]);
        assert_eq!(at_end(":s"), [":state"]);
        assert_eq!(at_end("disconnect b"), ["disconnect bob"]);
        assert_eq!(at_end("connect carol /o"), ["connect carol /orders"]);
        assert_eq!(at_end("use /"), ["use / ", "use /orders "]);
    }

    #[test]
    fn members_after_a_dot_depend_on_what_is_before_it() {
        assert!(at_end("io.").contains(&"io.of(".to_owned()));
        assert_eq!(
            at_end("io.so"),
            ["io.sockets", "io.socketsJoin(", "io.socketsLeave("]
        );
        assert_eq!(at_end("alice: socket.j"), ["alice: socket.join("]);
        assert_eq!(at_end("alice: socket.b"), ["alice: socket.broadcast"]);
        assert_eq!(
            at_end("alice> socket."),
            [
                "alice> socket.emit(",
                "alice> socket.timeout(",
                "alice> socket.volatile.emit("
            ]
        );
        assert_eq!(
            at_end("alice: socket.broadcast.e"),
            [
                "alice: socket.broadcast.emit(",
                "alice: socket.broadcast.except("
            ]
        );
        assert_eq!(at_end("io.to(\"lobby\").j"), Vec::<String>::new());
        assert_eq!(
            at_end("io.of(\"/orders\").sockets"),
            [
                "io.of(\"/orders\").socketsJoin(",
                "io.of(\"/orders\").socketsLeave("
            ]
        );
        assert_eq!(at_end("io.to(bob.i"), ["io.to(bob.id"]);
        assert_eq!(
            at_end("on \"chat\": socket.le"),
            ["on \"chat\": socket.leave("]
        );
    }

    #[test]
    fn a_clients_line_offers_its_asks_and_listener() {
        assert_eq!(
            at_end("alice> "),
            [
                "alice> await socket.emitWithAck(",
                "alice> on \"",
                "alice> socket.",
                "alice> socket.timeout(",
            ]
        );
        assert_eq!(at_end("alice> a"), ["alice> await socket.emitWithAck("]);
        assert_eq!(at_end("alice> socket.t"), ["alice> socket.timeout("]);
        assert_eq!(
            at_end("alice> await socket."),
            [
                "alice> await socket.emitWithAck(",
                "alice> await socket.timeout("
            ]
        );
        assert_eq!(
            at_end("alice> socket.timeout(100)."),
            ["alice> socket.timeout(100).emit("]
        );
        assert_eq!(
            at_end("alice> await socket.timeout(100).e"),
            ["alice> await socket.timeout(100).emitWithAck("]
        );
        // A server line still offers the server's members after `timeout`.
        assert!(at_end("io.timeout(100).").contains(&"io.timeout(100).emit(".to_owned()));
        assert_eq!(at_end("alice: "), ["alice: io.", "alice: socket."]);
        // Each completed line parses, once finished.
        for line in [
            r#"alice> await socket.emitWithAck("q")"#,
            r#"alice> await socket.timeout(100).emitWithAck("q")"#,
            r#"alice> socket.timeout(100).emit("q", ack)"#,
            r#"alice> on "q": callback("yes")"#,
        ] {
            let script = format!("connect alice\n{line}\n");
            assert!(crate::script::parse_script(&script).is_ok(), "{line}");
        }
    }

    #[test]
    fn strings_complete_rooms_and_namespaces_by_their_method() {
        assert_eq!(at_end("io.to(\"lo"), ["io.to(\"lobby\""]);
        assert_eq!(
            at_end("io.to([\"lobby\", \"g"),
            ["io.to([\"lobby\", \"games\""]
        );
        assert_eq!(
            at_end("alice: socket.join(\""),
            [
                "alice: socket.join(\"games\"",
                "alice: socket.join(\"lobby\""
            ]
        );
        assert_eq!(at_end("io.of(\"/o"), ["io.of(\"/orders\""]);
        assert_eq!(at_end("io.emit(\"lo"), Vec::<String>::new());
    }

    #[test]
    fn a_cursor_inside_a_character_is_no_panic() {
        let line = "io.emit(\"é";
        for pos in 0..=line.len() + 2 {
            let _ = complete(line, pos, &words());
        }
    }

    /// One table in two places drifts: the members offered after each
    /// receiver are exactly those the parser names when it refuses one.
    #[test]
    fn members_offered_are_the_members_the_parser_accepts() {
        for (prefix, receiver) in [
            ("io", Receiver::Io),
            ("connect alice\nalice: socket", Receiver::Socket),
            ("io.of(\"/a\")", Receiver::Operator),
            ("io.to(\"r\")", Receiver::Operator),
        ] {
            let script = format!("{prefix}.frob()\n");
            let error = crate::script::parse_script(&script).unwrap_err();
            let message = error.to_string();
            // "… after `io` come `.of(\"/ns\")`, …": the members are after "come".
            let named: BTreeSet<String> = message
                .rsplit(" come ")
                .next()
                .unwrap()
                .split('`')
                .skip(1)
                .step_by(2)
                .filter_map(|m| m.strip_prefix('.'))
                .map(|m| {
                    let name = m.split(['(', '"']).next().unwrap();
                    let call = m.contains('(');
                    format!("{name}{}", if call { "(" } else { "" })
                })
                .collect();
            let offered: BTreeSet<String> = receiver.members().into_iter().collect();
            assert_eq!(offered, named, "{prefix}: {message}");
            assert!(!named.is_empty(), "{message}");
        }
    }
}
