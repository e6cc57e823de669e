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
    if let Err(err) = &result
        && !plain_form_post()
        && let Some(res) = use_context::<ResponseOptions>()
    {
        res.set_status(err.status());
    }
    result
}

/// Whether this server function was called by a plain form post (the browser follows the
/// redirect back and renders the page again), not from an island's script.
pub fn plain_form_post() -> bool {
    use_context::<Parts>().is_some_and(|p| asks_for_a_page(&p.uri, &p.headers))
}

/// A request to a server function that wants a page back (`Accept: text/html`): a plain
/// form post, which leptos answers with a redirect to the page it came from.
fn asks_for_a_page(uri: &http::Uri, headers: &http::HeaderMap) -> bool {
    uri.path().starts_with("/api/")
        && headers
            .get(ACCEPT)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.contains("text/html"))
}

/// After a plain form post, sends the browser to `url` instead of back to the page, for an
/// answer the page must show (counts, a new address).
pub fn after_plain_post(url: &str) {
    if plain_form_post() {
        leptos_axum::redirect(url);
    }
}

/// Middleware: after a plain form post to a server function (no JavaScript, or a page
/// section that is not an island), marks the redirect back with the outcome, so the page
/// rendered again can say "saved" (`domain::posted`).
pub async fn mark_plain_posts(
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    use http::header::{LOCATION, REFERER};
    let referer = req
        .headers()
        .get(REFERER)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let fn_path = (req.method() == http::Method::POST && asks_for_a_page(req.uri(), req.headers()))
        .then(|| req.uri().path().to_string());
    let mut res = next.run(req).await;
    if let Some(fn_path) = fn_path
        && res.status().is_redirection()
        && let Some(marked) = res
            .headers()
            .get(LOCATION)
            .and_then(|v| v.to_str().ok())
            .map(|l| crate::domain::posted::mark(l, referer.as_deref(), &fn_path))
        && let Ok(value) = http::HeaderValue::from_str(&marked)
    {
        res.headers_mut().insert(LOCATION, value);
    }
    res
}

/// Whether this page is being rendered again after a successful plain form post to the
/// server function at `fn_path`.
pub fn posted_ok(fn_path: &str) -> bool {
    use_context::<Parts>()
        .and_then(|p| {
            p.uri
                .query()
                .map(|q| crate::domain::posted::marked(q, fn_path))
        })
        .unwrap_or(false)
}
