//! The store's migrations, written once and rendered for each dialect.
//!
//! Each `vNNNN_*.rs` file is one migration: a list of [`ddl::Step`]s describing the
//! tables as they were when it shipped. [`run`] renders them for the open backend and
//! hands them to sqlx's migrator, which applies the ones a database lacks in order,
//! each in a transaction, and records them in `_sqlx_migrations`.
//!
//! A migration's checksum is taken over its definition ([`ddl::canonical`]), not over
//! the rendered SQL, so a change in how a dialect is spelled does not make an applied
//! migration look edited, while a changed definition does (and the store refuses to
//! open: never edit a migration that has shipped; add one). Migrations 1 to 5 shipped
//! as SQL files, one per dialect, and databases made by them carry those files'
//! checksums ([`SHIPPED`]): the definitions here create the same schema, which
//! `tests/upgrade.rs` in the server crate checks on databases those files made, so
//! they carry the same checksums.

use std::borrow::Cow;

use futures_util::future::BoxFuture;
use sqlx::{
    error::BoxDynError,
    migrate::{Migration, MigrationSource, MigrationType, Migrator},
};

use crate::{db::Db, StoreError};

pub(crate) mod ddl;
mod v0001_init;
mod v0002_trust;
mod v0003_records_by_jurisdiction;
mod v0004_basemap;
mod v0005_id_blocks;
mod v0006_cases;
mod v0007_sensing;

use ddl::{Dialect, Step};

/// One migration: its version, what it does, and its steps.
struct Version {
    version: i64,
    description: &'static str,
    steps: fn() -> Vec<Step>,
}

/// Every migration, in order. A new one goes at the end, in a file of its own.
const VERSIONS: &[Version] = &[
    Version {
        version: 1,
        description: "init",
        steps: v0001_init::steps,
    },
    Version {
        version: 2,
        description: "trust",
        steps: v0002_trust::steps,
    },
    Version {
        version: 3,
        description: "records by jurisdiction",
        steps: v0003_records_by_jurisdiction::steps,
    },
    Version {
        version: 4,
        description: "basemap",
        steps: v0004_basemap::steps,
    },
    Version {
        version: 5,
        description: "id blocks",
        steps: v0005_id_blocks::steps,
    },
    Version {
        version: 6,
        description: "cases",
        steps: v0006_cases::steps,
    },
    Version {
        version: 7,
        description: "sensing",
        steps: v0007_sensing::steps,
    },
];

/// The SHA-384 checksums of the SQL files migrations 1 to 5 shipped as (SQLite,
/// PostgreSQL), which the databases they made have recorded.
const SHIPPED: [(i64, &str, &str); 5] = [
    (
        1,
        "29677ea12c2e2228eab722fac2416125c299669311ce32246ed7e037182f212dce4bea1feb7cf520a4eb8c6779f77f87",
        "dc064041c9e44d6aab71a15159dee911dfa72f3ae7ce57a2a58c22a7948216a1de183ba4015e485ff674519b1eff785e",
    ),
    (
        2,
        "2bac90678a7cfe6bdca45035d0a6f26f78dc93cf699e79a98949482d3a4beaf5d6d57fbf106b197093a4bee0ceb8a87d",
        "69fc76e57b5072c652921a201dcca125592368032154ea25467e8a108343fe884fdc05c4360d9e104bacebff6c62259f",
    ),
    (
        3,
        "29779fd1cbe5be277b979a1474ceb21543947db082d0ebdc86710c501de37159455cf96a053bfa24df2cf0b7264c7c5f",
        "cc53de8eccf5271b97cbae95cde6748ccf8e9a66f775512b885ed78056fdee66554a8eb9895505584c778ae736561af9",
    ),
    (
        4,
        "998ba7552357976cdac448bfa6f33f844e4277caacc82f11391beb7417c5315966b11af80dfa6a12dff07674d2c56573",
        "87c032ad8b43e72b5a70c8a173ebde95f4cb5ce8215c29b612b5719667790216bc3365fbec33139d1e1d506e934ee585",
    ),
    (
        5,
        "cb7f4cbb740d4114b4380435429873f54b5c7b7440ebbdef7023d4035d7c5fce0914870c0d74d3c43785fd47844f2c52",
        "cb7f4cbb740d4114b4380435429873f54b5c7b7440ebbdef7023d4035d7c5fce0914870c0d74d3c43785fd47844f2c52",
    ),
];

impl Version {
    fn migration(&self, d: Dialect) -> Migration {
        let steps = (self.steps)();
        let sql = ddl::render(&steps, d);
        let mut m = Migration::new(
            self.version,
            Cow::Borrowed(self.description),
            MigrationType::Simple,
            Cow::Owned(sql),
            false,
        );
        m.checksum = Cow::Owned(match shipped(self.version, d) {
            Some(sum) => sum,
            None => sha2_384(ddl::canonical(&steps).as_bytes()),
        });
        m
    }
}

fn shipped(version: i64, d: Dialect) -> Option<Vec<u8>> {
    let (_, sqlite, postgres) = SHIPPED.iter().find(|(v, ..)| *v == version)?;
    let hex = match d {
        Dialect::Sqlite => sqlite,
        Dialect::Postgres => postgres,
    };
    Some(hex::decode(hex).expect("the shipped checksums are hex"))
}

fn sha2_384(bytes: &[u8]) -> Vec<u8> {
    use sha2::Digest as _;
    sha2::Sha384::digest(bytes).to_vec()
}

/// Every migration, rendered for one dialect, as sqlx's migrator takes them.
#[derive(Debug)]
struct Source(Dialect);

impl<'s> MigrationSource<'s> for Source {
    fn resolve(self) -> BoxFuture<'s, Result<Vec<Migration>, BoxDynError>> {
        Box::pin(async move { Ok(VERSIONS.iter().map(|v| v.migration(self.0)).collect()) })
    }
}

/// Applies the migrations `db` lacks.
pub(crate) async fn run(db: &Db) -> Result<(), StoreError> {
    let (dialect, backend) = match db {
        Db::Sqlite(_) => (Dialect::Sqlite, "SQLite"),
        Db::Postgres(_) => (Dialect::Postgres, "PostgreSQL"),
    };
    let fail = |source| StoreError::Migrate { backend, source };
    let migrator = Migrator::new(Source(dialect)).await.map_err(fail)?;
    match db {
        Db::Sqlite(db) => migrator.run(&db.pool).await,
        Db::Postgres(pool) => migrator.run(pool).await,
    }
    .map_err(fail)
}

/// The script migration `version` runs on dialect `d` (for tests and `--help`-like
/// inspection); `None` past the last one.
#[cfg(test)]
fn script(version: i64, d: Dialect) -> Option<String> {
    VERSIONS
        .iter()
        .find(|v| v.version == version)
        .map(|v| ddl::render(&(v.steps)(), d))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_are_consecutive_from_one() {
        for (i, v) in VERSIONS.iter().enumerate() {
            assert_eq!(v.version, i as i64 + 1, "{}", v.description);
        }
    }

    #[test]
    fn shipped_migrations_keep_their_checksums_and_new_ones_follow_their_definition() {
        for d in [Dialect::Sqlite, Dialect::Postgres] {
            for v in VERSIONS {
                let m = v.migration(d);
                match shipped(v.version, d) {
                    Some(sum) => assert_eq!(m.checksum.as_ref(), sum.as_slice()),
                    None => assert_eq!(
                        m.checksum.as_ref(),
                        sha2_384(ddl::canonical(&(v.steps)()).as_bytes()).as_slice()
                    ),
                }
            }
        }
    }

    #[test]
    fn the_sqlite_audit_log_is_keyed_by_the_rowid() {
        let sql = script(2, Dialect::Sqlite).unwrap();
        assert!(sql.contains("\"seq\" INTEGER PRIMARY KEY,"), "{sql}");
        assert!(sql.contains("RAISE(ABORT"), "{sql}");
        assert!(!sql.contains("plpgsql"), "{sql}");
        assert!(!script(3, Dialect::Sqlite).unwrap().contains("ALTER"));
        assert!(script(99, Dialect::Sqlite).is_none());
    }
}
