//! The workshop's reference servers in Rust (socketioxide), and its Rust
//! starters as written, built as one example of this crate so that they
//! share its dependencies: `PORT=3000 cargo run --example workshop -- chat`
//! runs the chat reference, `… -- chat --starter` the chat starter. The
//! tests run `sockets-tour verify` on each.

mod chat;
#[path = "../../workshop/chat/main.rs"]
mod chat_starter;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let starter = args.iter().any(|a| a == "--starter");
    match (args.first().map(String::as_str), starter) {
        (Some("chat"), false) => chat::main(),
        (Some("chat"), true) => chat_starter::main(),
        _ => Err("usage: workshop EXERCISE [--starter] (exercises: chat)".into()),
    }
}
