//! What to ask before each statement: it follows the statements as they go
//! by (handlers, middlewares, namespaces, who connected where, who is away)
//! to know when a step emits, waits for an ack, may refuse a connect, or
//! brings back a client that was away while something was sent.

use std::collections::{BTreeMap, BTreeSet};

use super::answer::{Question, quoted};
use crate::script::{
    Action, Arg, BroadcastAction, Expr, Link, SocketAction, Statement, StatementKind,
};

/// Decides, statement by statement, what to ask before it runs: who will
/// receive (when it emits, itself or through a handler it sets off),
/// whether a connect will be admitted (when a middleware guards its
/// namespace, or the namespace is not declared), what an `ack` callback
/// will get, and whether a client that left by itself gets, on connecting
/// again, what was sent while it was away. It follows the statements as
/// they go by, to know the handlers, middlewares, namespaces and absences.
#[derive(Debug, Clone)]
pub struct Asker {
    /// Namespaces the server has (declared so far).
    declared: BTreeSet<String>,
    /// Namespaces with a middleware.
    guarded: BTreeSet<String>,
    /// Handlers by namespace and event (`connection` and `disconnect`
    /// included): the event their action emits, if it emits one.
    handlers: BTreeMap<(String, String), Option<String>>,
    /// Each client's namespace, from its connect.
    namespace_of: BTreeMap<String, String>,
    /// Clients that left (`disconnect NAME`, `NAME: socket.disconnect()`):
    /// the events sent since, in order, each once.
    away: BTreeMap<String, Vec<String>>,
    /// Clients whose connection is lost (`drop NAME`): the events their
    /// client buffered since, sent when it reconnects.
    lost: BTreeMap<String, Vec<String>>,
}

impl Default for Asker {
    fn default() -> Self {
        Asker {
            declared: BTreeSet::from(["/".to_owned()]),
            guarded: BTreeSet::new(),
            handlers: BTreeMap::new(),
            namespace_of: BTreeMap::new(),
            away: BTreeMap::new(),
            lost: BTreeMap::new(),
        }
    }
}

impl Asker {
    /// Every client name connected so far (admitted or not).
    pub fn clients(&self) -> BTreeSet<String> {
        self.namespace_of.keys().cloned().collect()
    }

    /// The questions to ask before `statement`, in order (none, one, or
    /// two: who receives and what comes back to the ack; whether a
    /// returning client is admitted and whether it gets what it missed);
    /// then takes the statement in.
    pub fn questions(&mut self, statement: &Statement) -> Vec<Question> {
        let mut questions: Vec<Question> = self.question_before(statement).into_iter().collect();
        if let StatementKind::ClientEmit {
            name,
            event,
            ack: true,
            form,
            ..
        } = &statement.kind
        {
            let (name, event) = (name.clone(), quoted(event));
            questions.push(match form.promise {
                true => Question::Promise { name, event },
                false => Question::Ack { name, event },
            });
        }
        // v3: a socket's ask: what the server's callback gets from its client.
        if let StatementKind::Ask {
            socket: Some(name),
            expr: expr @ Expr::Socket(_),
            ..
        } = &statement.kind
            && let Some(event) = emitted(expr)
        {
            questions.push(Question::Answer {
                name: name.clone(),
                event,
            });
        }
        // v3: a broadcast's ask: who will answer it.
        if let StatementKind::Ask {
            expr: expr @ Expr::Broadcast { .. },
            ..
        } = &statement.kind
            && let Some(event) = emitted(expr)
        {
            questions.push(Question::Answerers { event });
        }
        let returning = match &statement.kind {
            StatementKind::Connect { name, .. } | StatementKind::Link(Link::Reconnect { name }) => {
                Some(name)
            }
            _ => None,
        };
        if let Some(name) = returning
            && let Some(missed) = self.away.remove(name)
            && !missed.is_empty()
        {
            questions.push(Question::Missed {
                name: name.clone(),
                events: missed,
            });
        }
        if let Some(event) = self.sends(statement) {
            for missed in self.away.values_mut() {
                if !missed.contains(&event) {
                    missed.push(event.clone());
                }
            }
        }
        self.declared
            .extend(statement.declares().into_iter().map(str::to_owned));
        match &statement.kind {
            StatementKind::Use { ns, .. } => {
                self.guarded.insert(ns.clone());
            }
            StatementKind::On { ns, event, action } => {
                let emits = match action {
                    Action::Expr(expr) => emitted(expr),
                    Action::Callback(_) => None,
                };
                self.handlers.insert((ns.clone(), event.clone()), emits);
            }
            StatementKind::Connect { name, ns, .. } => {
                self.namespace_of.insert(name.clone(), ns.clone());
                self.lost.remove(name);
            }
            StatementKind::Link(Link::Reconnect { name }) => {
                self.lost.remove(name);
            }
            StatementKind::ClientEmit { name, event, .. } => {
                if let Some(buffered) = self.lost.get_mut(name) {
                    buffered.push(event.clone());
                }
            }
            // Gone: by itself, or its socket disconnected by the server.
            StatementKind::Disconnect { name }
            | StatementKind::Server {
                socket: Some(name),
                expr: Expr::Socket(SocketAction::Disconnect { .. }),
            } => {
                self.away.insert(name.clone(), Vec::new());
            }
            StatementKind::Link(Link::Drop { name }) => {
                self.away.insert(name.clone(), Vec::new());
                self.lost.insert(name.clone(), Vec::new());
            }
            // Fresh servers: every client of the run is gone.
            StatementKind::Servers { .. } => {
                self.away.clear();
                self.lost.clear();
            }
            _ => {}
        }
        questions
    }

    /// The event `statement` sends to clients, itself or through the
    /// handler it sets off, when its name is known before it runs.
    fn sends(&self, statement: &Statement) -> Option<String> {
        let handler = |ns: &str, event: &str| {
            self.handlers
                .get(&(ns.to_owned(), event.to_owned()))
                .cloned()
                .flatten()
        };
        let ns_of = |name: &str| self.namespace_of.get(name).map_or("/", String::as_str);
        let event = match &statement.kind {
            StatementKind::Server { expr, .. } | StatementKind::Ask { expr, .. } => emitted(expr),
            // An emit of a client that is away sends nothing now.
            StatementKind::ClientEmit { name, event, .. } if !self.away.contains_key(name) => {
                handler(ns_of(name), event)
            }
            StatementKind::Connect { ns, .. } => handler(ns, CONNECTION),
            StatementKind::Disconnect { name } | StatementKind::Link(Link::Drop { name }) => {
                handler(ns_of(name), DISCONNECT).or_else(|| handler(ns_of(name), DISCONNECTING))
            }
            StatementKind::Link(Link::Reconnect { name }) => handler(ns_of(name), CONNECTION),
            StatementKind::Link(Link::VolatileEmit { name, event, .. })
                if !self.away.contains_key(name) =>
            {
                handler(ns_of(name), event)
            }
            _ => None,
        };
        // `msg` as the event (`the event`): its name is known only when it runs.
        event.and_then(|quoted| serde_json::from_str(&quoted).ok())
    }

    fn question_before(&self, statement: &Statement) -> Option<Question> {
        let handler_emits = |ns: &str, event: &str| -> Option<Question> {
            self.handlers
                .get(&(ns.to_owned(), event.to_owned()))
                .cloned()
                .flatten()
                .map(|what| Question::Receivers { what })
        };
        match &statement.kind {
            StatementKind::Server { expr, .. } if crate::script::is_fetch(expr) => {
                Some(Question::Found {
                    server: statement.server.clone(),
                })
            }
            StatementKind::Server { expr, .. } | StatementKind::Ask { expr, .. } => {
                emitted(expr).map(|what| Question::Receivers { what })
            }
            // Asked even when nothing will come back: silence would give
            // the answer away.
            // Worded the same whether a handler emits or not, for the
            // same reason.
            StatementKind::ClientEmit { event, .. }
            | StatementKind::Link(Link::VolatileEmit { event, .. }) => Some(Question::Receivers {
                what: format!("anything from this {}", quoted(event)),
            }),
            StatementKind::Connect { name, ns, .. } => {
                let guarded = self.guarded.contains(ns) || self.guarded.contains("*");
                if guarded || !self.declared.contains(ns) {
                    Some(Question::Admission { name: name.clone() })
                } else {
                    handler_emits(ns, CONNECTION)
                }
            }
            StatementKind::Disconnect { name } | StatementKind::Link(Link::Drop { name }) => {
                let ns = self.namespace_of.get(name).map_or("/", String::as_str);
                // With both, the one that runs last (v3 `disconnecting` first).
                handler_emits(ns, DISCONNECT).or_else(|| handler_emits(ns, DISCONNECTING))
            }
            StatementKind::Link(Link::Reconnect { name }) => {
                let ns = self.namespace_of.get(name).map_or("/", String::as_str);
                let buffered = self.lost.get(name).filter(|events| !events.is_empty());
                handler_emits(ns, CONNECTION).or_else(|| {
                    buffered.map(|_| Question::Receivers {
                        what: format!("anything from what {name}'s client buffered"),
                    })
                })
            }
            _ => None,
        }
    }
}

/// The handler names that run when a socket connects and disconnects.
const CONNECTION: &str = "connection";
const DISCONNECT: &str = "disconnect";
const DISCONNECTING: &str = "disconnecting";

/// The event an expression emits, quoted (`the event` when `msg` names
/// it); `None` when it emits nothing.
fn emitted(expr: &Expr) -> Option<String> {
    let event = match expr {
        Expr::Socket(SocketAction::Emit { event, .. })
        | Expr::Broadcast {
            action: BroadcastAction::Emit { event, .. },
            ..
        } => event,
        _ => return None,
    };
    Some(match event {
        Arg::Lit(name) => quoted(name),
        Arg::Msg | Arg::Auth(_) | Arg::Reason => "the event".to_owned(),
    })
}
