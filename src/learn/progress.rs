//! Progress: which lessons a learner has read, which exercises they solved
//! (or only saw the solution of), and their best predict score per lesson,
//! kept in a small JSON file in the user's data directory. A file that is
//! corrupt or cannot be written is reported once and otherwise ignored.

use std::cell::Cell;
use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

/// The environment variable that names the folder of the progress file
/// (tests and demos point it away from the learner's home).
const FILE_NAME: &str = "progress.json";
const VERSION: u32 = 1;

/// Everything saved, per lesson name.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Progress {
    pub version: u32,
    #[serde(default)]
    pub lessons: BTreeMap<String, LessonProgress>,
}

impl Default for Progress {
    fn default() -> Self {
        Progress {
            version: VERSION,
            lessons: BTreeMap::new(),
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct LessonProgress {
    /// Run to the end at least once.
    #[serde(default)]
    pub read: bool,
    /// Per exercise, by its goal (stable when exercises are added or moved).
    #[serde(default)]
    pub exercises: BTreeMap<String, ExerciseStatus>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub best_predict: Option<PredictScore>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ExerciseStatus {
    /// The learner asked for the solution; it is not solved.
    Shown,
    Solved,
}

/// Predictions right out of predictions graded, in one run of a lesson.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PredictScore {
    pub right: usize,
    pub graded: usize,
}

impl PredictScore {
    /// Whether this score beats `other`: a higher share right, or the same
    /// share over more guesses.
    pub fn beats(&self, other: &PredictScore) -> bool {
        let (a, b) = (self.right * other.graded, other.right * self.graded);
        a > b || (a == b && self.graded > other.graded)
    }
}

impl Progress {
    pub fn lesson(&mut self, name: &str) -> &mut LessonProgress {
        self.lessons.entry(name.to_owned()).or_default()
    }

    pub fn mark_read(&mut self, lesson: &str) {
        self.lesson(lesson).read = true;
    }

    /// Records an exercise's status; solved is never downgraded to shown.
    pub fn mark_exercise(&mut self, lesson: &str, goal: &str, status: ExerciseStatus) {
        let entry = self
            .lesson(lesson)
            .exercises
            .entry(goal.to_owned())
            .or_insert(status);
        *entry = (*entry).max(status);
    }

    /// Keeps `score` if it is the lesson's best.
    pub fn record_predict(&mut self, lesson: &str, score: PredictScore) {
        if score.graded == 0 {
            return;
        }
        let best = &mut self.lesson(lesson).best_predict;
        if best.is_none_or(|b| score.beats(&b)) {
            *best = Some(score);
        }
    }

    /// How many of `goals` are solved in `lesson`.
    pub fn solved<'a>(&self, lesson: &str, goals: impl IntoIterator<Item = &'a str>) -> usize {
        let Some(p) = self.lessons.get(lesson) else {
            return 0;
        };
        goals
            .into_iter()
            .filter(|g| p.exercises.get(*g) == Some(&ExerciseStatus::Solved))
            .count()
    }
}

/// The progress file, and whether a problem with it was already reported.
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
        let _lock = crate::data_dir::lock(&lock_path(path))?;
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

impl Progress {
    /// Adds what `other` holds: lessons read, exercises solved or shown
    /// (solved wins), the better predict score. Nothing is ever taken away.
    pub fn merge(&mut self, other: &Progress) {
        for (name, theirs) in &other.lessons {
            if theirs.read {
                self.mark_read(name);
            }
            for (goal, status) in &theirs.exercises {
                self.mark_exercise(name, goal, *status);
            }
            if let Some(score) = theirs.best_predict {
                self.record_predict(name, score);
            }
        }
    }
}

/// The lock file beside the progress file.
fn lock_path(path: &Path) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(".lock");
    path.with_file_name(name)
}

/// Lock, re-read, merge, replace. A file that is not a progress file of
/// this version is first kept aside: where it went is returned.
fn save_merged(path: &Path, progress: &Progress) -> std::io::Result<Option<PathBuf>> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)?;
    }
    let _lock = crate::data_dir::lock(&lock_path(path))?;
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

#[cfg(test)]
mod tests {
    //! The file round trip, the rules for best scores and statuses, and
    //! corrupt or unwritable files reported once and never fatal.
    use super::*;

    fn temp_dir(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!(
            "sockets-tour-progress-{name}-{}",
            std::process::id()
        ));
        let _ = std::fs::remove_dir_all(&dir);
        dir
    }

    #[test]
    fn progress_is_written_and_read_back() {
        let dir = temp_dir("roundtrip");
        let store = Store::at(dir.join("nested/progress.json"));
        let mut warn = Vec::new();
        assert_eq!(store.load(&mut warn), Progress::default());
        let mut p = Progress::default();
        p.mark_read("rooms");
        p.mark_exercise("rooms", "goal one", ExerciseStatus::Solved);
        p.mark_exercise("rooms", "goal one", ExerciseStatus::Shown);
        p.mark_exercise("rooms", "goal two", ExerciseStatus::Shown);
        p.record_predict(
            "rooms",
            PredictScore {
                right: 3,
                graded: 4,
            },
        );
        p.record_predict(
            "rooms",
            PredictScore {
                right: 1,
                graded: 4,
            },
        );
        store.save(&p, &mut warn);
        let back = store.load(&mut warn);
        assert_eq!(back, p);
        assert!(warn.is_empty(), "{}", String::from_utf8_lossy(&warn));
        let rooms = &back.lessons["rooms"];
        assert!(rooms.read);
        assert_eq!(rooms.exercises["goal one"], ExerciseStatus::Solved);
        assert_eq!(
            back.solved("rooms", ["goal one", "goal two", "goal three"]),
            1
        );
        assert_eq!(
            rooms.best_predict,
            Some(PredictScore {
                right: 3,
                graded: 4
            })
        );
        assert!(store.delete().unwrap());
        assert!(!store.delete().unwrap());
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_corrupt_file_is_reported_once_and_ignored() {
        let dir = temp_dir("corrupt");
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("progress.json");
        std::fs::write(&path, "{ not json").unwrap();
        let store = Store::at(&path);
        let mut warn = Vec::new();
        assert_eq!(store.load(&mut warn), Progress::default());
        assert_eq!(store.load(&mut warn), Progress::default());
        let text = String::from_utf8(warn).unwrap();
        assert_eq!(text.lines().count(), 1, "{text}");
        assert!(text.contains("is not a progress file"), "{text}");
        // Saving keeps it aside, says where, and writes a new one.
        let mut p = Progress::default();
        p.mark_read("chat");
        let mut said = Vec::new();
        store.save(&p, &mut said);
        assert_eq!(Store::at(&path).load(&mut Vec::new()), p);
        let aside = dir.join("progress.json.bad");
        assert_eq!(std::fs::read_to_string(&aside).unwrap(), "{ not json");
        let said = String::from_utf8(said).unwrap();
        assert!(
            said.contains(&format!("is kept as {}", aside.display())),
            "{said}"
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }

    /// `reset-progress` beside a run that saves: the delete waits for the
    /// save's lock, so that it never lands in the middle of a save.
    #[test]
    fn a_delete_waits_for_a_save_in_progress() {
        let dir = temp_dir("delete-locked");
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("progress.json");
        let store = Store::at(&path);
        store.save(&Progress::default(), &mut Vec::new());
        let saving = crate::data_dir::lock(&lock_path(&path)).unwrap();
        let (tx, rx) = std::sync::mpsc::channel();
        let deleting = Store::at(&path);
        std::thread::spawn(move || {
            let _ = tx.send(deleting.delete().map_err(|e| e.to_string()));
        });
        // Bounded: only a delete that takes no lock ends within it.
        let early = rx.recv_timeout(std::time::Duration::from_millis(500));
        assert!(early.is_err(), "deleted during a save: {early:?}");
        assert!(path.exists());
        drop(saving);
        let deleted = rx.recv_timeout(crate::protocol::WAIT_BOUND);
        assert_eq!(deleted, Ok(Ok(true)));
        assert!(!path.exists());
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn an_unwritable_file_is_reported_once_and_never_fatal() {
        let dir = temp_dir("unwritable");
        std::fs::create_dir_all(&dir).unwrap();
        // A directory where the file should be: neither readable nor writable as a file.
        let path = dir.join("progress.json");
        std::fs::create_dir_all(&path).unwrap();
        let store = Store::at(&path);
        let mut warn = Vec::new();
        let _ = store.load(&mut warn);
        store.save(&Progress::default(), &mut warn);
        store.save(&Progress::default(), &mut warn);
        let text = String::from_utf8(warn).unwrap();
        assert_eq!(text.lines().count(), 1, "{text}");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    /// Two runs saving at once (`practice` beside `all --predict`), each as
    /// the commands do: load, mark one more thing, save.
    #[test]
    fn two_writers_saving_at_once_lose_nothing() {
        const ROUNDS: usize = 60;
        let dir = temp_dir("concurrent");
        let path = dir.join("progress.json");
        let writers = ["alice", "bob"].map(|who| {
            let path = path.clone();
            std::thread::spawn(move || {
                let store = Store::at(&path);
                let mut warn = Vec::new();
                for round in 0..ROUNDS {
                    let mut p = store.load(&mut warn);
                    p.mark_exercise("rooms", &format!("{who} {round}"), ExerciseStatus::Solved);
                    if round % 10 == 0 {
                        p.mark_read(&format!("{who}-{round}"));
                    }
                    let score = PredictScore {
                        right: round,
                        graded: ROUNDS,
                    };
                    p.record_predict(who, score);
                    store.save(&p, &mut warn);
                }
                String::from_utf8(warn).unwrap()
            })
        });
        for writer in writers {
            let warned = writer.join().unwrap();
            assert!(warned.is_empty(), "{warned}");
        }
        let saved = Store::at(&path).load(&mut Vec::new());
        let solved = saved.lessons["rooms"].exercises.len();
        assert_eq!(solved, 2 * ROUNDS, "exercises lost");
        let read = saved.lessons.values().filter(|l| l.read).count();
        assert_eq!(read, 2 * ROUNDS / 10, "read marks lost");
        for who in ["alice", "bob"] {
            let best = saved.lessons[who].best_predict.unwrap();
            assert_eq!(best.right, ROUNDS - 1, "{who}'s best score lost");
        }
        let mut left: Vec<_> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        left.sort();
        assert_eq!(
            left,
            ["progress.json", "progress.json.lock"],
            "a stray file"
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_save_keeps_what_another_run_saved_since_this_one_loaded() {
        let dir = temp_dir("merge");
        let path = dir.join("progress.json");
        let (mine, theirs) = (Store::at(&path), Store::at(&path));
        let mut first = mine.load(&mut Vec::new());
        let mut second = theirs.load(&mut Vec::new());
        first.mark_exercise("rooms", "one", ExerciseStatus::Shown);
        first.record_predict(
            "rooms",
            PredictScore {
                right: 1,
                graded: 2,
            },
        );
        second.mark_exercise("rooms", "one", ExerciseStatus::Solved);
        second.mark_read("chat");
        theirs.save(&second, &mut Vec::new());
        mine.save(&first, &mut Vec::new());
        let saved = Store::at(&path).load(&mut Vec::new());
        assert_eq!(
            saved.lessons["rooms"].exercises["one"],
            ExerciseStatus::Solved
        );
        assert!(saved.lessons["chat"].read);
        assert_eq!(
            saved.lessons["rooms"].best_predict,
            Some(PredictScore {
                right: 1,
                graded: 2
            })
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[cfg(unix)]
    #[test]
    fn a_progress_file_that_is_a_link_is_replaced_and_its_target_untouched() {
        let dir = temp_dir("link");
        std::fs::create_dir_all(&dir).unwrap();
        let target = dir.join("target");
        std::fs::write(&target, "precious").unwrap();
        let path = dir.join("progress.json");
        std::os::unix::fs::symlink(&target, &path).unwrap();
        // The temporary file's old, fixed name, planted as a link too.
        let planted = dir.join("progress.json.tmp");
        std::os::unix::fs::symlink(&target, &planted).unwrap();
        let mut p = Progress::default();
        p.mark_read("chat");
        let mut warn = Vec::new();
        Store::at(&path).save(&p, &mut warn);
        // What it linked to is no progress file: the link itself is kept aside.
        let warn = String::from_utf8(warn).unwrap();
        assert!(warn.contains("progress.json.bad;"), "{warn}");
        assert!(crate::data_dir::is_link(&dir.join("progress.json.bad")));
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "precious");
        assert_eq!(Store::at(&path).load(&mut Vec::new()), p);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_better_share_beats_and_a_tie_prefers_more_guesses() {
        let s = |right, graded| PredictScore { right, graded };
        assert!(s(3, 4).beats(&s(2, 4)));
        assert!(!s(2, 4).beats(&s(3, 4)));
        assert!(s(4, 4).beats(&s(2, 2)));
        assert!(!s(2, 2).beats(&s(2, 2)));
    }
}
