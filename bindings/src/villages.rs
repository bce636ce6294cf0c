//! Villages and communities (村/社区) from the phone's offline copy of the
//! areas: the one at a GPS fix, and the list a picker shows, so nobody
//! types a 12-digit area code. The picked village's `code` is what a need
//! form's `area_code` takes.

use lawcircle_core::catalogue::area::{AdminArea, AreaLevel};
use lawcircle_core::geo::coord::GeoPoint;

use crate::client::LawCircleClient;
use crate::offline::OfflineState;
use crate::{LawCircleError, Point};

/// Beyond this from every village's representative point, a fix is in no
/// village the phone knows (outside the district, or areas not fetched).
pub const VILLAGE_MAX_DISTANCE_M: f64 = 5_000.0;

/// A village or community (村/社区) and the street (街道) it belongs to.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct Village {
    /// The 12-digit area code (what a need's `area_code` takes).
    pub code: String,
    pub name: String,
    /// The 9-digit code of its street.
    pub street_code: String,
    /// The street's name, e.g. 永中街道; empty when the street is unknown.
    pub street_name: String,
    /// Its representative point (the committee's seat or centroid), in
    /// WGS-84.
    pub centroid: Point,
}

fn village_of(a: &AdminArea, areas: &[AdminArea]) -> Village {
    let street_code = a.parent_code.clone().unwrap_or_default();
    let street_name = areas
        .iter()
        .find(|s| s.code == street_code && s.level == AreaLevel::Street)
        .map(|s| s.name.clone())
        .unwrap_or_default();
    Village {
        code: a.code.clone(),
        name: a.name.clone(),
        street_code,
        street_name,
        centroid: a
            .centroid
            .to_datum(lawcircle_core::geo::coord::Datum::Wgs84)
            .into(),
    }
}

/// The village at `point` among `areas`: one whose boundary contains it,
/// else the one with the nearest representative point within
/// [`VILLAGE_MAX_DISTANCE_M`].
fn find_village_at(areas: &[AdminArea], point: GeoPoint) -> Option<Village> {
    let villages = areas.iter().filter(|a| a.level == AreaLevel::Village);
    let mut best: Option<(&AdminArea, bool, f64)> = None;
    for v in villages {
        let inside = v.boundary.as_ref().is_some_and(|b| b.contains(point));
        let d = v.centroid.distance_m(point);
        let better = match best {
            None => inside || d <= VILLAGE_MAX_DISTANCE_M,
            Some((_, best_inside, best_d)) => (inside, -d) > (best_inside, -best_d),
        };
        if better {
            best = Some((v, inside, d));
        }
    }
    best.map(|(v, _, _)| village_of(v, areas))
}

/// The villages of `street_code` (all when `None`) whose name or code
/// contains `search`, by street and then code.
fn list_villages(
    areas: &[AdminArea],
    street_code: Option<&str>,
    search: Option<&str>,
) -> Result<Vec<Village>, LawCircleError> {
    if let Some(s) = street_code
        && (s.len() != 9 || !s.bytes().all(|b| b.is_ascii_digit()))
    {
        return Err(LawCircleError::invalid(
            "street_code",
            "is not a street code (9 digits)",
        ));
    }
    let search = search.map(str::trim).filter(|s| !s.is_empty());
    let mut out: Vec<Village> = areas
        .iter()
        .filter(|a| a.level == AreaLevel::Village)
        .filter(|a| street_code.is_none_or(|s| a.parent_code.as_deref() == Some(s)))
        .filter(|a| search.is_none_or(|q| a.name.contains(q) || a.code.starts_with(q)))
        .map(|a| village_of(a, areas))
        .collect();
    out.sort_by(|a, b| (&a.street_code, &a.code).cmp(&(&b.street_code, &b.code)));
    Ok(out)
}

impl OfflineState {
    fn areas(&self) -> Result<Vec<AdminArea>, LawCircleError> {
        Ok(self.current()?.snapshot.areas.clone())
    }
}

#[uniffi::export]
impl LawCircleClient {
    /// The village or community at `point` (any datum), offline: the one
    /// whose boundary contains it, else the one whose representative point
    /// is nearest (within 5 km). `None` when the phone knows no village
    /// there (outside the district, or the areas were never fetched:
    /// `refresh_catalogue` fetches them).
    pub fn village_at(&self, point: Point) -> Result<Option<Village>, LawCircleError> {
        let point: GeoPoint = point.try_into()?;
        Ok(find_village_at(&self.inner.offline.areas()?, point))
    }

    /// The villages and communities for a picker, offline: those of
    /// `street_code` (9 digits; all streets when `None`) whose name
    /// contains `search` or whose code starts with it (all when `None` or
    /// blank), by street and code.
    pub fn villages(
        &self,
        street_code: Option<String>,
        search: Option<String>,
    ) -> Result<Vec<Village>, LawCircleError> {
        list_villages(
            &self.inner.offline.areas()?,
            street_code.as_deref(),
            search.as_deref(),
        )
    }
}
