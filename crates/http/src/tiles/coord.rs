//! The tile address in the path, validated at the door.

use citymirror_tiles::TileCoord;

use crate::ApiError;

/// `z`, `x` and `y` as they come in the path; `y` may end in `.mvt` or `.pbf`.
pub(super) fn parse(z: &str, x: &str, y: &str) -> Result<TileCoord, ApiError> {
    let y = y
        .strip_suffix(".mvt")
        .or_else(|| y.strip_suffix(".pbf"))
        .unwrap_or(y);
    let number = |name: &str, raw: &str| {
        // Digits only: `u32::from_str` would also take a leading `+`.
        raw.bytes()
            .all(|b| b.is_ascii_digit())
            .then(|| raw.parse::<u32>().ok())
            .flatten()
            .ok_or_else(|| {
                ApiError::InvalidParameter(format!(
                    "tile {name} `{raw}` is not a whole number (tiles are /tiles/{{tileset}}/{{z}}/{{x}}/{{y}}.mvt)"
                ))
            })
    };
    Ok(TileCoord::new(
        number("z", z)?,
        number("x", x)?,
        number("y", y)?,
    )?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(z: &str, x: &str, y: &str, expected: Option<(u8, u32, u32)>) {
        let got = parse(z, x, y).ok().map(|c| (c.z(), c.x(), c.y()));
        assert_eq!(got, expected, "{z}/{x}/{y}");
    }

    #[test]
    fn takes_plain_numbers_with_an_optional_mvt_or_pbf_suffix() {
        check("15", "26765", "14277", Some((15, 26765, 14277)));
        check("15", "26765", "14277.mvt", Some((15, 26765, 14277)));
        check("15", "26765", "14277.pbf", Some((15, 26765, 14277)));
        check("0", "0", "0", Some((0, 0, 0)));
    }

    #[test]
    fn refuses_what_is_not_a_tile() {
        check("15", "26765", "14277.png", None);
        check("15", "-1", "0", None);
        check("+1", "0", "0", None);
        check("", "0", "0", None);
        check("1", "2", "0", None);
        check("25", "0", "0", None);
        check("99999999999", "0", "0", None);
    }
}
