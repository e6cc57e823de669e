//! Login sessions: the cookie, the middleware that resolves it for every request, and the
//! login, logout and language form handlers (plain HTML forms: they work without JS).
use axum::extract::{Form, Request, State};
use axum::http::header::{HOST, LOCATION, ORIGIN, SET_COOKIE};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::audit;
use super::cookies::{cookie, private_cookie};
use super::db::{Account, AuditLine, Changes, NewAuthSession};
use super::factor_rule;
use super::logins::Resolved;
use super::password;
use super::security::{RequestMeta, cookie_name};
use super::state::AppState;
use super::tokens::{hash_token, new_token};
use crate::domain::audit::{AuditKind, AuditOutcome};
use crate::domain::login_policy::SessionLifetime;
use crate::domain::role::safe_next;
use crate::domain::second_factor::Pending;
use crate::domain::throttle::{self, Limit, Verdict};
use crate::domain::{Timestamp, Username};
use crate::i18n::{LANG_COOKIE, Lang};

pub use super::cookies::SESSION_COOKIE;
pub use super::user::CurrentUser;

/// The session cookie; over HTTPS named `__Host-ns_session` and `Secure`.
fn session_cookie(value: &str, max_age: Option<i64>, secure: bool) -> HeaderValue {
    private_cookie(SESSION_COOKIE, value, max_age, secure)
}

/// Refuses state-changing requests that a browser sent from another site. Browsers send
/// `Sec-Fetch-Site` or `Origin` with every cross-origin POST; a request with neither did not
/// come from a page and cannot carry a victim's cookie for another site.
pub fn is_cross_origin(method: &Method, headers: &HeaderMap) -> bool {
    if matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS) {
        return false;
    }
    if let Some(site) = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok()) {
        return !matches!(site, "same-origin" | "none");
    }
    let Some(origin) = headers.get(ORIGIN).and_then(|v| v.to_str().ok()) else {
        return false;
    };
    let origin_host = origin.split_once("://").map(|(_, rest)| rest);
    let host = headers.get(HOST).and_then(|v| v.to_str().ok());
    !(origin_host.is_some() && origin_host == host)
}

/// Resolves the session cookie into a [`CurrentUser`] extension, refuses cross-site
/// writes, and sends anonymous visitors of a page to the login form.
pub async fn resolve_session(
    State(state): State<AppState>,
    mut req: Request,
    next: Next,
) -> Response {
    let meta = req
        .extensions()
        .get::<RequestMeta>()
        .cloned()
        .unwrap_or_default();
    if is_cross_origin(req.method(), req.headers()) {
        tracing::warn!(path = %req.uri().path(), "cross-origin request refused");
        let line = audit::from_meta(
            &meta,
            None,
            AuditKind::CrossOriginRefused,
            AuditOutcome::Refused,
            req.uri().path(),
        );
        if let Err(err) = state.repo.audit(&line).await {
            tracing::error!(error = %err, "audit line not written");
        }
        return (
            StatusCode::FORBIDDEN,
            "cross-origin request refused / 已拒绝跨站请求",
        )
            .into_response();
    }
    // Built assets never depend on who asks: no session lookup for them.
    if req.uri().path().starts_with("/pkg/") {
        return next.run(req).await;
    }
    let user = match current_user(&state, req.headers(), meta.https).await {
        Ok((user, changes)) => {
            if let Some(changes) = changes {
                req.extensions_mut()
                    .insert(super::reference::ReferenceVersion(changes.reference));
                req.extensions_mut().insert(changes);
            }
            user
        }
        Err(err) => {
            tracing::error!(error = %err, "resolving session failed");
            return StatusCode::SERVICE_UNAVAILABLE.into_response();
        }
    };
    let path = req.uri().path().to_string();
    if user.is_none() && req.method() == Method::GET && needs_login(&path) {
        let target = req
            .uri()
            .path_and_query()
            .map(|p| p.as_str())
            .unwrap_or("/");
        let query = serde_urlencoded::to_string([("next", target)]).unwrap_or_default();
        return Redirect::to(&format!("/login?{query}")).into_response();
    }
    if let (Some(user), "/login") = (&user, path.as_str()) {
        return Redirect::to(user.account.roles.home().path()).into_response();
    }
    // A password an admin chose is changed before anything else is done.
    if let Some(user) = user.as_ref().filter(|u| u.account.must_change_password)
        && !MUST_CHANGE_ALLOWS.iter().any(|p| path.starts_with(p))
    {
        if path.starts_with("/api/") {
            tracing::info!(account = user.account.id, "password change required first");
            return (
                StatusCode::FORBIDDEN,
                "change your password first / 请先修改密码",
            )
                .into_response();
        }
        if req.method() == Method::GET && needs_login(&path) {
            return Redirect::to("/account/password?required=1").into_response();
        }
    }
    // Then an account that must have a second factor sets it up.
    if let Some(user) = user.as_ref().filter(|u| u.enrolling)
        && !user.account.must_change_password
        && !ENROLL_ALLOWS.iter().any(|p| path.starts_with(p))
    {
        if path.starts_with("/api/") {
            tracing::info!(account = user.account.id, "second factor required first");
            return (
                StatusCode::FORBIDDEN,
                "set up two-step verification first / 请先设置两步验证",
            )
                .into_response();
        }
        if req.method() == Method::GET && needs_login(&path) {
            return Redirect::to("/account/totp?required=1").into_response();
        }
    }
    if let Some(user) = user {
        req.extensions_mut().insert(user);
    }
    next.run(req).await
}

/// What an account that must set up its second factor can still reach.
const ENROLL_ALLOWS: [&str; 6] = [
    "/account/totp",
    "/api/totp_",
    "/api/me",
    "/auth/logout",
    "/lang",
    "/login",
];

/// What an account whose password must be changed can still reach.
const MUST_CHANGE_ALLOWS: [&str; 6] = [
    "/account/password",
    "/api/change_password",
    "/api/me",
    "/auth/logout",
    "/lang",
    "/login",
];

/// Pages need a login; assets, the login form and server functions (which check for
/// themselves and answer with an error, not a redirect) do not.
fn needs_login(path: &str) -> bool {
    const PUBLIC: [&str; 8] = [
        "/login", "/auth/", "/api/", "/pkg/", "/lang", "/healthz", "/privacy", "/verify",
    ];
    let last = path.rsplit('/').next().unwrap_or("");
    !(PUBLIC.iter().any(|p| path.starts_with(p)) || last.contains('.'))
}

/// The caller of a request, and the change counters read to resolve it (`None`: no session
/// cookie, nothing read).
async fn current_user(
    state: &AppState,
    headers: &HeaderMap,
    https: bool,
) -> Result<(Option<CurrentUser>, Option<Changes>), super::db::RepoError> {
    let Some(token) = cookie(headers, &cookie_name(SESSION_COOKIE, https)) else {
        return Ok((None, None));
    };
    let token_hash = hash_token(token);
    let now = Timestamp::now();
    // Read before any row of the login: a write after this read moves it past `version`.
    let changes = state.repo.changes().await?;
    let version = changes.reference;
    if let Some(kept) = state.logins.get(&token_hash, version) {
        let clock = kept.session.clock.seen(state.seen.noted(&token_hash));
        // A kept login that looks idle is read again: another server may have seen it.
        if clock.is_valid_at(now) {
            if clock.needs_touch(now) {
                state.seen.note(&token_hash, now);
                state.logins.saw(&token_hash, now);
            }
            return Ok((Some(signed_in(kept, token_hash)), Some(changes)));
        }
    }
    let Some(stored) = state.repo.auth_session(&token_hash).await? else {
        state.logins.forget(&token_hash);
        return Ok((None, Some(changes)));
    };
    let account_id = stored.account_id;
    let clock = stored.clock.seen(state.seen.noted(&token_hash));
    if !clock.is_valid_at(now) {
        state.logins.forget(&token_hash);
        state.repo.delete_auth_session(&token_hash).await?;
        return Ok((None, Some(changes)));
    }
    // A login still waiting for its code is nobody yet.
    if stored.pending == Some(Pending::Verify) {
        return Ok((None, Some(changes)));
    }
    let Some(account) = state.repo.account(account_id).await? else {
        return Ok((None, Some(changes)));
    };
    if account.disabled {
        return Ok((None, Some(changes)));
    }
    let grants = super::grants::grants_of(state.repo.as_ref(), &account).await?;
    let member = state.repo.member(account.person_id).await?;
    let mut resolved = Resolved {
        session: stored,
        account,
        grants,
        member,
    };
    if clock.needs_touch(now) {
        state.seen.note(&token_hash, now);
        resolved.session.clock.last_seen = now;
    }
    state.logins.put(&token_hash, version, resolved.clone());
    Ok((Some(signed_in(resolved, token_hash)), Some(changes)))
}

fn signed_in(resolved: Resolved, token_hash: String) -> CurrentUser {
    CurrentUser {
        enrolling: resolved.session.pending == Some(Pending::Enroll),
        account: resolved.account,
        grants: resolved.grants,
        member: resolved.member,
        token_hash,
    }
}

#[derive(Deserialize)]
pub struct LoginForm {
    username: String,
    password: String,
    remember: Option<String>,
    next: Option<String>,
}

/// Why a login was refused; the login page words it in the user's language.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LoginError {
    BadCredentials,
    Locked,
    Disabled,
    Unavailable,
    /// Every core is hashing and the queue is full.
    Busy,
}

impl LoginError {
    pub fn code(self) -> &'static str {
        match self {
            LoginError::BadCredentials => "bad_credentials",
            LoginError::Locked => "locked",
            LoginError::Disabled => "disabled",
            LoginError::Unavailable => "unavailable",
            LoginError::Busy => "busy",
        }
    }
}

pub async fn login(
    State(state): State<AppState>,
    meta: Option<axum::Extension<RequestMeta>>,
    headers: HeaderMap,
    Form(form): Form<LoginForm>,
) -> Response {
    let meta = meta.map(|m| m.0).unwrap_or_default();
    let next = safe_next(form.next.as_deref()).map(str::to_string);
    match try_login(&state, &meta, &headers, &form).await {
        Ok((account, cookie, pending)) => {
            let target = landing(&account, pending, form.remember.is_some(), next.as_deref());
            let mut res = Redirect::to(&target).into_response();
            res.headers_mut().insert(SET_COOKIE, cookie);
            res
        }
        Err(LoginError::Busy) => busy_page(),
        Err(err) => {
            let mut query = vec![("error", err.code()), ("username", form.username.trim())];
            if let Some(n) = next.as_deref() {
                query.push(("next", n));
            }
            let query = serde_urlencoded::to_string(query).unwrap_or_default();
            Redirect::to(&format!("/login?{query}")).into_response()
        }
    }
}

/// Where the browser goes once the account is known: the code, a required password change
/// or second factor first, then `next` or the account's home.
pub(crate) fn landing(
    account: &Account,
    pending: Option<Pending>,
    remember: bool,
    next: Option<&str>,
) -> String {
    if pending == Some(Pending::Verify) {
        let mut query = Vec::new();
        if remember {
            query.push(("remember", "1"));
        }
        if let Some(n) = next {
            query.push(("next", n));
        }
        let query = serde_urlencoded::to_string(query).unwrap_or_default();
        format!("/login/totp?{query}")
    } else if account.must_change_password {
        "/account/password?required=1".to_string()
    } else if pending == Some(Pending::Enroll) {
        "/account/totp?required=1".to_string()
    } else {
        next.map_or_else(|| account.roles.home().path().to_string(), str::to_string)
    }
}

/// The answer when every core is checking passwords and the queue is full: 503, a page in
/// both languages, and when to come back.
pub fn busy_page() -> Response {
    let body = "<!DOCTYPE html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\">\
        <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
        <title>服务器正忙 · Server busy</title></head><body style=\"font-family:sans-serif;\
        max-width:32rem;margin:3rem auto;padding:0 1rem\"><h1>服务器正忙</h1>\
        <p>登录的人太多了，请稍等几秒再试。</p><p lang=\"en\">Too many sign-ins at once. \
        Please wait a few seconds and try again.</p><p><a href=\"/login\">返回登录 · Back to \
        sign-in</a></p></body></html>";
    (
        StatusCode::SERVICE_UNAVAILABLE,
        [
            (axum::http::header::RETRY_AFTER, "5"),
            (axum::http::header::CONTENT_TYPE, "text/html; charset=utf-8"),
        ],
        body,
    )
        .into_response()
}

/// A user name as throttling counts it: what was typed, trimmed and lower-cased, whether or
/// not such an account exists, so that every answer is the same for unknown names.
fn throttle_name(raw: &str) -> String {
    raw.trim().to_lowercase().chars().take(64).collect()
}

/// The buckets a login try is counted in. A device that signed in to this account before
/// is held only by its own bucket: others' guesses at the account cannot lock it out.
fn login_buckets(name: &str, meta: &RequestMeta, known_device: bool) -> Vec<(String, Limit)> {
    let own = if meta.device.is_empty() {
        format!("login-pair:{name}:{}", meta.address)
    } else {
        format!("login-device:{name}:{}", meta.device)
    };
    let mut buckets = vec![(own, throttle::LOGIN_PER_DEVICE)];
    if !known_device {
        buckets.push((format!("login-user:{name}"), throttle::LOGIN_PER_USER));
        buckets.push((
            format!("login-addr:{}", meta.address),
            throttle::LOGIN_PER_ADDRESS,
        ));
    }
    buckets
}

/// Records a try in each bucket (before any secret is checked) and gives the verdict. A
/// try at a bucket this server already refused, inside its wait, is refused at once.
pub(crate) async fn count_try(
    state: &AppState,
    buckets: &[(String, Limit)],
    now: Timestamp,
) -> Result<(Verdict, Vec<i64>, bool), super::db::RepoError> {
    if let Some(left) = state.refusals.waiting(buckets, now) {
        return Ok((Verdict::Wait(left), Vec::new(), false));
    }
    if let Some((left, worth_logging)) = state.refusals.reserve(buckets, now) {
        return Ok((Verdict::Wait(left), Vec::new(), worth_logging));
    }
    let windows: Vec<(String, Timestamp)> = buckets
        .iter()
        .map(|(b, limit)| (b.clone(), limit.since(now)))
        .collect();
    let counts = state.repo.record_tries(&windows, now).await?;
    let verdicts: Vec<Verdict> = buckets
        .iter()
        .zip(&counts)
        .map(|((_, limit), c)| limit.verdict(c.tries, c.previous, now))
        .collect();
    // Refused tries are logged at a bucket's first refusal and then at every power of two,
    // so an attack is on record without one line per request.
    let worth_logging = buckets
        .iter()
        .zip(&counts)
        .zip(&verdicts)
        .any(|((b, c), v)| {
            matches!(v, Verdict::Wait(_))
                && (c.tries == b.1.free + 1 || (c.tries & (c.tries - 1)) == 0)
        });
    for ((bucket, _), v) in buckets.iter().zip(&verdicts) {
        if let Verdict::Wait(secs) = v {
            state.refusals.remember(bucket, now.0 + secs, now);
        }
    }
    let verdict = throttle::strictest(verdicts);
    Ok((
        verdict,
        counts.iter().map(|c| c.id).collect(),
        worth_logging,
    ))
}

/// Forgets the tries counted by [`count_try`] for a secret that was right (or never
/// checked), and the earlier slips of the buckets named in `clear`.
pub(crate) async fn forgive(
    state: &AppState,
    buckets: &[(String, Limit)],
    tries: &[i64],
    clear: &[String],
) -> Result<(), super::db::RepoError> {
    if !tries.is_empty() {
        state.refusals.release(buckets);
    }
    state.repo.forget_tries(tries, clear).await
}

async fn try_login(
    state: &AppState,
    meta: &RequestMeta,
    headers: &HeaderMap,
    form: &LoginForm,
) -> Result<(Account, HeaderValue, Option<Pending>), LoginError> {
    let repo = &state.repo;
    let unavailable = |e: super::db::RepoError| {
        tracing::error!(error = %e, "login failed inside");
        LoginError::Unavailable
    };
    let now = Timestamp::now();
    let name = throttle_name(&form.username);
    let line = |actor: Option<i64>, kind, outcome| {
        let mut line = audit::from_meta(meta, actor, kind, outcome, &format!("user:{name}"));
        line.at = now;
        line
    };
    let log = |line: AuditLine| async move {
        if let Err(err) = repo.audit(&line).await {
            tracing::error!(error = %err, "audit line not written");
        }
    };
    let record = match Username::parse(&form.username) {
        Ok(u) => repo.login_record(&u).await.map_err(unavailable)?,
        Err(_) => None,
    };
    let known_device = match &record {
        Some(r) => repo
            .is_known_device(r.account_id, &meta.device)
            .await
            .map_err(unavailable)?,
        None => false,
    };
    let buckets = login_buckets(&name, meta, known_device);
    let (verdict, tries, worth_logging) =
        count_try(state, &buckets, now).await.map_err(unavailable)?;
    if let Verdict::Wait(_) = verdict {
        if worth_logging {
            log(line(None, AuditKind::LoginThrottled, AuditOutcome::Refused)).await;
        }
        return Err(LoginError::Locked);
    }
    let stored = record.as_ref().map(|r| r.password_hash.clone());
    let checked = if known_device {
        password::verify_trusted(&form.password, stored).await
    } else {
        password::verify(&form.password, stored).await
    };
    let ok = match checked {
        Ok(ok) => ok,
        Err(password::Busy) => {
            // Not checked, so not a wrong try: it must not count against anyone.
            let _ = forgive(state, &buckets, &tries, &[]).await;
            log(line(None, AuditKind::LoginBusy, AuditOutcome::Refused)).await;
            return Err(LoginError::Busy);
        }
    };
    let Some(record) = record.filter(|_| ok) else {
        log(line(None, AuditKind::LoginFailed, AuditOutcome::Refused)).await;
        return Err(LoginError::BadCredentials);
    };
    // The right password: this try and the device's earlier slips are forgotten.
    forgive(
        state,
        &buckets,
        &tries,
        &buckets[..1].iter().map(|b| b.0.clone()).collect::<Vec<_>>(),
    )
    .await
    .map_err(unavailable)?;
    if record.disabled {
        log(line(
            Some(record.account_id),
            AuditKind::LoginDisabled,
            AuditOutcome::Refused,
        ))
        .await;
        return Err(LoginError::Disabled);
    }
    open_session(
        state,
        meta,
        headers,
        record.account_id,
        form.remember.is_some(),
        &line,
    )
    .await
}

/// Opens a login session for an account whose holder has proven who they are (by password
/// or through the identity provider): the browser's earlier session ends, a fresh id is
/// issued, and a second factor set up is asked for next (one required but missing is set up
/// next). `line` words the audit line (actor, kind, outcome).
pub(crate) async fn open_session(
    state: &AppState,
    meta: &RequestMeta,
    headers: &HeaderMap,
    account_id: i64,
    remember: bool,
    line: &(dyn Fn(Option<i64>, AuditKind, AuditOutcome) -> AuditLine + Sync),
) -> Result<(Account, HeaderValue, Option<Pending>), LoginError> {
    let repo = &state.repo;
    let unavailable = |e: super::db::RepoError| {
        tracing::error!(error = %e, "login failed inside");
        LoginError::Unavailable
    };
    if let Some(old) = cookie(headers, &cookie_name(SESSION_COOKIE, meta.https)) {
        repo.delete_auth_session(&hash_token(old))
            .await
            .map_err(unavailable)?;
    }
    let token = new_token().map_err(|e| {
        tracing::error!(error = %e, "no randomness");
        LoginError::Unavailable
    })?;
    let account = repo
        .account(account_id)
        .await
        .map_err(unavailable)?
        .ok_or(LoginError::Unavailable)?;
    let enrolled = repo
        .factor_of(account_id)
        .await
        .map_err(unavailable)?
        .is_some_and(|f| f.confirmed);
    let pending = if enrolled {
        Some(Pending::Verify)
    } else if factor_rule::required_for(repo.as_ref(), &account.roles)
        .await
        .map_err(unavailable)?
    {
        Some(Pending::Enroll)
    } else {
        None
    };
    let kind = if pending == Some(Pending::Verify) {
        AuditKind::LoginCodeAsked
    } else {
        AuditKind::LoginSucceeded
    };
    let cookie = start_session(
        state,
        meta,
        &account,
        &token,
        remember,
        pending,
        &line(Some(account_id), kind, AuditOutcome::Ok),
    )
    .await
    .map_err(unavailable)?;
    Ok((account, cookie, pending))
}

/// Stores a login session for `account` under `token` and gives its cookie. A session
/// waiting for its code lasts minutes and is not remembered; a full one lasts as the
/// account's roles allow.
pub(crate) async fn start_session(
    state: &AppState,
    meta: &RequestMeta,
    account: &Account,
    token: &str,
    remember: bool,
    pending: Option<Pending>,
    audit: &AuditLine,
) -> Result<HeaderValue, super::db::RepoError> {
    let now = Timestamp::now();
    let lifetime = match pending {
        Some(Pending::Verify) => SessionLifetime {
            idle_secs: crate::domain::second_factor::PENDING_SECS,
            absolute_secs: crate::domain::second_factor::PENDING_SECS,
        },
        _ => SessionLifetime::for_login(&account.roles, remember),
    };
    state
        .repo
        .create_auth_session(
            &NewAuthSession {
                token_hash: hash_token(token),
                pending,
                account_id: account.id,
                created_at: now,
                idle_secs: lifetime.idle_secs,
                expires_at: Timestamp(now.0 + lifetime.absolute_secs),
            },
            &meta.device,
            audit,
        )
        .await?;
    let max_age = (remember && pending.is_none()).then_some(lifetime.absolute_secs);
    Ok(session_cookie(token, max_age, meta.https))
}

pub async fn logout(
    State(state): State<AppState>,
    meta: Option<axum::Extension<RequestMeta>>,
    user: Option<axum::Extension<CurrentUser>>,
    headers: HeaderMap,
) -> Response {
    let meta = meta.map(|m| m.0).unwrap_or_default();
    if let Some(token) = cookie(&headers, &cookie_name(SESSION_COOKIE, meta.https)) {
        if let Err(err) = state.repo.delete_auth_session(&hash_token(token)).await {
            tracing::error!(error = %err, "logout failed");
        }
        if let Some(axum::Extension(user)) = user {
            let line = audit::from_meta(
                &meta,
                Some(user.account.id),
                AuditKind::Logout,
                AuditOutcome::Ok,
                &format!("account:{}", user.account.id),
            );
            if let Err(err) = state.repo.audit(&line).await {
                tracing::error!(error = %err, "audit line not written");
            }
        }
    }
    let mut res = Redirect::to("/login").into_response();
    res.headers_mut()
        .insert(SET_COOKIE, session_cookie("", Some(0), meta.https));
    res
}

#[derive(Deserialize)]
pub struct LangForm {
    lang: String,
    next: Option<String>,
}

/// The language switch without JavaScript; with JavaScript the page switches in place and
/// sets the same cookie itself.
pub async fn set_language(Form(form): Form<LangForm>) -> Response {
    let lang = Lang::from_code(&form.lang);
    let target = safe_next(form.next.as_deref()).unwrap_or("/").to_string();
    let cookie = format!(
        "{LANG_COOKIE}={}; Path=/; Max-Age=31536000; SameSite=Lax",
        lang.code()
    );
    let mut res = (StatusCode::SEE_OTHER, [(LOCATION, target)]).into_response();
    if let Ok(v) = HeaderValue::from_str(&cookie) {
        res.headers_mut().insert(SET_COOKIE, v);
    }
    res
}

/// `/`: each role's own home, or the login form.
pub async fn root(req: Request) -> Response {
    match req.extensions().get::<CurrentUser>() {
        Some(user) => Redirect::to(user.account.roles.home().path()).into_response(),
        None => Redirect::to("/login").into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, HeaderValue::from_static(v));
        }
        h
    }

    #[test]
    fn cross_origin_posts_are_recognised() {
        let post = Method::POST;
        assert!(!is_cross_origin(
            &Method::GET,
            &headers(&[("sec-fetch-site", "cross-site")])
        ));
        assert!(is_cross_origin(
            &post,
            &headers(&[("sec-fetch-site", "cross-site")])
        ));
        assert!(is_cross_origin(
            &post,
            &headers(&[("sec-fetch-site", "same-site")])
        ));
        assert!(!is_cross_origin(
            &post,
            &headers(&[("sec-fetch-site", "same-origin")])
        ));
        let same = headers(&[
            ("origin", "http://127.0.0.1:3000"),
            ("host", "127.0.0.1:3000"),
        ]);
        assert!(!is_cross_origin(&post, &same));
        let other = headers(&[
            ("origin", "https://evil.example"),
            ("host", "127.0.0.1:3000"),
        ]);
        assert!(is_cross_origin(&post, &other));
        assert!(is_cross_origin(
            &post,
            &headers(&[("origin", "null"), ("host", "a")])
        ));
        assert!(!is_cross_origin(&post, &headers(&[])));
    }

    #[test]
    fn cookies_are_found_by_name() {
        let h = headers(&[("cookie", "a=1; ns_session=abc; ns_lang=en")]);
        assert_eq!(cookie(&h, SESSION_COOKIE), Some("abc"));
        assert_eq!(cookie(&h, "ns_lang"), Some("en"));
        assert_eq!(cookie(&h, "missing"), None);
    }

    #[test]
    fn pages_need_login_but_assets_do_not() {
        assert!(needs_login("/me"));
        assert!(needs_login("/admin/accounts"));
        assert!(!needs_login("/login"));
        assert!(
            !needs_login("/privacy"),
            "the privacy page is read before signing in"
        );
        assert!(!needs_login("/pkg/nightschool.wasm"));
        assert!(!needs_login("/api/me"));
        assert!(!needs_login("/favicon.svg"));
    }

    #[test]
    fn tokens_are_random_and_stored_hashed() {
        let a = new_token().unwrap();
        assert_eq!(a.len(), 64);
        assert_ne!(a, new_token().unwrap());
        assert_ne!(hash_token(&a), a);
        assert_eq!(hash_token(&a), hash_token(&a));
    }
}
