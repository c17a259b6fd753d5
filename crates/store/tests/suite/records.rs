//! Block-data records by jurisdiction: keyset pages under a grid-code prefix.

use std::sync::Arc;

use citymirror_core::{
    records::{RecordSchema, PERSONS, RECORD_SCHEMAS},
    Value,
};
use citymirror_twin::RecordRepo;

use crate::common::{sample_record, TestDb};

/// Where record `id` lies: two grids of community 001 and one of 002 in street 001, a
/// grid of street 002, and every fifth record without a grid code.
fn grid_of(id: i64) -> Option<&'static str> {
    match id % 5 {
        0 => Some("44030400100101"),
        1 => Some("44030400100102"),
        2 => Some("44030400100201"),
        3 => Some("44030400200101"),
        _ => None,
    }
}

fn record(schema: &RecordSchema, id: i64) -> Vec<Value> {
    let g = schema
        .fields
        .iter()
        .position(|f| f.name == "grid_code")
        .unwrap();
    let mut row = sample_record(schema, id);
    row[g] = grid_of(id).map_or(Value::Null, Value::from);
    row
}

/// Every page of `schema` under `prefix`, `size` rows at a time, as the ids of each.
async fn pages(
    store: &impl RecordRepo,
    schema: &'static RecordSchema,
    prefix: Option<&str>,
    size: u32,
) -> Vec<Vec<i64>> {
    let mut out = Vec::new();
    let mut after = 0;
    loop {
        let page = store
            .list_records(schema, prefix, after, size)
            .await
            .unwrap();
        let Some(last) = page.last() else {
            return out;
        };
        after = last[0].as_i64().unwrap();
        for row in &page {
            let id = row[0].as_i64().unwrap();
            assert_eq!(row, &record(schema, id), "{} {id}", schema.name);
        }
        out.push(page.iter().map(|r| r[0].as_i64().unwrap()).collect());
    }
}

/// The ids of `1..=n` whose grid `keep`s, in a jurisdiction's listing order: by grid
/// code, then id.
fn ids_where(n: i64, keep: impl Fn(Option<&str>) -> bool) -> Vec<i64> {
    let mut ids: Vec<i64> = (1..=n).filter(|&i| keep(grid_of(i))).collect();
    ids.sort_by_key(|&i| (grid_of(i), i));
    ids
}

pub async fn records_are_listed_by_jurisdiction(db: Arc<TestDb>) {
    let store = db.open().await;
    let n = 100;
    for schema in RECORD_SCHEMAS {
        // Inserted out of order, listed by grid and then id.
        let rows: Vec<Vec<Value>> = (1..=n).rev().map(|i| record(schema, i)).collect();
        store.insert_records(schema, &rows).await.unwrap();

        let street = ids_where(n, |g| g.is_some_and(|g| g.starts_with("440304001")));
        assert_eq!(street.len(), 60);
        let paged = pages(&store, schema, Some("440304001"), 7).await;
        assert_eq!(paged.concat(), street, "{}", schema.name);
        assert!(paged[..paged.len() - 1].iter().all(|p| p.len() == 7));
        assert_eq!(paged.len(), 9);

        for (prefix, expected) in [
            (
                "44030400100101",
                ids_where(n, |g| g == Some("44030400100101")),
            ),
            (
                "440304001001",
                ids_where(n, |g| g.is_some_and(|g| g.starts_with("440304001001"))),
            ),
            ("440304002", ids_where(n, |g| g == Some("44030400200101"))),
            // Covers every coded record; the uncoded ones are in no jurisdiction.
            ("440304", ids_where(n, |g| g.is_some())),
            ("4403040", ids_where(n, |g| g.is_some())),
            ("440305", vec![]),
            ("44030400100101999", vec![]),
            // A prefix is text, not a pattern.
            ("4403040_1", vec![]),
            ("440304%", vec![]),
        ] {
            let listed = pages(&store, schema, Some(prefix), 1_000).await.concat();
            assert_eq!(listed, expected, "{} under {prefix}", schema.name);
            let counted = store.count_records_in(schema, prefix).await.unwrap();
            assert_eq!(
                counted,
                expected.len() as u64,
                "{} under {prefix}",
                schema.name
            );
        }

        // No prefix (or an empty one) lists every record, coded or not.
        let all: Vec<i64> = (1..=n).collect();
        assert_eq!(pages(&store, schema, None, 30).await.concat(), all);
        assert_eq!(pages(&store, schema, Some(""), 1_000).await.concat(), all);
        assert_eq!(store.count_records_in(schema, "").await.unwrap(), n as u64);

        // A page starts after the given record: the rest of its grid, then the next.
        let ids = |page: Vec<Vec<Value>>| -> Vec<i64> {
            page.iter().map(|r| r[0].as_i64().unwrap()).collect()
        };
        let page = store
            .list_records(schema, Some("440304001"), 50, 3)
            .await
            .unwrap();
        assert_eq!(ids(page), [55, 60, 65]);
        let page = store
            .list_records(schema, Some("440304001"), 95, 3)
            .await
            .unwrap();
        assert_eq!(ids(page), [100, 1, 6]);
        assert!(store
            .list_records(schema, Some("440304001"), *street.last().unwrap(), 10)
            .await
            .unwrap()
            .is_empty());
        // After a record of another street, or of none, nothing of this one leaks past
        // its jurisdiction: the page is empty.
        for elsewhere in [53, 54, n + 1] {
            let page = store
                .list_records(schema, Some("440304001"), elsewhere, 10)
                .await
                .unwrap();
            assert!(page.is_empty(), "after {elsewhere}: {:?}", ids(page));
        }
        // After a record of an earlier street, a later street's page starts at its start.
        let page = store
            .list_records(schema, Some("440304002"), 50, 2)
            .await
            .unwrap();
        assert_eq!(ids(page), [3, 8]);
        assert!(store
            .list_records(schema, None, 0, 0)
            .await
            .unwrap()
            .is_empty());

        assert_eq!(
            store.get_record(schema, 42).await.unwrap(),
            Some(record(schema, 42))
        );
        assert_eq!(
            store.get_record(schema, 44).await.unwrap(),
            Some(record(schema, 44))
        );
        assert_eq!(store.get_record(schema, n + 1).await.unwrap(), None);
    }
}

/// A page of one grid, or of the whole district, comes straight off the `(grid_code,
/// id)` index, never from sorting a jurisdiction's entries; the page after a record
/// reads two index ranges, each cut at the page's size, and sorts only what they give.
pub async fn a_jurisdiction_page_comes_from_the_grid_code_index(db: Arc<TestDb>) {
    let store = db.open().await;
    // 20,000 persons in 100 grids of two streets, in id order grid by grid.
    let g = PERSONS
        .fields
        .iter()
        .position(|f| f.name == "grid_code")
        .unwrap();
    let rows: Vec<Vec<Value>> = (1..=20_000)
        .map(|id| {
            let mut row = sample_record(&PERSONS, id);
            let grid = (id - 1) / 200;
            let code = format!("44030400{}001{:02}", 1 + grid / 50, grid % 50 + 1);
            row[g] = Value::from(code.as_str());
            row
        })
        .collect();
    store.insert_records(&PERSONS, &rows).await.unwrap();
    let pg = store.backend_name() == "postgres";
    if pg {
        // As autovacuum would after a bulk load: statistics, and the visibility map
        // that lets a scan answer from the index alone.
        db.raw_execute("VACUUM ANALYZE persons").await.unwrap();
    }

    let grid = store
        .records_query_plan(&PERSONS, "44030400100107", 0)
        .await
        .unwrap();
    println!("{} plan for one grid:\n{grid}", store.backend_name());
    assert_eq!(
        store
            .count_records_in(&PERSONS, "44030400100107")
            .await
            .unwrap(),
        200
    );

    let district = store
        .records_query_plan(&PERSONS, "440304", 0)
        .await
        .unwrap();
    let next = store
        .records_query_plan(&PERSONS, "440304001", 1_234)
        .await
        .unwrap();
    println!(
        "{} plans for the district:\n{district}\nand a street's next page:\n{next}",
        store.backend_name()
    );
    for plan in [&grid, &district] {
        let sorts = match pg {
            true => plan.contains("Sort"),
            false => plan.contains("TEMP B-TREE"),
        };
        assert!(!sorts && plan.contains("persons_grid_code"), "{plan}");
    }
    let (rest_of_grid, later_grids) = match pg {
        true => (
            "(grid_code = $0) AND (id > '1234'::bigint)",
            "(grid_code > $1)",
        ),
        false => ("(grid_code=? AND rowid>?)", "(grid_code>? AND grid_code<?)"),
    };
    assert!(
        next.contains(rest_of_grid) && next.contains(later_grids),
        "{next}"
    );
    if pg {
        // Each index scan is under its limit, so a sort sees at most a page.
        assert_eq!(next.matches("Limit").count(), 3, "{next}");
    }
}
