//! Sign-in through the district's identity provider by OpenID Connect (authorization code
//! flow with PKCE, state and nonce; the ID token's signature, issuer, audience, expiry and
//! nonce are checked by the `openidconnect` crate). Password sign-in stays for small
//! installs. Configured by environment (see [`OidcConfig::from_env`]); off unless the issuer
//! is set.
//!
//! The first sign-in of a provider subject finds its account by a configured claim (by
//! default `preferred_username`, matched against the account's user name) and links the two;
//! later sign-ins find the account by issuer and subject alone, so a renamed user at the
//! provider stays the same person here. A subject no account matches is refused: accounts
//! are made by admins (or the import), never by a sign-in.
use axum::extract::{Query, State};
use axum::http::header::SET_COOKIE;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use openidconnect::core::{CoreAuthenticationFlow, CoreClient, CoreUserInfoClaims};
use openidconnect::{
    AuthorizationCode, ClientId, ClientSecret, CsrfToken, Nonce, OAuth2TokenResponse,
    PkceCodeChallenge, PkceCodeVerifier, RedirectUrl, Scope, TokenResponse,
};
use serde::{Deserialize, Serialize};

use super::audit;
use super::auth::{LoginError, landing, open_session};
use super::cookies::{cookie, private_cookie};
use super::db::AuditLine;
use super::identity_provider::error_chain;
pub use super::identity_provider::{CALLBACK_PATH, LinkClaim, Oidc, OidcConfig};
use super::security::{RequestMeta, cookie_name};
use super::state::AppState;
use crate::domain::audit::{AuditKind, AuditOutcome};
use crate::domain::role::safe_next;
use crate::domain::{Timestamp, Username};

/// The cookie that carries one sign-in's state, nonce and PKCE verifier to the callback.
const FLOW_COOKIE: &str = "ns_oidc";
/// How long a sign-in at the provider may take.
const FLOW_SECS: i64 = 600;

/// One sign-in in progress, kept in the browser (HttpOnly, ten minutes) between the visit to
/// the provider and the callback.
#[derive(Debug, Deserialize, Serialize)]
struct Flow {
    state: String,
    nonce: String,
    verifier: String,
    redirect: String,
    #[serde(default)]
    next: Option<String>,
    #[serde(default)]
    remember: bool,
}

/// What the login page's button reaches: `?next=` and `?remember=1` are carried through.
#[derive(Deserialize)]
pub struct StartQuery {
    next: Option<String>,
    remember: Option<String>,
}

/// `GET /auth/oidc/start`: sends the browser to the provider.
pub async fn start(
    State(state): State<AppState>,
    meta: Option<axum::Extension<RequestMeta>>,
    headers: HeaderMap,
    Query(query): Query<StartQuery>,
) -> Response {
    let Some(oidc) = state.oidc.clone() else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let meta = meta.map(|m| m.0).unwrap_or_default();
    let next = safe_next(query.next.as_deref()).map(str::to_string);
    let metadata = match oidc.metadata(false).await {
        Ok(m) => m,
        Err(err) => {
            tracing::warn!(error = %err, "the identity provider did not answer");
            log(
                &state,
                &refused(&meta, &Refusal::unavailable("discovery", err)),
            )
            .await;
            return to_login("oidc_unavailable", next.as_deref());
        }
    };
    let Some(redirect) = oidc
        .redirect_url(&headers, meta.https)
        .and_then(|u| RedirectUrl::new(u).ok())
    else {
        return to_login("oidc_unavailable", next.as_deref());
    };
    let client = CoreClient::from_provider_metadata(
        metadata,
        ClientId::new(oidc.config.client_id.clone()),
        oidc.config.client_secret.clone().map(ClientSecret::new),
    )
    .set_redirect_uri(redirect.clone());
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let mut request = client
        .authorize_url(
            CoreAuthenticationFlow::AuthorizationCode,
            CsrfToken::new_random,
            Nonce::new_random,
        )
        .set_pkce_challenge(challenge);
    for scope in oidc.scopes() {
        request = request.add_scope(Scope::new(scope.to_string()));
    }
    let (url, csrf, nonce) = request.url();
    let flow = Flow {
        state: csrf.secret().clone(),
        nonce: nonce.secret().clone(),
        verifier: verifier.secret().clone(),
        redirect: redirect.as_str().to_string(),
        next,
        remember: query.remember.is_some(),
    };
    let value = serde_urlencoded::to_string(&flow).unwrap_or_default();
    let mut res = Redirect::to(url.as_str()).into_response();
    res.headers_mut().insert(
        SET_COOKIE,
        private_cookie(FLOW_COOKIE, &value, Some(FLOW_SECS), meta.https),
    );
    res
}

/// What the provider sends the browser back with.
#[derive(Deserialize)]
pub struct CallbackQuery {
    code: Option<String>,
    state: Option<String>,
    error: Option<String>,
    /// The issuer, from providers that name it (RFC 9207): a mix-up shows here.
    iss: Option<String>,
}

/// Why a sign-in through the provider ended on the login page; the page words it.
#[derive(Debug)]
struct Refusal {
    /// The login page's `error` code.
    code: &'static str,
    /// The audit line's reason code, and what went wrong in words (never shown to the
    /// browser).
    reason: &'static str,
    info: String,
}

impl Refusal {
    fn failed(reason: &'static str, info: impl Into<String>) -> Refusal {
        Refusal {
            code: "oidc_failed",
            reason,
            info: info.into(),
        }
    }

    fn unavailable(reason: &'static str, info: impl Into<String>) -> Refusal {
        Refusal {
            code: "oidc_unavailable",
            reason,
            info: info.into(),
        }
    }

    fn database(err: super::db::RepoError) -> Refusal {
        Refusal {
            code: "unavailable",
            reason: "database",
            info: err.to_string(),
        }
    }

    fn unknown(info: String) -> Refusal {
        Refusal {
            code: "oidc_unknown",
            reason: "no_account",
            info,
        }
    }
}

/// `GET /auth/oidc/callback`: checks the answer, finds (or links) the account and opens a
/// login session as the password form does, second factor included. A GET because the
/// provider redirects the browser; the state bound to this browser's cookie is what makes
/// it safe.
pub async fn callback(
    State(state): State<AppState>,
    meta: Option<axum::Extension<RequestMeta>>,
    headers: HeaderMap,
    Query(query): Query<CallbackQuery>,
) -> Response {
    let Some(oidc) = state.oidc.clone() else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let meta = meta.map(|m| m.0).unwrap_or_default();
    let flow = cookie(&headers, &cookie_name(FLOW_COOKIE, meta.https))
        .and_then(|v| serde_urlencoded::from_str::<Flow>(v).ok());
    let next = flow.as_ref().and_then(|f| f.next.clone());
    let mut res = match finish(&state, &oidc, &meta, &headers, query, flow).await {
        Ok((target, session)) => {
            let mut res = Redirect::to(&target).into_response();
            res.headers_mut().insert(SET_COOKIE, session);
            res
        }
        Err(refusal) => to_login(refusal.code, next.as_deref()),
    };
    res.headers_mut().append(
        SET_COOKIE,
        private_cookie(FLOW_COOKIE, "", Some(0), meta.https),
    );
    res
}

async fn finish(
    state: &AppState,
    oidc: &Oidc,
    meta: &RequestMeta,
    headers: &HeaderMap,
    query: CallbackQuery,
    flow: Option<Flow>,
) -> Result<(String, HeaderValue), Refusal> {
    let result = verify(state, oidc, meta, query, flow.as_ref()).await;
    let (account_id, name) = match result {
        Ok(found) => found,
        Err(refusal) => {
            log(state, &refused(meta, &refusal)).await;
            return Err(refusal);
        }
    };
    let flow = flow.ok_or_else(|| Refusal::failed("no_flow", ""))?;
    let account = state
        .repo
        .account(account_id)
        .await
        .map_err(Refusal::database)?
        .ok_or_else(|| Refusal::unknown(format!("account {account_id} gone")))?;
    let target = format!("user:{}", account.username);
    let detail = serde_json::json!({ "via": "oidc", "as": name }).to_string();
    let line = |actor: Option<i64>, kind, outcome| {
        let mut line = audit::from_meta(meta, actor, kind, outcome, &target);
        line.detail = detail.clone();
        line
    };
    if account.disabled {
        log(
            state,
            &line(
                Some(account.id),
                AuditKind::LoginDisabled,
                AuditOutcome::Refused,
            ),
        )
        .await;
        return Err(Refusal {
            code: "disabled",
            reason: "disabled",
            info: String::new(),
        });
    }
    let (account, session, pending) =
        open_session(state, meta, headers, account.id, flow.remember, &line)
            .await
            .map_err(|e| Refusal {
                code: match e {
                    LoginError::Busy => "busy",
                    _ => "unavailable",
                },
                reason: e.code(),
                info: String::new(),
            })?;
    // `next` was checked when the sign-in began; the cookie is the browser's, so again.
    let target = landing(
        &account,
        pending,
        flow.remember,
        safe_next(flow.next.as_deref()),
    );
    Ok((target, session))
}

/// The account the provider's answer proves, and the claim value it was found by (for the
/// audit line).
async fn verify(
    state: &AppState,
    oidc: &Oidc,
    meta: &RequestMeta,
    query: CallbackQuery,
    flow: Option<&Flow>,
) -> Result<(i64, String), Refusal> {
    if let Some(error) = query.error {
        return Err(Refusal::failed("provider_error", error));
    }
    let flow =
        flow.ok_or_else(|| Refusal::failed("no_flow", "no sign-in in progress in this browser"))?;
    let (Some(code), Some(returned)) = (query.code, query.state) else {
        return Err(Refusal::failed("no_code", ""));
    };
    if !same(returned.as_bytes(), flow.state.as_bytes()) {
        return Err(Refusal::failed("state_mismatch", ""));
    }
    if let Some(iss) = query.iss
        && iss.trim_end_matches('/') != oidc.config.issuer.trim_end_matches('/')
    {
        return Err(Refusal::failed("issuer_mismatch", iss));
    }
    let metadata = oidc
        .metadata(false)
        .await
        .map_err(|e| Refusal::unavailable("discovery", e))?;
    let redirect = RedirectUrl::new(flow.redirect.clone())
        .map_err(|e| Refusal::failed("redirect", e.to_string()))?;
    let client = CoreClient::from_provider_metadata(
        metadata,
        ClientId::new(oidc.config.client_id.clone()),
        oidc.config.client_secret.clone().map(ClientSecret::new),
    )
    .set_redirect_uri(redirect);
    let token = client
        .exchange_code(AuthorizationCode::new(code))
        .map_err(|e| Refusal::failed("exchange", e.to_string()))?
        .set_pkce_verifier(PkceCodeVerifier::new(flow.verifier.clone()))
        .request_async(&oidc.http)
        .await
        .map_err(|e| Refusal::failed("exchange", error_chain(&e)))?;
    let id_token = token
        .id_token()
        .ok_or_else(|| Refusal::failed("id_token", "no ID token"))?;
    let nonce = Nonce::new(flow.nonce.clone());
    let claims = match id_token.claims(&client.id_token_verifier(), &nonce) {
        Ok(claims) => claims.clone(),
        Err(first) => {
            // The provider may have turned its keys over since the metadata was read.
            let fresh = oidc
                .metadata(true)
                .await
                .map_err(|e| Refusal::unavailable("discovery", e))?;
            let again = CoreClient::from_provider_metadata(
                fresh,
                ClientId::new(oidc.config.client_id.clone()),
                oidc.config.client_secret.clone().map(ClientSecret::new),
            );
            id_token
                .claims(&again.id_token_verifier(), &nonce)
                .map_err(|_| Refusal::failed("id_token", first.to_string()))?
                .clone()
        }
    };
    let issuer = claims.issuer().as_str().to_string();
    let subject = claims.subject().clone();
    let repo = &state.repo;
    let now = Timestamp::now();
    if let Some(account) = repo
        .identity_account(&issuer, subject.as_str(), now)
        .await
        .map_err(Refusal::database)?
    {
        return Ok((account, subject.as_str().to_string()));
    }
    // First sign-in: the claim names the account.
    let from_token = match oidc.config.claim {
        LinkClaim::PreferredUsername => claims.preferred_username().map(|v| v.to_string()),
        LinkClaim::PhoneNumber => claims.phone_number().map(|v| v.to_string()),
        LinkClaim::Subject => Some(subject.as_str().to_string()),
    };
    let value = match from_token {
        Some(v) => v,
        None => {
            let info: CoreUserInfoClaims = client
                .user_info(token.access_token().clone(), Some(subject.clone()))
                .map_err(|e| Refusal::failed("userinfo", e.to_string()))?
                .request_async(&oidc.http)
                .await
                .map_err(|e| Refusal::failed("userinfo", error_chain(&e)))?;
            let found = match oidc.config.claim {
                LinkClaim::PreferredUsername => info.preferred_username().map(|v| v.to_string()),
                LinkClaim::PhoneNumber => info.phone_number().map(|v| v.to_string()),
                LinkClaim::Subject => None,
            };
            found.ok_or_else(|| Refusal {
                code: "oidc_unknown",
                reason: "no_claim",
                info: oidc.config.claim.name().to_string(),
            })?
        }
    };
    let unknown = || Refusal::unknown(format!("{}={value}", oidc.config.claim.name()));
    let username = Username::parse(&value).map_err(|_| unknown())?;
    let record = repo
        .login_record(&username)
        .await
        .map_err(Refusal::database)?
        .ok_or_else(unknown)?;
    let mut line = audit::from_meta(
        meta,
        Some(record.account_id),
        AuditKind::IdentityLinked,
        AuditOutcome::Ok,
        &format!("account:{}", record.account_id),
    );
    line.detail = serde_json::json!({
        "issuer": issuer,
        "claim": oidc.config.claim.name(),
        "value": value,
    })
    .to_string();
    repo.link_identity(record.account_id, &issuer, subject.as_str(), &value, &line)
        .await
        .map_err(Refusal::database)?;
    // Linked now, by this request or by one a moment before it.
    let account = repo
        .identity_account(&issuer, subject.as_str(), now)
        .await
        .map_err(Refusal::database)?
        .ok_or_else(unknown)?;
    Ok((account, value))
}

/// Equal without saying where they differ.
fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

fn refused(meta: &RequestMeta, refusal: &Refusal) -> AuditLine {
    let mut line = audit::from_meta(
        meta,
        None,
        AuditKind::LoginIdentityRefused,
        AuditOutcome::Refused,
        "oidc",
    );
    let info: String = refusal.info.chars().take(300).collect();
    line.detail = serde_json::json!({ "reason": refusal.reason, "info": info }).to_string();
    line
}

async fn log(state: &AppState, line: &AuditLine) {
    if let Err(err) = state.repo.audit(line).await {
        tracing::error!(error = %err, "audit line not written");
    }
}

fn to_login(code: &str, next: Option<&str>) -> Response {
    let mut query = vec![("error", code)];
    if let Some(n) = next {
        query.push(("next", n));
    }
    let query = serde_urlencoded::to_string(query).unwrap_or_default();
    Redirect::to(&format!("/login?{query}")).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flow_survives_its_cookie() {
        let flow = Flow {
            state: "s t".into(),
            nonce: "n;1".into(),
            verifier: "v,2".into(),
            redirect: "http://127.0.0.1:3000/auth/oidc/callback".into(),
            next: Some("/sessions?x=1&y=2".into()),
            remember: true,
        };
        let value = serde_urlencoded::to_string(&flow).unwrap();
        assert!(!value.contains([';', ',', ' ']), "{value}");
        assert!(HeaderValue::from_str(&value).is_ok());
        let back: Flow = serde_urlencoded::from_str(&value).unwrap();
        assert_eq!(back.next.as_deref(), Some("/sessions?x=1&y=2"));
        assert!(back.remember);
        assert_eq!(back.nonce, "n;1");
    }

    #[test]
    fn comparison_is_exact() {
        assert!(same(b"abc", b"abc"));
        assert!(!same(b"abc", b"abd"));
        assert!(!same(b"abc", b"ab"));
    }
}
