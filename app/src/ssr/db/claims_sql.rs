//! [`ClaimStore`] for `SqlRepository<Db>`. Compiled once per backend (`#[path]` in
//! `sqlite.rs` and `postgres.rs`, with `Db` the backend there): one SQL text for both.
use async_trait::async_trait;
use chrono::Datelike;

use super::Db;
use crate::domain::Timestamp;
use crate::domain::claims::{CheckedClaim, Conversion};
use crate::domain::hours::StudyHours;
use crate::domain::messages::{ChannelsOn, Notice};
use crate::domain::org::Reach;
use crate::ssr::db::RepoResult;
use crate::ssr::db::claims::*;
use crate::ssr::db::clauses::within;
use crate::ssr::db::messages::Recipients;
use crate::ssr::db::shared::SqlRepository;

const COLUMNS: &str = "select k.id, k.person_id, p.name as person, \
     coalesce(c.name, '') as community, p.community_id, c.subdistrict_id, k.training, \
     k.organiser, k.from_day, k.to_day, k.year, k.mode, coalesce(v.name_zh, '') as conversion, \
     k.units, k.hours, k.file_name, k.file_type, k.file_size, k.state, k.reason, \
     coalesce(d.name, '') as decided_by, k.decided_at, k.created_at \
     from claims k join people p on p.id = k.person_id \
     left join communities c on c.id = p.community_id \
     left join claim_conversions v on v.id = k.conversion_id \
     left join people d on d.id = k.decided_by";

#[async_trait]
impl ClaimStore for SqlRepository<Db> {
    #[tracing::instrument(skip_all)]
    async fn conversions(&self, all: bool) -> RepoResult<Vec<Conversion>> {
        let rows: Vec<(i64, String, String, i64, bool)> = sqlx::query_as(
            "select id, name_zh, name_en, hours, retired from claim_conversions \
             where $1 or not retired order by position, id",
        )
        .bind(all)
        .fetch_all(&self.read)
        .await?;
        Ok(rows
            .into_iter()
            .map(|(id, name_zh, name_en, hours, retired)| Conversion {
                id,
                name_zh,
                name_en,
                hours: StudyHours(hours),
                retired,
            })
            .collect())
    }

    #[tracing::instrument(skip_all)]
    async fn save_conversion(
        &self,
        line: &Conversion,
        audit: &crate::ssr::db::AuditLine,
        now: Timestamp,
    ) -> RepoResult<Option<i64>> {
        let mut tx = self.begin_write().await?;
        let id: Option<i64> = if line.id > 0 {
            sqlx::query_scalar(
                "update claim_conversions set name_zh = $2, name_en = $3, hours = $4, \
                 retired = $5, updated_at = $6 where id = $1 returning id",
            )
            .bind(line.id)
            .bind(&line.name_zh)
            .bind(&line.name_en)
            .bind(line.hours.0)
            .bind(line.retired)
            .bind(now.0)
            .fetch_optional(&mut *tx)
            .await?
        } else {
            sqlx::query_scalar(
                "insert into claim_conversions (name_zh, name_en, hours, retired, position, \
                 updated_at) select $1, $2, $3, $4, coalesce(max(position), 0) + 1, $5 \
                 from claim_conversions returning id",
            )
            .bind(&line.name_zh)
            .bind(&line.name_en)
            .bind(line.hours.0)
            .bind(line.retired)
            .bind(now.0)
            .fetch_optional(&mut *tx)
            .await?
        };
        if id.is_some() {
            Self::insert_audit(&mut tx, audit).await?;
            tx.commit().await?;
        }
        Ok(id)
    }

    #[tracing::instrument(skip_all)]
    async fn file_claim(
        &self,
        person_id: i64,
        claim: &CheckedClaim,
        file: &StoredFile<'_>,
        now: Timestamp,
    ) -> RepoResult<i64> {
        let mut tx = self.begin_write().await?;
        Self::store_blob(&mut tx, file.sha256, file.bytes, now).await?;
        let id: i64 = sqlx::query_scalar(
            "insert into claims (person_id, training, organiser, from_day, to_day, year, mode, \
             conversion_id, units, hours, file_name, file_type, file_size, file_sha256, pledged, \
             created_at) values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, \
             true, $15) returning id",
        )
        .bind(person_id)
        .bind(&claim.training)
        .bind(&claim.organiser)
        .bind(claim.from.to_string())
        .bind(claim.to.to_string())
        .bind(i64::from(claim.to.year()))
        .bind(claim.mode.as_str())
        .bind(claim.conversion.map(|(id, _)| id))
        .bind(claim.conversion.map(|(_, units)| units))
        .bind(claim.hours.0)
        .bind(file.name)
        .bind(file.content_type)
        .bind(file.bytes.len() as i64)
        .bind(file.sha256)
        .bind(now.0)
        .fetch_one(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    #[tracing::instrument(skip_all)]
    async fn claim(&self, id: i64) -> RepoResult<Option<ClaimRow>> {
        Ok(sqlx::query_as(&format!("{COLUMNS} where k.id = $1"))
            .bind(id)
            .fetch_optional(&self.read)
            .await?)
    }

    #[tracing::instrument(skip_all)]
    async fn claim_file(&self, id: i64) -> RepoResult<Option<(String, String, Vec<u8>)>> {
        Ok(sqlx::query_as(
            "select k.file_type, k.file_name, b.bytes from claims k \
             join blobs b on b.sha256 = k.file_sha256 where k.id = $1",
        )
        .bind(id)
        .fetch_optional(&self.read)
        .await?)
    }

    #[tracing::instrument(skip_all)]
    async fn claims_of(&self, person_id: i64) -> RepoResult<Vec<ClaimRow>> {
        Ok(sqlx::query_as(&format!(
            "{COLUMNS} where k.person_id = $1 order by k.id desc"
        ))
        .bind(person_id)
        .fetch_all(&self.read)
        .await?)
    }

    #[tracing::instrument(skip_all)]
    async fn claims_within(&self, reach: Option<&Reach>, limit: i64) -> RepoResult<Vec<ClaimRow>> {
        let mut query = sqlx::QueryBuilder::<Db>::new(COLUMNS);
        query.push(" where ");
        within(&mut query, "p.community_id", reach);
        query.push(" order by (case when k.state = 'pending' then 0 else 1 end), k.id desc limit ");
        query.push_bind(limit);
        Ok(query.build_query_as().fetch_all(&self.read).await?)
    }

    #[tracing::instrument(skip_all)]
    async fn claimed_hours(
        &self,
        person_id: i64,
        year: i32,
    ) -> RepoResult<(StudyHours, StudyHours)> {
        let (approved, pending): (i64, i64) = sqlx::query_as(
            "select cast(coalesce(sum(case when state = 'approved' then hours else 0 end), 0) \
             as bigint), cast(coalesce(sum(case when state = 'pending' then hours else 0 end), \
             0) as bigint) \
             from claims where person_id = $1 and year = $2",
        )
        .bind(person_id)
        .bind(i64::from(year))
        .fetch_one(&self.read)
        .await?;
        Ok((StudyHours(approved), StudyHours(pending)))
    }

    #[tracing::instrument(skip_all)]
    async fn decide_claim(
        &self,
        id: i64,
        approve: bool,
        reason: &str,
        by: i64,
        channels: &ChannelsOn,
        now: Timestamp,
    ) -> RepoResult<bool> {
        let mut tx = self.begin_write().await?;
        let decided: Option<(i64, String)> = sqlx::query_as(
            "update claims set state = $2, reason = $3, decided_by = $4, decided_at = $5 \
             where id = $1 and state = 'pending' returning person_id, training",
        )
        .bind(id)
        .bind(if approve { "approved" } else { "declined" })
        .bind(reason)
        .bind(by)
        .bind(now.0)
        .fetch_optional(&mut *tx)
        .await?;
        let Some((person, training)) = decided else {
            return Ok(false);
        };
        let notice = Notice::ClaimDecided {
            claim_id: id,
            training,
            approved: approve,
            reason: reason.to_string(),
        };
        super::messages_sql::post_notice(
            &mut tx,
            &notice,
            Recipients::Person(person),
            channels,
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(true)
    }
}
