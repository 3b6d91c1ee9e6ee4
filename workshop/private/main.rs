//! Private messages. Check it with: sockets-tour verify private -- cargo run
//! (sockets-tour starts it with PORT set, connects its clients, and
//! compares who received what with its reference server).

use serde_json::Value;
use socketioxide::SocketIo;
use socketioxide::extract::{Data, SocketRef};

#[tokio::main]
pub async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let (layer, io) = SocketIo::new_layer();
    io.ns("/", on_connect);
    let app = axum::Router::new().layer(layer);
    let port: u16 = std::env::var("PORT")
        .unwrap_or_else(|_| "3000".into())
        .parse()?;
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
    println!("listening on port {port}");
    axum::serve(listener, app).await?;
    Ok(())
}

/// Runs for each client that connects; `auth` is what it sent: `{"name": …}`.
async fn on_connect(socket: SocketRef, Data(auth): Data<Value>) {
    let name = auth["name"].as_str().unwrap_or_default().to_owned();
    println!("{name} connected, socket {}", socket.id);

    // TODO: put this socket in a room named after `name`.

    // TODO: on "poke" with a user's name, send "poked" carrying
    //       "someone poked you" to that user's room, from this socket.
}
