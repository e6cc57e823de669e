use std::sync::Arc;

use axum::extract::FromRef;
use leptos::config::LeptosOptions;

use super::db::Repository;
use super::door::Door;

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
    /// Login sessions' last-seen times waiting to be stored.
    pub seen: Arc<super::seen::Seen>,
    /// Logins resolved from session cookies, kept between requests.
    pub logins: Arc<super::logins::Logins>,
    /// The pickers' reference data, kept between requests.
    pub reference: Arc<super::reference::Reference>,
    /// The year's standings and the month's star points, kept between requests.
    pub standings: Arc<super::standings::Standings>,
    /// The messages' delivery worker and the channels switched on.
    pub outbox: Arc<super::outbox::Outbox>,
    /// Sessions' head-counts per community, kept between requests.
    pub sheets: Arc<super::sheets::Sheets>,
    /// Attendance reports' head-counts, kept between requests.
    pub reports: Arc<super::reports::Reports>,
    /// Rendered pages kept between requests, per login.
    pub kept_pages: Arc<super::kept_pages::KeptPages>,
    /// The largest attachment accepted, in bytes (`NIGHTSCHOOL_MAX_UPLOAD_MB`).
    pub max_upload_bytes: u64,
    /// Take the client's address from `X-Forwarded-For` (`NIGHTSCHOOL_TRUST_PROXY=1`: the
    /// server is reached only through a reverse proxy that sets it).
    pub trust_forwarded: bool,
    /// Buckets this server knows to be waiting out a delay (see `auth::count_try`).
    pub refusals: std::sync::Arc<super::refusals::Refusals>,
    /// Scheduled snapshots, shown to admins; `None` when off.
    pub backups: Option<BackupSchedule>,
    /// Sign-in through the district's identity provider; `None` when not configured.
    pub oidc: Option<std::sync::Arc<super::identity_provider::Oidc>>,
}

/// Scheduled snapshots (`ssr::backup`): where, how often, how many are kept.
#[derive(Clone, Debug, PartialEq)]
pub struct BackupSchedule {
    pub dir: std::path::PathBuf,
    pub every: std::time::Duration,
    pub keep: usize,
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}
