//! The session kept by the platform's session store (an in-memory one
//! here, as the Keystore and Keychain ones would be): signing in saves the
//! token there, a restarted app takes it back without the password, and
//! signing out forgets it.

use super::*;
use lawcircle_ffi::{SessionStore, StoredSession};

#[derive(Default)]
struct MemoryStore(Mutex<Option<StoredSession>>);

impl SessionStore for MemoryStore {
    fn load(&self) -> Result<Option<StoredSession>, LawCircleError> {
        Ok(self.0.lock().unwrap().clone())
    }
    fn save(&self, session: StoredSession) -> Result<(), LawCircleError> {
        *self.0.lock().unwrap() = Some(session);
        Ok(())
    }
    fn clear(&self) -> Result<(), LawCircleError> {
        *self.0.lock().unwrap() = None;
        Ok(())
    }
}

#[tokio::test]
async fn the_session_lives_in_the_platform_store_and_survives_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let (server, people) = world(dir.path()).await;
    let store = Arc::new(MemoryStore::default());
    let account = {
        let client = phone(
            &server.base_url,
            dir.path(),
            "resident",
            &people.resident.password,
        );
        assert_eq!(client.use_session_store(store.clone()).unwrap(), None);
        client.sign_in().await.unwrap()
    };
    let saved = store.0.lock().unwrap().clone().unwrap();
    assert_eq!(saved.server_url, server.base_url);
    assert_eq!(saved.account, account);
    assert!(!format!("{saved:?}").contains(&saved.token));
    // The library's own database holds no token.
    let db = std::fs::read(dir.path().join("resident/lawcircle.sqlite")).unwrap();
    let wal = std::fs::read(dir.path().join("resident/lawcircle.sqlite-wal")).unwrap_or_default();
    for bytes in [&db, &wal] {
        assert!(
            !bytes
                .windows(saved.token.len())
                .any(|w| w == saved.token.as_bytes()),
            "the token is in the library's database"
        );
    }
    // Restarted without the password: the stored session is used.
    let client = phone(&server.base_url, dir.path(), "resident", "not-the-password");
    assert_eq!(
        client.use_session_store(store.clone()).unwrap(),
        Some(account.clone())
    );
    assert_eq!(client.account(), Some(account));
    assert!(client.my_needs().await.unwrap().is_empty());
    // A session of another server is not taken up.
    let elsewhere = LawCircleClient::open(
        ClientConfig {
            database_path: dir
                .path()
                .join("other/lawcircle.sqlite")
                .to_string_lossy()
                .into_owned(),
            server_url: "http://127.0.0.1:9".to_string(),
            credentials: Credentials {
                user_id: "resident".to_string(),
                secret: "x".to_string(),
            },
        },
        transport(),
    )
    .unwrap();
    assert_eq!(elsewhere.use_session_store(store.clone()).unwrap(), None);
    // Signing out forgets it in the store too.
    client.sign_out(false).await.unwrap();
    assert!(store.0.lock().unwrap().is_none());
    server.stop();
}
