//! The sixth part of the database seam: cadre import. An uploaded sheet waits as a batch
//! until an organiser confirms it; confirming writes every row in one transaction.
//! `import_sql.rs` implements [`ImportStore`] for `SqlRepository<Db>`.
use async_trait::async_trait;

use super::RepoResult;
use crate::domain::Timestamp;
use crate::domain::import::{ImportRow, Known};

/// A sheet waiting for confirmation.
#[derive(Clone, Debug, PartialEq)]
pub struct ImportBatch {
    pub id: i64,
    pub created_by: i64,
    pub file_name: String,
    pub rows_json: String,
    pub created_at: Timestamp,
}

/// Batches older than this are forgotten when the next sheet is uploaded.
pub const BATCH_TTL_SECS: i64 = 24 * 3600;

#[async_trait]
pub trait ImportStore: Send + Sync {
    /// Communities, tiers, people (with whether they have an account) and usernames.
    async fn import_known(&self) -> RepoResult<Known>;
    async fn save_import_batch(
        &self,
        created_by: i64,
        file_name: &str,
        rows_json: &str,
        now: Timestamp,
    ) -> RepoResult<i64>;
    async fn import_batch(&self, id: i64) -> RepoResult<Option<ImportBatch>>;
    /// Writes every row and removes the batch, in one transaction: `(added, updated)`.
    /// `Conflict` (nothing written) when a username was taken meanwhile; `None` when the
    /// batch is gone (confirmed already).
    /// New accounts get `password_hash`: a real hash of a password nobody knows, so they
    /// cannot be signed in to until an admin sets one, and a login try at them takes as
    /// long as at any account. `audit` is written in the same transaction.
    #[allow(clippy::too_many_arguments)]
    async fn apply_import(
        &self,
        batch_id: i64,
        rows: &[ImportRow],
        actor: i64,
        password_hash: &str,
        audit: &super::AuditLine,
        now: Timestamp,
    ) -> RepoResult<Option<(usize, usize)>>;
}
