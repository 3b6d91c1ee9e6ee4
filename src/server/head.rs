//! The request head each socket keeps. engine.io stores a socket's request
//! parts for as long as it lives (`socket.req_parts()`); what is stored is
//! decided here, before the request reaches it.

use axum::extract::OriginalUri;
use axum::http::{HeaderMap, HeaderName, HeaderValue, Uri};

use super::ORDER_HEADER;
use crate::protocol::{CLIENT_HEADER, SECRET_HEADER};

/// hyper parses a request's URI and header values as slices of its read
/// buffer (8 to 16 KB); engine.io keeps the request's parts as long as the
/// socket lives (`socket.req_parts()`), and axum keeps a copy of the URI in
/// them (`OriginalUri`), and with them that whole buffer. Copied out, the
/// buffer goes once the connection is upgraded: about 7 KB resident a
/// connection. Only the headers read after this point are kept
/// ([`KEPT_HEADERS`]): a map of every header a client sent (eight for a
/// tour client) costs 1.2 KB a socket; a map of the four of them a tour
/// client keeps, 0.3 KB.
pub(super) async fn own_request_head(mut req: axum::extract::Request) -> axum::extract::Request {
    let shared = std::mem::take(req.headers_mut());
    let kept = |name: &HeaderName| KEPT_HEADERS.contains(&name.as_str());
    let mut owned = HeaderMap::with_capacity(shared.keys().filter(|n| kept(n)).count());
    for (name, value) in shared.iter().filter(|(n, _)| kept(n)) {
        let mut copy = HeaderValue::from_bytes(value.as_bytes()).unwrap_or_else(|_| value.clone());
        copy.set_sensitive(value.is_sensitive());
        owned.append(name.clone(), copy);
    }
    *req.headers_mut() = owned;
    *req.uri_mut() = owned_uri(req.uri());
    if let Some(original) = req.extensions_mut().get_mut::<OriginalUri>() {
        original.0 = owned_uri(&original.0);
    }
    req
}

/// The request headers anything reads once [`own_request_head`] has run:
/// the tour's own (who a simulated client is, and its place in the order of
/// connections; `net::admit` and the connection handler), and engine.io's
/// (the websocket key it answers the upgrade with, a polling request's
/// content type). Names are lower case, as `HeaderName` keeps them.
const KEPT_HEADERS: [&str; 5] = [
    CLIENT_HEADER,
    SECRET_HEADER,
    ORDER_HEADER,
    "sec-websocket-key",
    "content-type",
];

/// `uri` in a buffer of its own (parsing its own text cannot fail; if it
/// did, the shared one is kept).
fn owned_uri(uri: &Uri) -> Uri {
    Uri::try_from(uri.to_string()).unwrap_or_else(|_| uri.clone())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn keeps_only_the_headers_read_later_in_buffers_of_their_own() {
        let sent = [
            ("host", "127.0.0.1:4000"),
            ("connection", "Upgrade"),
            ("upgrade", "websocket"),
            ("sec-websocket-version", "13"),
            ("sec-websocket-key", "dGhlIHNhbXBsZSBub25jZQ=="),
            (CLIENT_HEADER, "alice"),
            (SECRET_HEADER, "s3cret"),
            (ORDER_HEADER, "2"),
            ("user-agent", "a browser"),
        ];
        let mut request = axum::http::Request::builder()
            .uri("/socket.io/?EIO=4&transport=websocket")
            .body(axum::body::Body::empty())
            .unwrap();
        for (name, value) in sent {
            request.headers_mut().insert(
                HeaderName::from_static(name),
                HeaderValue::from_static(value),
            );
        }
        request
            .headers_mut()
            .get_mut(SECRET_HEADER)
            .unwrap()
            .set_sensitive(true);

        let kept = own_request_head(request).await;
        let names: Vec<&str> = kept.headers().keys().map(HeaderName::as_str).collect();
        assert_eq!(
            names,
            [
                "sec-websocket-key",
                CLIENT_HEADER,
                SECRET_HEADER,
                ORDER_HEADER
            ]
        );
        assert_eq!(kept.headers()[CLIENT_HEADER], "alice");
        assert_eq!(kept.headers()[ORDER_HEADER], "2");
        assert!(kept.headers()[SECRET_HEADER].is_sensitive());
        assert_eq!(kept.uri(), "/socket.io/?EIO=4&transport=websocket");
    }
}
