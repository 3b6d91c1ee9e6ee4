//! What a step's acknowledgement came to (v3): the answers a server's ask
//! got back, or what a client's `ack` form makes of the one it got; kept
//! apart from the asking (`acks.rs`) so that a step's trace can finish it.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::report::AckDetail;
use crate::script::AckForm;

/// The error the official client and server give a callback (or a
/// promise) when no acknowledgement came within the timeout.
pub const TIMED_OUT: &str = "operation has timed out";

/// The error the official client gives a callback with a timeout whose
/// socket disconnected before any acknowledgement came.
pub const CUT_OFF: &str = "socket has been disconnected";

/// What a server's ask got back.
#[derive(Debug, Default)]
pub(super) struct Answers {
    /// By client: the arguments that reached the server's callback.
    pub(super) ack: BTreeMap<String, Vec<Value>>,
    /// The callback's error, for a form that takes one.
    pub(super) error: Option<Option<String>>,
    /// Each target that did not answer, and why not.
    pub(super) unanswered: BTreeMap<String, String>,
    /// A broadcast asked: one response per client.
    pub(super) broadcast: bool,
}

/// A step's `ack`, its error and its unanswered targets: a server's ask as
/// it was observed, or a client's acknowledgement (`ack`) as its `form`
/// hands it over: a promise keeps the first argument only, and a timeout
/// turns "none came" into the error (`cut`: the sender's socket left in
/// the step, so the client failed it at once).
pub(super) fn finish(
    ack: Option<BTreeMap<String, Vec<Value>>>,
    (form, cut): (AckForm, bool),
    asked: Option<Answers>,
) -> (Option<BTreeMap<String, Vec<Value>>>, AckDetail) {
    if let Some(asked) = asked {
        let detail = AckDetail {
            error: asked.error,
            unanswered: Some(asked.unanswered),
            promise: false,
            responses: asked.broadcast,
        };
        return (Some(asked.ack), detail);
    }
    let Some(mut ack) = ack else {
        return (None, AckDetail::default());
    };
    if form.promise {
        for args in ack.values_mut() {
            args.truncate(1);
        }
    }
    let error = form.timeout.map(|_| {
        ack.is_empty()
            .then(|| (if cut { CUT_OFF } else { TIMED_OUT }).to_owned())
    });
    let detail = AckDetail {
        error,
        unanswered: None,
        promise: form.promise,
        responses: false,
    };
    (Some(ack), detail)
}

#[cfg(test)]
mod tests {
    //! What each client form makes of the answer it got.
    use super::*;
    use serde_json::json;

    #[test]
    fn a_promise_keeps_the_first_argument_and_a_timeout_reports_silence() {
        let got = BTreeMap::from([("a".to_owned(), vec![json!(1), json!(2)])]);
        let promise = AckForm {
            promise: true,
            timeout: Some(50),
        };
        let (ack, detail) = finish(Some(got), (promise, false), None);
        assert_eq!(ack.unwrap()["a"], vec![json!(1)]);
        assert_eq!(detail.error, Some(None));
        assert!(detail.promise);
        let (ack, detail) = finish(Some(BTreeMap::new()), (promise, false), None);
        assert!(ack.unwrap().is_empty());
        assert_eq!(detail.error, Some(Some(TIMED_OUT.to_owned())));
        let (_, detail) = finish(Some(BTreeMap::new()), (AckForm::default(), false), None);
        assert_eq!(
            detail.error, None,
            "no timeout: the callback never runs, no error"
        );
    }
}
