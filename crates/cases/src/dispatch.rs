//! The responsibility matrix (权责清单): which unit leads a request, and which assist.
//!
//! A rule matches a service (`"0103"`) or a whole family (`"01"`), optionally only when
//! the request lies at a kind of twin feature (a road, a river, a park, a building). The
//! most specific rule wins: service and place, then service, then family and place,
//! then family. A rule names units by reference: a department by (part of) its name, or
//! the street office, community station or grid team *of the place*, which is how one
//! rule routes a street-vending complaint to whichever street it happens in.
//!
//! A unit that returns a ticket (退单) is passed over when the ticket is routed again;
//! when no rule is left the ticket waits for an operator. The matrix is data: the
//! district's default is [`Matrix::futian`], and operators replace it as they learn
//! where it is wrong (the returns per category tell them).

use serde::{Deserialize, Serialize};

use crate::catalog::Service;

/// The kind of twin feature a request lies at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PlaceKind {
    Road,
    Water,
    Park,
    Building,
}

impl PlaceKind {
    /// The kind of a twin layer's features, for the layers requests are routed by.
    pub fn of_layer(layer: &str) -> Option<PlaceKind> {
        match layer {
            "roads" => Some(PlaceKind::Road),
            "water" => Some(PlaceKind::Water),
            "parks" => Some(PlaceKind::Park),
            "buildings" => Some(PlaceKind::Building),
            _ => None,
        }
    }
}

/// A unit as a rule names it: `dept:<part of its name>`, or `street`, `community`,
/// `grid` for the area units of the request's place.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum UnitRef {
    Department(String),
    Street,
    Community,
    Grid,
}

impl TryFrom<String> for UnitRef {
    type Error = String;

    fn try_from(s: String) -> Result<UnitRef, String> {
        match s.as_str() {
            "street" => Ok(UnitRef::Street),
            "community" => Ok(UnitRef::Community),
            "grid" => Ok(UnitRef::Grid),
            _ => match s.strip_prefix("dept:") {
                Some(name) if !name.trim().is_empty() => {
                    Ok(UnitRef::Department(name.trim().to_owned()))
                }
                _ => Err(format!(
                    "`{s}` names no unit; expected street, community, grid or dept:<name>"
                )),
            },
        }
    }
}

impl From<UnitRef> for String {
    fn from(u: UnitRef) -> String {
        match u {
            UnitRef::Department(n) => format!("dept:{n}"),
            UnitRef::Street => "street".into(),
            UnitRef::Community => "community".into(),
            UnitRef::Grid => "grid".into(),
        }
    }
}

/// One rule of the matrix.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rule {
    /// A service code (`"0103"`) or a family code (`"01"`).
    pub matches: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at: Option<PlaceKind>,
    pub lead: UnitRef,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub assist: Vec<UnitRef>,
}

/// A unit of the organisation, as routing needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrgUnit {
    pub id: String,
    pub name: String,
    pub kind: OrgKind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OrgKind {
    Department,
    Street,
    Community,
    Grid,
    Other,
}

/// Where a request lies: its grid path (unit ids of the area units are their grid
/// codes) and the kind of feature it is at.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Place {
    pub street: Option<String>,
    pub community: Option<String>,
    pub grid: Option<String>,
    pub at: Option<PlaceKind>,
}

/// Where a request goes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Route {
    pub lead: String,
    pub assist: Vec<String>,
    /// The rule that decided (its index in the matrix), for counting returns.
    pub rule: usize,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Matrix {
    pub rules: Vec<Rule>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MatrixError {
    #[error("the matrix is not valid JSON of the expected shape: {0}")]
    Format(String),
    #[error("rule {index} matches `{matches}`, which is neither a service nor a family code")]
    UnknownCode { index: usize, matches: String },
}

impl Matrix {
    /// Reads a matrix and checks every rule names a known service or family.
    pub fn from_json(text: &str) -> Result<Matrix, MatrixError> {
        let m: Matrix =
            serde_json::from_str(text).map_err(|e| MatrixError::Format(e.to_string()))?;
        for (index, r) in m.rules.iter().enumerate() {
            let known = crate::catalog::service(&r.matches).is_some()
                || crate::catalog::family(&r.matches).is_some();
            if !known {
                return Err(MatrixError::UnknownCode {
                    index,
                    matches: r.matches.clone(),
                });
            }
        }
        Ok(m)
    }

    /// Routes a request for `service` at `place`, passing over the units in `excluded`
    /// (those that returned it). `None` when no rule's lead is left: manual triage.
    pub fn route(
        &self,
        service: &Service,
        place: &Place,
        units: &[OrgUnit],
        excluded: &[String],
    ) -> Option<Route> {
        let family = service.family().code;
        // Most specific first: (service, place), service, (family, place), family.
        let tiers: [(&str, bool); 4] = [
            (service.code, true),
            (service.code, false),
            (family, true),
            (family, false),
        ];
        for (code, with_place) in tiers {
            for (rule, r) in self.rules.iter().enumerate() {
                let place_fits = match (with_place, r.at) {
                    (true, Some(at)) => place.at == Some(at),
                    (false, None) => true,
                    _ => false,
                };
                if r.matches != code || !place_fits {
                    continue;
                }
                let Some(lead) = resolve(&r.lead, place, units) else {
                    continue;
                };
                if excluded.contains(&lead) {
                    continue;
                }
                let mut assist: Vec<String> = r
                    .assist
                    .iter()
                    .filter_map(|a| resolve(a, place, units))
                    .filter(|a| *a != lead)
                    .collect();
                assist.dedup();
                return Some(Route { lead, assist, rule });
            }
        }
        None
    }

    /// The district's default matrix.
    pub fn futian() -> Matrix {
        let rule = |matches: &str, at: Option<PlaceKind>, lead: &str, assist: &[&str]| Rule {
            matches: matches.to_owned(),
            at,
            lead: UnitRef::try_from(lead.to_owned()).expect("a valid built-in reference"),
            assist: assist
                .iter()
                .map(|a| UnitRef::try_from((*a).to_owned()).expect("a valid built-in reference"))
                .collect(),
        };
        const CITY: &str = "dept:城市管理和综合执法局";
        const WATER: &str = "dept:水务局";
        const HOUSING: &str = "dept:住房和建设局";
        const ENV: &str = "dept:生态环境局";
        const POLICE: &str = "dept:公安分局";
        Matrix {
            rules: vec![
                rule("01", None, "street", &[]),
                rule("01", Some(PlaceKind::Road), CITY, &["street"]),
                rule("01", Some(PlaceKind::Park), CITY, &[]),
                rule("01", Some(PlaceKind::Water), WATER, &[]),
                rule("0101", None, CITY, &[]),
                rule("0102", None, CITY, &["street"]),
                rule("0103", None, WATER, &["street"]),
                rule("0104", None, "street", &[CITY]),
                rule("0105", None, "street", &[HOUSING]),
                rule("0106", None, HOUSING, &[ENV]),
                rule("0107", None, "street", &[CITY]),
                rule("0108", None, CITY, &[]),
                rule("0109", None, WATER, &["street"]),
                rule("0110", None, WATER, &[]),
                rule("0111", None, HOUSING, &["community"]),
                rule("0112", None, "dept:应急管理局", &["street"]),
                rule("0113", None, "dept:市场监督管理局", &["community"]),
                rule("02", None, "dept:交通运输局", &[]),
                rule("0201", None, POLICE, &[]),
                rule("0202", None, POLICE, &[]),
                rule("0204", None, "street", &["dept:交通运输局"]),
                rule("03", None, ENV, &[]),
                rule("0301", None, ENV, &["street"]),
                rule("0302", None, "street", &[POLICE]),
                rule("0303", None, WATER, &[ENV]),
                rule("0303", Some(PlaceKind::Water), WATER, &[ENV, "street"]),
                rule("0304", None, HOUSING, &[ENV]),
                rule("04", None, "street", &["dept:人力资源局"]),
                rule("0402", None, "dept:人力资源局", &[]),
                rule("05", None, "dept:教育局", &[]),
                rule("0503", None, "dept:文化广电旅游体育局", &["street"]),
                rule("06", None, "dept:卫生健康局", &[]),
                rule("07", None, "dept:市场监督管理局", &[]),
                rule("08", None, "dept:民政局", &["community"]),
                rule("09", None, POLICE, &["street"]),
                rule("0902", None, "community", &["street"]),
            ],
        }
    }
}

/// The unit a reference names for a request at `place`.
fn resolve(r: &UnitRef, place: &Place, units: &[OrgUnit]) -> Option<String> {
    let area = |id: &Option<String>, kind: OrgKind| {
        id.as_ref()
            .filter(|id| units.iter().any(|u| &u.id == *id && u.kind == kind))
            .cloned()
    };
    match r {
        UnitRef::Department(name) => units
            .iter()
            .find(|u| u.kind == OrgKind::Department && u.name.contains(name.as_str()))
            .map(|u| u.id.clone()),
        UnitRef::Street => area(&place.street, OrgKind::Street),
        UnitRef::Community => area(&place.community, OrgKind::Community),
        UnitRef::Grid => area(&place.grid, OrgKind::Grid),
    }
}

/// The person to hand a ticket to: of a unit's people, the one with the fewest open
/// tickets (the lowest id among equals, so the choice is repeatable).
pub fn pick_person(people: &[(i64, u64)]) -> Option<i64> {
    people
        .iter()
        .min_by_key(|(id, open)| (*open, *id))
        .map(|(id, _)| *id)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::service;

    fn units() -> Vec<OrgUnit> {
        let u = |id: &str, name: &str, kind| OrgUnit {
            id: id.into(),
            name: name.into(),
            kind,
        };
        vec![
            u(
                "440304-D01",
                "福田区城市管理和综合执法局",
                OrgKind::Department,
            ),
            u("440304-D03", "福田区水务局", OrgKind::Department),
            u("440304-D05", "福田区生态环境局", OrgKind::Department),
            u("440304001", "莲花街道办事处", OrgKind::Street),
            u("440304001001", "莲花一村社区工作站", OrgKind::Community),
        ]
    }

    fn place(at: Option<PlaceKind>) -> Place {
        Place {
            street: Some("440304001".into()),
            community: Some("440304001001".into()),
            grid: Some("44030400100101".into()),
            at,
        }
    }

    #[test]
    fn the_most_specific_rule_decides() {
        let m = Matrix::futian();
        let vending = m
            .route(service("0104").unwrap(), &place(None), &units(), &[])
            .unwrap();
        assert_eq!(vending.lead, "440304001");
        assert_eq!(vending.assist, ["440304-D01"]);
        // The family's rule, unless the place says otherwise.
        let other = service("0100").unwrap();
        assert_eq!(
            m.route(other, &place(None), &units(), &[]).unwrap().lead,
            "440304001"
        );
        let on_river = m
            .route(other, &place(Some(PlaceKind::Water)), &units(), &[])
            .unwrap();
        assert_eq!(on_river.lead, "440304-D03");
        // A river's pollution at the river: the river unit leads, with the street.
        let river = m
            .route(
                service("0303").unwrap(),
                &place(Some(PlaceKind::Water)),
                &units(),
                &[],
            )
            .unwrap();
        assert_eq!(river.assist, ["440304-D05", "440304001"]);
    }

    #[test]
    fn a_returning_unit_is_passed_over_and_a_missing_unit_means_triage() {
        let m = Matrix::futian();
        let s = service("0101").unwrap();
        let first = m
            .route(s, &place(Some(PlaceKind::Road)), &units(), &[])
            .unwrap();
        assert_eq!(first.lead, "440304-D01");
        // Returned by the city unit: the family's rule at a road names it too; the
        // family's rule without a place names the street.
        let again = m
            .route(
                s,
                &place(Some(PlaceKind::Road)),
                &units(),
                std::slice::from_ref(&first.lead),
            )
            .unwrap();
        assert_eq!(again.lead, "440304001");
        assert!(m
            .route(
                s,
                &place(None),
                &units(),
                &["440304-D01".into(), "440304001".into()]
            )
            .is_none());
        // No education department in this organisation.
        assert!(m
            .route(service("0501").unwrap(), &place(None), &units(), &[])
            .is_none());
    }

    #[test]
    fn the_matrix_reads_back_and_refuses_unknown_codes() {
        let m = Matrix::futian();
        let text = serde_json::to_string(&m).unwrap();
        assert_eq!(Matrix::from_json(&text).unwrap(), m);
        assert!(matches!(
            Matrix::from_json(r#"[{"matches":"7777","lead":"street"}]"#),
            Err(MatrixError::UnknownCode { .. })
        ));
        assert!(matches!(
            Matrix::from_json(r#"[{"matches":"01","lead":"mayor"}]"#),
            Err(MatrixError::Format(_))
        ));
    }

    #[test]
    fn the_least_busy_person_gets_it() {
        assert_eq!(pick_person(&[(7, 3), (5, 1), (9, 1)]), Some(5));
        assert_eq!(pick_person(&[]), None);
    }
}
