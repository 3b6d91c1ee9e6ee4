//! The later lessons' rows of the exercises test: namespaces, middleware,
//! delivery, cluster.

use super::Case;
use super::cases::VARIANT;

pub const LATER: &[Case] = &[
    Case {
        lesson: "namespaces",
        number: 1,
        wrong: &[
            (r#"alice: socket.emit("ready")"#, "does not use .to(…)"),
            (r#"io.to("kitchen").emit("ready")"#, "dave got \"ready\""),
            (
                r#"io.of("/orders").to(alice.id).emit("ready")"#,
                "bob is in `/orders`' kitchen too",
            ),
        ],
        right: &[
            r#"io.of("/orders").to("kitchen").emit("ready")"#,
            r#"alice: socket.nsp.in("kitchen").emit("ready", 1)"#,
        ],
    },
    Case {
        lesson: "namespaces",
        number: 2,
        wrong: &[
            (
                r#"io.of("/users")"#,
                "the goal asks for the handler `on /users \"connection\": …`",
            ),
            (
                r#"on "connection": socket.emit("welcome", msg)"#,
                "carol should be admitted",
            ),
            (
                r#"on /users "connection": socket.emit("welcome", "carol")"#,
                "the clients renamed",
            ),
        ],
        right: &[
            r#"on /users "connection": socket.emit("welcome", msg)"#,
            r#"on /users "connection": socket.nsp.to(socket.id).emit("welcome", msg)"#,
        ],
    },
    Case {
        lesson: "namespaces",
        number: 3,
        wrong: &[
            (r#"io.emit("news", "closing soon")"#, "dave got \"news\""),
            (
                r#"alice: socket.broadcast.emit("news")"#,
                "alice should have got \"news\"",
            ),
        ],
        right: &[
            r#"io.of("/orders").emit("news", "closing soon")"#,
            r#"bob: socket.nsp.emit("news")"#,
        ],
    },
    Case {
        lesson: "namespaces",
        number: 4,
        wrong: &[
            (
                r#"on "order:create": socket.emit("order:created", msg)"#,
                "the goal asks for the handler `on /orders \"order:create\": …`",
            ),
            (
                r#"on /orders "order:create": socket.emit("order:created", {"item": "tea"})"#,
                VARIANT,
            ),
        ],
        right: &[
            r#"on /orders "order:create": socket.emit("order:created", msg)"#,
            r#"on /orders "order:create": io.of("/orders").to(socket.id).emit("order:created", msg)"#,
        ],
    },
    Case {
        lesson: "middleware",
        number: 1,
        wrong: &[
            (
                "use /ops require role \"admin\"\non \"connection\": socket.emit(\"welcome\", msg)",
                "the goal asks for the handler `on /ops \"connection\": …`",
            ),
            (
                "on /ops \"connection\": socket.emit(\"welcome\", msg)\n",
                "gus should be refused",
            ),
        ],
        right: &[
            "use /ops require role \"admin\"\non /ops \"connection\": socket.emit(\"welcome\", msg)",
            "on /ops \"connection\": socket.emit(\"welcome\", msg)\nuse /ops require role \"admin\" else \"admins only\"",
        ],
    },
    Case {
        lesson: "middleware",
        number: 2,
        wrong: &[
            (
                r#"use /lobby require ticket "t-42""#,
                "gus should be refused",
            ),
            (r#"use / require token "t-42""#, "ana should be admitted"),
        ],
        right: &[
            r#"use / require ticket "t-42""#,
            r#"use / require ticket "t-42" else "no ticket, no entry""#,
        ],
    },
    Case {
        lesson: "middleware",
        number: 3,
        wrong: &[
            ("use /vault require token \"k1\"\n", "gus should be refused"),
            (
                "use /vault require role \"admin\"\n",
                "max should be refused",
            ),
        ],
        right: &[
            "use /vault require token \"k1\"\nuse /vault require role \"admin\"",
            "use /vault require role \"admin\" else \"not admin\"\nuse /vault require token \"k1\"",
        ],
    },
    Case {
        lesson: "middleware",
        number: 4,
        wrong: &[
            (
                r#"use /club require token "open-sesame!""#,
                "the goal asks for what bob's client does",
            ),
            (r#"connect bob /club"#, "bob should be admitted"),
        ],
        right: &[
            r#"connect bob /club {"token":"open-sesame"}"#,
            r#"connect bob /club {"token": "open-sesame", "retry": true}"#,
        ],
    },
    Case {
        lesson: "middleware",
        number: 5,
        wrong: &[
            (
                r#"use /chat require age "18+" else "adults only""#,
                "cy should be refused, but was admitted",
            ),
            (
                r#"use / require age "18+" else "adults only""#,
                "bo should be refused, but was admitted",
            ),
        ],
        right: &[
            r#"use * require age "18+" else "adults only""#,
            r#"use *   require age "18+";"#,
        ],
    },
    Case {
        lesson: "middleware",
        number: 6,
        wrong: &[
            (
                r#"use / packet "shout" refuse "no shouting""#,
                "ada got \"shout\", but the goal leaves ada out",
            ),
            (
                r#"use /forum packet "talk" refuse "no shouting""#,
                "ada got \"shout\", but the goal leaves ada out",
            ),
        ],
        right: &[
            r#"use /forum packet "shout" refuse "no shouting""#,
            r#"use  /forum packet "shout"  refuse "no shouting";"#,
        ],
    },
    Case {
        lesson: "delivery",
        number: 1,
        wrong: &[
            (
                r#"on "order:cancel": callback({"id": 7})"#,
                "other values in the follow-up lines",
            ),
            (
                r#"on "order:create": callback(msg)"#,
                "the goal asks for the handler `on \"order:cancel\": …`",
            ),
        ],
        right: &[
            r#"on "order:cancel": callback(msg)"#,
            r#"on / "order:cancel": callback(msg)"#,
        ],
    },
    Case {
        lesson: "delivery",
        number: 2,
        wrong: &[
            (
                r#"on "order:create": callback({"status": "ok"}, {"item": "tea"})"#,
                "other values in the follow-up lines",
            ),
            (
                r#"on "order:create": callback({"status": "ok"})"#,
                "the acknowledgement carried",
            ),
        ],
        right: &[
            r#"on "order:create": callback({"status": "ok"}, msg)"#,
            r#"on / "order:create": callback({"status":"ok"}, msg)"#,
        ],
    },
    Case {
        lesson: "delivery",
        number: 3,
        wrong: &[
            (
                r#"on "connection": socket.join("orders")"#,
                "bob should end in \"orders\"",
            ),
            (r#"io.socketsJoin("orders")"#, "one more client"),
        ],
        right: &[
            r#"bob: socket.join("orders")"#,
            r#"io.in(bob.id).socketsJoin("orders")"#,
        ],
    },
    Case {
        lesson: "delivery",
        number: 4,
        wrong: &[
            (r#"io.to("orders").emit("order", 2)"#, "alice got \"order\""),
            (r#"io.to(bob.id).emit("order", "2")"#, "the goal wants [2]"),
        ],
        right: &[
            r#"io.to(bob.id).emit("order", 2)"#,
            r#"bob: socket.emit("order", 2)"#,
        ],
    },
    Case {
        lesson: "cluster",
        number: 1,
        wrong: &[
            (
                "@A io.emit(\"news\", 1)\n",
                "carol should have got \"news\"",
            ),
            (
                "@A io.emit(\"news\")\n@A io.emit(\"news\")",
                "carol should have got \"news\"",
            ),
        ],
        right: &[
            "@A io.emit(\"news\", 1)\n@B io.emit(\"news\", 1)",
            "@B io.emit(\"news\")\n@A io.emit(\"news\", \"hi\")",
        ],
    },
    Case {
        lesson: "cluster",
        number: 2,
        wrong: &[
            (
                r#"@A io.to("lobby").emit("news", 1)"#,
                "the goal asks for code on server B",
            ),
            (r#"@B io.emit("news", 1)"#, "dave got \"news\""),
        ],
        right: &[
            r#"@B io.to("lobby").emit("news", "from B")"#,
            r#"@B io.in("lobby").emit("news")"#,
        ],
    },
    Case {
        lesson: "cluster",
        number: 3,
        wrong: &[
            (
                r#"@A io.in("lobby").except("mods").socketsJoin("vip")"#,
                "the goal asks for code on server B",
            ),
            (
                r#"@B io.in("lobby").socketsJoin("vip")"#,
                "dave should end in",
            ),
        ],
        right: &[
            r#"@B io.in("lobby").except("mods").socketsJoin("vip")"#,
            r#"@B io.to("lobby").except("mods").socketsJoin(["vip"])"#,
        ],
    },
    Case {
        lesson: "cluster",
        number: 4,
        wrong: &[
            (
                r#"carol: socket.emit("chat")"#,
                "the goal asks for code on alice's socket",
            ),
            (r#"alice: socket.broadcast.emit("chat")"#, "one more client"),
        ],
        right: &[
            r#"alice: socket.to("lobby").emit("chat", "hi")"#,
            r#"alice: socket.broadcast.in("lobby").emit("chat", 1)"#,
        ],
    },
];
