//! `starter EXERCISE --lang js|rust [DIR]`: a project to write the
//! exercise's server in, with the listening code done and TODOs where the
//! handlers go; never written over files that are there.

use std::path::{Path, PathBuf};

use super::exercise::{CARGO_TOML, PACKAGE_JSON, ServerExercise};
use crate::error::{Error, bad_input};

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Lang {
    /// JavaScript: package.json (socket.io 4.8.4) and server.js
    Js,
    /// Rust: a Cargo project on socketioxide, axum and tokio
    Rust,
}

/// The files of the starter, by path inside its folder.
pub fn files(exercise: &ServerExercise, lang: Lang) -> Vec<(&'static str, String)> {
    let fill = |template: &str| {
        template
            .replace("{{exercise}}", exercise.name)
            .replace("{{title}}", &exercise.title)
    };
    match lang {
        Lang::Js => vec![
            ("package.json", fill(PACKAGE_JSON)),
            ("server.js", exercise.js.to_owned()),
        ],
        Lang::Rust => vec![
            ("Cargo.toml", fill(CARGO_TOML)),
            ("src/main.rs", exercise.rust.to_owned()),
            (".gitignore", "/target\n".to_owned()),
        ],
    }
}

/// Writes the starter into `dir` (default `EXERCISE-js` / `EXERCISE-rust`);
/// returns the folder and what to run next.
pub fn write(
    exercise: &ServerExercise,
    lang: Lang,
    dir: Option<&Path>,
) -> Result<(PathBuf, String), Error> {
    let suffix = match lang {
        Lang::Js => "js",
        Lang::Rust => "rust",
    };
    let dir = dir.map_or_else(
        || PathBuf::from(format!("{}-{suffix}", exercise.name)),
        Path::to_path_buf,
    );
    let files = files(exercise, lang);
    for (path, _) in &files {
        let target = dir.join(path);
        if target.exists() {
            return Err(bad_input(format!(
                "{} exists already; choose another folder, or move it away first \
                 (nothing was written)",
                target.display()
            )));
        }
    }
    for (path, text) in &files {
        let target = dir.join(path);
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent)
                .map_err(|e| bad_input(format!("could not create {}: {e}", parent.display())))?;
        }
        std::fs::write(&target, text)
            .map_err(|e| bad_input(format!("could not write {}: {e}", target.display())))?;
    }
    let shown = dir.display();
    let next = match lang {
        Lang::Js => format!(
            "cd {shown} && npm install && sockets-tour verify {} -- node server.js",
            exercise.name
        ),
        Lang::Rust => format!(
            "cd {shown} && cargo build && sockets-tour verify {} -- cargo run",
            exercise.name
        ),
    };
    Ok((dir, next))
}
