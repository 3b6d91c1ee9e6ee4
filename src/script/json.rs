//! JSON as a script writes it: where a literal ends, how deep it may nest,
//! and numbers as JavaScript holds them.

use serde_json::Value;

use super::cursor::{Cursor, Parsed};
use super::error::excerpt;
use super::scan::{Quotes, Region, scan};

impl Cursor<'_> {
    /// One JSON literal, numbers as JavaScript would hold them.
    pub(super) fn json(&mut self) -> Parsed<Value> {
        self.skip_ws();
        let rest = self.rest();
        let at = self.pos;
        if rest.starts_with('\'') {
            return Err(self.error("strings take double quotes (JSON), not single quotes"));
        }
        if let Some(e) = self.misplaced_msg() {
            return Err(e);
        }
        let len = json_extent(rest);
        if len == 0 {
            return Err(self.error(format!(
                "expected a JSON value (a string, number, true, false, null, array or object){}",
                self.found()
            )));
        }
        match serde_json::from_str::<Value>(&rest[..len]) {
            Ok(value) if depth(&value) > MAX_DEPTH => Err(self.error_at(
                at,
                format!(
                    "this value nests {} levels deep; the clients read at most {MAX_DEPTH}",
                    depth(&value)
                ),
            )),
            Ok(value) => {
                self.pos += len;
                Ok(js_number_semantics(value))
            }
            Err(e) => {
                // serde_json's column is 1-based and counts bytes (of the
                // value: one line). Point at the character holding that byte,
                // or at the value's last character when it ran out.
                let value = &rest[..len];
                let last = value.char_indices().next_back().map_or(0, |(i, _)| i);
                let offset = value.floor_char_boundary(e.column().saturating_sub(1));
                Err(self.error_at(
                    at + offset.min(last),
                    format!(
                        "`{}` is not valid JSON: {}",
                        excerpt(value),
                        json_error_text(&e)
                    ),
                ))
            }
        }
    }
}

/// The length of the JSON literal at the start of `text`: a string, a
/// bracketed array or object (strings inside skipped), or a bare word such as
/// a number, `true` or `null` (up to a delimiter).
pub(super) fn json_extent(text: &str) -> usize {
    let mut depth = 0usize;
    for (i, c, place) in scan(text, Quotes::Double) {
        match (place, c) {
            (Region::Close, _) if depth == 0 => return i + 1,
            (Region::Open | Region::Inside | Region::Close, _) => {}
            (Region::Code, '[' | '{') => depth += 1,
            (Region::Code, ']' | '}') if depth > 0 => {
                depth -= 1;
                if depth == 0 {
                    return i + 1;
                }
            }
            (Region::Code, ',' | ')' | ']' | '}' | ';') if depth == 0 => return i,
            (Region::Code, c) if c.is_whitespace() && depth == 0 => return i,
            (Region::Code, _) => {}
        }
    }
    text.len()
}

/// serde_json's message without its own " at line 1 column N" suffix.
pub(super) fn json_error_text(e: &serde_json::Error) -> String {
    let text = e.to_string();
    match text.find(" at line ") {
        Some(i) => text[..i].to_owned(),
        None => text,
    }
}

/// How deeply an argument may nest: rust_socketio's JSON reader stops at
/// 128 levels, and a packet wraps the arguments in one more.
pub(super) const MAX_DEPTH: usize = 100;

/// How many arrays and objects deep a value goes.
pub(super) fn depth(value: &Value) -> usize {
    match value {
        Value::Array(items) => 1 + items.iter().map(depth).max().unwrap_or(0),
        Value::Object(map) => 1 + map.values().map(depth).max().unwrap_or(0),
        _ => 0,
    }
}

/// JavaScript has one number type: `-3.5e2` is `-350`, printed without `.0`.
pub fn js_number_semantics(value: Value) -> Value {
    match value {
        Value::Number(n) => {
            const SAFE: f64 = 9_007_199_254_740_991.0;
            if let Some(f) = n.as_f64().filter(|_| n.is_f64())
                && f.fract() == 0.0
                && f.abs() <= SAFE
            {
                // Exact: an integral f64 within ±2^53 fits an i64 losslessly.
                return Value::from(f as i64);
            }
            // serde_json keeps an integer beyond ±2^53 exact (9007199254740993);
            // JavaScript holds the nearest f64 (9007199254740992) and prints it
            // with its shortest digits padded with zeros (12345678901234567000),
            // as Rust's `Display` for f64 does. Keep that integer when it fits.
            if let Some(f) = n.as_f64().filter(|f| !n.is_f64() && f.abs() > SAFE) {
                if let Ok(int) = serde_json::from_str::<Value>(&f.to_string())
                    && (int.is_i64() || int.is_u64())
                {
                    return int;
                }
                if let Some(float) = serde_json::Number::from_f64(f) {
                    return Value::Number(float);
                }
            }
            Value::Number(n)
        }
        Value::Array(items) => Value::Array(items.into_iter().map(js_number_semantics).collect()),
        Value::Object(map) => Value::Object(
            map.into_iter()
                .map(|(k, v)| (k, js_number_semantics(v)))
                .collect(),
        ),
        other => other,
    }
}

#[cfg(test)]
mod tests {
    //! Number details found by the differential test (tests/integration/differential.rs).
    use super::*;

    #[test]
    fn integers_beyond_2_pow_53_are_rounded_as_javascript_holds_them() {
        let parsed = |text: &str| js_number_semantics(serde_json::from_str(text).unwrap());
        assert_eq!(parsed("9007199254740993").to_string(), "9007199254740992");
        assert_eq!(parsed("-9007199254740993").to_string(), "-9007199254740992");
        assert_eq!(
            parsed("12345678901234567890").to_string(),
            "12345678901234567000"
        );
        assert_eq!(parsed("9007199254740991").to_string(), "9007199254740991");
        assert_eq!(parsed("[-3.5e2, 1.0]").to_string(), "[-350,1]");
    }
}
