//! `scale`: N clients on one server get one broadcast, observed on each; a
//! count that cannot fit in the descriptor limit is refused at once.

use std::time::{Duration, Instant};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_client_receives_the_broadcast() {
    let report = sockets_tour::scale(200, 1)
        .await
        .expect("200 clients fit anywhere");
    assert_eq!(report.clients, 200);
    assert!(report.connect > Duration::ZERO);
    assert!(report.broadcast_to_last_delivery > Duration::ZERO);
    assert!(report.peak_rss_bytes.is_some_and(|b| b > 0));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn clients_spread_over_servers_all_receive_the_broadcast() {
    let report = sockets_tour::scale(200, 3)
        .await
        .expect("200 clients on 3 servers");
    assert_eq!((report.clients, report.servers), (200, 3));
}

#[tokio::test]
async fn too_many_clients_are_refused_at_once_not_by_a_timeout() {
    let budget = sockets_tour::ensure_fits(0).expect("no client always fits");
    // As many clients as the limit has descriptors: twice too many, so the
    // other tests' descriptors opening and closing meanwhile cannot matter.
    let requested = usize::try_from(budget.limit).unwrap_or(usize::MAX);
    let started = Instant::now();
    let err = sockets_tour::scale(requested, 1)
        .await
        .expect_err("twice too many clients");
    assert!(
        started.elapsed() < Duration::from_secs(1),
        "refused only after {:?}",
        started.elapsed()
    );
    assert!(matches!(err, sockets_tour::Error::BadInput(_)), "{err}");
    let text = err.to_string();
    assert!(
        text.starts_with(&format!("{requested} clients need")),
        "{text}"
    );
    assert!(text.contains("RLIMIT_NOFILE"), "{text}");
}
