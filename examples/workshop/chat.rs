//! The chat exercise, solved with socketioxide: the shape of the Rust
//! starter (`workshop/chat/main.rs`), its TODOs written.

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

async fn on_connect(socket: SocketRef, Data(auth): Data<Value>) {
    let name = auth["name"].as_str().unwrap_or_default().to_owned();
    // An emit that reaches nobody (the first client) is no error worth a crash.
    let _ = socket.broadcast().emit("user joined", &name).await;
    socket.on(
        "chat message",
        async |io: SocketIo, Data(text): Data<Value>| {
            let _ = io.emit("chat message", &text).await;
        },
    );
    socket.on_disconnect(async move |io: SocketIo| {
        let _ = io.emit("user left", &name).await;
    });
}
