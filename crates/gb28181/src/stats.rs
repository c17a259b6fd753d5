//! What the edge counts: every message refused or dropped has a counter, so that an
//! operator sees a misbehaving device or a flood without reading logs.

use std::sync::atomic::{AtomicU64, Ordering};

macro_rules! counters {
    ($($(#[$doc:meta])* $name:ident),* $(,)?) => {
        /// The edge's counters, bumped from every task.
        #[derive(Debug, Default)]
        pub struct Stats {
            $($(#[$doc])* pub $name: AtomicU64,)*
        }

        impl Stats {
            /// Every counter by name, for `/api/v1/video/stats` and the benchmark.
            pub fn snapshot(&self) -> Vec<(&'static str, u64)> {
                vec![$((stringify!($name), self.$name.load(Ordering::Relaxed)),)*]
            }
        }
    };
}

counters! {
    /// Messages taken in (after framing), of any kind.
    received,
    /// Bytes that were not a SIP message, or a TCP stream that lost its framing.
    malformed,
    /// REGISTERs whose From is not a well-formed GB/T 28181 device id.
    bad_id,
    /// REGISTERs from ids the platform does not know.
    unknown_device,
    /// REGISTERs refused for their credentials (wrong password, realm or replayed nonce).
    auth_failed,
    /// REGISTERs dropped because their address sent too many.
    flood_dropped,
    /// Registrations accepted.
    registered,
    /// Keepalives taken.
    keepalives,
    /// Messages from devices that are not registered (answered so that they register).
    unregistered_messages,
    /// MESSAGE bodies that were not valid MANSCDP.
    bad_body,
    /// Catalogs assembled (whole or given up).
    catalogs,
    /// Packets dropped because the platform's queue was full.
    queue_dropped,
    /// TCP connections refused over the connection cap.
    tcp_refused,
    /// Sends that failed.
    send_failed,
    /// Devices that went offline / came online.
    went_offline,
    went_online,
}

impl Stats {
    pub fn bump(c: &AtomicU64) {
        c.fetch_add(1, Ordering::Relaxed);
    }
}
