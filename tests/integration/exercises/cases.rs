//! The table of the exercises test: for each built-in exercise, wrong
//! answers with a piece of the reason each must fail with, and right ones.

/// One exercise: its lesson, its number there, wrong answers (each with a
/// piece of the reason it must fail with) and right answers.
pub struct Case {
    pub lesson: &'static str,
    pub number: usize,
    pub wrong: &'static [(&'static str, &'static str)],
    pub right: &'static [&'static str],
}

pub const VARIANT: &str = "not on a variant";

/// The first lessons' exercises: chat, broadcast, rooms.
pub const EARLY: &[Case] = &[
    Case {
        lesson: "chat",
        number: 1,
        wrong: &[
            (
                r#"io.emit("message", "hi")"#,
                "the goal asks for the handler `on \"chat message\": …`",
            ),
            (r#"on "chat message": io.emit("message", "hi")"#, VARIANT),
            (
                r#"on "chat message": socket.broadcast.emit("message", msg)"#,
                "alice should have got \"message\"",
            ),
        ],
        right: &[
            r#"on "chat message": io.emit("message", msg)"#,
            r#"on "chat message": socket.nsp.emit("message", msg)"#,
            r#"on "chat message": io.sockets.emit("message", msg)"#,
        ],
    },
    Case {
        lesson: "chat",
        number: 2,
        wrong: &[
            (
                r#"carol: socket.broadcast.emit("chat", "no echo")"#,
                "the goal asks for the handler `on \"chat\": …`",
            ),
            (
                r#"on "chat": io.except(carol.id).emit("chat", msg)"#,
                VARIANT,
            ),
        ],
        right: &[
            r#"on "chat": socket.broadcast.emit("chat", msg)"#,
            r#"on "chat": io.except(socket.id).emit("chat", msg)"#,
        ],
    },
    Case {
        lesson: "chat",
        number: 3,
        wrong: &[
            (
                r#"on "connection": socket.emit("hello", "carol")"#,
                "the clients renamed",
            ),
            (
                r#"on "connection": io.emit("hello", msg)"#,
                "alice got \"hello\"",
            ),
        ],
        right: &[
            r#"on "connection": socket.emit("hello", msg)"#,
            r#"on "connection": io.to(socket.id).emit("hello", msg)"#,
        ],
    },
    Case {
        lesson: "chat",
        number: 4,
        wrong: &[
            (
                r#"on "connection": io.emit("arrived", msg)"#,
                "carol got \"arrived\"",
            ),
            (
                r#"on "connection": socket.broadcast.emit("arrived", "carol")"#,
                "the clients renamed",
            ),
            (
                r#"io.emit("arrived", "carol")"#,
                "the goal asks for the handler `on \"connection\": …`",
            ),
        ],
        right: &[
            r#"on "connection": socket.broadcast.emit("arrived", msg)"#,
            r#"on "connection": io.except(socket.id).emit("arrived", msg)"#,
        ],
    },
    Case {
        lesson: "chat",
        number: 5,
        wrong: &[
            (
                r#"io.emit("left", "carol")"#,
                "the goal asks for the handler `on \"disconnect\": …`",
            ),
            (r#"on "disconnect": io.emit("left", "carol")"#, VARIANT),
        ],
        right: &[
            r#"on "disconnect": io.emit("left", msg)"#,
            r#"on "disconnect": io.sockets.emit("left", msg)"#,
        ],
    },
    Case {
        lesson: "broadcast",
        number: 1,
        wrong: &[
            (
                r#"carol: socket.emit("pong")"#,
                "the goal asks for the handler `on \"ping\": …`",
            ),
            (r#"on "ping": io.to(carol.id).emit("pong", msg)"#, VARIANT),
            (r#"on "ping": socket.emit("pong", 1)"#, VARIANT),
        ],
        right: &[
            r#"on "ping": socket.emit("pong", msg)"#,
            r#"on "ping": io.to(socket.id).emit("pong", msg)"#,
        ],
    },
    Case {
        lesson: "broadcast",
        number: 2,
        wrong: &[
            (
                r#"io.emit("news", "fire drill at 3")"#,
                "the goal asks for the handler `on \"shout\": …`",
            ),
            (
                r#"on "shout": io.emit("news", "fire drill at 3")"#,
                "other values in the follow-up lines",
            ),
        ],
        right: &[
            r#"on "shout": io.emit("news", msg)"#,
            r#"on "shout": socket.nsp.emit("news", msg)"#,
        ],
    },
    Case {
        lesson: "broadcast",
        number: 3,
        wrong: &[
            (
                r#"alice: socket.broadcast.emit("typing", "alice")"#,
                "the goal asks for the handler `on \"typing\": …`",
            ),
            (
                r#"on "typing": io.except(alice.id).emit("typing", msg)"#,
                VARIANT,
            ),
            (
                r#"on "typing": io.emit("typing", msg)"#,
                "alice got \"typing\"",
            ),
        ],
        right: &[
            r#"on "typing": socket.broadcast.emit("typing", msg)"#,
            r#"on "typing": io.except(socket.id).emit("typing", msg)"#,
        ],
    },
    Case {
        lesson: "broadcast",
        number: 4,
        wrong: &[
            (
                r#"io.to(alice.id).to(bob.id).to(carol.id).emit("bye")"#,
                "one more client",
            ),
            (
                r#"on "x": io.except(dave.id).emit("bye")"#,
                "the goal asks for a statement that acts now",
            ),
            (r#"io.emit("bye")"#, "dave got \"bye\""),
        ],
        right: &[
            r#"dave: socket.broadcast.emit("bye")"#,
            r#"io.except(dave.id).emit("bye", 1)"#,
        ],
    },
    Case {
        lesson: "rooms",
        number: 1,
        wrong: &[
            (
                r#"io.to(bob.id).to(carol.id).emit("news")"#,
                "does not use .except(…)",
            ),
            (
                r#"io.to(["lobby", "games"]).except(alice.id).emit("news")"#,
                "erin is in \"lobby\" and \"mods\" too",
            ),
        ],
        right: &[
            r#"io.to(["lobby", "games"]).except("mods").emit("news", "hi")"#,
            r#"io.in(["games", "lobby"]).except("mods").emit("news", 1)"#,
        ],
    },
    Case {
        lesson: "rooms",
        number: 2,
        wrong: &[
            (
                r#"alice: socket.to(socket.id).emit("note", "buy milk")"#,
                "alice should have got \"note\"",
            ),
            (r#"io.emit("note", "x")"#, "bob got \"note\""),
        ],
        right: &[
            r#"alice: socket.emit("note", "buy milk")"#,
            r#"io.to(alice.id).emit("note", "x")"#,
        ],
    },
    Case {
        lesson: "rooms",
        number: 3,
        wrong: &[
            (r#"alice: socket.to("lobby").emit("dm")"#, "dave got \"dm\""),
            (
                r#"io.to(bob.id).to(carol.id).emit("dm")"#,
                "the goal asks for code on alice's socket",
            ),
        ],
        right: &[
            r#"alice: socket.to(bob.id).to(carol.id).emit("dm", "psst")"#,
            r#"alice: socket.to([carol.id, bob.id]).emit("dm")"#,
        ],
    },
    Case {
        lesson: "rooms",
        number: 4,
        wrong: &[
            (
                r#"carol: socket.leave("games")"#,
                "the goal asks for the handler `on \"leave\": …`",
            ),
            (
                r#"on "leave": socket.leave("games")"#,
                "alice, in \"games\" and \"lobby\"",
            ),
        ],
        right: &[
            r#"on "leave": socket.leave(msg)"#,
            r#"on / "leave": socket.leave(msg)"#,
        ],
    },
    Case {
        lesson: "rooms",
        number: 5,
        wrong: &[
            (
                r#"io.to("red").emit("news", "x")"#,
                "the goal asks for the handler `on \"connection\": …`",
            ),
            (
                r#"on "connection": socket.join(msg)"#,
                "ann_phone should have got \"news\", and did not: not in \"red\"",
            ),
            (
                r#"on "connection": socket.join("red")"#,
                "ben got \"news\", but the goal leaves ben out",
            ),
        ],
        right: &[
            r#"on "connection": socket.join(socket.handshake.auth.team)"#,
            r#"on / "connection": io.in(socket.id).socketsJoin(socket.handshake.auth.team)"#,
        ],
    },
    Case {
        lesson: "rooms",
        number: 6,
        wrong: &[
            (
                r#"on "disconnect": socket.to([...socket.rooms]).emit("offline", msg)"#,
                "dave got \"offline\", but the goal leaves dave out",
            ),
            (
                r#"on "disconnecting": socket.broadcast.emit("offline", msg)"#,
                "your answer does not use .to(…)",
            ),
            (
                r#"on "disconnecting": socket.to(["bob", "games"]).emit("offline", msg)"#,
                VARIANT,
            ),
        ],
        right: &[
            r#"on "disconnecting": socket.to([...socket.rooms]).emit("offline", msg)"#,
            r#"on "disconnecting": socket.except(socket.id).to([...socket.rooms]).emit("offline", msg)"#,
        ],
    },
];
