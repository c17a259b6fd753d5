//! Sensor alarms into the request loop: a raised alarm is filed through the one intake
//! call, as a citizen's request is — on the `iot-sensor` channel, under the rule's
//! service, located at the device, so the responsibility matrix names the unit (a
//! tilted manhole cover goes to that street's drainage unit) and the 10-30-24 timers
//! start; its clearing is noted on the same ticket. The alarm's stable reference
//! (`alarm:<stream>:<raised at>`) makes filing idempotent: an alarm seen twice (a
//! reading delivered again) finds its ticket.

use std::sync::Arc;

use citymirror_cases::{
    catalog::{service, Urgency},
    channel::channel,
    intake::Submission,
    lifecycle::Action,
    service::{Acting, CaseService, Command},
};
use citymirror_sensing::{
    catalog,
    rules::{Alarm, AlarmChange, Condition},
    SensingService,
};
use tokio::sync::{broadcast::error::RecvError, watch};

pub fn spawn(
    sensing: Arc<SensingService>,
    cases: Arc<CaseService>,
    mut stop: watch::Receiver<bool>,
) {
    let mut alarms = sensing.alarms();
    // Silence is the absence of readings, so it is looked for on a clock.
    let (sweeper, mut stop2) = (sensing.clone(), stop.clone());
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(std::time::Duration::from_secs(30));
        loop {
            tokio::select! {
                _ = tick.tick() => sweeper.sweep_silence(chrono::Utc::now()),
                _ = stop2.changed() => return,
            }
        }
    });
    tokio::spawn(async move {
        loop {
            let a = tokio::select! {
                a = alarms.recv() => a,
                _ = stop.changed() => return,
            };
            match a {
                Ok(a) => {
                    if let Err(e) = file(&sensing, &cases, &a).await {
                        tracing::warn!(?a, "a sensor alarm was not filed: {e}");
                    }
                }
                Err(RecvError::Lagged(n)) => {
                    tracing::warn!(n, "{n} sensor alarms were not filed (too many at once)")
                }
                Err(RecvError::Closed) => return,
            }
        }
    });
}

fn unit_of(quantity: &str) -> String {
    catalog::quantity(quantity)
        .map(|(_, q)| q.symbol.to_owned())
        .unwrap_or_default()
}

async fn file(sensing: &SensingService, cases: &CaseService, a: &Alarm) -> anyhow::Result<()> {
    let s = &a.subject;
    let value = a
        .value
        .map(|v| match s.condition {
            Condition::Geofence => format!("{v:.0} 米"),
            _ => format!("{v}{}", s.quantity.map(unit_of).unwrap_or_default()),
        })
        .unwrap_or_default();
    match &a.change {
        AlarmChange::Raised(filing) => {
            let d = sensing
                .registry
                .device(s.device)
                .ok_or_else(|| anyhow::anyhow!("device {} is not in the twin", s.device))?;
            let name = s
                .quantity
                .map(|q| catalog::quantity(q).map_or(q, |(_, q)| q.name_zh))
                .unwrap_or_default();
            let what = match s.condition {
                Condition::Threshold => format!("{name}读数 {value}，越限"),
                Condition::Rate => format!("{name}读数 {value}，上升过快"),
                Condition::Silence => "超过规定时间未上报数据".to_owned(),
                Condition::Geofence => format!("上报位置偏离安装点 {value}"),
            };
            let sub = Submission {
                channel: channel("iot-sensor")
                    .ok_or_else(|| anyhow::anyhow!("no iot-sensor channel"))?,
                source_ref: Some(s.source_ref(a.at)),
                service: service(filing.service),
                title: format!("{} #{}", filing.title_zh, d.id),
                description: format!(
                    "{} #{}（{} {}）{what}（{}，{}）。设备所在网格 {}；数据流 Datastreams({})。",
                    d.device_type,
                    d.id,
                    d.vendor,
                    d.model,
                    citymirror_sensing::time::iso(a.at),
                    s.condition.name_zh(),
                    d.grid_code,
                    s.stream,
                ),
                lon: d.lon,
                lat: d.lat,
                address: None,
                urgency: Some(if filing.urgent {
                    Urgency::Urgent
                } else {
                    Urgency::Normal
                }),
                // Attributes answer the service's questions to citizens; the device and its
                // Datastream are named in the text (and the reference) instead.
                attributes: Default::default(),
                photos: Vec::new(),
                submitter: None,
                contact_name: None,
                contact_phone: None,
                by: Acting::system(),
            };
            let receipt = cases.submit(sub).await?;
            tracing::info!(number = %receipt.number, device = d.id, condition = s.condition.as_str(), "sensor alarm filed");
        }
        AlarmChange::Cleared { raised_at } => {
            let Some(t) = cases
                .tickets()
                .find_by_source("iot-sensor", &s.source_ref(*raised_at))
                .await?
            else {
                return Ok(());
            };
            let what = match s.condition {
                Condition::Silence => "设备已恢复上报".to_owned(),
                Condition::Geofence => format!("设备位置已回到安装点附近（{value}）"),
                _ => format!("设备读数已恢复正常：{value}"),
            };
            let mut cmd = Command::new(Action::Comment);
            cmd.note = Some(format!(
                "{what}（{}）。",
                citymirror_sensing::time::iso(a.at)
            ));
            cases.act(t.id, &Acting::system(), cmd).await?;
        }
    }
    Ok(())
}
