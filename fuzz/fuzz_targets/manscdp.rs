//! The MANSCDP XML bodies a GB/T 28181 device sends in a SIP MESSAGE (Keepalive,
//! Catalog pages, DeviceInfo, DeviceStatus), in whatever charset it claims: parsing
//! never panics, and a Catalog page that parses feeds the assembler without panicking.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(citymirror_video::manscdp::Message::Catalog(page)) =
        citymirror_video::manscdp::Message::parse(data)
    {
        let mut a = citymirror_video::manscdp::CatalogAssembler::new(Default::default());
        let now = chrono::DateTime::from_timestamp(1_700_000_000, 0).unwrap();
        let _ = a.add(page, now);
    }
});
