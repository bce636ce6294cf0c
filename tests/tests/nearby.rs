//! Nearest service points, coverage and isochrones through the real server:
//! on the demo district without a network (straight line × detour, said in
//! every result), and on a real OpenStreetMap extract (pyrosm's
//! `test.osm.pbf`, © OpenStreetMap contributors, ODbL) with walking
//! distances.

use lawcircle_e2e::{Backend, Client, Server, Storage, run_cli};
use serde_json::Value;

#[tokio::test]
async fn nearby_and_coverage_on_the_demo_district_without_a_network() {
    let dir = tempfile::tempdir().unwrap();
    let storage = Storage::new(&Backend::Sqlite, dir.path()).await;
    let server = Server::start(&storage, &["--demo"]);
    let c = Client::new(&server);
    let r = c
        .get("/api/v1/nearby?lat=27.93&lng=120.815&k=5&product=mediation")
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(r.body["network_loaded"], false);
    let results = r.body["results"].as_array().unwrap();
    assert_eq!(results.len(), 5);
    let mut last = 0.0;
    for res in results {
        assert_eq!(
            res["distance_basis"]["basis"].as_str().unwrap_or(""),
            "straight_line_times_detour",
            "{res}"
        );
        let d = res["straight_m"].as_f64().unwrap();
        assert!(d >= last);
        last = d;
        assert!(
            res["facility"]["properties"]["products"]
                .as_array()
                .unwrap()
                .contains(&Value::from("mediation"))
        );
    }
    // The same place given in GCJ-02 finds the same facilities.
    let gcj = c
        .get("/api/v1/nearby?lat=27.927397&lng=120.819566&datum=gcj02&k=5&product=mediation")
        .await;
    let ids = |v: &Value| -> Vec<String> {
        v["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                r["facility"]["properties"]["id"]
                    .as_str()
                    .unwrap()
                    .to_string()
            })
            .collect()
    };
    assert_eq!(ids(&gcj.body), ids(&r.body));
    // Open at a given time: 03:00 on a Monday only 24/7 facilities answer.
    let r = c
        .get("/api/v1/nearby?lat=27.93&lng=120.815&k=10&open_at=2025-03-03T03:00")
        .await;
    for res in r.body["results"].as_array().unwrap() {
        assert_eq!(res["facility"]["properties"]["opening_hours"], "24/7");
    }
    // Bad input names the field.
    for (q, field) in [
        ("lat=120.8&lng=27.9", "lat"),
        ("lat=27.9&lng=120.8&k=0", "k"),
        ("lat=27.9&lng=120.8&product=astrology", "product"),
        ("lat=27.9&lng=120.8&open_at=tomorrow", "open_at"),
        ("lat=27.9&lng=120.8&datum=utm", "datum"),
    ] {
        let r = c.get(&format!("/api/v1/nearby?{q}")).await;
        assert_eq!(r.status, 400, "{q}");
        assert_eq!(r.body["error"]["field"], field, "{q}");
    }
    // Coverage: per street and district, with the plan's targets.
    let r = c.get("/api/v1/coverage?product=mediation").await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    let district = &r.body["district"];
    let streets = r.body["streets"].as_array().unwrap();
    assert_eq!(streets.len(), 10);
    let sum: u64 = streets
        .iter()
        .map(|s| s["villages"].as_u64().unwrap())
        .sum();
    assert_eq!(sum, district["villages"].as_u64().unwrap());
    assert_eq!(district["targets"].as_array().unwrap().len(), 2);
    let covered: u64 = streets
        .iter()
        .map(|s| s["villages_covered"].as_u64().unwrap())
        .sum();
    assert_eq!(covered, district["villages_covered"].as_u64().unwrap());
    let gaps = r.body["gaps"].as_array().unwrap().len() as u64;
    assert_eq!(gaps, district["villages"].as_u64().unwrap() - covered);
    // No network: no isochrone, said clearly.
    let r = c.get("/api/v1/facilities/LW-F0001/isochrone").await;
    assert_eq!(r.status, 409);
    server.stop();
}

#[tokio::test]
async fn walking_distances_and_isochrones_on_a_real_extract() {
    let osm = std::env::var("LAWCIRCLE_OSM_DIR").expect(
        "LAWCIRCLE_OSM_DIR is not set: run `export LAWCIRCLE_OSM_DIR=$(scripts/fetch-osm-fixtures)` (scripts/test does)",
    );
    let pbf = format!("{osm}/test.osm.pbf");
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let lcwn = dir.path().join("test.lcwn");
    let out = run_cli(&["network", "--pbf", &pbf, "--out", lcwn.to_str().unwrap()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let storage = Storage {
        data_dir: data.clone(),
        database_url: None,
    };
    let server = Server::start(&storage, &["--walking-network", lcwn.to_str().unwrap()]);
    let c = Client::new(&server);
    let info = c.get("/api/v1/network").await.body;
    assert_eq!(info["loaded"], true);
    let b: Vec<f64> = info["bbox"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap())
        .collect();
    let (cx, cy) = ((b[0] + b[2]) / 2.0, (b[1] + b[3]) / 2.0);
    let (dx, dy) = ((b[2] - b[0]) / 6.0, (b[3] - b[1]) / 6.0);
    server.stop();

    // A district laid over the extract: two villages, three facilities.
    let areas = dir.path().join("areas.csv");
    std::fs::write(&areas, format!(
        "code,name,level,parent_code,lat,lng\nD,测试区,district,,{cy},{cx}\nS,测试街道,street,D,{cy},{cx}\n\
         V1,近村,village,S,{},{}\nV2,远村,village,S,{},{}\n",
        cy, cx, cy + 2.0 * dy, cx + 2.0 * dx)).unwrap();
    let facilities = dir.path().join("facilities.csv");
    std::fs::write(
        &facilities,
        format!(
            "id,kind,name,lat,lng,opening_hours,area_code\n\
         F1,mediation_organization,中心调解室,{},{},24/7,V1\n\
         F2,law_firm,东律所,{},{},24/7,V1\n\
         F3,mediation_organization,西调解室,{},{},24/7,V1\n",
            cy + dy / 10.0,
            cx,
            cy,
            cx + dx,
            cy - dy,
            cx - dx
        ),
    )
    .unwrap();
    let out = run_cli(&[
        "import",
        "--data-dir",
        data.to_str().unwrap(),
        "--areas",
        areas.to_str().unwrap(),
        "--facilities",
        facilities.to_str().unwrap(),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let server = Server::start(&storage, &["--walking-network", lcwn.to_str().unwrap()]);
    let c = Client::new(&server);
    let r = c
        .get(&format!("/api/v1/nearby?lat={cy}&lng={cx}&k=3"))
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(r.body["network_loaded"], true);
    let results = r.body["results"].as_array().unwrap();
    assert_eq!(results.len(), 3);
    let mut last = 0.0;
    for res in results {
        assert_eq!(res["distance_basis"]["basis"], "walking", "{res}");
        let walk = res["walking_m"].as_f64().unwrap();
        // Walking is never shorter than the straight line (up to snapping).
        assert!(walk + 1.0 >= res["straight_m"].as_f64().unwrap(), "{res}");
        assert!((res["walking_minutes"].as_f64().unwrap() - walk / 80.0).abs() < 0.01);
        assert!(walk >= last, "ordered by walking distance");
        last = walk;
    }
    // The isochrone is a polygon.
    let r = c.get("/api/v1/facilities/F1/isochrone").await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(r.body["type"], "Feature");
    assert!(matches!(
        r.body["geometry"]["type"].as_str(),
        Some("Polygon" | "MultiPolygon")
    ));
    // Coverage on the walking network.
    let r = c.get("/api/v1/coverage?product=mediation").await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(
        r.body["distance_basis"]["basis"], "walking",
        "{:?}",
        r.body["distance_basis"]
    );
    server.stop();

    // The CLI reports the same coverage as CSV.
    let out = run_cli(&[
        "coverage",
        "--data-dir",
        data.to_str().unwrap(),
        "--walking-network",
        lcwn.to_str().unwrap(),
        "--product",
        "mediation",
        "--format",
        "csv",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let csv = String::from_utf8_lossy(&out.stdout);
    assert!(
        csv.starts_with("village_code,village_name,street_code,covered_all,mediation_m"),
        "{csv}"
    );
    assert_eq!(csv.lines().filter(|l| !l.trim().is_empty()).count(), 3);
}
