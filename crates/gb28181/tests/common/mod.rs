//! What the edge's tests share: waiting for a condition, and reading a counter.

use std::time::Duration;

use citymirror_gb28181::Edge;

/// Polls `ok` every 100 ms for up to 15 s; panics naming `what` if it never holds.
pub async fn until(what: &str, mut ok: impl FnMut() -> bool) {
    for _ in 0..150 {
        if ok() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("timed out waiting until {what}");
}

/// The edge's counter `name`.
pub fn stat(edge: &Edge, name: &str) -> u64 {
    edge.stats
        .snapshot()
        .into_iter()
        .find(|(n, _)| *n == name)
        .map(|(_, v)| v)
        .unwrap_or_else(|| panic!("no counter `{name}`"))
}
