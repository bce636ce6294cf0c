//! Coverage of the 15-minute circle (15分钟公共法律服务圈覆盖率), per
//! village/community (村/社区), per street (街道) and for the district.
//!
//! For each village and each service product, the distance to the nearest
//! facility offering it is measured on the walking network: one
//! multi-source Dijkstra search per product from every (non-retired)
//! facility offering it, so the cost does not grow with the number of
//! villages. A village is *covered* for a product when that distance is
//! within its access standard ([`AccessStandard`]: 1.2 km on foot by
//! default; 2.0 km by bike for countryside, 3.0 km by car for islands can
//! be set per village or street), and covered overall when it is covered
//! for every required product.
//!
//! A village is measured from its centroid, or from population-weighted
//! demand points when given ([`DemandPoint`]); then its distance is the
//! population-weighted median of its points' distances, so it is covered
//! when at least half of its people are.
//!
//! Bike and car standards are measured on the same (walking) network:
//! a fair approximation for countryside lanes and island roads, stated
//! here rather than hidden. Opening hours do not affect coverage.
//!
//! Without a network (or for points that cannot be snapped onto it), the
//! distance is the straight line × the detour factor, and the village's
//! `distance_basis` says so.

use crate::catalogue::area::{AdminArea, AreaLevel};
use crate::catalogue::facility::{Facility, ServiceProduct};
use crate::geo::coord::{GeoPoint, validate_lat_lng};
use crate::geo::nearest::{FacilityIndex, NearestError, NearestQuery};
use crate::geo::network::chains::Source;
use crate::geo::network::{
    ChainSearch, Contraction, DEFAULT_DETOUR_FACTOR, DijkstraWorkspace, DistanceBasis, LANES,
    Place, Snap, Sweep, WalkingNetwork,
};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};

/// What can go wrong computing coverage.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum CoverageError {
    #[error("no village/community-level areas were given: coverage is counted per village")]
    NoVillages,
    #[error("area {code:?} has an invalid point {lat},{lng}")]
    InvalidAreaPoint { code: String, lat: f64, lng: f64 },
    #[error("demand point of {code:?} is invalid (bad coordinate or negative population)")]
    InvalidDemandPoint { code: String },
    #[error("invalid standard: {0}")]
    InvalidStandard(String),
    #[error(transparent)]
    Nearest(#[from] NearestError),
}

/// How residents are expected to travel for the standard.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TravelMode {
    /// 步行: the city standard.
    Walk,
    /// 骑行: countryside.
    Bike,
    /// 车行: remote islands.
    Car,
}

/// The distance within which a service counts as reachable in 15 minutes.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct AccessStandard {
    pub mode: TravelMode,
    pub max_distance_m: f64,
}

impl AccessStandard {
    /// 15 minutes on foot: 1.2 km (the Longwan plan).
    pub const WALK_15_MIN: AccessStandard = AccessStandard {
        mode: TravelMode::Walk,
        max_distance_m: 1200.0,
    };
    /// 15 minutes by bike in the countryside: 2.0 km (Zhejiang county
    /// templates).
    pub const BIKE_15_MIN: AccessStandard = AccessStandard {
        mode: TravelMode::Bike,
        max_distance_m: 2000.0,
    };
    /// 15 minutes by car on remote islands: 3.0 km.
    pub const CAR_15_MIN: AccessStandard = AccessStandard {
        mode: TravelMode::Car,
        max_distance_m: 3000.0,
    };
}

/// A dated coverage target of the plan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CoverageTarget {
    pub label: String,
    pub due: NaiveDate,
    /// Share of villages to be covered (0..=1).
    pub min_rate: f64,
}

/// The standard coverage is measured against. `Default` is the Longwan
/// plan: 1.2 km on foot, all 8 products, ≥60% by end of 2024 and all by end
/// of 2026.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CoverageStandard {
    pub default_access: AccessStandard,
    /// Overrides by village or street code (a village's own code wins).
    #[serde(default)]
    pub access_by_area: BTreeMap<String, AccessStandard>,
    pub required_products: Vec<ServiceProduct>,
    pub targets: Vec<CoverageTarget>,
    /// Detour factor of the straight-line fallback.
    pub detour_factor: f64,
}

impl Default for CoverageStandard {
    fn default() -> Self {
        let date = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default();
        CoverageStandard {
            default_access: AccessStandard::WALK_15_MIN,
            access_by_area: BTreeMap::new(),
            required_products: ServiceProduct::ALL.to_vec(),
            targets: vec![
                CoverageTarget {
                    label: "end of 2024: ≥60% of villages/communities".into(),
                    due: date(2024, 12, 31),
                    min_rate: 0.6,
                },
                CoverageTarget {
                    label: "end of 2026: all villages/communities (基本全覆盖)".into(),
                    due: date(2026, 12, 31),
                    min_rate: 1.0,
                },
            ],
            detour_factor: DEFAULT_DETOUR_FACTOR,
        }
    }
}

impl CoverageStandard {
    /// The access standard of a village in a street.
    pub fn access_for(&self, village_code: &str, street_code: Option<&str>) -> AccessStandard {
        self.access_by_area
            .get(village_code)
            .or_else(|| street_code.and_then(|s| self.access_by_area.get(s)))
            .copied()
            .unwrap_or(self.default_access)
    }

    fn validate(&self) -> Result<(), CoverageError> {
        let ok = |a: &AccessStandard| a.max_distance_m.is_finite() && a.max_distance_m > 0.0;
        if !ok(&self.default_access) || !self.access_by_area.values().all(ok) {
            return Err(CoverageError::InvalidStandard(
                "access distances must be finite and positive".into(),
            ));
        }
        if !self.detour_factor.is_finite() || self.detour_factor < 1.0 {
            return Err(CoverageError::InvalidStandard(
                "detour factor must be ≥ 1".into(),
            ));
        }
        Ok(())
    }
}

/// A population-weighted point of a village (e.g. a residential block).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct DemandPoint {
    pub point: GeoPoint,
    pub population: f64,
}

/// Access of one village to one product.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProductAccess {
    pub product: ServiceProduct,
    /// Distance to the nearest facility offering it (population-weighted
    /// median over demand points); `None`: none reachable.
    pub distance_m: Option<f64>,
    pub nearest_facility_id: Option<String>,
    /// Share of the village's demand (people, or 1 for a centroid) within
    /// the standard.
    pub covered_share: f64,
    pub covered: bool,
}

/// Coverage of one village/community.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VillageCoverage {
    pub code: String,
    pub name: String,
    pub street_code: Option<String>,
    pub population: Option<u64>,
    pub access: AccessStandard,
    pub distance_basis: DistanceBasis,
    pub products: Vec<ProductAccess>,
    /// Covered for every required product.
    pub covered_all: bool,
}

/// Coverage rate of one product over a set of villages.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProductRate {
    pub product: ServiceProduct,
    pub villages_covered: usize,
    pub rate: f64,
}

/// Whether a rate meets a target.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TargetStatus {
    pub label: String,
    pub due: NaiveDate,
    pub min_rate: f64,
    pub met: bool,
}

/// Coverage over a street or the district.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CoverageSummary {
    /// Street code; `None` for the district total.
    pub code: Option<String>,
    pub name: Option<String>,
    pub villages: usize,
    /// Villages covered for all required products.
    pub villages_covered: usize,
    /// `villages_covered / villages` (0 when there are none).
    pub rate: f64,
    pub per_product: Vec<ProductRate>,
    /// Share of people in fully covered villages, when populations are known.
    pub population_rate: Option<f64>,
    pub targets: Vec<TargetStatus>,
}

/// A village missing a product (缺口清单).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Gap {
    pub village_code: String,
    pub village_name: String,
    pub street_code: Option<String>,
    pub product: ServiceProduct,
    pub distance_m: Option<f64>,
    pub nearest_facility_id: Option<String>,
    pub standard_m: f64,
}

/// The full coverage report (serializable for the server and the map).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CoverageReport {
    pub standard: CoverageStandard,
    /// `Walking` when a network was used for every village.
    pub distance_basis: DistanceBasis,
    pub villages: Vec<VillageCoverage>,
    pub streets: Vec<CoverageSummary>,
    pub district: CoverageSummary,
    pub gaps: Vec<Gap>,
    /// Data problems worth a look (facilities or villages off the network).
    pub warnings: Vec<String>,
}

/// Distances of one village's demand points to one product.
#[derive(Debug, Clone)]
pub(crate) struct PointDistance {
    pub distance_m: Option<f64>,
    pub facility: Option<usize>,
}

/// For one product, the [`PointDistance`]s of every village's demand
/// points, in one flat vector (one allocation per product instead of one
/// per village): `self[v]` is village `v`'s row.
#[derive(Debug, Clone)]
pub(crate) struct ProductDistances {
    /// Village `v`'s row is `points[start[v]..start[v + 1]]`.
    start: Vec<usize>,
    points: Vec<PointDistance>,
}

impl std::ops::Index<usize> for ProductDistances {
    type Output = [PointDistance];
    fn index(&self, v: usize) -> &[PointDistance] {
        &self.points[self.start[v]..self.start[v + 1]]
    }
}

/// The demand of one village.
#[derive(Debug, Clone)]
pub(crate) struct VillageDemand<'a> {
    pub area: &'a AdminArea,
    pub points: Vec<(GeoPoint, f64)>,
    pub snaps: Vec<Option<Snap>>,
    /// Where each snapped point lies on the network's contracted graph
    /// (`None` when not snapped or the network has no contraction).
    pub places: Vec<Option<Place>>,
}

pub(crate) fn village_demand<'a>(
    areas: &'a [AdminArea],
    demand: &BTreeMap<String, Vec<DemandPoint>>,
    network: Option<&WalkingNetwork>,
) -> Result<Vec<VillageDemand<'a>>, CoverageError> {
    let mut out = Vec::new();
    for a in areas.iter().filter(|a| a.level == AreaLevel::Village) {
        let points: Vec<(GeoPoint, f64)> = match demand.get(&a.code) {
            Some(pts) if !pts.is_empty() => {
                for d in pts {
                    if validate_lat_lng(d.point.lat, d.point.lng).is_err()
                        || !d.population.is_finite()
                        || d.population < 0.0
                    {
                        return Err(CoverageError::InvalidDemandPoint {
                            code: a.code.clone(),
                        });
                    }
                }
                pts.iter()
                    .map(|d| (d.point.to_wgs84(), d.population))
                    .collect()
            }
            _ => {
                if validate_lat_lng(a.centroid.lat, a.centroid.lng).is_err() {
                    return Err(CoverageError::InvalidAreaPoint {
                        code: a.code.clone(),
                        lat: a.centroid.lat,
                        lng: a.centroid.lng,
                    });
                }
                vec![(a.centroid.to_wgs84(), 1.0)]
            }
        };
        let snaps = match network {
            Some(net) => points.iter().map(|(p, _)| net.snap(*p).ok()).collect(),
            None => vec![None; points.len()],
        };
        let places = match network.and_then(WalkingNetwork::contraction) {
            Some(c) => snaps
                .iter()
                .map(|s| s.as_ref().and_then(|s| c.place_of_snap(s)))
                .collect(),
            None => vec![None; snaps.len()],
        };
        out.push(VillageDemand {
            area: a,
            points,
            snaps,
            places,
        });
    }
    if out.is_empty() {
        return Err(CoverageError::NoVillages);
    }
    Ok(out)
}

/// What [`product_distances`] measures with.
pub(crate) struct DistanceContext<'a, 'b> {
    pub villages: &'a [VillageDemand<'b>],
    pub facilities: &'a [Facility],
    pub fac_snaps: &'a [Option<Snap>],
    /// Needed only for the straight-line fallback.
    pub index: Option<&'a FacilityIndex>,
    pub network: Option<&'a WalkingNetwork>,
    pub detour: f64,
}

/// The search a coverage or siting computation reuses across products:
/// on the contracted graph when the network has one, else on the full
/// graph.
#[derive(Debug, Clone)]
pub(crate) enum Search {
    Chains(ChainSearch),
    Full(DijkstraWorkspace),
}

impl Search {
    /// The search for `network`, if any.
    pub(crate) fn for_network(network: Option<&WalkingNetwork>) -> Option<Search> {
        let net = network?;
        Some(match net.contraction() {
            Some(c) => Search::Chains(ChainSearch::new(c)),
            None => Search::Full(DijkstraWorkspace::new(net)),
        })
    }
}

/// A demand point measured on the network: its distance and facility, or
/// `None` when no facility reaches it.
type Walked = Option<(f64, Option<usize>)>;

/// For one product: the distance from every demand point of every village
/// to the nearest facility offering it. `facility` indexes `facilities`.
pub(crate) fn product_distances(
    ctx: &DistanceContext<'_, '_>,
    product: ServiceProduct,
    search: &mut Option<Search>,
) -> Result<ProductDistances, CoverageError> {
    let DistanceContext {
        villages,
        facilities,
        fac_snaps,
        network,
        ..
    } = *ctx;
    // Per demand point, its walking distance and facility when measured on
    // the network: `Some(None)` when it is snapped but nothing reaches it.
    // Flat, village after village (see `ProductDistances`).
    let (start, mut walked) = empty_walked(villages);
    match (network, search.as_mut()) {
        // `Search::Chains` is only made for a network with a contraction.
        (Some(net), Some(Search::Chains(cs))) if let Some(c) = net.contraction() => {
            let sources = chain_sources(ctx, c, product);
            let targets: Vec<Place> = villages
                .iter()
                .flat_map(|v| v.places.iter().flatten().copied())
                .collect();
            cs.run(c, &sources, &targets);
            let places = villages.iter().flat_map(|v| v.places.iter().zip(&v.snaps));
            for (cell, (place, snap)) in walked.iter_mut().zip(places) {
                if let (Some(place), Some(snap)) = (place, snap) {
                    *cell = Some(
                        cs.distance(c, *place)
                            .map(|(d, l)| (d + snap.offset_m, Some(l as usize))),
                    );
                }
            }
        }
        (Some(net), Some(Search::Full(ws))) => {
            let offering: Vec<usize> = (0..facilities.len())
                .filter(|&i| offers(&facilities[i], product))
                .collect();
            let mut by_arc: HashMap<u32, Vec<(usize, Snap)>> = HashMap::new();
            let mut seeds = Vec::with_capacity(offering.len() * 2);
            for &i in &offering {
                if let Some(s) = fac_snaps[i] {
                    seeds.extend_from_slice(&s.seeds(i as u32));
                    by_arc.entry(s.arc).or_default().push((i, s));
                }
            }
            let targets: Vec<u32> = villages
                .iter()
                .flat_map(|v| v.snaps.iter().flatten())
                .flat_map(|s| [s.from, s.to])
                .collect();
            ws.run_until_settled(net, &seeds, &targets);
            let snaps = villages.iter().flat_map(|v| &v.snaps);
            for (cell, snap) in walked.iter_mut().zip(snaps) {
                let Some(snap) = snap else { continue };
                let mut best = ws
                    .distance_to_snap(snap, f64::INFINITY)
                    .map(|(d, l)| (d, l.map(|l| l as usize)));
                for (fi, fs) in by_arc.get(&snap.arc).into_iter().flatten() {
                    if let Some(d) = snap.along_same_edge_m(fs)
                        && best.is_none_or(|(b, _)| d < b)
                    {
                        best = Some((d, Some(*fi)));
                    }
                }
                *cell = Some(best);
            }
        }
        _ => {}
    }
    finish_distances(ctx, product, start, walked)
}

/// Whether `f` counts for `product`: offers it and is not retired.
fn offers(f: &Facility, product: ServiceProduct) -> bool {
    !f.retired && f.products.contains(&product)
}

/// The facilities offering `product` as sources of a search on the
/// contracted graph `c`, labelled with their position in the catalogue
/// (in catalogue order; those off the network left out).
fn chain_sources(
    ctx: &DistanceContext<'_, '_>,
    c: &Contraction,
    product: ServiceProduct,
) -> Vec<Source> {
    ctx.facilities
        .iter()
        .zip(ctx.fac_snaps)
        .enumerate()
        .filter(|(_, (f, _))| offers(f, product))
        .filter_map(|(i, (_, s))| {
            let s = s.as_ref()?;
            Some(Source {
                place: c.place_of_snap(s)?,
                dist_m: s.offset_m,
                label: i as u32,
            })
        })
        .collect()
}

/// [`product_distances`] for each of `products`, in their order, the
/// searches of up to [`LANES`] products at a time run together as one
/// pair of sweeps over the hierarchy of `c` (see
/// [`crate::geo::network::hierarchy`]). Same distances within rounding;
/// between facilities at exactly the same distance, the one first in the
/// catalogue.
fn swept_distances(
    ctx: &DistanceContext<'_, '_>,
    c: &Contraction,
    products: &[ServiceProduct],
) -> Result<Vec<ProductDistances>, CoverageError> {
    let mut sweep = Sweep::new(c);
    let mut out = Vec::with_capacity(products.len());
    for group in products.chunks(LANES) {
        let sources: Vec<Vec<Source>> = group.iter().map(|&p| chain_sources(ctx, c, p)).collect();
        let lanes: Vec<&[Source]> = sources.iter().map(Vec::as_slice).collect();
        sweep.run(c, &lanes);
        for (lane, &product) in group.iter().enumerate() {
            let (start, mut walked) = empty_walked(ctx.villages);
            let places = ctx
                .villages
                .iter()
                .flat_map(|v| v.places.iter().zip(&v.snaps));
            for (cell, (place, snap)) in walked.iter_mut().zip(places) {
                if let (Some(place), Some(snap)) = (place, snap) {
                    *cell = Some(
                        sweep
                            .distance(c, lane, *place)
                            .map(|(d, l)| (d + snap.offset_m, Some(l as usize))),
                    );
                }
            }
            out.push(finish_distances(ctx, product, start, walked)?);
        }
    }
    Ok(out)
}

/// How a report runs its searches on the network.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Searches {
    /// Up to [`LANES`] products per pair of sweeps over the hierarchy
    /// (when the network has a contraction; else as `PerProduct` on one
    /// thread).
    Swept,
    /// One Dijkstra search per product, on up to `threads` threads.
    PerProduct { threads: usize },
}

/// Where each demand point's row begins in the flat vectors of
/// [`ProductDistances`] (village after village), and one empty cell per
/// point.
fn empty_walked(villages: &[VillageDemand<'_>]) -> (Vec<usize>, Vec<Option<Walked>>) {
    let mut start = Vec::with_capacity(villages.len() + 1);
    start.push(0);
    for v in villages {
        start.push(start[start.len() - 1] + v.points.len());
    }
    let walked = vec![None; start[villages.len()]];
    (start, walked)
}

/// The [`ProductDistances`] of `product` from what the network search
/// measured (`walked`, by demand point), measuring the points it could
/// not (off the network, or no network) as the straight line × detour.
fn finish_distances(
    ctx: &DistanceContext<'_, '_>,
    product: ServiceProduct,
    start: Vec<usize>,
    walked: Vec<Option<Walked>>,
) -> Result<ProductDistances, CoverageError> {
    let DistanceContext {
        villages,
        facilities,
        index,
        detour,
        ..
    } = *ctx;
    let needs_fallback = walked.iter().any(Option::is_none);
    let id_pos: HashMap<&str, usize> = if needs_fallback {
        facilities
            .iter()
            .enumerate()
            .map(|(i, f)| (f.id.as_str(), i))
            .collect()
    } else {
        HashMap::new()
    };
    let mut points = Vec::with_capacity(walked.len());
    let demand = villages.iter().flat_map(|v| &v.points);
    for ((p, _), walked) in demand.zip(walked) {
        let pd = match walked {
            Some(Some((d, f))) => PointDistance {
                distance_m: Some(d),
                facility: f,
            },
            Some(None) => PointDistance {
                distance_m: None,
                facility: None,
            },
            None => {
                // Straight-line fallback.
                let q = NearestQuery {
                    detour_factor: detour,
                    ..NearestQuery::k_nearest(*p, 1).with_products([product])
                };
                let found = match index {
                    Some(index) => index.nearest(&q, None)?.into_iter().next(),
                    None => None,
                };
                match found {
                    Some(r) => PointDistance {
                        distance_m: r.walking_m,
                        facility: id_pos.get(r.facility_id.as_str()).copied(),
                    },
                    None => PointDistance {
                        distance_m: None,
                        facility: None,
                    },
                }
            }
        };
        points.push(pd);
    }
    Ok(ProductDistances { start, points })
}

/// [`product_distances`] for each of `products`, in their order, on up to
/// `threads` threads: thread `t` takes every `threads`-th product from `t`
/// (products cost alike, so this balances), with its own [`Search`].
fn products_distances(
    ctx: &DistanceContext<'_, '_>,
    products: &[ServiceProduct],
    searches: Searches,
) -> Result<Vec<ProductDistances>, CoverageError> {
    let threads = match searches {
        Searches::Swept => {
            if let Some(c) = ctx.network.and_then(WalkingNetwork::contraction) {
                return swept_distances(ctx, c, products);
            }
            1
        }
        Searches::PerProduct { threads } => threads,
    };
    let threads = threads.clamp(1, products.len().max(1));
    if threads == 1 {
        let mut search = Search::for_network(ctx.network);
        return products
            .iter()
            .map(|&p| product_distances(ctx, p, &mut search))
            .collect();
    }
    let mut done: Vec<(usize, Result<ProductDistances, CoverageError>)> =
        std::thread::scope(|scope| {
            let handles: Vec<_> = (0..threads)
                .map(|t| {
                    scope.spawn(move || {
                        let mut search = Search::for_network(ctx.network);
                        (t..products.len())
                            .step_by(threads)
                            .map(|i| (i, product_distances(ctx, products[i], &mut search)))
                            .collect::<Vec<_>>()
                    })
                })
                .collect();
            handles
                .into_iter()
                .flat_map(|h| {
                    h.join()
                        .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
                })
                .collect()
        });
    // Back into product order.
    done.sort_by_key(|&(i, _)| i);
    done.into_iter().map(|(_, r)| r).collect()
}

/// Population-weighted median distance, with its facility, and the share
/// within `limit`.
fn summarize(
    points: &[(GeoPoint, f64)],
    dists: &[PointDistance],
    limit: f64,
) -> (Option<f64>, Option<usize>, f64) {
    let total: f64 = points.iter().map(|p| p.1).sum();
    let weight = |i: usize| if total > 0.0 { points[i].1 } else { 1.0 };
    let total = if total > 0.0 {
        total
    } else {
        points.len() as f64
    };
    if let [only] = dists {
        // One demand point (a village centroid, the common case): it is
        // the median, no ordering needed.
        let within = if only.distance_m.is_some_and(|d| d <= limit) {
            1.0
        } else {
            0.0
        };
        return (only.distance_m, only.facility, within);
    }
    let mut order: Vec<usize> = (0..dists.len()).collect();
    order.sort_by(|&a, &b| {
        let da = dists[a].distance_m.unwrap_or(f64::INFINITY);
        let db = dists[b].distance_m.unwrap_or(f64::INFINITY);
        da.total_cmp(&db)
    });
    let mut acc = 0.0;
    let mut median = None;
    let mut within = 0.0;
    for &i in &order {
        acc += weight(i);
        if dists[i].distance_m.is_some_and(|d| d <= limit) {
            within += weight(i);
        }
        if median.is_none() && acc >= total / 2.0 {
            median = Some(i);
        }
    }
    let m = median.or(order.last().copied());
    match m {
        Some(i) => (dists[i].distance_m, dists[i].facility, within / total),
        None => (None, None, 0.0),
    }
}

/// Computes coverage with village centroids as the only demand points.
pub fn compute(
    areas: &[AdminArea],
    facilities: &[Facility],
    network: Option<&WalkingNetwork>,
    standard: &CoverageStandard,
) -> Result<CoverageReport, CoverageError> {
    compute_with_demand(areas, &BTreeMap::new(), facilities, network, standard)
}

/// Computes coverage; villages listed in `demand` (by area code) are
/// measured from their population-weighted points instead of the centroid.
pub fn compute_with_demand(
    areas: &[AdminArea],
    demand: &BTreeMap<String, Vec<DemandPoint>>,
    facilities: &[Facility],
    network: Option<&WalkingNetwork>,
    standard: &CoverageStandard,
) -> Result<CoverageReport, CoverageError> {
    standard.validate()?;
    CoverageInputs::new(areas, demand, facilities, network)?.report(standard)
}

/// The villages' demand points and the facilities, checked and snapped
/// onto the network once: what every report on the same catalogue and
/// network shares. Make it when the catalogue or the network changes, then
/// call [`CoverageInputs::report`] for each report (any standard); a report
/// then costs only the searches and the summaries.
#[derive(Debug, Clone)]
pub struct CoverageInputs<'a> {
    areas: &'a [AdminArea],
    facilities: &'a [Facility],
    network: Option<&'a WalkingNetwork>,
    villages: Vec<VillageDemand<'a>>,
    fac_snaps: Vec<Option<Snap>>,
    /// The straight-line index, only where the network is missing or a
    /// village could not be snapped (building it costs more than the
    /// searches on a small network).
    index: Option<FacilityIndex>,
    /// Facilities off the network.
    warnings: Vec<String>,
}

impl<'a> CoverageInputs<'a> {
    /// Checks and snaps `areas` (their villages, or their `demand` points)
    /// and `facilities` onto `network`.
    pub fn new(
        areas: &'a [AdminArea],
        demand: &BTreeMap<String, Vec<DemandPoint>>,
        facilities: &'a [Facility],
        network: Option<&'a WalkingNetwork>,
    ) -> Result<Self, CoverageError> {
        let villages = village_demand(areas, demand, network)?;
        let index =
            if network.is_none() || villages.iter().any(|v| v.snaps.iter().any(Option::is_none)) {
                Some(FacilityIndex::new(facilities)?)
            } else {
                // Still reject invalid facility points.
                check_facilities(facilities)?;
                None
            };
        let mut warnings = Vec::new();
        let fac_snaps: Vec<Option<Snap>> = match network {
            Some(net) => facilities
                .iter()
                .map(|f| {
                    let s = net.snap(f.point).ok();
                    if s.is_none() && !f.retired {
                        warnings.push(format!(
                            "facility {} ({}) is not on the walking network; it is left out of walking coverage",
                            f.id, f.name
                        ));
                    }
                    s
                })
                .collect(),
            None => vec![None; facilities.len()],
        };
        Ok(CoverageInputs {
            areas,
            facilities,
            network,
            villages,
            fac_snaps,
            index,
            warnings,
        })
    }

    /// The coverage report against `standard`, on the calling thread:
    /// the products' searches run together, up to [`LANES`] per pair of
    /// sweeps over the network's hierarchy (one Dijkstra search per
    /// product when the network has no contraction).
    pub fn report(&self, standard: &CoverageStandard) -> Result<CoverageReport, CoverageError> {
        self.report_with(standard, Searches::Swept)
    }

    /// The coverage report against `standard` with one Dijkstra search
    /// per product on the contracted graph (what [`Self::report`] did
    /// before it swept the products together), spread over up to
    /// `threads` threads (scoped, each with its own search workspace; `0`
    /// or `1` runs them on the calling thread). The report is the same
    /// whatever the number of threads: each product's search is the same
    /// computation, only where it runs differs. Against [`Self::report`]:
    /// the same distances within rounding (sums in another order), the
    /// same nearest facilities except between facilities at exactly the
    /// same distance (there [`Self::report`] names the first in the
    /// catalogue; these searches, the first their queue reaches).
    pub fn report_on_threads(
        &self,
        standard: &CoverageStandard,
        threads: usize,
    ) -> Result<CoverageReport, CoverageError> {
        self.report_with(standard, Searches::PerProduct { threads })
    }

    fn report_with(
        &self,
        standard: &CoverageStandard,
        searches: Searches,
    ) -> Result<CoverageReport, CoverageError> {
        standard.validate()?;
        let CoverageInputs {
            areas,
            facilities,
            network,
            ref villages,
            ref fac_snaps,
            ref index,
            ..
        } = *self;
        let mut warnings = self.warnings.clone();
        if network.is_some() {
            for v in villages {
                if v.snaps.iter().any(Option::is_none) {
                    warnings.push(format!(
                        "village {} ({}) is off the walking network; measured as straight line × {}",
                        v.area.code, v.area.name, standard.detour_factor
                    ));
                }
            }
        }
        let ctx = DistanceContext {
            villages,
            facilities,
            fac_snaps,
            index: index.as_ref(),
            network,
            detour: standard.detour_factor,
        };
        let per_product = products_distances(&ctx, &standard.required_products, searches)?;
        let mut out_villages = Vec::with_capacity(villages.len());
        let mut gaps = Vec::new();
        for (vi, v) in villages.iter().enumerate() {
            let street = v.area.parent_code.clone();
            let access = standard.access_for(&v.area.code, street.as_deref());
            let mut products = Vec::new();
            for (pi, &product) in standard.required_products.iter().enumerate() {
                let (d, f, share) =
                    summarize(&v.points, &per_product[pi][vi], access.max_distance_m);
                let covered = d.is_some_and(|d| d <= access.max_distance_m);
                let fid = f.map(|i| facilities[i].id.clone());
                if !covered {
                    gaps.push(Gap {
                        village_code: v.area.code.clone(),
                        village_name: v.area.name.clone(),
                        street_code: street.clone(),
                        product,
                        distance_m: d,
                        nearest_facility_id: fid.clone(),
                        standard_m: access.max_distance_m,
                    });
                }
                products.push(ProductAccess {
                    product,
                    distance_m: d,
                    nearest_facility_id: fid,
                    covered_share: share,
                    covered,
                });
            }
            let walked = network.is_some() && v.snaps.iter().all(Option::is_some);
            out_villages.push(VillageCoverage {
                code: v.area.code.clone(),
                name: v.area.name.clone(),
                street_code: street,
                population: v.area.population,
                access,
                distance_basis: if walked {
                    DistanceBasis::Walking
                } else {
                    DistanceBasis::StraightLineTimesDetour {
                        factor: standard.detour_factor,
                    }
                },
                covered_all: products.iter().all(|p| p.covered),
                products,
            });
        }
        let mut by_street: BTreeMap<Option<String>, Vec<&VillageCoverage>> = BTreeMap::new();
        for v in &out_villages {
            by_street.entry(v.street_code.clone()).or_default().push(v);
        }
        let street_name = |code: &str| {
            areas
                .iter()
                .find(|a| a.code == code && a.level == AreaLevel::Street)
                .map(|a| a.name.clone())
        };
        let streets = by_street
            .iter()
            .filter_map(|(code, vs)| {
                let code = code.as_ref()?;
                Some(summary(Some(code.clone()), street_name(code), vs, standard))
            })
            .collect();
        let all: Vec<&VillageCoverage> = out_villages.iter().collect();
        let district_name = areas
            .iter()
            .find(|a| a.level == AreaLevel::District)
            .map(|a| a.name.clone());
        let district = summary(None, district_name, &all, standard);
        let distance_basis = out_villages
            .iter()
            .map(|v| v.distance_basis)
            .find(|b| *b != DistanceBasis::Walking)
            .unwrap_or(DistanceBasis::Walking);
        Ok(CoverageReport {
            standard: standard.clone(),
            distance_basis,
            villages: out_villages,
            streets,
            district,
            gaps,
            warnings,
        })
    }
}

fn check_facilities(facilities: &[Facility]) -> Result<(), CoverageError> {
    for f in facilities {
        if validate_lat_lng(f.point.lat, f.point.lng).is_err() {
            return Err(NearestError::InvalidFacilityPoint {
                id: f.id.clone(),
                lat: f.point.lat,
                lng: f.point.lng,
            }
            .into());
        }
    }
    Ok(())
}

fn summary(
    code: Option<String>,
    name: Option<String>,
    vs: &[&VillageCoverage],
    standard: &CoverageStandard,
) -> CoverageSummary {
    let n = vs.len();
    let rate_of = |c: usize| if n == 0 { 0.0 } else { c as f64 / n as f64 };
    let covered = vs.iter().filter(|v| v.covered_all).count();
    let rate = rate_of(covered);
    let per_product = standard
        .required_products
        .iter()
        .enumerate()
        .map(|(i, &product)| {
            let c = vs
                .iter()
                .filter(|v| v.products.get(i).is_some_and(|p| p.covered))
                .count();
            ProductRate {
                product,
                villages_covered: c,
                rate: rate_of(c),
            }
        })
        .collect();
    let population_rate = if vs.iter().all(|v| v.population.is_some()) && n > 0 {
        let total: u64 = vs.iter().filter_map(|v| v.population).sum();
        let cov: u64 = vs
            .iter()
            .filter(|v| v.covered_all)
            .filter_map(|v| v.population)
            .sum();
        (total > 0).then(|| cov as f64 / total as f64)
    } else {
        None
    };
    CoverageSummary {
        code,
        name,
        villages: n,
        villages_covered: covered,
        rate,
        per_product,
        population_rate,
        targets: standard
            .targets
            .iter()
            .map(|t| TargetStatus {
                label: t.label.clone(),
                due: t.due,
                min_rate: t.min_rate,
                met: rate + 1e-12 >= t.min_rate,
            })
            .collect(),
    }
}

#[cfg(test)]
pub(crate) mod tests;
