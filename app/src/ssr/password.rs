//! Argon2id with the argon2 crate's defaults (19 MiB, 2 passes). Hashing runs on the
//! blocking pool: it takes tens of milliseconds of CPU by design.
use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};

use crate::domain::Password;

pub async fn hash(password: &Password) -> anyhow::Result<String> {
    let password = password.expose().to_string();
    tokio::task::spawn_blocking(move || {
        let mut salt = [0u8; 16];
        getrandom::getrandom(&mut salt)?;
        let salt = SaltString::encode_b64(&salt).map_err(|e| anyhow::anyhow!("salt: {e}"))?;
        let hash = Argon2::default()
            .hash_password(password.as_bytes(), &salt)
            .map_err(|e| anyhow::anyhow!("hash: {e}"))?;
        Ok(hash.to_string())
    })
    .await?
}

/// Whether `password` matches the stored hash. With no stored hash (unknown username) a
/// dummy hash is checked anyway, so the answer takes as long either way.
pub async fn verify(password: &str, stored: Option<String>) -> bool {
    let password = password.to_string();
    let result = tokio::task::spawn_blocking(move || {
        let known = stored.is_some();
        let stored = stored.unwrap_or_else(|| DUMMY_HASH.to_string());
        let Ok(parsed) = PasswordHash::new(&stored) else {
            return false;
        };
        let ok = Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok();
        ok && known
    })
    .await;
    result.unwrap_or(false)
}

/// Argon2id hash of a random password nobody knows, with the default parameters.
const DUMMY_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$Wv7kG5l1g0r3zBqS2r8j1w6Q0v9cQm3b2ZVfQy5Pq4c";
