//! The security part of the database seam: tries at secrets (counted before they are
//! checked), devices known to an account, and the audit log. The SQL is ordinary code in
//! `security_sql.rs`, compiled once for each backend.
use async_trait::async_trait;

use super::RepoResult;
use crate::domain::Timestamp;
use crate::domain::audit::AuditKind;
pub use crate::domain::audit::{AuditLine, AuditRecord};

/// Which lines the admin page asks for.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct AuditFilter {
    /// Lines whose actor is this account, or whose target names it.
    pub account: Option<i64>,
    pub kind: Option<AuditKind>,
    pub from: Option<Timestamp>,
    pub to: Option<Timestamp>,
    /// Lines with an id below this one (paging, newest first).
    pub before_id: Option<i64>,
}

/// Someone outside a session's audience who checked in while walk-ins need confirming.
#[derive(Clone, Debug, PartialEq)]
pub struct WalkInClaim {
    pub session_id: i64,
    pub person_id: i64,
    /// Filled when read back: the person's name and community.
    pub name: String,
    pub community: String,
    pub status: crate::domain::schedule::AttendanceStatus,
    pub source: String,
    pub at: Timestamp,
    pub address: String,
    pub user_agent: String,
    pub device: String,
}

/// What a bucket held when a try was recorded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TryCount {
    /// The id of the try just recorded.
    pub id: i64,
    /// Tries in the bucket's window, this one included.
    pub tries: i64,
    /// When the try before this one was made.
    pub previous: Option<Timestamp>,
}

#[async_trait]
pub trait SecurityStore: Send + Sync {
    /// Records one try in each `(bucket, window start)` and reads each bucket back, in one
    /// transaction: tries sent in parallel see one another.
    async fn record_tries(
        &self,
        buckets: &[(String, Timestamp)],
        now: Timestamp,
    ) -> RepoResult<Vec<TryCount>>;
    /// Forgets tries that turned out right (`ids`) and every try in the `reset` buckets.
    async fn forget_tries(&self, ids: &[i64], reset: &[String]) -> RepoResult<()>;
    /// Whether the device (SHA-256 of its cookie) signed in to the account before.
    async fn is_known_device(&self, account_id: i64, device: &str) -> RepoResult<bool>;
    /// Writes a line on its own (for events that change nothing else).
    async fn audit(&self, line: &AuditLine) -> RepoResult<()>;
    /// Lines matching the filter, newest first, at most `limit`.
    async fn audit_lines(&self, filter: &AuditFilter, limit: i64) -> RepoResult<Vec<AuditRecord>>;
    /// How many lines of `kind` name `target` since `since` (the door board's wrong codes).
    async fn count_audit(&self, kind: AuditKind, target: &str, since: Timestamp)
    -> RepoResult<i64>;
    /// Sets the settings and writes the audit line (its detail: the keys and values), in
    /// one transaction.
    async fn set_settings_audited(
        &self,
        values: &[(&str, String)],
        now: Timestamp,
        audit: &AuditLine,
    ) -> RepoResult<()>;
    /// Keeps a walk-in for an organiser; `false` when one is waiting already.
    async fn claim_walk_in(&self, claim: &WalkInClaim) -> RepoResult<bool>;
    /// The session's walk-ins waiting for confirmation, oldest first.
    /// `reach`: only the claims of people within it (`None`: everyone's).
    async fn walk_in_claims(
        &self,
        session_id: i64,
        reach: Option<&crate::domain::org::Reach>,
    ) -> RepoResult<Vec<WalkInClaim>>;
    /// Confirms (writes the attendance, with its trail and audit line) or dismisses a
    /// waiting walk-in. `false` when none was waiting.
    async fn decide_walk_in(
        &self,
        session_id: i64,
        person_id: i64,
        confirm: bool,
        actor_person_id: i64,
        audit: &AuditLine,
    ) -> RepoResult<bool>;
    /// Forgets tries older than `tries_before` and audit lines older than `audit_before`.
    async fn prune_security(
        &self,
        tries_before: Timestamp,
        audit_before: Timestamp,
    ) -> RepoResult<u64>;
}
