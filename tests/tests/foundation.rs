//! The Foundation flows end to end: the real server binary with a real
//! SQLite file, spoken to over HTTP on loopback.

use lawcircle_e2e::{Backend, Server, Storage, backends, repo_root, run_cli};
use serde_json::Value;

async fn get_json(url: &str) -> (u16, Value) {
    let resp = lawcircle_e2e::http_get(url).await.expect("request");
    let status = resp.status().as_u16();
    (status, resp.json().await.expect("json body"))
}

fn demo_facility_count() -> usize {
    let text = std::fs::read_to_string(repo_root().join("data/longwan/facilities.csv")).unwrap();
    text.lines()
        .skip(1)
        .filter(|l| !l.trim().is_empty())
        .count()
}

#[tokio::test]
async fn serves_health_and_the_demo_catalogue_as_geojson() {
    for backend in backends() {
        serves_catalogue(&backend).await;
    }
}

async fn serves_catalogue(backend: &Backend) {
    let dir = tempfile::tempdir().unwrap();
    let storage = Storage::new(backend, dir.path()).await;
    let server = Server::start(&storage, &["--demo"]);
    let (status, health) = get_json(&server.url("/health")).await;
    assert_eq!(status, 200);
    assert_eq!(health["status"], "ok");
    assert_eq!(health["database"], backend.name());

    let resp = lawcircle_e2e::http_get(server.url("/api/v1/facilities"))
        .await
        .unwrap();
    assert_eq!(
        resp.headers()["content-type"].to_str().unwrap(),
        "application/geo+json"
    );
    let all: Value = resp.json().await.unwrap();
    assert_eq!(all["type"], "FeatureCollection");
    let features = all["features"].as_array().unwrap();
    assert_eq!(features.len(), demo_facility_count());
    // Every one of the 13 kinds is in the demo data.
    let kinds: std::collections::BTreeSet<&str> = features
        .iter()
        .map(|f| f["properties"]["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds.len(), 13, "{kinds:?}");
    // RFC 7946: WGS-84, [lng, lat], inside the Longwan area.
    for f in features {
        let c = f["geometry"]["coordinates"].as_array().unwrap();
        let (lng, lat) = (c[0].as_f64().unwrap(), c[1].as_f64().unwrap());
        assert!((120.70..120.92).contains(&lng) && (27.82..28.0).contains(&lat));
        assert_eq!(f["properties"]["datum"], "wgs84");
    }

    let (_, firms) = get_json(&server.url("/api/v1/facilities?kind=law_firm")).await;
    let firms = firms["features"].as_array().unwrap();
    assert!(!firms.is_empty());
    assert!(firms.iter().all(|f| f["properties"]["kind"] == "law_firm"));

    let (_, aid) = get_json(&server.url("/api/v1/facilities?product=legal_aid")).await;
    assert!(aid["features"].as_array().unwrap().iter().all(|f| {
        f["properties"]["products"]
            .as_array()
            .unwrap()
            .contains(&Value::from("legal_aid"))
    }));

    let (_, areas) = get_json(&server.url("/api/v1/areas")).await;
    let streets = areas["features"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["properties"]["level"] == "street")
        .count();
    assert_eq!(streets, 10);
    let (_, posts) = get_json(&server.url("/api/v1/duty-posts")).await;
    assert!(posts["features"].as_array().unwrap().len() >= 21);
    server.stop();
}

#[tokio::test]
async fn bad_queries_get_the_stable_error_shape() {
    let dir = tempfile::tempdir().unwrap();
    let storage = Storage::new(&Backend::Sqlite, dir.path()).await;
    let server = Server::start(&storage, &["--demo"]);
    for (query, field) in [
        ("kind=casino", "kind"),
        ("product=astrology", "product"),
        ("since_version=abc", "since_version"),
        ("since_version=-1", "since_version"),
        ("bogus=1", "bogus"),
    ] {
        let (status, body) = get_json(&server.url(&format!("/api/v1/facilities?{query}"))).await;
        assert_eq!(status, 400, "{query}");
        assert_eq!(body["error"]["code"], "bad_request", "{query}");
        assert_eq!(body["error"]["field"], field, "{query}: {body}");
        assert!(body["error"]["message"].as_str().unwrap().len() > 5);
    }
    let (status, body) = get_json(&server.url("/api/v1/nothing-here")).await;
    assert_eq!(status, 404);
    assert_eq!(body["error"]["code"], "not_found");
    server.stop();
}

#[tokio::test]
async fn data_survives_a_restart_and_demo_reload_changes_nothing() {
    for backend in backends() {
        survives_restart(&backend).await;
    }
}

async fn survives_restart(backend: &Backend) {
    let dir = tempfile::tempdir().unwrap();
    let storage = Storage::new(backend, dir.path()).await;
    let server = Server::start(&storage, &["--demo"]);
    let (_, h1) = get_json(&server.url("/health")).await;
    server.stop();
    if *backend == Backend::Sqlite {
        assert!(dir.path().join("lawcircle.sqlite").exists());
    }

    let server = Server::start(&storage, &["--demo"]);
    let (_, h2) = get_json(&server.url("/health")).await;
    assert_eq!(h1["catalogue_version"], h2["catalogue_version"]);
    // A phone that is up to date gets an empty delta.
    let v = h2["catalogue_version"].as_u64().unwrap();
    let (_, delta) = get_json(&server.url(&format!("/api/v1/facilities?since_version={v}"))).await;
    assert_eq!(delta["features"].as_array().unwrap().len(), 0);
    assert_eq!(delta["version"], v);
    server.stop();

    // Without --demo the data is still there.
    let server = Server::start(&storage, &[]);
    let (_, all) = get_json(&server.url("/api/v1/facilities")).await;
    assert_eq!(
        all["features"].as_array().unwrap().len(),
        demo_facility_count()
    );
    server.stop();
}

#[tokio::test]
async fn import_cli_updates_by_id_and_refuses_bad_files_whole() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let data_arg = data.to_str().unwrap();
    let storage = Storage {
        data_dir: data.clone(),
        database_url: None,
    };
    let longwan = repo_root().join("data/longwan");
    let areas = longwan.join("areas.csv");
    let out = run_cli(&[
        "import",
        "--data-dir",
        data_arg,
        "--areas",
        areas.to_str().unwrap(),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    // A facilities file with one good and one bad row: nothing is imported,
    // and the error names the file, the line and the field.
    let bad = dir.path().join("facilities.csv");
    std::fs::write(
        &bad,
        "id,kind,name,lat,lng,opening_hours,area_code\n\
         T1,law_firm,测试律所,27.93,120.82,Mo-Fr 09:00-17:00,330303001\n\
         T2,law_firm,坏行,120.82,27.93,Mo-Fr 09:00-17:00,330303001\n",
    )
    .unwrap();
    let out = run_cli(&[
        "import",
        "--data-dir",
        data_arg,
        "--facilities",
        bad.to_str().unwrap(),
    ]);
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("line 3") && stderr.contains("field lat") && stderr.contains("swapped"),
        "{stderr}"
    );

    let server = Server::start(&storage, &[]);
    let (_, all) = get_json(&server.url("/api/v1/facilities")).await;
    assert_eq!(all["features"].as_array().unwrap().len(), 0);
    server.stop();

    // With --skip-bad-rows the good row goes in and the bad one is listed.
    let out = run_cli(&[
        "import",
        "--data-dir",
        data_arg,
        "--skip-bad-rows",
        "--facilities",
        bad.to_str().unwrap(),
    ]);
    assert!(out.status.success());
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("1 created") && stdout.contains("skipped"),
        "{stdout}"
    );

    // Re-importing the same ids changes nothing; an edit updates in place.
    let out = run_cli(&[
        "import",
        "--data-dir",
        data_arg,
        "--skip-bad-rows",
        "--facilities",
        bad.to_str().unwrap(),
    ]);
    assert!(String::from_utf8_lossy(&out.stdout).contains("0 created, 0 updated, 1 unchanged"));
    std::fs::write(
        &bad,
        "id,kind,name,lat,lng,opening_hours,area_code\n\
         T1,law_firm,测试律所（新址）,27.931,120.821,Mo-Fr 09:00-17:00,330303001\n",
    )
    .unwrap();
    let out = run_cli(&[
        "import",
        "--data-dir",
        data_arg,
        "--facilities",
        bad.to_str().unwrap(),
    ]);
    assert!(String::from_utf8_lossy(&out.stdout).contains("0 created, 1 updated"));

    let server = Server::start(&storage, &[]);
    let (_, all) = get_json(&server.url("/api/v1/facilities")).await;
    let features = all["features"].as_array().unwrap();
    assert_eq!(features.len(), 1);
    assert_eq!(features[0]["properties"]["name"], "测试律所（新址）");
    server.stop();

    // Export round-trips through the importer.
    let exported = dir.path().join("export.geojson");
    let out = run_cli(&[
        "export",
        "--data-dir",
        data_arg,
        "facilities",
        "--out",
        exported.to_str().unwrap(),
    ]);
    assert!(out.status.success());
    let out = run_cli(&[
        "import",
        "--data-dir",
        data_arg,
        "--facilities",
        exported.to_str().unwrap(),
    ]);
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("1 unchanged"),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}
