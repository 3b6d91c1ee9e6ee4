//! Seeded random tour scripts over the whole language.
//!
//! [`script`] writes a valid tour script (see `tour-script.md`) from a seed:
//! the same seed always gives the same bytes. A small model of the official
//! server's state (who is connected where, in which rooms, which middlewares
//! and handlers exist) steers the choices, so that most statements act on
//! live clients and rooms that have members, while some deliberately hit the
//! error paths (clients that are gone, reserved event names, names already
//! connected). The model only shapes the distribution: the differential test
//! compares what the two servers did, never what the model expected.
//!
//! The scripts keep to values that the language gives one meaning on both
//! sides: event and room names are strings, `msg` stands for an event name
//! only when the client sends a string and for a room only when it sends a
//! string (or, where several rooms are allowed, an array of strings); object
//! keys never look like integers (JavaScript would reorder them); connect
//! auth never has a `name` key (the engine sets it).

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

/// splitmix64: a tiny, good-enough PRNG with a 64-bit state.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (`n > 0`).
    fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }

    /// True with a probability of `percent` %.
    fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }

    fn one_of(&mut self, items: &[&'static str]) -> &'static str {
        items[self.below(items.len())]
    }
}

const NAMES: [&str; 10] = [
    "alice", "bob", "carol", "dave", "eve", "frank", "grace", "heidi", "x-ray", "Bob_2",
];
/// `room1` is used in both namespaces: rooms belong to one namespace.
const ROOMS: [&str; 8] = [
    "room1", "room1", "lobby", "games", "vip", "a b", "été", "room2",
];
/// Never joined on purpose: emits to it reach nobody.
const EMPTY_ROOM: &str = "nobody-here";
/// Event names for server emits, including those rust_socketio maps to its
/// own kinds (`message`, `error`, `open`, `close`, in any case).
const EVENTS: [&str; 12] = [
    "news",
    "chat",
    "chat message",
    "ping",
    "order",
    "message",
    "error",
    "Open",
    "close",
    "x-1",
    "ünï",
    "42",
];
/// Event names that scripts declare handlers for and clients emit,
/// including those rust_socketio would rename (`open`, `Message`, …).
const HANDLED: [&str; 13] = [
    "relay", "join", "leave", "shout", "echo", "kick", "order", "message", "Message", "open",
    "close", "ERROR", "42",
];
/// The names every emit must refuse: the language's own list.
const RESERVED: [&str; 6] = sockets_tour::protocol::RESERVED_EVENTS;
/// Object keys: never integer-like, never `__proto__`.
const KEYS: [&str; 6] = ["k", "id", "text", "x y", "nested", "é"];

/// A room argument: `"r"`, `["a", "b"]` or `msg`.
#[derive(Clone, Debug)]
enum Rooms {
    One(String),
    Many(Vec<String>),
    Msg,
}

/// An emit's event name or argument: as written, or `msg`.
#[derive(Clone, Debug)]
enum Slot {
    Lit(String),
    Msg,
}

#[derive(Clone, Debug)]
enum Head {
    /// `io` or `io.sockets`: the main namespace.
    Io {
        sockets: bool,
    },
    /// `io.of("…")`, with the namespace as written and as meant.
    IoOf {
        written: &'static str,
        ns: &'static str,
    },
    Socket,
    SocketBroadcast,
    SocketNsp,
}

#[derive(Clone, Debug)]
enum Act {
    Emit {
        event: Slot,
        args: Vec<Slot>,
    },
    Join(Rooms),
    /// `leave` takes one room: a string, or `msg` (a string then).
    Leave(Slot),
    Disconnect(Option<bool>),
    SocketsJoin(Rooms),
    SocketsLeave(Rooms),
    DisconnectSockets(Option<bool>),
}

/// A server-side expression: a head, `to`/`in`/`except` links, an action.
#[derive(Clone, Debug)]
struct Chain {
    head: Head,
    links: Vec<(&'static str, Rooms)>,
    act: Act,
}

/// What a handler needs its client's first argument to be.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Need {
    /// `msg` is not used, or only as an emit argument: anything.
    Any,
    /// A room list: a string or an array of strings.
    Rooms,
    /// An event name or one room: a string.
    Text,
}

struct Live {
    ns: String,
    rooms: BTreeSet<String>,
}

/// The script so far, as the official server would see it.
#[derive(Default)]
struct Model {
    /// Names connected on an earlier line (in order of first use).
    known: Vec<String>,
    live: BTreeMap<String, Live>,
    /// Per namespace, `(KEY, VALUE)` of each `use … require KEY "VALUE"`.
    middlewares: BTreeMap<String, Vec<(String, String)>>,
    /// `(ns, event)` → the handler.
    handlers: BTreeMap<(String, String), Chain>,
}

/// A valid tour script of `statements` statements (plus a few comments and
/// blank lines), the same for the same seed.
pub fn script(seed: u64, statements: usize) -> String {
    let mut g = Gen {
        rng: Rng::new(seed),
        model: Model::default(),
        gap: "",
    };
    // Some scripts are written on Windows: a trailing `\r` is ignored.
    let eol = if g.rng.chance(15) { "\r\n" } else { "\n" };
    let mut out = format!("# generated by tests/integration/generator.rs, seed {seed}{eol}");
    let mut count = 0;
    while count < statements {
        if g.rng.chance(3) {
            let filler = *g
                .rng
                .pick(&["", "# a comment", "   # an indented comment", " \t"]);
            out.push_str(&format!("{filler}{eol}"));
            continue;
        }
        g.gap = if g.rng.chance(8) { " " } else { "" };
        let line = g.statement();
        let indent = *g.rng.pick(&["", "", "", "", "", "", "  ", "\t"]);
        let semicolon = if g.rng.chance(4) { ";" } else { "" };
        let trailing = *g.rng.pick(&["", "", "", "", "", "", " ", "\t"]);
        out.push_str(&format!("{indent}{line}{semicolon}{trailing}{eol}"));
        count += 1;
    }
    out
}

struct Gen {
    rng: Rng,
    model: Model,
    /// White space between the tokens of the statement being written:
    /// usually none, sometimes a space everywhere the language allows one.
    gap: &'static str,
}

impl Gen {
    fn statement(&mut self) -> String {
        let live = self.model.live.len();
        let absent: Vec<String> = self
            .model
            .known
            .iter()
            .filter(|n| !self.model.live.contains_key(*n))
            .cloned()
            .collect();
        let roll = self.rng.below(100);
        if (live < 3 && self.rng.chance(70)) || live == 0 || roll < 10 {
            return self.connect();
        }
        match roll {
            10..=12 => self.use_middleware(),
            13..=20 => self.handler(),
            21..=35 => self.client_emit(),
            36..=52 => self.socket_statement(),
            53..=72 => self.io_statement(),
            73..=75 => self.client_disconnect(),
            76..=77 => self.server_disconnect(),
            78..=80 if !absent.is_empty() => self.about_absent(&absent),
            81..=82 => self.reserved_emit(),
            _ => self.join_or_leave(),
        }
    }

    // ----- names, rooms, values

    fn live_name(&mut self) -> String {
        let names: Vec<&String> = self.model.live.keys().collect();
        (*self.rng.pick(&names)).clone()
    }

    fn room(&mut self) -> String {
        // Mostly a room someone is in (in either namespace), so that
        // selections by room reach somebody.
        let populated: Vec<String> = self
            .model
            .live
            .values()
            .flat_map(|l| l.rooms.iter().cloned())
            .collect();
        if !populated.is_empty() && self.rng.chance(50) {
            return self.rng.pick(&populated).clone();
        }
        if self.rng.chance(8) {
            EMPTY_ROOM.to_owned()
        } else {
            (*self.rng.pick(&ROOMS)).to_owned()
        }
    }

    fn rooms(&mut self, msg_allowed: bool) -> Rooms {
        if msg_allowed && self.rng.chance(45) {
            return Rooms::Msg;
        }
        match self.rng.below(10) {
            0 => Rooms::Many(Vec::new()),
            1..=3 => {
                let n = 1 + self.rng.below(3);
                Rooms::Many((0..n).map(|_| self.room()).collect())
            }
            _ => Rooms::One(self.room()),
        }
    }

    fn event(&mut self) -> String {
        (*self.rng.pick(&EVENTS)).to_owned()
    }

    /// A JSON literal as written, with the spellings JavaScript reads as
    /// the same number (`1e3`, `-3.5e2`, `1.0`).
    fn value(&mut self, depth: usize) -> String {
        let kind = self.rng.below(if depth >= 2 { 6 } else { 8 });
        match kind {
            0 | 1 => {
                if self.rng.chance(15) {
                    // Escapes that JSON reads as plain characters.
                    let written = *self.rng.pick(&[
                        r#""\u00e9t\u00e9""#,
                        r#""\ud83d\ude42""#,
                        r#""a\/b""#,
                        r#""tab\there""#,
                    ]);
                    return written.to_owned();
                }
                let s = *self.rng.pick(&[
                    "hi",
                    "",
                    "a b",
                    "été",
                    "quote\"d",
                    "42",
                    "null",
                    "true",
                    "line\nbreak",
                    "🙂",
                ]);
                json_string(s)
            }
            // Integers beyond ±2^53 are held as the nearest f64 in JavaScript.
            2 => self
                .rng
                .pick(&[
                    "0",
                    "7",
                    "-5",
                    "100",
                    "123456789",
                    "9007199254740993",
                    "-9007199254740993",
                    "12345678901234567890",
                ])
                .to_string(),
            3 => self
                .rng
                .pick(&[
                    "2.5", "-0.125", "3.14", "1e3", "-3.5e2", "1.0", "2E-1", "1e-7", "1e21", "-0",
                ])
                .to_string(),
            4 => self.rng.pick(&["true", "false"]).to_string(),
            5 => "null".to_owned(),
            6 => {
                let n = self.rng.below(4);
                let items: Vec<String> = (0..n).map(|_| self.value(depth + 1)).collect();
                let pad = if self.rng.chance(15) { " " } else { "" };
                format!("[{pad}{}{pad}]", items.join(self.comma()))
            }
            _ => {
                let n = self.rng.below(4);
                let mut keys: Vec<&str> = KEYS.to_vec();
                let mut fields = Vec::new();
                for _ in 0..n {
                    let key = keys.remove(self.rng.below(keys.len()));
                    let value = self.value(depth + 1);
                    let colon = *self.rng.pick(&[":", ":", ": ", " : "]);
                    fields.push(format!("{}{colon}{value}", json_string(key)));
                }
                format!("{{{}}}", fields.join(self.comma()))
            }
        }
    }

    fn comma(&mut self) -> &'static str {
        self.rng.one_of(&[", ", ",", ", ", " , "])
    }

    fn args(&mut self, msg_allowed: bool) -> Vec<Slot> {
        let n = *self.rng.pick(&[0, 1, 1, 1, 2, 3]);
        (0..n)
            .map(|_| {
                if msg_allowed && self.rng.chance(50) {
                    Slot::Msg
                } else {
                    Slot::Lit(self.value(0))
                }
            })
            .collect()
    }

    // ----- statements

    fn connect(&mut self) -> String {
        let absent: Vec<String> = self
            .model
            .known
            .iter()
            .filter(|n| !self.model.live.contains_key(*n))
            .cloned()
            .collect();
        let fresh: Vec<&str> = NAMES
            .iter()
            .copied()
            .filter(|n| !self.model.known.iter().any(|k| k == n))
            .collect();
        let name = if !self.model.live.is_empty() && self.rng.chance(8) {
            // Already connected: a run-time error.
            self.live_name()
        } else if !absent.is_empty() && (fresh.is_empty() || self.rng.chance(50)) {
            self.rng.pick(&absent).clone()
        } else if !fresh.is_empty() {
            (*self.rng.pick(&fresh)).to_owned()
        } else {
            self.live_name()
        };
        let ns = match self.rng.below(100) {
            0..=59 => "/",
            60..=94 => "/orders",
            _ => "/admin",
        };
        // Handshake auth: satisfy the namespace's middlewares most of the time.
        let required = self.model.middlewares.get(ns).cloned().unwrap_or_default();
        let mut auth: Vec<(String, String)> = Vec::new();
        let satisfy = self.rng.chance(70);
        for (key, value) in &required {
            if key == "name" {
                continue;
            }
            if satisfy {
                auth.push((key.clone(), json_string(value)));
            } else if self.rng.chance(50) {
                auth.push((key.clone(), json_string("nope")));
            }
        }
        if self.rng.chance(20) {
            let key = *self.rng.pick(&["n", "flag", "token"]);
            if !auth.iter().any(|(k, _)| k == key) {
                let value = self.value(1);
                auth.push((key.to_owned(), value));
            }
        }
        let mut line = format!("connect {name}");
        if ns != "/" || self.rng.chance(10) {
            line.push(' ');
            line.push_str(ns);
        }
        if !auth.is_empty() || self.rng.chance(5) {
            let fields: Vec<String> = auth
                .iter()
                .map(|(k, v)| format!("{}:{v}", json_string(k)))
                .collect();
            line.push_str(&format!(" {{{}}}", fields.join(self.comma())));
        }
        if !self.model.known.contains(&name) {
            self.model.known.push(name.clone());
        }
        let admitted = required.iter().all(|(key, value)| {
            if key == "name" {
                *value == name
            } else {
                auth.iter()
                    .any(|(k, v)| k == key && *v == json_string(value))
            }
        });
        if admitted {
            // An already connected name stays as it is (a run-time error).
            self.model.live.entry(name).or_insert_with(|| Live {
                ns: ns.to_owned(),
                rooms: BTreeSet::new(),
            });
        }
        line
    }

    fn use_middleware(&mut self) -> String {
        let ns = *self.rng.pick(&["/orders", "/orders", "/admin", "/"]);
        let (key, value) = match self.rng.below(5) {
            0 => ("role".to_owned(), "admin".to_owned()),
            // Only one client may enter; not on `/`, where most clients go.
            1 if ns != "/" => {
                let name = self.rng.pick(&NAMES).to_string();
                ("name".to_owned(), name)
            }
            _ => ("token".to_owned(), "s3cret".to_owned()),
        };
        // Every namespace has at most one rule per key: a second one with
        // another value would refuse everyone.
        let rules = self.model.middlewares.entry(ns.to_owned()).or_default();
        let value = match rules.iter().find(|(k, _)| *k == key) {
            Some((_, v)) => v.clone(),
            None => value,
        };
        rules.push((key.clone(), value.clone()));
        format!("use {ns} require {key} {}", json_string(&value))
    }

    fn handler(&mut self) -> String {
        let ns = match self.rng.below(100) {
            0..=59 => "/",
            60..=94 => "/orders",
            _ => "/admin",
        };
        let event = (*self.rng.pick(&HANDLED)).to_owned();
        let chain = self.handler_chain(&event);
        let written_ns = if ns != "/" || self.rng.chance(15) {
            format!("{ns} ")
        } else {
            String::new()
        };
        let g = self.gap;
        let line = format!(
            "on {written_ns}{}{g}: {}",
            json_string(&event),
            render(&chain, g)
        );
        self.model.handlers.insert((ns.to_owned(), event), chain);
        line
    }

    /// A handler's action: the usual patterns most of the time, else any chain.
    fn handler_chain(&mut self, event: &str) -> Chain {
        let socket = |act| Chain {
            head: Head::Socket,
            links: Vec::new(),
            act,
        };
        match (event, self.rng.below(10)) {
            ("join", 0..=6) => socket(Act::Join(Rooms::Msg)),
            ("leave", 0..=6) => socket(Act::Leave(Slot::Msg)),
            ("echo", 0..=6) => socket(Act::Emit {
                event: Slot::Lit("echo".to_owned()),
                args: vec![Slot::Msg],
            }),
            ("kick", 0..=4) => socket(Act::Disconnect(None)),
            ("relay", 0..=4) => Chain {
                head: Head::Io { sockets: false },
                links: Vec::new(),
                act: Act::Emit {
                    event: Slot::Msg,
                    args: vec![Slot::Lit(json_string("relayed"))],
                },
            },
            ("shout", 0..=5) => Chain {
                head: Head::SocketBroadcast,
                links: Vec::new(),
                act: Act::Emit {
                    event: Slot::Lit("shout".to_owned()),
                    args: vec![Slot::Msg],
                },
            },
            _ => self.chain(true),
        }
    }

    fn client_emit(&mut self) -> String {
        let name = self.live_name();
        let ns = self.model.live[&name].ns.clone();
        let handled: Vec<String> = self
            .model
            .handlers
            .keys()
            .filter(|(n, _)| *n == ns)
            .map(|(_, e)| e.clone())
            .collect();
        let event = if !handled.is_empty() && self.rng.chance(85) {
            self.rng.pick(&handled).clone()
        } else if self.rng.chance(70) {
            (*self.rng.pick(&HANDLED)).to_owned()
        } else {
            "unheard".to_owned()
        };
        let handler = self.model.handlers.get(&(ns, event.clone())).cloned();
        let need = handler.as_ref().map_or(Need::Any, need);
        let mut args: Vec<String> = Vec::new();
        let first: Option<Value> = match need {
            Need::Text => {
                let text = if uses_msg_as_event(handler.as_ref()) {
                    if self.rng.chance(10) {
                        (*self.rng.pick(&RESERVED)).to_owned()
                    } else {
                        self.event()
                    }
                } else {
                    self.room()
                };
                args.push(json_string(&text));
                Some(Value::String(text))
            }
            Need::Rooms => {
                let rooms = self.rooms(false);
                let value = match rooms {
                    Rooms::One(r) => Value::String(r),
                    Rooms::Many(list) => Value::from(list),
                    Rooms::Msg => unreachable!("msg is not allowed here"),
                };
                args.push(value.to_string());
                Some(value)
            }
            Need::Any => None,
        };
        if first.is_some() {
            if self.rng.chance(25) {
                args.push(self.value(0));
            }
        } else {
            let n = *self.rng.pick(&[0, 1, 1, 1, 2, 3]);
            args.extend((0..n).map(|_| self.value(0)));
        }
        let g = self.gap;
        let mut line = format!("{name}{g}> socket{g}.{g}emit({g}{}", json_string(&event));
        for arg in &args {
            line.push_str(self.comma());
            line.push_str(arg);
        }
        line.push_str(&format!("{g})"));
        if let Some(chain) = handler {
            let msg = first.unwrap_or(Value::Null);
            self.apply(&chain, Some(&name), &msg);
        }
        line
    }

    fn socket_statement(&mut self) -> String {
        let name = self.live_name();
        let mut chain = self.chain(false);
        // Only `socket.…` chains here.
        if matches!(chain.head, Head::Io { .. } | Head::IoOf { .. }) {
            chain.head = self
                .rng
                .pick(&[Head::SocketBroadcast, Head::SocketNsp, Head::Socket])
                .clone();
            if matches!(chain.head, Head::Socket) && chain.links.is_empty() {
                chain.links.push(("to", self.rooms(false)));
            }
        }
        let line = format!("{name}{}: {}", self.gap, render(&chain, self.gap));
        self.apply(&chain, Some(&name), &Value::Null);
        line
    }

    fn io_statement(&mut self) -> String {
        let mut chain = self.chain(false);
        if !matches!(chain.head, Head::Io { .. } | Head::IoOf { .. }) {
            chain.head = self.io_head();
            if let Act::Join(r) | Act::SocketsJoin(r) = &chain.act {
                chain.act = Act::SocketsJoin(r.clone());
            } else if !matches!(
                chain.act,
                Act::Emit { .. } | Act::SocketsLeave(_) | Act::DisconnectSockets(_)
            ) {
                chain.act = Act::Emit {
                    event: Slot::Lit(self.event()),
                    args: self.args(false),
                };
            }
        }
        let line = render(&chain, self.gap);
        self.apply(&chain, None, &Value::Null);
        line
    }

    fn join_or_leave(&mut self) -> String {
        let name = self.live_name();
        let act = if self.rng.chance(65) {
            Act::Join(self.rooms(false))
        } else {
            // Mostly a room it is in; sometimes one it is not in (no error).
            let own: Vec<String> = self.model.live[&name].rooms.iter().cloned().collect();
            let room = if !own.is_empty() && self.rng.chance(75) {
                self.rng.pick(&own).clone()
            } else {
                self.room()
            };
            Act::Leave(Slot::Lit(room))
        };
        let chain = Chain {
            head: Head::Socket,
            links: Vec::new(),
            act,
        };
        let line = format!("{name}{}: {}", self.gap, render(&chain, self.gap));
        self.apply(&chain, Some(&name), &Value::Null);
        line
    }

    fn client_disconnect(&mut self) -> String {
        let name = self.live_name();
        self.model.live.remove(&name);
        format!("disconnect {name}")
    }

    fn server_disconnect(&mut self) -> String {
        let chain = match self.rng.below(4) {
            0 => Chain {
                head: self.io_head(),
                links: vec![("in", Rooms::One(self.room()))],
                act: Act::DisconnectSockets(self.optional_bool()),
            },
            _ => Chain {
                head: Head::Socket,
                links: Vec::new(),
                act: Act::Disconnect(self.optional_bool()),
            },
        };
        let name = self.live_name();
        let line = match chain.head {
            Head::Socket => format!("{name}{}: {}", self.gap, render(&chain, self.gap)),
            _ => render(&chain, self.gap),
        };
        let sender = matches!(chain.head, Head::Socket).then_some(name);
        self.apply(&chain, sender.as_deref(), &Value::Null);
        line
    }

    /// A statement about a client that was connected once and is gone now.
    fn about_absent(&mut self, absent: &[String]) -> String {
        let name = self.rng.pick(absent).clone();
        match self.rng.below(5) {
            0 => format!("disconnect {name}"),
            1 => format!("{name}> socket.emit(\"relay\", \"news\")"),
            2 => format!("{name}: socket.join(\"room1\")"),
            3 => format!("{name}: socket.broadcast.emit(\"chat\", 1)"),
            _ => format!("{name}: socket.emit(\"news\")"),
        }
    }

    /// An emit of a reserved event name: refused with a run-time error.
    fn reserved_emit(&mut self) -> String {
        let event = json_string(self.rng.one_of(&RESERVED));
        let name = self.live_name();
        match self.rng.below(4) {
            0 => format!("{name}> socket.emit({event}, 1)"),
            1 => format!("{name}: socket.emit({event})"),
            2 => format!("{name}: socket.broadcast.emit({event}, \"x\")"),
            _ => format!("io.to(\"room1\").emit({event})"),
        }
    }

    fn optional_bool(&mut self) -> Option<bool> {
        match self.rng.below(3) {
            0 => Some(true),
            1 => Some(false),
            _ => None,
        }
    }

    fn io_head(&mut self) -> Head {
        match self.rng.below(10) {
            0..=3 => Head::Io { sockets: false },
            4 => Head::Io { sockets: true },
            5..=6 => Head::IoOf {
                written: "/orders",
                ns: "/orders",
            },
            7 => Head::IoOf {
                written: "orders",
                ns: "/orders",
            },
            8 => Head::IoOf {
                written: "/",
                ns: "/",
            },
            _ => Head::IoOf {
                written: "/admin",
                ns: "/admin",
            },
        }
    }

    /// Any chain of the language; `msg` may appear when `msg_allowed`.
    fn chain(&mut self, msg_allowed: bool) -> Chain {
        let head = match self.rng.below(10) {
            0..=3 => self.io_head(),
            4..=5 => Head::Socket,
            6..=7 => Head::SocketBroadcast,
            _ => Head::SocketNsp,
        };
        let n_links = *self.rng.pick(&[0, 0, 1, 1, 1, 2, 3]);
        let mut links = Vec::new();
        for _ in 0..n_links {
            let kind = *self.rng.pick(&["to", "in", "except", "to", "in"]);
            links.push((kind, self.rooms(msg_allowed)));
        }
        let single = matches!(head, Head::Socket) && links.is_empty();
        let roll = self.rng.below(100);
        let act = if single {
            match roll {
                0..=49 => Act::Emit {
                    event: self.event_slot(msg_allowed),
                    args: self.args(msg_allowed),
                },
                50..=74 => Act::Join(self.rooms(msg_allowed)),
                75..=94 => Act::Leave(if msg_allowed && self.rng.chance(50) {
                    Slot::Msg
                } else {
                    Slot::Lit(self.room())
                }),
                _ => Act::Disconnect(self.optional_bool()),
            }
        } else {
            match roll {
                0..=69 => Act::Emit {
                    event: self.event_slot(msg_allowed),
                    args: self.args(msg_allowed),
                },
                70..=81 => Act::SocketsJoin(self.rooms(msg_allowed)),
                82..=93 => Act::SocketsLeave(self.rooms(msg_allowed)),
                _ => {
                    // Keep mass disconnections narrow: to a room most of the time.
                    if links.iter().all(|(k, _)| *k == "except") && self.rng.chance(80) {
                        links.push(("in", Rooms::One(self.room())));
                    }
                    Act::DisconnectSockets(self.optional_bool())
                }
            }
        };
        Chain { head, links, act }
    }

    fn event_slot(&mut self, msg_allowed: bool) -> Slot {
        if msg_allowed && self.rng.chance(25) {
            Slot::Msg
        } else {
            Slot::Lit(self.event())
        }
    }

    // ----- the model

    /// Carries out `chain` on the model, with `sender`'s socket and `msg`.
    fn apply(&mut self, chain: &Chain, sender: Option<&str>, msg: &Value) {
        let Some(sender_ns) = (match sender {
            Some(name) => self.model.live.get(name).map(|l| l.ns.clone()),
            None => Some("/".to_owned()),
        }) else {
            return;
        };
        let resolve = |rooms: &Rooms| -> Vec<String> {
            match rooms {
                Rooms::One(r) => vec![r.clone()],
                Rooms::Many(list) => list.clone(),
                Rooms::Msg => match msg {
                    Value::String(s) => vec![s.clone()],
                    Value::Array(items) => items
                        .iter()
                        .filter_map(|v| v.as_str().map(str::to_owned))
                        .collect(),
                    _ => Vec::new(),
                },
            }
        };
        if let Act::Emit { .. } = chain.act {
            return;
        }
        // Who the action is for: the sender's own socket, or a selection.
        let single = matches!(chain.head, Head::Socket) && chain.links.is_empty();
        let selected: Vec<String> = if single {
            sender.map(str::to_owned).into_iter().collect()
        } else {
            let (ns, excluded) = match &chain.head {
                Head::Io { .. } => ("/".to_owned(), None),
                Head::IoOf { ns, .. } => ((*ns).to_owned(), None),
                Head::SocketNsp => (sender_ns, None),
                Head::Socket | Head::SocketBroadcast => (sender_ns, sender),
            };
            let mut to = BTreeSet::new();
            let mut except = BTreeSet::new();
            for (kind, rooms) in &chain.links {
                let set = if *kind == "except" {
                    &mut except
                } else {
                    &mut to
                };
                set.extend(resolve(rooms));
            }
            self.model
                .live
                .iter()
                .filter(|(name, live)| {
                    live.ns == ns
                        && Some(name.as_str()) != excluded
                        && live.rooms.is_disjoint(&except)
                        && (to.is_empty() || !live.rooms.is_disjoint(&to))
                })
                .map(|(name, _)| name.clone())
                .collect()
        };
        // What it does to each: `join`/`socketsJoin` alike, and so on.
        let (joined, left): (Vec<String>, Vec<String>) = match &chain.act {
            Act::Join(rooms) | Act::SocketsJoin(rooms) => (resolve(rooms), Vec::new()),
            Act::SocketsLeave(rooms) => (Vec::new(), resolve(rooms)),
            Act::Leave(room) => {
                let room = match room {
                    Slot::Lit(r) => r.clone(),
                    Slot::Msg => msg.as_str().unwrap_or_default().to_owned(),
                };
                (Vec::new(), vec![room])
            }
            Act::Disconnect(_) | Act::DisconnectSockets(_) => {
                for name in &selected {
                    self.model.live.remove(name);
                }
                return;
            }
            Act::Emit { .. } => return,
        };
        for name in selected {
            if let Some(live) = self.model.live.get_mut(&name) {
                live.rooms.extend(joined.iter().cloned());
                for room in &left {
                    live.rooms.remove(room);
                }
            }
        }
    }
}

/// What a handler's action needs `msg` to be.
fn need(chain: &Chain) -> Need {
    let mut need = Need::Any;
    let mut rooms = |r: &Rooms| {
        if matches!(r, Rooms::Msg) {
            need = need.max(Need::Rooms);
        }
    };
    for (_, r) in &chain.links {
        rooms(r);
    }
    match &chain.act {
        Act::Join(r) | Act::SocketsJoin(r) | Act::SocketsLeave(r) => rooms(r),
        Act::Leave(Slot::Msg) => need = Need::Text,
        Act::Emit {
            event: Slot::Msg, ..
        } => need = Need::Text,
        _ => {}
    }
    need
}

fn uses_msg_as_event(chain: Option<&Chain>) -> bool {
    matches!(
        chain,
        Some(Chain {
            act: Act::Emit {
                event: Slot::Msg,
                ..
            },
            ..
        })
    )
}

/// A string as a JSON literal.
fn json_string(s: &str) -> String {
    Value::String(s.to_owned()).to_string()
}

fn render_rooms(rooms: &Rooms) -> String {
    match rooms {
        Rooms::One(r) => json_string(r),
        Rooms::Many(list) => Value::from(list.clone()).to_string(),
        Rooms::Msg => "msg".to_owned(),
    }
}

fn render_slot(slot: &Slot) -> String {
    match slot {
        Slot::Lit(text) => text.clone(),
        Slot::Msg => "msg".to_owned(),
    }
}

/// The chain as a learner would write it, with `gap` between its tokens.
fn render(chain: &Chain, gap: &str) -> String {
    let g = gap;
    let call = |name: &str, args: String| format!("{g}.{g}{name}({g}{args}{g})");
    let mut out = match &chain.head {
        Head::Io { sockets: false } => "io".to_owned(),
        Head::Io { sockets: true } => format!("io{g}.{g}sockets"),
        Head::IoOf { written, .. } => format!("io{}", call("of", json_string(written))),
        Head::Socket => "socket".to_owned(),
        Head::SocketBroadcast => format!("socket{g}.{g}broadcast"),
        Head::SocketNsp => format!("socket{g}.{g}nsp"),
    };
    for (kind, rooms) in &chain.links {
        out.push_str(&call(kind, render_rooms(rooms)));
    }
    let bool_arg = |b: &Option<bool>| b.map(|b| b.to_string()).unwrap_or_default();
    let act = match &chain.act {
        Act::Emit { event, args } => {
            let event = match event {
                Slot::Lit(e) => json_string(e),
                Slot::Msg => "msg".to_owned(),
            };
            let mut all = vec![event];
            all.extend(args.iter().map(render_slot));
            call("emit", all.join(&format!("{g},{g} ")))
        }
        Act::Join(r) => call("join", render_rooms(r)),
        Act::Leave(Slot::Lit(r)) => call("leave", json_string(r)),
        Act::Leave(Slot::Msg) => call("leave", "msg".to_owned()),
        Act::Disconnect(b) => call("disconnect", bool_arg(b)),
        Act::SocketsJoin(r) => call("socketsJoin", render_rooms(r)),
        Act::SocketsLeave(r) => call("socketsLeave", render_rooms(r)),
        Act::DisconnectSockets(b) => call("disconnectSockets", bool_arg(b)),
    };
    out.push_str(&act);
    out
}
