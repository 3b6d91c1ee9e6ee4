//! `io[.of(…)][.in(…)].fetchSockets()` (v3): what a server finds, by
//! client name, with each socket's rooms and server, held against the
//! servers' own state (every server's sockets with an adapter, the
//! server's own without).

use std::collections::{BTreeMap, BTreeSet};

use super::Engine;
use super::trace::Trace;
use crate::cluster::Place;
use crate::report::{Fetched, Outcome, StepReport};
use crate::script::{Arg, Expr, Room, Scope, Statement};

impl Engine {
    /// Runs a `fetchSockets()` statement.
    pub(super) async fn fetch_sockets(
        &mut self,
        statement: &Statement,
        expr: &Expr,
    ) -> anyhow::Result<StepReport> {
        let mut trace = Trace::new(statement);
        let label = statement.server.as_deref();
        let places = self.cluster.places();
        let outcome = match self.cluster.fetch(label, expr).await {
            Err(message) => Outcome::Error(message),
            Ok(found) => {
                let mut sockets = BTreeMap::new();
                for socket in found {
                    let Some(name) = socket.name else {
                        trace.mismatch(format!(
                            "fetchSockets() found a socket no client of the run holds ({})",
                            socket.id
                        ));
                        continue;
                    };
                    let server = places.get(&name).and_then(|p| p.server.clone());
                    let rooms = socket.rooms.into_iter().collect();
                    sockets.insert(name, Fetched { server, rooms });
                }
                let predicted = self.predicted_fetch(label, expr, &places);
                if predicted != sockets {
                    trace.mismatch(format!(
                        "the servers' state predicted {predicted:?}, but fetchSockets() found {sockets:?}"
                    ));
                }
                Outcome::Sockets(sockets)
            }
        };
        Ok(trace.report(outcome))
    }

    /// What the servers' state says `fetchSockets()` should find.
    fn predicted_fetch(
        &self,
        label: Option<&str>,
        expr: &Expr,
        places: &BTreeMap<String, Place>,
    ) -> BTreeMap<String, Fetched> {
        let Expr::Broadcast {
            scope: Scope::Namespace(ns),
            to,
            except,
            ..
        } = expr
        else {
            return BTreeMap::new();
        };
        let shared = self.cluster.bus().is_some_and(|bus| bus.is_shared());
        let in_any = |name: &str, place: &Place, lists: &[Arg<Vec<Room>>]| {
            lists.iter().filter_map(Arg::lit).flatten().any(|room| match room {
                Room::Name(room) => place.rooms.contains(room),
                Room::IdOf(other) => other == name,
                Room::OwnId | Room::OwnRooms => false,
            })
        };
        places
            .iter()
            .filter(|(_, place)| place.ns == *ns)
            .filter(|(_, place)| shared || label.is_none() || place.server.as_deref() == label)
            .filter(|(name, place)| to.is_empty() || in_any(name, place, to))
            .filter(|(name, place)| !in_any(name, place, except))
            .map(|(name, place)| {
                let fetched = Fetched {
                    server: place.server.clone(),
                    rooms: place.rooms.iter().cloned().collect::<BTreeSet<_>>().into_iter().collect(),
                };
                (name.clone(), fetched)
            })
            .collect()
    }
}
