//! What to ask before each statement: it follows the statements as they go
//! by (handlers, middlewares, namespaces, who connected where) to know when
//! a step emits or a connect may be refused.

use std::collections::{BTreeMap, BTreeSet};

use super::answer::Question;
use crate::script::{Action, BroadcastAction, Expr, SocketAction, Statement, StatementKind};

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
    /// included): whether their action emits.
    handlers: BTreeMap<(String, String), bool>,
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
                let emits = matches!(action, Action::Expr(expr) if emits(expr));
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
        let handler_emits = |ns: &str, event: &str| {
            self.handlers
                .get(&(ns.to_owned(), event.to_owned()))
                .copied()
                .unwrap_or(false)
        };
        match &statement.kind {
            StatementKind::Server { expr, .. } if emits(expr) => Some(Question::Receivers),
            StatementKind::ClientEmit { name, event, .. } => {
                let ns = self.namespace_of.get(name).map_or("/", String::as_str);
                handler_emits(ns, event).then_some(Question::Receivers)
            }
            StatementKind::Connect { name, ns, .. } => {
                if self.guarded.contains(ns) || !self.declared.contains(ns) {
                    Some(Question::Admission { name: name.clone() })
                } else {
                    handler_emits(ns, CONNECTION).then_some(Question::Receivers)
                }
            }
            StatementKind::Disconnect { name } => {
                let ns = self.namespace_of.get(name).map_or("/", String::as_str);
                handler_emits(ns, DISCONNECT).then_some(Question::Receivers)
            }
            _ => None,
        }
    }
}

/// The handler names that run when a socket connects and disconnects.
const CONNECTION: &str = "connection";
const DISCONNECT: &str = "disconnect";

/// Whether an expression emits an event.
fn emits(expr: &Expr) -> bool {
    matches!(
        expr,
        Expr::Socket(SocketAction::Emit { .. })
            | Expr::Broadcast {
                action: BroadcastAction::Emit { .. },
                ..
            }
    )
}
