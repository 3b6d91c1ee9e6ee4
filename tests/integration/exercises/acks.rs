//! The rows of the exercises test for the `acks` lesson (v3's
//! acknowledgement forms).

use super::Case;
use super::cases::VARIANT;

pub const ACKS: &[Case] = &[
    Case {
        lesson: "acks",
        number: 1,
        wrong: &[
            (r#"bob> on "status": callback("busy", 12)"#, VARIANT),
            (
                r#"bob> on "status": callback("busy")"#,
                "the acknowledgement carried",
            ),
            (
                r#"on "status": callback("busy", msg)"#,
                "the goal asks for what bob's client does",
            ),
        ],
        right: &[
            r#"bob> on "status": callback("busy", msg)"#,
            r#"bob>on "status" : callback("busy",msg)"#,
        ],
    },
    Case {
        lesson: "acks",
        number: 2,
        wrong: &[
            (
                r#"alice> socket.emit("order:pay", {"total": 12}, ack)"#,
                "the acknowledgement carried",
            ),
            (
                r#"alice> socket.emit("order:pay", {"total": 12})"#,
                "callback is not a function",
            ),
        ],
        right: &[
            r#"alice> await socket.emitWithAck("order:pay", {"total": 12})"#,
            r#"alice> await socket.timeout(1000).emitWithAck("order:pay", {"total": 12})"#,
        ],
    },
    Case {
        lesson: "acks",
        number: 3,
        wrong: &[
            (r#"io.emit("vote", ack)"#, "needs `.timeout(MS)`"),
            (
                r#"alice: socket.timeout(500).emit("vote", ack)"#,
                "bob should have got",
            ),
        ],
        right: &[
            r#"io.timeout(500).emit("vote", ack)"#,
            r#"io.of("/").timeout(300).emit("vote", 1, ack)"#,
        ],
    },
    Case {
        lesson: "acks",
        number: 4,
        wrong: &[
            (r#"io.timeout(1000).emit("question", ack)"#, "carol"),
            (
                r#"io.to("staff").emit("question", ack)"#,
                "needs `.timeout(MS)`",
            ),
            (
                r#"alice: socket.to("staff").timeout(1000).emit("question", ack)"#,
                "alice should have got",
            ),
        ],
        right: &[
            r#"io.to("staff").timeout(1000).emit("question", ack)"#,
            r#"io.timeout(800).in("staff").emit("question", "late?", ack)"#,
        ],
    },
];
