//! The reference: the exercise's handlers on the embedded server, the
//! client lines run one by one, and for each step what every client must
//! receive there, with the reference's reasons for those that get nothing.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::engine::{Engine, Servers};
use crate::lesson::ScriptLine;
use crate::report::{Delivery, Outcome, Reason, RoomsNow, explain};
use crate::script::{self, Statement, StatementKind};

/// One client action and what the reference did with it.
#[derive(Debug, Clone)]
pub struct Expected {
    pub statement: Statement,
    /// For a `connect`: `None` admitted, else the `connect_error` message.
    pub refused: Option<Option<String>>,
    /// What each client received, in order: event and arguments.
    pub deliveries: BTreeMap<String, Vec<(String, Vec<Value>)>>,
    /// Why a client got none of an event the step sent, by client and event.
    pub reasons: BTreeMap<(String, String), String>,
    /// For an emit with `ack`: what came back (`None`: nothing).
    pub ack: Option<Option<Vec<Value>>>,
    /// The reference's handler this step sets off, if any, in words:
    /// `the "chat" handler runs \`io.emit("chat", msg)\``.
    pub handler: Option<String>,
    /// For a `connect`: the reference's `use` lines of its namespace.
    pub middleware: Option<String>,
    /// Every client's namespace and rooms before the step.
    pub rooms: RoomsNow,
    /// A run-time error of the reference (the exercise is wrong).
    pub error: Option<String>,
}

/// Parses the reference and `clients` together (names checked as one
/// script): the reference statements, then the client statements.
pub fn parse(
    reference: &[ScriptLine],
    clients: &[ScriptLine],
) -> anyhow::Result<(Vec<Statement>, Vec<Statement>)> {
    let lines = reference.iter().chain(clients);
    // Numbered in sequence, then given their own numbers back.
    let texts: Vec<&ScriptLine> = lines.collect();
    let parsed = script::parse_lines(
        texts
            .iter()
            .enumerate()
            .map(|(i, l)| (i + 1, l.text.as_str())),
    )
    .map_err(|e| {
        anyhow::anyhow!(
            "`{}`: {}",
            texts.get(e.line - 1).map_or("", |l| l.text.as_str()),
            e.message
        )
    })?;
    let mut parsed: Vec<Statement> = parsed
        .into_iter()
        .map(|mut s| {
            s.line = texts[s.line - 1].number;
            s
        })
        .collect();
    let client_part = parsed.split_off(reference.len());
    Ok((parsed, client_part))
}

/// Runs the reference with the client statements on a fresh embedded
/// server; one [`Expected`] per client statement.
pub async fn run(
    reference: &[Statement],
    clients: &[Statement],
    servers: &Servers,
) -> anyhow::Result<Vec<Expected>> {
    Ok(Box::pin(Engine::run(servers.clone(), async |engine| {
        engine.run_block(reference, |_| Ok(())).await?;
        let mut namespaces: BTreeMap<String, String> = BTreeMap::new();
        let mut expected = Vec::new();
        for statement in clients {
            let rooms = engine.rooms();
            let mut reports = Vec::new();
            engine
                .run_block(std::slice::from_ref(statement), |r| {
                    reports.push(r.clone());
                    Ok(())
                })
                .await?;
            let mut step = Expected {
                statement: statement.clone(),
                refused: None,
                deliveries: BTreeMap::new(),
                reasons: BTreeMap::new(),
                ack: None,
                handler: handler_of(reference, statement, &mut namespaces),
                middleware: middleware_of(reference, statement),
                rooms,
                error: None,
            };
            for report in &reports {
                if let Some(ack) = &report.ack {
                    step.ack = Some(ack.values().next().cloned());
                }
                for outcome in report.outcomes() {
                    take(&mut step, outcome);
                }
            }
            expected.push(step);
        }
        Ok(expected)
    }))
    .await?)
}

fn take(step: &mut Expected, outcome: &Outcome) {
    match outcome {
        Outcome::Connect { error, .. } => step.refused = Some(error.clone()),
        Outcome::Emit { event, deliveries } => {
            for (name, delivery) in deliveries {
                match delivery {
                    Delivery::Received(args) => step
                        .deliveries
                        .entry(name.clone())
                        .or_default()
                        .push((event.clone(), args.clone())),
                    Delivery::Missed(Reason::NotConnected(_)) => {}
                    Delivery::Missed(reason) => {
                        step.reasons
                            .insert((name.clone(), event.clone()), explain(reason));
                    }
                }
            }
        }
        Outcome::Error(message) => step.error = Some(message.clone()),
        _ => {}
    }
}

/// The reference's `on` line that `statement` sets off: the event's
/// handler for an emit, the connection or disconnect handler otherwise,
/// in the client's namespace (`namespaces` follows the connects).
fn handler_of(
    reference: &[Statement],
    statement: &Statement,
    namespaces: &mut BTreeMap<String, String>,
) -> Option<String> {
    let (ns, event) = match &statement.kind {
        StatementKind::Connect { name, ns, .. } => {
            namespaces.insert(name.clone(), ns.clone());
            (ns.clone(), script::CONNECTION.to_owned())
        }
        StatementKind::Disconnect { name } => (
            namespaces.get(name).cloned().unwrap_or_else(|| "/".into()),
            script::DISCONNECT.to_owned(),
        ),
        StatementKind::ClientEmit { name, event, .. } => (
            namespaces.get(name).cloned().unwrap_or_else(|| "/".into()),
            event.clone(),
        ),
        _ => return None,
    };
    let on = reference.iter().rev().find(
        |s| matches!(&s.kind, StatementKind::On { ns: n, event: e, .. } if *n == ns && *e == event),
    )?;
    // `on "EVENT": ACTION` said as the handler that runs ACTION.
    let head = format!("{}:", crate::report::quoted(&event));
    let action = on
        .code
        .find(&head)
        .map_or(on.code.as_str(), |i| on.code[i + head.len()..].trim());
    let which = match event.as_str() {
        script::CONNECTION => "the connection handler".to_owned(),
        script::DISCONNECT => "the disconnect handler".to_owned(),
        other => format!("the {} handler", crate::report::quoted(other)),
    };
    let of = if ns == "/" {
        String::new()
    } else {
        format!(" of {ns}")
    };
    Some(format!("{which}{of} runs `{action}`"))
}

/// The `use` lines of the namespace a `connect` connects to, joined.
fn middleware_of(reference: &[Statement], statement: &Statement) -> Option<String> {
    let StatementKind::Connect { ns, .. } = &statement.kind else {
        return None;
    };
    let uses: Vec<&str> = reference
        .iter()
        .filter(|s| matches!(&s.kind, StatementKind::Use { ns: n, .. } if n == ns))
        .map(|s| s.code.as_str())
        .collect();
    (!uses.is_empty()).then(|| uses.join("`, `"))
}
