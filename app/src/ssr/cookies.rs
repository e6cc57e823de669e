//! Reading a cookie from a request's headers (the session, the device, the language).
use http::header::COOKIE;
use http::{HeaderMap, HeaderValue};

/// The login session's cookie (`__Host-` prefixed over HTTPS).
pub const SESSION_COOKIE: &str = "ns_session";

/// A cookie's name as sent: `__Host-name` over HTTPS (the browser then refuses it unless it
/// is `Secure`, `Path=/` and has no domain), the plain name otherwise.
pub fn cookie_name(base: &str, https: bool) -> String {
    if https {
        format!("__Host-{base}")
    } else {
        base.to_string()
    }
}

/// A `Set-Cookie` value for one of the server's own cookies (the login session, the
/// device, a sign-in in progress): HttpOnly, SameSite=Lax, for the whole site, `Secure`
/// and `__Host-` over HTTPS; a session cookie when `max_age` is `None`.
pub fn private_cookie(base: &str, value: &str, max_age: Option<i64>, https: bool) -> HeaderValue {
    let name = cookie_name(base, https);
    let mut c = format!("{name}={value}; Path=/; HttpOnly; SameSite=Lax");
    if let Some(age) = max_age {
        c.push_str(&format!("; Max-Age={age}"));
    }
    if https {
        c.push_str("; Secure");
    }
    HeaderValue::from_str(&c).unwrap_or_else(|_| HeaderValue::from_static(""))
}

/// The value of the cookie `name`, if the request carries it.
pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|v| crate::domain::cookie::cookie_in(v, name))
}
