//! The application types as the core's [`ServiceRegistry`], cached in
//! memory and rebuilt when another version was published (by this
//! instance or another one on the same database): versions are
//! append-only, so their count tells whether the cache is current.

use crate::store::{Store, StoreError};
use lawcircle_core::applications::{LegalAidRules, RegistryError, ServiceRegistry};
use std::sync::Arc;
use tokio::sync::RwLock;

/// Why the catalogue could not be built.
#[derive(Debug, thiserror::Error)]
pub enum ApplicationTypesError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("stored service definitions: {0}")]
    Catalog(#[from] RegistryError),
}

/// The cached catalogue and the legal aid rules.
#[derive(Debug)]
pub struct ApplicationTypes {
    cache: RwLock<Option<(i64, Arc<ServiceRegistry>)>>,
    /// `None` only if the built-in rules failed to parse (a core test
    /// keeps them parsing); the assessment is then left out.
    pub legal_aid_rules: Option<LegalAidRules>,
}

impl Default for ApplicationTypes {
    fn default() -> Self {
        Self::new()
    }
}

impl ApplicationTypes {
    pub fn new() -> Self {
        ApplicationTypes {
            cache: RwLock::new(None),
            legal_aid_rules: LegalAidRules::defaults().ok(),
        }
    }

    /// Stores the shipped types when the database has none (first start).
    pub async fn seed(
        store: &Store,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<usize, ApplicationTypesError> {
        let defaults = ServiceRegistry::with_defaults()?;
        let defs: Vec<_> = defaults.all_versions().cloned().collect();
        Ok(store.seed_service_definitions(&defs, now).await?)
    }

    /// The current catalogue.
    pub async fn catalog(
        &self,
        store: &Store,
    ) -> Result<Arc<ServiceRegistry>, ApplicationTypesError> {
        let count = store.service_definition_count().await?;
        if let Some((c, cat)) = self.cache.read().await.as_ref()
            && *c == count
        {
            return Ok(cat.clone());
        }
        let mut slot = self.cache.write().await;
        let mut catalog = ServiceRegistry::new();
        // Stored by code then version: each is the next of its code.
        for def in store.service_definitions().await? {
            catalog.publish(def)?;
        }
        let catalog = Arc::new(catalog);
        *slot = Some((count, catalog.clone()));
        Ok(catalog)
    }
}

impl From<ApplicationTypesError> for crate::error::ApiError {
    fn from(e: ApplicationTypesError) -> Self {
        crate::error::ApiError::Internal(e.to_string())
    }
}
