//! Reading a lesson: titles, steps with their file lines, narration,
//! exercises and unclosed fences.

use super::*;

#[test]
fn steps_keep_their_file_line_numbers() {
    let text = "# T\n\n> Sum.\n\nSay hi.\n\n```tour\nconnect alice\n\nio.emit(\"x\")\n```\n\nMore.\n\n```js\nio.emit()\n```\n";
    let lesson = parse_markdown(text).unwrap();
    assert_eq!(lesson.title.as_deref(), Some("T"));
    assert_eq!(lesson.summary.as_deref(), Some("Sum."));
    let lines: Vec<usize> = lesson.statements().map(|s| s.line).collect();
    assert_eq!(lines, [8, 10]);
    assert!(matches!(&lesson.sections[0], Section::Narration(p) if p.len() == 1));
    assert!(
        matches!(&lesson.sections[2], Section::Narration(p) if matches!(p[1], Prose::Code { .. }))
    );
}

#[test]
fn markdown_extensions_and_tour_fences_ignore_case() {
    let text = "# T\n\n```Tour\nconnect alice\n```\n";
    for name in ["a.md", "a.MD", "a.Markdown", "dir.x/a.markdown"] {
        assert!(is_markdown(name), "{name}");
        let lesson = load(name, text).unwrap();
        assert_eq!(lesson.title.as_deref(), Some("T"), "{name}");
        assert_eq!(lesson.statements().count(), 1, "{name}");
    }
    for name in ["a.tour", "a", "md", "a.md.tour"] {
        assert!(!is_markdown(name), "{name}");
    }
    // A bare script is parsed as statements, not Markdown.
    assert!(load("a.tour", text).is_err());
}

#[test]
fn an_exercise_block_is_its_goal_never_code_nor_steps() {
    let text = "# T\n\n```tour\nconnect alice\n```\n\n```exercise\ngoal: Reach alice,\ngoal: once.\nexpect receivers: alice\nhint: h\nsolution: io.emit(\"x\")\n```\n";
    let lesson = parse_markdown(text).unwrap();
    assert_eq!(lesson.statements().count(), 1);
    let Section::Narration(prose) = &lesson.sections[1] else {
        panic!("{:?}", lesson.sections)
    };
    assert_eq!(
        prose,
        &[Prose::Exercise {
            goal: vec![Span::plain("Reach alice, once.")],
            closes_run: true,
        }]
    );
    let exercise = lesson.exercises().unwrap()[0].clone();
    assert_eq!(exercise.goal, "Reach alice, once.");
    assert_eq!(
        exercise.goal_prose,
        [Prose::Paragraph(vec![Span::plain("Reach alice, once.")])]
    );
}

#[test]
fn blocks_are_found_with_their_fence_line_and_a_malformed_one_is_its_error() {
    let example =
        "goal: Send `news`.\nexpect receivers: bob carol\nhint: h\nsolution: io.emit(\"news\")\n";
    let md = format!(
        "# T\n\n```tour\nconnect alice\n```\n\n```Exercise\n{example}```\n\n```js\nx\n```\n"
    );
    let lesson = parse_markdown(&md).unwrap();
    let found = lesson.exercises().unwrap();
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].line, 7);
    assert_eq!(found[0].solution[0].number, 11);
    let broken = "# T\n\n```exercise\ngoal: g\nnonsense\n```\n";
    let lesson = parse_markdown(broken).unwrap();
    assert_eq!(lesson.exercises().unwrap_err().line, 5);
    // The transcript still shows a malformed block's goal.
    let Section::Narration(prose) = &lesson.sections[0] else {
        panic!("{:?}", lesson.sections)
    };
    assert_eq!(
        prose,
        &[Prose::Exercise {
            goal: vec![Span::plain("g")],
            closes_run: true,
        }]
    );
}

#[test]
fn ordered_lists_keep_their_numbers_and_bullets_have_none() {
    let lesson = parse_markdown("# T\n\n3. three\n4. four\n   - sub\n\n- dot\n").unwrap();
    let Section::Narration(prose) = &lesson.sections[0] else {
        panic!("{lesson:?}")
    };
    let items: Vec<(usize, Option<u64>, String)> = prose
        .iter()
        .filter_map(|p| match p {
            Prose::Item(depth, number, spans) => Some((*depth, *number, plain(spans))),
            _ => None,
        })
        .collect();
    assert_eq!(
        items,
        [
            (0, Some(3), "three".to_owned()),
            (0, Some(4), "four".to_owned()),
            (1, None, "sub".to_owned()),
            (0, None, "dot".to_owned()),
        ]
    );
}

#[test]
fn a_link_keeps_its_url_and_an_autolink_shows_it_once() {
    let lesson =
        parse_markdown("# T\n\nSee [the docs](https://socket.io/docs) or <https://x.io>.\n")
            .unwrap();
    let Section::Narration(prose) = &lesson.sections[0] else {
        panic!()
    };
    let Prose::Paragraph(spans) = &prose[0] else {
        panic!()
    };
    assert_eq!(
        plain(spans),
        "See the docs (https://socket.io/docs) or https://x.io."
    );
}

#[test]
fn a_table_is_rows_of_cells() {
    let lesson = parse_markdown("# T\n\n| a | b |\n|---|---|\n| `x` | y |\n").unwrap();
    let Section::Narration(prose) = &lesson.sections[0] else {
        panic!()
    };
    let Prose::Table(rows) = &prose[0] else {
        panic!("{prose:?}")
    };
    let cells: Vec<Vec<String>> = rows
        .iter()
        .map(|r| r.iter().map(|c| plain(c)).collect())
        .collect();
    assert_eq!(cells, [["a", "b"], ["x", "y"]]);
}

#[test]
fn an_unclosed_tour_fence_is_an_error_naming_its_line() {
    let err = parse_markdown("# T\n\nText.\n\n```tour\nconnect alice\n").unwrap_err();
    assert_eq!(err.line, 5, "{err:?}");
    assert!(err.message.contains("never closed"), "{}", err.message);
    let err = parse_markdown("# T\n\n```js\nio.emit()\n\n```tour\nconnect a\n```\n").unwrap_err();
    assert_eq!(err.line, 3, "{err:?}");
    assert!(err.message.contains("```js"), "{}", err.message);
    // Closed fences, longer closing fences and tildes are fine.
    for ok in [
        "```tour\nconnect a\n```\n",
        "````tour\nconnect a\n`````\n",
        "~~~tour\nconnect a\n~~~\n",
        "```js\nx\n",
        "````md\n```tour\nconnect a\n```\n````\n",
    ] {
        assert!(parse_markdown(ok).is_ok(), "{ok}");
    }
}

#[test]
fn a_syntax_error_names_the_file_line() {
    let text = "# T\n\n```tour\nconnect alice\nalice: socket.jion(\"r\")\n```\n";
    let err = parse_markdown(text).unwrap_err();
    assert_eq!((err.line, err.column), (5, 15));
}

#[test]
fn an_exercise_line_that_does_not_parse_is_the_lessons_syntax_error_at_that_line() {
    let lesson = |lines: &str| {
        format!(
            "# T\n\n```tour\nconnect alice\n```\n\n```exercise\ngoal: g\nexpect receivers: alice\nhint: h\n{lines}```\n"
        )
    };
    // The solution's own line; then a `then:` line naming a client the
    // solution never connected; then a declared variant's own line.
    let cases = [
        ("solution: io.emt(\"x\")\n", 11, "`solution:` line", 14),
        (
            "solution: io.emit(\"x\")\nthen:  dave> socket.emit(\"y\")\n",
            12,
            "`then:` line",
            8,
        ),
        (
            "solution: io.emit(\"x\")\nvariant: v\nvariant then: carol> socket.emit(\"y\")\n",
            13,
            "`variant then:` line",
            15,
        ),
    ];
    for (lines, line, key, column) in cases {
        let e = parse_markdown(&lesson(lines)).unwrap_err();
        assert_eq!((e.line, e.column), (line, column), "{e:?}");
        assert!(
            e.message.starts_with(&format!(
                "the exercise at line 7: its {key} does not parse: "
            )),
            "{e:?}"
        );
        assert!(
            e.source_line.contains(key.split('`').nth(1).unwrap()),
            "{e:?}"
        );
    }
    // A solution that fails only on a declared variant is `check`'s to say.
    let on_variant =
        "setup: connect p\nsolution: p: socket.emit(\"x\")\nvariant: v\nvariant setup: connect q\n";
    assert!(parse_markdown(&lesson(on_variant)).is_ok());
}
