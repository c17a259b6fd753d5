//! The sensing network's storage (migration 7): the entities clients created, the
//! observations, and the roll-ups, for [`SensingRepo`].

use async_trait::async_trait;
use chrono::{DateTime, Datelike, Months, NaiveDate, TimeZone, Utc};
use citymirror_sensing::{
    model::StoredDoc,
    observation::{Observation, Stream},
    registry::ObservationsOf,
    repo::{EntityWrite, ObservationOrder, ObservationQuery, SensingRepo},
    rollup::{Bucket, RollupKey},
    time::TimeValue,
    EntityType,
};
use citymirror_twin::RepoError;

use crate::{
    db::{query, Db, Param, Row, SqlType, Tx},
    sql::{backend, reserve_ids, GET_META, SET_META},
    Store,
};

const OBS_COLUMNS: &str = "id, stream_id, multi, phenomenon_start, phenomenon_end, result_time, \
     result_num, result_json, result_quality, valid_start, valid_end, parameters, foi_id";

const OBS_INSERT: &[(&str, SqlType)] = &[
    ("stream_id", SqlType::Int),
    ("multi", SqlType::Bool),
    ("phenomenon_start", SqlType::Time),
    ("phenomenon_end", SqlType::Time),
    ("result_time", SqlType::Time),
    ("result_num", SqlType::Float),
    ("result_json", SqlType::Text),
    ("result_quality", SqlType::Text),
    ("valid_start", SqlType::Time),
    ("valid_end", SqlType::Time),
    ("parameters", SqlType::Text),
    ("foi_id", SqlType::Int),
];

const WATERMARK: &str = "sta_rollup_watermark";
/// The per-device rule overrides: few, read whole at start, so one document.
const RULE_OVERRIDES: &str = "sensing_rule_overrides";

fn kind_name(k: EntityType) -> &'static str {
    k.collection()
}

fn json_text(v: &Option<serde_json::Value>) -> Option<String> {
    v.as_ref().map(|v| v.to_string())
}

/// An observation's values in `OBS_INSERT` order. A numeric result goes to
/// `result_num` (what roll-ups and range queries read), anything else to `result_json`.
fn push_observation<'a>(o: &'a Observation, out: &mut Vec<Param<'a>>) {
    let (num, json) = match o.number() {
        Some(v) if o.result.is_number() => (Some(v), None),
        _ => (None, Some(o.result.to_string())),
    };
    out.extend([
        Param::from(o.stream.id()),
        matches!(o.stream, Stream::Multi(_)).into(),
        o.phenomenon_time.start.into(),
        o.phenomenon_time.end.into(),
        o.result_time.into(),
        num.into(),
        json.into(),
        json_text(&o.result_quality).into(),
        o.valid_time.map(|v| v.start).into(),
        o.valid_time.and_then(|v| v.end).into(),
        json_text(&o.parameters).into(),
        o.foi.into(),
    ]);
}

fn parse_json(text: Option<&str>, what: &str) -> Result<Option<serde_json::Value>, RepoError> {
    text.map(|t| {
        serde_json::from_str(t).map_err(|e| RepoError::Corrupt(format!("observation {what}: {e}")))
    })
    .transpose()
}

fn read_observation(row: &Row) -> Result<Observation, RepoError> {
    let id: i64 = row.get(0)?;
    let stream: i64 = row.get(1)?;
    let multi: bool = row.get(2)?;
    let num: Option<f64> = row.get(6)?;
    let result = match parse_json(row.get(7)?, "result")? {
        Some(v) => v,
        None => num
            .map(serde_json::Value::from)
            .unwrap_or(serde_json::Value::Null),
    };
    let valid_start: Option<DateTime<Utc>> = row.get(9)?;
    let valid_end: Option<DateTime<Utc>> = row.get(10)?;
    Ok(Observation {
        id,
        stream: if multi {
            Stream::Multi(stream)
        } else {
            Stream::Datastream(stream)
        },
        phenomenon_time: TimeValue {
            start: row.get(3)?,
            end: row.get(4)?,
        },
        result_time: row.get(5)?,
        result,
        result_quality: parse_json(row.get(8)?, "resultQuality")?,
        valid_time: valid_start.map(|start| TimeValue {
            start,
            end: valid_end,
        }),
        parameters: parse_json(row.get(11)?, "parameters")?,
        foi: row.get(12)?,
    })
}

/// The WHERE clause and its parameters for a query's owner and time bounds.
fn conditions(q: &ObservationQuery) -> (String, Vec<Param<'static>>) {
    let mut cond = Vec::new();
    let mut params: Vec<Param<'static>> = Vec::new();
    let next = |p: Param<'static>, params: &mut Vec<Param<'static>>| {
        params.push(p);
        format!("${}", params.len())
    };
    match q.of {
        Some(ObservationsOf::Stream(s)) => {
            let n = next(s.id().into(), &mut params);
            cond.push(format!("stream_id = {n}"));
        }
        Some(ObservationsOf::Feature(f)) => {
            let n = next(f.into(), &mut params);
            cond.push(format!("foi_id = {n}"));
        }
        None => {}
    }
    if let Some(from) = q.from {
        let n = next(from.into(), &mut params);
        cond.push(format!("phenomenon_start >= {n}"));
    }
    if let Some(to) = q.to {
        let n = next(to.into(), &mut params);
        cond.push(format!("phenomenon_start <= {n}"));
    }
    let clause = if cond.is_empty() {
        String::new()
    } else {
        format!(" WHERE {}", cond.join(" AND "))
    };
    (clause, params)
}

async fn purge(tx: &mut Tx, of: &ObservationsOf) -> Result<(), RepoError> {
    let (sql, id) = match of {
        ObservationsOf::Stream(s) => ("DELETE FROM sta_observations WHERE stream_id = $1", s.id()),
        ObservationsOf::Feature(f) => ("DELETE FROM sta_observations WHERE foi_id = $1", *f),
    };
    query(sql)
        .bind(id)
        .execute(&mut *tx)
        .await
        .map_err(backend("cannot delete observations"))?;
    if let ObservationsOf::Stream(s) = of {
        query("DELETE FROM sta_rollups WHERE stream_id = $1")
            .bind(s.id())
            .execute(&mut *tx)
            .await
            .map_err(backend("cannot delete roll-ups"))?;
    }
    Ok(())
}

async fn insert_observations(tx: &mut Tx, obs: &[Observation]) -> Result<Vec<i64>, RepoError> {
    let mut ids = Vec::with_capacity(obs.len());
    // Bounded statements: SQLite takes at most 32,766 parameters, 12 a row.
    for chunk in obs.chunks(2000) {
        let rows = tx
            .insert_rows(
                "sta_observations",
                OBS_INSERT,
                chunk,
                |o, out| {
                    push_observation(o, out);
                    Ok(())
                },
                "RETURNING id",
                backend("cannot store observations"),
            )
            .await?;
        let mut got = rows
            .iter()
            .map(|r| r.get::<i64>(0))
            .collect::<Result<Vec<_>, _>>()?;
        // Ids come from one sequence in the order rows are inserted; RETURNING need
        // not list them in that order.
        got.sort_unstable();
        ids.extend(got);
    }
    Ok(ids)
}

fn month_start(t: DateTime<Utc>) -> NaiveDate {
    NaiveDate::from_ymd_opt(t.year(), t.month(), 1).unwrap_or(t.date_naive())
}

#[async_trait]
impl SensingRepo for Store {
    async fn load_entities(&self) -> Result<Vec<(EntityType, i64, StoredDoc)>, RepoError> {
        query("SELECT id, kind, doc FROM sta_entities ORDER BY id")
            .fetch_all(&self.db)
            .await
            .map_err(backend("cannot read SensorThings entities"))?
            .iter()
            .map(|row| {
                let kind: &str = row.get(1)?;
                let kind = EntityType::from_collection(kind)
                    .ok_or_else(|| RepoError::Corrupt(format!("entity kind `{kind}`")))?;
                let doc = serde_json::from_str(row.get::<&str>(2)?)
                    .map_err(|e| RepoError::Corrupt(format!("entity document: {e}")))?;
                Ok((kind, row.get(0)?, doc))
            })
            .collect()
    }

    async fn reserve_entity_ids(&self, n: u64) -> Result<i64, RepoError> {
        query(reserve_ids("sta_entities"))
            .bind("sta_entities")
            .bind(n as i64)
            .fetch_one(&self.db)
            .await
            .map_err(backend("cannot reserve entity ids"))?
            .get(0)
    }

    async fn write_entities(&self, w: &EntityWrite) -> Result<Vec<i64>, RepoError> {
        let mut tx = self
            .db
            .begin()
            .await
            .map_err(backend("cannot start a write"))?;
        for of in &w.purge {
            purge(&mut tx, of).await?;
        }
        for (_, id) in &w.delete {
            query("DELETE FROM sta_entities WHERE id = $1")
                .bind(*id)
                .execute(&mut tx)
                .await
                .map_err(backend("cannot delete an entity"))?;
        }
        for (kind, id, doc) in &w.put {
            let text = serde_json::to_string(doc).map_err(|e| RepoError::Backend(e.to_string()))?;
            query(
                "INSERT INTO sta_entities (id, kind, doc) VALUES ($1, $2, $3) \
                 ON CONFLICT (id) DO UPDATE SET doc = excluded.doc",
            )
            .bind(*id)
            .bind(kind_name(*kind))
            .bind(text)
            .execute(&mut tx)
            .await
            .map_err(backend("cannot store an entity"))?;
        }
        let ids = insert_observations(&mut tx, &w.observations).await?;
        tx.commit()
            .await
            .map_err(backend("cannot commit entities"))?;
        Ok(ids)
    }

    async fn insert_observations(&self, obs: &[Observation]) -> Result<Vec<i64>, RepoError> {
        if obs.is_empty() {
            return Ok(Vec::new());
        }
        let mut tx = self
            .db
            .begin()
            .await
            .map_err(backend("cannot start a write"))?;
        let ids = insert_observations(&mut tx, obs).await?;
        tx.commit()
            .await
            .map_err(backend("cannot commit observations"))?;
        Ok(ids)
    }

    async fn observation(&self, id: i64) -> Result<Option<Observation>, RepoError> {
        query(format!(
            "SELECT {OBS_COLUMNS} FROM sta_observations WHERE id = $1"
        ))
        .bind(id)
        .fetch_optional(&self.db)
        .await
        .map_err(backend("cannot read an observation"))?
        .map(|r| read_observation(&r))
        .transpose()
    }

    async fn observations(&self, q: &ObservationQuery) -> Result<Vec<Observation>, RepoError> {
        let (clause, params) = conditions(q);
        let order = match q.order {
            ObservationOrder::IdAsc => "id",
            ObservationOrder::IdDesc => "id DESC",
            ObservationOrder::TimeAsc => "phenomenon_start, id",
            ObservationOrder::TimeDesc => "phenomenon_start DESC, id DESC",
        };
        let n = params.len();
        let mut sql = query(format!(
            "SELECT {OBS_COLUMNS} FROM sta_observations{clause} ORDER BY {order} LIMIT ${} OFFSET ${}",
            n + 1,
            n + 2
        ));
        for p in params {
            sql = sql.bind(p);
        }
        sql.bind(q.limit as i64)
            .bind(q.offset as i64)
            .fetch_all(&self.db)
            .await
            .map_err(backend("cannot read observations"))?
            .iter()
            .map(read_observation)
            .collect()
    }

    async fn count_observations(&self, q: &ObservationQuery) -> Result<u64, RepoError> {
        let (clause, params) = conditions(q);
        let mut sql = query(format!("SELECT COUNT(*) FROM sta_observations{clause}"));
        for p in params {
            sql = sql.bind(p);
        }
        let n: i64 = sql
            .fetch_one(&self.db)
            .await
            .map_err(backend("cannot count observations"))?
            .get(0)?;
        Ok(n as u64)
    }

    async fn replace_observation(&self, o: &Observation) -> Result<bool, RepoError> {
        let mut tx = self
            .db
            .begin()
            .await
            .map_err(backend("cannot start a write"))?;
        let gone = query("DELETE FROM sta_observations WHERE id = $1")
            .bind(o.id)
            .execute(&mut tx)
            .await
            .map_err(backend("cannot replace an observation"))?;
        if gone == 0 {
            return Ok(false);
        }
        // Re-inserted under its own id: its phenomenonTime (the partition key) may move.
        let mut params = vec![Param::from(o.id)];
        push_observation(o, &mut params);
        let names: Vec<&str> = OBS_INSERT.iter().map(|(n, _)| *n).collect();
        let marks: Vec<String> = (1..=params.len()).map(|i| format!("${i}")).collect();
        let mut sql = query(format!(
            "INSERT INTO sta_observations (id, {}) VALUES ({})",
            names.join(", "),
            marks.join(", ")
        ));
        for p in params {
            sql = sql.bind(p);
        }
        sql.execute(&mut tx)
            .await
            .map_err(backend("cannot replace an observation"))?;
        tx.commit()
            .await
            .map_err(backend("cannot commit an observation"))?;
        Ok(true)
    }

    async fn delete_observation(&self, id: i64) -> Result<bool, RepoError> {
        let n = query("DELETE FROM sta_observations WHERE id = $1")
            .bind(id)
            .execute(&self.db)
            .await
            .map_err(backend("cannot delete an observation"))?;
        Ok(n > 0)
    }

    async fn merge_rollups(
        &self,
        deltas: &[(RollupKey, Bucket)],
        watermark: i64,
    ) -> Result<(), RepoError> {
        // The one dialect difference: SQLite's two-argument MIN/MAX are PostgreSQL's
        // LEAST/GREATEST.
        let (least, greatest) = match &self.db {
            Db::Sqlite(_) => ("MIN", "MAX"),
            Db::Postgres(_) => ("LEAST", "GREATEST"),
        };
        let tail = format!(
            "ON CONFLICT (stream_id, resolution, bucket) DO UPDATE SET \
             n = sta_rollups.n + excluded.n, sum = sta_rollups.sum + excluded.sum, \
             min = {least}(sta_rollups.min, excluded.min), max = {greatest}(sta_rollups.max, excluded.max)"
        );
        let mut tx = self
            .db
            .begin()
            .await
            .map_err(backend("cannot start a write"))?;
        for chunk in deltas.chunks(4000) {
            tx.insert_rows(
                "sta_rollups",
                &[
                    ("stream_id", SqlType::Int),
                    ("resolution", SqlType::Int),
                    ("bucket", SqlType::Time),
                    ("n", SqlType::Int),
                    ("sum", SqlType::Float),
                    ("min", SqlType::Float),
                    ("max", SqlType::Float),
                ],
                chunk,
                |(k, b), out| {
                    out.extend([
                        Param::from(k.stream),
                        k.resolution.into(),
                        k.start.into(),
                        b.count.into(),
                        b.sum.into(),
                        b.min.into(),
                        b.max.into(),
                    ]);
                    Ok(())
                },
                &tail,
                backend("cannot merge roll-ups"),
            )
            .await?;
        }
        query(SET_META)
            .bind(WATERMARK)
            .bind(watermark.to_string())
            .execute(&mut tx)
            .await
            .map_err(backend("cannot record the roll-up watermark"))?;
        tx.commit().await.map_err(backend("cannot commit roll-ups"))
    }

    async fn rollup_watermark(&self) -> Result<i64, RepoError> {
        let v: Option<String> = query(GET_META)
            .bind(WATERMARK)
            .fetch_optional(&self.db)
            .await
            .map_err(backend("cannot read the roll-up watermark"))?
            .map(|r| r.get::<String>(0))
            .transpose()?;
        v.map_or(Ok(0), |s| {
            s.parse()
                .map_err(|_| RepoError::Corrupt(format!("watermark `{s}`")))
        })
    }

    async fn rule_overrides(&self) -> Result<Option<String>, RepoError> {
        query(GET_META)
            .bind(RULE_OVERRIDES)
            .fetch_optional(&self.db)
            .await
            .map_err(backend("cannot read the sensor rule overrides"))?
            .map(|r| r.get::<String>(0))
            .transpose()
    }

    async fn put_rule_overrides(&self, doc: &str) -> Result<(), RepoError> {
        query(SET_META)
            .bind(RULE_OVERRIDES)
            .bind(doc)
            .execute(&self.db)
            .await
            .map_err(backend("cannot store the sensor rule overrides"))?;
        Ok(())
    }

    async fn rollups(
        &self,
        stream: i64,
        resolution: i64,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<(DateTime<Utc>, Bucket)>, RepoError> {
        query(
            "SELECT bucket, n, sum, min, max FROM sta_rollups \
             WHERE stream_id = $1 AND resolution = $2 AND bucket >= $3 AND bucket <= $4 ORDER BY bucket",
        )
        .bind(stream)
        .bind(resolution)
        .bind(from)
        .bind(to)
        .fetch_all(&self.db)
        .await
        .map_err(backend("cannot read roll-ups"))?
        .iter()
        .map(|r| {
            Ok((
                r.get(0)?,
                Bucket { count: r.get(1)?, sum: r.get(2)?, min: r.get(3)?, max: r.get(4)? },
            ))
        })
        .collect()
    }

    async fn observations_after(&self, id: i64, limit: u64) -> Result<Vec<Observation>, RepoError> {
        query(format!(
            "SELECT {OBS_COLUMNS} FROM sta_observations WHERE id > $1 ORDER BY id LIMIT $2"
        ))
        .bind(id)
        .bind(limit as i64)
        .fetch_all(&self.db)
        .await
        .map_err(backend("cannot read observations"))?
        .iter()
        .map(read_observation)
        .collect()
    }

    async fn prune(&self, before: DateTime<Utc>) -> Result<u64, RepoError> {
        let mut gone = 0;
        if let Db::Postgres(_) = &self.db {
            // Whole months before the cutoff go by dropping their partition.
            let parts = query(
                "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid \
                 JOIN pg_class p ON p.oid = i.inhparent WHERE p.relname = 'sta_observations' \
                 AND c.relname LIKE 'sta_observations_p%'",
            )
            .fetch_all(&self.db)
            .await
            .map_err(backend("cannot list partitions"))?;
            for row in parts {
                let name: String = row.get(0)?;
                let Some(month) =
                    NaiveDate::parse_from_str(&format!("{}01", &name[18..]), "%Y%m%d").ok()
                else {
                    continue;
                };
                let end = month + Months::new(1);
                if Utc.from_utc_datetime(&end.and_hms_opt(0, 0, 0).unwrap_or_default()) <= before {
                    query(format!("DROP TABLE IF EXISTS {name}"))
                        .execute(&self.db)
                        .await
                        .map_err(backend("cannot drop a partition"))?;
                }
            }
        }
        gone += query("DELETE FROM sta_observations WHERE phenomenon_start < $1")
            .bind(before)
            .execute(&self.db)
            .await
            .map_err(backend("cannot prune observations"))?;
        query("DELETE FROM sta_rollups WHERE bucket < $1")
            .bind(before)
            .execute(&self.db)
            .await
            .map_err(backend("cannot prune roll-ups"))?;
        Ok(gone)
    }

    async fn prepare_partitions(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<(), RepoError> {
        let Db::Postgres(_) = &self.db else {
            return Ok(());
        };
        let mut month = month_start(from);
        while month <= to.date_naive() {
            let next = month + Months::new(1);
            let name = format!("sta_observations_p{}", month.format("%Y%m"));
            // A month whose rows already sit in the default partition cannot be split
            // off without moving them; it stays there (still found, still pruned).
            let made = query(format!(
                "CREATE TABLE IF NOT EXISTS {name} PARTITION OF sta_observations \
                 FOR VALUES FROM ('{month} 00:00:00+00') TO ('{next} 00:00:00+00')"
            ))
            .execute(&self.db)
            .await;
            if let Err(e) = made {
                tracing::warn!("observations of {month}: kept in the default partition ({e})");
            }
            month = next;
        }
        Ok(())
    }
}
