//! The twin's layers: [`TwinRepo`], one table per layer (see `sql.rs` for its columns).

use async_trait::async_trait;
use citymirror_core::LayerId;
use citymirror_twin::{Feature, FeatureId, RepoError, TwinRepo};
use futures_util::TryStreamExt as _;

use crate::{
    db::{query, Row},
    sql::{self, backend},
    Store,
};

/// A feature from a row of [`sql::select_layer`].
fn read_feature(layer: LayerId, row: &Row) -> Result<Feature, RepoError> {
    let id: i64 = row.get(0)?;
    let geometry = sql::decode_geometry(id, row.get(1)?)?;
    let updated_at = row.get(2)?;
    let props = layer
        .schema()
        .properties
        .iter()
        .enumerate()
        .map(|(i, def)| sql::read_value(row, sql::SELECT_LAYER_FIXED + i, def))
        .collect::<Result<_, _>>()?;
    Ok(Feature {
        id,
        geometry,
        props,
        updated_at,
    })
}

#[async_trait]
impl TwinRepo for Store {
    async fn load_layer(&self, layer: LayerId) -> Result<Vec<Feature>, RepoError> {
        let q = query(sql::select_layer(layer));
        let mut rows = q.fetch(&self.db);
        let mut out = Vec::new();
        while let Some(row) = rows
            .try_next()
            .await
            .map_err(backend(format_args!("cannot read layer `{layer}`")))?
        {
            out.push(read_feature(layer, &row)?);
        }
        Ok(out)
    }

    async fn get_feature(
        &self,
        layer: LayerId,
        id: FeatureId,
    ) -> Result<Option<Feature>, RepoError> {
        query(sql::select_feature(layer))
            .bind(id)
            .fetch_optional(&self.db)
            .await
            .map_err(backend(format_args!("cannot read {layer} {id}")))?
            .map(|row| read_feature(layer, &row))
            .transpose()
    }

    async fn insert_features(&self, layer: LayerId, features: &[Feature]) -> Result<(), RepoError> {
        self.insert_all(
            layer.as_str(),
            &sql::layer_columns(layer),
            features,
            |f, out| sql::feature_params(layer, f, out),
            "",
        )
        .await
    }

    async fn replace_feature(&self, layer: LayerId, feature: &Feature) -> Result<bool, RepoError> {
        let id = feature.id;
        let mut params = Vec::new();
        sql::feature_params(layer, feature, &mut params)?;
        // The UPDATE sets every column but the id first, then takes the id for WHERE.
        params.rotate_left(1);
        let q = params
            .into_iter()
            .fold(query(sql::update_feature(layer)), |q, p| q.bind(p));
        let changed = q.execute(&self.db).await.map_err(backend(format_args!(
            "cannot replace feature {id} in `{layer}`"
        )))?;
        Ok(changed > 0)
    }

    async fn delete_feature(&self, layer: LayerId, id: FeatureId) -> Result<bool, RepoError> {
        let changed = query(sql::delete_feature(layer))
            .bind(id)
            .execute(&self.db)
            .await
            .map_err(backend(format_args!(
                "cannot delete feature {id} from `{layer}`"
            )))?;
        Ok(changed > 0)
    }

    async fn max_feature_id(&self, layer: LayerId) -> Result<FeatureId, RepoError> {
        query(sql::max_id(layer.as_str()))
            .fetch_one(&self.db)
            .await
            .map_err(backend(format_args!(
                "cannot read the highest id of `{layer}`"
            )))?
            .get(0)
    }

    async fn reserve_feature_ids(&self, layer: LayerId, n: u64) -> Result<FeatureId, RepoError> {
        query(sql::reserve_ids(layer.as_str()))
            .bind(layer.as_str())
            .bind(n as i64)
            .fetch_one(&self.db)
            .await
            .map_err(backend(format_args!("cannot reserve ids for `{layer}`")))?
            .get(0)
    }

    async fn count_features(&self, layer: LayerId) -> Result<u64, RepoError> {
        self.count(layer.as_str()).await
    }

    async fn set_meta(&self, key: &str, value: &str) -> Result<(), RepoError> {
        query(sql::SET_META)
            .bind(key)
            .bind(value)
            .execute(&self.db)
            .await
            .map_err(backend(format_args!("cannot set meta `{key}`")))?;
        Ok(())
    }

    async fn get_meta(&self, key: &str) -> Result<Option<String>, RepoError> {
        query(sql::GET_META)
            .bind(key)
            .fetch_optional(&self.db)
            .await
            .map_err(backend(format_args!("cannot read meta `{key}`")))?
            .map(|row| row.get(0))
            .transpose()
    }
}
