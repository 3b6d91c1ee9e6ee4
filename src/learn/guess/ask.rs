//! What to ask before each statement: it follows the statements as they go
//! by (handlers, middlewares, namespaces, who connected where) to know when
//! a step emits or a connect may be refused.

use std::collections::{BTreeMap, BTreeSet};

use super::answer::Question;
use crate::script::{Action, Arg, BroadcastAction, Expr, SocketAction, Statement, StatementKind};

/// Decides, statement by statement, what to ask before it runs: who will
/// receive (when it emits, itself or through a handler it sets off), or
/// whether a connect will be admitted (when a middleware guards its
/// namespace, or the namespace is not declared). It follows the statements
/// as they go by, to know the handlers, middlewares and namespaces.
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
}

impl Default for Asker {
    fn default() -> Self {
        Asker {
            declared: BTreeSet::from(["/".to_owned()]),
            guarded: BTreeSet::new(),
            handlers: BTreeMap::new(),
            namespace_of: BTreeMap::new(),
        }
    }
}

impl Asker {
    /// Every client name connected so far (admitted or not).
    pub fn clients(&self) -> BTreeSet<String> {
        self.namespace_of.keys().cloned().collect()
    }

    /// The question to ask before `statement`, if any; then takes it in.
    pub fn question(&mut self, statement: &Statement) -> Option<Question> {
        let question = self.question_before(statement);
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
            }
            _ => {}
        }
        question
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
            StatementKind::Server { expr, .. } => {
                emitted(expr).map(|what| Question::Receivers { what })
            }
            // Asked even when nothing will come back: silence would give
            // the answer away.
            // Worded the same whether a handler emits or not, for the
            // same reason.
            StatementKind::ClientEmit { event, .. } => Some(Question::Receivers {
                what: format!(
                    "anything from this {}",
                    serde_json::Value::String(event.clone())
                ),
            }),
            StatementKind::Connect { name, ns, .. } => {
                if self.guarded.contains(ns) || !self.declared.contains(ns) {
                    Some(Question::Admission { name: name.clone() })
                } else {
                    handler_emits(ns, CONNECTION)
                }
            }
            StatementKind::Disconnect { name } => {
                let ns = self.namespace_of.get(name).map_or("/", String::as_str);
                handler_emits(ns, DISCONNECT)
            }
            _ => None,
        }
    }
}

/// The handler names that run when a socket connects and disconnects.
const CONNECTION: &str = "connection";
const DISCONNECT: &str = "disconnect";

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
        Arg::Lit(name) => serde_json::Value::String(name.clone()).to_string(),
        Arg::Msg => "the event".to_owned(),
    })
}
