//! One case on the learner's server: the reference runs first on the
//! embedded server, then the same client actions run on the learner's,
//! each step read for a bounded time and compared with the reference's.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use serde_json::Value;
use tokio::time::timeout;

use super::compare::{Line, Observed, compare};
use super::probe::{Admitted, Probes};
use super::process::Learner;
use super::reference::{self, Expected};
use crate::client::{Inbound, decode_any};
use crate::engine::Servers;
use crate::lesson::ScriptLine;
use crate::script::{Statement, StatementKind};

/// How long a step is read: every delivery the reference predicts is
/// waited for up to `wait`; then the step ends after `quiet` with nothing
/// more arriving (and at the latest `wait` after that).
#[derive(Debug, Clone, Copy)]
pub struct Timing {
    pub wait: Duration,
    pub quiet: Duration,
}

/// A step as the receipt shows it.
#[derive(Debug, Clone)]
pub struct StepResult {
    pub code: String,
    pub lines: Vec<Line>,
}

impl StepResult {
    pub fn passed(&self) -> bool {
        self.lines.iter().all(|l| l.ok)
    }
}

/// How a case ended.
#[derive(Debug)]
pub struct CaseResult {
    /// The steps run, up to and including the first that differs.
    pub steps: Vec<StepResult>,
    /// Every client name of the case, for the receipt's column.
    pub clients: Vec<String>,
    /// The learner's process exited during the last step: how.
    pub exited: Option<String>,
    /// The engine could not go on (the server stopped answering at all).
    pub broken: Option<String>,
}

impl CaseResult {
    pub fn passed(&self) -> bool {
        self.exited.is_none() && self.broken.is_none() && self.steps.iter().all(StepResult::passed)
    }
}

/// Runs one case: `clients` (its client lines) with the reference on the
/// embedded server, then on the learner's server at `url`.
pub async fn case(
    reference: &[ScriptLine],
    clients: &[ScriptLine],
    url: &str,
    learner: &mut Option<Learner>,
    timing: Timing,
) -> anyhow::Result<CaseResult> {
    let (handlers, actions) = reference::parse(reference, clients)?;
    let servers = Servers::from(std::net::SocketAddr::from(([127, 0, 0, 1], 0)));
    let expected = reference::run(&handlers, &actions, &servers).await?;
    if let Some((step, error)) = expected
        .iter()
        .find_map(|e| e.error.as_ref().map(|m| (e, m)))
    {
        anyhow::bail!(
            "the exercise's reference fails at `{}`: {error}",
            step.statement.code
        );
    }
    let names = names_of(&actions);
    let mut result = CaseResult {
        steps: Vec::new(),
        clients: names.clone(),
        exited: None,
        broken: None,
    };
    let mut probes = Probes::new(url);
    for step in &expected {
        let observed = match act_and_read(&mut probes, step, timing, learner).await {
            Ok(observed) => observed,
            Err(e) => {
                result.broken = Some(format!("{e:#}"));
                Observed::default()
            }
        };
        let lines = compare(step, &observed, &names);
        result.steps.push(StepResult {
            code: step.statement.code.clone(),
            lines,
        });
        if let Some(status) = learner.as_mut().and_then(Learner::exited) {
            result.exited = Some(status.to_string());
        }
        if !result.passed() {
            break;
        }
    }
    probes.close_all(timing.wait).await;
    // The server handles the closes after the clients sent them: give it
    // the quiet period, so that none of its notices about this case's
    // clients reaches the next case's (a bounded pause, not a wait for
    // something that will be signalled).
    let _ = timeout(timing.quiet, std::future::pending::<()>()).await;
    Ok(result)
}

/// Every client the case connects, sorted.
fn names_of(actions: &[Statement]) -> Vec<String> {
    let mut names: Vec<String> = actions
        .iter()
        .filter_map(|s| match &s.kind {
            StatementKind::Connect { name, .. } => Some(name.clone()),
            _ => None,
        })
        .collect();
    names.sort();
    names.dedup();
    names
}

/// Does the step's client action on the learner's server, then reads
/// what every client got.
async fn act_and_read(
    probes: &mut Probes,
    step: &Expected,
    timing: Timing,
    learner: &mut Option<Learner>,
) -> anyhow::Result<Observed> {
    let mut observed = Observed::default();
    match &step.statement.kind {
        StatementKind::Connect { name, ns, auth } => {
            let mut full = serde_json::Map::new();
            full.insert("name".to_owned(), Value::String(name.clone()));
            full.extend(auth.iter().map(|(k, v)| (k.clone(), v.clone())));
            let admitted = probes
                .connect(name, ns, Value::Object(full), timing.wait)
                .await?;
            observed.admitted = Some(admitted);
        }
        // The exercises' clients emit with a callback or without; the
        // promise and timeout forms are the lessons'.
        StatementKind::ClientEmit {
            name,
            event,
            args,
            ack,
            ..
        } => {
            if probes.is_connected(name) {
                probes.emit(name, event, args, *ack, timing.wait).await?;
            }
        }
        StatementKind::Disconnect { name } => {
            if probes.is_connected(name) {
                probes.disconnect(name, timing.wait).await?;
            }
        }
        other => anyhow::bail!("not a client action: {other:?}"),
    }
    read(probes, step, timing, learner, &mut observed).await;
    Ok(observed)
}

/// Reads arrivals until every predicted delivery (and ack) came or
/// `timing.wait` passed (or the learner's process exited: nothing more
/// will come), then until `timing.quiet` passes with nothing new.
async fn read(
    probes: &mut Probes,
    step: &Expected,
    timing: Timing,
    learner: &mut Option<Learner>,
    observed: &mut Observed,
) {
    let emitted: Vec<(String, Vec<Value>)> = step.deliveries.values().flatten().cloned().collect();
    let mut raw: BTreeMap<String, Vec<Inbound>> = BTreeMap::new();
    let wants_ack = matches!(step.ack, Some(Some(_)));
    let complete = |raw: &BTreeMap<String, Vec<Inbound>>| {
        let events = |name: &String| {
            raw.get(name)
                .map_or(0, |got| got.iter().filter(|i| is_event(i)).count())
        };
        let acked = raw.values().flatten().any(|i| matches!(i, Inbound::Ack(_)));
        step.deliveries
            .iter()
            .all(|(name, want)| events(name) >= want.len())
            && (!wants_ack || acked)
    };
    let deadline = Instant::now() + timing.wait;
    while !complete(&raw) {
        let left = deadline.saturating_duration_since(Instant::now());
        // In slices, to notice a process that died meanwhile.
        match timeout(left.min(Duration::from_millis(100)), probes.arrivals.recv()).await {
            Ok(Some((name, inbound))) => raw.entry(name).or_default().push(inbound),
            Ok(None) => break,
            Err(_) if left.is_zero() || learner.as_mut().and_then(Learner::exited).is_some() => {
                break;
            }
            Err(_) => {}
        }
    }
    let last = Instant::now() + timing.wait;
    while Instant::now() < last {
        match timeout(timing.quiet, probes.arrivals.recv()).await {
            Ok(Some((name, inbound))) => raw.entry(name).or_default().push(inbound),
            _ => break,
        }
    }
    for (name, inbounds) in raw {
        for inbound in inbounds {
            match &inbound {
                Inbound::Ack(args) => observed.ack = Some(args.clone()),
                Inbound::Close(_) => {
                    if probes.is_connected(&name) {
                        observed.dropped.insert(name.clone());
                    }
                }
                Inbound::Open(_) | Inbound::Error(_) => {}
                // A client that disconnected itself hears nothing more, as
                // socket.io-client after `socket.disconnect()` (socketioxide
                // still sends a disconnect handler's `io.emit` to it).
                _ if !probes.is_connected(&name) => {}
                _ => observed
                    .got
                    .entry(name.clone())
                    .or_default()
                    .push(decode_any(&inbound, &emitted)),
            }
        }
    }
    if observed.admitted.is_none()
        && let StatementKind::Connect { .. } = step.statement.kind
    {
        observed.admitted = Some(Admitted::NoAnswer);
    }
}

/// An event a server sent, not one of the client's own notices.
fn is_event(inbound: &Inbound) -> bool {
    matches!(inbound, Inbound::Custom(..) | Inbound::Message(_))
}
