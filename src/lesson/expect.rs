//! What an exercise expects: the outcome that counts, and the values its
//! `expect …:` keys take (client names, JSON arrays, rooms).

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

/// The outcome that counts. Every field that is set must hold.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Expect {
    /// The event that counts; `None`: any event the graded statements emit.
    pub event: Option<String>,
    /// Exactly who must receive the event (empty: nobody).
    pub receivers: Option<BTreeSet<String>>,
    /// The arguments every receiver must get.
    pub payload: Option<Vec<Value>>,
    /// Each named client's rooms afterwards, exactly (own-id room not counted).
    pub rooms: BTreeMap<String, BTreeSet<String>>,
    pub admitted: Option<BTreeSet<String>>,
    pub refused: Option<BTreeSet<String>>,
    /// The arguments the sender's `ack` callback must receive.
    pub ack: Option<Vec<Value>>,
    /// Exactly who the last `fetchSockets()` of the answer must find (v3).
    pub found: Option<BTreeSet<String>>,
}

impl Expect {
    /// Whether anything is expected at all.
    pub fn is_empty(&self) -> bool {
        self.receivers.is_none()
            && self.payload.is_none()
            && self.rooms.is_empty()
            && self.admitted.is_none()
            && self.refused.is_none()
            && self.ack.is_none()
            && self.found.is_none()
    }
}

/// Client names separated by spaces, or `-` for nobody.
pub fn names(value: &str) -> Result<BTreeSet<String>, String> {
    let words: Vec<&str> = value.split_whitespace().collect();
    if words == ["-"] {
        return Ok(BTreeSet::new());
    }
    if words.contains(&"-") {
        return Err(format!(
            "`{}` mixes `-` (nobody) with names; write either names or `-`",
            shorten(value)
        ));
    }
    if let Some(bad) = words.iter().find(|w| !is_name(w)) {
        return Err(format!(
            "`{}` is not a client name; write names separated by spaces, e.g. `bob carol`, or `-` for nobody",
            shorten(bad)
        ));
    }
    let set: BTreeSet<String> = words.iter().map(|w| (*w).to_owned()).collect();
    if set.len() != words.len() {
        return Err(format!("`{}` names a client twice", shorten(value)));
    }
    Ok(set)
}

/// Whether `word` can be a client name of the tour language.
fn is_name(word: &str) -> bool {
    word.chars()
        .all(|c| c.is_alphanumeric() || c == '_' || c == '-')
        && !word.starts_with(|c: char| c.is_ascii_digit() || c == '-')
}

/// The event name, a JSON string.
pub fn event(value: &str) -> Result<String, String> {
    match serde_json::from_str::<Value>(value) {
        Ok(Value::String(event)) => Ok(event),
        _ => Err(format!(
            "`expect event:` takes the event name as a JSON string, e.g. `\"news\"`, not `{}`",
            shorten(value)
        )),
    }
}

/// Arguments, a JSON array (for the key `word`).
pub fn json_array(word: &str, value: &str) -> Result<Vec<Value>, String> {
    match serde_json::from_str::<Value>(value) {
        Ok(Value::Array(items)) => Ok(items),
        _ => Err(format!(
            "`{word}:` takes a JSON array of arguments, e.g. `[\"hi\"]` or `[{{\"status\": \"ok\"}}]`, not `{}`",
            shorten(value)
        )),
    }
}

/// `NAME ROOM ROOM…` with rooms as JSON strings, or `NAME -` for no room.
pub fn rooms(value: &str) -> Result<(String, BTreeSet<String>), String> {
    let usage = "`expect rooms:` takes a name, then its rooms as JSON strings, e.g. \
                 `bob \"lobby\" \"games\"`, or `bob -` for no room";
    let (name, rest) = value
        .split_once(char::is_whitespace)
        .ok_or_else(|| usage.to_owned())?;
    if !is_name(name) {
        return Err(format!("`{}` is not a client name; {usage}", shorten(name)));
    }
    let rest = rest.trim();
    if rest == "-" {
        return Ok((name.to_owned(), BTreeSet::new()));
    }
    let mut rooms = BTreeSet::new();
    for item in serde_json::Deserializer::from_str(rest).into_iter::<Value>() {
        match item {
            Ok(Value::String(room)) => {
                rooms.insert(room);
            }
            _ => return Err(usage.to_owned()),
        }
    }
    Ok((name.to_owned(), rooms))
}

/// How much of the author's text a message quotes, in characters.
const EXCERPT_CHARS: usize = 40;

/// The author's text as a message quotes it: cut after a few words.
pub fn shorten(text: &str) -> String {
    match text.char_indices().nth(EXCERPT_CHARS) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.to_owned(),
    }
}
