//! The order list in pages, on SQLite and PostgreSQL: `?limit=` (and
//! `?after=`, the previous page's `next_after`) answers `{items,
//! next_after}` in the order of filing, a resident's pages hold only their
//! own orders, bad limits are refused; without them the plain array older
//! clients read is unchanged.

use lawcircle_e2e::{Client, Server, Storage, backends, cli_create_account, error_code, people};
use serde_json::Value;

const PW: &str = "correct-horse-42";
const STREET: &str = "330303001";
const VILLAGE: &str = "330303001001";

fn ids(items: &Value) -> Vec<String> {
    items
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["id"].as_str().unwrap().to_string())
        .collect()
}

/// Every page of `GET /api/v1/orders?limit=<limit>` for `c`.
async fn all_pages(c: &Client, limit: usize) -> Vec<String> {
    let mut out = Vec::new();
    let mut path = format!("/api/v1/orders?limit={limit}");
    loop {
        let r = c.get(&path).await;
        assert_eq!(r.status, 200, "{:?}", r.body);
        let page = ids(&r.body["items"]);
        assert!(page.len() <= limit, "{page:?}");
        out.extend(page);
        match r.body["next_after"].as_i64() {
            Some(after) => path = format!("/api/v1/orders?limit={limit}&after={after}"),
            None => return out,
        }
    }
}

#[tokio::test]
async fn orders_come_in_pages_and_old_clients_get_the_array() {
    for backend in backends() {
        let dir = tempfile::tempdir().unwrap();
        let storage = Storage::new(&backend, dir.path()).await;
        let server = Server::start(&storage, &["--demo", "--grab-window-secs", "3600"]);
        cli_create_account(&storage, "admin", "district_admin", None, PW);
        let admin = Client::login(&server, "admin", PW).await;
        for name in ["alice", "bob"] {
            people::create_account(&admin, name, "resident", STREET, PW)
                .await
                .unwrap();
        }
        let alice = Client::login(&server, "alice", PW).await;
        let bob = Client::login(&server, "bob", PW).await;
        let mut mine = Vec::new();
        for i in 0..5 {
            let need = lawcircle_e2e::intake::need_json("consultation", VILLAGE);
            mine.push(alice.submit_need(&need).await);
            if i % 2 == 0 {
                bob.submit_need(&need).await;
            }
        }
        // Alice's pages: her five, in the order filed, none of Bob's.
        assert_eq!(all_pages(&alice, 2).await, mine, "{}", backend.name());
        // The admin's pages: all eight, each once.
        let every = all_pages(&admin, 3).await;
        assert_eq!(every.len(), 8, "{every:?}");
        let unique: std::collections::BTreeSet<&String> = every.iter().collect();
        assert_eq!(unique.len(), 8, "{every:?}");
        // Without page parameters: the array as before.
        let r = alice.get("/api/v1/orders").await;
        assert_eq!(r.status, 200);
        let mut old = ids(&r.body);
        old.sort();
        let mut expected = mine.clone();
        expected.sort();
        assert_eq!(old, expected);
        // A state filter applies to pages too.
        let r = admin.get("/api/v1/orders?limit=500&state=claimed").await;
        assert_eq!(r.body["items"], Value::Array(vec![]), "{:?}", r.body);
        // Limits outside 1–500 are refused, naming the field.
        for (bad, field) in [
            ("limit=0", "limit"),
            ("limit=501", "limit"),
            ("after=-1", "after"),
        ] {
            let r = alice.get(&format!("/api/v1/orders?{bad}")).await;
            assert_eq!(r.status, 400, "{bad}: {:?}", r.body);
            error_code(&r);
            assert_eq!(r.body["error"]["field"], field, "{:?}", r.body);
        }
        server.stop();
    }
}
