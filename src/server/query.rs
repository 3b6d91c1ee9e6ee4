//! `fetchSockets()` on the live server (v3): the sockets an
//! `io[.of(…)][.in(…)]` selection finds, each with its rooms.
//!
//! socketioxide's `fetch_sockets` returns each socket's id, server and
//! namespace only (`RemoteSocketData`), where the official server's
//! `RemoteSocket` carries its rooms and `data` too: the rooms take one more
//! adapter request per socket (`RemoteSocket::rooms`, a round-trip to the
//! other servers with an adapter).

use std::collections::BTreeSet;

use super::perform::{Actor, select};
use super::{Server, ServerAdapter, lock};
use crate::protocol::{WAIT_BOUND, wait_bound};
use crate::script::Expr;

/// A socket that `fetchSockets()` found: its client's name (an unknown id
/// as it is) and its rooms, without its own id room.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    pub name: Option<String>,
    pub id: String,
    pub rooms: BTreeSet<String>,
}

impl<A: ServerAdapter> Server<A> {
    /// Runs `io[.of(…)][.in(…)].fetchSockets()` on this server.
    pub async fn fetch(&self, expr: &Expr) -> Result<Vec<Found>, String> {
        let Expr::Broadcast {
            scope, to, except, ..
        } = expr
        else {
            return Err("fetchSockets() runs on `io`".to_owned());
        };
        let actor = Actor::new(&self.io, &self.shared, None);
        let op = select(&actor, scope, to, except)?;
        let failed = |what: &str, e: &dyn std::fmt::Display| {
            self.shared.adapter_failed(format!("{what} failed: {e}"))
        };
        let fetching = async {
            let sockets = op
                .fetch_sockets()
                .await
                .map_err(|e| failed("fetchSockets", &e))?;
            let names = lock(&self.shared.directory).clone();
            let mut found = Vec::new();
            for socket in sockets {
                let id = socket.data().id.to_string();
                let rooms = socket
                    .rooms()
                    .await
                    .map_err(|e| failed("a fetched socket's rooms", &e))?;
                let name = names
                    .iter()
                    .find(|(_, known)| **known == id)
                    .map(|(name, _)| name.clone());
                let rooms = rooms
                    .into_iter()
                    .map(|r| r.into_owned())
                    .filter(|r| *r != id)
                    .collect();
                found.push(Found { name, id, rooms });
            }
            Ok(found)
        };
        tokio::time::timeout(WAIT_BOUND, fetching)
            .await
            .unwrap_or_else(|_| {
                Err(format!(
                    "fetchSockets() took over {}: the other servers did not answer",
                    wait_bound()
                ))
            })
    }
}
