//! The credential headers the security gate reads (`Authorization`, `Cookie`), through
//! the parser it uses (`citymirror_http::fuzzing::parse_credentials`), with the client
//! address it keys budgets by.
//!
//! Input: the first 16 bytes are the peer's IPv6 address (an IPv4-mapped one when bytes
//! 10–11 are 0xff); the rest is split at `\n` into header lines, each `name:value`
//! (a line without `:` is an Authorization value; names are taken as given, so
//! `authorization`, `cookie` and anything else appear).
#![no_main]

use std::net::{IpAddr, Ipv6Addr};

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if data.len() < 16 {
        return;
    }
    let mut ip = [0u8; 16];
    ip.copy_from_slice(&data[..16]);
    let peer = IpAddr::V6(Ipv6Addr::from(ip));
    let headers: Vec<(&[u8], &[u8])> = data[16..]
        .split(|b| *b == b'\n')
        .map(|line| match line.iter().position(|b| *b == b':') {
            Some(i) => (&line[..i], &line[i + 1..]),
            None => (&b"authorization"[..], line),
        })
        .collect();
    let _ = citymirror_http::fuzzing::parse_credentials(&headers, peer);
});
