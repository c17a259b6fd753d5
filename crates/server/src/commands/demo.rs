use std::time::Duration;

use citymirror_core::LayerId;
use citymirror_sim::SimulatorConfig;

use super::{
    generate::{generate_into, history_into, provision},
    open_store, serve,
};
use crate::cli::{AuditKeyArgs, DemoArgs, ServeArgs, StoreArgs};
use citymirror_http::{security::RateLimitConfig, HttpConfig};

/// Generates a demo-scale district on first run, then serves it with the live simulator.
pub async fn run(args: DemoArgs) -> anyhow::Result<()> {
    let store_args = StoreArgs {
        data_dir: args.data_dir.clone(),
        database: None,
    };
    let devices = {
        let _lock = crate::local::exclusive(&store_args, "stop it, or use `citymirror serve`")?;
        let store = open_store(&store_args).await?;
        let (repo, _) = super::repos(&store);
        if repo.count_features(LayerId::Grids).await? == 0 {
            eprintln!(
                "generating a demo district (scale {}) in {} …",
                args.district.scale,
                args.data_dir.display()
            );
            generate_into(&store, &args.district).await?;
        }
        // A data dir from before accounts existed gets its organisation now.
        if citymirror_trust::TrustRepo::units(&store).await?.is_empty() {
            provision(&store, &store_args, &AuditKeyArgs { audit_key: None }).await?;
        }
        history_into(&store, &args.district).await?;
        super::sensing::load_devices(&store).await?
    };
    // The sensing network: an external broker if one is named, else the embedded one.
    let mqtt_url = match &args.mqtt {
        Some(url) => url.clone(),
        None => {
            let at = crate::broker::start(args.broker_listen)?;
            eprintln!(
                "MQTT broker (embedded): mqtt://{} (MQTT 3.1.1), mqtt://{} (MQTT 5)",
                at.v4, at.v5
            );
            format!("mqtt://{}", at.v5)
        }
    };
    let (broker_host, broker_port) = crate::mqtt::broker(&mqtt_url)?;
    let device_rate = args.device_rate;
    let interval = Duration::from_secs_f64(args.sim_interval.max(0.1));
    let messages = args.messages.clone();
    let seed = args.district.seed;
    serve::run(
        ServeArgs {
            store: store_args,
            listen: args.listen,
            public_url: None,
            allowed_hosts: Vec::new(),
            sms_outbox: None,
            audit: AuditKeyArgs { audit_key: None },
            rate_limit: RateLimitConfig::default().work_ms_per_s,
            header_read_timeout_s: 10,
            tile_cache_mb: HttpConfig::DEFAULT_TILE_CACHE_BYTES >> 20,
            insecure_cookies: false,
            cases: Default::default(),
            mqtt: crate::cli::MqttArgs {
                url: Some(mqtt_url.clone()),
                client_id: "citymirror-ingest".into(),
                vendor_prefix: "citymirror/up".into(),
                batch: 5000,
            },
            sip: crate::cli::SipArgs {
                sip_listen: Some(args.sip_listen),
                sip_password: None,
                sip_keepalive_s: 60,
                sip_admit_prefix: None,
            },
            web: args.web.clone(),
        },
        Some(Box::new(move |running: serve::Running| {
            tokio::spawn(super::cases::train_on_first_run(
                running.cases.clone(),
                messages,
            ));
            if device_rate > 0 {
                // The devices report over MQTT as a district's gateways would: rain,
                // the day's rhythm, incidents, and a few silent or garbled devices.
                tokio::spawn({
                    let stop = running.stop.clone();
                    async move {
                        if let Err(e) = super::sensing::simulate(
                            devices,
                            broker_host,
                            broker_port,
                            device_rate,
                            seed,
                            citymirror_sim::readings::FaultConfig::default(),
                            stop,
                        )
                        .await
                        {
                            tracing::warn!("the demo's devices stopped reporting: {e}");
                        }
                    }
                });
            }
            tokio::spawn(citymirror_sim::run_simulator(
                running.service,
                SimulatorConfig {
                    interval,
                    seed,
                    audit: Some(running.audit),
                    ..Default::default()
                },
                running.stop,
            ));
        })),
    )
    .await
}
