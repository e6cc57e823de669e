//! The second half of the database seam: looking sessions up for lists, calendars and
//! feeds, editing them, calendar-feed secrets and programme settings. `sql_planning!(Db)`
//! implements [`Planning`] for `SqlRepository<Db>` from one SQL text, like `sql_repository!`.
use async_trait::async_trait;

use super::NewSession;
use super::RepoResult;
use crate::domain::Timestamp;
use crate::domain::audience::{Audience, Member};
use crate::domain::ical::CalendarEvent;
use crate::domain::listing::{PAGE_SIZE, SessionFilter, When};
use crate::domain::schedule::SessionSummary;
use crate::domain::series_edit::Occurrence;

/// Everything stored about one session.
#[derive(Clone, Debug, PartialEq)]
pub struct SessionDetail {
    pub summary: SessionSummary,
    pub series: String,
    pub theme_id: i64,
    /// In the order they are listed.
    pub lecturer_ids: Vec<i64>,
    pub audience: Audience,
    pub capacity: Option<i64>,
    pub hours_overridden: bool,
    pub description_md: String,
    pub cancel_reason: Option<String>,
    pub clash_override_reason: Option<String>,
    /// The id shared by the sessions of a weekly series.
    pub repeat_group: Option<i64>,
}

/// Whose sessions a lookup returns.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    /// Every session: organisers.
    All,
    /// Sessions whose audience includes the person (when `audience`) or that they lecture
    /// at (when `lectures`).
    Person {
        member: Member,
        audience: bool,
        lectures: bool,
    },
}

/// A session list's page: `more` says whether another page follows.
#[derive(Clone, Debug, PartialEq)]
pub struct SessionPage {
    pub sessions: Vec<SessionSummary>,
    pub more: bool,
}

/// A cadre found by name, for naming people in an audience.
#[derive(Clone, Debug, PartialEq)]
pub struct PersonHit {
    pub id: i64,
    pub name: String,
    pub community: String,
}

#[async_trait]
pub trait Planning: Send + Sync {
    async fn session_detail(&self, id: i64) -> RepoResult<Option<SessionDetail>>;
    /// The sessions of a weekly series, earliest first.
    async fn series_occurrences(&self, repeat_group: i64) -> RepoResult<Vec<Occurrence>>;
    /// Rewrites each session (its lecturers and audience too) in one transaction and bumps
    /// its revision. `false`, with nothing written, when a session does not exist.
    async fn update_sessions(
        &self,
        changes: &[(i64, NewSession)],
        now: Timestamp,
    ) -> RepoResult<bool>;
    /// One page of the filtered list, as seen by `scope`, at `now`.
    async fn find_sessions(
        &self,
        scope: Scope,
        filter: &SessionFilter,
        now: Timestamp,
    ) -> RepoResult<SessionPage>;
    /// Sessions starting in `[from, to)` seen by `scope`, earliest first, at most `limit`.
    async fn sessions_in(
        &self,
        scope: Scope,
        from: Timestamp,
        to: Timestamp,
        limit: usize,
    ) -> RepoResult<Vec<SessionSummary>>;
    /// The same sessions as calendar events.
    async fn calendar_events(
        &self,
        scope: Scope,
        from: Timestamp,
        to: Timestamp,
    ) -> RepoResult<Vec<CalendarEvent>>;

    /// Replaces the account's feed secret (the old address stops working).
    async fn set_calendar_feed(
        &self,
        account_id: i64,
        token_hash: &str,
        now: Timestamp,
    ) -> RepoResult<()>;
    /// `false` when there was no feed.
    async fn delete_calendar_feed(&self, account_id: i64) -> RepoResult<bool>;
    /// When the account's feed address was made, if it has one.
    async fn calendar_feed_since(&self, account_id: i64) -> RepoResult<Option<Timestamp>>;
    /// The enabled account whose feed secret hashes to `token_hash`.
    async fn calendar_feed_account(&self, token_hash: &str) -> RepoResult<Option<i64>>;

    async fn setting(&self, key: &str) -> RepoResult<Option<String>>;
    async fn set_setting(&self, key: &str, value: &str, now: Timestamp) -> RepoResult<()>;

    /// Cadres whose name contains `query`, at most `limit`.
    async fn search_people(&self, query: &str, limit: usize) -> RepoResult<Vec<PersonHit>>;
    /// Names of the given people, in id order.
    async fn people_names(&self, ids: &[i64]) -> RepoResult<Vec<(i64, String)>>;
}

/// A value bound to a numbered placeholder.
#[derive(Clone, Debug)]
pub(super) enum Arg {
    Int(Option<i64>),
    Text(String),
}

/// SQL text with its arguments, numbering placeholders as they are added.
#[derive(Default)]
pub(super) struct Sql {
    pub text: String,
    pub args: Vec<Arg>,
}

impl Sql {
    /// Adds an argument and returns its placeholder.
    pub fn arg(&mut self, arg: Arg) -> String {
        self.args.push(arg);
        format!("${}", self.args.len())
    }

    pub fn int(&mut self, v: i64) -> String {
        self.arg(Arg::Int(Some(v)))
    }

    /// Appends ` and <condition>` to a where clause that already has a first term.
    pub fn and(&mut self, condition: &str) {
        self.text.push_str(" and ");
        self.text.push_str(condition);
    }

    /// Limits `s` to what `scope` may see.
    pub fn scope(&mut self, scope: Scope) {
        let Scope::Person {
            member,
            audience,
            lectures,
        } = scope
        else {
            return;
        };
        let mut terms = Vec::new();
        let person = self.int(member.person_id);
        if audience {
            let tier = self.arg(Arg::Int(member.tier_id));
            let community = self.arg(Arg::Int(member.community_id));
            terms.push(super::shared::in_audience(&tier, &community, &person));
        }
        if lectures {
            terms.push(format!(
                "exists (select 1 from session_lecturers l \
                 where l.session_id = s.id and l.person_id = {person})"
            ));
        }
        if terms.is_empty() {
            terms.push("false".into());
        }
        self.and(&format!("({})", terms.join(" or ")));
    }

    /// The list filter's conditions.
    pub fn filter(&mut self, filter: &SessionFilter, now: Timestamp) {
        let now = self.int(now.0);
        match filter.when {
            When::Upcoming => self.and(&format!("s.ends_at > {now}")),
            When::Past => self.and(&format!("s.ends_at <= {now}")),
        }
        if let Some(theme) = filter.theme_id {
            let p = self.int(theme);
            self.and(&format!("s.theme_id = {p}"));
        }
        if let Some(format) = filter.format {
            let p = self.arg(Arg::Text(format.as_str().to_string()));
            self.and(&format!("s.format = {p}"));
        }
        if let Some(lecturer) = filter.lecturer_id {
            let p = self.int(lecturer);
            self.and(&format!(
                "exists (select 1 from session_lecturers fl \
                 where fl.session_id = s.id and fl.person_id = {p})"
            ));
        }
        for (kind, id) in [("community", filter.community_id), ("tier", filter.tier_id)] {
            if let Some(id) = id {
                let p = self.int(id);
                self.and(&format!(
                    "(s.audience = 'everyone' or exists (select 1 from session_audience fa \
                     where fa.session_id = s.id and fa.kind = '{kind}' and fa.ref_id = {p}))"
                ));
            }
        }
    }
}

/// The `limit` of a list page: one more than shown, to learn whether a next page exists.
pub(super) fn page_window(filter: &SessionFilter) -> (i64, i64) {
    let size = PAGE_SIZE as i64;
    (size + 1, i64::from(filter.page) * size)
}

/// `%query%` for `like ... escape '\'`, with the pattern characters escaped.
pub(super) fn like_pattern(query: &str) -> String {
    let mut out = String::from("%");
    for c in query.trim().chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('%');
    out
}

macro_rules! sql_planning {
    ($db:ty) => {
        mod planning_sql {
        use super::*;
        use $crate::ssr::db::planning::*;
        use $crate::domain::Timestamp;
        use $crate::domain::audience::Audience;
        use $crate::domain::ical::CalendarEvent;
        use $crate::domain::listing::{PAGE_SIZE, SessionFilter, When};
        use $crate::domain::schedule::SessionSummary;
        use $crate::domain::series_edit::Occurrence;

        impl $crate::ssr::db::shared::SqlRepository<$db> {
            async fn fetch_summaries(&self, sql: $crate::ssr::db::planning::Sql) -> RepoResult<Vec<SessionSummary>> {
                let query = Self::bind_args(sqlx::query_as::<_, SessionRow>(&sql.text), sql.args);
                fold_sessions(query.fetch_all(&self.read).await?)
            }

            /// Binds a [`Sql`]'s arguments to its placeholders, in order.
            pub(super) fn bind_args<'q, O>(
                mut query: sqlx::query::QueryAs<'q, $db, O, <$db as sqlx::Database>::Arguments<'q>>,
                args: Vec<Arg>,
            ) -> sqlx::query::QueryAs<'q, $db, O, <$db as sqlx::Database>::Arguments<'q>> {
                for arg in args {
                    query = match arg {
                        Arg::Int(v) => query.bind(v),
                        Arg::Text(v) => query.bind(v),
                    };
                }
                query
            }
        }

        #[async_trait::async_trait]
        impl $crate::ssr::db::planning::Planning for $crate::ssr::db::shared::SqlRepository<$db> {
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
                let row: (String, i64, String, Option<i64>, bool, String, Option<String>, Option<String>, Option<i64>) =
                    sqlx::query_as(
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
                let audience = if row.2 == "everyone" {
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
                        chosen.iter().filter(|(k, _)| k == kind).map(|(_, id)| *id).collect::<Vec<_>>()
                    };
                    Audience::Chosen { tiers: of("tier"), communities: of("community"), people: of("person") }
                };
                Ok(Some(SessionDetail {
                    summary,
                    series: row.0,
                    theme_id: row.1,
                    lecturer_ids,
                    audience,
                    capacity: row.3,
                    hours_overridden: row.4,
                    description_md: row.5,
                    cancel_reason: row.6,
                    clash_override_reason: row.7,
                    repeat_group: row.8,
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
            async fn update_sessions(&self, changes: &[(i64, NewSession)], now: Timestamp) -> RepoResult<bool> {
                let mut tx = self.write.begin().await?;
                for (id, new) in changes {
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
                let order = match filter.when {
                    When::Upcoming => "s.starts_at, s.id",
                    When::Past => "s.starts_at desc, s.id desc",
                };
                let mut sql = Sql::default();
                sql.text = "select s.id from sessions s where true".into();
                sql.scope(scope);
                sql.filter(filter, now);
                let (limit, offset) = page_window(filter);
                let (limit, offset) = (sql.int(limit), sql.int(offset));
                sql.text = format!(
                    "{SESSION_COLUMNS} where s.id in ({} order by {order} limit {limit} offset {offset}) \
                     order by {order}, sl.position",
                    sql.text
                );
                let mut sessions = self.fetch_summaries(sql).await?;
                let more = sessions.len() > PAGE_SIZE;
                sessions.truncate(PAGE_SIZE);
                Ok(SessionPage { sessions, more })
            }

            #[tracing::instrument(skip_all)]
            async fn sessions_in(
                &self,
                scope: Scope,
                from: Timestamp,
                to: Timestamp,
                limit: usize,
            ) -> RepoResult<Vec<SessionSummary>> {
                let mut sql = Sql::default();
                let (from, to) = (sql.int(from.0), sql.int(to.0));
                sql.text = format!("select s.id from sessions s where s.starts_at >= {from} and s.starts_at < {to}");
                sql.scope(scope);
                let limit = sql.int(limit as i64);
                sql.text = format!(
                    "{SESSION_COLUMNS} where s.id in ({} order by s.starts_at, s.id limit {limit}) \
                     order by s.starts_at, s.id, sl.position",
                    sql.text
                );
                self.fetch_summaries(sql).await
            }

            #[tracing::instrument(skip_all)]
            async fn calendar_events(
                &self,
                scope: Scope,
                from: Timestamp,
                to: Timestamp,
            ) -> RepoResult<Vec<CalendarEvent>> {
                let mut sql = Sql::default();
                let (from, to) = (sql.int(from.0), sql.int(to.0));
                sql.text = format!(
                    "select s.id, s.title, s.description_md, s.place, s.starts_at, s.ends_at, \
                     s.cancelled, s.updated_at, s.revision from sessions s \
                     where s.starts_at >= {from} and s.starts_at < {to}"
                );
                sql.scope(scope);
                sql.text.push_str(" order by s.starts_at, s.id");
                let query = Self::bind_args(
                    sqlx::query_as::<_, (i64, String, String, String, i64, i64, bool, i64, i64)>(&sql.text),
                    sql.args,
                );
                Ok(query
                    .fetch_all(&self.read)
                    .await?
                    .into_iter()
                    .map(|(session_id, title, description, place, s, e, cancelled, updated, revision)| CalendarEvent {
                        session_id,
                        title,
                        description,
                        place,
                        starts_at: Timestamp(s),
                        ends_at: Timestamp(e),
                        cancelled,
                        updated_at: Timestamp(updated),
                        revision,
                    })
                    .collect())
            }

            #[tracing::instrument(skip_all)]
            async fn set_calendar_feed(&self, account_id: i64, token_hash: &str, now: Timestamp) -> RepoResult<()> {
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
                Ok(sqlx::query_scalar("select value from settings where key = $1")
                    .bind(key)
                    .fetch_optional(&self.read)
                    .await?)
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
            async fn search_people(&self, query: &str, limit: usize) -> RepoResult<Vec<PersonHit>> {
                let rows: Vec<(i64, String, Option<String>)> = sqlx::query_as(
                    "select p.id, p.name, c.name from people p \
                     left join communities c on c.id = p.community_id \
                     where p.tier_id is not null and lower(p.name) like lower($1) escape '\\' \
                     order by p.name, p.id limit $2",
                )
                .bind(like_pattern(query))
                .bind(limit as i64)
                .fetch_all(&self.read)
                .await?;
                Ok(rows
                    .into_iter()
                    .map(|(id, name, community)| PersonHit { id, name, community: community.unwrap_or_default() })
                    .collect())
            }

            #[tracing::instrument(skip_all)]
            async fn people_names(&self, ids: &[i64]) -> RepoResult<Vec<(i64, String)>> {
                if ids.is_empty() {
                    return Ok(Vec::new());
                }
                let sql = format!(
                    "select id, name from people where id in ({}) order by id",
                    placeholders(1, ids.len())
                );
                let mut query = sqlx::query_as::<_, (i64, String)>(&sql);
                for id in ids {
                    query = query.bind(*id);
                }
                Ok(query.fetch_all(&self.read).await?)
            }
        }
        }
    };
}

pub(crate) use sql_planning;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn like_patterns_escape_wildcards() {
        assert_eq!(like_pattern(" 王 "), "%王%");
        assert_eq!(like_pattern("50%_a\\"), "%50\\%\\_a\\\\%");
    }

    #[test]
    fn scopes_number_their_placeholders_in_order() {
        let mut sql = Sql {
            text: "select s.id from sessions s where true".into(),
            ..Default::default()
        };
        let member = Member {
            person_id: 7,
            tier_id: Some(2),
            community_id: None,
        };
        sql.scope(Scope::Person {
            member,
            audience: true,
            lectures: true,
        });
        assert_eq!(sql.args.len(), 3);
        assert!(sql.text.contains("l.person_id = $1"));
        sql.filter(
            &SessionFilter {
                tier_id: Some(2),
                ..Default::default()
            },
            Timestamp(0),
        );
        assert!(sql.text.contains("s.ends_at > $4") && sql.text.contains("fa.ref_id = $5"));
        let mut all = Sql::default();
        all.scope(Scope::All);
        assert!(all.text.is_empty() && all.args.is_empty());
    }
}
