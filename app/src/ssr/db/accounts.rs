//! Accounts and their login sessions: creating and listing accounts, roles, passwords,
//! and the sessions a sign-in opens. The SQL is in `accounts_sql.rs`, compiled once per
//! backend.
use async_trait::async_trait;

use super::security::AuditLine;
use super::{Account, LoginRecord, NewAccount, NewAuthSession, RepoResult, StoredSession};
use crate::domain::{Roles, Timestamp, Username};

#[async_trait]
pub trait AccountStore: Send + Sync {
    // Accounts
    async fn count_accounts(&self) -> RepoResult<i64>;
    /// Creates the account (and its person when none is given). `Conflict` when the
    /// username is taken, compared case-insensitively.
    /// `audit` is written in the same transaction, its target set to the new account.
    async fn create_account(
        &self,
        new: &NewAccount,
        audit: Option<&AuditLine>,
        now: Timestamp,
    ) -> RepoResult<i64>;
    async fn account(&self, id: i64) -> RepoResult<Option<Account>>;
    async fn list_accounts(&self) -> RepoResult<Vec<Account>>;
    async fn login_record(&self, username: &Username) -> RepoResult<Option<LoginRecord>>;
    /// Disabling also ends every login session of the account. Each change below writes
    /// its audit line in the same transaction.
    async fn set_account_disabled(
        &self,
        id: i64,
        disabled: bool,
        audit: &AuditLine,
    ) -> RepoResult<bool>;
    /// Changing the roles also ends the account's login sessions.
    async fn set_account_roles(
        &self,
        id: i64,
        roles: &Roles,
        audit: &AuditLine,
    ) -> RepoResult<bool>;
    /// `must_change`: the password was set by an admin and must be changed at sign-in.
    async fn set_password_hash(
        &self,
        id: i64,
        hash: &str,
        must_change: bool,
        audit: &AuditLine,
    ) -> RepoResult<bool>;
    /// Enabled accounts holding the admin role.
    async fn count_active_admins(&self) -> RepoResult<i64>;

    // Login sessions
    /// Starts a login session, remembers the device (SHA-256 of its cookie; empty for
    /// none) as known to the account, and writes the login's audit line.
    async fn create_auth_session(
        &self,
        new: &NewAuthSession,
        device: &str,
        audit: &AuditLine,
    ) -> RepoResult<()>;
    /// The reference change counter (`reference_changes`): it moves with every committed write
    /// that changes who a login session is (see `ssr::logins`) or the reference data the
    /// pickers offer (see `ssr::reference`), never with a sighting.
    async fn reference_changes(&self) -> RepoResult<i64>;
    /// The three change counters in one read: `reference_changes`, `data_changes` and
    /// `page_changes` (see `ssr::kept_pages`).
    async fn changes(&self) -> RepoResult<Changes>;
    /// The session's account, clock and what it still waits for.
    async fn auth_session(&self, token_hash: &str) -> RepoResult<Option<StoredSession>>;
    /// Stores when sessions were last seen, in one transaction; a stored later time stays.
    async fn touch_auth_sessions(&self, seen: &[(String, Timestamp)]) -> RepoResult<()>;
    async fn delete_auth_session(&self, token_hash: &str) -> RepoResult<()>;
    /// Ends the account's sessions, except the one named (the caller's own).
    async fn delete_auth_sessions_of(
        &self,
        account_id: i64,
        except: Option<&str>,
    ) -> RepoResult<()>;
    /// Forgets sessions that can no longer be valid.
    async fn prune_auth_sessions(&self, now: Timestamp) -> RepoResult<u64>;
}

/// The change counters as one request read them; each only moves forward.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Changes {
    pub reference: i64,
    pub data: i64,
    pub pages: i64,
}
