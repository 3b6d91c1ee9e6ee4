//! The embedded Socket.IO server: socketioxide on axum, on a loopback port,
//! with the script's middlewares and handlers, and the bridges that make it
//! behave as the official server does (see `tour-script.md`, "Known
//! differences").

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::future::Future;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};

use anyhow::Context as _;
use serde::Serialize;
use serde_json::Value;
use socketioxide::extract::{Event, SocketRef, TryData};
use socketioxide::handler::ConnectHandler;
use socketioxide::operators::BroadcastOperators;
use socketioxide::socket::DisconnectReason;
use socketioxide::{BroadcastError, SocketIo};
use tokio::net::TcpListener;
use tokio::sync::{mpsc, oneshot};
use tokio::task::JoinHandle;

use crate::protocol::{self, CLIENT_HEADER, SYNC_EVENT, WAIT_BOUND, WELCOME_EVENT, wait_bound};
use crate::script::{Arg, BroadcastAction, Expr, Scope, SocketAction};

/// What the server's handlers tell the engine, in the order they ran.
#[derive(Debug)]
pub enum Notice {
    /// The connection handler ran for this client (its `console.log`).
    Connected { name: String },
    /// The disconnect handler ran; the rooms are those the socket was in.
    Disconnected {
        name: String,
        reason: &'static str,
        rooms: Vec<String>,
    },
    /// A client's event reached the server and its handler (if any) finished.
    Handled { name: String, outcome: Handled },
}

#[derive(Debug)]
pub enum Handled {
    /// No `on` handler for this event in this namespace: ignored.
    NoHandler { event: String },
    /// The handler ran this (already resolved) action, with this result.
    Ran {
        action: Expr,
        result: Result<(), String>,
    },
}

/// A `use /ns require KEY "VALUE"` middleware.
#[derive(Debug, Clone)]
struct Requirement {
    key: String,
    value: String,
}

/// State shared by the server's handlers and the engine.
struct Shared {
    /// Per namespace, the `use` middlewares in the order they were added.
    middlewares: Mutex<HashMap<String, Vec<Requirement>>>,
    /// `(namespace, event)` → the `on` handler's action.
    handlers: Mutex<HashMap<(String, String), Expr>>,
    /// Every admitted, still connected socket, by client name.
    sockets: Mutex<BTreeMap<String, SocketRef>>,
    notices: mpsc::UnboundedSender<Notice>,
}

/// Locks a mutex, taking the data even if a handler panicked holding it:
/// every critical section here leaves the data consistent.
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// A running server. Dropping it without `shutdown` aborts its task.
pub struct Server {
    io: SocketIo,
    addr: SocketAddr,
    shared: Arc<Shared>,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<std::io::Result<()>>>,
}

impl Server {
    /// Binds `listener`'s address with every namespace in `namespaces` (and `/`),
    /// and returns the server and the channel of its handlers' notices.
    pub async fn start(
        listener: TcpListener,
        namespaces: &BTreeSet<String>,
    ) -> anyhow::Result<(Server, mpsc::UnboundedReceiver<Notice>)> {
        let addr = listener.local_addr().context("reading the server's port")?;
        let (notices, notices_rx) = mpsc::unbounded_channel();
        let shared = Arc::new(Shared {
            middlewares: Mutex::default(),
            handlers: Mutex::default(),
            sockets: Mutex::default(),
            notices,
        });
        let (layer, io) = SocketIo::builder().build_layer();
        let mut all = namespaces.clone();
        // socketioxide creates no `/` by itself; the official server always has it.
        all.insert("/".to_owned());
        for ns in all {
            add_namespace(&io, &shared, ns);
        }
        let app = axum::Router::new().layer(layer);
        let listener = crate::net::QuickListener(listener);
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            axum::serve(listener, app)
                .with_graceful_shutdown(async {
                    // A dropped sender means the engine is gone: stop too.
                    let _ = stopped.await;
                })
                .await
        });
        Ok((
            Server {
                io,
                addr,
                shared,
                stop: Some(stop),
                task: Some(task),
            },
            notices_rx,
        ))
    }

    /// The URL clients connect to.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Creates `ns` if the server does not have it yet (the playground
    /// learns its namespaces one line at a time).
    pub fn ensure_namespace(&self, ns: &str) {
        if self.io.of(ns).is_none() {
            add_namespace(&self.io, &self.shared, ns.to_owned());
        }
    }

    /// Adds a `use` middleware to `ns`, after those already there.
    pub fn add_middleware(&self, ns: &str, key: &str, value: &str) {
        lock(&self.shared.middlewares)
            .entry(ns.to_owned())
            .or_default()
            .push(Requirement {
                key: key.to_owned(),
                value: value.to_owned(),
            });
    }

    /// Sets (or replaces) the handler of `event` in `ns`.
    pub fn set_handler(&self, ns: &str, event: &str, action: Expr) {
        lock(&self.shared.handlers).insert((ns.to_owned(), event.to_owned()), action);
    }

    /// The server-side socket of a connected client.
    pub fn socket(&self, name: &str) -> Option<SocketRef> {
        lock(&self.shared.sockets).get(name).cloned()
    }

    /// Every connected client's namespace and rooms (without its own-id room).
    pub fn rooms(&self) -> BTreeMap<String, (String, BTreeSet<String>)> {
        lock(&self.shared.sockets)
            .iter()
            .map(|(name, socket)| (name.clone(), (socket.ns().to_owned(), rooms_of(socket))))
            .collect()
    }

    /// Sends the sync event `seq` to every connected socket. Each connection
    /// delivers in order, so what a client gets before this is everything
    /// the step sent it. Returns the names it was sent to, and those it
    /// could not be sent to.
    pub fn sync(&self, seq: u64) -> (Vec<String>, Vec<String>) {
        let sockets = lock(&self.shared.sockets).clone();
        let (sent, failed): (Vec<_>, Vec<_>) = sockets
            .into_iter()
            .map(|(name, socket)| (name, socket.emit(SYNC_EVENT, &seq).is_ok()))
            .partition(|(_, sent)| *sent);
        let names = |list: Vec<(String, bool)>| list.into_iter().map(|(name, _)| name).collect();
        (names(sent), names(failed))
    }

    /// Runs a server-side expression, with `socket` as the sender.
    pub async fn perform(&self, socket: Option<&SocketRef>, expr: &Expr) -> Result<(), String> {
        bounded(perform(&self.io, socket, expr)).await
    }

    /// Closes every socket, then the HTTP server, and waits for both.
    pub async fn shutdown(mut self) -> anyhow::Result<()> {
        // Graceful shutdown alone would leave websocket sessions alive.
        let closed = tokio::time::timeout(WAIT_BOUND, self.io.close()).await;
        lock(&self.shared.sockets).clear();
        if let Some(stop) = self.stop.take() {
            // The task may be gone already; nothing is left to stop then.
            let _ = stop.send(());
        }
        closed.map_err(|_| {
            anyhow::anyhow!("closing the server's sockets took over {}", wait_bound())
        })?;
        if let Some(mut task) = self.task.take() {
            match tokio::time::timeout(WAIT_BOUND, &mut task).await {
                Ok(stopped) => stopped
                    .context("the server task failed")?
                    .context("the server stopped with an error")?,
                Err(_) => {
                    task.abort();
                    anyhow::bail!(
                        "the server still had open connections after {}",
                        wait_bound()
                    )
                }
            }
        }
        Ok(())
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(task) = self.task.take() {
            task.abort();
        }
    }
}

/// A socket's rooms, without the room named after its own id.
pub fn rooms_of(socket: &SocketRef) -> BTreeSet<String> {
    let own = socket.id.to_string();
    socket
        .rooms()
        .into_iter()
        .map(|r| r.into_owned())
        .filter(|r| *r != own)
        .collect()
}

/// Creates a namespace with the engine's connection handler and middleware.
fn add_namespace(io: &SocketIo, shared: &Arc<Shared>, ns: String) {
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
fn check_middlewares(shared: &Shared, ns: &str, auth: &Value) -> Result<(), String> {
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
            // Runs synchronously inside the disconnect, so the engine hears of
            // it before the operation that caused it returns.
            let registered = {
                let mut sockets = lock(&shared.sockets);
                // Only the socket that holds the name leaves the registry.
                let holds = sockets.get(&name).is_some_and(|s| s.id == socket.id);
                if holds {
                    sockets.remove(&name);
                }
                holds
            };
            if registered {
                let rooms = rooms_of(&socket).into_iter().collect();
                // The engine may have stopped listening during shutdown; nothing to tell then.
                let _ = shared.notices.send(Notice::Disconnected {
                    name: name.clone(),
                    reason: official_reason(reason),
                    rooms,
                });
            }
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

/// An action, with the engine's bound on how long it may take.
async fn bounded(action: impl Future<Output = Result<(), String>>) -> Result<(), String> {
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

fn lits<T: Clone>(args: &[Arg<T>]) -> Result<Vec<T>, String> {
    args.iter()
        .map(|a| {
            a.lit()
                .cloned()
                .ok_or_else(|| "`msg` is only known inside a handler".to_owned())
        })
        .collect()
}

fn lit<T: Clone>(arg: &Arg<T>) -> Result<T, String> {
    arg.lit()
        .cloned()
        .ok_or_else(|| "`msg` is only known inside a handler".to_owned())
}

/// The official server throws on reserved names; socketioxide would send them.
fn check_event(event: &str) -> Result<(), String> {
    match protocol::refusal(event) {
        Some(refusal) => Err(refusal.to_string()),
        None => Ok(()),
    }
}

/// Runs a resolved expression on the live server.
async fn perform(io: &SocketIo, sender: Option<&SocketRef>, expr: &Expr) -> Result<(), String> {
    match expr {
        Expr::Socket(action) => {
            let socket = sender.ok_or("`socket` needs a client")?;
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
        Expr::Broadcast {
            scope,
            to,
            except,
            action,
        } => {
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
