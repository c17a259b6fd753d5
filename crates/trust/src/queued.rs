//! Time a request spent queued behind other requests, which is not work it asked for.
//!
//! Clients' budgets are charged with the time their requests take. A request that waits
//! for its turn at a shared resource (SQLite's one writer) is slow because of everyone
//! else: charged for the wait, one intake system filing 200 requests a second would spend
//! its budget on the queue the moment the queue grew, and be refused for seconds after
//! it drained. Whoever makes a request wait tells [`add`] (the store's queue of SQLite
//! writers, and the audit log's group commit); the gate runs each request under
//! [`measure`] and charges the time taken less the time queued.

use std::{cell::Cell, future::Future, time::Duration};

tokio::task_local! {
    static QUEUED: Cell<Duration>;
}

/// Runs `f` and returns, with its output, the time it spent queued (as told to [`add`]
/// by the code it ran, in its own task).
pub async fn measure<F: Future>(f: F) -> (F::Output, Duration) {
    QUEUED
        .scope(Cell::new(Duration::ZERO), async move {
            let out = f.await;
            (out, QUEUED.with(Cell::get))
        })
        .await
}

/// Counts `waited` as time the current request spent queued; outside [`measure`] it is
/// not counted anywhere.
pub fn add(waited: Duration) {
    let _ = QUEUED.try_with(|q| q.set(q.get() + waited));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn waits_told_inside_a_measured_request_add_up() {
        let ((), queued) = measure(async {
            add(Duration::from_millis(30));
            tokio::task::yield_now().await;
            add(Duration::from_millis(12));
        })
        .await;
        assert_eq!(queued, Duration::from_millis(42));
    }

    #[tokio::test]
    async fn each_request_counts_only_its_own_waits() {
        add(Duration::from_secs(5)); // outside any request: counted nowhere
        let (a, b) = tokio::join!(
            measure(async { add(Duration::from_millis(7)) }),
            measure(async { add(Duration::from_millis(9)) }),
        );
        assert_eq!(
            (a.1, b.1),
            (Duration::from_millis(7), Duration::from_millis(9))
        );
        // Another task's wait is its own, not the request's that spawned it.
        let ((), queued) = measure(async {
            tokio::spawn(async { add(Duration::from_secs(1)) })
                .await
                .unwrap();
        })
        .await;
        assert_eq!(queued, Duration::ZERO);
    }
}
