//! Which properties a tile carries.
//!
//! Only properties graded public (一般-1, [`DataGrade::PUBLIC`]) go into tiles, so a tile is
//! the same for every reader and can be cached and served without asking who is reading.
//! Free text in them still passes the [`TextFilter`] the service was given (the edge's
//! identifier scan), as it would for an anonymous reader of OGC API Features.

use std::borrow::Cow;

use citymirror_core::{DataGrade, LayerSchema, PropertyDef};

/// Cleans public free text before it goes into a tile; `Cow::Borrowed` leaves it as it
/// is. The HTTP edge passes the identifier scan anonymous readers get, so a phone number
/// typed into a building's name is masked in tiles exactly as in GeoJSON.
pub type TextFilter = fn(&str) -> Cow<'_, str>;

/// The [`TextFilter`] that leaves text as it is (for data known to be clean, and tests).
pub fn text_as_is(s: &str) -> Cow<'_, str> {
    Cow::Borrowed(s)
}

/// The properties of a layer that tiles carry, with their index in the feature's values.
pub fn public_properties(
    schema: &'static LayerSchema,
) -> impl Iterator<Item = (usize, &'static PropertyDef)> {
    schema
        .properties
        .iter()
        .enumerate()
        .filter(|(_, p)| p.grade == DataGrade::PUBLIC)
}

#[cfg(test)]
mod tests {
    use super::*;
    use citymirror_core::LayerId;

    fn names(l: LayerId) -> Vec<&'static str> {
        public_properties(l.schema()).map(|(_, p)| p.name).collect()
    }

    #[test]
    fn tiles_carry_public_properties_only() {
        assert!(!names(LayerId::Devices).contains(&"serial"));
        assert!(names(LayerId::Devices).contains(&"device_type"));
        for p in ["name", "height_m", "floors"] {
            assert!(names(LayerId::Buildings).contains(&p), "{p}");
        }
    }
}
