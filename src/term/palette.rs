//! The colours, by role: one table, readable on a dark and on a light
//! background (a projector's), with nothing dim, styled by `colored`; and
//! whether to colour at all (`--color`, `NO_COLOR`, `TERM=dumb`, a terminal).

use std::ffi::OsStr;

use colored::{ColoredString, Colorize as _};

/// What a piece of text is, which decides how it looks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// A lesson's title and its rules.
    Title,
    /// A section heading.
    Heading,
    /// A step's statement, as written, above its receipt.
    Statement,
    /// Code in prose, and code samples.
    Code,
    Strong,
    Emphasis,
    /// A link's text (its URL follows it in plain text).
    Link,
    /// ✔: a client received it, or connected.
    Received,
    /// ✘: a client did not, or was refused; the reason after it is plain text.
    Missed,
    /// A run-time error of a statement.
    Error,
    /// The server's state and the clients disagree.
    Mismatch,
    /// A label such as `server log:` or a `--step` marker.
    Label,
}

impl Role {
    /// Every role, for the tests that check the whole table.
    #[cfg(test)]
    pub const ALL: [Role; 12] = [
        Role::Title,
        Role::Heading,
        Role::Statement,
        Role::Code,
        Role::Strong,
        Role::Emphasis,
        Role::Link,
        Role::Received,
        Role::Missed,
        Role::Error,
        Role::Mismatch,
        Role::Label,
    ];

    /// `text` in the role's look. Only colours that keep their contrast on
    /// black and on white (red, green, magenta) and the terminal's own
    /// foreground in bold, italic or underlined: no yellow or cyan (faint on
    /// white), no blue (faint on black), and never dimmed.
    fn style(self, text: &str) -> ColoredString {
        match self {
            Role::Title | Role::Heading | Role::Strong | Role::Statement | Role::Label => {
                text.bold()
            }
            Role::Code => text.magenta(),
            Role::Emphasis => text.italic(),
            Role::Link => text.underline(),
            Role::Received => text.green().bold(),
            Role::Missed | Role::Mismatch => text.red().bold(),
            Role::Error => text.red(),
        }
    }
}

/// Paints text by role, or leaves it as it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Palette {
    pub color: bool,
}

impl Palette {
    /// A palette that colours, or not, as [`decide`] said. A palette made
    /// to colour outside start-up (a test, a bench) turns `colored` on, since
    /// it asks `colored` for nothing else.
    pub fn new(color: bool) -> Self {
        if color {
            colored::control::set_override(true);
        }
        Palette { color }
    }

    /// `text` in the role's look; the text itself is the same either way, so
    /// that what a reason says never depends on colour.
    pub fn paint(&self, role: Role, text: &str) -> String {
        if self.color && !text.is_empty() {
            role.style(text).to_string()
        } else {
            text.to_owned()
        }
    }
}

/// What `--color` said.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum When {
    /// Colour a terminal, unless `NO_COLOR` is set or `TERM` is `dumb`.
    Auto,
    Always,
    Never,
}

/// Whether to colour: `auto` colours a terminal unless `NO_COLOR` is set to
/// something (<https://no-color.org>) or the terminal says it is `dumb`.
pub fn decide(
    when: When,
    stdout_is_terminal: bool,
    no_color: Option<&OsStr>,
    term: Option<&OsStr>,
) -> bool {
    match when {
        When::Always => true,
        When::Never => false,
        When::Auto => {
            stdout_is_terminal
                && no_color.is_none_or(OsStr::is_empty)
                && term.is_none_or(|t| t != "dumb")
        }
    }
}

/// [`decide`] on this process's stdout and environment, at start-up; it
/// sets `colored`'s switch to the same answer, so that `colored` never
/// decides on its own rules (`CLICOLOR`, `CLICOLOR_FORCE`).
pub fn detect(when: When) -> bool {
    use std::io::IsTerminal as _;
    let color = decide(
        when,
        std::io::stdout().is_terminal(),
        std::env::var_os("NO_COLOR").as_deref(),
        std::env::var_os("TERM").as_deref(),
    );
    colored::control::set_override(color);
    color
}

#[cfg(test)]
mod tests {
    //! The palette's promises: nothing dim, no colour hard to read on either
    //! background, the same text without colour, and when colour is on.
    use super::*;

    #[test]
    fn no_role_is_dim_or_faint_on_a_light_or_dark_background() {
        use colored::{Color, Styles};
        for role in Role::ALL {
            let look = role.style("x");
            assert!(!look.style.contains(Styles::Dimmed), "{role:?} is dim");
            assert_eq!(look.bgcolor, None, "{role:?} has a background");
            // Yellow and cyan vanish on white, blue on black, white on white.
            assert!(
                matches!(
                    look.fgcolor,
                    None | Some(Color::Red | Color::Green | Color::Magenta)
                ),
                "{role:?} uses {:?}",
                look.fgcolor
            );
        }
    }

    /// The colour snapshots hold these bytes: `colored` writes what the
    /// hand-written codes did.
    #[test]
    fn each_role_writes_the_same_escape_codes_as_the_snapshots() {
        let painted = Palette::new(true);
        for (role, sgr) in [
            (Role::Title, "1"),
            (Role::Heading, "1"),
            (Role::Statement, "1"),
            (Role::Code, "35"),
            (Role::Strong, "1"),
            (Role::Emphasis, "3"),
            (Role::Link, "4"),
            (Role::Received, "1;32"),
            (Role::Missed, "1;31"),
            (Role::Error, "31"),
            (Role::Mismatch, "1;31"),
            (Role::Label, "1"),
        ] {
            assert_eq!(
                painted.paint(role, "io.emit(\"é\")"),
                format!("\x1b[{sgr}mio.emit(\"é\")\x1b[0m"),
                "{role:?}"
            );
            assert_eq!(painted.paint(role, ""), "", "{role:?}: nothing to colour");
        }
    }

    #[test]
    fn without_colour_the_text_is_unchanged() {
        let plain = Palette::new(false);
        let coloured = Palette::new(true);
        for role in Role::ALL {
            let text = "not in \"lobby\": `socket.to(\"lobby\")`";
            assert_eq!(plain.paint(role, text), text);
            let painted = coloured.paint(role, text);
            assert!(
                painted.contains(text) && painted.starts_with("\x1b["),
                "{painted:?}"
            );
            assert!(painted.ends_with("\x1b[0m"));
        }
    }

    #[test]
    fn colour_is_automatic_on_a_terminal_without_no_color_or_a_dumb_term() {
        let set = Some(OsStr::new("1"));
        let empty = Some(OsStr::new(""));
        let dumb = Some(OsStr::new("dumb"));
        let xterm = Some(OsStr::new("xterm-256color"));
        for (when, terminal, no_color, term, expected) in [
            (When::Auto, true, None, xterm, true),
            (When::Auto, true, None, None, true),
            (When::Auto, true, empty, xterm, true),
            (When::Auto, true, set, xterm, false),
            (When::Auto, true, None, dumb, false),
            (When::Auto, false, None, xterm, false),
            (When::Always, false, set, dumb, true),
            (When::Never, true, None, xterm, false),
        ] {
            assert_eq!(
                decide(when, terminal, no_color, term),
                expected,
                "{when:?}, terminal: {terminal}, NO_COLOR: {no_color:?}, TERM: {term:?}"
            );
        }
    }
}
