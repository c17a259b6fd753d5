//! The `Authorization: Digest …` value of a REGISTER, as a device (or an attacker) sends
//! it: parsing never panics, and what parses verifies against any password without
//! panicking.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(s) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(c) = citymirror_video::digest::Credentials::parse(s) {
        let _ = c.verify("REGISTER", "secret");
    }
});
