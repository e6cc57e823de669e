//! What every response carries and every request is known by: the security headers (a
//! Content-Security-Policy with a fresh nonce for Leptos' inline scripts), `no-store` on
//! anything answered to a signed-in browser but kept pages (`private, no-cache`),
//! `Clear-Site-Data` when the login changes, and the request's metadata — its id, the
//! client's address and user agent, and the long-lived device cookie — which the audit log
//! and the door record.
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};

use axum::extract::{ConnectInfo, Request, State};
use axum::http::header::{
    CACHE_CONTROL, CONTENT_SECURITY_POLICY, REFERRER_POLICY, SET_COOKIE, STRICT_TRANSPORT_SECURITY,
    USER_AGENT, X_CONTENT_TYPE_OPTIONS, X_FRAME_OPTIONS,
};
use axum::http::{HeaderMap, HeaderName, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;
use leptos::nonce::Nonce;

pub use super::cookies::cookie_name;
use super::cookies::{cookie, private_cookie};
use super::state::AppState;
use super::tokens::{hash_token, new_token};

/// The base name of the device cookie; `__Host-` is put in front over HTTPS.
pub const DEVICE_COOKIE: &str = "ns_device";
/// About 400 days, the longest a browser keeps a cookie.
const DEVICE_COOKIE_SECS: i64 = 400 * 24 * 3600;
/// The longest user agent kept.
const MAX_USER_AGENT: usize = 300;

/// Who sent the request, as far as the server can tell; in the request's extensions.
#[derive(Clone, Debug, Default)]
pub struct RequestMeta {
    /// Short id of this request, also in the access log.
    pub request_id: String,
    /// The client's IP address (`X-Forwarded-For`'s last hop when the server is told it
    /// sits behind a proxy), or empty when unknown.
    pub address: String,
    pub user_agent: String,
    /// SHA-256 of the device cookie: stable for one browser on one phone.
    pub device: String,
    /// Whether the browser reached us over HTTPS.
    pub https: bool,
}

/// Whether the browser came over HTTPS: configured so, or a proxy says so.
fn is_https(state: &AppState, headers: &HeaderMap) -> bool {
    state.secure_cookies
        || headers
            .get("x-forwarded-proto")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.eq_ignore_ascii_case("https"))
}

fn client_address(state: &AppState, req: &Request) -> String {
    if state.trust_forwarded
        && let Some(last) = req
            .headers()
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .map(str::trim)
            .rfind(|v| !v.is_empty())
        && let Ok(ip) = last.parse::<std::net::IpAddr>()
    {
        return ip.to_string();
    }
    req.extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(addr)| addr.ip().to_string())
        .unwrap_or_default()
}

static REQUESTS: AtomicU64 = AtomicU64::new(0);

/// The outermost middleware: gives the request its metadata and a CSP nonce, and the
/// response its security headers.
pub async fn harden(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let https = is_https(&state, req.headers());
    let device_name = cookie_name(DEVICE_COOKIE, https);
    let device_cookie = cookie(req.headers(), &device_name)
        .filter(|v| v.len() == 64 && v.bytes().all(|b| b.is_ascii_hexdigit()))
        .map(str::to_string);
    let assets = req.uri().path().starts_with("/pkg/");
    // Built assets never set the cookie, so they need no fresh device id either.
    let fresh_device = match device_cookie {
        Some(_) => None,
        None if assets => None,
        None => new_token().ok(),
    };
    let device = device_cookie
        .as_deref()
        .or(fresh_device.as_deref())
        .map(hash_token)
        .unwrap_or_default();
    let user_agent: String = req
        .headers()
        .get(USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .chars()
        .take(MAX_USER_AGENT)
        .collect();
    let meta = RequestMeta {
        request_id: format!("{:x}", REQUESTS.fetch_add(1, Ordering::Relaxed)),
        address: client_address(&state, &req),
        user_agent,
        device,
        https,
    };
    let signed_in = cookie(
        req.headers(),
        &cookie_name(super::cookies::SESSION_COOKIE, https),
    )
    .is_some();
    let nonce = Nonce::new();
    req.extensions_mut().insert(meta);
    req.extensions_mut().insert(nonce.clone());

    let mut res = next.run(req).await;

    let headers = res.headers_mut();
    // A kept page with an island brings its own policy, naming its scripts' hashes
    // (`ssr::kept_pages`); every other answer allows this request's nonce.
    if !headers.contains_key(CONTENT_SECURITY_POLICY) {
        let csp = crate::domain::islands::content_security_policy(&format!("'nonce-{nonce}'"));
        if let Ok(v) = HeaderValue::from_str(&csp) {
            headers.insert(CONTENT_SECURITY_POLICY, v);
        }
    }
    headers.insert(REFERRER_POLICY, HeaderValue::from_static("same-origin"));
    headers.insert(X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    if https {
        headers.insert(
            STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000"),
        );
    }
    // Pages and answers for a signed-in browser must not stay in a shared phone's cache
    // after logout; the login form and error pages neither. Kept pages (`ssr::kept_pages`)
    // are stored `private, no-cache`, validated on every use, and cleared below when the
    // login changes.
    let kept = headers
        .get(CACHE_CONTROL)
        .is_some_and(|v| v == super::kept_pages::KEPT_CACHE_CONTROL);
    if !assets && !kept && (signed_in || !headers.contains_key(CACHE_CONTROL)) {
        headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    // Signing in or out (an answer that sets the session cookie) clears what the browser
    // stored for the site, so no page of the last login stays on a shared phone.
    let session_cookie = format!("{}=", cookie_name(super::cookies::SESSION_COOKIE, https));
    if headers
        .get_all(SET_COOKIE)
        .iter()
        .any(|v| v.as_bytes().starts_with(session_cookie.as_bytes()))
    {
        headers.insert(
            HeaderName::from_static("clear-site-data"),
            HeaderValue::from_static("\"cache\""),
        );
    }
    if let Some(token) = fresh_device {
        headers.append(
            SET_COOKIE,
            private_cookie(DEVICE_COOKIE, &token, Some(DEVICE_COOKIE_SECS), https),
        );
    }
    res
}

/// The request's metadata inside a server function (empty outside a request).
pub fn request_meta() -> RequestMeta {
    use leptos::prelude::use_context;
    use_context::<http::request::Parts>()
        .and_then(|p| p.extensions.get::<RequestMeta>().cloned())
        .unwrap_or_default()
}

/// Gives the page being rendered (or the server function answering) the nonce the CSP
/// header names, in place of the one leptos_axum makes.
pub fn provide_request_nonce() {
    use leptos::prelude::{provide_context, use_context};
    if let Some(nonce) =
        use_context::<http::request::Parts>().and_then(|p| p.extensions.get::<Nonce>().cloned())
    {
        provide_context(nonce);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_prefix_only_over_https() {
        assert_eq!(cookie_name("ns_session", true), "__Host-ns_session");
        assert_eq!(cookie_name("ns_session", false), "ns_session");
    }
}
