//! The sixth part of the database seam: TOTP secrets and recovery codes. Implemented in
//! `second_factor_sql.rs`, compiled once per backend.
use async_trait::async_trait;

use super::{AuditLine, RepoResult};
use crate::domain::Timestamp;

/// An account's second factor as stored.
#[derive(Clone, Debug, PartialEq)]
pub struct FactorRecord {
    /// Base32.
    pub secret: String,
    pub confirmed: bool,
    /// The newest time step a code was accepted for.
    pub last_step: i64,
    /// Recovery codes not used yet.
    pub codes_left: i64,
}

#[async_trait]
pub trait SecondFactorStore: Send + Sync {
    async fn factor_of(&self, account_id: i64) -> RepoResult<Option<FactorRecord>>;
    /// Stores a new, unconfirmed secret; false (nothing changed) when one is confirmed.
    async fn begin_factor(&self, account_id: i64, secret: &str, now: Timestamp)
    -> RepoResult<bool>;
    /// Confirms the secret with the step of a first right code, replaces the recovery
    /// codes, lets the session (`token_hash`) go on, and writes `audit`, in one
    /// transaction; false when there is no unconfirmed secret or the step was used.
    async fn confirm_factor(
        &self,
        account_id: i64,
        step: i64,
        code_hashes: &[String],
        token_hash: &str,
        audit: &AuditLine,
    ) -> RepoResult<bool>;
    /// Takes the step as used if it is newer than every step used before: true when this
    /// code was not accepted before (also with two app servers at once).
    async fn use_step(&self, account_id: i64, step: i64) -> RepoResult<bool>;
    /// Marks a recovery code used; true when it was valid and unused.
    async fn use_recovery_code(
        &self,
        account_id: i64,
        code_hash: &str,
        now: Timestamp,
    ) -> RepoResult<bool>;
    /// Replaces the recovery codes, with `audit` in the same transaction.
    async fn replace_recovery_codes(
        &self,
        account_id: i64,
        code_hashes: &[String],
        audit: &AuditLine,
    ) -> RepoResult<()>;
    /// Removes the second factor and the recovery codes and ends the account's sessions
    /// (a lost phone); false when there was none.
    async fn remove_factor(&self, account_id: i64, audit: &AuditLine) -> RepoResult<bool>;
    /// Ends the waiting of a login session for enrolment (after the account set one up).
    async fn clear_pending(&self, token_hash: &str) -> RepoResult<()>;
}
