//! Argon2id with the argon2 crate's defaults (19 MiB, 2 passes). Hashing runs on one
//! thread per core, and never more at once than the machine has cores: each hash holds
//! 19 MiB, so an unbounded flood of logins would exhaust memory. Beyond a short queue the
//! caller is told the server is busy at once.
use std::sync::LazyLock;
use std::sync::atomic::{AtomicUsize, Ordering};

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use tokio::sync::Semaphore;

use crate::domain::Password;

/// Hashes waiting for a core beyond this many are refused with [`Busy`].
pub const MAX_WAITING: usize = 32;

/// The server is hashing as many passwords as it can and the queue is full.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("too many password checks at once")]
pub struct Busy;

impl From<Busy> for crate::error::AppError {
    fn from(_: Busy) -> Self {
        crate::error::AppError::Busy
    }
}

type Job = Box<dyn FnOnce() + Send>;

struct Bound {
    running: Semaphore,
    /// One more hash at a time for tries from a device that signed in to the account
    /// before: they skip the queue a flood of strangers' tries builds up (measured: a real
    /// login waited 3.8 s behind the 30 tries one address may make at once).
    trusted: Semaphore,
    waiting: AtomicUsize,
    /// Jobs for the hashing threads; never more queued than permits handed out.
    jobs: std::sync::Mutex<std::sync::mpsc::Sender<Job>>,
}

/// One thread per core does all the hashing. Threads of the blocking pool would each keep
/// the allocator arena their last 19 MiB hash left behind (measured: 410 MB after a flood
/// of 2,000 logins); a few long-lived threads keep a few.
static BOUND: LazyLock<Bound> = LazyLock::new(|| {
    let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
    let (tx, rx) = std::sync::mpsc::channel::<Job>();
    let rx = std::sync::Arc::new(std::sync::Mutex::new(rx));
    for i in 0..cores {
        let rx = rx.clone();
        let spawned = std::thread::Builder::new()
            .name(format!("password-{i}"))
            .spawn(move || {
                loop {
                    let job = match rx.lock() {
                        Ok(rx) => rx.recv(),
                        Err(_) => return,
                    };
                    match job {
                        // A panic inside a hash must not take the thread with it.
                        Ok(job) => {
                            let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(job));
                        }
                        Err(_) => return,
                    }
                }
            });
        if let Err(err) = spawned {
            tracing::error!(error = %err, "no password-hashing thread");
        }
    }
    Bound {
        running: Semaphore::new(cores),
        trusted: Semaphore::new(1),
        waiting: AtomicUsize::new(0),
        jobs: std::sync::Mutex::new(tx),
    }
});

/// Runs `work` on a hashing thread once one is free; `Busy` when the queue is full.
async fn bounded<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> Result<T, Busy> {
    bounded_in(false, work).await
}

/// The same, in the trusted lane when `trusted` (its own permit; its job goes to the
/// threads ahead of every try still waiting for a permit of the shared lane).
async fn bounded_in<T: Send + 'static>(
    trusted: bool,
    work: impl FnOnce() -> T + Send + 'static,
) -> Result<T, Busy> {
    let bound = &*BOUND;
    // The queue's bound is for the shared lane: a flood filling it must not refuse the
    // trusted lane too.
    let counted = !trusted;
    if counted && bound.waiting.fetch_add(1, Ordering::SeqCst) >= MAX_WAITING {
        bound.waiting.fetch_sub(1, Ordering::SeqCst);
        return Err(Busy);
    }
    let lane = if trusted {
        &bound.trusted
    } else {
        &bound.running
    };
    let permit = lane.acquire().await;
    if counted {
        bound.waiting.fetch_sub(1, Ordering::SeqCst);
    }
    let _permit = permit.map_err(|_| Busy)?;
    let (reply, answer) = tokio::sync::oneshot::channel();
    let job: Job = Box::new(move || {
        let _ = reply.send(work());
    });
    bound
        .jobs
        .lock()
        .map_err(|_| Busy)?
        .send(job)
        .map_err(|_| Busy)?;
    // A panic inside the hash drops `reply`: the caller hears Busy.
    answer.await.map_err(|_| Busy)
}

fn hash_now(password: &str) -> anyhow::Result<String> {
    let mut salt = [0u8; 16];
    getrandom::getrandom(&mut salt)?;
    let salt = SaltString::encode_b64(&salt).map_err(|e| anyhow::anyhow!("salt: {e}"))?;
    let hash = Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map_err(|e| anyhow::anyhow!("hash: {e}"))?;
    Ok(hash.to_string())
}

pub async fn hash(password: &Password) -> anyhow::Result<String> {
    let password = password.expose().to_string();
    bounded(move || hash_now(&password)).await?
}

/// A real Argon2 hash of a random password nobody knows: for accounts that cannot be signed
/// in to yet (imported ones). Checking a password against it takes as long as against any
/// other, so the login answer does not tell such accounts apart.
pub async fn unusable_hash() -> anyhow::Result<String> {
    let secret = super::tokens::new_token()?;
    bounded(move || hash_now(&secret)).await?
}

/// Whether `password` matches the stored hash. With no stored hash (unknown username) a
/// dummy hash is checked anyway, so the answer takes as long either way.
pub async fn verify(password: &str, stored: Option<String>) -> Result<bool, Busy> {
    verify_in(false, password, stored).await
}

/// [`verify`] for a try from a device that signed in to the account before: it does not
/// wait behind strangers' tries.
pub async fn verify_trusted(password: &str, stored: Option<String>) -> Result<bool, Busy> {
    verify_in(true, password, stored).await
}

async fn verify_in(trusted: bool, password: &str, stored: Option<String>) -> Result<bool, Busy> {
    let password = password.to_string();
    bounded_in(trusted, move || {
        let known = stored.is_some();
        let stored = stored.unwrap_or_else(|| DUMMY_HASH.clone());
        let Ok(parsed) = PasswordHash::new(&stored) else {
            return false;
        };
        let ok = Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok();
        ok && known
    })
    .await
}

/// A hash of a random password, made once per process, with the default parameters.
static DUMMY_HASH: LazyLock<String> = LazyLock::new(|| {
    let secret = super::tokens::new_token().unwrap_or_else(|_| "dummy password".into());
    hash_now(&secret).unwrap_or_default()
});

/// The common-password list (zxcvbn's 30,000 most common passwords of 8+ characters, with
/// common Chinese ones and this product's own name added), lower case, sorted.
const COMMON: &str = include_str!("common_passwords.txt");

static COMMON_SORTED: LazyLock<Vec<&'static str>> = LazyLock::new(|| {
    let mut words: Vec<&str> = COMMON.lines().filter(|l| !l.is_empty()).collect();
    words.sort_unstable();
    words
});

/// Whether a new password is one that attackers try first (compared case-insensitively),
/// or is the user name itself.
pub fn is_common(password: &str, username: &str) -> bool {
    let lower = password.to_lowercase();
    lower == username.to_lowercase() || COMMON_SORTED.binary_search(&lower.as_str()).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn common_passwords_are_recognised() {
        assert!(is_common("password1", "zhang"));
        assert!(is_common("PASSWORD1", "zhang"));
        assert!(is_common("12345678", "zhang"));
        assert!(is_common("woaini1314", "zhang"));
        assert!(is_common("zhangsan88", "zhangsan88"));
        assert!(!is_common("运河红初心讲堂2026", "zhang"));
        assert!(!is_common("gold-lantern-river-7", "zhang"));
        assert!(COMMON_SORTED.len() > 10_000);
    }

    #[tokio::test]
    async fn hashes_verify_and_unknown_users_never_match() {
        let p = Password::parse("gold-lantern-river-7").unwrap();
        let h = hash(&p).await.unwrap();
        assert_eq!(
            verify("gold-lantern-river-7", Some(h.clone())).await,
            Ok(true)
        );
        assert_eq!(verify("wrong", Some(h)).await, Ok(false));
        assert_eq!(verify("gold-lantern-river-7", None).await, Ok(false));
        let unusable = unusable_hash().await.unwrap();
        assert!(unusable.starts_with("$argon2id$"));
    }
}
