//! Reading a cookie from a request's headers (the session, the device, the language).
use http::HeaderMap;
use http::header::COOKIE;

/// The login session's cookie (`__Host-` prefixed over HTTPS).
pub const SESSION_COOKIE: &str = "ns_session";

/// The value of the cookie `name`, if the request carries it.
pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|v| crate::domain::cookie::cookie_in(v, name))
}
