use std::sync::Arc;

use axum::extract::FromRef;
use leptos::config::LeptosOptions;

use super::checkin::Door;
use super::db::Repository;

/// What every handler and server function can reach. Server functions get it from the
/// Leptos context (see `server::build_router`), not from a global.
#[derive(Clone)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub repo: Arc<dyn Repository>,
    /// Set the `Secure` flag on cookies even without `X-Forwarded-Proto: https`.
    pub secure_cookies: bool,
    /// Check-in tokens, codes and the group-commit writer.
    pub door: Door,
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}
