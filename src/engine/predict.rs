//! Predicts from the server's state who an action reaches, and says why
//! each other client is left out: the official server's selection rules,
//! written once, as plain functions over a snapshot.

use std::collections::{BTreeMap, BTreeSet};

use crate::report::{Absence, Reason};
use crate::script::Room;

/// A client of the run as the server knows it before a step.
#[derive(Debug, Clone, PartialEq)]
pub enum View {
    Connected {
        ns: String,
        /// Its rooms, without the room named after its own id.
        rooms: BTreeSet<String>,
        /// Its server's label on a cluster (`None` on one server).
        server: Option<String>,
    },
    Absent(Absence),
}

/// Every client of the run, by name.
pub type Snapshot = BTreeMap<String, View>;

/// Which sockets an action is for.
#[derive(Debug, Clone, PartialEq)]
pub struct Selection {
    pub ns: String,
    pub pick: Pick,
    /// The one server whose sockets a broadcast can reach, when the servers
    /// share nothing; `None` when it can reach every socket.
    pub origin: Option<String>,
    /// The chain's socket is the one whose connection handler runs: it
    /// sent nothing, so a broadcast leaves it out as the connecting socket,
    /// not as a sender.
    pub connecting: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Pick {
    /// `socket.…` itself: that client only.
    Only(String),
    /// A broadcast: the namespace, narrowed by rooms.
    Broadcast {
        /// The sender, when the chain started at `socket` (left out).
        excluded_sender: Option<String>,
        /// The union of every `to`/`in`; empty means the whole namespace.
        /// Id rooms name their client (`socket.id` is already the sender's).
        to: BTreeSet<Room>,
        except: BTreeSet<Room>,
    },
}

/// For every client of the run: reached, or the reason it is not.
pub fn select(snapshot: &Snapshot, selection: &Selection) -> BTreeMap<String, Result<(), Reason>> {
    snapshot
        .iter()
        .map(|(name, view)| (name.clone(), verdict(name, view, selection)))
        .collect()
}

/// The names `select` reaches.
pub fn reached(snapshot: &Snapshot, selection: &Selection) -> BTreeSet<String> {
    select(snapshot, selection)
        .into_iter()
        .filter_map(|(name, verdict)| verdict.is_ok().then_some(name))
        .collect()
}

fn verdict(name: &str, view: &View, selection: &Selection) -> Result<(), Reason> {
    let (ns, rooms) = match view {
        View::Absent(why) => return Err(Reason::NotConnected(why.clone())),
        View::Connected { ns, rooms, server } => {
            if let (Pick::Broadcast { .. }, Some(origin)) = (&selection.pick, &selection.origin)
                && server.as_ref() != Some(origin)
            {
                return Err(Reason::OtherServer {
                    server: server.clone().unwrap_or_default(),
                });
            }
            (ns, rooms)
        }
    };
    let (excluded_sender, to, except) = match &selection.pick {
        // `socket.emit` goes to its own client, whatever the namespaces.
        Pick::Only(target) if target == name => return Ok(()),
        Pick::Only(target) => {
            return Err(Reason::NotTheTarget {
                target: target.clone(),
            });
        }
        Pick::Broadcast {
            excluded_sender,
            to,
            except,
        } => (excluded_sender, to, except),
    };
    if *ns != selection.ns {
        return Err(Reason::OtherNamespace {
            own: ns.clone(),
            target: selection.ns.clone(),
        });
    }
    // Every socket is in the room named after its own id, and only it.
    let is_in = |room: &Room| match room {
        Room::Name(room) => rooms.contains(room),
        Room::IdOf(owner) => owner == name,
        // Resolved before a selection is made: never here.
        Room::OwnId | Room::OwnRooms => false,
    };
    if excluded_sender.as_deref() == Some(name) {
        return Err(Reason::Sender {
            despite_rooms: to.iter().filter(|r| is_in(r)).cloned().collect(),
            connecting: selection.connecting,
        });
    }
    if let Some(room) = except.iter().find(|r| is_in(r)) {
        return Err(Reason::Excepted { room: room.clone() });
    }
    if !to.is_empty() && !to.iter().any(is_in) {
        return Err(Reason::NotInRooms {
            rooms: to.iter().cloned().collect(),
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    //! The selection rules of `tour-script.md`, one test each.
    use super::*;

    fn connected(ns: &str, rooms: &[&str]) -> View {
        View::Connected {
            ns: ns.to_owned(),
            rooms: rooms.iter().map(|r| r.to_string()).collect(),
            server: None,
        }
    }

    fn snapshot() -> Snapshot {
        BTreeMap::from([
            ("alice".to_owned(), connected("/", &["room1"])),
            ("bob".to_owned(), connected("/", &["room1", "room2"])),
            ("carol".to_owned(), connected("/orders", &["room1"])),
            ("dave".to_owned(), connected("/", &[])),
            (
                "eve".to_owned(),
                View::Absent(Absence::Rejected("unauthorized".to_owned())),
            ),
        ])
    }

    fn broadcast(sender: Option<&str>, to: &[&str], except: &[&str]) -> Selection {
        Selection {
            ns: "/".to_owned(),
            pick: Pick::Broadcast {
                excluded_sender: sender.map(str::to_owned),
                to: to.iter().map(|r| Room::Name(r.to_string())).collect(),
                except: except.iter().map(|r| Room::Name(r.to_string())).collect(),
            },
            origin: None,
            connecting: false,
        }
    }

    fn names(set: BTreeSet<String>) -> Vec<String> {
        set.into_iter().collect()
    }

    #[test]
    fn socket_to_excludes_the_sender_even_in_the_room() {
        let sel = broadcast(Some("alice"), &["room1"], &[]);
        assert_eq!(names(reached(&snapshot(), &sel)), ["bob"]);
        assert_eq!(
            select(&snapshot(), &sel)["alice"],
            Err(Reason::Sender {
                despite_rooms: vec![Room::Name("room1".to_owned())],
                connecting: false,
            })
        );
    }

    #[test]
    fn a_connection_handlers_broadcast_leaves_the_newcomer_out_as_no_sender() {
        let mut sel = broadcast(Some("dave"), &[], &[]);
        sel.connecting = true;
        let verdict = select(&snapshot(), &sel).remove("dave").unwrap();
        assert_eq!(
            verdict,
            Err(Reason::Sender {
                despite_rooms: vec![],
                connecting: true,
            })
        );
        let words = crate::report::explain(&verdict.unwrap_err());
        assert!(words.starts_with("the connecting socket:"), "{words}");
        assert!(!words.contains("sender"), "{words}");
    }

    #[test]
    fn several_rooms_reach_the_union_once() {
        let sel = broadcast(None, &["room1", "room2"], &[]);
        assert_eq!(names(reached(&snapshot(), &sel)), ["alice", "bob"]);
    }

    #[test]
    fn except_beats_to() {
        let sel = broadcast(None, &["room1"], &["room1"]);
        assert!(reached(&snapshot(), &sel).is_empty());
        assert_eq!(
            select(&snapshot(), &sel)["bob"],
            Err(Reason::Excepted {
                room: Room::Name("room1".to_owned())
            })
        );
    }

    #[test]
    fn no_rooms_means_the_whole_namespace_only() {
        let sel = broadcast(None, &[], &[]);
        assert_eq!(names(reached(&snapshot(), &sel)), ["alice", "bob", "dave"]);
        assert_eq!(
            select(&snapshot(), &sel)["carol"],
            Err(Reason::OtherNamespace {
                own: "/orders".to_owned(),
                target: "/".to_owned()
            })
        );
    }

    #[test]
    fn absent_clients_are_reported_not_connected() {
        let sel = broadcast(None, &[], &[]);
        assert!(matches!(
            select(&snapshot(), &sel)["eve"],
            Err(Reason::NotConnected(Absence::Rejected(_)))
        ));
    }

    #[test]
    fn an_id_room_holds_its_own_socket_only() {
        let mut sel = broadcast(None, &[], &[]);
        if let Pick::Broadcast { to, .. } = &mut sel.pick {
            to.insert(Room::IdOf("bob".to_owned()));
        }
        assert_eq!(names(reached(&snapshot(), &sel)), ["bob"]);
        // From alice's socket to her own id: nobody (the sender is left out).
        let mut sel = broadcast(Some("alice"), &[], &[]);
        if let Pick::Broadcast { to, .. } = &mut sel.pick {
            to.insert(Room::IdOf("alice".to_owned()));
        }
        assert!(reached(&snapshot(), &sel).is_empty());
        assert_eq!(
            select(&snapshot(), &sel)["alice"],
            Err(Reason::Sender {
                despite_rooms: vec![Room::IdOf("alice".to_owned())],
                connecting: false,
            })
        );
    }

    #[test]
    fn without_an_adapter_a_broadcast_stays_on_its_server() {
        let mut snap = snapshot();
        for (name, server) in [("alice", "A"), ("bob", "B"), ("dave", "A")] {
            if let Some(View::Connected { server: s, .. }) = snap.get_mut(name) {
                *s = Some(server.to_owned());
            }
        }
        let mut sel = broadcast(None, &[], &[]);
        sel.origin = Some("A".to_owned());
        assert_eq!(names(reached(&snap, &sel)), ["alice", "dave"]);
        assert_eq!(
            select(&snap, &sel)["bob"],
            Err(Reason::OtherServer {
                server: "B".to_owned()
            })
        );
    }

    #[test]
    fn socket_emit_reaches_its_own_client_only() {
        let sel = Selection {
            ns: "/".to_owned(),
            pick: Pick::Only("dave".to_owned()),
            origin: None,
            connecting: false,
        };
        assert_eq!(names(reached(&snapshot(), &sel)), ["dave"]);
        // Not "another namespace": the emit was for dave alone.
        assert_eq!(
            select(&snapshot(), &sel)["carol"],
            Err(Reason::NotTheTarget {
                target: "dave".to_owned()
            })
        );
    }
}
