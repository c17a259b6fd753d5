//! What every bench starts with: the generated twin named by `CITYMIRROR_BENCH_DATA`.

use std::path::PathBuf;

use citymirror_core::LayerId;
use citymirror_store::{Store, StoreTarget};
use citymirror_twin::{Layer, Twin, TwinRepo};

/// The data dir of a generated twin, from `CITYMIRROR_BENCH_DATA`. A relative path is
/// taken from the workspace root, where the command was typed, not from the server
/// crate cargo runs benches in; a dir without a store is refused rather than opened
/// empty. `None` (after saying why) when the variable is unset.
pub fn data_dir() -> Option<PathBuf> {
    let Some(raw) = std::env::var_os("CITYMIRROR_BENCH_DATA") else {
        eprintln!("set CITYMIRROR_BENCH_DATA to a data dir holding a generated twin");
        return None;
    };
    let mut dir = PathBuf::from(raw);
    if dir.is_relative() {
        dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../..")
            .join(dir);
    }
    assert!(
        dir.join("citymirror.db").is_file(),
        "{} holds no citymirror.db: run `citymirror generate --data-dir` there first",
        dir.display()
    );
    Some(dir)
}

/// The SQLite store in `dir`.
pub async fn open(dir: &std::path::Path) -> Store {
    citymirror_store::open(&StoreTarget::Sqlite {
        data_dir: dir.to_owned(),
    })
    .await
    .expect("open the store")
}

/// A twin holding `layers` as the store has them.
#[allow(dead_code)] // Not every bench loads a twin of its own.
pub async fn load(store: &Store, layers: &[LayerId]) -> Twin {
    let twin = Twin::new();
    for &id in layers {
        let features = store.load_layer(id).await.expect("load a layer");
        twin.set_layer(Layer::from_features(id.schema(), features));
    }
    twin
}
