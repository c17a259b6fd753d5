//! Online and offline, per device: a state machine fed with what the SIP edge hears and with
//! the time. It opens no timers; the edge calls [`PresenceTracker::tick`] (every second, or
//! at [`PresenceTracker::next_deadline`]) and announces the transitions it returns.
//!
//! The rules, and the device behaviour behind each (as WVP-GB28181-pro's users report it):
//!
//! - **REGISTER** with `Expires > 0` registers the device until now + Expires (capped by the
//!   policy) and brings it online; `Expires: 0` unregisters it and takes it offline.
//! - **Any valid message** from a registered device is a sign of life, not only Keepalive
//!   (devices shown offline while they answer queries and send alarms), and a sign of life
//!   from a device we took offline brings it back while its registration holds.
//! - **Keepalive** arms liveness: from a device's first Keepalive on, it goes offline when
//!   nothing is heard for `keepalive_interval × allowed_misses`. A device that never sends
//!   Keepalive after REGISTER stays online until its registration expires.
//! - **An expired registration with a live device** (NVRs that keep sending Keepalive and
//!   never re-register) does not take the device offline: it stays online, flagged
//!   `reregister_due`, so that the edge answers its next message in a way that makes it
//!   register again; only if it has not within `reregister_grace` does it go offline.
//!
//! Transitions are emitted only on change. Deadlines sit in one ordered set, so a tick costs
//! O(k log n) for the k devices whose deadline passed, not a scan of every device.

use std::collections::{BTreeSet, HashMap};

use chrono::{DateTime, TimeDelta, Utc};

use crate::id::GbId;

/// When a device counts as gone.
#[derive(Clone, Debug)]
pub struct PresencePolicy {
    /// The interval devices send Keepalive at (GB/T 28181: 60 s by default).
    pub keepalive_interval: TimeDelta,
    /// How many Keepalives in a row may be missed before the device is offline (3).
    pub allowed_misses: u32,
    /// The longest registration granted; a longer `Expires` is cut to this (one day, as
    /// GB/T 28181-2022 suggests for the device's default).
    pub max_expires: TimeDelta,
    /// How long a device that keeps sending signs of life may stay online past the end of
    /// its registration while the edge asks it to register again.
    pub reregister_grace: TimeDelta,
}

impl Default for PresencePolicy {
    fn default() -> PresencePolicy {
        PresencePolicy {
            keepalive_interval: TimeDelta::seconds(60),
            allowed_misses: 3,
            max_expires: TimeDelta::seconds(86_400),
            reregister_grace: TimeDelta::seconds(3_600),
        }
    }
}

impl PresencePolicy {
    /// The silence after which a device that sends Keepalive is offline.
    pub fn liveness_window(&self) -> TimeDelta {
        let misses = i32::try_from(self.allowed_misses.max(1)).unwrap_or(i32::MAX);
        self.keepalive_interval * misses
    }
}

/// What the edge heard from a device (already authenticated or matched to a registration).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Heard {
    /// A REGISTER with its `Expires` in seconds; 0 unregisters.
    Register { expires: u32 },
    /// A MESSAGE whose MANSCDP body is a Keepalive notify.
    Keepalive,
    /// Any other valid request or response from the device.
    Message,
}

/// Why a device went offline.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OfflineReason {
    /// It sent REGISTER with `Expires: 0`.
    Unregistered,
    /// Nothing was heard for `keepalive_interval × allowed_misses` after it had sent Keepalive.
    KeepaliveTimeout,
    /// Its registration ran out (and, if it was still heard, the re-registration grace too).
    RegistrationExpired,
}

/// A change of a device's presence.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Change {
    Online,
    Offline { reason: OfflineReason },
}

/// A device went online or offline `at` (for timeouts: the deadline, not the tick).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Transition {
    pub device: GbId,
    pub at: DateTime<Utc>,
    pub change: Change,
}

/// Where the device stands after what was heard; tells the edge how to answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Standing {
    /// Registered until the given instant (for a REGISTER: the `Expires` to answer with is
    /// this minus now).
    Registered { until: DateTime<Utc> },
    /// Its registration has run out: answer so that it registers again.
    ReregisterDue,
    /// Not registered here (never, or it unregistered): the message is not taken.
    NotRegistered,
}

/// What [`PresenceTracker::heard`] concluded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Observed {
    pub standing: Standing,
    pub transition: Option<Transition>,
}

/// A device's presence, for the registry, the map and `/api/v1`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DevicePresence {
    pub online: bool,
    /// The end of the current registration; `None` once unregistered.
    pub registered_until: Option<DateTime<Utc>>,
    pub last_seen: DateTime<Utc>,
    pub last_keepalive: Option<DateTime<Utc>>,
    pub reregister_due: bool,
}

struct Device {
    state: DevicePresence,
    /// The key under which the device sits in `deadlines`, if it does.
    deadline: Option<DateTime<Utc>>,
}

/// The presence of every device that has registered.
pub struct PresenceTracker {
    policy: PresencePolicy,
    devices: HashMap<GbId, Device>,
    deadlines: BTreeSet<(DateTime<Utc>, GbId)>,
    online: usize,
}

impl std::fmt::Debug for PresenceTracker {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PresenceTracker")
            .field("policy", &self.policy)
            .field("devices", &self.devices.len())
            .field("online", &self.online)
            .finish()
    }
}

impl PresenceTracker {
    pub fn new(policy: PresencePolicy) -> PresenceTracker {
        PresenceTracker {
            policy,
            devices: HashMap::new(),
            deadlines: BTreeSet::new(),
            online: 0,
        }
    }

    pub fn policy(&self) -> &PresencePolicy {
        &self.policy
    }

    /// Takes in what was heard from `device` at `now`.
    pub fn heard(&mut self, device: GbId, what: Heard, now: DateTime<Utc>) -> Observed {
        let observed = match what {
            Heard::Register { expires: 0 } => self.unregister(device, now),
            Heard::Register { expires } => self.register(device, expires, now),
            Heard::Keepalive | Heard::Message => self.sign_of_life(device, what, now),
        };
        self.reschedule(device);
        observed
    }

    fn register(&mut self, device: GbId, expires: u32, now: DateTime<Utc>) -> Observed {
        let granted = TimeDelta::seconds(expires.into()).min(self.policy.max_expires);
        let until = now + granted;
        let d = self.devices.entry(device).or_insert(Device {
            state: DevicePresence {
                online: false,
                registered_until: None,
                last_seen: now,
                last_keepalive: None,
                reregister_due: false,
            },
            deadline: None,
        });
        d.state.registered_until = Some(until);
        d.state.last_seen = now;
        d.state.reregister_due = false;
        let transition = (!d.state.online).then(|| {
            d.state.online = true;
            self.online += 1;
            Transition {
                device,
                at: now,
                change: Change::Online,
            }
        });
        Observed {
            standing: Standing::Registered { until },
            transition,
        }
    }

    fn unregister(&mut self, device: GbId, now: DateTime<Utc>) -> Observed {
        let mut transition = None;
        if let Some(d) = self.devices.get_mut(&device) {
            d.state.registered_until = None;
            d.state.reregister_due = false;
            d.state.last_seen = now;
            if d.state.online {
                d.state.online = false;
                self.online -= 1;
                transition = Some(Transition {
                    device,
                    at: now,
                    change: Change::Offline {
                        reason: OfflineReason::Unregistered,
                    },
                });
            }
        }
        Observed {
            standing: Standing::NotRegistered,
            transition,
        }
    }

    fn sign_of_life(&mut self, device: GbId, what: Heard, now: DateTime<Utc>) -> Observed {
        let not_registered = Observed {
            standing: Standing::NotRegistered,
            transition: None,
        };
        // Only a REGISTER makes a record, so messages from strangers cost no memory.
        let Some(d) = self.devices.get_mut(&device) else {
            return not_registered;
        };
        let Some(until) = d.state.registered_until else {
            return not_registered;
        };
        d.state.last_seen = now;
        if what == Heard::Keepalive {
            d.state.last_keepalive = Some(now);
        }
        if now < until {
            let transition = (!d.state.online).then(|| {
                d.state.online = true;
                self.online += 1;
                Transition {
                    device,
                    at: now,
                    change: Change::Online,
                }
            });
            return Observed {
                standing: Standing::Registered { until },
                transition,
            };
        }
        // The registration has run out. An online device stays online (the tick ends the
        // grace); an offline one is not brought back until it registers again.
        d.state.reregister_due = true;
        Observed {
            standing: Standing::ReregisterDue,
            transition: None,
        }
    }

    /// Takes offline the devices whose deadline has passed, in deadline order.
    pub fn tick(&mut self, now: DateTime<Utc>) -> Vec<Transition> {
        let mut transitions = Vec::new();
        while let Some(&(at, device)) = self.deadlines.first() {
            if at > now {
                break;
            }
            self.deadlines.pop_first();
            let window = self.policy.liveness_window();
            let d = self
                .devices
                .get_mut(&device)
                .expect("a deadline has a device");
            d.deadline = None;
            let s = &mut d.state;
            let live_until = s.last_keepalive.map(|_| s.last_seen + window);
            let until = s.registered_until.expect("online devices are registered");
            let reason = if live_until.is_some_and(|l| l <= at) {
                Some(OfflineReason::KeepaliveTimeout)
            } else if !s.reregister_due && until <= at {
                if live_until.is_some() {
                    // Still heard: keep it online and ask it to register again.
                    s.reregister_due = true;
                    None
                } else {
                    Some(OfflineReason::RegistrationExpired)
                }
            } else if s.reregister_due && until + self.policy.reregister_grace <= at {
                Some(OfflineReason::RegistrationExpired)
            } else {
                None
            };
            if let Some(reason) = reason {
                s.online = false;
                self.online -= 1;
                transitions.push(Transition {
                    device,
                    at,
                    change: Change::Offline { reason },
                });
            }
            self.reschedule(device);
        }
        transitions
    }

    /// The earliest instant at which `tick` has work, if any.
    pub fn next_deadline(&self) -> Option<DateTime<Utc>> {
        self.deadlines.first().map(|(at, _)| *at)
    }

    /// Where `device` stands now, if it ever registered.
    pub fn presence(&self, device: &GbId) -> Option<DevicePresence> {
        self.devices.get(device).map(|d| d.state)
    }

    /// How many devices are online.
    pub fn online_count(&self) -> usize {
        self.online
    }

    /// How many devices are known (online or not).
    pub fn len(&self) -> usize {
        self.devices.len()
    }

    pub fn is_empty(&self) -> bool {
        self.devices.is_empty()
    }

    /// Forgets a device (removed from the registry). No transition is emitted.
    pub fn forget(&mut self, device: &GbId) {
        if let Some(d) = self.devices.remove(device) {
            if let Some(at) = d.deadline {
                self.deadlines.remove(&(at, *device));
            }
            if d.state.online {
                self.online -= 1;
            }
        }
    }

    /// Puts `device` back in the deadline set under its current deadline.
    fn reschedule(&mut self, device: GbId) {
        let Some(d) = self.devices.get_mut(&device) else {
            return;
        };
        let next = deadline(&d.state, &self.policy);
        if next == d.deadline {
            return;
        }
        if let Some(old) = d.deadline.take() {
            self.deadlines.remove(&(old, device));
        }
        if let Some(at) = next {
            self.deadlines.insert((at, device));
        }
        d.deadline = next;
    }
}

/// The next instant at which an online device may go offline (or be flagged).
fn deadline(s: &DevicePresence, policy: &PresencePolicy) -> Option<DateTime<Utc>> {
    if !s.online {
        return None;
    }
    let until = s.registered_until?;
    let registration_end = if s.reregister_due {
        until + policy.reregister_grace
    } else {
        until
    };
    let live_until = s
        .last_keepalive
        .map(|_| s.last_seen + policy.liveness_window());
    Some(live_until.map_or(registration_end, |l| l.min(registration_end)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    const NVR: &str = "44030400001180000001";
    const IPC: &str = "44030400001320000001";

    fn t(s: i64) -> DateTime<Utc> {
        Utc.timestamp_opt(1_700_000_000 + s, 0).unwrap()
    }

    fn id(s: &str) -> GbId {
        s.parse().unwrap()
    }

    /// The default policy: keepalive every 60 s, three may be missed (180 s), one hour grace.
    fn tracker() -> PresenceTracker {
        PresenceTracker::new(PresencePolicy::default())
    }

    fn online(at: i64, device: &str) -> Transition {
        Transition {
            device: id(device),
            at: t(at),
            change: Change::Online,
        }
    }

    fn offline(at: i64, device: &str, reason: OfflineReason) -> Transition {
        Transition {
            device: id(device),
            at: t(at),
            change: Change::Offline { reason },
        }
    }

    /// Runs `tick` every second over `from..=to` and collects what it emits.
    fn run(p: &mut PresenceTracker, from: i64, to: i64) -> Vec<Transition> {
        (from..=to).flat_map(|s| p.tick(t(s))).collect()
    }

    #[test]
    fn register_brings_a_device_online_and_expires_0_takes_it_offline() {
        let mut p = tracker();
        let o = p.heard(id(IPC), Heard::Register { expires: 3600 }, t(0));
        assert_eq!(o.transition, Some(online(0, IPC)));
        assert_eq!(o.standing, Standing::Registered { until: t(3600) });
        // A refresh changes nothing visible.
        let o = p.heard(id(IPC), Heard::Register { expires: 3600 }, t(1800));
        assert_eq!(o.transition, None);
        assert_eq!(p.online_count(), 1);

        let o = p.heard(id(IPC), Heard::Register { expires: 0 }, t(1900));
        assert_eq!(
            o.transition,
            Some(offline(1900, IPC, OfflineReason::Unregistered))
        );
        assert_eq!(o.standing, Standing::NotRegistered);
        assert_eq!(p.online_count(), 0);
        assert_eq!(p.next_deadline(), None);
        let after = p.heard(id(IPC), Heard::Keepalive, t(1901));
        assert_eq!(after.standing, Standing::NotRegistered);
        assert_eq!(after.transition, None);
    }

    #[test]
    fn long_expires_are_capped_by_the_policy() {
        let mut p = tracker();
        let o = p.heard(id(IPC), Heard::Register { expires: u32::MAX }, t(0));
        assert_eq!(o.standing, Standing::Registered { until: t(86_400) });
    }

    #[test]
    fn messages_from_devices_that_never_registered_are_not_taken() {
        let mut p = tracker();
        let o = p.heard(id(IPC), Heard::Keepalive, t(0));
        assert_eq!(o.standing, Standing::NotRegistered);
        assert!(p.is_empty(), "no record is made for a stranger");
    }

    #[test]
    fn a_device_that_stops_its_keepalive_goes_offline_after_three_missed() {
        let mut p = tracker();
        p.heard(id(IPC), Heard::Register { expires: 3600 }, t(0));
        for s in (0..=600).step_by(60) {
            p.heard(id(IPC), Heard::Keepalive, t(s));
        }
        // The last keepalive came at 600 s; 180 s of silence later it is offline, once.
        assert_eq!(
            run(&mut p, 0, 1000),
            vec![offline(780, IPC, OfflineReason::KeepaliveTimeout)]
        );
        assert!(!p.presence(&id(IPC)).unwrap().online);
    }

    #[test]
    fn a_keepalive_brings_back_a_device_taken_offline_while_registered() {
        // (a) in WVP's reports: "offline though heartbeats arrive".
        let mut p = tracker();
        p.heard(id(IPC), Heard::Register { expires: 3600 }, t(0));
        p.heard(id(IPC), Heard::Keepalive, t(10));
        assert_eq!(run(&mut p, 0, 200).len(), 1);
        let back = p.heard(id(IPC), Heard::Keepalive, t(300));
        assert_eq!(back.transition, Some(online(300, IPC)));
        assert_eq!(back.standing, Standing::Registered { until: t(3600) });
    }

    #[test]
    fn any_valid_message_is_a_sign_of_life() {
        let mut p = tracker();
        p.heard(id(IPC), Heard::Register { expires: 3600 }, t(0));
        p.heard(id(IPC), Heard::Keepalive, t(0));
        // The keepalives get lost, but catalog answers and alarms keep coming every 100 s
        // (the window is 180 s) until 1000 s.
        let mut transitions = Vec::new();
        for s in 1..=1300 {
            if s % 100 == 0 && s <= 1000 {
                p.heard(id(IPC), Heard::Message, t(s));
            }
            transitions.extend(p.tick(t(s)));
        }
        assert_eq!(
            transitions,
            vec![offline(1180, IPC, OfflineReason::KeepaliveTimeout)]
        );
        let state = p.presence(&id(IPC)).unwrap();
        assert_eq!(
            (state.last_keepalive, state.last_seen),
            (Some(t(0)), t(1000))
        );
        // A message also brings a device back while it is registered.
        assert_eq!(
            p.heard(id(IPC), Heard::Message, t(1301)).transition,
            Some(online(1301, IPC))
        );
    }

    #[test]
    fn a_device_that_never_sends_keepalive_stays_online_until_its_registration_expires() {
        // (b): REGISTER, then silence.
        let mut p = tracker();
        p.heard(id(IPC), Heard::Register { expires: 600 }, t(0));
        assert_eq!(
            run(&mut p, 0, 700),
            vec![offline(600, IPC, OfflineReason::RegistrationExpired)]
        );
        // It re-registers and is online again.
        let o = p.heard(id(IPC), Heard::Register { expires: 600 }, t(800));
        assert_eq!(o.transition, Some(online(800, IPC)));
    }

    #[test]
    fn an_nvr_that_does_not_re_register_but_keeps_alive_stays_online_flagged() {
        // (c): registration of 600 s, keepalive every 60 s, no REGISTER refresh.
        let mut p = tracker();
        p.heard(id(NVR), Heard::Register { expires: 600 }, t(0));
        let mut standings = Vec::new();
        let mut transitions = Vec::new();
        for s in 1..=1200 {
            if s % 60 == 0 {
                standings.push(p.heard(id(NVR), Heard::Keepalive, t(s)).standing);
            }
            transitions.extend(p.tick(t(s)));
        }
        assert_eq!(transitions, vec![], "no flapping");
        let state = p.presence(&id(NVR)).unwrap();
        assert!(state.online && state.reregister_due);
        // Keepalives at 60 … 540 s fall within the registration; from 600 s on, past it.
        assert_eq!(standings[..9], [Standing::Registered { until: t(600) }; 9]);
        assert_eq!(standings[9..], [Standing::ReregisterDue; 11]);

        // When it registers again, the flag clears.
        let o = p.heard(id(NVR), Heard::Register { expires: 600 }, t(1210));
        assert_eq!(o.transition, None);
        assert!(!p.presence(&id(NVR)).unwrap().reregister_due);
    }

    #[test]
    fn the_grace_ends_for_a_device_that_never_re_registers() {
        let mut p = PresenceTracker::new(PresencePolicy {
            reregister_grace: TimeDelta::seconds(300),
            ..PresencePolicy::default()
        });
        p.heard(id(NVR), Heard::Register { expires: 600 }, t(0));
        let mut transitions = Vec::new();
        for s in 1..=1200 {
            if s % 60 == 0 {
                p.heard(id(NVR), Heard::Keepalive, t(s));
            }
            transitions.extend(p.tick(t(s)));
        }
        assert_eq!(
            transitions,
            vec![offline(900, NVR, OfflineReason::RegistrationExpired)]
        );
        // Its keepalives are now answered with "register again", and do not bring it back.
        let o = p.heard(id(NVR), Heard::Keepalive, t(1260));
        assert_eq!(o.standing, Standing::ReregisterDue);
        assert_eq!(o.transition, None);
    }

    #[test]
    fn a_flagged_device_that_falls_silent_goes_offline_by_keepalive_timeout() {
        let mut p = tracker();
        p.heard(id(NVR), Heard::Register { expires: 600 }, t(0));
        for s in (60..=720).step_by(60) {
            p.heard(id(NVR), Heard::Keepalive, t(s));
        }
        assert_eq!(
            run(&mut p, 0, 1000),
            vec![offline(900, NVR, OfflineReason::KeepaliveTimeout)]
        );
    }

    #[test]
    fn a_keepalive_after_the_deadline_but_before_the_tick_keeps_the_device_online() {
        let mut p = tracker();
        p.heard(id(IPC), Heard::Register { expires: 3600 }, t(0));
        p.heard(id(IPC), Heard::Keepalive, t(0));
        // The edge ticks late; the device was heard meanwhile.
        p.heard(id(IPC), Heard::Keepalive, t(181));
        assert_eq!(p.tick(t(182)), vec![]);
        assert!(p.presence(&id(IPC)).unwrap().online);
    }

    #[test]
    fn forgetting_a_device_drops_its_deadline() {
        let mut p = tracker();
        p.heard(id(IPC), Heard::Register { expires: 3600 }, t(0));
        p.forget(&id(IPC));
        assert_eq!((p.len(), p.online_count(), p.next_deadline()), (0, 0, None));
    }

    #[test]
    fn a_thousand_devices_keeping_alive_for_ten_minutes_see_no_transition() {
        // The acceptance scale: 1,000 devices at the standard interval, ticked every second;
        // each device's keepalives are staggered by its index.
        let devices: Vec<GbId> = (0..1000)
            .map(|i| GbId::parse(&format!("440304000011800{i:05}")).unwrap())
            .collect();
        let mut p = tracker();
        for (i, d) in devices.iter().enumerate() {
            p.heard(*d, Heard::Register { expires: 3600 }, t(i as i64 % 60));
        }
        let mut transitions = 0;
        for s in 0..=600 {
            for (i, d) in devices.iter().enumerate() {
                if s % 60 == i as i64 % 60 {
                    p.heard(*d, Heard::Keepalive, t(s));
                }
            }
            transitions += p.tick(t(s)).len();
        }
        assert_eq!(transitions, 0);
        assert_eq!(p.online_count(), 1000);
        // Then they all fall silent and go offline within the window.
        let gone = run(&mut p, 601, 600 + 180 + 60);
        assert_eq!(gone.len(), 1000);
        assert_eq!(p.online_count(), 0);
    }
}
