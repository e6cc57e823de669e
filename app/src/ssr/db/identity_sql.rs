//! [`IdentityStore`] for `SqlRepository<Db>`; compiled once per backend (`#[path]` in
//! `sqlite.rs` and `postgres.rs`, with `Db` the backend there): one SQL text for both.
use super::*;
use crate::ssr::db::identity::{IdentityLink, IdentityStore};

#[derive(sqlx::FromRow)]
struct LinkRow {
    account_id: i64,
    issuer: String,
    linked_by: String,
    linked_at: i64,
    last_used_at: i64,
}

#[async_trait::async_trait]
impl IdentityStore for SqlRepository<Db> {
    #[tracing::instrument(skip_all)]
    async fn identity_account(
        &self,
        issuer: &str,
        subject: &str,
        now: Timestamp,
    ) -> RepoResult<Option<i64>> {
        let mut tx = self.begin_write().await?;
        let account: Option<i64> = sqlx::query_scalar(
            "update account_identities set last_used_at = $3 \
             where issuer = $1 and subject = $2 returning account_id",
        )
        .bind(issuer)
        .bind(subject)
        .bind(now.0)
        .fetch_optional(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(account)
    }

    #[tracing::instrument(skip_all)]
    async fn link_identity(
        &self,
        account_id: i64,
        issuer: &str,
        subject: &str,
        linked_by: &str,
        audit: &AuditLine,
    ) -> RepoResult<bool> {
        let mut tx = self.begin_write().await?;
        let added = sqlx::query(
            "insert into account_identities \
             (issuer, subject, account_id, linked_by, linked_at, last_used_at) \
             values ($1, $2, $3, $4, $5, $5) on conflict (issuer, subject) do nothing",
        )
        .bind(issuer)
        .bind(subject)
        .bind(account_id)
        .bind(linked_by)
        .bind(audit.at.0)
        .execute(&mut *tx)
        .await?
        .rows_affected()
            == 1;
        if added {
            Self::insert_audit(&mut tx, audit).await?;
            tx.commit().await?;
        }
        Ok(added)
    }

    #[tracing::instrument(skip_all)]
    async fn identity_links(&self) -> RepoResult<Vec<IdentityLink>> {
        let rows: Vec<LinkRow> = sqlx::query_as(
            "select account_id, issuer, linked_by, linked_at, last_used_at \
             from account_identities order by account_id, linked_at",
        )
        .fetch_all(&self.read)
        .await?;
        Ok(rows
            .into_iter()
            .map(|r| IdentityLink {
                account_id: r.account_id,
                issuer: r.issuer,
                linked_by: r.linked_by,
                linked_at: Timestamp(r.linked_at),
                last_used_at: Timestamp(r.last_used_at),
            })
            .collect())
    }

    #[tracing::instrument(skip_all)]
    async fn unlink_identities(&self, account_id: i64, audit: &AuditLine) -> RepoResult<bool> {
        let mut tx = self.begin_write().await?;
        let removed = sqlx::query("delete from account_identities where account_id = $1")
            .bind(account_id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        if removed == 0 {
            return Ok(false);
        }
        Self::end_sessions_and_commit(tx, account_id, audit).await?;
        Ok(true)
    }
}
