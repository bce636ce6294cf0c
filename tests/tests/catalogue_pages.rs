//! The catalogue lists (facilities, areas, duty posts) a page at a time, on
//! SQLite and PostgreSQL: at most 5,000 features per answer (also without
//! `limit`), the next page from `next_since_version` (facilities) or
//! `next_cursor` (areas, duty posts), every feature once and in key order
//! with changes arriving between pages, filters applied before the page is
//! cut, and a bad `limit` or `cursor` a 400 naming the field.

use lawcircle_e2e::{Client, Server, backends, demo_server_with};
use serde_json::{Value, json};

const PW: &str = "a long passphrase";

/// The ids of a collection's features (`code` for areas).
fn ids(page: &Value, key: &str) -> Vec<String> {
    page["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["properties"][key].as_str().unwrap().to_string())
        .collect()
}

/// Every page of `path` with `limit`, following `next` (the name of the
/// answer's member and of the query parameter it is passed back as);
/// `between` runs after each page.
async fn walk(
    c: &Client,
    path: &str,
    limit: usize,
    next: (&str, &str),
    key: &str,
    mut between: impl AsyncFnMut(usize),
) -> Vec<String> {
    let sep = if path.contains('?') { '&' } else { '?' };
    let mut all = Vec::new();
    let mut from: Option<String> = None;
    for n in 0.. {
        let url = match &from {
            Some(v) => format!("{path}{sep}limit={limit}&{}={v}", next.1),
            None => format!("{path}{sep}limit={limit}"),
        };
        let r = c.get(&url).await;
        assert_eq!(r.status, 200, "{url}: {:?}", r.body);
        let got = ids(&r.body, key);
        assert!(got.len() <= limit, "{url}: {} > {limit}", got.len());
        all.extend(got);
        match &r.body[next.0] {
            Value::Null => break,
            v => {
                from = Some(match v {
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                })
            }
        }
        between(n).await;
    }
    all
}

#[tokio::test]
async fn catalogue_lists_come_in_pages_of_at_most_5000() {
    for backend in backends() {
        let dir = tempfile::tempdir().unwrap();
        let server: Server = demo_server_with(
            &backend,
            dir.path(),
            &[],
            &[("admin", "district_admin", None)],
            PW,
        )
        .await;
        let anonymous = Client::new(&server);
        let admin = Client::login(&server, "admin", PW).await;
        let name = backend.name();

        // Areas: by code, every one once, the same as the one answer
        // without `limit` (the demo district is far below the maximum).
        let whole = anonymous.get("/api/v1/areas").await;
        assert_eq!(whole.status, 200, "{name}: {:?}", whole.body);
        assert!(whole.body.get("next_cursor").is_none(), "{name}");
        let whole_areas = ids(&whole.body, "code");
        assert!(whole_areas.len() > 10, "{name}: {}", whole_areas.len());
        let paged = walk(
            &anonymous,
            "/api/v1/areas",
            7,
            ("next_cursor", "cursor"),
            "code",
            async |_| {},
        )
        .await;
        assert_eq!(paged, whole_areas, "{name}: areas by page");
        let mut sorted = paged.clone();
        sorted.sort();
        assert_eq!(paged, sorted, "{name}: areas in code order");

        // Duty posts: a post added between pages behind the cursor is not
        // seen again, one ahead of it is seen once.
        let posts_before = ids(&anonymous.get("/api/v1/duty-posts").await.body, "id");
        assert!(posts_before.len() > 3, "{name}: {}", posts_before.len());
        let mut added = false;
        let paged = walk(
            &anonymous,
            "/api/v1/duty-posts",
            2,
            ("next_cursor", "cursor"),
            "id",
            async |_| {
                if !added {
                    added = true;
                    let csv = "id,name,type,street_code,lat,lng,datum,radius_m,hotline,facility_id,shifts,retired,note\n\
                        ZZ-PAGE-POST,翻页测试点位,station,330303001,27.93,120.815,wgs84,80,,,\"Mo-Fr 09:00-17:00\",false,\n";
                    let r = admin
                        .post_raw(
                            "/api/v1/imports/duty_posts?format=csv",
                            "text/csv",
                            csv.as_bytes().to_vec(),
                        )
                        .await;
                    assert_eq!(r.status, 200, "{name}: {:?}", r.body);
                }
            },
        )
        .await;
        let mut expected = posts_before.clone();
        expected.push("ZZ-PAGE-POST".to_string());
        assert_eq!(paged, expected, "{name}: duty posts by page");

        // Facilities: by version; a facility changed between pages comes
        // again at its new version (the phone's delta rule), none is lost.
        let all = anonymous.get("/api/v1/facilities").await;
        let every = ids(&all.body, "id");
        assert!(every.len() > 100, "{name}: {}", every.len());
        assert!(all.body.get("next_since_version").is_none(), "{name}");
        let first_id = every[0].clone();
        let mut changed = false;
        let paged = walk(
            &anonymous,
            "/api/v1/facilities",
            50,
            ("next_since_version", "since_version"),
            "id",
            async |_| {
                if !changed {
                    changed = true;
                    let r = admin
                        .post(&format!("/api/v1/facilities/{first_id}/retire"), &json!({}))
                        .await;
                    assert_eq!(r.status, 200, "{name}: {:?}", r.body);
                }
            },
        )
        .await;
        let mut unique = paged.clone();
        unique.sort();
        unique.dedup();
        let mut expected = every.clone();
        expected.sort();
        assert_eq!(unique, expected, "{name}: every facility seen");
        assert_eq!(
            paged.iter().filter(|id| **id == first_id).count(),
            2,
            "{name}: the retired one again at its new version"
        );

        // Filters come before the cut: a product's pages hold only it, and
        // together as many as its one answer (retired ones included, as
        // every page after the first includes them for phones to drop).
        let one = anonymous
            .get("/api/v1/facilities?product=notarization&include_retired=true")
            .await;
        let notaries = ids(&one.body, "id");
        assert!(!notaries.is_empty(), "{name}");
        let paged = walk(
            &anonymous,
            "/api/v1/facilities?product=notarization&include_retired=true",
            1,
            ("next_since_version", "since_version"),
            "id",
            async |_| {},
        )
        .await;
        assert_eq!(paged, notaries, "{name}: one product by page");
        let by_kind = anonymous.get("/api/v1/facilities?kind=law_firm").await;
        for f in by_kind.body["features"].as_array().unwrap() {
            assert_eq!(f["properties"]["kind"], "law_firm", "{name}");
        }

        // Bad pages name their field.
        for (url, field) in [
            ("/api/v1/areas?limit=0", "limit"),
            ("/api/v1/areas?limit=5001", "limit"),
            ("/api/v1/duty-posts?cursor=%25%25", "cursor"),
            ("/api/v1/duty-posts?limit=x", "limit"),
            ("/api/v1/facilities?limit=5001", "limit"),
        ] {
            let r = anonymous.get(url).await;
            assert_eq!(r.status, 400, "{name} {url}: {:?}", r.body);
            assert_eq!(r.body["error"]["field"], field, "{name} {url}");
        }
    }
}
