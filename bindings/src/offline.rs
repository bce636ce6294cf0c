//! The phone's offline copy (离线数据) of what the platform publishes: the
//! facility catalogue, the duty posts and the application forms, with the
//! last signed-in account. Kept in one JSON snapshot beside the outbox
//! database (`<database>.offline.json`), written to a temporary file and
//! renamed into place, so a crash mid-write leaves the previous copy.
//!
//! Nearest search and coverage at the user's spot run on this copy with
//! the core's [`FacilityIndex`], on a walking network file when one is
//! loaded and on the straight line × detour estimate otherwise: no network
//! connection is needed once the catalogue was fetched.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};

use chrono::{DateTime, NaiveDateTime, Utc};
use lawcircle_api::catalogue::DutyPostCollection;
use lawcircle_core::applications::ServiceDefinition;
use lawcircle_core::catalogue::area::AdminArea;
use lawcircle_core::catalogue::duty_post::DutyPost;
use lawcircle_core::catalogue::facility::{Facility, FacilityKind, ServiceProduct};
use lawcircle_core::catalogue::import::{self, Format, ImportOptions, NoPhotos, RecordKind};
use lawcircle_core::geo::nearest::{FacilityIndex, NearestQuery};
use lawcircle_core::geo::network::DistanceBasis;
use lawcircle_core::geo::network::WalkingNetwork;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::client::{Account, LawCircleClient, decode};
use crate::runtime::{run, run_blocking};
use crate::{LawCircleError, Point};

/// Bumped when the snapshot's shape changes; an older file is ignored and
/// fetched again.
const SNAPSHOT_FORMAT: u32 = 1;

/// What is kept on the phone.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub(crate) struct Snapshot {
    format: u32,
    /// The server's catalogue version the facilities are at.
    catalogue_version: u64,
    /// When the catalogue was last fetched (ms since the epoch).
    refreshed_at_ms: i64,
    facilities: Vec<Facility>,
    duty_posts: Vec<DutyPost>,
    services: Vec<ServiceDefinition>,
    account: Option<Account>,
    /// The district, its streets and villages/communities (absent from
    /// snapshots written before areas were kept: fetched on refresh).
    #[serde(default)]
    pub(crate) areas: Vec<AdminArea>,
}

/// The snapshot with its index, swapped whole on refresh.
pub(crate) struct Loaded {
    pub(crate) snapshot: Snapshot,
    index: FacilityIndex,
}

impl Loaded {
    fn new(snapshot: Snapshot) -> Result<Self, LawCircleError> {
        let index = FacilityIndex::new(&snapshot.facilities)?;
        Ok(Loaded { snapshot, index })
    }
}

/// The offline state of one client.
pub(crate) struct OfflineState {
    path: PathBuf,
    loaded: RwLock<Arc<Loaded>>,
    network: RwLock<Option<Arc<WalkingNetwork>>>,
}

fn poisoned() -> LawCircleError {
    LawCircleError::internal("the offline state lock was poisoned by a panic")
}

impl OfflineState {
    /// Reads the snapshot beside `database` (none yet is fine).
    pub(crate) fn open(database: &Path) -> Result<Self, LawCircleError> {
        let mut name = database.as_os_str().to_owned();
        name.push(".offline.json");
        let path = PathBuf::from(name);
        let snapshot = match std::fs::read(&path) {
            Ok(bytes) => match serde_json::from_slice::<Snapshot>(&bytes) {
                Ok(s) if s.format == SNAPSHOT_FORMAT => s,
                // Unreadable or older: start empty, the next refresh
                // fetches everything again; nothing of the user's is lost
                // (their work is in the outbox).
                _ => Snapshot::default(),
            },
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Snapshot::default(),
            Err(e) => {
                return Err(LawCircleError::invalid(
                    "database_path",
                    format!("cannot read {}: {e}", path.display()),
                ));
            }
        };
        Ok(OfflineState {
            path,
            loaded: RwLock::new(Arc::new(Loaded::new(snapshot)?)),
            network: RwLock::new(None),
        })
    }

    pub(crate) fn current(&self) -> Result<Arc<Loaded>, LawCircleError> {
        self.loaded
            .read()
            .map(|l| l.clone())
            .map_err(|_| poisoned())
    }

    /// Writes `snapshot` durably, then makes it current.
    fn replace(&self, snapshot: Snapshot) -> Result<(), LawCircleError> {
        let mut loaded = Loaded::new(snapshot)?;
        if let Some(net) = self.network()? {
            loaded.index.prepare_for(&net);
        }
        let bytes = serde_json::to_vec(&loaded.snapshot).map_err(LawCircleError::internal)?;
        let mut tmp = self.path.as_os_str().to_owned();
        tmp.push(".tmp");
        let tmp = PathBuf::from(tmp);
        let write = || -> std::io::Result<()> {
            use std::io::Write;
            let mut f = std::fs::File::create(&tmp)?;
            f.write_all(&bytes)?;
            f.sync_all()?;
            std::fs::rename(&tmp, &self.path)
        };
        write().map_err(|e| {
            LawCircleError::internal(format!("cannot write {}: {e}", self.path.display()))
        })?;
        *self.loaded.write().map_err(|_| poisoned())? = Arc::new(loaded);
        Ok(())
    }

    fn update(&self, f: impl FnOnce(&mut Snapshot)) -> Result<(), LawCircleError> {
        let mut snapshot = self.current()?.snapshot.clone();
        snapshot.format = SNAPSHOT_FORMAT;
        f(&mut snapshot);
        self.replace(snapshot)
    }

    pub(crate) fn account(&self) -> Option<Account> {
        self.current().ok().and_then(|l| l.snapshot.account.clone())
    }

    pub(crate) fn set_account(&self, account: &Account) -> Result<(), LawCircleError> {
        if self.account().as_ref() == Some(account) {
            return Ok(());
        }
        self.update(|s| s.account = Some(account.clone()))
    }

    /// Forgets the signed-in account (sign-out).
    pub(crate) fn clear_account(&self) -> Result<(), LawCircleError> {
        if self.account().is_none() {
            return Ok(());
        }
        self.update(|s| s.account = None)
    }

    pub(crate) fn duty_posts(&self) -> Result<Vec<DutyPost>, LawCircleError> {
        Ok(self.current()?.snapshot.duty_posts.clone())
    }

    pub(crate) fn services(&self) -> Result<Vec<ServiceDefinition>, LawCircleError> {
        Ok(self.current()?.snapshot.services.clone())
    }

    pub(crate) fn set_services(
        &self,
        services: Vec<ServiceDefinition>,
    ) -> Result<(), LawCircleError> {
        self.update(|s| s.services = services)
    }

    fn network(&self) -> Result<Option<Arc<WalkingNetwork>>, LawCircleError> {
        self.network
            .read()
            .map(|n| n.clone())
            .map_err(|_| poisoned())
    }
}

/// What the phone holds offline.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct OfflineStatus {
    pub catalogue_version: u64,
    /// Active (not retired) facilities.
    pub facilities: u32,
    pub duty_posts: u32,
    pub service_forms: u32,
    /// When the catalogue was last fetched (ms since the epoch); 0: never.
    pub refreshed_at_ms: i64,
    /// Whether a walking network is loaded (distances on foot, not
    /// estimated).
    pub walking_network: bool,
}

/// A loaded walking network.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct NetworkInfo {
    pub nodes: u64,
    pub edges: u64,
    pub km_of_way: f64,
}

/// A nearest-facility search (就近查找).
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct NearbyQuery {
    /// Where the user stands, in any datum.
    pub point: Point,
    /// How many at most.
    pub k: u32,
    /// Facility kinds (any of them); empty: all.
    pub kinds: Vec<FacilityKind>,
    /// Service products (all of them); empty: any.
    pub products: Vec<ServiceProduct>,
    /// Only places open at this moment (ms since the epoch).
    pub open_at_ms: Option<i64>,
    /// Only places within this walking distance, in metres.
    pub max_distance_m: Option<f64>,
    /// The moment `NearbyPlace::open_now` is told for (ms since the
    /// epoch, read in China time, Asia/Shanghai); `None`: now.
    #[uniffi(default = None)]
    pub at_ms: Option<i64>,
}

/// One facility found, nearest first.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct NearbyPlace {
    pub facility_id: String,
    pub name: String,
    pub kind: FacilityKind,
    /// The kind in Chinese, e.g. 公共法律服务中心/站点.
    pub kind_name: String,
    pub address: String,
    pub phone: Option<String>,
    /// The facility's position, in the datum of the query point (so a map
    /// SDK can pin it without converting).
    pub point: Point,
    /// The products offered.
    pub products: Vec<ServiceProduct>,
    pub straight_m: f64,
    /// On foot: on the walking network, or straight line × detour when
    /// `walking_estimated`; `None` when unreachable on the network.
    pub walking_m: Option<f64>,
    pub walking_minutes: Option<f64>,
    /// True when no walking network is loaded (the distance is estimated).
    pub walking_estimated: bool,
    /// Within the 15-minute walk (1.2 km).
    pub within_circle: bool,
    /// The weekly opening hours, e.g. `Mo-Fr 08:30-12:00,13:30-17:30`
    /// (`24/7` when always open).
    pub opening_hours: String,
    /// Days that differ (holidays, make-up working days), e.g.
    /// `2025-10-01 off`; empty when none.
    pub opening_exceptions: String,
    /// Open at the query's `at_ms` (now by default), in China time.
    pub open_now: bool,
}

/// One service product at the user's spot.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct ProductCoverage {
    pub product: ServiceProduct,
    /// In Chinese, e.g. 法律援助.
    pub product_name: String,
    /// The nearest facility offering it, if any is reachable.
    pub nearest: Option<NearbyPlace>,
    /// Within the 15-minute walk.
    pub covered: bool,
}

/// Coverage at the user's spot (所在位置覆盖情况): which of the plan's eight
/// service products are within a 15-minute walk.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct SpotCoverage {
    pub products: Vec<ProductCoverage>,
    pub covered: u32,
    pub total: u32,
    pub walking_estimated: bool,
}

fn place(
    f: &Facility,
    found: &lawcircle_core::geo::nearest::NearbyFacility,
    datum: lawcircle_core::geo::coord::Datum,
    at: NaiveDateTime,
) -> NearbyPlace {
    NearbyPlace {
        facility_id: f.id.clone(),
        name: f.name.clone(),
        kind: f.kind,
        kind_name: f.kind.name_zh().to_string(),
        address: f.address.clone(),
        phone: f.phone.clone(),
        point: f.point.to_datum(datum).into(),
        products: f.products.iter().copied().collect(),
        straight_m: found.straight_m,
        walking_m: found.walking_m,
        walking_minutes: found.walking_minutes,
        walking_estimated: found.distance_basis != DistanceBasis::Walking,
        within_circle: found
            .walking_m
            .is_some_and(|w| w <= lawcircle_core::FIFTEEN_MINUTE_WALK_M),
        opening_hours: f.opening_hours.weekly_text(),
        opening_exceptions: f.opening_hours.exceptions_text(),
        open_now: f.opening_hours.is_open_at(at),
    }
}

pub(crate) fn china_local(field: &str, ms: i64) -> Result<NaiveDateTime, LawCircleError> {
    let at = DateTime::<Utc>::from_timestamp_millis(ms)
        .ok_or_else(|| LawCircleError::invalid(field, "out of range"))?;
    Ok(at
        .with_timezone(&lawcircle_core::calendar::china_time())
        .naive_local())
}

impl OfflineState {
    pub(crate) fn status(&self) -> Result<OfflineStatus, LawCircleError> {
        let l = self.current()?;
        let s = &l.snapshot;
        Ok(OfflineStatus {
            catalogue_version: s.catalogue_version,
            facilities: s.facilities.iter().filter(|f| !f.retired).count() as u32,
            duty_posts: s.duty_posts.iter().filter(|p| !p.retired).count() as u32,
            service_forms: s.services.len() as u32,
            refreshed_at_ms: s.refreshed_at_ms,
            walking_network: self.network()?.is_some(),
        })
    }

    pub(crate) fn nearest(&self, q: &NearbyQuery) -> Result<Vec<NearbyPlace>, LawCircleError> {
        let point: lawcircle_core::geo::coord::GeoPoint = q.point.try_into()?;
        let mut query = NearestQuery::k_nearest(point, q.k as usize)
            .with_kinds(q.kinds.clone())
            .with_products(q.products.clone());
        if let Some(ms) = q.open_at_ms {
            query = query.open_at(china_local("open_at_ms", ms)?);
        }
        let at = china_local(
            "at_ms",
            q.at_ms.unwrap_or_else(|| Utc::now().timestamp_millis()),
        )?;
        if let Some(m) = q.max_distance_m {
            if !(m.is_finite() && m > 0.0) {
                return Err(LawCircleError::invalid(
                    "max_distance_m",
                    "must be a positive number of metres",
                ));
            }
            query = query.max_distance(m);
        }
        let loaded = self.current()?;
        let network = self.network()?;
        let found = loaded.index.nearest(&query, network.as_deref())?;
        Ok(found
            .iter()
            .filter_map(|n| {
                loaded
                    .index
                    .facility(&n.facility_id)
                    .map(|f| place(f, n, point.datum, at))
            })
            .collect())
    }

    pub(crate) fn coverage_at(&self, point: Point) -> Result<SpotCoverage, LawCircleError> {
        let mut products = Vec::new();
        for p in ServiceProduct::ALL {
            let nearest = self
                .nearest(&NearbyQuery {
                    point,
                    k: 1,
                    kinds: vec![],
                    products: vec![p],
                    open_at_ms: None,
                    max_distance_m: None,
                    at_ms: None,
                })?
                .into_iter()
                .next();
            products.push(ProductCoverage {
                product: p,
                product_name: p.name_zh().to_string(),
                covered: nearest.as_ref().is_some_and(|n| n.within_circle),
                nearest,
            });
        }
        Ok(SpotCoverage {
            covered: products.iter().filter(|p| p.covered).count() as u32,
            total: products.len() as u32,
            walking_estimated: self.network()?.is_none(),
            products,
        })
    }

    /// The loaded walking network's figures, if one is loaded.
    pub(crate) fn network_info(&self) -> Result<Option<NetworkInfo>, LawCircleError> {
        Ok(self.network()?.map(|net| NetworkInfo {
            nodes: net.node_count() as u64,
            edges: net.edge_count() as u64,
            km_of_way: net.total_km(),
        }))
    }

    pub(crate) fn load_network(&self, path: &str) -> Result<NetworkInfo, LawCircleError> {
        let net = WalkingNetwork::load(path)?;
        net.prepare_snapping();
        let info = NetworkInfo {
            nodes: net.node_count() as u64,
            edges: net.edge_count() as u64,
            km_of_way: net.total_km(),
        };
        let net = Arc::new(net);
        // Snap the facilities once, on a fresh copy of the index.
        let current = self.current()?;
        let mut index = current.index.clone();
        index.prepare_for(&net);
        *self.network.write().map_err(|_| poisoned())? = Some(net);
        *self.loaded.write().map_err(|_| poisoned())? = Arc::new(Loaded {
            snapshot: current.snapshot.clone(),
            index,
        });
        Ok(info)
    }

    /// Merges a catalogue pull into the snapshot.
    fn merge(
        &self,
        version: u64,
        features: Vec<Value>,
        full: bool,
        duty_posts: Vec<DutyPost>,
        areas: Vec<AdminArea>,
        now: DateTime<Utc>,
    ) -> Result<(), LawCircleError> {
        let incoming = parse_features(features, RecordKind::Facilities)?.facilities;
        self.update(|s| {
            let mut by_id: BTreeMap<String, Facility> = if full {
                BTreeMap::new()
            } else {
                std::mem::take(&mut s.facilities)
                    .into_iter()
                    .map(|f| (f.id.clone(), f))
                    .collect()
            };
            for f in incoming {
                if f.retired {
                    by_id.remove(&f.id);
                } else {
                    by_id.insert(f.id.clone(), f);
                }
            }
            s.facilities = by_id.into_values().collect();
            s.duty_posts = duty_posts;
            s.areas = areas;
            s.catalogue_version = version;
            s.refreshed_at_ms = now.timestamp_millis();
        })
    }
}

/// GeoJSON features from the server, read with the same importer as a
/// data owner's file (so the phone refuses what the server would).
pub(crate) fn parse_features(
    features: Vec<Value>,
    kind: RecordKind,
) -> Result<import::ImportBatch, LawCircleError> {
    let bytes = serde_json::to_vec(&json!({"type": "FeatureCollection", "features": features}))
        .map_err(LawCircleError::internal)?;
    import::parse(
        &bytes,
        Format::GeoJson,
        kind,
        &ImportOptions::new(format!("server {}", kind.as_str())),
        &mut NoPhotos,
    )
    .map_err(|e| LawCircleError::Server {
        status: 200,
        code: "bad_catalogue".to_string(),
        reason: e.to_string(),
    })
}

impl OfflineState {
    /// Replaces the facilities with those of a catalogue file; the
    /// catalogue version drops to 0 so the next refresh fetches everything.
    fn install_facilities(&self, path: &str) -> Result<u32, LawCircleError> {
        let format = Format::from_file_name(path)
            .ok_or_else(|| LawCircleError::invalid("path", "use a .csv or .geojson file"))?;
        let bytes = import::read_file(Path::new(path))
            .map_err(|e| LawCircleError::invalid("path", e.to_string()))?;
        let batch = import::parse(
            &bytes,
            format,
            RecordKind::Facilities,
            &ImportOptions::new(path),
            &mut NoPhotos,
        )
        .map_err(|e| LawCircleError::invalid("path", e.to_string()))?;
        let facilities: Vec<Facility> = batch
            .facilities
            .into_iter()
            .filter(|f| !f.retired)
            .collect();
        let n = facilities.len() as u32;
        self.update(|s| {
            s.facilities = facilities;
            s.catalogue_version = 0;
        })?;
        Ok(n)
    }
}

/// Every page of a catalogue list keyed by a cursor (`next_cursor`), in
/// order: a district's duty posts or areas come in a few pages of at most
/// 5,000.
async fn all_pages(inner: &crate::client::Inner, path: &str) -> Result<Vec<Value>, LawCircleError> {
    let mut pages = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let url = match &cursor {
            Some(c) => format!("{path}?cursor={c}"),
            None => path.to_string(),
        };
        let page = inner.get(&url).await?;
        let next = page
            .get("next_cursor")
            .and_then(Value::as_str)
            .map(str::to_string);
        pages.push(page);
        match next {
            // A cursor that does not move would loop for ever: stop there.
            Some(n) if Some(&n) != cursor.as_ref() => cursor = Some(n),
            _ => return Ok(pages),
        }
    }
}

#[uniffi::export]
impl LawCircleClient {
    /// Installs the facilities of a catalogue file shipped with the app
    /// (`.csv` or `.geojson`, the import format), so the first launch can
    /// search offline before any refresh. Returns how many were installed.
    /// The file is read off the caller's thread.
    pub async fn install_catalogue_file(&self, path: String) -> Result<u32, LawCircleError> {
        let inner = self.inner.clone();
        run_blocking(move || inner.offline.install_facilities(&path)).await
    }

    /// Fetches what changed in the facility catalogue since the phone's
    /// copy, the duty posts and the areas (streets, villages/communities),
    /// and keeps them for offline use.
    pub async fn refresh_catalogue(&self) -> Result<OfflineStatus, LawCircleError> {
        let inner = self.inner.clone();
        run(async move {
            let have = inner.offline.current()?.snapshot.catalogue_version;
            let since = (have > 0).then_some(have);
            let delta = inner.sync.pull_facilities(since).await?;
            let mut posts = Vec::new();
            for page in all_pages(&inner, "/api/v1/duty-posts").await? {
                let page: DutyPostCollection = decode(page)?;
                posts.extend(page.to_duty_posts().map_err(|e| LawCircleError::Server {
                    status: 200,
                    code: "bad_catalogue".to_string(),
                    reason: e.to_string(),
                })?);
            }
            let mut features = Vec::new();
            for mut page in all_pages(&inner, "/api/v1/areas").await? {
                if let Some(Value::Array(more)) = page.get_mut("features").map(Value::take) {
                    features.extend(more);
                }
            }
            let areas = parse_features(features, RecordKind::Areas)?.areas;
            inner.offline.merge(
                delta.version,
                delta.features,
                since.is_none(),
                posts,
                areas,
                Utc::now(),
            )?;
            inner.offline.status()
        })
        .await
    }

    /// What the phone holds offline.
    pub fn offline_status(&self) -> Result<OfflineStatus, LawCircleError> {
        self.inner.offline.status()
    }

    /// Loads a walking network file (`.lcwn`, made by `lawcircle-server
    /// network`), so distances are measured on foot.
    /// The file is read off the caller's thread.
    pub async fn load_walking_network(&self, path: String) -> Result<NetworkInfo, LawCircleError> {
        let inner = self.inner.clone();
        run_blocking(move || inner.offline.load_network(&path)).await
    }

    /// The nearest facilities, offline, on the phone's copy of the
    /// catalogue.
    pub fn nearest(&self, query: NearbyQuery) -> Result<Vec<NearbyPlace>, LawCircleError> {
        self.inner.offline.nearest(&query)
    }

    /// Which service products are within a 15-minute walk of `point`,
    /// offline.
    pub fn coverage_at(&self, point: Point) -> Result<SpotCoverage, LawCircleError> {
        self.inner.offline.coverage_at(point)
    }
}
