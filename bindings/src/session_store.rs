//! The session held by the platform: the library hands its bearer token to
//! a [`SessionStore`] the app implements over the Android Keystore or
//! the iOS Keychain, and takes it back from there when the app starts
//! again. The token is never written to the library's own database; the
//! password given to `open` is kept in memory only, to sign in again.

use std::sync::Arc;

use crate::LawCircleError;
use crate::client::{Account, LawCircleClient};

/// A signed-in session as the platform keeps it.
#[derive(Clone, PartialEq, Eq, uniffi::Record, serde::Serialize, serde::Deserialize)]
pub struct StoredSession {
    /// The server it was opened on (a session never crosses servers).
    pub server_url: String,
    /// Who signed in (the `user_id` the client was opened with).
    pub username: String,
    /// The bearer token: a secret, never shown.
    pub token: String,
    pub account: Account,
}

impl std::fmt::Debug for StoredSession {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StoredSession")
            .field("server_url", &self.server_url)
            .field("username", &self.username)
            .field("token", &"<redacted>")
            .field("account", &self.account.id)
            .finish()
    }
}

/// Where the platform keeps the session: the Android Keystore, the iOS
/// Keychain; an in-memory one in tests. Called on a thread of the
/// library's runtime (never the UI thread); errors are
/// `LawCircleError.Internal` with the platform's reason.
#[uniffi::export(with_foreign)]
pub trait SessionStore: Send + Sync {
    /// The saved session, if any.
    fn load(&self) -> Result<Option<StoredSession>, LawCircleError>;
    /// Replaces the saved session.
    fn save(&self, session: StoredSession) -> Result<(), LawCircleError>;
    /// Forgets the saved session.
    fn clear(&self) -> Result<(), LawCircleError>;
}

impl From<uniffi::UnexpectedUniFFICallbackError> for LawCircleError {
    fn from(e: uniffi::UnexpectedUniFFICallbackError) -> Self {
        LawCircleError::Internal { reason: e.reason }
    }
}

/// A session as bytes for the platform's store to seal (the same on
/// Android and iOS).
#[uniffi::export]
pub fn encode_stored_session(session: StoredSession) -> Result<Vec<u8>, LawCircleError> {
    serde_json::to_vec(&session).map_err(LawCircleError::internal)
}

/// A session back from the bytes of [`encode_stored_session`]; bytes that
/// are not one are `InvalidInput` (the store should forget them).
#[uniffi::export]
pub fn decode_stored_session(bytes: Vec<u8>) -> Result<StoredSession, LawCircleError> {
    serde_json::from_slice(&bytes)
        .map_err(|e| LawCircleError::invalid("session", format!("not a stored session: {e}")))
}

#[uniffi::export]
impl LawCircleClient {
    /// Keeps the session in `store` from now on: every sign-in saves its
    /// token there, signing out clears it. A session saved earlier for
    /// this server and user is taken up at once (so the app starts signed
    /// in, offline too) and its account returned; none, or one of another
    /// server or user, gives `None` (the other one is left alone).
    pub fn use_session_store(
        &self,
        store: Arc<dyn SessionStore>,
    ) -> Result<Option<Account>, LawCircleError> {
        let saved = store.load()?;
        self.inner.set_session_store(store);
        match saved {
            Some(s)
                if s.server_url == self.inner.server_url
                    && s.username == self.inner.credentials.user_id =>
            {
                self.inner.take_session(s.token, &s.account)?;
                Ok(Some(s.account))
            }
            _ => Ok(None),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::client::Credentials;

    #[test]
    fn secrets_are_never_formatted() {
        let session = StoredSession {
            server_url: "https://lawcircle.example.cn".into(),
            username: "resident".into(),
            token: "tok-5ecret-value".into(),
            account: Account {
                id: 7,
                username: "resident".into(),
                display_name: "林晓".into(),
                role: lawcircle_core::authz::Role::Resident,
                street_code: None,
            },
        };
        let shown = format!("{session:?} {session:#?}");
        assert!(!shown.contains("tok-5ecret-value"), "{shown}");
        assert!(shown.contains("<redacted>"));
        let bytes = encode_stored_session(session.clone()).unwrap();
        assert_eq!(decode_stored_session(bytes).unwrap(), session);
        assert!(decode_stored_session(b"{}".to_vec()).is_err());
        let credentials = Credentials {
            user_id: "resident".into(),
            secret: "pa55-w0rd-value".into(),
        };
        let shown = format!("{credentials:?} {credentials:#?}");
        assert!(!shown.contains("pa55-w0rd-value"), "{shown}");
        assert!(shown.contains("resident"));
    }
}
