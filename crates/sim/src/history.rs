//! Two years of citizens' requests before today: the history the dashboard, the hot
//! spots and the similar-request search stand on.
//!
//! 530,000 tickets at full scale (Futian's volume: some 700 a day), taken in over the
//! two years up to the generation time and handled the way the district handled them.
//! Halfway, on the reform date, the loop changes: dispatch goes from hours to seconds,
//! the "10-30-24" timers are kept far more often, and the mean handling time falls over
//! two months from about 15 working days to about 8, as it did in Futian. The tickets
//! are placed at buildings of the generated twin (more where more people live: each
//! building is equally likely), filed under services and channels in the proportions
//! of a district's request mix, routed by the responsibility matrix to the units that
//! exist, and carry a short history each (taken in, dispatched, resolved, closed with
//! the citizen's verdict). They are imported as history (`imported`): not audited here,
//! never re-announced, and the sweep does not escalate what was overdue before today.

use chrono::{DateTime, Duration, NaiveTime, TimeZone, Utc};
use citymirror_cases::{
    calendar::{cst, WorkCalendar},
    catalog::{Service, Urgency, SERVICES},
    channel::{channel, Channel},
    dispatch::{Matrix, OrgUnit, Place, PlaceKind},
    repo::TicketRepo,
    sla::{SlaPolicy, Stage},
    ticket::{Actor, CategorySource, PlaceRef, Status, Step, StepKind, Ticket, Verdict},
};
use citymirror_core::LayerId;
use citymirror_twin::TwinRepo;
use geo::Centroid;
use rand::Rng;
use rand_chacha::ChaCha8Rng;
use serde_json::json;

use crate::{
    pick::{stream, Weighted},
    Progress, SimError,
};

/// Tickets at full scale.
pub const FULL_SCALE_TICKETS: f64 = 530_000.0;
/// How far back the history reaches.
pub const YEARS: i64 = 2;
/// The meta key holding the reform date (RFC 3339), for the dashboard to mark.
pub const REFORM_META: &str = "cases.history.reform";
/// Mean handling time in working days, over all tickets, before and after the reform.
pub const BEFORE_DAYS: f64 = 15.0;
pub const AFTER_DAYS: f64 = 8.0;
/// Mean hours to close an urgent ticket, before and after.
const URGENT_HOURS: (f64, f64) = (30.0, 9.0);
/// The share of normal requests a caller or operator marks urgent.
const MARKED_URGENT: f64 = 0.04;
/// The reform takes two months to settle in.
const RAMP_DAYS: f64 = 60.0;
const BATCH: usize = 5_000;
const STREAM: u64 = 9;

/// What to generate.
#[derive(Debug, Clone)]
pub struct HistoryConfig {
    pub scale: f64,
    pub seed: u64,
    /// The end of the history (now, at generation).
    pub until: DateTime<Utc>,
}

impl HistoryConfig {
    pub fn tickets(&self) -> u64 {
        (FULL_SCALE_TICKETS * self.scale).round() as u64
    }

    pub fn since(&self) -> DateTime<Utc> {
        self.until - Duration::days(365 * YEARS)
    }

    /// The reform date: halfway through the history.
    pub fn reform(&self) -> DateTime<Utc> {
        self.since() + (self.until - self.since()) / 2
    }
}

/// What was generated.
#[derive(Debug, Clone, PartialEq)]
pub struct HistorySummary {
    pub tickets: u64,
    pub steps: u64,
    pub open: u64,
}

/// A place requests come from: a building of the twin.
#[derive(Debug, Clone)]
struct Site {
    id: i64,
    lon: f64,
    lat: f64,
    grid: String,
    address: Option<String>,
}

/// The share of requests per service family (Futian's mix: city management first).
const FAMILY_SHARE: [(&str, f64); 9] = [
    ("01", 0.36),
    ("02", 0.11),
    ("03", 0.15),
    ("04", 0.08),
    ("05", 0.05),
    ("06", 0.04),
    ("07", 0.10),
    ("08", 0.05),
    ("09", 0.06),
];

/// The share of requests per channel; the hotline brings nearly half.
const CHANNEL_SHARE: [(&str, f64); 12] = [
    ("hotline-12345", 0.44),
    ("app-ifutian", 0.14),
    ("wechat-mini", 0.12),
    ("grid-inspection", 0.09),
    ("app-ishenzhen", 0.05),
    ("web-portal", 0.03),
    ("urban-inspection", 0.04),
    ("secretary-mailbox", 0.02),
    ("letter", 0.01),
    ("visit", 0.02),
    ("opinion-weibo", 0.02),
    ("hotline-12319", 0.02),
];

/// How requests spread over the hours of a day (China Standard Time).
const HOUR_SHARE: [f64; 24] = [
    0.3, 0.2, 0.15, 0.1, 0.1, 0.2, 0.5, 1.5, 3.5, 5.5, 6.0, 5.5, 3.5, 3.0, 5.0, 5.5, 5.5, 5.0, 3.5,
    3.0, 3.0, 2.5, 1.5, 0.7,
];

/// Writes the history into `tickets`, routing with `matrix` over `units`.
pub async fn generate_history(
    cfg: &HistoryConfig,
    twin: &dyn TwinRepo,
    tickets: &dyn TicketRepo,
    units: &[OrgUnit],
    matrix: &Matrix,
    calendar: &WorkCalendar,
    progress: &(dyn Fn(Progress) + Sync),
) -> Result<HistorySummary, SimError> {
    let total = cfg.tickets();
    let sites = sites(twin).await?;
    if sites.is_empty() || total == 0 {
        return Ok(HistorySummary {
            tickets: 0,
            steps: 0,
            open: 0,
        });
    }
    let mut rng = stream(cfg.seed, STREAM);
    let shape = Shape::new();
    // The creation moments, in order, so ids follow time as they would have.
    let mut moments: Vec<DateTime<Utc>> = (0..total).map(|_| shape.moment(cfg, &mut rng)).collect();
    moments.sort();
    let first_id = tickets
        .count_tickets()
        .await
        .map_err(|e| SimError::Internal(e.to_string()))?;
    let mut summary = HistorySummary {
        tickets: 0,
        steps: 0,
        open: 0,
    };
    progress(Progress {
        stage: "tickets",
        done: 0,
        total,
    });
    let site_pick = Weighted::new(std::iter::repeat_n(1.0, sites.len()));
    for (b, chunk) in moments.chunks(BATCH).enumerate() {
        let mut batch = Vec::with_capacity(chunk.len());
        let mut steps = Vec::with_capacity(chunk.len() * 4);
        for (i, &created) in chunk.iter().enumerate() {
            let id = first_id as i64 + (b * BATCH + i) as i64 + 1;
            let site = &sites[site_pick.pick(&mut rng)];
            let (t, s) = shape.ticket(cfg, id, created, site, units, matrix, calendar, &mut rng);
            summary.open += u64::from(t.status.is_open());
            batch.push(t);
            steps.extend(s);
        }
        summary.steps += steps.len() as u64;
        tickets
            .import_tickets(&batch, &steps)
            .await
            .map_err(|e| SimError::Internal(format!("cannot import the history: {e}")))?;
        summary.tickets += batch.len() as u64;
        progress(Progress {
            stage: "tickets",
            done: summary.tickets,
            total,
        });
    }
    twin.set_meta(
        REFORM_META,
        &cfg.reform()
            .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
    )
    .await?;
    Ok(summary)
}

/// Every building, with the grid it is in.
async fn sites(twin: &dyn TwinRepo) -> Result<Vec<Site>, SimError> {
    let schema = LayerId::Buildings.schema();
    let text = |f: &citymirror_twin::Feature, name: &str| {
        schema
            .property(name)
            .and_then(|(i, _)| f.props[i].as_str().map(str::to_owned))
    };
    Ok(twin
        .load_layer(LayerId::Buildings)
        .await?
        .iter()
        .filter_map(|f| {
            let c = f.geometry.centroid()?;
            Some(Site {
                id: f.id,
                lon: c.x(),
                lat: c.y(),
                grid: text(f, "grid_code")?,
                address: text(f, "address"),
            })
        })
        .collect())
}

/// The fixed shape of the history: the tables the picks are made from.
struct Shape {
    services: Vec<&'static Service>,
    service_pick: Weighted,
    channels: Vec<&'static Channel>,
    channel_pick: Weighted,
    hour_pick: Weighted,
    policy: SlaPolicy,
    /// The share of urgent tickets, which close within hours and pull the mean down.
    urgent_share: f64,
}

impl Shape {
    fn new() -> Shape {
        let services: Vec<&'static Service> = SERVICES
            .iter()
            .filter(|s| s.code != "0000" && !s.code.ends_with("00"))
            .collect();
        // A family's share is split evenly over its services.
        let weights = services.iter().map(|s| {
            let fam = &s.code[..2];
            let share = FAMILY_SHARE
                .iter()
                .find(|(f, _)| *f == fam)
                .map_or(0.0, |(_, w)| *w);
            let n = services.iter().filter(|o| o.code.starts_with(fam)).count();
            share / n as f64
        });
        let weights: Vec<f64> = weights.collect();
        let total: f64 = weights.iter().sum();
        let urgent_services: f64 = services
            .iter()
            .zip(&weights)
            .filter(|(s, _)| s.urgency == Urgency::Urgent)
            .map(|(_, w)| w / total)
            .sum();
        let service_pick = Weighted::new(weights);
        let channels: Vec<&'static Channel> = CHANNEL_SHARE
            .iter()
            .map(|(c, _)| channel(c).expect("a channel of the catalogue"))
            .collect();
        Shape {
            services,
            service_pick,
            channels,
            channel_pick: Weighted::new(CHANNEL_SHARE.iter().map(|(_, w)| *w)),
            hour_pick: Weighted::new(HOUR_SHARE),
            policy: SlaPolicy::default(),
            urgent_share: urgent_services + (1.0 - urgent_services) * MARKED_URGENT,
        }
    }

    /// The mean working days of a normal ticket that makes the mean of all `target`.
    fn normal_mean(&self, target: f64, urgent_hours: f64) -> f64 {
        let p = self.urgent_share;
        (target - p * urgent_hours / 24.0) / (1.0 - p)
    }

    /// When a request came in: any day of the history (a little busier as the years
    /// go, as channels were added), at an hour of the day's usual shape.
    fn moment(&self, cfg: &HistoryConfig, rng: &mut ChaCha8Rng) -> DateTime<Utc> {
        let days = (cfg.until - cfg.since()).num_days().max(1) as f64;
        // Density rising linearly by a third over the span: inverse of its CDF.
        let u: f64 = rng.gen();
        let growth = 1.0 / 3.0;
        let x = ((1.0 + growth * u * (2.0 + growth)).sqrt() - 1.0) / growth;
        let day = (x * days).floor() as i64;
        let date = (cfg.since() + Duration::days(day))
            .with_timezone(&cst())
            .date_naive();
        let hour = self.hour_pick.pick(rng) as u32;
        let time = NaiveTime::from_hms_opt(hour, rng.gen_range(0..60), rng.gen_range(0..60))
            .expect("a valid time");
        let at = cst()
            .from_local_datetime(&date.and_time(time))
            .single()
            .expect("a fixed offset has one local time")
            .with_timezone(&Utc);
        at.min(cfg.until - Duration::minutes(1))
    }

    /// How far the reform had taken hold at `at`: 0 before, 1 two months after.
    fn reformed(cfg: &HistoryConfig, at: DateTime<Utc>) -> f64 {
        let days = (at - cfg.reform()).num_seconds() as f64 / 86_400.0;
        (days / RAMP_DAYS).clamp(0.0, 1.0)
    }

    #[allow(clippy::too_many_arguments)]
    fn ticket(
        &self,
        cfg: &HistoryConfig,
        id: i64,
        created: DateTime<Utc>,
        site: &Site,
        units: &[OrgUnit],
        matrix: &Matrix,
        calendar: &WorkCalendar,
        rng: &mut ChaCha8Rng,
    ) -> (Ticket, Vec<Step>) {
        let r = Self::reformed(cfg, created);
        let mix = |before: f64, after: f64| before + (after - before) * r;
        let service = self.services[self.service_pick.pick(rng)];
        let ch = self.channels[self.channel_pick.pick(rng)];
        let urgency = if service.urgency == Urgency::Urgent || rng.gen_bool(MARKED_URGENT) {
            Urgency::Urgent
        } else {
            Urgency::Normal
        };
        let grid = &site.grid;
        let place = Place {
            street: grid.get(..9).map(str::to_owned),
            community: grid.get(..12).map(str::to_owned),
            grid: Some(grid.clone()),
            at: Some(PlaceKind::Building),
        };
        let route = matrix.route(service, &place, units, &[]);
        // Before the reform an operator read and routed each request (hours); after,
        // the classifier and the matrix do it in seconds.
        let dispatch_after = if rng.gen_bool(r) {
            Duration::milliseconds(rng.gen_range(300..4_000))
        } else {
            Duration::minutes(rng.gen_range(20..300))
        };
        let dispatched = created + dispatch_after;
        let contact = dispatched + minutes(rng, mix(28.0, 6.0));
        let on_site = contact + minutes(rng, mix(55.0, 18.0));
        let urgent_hours = mix(URGENT_HOURS.0, URGENT_HOURS.1);
        let handling_days = match urgency {
            Urgency::Urgent => gamma2(rng, urgent_hours) / 24.0,
            Urgency::Normal => gamma2(
                rng,
                self.normal_mean(mix(BEFORE_DAYS, AFTER_DAYS), urgent_hours),
            ),
        };
        let resolved = match urgency {
            Urgency::Urgent => created + Duration::minutes((handling_days * 1440.0) as i64),
            Urgency::Normal => {
                let whole = handling_days.floor() as u32;
                let frac = handling_days - f64::from(whole);
                calendar.add_working_days(created, whole) + Duration::minutes((frac * 480.0) as i64)
            }
        }
        .max(on_site + Duration::minutes(5));
        let closed = resolved + Duration::minutes(rng.gen_range(30..4_320));
        let returned = u32::from(rng.gen_bool(mix(0.05, 0.02)));
        let verdict = if rng.gen_bool(0.9) {
            let u: f64 = rng.gen();
            Some(if u < mix(0.66, 0.84) {
                Verdict::Satisfied
            } else if u < mix(0.88, 0.96) {
                Verdict::BasicallySatisfied
            } else {
                Verdict::Unsatisfied
            })
        } else {
            None
        };

        let mut timers =
            self.policy
                .start(created, dispatched, urgency, service.needs_site, calendar);
        let now = cfg.until;
        let reached = |at: DateTime<Utc>| (at <= now).then_some(at);
        for (stage, at) in [
            (Stage::Contact, contact),
            (Stage::OnSite, on_site),
            (Stage::Close, resolved),
        ] {
            if let Some(at) = reached(at) {
                timers.meet(stage, at);
            }
        }
        // What fell due before today was reported then: the sweep starts from today.
        for e in timers.due(now) {
            timers.mark(e);
        }
        let status = if closed <= now {
            Status::Closed
        } else if resolved <= now {
            Status::Resolved
        } else if on_site <= now && service.needs_site {
            Status::OnSite
        } else if contact <= now {
            Status::Contacted
        } else {
            Status::Dispatched
        };
        let lead = route.as_ref().map(|r| r.lead.clone());
        let lead_role = |unit: &Option<String>| {
            let kind = unit
                .as_ref()
                .and_then(|u| units.iter().find(|o| &o.id == u))
                .map(|o| o.kind);
            match kind {
                Some(citymirror_cases::dispatch::OrgKind::Street) => "street-staff",
                Some(citymirror_cases::dispatch::OrgKind::Community) => "community-staff",
                Some(citymirror_cases::dispatch::OrgKind::Grid) => "grid-worker",
                _ => "department-handler",
            }
        };
        let handler = Actor {
            user: None,
            role: lead_role(&lead).to_owned(),
            unit: lead.clone(),
        };
        let mut steps = vec![
            step(
                id,
                1,
                created,
                StepKind::Submitted,
                Actor {
                    user: None,
                    role: "citizen".into(),
                    unit: None,
                },
                json!({ "channel": ch.code, "service": service.code, "grid": grid }),
            ),
            step(
                id,
                2,
                dispatched,
                StepKind::Dispatched,
                Actor::system(),
                json!({ "lead": lead, "assist": route.as_ref().map(|r| &r.assist) }),
            ),
        ];
        if status == Status::Resolved || status == Status::Closed {
            let mut s = step(id, 3, resolved, StepKind::Resolved, handler, json!({}));
            s.note = Some("已处理完毕，已回复市民。".into());
            steps.push(s);
        }
        if status == Status::Closed {
            steps.push(step(
                id,
                4,
                closed,
                StepKind::Closed,
                Actor::system(),
                json!({ "verdict": verdict.map(Verdict::as_str) }),
            ));
        }
        let address = site.address.clone();
        let title = format!(
            "{}：{}",
            service.name_zh,
            address.as_deref().unwrap_or(grid)
        );
        let description = format!(
            "{}附近{}，请尽快处理。",
            address.as_deref().unwrap_or("辖区内"),
            service.name_zh
        );
        // A few metres from the building's middle, as people stand near what they report.
        let (dx, dy) = (
            rng.gen_range(-0.0003..0.0003),
            rng.gen_range(-0.0003..0.0003),
        );
        let last = steps.last().map_or(created, |s| s.at);
        let t = Ticket {
            id,
            version: 1,
            channel: ch.code.to_owned(),
            source_ref: None,
            service_code: service.code.to_owned(),
            family: service.family().code.to_owned(),
            category_source: CategorySource::Operator,
            confidence: None,
            urgency,
            status,
            title,
            description,
            lon: site.lon + dx,
            lat: site.lat + dy,
            address,
            grid_code: Some(grid.clone()),
            place: Some(PlaceRef {
                layer: "buildings".into(),
                id: site.id,
                name: None,
            }),
            lead_unit: lead,
            assignee: None,
            assisting: route.map(|r| r.assist).unwrap_or_default(),
            submitter: None,
            contact_name: None,
            contact_phone: None,
            tracking_digest: Vec::new(),
            created_at: created,
            updated_at: last,
            dispatched_at: Some(dispatched),
            resolved_at: (status == Status::Resolved || status == Status::Closed)
                .then_some(resolved),
            closed_at: (status == Status::Closed).then_some(closed),
            timers,
            verdict: verdict.filter(|_| status == Status::Closed),
            reopened: 0,
            returned,
            duplicate_of: None,
            supervised: false,
            supervision_due: None,
            imported: true,
        };
        (t, steps)
    }
}

fn step(
    ticket_id: i64,
    seq: u32,
    at: DateTime<Utc>,
    kind: StepKind,
    actor: Actor,
    detail: serde_json::Value,
) -> Step {
    Step {
        id: 0,
        ticket_id,
        seq,
        at,
        kind,
        actor,
        note: None,
        detail,
        audit_seq: None,
    }
}

/// A wait of about `mean` minutes (exponential, at least one).
fn minutes(rng: &mut ChaCha8Rng, mean: f64) -> Duration {
    let u: f64 = rng.gen_range(f64::EPSILON..1.0);
    Duration::seconds(((-u.ln() * mean).max(1.0) * 60.0) as i64)
}

/// A gamma(2) variate of mean `mean`: most requests near it, a long tail of hard ones.
fn gamma2(rng: &mut ChaCha8Rng, mean: f64) -> f64 {
    let a: f64 = rng.gen_range(f64::EPSILON..1.0);
    let b: f64 = rng.gen_range(f64::EPSILON..1.0);
    -(a.ln() + b.ln()) * mean / 2.0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg() -> HistoryConfig {
        HistoryConfig {
            scale: 0.01,
            seed: 1,
            until: Utc.with_ymd_and_hms(2026, 12, 1, 0, 0, 0).unwrap(),
        }
    }

    #[test]
    fn moments_lie_within_the_two_years_and_mostly_in_working_hours() {
        let shape = Shape::new();
        let c = cfg();
        let mut rng = stream(1, STREAM);
        let all: Vec<_> = (0..5_000).map(|_| shape.moment(&c, &mut rng)).collect();
        assert!(all.iter().all(|t| *t >= c.since() && *t < c.until));
        let daytime = all
            .iter()
            .filter(|t| {
                let h = t.with_timezone(&cst()).format("%H").to_string();
                ("08".."21").contains(&h.as_str())
            })
            .count();
        assert!(daytime > 4_000, "{daytime} of 5000 in the daytime");
        let later = all.iter().filter(|t| **t >= c.reform()).count();
        assert!(later > 2_500, "the second year is busier: {later}");
    }

    #[test]
    fn the_reform_halves_handling_time() {
        let shape = Shape::new();
        let c = cfg();
        let cal = WorkCalendar::new();
        let mut rng = stream(1, STREAM);
        let site = Site {
            id: 1,
            lon: 114.05,
            lat: 22.54,
            grid: "44030400800101".into(),
            address: Some("莲花路1号".into()),
        };
        let mean_days = |at: DateTime<Utc>, rng: &mut ChaCha8Rng| {
            let (mut sum, mut n) = (0.0, 0);
            for id in 0..4_000 {
                let (t, _) = shape.ticket(&c, id, at, &site, &[], &Matrix::futian(), &cal, rng);
                sum += cal.working_days_between(t.created_at, t.resolved_at.unwrap());
                n += 1;
            }
            sum / n as f64
        };
        let before = mean_days(c.since() + Duration::days(30), &mut rng);
        let after = mean_days(c.reform() + Duration::days(120), &mut rng);
        assert!((13.5..16.5).contains(&before), "before: {before}");
        assert!((7.0..9.0).contains(&after), "after: {after}");
    }
}
