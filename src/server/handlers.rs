//! The server's handlers, as named functions: each namespace's middleware
//! chain, and the connection, event and disconnect handlers of its sockets.

use std::future::Future;
use std::sync::Arc;

use serde_json::Value;
use socketioxide::SocketIo;
use socketioxide::extract::{Event, SocketRef, TryData};
use socketioxide::handler::ConnectHandler;
use socketioxide::socket::DisconnectReason;

use super::perform::{bounded, perform};
use super::{Handled, Notice, Shared, lock, rooms_of};
use crate::protocol::{CLIENT_HEADER, WELCOME_EVENT};

/// Creates a namespace with the engine's connection handler and middleware.
pub(super) fn add_namespace(io: &SocketIo, shared: &Arc<Shared>, ns: String) {
    let on_connect = {
        let shared = shared.clone();
        move |socket: SocketRef| on_connect(shared.clone(), socket)
    };
    let middleware = {
        let shared = shared.clone();
        move |socket: SocketRef, TryData(auth): TryData<Value>| {
            let verdict = check_middlewares(&shared, socket.ns(), &auth.unwrap_or(Value::Null));
            async move { verdict }
        }
    };
    io.ns(ns, on_connect.with(middleware));
}

/// Runs the namespace's `use` middlewares in the order they were added;
/// the first rejection stops the chain (socketioxide's own `.with` chain
/// would run them last-added first).
pub(super) fn check_middlewares(shared: &Shared, ns: &str, auth: &Value) -> Result<(), String> {
    let middlewares = lock(&shared.middlewares);
    for rule in middlewares.get(ns).into_iter().flatten() {
        if auth.get(&rule.key).and_then(Value::as_str) != Some(rule.value.as_str()) {
            return Err("unauthorized".to_owned());
        }
    }
    Ok(())
}

/// The connection handler of every namespace.
fn on_connect(shared: Arc<Shared>, socket: SocketRef) -> impl Future<Output = ()> {
    let name = client_name(&socket);
    // Socket.IO puts every socket in a room named after its id; socketioxide does not.
    socket.join(socket.id.to_string());
    {
        let shared = shared.clone();
        let name = name.clone();
        socket.on_fallback(
            move |io: SocketIo,
                  socket: SocketRef,
                  Event(event): Event,
                  TryData(first): TryData<Value>| {
                on_event(
                    shared.clone(),
                    io,
                    socket,
                    name.clone(),
                    event,
                    first.unwrap_or(Value::Null),
                )
            },
        );
    }
    {
        let shared = shared.clone();
        let name = name.clone();
        socket.on_disconnect(move |socket: SocketRef, reason: DisconnectReason| {
            on_disconnect(&shared, &name, &socket, reason);
            async {}
        });
    }
    {
        // A name already held belongs to that socket: a second connection
        // claiming it (another program on this port) is not the engine's.
        let mut sockets = lock(&shared.sockets);
        if !sockets.get(&name).is_some_and(|held| held.connected()) {
            sockets.insert(name.clone(), socket.clone());
        }
    }
    let _ = shared.notices.send(Notice::Connected { name });
    // The last line: the client may act once it has this. A socket that
    // closed meanwhile is reported by its disconnect handler instead.
    let _ = socket.emit(WELCOME_EVENT, &());
    async {}
}

/// The disconnect handler of every socket. It runs synchronously inside the
/// disconnect, so the engine hears of it before the operation that caused
/// it returns.
fn on_disconnect(shared: &Shared, name: &str, socket: &SocketRef, reason: DisconnectReason) {
    let registered = {
        let mut sockets = lock(&shared.sockets);
        // Only the socket that holds the name leaves the registry.
        let holds = sockets.get(name).is_some_and(|s| s.id == socket.id);
        if holds {
            sockets.remove(name);
        }
        holds
    };
    if registered {
        let rooms = rooms_of(socket).into_iter().collect();
        // The engine may have stopped listening during shutdown; nothing to tell then.
        let _ = shared.notices.send(Notice::Disconnected {
            name: name.to_owned(),
            reason: official_reason(reason),
            rooms,
        });
    }
}

/// The simulated client's name, from its handshake header.
fn client_name(socket: &SocketRef) -> String {
    socket
        .req_parts()
        .headers
        .get(CLIENT_HEADER)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("(unnamed)")
        .to_owned()
}

/// Every event a client emits: look up the script's handler and run it.
async fn on_event(
    shared: Arc<Shared>,
    io: SocketIo,
    socket: SocketRef,
    name: String,
    event: String,
    msg: Value,
) {
    let handler = lock(&shared.handlers)
        .get(&(socket.ns().to_owned(), event.clone()))
        .cloned();
    let outcome = match handler {
        None => Handled::NoHandler { event },
        Some(action) => match action.resolve(&msg) {
            Err(e) => Handled::Ran {
                action,
                result: Err(e),
            },
            Ok(action) => {
                let result = bounded(perform(&io, Some(&socket), &action)).await;
                Handled::Ran { action, result }
            }
        },
    };
    let _ = shared.notices.send(Notice::Handled { name, outcome });
}

/// socketioxide's disconnect reasons, in the official server's words.
fn official_reason(reason: DisconnectReason) -> &'static str {
    match reason {
        DisconnectReason::ServerNSDisconnect => "server namespace disconnect",
        DisconnectReason::ClientNSDisconnect => "client namespace disconnect",
        DisconnectReason::TransportClose => "transport close",
        DisconnectReason::TransportError => "transport error",
        DisconnectReason::HeartbeatTimeout => "ping timeout",
        DisconnectReason::ClosingServer => "server shutting down",
        DisconnectReason::PacketParsingError => "parse error",
        DisconnectReason::MultipleHttpPollingError => "forced close",
    }
}
