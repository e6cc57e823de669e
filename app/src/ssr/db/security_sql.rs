//! [`SecurityStore`] for `SqlRepository<Db>`; `Db` is set by the module including this file
//! (`sqlite.rs`, `postgres.rs`), so the one SQL text serves both backends.
use async_trait::async_trait;
use sqlx::QueryBuilder;

use super::Db;
use crate::domain::Timestamp;
use crate::domain::audit::{AuditKind, AuditOutcome};
use crate::ssr::db::shared::{SqlRepository, UPSERT_SETTING};
use crate::ssr::db::{
    AuditFilter, AuditLine, AuditRecord, RepoError, RepoResult, SecurityStore, TryCount,
    WalkInClaim,
};

type Conn = <Db as sqlx::Database>::Connection;

#[derive(sqlx::FromRow)]
struct AuditRow {
    id: i64,
    at: i64,
    actor_account_id: Option<i64>,
    kind: String,
    target: String,
    address: String,
    user_agent: String,
    outcome: String,
    detail: String,
    actor_username: Option<String>,
}

impl TryFrom<AuditRow> for AuditRecord {
    type Error = RepoError;

    fn try_from(r: AuditRow) -> RepoResult<AuditRecord> {
        let kind = AuditKind::parse(&r.kind)
            .ok_or_else(|| RepoError::BadValue(r.kind.clone(), "audit_log.kind"))?;
        let outcome = AuditOutcome::parse(&r.outcome)
            .ok_or_else(|| RepoError::BadValue(r.outcome.clone(), "audit_log.outcome"))?;
        Ok(AuditRecord {
            id: r.id,
            actor_username: r.actor_username,
            line: AuditLine {
                at: Timestamp(r.at),
                actor: r.actor_account_id,
                kind,
                target: r.target,
                address: r.address,
                user_agent: r.user_agent,
                outcome,
                detail: r.detail,
            },
        })
    }
}

impl SqlRepository<Db> {
    /// Stores a file's bytes by SHA-256 inside the caller's transaction (kept once, whoever
    /// uploads the same bytes again): attachments, claim certificates, leave attachments.
    pub(crate) async fn store_blob(
        conn: &mut Conn,
        sha256: &str,
        bytes: &[u8],
        now: Timestamp,
    ) -> sqlx::Result<()> {
        sqlx::query(
            "insert into blobs (sha256, bytes, size, created_at) values ($1, $2, $3, $4) \
             on conflict (sha256) do nothing",
        )
        .bind(sha256)
        .bind(bytes)
        .bind(bytes.len() as i64)
        .bind(now.0)
        .execute(conn)
        .await?;
        Ok(())
    }

    /// Writes an audit line inside the caller's transaction: the line commits with the
    /// change it records, or neither does.
    pub(crate) async fn insert_audit(conn: &mut Conn, line: &AuditLine) -> sqlx::Result<()> {
        sqlx::query(
            "insert into audit_log (at, actor_account_id, kind, target, address, user_agent, \
             outcome, detail) values ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(line.at.0)
        .bind(line.actor)
        .bind(line.kind.code())
        .bind(&line.target)
        .bind(&line.address)
        .bind(&line.user_agent)
        .bind(line.outcome.code())
        .bind(&line.detail)
        .execute(conn)
        .await?;
        Ok(())
    }

    /// Remembers that `device` signed in to the account (inside the login's transaction).
    pub(crate) async fn remember_device(
        conn: &mut Conn,
        account_id: i64,
        device: &str,
        now: Timestamp,
    ) -> sqlx::Result<()> {
        sqlx::query(
            "insert into known_devices (account_id, device_hash, last_seen_at) values ($1, $2, $3) \
             on conflict (account_id, device_hash) do update set last_seen_at = excluded.last_seen_at",
        )
        .bind(account_id)
        .bind(device)
        .bind(now.0)
        .execute(conn)
        .await?;
        Ok(())
    }
}

#[async_trait]
impl SecurityStore for SqlRepository<Db> {
    #[tracing::instrument(skip_all)]
    async fn record_tries(
        &self,
        buckets: &[(String, Timestamp)],
        now: Timestamp,
    ) -> RepoResult<Vec<TryCount>> {
        let mut tx = self.begin_write().await?;
        // Lock each bucket's row first, always in name order (no deadlocks): a parallel try
        // at the same bucket waits here until this one commits, then counts it.
        let mut names: Vec<&str> = buckets.iter().map(|(b, _)| b.as_str()).collect();
        names.sort_unstable();
        names.dedup();
        for name in names {
            sqlx::query(
                "insert into auth_buckets (bucket, touched_at) values ($1, $2) \
                 on conflict (bucket) do update set touched_at = excluded.touched_at",
            )
            .bind(name)
            .bind(now.0)
            .execute(&mut *tx)
            .await?;
        }
        let mut out = Vec::with_capacity(buckets.len());
        for (bucket, since) in buckets {
            let id: i64 = sqlx::query_scalar(
                "insert into auth_attempts (bucket, at) values ($1, $2) returning id",
            )
            .bind(bucket)
            .bind(now.0)
            .fetch_one(&mut *tx)
            .await?;
            let (tries, previous): (i64, Option<i64>) = sqlx::query_as(
                "select count(*), max(case when id < $3 then at end) from auth_attempts \
                 where bucket = $1 and at > $2",
            )
            .bind(bucket)
            .bind(since.0)
            .bind(id)
            .fetch_one(&mut *tx)
            .await?;
            out.push(TryCount {
                id,
                tries,
                previous: previous.map(Timestamp),
            });
        }
        tx.commit().await?;
        Ok(out)
    }

    #[tracing::instrument(skip_all)]
    async fn forget_tries(&self, ids: &[i64], reset: &[String]) -> RepoResult<()> {
        if ids.is_empty() && reset.is_empty() {
            return Ok(());
        }
        let mut q = QueryBuilder::<Db>::new("delete from auth_attempts where false");
        if !ids.is_empty() {
            q.push(" or id in (");
            let mut list = q.separated(", ");
            for id in ids {
                list.push_bind(*id);
            }
            q.push(")");
        }
        if !reset.is_empty() {
            q.push(" or bucket in (");
            let mut list = q.separated(", ");
            for bucket in reset {
                list.push_bind(bucket.clone());
            }
            q.push(")");
        }
        q.build().execute(&self.write).await?;
        Ok(())
    }

    #[tracing::instrument(skip_all)]
    async fn is_known_device(&self, account_id: i64, device: &str) -> RepoResult<bool> {
        if device.is_empty() {
            return Ok(false);
        }
        let found: Option<i64> = sqlx::query_scalar(
            "select account_id from known_devices where account_id = $1 and device_hash = $2",
        )
        .bind(account_id)
        .bind(device)
        .fetch_optional(&self.read)
        .await?;
        Ok(found.is_some())
    }

    #[tracing::instrument(skip_all)]
    async fn audit(&self, line: &AuditLine) -> RepoResult<()> {
        let mut conn = self.write.acquire().await?;
        Self::insert_audit(&mut conn, line).await?;
        Ok(())
    }

    #[tracing::instrument(skip_all)]
    async fn audit_lines(&self, filter: &AuditFilter, limit: i64) -> RepoResult<Vec<AuditRecord>> {
        let mut q = QueryBuilder::<Db>::new(
            "select l.id, l.at, l.actor_account_id, l.kind, l.target, l.address, l.user_agent, \
             l.outcome, l.detail, a.username as actor_username \
             from audit_log l left join accounts a on a.id = l.actor_account_id where true",
        );
        if let Some(account) = filter.account {
            q.push(" and (l.actor_account_id = ");
            q.push_bind(account);
            q.push(" or l.target = ");
            q.push_bind(format!("account:{account}"));
            q.push(")");
        }
        if let Some(kind) = filter.kind {
            q.push(" and l.kind = ");
            q.push_bind(kind.code());
        }
        if let Some(from) = filter.from {
            q.push(" and l.at >= ");
            q.push_bind(from.0);
        }
        if let Some(to) = filter.to {
            q.push(" and l.at < ");
            q.push_bind(to.0);
        }
        if let Some(before) = filter.before_id {
            q.push(" and l.id < ");
            q.push_bind(before);
        }
        q.push(" order by l.id desc limit ");
        q.push_bind(limit);
        let rows: Vec<AuditRow> = q.build_query_as().fetch_all(&self.read).await?;
        rows.into_iter().map(AuditRecord::try_from).collect()
    }

    #[tracing::instrument(skip_all)]
    async fn count_audit(
        &self,
        kind: AuditKind,
        target: &str,
        since: Timestamp,
    ) -> RepoResult<i64> {
        Ok(sqlx::query_scalar(
            "select count(*) from audit_log where kind = $1 and target = $2 and at >= $3",
        )
        .bind(kind.code())
        .bind(target)
        .bind(since.0)
        .fetch_one(&self.read)
        .await?)
    }

    #[tracing::instrument(skip_all)]
    async fn set_settings_audited(
        &self,
        values: &[(&str, String)],
        now: Timestamp,
        audit: &AuditLine,
    ) -> RepoResult<()> {
        let mut tx = self.begin_write().await?;
        let mut detail = serde_json::Map::new();
        for (key, value) in values {
            sqlx::query(UPSERT_SETTING)
                .bind(*key)
                .bind(value)
                .bind(now.0)
                .execute(&mut *tx)
                .await?;
            detail.insert((*key).to_string(), serde_json::Value::String(value.clone()));
        }
        let line = AuditLine {
            detail: serde_json::Value::Object(detail).to_string(),
            ..audit.clone()
        };
        Self::insert_audit(&mut tx, &line).await?;
        tx.commit().await?;
        Ok(())
    }

    #[tracing::instrument(skip_all)]
    async fn claim_walk_in(&self, c: &WalkInClaim) -> RepoResult<bool> {
        let done = sqlx::query(
            "insert into walk_in_claims (session_id, person_id, status, source, at, address, \
             user_agent, device) values ($1, $2, $3, $4, $5, $6, $7, $8) \
             on conflict (session_id, person_id) do nothing",
        )
        .bind(c.session_id)
        .bind(c.person_id)
        .bind(c.status.as_str())
        .bind(&c.source)
        .bind(c.at.0)
        .bind(&c.address)
        .bind(&c.user_agent)
        .bind(&c.device)
        .execute(&self.write)
        .await?
        .rows_affected();
        Ok(done > 0)
    }

    #[tracing::instrument(skip_all)]
    async fn walk_in_claims(
        &self,
        session_id: i64,
        reach: Option<&crate::domain::org::Reach>,
    ) -> RepoResult<Vec<WalkInClaim>> {
        #[derive(sqlx::FromRow)]
        struct Row {
            person_id: i64,
            name: String,
            community: String,
            status: String,
            source: String,
            at: i64,
            address: String,
            user_agent: String,
            device: String,
        }
        let mut sql = QueryBuilder::new(
            "select w.person_id, p.name, coalesce(c.name, '') as community, w.status, \
             w.source, w.at, w.address, w.user_agent, w.device from walk_in_claims w \
             join people p on p.id = w.person_id \
             left join communities c on c.id = p.community_id where w.session_id = ",
        );
        sql.push_bind(session_id).push(" and ");
        crate::ssr::db::clauses::within(&mut sql, "p.community_id", reach);
        sql.push(" order by w.at, w.person_id");
        let rows: Vec<Row> = sql.build_query_as().fetch_all(&self.read).await?;
        rows.into_iter()
            .map(|r| {
                Ok(WalkInClaim {
                    session_id,
                    person_id: r.person_id,
                    name: r.name,
                    community: r.community,
                    status: crate::ssr::db::attendance::parse_status(&r.status)?,
                    source: r.source,
                    at: Timestamp(r.at),
                    address: r.address,
                    user_agent: r.user_agent,
                    device: r.device,
                })
            })
            .collect()
    }

    #[tracing::instrument(skip_all)]
    async fn decide_walk_in(
        &self,
        session_id: i64,
        person_id: i64,
        confirm: bool,
        actor_person_id: i64,
        audit: &AuditLine,
    ) -> RepoResult<bool> {
        let mut tx = self.begin_write().await?;
        let claim: Option<(String, String, i64, String, String, String)> = sqlx::query_as(
            "delete from walk_in_claims where session_id = $1 and person_id = $2 \
             returning status, source, at, address, user_agent, device",
        )
        .bind(session_id)
        .bind(person_id)
        .fetch_optional(&mut *tx)
        .await?;
        let Some((status, source, at, address, user_agent, device)) = claim else {
            return Ok(false);
        };
        if confirm {
            let now = audit.at.0;
            let wrote: Option<String> = sqlx::query_scalar(
                "insert into attendance (session_id, person_id, status, checked_in_at, created_at, \
                 walk_in, source, updated_at, checkin_address, checkin_user_agent, checkin_device) \
                 values ($1, $2, $3, $4, $5, true, $6, $5, $7, $8, $9) \
                 on conflict (session_id, person_id) do nothing returning status",
            )
            .bind(session_id)
            .bind(person_id)
            .bind(&status)
            .bind(at)
            .bind(now)
            .bind(&source)
            .bind(&address)
            .bind(&user_agent)
            .bind(&device)
            .fetch_optional(&mut *tx)
            .await?;
            if wrote.is_some() {
                sqlx::query(
                    "insert into attendance_audit (session_id, person_id, from_status, to_status, \
                     actor_person_id, reason, at) values ($1, $2, null, $3, $4, 'walk_in_confirmed', $5)",
                )
                .bind(session_id)
                .bind(person_id)
                .bind(&status)
                .bind(actor_person_id)
                .bind(now)
                .execute(&mut *tx)
                .await?;
            }
        }
        Self::insert_audit(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(true)
    }

    #[tracing::instrument(skip_all)]
    async fn prune_security(
        &self,
        tries_before: Timestamp,
        audit_before: Timestamp,
    ) -> RepoResult<u64> {
        let tries = sqlx::query("delete from auth_attempts where at < $1")
            .bind(tries_before.0)
            .execute(&self.write)
            .await?
            .rows_affected();
        sqlx::query("delete from auth_buckets where touched_at < $1")
            .bind(tries_before.0)
            .execute(&self.write)
            .await?;
        let lines = sqlx::query("delete from audit_log where at < $1")
            .bind(audit_before.0)
            .execute(&self.write)
            .await?
            .rows_affected();
        Ok(tries + lines)
    }
}
