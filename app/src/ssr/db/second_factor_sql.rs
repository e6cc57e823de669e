//! [`SecondFactorStore`] for `SqlRepository<Db>`; `Db` is set by the module including this
//! file (`sqlite.rs`, `postgres.rs`), so the one SQL text serves both backends.
use async_trait::async_trait;

use super::Db;
use crate::domain::Timestamp;
use crate::ssr::db::shared::SqlRepository;
use crate::ssr::db::{AuditLine, FactorRecord, RepoResult, SecondFactorStore};

type Conn = <Db as sqlx::Database>::Connection;

#[derive(sqlx::FromRow)]
struct FactorRow {
    secret: String,
    confirmed: bool,
    last_step: i64,
    codes_left: i64,
}

impl SqlRepository<Db> {
    async fn insert_codes(conn: &mut Conn, account_id: i64, hashes: &[String]) -> sqlx::Result<()> {
        sqlx::query("delete from recovery_codes where account_id = $1")
            .bind(account_id)
            .execute(&mut *conn)
            .await?;
        for hash in hashes {
            sqlx::query("insert into recovery_codes (account_id, code_hash) values ($1, $2)")
                .bind(account_id)
                .bind(hash)
                .execute(&mut *conn)
                .await?;
        }
        Ok(())
    }
}

#[async_trait]
impl SecondFactorStore for SqlRepository<Db> {
    #[tracing::instrument(skip_all)]
    async fn factor_of(&self, account_id: i64) -> RepoResult<Option<FactorRecord>> {
        let row: Option<FactorRow> = sqlx::query_as(
            "select secret, confirmed_at is not null as confirmed, last_step, \
             (select count(*) from recovery_codes c where c.account_id = t.account_id \
               and c.used_at is null) as codes_left \
             from totp_secrets t where account_id = $1",
        )
        .bind(account_id)
        .fetch_optional(&self.read)
        .await?;
        Ok(row.map(|r| FactorRecord {
            secret: r.secret,
            confirmed: r.confirmed,
            last_step: r.last_step,
            codes_left: r.codes_left,
        }))
    }

    #[tracing::instrument(skip_all)]
    async fn begin_factor(
        &self,
        account_id: i64,
        secret: &str,
        now: Timestamp,
    ) -> RepoResult<bool> {
        let done = sqlx::query(
            "insert into totp_secrets (account_id, secret, created_at) values ($1, $2, $3) \
             on conflict (account_id) do update set secret = excluded.secret, \
             created_at = excluded.created_at, last_step = 0 \
             where totp_secrets.confirmed_at is null",
        )
        .bind(account_id)
        .bind(secret)
        .bind(now.0)
        .execute(&self.write)
        .await?
        .rows_affected();
        Ok(done == 1)
    }

    #[tracing::instrument(skip_all)]
    async fn confirm_factor(
        &self,
        account_id: i64,
        step: i64,
        code_hashes: &[String],
        token_hash: &str,
        audit: &AuditLine,
    ) -> RepoResult<bool> {
        let mut tx = self.write.begin().await?;
        let done = sqlx::query(
            "update totp_secrets set confirmed_at = $1, last_step = $2 \
             where account_id = $3 and confirmed_at is null and last_step < $2",
        )
        .bind(audit.at.0)
        .bind(step)
        .bind(account_id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if done == 0 {
            return Ok(false);
        }
        Self::insert_codes(&mut tx, account_id, code_hashes).await?;
        sqlx::query(
            "update auth_sessions set pending = null \
             where token_hash = $1 and pending = 'enroll'",
        )
        .bind(token_hash)
        .execute(&mut *tx)
        .await?;
        Self::insert_audit(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(true)
    }

    #[tracing::instrument(skip_all)]
    async fn use_step(&self, account_id: i64, step: i64) -> RepoResult<bool> {
        let done = sqlx::query(
            "update totp_secrets set last_step = $1 \
             where account_id = $2 and confirmed_at is not null and last_step < $1",
        )
        .bind(step)
        .bind(account_id)
        .execute(&self.write)
        .await?
        .rows_affected();
        Ok(done == 1)
    }

    #[tracing::instrument(skip_all)]
    async fn use_recovery_code(
        &self,
        account_id: i64,
        code_hash: &str,
        now: Timestamp,
    ) -> RepoResult<bool> {
        let done = sqlx::query(
            "update recovery_codes set used_at = $1 \
             where account_id = $2 and code_hash = $3 and used_at is null",
        )
        .bind(now.0)
        .bind(account_id)
        .bind(code_hash)
        .execute(&self.write)
        .await?
        .rows_affected();
        Ok(done == 1)
    }

    #[tracing::instrument(skip_all)]
    async fn replace_recovery_codes(
        &self,
        account_id: i64,
        code_hashes: &[String],
        audit: &AuditLine,
    ) -> RepoResult<()> {
        let mut tx = self.write.begin().await?;
        Self::insert_codes(&mut tx, account_id, code_hashes).await?;
        Self::insert_audit(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(())
    }

    #[tracing::instrument(skip_all)]
    async fn remove_factor(&self, account_id: i64, audit: &AuditLine) -> RepoResult<bool> {
        let mut tx = self.write.begin().await?;
        let done = sqlx::query("delete from totp_secrets where account_id = $1")
            .bind(account_id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        if done == 0 {
            return Ok(false);
        }
        sqlx::query("delete from recovery_codes where account_id = $1")
            .bind(account_id)
            .execute(&mut *tx)
            .await?;
        Self::end_sessions_and_commit(tx, account_id, audit).await?;
        Ok(true)
    }

    #[tracing::instrument(skip_all)]
    async fn clear_pending(&self, token_hash: &str) -> RepoResult<()> {
        sqlx::query("update auth_sessions set pending = null where token_hash = $1")
            .bind(token_hash)
            .execute(&self.write)
            .await?;
        Ok(())
    }
}
