//! Seeded random tour scripts over the whole language, version 2.
//!
//! [`script`] writes a valid tour script (see `tour-script.md`) from a seed:
//! the same seed always gives the same bytes. A small model of the official
//! server's state (which namespaces exist, who is connected where, in which
//! rooms, which middlewares, handlers and connection / disconnect handlers
//! exist) steers the choices, so that most statements act on live clients
//! and rooms that have members, while some deliberately hit the error paths
//! (clients that are gone, also as `NAME.id`; reserved event names; names
//! already connected; a `connect` to a namespace not declared yet;
//! `callback` without `ack`). The model only shapes the distribution: the
//! differential test compares what the two servers did, never what the model
//! expected.
//!
//! Every form of the language is written: v1's, and v2's namespace
//! declarations (a bare `io.of("/ns")`, an `io.of(…)` chain, also inside an
//! `on` action, `use /ns`, `on /ns`), `NAME.id` and `socket.id` in
//! `.to/.in/.except` (alone and in arrays with room names), client emits with
//! `ack` to handlers that call `callback(…)` and to those that do not,
//! `on "connection"` / `on "disconnect"` handlers, and `use … else "MESSAGE"`;
//! and version 3's: the acknowledgement forms (see `generator/acks.rs`),
//! drop, reconnect and volatile emits (`generator/link.rs`), `"user"` in a
//! connect's auth, `socket.handshake.auth.KEY` in `on` actions (a join or
//! `socket.to` by user, emit and `callback` arguments, a missing key now and
//! then), `on "disconnecting"` handlers, `[...socket.rooms]` in
//! `disconnecting` and `disconnect` handlers, and `use *` (every namespace's
//! middleware).
//!
//! The scripts keep to values that the language gives one meaning on both
//! sides: event and room names are strings, `msg` stands for an event name
//! only when the client sends a string and for a room only when it sends a
//! string (or, where several rooms are allowed, an array of strings); object
//! keys never look like integers (JavaScript would reorder them); connect
//! auth never has a `name` key (the engine sets it). They also avoid what
//! the contract leaves to the server's iteration order: no step disconnects
//! two or more sockets of a namespace whose disconnect handler emits (or
//! names a client's id), and connection / disconnect handlers never
//! disconnect a whole selection.

mod acks;

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

mod link;

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
/// Namespaces other than `/` (which always exists): each exists from the
/// first server-side line that names it (v2).
const NAMESPACES: [&str; 3] = ["/orders", "/admin", "/users"];
/// `room1` is used in several namespaces: rooms belong to one namespace.
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
/// `ask` and `order:create` mostly get handlers that call `callback(…)`.
const HANDLED: [&str; 15] = [
    "relay",
    "join",
    "leave",
    "shout",
    "echo",
    "kick",
    "order",
    "message",
    "Message",
    "open",
    "close",
    "ERROR",
    "42",
    "ask",
    "order:create",
];
/// The names every emit must refuse: the language's own list.
const RESERVED: [&str; 6] = sockets_tour::RESERVED_EVENTS;
/// Object keys: never integer-like, never `__proto__`.
const KEYS: [&str; 6] = ["k", "id", "text", "x y", "nested", "é"];
/// Middleware refusal messages (`use … else "MESSAGE"`, v2).
/// `auth.user` values (v3: a room per user), some the names of rooms too.
const USERS: [&str; 4] = ["alice", "bob", "lobby", "room1"];
/// A refusal's `err.data` (`use … data JSON`, v3).
const ERROR_DATA: [&str; 5] = [
    r#"{"content": "please retry", "n": 1}"#,
    "null",
    "[1, \"two\", false]",
    "\"retry later\"",
    "0",
];
/// Middleware refusal messages (`use … else "MESSAGE"`, v2).
const MESSAGES: [&str; 6] = [
    "admins only",
    "bad token",
    "not you",
    "unauthorized",
    "no entry today",
    "accès refusé",
];

/// A room in `.to/.in/.except`: a name, or a socket's id (v2).
#[derive(Clone, Debug)]
enum Room {
    Name(String),
    /// `NAME.id`: the id room of NAME's current socket.
    IdOf(String),
    /// `socket.id`: the id room of the statement's or handler's own socket.
    OwnId,
    /// `...socket.rooms` (v3, in an `on` action's room list): the handler's
    /// socket's rooms when it runs, its id room included.
    OwnRooms,
}

/// A room argument: `"r"`, `["a", bob.id]` or `msg`.
#[derive(Clone, Debug)]
enum Rooms {
    One(Room),
    Many(Vec<Room>),
    Msg,
    /// `socket.handshake.auth.KEY` (v3, in an `on` action).
    Auth(&'static str),
}

/// Which socket ids a room argument may name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Ids {
    /// None: `join`, `leave`, `socketsJoin`, `socketsLeave` never take ids.
    No,
    /// `NAME.id` only: a top-level `io.…` line has no `socket`.
    Named,
    /// `NAME.id` and `socket.id`: a `NAME:` line or an `on` action.
    Own,
}

/// An emit's event name or argument: as written, or `msg`.
#[derive(Clone, Debug)]
enum Slot {
    Lit(String),
    Msg,
    /// `socket.handshake.auth.KEY` (v3, in an `on` action).
    Auth(&'static str),
    /// `reason` (v3, in a disconnect handler's emit): why its socket left.
    Reason,
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

/// What an `on` line runs: a chain, or `callback(ARGS…)` (v2).
#[derive(Clone, Debug)]
enum Action {
    Chain(Chain),
    Callback(Vec<Slot>),
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

#[derive(Clone)]
struct Live {
    ns: String,
    rooms: BTreeSet<String>,
    /// Its server: an index into [`Cluster::labels`] (0 on one server).
    server: usize,
}

/// The socket an action runs with (`socket`): in a disconnect handler it is
/// already gone from the model.
struct Sender {
    name: String,
    ns: String,
    server: usize,
}

/// The servers of the last `servers` line (cluster mode).
#[derive(Clone, Debug)]
struct Cluster {
    labels: Vec<&'static str>,
    /// `with adapter`: a selection spans every server; else only the one
    /// that runs the code.
    adapter: bool,
}

/// The script so far, as the official server would see it.
#[derive(Clone, Default)]
struct Model {
    /// Names connected on an earlier line (in order of first use).
    known: Vec<String>,
    live: BTreeMap<String, Live>,
    /// The namespaces that exist (`/`, and those a server-side line named).
    declared: BTreeSet<String>,
    /// Per namespace, `(KEY, VALUE)` of each `use … require KEY "VALUE"`.
    middlewares: BTreeMap<String, Vec<(String, String)>>,
    /// `(ns, event)` → the handler.
    handlers: BTreeMap<(String, String), Action>,
    /// Per namespace, its `on "connection"` and `on "disconnect"` handlers.
    on_connection: BTreeMap<String, Action>,
    on_disconnect: BTreeMap<String, Action>,
    /// Per namespace, its `on "disconnecting"` handler (v3).
    on_disconnecting: BTreeMap<String, Action>,
    /// Each client's `auth.user` on its latest admitted connection (v3).
    users: BTreeMap<String, String>,
    /// The statement being written disconnects two or more sockets of a
    /// namespace whose disconnect handler depends on the order: rewritten.
    hazard: bool,
    /// The servers, in cluster mode; `None` on one server.
    cluster: Option<Cluster>,
    /// The server that runs the top-level `@LABEL io.…` line being written.
    origin: usize,
    /// v3: clients whose connection `drop` cut, and the auth each client
    /// connected with (a reconnection sends it again).
    lost: BTreeMap<String, link::Lost>,
    auths: BTreeMap<String, Vec<(String, String)>>,
}

/// A valid tour script of `statements` statements (plus a few comments and
/// blank lines), the same for the same seed.
pub fn script(seed: u64, statements: usize) -> String {
    write(seed, statements, false)
}

/// A valid tour script on several servers (`servers A B [with adapter]`,
/// `connect NAME @A`, `@A io.…`), the same for the same seed: it starts
/// with a `servers` line and sometimes declares fresh servers again (with
/// or without the adapter). Without the adapter each server reaches only its
/// own sockets, also by `NAME.id`; with it every selection spans them all,
/// `socketsJoin` and `disconnectSockets` included, and a disconnect
/// handler runs on the leaving socket's server.
pub fn cluster_script(seed: u64, statements: usize) -> String {
    write(seed, statements, true)
}

fn write(seed: u64, statements: usize, cluster: bool) -> String {
    let mut g = Gen {
        rng: Rng::new(seed),
        model: Model::default(),
        gap: "",
    };
    g.model.declared.insert("/".to_owned());
    // Some scripts are written on Windows: a trailing `\r` is ignored.
    let eol = if g.rng.chance(15) { "\r\n" } else { "\n" };
    let mode = if cluster { " (cluster)" } else { "" };
    let mut out = format!("# generated by tests/integration/generator.rs, seed {seed}{mode}{eol}");
    if cluster {
        // The first pair of servers shares the adapter more often than not.
        let adapter = !seed.is_multiple_of(3);
        let line = g.servers(adapter);
        out.push_str(&format!("{line}{eol}"));
    }
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
    /// One statement; one whose outcome would depend on the server's
    /// iteration order (see [`Model::hazard`]) is drawn again.
    fn statement(&mut self) -> String {
        for _ in 0..20 {
            let saved = self.model.clone();
            let line = self.any_statement();
            if !self.model.hazard {
                return line;
            }
            self.model = saved;
        }
        // A declaration never disconnects anyone.
        self.declare()
    }

    fn any_statement(&mut self) -> String {
        let live = self.model.live.len();
        let absent = self.gone_for_good();
        if self.model.cluster.is_some() && live >= 3 && self.rng.chance(2) {
            let adapter = self.rng.chance(60);
            return self.servers(adapter);
        }
        let roll = self.rng.below(100);
        if (live < 3 && self.rng.chance(70)) || live == 0 || roll < 9 {
            return self.connect();
        }
        match roll {
            9..=11 => self.use_middleware(),
            12..=17 => self.handler(),
            18..=21 => self.hook(),
            22..=23 => self.declare(),
            24..=37 => self.client_emit(),
            38..=50 => self.socket_statement(),
            51..=65 => self.io_statement(),
            66..=68 => self.client_disconnect(),
            69..=70 => self.server_disconnect(),
            71..=73 if !absent.is_empty() => self.about_absent(&absent),
            74..=75 => self.reserved_emit(),
            76..=80 => self.id_statement(),
            81..=86 => self.link_statement(),
            87..=91 if self.model.cluster.is_none() => self.ack_statement(),
            92..=94 => self.fetch_statement(),
            _ => self.join_or_leave(),
        }
    }

    /// `servers A B [C] [with adapter]`: fresh servers, every client gone,
    /// no handler, middleware or namespace but `/`.
    fn servers(&mut self, adapter: bool) -> String {
        let labels: Vec<&'static str> = match self.rng.below(6) {
            0 => vec!["A", "B", "C"],
            1 => vec!["east", "west"],
            _ => vec!["A", "B"],
        };
        let mut model = Model::default();
        model.declared.insert("/".to_owned());
        model.cluster = Some(Cluster {
            labels: labels.clone(),
            adapter,
        });
        self.model = model;
        let with = if adapter { " with adapter" } else { "" };
        format!("servers {}{with}", labels.join(" "))
    }

    /// In cluster mode, a server for the next `connect` or `@LABEL io.…`
    /// line: its index and how the line writes it (`" @A"`); on one server
    /// `(0, "")`.
    fn pick_server(&mut self) -> (usize, String) {
        let Some(cluster) = &self.model.cluster else {
            return (0, String::new());
        };
        let labels = cluster.labels.clone();
        let i = self.rng.below(labels.len());
        (i, format!("@{}", labels[i]))
    }

    /// The `@LABEL ` that a top-level `io.…` line starts with in cluster
    /// mode (and the model's origin for it); nothing on one server.
    fn at(&mut self) -> String {
        let (i, label) = self.pick_server();
        self.model.origin = i;
        if label.is_empty() {
            label
        } else {
            format!("{label} ")
        }
    }

    // ----- names, namespaces, rooms, values

    fn live_name(&mut self) -> String {
        let names: Vec<&String> = self.model.live.keys().collect();
        (*self.rng.pick(&names)).clone()
    }

    /// Names connected once and gone now.
    fn absent(&self) -> Vec<String> {
        self.model
            .known
            .iter()
            .filter(|n| !self.model.live.contains_key(*n))
            .cloned()
            .collect()
    }

    /// A namespace for a server-side line (`use`, `on`): it exists from now on.
    fn server_ns(&mut self) -> &'static str {
        let ns = match self.rng.below(100) {
            0..=44 => "/",
            45..=74 => "/orders",
            75..=89 => "/admin",
            _ => "/users",
        };
        self.model.declared.insert(ns.to_owned());
        ns
    }

    /// `io.of(…)` chains declare their namespace at their line, also inside
    /// an `on` action.
    fn declare_action(&mut self, action: &Action) {
        if let Action::Chain(Chain {
            head: Head::IoOf { ns, .. },
            ..
        }) = action
        {
            self.model.declared.insert((*ns).to_owned());
        }
    }

    fn room(&mut self) -> String {
        // Mostly a room someone is in (in any namespace), so that
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

    /// A socket's id as a room: mostly a live client's, sometimes a gone
    /// one's (a run-time error), or `socket.id` where there is a socket.
    fn id_ref(&mut self, own: bool) -> Room {
        if own && self.rng.chance(35) {
            return Room::OwnId;
        }
        let absent = self.absent();
        if !absent.is_empty() && (self.model.live.is_empty() || self.rng.chance(10)) {
            return Room::IdOf(self.rng.pick(&absent).clone());
        }
        if self.model.live.is_empty() {
            return Room::Name(self.room());
        }
        Room::IdOf(self.live_name())
    }

    fn link_room(&mut self, ids: Ids) -> Room {
        if ids != Ids::No && self.rng.chance(22) {
            return self.id_ref(ids == Ids::Own);
        }
        Room::Name(self.room())
    }

    fn rooms(&mut self, msg_allowed: bool, ids: Ids) -> Rooms {
        if msg_allowed && self.rng.chance(45) {
            return Rooms::Msg;
        }
        match self.rng.below(10) {
            0 => Rooms::Many(Vec::new()),
            1..=3 => {
                let n = 1 + self.rng.below(3);
                Rooms::Many((0..n).map(|_| self.link_room(ids)).collect())
            }
            _ => Rooms::One(self.link_room(ids)),
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
            // On several servers sharing the official Redis adapter, an
            // integer of 2^64 or more reaches the other servers' sockets
            // corrupted (its msgpack codec: 1e21 arrives as
            // 3875820019684212700), which the engine does not copy: not
            // written there (12345678901234567890 < 2^64 is fine).
            3 if self.model.cluster.is_some() => self
                .rng
                .pick(&[
                    "2.5", "-0.125", "3.14", "1e3", "-3.5e2", "1.0", "2E-1", "1e-7", "-0",
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
                if msg_allowed && self.rng.chance(8) {
                    Slot::Auth(self.rng.one_of(&["user", "user", "token", "flag"]))
                } else if msg_allowed && self.rng.chance(50) {
                    Slot::Msg
                } else {
                    Slot::Lit(self.value(0))
                }
            })
            .collect()
    }

    // ----- statements

    /// The namespace of a `connect`: mostly one that exists; sometimes one
    /// that no server-side line has named yet ("Invalid namespace").
    fn connect_ns(&mut self) -> &'static str {
        let ns = match self.rng.below(100) {
            0..=54 => "/",
            55..=79 => "/orders",
            80..=91 => "/admin",
            _ => "/users",
        };
        if self.model.declared.contains(ns) || self.rng.chance(35) {
            return ns;
        }
        let declared: Vec<&'static str> = NAMESPACES
            .into_iter()
            .filter(|n| self.model.declared.contains(*n))
            .collect();
        if declared.is_empty() || self.rng.chance(50) {
            "/"
        } else {
            self.rng.one_of(&declared)
        }
    }

    fn connect(&mut self) -> String {
        let absent = self.absent();
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
        // A dropped client connecting anew: the old one and its buffer are gone.
        self.model.lost.remove(&name);
        let ns = self.connect_ns();
        // Handshake auth: satisfy the namespace's middlewares most of the
        // time; else some keys are wrong or missing, and the first
        // middleware that refuses gives its message.
        // Its own middlewares and, in whatever order, those of `use *` (v3).
        let mut required = self.model.middlewares.get(ns).cloned().unwrap_or_default();
        for rule in self.model.middlewares.get("*").cloned().unwrap_or_default() {
            if !required.iter().any(|(k, _)| *k == rule.0) {
                required.push(rule);
            }
        }
        let mut auth: Vec<(String, String)> = Vec::new();
        let satisfy = self.rng.chance(60);
        for (key, value) in &required {
            if key == "name" || auth.iter().any(|(k, _)| k == key) {
                continue;
            }
            if satisfy || self.rng.chance(35) {
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
        // v3: a user, whose tabs the connection handler may put in one room.
        let user = self.rng.chance(50).then(|| self.rng.one_of(&USERS));
        if let Some(user) = user
            && !auth.iter().any(|(k, _)| k == "user")
        {
            let at = self.rng.below(auth.len() + 1);
            auth.insert(at, ("user".to_owned(), json_string(user)));
        }
        let mut line = format!("connect {name}");
        if ns != "/" || self.rng.chance(10) {
            line.push(' ');
            line.push_str(ns);
        }
        let (server, label) = self.pick_server();
        if !label.is_empty() {
            line.push(' ');
            line.push_str(&label);
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
        let admitted = self.model.declared.contains(ns)
            && required.iter().all(|(key, value)| {
                if key == "name" {
                    *value == name
                } else {
                    auth.iter()
                        .any(|(k, v)| k == key && *v == json_string(value))
                }
            });
        // An already connected name stays as it is (a run-time error).
        if admitted && !self.model.live.contains_key(&name) {
            self.model.auths.insert(name.clone(), auth.clone());
            match user {
                Some(user) => self.model.users.insert(name.clone(), user.to_owned()),
                None => self.model.users.remove(&name),
            };
            self.model.live.insert(
                name.clone(),
                Live {
                    ns: ns.to_owned(),
                    rooms: BTreeSet::new(),
                    server,
                },
            );
            if let Some(hook) = self.model.on_connection.get(ns).cloned() {
                let sender = Sender {
                    name: name.clone(),
                    ns: ns.to_owned(),
                    server,
                };
                self.run(&hook, &sender, &Value::String(name));
            }
        }
        line
    }

    /// A bare `io.of("/ns")`: mostly a namespace that does not exist yet,
    /// sometimes one that does (it only prints its line again).
    fn declare(&mut self) -> String {
        let undeclared: Vec<&'static str> = NAMESPACES
            .into_iter()
            .filter(|n| !self.model.declared.contains(*n))
            .collect();
        let ns = if !undeclared.is_empty() && self.rng.chance(75) {
            *self.rng.pick(&undeclared)
        } else {
            self.rng.one_of(&["/", "/orders", "/admin", "/users"])
        };
        // `io.of("orders")` means `/orders`, as in Socket.IO.
        let written = if ns != "/" && self.rng.chance(25) {
            &ns[1..]
        } else {
            ns
        };
        self.model.declared.insert(ns.to_owned());
        let g = self.gap;
        format!("io{g}.{g}of({g}{}{g})", json_string(written))
    }

    fn use_middleware(&mut self) -> String {
        let ns = *self
            .rng
            .pick(&["/orders", "/orders", "/admin", "/admin", "/", "/users"]);
        // v3: `use *`, every namespace's (sometimes; never by name).
        let every = self.rng.chance(12);
        let ns = if every { "*" } else { ns };
        // v3: a per-packet middleware (`use /ns packet "EVENT" refuse "MESSAGE"`)
        if !every && self.rng.chance(25) {
            self.model.declared.insert(ns.to_owned());
            let event = *self.rng.pick(&HANDLED);
            let message = self.rng.one_of(&["closed", "not now", "bad token"]);
            return format!(
                "use {ns} packet {} refuse {}",
                json_string(event),
                json_string(message)
            );
        }
        if !every {
            self.model.declared.insert(ns.to_owned());
        }
        let (key, value) = match self.rng.below(5) {
            0 => ("role".to_owned(), "admin".to_owned()),
            1 if every => ("role".to_owned(), "admin".to_owned()),
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
        let mut line = format!("use {ns} require {key} {}", json_string(&value));
        // v2: the middleware's own message, mostly one per key so that two
        // middlewares of a namespace can be told apart.
        if self.rng.chance(55) {
            let message = match (key.as_str(), self.rng.chance(70)) {
                ("role", true) => "admins only",
                ("token", true) => "bad token",
                ("name", true) => "not you",
                _ => self.rng.one_of(&MESSAGES),
            };
            line.push_str(&format!(" else {}", json_string(message)));
            // v3: the refusal's `err.data`, taken from the message (no
            // draw of its own: the scripts of a seed stay as they were)
            if let Some(i) = MESSAGES[1..].iter().position(|m| *m == message) {
                line.push_str(&format!(" data {}", ERROR_DATA[i]));
            }
        }
        line
    }

    fn handler(&mut self) -> String {
        let ns = self.server_ns();
        let event = (*self.rng.pick(&HANDLED)).to_owned();
        let action = self.handler_action(&event);
        self.declare_action(&action);
        let line = self.on_line(ns, &event, &action);
        self.model.handlers.insert((ns.to_owned(), event), action);
        line
    }

    /// `on [/ns] "EVENT": ACTION`, the namespace written when it is not `/`
    /// and sometimes when it is.
    fn on_line(&mut self, ns: &str, event: &str, action: &Action) -> String {
        let written_ns = if ns != "/" || self.rng.chance(15) {
            format!("{ns} ")
        } else {
            String::new()
        };
        let g = self.gap;
        format!(
            "on {written_ns}{}{g}: {}",
            json_string(event),
            render_action(action, g)
        )
    }

    /// `callback(…)`'s arguments: JSON literals and `msg`.
    fn callback_args(&mut self) -> Vec<Slot> {
        match self.rng.below(7) {
            0 => Vec::new(),
            1 => vec![Slot::Msg],
            6 => vec![Slot::Auth("user"), Slot::Msg],
            2 => vec![Slot::Lit(r#"{"status": "ok"}"#.to_owned()), Slot::Msg],
            3 => vec![Slot::Lit(r#"{"status": "ok"}"#.to_owned())],
            _ => self.args(true),
        }
    }

    fn handler_action(&mut self, event: &str) -> Action {
        let callback = if matches!(event, "ask" | "order:create") {
            75
        } else {
            20
        };
        if self.rng.chance(callback) {
            return Action::Callback(self.callback_args());
        }
        Action::Chain(self.handler_chain(event))
    }

    /// A handler's action: the usual patterns most of the time, else any chain.
    fn handler_chain(&mut self, event: &str) -> Chain {
        let socket = |act| Chain {
            head: Head::Socket,
            links: Vec::new(),
            act,
        };
        match (event, self.rng.below(10)) {
            ("join", 0..=5) => socket(Act::Join(Rooms::Msg)),
            ("join", 6) => socket(Act::Join(Rooms::Auth("user"))),
            // To the sender's other tabs (v3).
            ("shout", 6) => Chain {
                head: Head::Socket,
                links: vec![("to", Rooms::Auth("user"))],
                act: Act::Emit {
                    event: Slot::Lit("shout".to_owned()),
                    args: vec![Slot::Msg],
                },
            },
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
            // A reply through the sender's own id room (v2).
            ("echo" | "ask", 7) => Chain {
                head: Head::Io { sockets: false },
                links: vec![("to", Rooms::One(Room::OwnId))],
                act: Act::Emit {
                    event: Slot::Lit("you said".to_owned()),
                    args: vec![Slot::Msg],
                },
            },
            _ => self.chain(true, Ids::Own),
        }
    }

    /// `on [/ns] "connection": …` or `on [/ns] "disconnect": …` (v2).
    fn hook(&mut self) -> String {
        let ns = self.server_ns();
        let event = match self.rng.below(100) {
            0..=49 => "connection",
            50..=74 => "disconnect",
            _ => "disconnecting",
        };
        let mut action = match event {
            "connection" => self.connection_action(),
            "disconnect" => self.disconnect_action(),
            _ => self.disconnecting_action(),
        };
        // v3: a disconnect handler's emit often says why its socket left.
        if let Action::Chain(Chain {
            act: Act::Emit { args, .. },
            ..
        }) = &mut action
            && event != "connection"
            && self.rng.chance(50)
        {
            let at = self.rng.below(args.len() + 1);
            args.insert(at, Slot::Reason);
        }
        self.declare_action(&action);
        let line = self.on_line(ns, event, &action);
        let hooks = match event {
            "connection" => &mut self.model.on_connection,
            "disconnect" => &mut self.model.on_disconnect,
            _ => &mut self.model.on_disconnecting,
        };
        hooks.insert(ns.to_owned(), action);
        line
    }

    /// A notice with the client's name: `HEAD.emit(EVENT, msg)`.
    fn notice(head: Head, event: &str) -> Action {
        Action::Chain(Chain {
            head,
            links: Vec::new(),
            act: Act::Emit {
                event: Slot::Lit(event.to_owned()),
                args: vec![Slot::Msg],
            },
        })
    }

    fn connection_action(&mut self) -> Action {
        let socket = |act| {
            Action::Chain(Chain {
                head: Head::Socket,
                links: Vec::new(),
                act,
            })
        };
        match self.rng.below(20) {
            0..=3 => Self::notice(Head::SocketBroadcast, "user joined"),
            4 => Self::notice(Head::Io { sockets: false }, "user joined"),
            5 => Self::notice(Head::SocketNsp, "user joined"),
            6..=7 => Self::notice(Head::Socket, "welcome"),
            8..=9 => socket(Act::Join(match self.rng.below(10) {
                0..=2 => Rooms::Msg,
                3..=5 => Rooms::Auth("user"),
                _ => self.rooms(false, Ids::No),
            })),
            10 => Action::Chain(Chain {
                head: self
                    .rng
                    .pick(&[Head::Io { sockets: false }, Head::SocketNsp])
                    .clone(),
                links: vec![("to", Rooms::One(Room::OwnId))],
                act: Act::Emit {
                    event: Slot::Lit("hello".to_owned()),
                    args: vec![Slot::Msg],
                },
            }),
            11 => {
                let room = self.room();
                Action::Chain(Chain {
                    head: Head::Socket,
                    links: vec![("to", Rooms::One(Room::Name(room)))],
                    act: Act::Emit {
                        event: Slot::Lit("user joined".to_owned()),
                        args: vec![Slot::Msg],
                    },
                })
            }
            // Every newcomer is sent away at once (rare).
            12 => socket(Act::Disconnect(self.optional_bool())),
            // No client ack here: a run-time error on every connect (rare).
            13 => Action::Callback(vec![Slot::Msg]),
            _ => Action::Chain(self.hook_chain()),
        }
    }

    fn disconnect_action(&mut self) -> Action {
        match self.rng.below(20) {
            0..=3 => Self::notice(Head::Io { sockets: false }, "user left"),
            4..=6 => Self::notice(Head::SocketBroadcast, "user left"),
            7 => Self::notice(Head::SocketNsp, "user left"),
            // The socket has left every room: these reach or do nothing.
            8 => Self::notice(Head::Socket, "bye"),
            9 => Action::Chain(Chain {
                head: self
                    .rng
                    .pick(&[Head::Io { sockets: false }, Head::SocketNsp])
                    .clone(),
                links: vec![("to", Rooms::One(Room::OwnId))],
                act: Act::Emit {
                    event: Slot::Lit("bye".to_owned()),
                    args: vec![Slot::Msg],
                },
            }),
            10 => {
                let rooms = self.rooms(false, Ids::No);
                Action::Chain(Chain {
                    head: Head::Socket,
                    links: Vec::new(),
                    act: Act::Join(rooms),
                })
            }
            // A run-time error each time (rare).
            11 => Action::Callback(Vec::new()),
            // v3: no rooms left, so no filter: everyone else (the trap).
            12 => Action::Chain(Chain {
                head: Head::Socket,
                links: vec![("to", Rooms::Many(vec![Room::OwnRooms]))],
                act: Act::Emit {
                    event: Slot::Lit("user left".to_owned()),
                    args: vec![Slot::Msg],
                },
            }),
            _ => Action::Chain(self.hook_chain()),
        }
    }

    /// `on "disconnecting"` (v3): the socket is still in its rooms.
    fn disconnecting_action(&mut self) -> Action {
        let to_rooms = |head: Head, rooms: Rooms| {
            Action::Chain(Chain {
                head,
                links: vec![("to", rooms)],
                act: Act::Emit {
                    event: Slot::Lit("user left".to_owned()),
                    args: vec![Slot::Msg],
                },
            })
        };
        match self.rng.below(20) {
            0..=5 => to_rooms(Head::Socket, Rooms::Many(vec![Room::OwnRooms])),
            6..=7 => to_rooms(
                Head::Io { sockets: false },
                Rooms::Many(vec![Room::OwnRooms]),
            ),
            8 => {
                let room = Room::Name(self.room());
                to_rooms(Head::Socket, Rooms::Many(vec![room, Room::OwnRooms]))
            }
            9..=10 => to_rooms(Head::Socket, Rooms::Auth("user")),
            11 => Self::notice(Head::SocketBroadcast, "user left"),
            // Its own socket: nobody (its client has gone).
            12 => Self::notice(Head::Socket, "bye"),
            13 => Action::Callback(Vec::new()),
            _ => Action::Chain(self.hook_chain()),
        }
    }

    /// Any chain for a connection or disconnect handler, except those that
    /// disconnect (a handler's disconnections would cascade or depend on the
    /// server's order).
    fn hook_chain(&mut self) -> Chain {
        let mut chain = self.chain(true, Ids::Own);
        if matches!(chain.act, Act::Disconnect(_) | Act::DisconnectSockets(_)) {
            chain.act = Act::Emit {
                event: self.event_slot(true),
                args: self.args(true),
            };
        }
        chain
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
        let handler = self
            .model
            .handlers
            .get(&(ns.clone(), event.clone()))
            .cloned();
        let chain = match &handler {
            Some(Action::Chain(chain)) => Some(chain),
            _ => None,
        };
        let need = chain.map_or(Need::Any, need);
        let mut args: Vec<String> = Vec::new();
        let first: Option<Value> = match need {
            Need::Text => {
                let text = if uses_msg_as_event(chain) {
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
                let value = match self.rooms(false, Ids::No) {
                    Rooms::One(Room::Name(r)) => Value::String(r),
                    Rooms::Many(list) => Value::from(
                        list.into_iter()
                            .map(|r| match r {
                                Room::Name(r) => r,
                                _ => unreachable!("no ids here"),
                            })
                            .collect::<Vec<String>>(),
                    ),
                    _ => unreachable!("neither msg nor ids here"),
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
        // v2: an acknowledgement, mostly where the handler calls `callback`;
        // a `callback` without one is a run-time error.
        let ack = match handler {
            Some(Action::Callback(_)) => self.rng.chance(80),
            _ => self.rng.chance(15),
        };
        let g = self.gap;
        let v3 = if ack {
            self.client_ack_form(&name, &event, &args)
        } else {
            None
        };
        let mut line = format!("{name}{g}> socket{g}.{g}emit({g}{}", json_string(&event));
        for arg in &args {
            line.push_str(self.comma());
            line.push_str(arg);
        }
        if ack {
            line.push_str(self.comma());
            line.push_str("ack");
        }
        line.push_str(&format!("{g})"));
        let line = v3.unwrap_or(line);
        if let Some(action) = handler {
            // The first argument the client sent, as the handler sees it.
            let msg = match first {
                Some(value) => value,
                None => args
                    .first()
                    .and_then(|a| serde_json::from_str(a).ok())
                    .unwrap_or(Value::Null),
            };
            let server = self.model.live[&name].server;
            let sender = Sender { name, ns, server };
            self.run(&action, &sender, &msg);
        }
        line
    }

    fn socket_statement(&mut self) -> String {
        let name = self.live_name();
        let mut chain = self.chain(false, Ids::Own);
        // Only `socket.…` chains here.
        if matches!(chain.head, Head::Io { .. } | Head::IoOf { .. }) {
            chain.head = self
                .rng
                .pick(&[Head::SocketBroadcast, Head::SocketNsp, Head::Socket])
                .clone();
            if matches!(chain.head, Head::Socket) && chain.links.is_empty() {
                chain.links.push(("to", self.rooms(false, Ids::Own)));
            }
        }
        self.named_statement(&name, &chain)
    }

    /// `NAME: CHAIN`, carried out on the model.
    fn named_statement(&mut self, name: &str, chain: &Chain) -> String {
        let line = format!("{name}{}: {}", self.gap, render(chain, self.gap));
        let sender = Sender {
            name: name.to_owned(),
            ns: self.model.live[name].ns.clone(),
            server: self.model.live[name].server,
        };
        self.apply(chain, Some(&sender), &Value::Null);
        line
    }

    /// A top-level `io.…` line, carried out on the model.
    fn io_line(&mut self, chain: &Chain) -> String {
        self.declare_action(&Action::Chain(chain.clone()));
        let at = self.at();
        let line = format!("{at}{}", render(chain, self.gap));
        self.apply(chain, None, &Value::Null);
        line
    }

    fn io_statement(&mut self) -> String {
        let mut chain = self.chain(false, Ids::Named);
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
        self.io_line(&chain)
    }

    /// v3: `[@A ]io[.of(…)][.in(…)][.except(…)].fetchSockets()`, a query
    /// that changes nothing.
    fn fetch_statement(&mut self) -> String {
        let g = self.gap;
        let head = self.io_head();
        let mut line = match &head {
            Head::IoOf { written, ns } => {
                self.model.declared.insert((*ns).to_owned());
                format!("io{g}.{g}of({g}{}{g})", json_string(written))
            }
            Head::Io { sockets: true } => format!("io{g}.{g}sockets"),
            _ => "io".to_owned(),
        };
        for _ in 0..self.rng.below(3) {
            let kind = self.rng.one_of(&["in", "to", "except"]);
            let rooms = self.rooms(false, Ids::Named);
            line.push_str(&format!("{g}.{g}{kind}({g}{}{g})", render_rooms(&rooms)));
        }
        let at = self.at();
        format!("{at}{line}{g}.{g}fetchSockets({g})")
    }

    /// The v2 id-room forms: private messages, the `socket.to(socket.id)`
    /// trap, ids mixed with room names, and actions on one socket by its id.
    fn id_statement(&mut self) -> String {
        let name = self.live_name();
        let ns = self.model.live[&name].ns.clone();
        let peers: Vec<String> = self
            .model
            .live
            .iter()
            .filter(|(n, l)| **n != name && l.ns == ns)
            .map(|(n, _)| n.clone())
            .collect();
        let peer = if !peers.is_empty() && self.rng.chance(80) {
            self.rng.pick(&peers).clone()
        } else {
            self.live_name()
        };
        let peer_ns = self.model.live[&peer].ns.clone();
        let emit = Act::Emit {
            event: Slot::Lit(self.event()),
            args: self.args(false),
        };
        let id = |n: &str| Rooms::One(Room::IdOf(n.to_owned()));
        let chain = |head, links, act| Chain { head, links, act };
        match self.rng.below(9) {
            0 | 1 => {
                let head = self.head_for(&peer_ns);
                let kind = self.rng.one_of(&["to", "to", "in"]);
                self.io_line(&chain(head, vec![(kind, id(&peer))], emit))
            }
            2 => self.named_statement(&name, &chain(Head::Socket, vec![("to", id(&peer))], emit)),
            // The trap: `socket.to` leaves the sender out.
            3 => {
                let own = if self.rng.chance(50) {
                    Rooms::One(Room::OwnId)
                } else {
                    id(&name)
                };
                self.named_statement(&name, &chain(Head::Socket, vec![("to", own)], emit))
            }
            4 => self.named_statement(
                &name,
                &chain(Head::SocketNsp, vec![("to", Rooms::One(Room::OwnId))], emit),
            ),
            5 => {
                let room = self.room();
                let head = self.head_for(&ns);
                let links = vec![
                    (
                        "to",
                        Rooms::Many(vec![Room::Name(room), Room::IdOf(peer.clone())]),
                    ),
                    ("except", id(&name)),
                ];
                self.io_line(&chain(head, links, emit))
            }
            6 => {
                let head = self.head_for(&peer_ns);
                let rooms = self.rooms(false, Ids::No);
                self.io_line(&chain(
                    head,
                    vec![("in", id(&peer))],
                    Act::SocketsJoin(rooms),
                ))
            }
            7 => {
                let head = self.head_for(&peer_ns);
                let kind = self.rng.one_of(&["in", "to"]);
                let act = Act::DisconnectSockets(self.optional_bool());
                self.io_line(&chain(head, vec![(kind, id(&peer))], act))
            }
            _ => {
                let head = self.head_for(&ns);
                let links = vec![("except", Rooms::Many(vec![Room::IdOf(peer.clone())]))];
                self.io_line(&chain(head, links, emit))
            }
        }
    }

    /// `io`, `io.sockets` or `io.of(ns)` for namespace `ns`.
    fn head_for(&mut self, ns: &str) -> Head {
        if ns == "/" {
            return self
                .rng
                .pick(&[
                    Head::Io { sockets: false },
                    Head::Io { sockets: false },
                    Head::Io { sockets: true },
                    Head::IoOf {
                        written: "/",
                        ns: "/",
                    },
                ])
                .clone();
        }
        let ns = NAMESPACES
            .into_iter()
            .find(|n| *n == ns)
            .expect("a namespace of the list");
        Head::IoOf { written: ns, ns }
    }

    fn join_or_leave(&mut self) -> String {
        let name = self.live_name();
        let act = if self.rng.chance(65) {
            Act::Join(self.rooms(false, Ids::No))
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
        self.named_statement(&name, &chain)
    }

    fn client_disconnect(&mut self) -> String {
        let name = self.live_name();
        self.leave(&name);
        format!("disconnect {name}")
    }

    fn server_disconnect(&mut self) -> String {
        let name = self.live_name();
        if self.rng.chance(25) {
            let room = if self.rng.chance(25) {
                Room::IdOf(name.clone())
            } else {
                Room::Name(self.room())
            };
            let chain = Chain {
                head: self.io_head(),
                links: vec![("in", Rooms::One(room))],
                act: Act::DisconnectSockets(self.optional_bool()),
            };
            return self.io_line(&chain);
        }
        let chain = Chain {
            head: Head::Socket,
            links: Vec::new(),
            act: Act::Disconnect(self.optional_bool()),
        };
        self.named_statement(&name, &chain)
    }

    /// A statement about a client that was connected once and is gone now.
    fn about_absent(&mut self, absent: &[String]) -> String {
        let name = self.rng.pick(absent).clone();
        match self.rng.below(9) {
            0 => format!("disconnect {name}"),
            1 => format!("{name}> socket.emit(\"relay\", \"news\")"),
            2 => format!("{name}> socket.emit(\"ask\", 1, ack)"),
            3 => format!("{name}: socket.join(\"room1\")"),
            4 => format!("{name}: socket.broadcast.emit(\"chat\", 1)"),
            // A gone client has no id (v2).
            5 => format!("{}io.to({name}.id).emit(\"dm\", \"too late\")", self.at()),
            6 => {
                let live = self.live_name();
                format!("{live}: socket.to([\"lobby\", {name}.id]).emit(\"dm\")")
            }
            7 => format!("{}io.except({name}.id).emit(\"news\", 1)", self.at()),
            _ => format!("{name}: socket.emit(\"news\")"),
        }
    }

    /// An emit of a reserved event name: refused with a run-time error.
    fn reserved_emit(&mut self) -> String {
        let event = json_string(self.rng.one_of(&RESERVED));
        let name = self.live_name();
        match self.rng.below(5) {
            0 => format!("{name}> socket.emit({event}, 1)"),
            // The client refuses it before sending: no ack line.
            1 => format!("{name}> socket.emit({event}, ack)"),
            2 => format!("{name}: socket.emit({event})"),
            3 => format!("{name}: socket.broadcast.emit({event}, \"x\")"),
            _ => format!("{}io.to(\"room1\").emit({event})", self.at()),
        }
    }

    fn optional_bool(&mut self) -> Option<bool> {
        match self.rng.below(3) {
            0 => Some(true),
            1 => Some(false),
            _ => None,
        }
    }

    /// `io`, `io.sockets` or `io.of(…)` (which declares its namespace).
    fn io_head(&mut self) -> Head {
        match self.rng.below(11) {
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
            9 => Head::IoOf {
                written: "/admin",
                ns: "/admin",
            },
            _ => Head::IoOf {
                written: "/users",
                ns: "/users",
            },
        }
    }

    /// Any chain of the language; `msg` may appear when `msg_allowed`, and
    /// the ids that `ids` allows in `.to/.in/.except`.
    fn chain(&mut self, msg_allowed: bool, ids: Ids) -> Chain {
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
            links.push((kind, self.rooms(msg_allowed, ids)));
        }
        let single = matches!(head, Head::Socket) && links.is_empty();
        let roll = self.rng.below(100);
        let act = if single {
            match roll {
                0..=49 => Act::Emit {
                    event: self.event_slot(msg_allowed),
                    args: self.args(msg_allowed),
                },
                50..=74 => Act::Join(self.rooms(msg_allowed, Ids::No)),
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
                70..=81 => Act::SocketsJoin(self.rooms(msg_allowed, Ids::No)),
                82..=93 => Act::SocketsLeave(self.rooms(msg_allowed, Ids::No)),
                _ => {
                    // Keep mass disconnections narrow: to a room most of the time.
                    if links.iter().all(|(k, _)| *k == "except") && self.rng.chance(80) {
                        links.push(("in", Rooms::One(Room::Name(self.room()))));
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

    /// Carries out an `on` action with `sender`'s socket and `msg`.
    /// `callback(…)` changes nothing (with no `ack` it is an error).
    fn run(&mut self, action: &Action, sender: &Sender, msg: &Value) {
        if let Action::Chain(chain) = action {
            self.apply(chain, Some(sender), msg);
        }
    }

    /// A socket leaves (either side): it leaves every room, then its
    /// namespace's disconnect handler runs.
    fn leave(&mut self, name: &str) {
        let Some(live) = self.model.live.get(name).cloned() else {
            return;
        };
        // v3: `disconnecting` runs first, the socket still in its rooms.
        if let Some(hook) = self.model.on_disconnecting.get(&live.ns).cloned() {
            let sender = Sender {
                name: name.to_owned(),
                ns: live.ns.clone(),
                server: live.server,
            };
            self.run(&hook, &sender, &Value::String(name.to_owned()));
        }
        let Some(live) = self.model.live.remove(name) else {
            return;
        };
        if let Some(hook) = self.model.on_disconnect.get(&live.ns).cloned() {
            let sender = Sender {
                name: name.to_owned(),
                ns: live.ns,
                server: live.server,
            };
            self.run(&hook, &sender, &Value::String(name.to_owned()));
        }
    }

    /// Carries out `chain` on the model, with `sender`'s socket and `msg`.
    fn apply(&mut self, chain: &Chain, sender: Option<&Sender>, msg: &Value) {
        let live = &self.model.live;
        // A room as the server sees it: an id room is named after its socket.
        let users = &self.model.users;
        let key = |room: &Room| -> Option<Vec<String>> {
            match room {
                Room::Name(r) => Some(vec![r.clone()]),
                Room::OwnId => sender.map(|s| vec![id_room(&s.name)]),
                // A client that is not connected has no id: a run-time error.
                Room::IdOf(n) => live.contains_key(n).then(|| vec![id_room(n)]),
                // The rooms it is in now: none once it has left (`disconnect`).
                Room::OwnRooms => Some(
                    sender
                        .and_then(|s| live.get(&s.name).map(|l| (s, l)))
                        .map(|(s, l)| {
                            std::iter::once(id_room(&s.name))
                                .chain(l.rooms.iter().cloned())
                                .collect()
                        })
                        .unwrap_or_default(),
                ),
            }
        };
        let resolve = |rooms: &Rooms| -> Option<Vec<String>> {
            match rooms {
                Rooms::One(r) => key(r),
                Rooms::Many(list) => list
                    .iter()
                    .map(key)
                    .collect::<Option<Vec<_>>>()
                    .map(|lists| lists.concat()),
                // A client without `auth.user`: a run-time error.
                Rooms::Auth(key) => sender
                    .filter(|_| *key == "user")
                    .and_then(|s| users.get(&s.name))
                    .map(|user| vec![user.clone()]),
                Rooms::Msg => Some(match msg {
                    Value::String(s) => vec![s.clone()],
                    Value::Array(items) => items
                        .iter()
                        .filter_map(|v| v.as_str().map(str::to_owned))
                        .collect(),
                    _ => Vec::new(),
                }),
            }
        };
        let mut to = BTreeSet::new();
        let mut except = BTreeSet::new();
        for (kind, rooms) in &chain.links {
            let Some(resolved) = resolve(rooms) else {
                return;
            };
            if *kind == "except" {
                except.extend(resolved);
            } else {
                to.extend(resolved);
            }
        }
        if let Act::Emit { .. } = chain.act {
            return;
        }
        // Who the action is for: the sender's own socket, or a selection.
        let single = matches!(chain.head, Head::Socket) && chain.links.is_empty();
        let sender_ns = sender.map_or("/", |s| s.ns.as_str());
        // Without an adapter a server reaches only its own sockets.
        let origin = sender.map_or(self.model.origin, |s| s.server);
        let local = self.model.cluster.as_ref().is_some_and(|c| !c.adapter);
        let ns = match &chain.head {
            Head::Io { .. } => "/",
            Head::IoOf { ns, .. } => ns,
            Head::Socket | Head::SocketBroadcast | Head::SocketNsp => sender_ns,
        }
        .to_owned();
        let selected: Vec<String> = if single {
            // In a disconnect handler the socket is already gone: nothing.
            sender
                .filter(|s| live.contains_key(&s.name))
                .map(|s| s.name.clone())
                .into_iter()
                .collect()
        } else {
            let excluded = match chain.head {
                Head::Socket | Head::SocketBroadcast => sender.map(|s| s.name.as_str()),
                _ => None,
            };
            live.iter()
                .filter(|(name, l)| {
                    let own = id_room(name);
                    let member =
                        |set: &BTreeSet<String>| set.contains(&own) || !l.rooms.is_disjoint(set);
                    l.ns == ns
                        && (!local || l.server == origin)
                        && Some(name.as_str()) != excluded
                        && !member(&except)
                        && (to.is_empty() || member(&to))
                })
                .map(|(name, _)| name.clone())
                .collect()
        };
        // What it does to each: `join`/`socketsJoin` alike, and so on.
        let (joined, left): (Vec<String>, Vec<String>) = match &chain.act {
            Act::Join(rooms) | Act::SocketsJoin(rooms) => {
                (resolve(rooms).unwrap_or_default(), Vec::new())
            }
            Act::SocketsLeave(rooms) => (Vec::new(), resolve(rooms).unwrap_or_default()),
            Act::Leave(room) => {
                let room = match room {
                    Slot::Lit(r) => r.clone(),
                    Slot::Msg => msg.as_str().unwrap_or_default().to_owned(),
                    Slot::Auth(_) | Slot::Reason => return,
                };
                (Vec::new(), vec![room])
            }
            Act::Disconnect(_) | Act::DisconnectSockets(_) => {
                // Who hears which notice would depend on the server's order.
                let hooks = [
                    self.model.on_disconnect.get(&ns),
                    self.model.on_disconnecting.get(&ns),
                ];
                if selected.len() >= 2 && hooks.into_iter().flatten().any(order_sensitive) {
                    self.model.hazard = true;
                }
                for name in &selected {
                    self.leave(name);
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

/// The model's name for NAME's id room: no real room name has a NUL.
fn id_room(name: &str) -> String {
    format!("\0id:{name}")
}

/// Whether a disconnect handler's outcome depends on the order in which one
/// step's sockets leave: its emits reach those not gone yet, and `NAME.id`
/// fails once NAME is gone.
fn order_sensitive(action: &Action) -> bool {
    match action {
        Action::Callback(_) => false,
        Action::Chain(chain) => {
            matches!(chain.act, Act::Emit { .. })
                || chain.links.iter().any(|(_, rooms)| match rooms {
                    Rooms::One(r) => matches!(r, Room::IdOf(_)),
                    Rooms::Many(list) => list.iter().any(|r| matches!(r, Room::IdOf(_))),
                    Rooms::Msg | Rooms::Auth(_) => false,
                })
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

fn render_room(room: &Room) -> String {
    match room {
        Room::Name(r) => json_string(r),
        Room::IdOf(name) => format!("{name}.id"),
        Room::OwnId => "socket.id".to_owned(),
        Room::OwnRooms => "...socket.rooms".to_owned(),
    }
}

fn render_rooms(rooms: &Rooms) -> String {
    match rooms {
        Rooms::One(r) => render_room(r),
        Rooms::Many(list) if list.iter().all(|r| matches!(r, Room::Name(_))) => {
            let names: Vec<String> = list
                .iter()
                .map(|r| match r {
                    Room::Name(n) => n.clone(),
                    _ => unreachable!("names only"),
                })
                .collect();
            Value::from(names).to_string()
        }
        Rooms::Many(list) => {
            let items: Vec<String> = list.iter().map(render_room).collect();
            format!("[{}]", items.join(", "))
        }
        Rooms::Msg => "msg".to_owned(),
        Rooms::Auth(key) => format!("socket.handshake.auth.{key}"),
    }
}

fn render_slot(slot: &Slot) -> String {
    match slot {
        Slot::Lit(text) => text.clone(),
        Slot::Msg => "msg".to_owned(),
        Slot::Auth(key) => format!("socket.handshake.auth.{key}"),
        Slot::Reason => "reason".to_owned(),
    }
}

/// An `on` line's action as written.
fn render_action(action: &Action, gap: &str) -> String {
    match action {
        Action::Chain(chain) => render(chain, gap),
        Action::Callback(args) => {
            let args: Vec<String> = args.iter().map(render_slot).collect();
            format!("callback({gap}{}{gap})", args.join(", "))
        }
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
            let event = render_slot(&match event {
                Slot::Lit(e) => Slot::Lit(json_string(e)),
                other => other.clone(),
            });
            let mut all = vec![event];
            all.extend(args.iter().map(render_slot));
            call("emit", all.join(&format!("{g},{g} ")))
        }
        Act::Join(r) => call("join", render_rooms(r)),
        Act::Leave(Slot::Lit(r)) => call("leave", json_string(r)),
        Act::Leave(slot) => call("leave", render_slot(slot)),
        Act::Disconnect(b) => call("disconnect", bool_arg(b)),
        Act::SocketsJoin(r) => call("socketsJoin", render_rooms(r)),
        Act::SocketsLeave(r) => call("socketsLeave", render_rooms(r)),
        Act::DisconnectSockets(b) => call("disconnectSockets", bool_arg(b)),
    };
    out.push_str(&act);
    out
}

#[test]
fn scripts_are_deterministic_and_use_every_v2_form() {
    assert_eq!(script(7, 80), script(7, 80));
    assert_ne!(script(7, 80), script(8, 80));
    // Every statement of seeds 1..=60, white space and `;` taken out.
    let lines: Vec<String> = (1..=60)
        .flat_map(|seed| {
            script(seed, 80)
                .lines()
                .map(|l| l.split_whitespace().collect::<String>())
                .map(|l| l.trim_end_matches(';').to_owned())
                .collect::<Vec<_>>()
        })
        .collect();
    let any = |what: &str, test: &dyn Fn(&str) -> bool| {
        assert!(lines.iter().any(|l| test(l)), "no {what} in 60 scripts");
    };
    any("bare io.of declaration", &|l| {
        l.starts_with("io.of(") && l.matches('(').count() == 1
    });
    any("io.of chain", &|l| {
        l.starts_with("io.of(") && l.contains(").to(")
    });
    any("io.of inside an on action", &|l| {
        l.starts_with("on") && l.contains(":io.of(")
    });
    any("use on a namespace", &|l| l.starts_with("use/users"));
    any("use * (every namespace)", &|l| l.starts_with("use*require"));
    any("use … else", &|l| {
        l.starts_with("use") && l.contains("else\"")
    });
    any("use … data", &|l| {
        l.starts_with("use") && l.contains("data")
    });
    any("on /ns", &|l| l.starts_with("on/"));
    any("connection handler", &|l| {
        l.starts_with("on") && l.contains("\"connection\":")
    });
    any("disconnect handler", &|l| {
        l.starts_with("on") && l.contains("\"disconnect\":")
    });
    any("client emit with ack", &|l| {
        l.contains(">socket.emit(") && l.ends_with(",ack)")
    });
    any("callback handler", &|l| {
        l.starts_with("on") && l.contains(":callback(")
    });
    any("NAME.id alone", &|l| {
        l.contains("(bob.id)") || l.contains("(alice.id)")
    });
    any("NAME.id in an array", &|l| {
        l.contains(".id]") || l.contains(".id,")
    });
    any("socket.id in a NAME: line", &|l| {
        !l.starts_with("on") && l.contains(":socket") && l.contains("socket.id")
    });
    any("socket.id in an on action", &|l| {
        l.starts_with("on") && l.contains("socket.id")
    });
    acks::uses_every_form(&any);
    // v3
    any("connect with a user", &|l| {
        l.starts_with("connect") && l.contains("\"user\":")
    });
    any("join by the handshake's user", &|l| {
        l.contains("\"connection\":socket.join(socket.handshake.auth.user)")
    });
    any("auth value as an emit argument", &|l| {
        l.contains(".emit(") && l.contains(",socket.handshake.auth.")
    });
    any("auth value in callback", &|l| {
        l.contains("callback(socket.handshake.auth.user")
    });
    any("disconnecting handler", &|l| {
        l.contains("\"disconnecting\":")
    });
    any("...socket.rooms in disconnecting", &|l| {
        l.contains("\"disconnecting\":") && l.contains("[...socket.rooms]")
    });
    any("reason in a disconnect handler", &|l| {
        l.contains("\"disconnect\":") && (l.contains(",reason") || l.contains("(reason"))
    });
    any("reason in a disconnecting handler", &|l| {
        l.contains("\"disconnecting\":") && (l.contains(",reason") || l.contains("(reason"))
    });
    any("...socket.rooms in disconnect", &|l| {
        l.contains("\"disconnect\":") && l.contains("[...socket.rooms]")
    });
}

#[test]
fn cluster_scripts_are_deterministic_and_use_every_cluster_form() {
    assert_eq!(cluster_script(7, 60), cluster_script(7, 60));
    let lines: Vec<String> = (1..=30)
        .flat_map(|seed| {
            cluster_script(seed, 60)
                .lines()
                .map(|l| l.trim().trim_end_matches(';').trim().to_owned())
                .collect::<Vec<_>>()
        })
        .collect();
    let any = |what: &str, test: &dyn Fn(&str) -> bool| {
        assert!(
            lines.iter().any(|l| test(l)),
            "no {what} in 30 cluster scripts"
        );
    };
    any("servers without adapter", &|l| {
        l.starts_with("servers ") && !l.ends_with("with adapter")
    });
    any("servers with adapter", &|l| {
        l.starts_with("servers ") && l.ends_with("with adapter")
    });
    any("three servers", &|l| l.starts_with("servers A B C"));
    any("connect @", &|l| {
        l.starts_with("connect ") && l.contains(" @")
    });
    any("@LABEL io line", &|l| {
        l.starts_with('@') && l.contains(" io")
    });
    any("socketsJoin on a server", &|l| {
        l.starts_with('@') && l.contains("socketsJoin(")
    });
    any("disconnectSockets on a server", &|l| {
        l.starts_with('@') && l.contains("disconnectSockets(")
    });
    any("disconnect handler", &|l| l.contains("\"disconnect\":"));
    any("fetchSockets on a server", &|l| {
        l.starts_with('@') && l.contains("fetchSockets(")
    });
    any("join", &|l| l.contains(".join("));
    // A mid-script `servers` line: at least one script declares servers twice.
    assert!(
        (1..=30).any(|seed| {
            cluster_script(seed, 60)
                .lines()
                .filter(|l| l.trim().starts_with("servers "))
                .count()
                >= 2
        }),
        "no script declares fresh servers again"
    );
}
