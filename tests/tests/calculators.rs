//! The compensation calculators through the real server's API.

use lawcircle_e2e::{Backend, Client, Server, Storage, error_code};
use serde_json::json;

fn severance(year: u16, months: u32, termination: &str) -> serde_json::Value {
    json!({"type": "severance", "region": "330000", "year": year, "monthly_wage": "8000",
           "months_of_service": months, "termination": termination})
}

#[tokio::test]
async fn severance_through_the_api_with_parameters_added_by_data() {
    let dir = tempfile::tempdir().unwrap();
    // A newer year comes in as data: a CSV handed to the server.
    let extra = dir.path().join("extra.csv");
    std::fs::write(
        &extra,
        "region,year,indicator,value,unit,source\n\
         330000,2099,average_wage_non_private,150000,yuan/year,test figure for the e2e test\n",
    )
    .unwrap();
    let storage = Storage::new(&Backend::Sqlite, dir.path()).await;
    let server = Server::start(&storage, &["--calc-parameters", extra.to_str().unwrap()]);
    // No login needed: a public query service.
    let c = Client::new(&server);

    // 30 months of service = 2 full years + 6 months, and 6–12 months count
    // as a full year (Labour Contract Law art. 47): N = 3 months × 8,000 =
    // 24,000.00; the 3× cap (3 × 122,309 / 12 = 30,577.25 a month, Zhejiang
    // 2021) does not bite. Unlawful termination doubles it (art. 87).
    let r = c
        .post(
            "/api/v1/calculators/compensation",
            &severance(2021, 30, "lawful"),
        )
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(r.body["total"], "24000.00");
    assert!(r.body["disclaimer"].as_str().unwrap().len() > 10);
    assert!(!r.body["legal_basis"].as_array().unwrap().is_empty());
    let line = &r.body["lines"][0];
    assert!(line["formula"].is_string());
    let r = c
        .post(
            "/api/v1/calculators/compensation",
            &severance(2021, 30, "unlawful"),
        )
        .await;
    assert_eq!(r.body["total"], "48000.00");

    // The explanation is in Chinese unless the client asks for English.
    assert_eq!(line["item"], "经济补偿 N");
    let english = c
        .send(
            c.http
                .post(format!("{}/api/v1/calculators/compensation", c.base))
                .header("Accept-Language", "en-GB,en;q=0.9,zh;q=0.5")
                .json(&severance(2021, 30, "lawful")),
        )
        .await;
    assert_eq!(english.status, 200, "{:?}", english.body);
    assert_eq!(english.body["total"], "24000.00");
    assert_eq!(english.body["lines"][0]["item"], "severance (N)");
    assert!(
        english.body["disclaimer"]
            .as_str()
            .unwrap()
            .contains("not legal advice")
    );

    // The added year works; a missing year is a clear error naming it.
    let r = c
        .post(
            "/api/v1/calculators/compensation",
            &severance(2099, 30, "lawful"),
        )
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    let r = c
        .post(
            "/api/v1/calculators/compensation",
            &severance(1999, 30, "lawful"),
        )
        .await;
    assert_eq!(r.status, 400);
    assert_eq!(r.body["error"]["field"], "year");
    assert!(
        r.body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("1999")
    );

    // Invalid input names the field.
    let r = c
        .post(
            "/api/v1/calculators/compensation",
            &json!({"type": "work_injury", "region": "330000", "year": 2021,
                    "monthly_wage": "8000", "outcome": {"kind": "disability", "grade": 11}}),
        )
        .await;
    assert_eq!(r.status, 400, "{:?}", r.body);
    assert!(
        r.body["error"]["field"].as_str().unwrap().contains("grade"),
        "{:?}",
        r.body
    );
    let r = c
        .post(
            "/api/v1/calculators/compensation",
            &json!({"type": "horoscope"}),
        )
        .await;
    assert_eq!(error_code(&r), "invalid_json");

    // The table in use, each figure with its source.
    let r = c.get("/api/v1/calculators/parameters").await;
    let params = r.body.as_array().unwrap();
    assert!(
        params
            .iter()
            .all(|p| !p["source"].as_str().unwrap().is_empty())
    );
    assert!(params.iter().any(|p| p["year"] == 2099));
    server.stop();
}
