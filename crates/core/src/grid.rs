use std::{fmt, str::FromStr};

use crate::ValueError;

/// The four levels of the governance grid: 区 → 街道 → 社区 → 网格.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum GridLevel {
    District,
    Street,
    Community,
    Grid,
}

impl GridLevel {
    pub const ALL: [GridLevel; 4] = [
        GridLevel::District,
        GridLevel::Street,
        GridLevel::Community,
        GridLevel::Grid,
    ];

    /// Number of digits in a code of this level.
    pub const fn code_len(self) -> usize {
        match self {
            GridLevel::District => 6,
            GridLevel::Street => 9,
            GridLevel::Community => 12,
            GridLevel::Grid => 14,
        }
    }

    pub const fn as_str(self) -> &'static str {
        match self {
            GridLevel::District => "district",
            GridLevel::Street => "street",
            GridLevel::Community => "community",
            GridLevel::Grid => "grid",
        }
    }

    pub const fn name_zh(self) -> &'static str {
        match self {
            GridLevel::District => "区",
            GridLevel::Street => "街道",
            GridLevel::Community => "社区",
            GridLevel::Grid => "网格",
        }
    }

    fn from_len(len: usize) -> Option<GridLevel> {
        GridLevel::ALL.into_iter().find(|l| l.code_len() == len)
    }
}

/// A hierarchical grid code. A code's ancestors are its prefixes, so a jurisdiction
/// ("everything in 福田街道") is a prefix test and aggregation is a group-by on a prefix.
///
/// - district: the 6-digit administrative code, `440304`
/// - street: district + 3 digits, `440304001`
/// - community: street + 3 digits, `440304001001`
/// - grid: community + 2 digits, `44030400100101`
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct GridCode(String);

impl GridCode {
    pub fn level(&self) -> GridLevel {
        GridLevel::from_len(self.0.len()).expect("validated on construction")
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The code of this unit's ancestor (or itself) at `level`, if it is at or below it.
    pub fn at(&self, level: GridLevel) -> Option<GridCode> {
        (level <= self.level()).then(|| GridCode(self.0[..level.code_len()].to_owned()))
    }

    /// The code of the unit one level up; `None` for the district.
    pub fn parent(&self) -> Option<GridCode> {
        let level = match self.level() {
            GridLevel::District => return None,
            GridLevel::Street => GridLevel::District,
            GridLevel::Community => GridLevel::Street,
            GridLevel::Grid => GridLevel::Community,
        };
        self.at(level)
    }

    pub fn street(&self) -> Option<GridCode> {
        self.at(GridLevel::Street)
    }

    pub fn community(&self) -> Option<GridCode> {
        self.at(GridLevel::Community)
    }

    /// The code of the child numbered `n` (1-based) one level down.
    pub fn child(&self, n: u32) -> Option<GridCode> {
        let width = match self.level() {
            GridLevel::District | GridLevel::Street => 3,
            GridLevel::Community => 2,
            GridLevel::Grid => return None,
        };
        (n >= 1 && n < 10u32.pow(width))
            .then(|| GridCode(format!("{}{:0w$}", self.0, n, w = width as usize)))
    }

    /// True if `self` is `other` or one of its ancestors.
    pub fn contains(&self, other: &GridCode) -> bool {
        other.0.starts_with(&self.0)
    }
}

impl FromStr for GridCode {
    type Err = ValueError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let invalid = |reason: &str| ValueError::Invalid {
            what: "grid code",
            reason: format!("`{s}`: {reason}"),
        };
        if !s.bytes().all(|b| b.is_ascii_digit()) {
            return Err(invalid("only digits are allowed"));
        }
        if GridLevel::from_len(s.len()).is_none() {
            return Err(invalid("expected 6, 9, 12 or 14 digits"));
        }
        Ok(GridCode(s.to_owned()))
    }
}

impl fmt::Display for GridCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl serde::Serialize for GridCode {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_codes_parent_is_one_level_up() {
        let g: GridCode = "44030400100102".parse().unwrap();
        assert_eq!(g.parent().unwrap().as_str(), "440304001001");
        assert_eq!(
            g.parent()
                .unwrap()
                .parent()
                .unwrap()
                .parent()
                .unwrap()
                .as_str(),
            "440304"
        );
        assert_eq!("440304".parse::<GridCode>().unwrap().parent(), None);
    }

    fn code(s: &str) -> GridCode {
        s.parse().unwrap()
    }

    #[test]
    fn ancestors_are_prefixes() {
        let g = code("44030400100102");
        assert_eq!(g.level(), GridLevel::Grid);
        assert_eq!(g.at(GridLevel::District).unwrap(), code("440304"));
        assert_eq!(g.community().unwrap(), code("440304001001"));
        assert!(code("440304001").contains(&g));
        assert!(!code("440304002").contains(&g));
        assert_eq!(code("440304").at(GridLevel::Street), None);
    }

    #[test]
    fn children_are_numbered() {
        assert_eq!(code("440304").child(10).unwrap(), code("440304010"));
        assert_eq!(
            code("440304001001").child(7).unwrap(),
            code("44030400100107")
        );
        assert_eq!(code("44030400100107").child(1), None);
    }

    #[test]
    fn rejects_malformed_codes() {
        assert!("4403040".parse::<GridCode>().is_err());
        assert!("44030400a".parse::<GridCode>().is_err());
        assert!("".parse::<GridCode>().is_err());
    }
}
