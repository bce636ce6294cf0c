//! The coverage commands of the CLI: build a walking network file, report
//! coverage of the 15-minute circle, suggest sites — over the store, as a
//! table, CSV, GeoJSON or JSON, with a progress indicator on long work.

use crate::spatial::load_network;
use crate::store::{FacilityFilter, Store};
use indicatif::{ProgressBar, ProgressStyle};
use lawcircle_core::catalogue::facility::ServiceProduct;
use lawcircle_core::circle::coverage::{self, CoverageReport, CoverageStandard};
use lawcircle_core::circle::siting::{self, SitingObjective, SitingRequest};
use lawcircle_core::geo::network::WalkingNetwork;
use serde_json::json;
use std::fmt::Write as _;
use std::path::Path;
use std::time::Duration;

/// A spinner on standard error while `work` runs (hidden when stderr is
/// not a terminal, so scripts get clean output).
pub fn with_spinner<T>(message: &str, work: impl FnOnce() -> T) -> T {
    let bar = ProgressBar::new_spinner();
    bar.set_style(
        ProgressStyle::with_template("{spinner} {msg} [{elapsed}]")
            .unwrap_or_else(|_| ProgressStyle::default_spinner()),
    );
    bar.set_message(message.to_string());
    bar.enable_steady_tick(Duration::from_millis(120));
    let out = work();
    bar.finish_and_clear();
    out
}

/// `network`: imports an `.osm.pbf` and writes the compact network file.
pub fn build_network(pbf: &Path, out: &Path) -> Result<String, String> {
    let net = with_spinner("importing the walking network", || load_network(pbf))
        .map_err(|e| e.to_string())?;
    net.save(out)
        .map_err(|e| format!("{}: {e}", out.display()))?;
    let size = std::fs::metadata(out).map(|m| m.len()).unwrap_or(0);
    Ok(format!(
        "{}: {} nodes, {} edges, {:.1} km of walkable way, {} bytes ({:.0} B/km)",
        out.display(),
        net.node_count(),
        net.edge_count(),
        net.total_km(),
        size,
        size as f64 / net.total_km().max(1e-9)
    ))
}

/// Output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum OutputFormat {
    Table,
    Csv,
    Geojson,
    Json,
}

fn products_arg(list: &[String]) -> Result<Vec<ServiceProduct>, String> {
    list.iter().map(|p| p.parse()).collect()
}

/// `coverage`: the report over the store.
pub async fn coverage(
    store: &Store,
    network: Option<WalkingNetwork>,
    products: &[String],
    format: OutputFormat,
) -> Result<String, String> {
    let mut standard = CoverageStandard::default();
    let products = products_arg(products)?;
    if !products.is_empty() {
        standard.required_products = products;
    }
    let areas = store.areas().await.map_err(|e| e.to_string())?;
    let facilities = store
        .facilities(&FacilityFilter::default())
        .await
        .map_err(|e| e.to_string())?;
    let report = with_spinner("computing coverage", || {
        coverage::compute(&areas, &facilities, network.as_ref(), &standard)
    })
    .map_err(|e| e.to_string())?;
    render(&report, &areas, format)
}

fn pct(r: f64) -> String {
    format!("{:.1}%", r * 100.0)
}

fn render(
    report: &CoverageReport,
    areas: &[lawcircle_core::catalogue::area::AdminArea],
    format: OutputFormat,
) -> Result<String, String> {
    let mut out = String::new();
    match format {
        OutputFormat::Json => {
            out = serde_json::to_string_pretty(report).map_err(|e| e.to_string())?;
        }
        OutputFormat::Table => {
            let _ = writeln!(out, "distance basis: {:?}", report.distance_basis);
            let _ = writeln!(
                out,
                "{:<12} {:<10} {:>8} {:>8} {:>8}  targets",
                "street", "name", "villages", "covered", "rate"
            );
            for s in report
                .streets
                .iter()
                .chain(std::iter::once(&report.district))
            {
                let targets = s
                    .targets
                    .iter()
                    .map(|t| format!("{} {}", if t.met { "met" } else { "NOT met" }, t.due))
                    .collect::<Vec<_>>()
                    .join(", ");
                let _ = writeln!(
                    out,
                    "{:<12} {:<10} {:>8} {:>8} {:>8}  {}",
                    s.code.as_deref().unwrap_or("district"),
                    s.name.as_deref().unwrap_or("全区"),
                    s.villages,
                    s.villages_covered,
                    pct(s.rate),
                    targets
                );
            }
            let _ = writeln!(
                out,
                "gaps: {} (village × product beyond the standard)",
                report.gaps.len()
            );
            for w in &report.warnings {
                let _ = writeln!(out, "warning: {w}");
            }
        }
        OutputFormat::Csv => {
            let mut w = csv::Writer::from_writer(Vec::new());
            let mut header = vec![
                "village_code".to_string(),
                "village_name".to_string(),
                "street_code".to_string(),
                "covered_all".to_string(),
            ];
            header.extend(
                report
                    .standard
                    .required_products
                    .iter()
                    .map(|p| format!("{}_m", p.code())),
            );
            w.write_record(&header).map_err(|e| e.to_string())?;
            for v in &report.villages {
                let mut row = vec![
                    v.code.clone(),
                    v.name.clone(),
                    v.street_code.clone().unwrap_or_default(),
                    v.covered_all.to_string(),
                ];
                for p in &report.standard.required_products {
                    let d = v
                        .products
                        .iter()
                        .find(|a| a.product == *p)
                        .and_then(|a| a.distance_m);
                    row.push(d.map(|d| format!("{d:.0}")).unwrap_or_default());
                }
                w.write_record(&row).map_err(|e| e.to_string())?;
            }
            out = String::from_utf8(w.into_inner().map_err(|e| e.to_string())?)
                .map_err(|e| e.to_string())?;
        }
        OutputFormat::Geojson => {
            let features: Vec<_> = report
                .villages
                .iter()
                .filter_map(|v| {
                    let area = areas.iter().find(|a| a.code == v.code)?;
                    let c = area.centroid.to_wgs84();
                    let missing: Vec<&str> = v
                        .products
                        .iter()
                        .filter(|p| !p.covered)
                        .map(|p| p.product.code())
                        .collect();
                    Some(json!({"type": "Feature",
                        "geometry": {"type": "Point", "coordinates": [c.lng, c.lat]},
                        "properties": {"code": v.code, "name": v.name, "street_code": v.street_code,
                                       "covered_all": v.covered_all, "missing_products": missing}}))
                })
                .collect();
            out = serde_json::to_string_pretty(
                &json!({"type": "FeatureCollection", "features": features}),
            )
            .map_err(|e| e.to_string())?;
        }
    }
    Ok(out)
}

/// `siting`: k new sites for a product, chosen among village centroids.
pub async fn siting(
    store: &Store,
    network: Option<WalkingNetwork>,
    product: &str,
    k: usize,
    by_population: bool,
) -> Result<String, String> {
    let product: ServiceProduct = product.parse()?;
    let areas = store.areas().await.map_err(|e| e.to_string())?;
    let facilities = store
        .facilities(&FacilityFilter::default())
        .await
        .map_err(|e| e.to_string())?;
    let request = SitingRequest {
        product,
        k,
        objective: if by_population {
            SitingObjective::Population
        } else {
            SitingObjective::Villages
        },
        candidates: siting::candidates_from_villages(&areas),
    };
    let report = with_spinner("choosing sites", || {
        siting::suggest(
            &areas,
            &facilities,
            network.as_ref(),
            &CoverageStandard::default(),
            &request,
        )
    })
    .map_err(|e| e.to_string())?;
    serde_json::to_string_pretty(&report).map_err(|e| e.to_string())
}
