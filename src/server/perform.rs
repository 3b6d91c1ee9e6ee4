//! Server-side actions carried out on the live server: on one socket, or
//! on the sockets a namespace and its rooms select.

use std::future::Future;

use serde::Serialize;
use serde_json::Value;
use std::any::TypeId;

use socketioxide::adapter::{Adapter, LocalAdapter};
use socketioxide::extract::SocketRef;
use socketioxide::operators::BroadcastOperators;
use socketioxide::{BroadcastError, SocketIo};

use tokio::sync::oneshot;

use super::{Shared, lock};
use crate::protocol::{self, WAIT_BOUND, wait_bound};
use crate::script::{Arg, BroadcastAction, Expr, Room, Scope, SocketAction};
use crate::script::{DISCONNECT, DISCONNECTING};

/// Who carries out an action, and what its ids mean: the server, the
/// sender's socket (if any), and every client's current socket id.
pub(super) struct Actor<'a, A: Adapter> {
    io: &'a SocketIo<A>,
    shared: &'a Shared<A>,
    sender: Option<&'a SocketRef<A>>,
    /// Client name → its socket's id, for `NAME.id`.
    ids: std::collections::BTreeMap<String, String>,
    /// The sender is leaving (its disconnect handler runs): Socket.IO has
    /// already taken it out of every room and of its namespace, while
    /// socketioxide still holds it there until the handler returns.
    leaving: bool,
}

impl<'a, A: Adapter> Actor<'a, A> {
    pub(super) fn new(
        io: &'a SocketIo<A>,
        shared: &'a Shared<A>,
        sender: Option<&'a SocketRef<A>>,
    ) -> Self {
        // Every server's clients: `NAME.id` names a client wherever it is
        // connected (a room that only its own server holds).
        let ids = lock(&shared.directory).clone();
        Actor {
            io,
            shared,
            sender,
            ids,
            leaving: false,
        }
    }

    /// The same, for a sender whose `disconnecting` handler runs as
    /// `name`: on the official server it is still connected, so `NAME.id`
    /// still names it (the engine's directory has let it go already).
    pub(super) fn still_named(mut self, name: &str) -> Self {
        if let Some(socket) = self.sender {
            self.ids
                .entry(name.to_owned())
                .or_insert_with(|| socket.id.to_string());
        }
        self
    }

    /// The same, for a sender whose disconnect handler runs.
    pub(super) fn leaving(mut self) -> Self {
        self.leaving = true;
        self
    }

    /// The room a `.to/.in/.except` argument names on the live server.
    fn room(&self, room: &Room) -> Result<String, String> {
        match room {
            Room::Name(name) => Ok(name.clone()),
            Room::IdOf(name) => self
                .ids
                .get(name)
                .cloned()
                .ok_or_else(|| format!("client {name} is not connected")),
            Room::OwnId => Ok(self.sender.ok_or("`socket` needs a client")?.id.to_string()),
            Room::OwnRooms => Err("internal: `...socket.rooms` was not resolved".to_owned()),
        }
    }

    fn rooms(&self, rooms: &Arg<Vec<Room>>) -> Result<Vec<String>, String> {
        lit(rooms)?.iter().map(|r| self.room(r)).collect()
    }
}

/// An action, with the engine's bound on how long it may take.
pub(super) async fn bounded(
    action: impl Future<Output = Result<(), String>>,
) -> Result<(), String> {
    tokio::time::timeout(WAIT_BOUND, action)
        .await
        .unwrap_or_else(|_| {
            Err(format!(
                "the server took over {} to carry this out",
                wait_bound()
            ))
        })
}

/// Arguments of an emit, serialized as separate Socket.IO arguments
/// (socketioxide takes a tuple as several arguments, a `Vec` as one).
pub(super) struct Args<'a>(pub(super) &'a [Value]);

impl Serialize for Args<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeTuple;
        let mut tuple = serializer.serialize_tuple(self.0.len())?;
        for arg in self.0 {
            tuple.serialize_element(arg)?;
        }
        tuple.end()
    }
}

pub(super) fn lits<T: Clone>(args: &[Arg<T>]) -> Result<Vec<T>, String> {
    args.iter()
        .map(|a| {
            a.lit()
                .cloned()
                .ok_or_else(|| "`msg` is only known inside a handler".to_owned())
        })
        .collect()
}

pub(super) fn lit<T: Clone>(arg: &Arg<T>) -> Result<T, String> {
    arg.lit()
        .cloned()
        .ok_or_else(|| "`msg` is only known inside a handler".to_owned())
}

/// The official server throws on reserved names; socketioxide would send them.
pub(super) fn check_event(event: &str) -> Result<(), String> {
    match protocol::refusal(event) {
        Some(refusal) => Err(refusal.to_string()),
        None => Ok(()),
    }
}

/// Runs a resolved expression on the live server.
pub(super) async fn perform<A: Adapter>(actor: &Actor<'_, A>, expr: &Expr) -> Result<(), String> {
    match expr {
        // A leaving socket is in no room and no namespace any more: what
        // it does to itself reaches nobody and changes nothing.
        Expr::Socket(_) if actor.leaving => Ok(()),
        Expr::Socket(action) => {
            let socket = actor.sender.ok_or("`socket` needs a client")?;
            perform_on_socket(socket, action)
        }
        Expr::Broadcast {
            scope,
            to,
            except,
            action,
        } => {
            let selected = || {
                let mut op = select(actor, scope, to, except)?;
                if actor.leaving
                    && let Some(socket) = actor.sender
                {
                    // It is still in its own id room here: that takes it out.
                    op = op.except(socket.id.to_string());
                }
                Ok::<_, String>(op)
            };
            if let BroadcastAction::DisconnectSockets { .. } = action {
                let ns = match scope {
                    Scope::Namespace(ns) => ns.clone(),
                    _ => actor
                        .sender
                        .ok_or("`socket` needs a client")?
                        .ns()
                        .to_owned(),
                };
                if has_disconnect_hook(actor.shared, &ns) {
                    let mut rooms = Vec::new();
                    for list in to {
                        rooms.extend(actor.rooms(list)?);
                    }
                    disconnect_in_turn(actor, &rooms, selected()?).await;
                    if TypeId::of::<A>() == TypeId::of::<LocalAdapter>() {
                        return Ok(());
                    }
                    // The other servers' sockets: through the adapter.
                }
            }
            perform_on_sockets(actor.shared, selected()?, action).await
        }
    }
}

fn has_disconnect_hook<A: Adapter>(shared: &Shared<A>, ns: &str) -> bool {
    let handlers = lock(&shared.handlers);
    [DISCONNECT, DISCONNECTING]
        .iter()
        .any(|event| handlers.contains_key(&(ns.to_owned(), (*event).to_owned())))
}

/// `disconnectSockets()` in a namespace with a disconnect handler, as the
/// official server does it: the selected sockets one after another (those
/// in the first `to` room first, each room's in the order they connected;
/// every socket in connection order without rooms), each one's disconnect
/// handler running to its end, its socket gone from its rooms, before the
/// next socket is disconnected. socketioxide would spawn every handler at
/// once, racing the remaining disconnects. Only this server's sockets.
async fn disconnect_in_turn<A: Adapter>(
    actor: &Actor<'_, A>,
    to: &[String],
    op: BroadcastOperators<A>,
) {
    let shared = actor.shared;
    let mut sockets: Vec<(usize, u64, SocketRef<A>)> = {
        let admitted = lock(&shared.admitted);
        op.sockets()
            .into_iter()
            // A socket whose own disconnect handler runs has already left.
            .filter(|s| s.connected())
            .map(|s| {
                let rooms = s.rooms();
                let rank = to
                    .iter()
                    .position(|room| rooms.iter().any(|r| r.as_ref() == room.as_str()))
                    .unwrap_or(0);
                let admission = admitted.get(&s.id).copied().unwrap_or(u64::MAX);
                (rank, admission, s)
            })
            .collect()
    };
    sockets.sort_by_key(|(rank, admission, _)| (*rank, *admission));
    for (_, _, socket) in sockets {
        if !socket.connected() {
            // Disconnected meanwhile by an earlier socket's handler.
            continue;
        }
        let id = socket.id;
        let ns = socket.ns().to_owned();
        // Only a tour client's socket runs the handler that says it is done.
        let registered = lock(&shared.sockets).values().any(|s| s.id == id);
        let done = registered.then(|| {
            let (tx, rx) = oneshot::channel();
            lock(&shared.hook_waiters).insert(id, tx);
            rx
        });
        if socket.disconnect().is_err() {
            lock(&shared.hook_waiters).remove(&id);
            continue;
        }
        if let Some(done) = done {
            // A dropped sender: the handler is gone; nothing more to wait for.
            let _ = done.await;
        }
        // socketioxide takes the socket out of its rooms right after its
        // handler returns, in the handler's own task.
        while actor
            .io
            .of(ns.as_str())
            .is_some_and(|op| op.get_socket(id).is_some())
        {
            tokio::task::yield_now().await;
        }
    }
}

/// An action on the sender's own socket.
fn perform_on_socket<A: Adapter>(
    socket: &SocketRef<A>,
    action: &SocketAction,
) -> Result<(), String> {
    match action {
        SocketAction::Emit { event, args } => {
            let event = lit(event)?;
            check_event(&event)?;
            socket
                .emit(&event, &Args(&lits(args)?))
                .map_err(|e| format!("emit failed: {e}"))
        }
        SocketAction::Join(rooms) => {
            socket.join(lit(rooms)?);
            Ok(())
        }
        SocketAction::Leave(room) => {
            socket.leave(lit(room)?);
            Ok(())
        }
        // One connection per client here, so closing the connection
        // (`true`) and leaving the namespace disconnect the same socket.
        SocketAction::Disconnect { close: _ } => socket
            .clone()
            .disconnect()
            .map_err(|e| format!("disconnect failed: {e}")),
    }
}

/// The sockets a broadcast selects: its scope, narrowed by rooms.
pub(super) fn select<A: Adapter>(
    actor: &Actor<'_, A>,
    scope: &Scope,
    to: &[Arg<Vec<Room>>],
    except: &[Arg<Vec<Room>>],
) -> Result<BroadcastOperators<A>, String> {
    let (io, sender) = (actor.io, actor.sender);
    let mut op: BroadcastOperators<A> = match scope {
        Scope::Namespace(ns) => io
            .of(ns)
            .ok_or_else(|| format!("namespace {ns} does not exist"))?,
        Scope::SenderNamespace => {
            let socket = sender.ok_or("`socket` needs a client")?;
            io.of(socket.ns())
                .ok_or_else(|| format!("namespace {} does not exist", socket.ns()))?
        }
        // `socket.to`/`in`/`except`/`broadcast` all leave the sender out
        // in Socket.IO; socketioxide's `within` would not.
        Scope::SenderExcluded => sender.ok_or("`socket` needs a client")?.broadcast(),
    };
    for rooms in to {
        op = op.to(actor.rooms(rooms)?);
    }
    for rooms in except {
        op = op.except(actor.rooms(rooms)?);
    }
    Ok(op)
}

/// An action on every socket `op` selects. A failure of the adapter (the
/// other servers could not be reached) is remembered on the server too.
async fn perform_on_sockets<A: Adapter>(
    shared: &Shared<A>,
    op: BroadcastOperators<A>,
    action: &BroadcastAction,
) -> Result<(), String> {
    let adapter = |what: &str, e: &dyn std::fmt::Display| {
        shared.adapter_failed(format!("{what} failed: {e}"))
    };
    match action {
        BroadcastAction::Emit { event, args } => {
            let event = lit(event)?;
            check_event(&event)?;
            match op.emit(&event, &Args(&lits(args)?)).await {
                Ok(()) => Ok(()),
                // A socket that is closing but not yet removed: the
                // others still got it, as they would from Socket.IO.
                Err(BroadcastError::Socket(_)) => Ok(()),
                Err(e @ BroadcastError::Adapter(_)) => Err(adapter("emit", &e)),
                Err(e) => Err(format!("emit failed: {e}")),
            }
        }
        BroadcastAction::SocketsJoin(rooms) => op
            .join(lit(rooms)?)
            .await
            .map_err(|e| adapter("socketsJoin", &e)),
        BroadcastAction::SocketsLeave(rooms) => op
            .leave(lit(rooms)?)
            .await
            .map_err(|e| adapter("socketsLeave", &e)),
        BroadcastAction::DisconnectSockets { close: _ } => match op.disconnect().await {
            Ok(()) | Err(BroadcastError::Socket(_)) => Ok(()),
            Err(e @ BroadcastError::Adapter(_)) => Err(adapter("disconnectSockets", &e)),
            Err(e) => Err(format!("disconnectSockets failed: {e}")),
        },
        // A query: `Server::fetch` runs it (see `fetch.rs`).
        BroadcastAction::FetchSockets => Err("fetchSockets() is a query of its own".to_owned()),
    }
}
