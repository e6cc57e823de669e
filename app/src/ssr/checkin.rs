//! The door: signed, short-lived QR tokens and six-digit codes, the check-in flow, and the
//! group-commit writer that puts a burst of check-ins into few transactions.
//!
//! A token is `{session}-{step}-{mac}`: the step is the 20-second slot it was shown in and
//! the MAC an HMAC-SHA256 over both, keyed with the school's check-in secret (shared by
//! every app server through configuration or the database), so a token cannot be made up,
//! moved to another session, or used long after it left the screen.
use std::sync::Arc;

use axum::Extension;
use axum::extract::{Form, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use hmac::{Hmac, Mac};
use serde::Deserialize;
use sha2::Sha256;
use tokio::sync::{mpsc, oneshot};

use super::audit;
use super::auth::CurrentUser;
use super::db::{
    AuditLine, Checkin, CheckinResult, DoorSession, RepoError, RepoResult, Repository, WalkInClaim,
};
use super::security::RequestMeta;
use super::state::AppState;
use crate::domain::attendance::{
    DoorOutcome, TokenClock, checkin_replaces, checkin_status, door_code, normalise_code,
};
use crate::domain::audit::{AuditKind, AuditOutcome};
use crate::domain::network::{Network, parse_networks};
use crate::domain::throttle::{self, Verdict};
use crate::domain::{Role, Timestamp};

type HmacSha256 = Hmac<Sha256>;

/// The settings key of the secret made on first start when none is configured.
pub const SECRET_SETTING: &str = "checkin.secret";
/// Bytes of MAC kept in a token (96 bits).
const MAC_BYTES: usize = 12;

/// Makes and checks the door's tokens and codes.
#[derive(Clone)]
pub struct DoorKey {
    secret: Arc<[u8]>,
    pub clock: TokenClock,
}

impl DoorKey {
    pub fn new(secret: &[u8], clock: TokenClock) -> DoorKey {
        DoorKey {
            secret: secret.into(),
            clock,
        }
    }

    fn mac(&self, label: &str, session_id: i64, step: i64) -> HmacSha256 {
        // HMAC takes keys of any length.
        let mut mac = HmacSha256::new_from_slice(&self.secret)
            .unwrap_or_else(|_| unreachable!("HMAC accepts every key length"));
        mac.update(format!("nightschool/{label}/{session_id}/{step}").as_bytes());
        mac
    }

    pub fn token(&self, session_id: i64, step: i64) -> String {
        let tag = self.mac("token", session_id, step).finalize().into_bytes();
        format!(
            "{session_id}-{step}-{}",
            super::auth::hex(&tag[..MAC_BYTES])
        )
    }

    /// The session a token is for, if it is genuine and still good at `now`.
    pub fn verify(&self, token: &str, now: Timestamp) -> Result<i64, DoorOutcome> {
        let mut parts = token.trim().splitn(3, '-');
        let (Some(session), Some(step), Some(hex)) = (parts.next(), parts.next(), parts.next())
        else {
            return Err(DoorOutcome::Forged);
        };
        let (Ok(session_id), Ok(step)) = (session.parse::<i64>(), step.parse::<i64>()) else {
            return Err(DoorOutcome::Forged);
        };
        let Some(tag) = unhex(hex).filter(|t| t.len() == MAC_BYTES) else {
            return Err(DoorOutcome::Forged);
        };
        self.mac("token", session_id, step)
            .verify_truncated_left(&tag)
            .map_err(|_| DoorOutcome::Forged)?;
        if self.clock.accepts(step, now) {
            Ok(session_id)
        } else {
            Err(DoorOutcome::Expired)
        }
    }

    pub fn code(&self, session_id: i64, step: i64) -> String {
        door_code(&self.mac("code", session_id, step).finalize().into_bytes())
    }

    /// Whether `code` is one that session `session_id` showed recently enough. A code is
    /// only ever compared with the codes of the session it is typed for.
    pub fn code_matches(&self, session_id: i64, code: &str, now: Timestamp) -> bool {
        use subtle_eq::eq;
        self.clock
            .live_steps(now)
            .any(|step| eq(self.code(session_id, step).as_bytes(), code.as_bytes()))
    }
}

/// Comparison that takes as long whichever byte differs.
mod subtle_eq {
    pub fn eq(a: &[u8], b: &[u8]) -> bool {
        a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
    }
}

fn unhex(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok())
        .collect()
}

/// The check-in secret: `NIGHTSCHOOL_CHECKIN_SECRET` when set (every app server of one
/// school must share it), otherwise one made on first start and kept in the database, which
/// every server of the school shares too.
pub async fn load_secret(repo: &dyn Repository) -> anyhow::Result<Vec<u8>> {
    use anyhow::Context;
    if let Ok(configured) = std::env::var("NIGHTSCHOOL_CHECKIN_SECRET") {
        anyhow::ensure!(
            configured.len() >= 16,
            "NIGHTSCHOOL_CHECKIN_SECRET must be at least 16 characters"
        );
        return Ok(configured.into_bytes());
    }
    let fresh = super::auth::new_token().context("making a check-in secret")?;
    let stored = repo
        .setting_or_init(SECRET_SETTING, &fresh, Timestamp::now())
        .await
        .context("storing the check-in secret")?;
    Ok(stored.into_bytes())
}

type Job = (Checkin, oneshot::Sender<RepoResult<CheckinResult>>);

/// Most check-ins written in one transaction.
const MAX_BATCH: usize = 256;

/// Hands check-ins to one task that writes whatever has queued up in one transaction: a
/// burst at the door costs a few commits, not one per phone.
#[derive(Clone)]
pub struct CheckinWriter {
    jobs: mpsc::Sender<Job>,
}

impl CheckinWriter {
    pub fn spawn(repo: Arc<dyn Repository>) -> CheckinWriter {
        let (jobs, rx) = mpsc::channel(4 * MAX_BATCH);
        tokio::spawn(write_batches(repo, rx));
        CheckinWriter { jobs }
    }

    pub async fn submit(&self, checkin: Checkin) -> RepoResult<CheckinResult> {
        let (reply, answer) = oneshot::channel();
        let closed = || RepoError::Db(sqlx::Error::PoolClosed);
        self.jobs
            .send((checkin, reply))
            .await
            .map_err(|_| closed())?;
        answer.await.map_err(|_| closed())?
    }
}

async fn write_batches(repo: Arc<dyn Repository>, mut rx: mpsc::Receiver<Job>) {
    while let Some(first) = rx.recv().await {
        let mut jobs = vec![first];
        while jobs.len() < MAX_BATCH {
            match rx.try_recv() {
                Ok(job) => jobs.push(job),
                Err(_) => break,
            }
        }
        let batch: Vec<Checkin> = jobs.iter().map(|(c, _)| c.clone()).collect();
        match repo.check_in_batch(&batch).await {
            Ok(results) if results.len() == jobs.len() => {
                for ((_, reply), result) in jobs.into_iter().zip(results) {
                    let _ = reply.send(Ok(result));
                }
            }
            outcome => {
                if let Err(err) = outcome {
                    tracing::warn!(error = %err, n = jobs.len(), "check-in batch failed; writing one by one");
                }
                // One bad check-in must not fail its neighbours: write each on its own.
                for (checkin, reply) in jobs {
                    let mut result = write_one(repo.as_ref(), &checkin).await;
                    // Another app server's batch may take the same tally rows in another
                    // order; PostgreSQL then aborts one of the two. A check-in is never
                    // lost to that: it is written again.
                    for _ in 0..3 {
                        match &result {
                            Err(err) if err.is_transient() => {
                                result = write_one(repo.as_ref(), &checkin).await;
                            }
                            _ => break,
                        }
                    }
                    let _ = reply.send(result);
                }
            }
        }
    }
}

async fn write_one(repo: &dyn Repository, checkin: &Checkin) -> RepoResult<CheckinResult> {
    repo.check_in_batch(std::slice::from_ref(checkin))
        .await
        .and_then(|mut r| r.pop().ok_or(RepoError::Db(sqlx::Error::RowNotFound)))
}

/// What the door's services need; one per app server.
#[derive(Clone)]
pub struct Door {
    pub key: DoorKey,
    pub writer: CheckinWriter,
    /// The address phones reach the school at, e.g. `https://yexiao.example.cn`; the
    /// request's own host when unset.
    pub public_url: Option<String>,
}

/// What a check-in attempt comes to.
#[derive(Clone, Debug, PartialEq)]
pub struct Attempt {
    pub session: Option<DoorSession>,
    pub outcome: DoorOutcome,
}

/// What the door asks for: a scanned token, or a typed code for a chosen session.
#[derive(Clone, Copy, Debug, Default)]
pub struct Ask<'a> {
    pub token: Option<&'a str>,
    pub code: Option<&'a str>,
    /// The session the cadre picked for a typed code.
    pub session: Option<i64>,
}

/// The settings key: addresses of the venue's networks (one per line).
pub const VENUE_NETWORKS_SETTING: &str = "door.venue_networks";
/// The settings key: `0` lets walk-ins earn hours without an organiser's confirmation.
pub const CONFIRM_WALK_INS_SETTING: &str = "door.confirm_walk_ins";

/// Whether walk-ins wait for an organiser (the default) before they earn hours.
pub async fn walk_ins_need_confirming(repo: &dyn Repository) -> RepoResult<bool> {
    Ok(repo
        .setting(CONFIRM_WALK_INS_SETTING)
        .await?
        .is_none_or(|v| v != "0"))
}

/// The venue's networks as configured (none: no address is noted as outside).
pub async fn venue_networks(repo: &dyn Repository) -> RepoResult<Vec<Network>> {
    let text = repo
        .setting(VENUE_NETWORKS_SETTING)
        .await?
        .unwrap_or_default();
    Ok(parse_networks(&text).unwrap_or_default())
}

async fn log(repo: &dyn Repository, line: AuditLine) {
    if let Err(err) = repo.audit(&line).await {
        tracing::error!(error = %err, "audit line not written");
    }
}

/// Runs the door's checks for `user` and, when `commit`, records the check-in. Only a
/// cadre gets past the first step; a typed code is checked against the one session it is
/// typed for, after the try is counted; a walk-in waits for an organiser.
pub async fn attempt(
    state: &AppState,
    user: &CurrentUser,
    meta: &RequestMeta,
    ask: Ask<'_>,
    commit: bool,
) -> RepoResult<Attempt> {
    let now = Timestamp::now();
    let repo = state.repo.as_ref();
    let refused = |session, outcome| Ok(Attempt { session, outcome });
    // The role first: a non-cadre learns nothing about any code.
    if !user.account.roles.has(Role::Cadre) {
        return refused(None, DoorOutcome::NotCadre);
    }
    let line = |kind, target: &str| {
        audit::from_meta(
            meta,
            Some(user.account.id),
            kind,
            AuditOutcome::Refused,
            target,
        )
    };
    let session_id = match (ask.token.filter(|t| !t.trim().is_empty()), ask.code) {
        (Some(token), _) => match state.door.key.verify(token, now) {
            Ok(id) => id,
            Err(DoorOutcome::Forged) => {
                // A made-up token cannot be guessed (96-bit MAC), but it is on record.
                log(repo, line(AuditKind::DoorForged, "")).await;
                return refused(None, DoorOutcome::Forged);
            }
            Err(outcome) => return refused(None, outcome),
        },
        (None, Some(code)) => {
            let session_id = match ask.session {
                Some(id) => id,
                None => {
                    let doors = repo.open_doors(now).await?;
                    match doors.as_slice() {
                        [only] => only.id,
                        [] => return refused(None, DoorOutcome::WrongCode),
                        _ => return refused(None, DoorOutcome::ChooseSession),
                    }
                }
            };
            let buckets = [
                (
                    format!("door-account:{}", user.account.id),
                    throttle::DOOR_PER_ACCOUNT,
                ),
                (
                    format!("door-addr:{}", meta.address),
                    throttle::DOOR_PER_ADDRESS,
                ),
            ];
            let (verdict, tries, worth_logging) =
                super::auth::count_try(state, &buckets, now).await?;
            let target = format!("session:{session_id}");
            if let Verdict::Wait(_) = verdict {
                if worth_logging {
                    log(repo, line(AuditKind::DoorThrottled, &target)).await;
                }
                return refused(None, DoorOutcome::TooManyTries);
            }
            let right = normalise_code(code)
                .is_some_and(|code| state.door.key.code_matches(session_id, &code, now));
            if !right {
                log(repo, line(AuditKind::DoorWrongCode, &target)).await;
                return refused(None, DoorOutcome::WrongCode);
            }
            super::auth::forgive(state, &buckets, &tries, &[]).await?;
            session_id
        }
        (None, None) => return refused(None, DoorOutcome::Forged),
    };
    let person_id = user.account.person_id;
    let Some((session, in_audience)) = repo.door_for(session_id, person_id).await? else {
        return refused(None, DoorOutcome::Forged);
    };
    if session.cancelled {
        return refused(Some(session), DoorOutcome::Cancelled);
    }
    let status = match checkin_status(now, session.starts_at, session.ends_at, session.rules) {
        Ok(status) => status,
        Err(closed) => return refused(Some(session), closed.into()),
    };
    if !commit {
        let existing = repo.attendance_of(session.id, person_id).await?;
        let outcome = if checkin_replaces(existing.map(|e| e.0)) {
            DoorOutcome::Ready
        } else {
            DoorOutcome::Already
        };
        return refused(Some(session), outcome);
    }
    let source = if ask.token.is_some() { "qr" } else { "code" };
    let walk_in = !in_audience;
    if walk_in && walk_ins_need_confirming(repo).await? {
        let existing = repo.attendance_of(session.id, person_id).await?;
        if !checkin_replaces(existing.map(|e| e.0)) {
            return refused(Some(session), DoorOutcome::Already);
        }
        repo.claim_walk_in(&WalkInClaim {
            session_id: session.id,
            person_id,
            name: String::new(),
            community: String::new(),
            status,
            source: source.to_string(),
            at: now,
            address: meta.address.clone(),
            user_agent: meta.user_agent.clone(),
            device: meta.device.clone(),
        })
        .await?;
        return refused(Some(session), DoorOutcome::AwaitingConfirmation);
    }
    let result = state
        .door
        .writer
        .submit(Checkin {
            session_id: session.id,
            person_id,
            status,
            walk_in,
            source,
            at: now,
            address: meta.address.clone(),
            user_agent: meta.user_agent.clone(),
            device: meta.device.clone(),
        })
        .await?;
    let outcome = match result {
        CheckinResult::Recorded(_) if walk_in => DoorOutcome::WalkIn,
        CheckinResult::Recorded(_) => DoorOutcome::Recorded,
        CheckinResult::Already(_) => DoorOutcome::Already,
    };
    Ok(Attempt {
        session: Some(session),
        outcome,
    })
}

#[derive(Deserialize)]
pub struct CheckinForm {
    #[serde(default)]
    token: Option<String>,
    #[serde(default)]
    code: Option<String>,
    #[serde(default)]
    session: Option<String>,
}

/// `POST /door/checkin`: the one tap at the door (a plain form; no JavaScript needed). Answers
/// with a redirect to the result page; anonymous callers go to the login form first and
/// come back to the same check-in.
pub async fn check_in(
    State(state): State<AppState>,
    user: Option<Extension<CurrentUser>>,
    meta: Option<Extension<RequestMeta>>,
    Form(form): Form<CheckinForm>,
) -> Response {
    let token = form.token.as_deref().filter(|t| !t.trim().is_empty());
    let Some(Extension(user)) = user else {
        let back = match token {
            Some(t) => format!("/c/{}", t.trim()),
            None => "/checkin".to_string(),
        };
        let query = serde_urlencoded::to_string([("next", back)]).unwrap_or_default();
        return Redirect::to(&format!("/login?{query}")).into_response();
    };
    let meta = meta.map(|m| m.0).unwrap_or_default();
    let ask = Ask {
        token,
        code: form.code.as_deref(),
        session: form.session.as_deref().and_then(|s| s.trim().parse().ok()),
    };
    match attempt(&state, &user, &meta, ask, true).await {
        Ok(a) => {
            let mut query = vec![("outcome", a.outcome.as_str().to_string())];
            if let Some(s) = &a.session {
                query.push(("session", s.id.to_string()));
            }
            let query = serde_urlencoded::to_string(query).unwrap_or_default();
            Redirect::to(&format!("/checkin/done?{query}")).into_response()
        }
        Err(err) => {
            tracing::error!(error = %err, "check-in failed");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                "check-in failed, please try again / 签到失败，请重试",
            )
                .into_response()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> DoorKey {
        DoorKey::new(b"a test secret of some length", TokenClock::default())
    }

    #[test]
    fn tokens_are_signed_and_expire() {
        let k = key();
        let now = Timestamp(1_800_000_000);
        let step = k.clock.step(now);
        let token = k.token(42, step);
        assert_eq!(k.verify(&token, now), Ok(42));
        // another session's id with this MAC
        let moved = token.replacen("42-", "43-", 1);
        assert_eq!(k.verify(&moved, now), Err(DoorOutcome::Forged));
        // another key
        let other = DoorKey::new(b"another secret entirely!!", TokenClock::default());
        assert_eq!(other.verify(&token, now), Err(DoorOutcome::Forged));
        for junk in ["", "42", "42-1", "42-x-00", "42-1-zz", "42-1-0011"] {
            assert_eq!(k.verify(junk, now), Err(DoorOutcome::Forged), "{junk:?}");
        }
        let later = Timestamp(now.0 + 200);
        assert_eq!(k.verify(&token, later), Err(DoorOutcome::Expired));
        let old = k.token(42, step - 100);
        assert_eq!(k.verify(&old, now), Err(DoorOutcome::Expired));
        let future = k.token(42, step + 5);
        assert_eq!(k.verify(&future, now), Err(DoorOutcome::Expired));
    }

    #[test]
    fn a_code_matches_only_its_own_session() {
        let k = key();
        let now = Timestamp(1_800_000_000);
        let code = k.code(2, k.clock.step(now));
        assert_eq!(code.len(), 8);
        assert!(k.code_matches(2, &code, now));
        assert!(!k.code_matches(1, &code, now), "another session's code");
        assert!(!k.code_matches(2, &code, Timestamp(now.0 + 600)), "expired");
        assert!(!k.code_matches(2, "", now));
    }
}
