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

use super::auth::CurrentUser;
use super::db::{Checkin, CheckinResult, DoorSession, RepoError, RepoResult, Repository};
use super::state::AppState;
use crate::domain::attendance::{
    DoorOutcome, TokenClock, checkin_replaces, checkin_status, door_code, normalise_code,
};
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

    /// The open session whose code, shown recently enough, is `code`.
    pub fn find_code(&self, code: &str, doors: &[DoorSession], now: Timestamp) -> Option<i64> {
        doors.iter().map(|d| d.id).find(|id| {
            self.clock
                .live_steps(now)
                .any(|step| self.code(*id, step) == code)
        })
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
                    let result = repo
                        .check_in_batch(std::slice::from_ref(&checkin))
                        .await
                        .and_then(|mut r| r.pop().ok_or(RepoError::Db(sqlx::Error::RowNotFound)));
                    let _ = reply.send(result);
                }
            }
        }
    }
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

/// Runs the door's checks for `user` and, when `commit`, records the check-in.
pub async fn attempt(
    state: &AppState,
    user: &CurrentUser,
    token: Option<&str>,
    code: Option<&str>,
    commit: bool,
) -> RepoResult<Attempt> {
    let now = Timestamp::now();
    let repo = state.repo.as_ref();
    let refused = |session, outcome| Ok(Attempt { session, outcome });
    let session_id = match (token.filter(|t| !t.trim().is_empty()), code) {
        (Some(token), _) => match state.door.key.verify(token, now) {
            Ok(id) => id,
            Err(outcome) => return refused(None, outcome),
        },
        (None, Some(code)) => {
            let Some(code) = normalise_code(code) else {
                return refused(None, DoorOutcome::WrongCode);
            };
            let doors = repo.open_doors(now).await?;
            match state.door.key.find_code(&code, &doors, now) {
                Some(id) => id,
                None => return refused(None, DoorOutcome::WrongCode),
            }
        }
        (None, None) => return refused(None, DoorOutcome::Forged),
    };
    let person_id = user.account.person_id;
    let Some((session, in_audience)) = repo.door_for(session_id, person_id).await? else {
        return refused(None, DoorOutcome::Forged);
    };
    if !user.account.roles.has(Role::Cadre) {
        return refused(Some(session), DoorOutcome::NotCadre);
    }
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
    let walk_in = !in_audience;
    let result = state
        .door
        .writer
        .submit(Checkin {
            session_id: session.id,
            person_id,
            status,
            walk_in,
            source: if token.is_some() { "qr" } else { "code" },
            at: now,
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
}

/// `POST /door/checkin`: the one tap at the door (a plain form; no JavaScript needed). Answers
/// with a redirect to the result page; anonymous callers go to the login form first and
/// come back to the same check-in.
pub async fn check_in(
    State(state): State<AppState>,
    user: Option<Extension<CurrentUser>>,
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
    match attempt(&state, &user, token, form.code.as_deref(), true).await {
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
    fn codes_find_their_open_session() {
        let k = key();
        let now = Timestamp(1_800_000_000);
        let door = |id| DoorSession {
            id,
            title: String::new(),
            place: String::new(),
            starts_at: now,
            ends_at: Timestamp(now.0 + 3600),
            cancelled: false,
            rules: Default::default(),
        };
        let doors = [door(1), door(2)];
        let code = k.code(2, k.clock.step(now));
        assert_eq!(code.len(), 6);
        assert_eq!(k.find_code(&code, &doors, now), Some(2));
        assert_eq!(k.find_code(&code, &doors[..1], now), None);
        assert_eq!(
            k.find_code(&code, &doors, Timestamp(now.0 + 600)),
            None,
            "expired"
        );
    }
}
