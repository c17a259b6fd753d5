use std::time::Duration;

use citymirror_core::LayerId;
use citymirror_sim::SimulatorConfig;

use super::{generate::generate_into, open_store, serve};
use crate::cli::{DemoArgs, ServeArgs, StoreArgs};

/// Generates a demo-scale district on first run, then serves it with the live simulator.
pub async fn run(args: DemoArgs) -> anyhow::Result<()> {
    let store_args = StoreArgs {
        data_dir: args.data_dir.clone(),
        database: None,
    };
    {
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
    }
    let interval = Duration::from_secs_f64(args.sim_interval.max(0.1));
    let seed = args.district.seed;
    serve::run(
        ServeArgs {
            store: store_args,
            listen: args.listen,
            public_url: None,
        },
        Some(Box::new(move |service, stop| {
            tokio::spawn(citymirror_sim::run_simulator(
                service,
                SimulatorConfig {
                    interval,
                    seed,
                    ..Default::default()
                },
                stop,
            ));
        })),
    )
    .await
}
