//! A Redis URL as sockets-tour shows it (transcript, JSON, errors): the
//! password replaced by `***`, wherever the URL puts it.

/// What stands for a password.
const HIDDEN: &str = "***";

/// `url` without its credentials: the password of `user:password@` (also
/// of `:password@` and of a malformed URL without a scheme) and the value
/// of a `pass` or `password` query parameter (`redis+unix:` URLs) become
/// `***`; a user name, the host, the port and the other parameters stay.
pub fn redact(url: &str) -> String {
    let (scheme, rest) = match url.find("://") {
        Some(at) => url.split_at(at + 3),
        None => ("", url),
    };
    // The query starts at the first `?` after the credentials' `@`, if any.
    let (before_query, query) = match rest.find('?') {
        Some(q) if !rest[q..].contains('@') => rest.split_at(q),
        Some(_) | None => match rest
            .rfind('@')
            .and_then(|at| rest[at..].find('?').map(|q| at + q))
        {
            Some(q) => rest.split_at(q),
            None => (rest, ""),
        },
    };
    let address = match before_query.rfind('@') {
        Some(at) => {
            let (userinfo, host) = before_query.split_at(at);
            match userinfo.find(':') {
                Some(colon) => format!("{}:{HIDDEN}{host}", &userinfo[..colon]),
                None => before_query.to_owned(),
            }
        }
        None => before_query.to_owned(),
    };
    // The query's passwords wherever they are: also where the split above
    // took them for credentials (an `@` in a `redis+unix:` URL's password).
    hide_query_passwords(&format!("{scheme}{address}{query}"))
}

/// Every `pass=` or `password=` value after a `?` or `&`, anywhere in
/// `text`, up to the next `&`, becomes `***`.
fn hide_query_passwords(text: &str) -> String {
    let mut shown = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(['?', '&']) {
        let (before, from) = rest.split_at(at + 1);
        shown.push_str(before);
        let key_end = from.find(['=', '&', '?']).unwrap_or(from.len());
        let key = &from[..key_end];
        let is_password = from[key_end..].starts_with('=')
            && (key.eq_ignore_ascii_case("pass") || key.eq_ignore_ascii_case("password"));
        if is_password {
            let value_end = from.find('&').unwrap_or(from.len());
            shown.push_str(key);
            shown.push('=');
            shown.push_str(HIDDEN);
            rest = &from[value_end..];
        } else {
            rest = from;
        }
    }
    shown.push_str(rest);
    shown
}

#[cfg(test)]
mod tests {
    //! Every place a Redis URL can carry a password, and what stays.
    use super::*;

    #[test]
    fn the_password_is_hidden_and_the_rest_stays() {
        for (url, shown) in [
            (
                "redis://default:s3cr3t@127.0.0.1:6379/?protocol=resp3",
                "redis://default:***@127.0.0.1:6379/?protocol=resp3",
            ),
            (
                "rediss://:s3cr3t@cache.example:6380/0",
                "rediss://:***@cache.example:6380/0",
            ),
            // A password with `@`, `?` and `:` in it, not percent-encoded.
            (
                "redis://u:p@s?s:w@h:1/?protocol=resp3",
                "redis://u:***@h:1/?protocol=resp3",
            ),
            ("default:s3cr3t@h:1", "default:***@h:1"),
            (
                "redis+unix:///tmp/r.sock?db=1&pass=s3cr3t&protocol=resp3",
                "redis+unix:///tmp/r.sock?db=1&pass=***&protocol=resp3",
            ),
            (
                "redis://127.0.0.1:6379/?protocol=resp3",
                "redis://127.0.0.1:6379/?protocol=resp3",
            ),
            ("redis://user@h:1/", "redis://user@h:1/"),
            // An `@` in a unix socket's password (redis accepts it as is).
            (
                "redis+unix:///tmp/r.sock?protocol=resp3&pass=p@ss",
                "redis+unix:///tmp/r.sock?protocol=resp3&pass=***",
            ),
            (
                "redis+unix:///tmp/r.sock?password=a:b@c&db=2",
                "redis+unix:///tmp/r.sock?password=***&db=2",
            ),
            ("", ""),
        ] {
            assert_eq!(redact(url), shown, "{url}");
        }
    }
}
