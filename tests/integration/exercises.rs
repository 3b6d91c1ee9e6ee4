//! Every built-in exercise, graded on the live server against its
//! reference solution and its variants: the wrong answers a learner tries
//! (no handler, a hard-coded name or value, the wrong server, socket or
//! members) fail with a reason that names the condition or the variant,
//! and at least two differently written right answers pass.

use std::net::{Ipv4Addr, SocketAddr};

use sockets_tour::{Ending, Piped, Placed, Practice, Servers, Transcript};

/// One exercise: its lesson, its number there, wrong answers (each with a
/// piece of the reason it must fail with) and right answers.
struct Case {
    lesson: &'static str,
    number: usize,
    wrong: &'static [(&'static str, &'static str)],
    right: &'static [&'static str],
}

const VARIANT: &str = "not on a variant";

const CASES: &[Case] = &[
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

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("a runtime")
}

/// Practises one exercise with one answer (its lines, then an empty line
/// and `skip`): how it ended, and what practice printed.
fn try_answer(
    runtime: &tokio::runtime::Runtime,
    placed: &Placed,
    answer: &str,
) -> (Ending, String) {
    let input = format!("{}\n\nskip\n", answer.trim_end());
    let mut prompt = Piped::new(input.as_bytes());
    let mut out = Vec::new();
    let endings = runtime
        .block_on(async {
            let mut session = Practice {
                out: Transcript::new(&mut out, false),
                prompt: &mut prompt,
                servers: Servers::from(SocketAddr::from((Ipv4Addr::LOCALHOST, 0))),
            };
            session
                .practice("test", std::slice::from_ref(placed), &mut |_, _| {})
                .await
        })
        .expect("practice runs");
    (endings[0], String::from_utf8(out).unwrap())
}

/// Text with every run of whitespace one space, as wrapping leaves it aside.
fn squeezed(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[test]
fn every_builtin_exercise_fails_wrong_answers_and_passes_two_right_ones() {
    let runtime = runtime();
    let mut covered = std::collections::BTreeSet::new();
    let mut failures = Vec::new();
    for case in CASES {
        let lesson =
            sockets_tour::parse_markdown(sockets_tour::builtin(case.lesson).unwrap()).unwrap();
        let exercises = Placed::all_of(&lesson).unwrap();
        let placed = &exercises[case.number - 1];
        covered.insert((case.lesson, case.number));
        assert!(
            case.right.len() >= 2,
            "{} {}: two right answers",
            case.lesson,
            case.number
        );
        for (answer, reason) in case.wrong {
            let (ending, text) = try_answer(&runtime, placed, answer);
            if ending == Ending::Solved || !squeezed(&text).contains(&squeezed(reason)) {
                failures.push(format!(
                    "{} {}: `{answer}` should fail with “{reason}”:\n{text}",
                    case.lesson, case.number
                ));
            }
        }
        for answer in case.right {
            let (ending, text) = try_answer(&runtime, placed, answer);
            if ending != Ending::Solved {
                failures.push(format!(
                    "{} {}: `{answer}` should pass:\n{text}",
                    case.lesson, case.number
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
    // Every built-in exercise has its row.
    for (name, text) in sockets_tour::BUILTIN {
        let lesson = sockets_tour::parse_markdown(text).unwrap();
        let count = Placed::all_of(&lesson).unwrap().len();
        assert!(count >= 4, "{name} has {count} exercises");
        for number in 1..=count {
            assert!(
                covered.contains(&(*name, number)),
                "{name} {number} has no row"
            );
        }
    }
}

/// An exercise whose reference solution does not even run on its own
/// declared variant (p is not connected there).
const FAILS_ITS_VARIANT: &str = "```exercise\ngoal: g\nsetup: connect p\nsetup: connect q\nexpect event: \"z\"\nexpect receivers: q\nhint: h\nsolution: p: socket.broadcast.emit(\"z\")\nvariant: p is gone\nvariant setup: connect q\n```\n";

#[test]
fn check_refuses_on_every_lesson_a_copied_solution_and_one_that_fails_its_variants() {
    let dir = std::env::temp_dir().join(format!("sockets-tour-copies-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    for (name, text) in sockets_tour::BUILTIN {
        let first_step = text
            .split("```tour\n")
            .nth(1)
            .and_then(|block| block.lines().next())
            .unwrap();
        let copy = format!(
            "```exercise\ngoal: copy\nexpect receivers: -\nhint: h\nsolution: {first_step}\n```\n"
        );
        let file = dir.join(format!("{name}.md"));
        std::fs::write(&file, format!("{text}\n{copy}\n{FAILS_ITS_VARIANT}")).unwrap();
        let out = crate::sockets_tour()
            .args(["check", file.to_str().unwrap()])
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert_eq!(out.status.code(), Some(1), "{name}: {stdout}");
        assert!(
            stdout.contains(&format!(
                "its solution line `{first_step}` is in the lesson's own steps"
            )),
            "{name}: {stdout}"
        );
        assert!(
            stdout.contains("on the variant \"p is gone\", its solution does not parse"),
            "{name}: {stdout}"
        );
        // The lesson's own exercises are all sound: only the two added fail.
        assert!(stdout.contains("2 of "), "{name}: {stdout}");
    }
}

#[test]
fn ping_pong_answered_without_a_handler_then_hard_coded_then_right() {
    let lesson = sockets_tour::parse_markdown(sockets_tour::builtin("broadcast").unwrap()).unwrap();
    let exercises = Placed::all_of(&lesson).unwrap();
    let input = [
        r#"carol: socket.emit("pong")"#,
        r#"on "ping": io.to(carol.id).emit("pong", msg)"#,
        "hint",
        r#"on "ping": io.to(socket.id).emit("pong", msg)"#,
    ]
    .join("\n")
        + "\n";
    let mut prompt = Piped::new(input.as_bytes());
    let mut out = Vec::new();
    let endings = runtime()
        .block_on(async {
            let mut session = Practice {
                out: Transcript::new(&mut out, false),
                prompt: &mut prompt,
                servers: Servers::from(SocketAddr::from((Ipv4Addr::LOCALHOST, 0))),
            };
            session
                .practice("Broadcast", &exercises[..1], &mut |_, _| {})
                .await
        })
        .unwrap();
    assert_eq!(endings, [Ending::Solved]);
    insta::assert_snapshot!(String::from_utf8(out).unwrap());
}
