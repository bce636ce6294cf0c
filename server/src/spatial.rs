//! The server's spatial state: the walking network (loaded once at start,
//! from a compact `.lcwn` file or an OpenStreetMap `.osm.pbf`), and the
//! facility index, rebuilt when the catalogue version moves. Nearest search,
//! coverage and isochrones are the core's; this only caches their inputs.

use crate::store::{FacilityFilter, Store, StoreError};
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
}
