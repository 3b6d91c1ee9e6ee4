//! One step compared: what each client got from the learner's server
//! against what it got from the reference, as receipt lines (✔ the same,
//! ✘ a difference, explained from the reference's state).

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use super::probe::Admitted;
use super::reference::Expected;
use crate::report::quoted;
use crate::script::StatementKind;

/// What the clients observed in one step on the learner's server.
#[derive(Debug, Clone, Default)]
pub struct Observed {
    /// For a `connect`: how it ended.
    pub admitted: Option<Admitted>,
    /// Each client's events, in order, decoded as the JavaScript client
    /// would name them.
    pub got: BTreeMap<String, Vec<(String, Vec<Value>)>>,
    /// The acknowledgement that came back, if one did.
    pub ack: Option<Vec<Value>>,
    /// Clients the server disconnected during the step.
    pub dropped: BTreeSet<String>,
}

/// A receipt line: ✔ or ✘, the client it is about, the text.
#[derive(Debug, Clone, PartialEq)]
pub struct Line {
    pub ok: bool,
    pub name: String,
    pub text: String,
}

impl Line {
    fn ok(name: &str, text: String) -> Line {
        Line {
            ok: true,
            name: name.to_owned(),
            text,
        }
    }

    fn miss(name: &str, text: String) -> Line {
        Line {
            ok: false,
            name: name.to_owned(),
            text,
        }
    }
}

/// An event as the receipt shows it: `"chat": "hi"`.
pub fn shown(event: &str, args: &[Value]) -> String {
    if args.is_empty() {
        return quoted(event);
    }
    let args: Vec<String> = args.iter().map(Value::to_string).collect();
    format!("{}: {}", quoted(event), args.join(", "))
}

/// The step's lines, every client of the case by name (`clients`).
pub fn compare(expected: &Expected, observed: &Observed, clients: &[String]) -> Vec<Line> {
    let mut lines = Vec::new();
    if let StatementKind::Connect { name, .. } = &expected.statement.kind {
        lines.push(admission(name, expected, observed));
    }
    for name in clients {
        let want = expected.deliveries.get(name).cloned().unwrap_or_default();
        let got = observed.got.get(name).cloned().unwrap_or_default();
        lines.extend(deliveries(name, expected, want, got));
        if observed.dropped.contains(name) {
            lines.push(Line::miss(
                name,
                "was disconnected by the server; the reference keeps it connected".to_owned(),
            ));
        }
    }
    if let (
        StatementKind::ClientEmit {
            name, ack: true, ..
        },
        Some(want),
    ) = (&expected.statement.kind, &expected.ack)
    {
        lines.push(ack_line(name, want.as_ref(), observed.ack.as_ref()));
    }
    lines
}

fn admission(name: &str, expected: &Expected, observed: &Observed) -> Line {
    let want = expected.refused.clone().unwrap_or(None);
    match (
        want,
        observed.admitted.clone().unwrap_or(Admitted::NoAnswer),
    ) {
        (None, Admitted::Yes) => Line::ok(name, "connected".to_owned()),
        (Some(want), Admitted::Refused(got)) if want == got => {
            Line::ok(name, format!("refused with connect_error {}", quoted(&got)))
        }
        (Some(want), Admitted::Refused(got)) => Line::miss(
            name,
            format!(
                "refused with connect_error {}; the reference refuses it with {}",
                quoted(&got),
                quoted(&want)
            ),
        ),
        (Some(want), Admitted::Yes) => Line::miss(
            name,
            format!(
                "connected; the reference refuses it with connect_error {}{}",
                quoted(&want),
                expected
                    .middleware
                    .as_ref()
                    .map(|u| format!(" (`{u}`)"))
                    .unwrap_or_default()
            ),
        ),
        (None, Admitted::Refused(got)) => Line::miss(
            name,
            format!(
                "refused with connect_error {}; the reference admits it",
                quoted(&got)
            ),
        ),
        (want, Admitted::NoAnswer) => Line::miss(
            name,
            format!(
                "the server neither admitted nor refused it in time; the reference {}",
                match want {
                    None => "admits it".to_owned(),
                    Some(m) => format!("refuses it with {}", quoted(&m)),
                }
            ),
        ),
    }
}

impl Expected {
    /// Why the reference sends `name` this event, from its state.
    fn why_sent(&self, name: &str) -> String {
        let rooms = self
            .rooms
            .get(name)
            .filter(|(_, rooms)| !rooms.is_empty())
            .map(|(_, rooms)| {
                let rooms: Vec<String> = rooms.iter().map(|r| quoted(r)).collect();
                format!(" ({name} is in {})", rooms.join(", "))
            })
            .unwrap_or_default();
        match &self.handler {
            Some(handler) => {
                format!("in the reference, {handler}, which sends it to {name}{rooms}")
            }
            None => format!("the reference sends it to {name} in this step{rooms}"),
        }
    }
}

/// One client's deliveries: the same ones ✔, then each missing, changed
/// or extra one ✘.
fn deliveries(
    name: &str,
    expected: &Expected,
    mut want: Vec<(String, Vec<Value>)>,
    got: Vec<(String, Vec<Value>)>,
) -> Vec<Line> {
    let mut lines = Vec::new();
    let mut extra = Vec::new();
    for delivery in got {
        match want.iter().position(|w| *w == delivery) {
            Some(i) => {
                want.remove(i);
                lines.push(Line::ok(
                    name,
                    format!("got {}", shown(&delivery.0, &delivery.1)),
                ));
            }
            None => extra.push(delivery),
        }
    }
    for (event, args) in extra {
        match want.iter().position(|(e, _)| *e == event) {
            Some(i) => {
                let (_, sent) = want.remove(i);
                lines.push(Line::miss(
                    name,
                    format!(
                        "got {}; the reference sends {}",
                        shown(&event, &args),
                        shown(&event, &sent)
                    ),
                ));
            }
            None => {
                let why = match expected.reasons.get(&(name.to_owned(), event.clone())) {
                    Some(reason) => format!("in the reference, {name} gets none: {reason}"),
                    None => match &expected.handler {
                        Some(handler) => format!(
                            "in the reference, {handler}, which sends {name} no {}",
                            quoted(&event)
                        ),
                        None => format!(
                            "the reference sends {name} no {} in this step",
                            quoted(&event)
                        ),
                    },
                };
                lines.push(Line::miss(
                    name,
                    format!("got {}, which it should not: {why}", shown(&event, &args)),
                ));
            }
        }
    }
    for (event, args) in want {
        lines.push(Line::miss(
            name,
            format!(
                "should have got {}: {}",
                shown(&event, &args),
                expected.why_sent(name)
            ),
        ));
    }
    if lines.is_empty() {
        // Nothing either way: worth a line only when the reference says why.
        let reasons: Vec<&String> = expected
            .reasons
            .iter()
            .filter(|((n, _), _)| n == name)
            .map(|(_, r)| r)
            .collect();
        if let Some(reason) = reasons.first() {
            lines.push(Line::ok(
                name,
                format!("nothing, as in the reference: {reason}"),
            ));
        }
    }
    lines
}

fn ack_line(name: &str, want: Option<&Vec<Value>>, got: Option<&Vec<Value>>) -> Line {
    let args = |a: &Vec<Value>| {
        let a: Vec<String> = a.iter().map(Value::to_string).collect();
        a.join(", ")
    };
    match (want, got) {
        (Some(w), Some(g)) if w == g => Line::ok(name, format!("its ack callback got {}", args(g))),
        (Some(w), Some(g)) => Line::miss(
            name,
            format!(
                "its ack callback got {}; the reference answers {}",
                args(g),
                args(w)
            ),
        ),
        (Some(w), None) => Line::miss(
            name,
            format!(
                "no acknowledgement came back; the reference's handler calls callback({})",
                args(w)
            ),
        ),
        (None, Some(g)) => Line::miss(
            name,
            format!(
                "its ack callback got {}; the reference answers nothing",
                args(g)
            ),
        ),
        (None, None) => Line::ok(name, "no acknowledgement, as in the reference".to_owned()),
    }
}

#[cfg(test)]
mod tests {
    //! A step's lines: the same deliveries ✔, each difference ✘ with the
    //! reference's reason.
    use super::*;
    use crate::script::parse_script;
    use serde_json::json;

    fn step(code: &str) -> Expected {
        let statement = parse_script(&format!("connect alice\nconnect bob\n{code}\n"))
            .unwrap()
            .remove(2);
        Expected {
            statement,
            refused: None,
            deliveries: BTreeMap::from([(
                "bob".to_owned(),
                vec![("chat".to_owned(), vec![json!("hi")])],
            )]),
            reasons: BTreeMap::from([(
                ("alice".to_owned(), "chat".to_owned()),
                "the sender: broadcasting from a socket leaves the sender out".to_owned(),
            )]),
            ack: None,
            handler: Some(
                "the \"chat\" handler runs `socket.broadcast.emit(\"chat\", msg)`".into(),
            ),
            middleware: None,
            rooms: Default::default(),
            error: None,
        }
    }

    #[test]
    fn the_sender_included_is_explained_by_the_reference() {
        let expected = step("alice> socket.emit(\"chat\", \"hi\")");
        let mut observed = Observed::default();
        for name in ["alice", "bob"] {
            observed.got.insert(
                name.to_owned(),
                vec![("chat".to_owned(), vec![json!("hi")])],
            );
        }
        let clients = ["alice".to_owned(), "bob".to_owned()];
        let lines = compare(&expected, &observed, &clients);
        assert_eq!(
            lines,
            [
                Line::miss(
                    "alice",
                    "got \"chat\": \"hi\", which it should not: in the reference, alice gets \
                     none: the sender: broadcasting from a socket leaves the sender out"
                        .into()
                ),
                Line::ok("bob", "got \"chat\": \"hi\"".into()),
            ]
        );
    }

    #[test]
    fn a_missing_and_a_changed_delivery_say_what_the_reference_sends() {
        let expected = step("alice> socket.emit(\"chat\", \"hi\")");
        let clients = ["alice".to_owned(), "bob".to_owned()];
        let nothing = compare(&expected, &Observed::default(), &clients);
        assert_eq!(
            nothing[0].text,
            "nothing, as in the reference: the sender: broadcasting from a socket leaves the sender out"
        );
        assert!(!nothing[1].ok);
        assert!(
            nothing[1].text.starts_with(
                "should have got \"chat\": \"hi\": in the reference, the \"chat\" handler runs"
            ),
            "{}",
            nothing[1].text
        );
        let mut changed = Observed::default();
        changed.got.insert(
            "bob".to_owned(),
            vec![("chat".to_owned(), vec![json!("HI")])],
        );
        let lines = compare(&expected, &changed, &clients);
        assert_eq!(
            lines[1].text,
            "got \"chat\": \"HI\"; the reference sends \"chat\": \"hi\""
        );
    }
}
