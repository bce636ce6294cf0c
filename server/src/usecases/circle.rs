//! Computations over the whole catalogue and the walking network (the
//! coverage of the 15-minute circle, siting suggestions): CPU-bound, so
//! they run on the blocking pool, not on the workers answering requests.

use crate::error::ApiError;
use crate::state::AppState;
use crate::store::FacilityFilter;
use lawcircle_core::catalogue::area::AdminArea;
use lawcircle_core::catalogue::facility::Facility;
use lawcircle_core::geo::network::WalkingNetwork;

/// Runs `compute` over every area, every facility and the walking network
/// (when one is loaded) on the blocking pool. Its error (standards or
/// candidates that cannot be computed) is the request's: 400.
pub async fn over_catalogue<T, E>(
    state: &AppState,
    compute: impl FnOnce(&[AdminArea], &[Facility], Option<&WalkingNetwork>) -> Result<T, E>
    + Send
    + 'static,
) -> Result<T, ApiError>
where
    T: Send + 'static,
    E: std::fmt::Display + Send + 'static,
{
    let areas = state.store.areas().await?;
    let facilities = state.store.facilities(&FacilityFilter::default()).await?;
    let spatial = state.spatial.clone();
    tokio::task::spawn_blocking(move || compute(&areas, &facilities, spatial.network()))
        .await
        .map_err(|e| ApiError::Internal(e.to_string()))?
        .map_err(|e| ApiError::BadRequest {
            field: None,
            message: e.to_string(),
        })
}
