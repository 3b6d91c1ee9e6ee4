//! The admin exercise, solved with socketioxide: the shape of the Rust
//! starter (`workshop/admin/main.rs`), its TODOs written.

use serde_json::Value;
use socketioxide::SocketIo;
use socketioxide::extract::{Data, SocketRef};
use socketioxide::handler::ConnectHandler as _;

#[tokio::main]
pub async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let (layer, io) = SocketIo::new_layer();
    io.ns("/", on_connect);
    io.ns("/admin", on_admin.with(check_token));
    let app = axum::Router::new().layer(layer);
    let port: u16 = std::env::var("PORT")
        .unwrap_or_else(|_| "3000".into())
        .parse()?;
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
    axum::serve(listener, app).await?;
    Ok(())
}

async fn on_connect(socket: SocketRef) {
    println!("connected to /: socket {}", socket.id);
}

/// The middleware of /admin: its error's text is the `connect_error` message.
async fn check_token(Data(auth): Data<Value>) -> Result<(), String> {
    match auth["token"].as_str() {
        Some("s3cret") => Ok(()),
        _ => Err("wrong token".to_owned()),
    }
}

async fn on_admin(socket: SocketRef, Data(auth): Data<Value>) {
    // The client is connected: sending to it cannot fail but by its leaving.
    let _ = socket.emit("welcome", &auth["name"]);
}
