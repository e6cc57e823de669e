//! Accounts' links to the district's identity provider (OpenID Connect): which account an
//! issuer's subject signs in as. The SQL is in `identity_sql.rs`, compiled once per backend.
use async_trait::async_trait;

use super::RepoResult;
use super::security::AuditLine;
use crate::domain::Timestamp;

/// One link, as the admins' accounts page shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IdentityLink {
    pub account_id: i64,
    pub issuer: String,
    /// The claim's value the link was made by (the user name at the provider).
    pub linked_by: String,
    pub linked_at: Timestamp,
    pub last_used_at: Timestamp,
}

#[async_trait]
pub trait IdentityStore: Send + Sync {
    /// The account the issuer's subject is linked to, marking the link used at `now`.
    async fn identity_account(
        &self,
        issuer: &str,
        subject: &str,
        now: Timestamp,
    ) -> RepoResult<Option<i64>>;
    /// Links the issuer's subject to the account, with `audit` in the same transaction;
    /// `false` when the subject is linked already (to any account).
    async fn link_identity(
        &self,
        account_id: i64,
        issuer: &str,
        subject: &str,
        linked_by: &str,
        audit: &AuditLine,
    ) -> RepoResult<bool>;
    /// Every link, by account.
    async fn identity_links(&self) -> RepoResult<Vec<IdentityLink>>;
    /// Removes the account's links and ends its login sessions, with `audit`; `false` when
    /// it had none.
    async fn unlink_identities(&self, account_id: i64, audit: &AuditLine) -> RepoResult<bool>;
}
