//! The lobby exercise, solved with socketioxide: the shape of the Rust
//! starter (`workshop/lobby/main.rs`), its TODOs written.

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
    axum::serve(listener, app).await?;
    Ok(())
}

async fn on_connect(socket: SocketRef) {
    socket.on("join lobby", async |socket: SocketRef| socket.join("lobby"));
    socket.on("say", async |socket: SocketRef, Data(text): Data<Value>| {
        // An emit that reaches nobody is no error worth a crash.
        let _ = socket.to("lobby").emit("chat", &text).await;
    });
}
