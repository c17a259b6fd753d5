//! Statistics of the request loop, held in memory.
//!
//! Every ticket's few facts (when, where, what, which unit, how its timers went, the
//! verdict) sit in one vector, about 80 bytes each: the 530,000 tickets of two years
//! take some 40 MB and any figure over any period and area is a scan of a few
//! milliseconds, so the dashboard needs neither pre-aggregated tables nor SQL that
//! differs between the backends. Handling times are counted in working days (the
//! calendar's), once, when a ticket's facts are loaded or change.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::{
    calendar::{cst, WorkCalendar},
    repo::TicketFacts,
    sla::Stage,
    ticket::{Status, Ticket, Verdict},
};

/// One ticket, as statistics see it.
#[derive(Debug, Clone, PartialEq)]
struct Fact {
    id: i64,
    created: DateTime<Utc>,
    channel: u16,
    service: u16,
    /// Index into `Stats::grids`.
    grid: Option<u32>,
    lead: Option<u32>,
    status: Status,
    on_time: [Option<bool>; 3],
    verdict: Option<Verdict>,
    returned: u32,
    /// Working days from intake to resolution (or closing).
    handling_days: Option<f32>,
    /// The month of intake (China Standard Time) as `year × 12 + month − 1`, worked out
    /// once here: formatting it per ticket per query cost more than the rest of a scan.
    month: i32,
    /// The month it was resolved (or closed) in, the same way.
    done_month: Option<i32>,
}

/// Strings stored once, referred to by index.
#[derive(Debug, Default)]
struct Interner {
    names: Vec<String>,
    index: HashMap<String, u32>,
}

impl Interner {
    fn id(&mut self, s: &str) -> u32 {
        if let Some(&i) = self.index.get(s) {
            return i;
        }
        let i = self.names.len() as u32;
        self.names.push(s.to_owned());
        self.index.insert(s.to_owned(), i);
        i
    }

    fn name(&self, i: u32) -> &str {
        &self.names[i as usize]
    }
}

#[derive(Debug, Default)]
pub struct Stats {
    facts: Vec<Fact>,
    by_id: HashMap<i64, usize>,
    channels: Interner,
    services: Interner,
    grids: Interner,
    units: Interner,
}

/// The facts of a stored ticket.
pub fn fact_of(t: &Ticket) -> TicketFacts {
    TicketFacts {
        id: t.id,
        created_at: t.created_at,
        resolved_at: t.resolved_at,
        closed_at: t.closed_at,
        channel: t.channel.clone(),
        service_code: t.service_code.clone(),
        grid_code: t.grid_code.clone(),
        status: t.status,
        lead_unit: t.lead_unit.clone(),
        timers: t.timers.clone(),
        verdict: t.verdict,
        returned: t.returned,
    }
}

/// Which tickets a figure counts: taken in within `[from, to)`, in an area (a grid
/// code prefix), of a family.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct StatsQuery {
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
    pub area: Option<String>,
    pub family: Option<String>,
}

/// A count by some key.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Count {
    pub key: String,
    pub tickets: u64,
}

/// The share of timers of a stage met on time, of those met or breached.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OnTime {
    pub stage: &'static str,
    pub met: u64,
    pub on_time: u64,
    pub rate: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Handling {
    /// Tickets resolved or closed.
    pub tickets: u64,
    pub mean_days: Option<f64>,
    pub p50_days: Option<f64>,
    pub p90_days: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Month {
    /// `YYYY-MM` (China Standard Time).
    pub month: String,
    /// Tickets taken in during the month.
    pub tickets: u64,
    /// Working days from intake to resolution of the tickets resolved in the month.
    pub mean_handling_days: Option<f64>,
    pub p50_handling_days: Option<f64>,
    pub p90_handling_days: Option<f64>,
    pub satisfaction: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FamilyErrors {
    pub family: String,
    pub dispatched: u64,
    pub returned: u64,
    pub rate: Option<f64>,
}

/// Everything the dashboard shows for one query.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Summary {
    pub tickets: u64,
    pub open: u64,
    pub by_status: Vec<Count>,
    pub by_channel: Vec<Count>,
    pub by_family: Vec<Count>,
    pub by_service: Vec<Count>,
    pub by_street: Vec<Count>,
    pub by_community: Vec<Count>,
    pub by_grid: Vec<Count>,
    pub by_unit: Vec<Count>,
    pub on_time: Vec<OnTime>,
    pub handling: Handling,
    pub evaluated: u64,
    pub satisfaction: Option<f64>,
    pub matrix_errors: Vec<FamilyErrors>,
    pub monthly: Vec<Month>,
}

/// Tickets of one service in a query, and how its dispatches went.
#[derive(Debug, Default)]
struct Tally {
    tickets: u64,
    dispatched: u64,
    returned: u64,
}

/// One month's figures while a query scans.
#[derive(Debug, Default)]
struct MonthTally {
    tickets: u64,
    handling: Vec<f32>,
    evaluated: u64,
    satisfied: u64,
}

/// Months by index from the first one seen: a scan touches one three times per ticket,
/// and an array slot costs less than a tree's search.
#[derive(Debug, Default)]
struct Months {
    first: i32,
    slots: Vec<MonthTally>,
}

impl Months {
    fn at(&mut self, month: i32) -> &mut MonthTally {
        if self.slots.is_empty() {
            self.first = month;
        }
        if month < self.first {
            let earlier = (self.first - month) as usize;
            self.slots.splice(
                0..0,
                std::iter::repeat_with(MonthTally::default).take(earlier),
            );
            self.first = month;
        }
        let i = (month - self.first) as usize;
        if i >= self.slots.len() {
            self.slots.resize_with(i + 1, MonthTally::default);
        }
        &mut self.slots[i]
    }

    /// The months that have anything to show, in order.
    fn shown(self) -> impl Iterator<Item = (i32, MonthTally)> {
        let first = self.first;
        self.slots
            .into_iter()
            .enumerate()
            .map(move |(i, m)| (first + i as i32, m))
            .filter(|(_, m)| m.tickets > 0 || !m.handling.is_empty() || m.evaluated > 0)
    }
}

/// `year × 12 + month − 1` of an instant, in China Standard Time.
fn month_index(t: DateTime<Utc>) -> i32 {
    use chrono::Datelike as _;
    let local = t.with_timezone(&cst());
    local.year() * 12 + local.month0() as i32
}

fn ratio(a: u64, b: u64) -> Option<f64> {
    (b > 0).then(|| a as f64 / b as f64)
}

fn sorted(counts: HashMap<String, u64>, top: usize) -> Vec<Count> {
    let mut v: Vec<Count> = counts
        .into_iter()
        .map(|(key, tickets)| Count { key, tickets })
        .collect();
    v.sort_by(|a, b| b.tickets.cmp(&a.tickets).then(a.key.cmp(&b.key)));
    v.truncate(top);
    v
}

/// The value below which a share `p` of `values` lie (nearest rank). Selects rather than
/// sorts: half a million handling times are a linear pass, not a sort (it reorders them).
fn percentile(values: &mut [f32], p: f64) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    let i = ((values.len() - 1) as f64 * p).round() as usize;
    let (_, v, _) = values.select_nth_unstable_by(i, f32::total_cmp);
    Some(f64::from(*v))
}

fn satisfied(v: Verdict) -> bool {
    matches!(v, Verdict::Satisfied | Verdict::BasicallySatisfied)
}

/// A hot spot: many requests of one family in one grid within a window.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Hotspot {
    pub grid: String,
    pub family: String,
    pub tickets: u64,
    pub open: u64,
}

impl Stats {
    /// The grids and families with at least `min` requests taken in within the query's
    /// window and area, most first (at most `top`).
    pub fn hotspots(&self, q: &StatsQuery, min: u64, top: usize) -> Vec<Hotspot> {
        let mut counts: HashMap<(u32, String), (u64, u64)> = HashMap::new();
        for f in &self.facts {
            let Some(g) = f.grid else { continue };
            if q.from.is_some_and(|t| f.created < t) || q.to.is_some_and(|t| f.created >= t) {
                continue;
            }
            if q.area
                .as_ref()
                .is_some_and(|a| !self.grids.name(g).starts_with(a.as_str()))
            {
                continue;
            }
            let family = &self.services.name(u32::from(f.service))[..2];
            if q.family.as_ref().is_some_and(|fam| fam != family) || family == "00" {
                continue;
            }
            let c = counts.entry((g, family.to_owned())).or_default();
            c.0 += 1;
            c.1 += u64::from(f.status.is_open());
        }
        let mut out: Vec<Hotspot> = counts
            .into_iter()
            .filter(|(_, (n, _))| *n >= min)
            .map(|((g, family), (tickets, open))| Hotspot {
                grid: self.grids.name(g).to_owned(),
                family,
                tickets,
                open,
            })
            .collect();
        out.sort_by(|a, b| b.tickets.cmp(&a.tickets).then(a.grid.cmp(&b.grid)));
        out.truncate(top);
        out
    }

    pub fn new(facts: Vec<TicketFacts>, calendar: &WorkCalendar) -> Stats {
        let mut s = Stats::default();
        s.facts.reserve(facts.len());
        for f in facts {
            s.upsert(f, calendar);
        }
        s
    }

    pub fn len(&self) -> usize {
        self.facts.len()
    }

    pub fn is_empty(&self) -> bool {
        self.facts.is_empty()
    }

    /// Adds a ticket's facts, or replaces them.
    pub fn upsert(&mut self, t: TicketFacts, calendar: &WorkCalendar) {
        let end = t.resolved_at.or(t.closed_at);
        let fact = Fact {
            id: t.id,
            created: t.created_at,
            channel: self.channels.id(&t.channel) as u16,
            service: self.services.id(&t.service_code) as u16,
            grid: t.grid_code.as_deref().map(|g| self.grids.id(g)),
            lead: t.lead_unit.as_deref().map(|u| self.units.id(u)),
            status: t.status,
            on_time: Stage::ALL.map(|s| {
                t.timers
                    .timer(s)
                    .and_then(|tm| match (tm.met_at, tm.breached) {
                        (Some(m), _) => Some(m <= tm.due),
                        (None, true) => Some(false),
                        (None, false) => None,
                    })
            }),
            verdict: t.verdict,
            returned: t.returned,
            handling_days: end.map(|e| calendar.working_days_between(t.created_at, e) as f32),
            month: month_index(t.created_at),
            done_month: end.map(month_index),
        };
        match self.by_id.get(&t.id) {
            Some(&i) => self.facts[i] = fact,
            None => {
                self.by_id.insert(t.id, self.facts.len());
                self.facts.push(fact);
            }
        }
    }

    pub fn summary(&self, q: &StatsQuery) -> Summary {
        let area_grids: Option<Vec<bool>> = q.area.as_ref().map(|prefix| {
            self.grids
                .names
                .iter()
                .map(|g| g.starts_with(prefix.as_str()))
                .collect()
        });
        let family_services: Option<Vec<bool>> = q.family.as_ref().map(|fam| {
            self.services
                .names
                .iter()
                .map(|s| s.starts_with(fam.as_str()))
                .collect()
        });
        let selected = self.facts.iter().filter(|f| {
            q.from.is_none_or(|t| f.created >= t)
                && q.to.is_none_or(|t| f.created < t)
                && area_grids
                    .as_ref()
                    .is_none_or(|a| f.grid.is_some_and(|g| a[g as usize]))
                && family_services
                    .as_ref()
                    .is_none_or(|fs| fs[f.service as usize])
        });
        let mut tickets = 0u64;
        let mut open = 0u64;
        let mut by: [HashMap<String, u64>; 8] = Default::default();
        let (mut met, mut in_time) = ([0u64; 3], [0u64; 3]);
        let mut handling: Vec<f32> = Vec::new();
        let (mut evaluated, mut happy) = (0u64, 0u64);
        // Counted by interned index in the scan, named once after it.
        let mut status_totals: HashMap<&'static str, u64> = HashMap::new();
        let mut service_totals: HashMap<u16, Tally> = HashMap::new();
        let mut channel_totals: HashMap<u16, u64> = HashMap::new();
        let mut grid_totals: HashMap<u32, u64> = HashMap::new();
        let mut unit_totals: HashMap<u32, u64> = HashMap::new();
        let mut months = Months::default();
        for f in selected {
            tickets += 1;
            open += u64::from(f.status.is_open());
            *status_totals.entry(f.status.as_str()).or_default() += 1;
            *channel_totals.entry(f.channel).or_default() += 1;
            let service = service_totals.entry(f.service).or_default();
            service.tickets += 1;
            if f.lead.is_some() || f.returned > 0 {
                service.dispatched += 1;
                service.returned += u64::from(f.returned > 0);
            }
            if let Some(g) = f.grid {
                *grid_totals.entry(g).or_default() += 1;
            }
            if let Some(u) = f.lead {
                *unit_totals.entry(u).or_default() += 1;
            }
            for (i, ot) in f.on_time.iter().enumerate() {
                if let Some(ok) = ot {
                    met[i] += 1;
                    in_time[i] += u64::from(*ok);
                }
            }
            months.at(f.month).tickets += 1;
            // A month's handling time is that of the tickets finished in it (办结): by the
            // month of intake, the latest months would count only the quick ones (the slow
            // are still open) and show an improvement that is not there.
            if let (Some(d), Some(done)) = (f.handling_days, f.done_month) {
                handling.push(d);
                months.at(done).handling.push(d);
            }
            if let Some(v) = f.verdict {
                let m = months.at(f.month);
                evaluated += 1;
                happy += u64::from(satisfied(v));
                m.evaluated += 1;
                m.satisfied += u64::from(satisfied(v));
            }
        }
        for (status, n) in status_totals {
            by[0].insert(status.to_owned(), n);
        }
        let mut errors: BTreeMap<String, (u64, u64)> = BTreeMap::new();
        for (s, n) in service_totals {
            let code = self.services.name(u32::from(s));
            *by[2].entry(code[..2].to_owned()).or_default() += n.tickets;
            *by[3].entry(code.to_owned()).or_default() += n.tickets;
            if n.dispatched > 0 {
                let e = errors.entry(code[..2].to_owned()).or_default();
                e.0 += n.dispatched;
                e.1 += n.returned;
            }
        }
        for (c, n) in channel_totals {
            by[1].insert(self.channels.name(u32::from(c)).to_owned(), n);
        }
        for (g, n) in grid_totals {
            let code = self.grids.name(g);
            for (slot, len) in [(4, 9), (5, 12), (6, 14)] {
                if code.len() >= len {
                    *by[slot].entry(code[..len].to_owned()).or_default() += n;
                }
            }
        }
        for (u, n) in unit_totals {
            by[7].insert(self.units.name(u).to_owned(), n);
        }
        let mean = (!handling.is_empty())
            .then(|| handling.iter().map(|d| f64::from(*d)).sum::<f64>() / handling.len() as f64);
        let [status, channel, family, service, street, community, grid, unit] = by;
        Summary {
            tickets,
            open,
            by_status: sorted(status, 16),
            by_channel: sorted(channel, 64),
            by_family: sorted(family, 16),
            by_service: sorted(service, 64),
            by_street: sorted(street, 16),
            by_community: sorted(community, 128),
            by_grid: sorted(grid, 50),
            by_unit: sorted(unit, 50),
            on_time: Stage::ALL
                .iter()
                .enumerate()
                .map(|(i, s)| OnTime {
                    stage: s.as_str(),
                    met: met[i],
                    on_time: in_time[i],
                    rate: ratio(in_time[i], met[i]),
                })
                .collect(),
            handling: Handling {
                tickets: handling.len() as u64,
                mean_days: mean,
                p50_days: percentile(&mut handling, 0.5),
                p90_days: percentile(&mut handling, 0.9),
            },
            evaluated,
            satisfaction: ratio(happy, evaluated),
            matrix_errors: errors
                .into_iter()
                .map(|(family, (dispatched, returned))| FamilyErrors {
                    family,
                    dispatched,
                    returned,
                    rate: ratio(returned, dispatched),
                })
                .collect(),
            monthly: months
                .shown()
                .map(|(month, mut m)| {
                    let n = m.handling.len();
                    let sum: f64 = m.handling.iter().map(|d| f64::from(*d)).sum();
                    Month {
                        month: format!("{}-{:02}", month.div_euclid(12), month.rem_euclid(12) + 1),
                        tickets: m.tickets,
                        mean_handling_days: (n > 0).then(|| sum / n as f64),
                        p50_handling_days: percentile(&mut m.handling, 0.5),
                        p90_handling_days: percentile(&mut m.handling, 0.9),
                        satisfaction: ratio(m.satisfied, m.evaluated),
                    }
                })
                .collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use chrono::Duration;

    use super::*;
    use crate::{catalog::Urgency, sla::SlaPolicy};

    fn facts(
        id: i64,
        grid: &str,
        service: &str,
        days: i64,
        verdict: Option<Verdict>,
    ) -> TicketFacts {
        let created = DateTime::parse_from_rfc3339("2025-11-03T02:00:00Z")
            .unwrap()
            .with_timezone(&Utc)
            + Duration::days(id % 3);
        let mut timers = SlaPolicy::default().start(
            created,
            created,
            Urgency::Normal,
            true,
            &WorkCalendar::new(),
        );
        timers.meet(
            Stage::Contact,
            created + Duration::minutes(if id % 2 == 0 { 5 } else { 15 }),
        );
        TicketFacts {
            id,
            created_at: created,
            resolved_at: (days > 0).then(|| created + Duration::days(days)),
            closed_at: None,
            channel: "h5".into(),
            service_code: service.into(),
            grid_code: Some(grid.into()),
            status: if days > 0 {
                Status::Resolved
            } else {
                Status::Dispatched
            },
            lead_unit: Some("440304-D01".into()),
            timers,
            verdict,
            returned: u32::from(id == 4),
        }
    }

    #[test]
    fn figures_follow_the_facts_and_the_query() {
        let cal = WorkCalendar::new();
        let mut s = Stats::new(
            vec![
                facts(1, "44030400100101", "0101", 7, Some(Verdict::Satisfied)),
                facts(2, "44030400100102", "0104", 14, Some(Verdict::Unsatisfied)),
                facts(3, "44030400200101", "0301", 0, None),
                facts(
                    4,
                    "44030400200101",
                    "0101",
                    7,
                    Some(Verdict::BasicallySatisfied),
                ),
            ],
            &cal,
        );
        let all = s.summary(&StatsQuery::default());
        assert_eq!((all.tickets, all.open), (4, 4));
        assert_eq!(
            all.by_family[0],
            Count {
                key: "01".into(),
                tickets: 3
            }
        );
        assert_eq!(
            all.by_street[0],
            Count {
                key: "440304001".into(),
                tickets: 2
            }
        );
        // Contact met on time by the even ids only.
        assert_eq!(all.on_time[0].met, 4);
        assert_eq!(all.on_time[0].rate, Some(0.5));
        assert_eq!(all.evaluated, 3);
        assert_eq!(all.satisfaction, Some(2.0 / 3.0));
        // Seven calendar days from a Monday are five working days, fourteen ten.
        assert_eq!(all.handling.tickets, 3);
        assert_eq!(all.handling.p50_days, Some(5.0));
        let errs = all.matrix_errors.iter().find(|e| e.family == "01").unwrap();
        assert_eq!((errs.dispatched, errs.returned), (3, 1));
        let street2 = s.summary(&StatsQuery {
            area: Some("440304002".into()),
            ..StatsQuery::default()
        });
        assert_eq!(street2.tickets, 2);
        let env = s.summary(&StatsQuery {
            family: Some("03".into()),
            ..StatsQuery::default()
        });
        assert_eq!(env.tickets, 1);
        // A change replaces the ticket's facts.
        s.upsert(facts(3, "44030400200101", "0301", 1, None), &cal);
        let again = s.summary(&StatsQuery::default());
        assert_eq!((again.tickets, again.handling.tickets), (4, 4));
        assert_eq!(again.monthly.len(), 1);
        // One month (in China Standard Time): its figures are the whole query's.
        let month = &again.monthly[0];
        assert_eq!(month.month, "2025-11");
        assert_eq!(month.tickets, 4);
        assert_eq!(month.p50_handling_days, again.handling.p50_days);
        assert_eq!(month.p90_handling_days, again.handling.p90_days);
        assert_eq!(month.mean_handling_days, again.handling.mean_days);
    }

    #[test]
    fn a_months_handling_time_is_that_of_the_tickets_finished_in_it() {
        let cal = WorkCalendar::new();
        // Both taken in in November; one resolved a week later, one in December.
        let s = Stats::new(
            vec![
                facts(1, "44030400100101", "0101", 7, None),
                facts(2, "44030400100101", "0101", 40, None),
            ],
            &cal,
        );
        let sum = s.summary(&StatsQuery::default());
        let months: Vec<(&str, u64, usize)> = sum
            .monthly
            .iter()
            .map(|m| {
                (
                    m.month.as_str(),
                    m.tickets,
                    m.mean_handling_days.is_some() as usize,
                )
            })
            .collect();
        assert_eq!(months, [("2025-11", 2, 1), ("2025-12", 0, 1)]);
        assert_eq!(sum.monthly[0].mean_handling_days, Some(5.0));
        assert!(sum.monthly[1].mean_handling_days.unwrap() > 20.0);
    }

    #[test]
    fn months_come_out_in_order_whatever_order_the_tickets_came_in() {
        let cal = WorkCalendar::new();
        let mut january = facts(7, "44030400100101", "0101", 0, None);
        january.created_at += Duration::days(60);
        let november = facts(8, "44030400100101", "0101", 3, None);
        let s = Stats::new(vec![january, november], &cal);
        let months: Vec<(String, u64)> = s
            .summary(&StatsQuery::default())
            .monthly
            .into_iter()
            .map(|m| (m.month, m.tickets))
            .collect();
        // December had nothing taken in, finished or evaluated: it is not shown.
        assert_eq!(months, [("2025-11".into(), 1), ("2026-01".into(), 1)]);
    }

    #[test]
    fn percentiles_are_the_nearest_rank() {
        let mut days = vec![9.0, 1.0, 5.0, 3.0, 7.0, 2.0, 8.0, 4.0, 6.0, 10.0, 0.0];
        assert_eq!(percentile(&mut days, 0.5), Some(5.0));
        assert_eq!(percentile(&mut days, 0.9), Some(9.0));
        assert_eq!(percentile(&mut [], 0.5), None);
    }

    #[test]
    fn months_are_counted_in_china_standard_time() {
        let at = |s: &str| DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc);
        // 16:00 UTC on 31 January is already 1 February in Shenzhen.
        assert_eq!(month_index(at("2026-01-31T15:59:59Z")), 2026 * 12);
        assert_eq!(month_index(at("2026-01-31T16:00:00Z")), 2026 * 12 + 1);
    }
}
