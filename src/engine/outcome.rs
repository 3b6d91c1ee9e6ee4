//! A server-side action's outcome: what the clients observed, held against
//! what the server's state predicted.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use super::Engine;
use super::predict::{self, Pick, Selection, Snapshot, View};
use super::trace::{HookSeen, Trace};
use crate::report::{Delivery, Hook, HookRun, Outcome, Reason};
use crate::script::{Action, Arg, BroadcastAction, Expr, Room, Scope, SocketAction};
use crate::server::HookResult;

impl Engine {
    /// The report of a server-side action that ran (or failed) with `result`,
    /// `before` being the server's state before it; `outside_ns` is the
    /// namespace of a sender that is an outside client.
    pub(super) async fn outcome_of(
        &mut self,
        (sender, outside_ns): (Option<&str>, Option<&str>),
        origin: Option<String>,
        expr: &Expr,
        before: &Snapshot,
        result: Result<(), String>,
        trace: &mut Trace,
    ) -> anyhow::Result<Outcome> {
        // Disconnections happen inside the action: take their notices
        // first, and let the disconnect handlers they set off finish.
        self.absorb_notices(trace);
        self.await_hooks(trace).await?;
        let mut sent: Vec<(String, Vec<Value>)> = emitted(expr).into_iter().collect();
        sent.extend(hook_emits(trace));
        if let Err(message) = result {
            self.settle(&sent, trace).await?;
            self.hook_outcomes(trace);
            return Ok(Outcome::Error(message));
        }
        // An outside sender is in no snapshot: its namespace is given.
        let sender_ns = sender
            .and_then(|s| match before.get(s) {
                Some(View::Connected { ns, .. }) => Some(ns.as_str()),
                _ => None,
            })
            .or(outside_ns);
        let selection = selection(sender, sender_ns, origin, expr);
        self.see_departures(&sent, trace).await?;
        self.settle(&sent, trace).await?;
        self.hook_outcomes(trace);
        Ok(self.observed(sender, expr, before, &selection, emitted(expr), trace))
    }

    /// What each disconnect handler that ran in this step did, seen from
    /// the server's state once the step settled (its own socket is gone).
    pub(super) fn hook_outcomes(&mut self, trace: &mut Trace) {
        let runs = std::mem::take(&mut trace.disconnect_hooks);
        if runs.is_empty() {
            return;
        }
        let after = self.snapshot(trace);
        let seen: Vec<(Option<String>, Snapshot)> = runs
            .iter()
            .map(|run| {
                let origin = self.origin(None, Some(&run.name));
                (origin, self.state_seen(&after, run.departed, trace))
            })
            .collect();
        // Each run first takes the receipts its own receivers got: two runs
        // of one step may send the same event (a socket's `disconnecting`
        // and `disconnect` handlers, v3), one to some, the other to more.
        let mut reserved: Vec<BTreeMap<String, Vec<Value>>> = runs
            .iter()
            .zip(&seen)
            .map(|(run, (origin, saw))| {
                let which = (run.hook, run.name.as_str(), run.ns.as_str());
                reserve(which, origin.clone(), &run.run, saw, trace)
            })
            .collect();
        for (
            (
                HookSeen {
                    name,
                    ns,
                    hook,
                    run,
                    ..
                },
                (origin, saw),
            ),
            reserved,
        ) in runs.into_iter().zip(seen).zip(&mut reserved)
        {
            let which = (hook, name.as_str(), ns.as_str());
            if let Some(outcome) = hook_outcome_reserved(which, origin, &run, &saw, trace, reserved)
            {
                trace.hooks.push(HookRun { hook, ns, outcome });
            }
        }
    }

    /// The state a disconnect handler saw: the step's end, but with the
    /// sockets the server let go of after the handler's run (the first
    /// `departed` had gone before) still connected, in the rooms they left.
    fn state_seen(&self, after: &Snapshot, departed: usize, trace: &Trace) -> Snapshot {
        let mut saw = after.clone();
        for (name, ns) in trace.departures.iter().skip(departed) {
            let Some(gone) = trace.disconnected.get(name) else {
                continue;
            };
            let view = View::Connected {
                ns: ns.clone(),
                rooms: gone.rooms_left.iter().cloned().collect(),
                server: self.homes.get(name).cloned(),
            };
            saw.insert(name.clone(), view);
        }
        saw
    }

    /// What the action did, as observed once the step settled, checked
    /// against what `before` predicted for `selection`.
    fn observed(
        &self,
        sender: Option<&str>,
        expr: &Expr,
        before: &Snapshot,
        selection: &Selection,
        emitted: Option<(String, Vec<Value>)>,
        trace: &mut Trace,
    ) -> Outcome {
        match expr {
            Expr::Socket(SocketAction::Emit { .. })
            | Expr::Broadcast {
                action: BroadcastAction::Emit { .. },
                ..
            } => {
                let (event, args) = emitted.unzip();
                deliveries(
                    event.unwrap_or_default(),
                    args.as_deref(),
                    before,
                    selection,
                    trace,
                )
            }
            Expr::Socket(SocketAction::Join(_) | SocketAction::Leave(_)) => {
                let name = sender.unwrap_or_default().to_owned();
                let rooms = self
                    .cluster
                    .rooms_of(&name)
                    .map(|rooms| rooms.into_iter().collect())
                    .unwrap_or_default();
                Outcome::Rooms(BTreeMap::from([(name, rooms)]))
            }
            Expr::Broadcast {
                action: BroadcastAction::SocketsJoin(_) | BroadcastAction::SocketsLeave(_),
                ..
            } => Outcome::Rooms(
                self.cluster
                    .places()
                    .into_iter()
                    .map(|(name, place)| (name, place.rooms.into_iter().collect()))
                    .collect(),
            ),
            Expr::Socket(SocketAction::Disconnect { .. })
            | Expr::Broadcast {
                action: BroadcastAction::DisconnectSockets { .. },
                ..
            } => {
                let predicted = predict::reached(before, selection);
                let actual: BTreeSet<String> = trace.disconnected.keys().cloned().collect();
                if predicted != actual {
                    trace.mismatch(format!(
                        "the server's state predicted {predicted:?} would be disconnected, but {actual:?} were"
                    ));
                }
                Outcome::Disconnected(trace.disconnected.clone())
            }
            // A query: the engine runs it as a step of its own (`query.rs`).
            Expr::Broadcast {
                action: BroadcastAction::FetchSockets,
                ..
            } => Outcome::Error("fetchSockets() is a query of its own".to_owned()),
        }
    }
}

/// The events the disconnect handlers of this step emitted.
pub(super) fn hook_emits(trace: &Trace) -> Vec<(String, Vec<Value>)> {
    trace
        .disconnect_hooks
        .iter()
        .filter_map(|hook| match &hook.run.action {
            Action::Expr(expr) => emitted(expr),
            Action::Callback(_) => None,
        })
        .collect()
}

/// The line a connection or disconnect handler's run adds to its step, if
/// any: its error, or its emit when that reached someone (an emit that
/// reached nobody is still checked, but shows nothing, as on the official
/// server). `hook` is which handler ran, for which socket, in which
/// namespace.
pub(super) fn hook_outcome(
    which: (Hook, &str, &str),
    origin: Option<String>,
    run: &HookResult,
    state: &Snapshot,
    trace: &mut Trace,
) -> Option<Outcome> {
    hook_outcome_reserved(which, origin, run, state, trace, &mut BTreeMap::new())
}

/// The receipts of the clients a handler's emit reaches by the server's
/// state, claimed for that run before any run claims what it did not expect.
fn reserve(
    (hook, name, ns): (Hook, &str, &str),
    origin: Option<String>,
    run: &HookResult,
    state: &Snapshot,
    trace: &mut Trace,
) -> BTreeMap<String, Vec<Value>> {
    let mut reserved = BTreeMap::new();
    let (Ok(()), Action::Expr(expr)) = (&run.result, &run.action) else {
        return reserved;
    };
    let Some((event, args)) = emitted(expr) else {
        return reserved;
    };
    let mut selection = selection(Some(name), Some(ns), origin, expr);
    selection.connecting = hook == Hook::Connection;
    for (client, verdict) in predict::select(state, &selection) {
        if verdict.is_ok()
            && let Some(got) = trace.claim(&client, &event, Some(&args))
        {
            reserved.insert(client, got);
        }
    }
    reserved
}

/// [`hook_outcome`], with the receipts [`reserve`] took for this run.
fn hook_outcome_reserved(
    (hook, name, ns): (Hook, &str, &str),
    origin: Option<String>,
    run: &HookResult,
    state: &Snapshot,
    trace: &mut Trace,
    reserved: &mut BTreeMap<String, Vec<Value>>,
) -> Option<Outcome> {
    let expr = match (&run.result, &run.action) {
        (Err(message), _) => return Some(Outcome::Error(message.clone())),
        (Ok(()), Action::Expr(expr)) => expr,
        (Ok(()), Action::Callback(_)) => return None,
    };
    let (event, args) = emitted(expr)?;
    let mut selection = selection(Some(name), Some(ns), origin, expr);
    // The new socket sent nothing: a broadcast leaves it out all the same.
    selection.connecting = hook == Hook::Connection;
    let outcome = deliveries_reserved(event, Some(&args), state, &selection, trace, reserved);
    let reached = matches!(&outcome, Outcome::Emit { deliveries, .. }
        if deliveries.values().any(|d| matches!(d, Delivery::Received(_))));
    if reached {
        Some(outcome)
    } else {
        trace.silent.push(outcome);
        None
    }
}

/// An emit's deliveries: every client of the run, as observed, with the
/// reason from the server's state for each one left out. Each client's
/// receipt is claimed (see `Trace::claim`): several handler runs emitting
/// the same event each get their own, and a receipt more shows in the report.
pub(super) fn deliveries(
    event: String,
    args: Option<&[Value]>,
    before: &Snapshot,
    selection: &Selection,
    trace: &mut Trace,
) -> Outcome {
    deliveries_reserved(event, args, before, selection, trace, &mut BTreeMap::new())
}

/// [`deliveries`], with receipts already claimed for this outcome.
fn deliveries_reserved(
    event: String,
    args: Option<&[Value]>,
    before: &Snapshot,
    selection: &Selection,
    trace: &mut Trace,
    reserved: &mut BTreeMap<String, Vec<Value>>,
) -> Outcome {
    let mut deliveries = BTreeMap::new();
    for (name, verdict) in predict::select(before, selection) {
        let got = match reserved.remove(&name) {
            Some(got) => Some(got),
            None => trace.claim(&name, &event, args),
        };
        let delivery = match (got, verdict) {
            (Some(args), Ok(())) => Delivery::Received(args),
            (Some(args), Err(reason)) => {
                trace.mismatch(format!(
                    "{name} received {event:?}, but the server's state says it should not have ({})",
                    crate::report::explain(&reason)
                ));
                Delivery::Received(args)
            }
            (None, Ok(())) => {
                trace.mismatch(format!(
                    "{name} did not receive {event:?}, but the server's state says it should have"
                ));
                Delivery::Missed(Reason::NotDelivered)
            }
            (None, Err(reason)) => Delivery::Missed(reason),
        };
        deliveries.insert(name, delivery);
    }
    Outcome::Emit { event, deliveries }
}

/// The event and arguments an action emits, if it emits.
pub(super) fn emitted(expr: &Expr) -> Option<(String, Vec<Value>)> {
    let (event, args) = match expr {
        Expr::Socket(SocketAction::Emit { event, args })
        | Expr::Broadcast {
            action: BroadcastAction::Emit { event, args },
            ..
        } => (event, args),
        _ => return None,
    };
    Some((
        event.lit()?.clone(),
        args.iter()
            .map(|a| a.lit().cloned().unwrap_or(Value::Null))
            .collect(),
    ))
}

/// Which sockets an expression is for, from the sender's point of view;
/// `origin` is the one server it can reach, when the servers share nothing.
pub(super) fn selection(
    sender: Option<&str>,
    sender_ns: Option<&str>,
    origin: Option<String>,
    expr: &Expr,
) -> Selection {
    let sender_ns = sender_ns.unwrap_or("/").to_owned();
    match expr {
        Expr::Socket(_) => Selection {
            ns: sender_ns,
            pick: Pick::Only(sender.unwrap_or_default().to_owned()),
            origin,
            connecting: false,
        },
        Expr::Broadcast {
            scope, to, except, ..
        } => {
            // `socket.id` is the sender's own id room.
            let rooms = |list: &Vec<Arg<Vec<Room>>>| {
                list.iter()
                    .filter_map(|a| a.lit())
                    .flatten()
                    .map(|room| match room {
                        Room::OwnId => Room::IdOf(sender.unwrap_or_default().to_owned()),
                        other => other.clone(),
                    })
                    .collect::<BTreeSet<Room>>()
            };
            let (ns, excluded_sender) = match scope {
                Scope::Namespace(ns) => (ns.clone(), None),
                Scope::SenderNamespace => (sender_ns, None),
                Scope::SenderExcluded => (sender_ns, sender.map(str::to_owned)),
            };
            Selection {
                ns,
                pick: Pick::Broadcast {
                    excluded_sender,
                    to: rooms(to),
                    except: rooms(except),
                },
                origin,
                connecting: false,
            }
        }
    }
}
