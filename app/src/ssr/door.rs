//! The door's machinery, one per app server: the key that signs and checks the QR tokens
//! and typed codes, and the group-commit writer that puts a burst of check-ins into few
//! transactions. The check-in flow itself is `checkin`.
//!
//! A token is `{session}-{step}-{mac}`: the step is the 20-second slot it was shown in and
//! the MAC an HMAC-SHA256 over both, keyed with the school's check-in secret (shared by
//! every app server through configuration or the database), so a token cannot be made up,
//! moved to another session, or used long after it left the screen.
use std::sync::Arc;

use hmac::{Hmac, Mac};
use sha2::Sha256;
use tokio::sync::{mpsc, oneshot};

use super::db::{Checkin, CheckinResult, RepoError, RepoResult, Repository};
use crate::domain::Timestamp;
use crate::domain::attendance::{DoorOutcome, TokenClock, door_code};

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

    /// The key of a subdistrict (or the district) that renewed its door key with `salt`:
    /// derived from this one, so every app server derives the same; without a salt, this
    /// key. Renewing gives a new salt, and every code shown until then stops working.
    pub fn salted(&self, salt: Option<&str>) -> DoorKey {
        match salt.filter(|s| !s.is_empty()) {
            None => self.clone(),
            Some(salt) => {
                let mut mac = HmacSha256::new_from_slice(&self.secret)
                    .unwrap_or_else(|_| unreachable!("HMAC accepts every key length"));
                mac.update(format!("nightschool/door-key/{salt}").as_bytes());
                DoorKey {
                    secret: mac.finalize().into_bytes().to_vec().into(),
                    clock: self.clock,
                }
            }
        }
    }

    /// The session a token names, before anything is checked (to find the key that
    /// checks it).
    pub fn session_named(token: &str) -> Option<i64> {
        token.trim().split('-').next()?.parse().ok()
    }

    pub fn token(&self, session_id: i64, step: i64) -> String {
        let tag = self.mac("token", session_id, step).finalize().into_bytes();
        format!(
            "{session_id}-{step}-{}",
            super::tokens::hex(&tag[..MAC_BYTES])
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
pub async fn load_secret(repo: &dyn super::db::AttendanceStore) -> anyhow::Result<Vec<u8>> {
    use anyhow::Context;
    if let Ok(configured) = std::env::var("NIGHTSCHOOL_CHECKIN_SECRET") {
        anyhow::ensure!(
            configured.len() >= 16,
            "NIGHTSCHOOL_CHECKIN_SECRET must be at least 16 characters"
        );
        return Ok(configured.into_bytes());
    }
    let fresh = super::tokens::new_token().context("making a check-in secret")?;
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
    /// The install's key; a subdistrict that renewed its own uses [`Door::key_for`].
    pub key: DoorKey,
    pub writer: CheckinWriter,
    /// The address phones reach the school at, e.g. `https://yexiao.example.cn`; the
    /// request's own host when unset.
    pub public_url: Option<String>,
}

impl Door {
    /// The key that signs the codes of session `session_id`: its subdistrict's own once
    /// renewed, else the district's once renewed, else the install's.
    pub async fn key_for(
        &self,
        repo: &dyn super::db::RulesStore,
        session_id: i64,
    ) -> RepoResult<DoorKey> {
        Ok(self
            .key
            .salted(repo.door_salt(session_id).await?.as_deref()))
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

    #[test]
    fn a_renewed_key_refuses_the_codes_shown_before() {
        let k = key();
        let now = Timestamp(1_800_000_000);
        let step = k.clock.step(now);
        assert_eq!(k.salted(None).token(7, step), k.token(7, step));
        assert_eq!(k.salted(Some("")).token(7, step), k.token(7, step));
        let renewed = k.salted(Some("first"));
        let token = renewed.token(7, step);
        assert_eq!(renewed.verify(&token, now), Ok(7));
        assert_eq!(k.verify(&token, now), Err(DoorOutcome::Forged));
        assert_eq!(
            k.salted(Some("second")).verify(&token, now),
            Err(DoorOutcome::Forged)
        );
        assert_eq!(
            k.salted(Some("first")).verify(&token, now),
            Ok(7),
            "same salt, same key"
        );
        assert!(!k.code_matches(7, &renewed.code(7, step), now));
        assert_eq!(DoorKey::session_named(&token), Some(7));
        assert_eq!(DoorKey::session_named("x-1-2"), None);
    }
}
