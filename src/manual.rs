//! What the binary says about itself beyond `--help`: shell completions
//! (clap_complete) and a man page (clap_mangen), both from the one
//! command-line definition.

use std::io::Write;

use clap_complete::Shell;

/// The shells `completions` writes for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum CompletionShell {
    Bash,
    Zsh,
    Fish,
}

/// Writes the completion script of `shell` for `command`; in bash, the
/// subcommands in `lesson_takers` (`show`, `practice`) also complete the
/// names in `lessons`.
pub fn completions(
    shell: CompletionShell,
    command: &mut clap::Command,
    lessons: &[&str],
    lesson_takers: &[&str],
    out: &mut impl Write,
) -> std::io::Result<()> {
    let shell = match shell {
        CompletionShell::Bash => Shell::Bash,
        CompletionShell::Zsh => Shell::Zsh,
        CompletionShell::Fish => Shell::Fish,
    };
    let name = command.get_name().to_owned();
    let mut buffer = Vec::new();
    clap_complete::generate(shell, command, name.clone(), &mut buffer);
    let mut script = String::from_utf8_lossy(&buffer).into_owned();
    if shell == Shell::Bash {
        script = mend_bash_labels(&script, &name);
        script = offer_lessons(&script, &name, lessons, lesson_takers);
    }
    out.write_all(script.as_bytes())
}

/// clap_complete 4.6 labels a hyphenated binary's subcommand branches
/// `sockets__subcmd__tour__subcmd__show)` while it sets
/// `cmd="sockets__tour__subcmd__show"` (clap-rs/clap#6421), so no branch
/// past the first word ever matched: the labels are written as `cmd` is.
fn mend_bash_labels(script: &str, name: &str) -> String {
    let set = name.replace('-', "__");
    let wrong = name.replace('-', "__subcmd__");
    if set == wrong {
        return script.to_owned();
    }
    script.replace(&format!("{wrong}__"), &format!("{set}__"))
}

/// clap_complete offers nothing for a free positional (a lesson may also be
/// a path): the built-in names are added to the words of those branches.
fn offer_lessons(script: &str, name: &str, lessons: &[&str], takers: &[&str]) -> String {
    let mut script = script.to_owned();
    let words = lessons.join(" ");
    for taker in takers {
        let branch = format!(
            "        {}__subcmd__{taker})\n            opts=\"",
            name.replace('-', "__")
        );
        script = script.replace(&branch, &format!("{branch}{words} "));
    }
    script
}

/// Writes the man page (roff) of `command`: name, synopsis, description,
/// options, then every subcommand (the lessons among them) in one page
/// rather than pointing at pages of their own that no one installs.
pub fn man_page(command: clap::Command, out: &mut impl Write) -> std::io::Result<()> {
    let mut page = Vec::new();
    sections(command, &mut page)?;
    // Each section clap_mangen renders repeats the same two-line preamble.
    let page = String::from_utf8_lossy(&page);
    let mut seen = std::collections::HashSet::new();
    for line in page.lines() {
        if !(line.starts_with(".ie \\n(.g") || line.starts_with(".el .ds Aq")) || seen.insert(line)
        {
            writeln!(out, "{line}")?;
        }
    }
    Ok(())
}

fn sections(command: clap::Command, out: &mut impl Write) -> std::io::Result<()> {
    let man = clap_mangen::Man::new(command.clone());
    man.render_title(out)?;
    man.render_name_section(out)?;
    man.render_synopsis_section(out)?;
    man.render_description_section(out)?;
    man.render_options_section(out)?;
    writeln!(out, ".SH COMMANDS")?;
    for sub in command.get_subcommands().filter(|s| s.get_name() != "help") {
        let about = sub.get_about().map(|a| a.to_string()).unwrap_or_default();
        writeln!(
            out,
            ".TP\n\\fB{}\\fR\n{}",
            sub.get_name(),
            roff_escape(&about)
        )?;
    }
    if let Some(notes) = command.get_after_help() {
        writeln!(out, ".SH NOTES")?;
        for line in notes.to_string().lines() {
            writeln!(out, "{}", roff_escape(line))?;
        }
    }
    for (heading, entries) in [
        ("EXIT STATUS", EXIT_STATUS),
        ("ENVIRONMENT", ENVIRONMENT),
        ("FILES", FILES),
    ] {
        writeln!(out, ".SH {heading}")?;
        for (term, meaning) in entries {
            writeln!(
                out,
                ".TP\n\\fB{}\\fR\n{}",
                roff_escape(term),
                roff_escape(meaning)
            )?;
        }
    }
    if command.get_version().is_some() {
        man.render_version_section(out)?;
    }
    Ok(())
}

/// The exit statuses (`crate::error::Status` and `Error::code`), for the man page.
const EXIT_STATUS: &[(&str, &str)] = &[
    (
        "0",
        "Done: every step ran as predicted (or the command did what it says).",
    ),
    (
        "1",
        "A step disagreed with the server's state (MISMATCH), a lesson failed check, or the \
         engine itself failed.",
    ),
    (
        "2",
        "Bad input: an unknown command or flag, a script or lesson that does not parse, an \
         address that cannot be used, or more clients than the open-file limit lets connect.",
    ),
    (
        "3",
        "The environment failed during the run: a Redis that stopped answering, no free \
         loopback port, an open-file limit that cannot be read.",
    ),
    ("130", "Interrupted (Ctrl-C)."),
];

/// The variables sockets-tour reads, for the man page.
const ENVIRONMENT: &[(&str, &str)] = &[
    (
        "SOCKETS_TOUR_DATA_DIR",
        "Where progress and the playground's history are kept, instead of the user's data \
         directory.",
    ),
    (
        "NO_COLOR",
        "When set (and not empty), --color auto does not colour; --color always still does.",
    ),
    (
        "COLUMNS",
        "The width to wrap to when --width is not given (before the terminal's).",
    ),
    (
        "LINES",
        "The height of a page for --step when the terminal's is not known.",
    ),
    ("TERM", "dumb: no colour with --color auto."),
];

/// The files sockets-tour writes, for the man page.
const FILES: &[(&str, &str)] = &[
    (
        "$SOCKETS_TOUR_DATA_DIR/progress.json",
        "Lessons read, exercises solved, predict scores (without the variable: \
         ~/.local/share/sockets-tour/progress.json on Linux, the platform's data directory \
         elsewhere). reset-progress deletes it; an unreadable one is kept aside.",
    ),
    (
        "$SOCKETS_TOUR_DATA_DIR/play-history.txt",
        "The playground's line history, in the same directory.",
    ),
];

/// Text as roff reads it literally: backslashes doubled, and a line that
/// starts with `.` or `'` protected.
fn roff_escape(text: &str) -> String {
    let text = text.replace('\\', "\\\\");
    if text.starts_with(['.', '\'']) {
        format!("\\&{text}")
    } else {
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn demo() -> clap::Command {
        clap::Command::new("demo")
            .version("1.0")
            .about("A demo")
            .subcommand(clap::Command::new("rooms").about(".rooms and more"))
    }

    #[test]
    fn completions_name_the_subcommands_for_each_shell() {
        for shell in [
            CompletionShell::Bash,
            CompletionShell::Zsh,
            CompletionShell::Fish,
        ] {
            let mut out = Vec::new();
            completions(shell, &mut demo(), &[], &[], &mut out).unwrap();
            let text = String::from_utf8(out).unwrap();
            assert!(text.contains("rooms"), "{shell:?}: {text}");
        }
    }

    #[test]
    fn every_bash_branch_a_hyphenated_name_sets_has_its_label() {
        let mut command = clap::Command::new("sockets-tour")
            .subcommand(clap::Command::new("rooms").arg(clap::Arg::new("step").long("step")));
        let mut out = Vec::new();
        completions(CompletionShell::Bash, &mut command, &[], &[], &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        let set: Vec<&str> = text
            .lines()
            .filter_map(|l| l.trim().strip_prefix("cmd=\""))
            .filter_map(|l| l.strip_suffix('"'))
            .filter(|c| !c.is_empty())
            .collect();
        assert!(set.contains(&"sockets__tour__subcmd__rooms"), "{text}");
        for cmd in set {
            assert!(
                text.contains(&format!("        {cmd})")),
                "no branch for {cmd}:\n{text}"
            );
        }
    }

    #[test]
    fn bash_offers_lesson_names_after_show_and_practice_only() {
        let mut command = clap::Command::new("sockets-tour")
            .subcommand(clap::Command::new("show").arg(clap::Arg::new("lesson")))
            .subcommand(clap::Command::new("practice").arg(clap::Arg::new("lesson")))
            .subcommand(clap::Command::new("list"));
        let mut out = Vec::new();
        let lessons = ["rooms", "acks"];
        completions(
            CompletionShell::Bash,
            &mut command,
            &lessons,
            &["show", "practice"],
            &mut out,
        )
        .unwrap();
        let text = String::from_utf8(out).unwrap();
        for taker in ["show", "practice"] {
            let branch =
                format!("sockets__tour__subcmd__{taker})\n            opts=\"rooms acks -h");
            assert!(text.contains(&branch), "{taker}:\n{text}");
        }
        assert!(
            !text.contains("subcmd__list)\n            opts=\"rooms"),
            "{text}"
        );
    }

    #[test]
    fn the_man_page_lists_the_subcommands_escaped() {
        let mut out = Vec::new();
        man_page(demo(), &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(text.contains("\n.TH demo 1"), "{text}");
        assert_eq!(text.matches(".el .ds Aq").count(), 1, "{text}");
        assert!(text.contains("\\fBrooms\\fR\n\\&.rooms and more"), "{text}");
        for heading in ["EXIT STATUS", "ENVIRONMENT", "FILES"] {
            assert!(text.contains(&format!("\n.SH {heading}\n")), "{text}");
        }
        assert!(text.contains("\\fB130\\fR\nInterrupted"), "{text}");
        assert!(text.contains("\\fBSOCKETS_TOUR_DATA_DIR\\fR"), "{text}");
    }
}
