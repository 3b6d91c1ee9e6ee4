//! Server-side actions carried out on the live server: on one socket, or
//! on the sockets a namespace and its rooms select.

use std::future::Future;

use serde::Serialize;
use serde_json::Value;
use socketioxide::extract::SocketRef;
use socketioxide::operators::BroadcastOperators;
use socketioxide::{BroadcastError, SocketIo};

use crate::protocol::{self, WAIT_BOUND, wait_bound};
use crate::script::{Arg, BroadcastAction, Expr, Scope, SocketAction};

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
struct Args<'a>(&'a [Value]);

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
pub(super) async fn perform(
    io: &SocketIo,
    sender: Option<&SocketRef>,
    expr: &Expr,
) -> Result<(), String> {
    match expr {
        Expr::Socket(action) => {
            let socket = sender.ok_or("`socket` needs a client")?;
            perform_on_socket(socket, action)
        }
        Expr::Broadcast {
            scope,
            to,
            except,
            action,
        } => {
            let op = select(io, sender, scope, to, except)?;
            perform_on_sockets(op, action).await
        }
    }
}

/// An action on the sender's own socket.
fn perform_on_socket(socket: &SocketRef, action: &SocketAction) -> Result<(), String> {
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
fn select(
    io: &SocketIo,
    sender: Option<&SocketRef>,
    scope: &Scope,
    to: &[Arg<Vec<String>>],
    except: &[Arg<Vec<String>>],
) -> Result<BroadcastOperators, String> {
    let mut op: BroadcastOperators = match scope {
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
        op = op.to(lit(rooms)?);
    }
    for rooms in except {
        op = op.except(lit(rooms)?);
    }
    Ok(op)
}

/// An action on every socket `op` selects.
async fn perform_on_sockets(
    op: BroadcastOperators,
    action: &BroadcastAction,
) -> Result<(), String> {
    match action {
        BroadcastAction::Emit { event, args } => {
            let event = lit(event)?;
            check_event(&event)?;
            match op.emit(&event, &Args(&lits(args)?)).await {
                Ok(()) => Ok(()),
                // A socket that is closing but not yet removed: the
                // others still got it, as they would from Socket.IO.
                Err(BroadcastError::Socket(_)) => Ok(()),
                Err(e) => Err(format!("emit failed: {e}")),
            }
        }
        BroadcastAction::SocketsJoin(rooms) => op
            .join(lit(rooms)?)
            .await
            .map_err(|e| format!("socketsJoin failed: {e}")),
        BroadcastAction::SocketsLeave(rooms) => op
            .leave(lit(rooms)?)
            .await
            .map_err(|e| format!("socketsLeave failed: {e}")),
        BroadcastAction::DisconnectSockets { close: _ } => match op.disconnect().await {
            Ok(()) | Err(BroadcastError::Socket(_)) => Ok(()),
            Err(e) => Err(format!("disconnectSockets failed: {e}")),
        },
    }
}
