//! "Block data" records: houses in residential buildings, the people living in them, and
//! the firms in commercial and office buildings.
//!
//! Records are streamed: each house is written with its residents as it is made, so
//! memory holds a batch, not millions of rows. Only two bytes per house are planned up
//! front (its tenure and how many live there), which is what makes the person count exact.

use chrono::{Datelike, NaiveDate};
use citymirror_core::{
    ids,
    records::{ENTITIES, HOUSES, PERSONS},
    Value,
};
use rand::Rng;

use crate::{
    buildings::Building,
    components::date_between,
    emit::Out,
    names::{person_name, trade_name, INDUSTRIES},
    people::{Identities, Residence},
    pick::{largest_remainder, pick_table, scatter, Weighted},
    world::World,
    SimError,
};

/// How many records of each kind were written.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct RecordCounts {
    pub persons: u64,
    pub houses: u64,
    pub entities: u64,
}

const TENURES: &[(&str, u32)] = &[("自住", 45), ("出租", 45), ("空置", 8), ("单位宿舍", 2)];
const HOUSEHOLD: &[(u8, u32)] = &[(1, 35), (2, 33), (3, 18), (4, 9), (5, 4), (6, 1)];

fn tenure_index(name: &str) -> u8 {
    TENURES.iter().position(|t| t.0 == name).unwrap_or(0) as u8
}

/// Plans every house's tenure and household size so the sizes add up to `persons`.
fn plan_households(houses: usize, persons: u64, rng: &mut impl Rng) -> (Vec<u8>, Vec<u8>) {
    let mut tenure = Vec::with_capacity(houses);
    let mut size = Vec::with_capacity(houses);
    for _ in 0..houses {
        let t = tenure_index(pick_table(rng, TENURES));
        let n = match TENURES[t as usize].0 {
            "空置" => 0,
            "单位宿舍" => rng.gen_range(4..=8),
            _ => pick_table(rng, HOUSEHOLD),
        };
        tenure.push(t);
        size.push(n);
    }
    if houses == 0 {
        return (tenure, size);
    }
    let vacant = tenure_index("空置");
    let mut sum: u64 = size.iter().map(|&n| n as u64).sum();
    let mut misses = 0u64;
    while sum != persons {
        let h = rng.gen_range(0..houses);
        if sum < persons {
            if size[h] < 9 && (tenure[h] != vacant || misses > 64) {
                if tenure[h] == vacant {
                    tenure[h] = tenure_index("出租");
                }
                size[h] += 1;
                sum += 1;
                misses = 0;
            } else {
                misses += 1;
            }
        } else if size[h] > 1 || (size[h] == 1 && misses > 64) {
            size[h] -= 1;
            sum -= 1;
            misses = 0;
        } else {
            misses += 1;
        }
        if misses > 10_000_000 {
            break; // more people than nine to a house; leave the rest out rather than spin
        }
    }
    (tenure, size)
}

fn house_area(rng: &mut impl Rng, use_: &str) -> f64 {
    let (lo, hi) = if use_ == "商住混合" {
        pick_table(rng, &[((28.0, 50.0), 50), ((50.0, 90.0), 50)])
    } else {
        pick_table(
            rng,
            &[
                ((35.0, 60.0), 25),
                ((60.0, 90.0), 35),
                ((90.0, 120.0), 25),
                ((120.0, 180.0), 12),
                ((180.0, 260.0), 3),
            ],
        )
    };
    (rng.gen_range(lo..hi) * 100.0_f64).round() / 100.0
}

/// A person: (row, id number). Children under 12 have no mobile of their own.
#[allow(clippy::too_many_arguments)]
fn person_row(
    rng: &mut impl Rng,
    people: &mut Identities,
    id: i64,
    house: Option<i64>,
    b: &Building,
    grid_code: &str,
    adult: bool,
) -> (Vec<Value>, String) {
    let male = rng.gen_bool(0.51);
    let residence = pick_table(
        rng,
        &[
            (Residence::Registered, 38),
            (Residence::Migrant, 60),
            (Residence::Overseas, 2),
        ],
    );
    let region = people.region(rng, residence);
    let birth = people.birth_date(rng, adult);
    let (id_number, birth) = people.id_number(region, birth, male);
    let age = crate::people::reference_date().year() - birth.year();
    let mobile = if age >= 12 {
        Value::Text(people.mobile(rng))
    } else {
        Value::Null
    };
    let row = vec![
        Value::Int(id),
        Value::Text(person_name(rng, male)),
        Value::Text(id_number.clone()),
        Value::from(if male { "男" } else { "女" }),
        Value::Date(birth),
        mobile,
        Value::from(residence.as_str()),
        house.map_or(Value::Null, Value::Int),
        Value::Int(b.id),
        Value::from(grid_code),
    ];
    (row, id_number)
}

/// An id number for someone who is not in the persons table (an absentee owner, say).
fn stranger_id(rng: &mut impl Rng, people: &mut Identities) -> String {
    let male = rng.gen_bool(0.5);
    let residence = if rng.gen_bool(0.5) {
        Residence::Registered
    } else {
        Residence::Migrant
    };
    let region = people.region(rng, residence);
    let birth = people.birth_date(rng, true);
    people.id_number(region, birth, male).0
}

/// Writes houses with their residents, then entities.
pub(crate) fn records(
    w: &World,
    out: &Out,
    counts: (u64, u64, u64),
    rng: &mut impl Rng,
) -> Result<RecordCounts, SimError> {
    let (n_persons, n_houses, n_entities) = counts;
    let mut people = Identities::new();
    let homes: Vec<&Building> = {
        let r: Vec<&Building> = w.buildings.iter().filter(|b| b.is_residential()).collect();
        if r.is_empty() {
            w.buildings.iter().collect()
        } else {
            r
        }
    };
    let per_building = largest_remainder(
        n_houses,
        &homes.iter().map(|b| b.floor_area()).collect::<Vec<_>>(),
    );
    let (tenure, size) = plan_households(n_houses as usize, n_persons, rng);

    let mut houses = out.records(&HOUSES, "houses", n_houses);
    let mut persons = out.records(&PERSONS, "persons", n_persons);
    let (mut house_id, mut person_id) = (0i64, 0i64);
    for (b, &count) in homes.iter().zip(&per_building) {
        if count == 0 {
            continue;
        }
        let grid_code = w.part.grids[b.grid as usize].code.as_str();
        // Homes start on the first floor of low buildings and above a lobby in taller ones.
        let first = if b.floors <= 3 { 1 } else { 2 };
        let usable = (b.floors - first + 1).max(1) as u64;
        let per_floor = count.div_ceil(usable);
        for h in 0..count {
            let floor = first + (h / per_floor) as i64;
            let pos = h % per_floor;
            let unit = pos / 8 + 1;
            let room = format!("{floor}{:02}", pos % 8 + 1);
            let mut address = b.address.clone();
            if let Some(name) = &b.name {
                address.push_str(name);
            }
            if per_floor > 8 {
                address.push_str(&format!("{unit}单元"));
            }
            address.push_str(&room);
            address.push('室');
            let t = tenure[house_id as usize];
            let n = size[house_id as usize];
            house_id += 1;
            let mut residents = Vec::with_capacity(n as usize);
            for i in 0..n {
                person_id += 1;
                // The first resident is an adult: someone signs the lease.
                residents.push(person_row(
                    rng,
                    &mut people,
                    person_id,
                    Some(house_id),
                    b,
                    grid_code,
                    i == 0,
                ));
            }
            let tenure_name = TENURES[t as usize].0;
            let owner = match residents.first() {
                Some((_, id)) if tenure_name == "自住" => id.clone(),
                _ => stranger_id(rng, &mut people),
            };
            houses.push(vec![
                Value::Int(house_id),
                Value::Int(b.id),
                Value::Text(address),
                Value::Int(floor),
                Value::Text(room),
                Value::Float(house_area(rng, b.use_)),
                Value::from(if b.use_ == "商住混合" {
                    "商住"
                } else {
                    "住宅"
                }),
                Value::from(tenure_name),
                Value::Text(owner),
                Value::from(grid_code),
            ])?;
            for (row, _) in residents {
                persons.push(row)?;
            }
        }
    }
    let mut written = RecordCounts {
        houses: houses.finish()?,
        persons: persons.finish()?,
        entities: 0,
    };
    written.entities = entities(w, out, n_entities, &mut people, rng)?;
    Ok(written)
}

/// Firms: 深圳市XX科技有限公司 and the like, each with a unique name and credit code.
fn entities(
    w: &World,
    out: &Out,
    total: u64,
    people: &mut Identities,
    rng: &mut impl Rng,
) -> Result<u64, SimError> {
    let hosts: Vec<&Building> = {
        let f: Vec<&Building> = w.buildings.iter().filter(|b| b.hosts_firms()).collect();
        if f.is_empty() {
            w.buildings.iter().collect()
        } else {
            f
        }
    };
    let by_area = Weighted::new(hosts.iter().map(|b| b.floor_area()));
    let industries = Weighted::new(INDUSTRIES.iter().map(|i| i.1 as f64));
    let mut sink = out.records(&ENTITIES, "entities", total);
    for i in 0..total {
        let b = hosts[by_area.pick(rng)];
        let (industry, _, words) = INDUSTRIES[industries.pick(rng)];
        // A trade name of its own for every firm, so names never repeat.
        let name = format!(
            "深圳市{}{}{}",
            trade_name(i),
            words[rng.gen_range(0..words.len())],
            if rng.gen_bool(0.03) {
                "股份有限公司"
            } else {
                "有限公司"
            }
        );
        let legal_male = rng.gen_bool(0.7);
        let residence = if rng.gen_bool(0.5) {
            Residence::Registered
        } else {
            Residence::Migrant
        };
        let region = people.region(rng, residence);
        let birth = people.birth_date(rng, true);
        let (legal_id, _) = people.id_number(region, birth, legal_male);
        // Registered capital, log-uniform from 1 to 100,000 (万元), skewed small.
        let capital = 10f64.powf(5.0 * rng.gen::<f64>().powf(1.6));
        let capital = if capital < 100.0 {
            capital.round().max(1.0)
        } else {
            (capital / 10.0).round() * 10.0
        };
        let established: NaiveDate = {
            let back = (35.0 * rng.gen::<f64>().powi(2)) as i32;
            date_between(rng, 2025 - back, 2025 - back)
        };
        // Employees: log-normal, most firms small.
        let z: f64 = (0..12).map(|_| rng.gen::<f64>()).sum::<f64>() - 6.0;
        let employees = (2.0 + 1.3 * z).exp().round().clamp(1.0, 20_000.0) as i64;
        sink.push(vec![
            Value::Int(i as i64 + 1),
            Value::Text(name),
            Value::Text(ids::uscc("440304", scatter(i, 100_000_000) as u32)),
            Value::Text(person_name(rng, legal_male)),
            Value::Text(legal_id),
            Value::Text(people.mobile(rng)),
            Value::from(industry),
            Value::Float(capital),
            Value::Date(established),
            Value::Int(employees),
            Value::Int(b.id),
            Value::from(w.part.grids[b.grid as usize].code.as_str()),
        ])?;
    }
    sink.finish()
}
