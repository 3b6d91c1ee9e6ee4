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
    format!("{scheme}{address}{}", redact_query(query))
}

/// `?a=1&pass=x` → `?a=1&pass=***`.
fn redact_query(query: &str) -> String {
    let Some(pairs) = query.strip_prefix('?') else {
        return query.to_owned();
    };
    let pairs: Vec<String> = pairs
        .split('&')
        .map(|pair| match pair.split_once('=') {
            Some((key, _))
                if key.eq_ignore_ascii_case("pass") || key.eq_ignore_ascii_case("password") =>
            {
                format!("{key}={HIDDEN}")
            }
            _ => pair.to_owned(),
        })
        .collect();
    format!("?{}", pairs.join("&"))
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
            ("", ""),
        ] {
            assert_eq!(redact(url), shown, "{url}");
        }
    }
}
