//! The ack exercise, solved with socketioxide: the shape of the Rust
//! starter (`workshop/ack/main.rs`), its TODOs written.

use serde_json::{Value, json};
use socketioxide::SocketIo;
use socketioxide::extract::{AckSender, Data, SocketRef};

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
    socket.on("order", async |Data(item): Data<Value>, ack: AckSender| {
        // The client may have gone meanwhile: nobody to answer then.
        let _ = ack.send(&(json!({"status": "ok"}), item));
    });
}
