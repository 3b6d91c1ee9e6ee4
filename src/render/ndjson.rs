//! The NDJSON of `tour-script.md`: one JSON object per statement, from
//! serde-derived structs whose field order is the format's key order.

use std::collections::BTreeMap;
use std::io::{self, Write};

use serde::Serialize;
use serde_json::Value;

use super::Format;
use crate::learn::guess::{Graded, Idea, Prediction, Score};
use crate::report::{Delivery, Outcome, ReportLine, StepReport};

/// Writes one JSON line per step, and nothing else.
pub struct Ndjson<W> {
    pub(super) out: W,
}

impl<W: Write> Ndjson<W> {
    pub fn new(out: W) -> Self {
        Ndjson { out }
    }
}

impl<W: Write> Format for Ndjson<W> {
    fn step(&mut self, report: &StepReport, _name_width: usize) -> io::Result<()> {
        writeln!(self.out, "{}", json_line(report))
    }

    fn prediction(
        &mut self,
        report: &StepReport,
        prediction: &Prediction,
        graded: &Graded,
        ideas: &[Idea],
    ) -> io::Result<()> {
        self.prediction_line(report, prediction, graded, ideas)
    }

    fn score(&mut self, score: &Score) -> io::Result<()> {
        self.score_line(score)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.out.flush()
    }
}

/// A step's NDJSON lines (one or more, joined by newlines), in the format
/// and order of `tour-script.md`. A disagreement goes on the first line.
pub fn json_line(report: &StepReport) -> String {
    let lines: Vec<String> = report
        .lines()
        .into_iter()
        .enumerate()
        .map(|(i, part)| {
            let line = Line {
                step: report.line,
                code: &report.code,
                outcome: match part {
                    ReportLine::Outcome(outcome) => OutcomeLine::of(outcome),
                    ReportLine::Hook(run) => OutcomeLine::of(&run.outcome),
                    ReportLine::Ack(ack) => OutcomeLine::Ack {
                        ack,
                        ack_error: report.ack_detail.error.as_ref().map(Option::as_deref),
                    },
                },
                mismatch: if i == 0 { &report.mismatches } else { &[] },
            };
            serde_json::to_string(&line).expect("a step's line is plain JSON data")
        })
        .collect();
    lines.join("\n")
}

/// A step's line: its statement, what it did, and any disagreement.
#[derive(Serialize)]
struct Line<'a> {
    step: usize,
    code: &'a str,
    #[serde(flatten)]
    outcome: OutcomeLine<'a>,
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    mismatch: &'a [String],
}

/// The keys each outcome adds to its line.
#[derive(Serialize)]
#[serde(untagged)]
enum OutcomeLine<'a> {
    Connect {
        connected: bool,
        error: Option<&'a str>,
        #[serde(rename = "errorData", skip_serializing_if = "Option::is_none")]
        error_data: Option<&'a Value>,
        #[serde(skip_serializing_if = "Option::is_none")]
        server: Option<&'a str>,
    },
    Emit {
        event: &'a str,
        receivers: Vec<&'a str>,
        payloads: BTreeMap<&'a str, &'a [Value]>,
    },
    Rooms {
        rooms: &'a BTreeMap<String, Vec<String>>,
    },
    Disconnected {
        disconnected: BTreeMap<&'a str, Sides<'a>>,
    },
    Middleware {
        middleware: &'a str,
    },
    Namespace {
        namespace: &'a str,
    },
    Servers {
        servers: &'a [String],
        adapter: &'a str,
    },
    Ack {
        ack: &'a BTreeMap<String, Vec<Value>>,
        /// v3: the error a callback that takes one got (`null` if none).
        #[serde(rename = "ackError", skip_serializing_if = "Option::is_none")]
        ack_error: Option<Option<&'a str>>,
    },
    Listener {
        listener: String,
    },
    Handler {
        handler: String,
    },
    Refused {
        refused: &'a str,
    },
    Unhandled {
        handled: bool,
    },
    Error {
        error: &'a str,
    },
    Reconnected {
        reconnected: bool,
        error: Option<&'a str>,
        /// Each buffered emit sent after the CONNECT: `[event, ...args]`.
        flushed: Vec<Vec<Value>>,
    },
    Buffered {
        buffered: bool,
    },
    Dropped {
        dropped: &'a str,
    },
    /// v3: `fetchSockets()`, by client name.
    Sockets {
        sockets: BTreeMap<&'a str, FetchedLine<'a>>,
    },
}

/// A socket `fetchSockets()` found: its rooms, and its server on a cluster.
#[derive(Serialize)]
struct FetchedLine<'a> {
    rooms: &'a [String],
    #[serde(skip_serializing_if = "Option::is_none")]
    server: Option<&'a str>,
}

/// The two sides' reasons for a disconnection.
#[derive(Serialize)]
struct Sides<'a> {
    client: &'a str,
    server: &'a str,
}

impl<'a> OutcomeLine<'a> {
    fn of(outcome: &'a Outcome) -> OutcomeLine<'a> {
        match outcome {
            Outcome::Connect {
                error,
                error_data,
                server,
                ..
            } => OutcomeLine::Connect {
                connected: error.is_none(),
                error: error.as_deref(),
                error_data: error_data.as_ref(),
                server: server.as_deref(),
            },
            Outcome::Emit { event, deliveries } => {
                let received: BTreeMap<&str, &[Value]> = deliveries
                    .iter()
                    .filter_map(|(name, delivery)| match delivery {
                        Delivery::Received(args) => Some((name.as_str(), args.as_slice())),
                        Delivery::Missed(_) => None,
                    })
                    .collect();
                OutcomeLine::Emit {
                    event,
                    receivers: received.keys().copied().collect(),
                    payloads: received,
                }
            }
            Outcome::Rooms(rooms) => OutcomeLine::Rooms { rooms },
            Outcome::Disconnected(gone) => OutcomeLine::Disconnected {
                disconnected: gone
                    .iter()
                    .map(|(name, d)| {
                        let sides = Sides {
                            client: &d.client,
                            server: &d.server,
                        };
                        (name.as_str(), sides)
                    })
                    .collect(),
            },
            Outcome::Middleware { ns } | Outcome::PacketMiddleware { ns } => {
                OutcomeLine::Middleware { middleware: ns }
            }
            Outcome::Namespace { ns } => OutcomeLine::Namespace { namespace: ns },
            Outcome::Servers { labels, bus } => OutcomeLine::Servers {
                servers: labels,
                adapter: bus,
            },
            // Never a line of its own: `lines()` leaves it out.
            Outcome::Answered => OutcomeLine::Ack {
                ack: const { &BTreeMap::new() },
                ack_error: None,
            },
            Outcome::Listener { name, event } => OutcomeLine::Listener {
                listener: format!("{name} {event}"),
            },
            Outcome::Handler { ns, event } => OutcomeLine::Handler {
                handler: format!("{ns} {event}"),
            },
            Outcome::Unhandled { .. } => OutcomeLine::Unhandled { handled: false },
            Outcome::Refused { message, .. } => OutcomeLine::Refused { refused: message },
            Outcome::Error(message) => OutcomeLine::Error { error: message },
            Outcome::Reconnected { error, flushed, .. } => OutcomeLine::Reconnected {
                reconnected: error.is_none(),
                error: error.as_deref(),
                flushed: flushed.iter().map(flushed_emit).collect(),
            },
            Outcome::Offline { buffered: true, .. } => OutcomeLine::Buffered { buffered: true },
            Outcome::Offline { .. } => OutcomeLine::Dropped {
                dropped: "volatile",
            },
            Outcome::Sockets { found, .. } => OutcomeLine::Sockets {
                sockets: found
                    .iter()
                    .map(|(name, found)| {
                        let line = FetchedLine {
                            rooms: &found.rooms,
                            server: found.server.as_deref(),
                        };
                        (name.as_str(), line)
                    })
                    .collect(),
            },
        }
    }
}

/// A flushed emit as the line shows it: its event name, then its arguments.
fn flushed_emit((event, args): &(String, Vec<Value>)) -> Vec<Value> {
    std::iter::once(Value::String(event.clone()))
        .chain(args.iter().cloned())
        .collect()
}

#[cfg(test)]
mod tests {
    //! The derived structs write the keys in the format's order.
    use super::*;

    fn report(outcome: Outcome, mismatches: &[&str]) -> StepReport {
        let mut report = StepReport::new(3, "x".to_owned(), outcome);
        report.mismatches = mismatches.iter().map(|m| m.to_string()).collect();
        report
    }

    #[test]
    fn keys_come_in_the_formats_order_and_mismatch_only_when_there_is_one() {
        let unhandled = Outcome::Unhandled {
            ns: "/".to_owned(),
            event: "e".to_owned(),
        };
        assert_eq!(
            json_line(&report(unhandled, &[])),
            r#"{"step":3,"code":"x","handled":false}"#
        );
        let refused = Outcome::Connect {
            server: None,
            name: "a".to_owned(),
            ns: "/".to_owned(),
            error: Some("unauthorized".to_owned()),
            error_data: None,
            no_namespace: false,
        };
        assert_eq!(
            json_line(&report(refused, &["m"])),
            r#"{"step":3,"code":"x","connected":false,"error":"unauthorized","mismatch":["m"]}"#
        );
        let emit = Outcome::Emit {
            event: "e".to_owned(),
            deliveries: BTreeMap::from([
                ("b".to_owned(), Delivery::Received(vec![Value::from(1)])),
                ("a".to_owned(), Delivery::Received(vec![])),
            ]),
        };
        assert_eq!(
            json_line(&report(emit, &[])),
            r#"{"step":3,"code":"x","event":"e","receivers":["a","b"],"payloads":{"a":[],"b":[1]}}"#
        );
    }
}
