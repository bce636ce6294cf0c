//! Import of the walking network from an OpenStreetMap `.osm.pbf` extract
//! (with the maintained `osmpbf` crate), keeping what a pedestrian may use.
//!
//! Kept (`highway=*`): footway, path, pedestrian, steps, living_street,
//! residential, service, unclassified, tertiary, secondary, primary and
//! their `_link`s, plus corridor, track, cycleway and bridleway only where
//! `foot=yes|designated|permissive`. Trunk roads are kept only with a
//! sidewalk on the road itself (`sidewalk=both|left|right|yes`, or the
//! `sidewalk:*` forms) or explicit foot access; a `sidewalk=separate`
//! sidewalk is mapped as its own footway and kept through that.
//! Never kept: motorways and their links, `foot=no|private`,
//! `access=private|no` (unless foot access is explicitly granted),
//! ways under construction or proposed, and `area=yes` polygons other than
//! pedestrian areas. One-way tags do not bind pedestrians and are ignored.
//!
//! The import reads the file twice (ways, then the nodes they use), so
//! memory stays proportional to the walkable part, and by default keeps
//! only the largest connected part ([`ImportOptions`]).

use super::{NetworkError, WalkingNetwork};
use osmpbf::{Element, ElementReader};
use std::collections::HashMap;
use std::io::{Cursor, Read};

/// Options of the import.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ImportOptions {
    /// Keep only the largest connected part of the network (default true).
    pub largest_component_only: bool,
}

impl Default for ImportOptions {
    fn default() -> Self {
        ImportOptions {
            largest_component_only: true,
        }
    }
}

fn foot_allowed(v: Option<&str>) -> bool {
    matches!(v, Some("yes" | "designated" | "permissive" | "official"))
}

/// Whether a way with these tags may be walked. Public so tests and the
/// server can check a tag set.
pub fn is_walkable<'a>(tags: impl IntoIterator<Item = (&'a str, &'a str)>) -> bool {
    let mut highway = None;
    let (mut foot, mut access, mut area) = (None, None, None);
    let mut sidewalk = false;
    for (k, v) in tags {
        match k {
            "highway" => highway = Some(v),
            "foot" => foot = Some(v),
            "access" => access = Some(v),
            "area" => area = Some(v),
            "sidewalk" | "sidewalk:both" | "sidewalk:left" | "sidewalk:right" => {
                if matches!(v, "both" | "left" | "right" | "yes") {
                    sidewalk = true;
                }
            }
            _ => {}
        }
    }
    let Some(highway) = highway else {
        return false;
    };
    if matches!(foot, Some("no" | "private" | "use_sidepath")) {
        return false;
    }
    let foot_yes = foot_allowed(foot);
    if matches!(access, Some("private" | "no")) && !foot_yes {
        return false;
    }
    if area == Some("yes") && highway != "pedestrian" && highway != "footway" {
        return false;
    }
    match highway {
        "motorway" | "motorway_link" | "construction" | "proposed" | "abandoned" | "platform"
        | "raceway" | "bus_guideway" | "escape" => false,
        "footway" | "path" | "pedestrian" | "steps" | "living_street" | "residential"
        | "service" | "unclassified" | "tertiary" | "tertiary_link" | "secondary"
        | "secondary_link" | "primary" | "primary_link" | "road" => true,
        "trunk" | "trunk_link" => sidewalk || foot_yes,
        _ => foot_yes,
    }
}

/// Imports a walking network from `.osm.pbf` bytes.
pub fn import_pbf_bytes(
    bytes: &[u8],
    options: ImportOptions,
) -> Result<WalkingNetwork, NetworkError> {
    import(|| Ok(ElementReader::new(Cursor::new(bytes))), options)
}

/// Imports a walking network from a `.osm.pbf` file.
pub fn import_pbf_path(
    path: impl AsRef<std::path::Path>,
    options: ImportOptions,
) -> Result<WalkingNetwork, NetworkError> {
    let path = path.as_ref();
    import(
        || {
            ElementReader::from_path(path)
                .map_err(|e| NetworkError::Osm(format!("{}: {e}", path.display())))
        },
        options,
    )
}

fn import<R: Read + Send>(
    open: impl Fn() -> Result<ElementReader<R>, NetworkError>,
    options: ImportOptions,
) -> Result<WalkingNetwork, NetworkError> {
    // Pass 1: walkable ways, as lists of OSM node ids.
    let mut ways: Vec<Vec<i64>> = Vec::new();
    let mut node_index: HashMap<i64, u32> = HashMap::new();
    open()?
        .for_each(|el| {
            if let Element::Way(w) = el
                && is_walkable(w.tags())
            {
                let refs: Vec<i64> = w.refs().collect();
                if refs.len() >= 2 {
                    for &r in &refs {
                        let next = node_index.len() as u32;
                        node_index.entry(r).or_insert(next);
                    }
                    ways.push(refs);
                }
            }
        })
        .map_err(|e| NetworkError::Osm(e.to_string()))?;
    if ways.is_empty() {
        return Err(NetworkError::Empty);
    }
    // Pass 2: coordinates of the nodes those ways use.
    let mut coords: Vec<Option<(f64, f64)>> = vec![None; node_index.len()];
    open()?
        .for_each(|el| {
            let (id, lat, lng) = match el {
                Element::Node(n) => (n.id(), n.lat(), n.lon()),
                Element::DenseNode(n) => (n.id(), n.lat(), n.lon()),
                _ => return,
            };
            if let Some(&i) = node_index.get(&id) {
                coords[i as usize] = Some((lat, lng));
            }
        })
        .map_err(|e| NetworkError::Osm(e.to_string()))?;
    // Nodes missing from the extract (ways clipped at its border) are
    // dropped, cutting the way there; the rest is renumbered densely.
    let mut dense = vec![u32::MAX; coords.len()];
    let mut nodes = Vec::with_capacity(coords.len());
    for (i, c) in coords.iter().enumerate() {
        if let Some((lat, lng)) = *c
            && crate::geo::coord::validate_lat_lng(lat, lng).is_ok()
        {
            dense[i] = nodes.len() as u32;
            nodes.push((lat, lng));
        }
    }
    let mut edges = Vec::new();
    for refs in &ways {
        for pair in refs.windows(2) {
            let a = node_index
                .get(&pair[0])
                .map_or(u32::MAX, |&i| dense[i as usize]);
            let b = node_index
                .get(&pair[1])
                .map_or(u32::MAX, |&i| dense[i as usize]);
            if a != u32::MAX && b != u32::MAX && a != b {
                edges.push((a, b));
            }
        }
    }
    if edges.is_empty() {
        return Err(NetworkError::Empty);
    }
    let net = WalkingNetwork::from_edges(&nodes, &edges)?;
    if options.largest_component_only {
        net.largest_component()
    } else {
        Ok(net)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(pairs: &[(&'static str, &'static str)]) -> bool {
        is_walkable(pairs.iter().copied())
    }

    #[test]
    fn walkable_tag_rules() {
        assert!(t(&[("highway", "footway")]));
        assert!(t(&[("highway", "residential")]));
        assert!(t(&[("highway", "primary")]));
        assert!(t(&[("highway", "steps")]));
        assert!(!t(&[("highway", "motorway")]));
        assert!(!t(&[("highway", "trunk")]));
        assert!(t(&[("highway", "trunk"), ("sidewalk", "both")]));
        assert!(!t(&[("highway", "trunk"), ("sidewalk", "separate")]));
        assert!(!t(&[("highway", "footway"), ("foot", "no")]));
        assert!(!t(&[("highway", "service"), ("access", "private")]));
        assert!(t(&[
            ("highway", "service"),
            ("access", "private"),
            ("foot", "yes")
        ]));
        assert!(!t(&[("highway", "cycleway")]));
        assert!(t(&[("highway", "cycleway"), ("foot", "designated")]));
        assert!(!t(&[("building", "yes")]));
        assert!(!t(&[("highway", "residential"), ("area", "yes")]));
        assert!(t(&[("highway", "pedestrian"), ("area", "yes")]));
    }

    #[test]
    fn corrupt_and_empty_pbf_are_errors() {
        let garbage = b"\x00\x00\x00\x0dnot a pbf at all, certainly";
        assert!(matches!(
            import_pbf_bytes(garbage, ImportOptions::default()),
            Err(NetworkError::Osm(_) | NetworkError::Empty)
        ));
        assert!(matches!(
            import_pbf_bytes(&[], ImportOptions::default()),
            Err(NetworkError::Osm(_) | NetworkError::Empty)
        ));
        assert!(import_pbf_path("/nonexistent/x.osm.pbf", ImportOptions::default()).is_err());
    }
}
