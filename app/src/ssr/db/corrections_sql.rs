//! [`CorrectionStore`] for `SqlRepository<Db>`: compiled once per backend.
use async_trait::async_trait;

use super::*;
use crate::domain::Timestamp;
use crate::domain::messages::{ChannelsOn, Notice};
use crate::domain::org::Reach;
use crate::domain::schedule::AttendanceStatus;
use crate::ssr::db::RepoResult;
use crate::ssr::db::corrections::*;
use crate::ssr::db::shared::map_unique;

const SELECT: &str = "select k.id, k.session_id, s.title, s.starts_at, k.person_id, \
     p.name as person, coalesce(c.name, '') as community, k.reason, k.lecturer_id, \
     l.name as lecturer, k.confirmed_at, k.decision, k.decided_at, k.created_at \
     from corrections k join sessions s on s.id = k.session_id \
     join people p on p.id = k.person_id left join communities c on c.id = p.community_id \
     left join people l on l.id = k.lecturer_id";

#[async_trait]
impl CorrectionStore for SqlRepository<Db> {
    #[tracing::instrument(skip_all)]
    async fn ask_correction(
        &self,
        session_id: i64,
        person_id: i64,
        reason: &str,
        lecturer_id: Option<i64>,
        now: Timestamp,
    ) -> RepoResult<i64> {
        sqlx::query_scalar(
            "insert into corrections (session_id, person_id, reason, lecturer_id, created_at) \
             values ($1, $2, $3, $4, $5) returning id",
        )
        .bind(session_id)
        .bind(person_id)
        .bind(reason)
        .bind(lecturer_id)
        .bind(now.0)
        .fetch_one(&self.write)
        .await
        .map_err(map_unique)
    }

    #[tracing::instrument(skip_all)]
    async fn corrections_used(
        &self,
        person_id: i64,
        from: Timestamp,
        to: Timestamp,
    ) -> RepoResult<i64> {
        Ok(sqlx::query_scalar(
            "select count(*) from corrections where person_id = $1 and created_at >= $2 \
             and created_at < $3 and decision <> 'declined'",
        )
        .bind(person_id)
        .bind(from.0)
        .bind(to.0)
        .fetch_one(&self.read)
        .await?)
    }

    #[tracing::instrument(skip_all)]
    async fn correction(&self, id: i64) -> RepoResult<Option<CorrectionRow>> {
        Ok(sqlx::query_as(&format!("{SELECT} where k.id = $1"))
            .bind(id)
            .fetch_optional(&self.read)
            .await?)
    }

    #[tracing::instrument(skip_all)]
    async fn correction_of(
        &self,
        session_id: i64,
        person_id: i64,
    ) -> RepoResult<Option<CorrectionRow>> {
        Ok(sqlx::query_as(&format!(
            "{SELECT} where k.session_id = $1 and k.person_id = $2"
        ))
        .bind(session_id)
        .bind(person_id)
        .fetch_optional(&self.read)
        .await?)
    }

    #[tracing::instrument(skip_all)]
    async fn corrections(
        &self,
        reach: Option<&Reach>,
        limit: i64,
    ) -> RepoResult<Vec<CorrectionRow>> {
        let mut sql = sqlx::QueryBuilder::<Db>::new(format!("{SELECT} where "));
        clauses::within(&mut sql, "p.community_id", reach);
        sql.push(
            " order by case when k.decision = 'pending' then 0 else 1 end, \
             case when k.decision = 'pending' then k.created_at else -k.decided_at end, k.id \
             limit ",
        )
        .push_bind(limit);
        Ok(sql.build_query_as().fetch_all(&self.read).await?)
    }

    #[tracing::instrument(skip_all)]
    async fn corrections_to_confirm(&self, lecturer_id: i64) -> RepoResult<Vec<CorrectionRow>> {
        Ok(sqlx::query_as(&format!(
            "{SELECT} where k.lecturer_id = $1 and k.confirmed_at is null \
             and k.decision = 'pending' order by k.created_at"
        ))
        .bind(lecturer_id)
        .fetch_all(&self.read)
        .await?)
    }

    #[tracing::instrument(skip_all)]
    async fn confirm_correction(
        &self,
        id: i64,
        lecturer_id: i64,
        now: Timestamp,
    ) -> RepoResult<bool> {
        let done = sqlx::query(
            "update corrections set confirmed_at = $3 where id = $1 and lecturer_id = $2 \
             and confirmed_at is null and decision = 'pending'",
        )
        .bind(id)
        .bind(lecturer_id)
        .bind(now.0)
        .execute(&self.write)
        .await?
        .rows_affected();
        Ok(done == 1)
    }

    #[tracing::instrument(skip_all)]
    async fn decide_correction(
        &self,
        id: i64,
        approve: bool,
        by: i64,
        channels: &ChannelsOn,
        now: Timestamp,
    ) -> RepoResult<bool> {
        let mut tx = self.begin_write().await?;
        let row: Option<(i64, i64, Option<i64>)> = sqlx::query_as(
            "update corrections set decision = $1, decided_by = $2, decided_at = $3 \
             where id = $4 and decision = 'pending' \
             returning session_id, person_id, confirmed_at",
        )
        .bind(if approve { "approved" } else { "declined" })
        .bind(by)
        .bind(now.0)
        .bind(id)
        .fetch_optional(&mut *tx)
        .await?;
        let Some((session_id, person_id, confirmed_at)) = row else {
            return Ok(false);
        };
        if approve {
            super::attendance_sql::upsert_status(
                &mut tx,
                session_id,
                person_id,
                AttendanceStatus::Present,
                None,
                false,
                "correction",
                true,
                Some(by),
                crate::domain::corrections::audit_reason(confirmed_at.is_some()),
                now.0,
            )
            .await?;
        }
        let (title, starts_at): (String, i64) =
            sqlx::query_as("select title, starts_at from sessions where id = $1")
                .bind(session_id)
                .fetch_one(&mut *tx)
                .await?;
        super::messages_sql::post_notice(
            &mut tx,
            &Notice::CorrectionDecided {
                session_id,
                title,
                starts_at,
                approved: approve,
            },
            crate::ssr::db::Recipients::Person(person_id),
            channels,
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(true)
    }
}
