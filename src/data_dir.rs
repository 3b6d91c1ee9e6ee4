//! Where sockets-tour keeps what it saves (progress, the playground's
//! history): `$SOCKETS_TOUR_DATA_DIR`, else the user's data directory; and
//! how it writes there without following a link it did not make.

use std::fs::{File, OpenOptions};
use std::io::{self, Write as _};
use std::path::{Path, PathBuf};

use crate::protocol::{WAIT_BOUND, wait_bound};

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

/// Whether `path` is a symbolic link (which a save must not write through:
/// sockets-tour never makes one).
pub fn is_link(path: &Path) -> bool {
    std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink())
}

/// Replaces `path` with `bytes`: written whole to a temporary file of its
/// own beside it ([`temporary_beside`]), then renamed over `path`. A link at
/// `path` is replaced, never followed; an interrupted save leaves the old
/// file; nothing stays behind.
pub fn replace(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let mut temporary = temporary_beside(path)?;
    temporary.write_all(bytes)?;
    temporary.as_file().sync_all()?;
    temporary.persist(path).map_err(|e| e.error)?;
    Ok(())
}

/// A new empty file in `path`'s directory, named after it with a random
/// part (tempfile: created exclusively, never an existing file or a link,
/// so no two saves of this process or another ever share one), removed
/// when dropped unless persisted over `path`. Its mode, and so the saved
/// file's, is 0600 on Unix: what sockets-tour saves is its user's alone.
pub fn temporary_beside(path: &Path) -> io::Result<tempfile::NamedTempFile> {
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    let name = path.file_name().unwrap_or_default().to_string_lossy();
    tempfile::Builder::new()
        .prefix(&format!(".{name}."))
        .suffix(".partial")
        .tempfile_in(dir)
}

/// Moves the file at `path` aside, to `path` + `.bad` (`.bad.2`, `.bad.3`,
/// … when that name is taken: an earlier one is never overwritten), and
/// returns where it went. The new name is made exclusively (a hard link),
/// so that nothing in its place is written over.
pub fn keep_aside(path: &Path) -> io::Result<PathBuf> {
    let name = path.file_name().unwrap_or_default().to_os_string();
    for n in 1..=100 {
        let mut aside = name.clone();
        aside.push(if n == 1 {
            ".bad".to_owned()
        } else {
            format!(".bad.{n}")
        });
        let aside = path.with_file_name(aside);
        match std::fs::hard_link(path, &aside) {
            Ok(()) => {
                std::fs::remove_file(path)?;
                return Ok(aside);
            }
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(e),
        }
    }
    Err(io::Error::other(format!(
        "{} and 99 more names after it are taken; remove the old ones",
        path.with_file_name({
            let mut bad = name;
            bad.push(".bad");
            bad
        })
        .display()
    )))
}

/// An advisory lock on a lock file, held until dropped (the operating
/// system lets go of it when the file is closed, also when a run is killed).
#[derive(Debug)]
pub struct Lock {
    _file: File,
}

/// The lock file that guards saves of `path`: `path` + `.lock`, beside it.
pub fn lock_path(path: &Path) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(".lock");
    path.with_file_name(name)
}

/// Takes the lock at `path` (created if missing, never through a link),
/// waiting at most [`WAIT_BOUND`] for another run that holds it.
pub fn lock(path: &Path) -> io::Result<Lock> {
    let file = open_lock_file(path)?;
    match file.try_lock() {
        Ok(()) => return Ok(Lock { _file: file }),
        Err(std::fs::TryLockError::WouldBlock) => {}
        Err(std::fs::TryLockError::Error(e)) => return Err(e),
    }
    // Blocking for the lock happens on a thread of its own, so that the
    // wait can be bounded; if it is given up, the thread closes the file
    // (and lets go of the lock) as soon as it gets it.
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let locked = file.lock().map(|()| file);
        // A closed channel means the wait was given up.
        let _ = tx.send(locked);
    });
    match rx.recv_timeout(WAIT_BOUND) {
        Ok(locked) => locked.map(|file| Lock { _file: file }),
        Err(_) => Err(io::Error::new(
            io::ErrorKind::TimedOut,
            format!(
                "another sockets-tour has held {} for {}",
                path.display(),
                wait_bound()
            ),
        )),
    }
}

fn open_lock_file(path: &Path) -> io::Result<File> {
    match OpenOptions::new().write(true).create_new(true).open(path) {
        Ok(file) => Ok(file),
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
            if is_link(path) {
                return Err(io::Error::other(format!(
                    "{} is a symbolic link, which sockets-tour never makes; remove it",
                    path.display()
                )));
            }
            // Read-only: a lock needs no write, and nothing is ever written to it.
            File::open(path)
        }
        Err(e) => Err(e),
    }
}

#[cfg(test)]
mod tests {
    //! Replacing a file: through no link, leaving no temporary file; the lock
    //! excludes a second holder until the first lets go.
    use super::*;

    fn temp_dir(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!(
            "sockets-tour-data-dir-{name}-{}",
            std::process::id()
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    fn names(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    #[cfg(unix)]
    #[test]
    fn replacing_a_link_leaves_its_target_untouched() {
        let dir = temp_dir("link");
        let target = dir.join("target.txt");
        std::fs::write(&target, "precious").unwrap();
        let path = dir.join("saved.json");
        std::os::unix::fs::symlink(&target, &path).unwrap();
        replace(&path, b"new").unwrap();
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "precious");
        assert!(!is_link(&path));
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "new");
        assert_eq!(names(&dir), ["saved.json", "target.txt"]);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_failed_replace_leaves_no_temporary_file() {
        let dir = temp_dir("failed");
        // A directory in the way: the rename fails.
        let path = dir.join("saved.json");
        std::fs::create_dir_all(path.join("inside")).unwrap();
        assert!(replace(&path, b"new").is_err());
        assert_eq!(names(&dir), ["saved.json"]);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_file_kept_aside_never_overwrites_an_earlier_one() {
        let dir = temp_dir("aside");
        let path = dir.join("progress.json");
        for text in ["first", "second", "third"] {
            std::fs::write(&path, text).unwrap();
            keep_aside(&path).unwrap();
        }
        assert_eq!(
            names(&dir),
            [
                "progress.json.bad",
                "progress.json.bad.2",
                "progress.json.bad.3"
            ]
        );
        let read = |name: &str| std::fs::read_to_string(dir.join(name)).unwrap();
        assert_eq!(read("progress.json.bad"), "first");
        assert_eq!(read("progress.json.bad.3"), "third");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_second_lock_waits_for_the_first() {
        let dir = temp_dir("lock");
        let path = dir.join("x.lock");
        let first = lock(&path).unwrap();
        let second = open_lock_file(&path).unwrap();
        assert!(matches!(
            second.try_lock(),
            Err(std::fs::TryLockError::WouldBlock)
        ));
        drop(first);
        assert!(second.try_lock().is_ok());
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[cfg(unix)]
    #[test]
    fn a_lock_file_that_is_a_link_is_refused() {
        let dir = temp_dir("lock-link");
        let target = dir.join("elsewhere");
        let path = dir.join("x.lock");
        std::os::unix::fs::symlink(&target, &path).unwrap();
        let e = lock(&path).unwrap_err();
        assert!(e.to_string().contains("symbolic link"), "{e}");
        assert!(!target.exists(), "the link's target was created");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
