//! Embeds every lesson in `lessons/` into the binary, in the learning order
//! that `lessons/order.txt` gives (lessons it does not name come last, by
//! name), so that a new lesson needs a Markdown file and no Rust.

use std::fmt::Write as _;
use std::path::Path;

/// The command line's own subcommands: a lesson of the same name would be
/// unreachable. `cli.rs` has a test that this list covers them all.
const RESERVED_NAMES: &[&str] = &[
    "all",
    "check",
    "completions",
    "help",
    "language",
    "list",
    "man",
    "play",
    "practice",
    "progress",
    "reset-progress",
    "run",
    "scale",
    "show",
    "starter",
    "verify",
    "workshop",
];

fn main() {
    // Read when the script runs, not baked in when it is compiled: a cached
    // build script must not point at another checkout.
    let manifest_dir =
        std::env::var_os("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR");
    let dir = Path::new(&manifest_dir).join("lessons");
    println!("cargo:rerun-if-changed={}", dir.display());
    let order_file = dir.join("order.txt");
    let order_text = std::fs::read_to_string(&order_file).unwrap_or_default();
    let order: Vec<&str> = order_text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .collect();
    let mut lessons: Vec<String> = std::fs::read_dir(&dir)
        .expect("the lessons/ folder exists")
        .filter_map(Result::ok)
        .filter_map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            let lower = name.to_ascii_lowercase();
            let markdown = lower.ends_with(".md") || lower.ends_with(".markdown");
            assert!(
                !markdown || name.ends_with(".md"),
                "lessons/{name}: name lesson files NAME.md (lower-case .md), so that the \
                 build embeds them"
            );
            name.strip_suffix(".md").map(str::to_owned)
        })
        .collect();
    for name in &lessons {
        let typable = !name.starts_with('-')
            && name
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
        assert!(
            typable,
            "lessons/{name}.md: a lesson's name is its subcommand, so use lower-case \
             letters, digits and `-` (not first)"
        );
        assert!(
            !RESERVED_NAMES.contains(&name.as_str()),
            "lessons/{name}.md: `{name}` is a built-in subcommand of sockets-tour, so a lesson \
             cannot be called that; rename the file (and its line in lessons/order.txt)"
        );
    }
    lessons.sort_by_key(|name| {
        let rank = order.iter().position(|o| o == name).unwrap_or(usize::MAX);
        (rank, name.clone())
    });
    let mut code =
        String::from("/// The built-in lessons, in learning order: (subcommand, Markdown).\n");
    code.push_str("pub const BUILTIN: &[(&str, &str)] = &[\n");
    for name in &lessons {
        let path = dir.join(format!("{name}.md"));
        println!("cargo:rerun-if-changed={}", path.display());
        writeln!(
            code,
            "    ({name:?}, include_str!({:?})),",
            path.display().to_string()
        )
        .unwrap();
    }
    code.push_str("];\n");
    code.push_str("\n/// Subcommands that `build.rs` refuses as lesson names.\n#[cfg(test)]\n");
    writeln!(
        code,
        "pub(crate) const RESERVED_NAMES: &[&str] = &{RESERVED_NAMES:?};"
    )
    .unwrap();
    let out = Path::new(&std::env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("lessons.rs");
    std::fs::write(out, code).expect("OUT_DIR is writable");
}
