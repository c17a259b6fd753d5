//! The repositories, each written once for both backends.

mod audit;
mod cases;
mod models;
mod records;
mod sensing;
mod trust;
mod twin;

use citymirror_twin::RepoError;

use crate::{
    db::{Columns, Param},
    sql::backend,
    Store,
};

impl Store {
    /// Inserts one row per item into `table` in one transaction (see
    /// [`Tx::insert_rows`](crate::db::Tx::insert_rows) for `row` and `tail`).
    async fn insert_all<'a, T: Sync>(
        &self,
        table: &str,
        columns: Columns<'_>,
        items: &'a [T],
        row: impl Fn(&'a T, &mut Vec<Param<'a>>) -> Result<(), RepoError> + Sync,
        tail: &str,
    ) -> Result<(), RepoError> {
        if items.is_empty() {
            return Ok(());
        }
        let mut tx = self
            .db
            .begin()
            .await
            .map_err(backend(format_args!("cannot start a write to `{table}`")))?;
        let fail = backend(format!("cannot write to `{table}`"));
        tx.insert_rows(table, columns, items, row, tail, fail)
            .await?;
        tx.commit()
            .await
            .map_err(backend(format_args!("cannot commit to `{table}`")))
    }
}
