//! [`MessageStore`] for `SqlRepository<Db>`, and [`post_notice`] for the other stores'
//! transactions. Compiled once per backend (`#[path]` in `sqlite.rs` and `postgres.rs`, with
//! `Db` the backend there): one SQL text for both.
use async_trait::async_trait;

use super::{BACKEND, Db};
use crate::domain::Timestamp;
use crate::domain::messages::{Channel, ChannelsOn, Notice, Pushed, Warning};
use crate::ssr::db::clauses::{in_audience, in_list};
use crate::ssr::db::messages::*;
use crate::ssr::db::shared::SqlRepository;
use crate::ssr::db::{RepoError, RepoResult};

type Conn = <Db as sqlx::Database>::Connection;

fn notice_json(notice: &Notice) -> RepoResult<String> {
    serde_json::to_string(notice).map_err(|e| RepoError::BadValue(e.to_string(), "notices.body"))
}

fn notice_of(body: &str) -> RepoResult<Notice> {
    serde_json::from_str(body).map_err(|_| RepoError::BadValue(body.to_string(), "notices.body"))
}

/// Writes `notice` for `to` on `conn` (the caller's transaction): the notice, an inbox
/// line per person, and an outbox line per push through each channel switched on, to each
/// person with an address for it and, for notices about a session's time or place, to each
/// community of the people told. Returns the notice's id.
pub(super) async fn post_notice(
    conn: &mut Conn,
    notice: &Notice,
    to: Recipients,
    channels: &ChannelsOn,
    now: Timestamp,
) -> RepoResult<i64> {
    let (id,): (i64,) = sqlx::query_as(
        "insert into notices (body, mandatory, session_id, created_at) \
         values ($1, $2, $3, $4) returning id",
    )
    .bind(notice_json(notice)?)
    .bind(notice.mandatory())
    .bind(notice.session_id())
    .bind(now.0)
    .fetch_one(&mut *conn)
    .await?;
    match to {
        Recipients::Person(person_id) => {
            sqlx::query("insert into inbox (person_id, notice_id) values ($1, $2)")
                .bind(person_id)
                .bind(id)
                .execute(&mut *conn)
                .await?;
        }
        Recipients::Session(session_id) => {
            audience_inbox(conn, id, session_id, "", true).await?;
        }
        Recipients::Expected(session_id) => {
            audience_inbox(conn, id, session_id, NOT_ON_LEAVE, true).await?;
        }
        Recipients::NotCheckedIn(session_id) => {
            let absent = format!(
                "{NOT_ON_LEAVE} and not exists (select 1 from attendance x \
                 where x.session_id = s.id and x.person_id = p.id and x.status <> 'absent')"
            );
            audience_inbox(conn, id, session_id, &absent, false).await?;
        }
        Recipients::Announcement(announcement) => {
            // The cadres of its place, everyone or of the tiers and communities chosen; and
            // the people named, wherever they are.
            sqlx::query(
                "insert into inbox (person_id, notice_id) \
                 select p.id, $1 from announcements a join people p on (p.tier_id is not null \
                 and (a.subdistrict_id is null or p.community_id in \
                 (select c.id from communities c where c.subdistrict_id = a.subdistrict_id)) \
                 and (a.audience = 'everyone' or exists (select 1 from announcement_audience x \
                 where x.announcement_id = a.id and ((x.kind = 'tier' and x.ref_id = p.tier_id) \
                 or (x.kind = 'community' and x.ref_id = p.community_id))))) \
                 or exists (select 1 from announcement_audience n where n.announcement_id = a.id \
                 and n.kind = 'person' and n.ref_id = p.id) where a.id = $2",
            )
            .bind(id)
            .bind(announcement)
            .execute(&mut *conn)
            .await?;
        }
        Recipients::OrganisersOf(person_id) => {
            // Each organiser with the level of the grant that reaches the person: 1 their
            // community, 2 their subdistrict, 3 the district; the nearest level is told.
            sqlx::query(
                "with o as (select a.person_id, case u.kind when 'community' then 1 \
                 when 'subdistrict' then 2 else 3 end as level from accounts a \
                 join account_roles r on r.account_id = a.id and r.role = 'organiser' \
                 join organiser_units u on u.account_id = a.id \
                 join people p on p.id = $2 left join communities c on c.id = p.community_id \
                 where not a.disabled and a.person_id <> p.id \
                 and ((u.kind = 'community' and u.ref_id = c.id) \
                 or (u.kind = 'subdistrict' and u.ref_id = c.subdistrict_id) \
                 or u.kind = 'district')) \
                 insert into inbox (person_id, notice_id) \
                 select distinct person_id, $1 from o where level = (select min(level) from o)",
            )
            .bind(id)
            .bind(person_id)
            .execute(&mut *conn)
            .await?;
        }
        Recipients::UnreadOf(announcement) => {
            sqlx::query(
                "insert into inbox (person_id, notice_id) \
                 select i.person_id, $1 from announcements a \
                 join inbox i on i.notice_id = a.notice_id \
                 where a.id = $2 and i.read_at is null",
            )
            .bind(id)
            .bind(announcement)
            .execute(&mut *conn)
            .await?;
        }
    }
    for channel in channels.personal() {
        // Only people with an address for the channel: a phone for SMS, an e-mail address
        // they gave for e-mail.
        let (join, has_address) = match channel {
            Channel::Email => (
                "join message_prefs m on m.person_id = i.person_id",
                "m.email <> ''",
            ),
            _ => ("", "p.phone <> ''"),
        };
        let name = channel.as_str();
        sqlx::query(&format!(
            "insert into outbox (notice_id, person_id, channel, key, due_at) \
             select i.notice_id, i.person_id, '{name}', \
             'ns-' || i.notice_id || '-p' || i.person_id || '-{name}', $2 \
             from inbox i join people p on p.id = i.person_id {join} \
             where i.notice_id = $1 and {has_address}"
        ))
        .bind(id)
        .bind(now.0)
        .execute(&mut *conn)
        .await?;
    }
    if notice.to_groups() {
        for (channel, communities) in channels.group() {
            let name = channel.as_str();
            let mut query = sqlx::QueryBuilder::<Db>::new(format!(
                "insert into outbox (notice_id, community_id, channel, key, due_at) \
                 select distinct i.notice_id, p.community_id, '{name}', \
                 'ns-' || i.notice_id || '-c' || p.community_id || '-{name}', "
            ));
            query.push_bind(now.0);
            query.push(" from inbox i join people p on p.id = i.person_id where i.notice_id = ");
            query.push_bind(id);
            query.push(" and p.community_id in ");
            in_list(&mut query, communities.iter().copied());
            query.build().execute(&mut *conn).await?;
        }
    }
    Ok(id)
}

/// ` and …`: the cadre `p` has no approved leave for session `s`.
const NOT_ON_LEAVE: &str = " and not exists (select 1 from leave_requests lr \
     where lr.session_id = s.id and lr.person_id = p.id and lr.decision = 'approved')";

/// ` and …`: the cadre `p` was not withdrawn from session `s`'s series (专题班) before it.
const NOT_WITHDRAWN: &str = " and not exists (select 1 from series_withdrawals w \
     where w.series = s.series and w.person_id = p.id and w.withdrawn_at < s.starts_at)";

/// Inbox lines of notice `notice_id` for the cadres of session `session_id`'s audience that
/// meet `condition` (` and …` over `s` and `p`), and its lecturers when `lecturers`. Cadres
/// withdrawn from the session's special class are no longer its audience.
async fn audience_inbox(
    conn: &mut Conn,
    notice_id: i64,
    session_id: i64,
    condition: &str,
    lecturers: bool,
) -> RepoResult<()> {
    let lecturers = if lecturers {
        " union select l.person_id, $1 from session_lecturers l where l.session_id = $2"
    } else {
        ""
    };
    sqlx::query(&format!(
        "insert into inbox (person_id, notice_id) \
         select p.id, $1 from sessions s \
         join people p on p.tier_id is not null and {} where s.id = $2{condition}{NOT_WITHDRAWN}\
         {lecturers}",
        in_audience("p.tier_id", "p.community_id", "p.id")
    ))
    .bind(notice_id)
    .bind(session_id)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

#[derive(sqlx::FromRow)]
struct PushRow {
    id: i64,
    notice_id: i64,
    body: String,
    mandatory: bool,
    channel: String,
    key: String,
    attempts: i64,
    person_id: Option<i64>,
    phone: Option<String>,
    email: Option<String>,
    opt_out: Option<bool>,
    community_id: Option<i64>,
}

impl PushRow {
    fn into_push(self) -> RepoResult<Push> {
        let channel = Channel::parse(&self.channel)
            .ok_or_else(|| RepoError::BadValue(self.channel.clone(), "outbox.channel"))?;
        Ok(Push {
            id: self.id,
            notice_id: self.notice_id,
            notice: notice_of(&self.body)?,
            mandatory: self.mandatory,
            channel,
            key: self.key,
            attempts: self.attempts,
            person: self.person_id.map(|id| PushPerson {
                id,
                phone: self.phone.unwrap_or_default(),
                email: self.email.unwrap_or_default(),
                opted_out: self.opt_out.unwrap_or(false),
            }),
            community_id: self.community_id,
        })
    }
}

/// Row locks for claiming: PostgreSQL skips lines another server is claiming at the same
/// moment; SQLite has one writer, which already keeps two claims apart.
const SKIP_LOCKED: &str = if matches!(BACKEND.as_bytes(), b"postgres") {
    " for update skip locked"
} else {
    ""
};

#[async_trait]
impl MessageStore for SqlRepository<Db> {
    #[tracing::instrument(skip_all)]
    async fn post(
        &self,
        notice: &Notice,
        to: Recipients,
        channels: &ChannelsOn,
        now: Timestamp,
    ) -> RepoResult<i64> {
        let mut tx = self.begin_write().await?;
        let id = post_notice(&mut tx, notice, to, channels, now).await?;
        tx.commit().await?;
        Ok(id)
    }

    #[tracing::instrument(skip_all)]
    async fn inbox(&self, person_id: i64, limit: i64, offset: i64) -> RepoResult<Vec<InboxLine>> {
        let rows: Vec<(i64, String, i64, Option<i64>)> = sqlx::query_as(
            "select i.notice_id, n.body, n.created_at, i.read_at from inbox i \
             join notices n on n.id = i.notice_id where i.person_id = $1 \
             order by i.notice_id desc limit $2 offset $3",
        )
        .bind(person_id)
        .bind(limit)
        .bind(offset)
        .fetch_all(&self.read)
        .await?;
        rows.into_iter()
            .map(|(notice_id, body, created_at, read_at)| {
                Ok(InboxLine {
                    notice_id,
                    notice: notice_of(&body)?,
                    created_at: Timestamp(created_at),
                    read_at: read_at.map(Timestamp),
                })
            })
            .collect()
    }

    #[tracing::instrument(skip_all)]
    async fn unread_count(&self, person_id: i64) -> RepoResult<i64> {
        let (n,): (i64,) =
            sqlx::query_as("select count(*) from inbox where person_id = $1 and read_at is null")
                .bind(person_id)
                .fetch_one(&self.read)
                .await?;
        Ok(n)
    }

    #[tracing::instrument(skip_all)]
    async fn mark_notices_read(
        &self,
        person_id: i64,
        notice_id: Option<i64>,
        now: Timestamp,
    ) -> RepoResult<u64> {
        let one = if notice_id.is_some() {
            " and notice_id = $3"
        } else {
            ""
        };
        let sql =
            format!("update inbox set read_at = $1 where person_id = $2 and read_at is null{one}");
        let mut query = sqlx::query(&sql).bind(now.0).bind(person_id);
        if let Some(id) = notice_id {
            query = query.bind(id);
        }
        Ok(query.execute(&self.write).await?.rows_affected())
    }

    #[tracing::instrument(skip_all)]
    async fn message_prefs(&self, person_id: i64) -> RepoResult<MessagePrefs> {
        let row: Option<(bool, String)> =
            sqlx::query_as("select opt_out, email from message_prefs where person_id = $1")
                .bind(person_id)
                .fetch_optional(&self.read)
                .await?;
        Ok(row
            .map(|(opted_out, email)| MessagePrefs { opted_out, email })
            .unwrap_or_default())
    }

    #[tracing::instrument(skip_all)]
    async fn person_phone(&self, person_id: i64) -> RepoResult<String> {
        let phone: Option<(String,)> = sqlx::query_as("select phone from people where id = $1")
            .bind(person_id)
            .fetch_optional(&self.read)
            .await?;
        Ok(phone.map(|(p,)| p).unwrap_or_default())
    }

    #[tracing::instrument(skip_all)]
    async fn set_message_prefs(&self, person_id: i64, prefs: &MessagePrefs) -> RepoResult<()> {
        sqlx::query(
            "insert into message_prefs (person_id, opt_out, email) values ($1, $2, $3) \
             on conflict (person_id) do update set opt_out = excluded.opt_out, \
             email = excluded.email",
        )
        .bind(person_id)
        .bind(prefs.opted_out)
        .bind(&prefs.email)
        .execute(&self.write)
        .await?;
        Ok(())
    }

    #[tracing::instrument(skip_all)]
    async fn claim_pushes(
        &self,
        worker: &str,
        now: Timestamp,
        until: Timestamp,
        limit: i64,
    ) -> RepoResult<Vec<Push>> {
        let ids: Vec<(i64,)> = sqlx::query_as(&format!(
            "update outbox set claimed_by = $1, claimed_until = $2 where id in \
             (select id from outbox where state = 'pending' and due_at <= $3 \
             and (claimed_until is null or claimed_until < $3) \
             order by due_at, id limit $4{SKIP_LOCKED}) returning id"
        ))
        .bind(worker)
        .bind(until.0)
        .bind(now.0)
        .bind(limit)
        .fetch_all(&self.write)
        .await?;
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let mut query = sqlx::QueryBuilder::<Db>::new(
            "select o.id, o.notice_id, n.body, n.mandatory, o.channel, o.key, o.attempts, \
             o.person_id, p.phone, m.email, m.opt_out, o.community_id \
             from outbox o join notices n on n.id = o.notice_id \
             left join people p on p.id = o.person_id \
             left join message_prefs m on m.person_id = o.person_id where o.id in ",
        );
        in_list(&mut query, ids.iter().map(|(id,)| *id));
        query.push(" order by o.due_at, o.id");
        // Read from the writer: the claim was just made there.
        let rows: Vec<PushRow> = query.build_query_as().fetch_all(&self.write).await?;
        rows.into_iter().map(PushRow::into_push).collect()
    }

    #[tracing::instrument(skip_all)]
    async fn pushed(
        &self,
        person_id: i64,
        notice_id: i64,
        session_id: Option<i64>,
        week_start: Timestamp,
    ) -> RepoResult<Pushed> {
        let (week, session, this): (i64, i64, bool) = sqlx::query_as(
            "select \
             (select count(distinct o.notice_id) from outbox o where o.person_id = $1 \
              and o.state = 'sent' and o.sent_at >= $2), \
             (select count(distinct o.notice_id) from outbox o \
              join notices n on n.id = o.notice_id where o.person_id = $1 \
              and o.state = 'sent' and n.session_id = $3), \
             exists (select 1 from outbox o where o.person_id = $1 and o.notice_id = $4 \
              and o.state = 'sent')",
        )
        .bind(person_id)
        .bind(week_start.0)
        .bind(session_id)
        .bind(notice_id)
        .fetch_one(&self.write)
        .await?;
        Ok(Pushed {
            this_week: u32::try_from(week).unwrap_or(u32::MAX),
            this_session: u32::try_from(session).unwrap_or(u32::MAX),
            this_notice: this,
        })
    }

    #[tracing::instrument(skip_all)]
    async fn finish_push(
        &self,
        id: i64,
        worker: &str,
        end: &PushEnd,
        now: Timestamp,
    ) -> RepoResult<bool> {
        let mut tx = self.begin_write().await?;
        let (state, due_at, tried, error, attempt): (&str, Option<i64>, i64, Option<&str>, _) =
            match end {
                PushEnd::Sent { detail } => ("sent", None, 1, None, Some((true, detail))),
                PushEnd::Failed { detail, retry_at } => (
                    if retry_at.is_some() {
                        "pending"
                    } else {
                        "failed"
                    },
                    retry_at.map(|t| t.0),
                    1,
                    Some(detail.as_str()),
                    Some((false, detail)),
                ),
                PushEnd::Wait(until) => ("pending", Some(until.0), 0, None, None),
                PushEnd::Held => (
                    "held",
                    None,
                    0,
                    Some("held: over the budget or opted out"),
                    None,
                ),
            };
        let done = sqlx::query(
            "update outbox set state = $1, due_at = coalesce($2, due_at), \
             attempts = attempts + $3, last_error = coalesce($4, last_error), \
             sent_at = case when $1 = 'sent' then $5 else sent_at end, \
             claimed_by = null, claimed_until = null \
             where id = $6 and claimed_by = $7 and state = 'pending'",
        )
        .bind(state)
        .bind(due_at)
        .bind(tried)
        .bind(error)
        .bind(now.0)
        .bind(id)
        .bind(worker)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() == 0 {
            return Ok(false);
        }
        if let Some((ok, detail)) = attempt {
            sqlx::query(
                "insert into outbox_attempts (outbox_id, at, worker, ok, detail) \
                 values ($1, $2, $3, $4, $5)",
            )
            .bind(id)
            .bind(now.0)
            .bind(worker)
            .bind(ok)
            .bind(detail.chars().take(500).collect::<String>())
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(true)
    }

    #[tracing::instrument(skip_all)]
    async fn reminder_candidates(
        &self,
        from: Timestamp,
        to: Timestamp,
    ) -> RepoResult<Vec<ReminderCandidate>> {
        let rows: Vec<(String, i64, String, i64, i64, String)> = sqlx::query_as(
            "select 'tomorrow', s.id, s.title, s.starts_at, s.ends_at, s.place from sessions s \
             where not s.cancelled and s.starts_at >= $1 and s.starts_at < $2 \
             and not exists (select 1 from session_reminders r \
             where r.session_id = s.id and r.kind = 'tomorrow') \
             union all \
             select 'not_checked_in', s.id, s.title, s.starts_at, s.ends_at, s.place \
             from sessions s join late_reminders w on w.session_id = s.id \
             where not s.cancelled and s.starts_at >= $1 and s.starts_at < $2 \
             and not exists (select 1 from session_reminders r \
             where r.session_id = s.id and r.kind = 'not_checked_in')",
        )
        .bind(from.0)
        .bind(to.0)
        .fetch_all(&self.read)
        .await?;
        Ok(rows
            .into_iter()
            .map(
                |(kind, session_id, title, starts_at, ends_at, place)| ReminderCandidate {
                    kind: if kind == "tomorrow" {
                        ReminderKind::Tomorrow
                    } else {
                        ReminderKind::NotCheckedIn
                    },
                    session_id,
                    title,
                    starts_at: Timestamp(starts_at),
                    ends_at: Timestamp(ends_at),
                    place,
                },
            )
            .collect())
    }

    #[tracing::instrument(skip_all)]
    async fn post_reminder(
        &self,
        candidate: &ReminderCandidate,
        notice: &Notice,
        channels: &ChannelsOn,
        now: Timestamp,
    ) -> RepoResult<bool> {
        let mut tx = self.begin_write().await?;
        let marked = sqlx::query(
            "insert into session_reminders (session_id, kind, sent_at) values ($1, $2, $3) \
             on conflict (session_id, kind) do nothing",
        )
        .bind(candidate.session_id)
        .bind(candidate.kind.as_str())
        .bind(now.0)
        .execute(&mut *tx)
        .await?;
        if marked.rows_affected() == 0 {
            return Ok(false);
        }
        let to = match candidate.kind {
            ReminderKind::Tomorrow => Recipients::Expected(candidate.session_id),
            ReminderKind::NotCheckedIn => Recipients::NotCheckedIn(candidate.session_id),
        };
        let id = post_notice(&mut tx, notice, to, channels, now).await?;
        sqlx::query(
            "update session_reminders set notice_id = $1 where session_id = $2 and kind = $3",
        )
        .bind(id)
        .bind(candidate.session_id)
        .bind(candidate.kind.as_str())
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(true)
    }

    #[tracing::instrument(skip_all)]
    async fn open_warnings(&self) -> RepoResult<Vec<(i64, String)>> {
        Ok(
            sqlx::query_as("select person_id, kind from warnings where cleared_at is null")
                .fetch_all(&self.read)
                .await?,
        )
    }

    #[tracing::instrument(skip_all)]
    async fn raise_warning(
        &self,
        person_id: i64,
        warning: &Warning,
        notices: [&Notice; 2],
        channels: &ChannelsOn,
        now: Timestamp,
    ) -> RepoResult<bool> {
        let detail = serde_json::to_string(warning)
            .map_err(|e| RepoError::BadValue(e.to_string(), "warnings.detail"))?;
        let mut tx = self.begin_write().await?;
        let raised = sqlx::query(
            "insert into warnings (person_id, kind, detail, raised_at) values ($1, $2, $3, $4) \
             on conflict (person_id, kind) where cleared_at is null do nothing",
        )
        .bind(person_id)
        .bind(warning.kind())
        .bind(detail)
        .bind(now.0)
        .execute(&mut *tx)
        .await?
        .rows_affected()
            == 1;
        if !raised {
            return Ok(false);
        }
        let [own, theirs] = notices;
        post_notice(&mut tx, own, Recipients::Person(person_id), channels, now).await?;
        post_notice(
            &mut tx,
            theirs,
            Recipients::OrganisersOf(person_id),
            channels,
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(true)
    }

    #[tracing::instrument(skip_all)]
    async fn clear_warnings(&self, which: &[(i64, String)], now: Timestamp) -> RepoResult<u64> {
        if which.is_empty() {
            return Ok(0);
        }
        let mut tx = self.begin_write().await?;
        let mut cleared = 0;
        for (person_id, kind) in which {
            cleared += sqlx::query(
                "update warnings set cleared_at = $3 \
                 where person_id = $1 and kind = $2 and cleared_at is null",
            )
            .bind(person_id)
            .bind(kind)
            .bind(now.0)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        }
        tx.commit().await?;
        Ok(cleared)
    }

    #[tracing::instrument(skip_all)]
    async fn session_times(&self, ids: &[i64]) -> RepoResult<Vec<(i64, Timestamp, Timestamp)>> {
        let mut out = Vec::with_capacity(ids.len());
        for chunk in ids.chunks(500) {
            let mut query = sqlx::QueryBuilder::<Db>::new(
                "select id, starts_at, ends_at from sessions where id in ",
            );
            in_list(&mut query, chunk.iter().copied());
            let rows: Vec<(i64, i64, i64)> = query.build_query_as().fetch_all(&self.read).await?;
            out.extend(
                rows.into_iter()
                    .map(|(id, s, e)| (id, Timestamp(s), Timestamp(e))),
            );
        }
        Ok(out)
    }

    #[tracing::instrument(skip_all)]
    async fn late_reminder(&self, session_id: i64) -> RepoResult<bool> {
        let row: Option<(i64,)> =
            sqlx::query_as("select session_id from late_reminders where session_id = $1")
                .bind(session_id)
                .fetch_optional(&self.read)
                .await?;
        Ok(row.is_some())
    }

    #[tracing::instrument(skip_all)]
    async fn set_late_reminder(
        &self,
        session_id: i64,
        on: bool,
        by: i64,
        now: Timestamp,
    ) -> RepoResult<()> {
        if on {
            sqlx::query(
                "insert into late_reminders (session_id, asked_by, asked_at) values ($1, $2, $3) \
                 on conflict (session_id) do nothing",
            )
            .bind(session_id)
            .bind(by)
            .bind(now.0)
            .execute(&self.write)
            .await?;
        } else {
            sqlx::query("delete from late_reminders where session_id = $1")
                .bind(session_id)
                .execute(&self.write)
                .await?;
        }
        Ok(())
    }

    #[tracing::instrument(skip_all)]
    async fn messages_between(&self, from: Timestamp, to: Timestamp) -> RepoResult<(i64, i64)> {
        let row: (i64, i64) = sqlx::query_as(
            "select (select count(*) from outbox where state = 'sent' \
             and person_id is not null and sent_at >= $1 and sent_at < $2), \
             (select count(*) from inbox i join notices n on n.id = i.notice_id \
             where n.created_at >= $1 and n.created_at < $2)",
        )
        .bind(from.0)
        .bind(to.0)
        .fetch_one(&self.read)
        .await?;
        Ok(row)
    }

    #[tracing::instrument(skip_all)]
    async fn outbox_counts(&self) -> RepoResult<OutboxCounts> {
        let rows: Vec<(String, i64)> =
            sqlx::query_as("select state, count(*) from outbox group by state")
                .fetch_all(&self.read)
                .await?;
        let (attempts,): (i64,) = sqlx::query_as("select count(*) from outbox_attempts")
            .fetch_one(&self.read)
            .await?;
        let mut counts = OutboxCounts {
            attempts,
            ..OutboxCounts::default()
        };
        for (state, n) in rows {
            match state.as_str() {
                "pending" => counts.pending = n,
                "sent" => counts.sent = n,
                "failed" => counts.failed = n,
                _ => counts.held = n,
            }
        }
        Ok(counts)
    }
}
