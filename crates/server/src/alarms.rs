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
use citymirror_sensing::{catalog, rules::Alarm, SensingService};
use tokio::sync::{broadcast::error::RecvError, watch};

pub fn spawn(
    sensing: Arc<SensingService>,
    cases: Arc<CaseService>,
    mut stop: watch::Receiver<bool>,
) {
    let mut alarms = sensing.alarms();
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
    match a {
        Alarm::Raised {
            stream,
            device,
            quantity,
            value,
            at,
            rule,
        } => {
            let d = sensing
                .registry
                .device(*device)
                .ok_or_else(|| anyhow::anyhow!("device {device} is not in the twin"))?;
            let name = catalog::quantity(quantity).map_or(*quantity, |(_, q)| q.name_zh);
            let sub = Submission {
                channel: channel("iot-sensor").ok_or_else(|| anyhow::anyhow!("no iot-sensor channel"))?,
                source_ref: Some(Alarm::source_ref(*stream, *at)),
                service: service(rule.service),
                title: format!("{} #{}", rule.title_zh, d.id),
                description: format!(
                    "{} #{}（{} {}）{}读数 {value}{}，于 {} 越限。设备所在网格 {}；数据流 Datastreams({stream})。",
                    d.device_type,
                    d.id,
                    d.vendor,
                    d.model,
                    name,
                    unit_of(quantity),
                    citymirror_sensing::time::iso(*at),
                    d.grid_code
                ),
                lon: d.lon,
                lat: d.lat,
                address: None,
                urgency: Some(if rule.urgent { Urgency::Urgent } else { Urgency::Normal }),
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
            tracing::info!(number = %receipt.number, device = d.id, quantity, "sensor alarm filed");
        }
        Alarm::Cleared {
            stream,
            quantity,
            value,
            at,
            raised_at,
            ..
        } => {
            let Some(t) = cases
                .tickets()
                .find_by_source("iot-sensor", &Alarm::source_ref(*stream, *raised_at))
                .await?
            else {
                return Ok(());
            };
            let mut cmd = Command::new(Action::Comment);
            cmd.note = Some(format!(
                "设备读数已恢复正常：{value}{}（{}）。",
                unit_of(quantity),
                citymirror_sensing::time::iso(*at)
            ));
            cases.act(t.id, &Acting::system(), cmd).await?;
        }
    }
    Ok(())
}
