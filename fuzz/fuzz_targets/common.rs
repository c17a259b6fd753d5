// Shared by the import targets (included with `#[path]`, not a target itself).

use citymirror_core::LayerSchema;
use citymirror_twin::{import::ImportError, NewFeature};

/// A feature the importer returned must be exactly what `NewFeature::validate` makes of
/// it again: the geometry kind and WGS84 range hold, every value has its property's
/// type, required properties are present, and the props are in schema order.
pub fn assert_revalidates(schema: &LayerSchema, f: &NewFeature) {
    assert_eq!(
        f.props.len(),
        schema.properties.len(),
        "one value per property"
    );
    let named = schema
        .properties
        .iter()
        .zip(&f.props)
        .filter(|(_, v)| !v.is_null())
        .map(|(d, v)| (d.name.to_owned(), v.clone()));
    match NewFeature::validate(schema, f.geometry.clone(), named) {
        Ok(again) => assert_eq!(&again, f, "validation is not idempotent"),
        Err(e) => panic!("imported feature fails validation: {e}\n{f:?}"),
    }
}

/// A rejection names where: `<unit> N` with N ≥ 1, and says why.
pub fn assert_located(e: &ImportError, units: &[&str]) {
    let (unit, n) = e
        .location
        .split_once(' ')
        .unwrap_or_else(|| panic!("location `{}` is not `<unit> N`", e.location));
    assert!(units.contains(&unit), "location `{}`", e.location);
    let n: u64 = n
        .parse()
        .unwrap_or_else(|_| panic!("location `{}` has no number", e.location));
    assert!(n >= 1, "location `{}` is not 1-based", e.location);
    assert!(
        !e.reason.trim().is_empty(),
        "error at {} has no reason",
        e.location
    );
}
