//! [`CertificateStore`] for `SqlRepository<Db>`. Compiled once per backend (`#[path]` in
//! `sqlite.rs` and `postgres.rs`, with `Db` the backend there): one SQL text for both.
use async_trait::async_trait;

use super::Db;
use crate::domain::Timestamp;
use crate::domain::audit::AuditKind;
use crate::domain::certificates::CertificateKind;
use crate::domain::messages::{ChannelsOn, Notice};
use crate::domain::org::Reach;
use crate::ssr::db::certificates::*;
use crate::ssr::db::clauses::within;
use crate::ssr::db::messages::Recipients;
use crate::ssr::db::shared::SqlRepository;
use crate::ssr::db::{AuditLine, RepoResult};

const COLUMNS: &str = "select k.id, k.serial, k.kind, k.person_id, k.year, k.subject, k.name, \
     k.programme, k.issuer, k.hours, k.issued_at, k.revoked_at, k.revoke_reason, \
     coalesce(r.name, '') as revoked_by, coalesce(c.name, '') as community \
     from certificates k join people p on p.id = k.person_id \
     left join communities c on c.id = p.community_id \
     left join people r on r.id = k.revoked_by";

/// Inserts a certificate (asked for by `by`, its PDF kept as `file`); its id, or `None`
/// when the series or tier year was certified already.
async fn insert(
    conn: &mut <Db as sqlx::Database>::Connection,
    c: &NewCertificate,
    by: Option<i64>,
    file: Option<&str>,
    now: Timestamp,
) -> sqlx::Result<Option<i64>> {
    sqlx::query_scalar(
        "insert into certificates (serial, kind, person_id, year, subject, name, programme, \
         issuer, hours, issued_at, issued_by, file_sha256) \
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) \
         on conflict do nothing returning id",
    )
    .bind(&c.serial)
    .bind(c.kind.as_str())
    .bind(c.person_id)
    .bind(c.year)
    .bind(&c.subject)
    .bind(&c.name)
    .bind(&c.programme)
    .bind(&c.issuer)
    .bind(c.hours.0)
    .bind(now.0)
    .bind(by)
    .bind(file)
    .fetch_optional(&mut *conn)
    .await
}

/// What the holder is told: issued, or revoked with the reason.
fn notice_of(
    serial: &str,
    kind: CertificateKind,
    programme: &str,
    year: i64,
    revoked: Option<&str>,
) -> Notice {
    Notice::Certificate {
        serial: serial.to_string(),
        title: kind.title_zh().to_string(),
        programme: programme.to_string(),
        year,
        revoked: revoked.is_some(),
        reason: revoked.unwrap_or_default().to_string(),
    }
}

#[async_trait]
impl CertificateStore for SqlRepository<Db> {
    #[tracing::instrument(skip_all)]
    async fn certified(&self) -> RepoResult<Vec<(String, i64, i64, String)>> {
        Ok(sqlx::query_as(
            "select kind, person_id, year, subject from certificates where kind <> 'dossier'",
        )
        .fetch_all(&self.read)
        .await?)
    }

    #[tracing::instrument(skip_all)]
    async fn issue_certificates(
        &self,
        new: &[NewCertificate],
        channels: &ChannelsOn,
        now: Timestamp,
    ) -> RepoResult<Vec<NewCertificate>> {
        if new.is_empty() {
            return Ok(Vec::new());
        }
        let mut tx = self.begin_write().await?;
        let mut issued = Vec::new();
        for c in new {
            if insert(&mut tx, c, None, None, now).await?.is_none() {
                continue;
            }
            let mut line = crate::ssr::audit::system(
                AuditKind::CertificateIssued,
                &format!("person:{}", c.person_id),
            );
            line.at = now;
            line.detail =
                serde_json::json!({ "serial": c.serial, "kind": c.kind.as_str(), "year": c.year })
                    .to_string();
            Self::insert_audit(&mut tx, &line).await?;
            super::messages_sql::post_notice(
                &mut tx,
                &notice_of(&c.serial, c.kind, &c.programme, c.year, None),
                Recipients::Person(c.person_id),
                channels,
                now,
            )
            .await?;
            issued.push(c.clone());
        }
        tx.commit().await?;
        Ok(issued)
    }

    #[tracing::instrument(skip_all)]
    async fn last_dossier(&self, person_id: i64, year: i64) -> RepoResult<Option<CertificateRow>> {
        Ok(sqlx::query_as(&format!(
            "{COLUMNS} where k.person_id = $1 and k.year = $2 and k.kind = 'dossier' \
             order by k.id desc limit 1"
        ))
        .bind(person_id)
        .bind(year)
        .fetch_optional(&self.read)
        .await?)
    }

    #[tracing::instrument(skip_all)]
    async fn issue_dossier(
        &self,
        new: &NewCertificate,
        by: i64,
        audit: &AuditLine,
        sha256: &str,
        pdf: &[u8],
        now: Timestamp,
    ) -> RepoResult<CertificateRow> {
        let mut tx = self.begin_write().await?;
        Self::store_blob(&mut tx, sha256, pdf, now).await?;
        let id = insert(&mut tx, new, Some(by), Some(sha256), now)
            .await?
            .ok_or(sqlx::Error::RowNotFound)?;
        Self::insert_audit(&mut tx, audit).await?;
        let row = sqlx::query_as(&format!("{COLUMNS} where k.id = $1"))
            .bind(id)
            .fetch_one(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(row)
    }

    #[tracing::instrument(skip_all)]
    async fn certificate_file(&self, id: i64) -> RepoResult<Option<Vec<u8>>> {
        Ok(sqlx::query_scalar(
            "select b.bytes from certificates k join blobs b on b.sha256 = k.file_sha256 \
             where k.id = $1",
        )
        .bind(id)
        .fetch_optional(&self.read)
        .await?)
    }

    #[tracing::instrument(skip_all)]
    async fn certificate(&self, serial: &str) -> RepoResult<Option<CertificateRow>> {
        Ok(sqlx::query_as(&format!("{COLUMNS} where k.serial = $1"))
            .bind(serial)
            .fetch_optional(&self.read)
            .await?)
    }

    #[tracing::instrument(skip_all)]
    async fn certificate_by_id(&self, id: i64) -> RepoResult<Option<CertificateRow>> {
        Ok(sqlx::query_as(&format!("{COLUMNS} where k.id = $1"))
            .bind(id)
            .fetch_optional(&self.read)
            .await?)
    }

    #[tracing::instrument(skip_all)]
    async fn certificates_of(&self, person_id: i64) -> RepoResult<Vec<CertificateRow>> {
        Ok(sqlx::query_as(&format!(
            "{COLUMNS} where k.person_id = $1 order by k.issued_at desc, k.id desc"
        ))
        .bind(person_id)
        .fetch_all(&self.read)
        .await?)
    }

    #[tracing::instrument(skip_all)]
    async fn certificates_within(
        &self,
        reach: Option<&Reach>,
        year: Option<i64>,
        kind: Option<CertificateKind>,
        limit: i64,
    ) -> RepoResult<Vec<CertificateRow>> {
        let mut query = sqlx::QueryBuilder::<Db>::new(COLUMNS);
        query.push(" where ");
        within(&mut query, "p.community_id", reach);
        if let Some(year) = year {
            query.push(" and k.year = ").push_bind(year);
        }
        if let Some(kind) = kind {
            query.push(" and k.kind = ").push_bind(kind.as_str());
        }
        query.push(" order by k.issued_at desc, k.id desc limit ");
        query.push_bind(limit);
        Ok(query.build_query_as().fetch_all(&self.read).await?)
    }

    #[tracing::instrument(skip_all)]
    async fn revoke_certificate(
        &self,
        id: i64,
        reason: &str,
        by: i64,
        channels: &ChannelsOn,
        audit: &AuditLine,
        now: Timestamp,
    ) -> RepoResult<bool> {
        let mut tx = self.begin_write().await?;
        let done = sqlx::query(
            "update certificates set revoked_at = $2, revoked_by = $3, revoke_reason = $4 \
             where id = $1 and revoked_at is null",
        )
        .bind(id)
        .bind(now.0)
        .bind(by)
        .bind(reason)
        .execute(&mut *tx)
        .await?
        .rows_affected()
            == 1;
        if !done {
            return Ok(false);
        }
        let row: CertificateRow = sqlx::query_as(&format!("{COLUMNS} where k.id = $1"))
            .bind(id)
            .fetch_one(&mut *tx)
            .await?;
        Self::insert_audit(&mut tx, audit).await?;
        super::messages_sql::post_notice(
            &mut tx,
            &notice_of(
                &row.serial,
                row.kind(),
                &row.programme,
                row.year,
                Some(reason),
            ),
            Recipients::Person(row.person_id),
            channels,
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(true)
    }

    #[tracing::instrument(skip_all)]
    async fn series_sessions(&self, from: Timestamp) -> RepoResult<Vec<SeriesSessionRow>> {
        let rows: Vec<(String, i64, i64, i64)> = sqlx::query_as(
            "select series, id, starts_at, ends_at from sessions \
             where not cancelled and starts_at >= $1 order by series, starts_at, id",
        )
        .bind(from.0)
        .fetch_all(&self.read)
        .await?;
        Ok(rows
            .into_iter()
            .map(|(series, id, starts, ends)| (series, id, Timestamp(starts), Timestamp(ends)))
            .collect())
    }

    #[tracing::instrument(skip_all)]
    async fn duty_excused_at(&self, sessions: &[i64]) -> RepoResult<Vec<(i64, i64)>> {
        if sessions.is_empty() {
            return Ok(Vec::new());
        }
        let mut query = sqlx::QueryBuilder::<Db>::new(
            "select session_id, person_id from leave_requests \
             where decision = 'approved' and kind = 'duty' and session_id in ",
        );
        crate::ssr::db::clauses::in_list(&mut query, sessions.iter().copied());
        Ok(query.build_query_as().fetch_all(&self.read).await?)
    }
}
