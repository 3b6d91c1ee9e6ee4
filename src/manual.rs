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

/// Writes the completion script of `shell` for `command`.
pub fn completions(
    shell: CompletionShell,
    command: &mut clap::Command,
    out: &mut impl Write,
) -> std::io::Result<()> {
    let shell = match shell {
        CompletionShell::Bash => Shell::Bash,
        CompletionShell::Zsh => Shell::Zsh,
        CompletionShell::Fish => Shell::Fish,
    };
    let name = command.get_name().to_owned();
    let mut buffer = Vec::new();
    clap_complete::generate(shell, command, name, &mut buffer);
    out.write_all(&buffer)
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
    if command.get_version().is_some() {
        man.render_version_section(out)?;
    }
    Ok(())
}

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
            completions(shell, &mut demo(), &mut out).unwrap();
            let text = String::from_utf8(out).unwrap();
            assert!(text.contains("rooms"), "{shell:?}: {text}");
        }
    }

    #[test]
    fn the_man_page_lists_the_subcommands_escaped() {
        let mut out = Vec::new();
        man_page(demo(), &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(text.contains("\n.TH demo 1"), "{text}");
        assert_eq!(text.matches(".el .ds Aq").count(), 1, "{text}");
        assert!(text.contains("\\fBrooms\\fR\n\\&.rooms and more"), "{text}");
    }
}
