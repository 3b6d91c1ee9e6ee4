//! The reconnect lesson's rows of the exercises test: joining again on
//! every connection, the client's buffer, the disconnect handler of a lost
//! connection, a room per client name.

use super::Case;
use super::cases::VARIANT;

pub const RECONNECT: &[Case] = &[
    Case {
        lesson: "reconnect",
        number: 1,
        wrong: &[
            (
                r#"bob: socket.join("orders")"#,
                "the goal asks for the handler `on \"connection\": …`",
            ),
            (
                r#"on "connection": socket.join("lobby")"#,
                "bob should have got \"order\", and did not: not in \"orders\"",
            ),
        ],
        right: &[
            r#"on "connection": socket.join("orders")"#,
            r#"on / "connection": socket.join(["orders"])"#,
        ],
    },
    Case {
        lesson: "reconnect",
        number: 2,
        wrong: &[
            (
                r#"bob> socket.volatile.emit("chat", "back soon")"#,
                "nothing emitted \"chat\"",
            ),
            (
                r#"alice> socket.emit("chat", "back soon")"#,
                "bob should have got \"chat\", and did not: its connection was lost",
            ),
        ],
        right: &[
            r#"bob> socket.emit("chat", "back soon")"#,
            r#"bob > socket.emit( "chat" , "back soon" , 1 )"#,
        ],
    },
    Case {
        lesson: "reconnect",
        number: 3,
        wrong: &[
            (
                r#"on "connection": io.emit("gone", msg)"#,
                "the goal asks for the handler `on \"disconnect\": …`",
            ),
            (
                r#"on "disconnect": io.emit("gone", "alice", reason)"#,
                VARIANT,
            ),
            (
                r#"on "disconnect": io.emit("gone", msg, "transport close")"#,
                "the goal asks for `reason` (why the socket left)",
            ),
            (
                r#"on "disconnect": io.emit("gone", msg)"#,
                "got \"gone\" with [\"alice\"], but the goal wants",
            ),
        ],
        right: &[
            r#"on "disconnect": io.emit("gone", msg, reason)"#,
            r#"on "disconnect": socket.broadcast.emit("gone", msg, reason)"#,
        ],
    },
    Case {
        lesson: "reconnect",
        number: 4,
        wrong: &[
            (
                r#"on "connection": socket.join("bob")"#,
                "alice got \"dm\", but the goal leaves alice out",
            ),
            (
                r#"on "disconnect": socket.join(msg)"#,
                "the goal asks for the handler `on \"connection\": …`",
            ),
        ],
        right: &[
            r#"on "connection": socket.join(msg)"#,
            r#"on / "connection": socket.join(msg);"#,
        ],
    },
];
