//! The progress file on disk: found in the data directory, read once,
//! saved under a lock by re-reading, merging and replacing it, so that two
//! runs at once never lose each other's work; an unreadable file is kept
//! aside first.

use std::cell::Cell;
use std::io::Write;
use std::path::{Path, PathBuf};

use super::{FILE_NAME, Progress, VERSION};

#[derive(Debug)]
pub struct Store {
    /// `None` when no data directory can be found (no home): nothing is saved.
    path: Option<PathBuf>,
    warned: Cell<bool>,
}

impl Store {
    /// The file in `$SOCKETS_TOUR_DATA_DIR`, or in the user's data directory.
    pub fn locate() -> Store {
        let dir = crate::data_dir::data_dir();
        Store {
            path: dir.map(|d| d.join(FILE_NAME)),
            warned: Cell::new(false),
        }
    }

    /// The file at `path` (for tests).
    pub fn at(path: impl Into<PathBuf>) -> Store {
        Store {
            path: Some(path.into()),
            warned: Cell::new(false),
        }
    }

    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    /// The saved progress; empty when there is none yet, and when the file
    /// cannot be read (reported on `warn`, once).
    pub fn load(&self, warn: &mut dyn Write) -> Progress {
        let Some(path) = &self.path else {
            return Progress::default();
        };
        let text = match std::fs::read_to_string(path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Progress::default(),
            Err(e) if e.kind() == std::io::ErrorKind::InvalidData => {
                let message = format!(
                    "{} is not a progress file (not UTF-8 text); starting afresh \
                     (the file is kept aside when progress is saved)",
                    path.display()
                );
                self.warn(warn, &message);
                return Progress::default();
            }
            Err(e) => {
                let message = format!("progress not saved: cannot read {}: {e}", path.display());
                self.warn(warn, &message);
                return Progress::default();
            }
        };
        match serde_json::from_str::<Progress>(&text) {
            Ok(progress) if progress.version == VERSION => progress,
            Ok(progress) => {
                self.warn(
                    warn,
                    &format!(
                        "{} is version {} of the format, not {VERSION}; starting afresh \
                         (the file is kept aside when progress is saved)",
                        path.display(),
                        progress.version
                    ),
                );
                Progress::default()
            }
            Err(e) => {
                self.warn(
                    warn,
                    &format!(
                        "{} is not a progress file ({e}); starting afresh \
                         (the file is kept aside when progress is saved)",
                        path.display()
                    ),
                );
                Progress::default()
            }
        }
    }

    /// Saves `progress`, merged with what is saved now (another run may
    /// have saved since this one loaded): under a lock, so that two runs
    /// never lose each other's work, and written whole to a temporary file
    /// renamed into place, so that an interrupted save leaves the old file.
    /// A failure is reported once.
    pub fn save(&self, progress: &Progress, warn: &mut dyn Write) {
        let Some(path) = &self.path else {
            return;
        };
        match save_merged(path, progress) {
            Ok(None) => {}
            // Said each time: it is news, never the load's warning again.
            Ok(Some(aside)) => {
                let _ = writeln!(
                    warn,
                    "sockets-tour: the unreadable {} is kept as {}; progress is saved afresh",
                    path.display(),
                    aside.display()
                );
            }
            Err(e) => self.warn(
                warn,
                &format!(
                    "progress not saved: cannot save it to {}: {e}",
                    path.display()
                ),
            ),
        }
    }

    /// Deletes the file, under the lock a save takes (a run saving at the
    /// same time saves before or after, never half over it); `Ok(false)`
    /// when there was none.
    pub fn delete(&self) -> std::io::Result<bool> {
        let Some(path) = &self.path else {
            return Ok(false);
        };
        if !path
            .parent()
            .is_none_or(|dir| dir.as_os_str().is_empty() || dir.exists())
        {
            return Ok(false);
        }
        let _lock = crate::data_dir::lock(&crate::data_dir::lock_path(path))?;
        match std::fs::remove_file(path) {
            Ok(()) => Ok(true),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(false),
            Err(e) => Err(e),
        }
    }

    fn warn(&self, out: &mut dyn Write, message: &str) {
        if !self.warned.replace(true) {
            // A closed stderr is no reason to stop the lesson.
            let _ = writeln!(out, "sockets-tour: {message}");
        }
    }
}
/// Lock, re-read, merge, replace. A file that is not a progress file of
/// this version is first kept aside: where it went is returned.
fn save_merged(path: &Path, progress: &Progress) -> std::io::Result<Option<PathBuf>> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)?;
    }
    let _lock = crate::data_dir::lock(&crate::data_dir::lock_path(path))?;
    let (mut merged, aside) = match saved_now(path)? {
        Some(saved) => (saved, None),
        None => (
            Progress::default(),
            Some(crate::data_dir::keep_aside(path)?),
        ),
    };
    merged.merge(progress);
    let text = serde_json::to_string_pretty(&merged).map_err(std::io::Error::other)?;
    crate::data_dir::replace(path, (text + "\n").as_bytes())?;
    Ok(aside)
}

/// What the file holds now (nothing when there is no file); `None` when it
/// is not a progress file of this version ([`Store::load`] said so already).
fn saved_now(path: &Path) -> std::io::Result<Option<Progress>> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Some(Progress::default())),
        Err(e) if e.kind() == std::io::ErrorKind::InvalidData => return Ok(None),
        Err(e) => return Err(e),
    };
    Ok(serde_json::from_str::<Progress>(&text)
        .ok()
        .filter(|p| p.version == VERSION))
}
