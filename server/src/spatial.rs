//! The server's spatial state: the walking network (loaded once at start,
//! from a compact `.lcwn` file or an OpenStreetMap `.osm.pbf`), and the
//! facility index, rebuilt when the catalogue version moves, and the
//! nearest-area lookup, rebuilt after a catalogue import. Nearest search,
//! coverage and isochrones are the core's; this only caches their inputs.

use crate::store::{FacilityFilter, Store, StoreError};
use lawcircle_core::catalogue::nearest_area::AreaLookup;
use lawcircle_core::geo::nearest::{FacilityIndex, NearestError};
use lawcircle_core::geo::network::{NetworkError, WalkingNetwork};
use std::path::Path;
use std::sync::Arc;
use tokio::sync::RwLock;

/// Why the spatial state could not be built.
#[derive(Debug, thiserror::Error)]
pub enum SpatialError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Index(#[from] NearestError),
    #[error("walking network {path}: {source}")]
    Network {
        path: String,
        #[source]
        source: NetworkError,
    },
}

/// Loads a walking network: `.osm.pbf` is imported (keeping what a
/// pedestrian may use), anything else is read as the compact network file.
pub fn load_network(path: &Path) -> Result<WalkingNetwork, SpatialError> {
    let name = path.display().to_string();
    let net = if name.ends_with(".pbf") {
        lawcircle_core::geo::network::osm::import_pbf_path(path, Default::default())
    } else {
        WalkingNetwork::load(path)
    };
    net.map_err(|source| SpatialError::Network { path: name, source })
}

/// The loaded network as the `.lcwn` file phones download, with its
/// version (the first 16 hex digits of the file's sha256).
#[derive(Debug, Clone)]
pub struct NetworkFile {
    pub bytes: axum::body::Bytes,
    pub version: String,
}

/// The cached index and the network.
#[derive(Debug, Default)]
pub struct Spatial {
    network: Option<Arc<WalkingNetwork>>,
    /// Serialized once at start: the network does not change while the
    /// server runs.
    file: Option<NetworkFile>,
    index: RwLock<Option<(u64, Arc<FacilityIndex>)>>,
    /// The nearest-area lookup and the import run it was built after.
    areas: RwLock<Option<(Option<i64>, Arc<AreaLookup>)>>,
}

impl Spatial {
    pub fn new(network: Option<WalkingNetwork>) -> Self {
        // The server computes coverage: the hierarchy its reports sweep
        // is ranked here, at start, not by the first report.
        if let Some(n) = &network {
            n.prepare_coverage();
        }
        let file = network.as_ref().map(|n| {
            let bytes = n.to_bytes();
            let sha = lawcircle_core::content::sha256_hex(&bytes);
            NetworkFile {
                bytes: bytes.into(),
                version: sha[..16].to_string(),
            }
        });
        Spatial {
            network: network.map(Arc::new),
            file,
            index: RwLock::new(None),
            areas: RwLock::new(None),
        }
    }

    /// The network as a file to download, when one is loaded.
    pub fn network_file(&self) -> Option<&NetworkFile> {
        self.file.as_ref()
    }

    pub fn network(&self) -> Option<&WalkingNetwork> {
        self.network.as_deref()
    }

    /// The index of the current catalogue (active facilities), rebuilt only
    /// when the catalogue version changed since the last build.
    pub async fn index(&self, store: &Store) -> Result<Arc<FacilityIndex>, SpatialError> {
        let version = store.catalogue_version().await?;
        if let Some((v, idx)) = self.index.read().await.as_ref()
            && *v == version
        {
            return Ok(idx.clone());
        }
        let mut slot = self.index.write().await;
        if let Some((v, idx)) = slot.as_ref()
            && *v == version
        {
            return Ok(idx.clone());
        }
        let facilities = store.facilities(&FacilityFilter::default()).await?;
        let mut index = FacilityIndex::new(&facilities)?;
        if let Some(net) = &self.network {
            index.prepare_for(net);
        }
        let index = Arc::new(index);
        *slot = Some((version, index.clone()));
        Ok(index)
    }

    /// The nearest-area lookup of the stored streets and villages, rebuilt
    /// only after a catalogue import since the last build (the catalogue
    /// version follows facilities only; areas change by imports too).
    pub async fn area_lookup(&self, store: &Store) -> Result<Arc<AreaLookup>, StoreError> {
        let run = store.latest_import_run().await?;
        if let Some((r, lookup)) = self.areas.read().await.as_ref()
            && *r == run
        {
            return Ok(lookup.clone());
        }
        let mut slot = self.areas.write().await;
        if let Some((r, lookup)) = slot.as_ref()
            && *r == run
        {
            return Ok(lookup.clone());
        }
        let lookup = Arc::new(AreaLookup::new(&store.areas().await?));
        *slot = Some((run, lookup.clone()));
        Ok(lookup)
    }
}

#[cfg(test)]
mod tests {
    use super::Spatial;
    use chrono::Utc;
    use lawcircle_core::catalogue::area::{AdminArea, AreaLevel};
    use lawcircle_core::catalogue::import::{ImportBatch, RecordKind};
    use lawcircle_core::geo::coord::{Datum, GeoPoint};

    fn area(code: &str, level: AreaLevel, parent: Option<&str>, lat: f64) -> AdminArea {
        AdminArea {
            code: code.into(),
            name: code.into(),
            level,
            parent_code: parent.map(str::to_string),
            centroid: GeoPoint::new(lat, 120.8, Datum::Wgs84).unwrap(),
            boundary: None,
            population: None,
        }
    }

    fn batch(areas: Vec<AdminArea>) -> ImportBatch {
        ImportBatch {
            areas,
            facilities: Vec::new(),
            duty_posts: Vec::new(),
            skipped: Vec::new(),
        }
    }

    #[tokio::test]
    async fn the_area_lookup_follows_area_imports() {
        let dir = tempfile::tempdir().unwrap();
        for store in crate::store::test_stores(dir.path(), "area_lookup").await {
            let spatial = Spatial::default();
            let here = GeoPoint::new(27.90, 120.8, Datum::Wgs84).unwrap();
            assert!(spatial.area_lookup(&store).await.unwrap().is_empty());
            let district = area("330303", AreaLevel::District, None, 27.90);
            let s1 = area("330303001", AreaLevel::Street, Some("330303"), 27.95);
            store
                .import(
                    "a",
                    RecordKind::Areas,
                    batch(vec![district, s1]),
                    Utc::now(),
                )
                .await
                .unwrap();
            let l = spatial.area_lookup(&store).await.unwrap();
            assert_eq!(l.nearest(here).unwrap().code, "330303001");
            // The same lookup while nothing is imported.
            let again = spatial.area_lookup(&store).await.unwrap();
            assert!(std::sync::Arc::ptr_eq(&l, &again));
            // An import of areas only (no facility: the catalogue version
            // stays) is seen at once.
            let version = store.catalogue_version().await.unwrap();
            let s2 = area("330303002", AreaLevel::Street, Some("330303"), 27.91);
            store
                .import("b", RecordKind::Areas, batch(vec![s2]), Utc::now())
                .await
                .unwrap();
            assert_eq!(store.catalogue_version().await.unwrap(), version);
            let l = spatial.area_lookup(&store).await.unwrap();
            assert_eq!(l.nearest(here).unwrap().code, "330303002");
            assert_eq!(l.len(), 2);
        }
    }
}
