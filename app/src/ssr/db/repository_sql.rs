//! Compiled once per backend (`#[path]` in `sqlite.rs` and `postgres.rs`, with `Db` the
//! backend there): one SQL text for both.
use super::*;
use crate::domain::messages::{ChannelsOn, Notice};
use crate::ssr::db::planning::{EVENT_COLUMNS, EventRow};

impl SqlRepository<Db> {
    pub(super) async fn roles_of(&self, account_id: i64) -> RepoResult<Roles> {
        let rows: Vec<(i64, String)> = sqlx::query_as(
            "select account_id, role from account_roles where account_id = $1 order by role",
        )
        .bind(account_id)
        .fetch_all(&self.read)
        .await?;
        Ok(roles_by_account(rows)?
            .pop()
            .map(|(_, r)| r)
            .unwrap_or_default())
    }

    pub(super) async fn insert_session(
        tx: &mut sqlx::Transaction<'_, Db>,
        new: &NewSession,
        now: Timestamp,
    ) -> RepoResult<i64> {
        let id: i64 = sqlx::query_scalar(
            "insert into sessions (series, title, theme_id, format, starts_at, ends_at, \
             place, description_md, cancelled, created_at, updated_at, audience, \
             study_hours, hours_overridden, capacity, clash_override_reason, subdistrict_id) \
             values ($1, $2, $3, $4, $5, $6, $7, $8, false, $9, $9, $10, $11, $12, $13, $14, \
             $15) returning id",
        )
        .bind(&new.series)
        .bind(&new.title)
        .bind(new.theme_id)
        .bind(new.format.as_str())
        .bind(new.starts_at.0)
        .bind(new.ends_at.0)
        .bind(&new.place)
        .bind(&new.description_md)
        .bind(now.0)
        .bind(match new.audience {
            Audience::Everyone => "everyone",
            Audience::Chosen { .. } => "chosen",
        })
        .bind(new.study_hours.0)
        .bind(new.hours_overridden)
        .bind(new.capacity)
        .bind(new.clash_override_reason.as_deref())
        .bind(new.subdistrict_id)
        .fetch_one(&mut **tx)
        .await?;
        Self::insert_audience_and_lecturers(tx, id, new).await?;
        Ok(id)
    }

    /// The audience and lecturer rows of session `id`.
    pub(super) async fn insert_audience_and_lecturers(
        tx: &mut sqlx::Transaction<'_, Db>,
        id: i64,
        new: &NewSession,
    ) -> RepoResult<()> {
        for (kind, ref_id) in audience_rows(&new.audience) {
            sqlx::query(
                "insert into session_audience (session_id, kind, ref_id) values ($1, $2, $3)",
            )
            .bind(id)
            .bind(kind)
            .bind(ref_id)
            .execute(&mut **tx)
            .await?;
        }
        for (position, person_id) in new.lecturer_ids.iter().enumerate() {
            sqlx::query(
                "insert into session_lecturers (session_id, person_id, position) \
                 values ($1, $2, $3)",
            )
            .bind(id)
            .bind(person_id)
            .bind(position as i64)
            .execute(&mut **tx)
            .await?;
        }
        Ok(())
    }

    /// Ends every login session of the account (what they were allowed is no longer true),
    /// writes the change's audit line and commits: all of it, or nothing.
    pub(crate) async fn end_sessions_and_commit(
        mut tx: sqlx::Transaction<'_, Db>,
        account_id: i64,
        audit: &AuditLine,
    ) -> RepoResult<()> {
        sqlx::query("delete from auth_sessions where account_id = $1")
            .bind(account_id)
            .execute(&mut *tx)
            .await?;
        Self::insert_audit(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(())
    }

    pub(super) async fn insert_roles(
        tx: &mut sqlx::Transaction<'_, Db>,
        account_id: i64,
        roles: &Roles,
    ) -> RepoResult<()> {
        for role in roles.iter() {
            sqlx::query("insert into account_roles (account_id, role) values ($1, $2)")
                .bind(account_id)
                .bind(role.as_str())
                .execute(&mut **tx)
                .await?;
        }
        if roles.has(crate::domain::Role::Organiser) {
            // An organiser named without a unit organises the first subdistrict: the whole
            // school of an install that has one. Admins narrow or widen it on the accounts
            // page.
            sqlx::query(
                "insert into organiser_units (account_id, kind, ref_id) \
                 select $1, 'subdistrict', min(id) from subdistricts \
                 where not exists (select 1 from organiser_units where account_id = $1) \
                 having count(*) > 0",
            )
            .bind(account_id)
            .execute(&mut **tx)
            .await?;
        } else {
            sqlx::query("delete from organiser_units where account_id = $1")
                .bind(account_id)
                .execute(&mut **tx)
                .await?;
        }
        Ok(())
    }

    /// One line of a person's tier history (`tier_id` none: left the programme).
    pub(crate) async fn record_tier_change(
        tx: &mut sqlx::Transaction<'_, Db>,
        person_id: i64,
        change: &crate::ssr::db::TierChange,
        actor: Option<i64>,
        now: Timestamp,
    ) -> RepoResult<()> {
        sqlx::query(
            "insert into tier_history (person_id, tier_id, change, effective_at, note, \
             actor_person_id, created_at) values ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(person_id)
        .bind(change.tier_id)
        .bind(&change.change)
        .bind(change.effective_at.0)
        .bind(&change.note)
        .bind(actor)
        .bind(now.0)
        .execute(&mut **tx)
        .await?;
        Ok(())
    }
}

#[async_trait::async_trait]
impl crate::ssr::db::Repository for SqlRepository<Db> {
    fn backend(&self) -> &'static str {
        super::BACKEND
    }

    #[tracing::instrument(skip_all)]
    async fn create_community(
        &self,
        subdistrict_id: i64,
        name: &str,
        now: Timestamp,
    ) -> RepoResult<i64> {
        sqlx::query_scalar(
            "insert into communities (name, subdistrict_id, created_at) values ($1, $2, $3) \
             returning id",
        )
        .bind(name)
        .bind(subdistrict_id)
        .bind(now.0)
        .fetch_one(&self.write)
        .await
        .map_err(map_unique)
    }

    #[tracing::instrument(skip_all)]
    async fn communities(&self) -> RepoResult<Vec<Community>> {
        let rows: Vec<(i64, String, i64)> =
            sqlx::query_as("select id, name, subdistrict_id from communities order by id")
                .fetch_all(&self.read)
                .await?;
        Ok(rows
            .into_iter()
            .map(|(id, name, subdistrict_id)| Community {
                id,
                name,
                subdistrict_id,
            })
            .collect())
    }

    #[tracing::instrument(skip_all)]
    async fn create_tier(&self, tier: &Tier, now: Timestamp) -> RepoResult<i64> {
        sqlx::query_scalar(
            "insert into tiers (name_zh, name_en, rank, target_count, description, created_at) \
             values ($1, $2, $3, $4, $5, $6) returning id",
        )
        .bind(&tier.name_zh)
        .bind(&tier.name_en)
        .bind(tier.rank)
        .bind(tier.target_count)
        .bind(&tier.description)
        .bind(now.0)
        .fetch_one(&self.write)
        .await
        .map_err(map_unique)
    }

    #[tracing::instrument(skip_all)]
    async fn tiers(&self) -> RepoResult<Vec<Tier>> {
        Ok(sqlx::query_as(
            "select id, name_zh, name_en, rank, target_count, description \
             from tiers order by rank, id",
        )
        .fetch_all(&self.read)
        .await?)
    }

    #[tracing::instrument(skip_all)]
    async fn create_theme(
        &self,
        name_zh: &str,
        name_en: &str,
        subdistrict: Option<i64>,
        now: Timestamp,
    ) -> RepoResult<i64> {
        sqlx::query_scalar(
            "insert into themes (name_zh, name_en, subdistrict_id, created_at) \
             values ($1, $2, $3, $4) returning id",
        )
        .bind(name_zh)
        .bind(name_en)
        .bind(subdistrict)
        .bind(now.0)
        .fetch_one(&self.write)
        .await
        .map_err(map_unique)
    }

    #[tracing::instrument(skip_all)]
    async fn themes(&self) -> RepoResult<Vec<Theme>> {
        let rows: Vec<(i64, String, String, Option<i64>)> =
            sqlx::query_as("select id, name_zh, name_en, subdistrict_id from themes order by id")
                .fetch_all(&self.read)
                .await?;
        Ok(rows
            .into_iter()
            .map(|(id, name_zh, name_en, subdistrict_id)| Theme {
                id,
                name_zh,
                name_en,
                subdistrict_id,
            })
            .collect())
    }

    #[tracing::instrument(skip_all)]
    async fn create_people(&self, people: &[NewPerson], now: Timestamp) -> RepoResult<Vec<i64>> {
        let mut tx = self.write.begin().await?;
        let mut ids = Vec::with_capacity(people.len());
        for p in people {
            let id: i64 = sqlx::query_scalar(
                "insert into people (name, community_id, tier_id, position, phone, created_at) \
                 values ($1, $2, $3, $4, $5, $6) returning id",
            )
            .bind(&p.name)
            .bind(p.community_id)
            .bind(p.tier_id)
            .bind(p.position.as_str())
            .bind(&p.phone)
            .bind(now.0)
            .fetch_one(&mut *tx)
            .await?;
            if p.tier_id.is_some() {
                let joined = crate::ssr::db::TierChange::joined(p.tier_id, now, "");
                Self::record_tier_change(&mut tx, id, &joined, None, now).await?;
            }
            ids.push(id);
        }
        tx.commit().await?;
        Ok(ids)
    }

    #[tracing::instrument(skip_all)]
    async fn count_cadres(&self) -> RepoResult<i64> {
        Ok(
            sqlx::query_scalar("select count(*) from people where tier_id is not null")
                .fetch_one(&self.read)
                .await?,
        )
    }

    #[tracing::instrument(skip_all)]
    async fn create_session(&self, new: &NewSession, now: Timestamp) -> RepoResult<i64> {
        let mut tx = self.write.begin().await?;
        let id = Self::insert_session(&mut tx, new, now).await?;
        tx.commit().await?;
        Ok(id)
    }

    #[tracing::instrument(skip_all)]
    async fn create_sessions(
        &self,
        new: &[NewSession],
        channels: &crate::domain::messages::ChannelsOn,
        now: Timestamp,
    ) -> RepoResult<Vec<i64>> {
        let mut tx = self.write.begin().await?;
        let mut ids = Vec::with_capacity(new.len());
        for session in new {
            ids.push(Self::insert_session(&mut tx, session, now).await?);
        }
        // The occurrences of a series share the first one's id, for later edits.
        if ids.len() > 1 {
            let mut query = sqlx::QueryBuilder::<Db>::new("update sessions set repeat_group = ");
            query.push_bind(ids[0]).push(" where id in ");
            in_list(&mut query, ids.iter().copied());
            query.build().execute(&mut *tx).await?;
        }
        if let (Some(first), Some(&id)) = (new.first(), ids.first())
            && first.starts_at.0 > now.0
        {
            let notice = Notice::SessionScheduled {
                session_id: id,
                title: first.title.clone(),
                starts_at: first.starts_at.0,
                ends_at: first.ends_at.0,
                place: first.place.clone(),
                more: i64::try_from(new.len()).unwrap_or(1) - 1,
            };
            super::messages_sql::post_notice(
                &mut tx,
                &notice,
                crate::ssr::db::Recipients::Session(id),
                channels,
                now,
            )
            .await?;
        }
        tx.commit().await?;
        Ok(ids)
    }

    #[tracing::instrument(skip_all)]
    async fn bookings_between(&self, from: Timestamp, to: Timestamp) -> RepoResult<Vec<Booking>> {
        let rows: Vec<(i64, String, i64, i64, String, bool, Option<i64>)> = sqlx::query_as(
            "select s.id, s.title, s.starts_at, s.ends_at, s.place, s.cancelled, sl.person_id \
             from sessions s left join session_lecturers sl on sl.session_id = s.id \
             where s.starts_at < $2 and s.ends_at > $1 order by s.id, sl.position",
        )
        .bind(from.0)
        .bind(to.0)
        .fetch_all(&self.read)
        .await?;
        let mut out: Vec<Booking> = Vec::new();
        for (id, title, starts_at, ends_at, place, cancelled, lecturer) in rows {
            match out.last_mut() {
                Some(b) if b.session_id == Some(id) => b.lecturer_ids.extend(lecturer),
                _ => out.push(Booking {
                    session_id: Some(id),
                    title,
                    starts_at: Timestamp(starts_at),
                    ends_at: Timestamp(ends_at),
                    lecturer_ids: lecturer.into_iter().collect(),
                    place,
                    cancelled,
                }),
            }
        }
        Ok(out)
    }

    #[tracing::instrument(skip_all)]
    async fn lecturers(&self) -> RepoResult<Vec<(i64, String)>> {
        Ok(sqlx::query_as(
            "select p.id, p.name from people p join accounts a on a.person_id = p.id \
             join account_roles r on r.account_id = a.id \
             where r.role = 'lecturer' and a.disabled = false order by p.name, p.id",
        )
        .fetch_all(&self.read)
        .await?)
    }

    #[tracing::instrument(skip_all)]
    async fn sessions_between(
        &self,
        from: Timestamp,
        to: Timestamp,
        limit: usize,
    ) -> RepoResult<Vec<SessionSummary>> {
        let sql = format!(
            "{SESSION_COLUMNS} where s.starts_at >= $1 and s.starts_at < $2 \
             order by s.starts_at, s.id, sl.position"
        );
        let rows = sqlx::query_as::<_, SessionRow>(&sql)
            .bind(from.0)
            .bind(to.0)
            .fetch_all(&self.read)
            .await?;
        let mut sessions = fold_sessions(rows)?;
        sessions.truncate(limit);
        Ok(sessions)
    }

    #[tracing::instrument(skip_all)]
    async fn member(&self, person_id: i64) -> RepoResult<Option<Member>> {
        let row: Option<(i64, Option<i64>, Option<i64>, Option<i64>)> = sqlx::query_as(
            "select p.id, p.tier_id, p.community_id, c.subdistrict_id from people p \
             left join communities c on c.id = p.community_id where p.id = $1",
        )
        .bind(person_id)
        .fetch_optional(&self.read)
        .await?;
        Ok(row.map(
            |(person_id, tier_id, community_id, subdistrict_id)| Member {
                person_id,
                tier_id,
                community_id,
                subdistrict_id,
            },
        ))
    }

    #[tracing::instrument(skip_all)]
    async fn sessions_for_member(
        &self,
        member: &Member,
        from: Timestamp,
        to: Timestamp,
        limit: usize,
    ) -> RepoResult<Vec<SessionSummary>> {
        let sql = format!(
            "{SESSION_COLUMNS} where s.starts_at >= $1 and s.starts_at < $2 and {} \
             order by s.starts_at, s.id, sl.position",
            in_audience("$3", "$4", "$5")
        );
        let rows = sqlx::query_as::<_, SessionRow>(&sql)
            .bind(from.0)
            .bind(to.0)
            .bind(member.tier_id)
            .bind(member.community_id)
            .bind(member.person_id)
            .fetch_all(&self.read)
            .await?;
        let mut sessions = fold_sessions(rows)?;
        sessions.truncate(limit);
        Ok(sessions)
    }

    #[tracing::instrument(skip_all)]
    async fn cancel_session(
        &self,
        id: i64,
        reason: &str,
        now: Timestamp,
        channels: &ChannelsOn,
    ) -> RepoResult<bool> {
        let mut tx = self.begin_write().await?;
        let before: Option<(String, i64, bool)> =
            sqlx::query_as("select title, starts_at, cancelled from sessions where id = $1")
                .bind(id)
                .fetch_optional(&mut *tx)
                .await?;
        let Some((title, starts_at, was_cancelled)) = before else {
            return Ok(false);
        };
        sqlx::query(
            "update sessions set cancelled = true, cancel_reason = $1, updated_at = $2, \
             revision = revision + 1 \
             where id = $3",
        )
        .bind(reason)
        .bind(now.0)
        .bind(id)
        .execute(&mut *tx)
        .await?;
        if !was_cancelled {
            let notice = Notice::SessionCancelled {
                session_id: id,
                title,
                starts_at,
                reason: reason.to_string(),
            };
            super::messages_sql::post_notice(
                &mut tx,
                &notice,
                Recipients::Session(id),
                channels,
                now,
            )
            .await?;
        }
        tx.commit().await?;
        Ok(true)
    }

    #[tracing::instrument(skip_all)]
    async fn calendar_event(&self, session_id: i64) -> RepoResult<Option<CalendarEvent>> {
        let row: Option<EventRow> = sqlx::query_as(&format!("{EVENT_COLUMNS} where s.id = $1"))
            .bind(session_id)
            .fetch_optional(&self.read)
            .await?;
        Ok(row.map(CalendarEvent::from))
    }

    #[tracing::instrument(skip_all)]
    async fn relation_to_session(
        &self,
        session_id: i64,
        member: &Member,
    ) -> RepoResult<(bool, bool)> {
        let sql = format!(
            "select {}, exists (select 1 from session_lecturers l \
             where l.session_id = s.id and l.person_id = $4) \
             from sessions s where s.id = $1",
            in_audience("$2", "$3", "$4")
        );
        let row: Option<(bool, bool)> = sqlx::query_as(&sql)
            .bind(session_id)
            .bind(member.tier_id)
            .bind(member.community_id)
            .bind(member.person_id)
            .fetch_optional(&self.read)
            .await?;
        Ok(row.unwrap_or((false, false)))
    }

    #[tracing::instrument(skip_all)]
    async fn latest_session_before(&self, before: Timestamp) -> RepoResult<Option<SessionSummary>> {
        let sql = format!(
            "{SESSION_COLUMNS} where s.id = (select id from sessions \
             where starts_at < $1 and cancelled = false \
             order by starts_at desc, id desc limit 1) \
             order by sl.position"
        );
        let rows = sqlx::query_as::<_, SessionRow>(&sql)
            .bind(before.0)
            .fetch_all(&self.read)
            .await?;
        Ok(fold_sessions(rows)?.pop())
    }

    #[tracing::instrument(skip_all)]
    async fn lectures_of(
        &self,
        person_id: i64,
        now: Timestamp,
        limit: i64,
    ) -> RepoResult<Lectures> {
        let (upcoming_total, past_total): (i64, i64) = sqlx::query_as(
            "select cast(coalesce(sum(case when s.ends_at > $2 then 1 else 0 end), 0) as bigint), \
             cast(coalesce(sum(case when s.ends_at <= $2 then 1 else 0 end), 0) as bigint) \
             from session_lecturers l join sessions s on s.id = l.session_id \
             where l.person_id = $1",
        )
        .bind(person_id)
        .bind(now.0)
        .fetch_one(&self.read)
        .await?;
        let window = |ended: bool| {
            let (side, order) = if ended { ("<=", "desc") } else { (">", "asc") };
            format!(
                "{SESSION_COLUMNS} where s.id in (select l.session_id from session_lecturers l \
                 join sessions w on w.id = l.session_id where l.person_id = $1 \
                 and w.ends_at {side} $2 order by w.starts_at {order}, w.id {order} limit $3) \
                 order by s.starts_at {order}, s.id {order}, sl.position"
            )
        };
        let mut sides = Vec::with_capacity(2);
        for ended in [false, true] {
            let rows = sqlx::query_as::<_, SessionRow>(&window(ended))
                .bind(person_id)
                .bind(now.0)
                .bind(limit)
                .fetch_all(&self.read)
                .await?;
            sides.push(fold_sessions(rows)?);
        }
        let past = sides.pop().unwrap_or_default();
        let upcoming = sides.pop().unwrap_or_default();
        Ok(Lectures {
            upcoming,
            upcoming_total,
            past,
            past_total,
        })
    }

    #[tracing::instrument(skip_all)]
    async fn record_attendance(&self, rows: &[AttendanceRecord], now: Timestamp) -> RepoResult<()> {
        let mut tx = self.write.begin().await?;
        for r in rows {
            sqlx::query(
                "insert into attendance (session_id, person_id, status, checked_in_at, created_at) \
                 values ($1, $2, $3, $4, $5) \
                 on conflict (session_id, person_id) do update \
                 set status = excluded.status, checked_in_at = excluded.checked_in_at",
            )
            .bind(r.session_id)
            .bind(r.person_id)
            .bind(r.status.as_str())
            .bind(r.checked_in_at.map(|t| t.0))
            .bind(now.0)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }
}
