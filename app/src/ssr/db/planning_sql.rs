//! Compiled once per backend (`#[path]` in `sqlite.rs` and `postgres.rs`, with `Db` the
//! backend there): one SQL text for both.
use super::*;
use crate::domain::org::Reach;

use crate::domain::Timestamp;
use crate::domain::audience::Audience;
use crate::domain::ical::CalendarEvent;
use crate::domain::listing::{PAGE_SIZE, SessionFilter, When};
use crate::domain::messages::{ChannelsOn, SessionFacts, change_notice};
use crate::domain::schedule::SessionSummary;
use crate::domain::series_edit::Occurrence;
use crate::ssr::db::clauses;
use crate::ssr::db::planning::*;

impl SqlRepository<Db> {
    async fn fetch_summaries(
        &self,
        mut sql: sqlx::QueryBuilder<'_, Db>,
    ) -> RepoResult<Vec<SessionSummary>> {
        fold_sessions(sql.build_query_as().fetch_all(&self.read).await?)
    }
}

#[async_trait::async_trait]
impl crate::ssr::db::planning::Planning for SqlRepository<Db> {
    #[tracing::instrument(skip_all)]
    async fn session_detail(&self, id: i64) -> RepoResult<Option<SessionDetail>> {
        let sql = format!("{SESSION_COLUMNS} where s.id = $1 order by sl.position");
        let rows = sqlx::query_as::<_, SessionRow>(&sql)
            .bind(id)
            .fetch_all(&self.read)
            .await?;
        let Some(summary) = fold_sessions(rows)?.pop() else {
            return Ok(None);
        };
        #[derive(sqlx::FromRow)]
        struct Row {
            series: String,
            theme_id: i64,
            audience: String,
            capacity: Option<i64>,
            hours_overridden: bool,
            description_md: String,
            cancel_reason: Option<String>,
            clash_override_reason: Option<String>,
            repeat_group: Option<i64>,
        }
        let row: Row = sqlx::query_as(
            "select series, theme_id, audience, capacity, hours_overridden, description_md, \
                 cancel_reason, clash_override_reason, repeat_group from sessions where id = $1",
        )
        .bind(id)
        .fetch_one(&self.read)
        .await?;
        let lecturer_ids: Vec<i64> = sqlx::query_scalar(
            "select person_id from session_lecturers where session_id = $1 order by position",
        )
        .bind(id)
        .fetch_all(&self.read)
        .await?;
        let audience = if row.audience == "everyone" {
            Audience::Everyone
        } else {
            let chosen: Vec<(String, i64)> = sqlx::query_as(
                "select kind, ref_id from session_audience where session_id = $1 \
                 order by kind, ref_id",
            )
            .bind(id)
            .fetch_all(&self.read)
            .await?;
            let of = |kind: &str| {
                chosen
                    .iter()
                    .filter(|(k, _)| k == kind)
                    .map(|(_, id)| *id)
                    .collect::<Vec<_>>()
            };
            Audience::Chosen {
                tiers: of("tier"),
                communities: of("community"),
                people: of("person"),
            }
        };
        Ok(Some(SessionDetail {
            summary,
            series: row.series,
            theme_id: row.theme_id,
            lecturer_ids,
            audience,
            capacity: row.capacity,
            hours_overridden: row.hours_overridden,
            description_md: row.description_md,
            cancel_reason: row.cancel_reason,
            clash_override_reason: row.clash_override_reason,
            repeat_group: row.repeat_group,
        }))
    }

    #[tracing::instrument(skip_all)]
    async fn series_occurrences(&self, repeat_group: i64) -> RepoResult<Vec<Occurrence>> {
        let rows: Vec<(i64, i64, i64, bool)> = sqlx::query_as(
            "select id, starts_at, ends_at, cancelled from sessions where repeat_group = $1 \
             order by starts_at, id",
        )
        .bind(repeat_group)
        .fetch_all(&self.read)
        .await?;
        Ok(rows
            .into_iter()
            .map(|(id, s, e, cancelled)| Occurrence {
                id,
                starts_at: Timestamp(s),
                ends_at: Timestamp(e),
                cancelled,
            })
            .collect())
    }

    #[tracing::instrument(skip_all)]
    async fn update_sessions(
        &self,
        changes: &[(i64, NewSession)],
        now: Timestamp,
        channels: &ChannelsOn,
    ) -> RepoResult<bool> {
        let mut tx = self.begin_write().await?;
        for (id, new) in changes {
            let before: Option<(String, i64, i64, String, bool)> = sqlx::query_as(
                "select title, starts_at, ends_at, place, cancelled from sessions where id = $1",
            )
            .bind(id)
            .fetch_optional(&mut *tx)
            .await?;
            let Some((title, starts_at, ends_at, place, cancelled)) = before else {
                return Ok(false);
            };
            let before = SessionFacts {
                title,
                starts_at: Timestamp(starts_at),
                ends_at: Timestamp(ends_at),
                place,
            };
            let done = sqlx::query(
                "update sessions set title = $1, theme_id = $2, format = $3, starts_at = $4, \
                 ends_at = $5, place = $6, description_md = $7, audience = $8, study_hours = $9, \
                 hours_overridden = $10, capacity = $11, \
                 clash_override_reason = coalesce($12, clash_override_reason), \
                 updated_at = $13, revision = revision + 1 where id = $14",
            )
            .bind(&new.title)
            .bind(new.theme_id)
            .bind(new.format.as_str())
            .bind(new.starts_at.0)
            .bind(new.ends_at.0)
            .bind(&new.place)
            .bind(&new.description_md)
            .bind(match new.audience {
                Audience::Everyone => "everyone",
                Audience::Chosen { .. } => "chosen",
            })
            .bind(new.study_hours.0)
            .bind(new.hours_overridden)
            .bind(new.capacity)
            .bind(new.clash_override_reason.as_deref())
            .bind(now.0)
            .bind(id)
            .execute(&mut *tx)
            .await?;
            if done.rows_affected() == 0 {
                return Ok(false);
            }
            sqlx::query("delete from session_audience where session_id = $1")
                .bind(id)
                .execute(&mut *tx)
                .await?;
            sqlx::query("delete from session_lecturers where session_id = $1")
                .bind(id)
                .execute(&mut *tx)
                .await?;
            Self::insert_audience_and_lecturers(&mut tx, *id, new).await?;
            let after = SessionFacts {
                title: new.title.clone(),
                starts_at: new.starts_at,
                ends_at: new.ends_at,
                place: new.place.clone(),
            };
            // The new audience hears of it; nobody hears of a cancelled session moving.
            if let Some(notice) = change_notice(*id, &before, &after).filter(|_| !cancelled) {
                super::messages_sql::post_notice(
                    &mut tx,
                    &notice,
                    crate::ssr::db::Recipients::Session(*id),
                    channels,
                    now,
                )
                .await?;
            }
        }
        tx.commit().await?;
        Ok(true)
    }

    #[tracing::instrument(skip_all)]
    async fn find_sessions(
        &self,
        scope: Scope,
        filter: &SessionFilter,
        now: Timestamp,
    ) -> RepoResult<SessionPage> {
        let sql = find_sessions_query("", &scope, filter, now);
        let mut sessions = self.fetch_summaries(sql).await?;
        let more = sessions.len() > PAGE_SIZE;
        sessions.truncate(PAGE_SIZE);
        Ok(SessionPage { sessions, more })
    }

    async fn find_sessions_plan(
        &self,
        scope: Scope,
        filter: &SessionFilter,
        now: Timestamp,
    ) -> RepoResult<Vec<PlanStep>> {
        self.plan_of(find_sessions_query(Self::EXPLAIN, &scope, filter, now))
            .await
    }

    #[tracing::instrument(skip_all)]
    async fn sessions_in(
        &self,
        scope: Scope,
        from: Timestamp,
        to: Timestamp,
        limit: usize,
    ) -> RepoResult<Vec<SessionSummary>> {
        let mut sql = sqlx::QueryBuilder::new(format!(
            "{SESSION_COLUMNS} where s.id in (select s.id from sessions s where s.starts_at >= "
        ));
        sql.push_bind(from.0)
            .push(" and s.starts_at < ")
            .push_bind(to.0);
        clauses::scope(&mut sql, &scope);
        sql.push(" order by s.starts_at, s.id limit ")
            .push_bind(limit as i64)
            .push(") order by s.starts_at, s.id, sl.position");
        self.fetch_summaries(sql).await
    }

    #[tracing::instrument(skip_all)]
    async fn calendar_events(
        &self,
        scope: Scope,
        from: Timestamp,
        to: Timestamp,
    ) -> RepoResult<Vec<CalendarEvent>> {
        let mut sql = sqlx::QueryBuilder::new(format!("{EVENT_COLUMNS} where s.starts_at >= "));
        sql.push_bind(from.0)
            .push(" and s.starts_at < ")
            .push_bind(to.0);
        clauses::scope(&mut sql, &scope);
        sql.push(" order by s.starts_at, s.id");
        Ok(sql
            .build_query_as::<EventRow>()
            .fetch_all(&self.read)
            .await?
            .into_iter()
            .map(CalendarEvent::from)
            .collect())
    }

    #[tracing::instrument(skip_all)]
    async fn set_calendar_feed(
        &self,
        account_id: i64,
        token_hash: &str,
        now: Timestamp,
    ) -> RepoResult<()> {
        sqlx::query(
            "insert into calendar_feeds (account_id, token_hash, created_at) values ($1, $2, $3) \
             on conflict (account_id) do update \
             set token_hash = excluded.token_hash, created_at = excluded.created_at",
        )
        .bind(account_id)
        .bind(token_hash)
        .bind(now.0)
        .execute(&self.write)
        .await?;
        Ok(())
    }

    #[tracing::instrument(skip_all)]
    async fn delete_calendar_feed(&self, account_id: i64) -> RepoResult<bool> {
        let done = sqlx::query("delete from calendar_feeds where account_id = $1")
            .bind(account_id)
            .execute(&self.write)
            .await?;
        Ok(done.rows_affected() > 0)
    }

    #[tracing::instrument(skip_all)]
    async fn calendar_feed_since(&self, account_id: i64) -> RepoResult<Option<Timestamp>> {
        let at: Option<i64> =
            sqlx::query_scalar("select created_at from calendar_feeds where account_id = $1")
                .bind(account_id)
                .fetch_optional(&self.read)
                .await?;
        Ok(at.map(Timestamp))
    }

    #[tracing::instrument(skip_all)]
    async fn calendar_alarm(&self, account_id: i64) -> RepoResult<Option<i64>> {
        Ok(
            sqlx::query_scalar("select minutes from calendar_alarms where account_id = $1")
                .bind(account_id)
                .fetch_optional(&self.read)
                .await?,
        )
    }

    #[tracing::instrument(skip_all)]
    async fn set_calendar_alarm(&self, account_id: i64, minutes: i64) -> RepoResult<()> {
        sqlx::query(
            "insert into calendar_alarms (account_id, minutes) values ($1, $2) \
             on conflict (account_id) do update set minutes = excluded.minutes",
        )
        .bind(account_id)
        .bind(minutes)
        .execute(&self.write)
        .await?;
        Ok(())
    }

    #[tracing::instrument(skip_all)]
    async fn calendar_feed_account(&self, token_hash: &str) -> RepoResult<Option<i64>> {
        Ok(sqlx::query_scalar(
            "select f.account_id from calendar_feeds f join accounts a on a.id = f.account_id \
             where f.token_hash = $1 and a.disabled = false",
        )
        .bind(token_hash)
        .fetch_optional(&self.read)
        .await?)
    }

    #[tracing::instrument(skip_all)]
    async fn setting(&self, key: &str) -> RepoResult<Option<String>> {
        Ok(
            sqlx::query_scalar("select value from settings where key = $1")
                .bind(key)
                .fetch_optional(&self.read)
                .await?,
        )
    }

    #[tracing::instrument(skip_all)]
    async fn set_setting(&self, key: &str, value: &str, now: Timestamp) -> RepoResult<()> {
        sqlx::query(UPSERT_SETTING)
            .bind(key)
            .bind(value)
            .bind(now.0)
            .execute(&self.write)
            .await?;
        Ok(())
    }

    #[tracing::instrument(skip_all)]
    async fn search_people(
        &self,
        query: &str,
        limit: usize,
        reach: Option<&Reach>,
    ) -> RepoResult<Vec<PersonHit>> {
        let mut sql = sqlx::QueryBuilder::new(
            "select p.id, p.name, c.name from people p \
             left join communities c on c.id = p.community_id \
             where p.tier_id is not null and lower(p.name) like lower(",
        );
        sql.push_bind(like_pattern(query))
            .push(") escape '\\' and ");
        clauses::within(&mut sql, "p.community_id", reach);
        sql.push(" order by p.name, p.id limit ")
            .push_bind(limit as i64);
        let rows: Vec<(i64, String, Option<String>)> =
            sql.build_query_as().fetch_all(&self.read).await?;
        Ok(rows
            .into_iter()
            .map(|(id, name, community)| PersonHit {
                id,
                name,
                community: community.unwrap_or_default(),
            })
            .collect())
    }

    #[tracing::instrument(skip_all)]
    async fn people_names(&self, ids: &[i64]) -> RepoResult<Vec<(i64, String)>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let mut query = sqlx::QueryBuilder::<Db>::new("select id, name from people where id in ");
        clauses::in_list(&mut query, ids.iter().copied());
        query.push(" order by id");
        Ok(query
            .build_query_as::<(i64, String)>()
            .fetch_all(&self.read)
            .await?)
    }
}

/// One page of the session list (`filter`) within `scope`; `prefix` goes in front
/// (`EXPLAIN` for its plan).
fn find_sessions_query<'a>(
    prefix: &str,
    scope: &Scope,
    filter: &SessionFilter,
    now: Timestamp,
) -> sqlx::QueryBuilder<'a, Db> {
    let order = match filter.when {
        When::Upcoming => "s.starts_at, s.id",
        When::Past => "s.starts_at desc, s.id desc",
    };
    let mut sql = sqlx::QueryBuilder::new(format!(
        "{prefix}{SESSION_COLUMNS} where s.id in (select s.id from sessions s where true"
    ));
    clauses::scope(&mut sql, scope);
    clauses::filter(&mut sql, filter, now);
    let (limit, offset) = page_window(filter);
    sql.push(format_args!(" order by {order} limit "))
        .push_bind(limit)
        .push(" offset ")
        .push_bind(offset)
        .push(format_args!(") order by {order}, sl.position"));
    sql
}
