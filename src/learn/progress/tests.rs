//! The file round trip, the rules for best scores and statuses, and
//! corrupt or unwritable files reported once and never fatal.

use super::*;
use crate::data_dir::lock_path;
use std::path::PathBuf;

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
