//! The server's handlers, as named functions: each namespace's middleware
//! chain, and the connection, event and disconnect handlers of its sockets.

use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::Ordering;

use serde_json::Value;
use socketioxide::SocketIo;
use socketioxide::adapter::Adapter;
use socketioxide::extract::{AckSender, Event, SocketRef, TryData};
use socketioxide::handler::{ConnectHandler, FromMessageParts};
use socketioxide::socket::{DisconnectReason, Socket};

use super::perform::{Actor, Args, bounded, lits, perform};
use anyhow::Context as _;

use super::{
    Handled, HookResult, Notice, ORDER_HEADER, Ready as _, ServerAdapter, Shared, lock, rooms_of,
};
use crate::protocol::{
    CLIENT_HEADER, SECRET_HEADER, WAIT_BOUND, WELCOME_EVENT, is_client_secret, wait_bound,
};
use crate::script::{Action, CONNECTION, DISCONNECT, DISCONNECTING, Expr, Hook, SocketAction};

/// What JavaScript says when a handler calls `callback` that the client
/// did not pass (the handler's last argument is then not a function).
const NO_CALLBACK: &str = "callback is not a function";

/// Creates a namespace with the engine's connection handler and middleware.
pub(super) async fn add_namespace<A: ServerAdapter>(
    io: &SocketIo<A>,
    shared: &Arc<Shared<A>>,
    ns: String,
) -> anyhow::Result<()> {
    lock(&shared.namespaces).insert(ns.clone());
    // v3: the middlewares of every namespace (`use *`) come first in a new one.
    {
        let mut middlewares = lock(&shared.middlewares);
        if let Some(every) = middlewares.get(crate::script::EVERY_NAMESPACE).cloned() {
            middlewares.entry(ns.clone()).or_insert(every);
        }
    }
    let on_connect = {
        let shared = shared.clone();
        move |io: SocketIo<A>, socket: SocketRef<A>, TryData(auth): TryData<Value>| {
            lock(&shared.auths).insert(socket.id, auth.unwrap_or(Value::Null));
            on_connect(shared.clone(), io, socket)
        }
    };
    let middleware = {
        let shared = shared.clone();
        move |socket: SocketRef<A>, TryData(auth): TryData<Value>| {
            let auth = auth.ok();
            let name = client_name(&socket);
            let verdict = check_middlewares(
                &shared,
                socket.ns(),
                auth.as_ref().unwrap_or(&Value::Null),
                name.as_deref(),
            );
            // An outside client listens from here, before socketioxide sends
            // it CONNECT (and only then runs the connection handler, in a
            // task of its own): an emit sent as soon as it is connected
            // finds its listener, as on the official server, whose
            // connection handler runs in the same tick as its CONNECT.
            // (A tour client emits only after the connection handler's welcome.)
            if verdict.is_ok() {
                // v3: its per-packet middlewares, before any packet comes
                shared.packet_rules.admitted(socket.ns(), socket.id);
            }
            if verdict.is_ok() && name.is_none() {
                let name = super::outside::outside_client(shared.clone(), &socket, auth.as_ref());
                listen(&shared, &socket, &name, Turn::WaitForTheEngine);
            }
            async move { verdict }
        }
    };
    let ready = io.ns(ns.clone(), on_connect.with(middleware)).ready();
    tokio::time::timeout(WAIT_BOUND, ready)
        .await
        .map_err(|_| anyhow::anyhow!("namespace {ns} was not ready within {}", wait_bound()))?
        .with_context(|| format!("namespace {ns}"))
}

/// Runs the namespace's `use` middlewares in the order they were added;
/// the first rejection stops the chain (socketioxide's own `.with` chain
/// would run them last-added first).
pub(super) fn check_middlewares<A: Adapter>(
    shared: &Shared<A>,
    ns: &str,
    auth: &Value,
    name: Option<&str>,
) -> Result<(), String> {
    let middlewares = lock(&shared.middlewares);
    for rule in middlewares.get(ns).into_iter().flatten() {
        if auth.get(&rule.key).and_then(Value::as_str) != Some(rule.value.as_str()) {
            // v3: its `err.data`, kept for the engine (socketioxide sends the message only)
            if let (Some(name), Some(data)) = (name, &rule.data) {
                lock(&shared.refusals).insert(name.to_owned(), data.clone());
            }
            return Err(rule.message.clone());
        }
    }
    Ok(())
}

/// The connection handler of every namespace.
fn on_connect<A: Adapter>(
    shared: Arc<Shared<A>>,
    io: SocketIo<A>,
    socket: SocketRef<A>,
) -> impl Future<Output = ()> {
    let name = client_name(&socket);
    // Socket.IO puts every socket in a room named after its id; socketioxide does not.
    socket.join(socket.id.to_string());
    // Its place in the script's order of connections (a simulated client's
    // word only), else in the server's. (A socket keeps only the headers in
    // head::KEPT_HEADERS.)
    let counted = shared.next_admission.fetch_add(1, Ordering::Relaxed);
    let admission = socket
        .req_parts()
        .headers
        .get(ORDER_HEADER)
        .filter(|_| name.is_some())
        .and_then(|v| v.to_str().ok()?.parse::<u64>().ok())
        .unwrap_or(u64::MAX / 2 + counted);
    lock(&shared.admitted).insert(socket.id, admission);
    let Some(name) = name else {
        // An outside client: named and listening since the middleware.
        return futures_util::future::Either::Left(std::future::ready(()));
    };
    listen(&shared, &socket, &name, Turn::Now);
    {
        let shared = shared.clone();
        let name = name.clone();
        socket.on_disconnect(
            move |io: SocketIo<A>, socket: SocketRef<A>, reason: DisconnectReason| {
                on_disconnect(shared.clone(), io, name.clone(), socket, reason)
            },
        );
    }
    {
        // A name already held belongs to that socket: a second connection
        // claiming it (another program on this port) is not the engine's.
        let mut sockets = lock(&shared.sockets);
        if !sockets.get(&name).is_some_and(|held| held.connected()) {
            sockets.insert(name.clone(), socket.clone());
            lock(&shared.directory).insert(name.clone(), socket.id.to_string());
        }
    }
    futures_util::future::Either::Right(async move {
        // First the welcome: the client is admitted, and whatever the
        // connection handler sends it (or its disconnection) comes after.
        // A socket that closed meanwhile is reported by its disconnect handler.
        let _ = socket.emit(WELCOME_EVENT, &());
        let hook = run_hook(&shared, &io, &socket, CONNECTION, &name, None, None).await;
        let _ = shared.notices.send(Notice::Connected { name, hook });
    })
}

/// Runs `ns`'s connection or disconnect handler (by its event) for `socket`,
/// with `msg` = the client's name, if the namespace has one.
async fn run_hook<A: Adapter>(
    shared: &Arc<Shared<A>>,
    io: &SocketIo<A>,
    socket: &SocketRef<A>,
    event: &str,
    name: &str,
    held: Option<&[String]>,
    reason: Option<&str>,
) -> Option<HookResult> {
    // Only the `disconnect` handler runs for a socket that has left its rooms.
    let leaving = event == DISCONNECT;
    let action = lock(&shared.handlers)
        .get(&(socket.ns().to_owned(), event.to_owned()))
        .cloned()?;
    let msg = Value::String(name.to_owned());
    let (action, result) =
        match super::own::resolve(shared, socket, &action, &msg, (leaving, held), reason) {
            Err(e) => (action, Err(e)),
            Ok(Action::Expr(expr)) => {
                let mut actor = Actor::new(io, shared, Some(socket));
                if leaving {
                    actor = actor.leaving();
                }
                if event == DISCONNECTING {
                    actor = actor.still_named(name);
                }
                // A leaving socket's own emit reaches nobody on the official
                // server (its client has gone, or has its DISCONNECT packet
                // first) and raises nothing; socketioxide's fails ("Closed").
                let own_emit = matches!(expr, Expr::Socket(SocketAction::Emit { .. }));
                let result = if event == DISCONNECTING && own_emit {
                    Ok(())
                } else {
                    bounded(perform(&actor, &expr)).await
                };
                (Action::Expr(expr), result)
            }
            Ok(callback @ Action::Callback(_)) => (callback, Err(NO_CALLBACK.to_owned())),
        };
    Some(HookResult { action, result })
}

/// The disconnect handler of every socket. Its first part runs
/// synchronously inside the disconnect, so the engine hears of it before
/// the operation that caused it returns; the namespace's own disconnect
/// handler (if any) runs after, and says when it is done.
fn on_disconnect<A: Adapter>(
    shared: Arc<Shared<A>>,
    io: SocketIo<A>,
    name: String,
    socket: SocketRef<A>,
    reason: DisconnectReason,
) -> impl Future<Output = ()> {
    shared.packet_rules.forget(socket.id);
    let registered = {
        let mut sockets = lock(&shared.sockets);
        // Only the socket that holds the name leaves the registry.
        let holds = sockets.get(&name).is_some_and(|s| s.id == socket.id);
        if holds {
            sockets.remove(&name);
            let mut directory = lock(&shared.directory);
            if directory.get(&name) == Some(&socket.id.to_string()) {
                directory.remove(&name);
            }
        }
        holds
    };
    lock(&shared.admitted).remove(&socket.id);
    let ns = socket.ns().to_owned();
    // `disconnecting` first, while the socket is still in its rooms (as
    // socketioxide runs this handler: the official server does the same),
    // then `disconnect`, which acts as if it had left them (see `Actor::leaving`).
    // The rooms it is in now: socketioxide may take it out of them before
    // the handlers below run (they run in a task of their own), so
    // `disconnecting` sees these, as the official server's does.
    let mut held = Vec::new();
    let hooks: Vec<(Hook, &str)> = if registered {
        let handlers = lock(&shared.handlers);
        [
            (Hook::Disconnecting, DISCONNECTING),
            (Hook::Disconnect, DISCONNECT),
        ]
        .into_iter()
        .filter(|(_, event)| handlers.contains_key(&(ns.clone(), (*event).to_owned())))
        .collect()
    } else {
        Vec::new()
    };
    if registered {
        let rooms: Vec<String> = rooms_of(&socket).into_iter().collect();
        held = rooms.clone();
        // The engine may have stopped listening during shutdown; nothing to tell then.
        let _ = shared.notices.send(Notice::Disconnected {
            name: name.clone(),
            ns: ns.clone(),
            reason: official_reason(reason),
            rooms,
            hooks: hooks.len(),
        });
    }
    async move {
        for (hook, event) in hooks {
            let (held, reason) = (Some(held.as_slice()), Some(handler_reason(reason)));
            if let Some(run) = run_hook(&shared, &io, &socket, event, &name, held, reason).await {
                let _ = shared.notices.send(Notice::DisconnectHook {
                    name: name.clone(),
                    ns: ns.clone(),
                    hook,
                    run,
                });
            }
        }
        lock(&shared.auths).remove(&socket.id);
        // Whoever disconnected this socket in turn may go on.
        let waiter = lock(&shared.hook_waiters).remove(&socket.id);
        if let Some(done) = waiter {
            let _ = done.send(());
        }
    }
}

/// The simulated client's name, from its handshake header, if it proved
/// it is one with the run's secret; `None` for any other client.
fn client_name<A: Adapter>(socket: &SocketRef<A>) -> Option<String> {
    // Only the headers in head::KEPT_HEADERS are kept.
    let headers = &socket.req_parts().headers;
    // Anyone can send the name header; only the engine's clients know the secret.
    let proven = headers
        .get(SECRET_HEADER)
        .is_some_and(|v| is_client_secret(v.as_bytes()));
    if !proven {
        return None;
    }
    headers
        .get(CLIENT_HEADER)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

/// When a client's event runs its handler.
#[derive(Clone, Copy)]
enum Turn {
    /// As it comes: a tour client's, whose step the engine is running.
    Now,
    /// When the engine runs it as a step of its own: an outside client's.
    WaitForTheEngine,
}

/// Runs every event `socket` emits through the script's handlers, as
/// `name`, at its [`Turn`].
fn listen<A: Adapter>(shared: &Arc<Shared<A>>, socket: &SocketRef<A>, name: &str, turn: Turn) {
    let shared = shared.clone();
    let name = name.to_owned();
    socket.on_fallback(
        move |io: SocketIo<A>,
              socket: SocketRef<A>,
              Event(event): Event,
              TryData(first): TryData<Value>,
              ack: AckSender<A>,
              AckAsked(asked): AckAsked| {
            if matches!(turn, Turn::Now)
                && super::acks::is_answer(&shared, &name, &event, first.as_ref().ok())
            {
                return futures_util::future::Either::Left(std::future::ready(()));
            }
            let sent = Sent {
                event,
                msg: first.unwrap_or(Value::Null),
                ack: asked.then_some(ack),
                release: matches!(turn, Turn::Now),
            };
            let waiting = match turn {
                Turn::Now => None,
                Turn::WaitForTheEngine => Some(super::outside::turn(
                    &shared,
                    &socket,
                    &name,
                    &sent.event,
                    &sent.msg,
                    sent.ack.is_some(),
                )),
            };
            let (shared, name) = (shared.clone(), name.clone());
            futures_util::future::Either::Right(async move {
                let counted = match waiting {
                    None => None,
                    // Dropped, or the run ended first: its handler never runs.
                    Some(waiting) => match waiting.await {
                        Some(counted) => Some(counted),
                        None => return,
                    },
                };
                on_event(shared, io, socket, name, sent).await;
                drop(counted);
            })
        },
    );
}

/// Whether the client passed an acknowledgement callback with its event.
pub(super) struct AckAsked(pub(super) bool);

impl<A: Adapter> FromMessageParts<A> for AckAsked {
    type Error = std::convert::Infallible;
    fn from_message_parts(
        _: &Arc<Socket<A>>,
        _: &mut socketioxide::handler::Value,
        ack_id: &Option<i64>,
    ) -> Result<Self, Self::Error> {
        Ok(AckAsked(ack_id.is_some()))
    }
}

/// An event as a client sent it: its name, first argument, and its
/// acknowledgement callback if it passed one.
pub(super) struct Sent<A: Adapter> {
    pub(super) event: String,
    pub(super) msg: Value,
    pub(super) ack: Option<AckSender<A>>,
    /// A tour client's: an acknowledgement its handler leaves unanswered is
    /// released (see [`super::acks::release`]).
    pub(super) release: bool,
}

/// Every event a client emits: look up the script's handler and run it.
pub(super) async fn on_event<A: Adapter>(
    shared: Arc<Shared<A>>,
    io: SocketIo<A>,
    socket: SocketRef<A>,
    name: String,
    sent: Sent<A>,
) {
    let Sent {
        event,
        msg,
        mut ack,
        release,
    } = sent;
    // `connection` names the namespace's connection handler, not an event.
    let handler = (event != CONNECTION)
        .then(|| {
            lock(&shared.handlers)
                .get(&(socket.ns().to_owned(), event.clone()))
                .cloned()
        })
        .flatten();
    // v3: a packet that a per-packet middleware refuses reaches no handler
    let refused = shared.packet_rules.refusal(socket.id, &event);
    let outcome = match handler {
        _ if let Some(message) = refused => Handled::Refused { event, message },
        None => Handled::NoHandler { event },
        Some(action) => {
            match super::own::resolve(&shared, &socket, &action, &msg, (false, None), None) {
                Err(e) => Handled::Ran {
                    action,
                    result: Err(e),
                },
                Ok(Action::Expr(expr)) => {
                    let actor = Actor::new(&io, &shared, Some(&socket));
                    let result = bounded(perform(&actor, &expr)).await;
                    Handled::Ran {
                        action: Action::Expr(expr),
                        result,
                    }
                }
                Ok(Action::Callback(args)) => {
                    let result = answer(ack.take(), &args);
                    Handled::Ran {
                        action: Action::Callback(args),
                        result,
                    }
                }
            }
        }
    };
    if release && let Some(ack) = ack {
        super::acks::release(ack);
    }
    let _ = shared.notices.send(Notice::Handled { name, outcome });
}

/// `callback(ARGS…)`: answers the client's acknowledgement.
fn answer<A: Adapter>(
    ack: Option<AckSender<A>>,
    args: &[crate::script::Arg<Value>],
) -> Result<(), String> {
    let ack = ack.ok_or(NO_CALLBACK)?;
    ack.send(&Args(&lits(args)?))
        .map_err(|e| format!("the acknowledgement could not be sent: {e}"))
}

/// The `reason` a disconnect handler is given: the official server's words
/// for socketioxide's reason, with a connection that ended without a
/// websocket close frame (`drop`) called "transport close", as the engine
/// reports it for the disconnected line (see `engine/reconnect.rs`).
fn handler_reason(reason: DisconnectReason) -> &'static str {
    match reason {
        DisconnectReason::TransportError => "transport close",
        other => official_reason(other),
    }
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
