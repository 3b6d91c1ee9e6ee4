//! The built-in lessons: every `lessons/*.md`, embedded in the binary.

// `BUILTIN`: every `lessons/*.md`, embedded by `build.rs` in the order of
// `lessons/order.txt`; `RESERVED_NAMES`: the subcommands no lesson may take.
include!(concat!(env!("OUT_DIR"), "/lessons.rs"));

/// A built-in lesson's Markdown, by name.
pub fn builtin(name: &str) -> Option<&'static str> {
    BUILTIN
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, text)| *text)
}

#[cfg(test)]
mod tests {
    //! The embedded table against the lessons folder.
    use super::*;

    #[test]
    fn embedded_table_matches_the_lessons_folder() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/lessons");
        let mut on_disk: Vec<String> = std::fs::read_dir(dir)
            .expect("lessons/ exists")
            .filter_map(|e| e.ok())
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".md"))
            .map(|n| n.trim_end_matches(".md").to_owned())
            .collect();
        on_disk.sort();
        let mut embedded: Vec<String> = BUILTIN.iter().map(|(n, _)| n.to_string()).collect();
        embedded.sort();
        assert_eq!(on_disk, embedded);
        for name in &embedded {
            assert!(
                !RESERVED_NAMES.contains(&name.as_str()),
                "lessons/{name}.md: `{name}` is a built-in subcommand, so it cannot name a lesson"
            );
        }
        let order = std::fs::read_to_string(format!("{dir}/order.txt")).unwrap();
        for name in order
            .lines()
            .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        {
            assert!(
                on_disk.iter().any(|n| n == name.trim()),
                "order.txt names {name}, which has no lessons/{name}.md"
            );
        }
        for (name, text) in BUILTIN {
            let on_disk = std::fs::read_to_string(format!("{dir}/{name}.md")).unwrap();
            assert_eq!(&on_disk, text, "{name}.md differs from its embedded copy");
        }
    }
}
