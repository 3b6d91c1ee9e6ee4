//! The cluster lesson's row for its `fetchSockets()` exercise (v3).

use super::Case;

pub const QUERIES: &[Case] = &[Case {
    lesson: "cluster",
    number: 5,
    wrong: &[
        (
            r#"@B io.in("lobby").except("mods").fetchSockets()"#,
            "the goal asks for code on server A",
        ),
        (r#"@A io.in("lobby").emit("x")"#, ".fetchSockets()"),
        (
            r#"@A io.in("lobby").fetchSockets()"#,
            "`fetchSockets()` found alice, carol, dave, but the goal wants alice, carol",
        ),
        (
            "@A io.in([alice.id, carol.id]).fetchSockets()",
            "carol is a mod too",
        ),
    ],
    right: &[
        r#"@A io.in("lobby").except("mods").fetchSockets()"#,
        r#"@A io.of("/").to("lobby").except(["mods"]).fetchSockets()"#,
    ],
}];
