//! The cases an answer is graded on: the exercise's own start, the variants
//! derived from it (clients renamed, another sender, other values in the
//! `then:` lines, one more client in no room) and the variants it declares.
//! On each, the answer must do what the reference solution does.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use crate::learn::attempt::{self, Part, Placed};
use crate::lesson::{ScriptLine, Vary};
use crate::script::{Quotes, Region, Statement, StatementKind, scan};

/// One start an answer is graded from.
#[derive(Debug, Clone, PartialEq)]
pub struct Case {
    /// What makes it a variant; `None` for the exercise's own start.
    pub label: Option<String>,
    pub start: Vec<ScriptLine>,
    pub then: Vec<ScriptLine>,
    /// Client names renamed in this case, in the answer and the solution too.
    pub rename: BTreeMap<String, String>,
    /// Clients that trade places in the `then:` lines: the rooms the goal
    /// checks are the other one's.
    pub swap: BTreeMap<String, String>,
}

impl Case {
    /// `lines` (an answer or the solution) as this case runs them.
    pub fn lines(&self, lines: &[&str]) -> Vec<String> {
        lines.iter().map(|l| rename(l, &self.rename)).collect()
    }

    /// A name of the exercise as this case calls it.
    pub fn name(&self, name: &str) -> String {
        let name = self.swap.get(name).map_or(name, String::as_str);
        self.rename
            .get(name)
            .cloned()
            .unwrap_or_else(|| name.to_owned())
    }
}

/// Names a variant may give a client, in order.
const FRESH: [&str; 14] = [
    "ivy", "kai", "lena", "milo", "nora", "omar", "pia", "quinn", "rosa", "theo", "una", "vera",
    "wim", "zane",
];

/// Every case of `placed`: its own start first, then the derived variants
/// its `vary:` allows, then the declared ones.
pub fn cases(placed: &Placed) -> Vec<Case> {
    let ex = &placed.exercise;
    let own = Case {
        label: None,
        start: placed.start().to_vec(),
        then: ex.then.clone(),
        rename: BTreeMap::new(),
        swap: BTreeMap::new(),
    };
    let mut all = vec![own.clone()];
    if let Some(parsed) = parsed_try(placed) {
        let mut fresh = fresh_names(placed);
        let clients = connected_in(&parsed);
        if ex.vary.contains(&Vary::Rename) && !clients.is_empty() {
            all.push(renamed(&own, &clients, &mut fresh));
        }
        if ex.vary.contains(&Vary::Sender) {
            all.extend(other_sender(&own, &parsed));
        }
        if ex.vary.contains(&Vary::Payload) {
            all.extend(other_values(&own, &parsed));
        }
        if ex.vary.contains(&Vary::Extra) {
            all.push(extra_client(&own, &parsed, &mut fresh));
        }
    }
    for variant in &ex.variants {
        all.push(Case {
            label: Some(variant.label.clone()),
            start: if variant.setup.is_empty() {
                own.start.clone()
            } else {
                variant.setup.clone()
            },
            then: if variant.then.is_empty() {
                own.then.clone()
            } else {
                variant.then.clone()
            },
            rename: BTreeMap::new(),
            swap: BTreeMap::new(),
        });
    }
    all
}

/// The exercise's own try with its solution, parsed (`None` if it does not
/// parse: `check` says why).
fn parsed_try(placed: &Placed) -> Option<Vec<(Part, Statement)>> {
    let ex = &placed.exercise;
    attempt::try_with(ex, placed.start(), &ex.solution_lines())
        .ok()
        .map(|t| t.statements)
}

/// Names no line of the exercise uses, to give to new or renamed clients.
fn fresh_names(placed: &Placed) -> impl Iterator<Item = String> {
    let ex = &placed.exercise;
    let texts: Vec<String> = placed
        .start()
        .iter()
        .chain(&ex.then)
        .chain(&ex.solution)
        .map(|l| l.text.to_lowercase())
        .collect();
    FRESH
        .iter()
        .filter(move |name| !texts.iter().any(|t| t.contains(*name)))
        .map(|name| (*name).to_owned())
}

/// The clients the start, the solution and the `then:` lines connect, in order.
fn connected_in(parsed: &[(Part, Statement)]) -> Vec<String> {
    let mut names = Vec::new();
    for (_, s) in parsed {
        if let StatementKind::Connect { name, .. } = &s.kind
            && !names.contains(name)
        {
            names.push(name.clone());
        }
    }
    names
}

fn renamed(own: &Case, clients: &[String], fresh: &mut impl Iterator<Item = String>) -> Case {
    let map: BTreeMap<String, String> = clients
        .iter()
        .filter_map(|name| fresh.next().map(|new| (name.clone(), new)))
        .collect();
    let label = map
        .iter()
        .map(|(old, new)| format!("{old} → {new}"))
        .collect::<Vec<_>>()
        .join(", ");
    Case {
        label: Some(format!("the clients renamed ({label})")),
        start: rename_lines(&own.start, &map),
        then: rename_lines(&own.then, &map),
        rename: map,
        swap: BTreeMap::new(),
    }
}

/// Another client of the same namespace and server sends (or leaves) in
/// the `then:` lines, where one that the start connected does.
fn other_sender(own: &Case, parsed: &[(Part, Statement)]) -> Option<Case> {
    let mut present: Vec<(String, String, Option<String>)> = Vec::new();
    for (part, s) in parsed.iter().filter(|(p, _)| *p == Part::Start) {
        let _ = part;
        match &s.kind {
            StatementKind::Connect { name, ns, .. } => {
                present.retain(|(n, _, _)| n != name);
                present.push((name.clone(), ns.clone(), s.server.clone()));
            }
            StatementKind::Disconnect { name } => present.retain(|(n, _, _)| n != name),
            StatementKind::Servers { .. } => present.clear(),
            _ => {}
        }
    }
    let senders: BTreeSet<&String> = parsed
        .iter()
        .filter(|(p, _)| *p == Part::Then)
        .filter_map(|(_, s)| match &s.kind {
            StatementKind::ClientEmit { name, .. } | StatementKind::Disconnect { name } => {
                Some(name)
            }
            _ => None,
        })
        .collect();
    let mut swap = BTreeMap::new();
    for sender in senders {
        // Already swapped as another sender's partner: a second swap would
        // break the first pair (alice ↔ bob, then bob ↔ carol).
        if swap.contains_key(sender) {
            continue;
        }
        let Some((_, ns, server)) = present.iter().find(|(n, _, _)| n == sender) else {
            continue;
        };
        let other = present.iter().find(|(n, o_ns, o_server)| {
            n != sender && o_ns == ns && o_server == server && !swap.contains_key(n)
        });
        if let Some((other, _, _)) = other {
            swap.insert(sender.clone(), other.clone());
            swap.insert(other.clone(), sender.clone());
        }
    }
    if swap.is_empty() {
        return None;
    }
    let pairs: Vec<String> = swap
        .iter()
        .filter(|(a, b)| a < b)
        .map(|(a, b)| format!("{a} ↔ {b}"))
        .collect();
    Some(Case {
        label: Some(format!(
            "other clients in the follow-up lines ({})",
            pairs.join(", ")
        )),
        start: own.start.clone(),
        then: rename_lines(&own.then, &swap),
        rename: BTreeMap::new(),
        swap,
    })
}

/// The `then:` lines with other values in their clients' arguments and auth.
fn other_values(own: &Case, parsed: &[(Part, Statement)]) -> Option<Case> {
    let thens: Vec<&Statement> = parsed
        .iter()
        .filter(|(p, _)| *p == Part::Then)
        .map(|(_, s)| s)
        .collect();
    if thens.len() != own.then.len() {
        return None;
    }
    let mut changed = false;
    let then = own
        .then
        .iter()
        .zip(thens)
        .map(|(line, s)| {
            let text = match &s.kind {
                StatementKind::ClientEmit {
                    name,
                    event,
                    args,
                    ack,
                    form,
                } if !args.is_empty() => {
                    let args: Vec<String> =
                        args.iter().map(|a| other_value(a).to_string()).collect();
                    crate::script::client_emit_code(name, event, &args, *ack, *form)
                }
                // v3: a socket's ask, with other values for its client to answer.
                StatementKind::Ask {
                    socket: Some(name),
                    expr:
                        crate::script::Expr::Socket(crate::script::SocketAction::Emit {
                            event: crate::script::Arg::Lit(event),
                            args,
                        }),
                    timeout,
                } if !args.is_empty() => {
                    let args: Option<Vec<String>> = args
                        .iter()
                        .map(|a| a.lit().map(|v| other_value(v).to_string()))
                        .collect();
                    match args {
                        Some(args) => crate::script::socket_ask_code(name, event, &args, *timeout),
                        None => return line.clone(),
                    }
                }
                StatementKind::Connect { name, ns, auth } if !auth.is_empty() => {
                    let ns = if ns == "/" {
                        String::new()
                    } else {
                        format!(" {ns}")
                    };
                    let server = s
                        .server
                        .as_ref()
                        .map(|l| format!(" @{l}"))
                        .unwrap_or_default();
                    let auth = other_value(&Value::Object(auth.clone()));
                    format!("connect {name}{ns}{server} {auth}")
                }
                _ => return line.clone(),
            };
            changed = true;
            ScriptLine {
                number: line.number,
                text,
            }
        })
        .collect();
    changed.then(|| Case {
        label: Some("other values in the follow-up lines".to_owned()),
        start: own.start.clone(),
        then,
        rename: BTreeMap::new(),
        swap: BTreeMap::new(),
    })
}

/// Another value of the same shape: strings get a `2`, numbers one more,
/// booleans flip, inside arrays and objects too.
fn other_value(value: &Value) -> Value {
    match value {
        Value::String(s) => Value::String(format!("{s}2")),
        Value::Number(n) => n
            .as_i64()
            .map(|i| Value::from(i + 1))
            .or_else(|| n.as_f64().map(|f| Value::from(f + 1.0)))
            .unwrap_or_else(|| value.clone()),
        Value::Bool(b) => Value::Bool(!b),
        Value::Array(items) => Value::Array(items.iter().map(other_value).collect()),
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| (k.clone(), other_value(v)))
                .collect(),
        ),
        Value::Null => Value::Null,
    }
}

/// One more client at the end of the start, in `/` and in no room.
fn extra_client(
    own: &Case,
    parsed: &[(Part, Statement)],
    fresh: &mut impl Iterator<Item = String>,
) -> Case {
    let name = fresh.next().unwrap_or_else(|| "extra".to_owned());
    let server = parsed
        .iter()
        .filter(|(p, _)| *p == Part::Start)
        .filter_map(|(_, s)| match &s.kind {
            StatementKind::Servers { labels, .. } => labels.first(),
            _ => None,
        })
        .next_back()
        .map(|label| format!(" @{label}"))
        .unwrap_or_default();
    let mut start = own.start.clone();
    start.push(ScriptLine {
        number: start.last().map_or(1, |l| l.number),
        text: format!("connect {name}{server}"),
    });
    Case {
        label: Some(format!("one more client, {name}, in no room")),
        start,
        then: own.then.clone(),
        rename: BTreeMap::new(),
        swap: BTreeMap::new(),
    }
}

fn rename_lines(lines: &[ScriptLine], map: &BTreeMap<String, String>) -> Vec<ScriptLine> {
    lines
        .iter()
        .map(|l| ScriptLine {
            number: l.number,
            text: rename(&l.text, map),
        })
        .collect()
}

/// `text` with each client name of `map` replaced where it is code (never
/// inside a string literal, nor after `.`, `/` or `@`).
pub fn rename(text: &str, map: &BTreeMap<String, String>) -> String {
    if map.is_empty() {
        return text.to_owned();
    }
    let is_word = |c: char| c.is_alphanumeric() || c == '_' || c == '-';
    let mut out = String::with_capacity(text.len());
    let mut word = String::new();
    let mut before: Option<char> = None;
    let flush = |word: &mut String, before: Option<char>, out: &mut String| {
        let after_member = matches!(before, Some('.' | '/' | '@'));
        match map.get(word.as_str()) {
            Some(new) if !after_member => out.push_str(new),
            _ => out.push_str(word),
        }
        word.clear();
    };
    let mut word_before = None;
    for (_, c, region) in scan(text, Quotes::Double) {
        if region == Region::Code && is_word(c) {
            if word.is_empty() {
                word_before = before;
            }
            word.push(c);
        } else {
            if !word.is_empty() {
                flush(&mut word, word_before, &mut out);
            }
            out.push(c);
        }
        before = Some(c);
    }
    if !word.is_empty() {
        flush(&mut word, word_before, &mut out);
    }
    out
}

#[cfg(test)]
mod tests {
    //! Renaming touches code, never strings.
    use super::*;

    #[test]
    fn a_rename_leaves_strings_members_and_namespaces_alone() {
        let map = BTreeMap::from([
            ("carol".to_owned(), "ivy".to_owned()),
            ("bob".to_owned(), "kai".to_owned()),
        ]);
        assert_eq!(
            rename(r#"carol: socket.emit("welcome", "carol")"#, &map),
            r#"ivy: socket.emit("welcome", "carol")"#
        );
        assert_eq!(
            rename(r#"io.of("/bob").to(bob.id).emit("x", 1)"#, &map),
            r#"io.of("/bob").to(kai.id).emit("x", 1)"#
        );
        assert_eq!(rename("connect bob /bob @A", &map), "connect kai /bob @A");
    }
}
