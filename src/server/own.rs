//! What a handler's own-socket values stand for when it runs (v3): the
//! handshake's auth, and the rooms `...socket.rooms` spreads.

use std::sync::Arc;

use serde_json::Value;
use socketioxide::adapter::Adapter;
use socketioxide::extract::SocketRef;

use super::{Shared, lock, rooms_of};
use crate::script::{Action, Env, Room};

/// `action` with `msg`, `socket.handshake.auth.KEY`, `...socket.rooms` and
/// a disconnect handler's `reason` put in place for `socket`. A `leaving` socket (its `disconnect` handler
/// runs) is in no room on the official server, which has taken it out of
/// every room before; socketioxide still has it in them: the tour says
/// what the official server does. `held` is the rooms it was in when it
/// began to disconnect (socketioxide may have taken it out since).
pub(super) fn resolve<A: Adapter>(
    shared: &Arc<Shared<A>>,
    socket: &SocketRef<A>,
    action: &Action,
    msg: &Value,
    (leaving, held): (bool, Option<&[String]>),
    reason: Option<&str>,
) -> Result<Action, String> {
    let auth = lock(&shared.auths)
        .get(&socket.id)
        .cloned()
        .unwrap_or(Value::Null);
    let named: Vec<String> = match held {
        _ if leaving => Vec::new(),
        Some(held) => held.to_vec(),
        None => rooms_of(socket).into_iter().collect(),
    };
    let rooms: Vec<Room> = if leaving {
        Vec::new()
    } else {
        std::iter::once(Room::OwnId)
            .chain(named.into_iter().map(Room::Name))
            .collect()
    };
    action.resolve_in(&Env {
        msg,
        auth: &auth,
        rooms: &rooms,
        reason,
    })
}
