//! The workshop's reference servers in Rust (socketioxide), and its Rust
//! starters as written, built as one example of this crate so that they
//! share its dependencies: `PORT=3000 cargo run --example workshop -- chat`
//! runs the chat reference, `… -- chat --starter` the chat starter. The
//! tests run `sockets-tour verify` on each.

mod ack;
#[path = "../../workshop/ack/main.rs"]
mod ack_starter;
mod admin;
#[path = "../../workshop/admin/main.rs"]
mod admin_starter;
mod chat;
#[path = "../../workshop/chat/main.rs"]
mod chat_starter;
mod lobby;
#[path = "../../workshop/lobby/main.rs"]
mod lobby_starter;
mod private;
#[path = "../../workshop/private/main.rs"]
mod private_starter;
mod rooms;
#[path = "../../workshop/rooms/main.rs"]
mod rooms_starter;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let starter = args.iter().any(|a| a == "--starter");
    match (args.first().map(String::as_str), starter) {
        (Some("chat"), false) => chat::main(),
        (Some("chat"), true) => chat_starter::main(),
        (Some("rooms"), false) => rooms::main(),
        (Some("rooms"), true) => rooms_starter::main(),
        (Some("lobby"), false) => lobby::main(),
        (Some("lobby"), true) => lobby_starter::main(),
        (Some("private"), false) => private::main(),
        (Some("private"), true) => private_starter::main(),
        (Some("admin"), false) => admin::main(),
        (Some("admin"), true) => admin_starter::main(),
        (Some("ack"), false) => ack::main(),
        (Some("ack"), true) => ack_starter::main(),
        _ => Err("usage: workshop EXERCISE [--starter] (exercises: chat, rooms, lobby, private, admin, ack)".into()),
    }
}
