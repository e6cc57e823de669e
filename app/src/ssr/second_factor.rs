//! The second factor: TOTP secrets and codes (RFC 6238, computed by totp-rs as authenticator
//! apps compute them), single-use recovery codes, and the code step of a login
//! (`POST /auth/totp`, a plain form that works without JavaScript).
use axum::extract::{Form, State};
use axum::http::HeaderMap;
use axum::http::header::SET_COOKIE;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use totp_rs::{Algorithm, Secret, TOTP};

use super::audit::by;
use super::auth::{count_try, forgive};
use super::cookies::SESSION_COOKIE;
use super::cookies::cookie;
use super::db::{RepoResult, SecondFactorStore};
use super::security::{RequestMeta, cookie_name};
use super::state::AppState;
use super::tokens::{hash_token, new_token};
use super::user::CurrentUser;
use crate::domain::Timestamp;
use crate::domain::audit::{AuditKind, AuditOutcome};
use crate::domain::role::safe_next;
use crate::domain::second_factor::{
    self, Pending, RECOVERY_ALPHABET, RECOVERY_CODES, RECOVERY_LEN, STEP_SECS, Typed,
};
use crate::domain::throttle::{self, Verdict};
use crate::error::{AppError, AppResult};

// The caller's codes, as the account's own pages check them (not the login step).

/// Counts a try at the caller's codes (before checking), refusing when too many.
pub async fn counted(state: &AppState, user: &CurrentUser) -> AppResult<Vec<i64>> {
    let now = Timestamp::now();
    let (verdict, tries, _) = count_try(state, &bucket(user.account.id), now).await?;
    if let Verdict::Wait(secs) = verdict {
        let line = by(
            user,
            AuditKind::LoginThrottled,
            AuditOutcome::Refused,
            &format!("account:{}", user.account.id),
        );
        state.repo.audit(&line).await?;
        return Err(AppError::TooManyTries(throttle::wait_minutes(secs)));
    }
    Ok(tries)
}

/// Checks a code for the caller's confirmed factor; a wrong one is logged.
pub async fn right_code(state: &AppState, user: &CurrentUser, code: &str) -> AppResult<()> {
    let tries = counted(state, user).await?;
    let repo = state.repo.as_ref();
    if check_code(repo, user.account.id, code, Timestamp::now()).await? == Accepted::Wrong {
        let line = by(
            user,
            AuditKind::LoginCodeFailed,
            AuditOutcome::Refused,
            &format!("account:{}", user.account.id),
        );
        repo.audit(&line).await?;
        return Err(AppError::WrongCode);
    }
    forgive(state, &bucket(user.account.id), &tries, &[]).await?;
    Ok(())
}

/// Fresh recovery codes: as shown, and as stored.
pub fn recovery_codes() -> AppResult<(Vec<String>, Vec<String>)> {
    let codes = new_recovery_codes().map_err(AppError::internal)?;
    let hashes = codes.iter().map(|c| hash_code(c)).collect();
    let shown = codes
        .iter()
        .map(|c| second_factor::show_recovery(c))
        .collect();
    Ok((shown, hashes))
}

/// The name authenticator apps show above the code.
pub const ISSUER: &str = "夜校 Night School";

/// A fresh secret, Base32 (160 random bits, as RFC 4226 recommends).
pub fn new_secret() -> Result<String, getrandom::Error> {
    let mut bytes = [0u8; 20];
    getrandom::getrandom(&mut bytes)?;
    match Secret::Raw(bytes.to_vec()).to_encoded() {
        Secret::Encoded(s) => Ok(s),
        Secret::Raw(_) => unreachable!("to_encoded gives the Base32 form"),
    }
}

fn totp(secret: &str) -> Option<TOTP> {
    let bytes = Secret::Encoded(secret.to_string()).to_bytes().ok()?;
    TOTP::new(Algorithm::SHA1, 6, 1, STEP_SECS as u64, bytes).ok()
}

/// The code of `step` for the secret.
pub fn code_at_step(secret: &str, step: i64) -> Option<String> {
    Some(totp(secret)?.generate(u64::try_from(step * STEP_SECS).ok()?))
}

/// The step `code` belongs to, among those it may still be accepted for at `now`.
pub fn matching_step(secret: &str, code: &str, now: i64, last_used: i64) -> Option<i64> {
    second_factor::candidate_steps(now, last_used)
        .into_iter()
        .find(|step| {
            code_at_step(secret, *step).is_some_and(|c| {
                // Compared without an early exit.
                c.len() == code.len()
                    && c.bytes()
                        .zip(code.bytes())
                        .fold(0u8, |d, (a, b)| d | (a ^ b))
                        == 0
            })
        })
}

/// What an authenticator app scans.
pub fn otpauth_url(username: &str, secret: &str) -> String {
    let issuer = crate::domain::files::percent_encode(ISSUER);
    let account = crate::domain::files::percent_encode(username);
    format!(
        "otpauth://totp/{issuer}:{account}?secret={secret}&issuer={issuer}&algorithm=SHA1&digits=6&period={STEP_SECS}"
    )
}

/// Ten fresh recovery codes, as the user will type them (normalised).
pub fn new_recovery_codes() -> Result<Vec<String>, getrandom::Error> {
    let mut codes = Vec::with_capacity(RECOVERY_CODES);
    while codes.len() < RECOVERY_CODES {
        let mut code = String::with_capacity(RECOVERY_LEN);
        while code.len() < RECOVERY_LEN {
            let mut byte = [0u8; 1];
            getrandom::getrandom(&mut byte)?;
            // Rejection sampling keeps every letter equally likely.
            let limit = 256 - 256 % RECOVERY_ALPHABET.len();
            if usize::from(byte[0]) < limit {
                code.push(char::from(
                    RECOVERY_ALPHABET[usize::from(byte[0]) % RECOVERY_ALPHABET.len()],
                ));
            }
        }
        codes.push(code);
    }
    Ok(codes)
}

/// How a recovery code is stored.
pub fn hash_code(code: &str) -> String {
    hash_token(code)
}

/// How a typed code was taken.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Accepted {
    Code,
    Recovery,
    Wrong,
}

/// Checks a code (or recovery code) typed for the account's confirmed second factor and
/// uses it up: a code is accepted once, a recovery code once.
pub async fn check_code(
    repo: &dyn SecondFactorStore,
    account_id: i64,
    typed: &str,
    now: Timestamp,
) -> RepoResult<Accepted> {
    let Some(factor) = repo.factor_of(account_id).await?.filter(|f| f.confirmed) else {
        return Ok(Accepted::Wrong);
    };
    Ok(match second_factor::classify(typed) {
        Typed::Code(code) => match matching_step(&factor.secret, &code, now.0, factor.last_step) {
            Some(step) if repo.use_step(account_id, step).await? => Accepted::Code,
            _ => Accepted::Wrong,
        },
        Typed::Recovery(code) => {
            if repo
                .use_recovery_code(account_id, &hash_code(&code), now)
                .await?
            {
                Accepted::Recovery
            } else {
                Accepted::Wrong
            }
        }
        Typed::Invalid => Accepted::Wrong,
    })
}

/// The throttle bucket of an account's codes.
pub fn bucket(account_id: i64) -> Vec<(String, throttle::Limit)> {
    vec![(format!("factor:{account_id}"), throttle::SECOND_FACTOR)]
}

#[derive(Deserialize)]
pub struct CodeForm {
    code: String,
    remember: Option<String>,
    next: Option<String>,
}

/// `POST /auth/totp`: the code step of a login whose password was right. A right code
/// replaces the waiting session with a full one (a fresh id); a wrong one is counted.
pub async fn verify(
    State(state): State<AppState>,
    meta: Option<axum::Extension<RequestMeta>>,
    headers: HeaderMap,
    Form(form): Form<CodeForm>,
) -> Response {
    let meta = meta.map(|m| m.0).unwrap_or_default();
    let next = safe_next(form.next.as_deref()).map(str::to_string);
    let back = |error: &str| {
        let mut query = vec![("error", error.to_string())];
        if form.remember.is_some() {
            query.push(("remember", "1".to_string()));
        }
        if let Some(n) = &next {
            query.push(("next", n.clone()));
        }
        let query = serde_urlencoded::to_string(query).unwrap_or_default();
        Redirect::to(&format!("/login/totp?{query}")).into_response()
    };
    let now = Timestamp::now();
    let repo = state.repo.as_ref();
    let Some(token) = cookie(&headers, &cookie_name(SESSION_COOKIE, meta.https)) else {
        return Redirect::to("/login?error=expired").into_response();
    };
    let token_hash = hash_token(token);
    let stored = match repo.auth_session(&token_hash).await {
        Ok(s) => s,
        Err(err) => {
            tracing::error!(error = %err, "reading a waiting login failed");
            return back("unavailable");
        }
    };
    let Some(stored) =
        stored.filter(|s| s.pending == Some(Pending::Verify) && s.clock.is_valid_at(now))
    else {
        return Redirect::to("/login?error=expired").into_response();
    };
    let account_id = stored.account_id;
    let line = |kind, outcome| {
        let mut line = super::audit::from_meta(
            &meta,
            Some(account_id),
            kind,
            outcome,
            &format!("account:{account_id}"),
        );
        line.at = now;
        line
    };
    let log = |l| async move {
        if let Err(err) = repo.audit(&l).await {
            tracing::error!(error = %err, "audit line not written");
        }
    };
    let buckets = bucket(account_id);
    let (verdict, tries, worth_logging) = match count_try(&state, &buckets, now).await {
        Ok(v) => v,
        Err(err) => {
            tracing::error!(error = %err, "counting a code try failed");
            return back("unavailable");
        }
    };
    if let Verdict::Wait(_) = verdict {
        if worth_logging {
            log(line(AuditKind::LoginThrottled, AuditOutcome::Refused)).await;
        }
        return back("locked");
    }
    let accepted = match check_code(repo, account_id, &form.code, now).await {
        Ok(a) => a,
        Err(err) => {
            tracing::error!(error = %err, "checking a code failed");
            return back("unavailable");
        }
    };
    let kind = match accepted {
        Accepted::Wrong => {
            log(line(AuditKind::LoginCodeFailed, AuditOutcome::Refused)).await;
            return back("wrong");
        }
        Accepted::Code => AuditKind::LoginSucceeded,
        Accepted::Recovery => AuditKind::RecoveryCodeUsed,
    };
    let _ = super::auth::forgive(&state, &buckets, &tries, &[]).await;
    let account = match repo.account(account_id).await {
        Ok(Some(a)) if !a.disabled => a,
        _ => return Redirect::to("/login?error=expired").into_response(),
    };
    let started = async {
        repo.delete_auth_session(&token_hash).await?;
        let token = new_token().map_err(|e| anyhow::anyhow!("no randomness: {e}"))?;
        let remember = form.remember.is_some();
        let cookie = super::auth::start_session(
            &state,
            &meta,
            &account,
            &token,
            remember,
            None,
            &super::audit::with_detail(
                line(kind, AuditOutcome::Ok),
                serde_json::json!({ "factor": if kind == AuditKind::LoginSucceeded { "totp" } else { "recovery" } }),
            ),
        )
        .await?;
        Ok::<_, anyhow::Error>(cookie)
    }
    .await;
    match started {
        Ok(cookie) => {
            let target = if account.must_change_password {
                "/account/password?required=1".to_string()
            } else {
                next.unwrap_or_else(|| account.roles.home().path().to_string())
            };
            let mut res = Redirect::to(&target).into_response();
            res.headers_mut().insert(SET_COOKIE, cookie);
            res
        }
        Err(err) => {
            tracing::error!(error = %err, "starting a session failed");
            back("unavailable")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_random_base32_and_make_codes() {
        let a = new_secret().unwrap();
        let b = new_secret().unwrap();
        assert_ne!(a, b);
        assert_eq!(a.len(), 32, "160 bits in Base32");
        let code = code_at_step(&a, 1_000).unwrap();
        assert_eq!(code.len(), 6);
        assert_eq!(
            matching_step(&a, &code, 1_000 * STEP_SECS + 5, 0),
            Some(1_000)
        );
        assert_eq!(
            matching_step(&a, &code, 1_001 * STEP_SECS + 5, 0),
            Some(1_000)
        );
        assert_eq!(
            matching_step(&a, &code, 1_003 * STEP_SECS, 0),
            None,
            "too old"
        );
        assert_eq!(
            matching_step(&a, &code, 1_000 * STEP_SECS, 1_000),
            None,
            "used"
        );
    }

    #[test]
    fn rfc_6238_test_vector() {
        // RFC 6238 appendix B, SHA-1, T = 59 s: 94287082 (the last six digits here).
        let secret = match Secret::Raw(b"12345678901234567890".to_vec()).to_encoded() {
            Secret::Encoded(s) => s,
            Secret::Raw(_) => unreachable!(),
        };
        assert_eq!(code_at_step(&secret, 1).unwrap(), "287082");
    }

    #[test]
    fn recovery_codes_are_ten_distinct_codes_of_the_alphabet() {
        let codes = new_recovery_codes().unwrap();
        assert_eq!(codes.len(), RECOVERY_CODES);
        for c in &codes {
            assert!(
                matches!(second_factor::classify(c), Typed::Recovery(_)),
                "{c}"
            );
        }
        let mut unique = codes.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), codes.len());
    }

    #[test]
    fn the_app_link_names_issuer_and_account() {
        let url = otpauth_url("admin", "ABCDEF");
        assert!(url.starts_with("otpauth://totp/"));
        assert!(url.contains(":admin?secret=ABCDEF&issuer="));
        assert!(!url.contains(' '), "{url}");
    }
}
