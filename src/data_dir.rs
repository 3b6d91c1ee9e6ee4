//! Where sockets-tour keeps what it saves (progress, the playground's
//! history): `$SOCKETS_TOUR_DATA_DIR`, else the user's data directory.

use std::path::PathBuf;

/// The variable that moves everything sockets-tour saves (tests set it, so
/// that no run touches the real home directory).
pub const DATA_DIR_VAR: &str = "SOCKETS_TOUR_DATA_DIR";

/// The directory, or `None` when there is no home to keep it in.
pub fn data_dir() -> Option<PathBuf> {
    match std::env::var_os(DATA_DIR_VAR) {
        Some(dir) if !dir.is_empty() => Some(PathBuf::from(dir)),
        _ => directories::ProjectDirs::from("", "", "sockets-tour")
            .map(|dirs| dirs.data_dir().to_path_buf()),
    }
}
