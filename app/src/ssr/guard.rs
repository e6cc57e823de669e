//! The first two steps of every server function: who is asking, and may they.
use http::header::ACCEPT;
use http::request::Parts;
use leptos::prelude::*;
use leptos_axum::ResponseOptions;

use super::state::AppState;
use super::user::CurrentUser;
use crate::domain::policy::{Action, may};
use crate::error::{AppError, AppResult};

pub fn state() -> AppResult<AppState> {
    use_context::<AppState>().ok_or_else(|| AppError::internal("AppState missing from context"))
}

/// The signed-in caller, as resolved by the session middleware for this request.
pub fn caller() -> AppResult<CurrentUser> {
    use_context::<Parts>()
        .and_then(|parts| parts.extensions.get::<CurrentUser>().cloned())
        .ok_or(AppError::Unauthenticated)
}

/// The caller, if they may perform `action` on the whole install: an organiser's actions
/// here need grants that reach every subdistrict (scoped surfaces ask `access::organiser`).
pub fn authorize(action: Action) -> AppResult<CurrentUser> {
    let user = caller()?;
    if may(&user.account.roles, action) && (!action.is_organisers() || user.grants.everything) {
        Ok(user)
    } else {
        tracing::warn!(account = user.account.id, ?action, "refused");
        Err(AppError::Forbidden)
    }
}

/// The origin phones reach the school at: the configured public address, else the
/// request's own host.
pub fn public_origin(configured: Option<&str>) -> String {
    if let Some(url) = configured {
        return url.to_string();
    }
    let parts = use_context::<Parts>();
    let header = |name: &str| {
        parts
            .as_ref()
            .and_then(|p| p.headers.get(name))
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    };
    let host = header("x-forwarded-host")
        .or_else(|| header("host"))
        .unwrap_or_else(|| "localhost".into());
    let scheme = header("x-forwarded-proto").unwrap_or_else(|| "http".into());
    format!("{scheme}://{host}")
}

/// Gives a failed server function its HTTP status. A plain form post (no JavaScript) keeps
/// the redirect back to its page that leptos_axum sets up, so the page can show the error.
pub fn finish<T>(result: AppResult<T>) -> AppResult<T> {
    if let Err(err) = &result {
        let plain_form_post = use_context::<Parts>().is_some_and(|p| {
            p.uri.path().starts_with("/api/")
                && p.headers
                    .get(ACCEPT)
                    .and_then(|v| v.to_str().ok())
                    .is_some_and(|v| v.contains("text/html"))
        });
        if !plain_form_post && let Some(res) = use_context::<ResponseOptions>() {
            res.set_status(err.status());
        }
    }
    result
}
