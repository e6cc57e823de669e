//! [`LeaveStore`] for `SqlRepository<Db>`: compiled once per backend.
use async_trait::async_trait;

use super::*;
use crate::domain::Timestamp;
use crate::domain::audience::Member;
use crate::domain::hours::StudyHours;
use crate::domain::leave::LeaveKind;
use crate::domain::messages::{ChannelsOn, Notice};
use crate::domain::org::Reach;
use crate::domain::schedule::AttendanceStatus;
use crate::ssr::db::RepoResult;
use crate::ssr::db::leave::*;
use crate::ssr::db::shared::map_unique;

#[async_trait]
impl LeaveStore for SqlRepository<Db> {
    #[tracing::instrument(skip_all)]
    async fn file_leave(
        &self,
        session_id: i64,
        person_id: i64,
        leave: &NewLeave<'_>,
        now: Timestamp,
    ) -> RepoResult<i64> {
        let mut tx = self.begin_write().await?;
        if let Some(file) = &leave.file {
            Self::store_blob(&mut tx, file.sha256, file.bytes, now).await?;
        }
        let id: i64 = sqlx::query_scalar(
            "insert into leave_requests (session_id, person_id, reason, kind, after_the_fact, \
             file_name, file_type, file_sha256, created_at) \
             values ($1, $2, $3, $4, $5, $6, $7, $8, $9) returning id",
        )
        .bind(session_id)
        .bind(person_id)
        .bind(leave.reason)
        .bind(leave.kind.as_str())
        .bind(leave.after_the_fact)
        .bind(leave.file.as_ref().map(|f| f.name))
        .bind(leave.file.as_ref().map(|f| f.content_type))
        .bind(leave.file.as_ref().map(|f| f.sha256))
        .bind(now.0)
        .fetch_one(&mut *tx)
        .await
        .map_err(map_unique)?;
        tx.commit().await?;
        Ok(id)
    }

    #[tracing::instrument(skip_all)]
    async fn leave_file(&self, id: i64) -> RepoResult<Option<(String, String, Vec<u8>, i64)>> {
        Ok(sqlx::query_as(
            "select l.file_type, l.file_name, b.bytes, l.person_id from leave_requests l \
             join blobs b on b.sha256 = l.file_sha256 where l.id = $1",
        )
        .bind(id)
        .fetch_optional(&self.read)
        .await?)
    }

    #[tracing::instrument(skip_all)]
    async fn excuse_group(
        &self,
        excusal: &GroupExcusal<'_>,
        channels: &ChannelsOn,
        now: Timestamp,
    ) -> RepoResult<(i64, u64)> {
        let mut tx = self.begin_write().await?;
        let (title, starts_at): (String, i64) = sqlx::query_as(
            "select title, starts_at from sessions where id = $1 and cancelled = false",
        )
        .bind(excusal.session_id)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or(RepoError::Db(sqlx::Error::RowNotFound))?;
        let people: Vec<i64> = sqlx::query_scalar(&format!(
            "select p.id from sessions s join people p on p.tier_id is not null \
             and p.community_id = $2 and {} where s.id = $1 \
             and not exists (select 1 from attendance x where x.session_id = s.id \
             and x.person_id = p.id and x.status <> 'absent') order by p.id",
            in_audience("p.tier_id", "p.community_id", "p.id")
        ))
        .bind(excusal.session_id)
        .bind(excusal.community_id)
        .fetch_all(&mut *tx)
        .await?;
        let id: i64 = sqlx::query_scalar(
            "insert into group_excusals (session_id, community_id, kind, reason, excused, \
             created_by, created_at) values ($1, $2, $3, $4, $5, $6, $7) returning id",
        )
        .bind(excusal.session_id)
        .bind(excusal.community_id)
        .bind(excusal.kind.as_str())
        .bind(excusal.reason)
        .bind(people.len() as i64)
        .bind(excusal.by)
        .bind(now.0)
        .fetch_one(&mut *tx)
        .await?;
        let due = excusal.make_up_due.map(|d| d.0);
        for &person in &people {
            let updated: Option<i64> = sqlx::query_scalar(
                "update leave_requests set decision = 'approved', kind = $3, excusal_id = $4, \
                 decided_by = $5, decided_at = $6, make_up_due = $7 \
                 where session_id = $1 and person_id = $2 and decision <> 'approved' \
                 returning id",
            )
            .bind(excusal.session_id)
            .bind(person)
            .bind(excusal.kind.as_str())
            .bind(id)
            .bind(excusal.by)
            .bind(now.0)
            .bind(due)
            .fetch_optional(&mut *tx)
            .await?;
            if updated.is_none() {
                sqlx::query(
                    "insert into leave_requests (session_id, person_id, reason, decision, kind, \
                     excusal_id, decided_by, decided_at, make_up_due, created_at) \
                     values ($1, $2, $3, 'approved', $4, $5, $6, $7, $8, $7) \
                     on conflict (session_id, person_id) do nothing",
                )
                .bind(excusal.session_id)
                .bind(person)
                .bind(excusal.reason)
                .bind(excusal.kind.as_str())
                .bind(id)
                .bind(excusal.by)
                .bind(now.0)
                .bind(due)
                .execute(&mut *tx)
                .await?;
            }
            super::attendance_sql::upsert_status(
                &mut tx,
                excusal.session_id,
                person,
                AttendanceStatus::Excused,
                None,
                false,
                "leave",
                true,
                Some(excusal.by),
                "group excusal",
                now.0,
            )
            .await?;
            super::messages_sql::post_notice(
                &mut tx,
                &Notice::LeaveDecided {
                    session_id: excusal.session_id,
                    title: title.clone(),
                    starts_at,
                    approved: true,
                    make_up_due: due,
                },
                crate::ssr::db::Recipients::Person(person),
                channels,
                now,
            )
            .await?;
        }
        tx.commit().await?;
        Ok((id, people.len() as u64))
    }

    #[tracing::instrument(skip_all)]
    async fn leave_hours_by_kind(
        &self,
        member: &Member,
        from: Timestamp,
        to: Timestamp,
        series: Option<&str>,
    ) -> RepoResult<LeaveHours> {
        let mut sql = sqlx::QueryBuilder::<Db>::new(
            "select coalesce(l.kind, 'personal'), cast(coalesce(sum(s.study_hours), 0) as bigint) \
             from attendance a join sessions s on s.id = a.session_id \
             left join leave_requests l on l.session_id = a.session_id \
             and l.person_id = a.person_id and l.decision = 'approved' \
             where a.status = 'excused' and s.cancelled = false and a.person_id = ",
        );
        sql.push_bind(member.person_id)
            .push(" and s.starts_at >= ")
            .push_bind(from.0)
            .push(" and s.starts_at < ")
            .push_bind(to.0);
        if let Some(series) = series {
            sql.push(" and s.series = ").push_bind(series);
        }
        sql.push(" group by coalesce(l.kind, 'personal')");
        let rows: Vec<(String, i64)> = sql.build_query_as().fetch_all(&self.read).await?;
        let mut hours = LeaveHours::default();
        for (kind, sum) in rows {
            match LeaveKind::parse(&kind) {
                Some(LeaveKind::Sick) => hours.sick.0 += sum,
                Some(LeaveKind::Duty) => hours.duty.0 += sum,
                _ => hours.personal.0 += sum,
            }
        }
        let mut sql = sqlx::QueryBuilder::<Db>::new(
            "select cast(coalesce(sum(s.study_hours), 0) as bigint) from sessions s \
             where s.cancelled = false and s.starts_at >= ",
        );
        sql.push_bind(from.0)
            .push(" and s.starts_at < ")
            .push_bind(to.0)
            .push(" and ");
        clauses::member_in_audience(&mut sql, member);
        if let Some(series) = series {
            sql.push(" and s.series = ").push_bind(series);
        }
        hours.scheduled = StudyHours(sql.build_query_scalar().fetch_one(&self.read).await?);
        Ok(hours)
    }

    #[tracing::instrument(skip_all)]
    async fn duty_rows(
        &self,
        from: Timestamp,
        to: Timestamp,
        reach: Option<&Reach>,
    ) -> RepoResult<Vec<DutyRow>> {
        let mut sql = sqlx::QueryBuilder::<Db>::new(
            "select coalesce(p.community_id, 0) as community_id, \
             coalesce(c.name, '') as community, s.starts_at from leave_requests l \
             join sessions s on s.id = l.session_id join people p on p.id = l.person_id \
             left join communities c on c.id = p.community_id \
             where l.kind = 'duty' and l.decision = 'approved' and s.cancelled = false \
             and s.starts_at >= ",
        );
        sql.push_bind(from.0)
            .push(" and s.starts_at < ")
            .push_bind(to.0)
            .push(" and ");
        clauses::within(&mut sql, "p.community_id", reach);
        sql.push(" order by s.starts_at");
        Ok(sql.build_query_as().fetch_all(&self.read).await?)
    }

    #[tracing::instrument(skip_all)]
    async fn series_holders(&self) -> RepoResult<Vec<(String, Option<i64>)>> {
        Ok(sqlx::query_as(
            "select distinct series, subdistrict_id from sessions where series <> '' \
             order by series",
        )
        .fetch_all(&self.read)
        .await?)
    }

    #[tracing::instrument(skip_all)]
    async fn capped_series(&self) -> RepoResult<Vec<String>> {
        Ok(
            sqlx::query_scalar("select series from series_caps order by series")
                .fetch_all(&self.read)
                .await?,
        )
    }

    #[tracing::instrument(skip_all)]
    async fn set_series_cap(
        &self,
        series: &str,
        on: bool,
        by: i64,
        now: Timestamp,
    ) -> RepoResult<()> {
        if on {
            sqlx::query(
                "insert into series_caps (series, created_by, created_at) values ($1, $2, $3) \
                 on conflict (series) do nothing",
            )
            .bind(series)
            .bind(by)
            .bind(now.0)
            .execute(&self.write)
            .await?;
        } else {
            sqlx::query("delete from series_caps where series = $1")
                .bind(series)
                .execute(&self.write)
                .await?;
        }
        Ok(())
    }

    #[tracing::instrument(skip_all)]
    async fn withdrawals_of(&self, person_id: i64) -> RepoResult<Vec<(String, Timestamp)>> {
        let rows: Vec<(String, i64)> = sqlx::query_as(
            "select series, withdrawn_at from series_withdrawals where person_id = $1 \
             order by withdrawn_at",
        )
        .bind(person_id)
        .fetch_all(&self.read)
        .await?;
        Ok(rows.into_iter().map(|(s, at)| (s, Timestamp(at))).collect())
    }
}
