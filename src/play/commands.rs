//! The playground's own commands, which are not statements: `:help`,
//! `:state`, `:save FILE`, `:load FILE`, `:reset`, `:quit`; and the bare
//! words a newcomer tries first (`help`, `quit`, `exit`), which get a pointer.

use std::path::PathBuf;

/// A command typed at the playground's prompt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MetaCommand {
    Help,
    State,
    Save(PathBuf),
    Load(PathBuf),
    Reset,
    Quit,
}

/// The commands, with what each does, for `:help` and Tab completion.
pub const COMMANDS: [(&str, &str); 6] = [
    (
        ":help",
        "the language in brief, with an example of each form",
    ),
    (
        ":state",
        "each namespace: its clients, their rooms, handlers, middlewares",
    ),
    (
        ":save FILE",
        "write the statements so far as a script that `run` replays",
    ),
    (":load FILE", "run a script's statements here, one by one"),
    (":reset", "a fresh server: no clients, rooms or handlers"),
    (":quit", "end the session (Ctrl-D does too)"),
];

/// What a typed line is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Typed {
    MetaCommand(MetaCommand),
    /// A bare word that is not a statement but means a command; the text
    /// says which to type.
    Pointer(String),
    /// Anything else: the parser decides.
    Statement,
}

/// Classifies a line; a `:` line that is no command is an error that says
/// which commands there are.
pub fn classify(line: &str) -> Result<Typed, String> {
    let line = line.trim();
    if let Some(rest) = line.strip_prefix(':') {
        let (word, argument) = match rest.split_once(char::is_whitespace) {
            Some((word, argument)) => (word, argument.trim()),
            None => (rest, ""),
        };
        let file = || {
            if argument.is_empty() {
                Err(format!(
                    ":{word} needs a file name, e.g. `:{word} session.tour`"
                ))
            } else {
                Ok(PathBuf::from(argument))
            }
        };
        let command = match word {
            "help" | "h" | "?" => MetaCommand::Help,
            "state" | "s" => MetaCommand::State,
            "save" => MetaCommand::Save(file()?),
            "load" => MetaCommand::Load(file()?),
            "reset" => MetaCommand::Reset,
            "quit" | "q" | "exit" => MetaCommand::Quit,
            _ => {
                return Err(format!(
                    "no command :{word}; the commands are {}",
                    names().join(", ")
                ));
            }
        };
        if !argument.is_empty() && !matches!(command, MetaCommand::Save(_) | MetaCommand::Load(_)) {
            return Err(format!(":{word} takes no argument"));
        }
        return Ok(Typed::MetaCommand(command));
    }
    Ok(match line {
        "help" | "?" => Typed::Pointer("type :help for the language and the commands".into()),
        "quit" | "exit" | "q" => Typed::Pointer("type :quit (or press Ctrl-D) to leave".into()),
        "state" => Typed::Pointer("type :state to see the clients and their rooms".into()),
        _ => Typed::Statement,
    })
}

/// The command names, for completion and messages.
pub fn names() -> Vec<String> {
    COMMANDS
        .iter()
        .map(|(usage, _)| usage.split(' ').next().unwrap_or(usage).to_owned())
        .collect()
}

#[cfg(test)]
mod tests {
    //! Which lines are commands, which get a pointer, and what a bad one says.
    use super::*;

    #[test]
    fn commands_and_their_files() {
        assert_eq!(classify(":help"), Ok(Typed::MetaCommand(MetaCommand::Help)));
        assert_eq!(
            classify("  :state "),
            Ok(Typed::MetaCommand(MetaCommand::State))
        );
        assert_eq!(
            classify(":save my session.tour"),
            Ok(Typed::MetaCommand(MetaCommand::Save(
                "my session.tour".into()
            )))
        );
        assert_eq!(
            classify(":load a.tour"),
            Ok(Typed::MetaCommand(MetaCommand::Load("a.tour".into())))
        );
        assert_eq!(
            classify(":reset"),
            Ok(Typed::MetaCommand(MetaCommand::Reset))
        );
        assert_eq!(classify(":quit"), Ok(Typed::MetaCommand(MetaCommand::Quit)));
    }

    #[test]
    fn bad_commands_say_what_to_type() {
        let e = classify(":sav").unwrap_err();
        assert!(e.contains(":save") && e.contains(":help"), "{e}");
        assert!(classify(":save").unwrap_err().contains("file name"));
        assert!(classify(":reset now").unwrap_err().contains("no argument"));
    }

    #[test]
    fn bare_words_get_a_pointer_and_statements_pass() {
        for word in ["help", "quit", "exit"] {
            assert!(
                matches!(classify(word), Ok(Typed::Pointer(p)) if p.contains(':')),
                "{word}"
            );
        }
        assert_eq!(classify("connect alice"), Ok(Typed::Statement));
        assert_eq!(classify("# :help"), Ok(Typed::Statement));
    }

    #[test]
    fn names_are_the_first_words_of_the_table() {
        assert_eq!(
            names(),
            [":help", ":state", ":save", ":load", ":reset", ":quit"]
        );
    }
}
