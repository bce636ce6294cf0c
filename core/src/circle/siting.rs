//! Siting suggestions (选址建议): where to open `k` new facilities offering a
//! product so that they cover the most villages (or people) not yet
//! covered.
//!
//! Candidates come from village centroids ([`candidates_from_villages`]),
//! a CSV of existing buildings ([`read_candidates_csv`]) or a regular grid
//! ([`candidates_grid`]). For every uncovered village (measured from its
//! centroid) one bounded Dijkstra search finds the candidates within its
//! access standard; then the greedy maximum-coverage heuristic picks, k
//! times, the candidate covering the most remaining weight. Greedy is
//! within a factor 1 − 1/e (≈63%) of the optimum (Nemhauser, Wolsey &
//! Fisher 1978) and is what planners can follow step by step; ties go to
//! the candidate listed first.

use crate::catalogue::area::AdminArea;
use crate::catalogue::facility::{Facility, ServiceProduct};
use crate::circle::coverage::{CoverageError, CoverageStandard, product_distances, village_demand};
use crate::geo::coord::{GeoPoint, haversine_m, validate_lat_lng};
use crate::geo::nearest::FacilityIndex;
use crate::geo::network::{DijkstraWorkspace, DistanceBasis, Snap, WalkingNetwork};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// What can go wrong with siting.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SitingError {
    #[error(transparent)]
    Coverage(#[from] CoverageError),
    #[error("candidate {id:?} has an invalid point")]
    InvalidCandidate { id: String },
    #[error("the population objective needs the population of village {0:?}")]
    MissingPopulation(String),
    #[error("grid: {0}")]
    BadGrid(String),
    #[error("candidate file, row {row}: {message}")]
    Csv { row: usize, message: String },
}

/// A place where a facility could be opened.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CandidateSite {
    pub id: String,
    pub point: GeoPoint,
}

/// What the greedy choice maximizes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SitingObjective {
    /// Number of newly covered villages/communities.
    Villages,
    /// Number of newly covered residents (needs village populations).
    Population,
}

/// A siting request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SitingRequest {
    pub product: ServiceProduct,
    /// How many new facilities to place.
    pub k: usize,
    pub objective: SitingObjective,
    pub candidates: Vec<CandidateSite>,
}

/// Coverage of the product before or after.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProductCoverage {
    pub villages: usize,
    pub villages_covered: usize,
    pub rate: f64,
    /// Residents of covered villages, when every population is known.
    pub population_covered: Option<u64>,
    pub population_total: Option<u64>,
}

/// One chosen site.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChosenSite {
    pub candidate_id: String,
    pub point: GeoPoint,
    /// Villages this site covers that were not covered before it.
    pub newly_covered: Vec<String>,
    /// Objective gained (villages or residents).
    pub gain: f64,
}

/// The suggestion, with coverage before and after.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SitingReport {
    pub product: ServiceProduct,
    pub objective: SitingObjective,
    pub distance_basis: DistanceBasis,
    pub before: ProductCoverage,
    pub after: ProductCoverage,
    /// At most `k`; fewer when no candidate adds anything.
    pub chosen: Vec<ChosenSite>,
}

/// Every village centroid as a candidate (id = village code).
pub fn candidates_from_villages(areas: &[AdminArea]) -> Vec<CandidateSite> {
    areas
        .iter()
        .filter(|a| a.level == crate::catalogue::area::AreaLevel::Village)
        .map(|a| CandidateSite {
            id: a.code.clone(),
            point: a.centroid,
        })
        .collect()
}

/// Most grid candidates accepted, to keep a mistyped spacing from eating
/// the phone's memory.
pub const MAX_GRID_CANDIDATES: usize = 250_000;

/// A regular grid of candidates every `spacing_m` metres over a WGS-84
/// box (ids `grid-ROW-COL`).
pub fn candidates_grid(
    south: f64,
    west: f64,
    north: f64,
    east: f64,
    spacing_m: f64,
) -> Result<Vec<CandidateSite>, SitingError> {
    if validate_lat_lng(south, west).is_err() || validate_lat_lng(north, east).is_err() {
        return Err(SitingError::BadGrid("corner out of range".into()));
    }
    if south >= north || west >= east {
        return Err(SitingError::BadGrid(
            "south/west must be below north/east".into(),
        ));
    }
    if !spacing_m.is_finite() || spacing_m <= 0.0 {
        return Err(SitingError::BadGrid("spacing must be positive".into()));
    }
    let mid = (south + north) / 2.0;
    let dlat = spacing_m / haversine_m(mid - 0.5, west, mid + 0.5, west);
    let dlng = spacing_m / haversine_m(mid, west - 0.5, mid, west + 0.5);
    let rows = ((north - south) / dlat).floor() as usize + 1;
    let cols = ((east - west) / dlng).floor() as usize + 1;
    if rows.saturating_mul(cols) > MAX_GRID_CANDIDATES {
        return Err(SitingError::BadGrid(format!(
            "{rows}×{cols} points exceed {MAX_GRID_CANDIDATES}: use a larger spacing"
        )));
    }
    let mut out = Vec::with_capacity(rows * cols);
    for r in 0..rows {
        for c in 0..cols {
            let (lat, lng) = (south + r as f64 * dlat, west + c as f64 * dlng);
            let point =
                GeoPoint::wgs84(lat, lng).map_err(|e| SitingError::BadGrid(e.to_string()))?;
            out.push(CandidateSite {
                id: format!("grid-{r}-{c}"),
                point,
            });
        }
    }
    Ok(out)
}

/// Reads candidates from CSV with a header `id,lat,lng` and an optional
/// `datum` column (`wgs84` when absent), e.g. existing public buildings.
pub fn read_candidates_csv(reader: impl std::io::Read) -> Result<Vec<CandidateSite>, SitingError> {
    let mut rdr = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_reader(reader);
    let err = |row: usize, message: String| SitingError::Csv { row, message };
    let headers = rdr.headers().map_err(|e| err(1, e.to_string()))?.clone();
    let col = |name: &str| headers.iter().position(|h| h.eq_ignore_ascii_case(name));
    let (Some(ci), Some(clat), Some(clng)) = (col("id"), col("lat"), col("lng").or(col("lon")))
    else {
        return Err(err(1, "header must have id, lat and lng columns".into()));
    };
    let cdatum = col("datum");
    let mut out = Vec::new();
    for (i, rec) in rdr.records().enumerate() {
        let row = i + 2;
        let rec = rec.map_err(|e| err(row, e.to_string()))?;
        let field = |c: usize| rec.get(c).unwrap_or("").to_string();
        let lat: f64 = field(clat)
            .parse()
            .map_err(|_| err(row, "bad lat".into()))?;
        let lng: f64 = field(clng)
            .parse()
            .map_err(|_| err(row, "bad lng".into()))?;
        let datum = match cdatum.map(field).filter(|d| !d.is_empty()) {
            Some(d) => d
                .parse()
                .map_err(|e: crate::geo::coord::CoordError| err(row, e.to_string()))?,
            None => crate::geo::coord::Datum::Wgs84,
        };
        let point = GeoPoint::new(lat, lng, datum).map_err(|e| err(row, e.to_string()))?;
        out.push(CandidateSite {
            id: field(ci),
            point,
        });
    }
    Ok(out)
}

/// Suggests up to `request.k` new sites for `request.product`.
pub fn suggest(
    areas: &[AdminArea],
    facilities: &[Facility],
    network: Option<&WalkingNetwork>,
    standard: &CoverageStandard,
    request: &SitingRequest,
) -> Result<SitingReport, SitingError> {
    for c in &request.candidates {
        if validate_lat_lng(c.point.lat, c.point.lng).is_err() {
            return Err(SitingError::InvalidCandidate { id: c.id.clone() });
        }
    }
    let villages = village_demand(areas, &BTreeMap::new(), network)?;
    let index = FacilityIndex::new(facilities).map_err(CoverageError::from)?;
    let fac_snaps: Vec<Option<Snap>> = facilities
        .iter()
        .map(|f| network.and_then(|n| n.snap(f.point).ok()))
        .collect();
    let mut search = crate::circle::coverage::Search::for_network(network);
    let dists = product_distances(
        &crate::circle::coverage::DistanceContext {
            villages: &villages,
            facilities,
            fac_snaps: &fac_snaps,
            index: Some(&index),
            network,
            detour: standard.detour_factor,
        },
        request.product,
        &mut search,
    )?;
    let access: Vec<f64> = villages
        .iter()
        .map(|v| {
            standard
                .access_for(&v.area.code, v.area.parent_code.as_deref())
                .max_distance_m
        })
        .collect();
    let mut covered: Vec<bool> = (0..villages.len())
        .map(|i| dists[i][0].distance_m.is_some_and(|d| d <= access[i]))
        .collect();
    let weight: Vec<f64> = match request.objective {
        SitingObjective::Villages => vec![1.0; villages.len()],
        SitingObjective::Population => villages
            .iter()
            .map(|v| {
                v.area
                    .population
                    .map(|p| p as f64)
                    .ok_or_else(|| SitingError::MissingPopulation(v.area.code.clone()))
            })
            .collect::<Result<_, _>>()?,
    };
    let coverage = |covered: &[bool]| {
        let n = villages.len();
        let c = covered.iter().filter(|c| **c).count();
        let pops: Option<Vec<u64>> = villages.iter().map(|v| v.area.population).collect();
        ProductCoverage {
            villages: n,
            villages_covered: c,
            rate: if n == 0 { 0.0 } else { c as f64 / n as f64 },
            population_covered: pops.as_ref().map(|p| {
                p.iter()
                    .zip(covered)
                    .filter(|(_, c)| **c)
                    .map(|(p, _)| p)
                    .sum()
            }),
            population_total: pops.map(|p| p.iter().sum()),
        }
    };
    let before = coverage(&covered);
    let cand_snaps: Vec<Option<Snap>> = request
        .candidates
        .iter()
        .map(|c| network.and_then(|n| n.snap(c.point).ok()))
        .collect();
    let cand_pts: Vec<GeoPoint> = request
        .candidates
        .iter()
        .map(|c| c.point.to_wgs84())
        .collect();
    // For each candidate, the uncovered villages it would cover.
    let mut covers: Vec<Vec<usize>> = vec![Vec::new(); request.candidates.len()];
    let mut all_walked = network.is_some();
    let mut ws = network.map(DijkstraWorkspace::new);
    for (vi, v) in villages.iter().enumerate() {
        if covered[vi] {
            continue;
        }
        let limit = access[vi];
        let vp = v.points[0].0;
        let vsnap = v.snaps[0];
        if let (Some(net), Some(ws), Some(vs)) = (network, ws.as_mut(), vsnap) {
            ws.run(net, &vs.seeds(0), limit);
            for (ci, cp) in cand_pts.iter().enumerate() {
                if haversine_m(vp.lat, vp.lng, cp.lat, cp.lng) > limit {
                    continue;
                }
                let Some(cs) = cand_snaps[ci] else { continue };
                let walk = ws
                    .distance_to_snap(&cs, limit)
                    .map(|(d, _)| d)
                    .into_iter()
                    .chain(vs.along_same_edge_m(&cs))
                    .any(|d| d <= limit);
                if walk {
                    covers[ci].push(vi);
                }
            }
        } else {
            all_walked = false;
            for (ci, cp) in cand_pts.iter().enumerate() {
                if haversine_m(vp.lat, vp.lng, cp.lat, cp.lng) * standard.detour_factor <= limit {
                    covers[ci].push(vi);
                }
            }
        }
    }
    let mut chosen = Vec::new();
    let mut used = vec![false; request.candidates.len()];
    for _ in 0..request.k {
        let mut best: Option<(usize, f64)> = None;
        for (ci, vs) in covers.iter().enumerate() {
            if used[ci] {
                continue;
            }
            let gain: f64 = vs
                .iter()
                .filter(|&&v| !covered[v])
                .map(|&v| weight[v])
                .sum();
            if gain > 0.0 && best.is_none_or(|(_, g)| gain > g) {
                best = Some((ci, gain));
            }
        }
        let Some((ci, gain)) = best else { break };
        used[ci] = true;
        let mut newly = Vec::new();
        for &v in &covers[ci] {
            if !covered[v] {
                covered[v] = true;
                newly.push(villages[v].area.code.clone());
            }
        }
        chosen.push(ChosenSite {
            candidate_id: request.candidates[ci].id.clone(),
            point: request.candidates[ci].point,
            newly_covered: newly,
            gain,
        });
    }
    Ok(SitingReport {
        product: request.product,
        objective: request.objective,
        distance_basis: if all_walked {
            DistanceBasis::Walking
        } else {
            DistanceBasis::StraightLineTimesDetour {
                factor: standard.detour_factor,
            }
        },
        before,
        after: coverage(&covered),
        chosen,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalogue::facility::ServiceProduct as P;
    use crate::circle::coverage::CoverageStandard;
    use crate::test_support::at_m;

    fn district() -> (
        Vec<AdminArea>,
        Vec<Facility>,
        WalkingNetwork,
        CoverageStandard,
    ) {
        crate::circle::coverage::tests::district()
    }

    #[test]
    fn siting_improves_coverage() {
        let (areas, facilities, net, standard) = district();
        for objective in [SitingObjective::Villages, SitingObjective::Population] {
            let req = SitingRequest {
                product: P::Lawyer,
                k: 2,
                objective,
                candidates: candidates_from_villages(&areas),
            };
            let r = suggest(&areas, &facilities, Some(&net), &standard, &req).unwrap();
            assert_eq!(r.distance_basis, DistanceBasis::Walking);
            assert_eq!(r.before.villages_covered, 3);
            assert_eq!(r.after.villages_covered, 4);
            assert!(r.after.rate > r.before.rate);
            // One site suffices; the second would add nothing.
            assert_eq!(r.chosen.len(), 1);
            // V2 (1 km away) and V3 itself both cover V3; the first listed wins.
            assert_eq!(r.chosen[0].candidate_id, "V2");
            assert_eq!(r.chosen[0].newly_covered, ["V3"]);
            assert_eq!(r.before.population_covered, Some(4500));
            assert_eq!(r.after.population_covered, Some(5000));
        }
    }

    #[test]
    fn greedy_picks_the_site_covering_most() {
        let (areas, mut facilities, net, standard) = district();
        // Without the center nothing offers judicial appraisal: all four
        // villages are gaps.
        facilities.retain(|f| f.id != "center");
        let grid = candidates_grid(
            at_m(0.0, 0.0).lat,
            at_m(0.0, 0.0).lng,
            at_m(400.0, 2000.0).lat,
            at_m(400.0, 2000.0).lng,
            250.0,
        )
        .unwrap();
        let req = SitingRequest {
            product: P::JudicialAppraisal,
            k: 3,
            objective: SitingObjective::Villages,
            candidates: grid,
        };
        let r = suggest(&areas, &facilities, Some(&net), &standard, &req).unwrap();
        assert_eq!(r.before.villages_covered, 0);
        assert_eq!(r.after.villages_covered, 4);
        // The first pick covers at least two villages; gains never grow.
        assert!(r.chosen[0].gain >= 2.0);
        assert!(r.chosen.windows(2).all(|w| w[0].gain >= w[1].gain));
        // Without a network, the same with straight line × detour.
        let r2 = suggest(&areas, &facilities, None, &standard, &req).unwrap();
        assert!(matches!(
            r2.distance_basis,
            DistanceBasis::StraightLineTimesDetour { .. }
        ));
        assert!(r2.after.villages_covered > r2.before.villages_covered);
    }

    #[test]
    fn candidate_sources_and_their_errors() {
        let csv = "id,lat,lng,datum\nb1,27.92,120.80,wgs84\nb2,27.93,120.81,\n";
        let c = read_candidates_csv(csv.as_bytes()).unwrap();
        assert_eq!(c.len(), 2);
        assert_eq!(c[1].point.datum, crate::geo::coord::Datum::Wgs84);
        assert!(matches!(
            read_candidates_csv("id,lat,lng\nx,NaN,120\n".as_bytes()),
            Err(SitingError::Csv { row: 2, .. })
        ));
        assert!(matches!(
            read_candidates_csv("name,x\n".as_bytes()),
            Err(SitingError::Csv { row: 1, .. })
        ));
        assert!(candidates_grid(27.9, 120.8, 27.8, 120.9, 100.0).is_err());
        assert!(candidates_grid(27.0, 120.0, 28.0, 121.0, 1.0).is_err());
        let g = candidates_grid(27.9, 120.8, 27.901, 120.801, 50.0).unwrap();
        assert!(g.len() >= 4);
        let (areas, facilities, net, standard) = district();
        let mut bad = candidates_from_villages(&areas);
        bad[0].point.lat = f64::NAN;
        let req = SitingRequest {
            product: P::Lawyer,
            k: 1,
            objective: SitingObjective::Villages,
            candidates: bad,
        };
        assert!(matches!(
            suggest(&areas, &facilities, Some(&net), &standard, &req),
            Err(SitingError::InvalidCandidate { .. })
        ));
    }
}
