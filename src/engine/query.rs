//! `io[.of(…)][.in(…)].fetchSockets()` (v3): what a server finds, by
//! client name, with each socket's rooms and server, held against the
//! servers' own state (every server's sockets with an adapter, the
//! server's own without), which also says why each other client was not
//! found.

use std::collections::BTreeMap;

use super::Engine;
use super::trace::Trace;
use crate::cluster::Place;
use crate::report::{Fetched, Outcome, Reason, StepReport};
use crate::script::{Arg, Expr, Room, Scope, Statement};

/// What the servers' state says a fetch finds, and why it misses the rest.
type Predicted = (BTreeMap<String, Fetched>, BTreeMap<String, Reason>);

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
            Ok(sockets) => {
                let mut found = BTreeMap::new();
                for socket in sockets {
                    let Some(name) = socket.name else {
                        trace.mismatch(format!(
                            "fetchSockets() found a socket no client of the run holds ({})",
                            socket.id
                        ));
                        continue;
                    };
                    let server = places.get(&name).and_then(|p| p.server.clone());
                    let rooms = socket.rooms.into_iter().collect();
                    found.insert(name, Fetched { server, rooms });
                }
                let (predicted, mut missed) = self.predicted_fetch(label, expr, &places);
                if predicted != found {
                    trace.mismatch(format!(
                        "the servers' state predicted {predicted:?}, but fetchSockets() found {found:?}"
                    ));
                }
                for name in found.keys() {
                    missed.remove(name);
                }
                for name in predicted.keys().filter(|n| !found.contains_key(*n)) {
                    missed.insert(name.clone(), Reason::NotDelivered);
                }
                Outcome::Sockets { found, missed }
            }
        };
        Ok(trace.report(outcome))
    }

    /// What the servers' state says `fetchSockets()` should find, and why
    /// each other connected client is not found.
    fn predicted_fetch(
        &self,
        label: Option<&str>,
        expr: &Expr,
        places: &BTreeMap<String, Place>,
    ) -> Predicted {
        let mut found = BTreeMap::new();
        let mut missed = BTreeMap::new();
        let Expr::Broadcast {
            scope: Scope::Namespace(ns),
            to,
            except,
            ..
        } = expr
        else {
            return (found, missed);
        };
        let shared = self.cluster.bus().is_some_and(|bus| bus.is_shared());
        let rooms_of = |lists: &[Arg<Vec<Room>>]| -> Vec<Room> {
            lists
                .iter()
                .filter_map(Arg::lit)
                .flatten()
                .cloned()
                .collect()
        };
        let (to, except) = (rooms_of(to), rooms_of(except));
        let holds = |name: &str, place: &Place, room: &Room| match room {
            Room::Name(room) => place.rooms.contains(room),
            Room::IdOf(other) => other == name,
            Room::OwnId | Room::OwnRooms => false,
        };
        for (name, place) in places {
            let reason = if place.ns != *ns {
                Some(Reason::OtherNamespace {
                    own: place.ns.clone(),
                    target: ns.clone(),
                })
            } else if !shared
                && label.is_some()
                && place.server.as_deref() != label
                && let Some(server) = &place.server
            {
                Some(Reason::OtherServer {
                    server: server.clone(),
                })
            } else if !to.is_empty() && !to.iter().any(|r| holds(name, place, r)) {
                Some(Reason::NotInRooms { rooms: to.clone() })
            } else {
                except
                    .iter()
                    .find(|r| holds(name, place, r))
                    .map(|room| Reason::Excepted { room: room.clone() })
            };
            match reason {
                Some(reason) => {
                    missed.insert(name.clone(), reason);
                }
                None => {
                    let fetched = Fetched {
                        server: place.server.clone(),
                        rooms: place.rooms.iter().cloned().collect(),
                    };
                    found.insert(name.clone(), fetched);
                }
            }
        }
        (found, missed)
    }
}
