//! Compiled once per backend (`#[path]` in `sqlite.rs` and `postgres.rs`, with `Db` the
//! backend there): one SQL text for both.
use super::*;

use crate::domain::Timestamp;
use crate::domain::attendance::{CheckinRules, Decision, DoorSession};
use crate::domain::audience::Member;
use crate::domain::hours::StudyHours;
use crate::domain::org::Reach;
use crate::domain::report::Fact;
use crate::domain::schedule::AttendanceStatus;
use crate::ssr::db::attendance::*;
use crate::ssr::db::shared::map_unique;

type Tx<'a> = sqlx::Transaction<'a, Db>;

/// Head-count columns over a sheet's `x` (its record, if any): walk-ins, expected people
/// with no record, expected people, and one column per status.
fn count_columns() -> String {
    let count = |condition: &str, name: &str| {
        format!("cast(sum(case when {condition} then 1 else 0 end) as bigint) as {name}")
    };
    let mut columns = vec![
        count("coalesce(x.walk_in, false)", "walk_ins"),
        count("x.person_id is null", "unmarked"),
        count("not coalesce(x.walk_in, false)", "expected"),
    ];
    for status in AttendanceStatus::ALL {
        columns.push(count(
            &format!("x.status = '{}'", status.as_str()),
            status.as_str(),
        ));
    }
    columns.join(", ")
}

/// The columns [`count_columns`] names, read back.
#[derive(sqlx::FromRow)]
struct Counted {
    expected: i64,
    present: i64,
    late: i64,
    excused: i64,
    absent: i64,
    made_up: i64,
    walk_ins: i64,
    unmarked: i64,
}

impl Counted {
    /// The counts as recorded: expected people with no record are in none of them.
    fn counts(&self) -> crate::domain::schedule::AttendanceCounts {
        crate::domain::schedule::AttendanceCounts {
            present: self.present,
            late: self.late,
            excused: self.excused,
            absent: self.absent,
            made_up: self.made_up,
            expected: self.expected,
        }
    }

    /// The counts once the session is over: no record is absence.
    fn final_counts(&self) -> crate::domain::schedule::AttendanceCounts {
        let mut counts = self.counts();
        counts.absent += self.unmarked;
        counts
    }
}

/// What decides which cadres a session's sheet must look at, read before its sheet.
#[derive(Clone, Copy, sqlx::FromRow)]
struct Shape {
    /// The holding subdistrict (`None`: a district session).
    subdistrict_id: Option<i64>,
    /// The audience is everyone (of the subdistrict), not chosen tiers and communities.
    everyone: bool,
}

/// `from …`: the session `s` and the people `p` its sheet may hold, found by index: the
/// holding subdistrict's cadres when the audience is everyone, else the chosen tiers' and
/// communities' cadres; always the people named in the audience and those with a record.
/// Only a district session for everyone visits every cadre. [`sheet_members`] then decides
/// who of them belongs, so the candidates may include more than that, never fewer.
fn sheet_from<'a>(sql: &mut sqlx::QueryBuilder<'a, Db>, session_id: i64, shape: Shape) {
    match shape {
        Shape {
            everyone: true,
            subdistrict_id: None,
        } => {
            sql.push(" from sessions s cross join people p ");
            return;
        }
        Shape {
            everyone: true,
            subdistrict_id: Some(subdistrict),
        } => {
            sql.push(
                " from sessions s join (select p0.id from people p0 \
                 join communities c0 on c0.id = p0.community_id where c0.subdistrict_id = ",
            )
            .push_bind(subdistrict);
        }
        Shape {
            everyone: false, ..
        } => {
            sql.push(
                " from sessions s join (select p0.id from people p0 where p0.tier_id in \
                 (select a0.ref_id from session_audience a0 where a0.kind = 'tier' \
                 and a0.session_id = ",
            )
            .push_bind(session_id)
            .push(
                ") union select p0.id from people p0 where p0.community_id in \
                 (select a0.ref_id from session_audience a0 where a0.kind = 'community' \
                 and a0.session_id = ",
            )
            .push_bind(session_id)
            .push(")");
        }
    }
    sql.push(
        " union select a0.ref_id from session_audience a0 where a0.kind = 'person' \
         and a0.session_id = ",
    )
    .push_bind(session_id)
    .push(" union select x0.person_id from attendance x0 where x0.session_id = ")
    .push_bind(session_id)
    .push(") m on true join people p on p.id = m.id ");
}

/// ` left join attendance x … where …`: limits [`sheet_from`]'s people to those on the
/// session's sheet (its audience and anyone with a record) within `reach`.
fn sheet_members<'a>(sql: &mut sqlx::QueryBuilder<'a, Db>, session_id: i64, reach: Option<&Reach>) {
    sql.push(format!(
        "left join attendance x on x.session_id = s.id and x.person_id = p.id \
         where ((p.tier_id is not null and {}) or x.person_id is not null) and s.id = ",
        in_audience("p.tier_id", "p.community_id", "p.id"),
    ));
    sql.push_bind(session_id).push(" and ");
    clauses::within(sql, "p.community_id", reach);
}

/// Whether the lines of `slice` are one community's, read from that community's people in
/// name order by index (`people_community_name`), so that a page of them costs its 200
/// lines however large the community or the session's audience: no other part, name
/// search or "not arrived" list, whose lines are gathered from the whole audience and
/// counted.
fn community_part(slice: &SheetSlice) -> bool {
    slice.community.is_some() && slice.name.trim().is_empty() && !slice.missing
}

/// The sheet's lines in `slice`, each with the slice's total (`null` for a
/// [`community_part`], whose total the head-counts give); `prefix` goes in front (the
/// plan's words, or nothing).
fn lines_query(
    prefix: &str,
    session_id: i64,
    shape: Shape,
    reach: Option<&Reach>,
    slice: &SheetSlice,
) -> sqlx::QueryBuilder<'static, Db> {
    let by_community = community_part(slice);
    let mut sql = sqlx::QueryBuilder::new(format!(
        "{prefix}select p.id, p.name, p.community_id, coalesce(c.name, '') as community, \
         coalesce(t.name_zh, '') as tier_zh, coalesce(t.name_en, '') as tier_en, x.status, \
         x.checked_in_at, coalesce(x.walk_in, false) as walk_in, x.source, \
         x.checkin_address, x.checkin_device, {}",
        if by_community {
            "cast(null as bigint) as total"
        } else {
            "count(*) over () as total"
        }
    ));
    if by_community {
        // Everyone on the sheet in the community is one of its people.
        sql.push(" from sessions s join people p on ");
        match slice.community {
            Some(0) | None => sql.push("p.community_id is null "),
            Some(id) => sql.push("p.community_id = ").push_bind(id).push(" "),
        };
    } else {
        sheet_from(&mut sql, session_id, shape);
    }
    sql.push(
        "left join communities c on c.id = p.community_id \
         left join tiers t on t.id = p.tier_id ",
    );
    sheet_members(&mut sql, session_id, reach);
    match slice.community {
        _ if by_community => {}
        Some(0) => {
            sql.push(" and p.community_id is null");
        }
        Some(id) => {
            sql.push(" and p.community_id = ").push_bind(id);
        }
        None => {}
    }
    if !slice.name.trim().is_empty() {
        sql.push(" and lower(p.name) like lower(")
            .push_bind(crate::ssr::db::planning::like_pattern(&slice.name))
            .push(") escape '\\'");
    }
    if slice.missing {
        sql.push(" and (x.status is null or x.status = 'absent')");
    }
    if by_community {
        sql.push(" order by p.name, p.id");
    } else {
        sql.push(" order by coalesce(c.name, ''), p.name, p.id");
    }
    if let Some(limit) = slice.limit {
        sql.push(" limit ")
            .push_bind(limit)
            .push(" offset ")
            .push_bind(slice.offset.max(0));
    }
    sql
}

/// Whose head-counts per community [`groups_query`] counts.
#[derive(Clone, Copy)]
enum Counting<'a> {
    /// The sheet's: of the people within the reach (`None`: everyone), with the lines of the
    /// audit trail about them.
    Sheet(Option<&'a Reach>),
    /// The report's, with each community's subdistrict: of all the session's people or, with
    /// `Some`, of these communities' people alone (0: people with no community).
    Report(Option<&'a [i64]>),
}

/// A session's head-counts per community; `prefix` as in [`lines_query`].
fn groups_query(
    prefix: &str,
    session_id: i64,
    shape: Shape,
    counting: Counting,
) -> sqlx::QueryBuilder<'static, Db> {
    let (columns, reach, only) = match counting {
        // Audit lines are counted per person by index (`attendance_audit_person`), only
        // for people with a record: every change of a status is about a record.
        Counting::Sheet(reach) => (
            "p.community_id, coalesce(c.name, '') as community, {counts}, \
             cast(sum(case when x.person_id is null then 0 else (select count(*) \
             from attendance_audit a where a.session_id = s.id and a.person_id = p.id) end) \
             as bigint) as audited",
            reach,
            None,
        ),
        Counting::Report(only) => (
            "p.community_id, c.subdistrict_id, coalesce(c.name, '') as community, {counts}",
            None,
            only,
        ),
    };
    let mut sql = sqlx::QueryBuilder::new(format!(
        "{prefix}select {}",
        columns.replace("{counts}", &count_columns())
    ));
    match only {
        // Those communities' people, read by index (`people_community_name`): what the
        // count costs is theirs, whatever the session's audience.
        Some(only) => {
            let ids: Vec<i64> = only.iter().copied().filter(|&id| id != 0).collect();
            sql.push(" from sessions s join people p on (");
            if ids.is_empty() {
                sql.push("false");
            } else {
                sql.push("p.community_id in ");
                clauses::in_list(&mut sql, ids);
            }
            if only.contains(&0) {
                sql.push(" or p.community_id is null");
            }
            sql.push(") ");
        }
        None => sheet_from(&mut sql, session_id, shape),
    }
    sql.push("left join communities c on c.id = p.community_id ");
    sheet_members(&mut sql, session_id, reach);
    sql.push(match counting {
        Counting::Sheet(_) => " group by p.community_id, c.name",
        Counting::Report(_) => " group by p.community_id, c.subdistrict_id, c.name",
    });
    sql.push(" order by coalesce(c.name, ''), p.community_id");
    sql
}

impl SqlRepository<Db> {
    /// The session's [`Shape`]; `None` when there is no such session.
    async fn shape(&self, session_id: i64) -> RepoResult<Option<Shape>> {
        Ok(sqlx::query_as(
            "select subdistrict_id, audience = 'everyone' as everyone from sessions where id = $1",
        )
        .bind(session_id)
        .fetch_optional(&self.read)
        .await?)
    }
}

/// Writes `to` for the person unless they hold a status no one may overwrite this
/// way; returns the status before (None: no record) when it wrote.
#[allow(clippy::too_many_arguments)]
pub(super) async fn upsert_status(
    tx: &mut Tx<'_>,
    session_id: i64,
    person_id: i64,
    to: AttendanceStatus,
    checked_in_at: Option<i64>,
    walk_in: bool,
    source: &str,
    only_replaceable: bool,
    actor: Option<i64>,
    reason: &str,
    now: i64,
) -> RepoResult<Option<Option<AttendanceStatus>>> {
    let before: Option<String> = sqlx::query_scalar(
        "select status from attendance where session_id = $1 and person_id = $2",
    )
    .bind(session_id)
    .bind(person_id)
    .fetch_optional(&mut **tx)
    .await?;
    let guard = if only_replaceable {
        format!(" where attendance.status in {REPLACEABLE}")
    } else {
        String::new()
    };
    let sql = format!(
        "insert into attendance (session_id, person_id, status, checked_in_at, created_at, \
         walk_in, source, updated_at) values ($1, $2, $3, $4, $5, $6, $7, $5) \
         on conflict (session_id, person_id) do update set status = excluded.status, \
         checked_in_at = coalesce(excluded.checked_in_at, attendance.checked_in_at), \
         walk_in = attendance.walk_in or excluded.walk_in, source = excluded.source, \
         updated_at = excluded.updated_at{guard} returning status"
    );
    let wrote: Option<String> = sqlx::query_scalar(&sql)
        .bind(session_id)
        .bind(person_id)
        .bind(to.as_str())
        .bind(checked_in_at)
        .bind(now)
        .bind(walk_in)
        .bind(source)
        .fetch_optional(&mut **tx)
        .await?;
    if wrote.is_none() {
        return Ok(None);
    }
    audit(
        tx,
        session_id,
        person_id,
        before.as_deref(),
        to,
        actor,
        reason,
        now,
    )
    .await?;
    before.as_deref().map(parse_status).transpose().map(Some)
}

#[allow(clippy::too_many_arguments)]
async fn audit(
    tx: &mut Tx<'_>,
    session_id: i64,
    person_id: i64,
    from: Option<&str>,
    to: AttendanceStatus,
    actor: Option<i64>,
    reason: &str,
    at: i64,
) -> RepoResult<()> {
    sqlx::query(
        "insert into attendance_audit (session_id, person_id, from_status, to_status, \
         actor_person_id, reason, at) values ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(session_id)
    .bind(person_id)
    .bind(from)
    .bind(to.as_str())
    .bind(actor)
    .bind(reason)
    .bind(at)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

#[async_trait::async_trait]
impl AttendanceStore for SqlRepository<Db> {
    #[tracing::instrument(skip_all)]
    async fn door_session(&self, id: i64) -> RepoResult<Option<DoorSession>> {
        let row: Option<DoorRow> = sqlx::query_as(&format!("{DOOR_COLUMNS} where id = $1"))
            .bind(id)
            .fetch_optional(&self.read)
            .await?;
        Ok(row.map(door_from))
    }

    #[tracing::instrument(skip_all)]
    async fn door_for(
        &self,
        session_id: i64,
        person_id: i64,
    ) -> RepoResult<Option<(DoorSession, bool)>> {
        let sql = format!(
            "select s.id, s.title, s.place, s.starts_at, s.ends_at, s.cancelled, \
             s.checkin_opens_minutes, s.late_after_minutes, {} as in_audience \
             from sessions s join people p on p.id = $2 where s.id = $1",
            in_audience("p.tier_id", "p.community_id", "p.id")
        );
        #[derive(sqlx::FromRow)]
        struct Row {
            #[sqlx(flatten)]
            door: DoorRow,
            in_audience: bool,
        }
        let row: Option<Row> = sqlx::query_as(&sql)
            .bind(session_id)
            .bind(person_id)
            .fetch_optional(&self.read)
            .await?;
        Ok(row.map(|r| (door_from(r.door), r.in_audience)))
    }

    #[tracing::instrument(skip_all)]
    async fn open_doors(&self, now: Timestamp) -> RepoResult<Vec<DoorSession>> {
        let rows: Vec<DoorRow> = sqlx::query_as(&format!(
            "{DOOR_COLUMNS} where cancelled = false and ends_at > $1 \
             and starts_at - checkin_opens_minutes * 60 <= $1 order by starts_at, id"
        ))
        .bind(now.0)
        .fetch_all(&self.read)
        .await?;
        Ok(rows.into_iter().map(door_from).collect())
    }

    #[tracing::instrument(skip_all)]
    async fn set_checkin_rules(&self, session_id: i64, rules: CheckinRules) -> RepoResult<bool> {
        let done = sqlx::query(
            "update sessions set checkin_opens_minutes = $1, late_after_minutes = $2 where id = $3",
        )
        .bind(rules.opens_minutes_before)
        .bind(rules.late_after_minutes)
        .bind(session_id)
        .execute(&self.write)
        .await?;
        Ok(done.rows_affected() > 0)
    }

    #[tracing::instrument(skip_all, fields(n = batch.len()))]
    async fn check_in_batch(&self, batch: &[Checkin]) -> RepoResult<Vec<CheckinResult>> {
        let mut tx = self.begin_write().await?;
        let mut out = Vec::with_capacity(batch.len());
        let mut first = Self::first_checkins(&mut tx, batch).await?;
        for c in batch {
            // Recorded with the others (PostgreSQL); a pair's first check-in only.
            if let Some(first) = first.as_mut()
                && first.remove(&(c.session_id, c.person_id))
            {
                out.push(CheckinResult::Recorded(c.status));
                continue;
            }
            let reason = if c.source == "code" { "code" } else { "qr" };
            // The common case, a first check-in, in two statements.
            let fresh: Option<String> = sqlx::query_scalar(
                "insert into attendance (session_id, person_id, status, checked_in_at, \
                 created_at, walk_in, source, updated_at, checkin_address, \
                 checkin_user_agent, checkin_device) \
                 values ($1, $2, $3, $4, $4, $5, $6, $4, $7, $8, $9) \
                 on conflict (session_id, person_id) do nothing returning status",
            )
            .bind(c.session_id)
            .bind(c.person_id)
            .bind(c.status.as_str())
            .bind(c.at.0)
            .bind(c.walk_in)
            .bind(c.source)
            .bind(&c.address)
            .bind(&c.user_agent)
            .bind(&c.device)
            .fetch_optional(&mut *tx)
            .await?;
            if fresh.is_some() {
                audit(
                    &mut tx,
                    c.session_id,
                    c.person_id,
                    None,
                    c.status,
                    Some(c.person_id),
                    reason,
                    c.at.0,
                )
                .await?;
                out.push(CheckinResult::Recorded(c.status));
                continue;
            }
            let wrote = upsert_status(
                &mut tx,
                c.session_id,
                c.person_id,
                c.status,
                Some(c.at.0),
                c.walk_in,
                c.source,
                true,
                Some(c.person_id),
                reason,
                c.at.0,
            )
            .await?;
            if wrote.is_some() {
                sqlx::query(
                    "update attendance set checkin_address = $3, checkin_user_agent = $4, \
                     checkin_device = $5 where session_id = $1 and person_id = $2",
                )
                .bind(c.session_id)
                .bind(c.person_id)
                .bind(&c.address)
                .bind(&c.user_agent)
                .bind(&c.device)
                .execute(&mut *tx)
                .await?;
                out.push(CheckinResult::Recorded(c.status));
                continue;
            }
            let now: String = sqlx::query_scalar(
                "select status from attendance where session_id = $1 and person_id = $2",
            )
            .bind(c.session_id)
            .bind(c.person_id)
            .fetch_one(&mut *tx)
            .await?;
            out.push(CheckinResult::Already(parse_status(&now)?));
        }
        tx.commit().await?;
        Ok(out)
    }

    #[tracing::instrument(skip_all)]
    async fn attendance_of(
        &self,
        session_id: i64,
        person_id: i64,
    ) -> RepoResult<Option<(AttendanceStatus, Option<Timestamp>, bool)>> {
        let row: Option<(String, Option<i64>, bool)> = sqlx::query_as(
            "select status, checked_in_at, walk_in from attendance \
             where session_id = $1 and person_id = $2",
        )
        .bind(session_id)
        .bind(person_id)
        .fetch_optional(&self.read)
        .await?;
        row.map(|(s, at, walk_in)| Ok((parse_status(&s)?, at.map(Timestamp), walk_in)))
            .transpose()
    }

    #[tracing::instrument(skip_all)]
    async fn sheet_lines(
        &self,
        session_id: i64,
        reach: Option<&Reach>,
        slice: &SheetSlice,
    ) -> RepoResult<SheetLines> {
        #[derive(sqlx::FromRow)]
        struct Row {
            id: i64,
            name: String,
            community_id: Option<i64>,
            community: String,
            tier_zh: String,
            tier_en: String,
            status: Option<String>,
            checked_in_at: Option<i64>,
            walk_in: bool,
            source: Option<String>,
            checkin_address: Option<String>,
            checkin_device: Option<String>,
            total: Option<i64>,
        }
        let Some(shape) = self.shape(session_id).await? else {
            return Ok(SheetLines::default());
        };
        let mut sql = lines_query("", session_id, shape, reach, slice);
        let rows: Vec<Row> = sql.build_query_as().fetch_all(&self.read).await?;
        let total = if community_part(slice) {
            None
        } else {
            Some(rows.first().and_then(|r| r.total).unwrap_or(0))
        };
        let rows = rows
            .into_iter()
            .map(|r| {
                Ok(SheetRow {
                    person_id: r.id,
                    name: r.name,
                    community_id: r.community_id,
                    community: r.community,
                    tier_zh: r.tier_zh,
                    tier_en: r.tier_en,
                    status: r.status.as_deref().map(parse_status).transpose()?,
                    checked_in_at: r.checked_in_at.map(Timestamp),
                    walk_in: r.walk_in,
                    source: r.source,
                    address: r.checkin_address,
                    device: r.checkin_device,
                })
            })
            .collect::<RepoResult<Vec<_>>>()?;
        Ok(SheetLines { rows, total })
    }

    async fn sheet_plan(
        &self,
        session_id: i64,
        reach: Option<&Reach>,
    ) -> RepoResult<Vec<PlanStep>> {
        let Some(shape) = self.shape(session_id).await? else {
            return Ok(Vec::new());
        };
        let mut steps = self
            .plan_of(groups_query(
                Self::EXPLAIN,
                session_id,
                shape,
                Counting::Sheet(reach),
            ))
            .await?;
        let first_page = SheetSlice {
            limit: Some(200),
            ..SheetSlice::default()
        };
        let lines = lines_query(Self::EXPLAIN, session_id, shape, reach, &first_page);
        steps.extend(self.plan_of(lines).await?);
        let community_page = SheetSlice {
            community: Some(1),
            ..first_page
        };
        let lines = lines_query(Self::EXPLAIN, session_id, shape, reach, &community_page);
        steps.extend(self.plan_of(lines).await?);
        Ok(steps)
    }

    #[tracing::instrument(skip_all)]
    async fn sheet_groups(
        &self,
        session_id: i64,
        reach: Option<&Reach>,
    ) -> RepoResult<Vec<SheetGroup>> {
        #[derive(sqlx::FromRow)]
        struct Row {
            community_id: Option<i64>,
            community: String,
            #[sqlx(flatten)]
            counted: Counted,
            audited: i64,
        }
        let Some(shape) = self.shape(session_id).await? else {
            return Ok(Vec::new());
        };
        let mut sql = groups_query("", session_id, shape, Counting::Sheet(reach));
        let rows: Vec<Row> = sql.build_query_as().fetch_all(&self.read).await?;
        Ok(rows
            .into_iter()
            .map(|r| SheetGroup {
                community_id: r.community_id,
                community: r.community,
                counts: r.counted.counts(),
                walk_ins: r.counted.walk_ins,
                unmarked: r.counted.unmarked,
                audited: r.audited,
            })
            .collect())
    }

    #[tracing::instrument(skip_all)]
    async fn recent_arrivals(
        &self,
        session_id: i64,
        reach: Option<&Reach>,
        limit: i64,
    ) -> RepoResult<Vec<SheetRow>> {
        #[derive(sqlx::FromRow)]
        struct Row {
            id: i64,
            name: String,
            community_id: Option<i64>,
            status: String,
            checked_in_at: i64,
            walk_in: bool,
        }
        let mut sql = sqlx::QueryBuilder::new(
            "select p.id, p.name, p.community_id, x.status, x.checked_in_at, x.walk_in \
             from attendance x join people p on p.id = x.person_id \
             where x.status in ('present', 'late') and x.checked_in_at is not null \
             and x.session_id = ",
        );
        sql.push_bind(session_id).push(" and ");
        clauses::within(&mut sql, "p.community_id", reach);
        sql.push(" order by x.checked_in_at desc, x.person_id desc limit ")
            .push_bind(limit);
        let rows: Vec<Row> = sql.build_query_as().fetch_all(&self.read).await?;
        rows.into_iter()
            .map(|r| {
                Ok(SheetRow {
                    person_id: r.id,
                    name: r.name,
                    community_id: r.community_id,
                    community: String::new(),
                    tier_zh: String::new(),
                    tier_en: String::new(),
                    status: Some(parse_status(&r.status)?),
                    checked_in_at: Some(Timestamp(r.checked_in_at)),
                    walk_in: r.walk_in,
                    source: None,
                    address: None,
                    device: None,
                })
            })
            .collect()
    }

    #[tracing::instrument(skip_all)]
    async fn set_status(
        &self,
        session_id: i64,
        person_id: i64,
        to: AttendanceStatus,
        actor_person_id: i64,
        reason: &str,
        now: Timestamp,
    ) -> RepoResult<Option<Option<AttendanceStatus>>> {
        let mut tx = self.begin_write().await?;
        let known: Option<i64> = sqlx::query_scalar("select id from people where id = $1")
            .bind(person_id)
            .fetch_optional(&mut *tx)
            .await?;
        if known.is_none() {
            return Ok(None);
        }
        let checked_in = to.attended().then_some(now.0);
        let before = upsert_status(
            &mut tx,
            session_id,
            person_id,
            to,
            checked_in,
            false,
            "organiser",
            false,
            Some(actor_person_id),
            reason,
            now.0,
        )
        .await?;
        tx.commit().await?;
        Ok(before)
    }

    #[tracing::instrument(skip_all)]
    async fn mark_rest_absent(
        &self,
        session_id: i64,
        actor_person_id: i64,
        reason: &str,
        now: Timestamp,
        reach: Option<&Reach>,
    ) -> RepoResult<u64> {
        // Who is missing: in the audience (and the caller's reach) without a record.
        let missing = |sql: &mut sqlx::QueryBuilder<'_, Db>| {
            sql.push(format_args!(
                " from sessions s join people p on p.tier_id is not null and {} where s.id = ",
                in_audience("p.tier_id", "p.community_id", "p.id")
            ))
            .push_bind(session_id)
            .push(" and ");
            clauses::within(sql, "p.community_id", reach);
            sql.push(
                " and not exists (select 1 from attendance x \
                 where x.session_id = s.id and x.person_id = p.id)",
            );
        };
        let mut tx = self.begin_write().await?;
        let mut audit = sqlx::QueryBuilder::new(
            "insert into attendance_audit (session_id, person_id, from_status, to_status, \
             actor_person_id, reason, at) select s.id, p.id, null, 'absent', ",
        );
        audit
            .push_bind(actor_person_id)
            .push(", ")
            .push_bind(reason)
            .push(", ")
            .push_bind(now.0);
        missing(&mut audit);
        audit.build().execute(&mut *tx).await?;
        let mut insert = sqlx::QueryBuilder::new(
            "insert into attendance (session_id, person_id, status, created_at, source, \
             updated_at) select s.id, p.id, 'absent', ",
        );
        insert
            .push_bind(now.0)
            .push(", 'organiser', ")
            .push_bind(now.0);
        missing(&mut insert);
        let done = insert.build().execute(&mut *tx).await?;
        tx.commit().await?;
        Ok(done.rows_affected())
    }

    #[tracing::instrument(skip_all)]
    async fn latest_audit(
        &self,
        session_id: i64,
        reach: Option<&Reach>,
        limit: i64,
    ) -> RepoResult<Vec<AuditEntry>> {
        #[derive(sqlx::FromRow)]
        struct Row {
            person: String,
            from_status: Option<String>,
            to_status: String,
            actor: Option<String>,
            reason: String,
            at: i64,
        }
        let mut sql = sqlx::QueryBuilder::new(
            "select p.name as person, a.from_status, a.to_status, actor.name as actor, \
             a.reason, a.at \
             from attendance_audit a join people p on p.id = a.person_id \
             left join people actor on actor.id = a.actor_person_id where a.session_id = ",
        );
        sql.push_bind(session_id).push(" and ");
        clauses::within(&mut sql, "p.community_id", reach);
        sql.push(" order by a.id desc limit ").push_bind(limit);
        let rows: Vec<Row> = sql.build_query_as().fetch_all(&self.read).await?;
        let mut entries = rows
            .into_iter()
            .map(|r| {
                Ok(AuditEntry {
                    person: r.person,
                    from: r.from_status.as_deref().map(parse_status).transpose()?,
                    to: parse_status(&r.to_status)?,
                    actor: r.actor.unwrap_or_default(),
                    reason: r.reason,
                    at: Timestamp(r.at),
                })
            })
            .collect::<RepoResult<Vec<_>>>()?;
        entries.reverse();
        Ok(entries)
    }

    #[tracing::instrument(skip_all)]
    async fn create_request(
        &self,
        kind: RequestKind,
        session_id: i64,
        person_id: i64,
        text: &str,
        now: Timestamp,
    ) -> RepoResult<i64> {
        sqlx::query_scalar(&format!(
            "insert into {} (session_id, person_id, {}, created_at) values ($1, $2, $3, $4) \
             returning id",
            kind.table(),
            kind.text_column()
        ))
        .bind(session_id)
        .bind(person_id)
        .bind(text)
        .bind(now.0)
        .fetch_one(&self.write)
        .await
        .map_err(map_unique)
    }

    #[tracing::instrument(skip_all)]
    async fn requests(
        &self,
        kind: RequestKind,
        limit: i64,
        reach: Option<&Reach>,
    ) -> RepoResult<Vec<RequestItem>> {
        let mut sql = sqlx::QueryBuilder::new(format!("{} where ", request_select(kind)));
        clauses::within(&mut sql, "p.community_id", reach);
        sql.push(
            " order by case when r.decision = 'pending' then 0 else 1 end, \
             case when r.decision = 'pending' then r.created_at else -r.decided_at end, r.id \
             limit ",
        )
        .push_bind(limit);
        let rows: Vec<RequestRow> = sql.build_query_as().fetch_all(&self.read).await?;
        rows.into_iter().map(|r| request_from(kind, r)).collect()
    }

    #[tracing::instrument(skip_all)]
    async fn request(&self, kind: RequestKind, id: i64) -> RepoResult<Option<RequestItem>> {
        let sql = format!("{} where r.id = $1", request_select(kind));
        let row: Option<RequestRow> = sqlx::query_as(&sql)
            .bind(id)
            .fetch_optional(&self.read)
            .await?;
        row.map(|r| request_from(kind, r)).transpose()
    }

    #[tracing::instrument(skip_all)]
    async fn request_of(
        &self,
        kind: RequestKind,
        session_id: i64,
        person_id: i64,
    ) -> RepoResult<Option<RequestItem>> {
        let sql = format!(
            "{} where r.session_id = $1 and r.person_id = $2",
            request_select(kind)
        );
        let row: Option<RequestRow> = sqlx::query_as(&sql)
            .bind(session_id)
            .bind(person_id)
            .fetch_optional(&self.read)
            .await?;
        row.map(|r| request_from(kind, r)).transpose()
    }

    #[tracing::instrument(skip_all)]
    async fn decide_request(
        &self,
        kind: RequestKind,
        id: i64,
        decision: Decision,
        actor_person_id: i64,
        now: Timestamp,
        channels: &crate::domain::messages::ChannelsOn,
        effects: &LeaveEffects,
    ) -> RepoResult<bool> {
        let mut tx = self.begin_write().await?;
        let row: Option<(i64, i64)> = sqlx::query_as(&format!(
            "update {} set decision = $1, decided_by = $2, decided_at = $3 \
             where id = $4 and decision = 'pending' returning session_id, person_id",
            kind.table()
        ))
        .bind(decision.as_str())
        .bind(actor_person_id)
        .bind(now.0)
        .bind(id)
        .fetch_optional(&mut *tx)
        .await?;
        let Some((session_id, person_id)) = row else {
            return Ok(false);
        };
        if decision == Decision::Approved {
            let reason = match kind {
                RequestKind::Leave => "leave approved",
                RequestKind::MakeUp => "make-up accepted",
            };
            upsert_status(
                &mut tx,
                session_id,
                person_id,
                kind.grants(),
                None,
                false,
                kind.source(),
                true,
                Some(actor_person_id),
                reason,
                now.0,
            )
            .await?;
            if kind == RequestKind::Leave {
                if let Some(due) = effects.make_up_due {
                    sqlx::query("update leave_requests set make_up_due = $1 where id = $2")
                        .bind(due.0)
                        .bind(id)
                        .execute(&mut *tx)
                        .await?;
                }
                if let Some(series) = &effects.withdraw_from {
                    sqlx::query(
                        "insert into series_withdrawals (series, person_id, leave_id, \
                         withdrawn_at) values ($1, $2, $3, $4) \
                         on conflict (series, person_id) do nothing",
                    )
                    .bind(series)
                    .bind(person_id)
                    .bind(id)
                    .bind(now.0)
                    .execute(&mut *tx)
                    .await?;
                }
            }
            if kind == RequestKind::MakeUp {
                // The reflection handed in with the make-up is now accepted (and
                // no longer changes).
                sqlx::query(
                    "update reflections set accepted_at = $1 \
                     where session_id = $2 and person_id = $3 and accepted_at is null",
                )
                .bind(now.0)
                .bind(session_id)
                .bind(person_id)
                .execute(&mut *tx)
                .await?;
            }
        }
        let (title, starts_at): (String, i64) =
            sqlx::query_as("select title, starts_at from sessions where id = $1")
                .bind(session_id)
                .fetch_one(&mut *tx)
                .await?;
        let approved = decision == Decision::Approved;
        let notice = match kind {
            RequestKind::Leave => crate::domain::messages::Notice::LeaveDecided {
                session_id,
                title,
                starts_at,
                approved,
                make_up_due: effects.make_up_due.filter(|_| approved).map(|d| d.0),
            },
            RequestKind::MakeUp => crate::domain::messages::Notice::MakeUpDecided {
                session_id,
                title,
                starts_at,
                approved,
            },
        };
        super::messages_sql::post_notice(
            &mut tx,
            &notice,
            crate::ssr::db::Recipients::Person(person_id),
            channels,
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(true)
    }

    #[tracing::instrument(skip_all)]
    async fn leave_hours(
        &self,
        member: &Member,
        from: Timestamp,
        to: Timestamp,
    ) -> RepoResult<(StudyHours, StudyHours)> {
        let excused: i64 = sqlx::query_scalar(
            "select cast(coalesce(sum(s.study_hours), 0) as bigint) from attendance a \
             join sessions s on s.id = a.session_id where a.person_id = $1 \
             and a.status = 'excused' and s.cancelled = false \
             and s.starts_at >= $2 and s.starts_at < $3",
        )
        .bind(member.person_id)
        .bind(from.0)
        .bind(to.0)
        .fetch_one(&self.read)
        .await?;
        let scheduled: i64 = sqlx::query_scalar(&format!(
            "select cast(coalesce(sum(s.study_hours), 0) as bigint) from sessions s \
             where s.cancelled = false and s.starts_at >= $1 and s.starts_at < $2 and {}",
            in_audience("$3", "$4", "$5")
        ))
        .bind(from.0)
        .bind(to.0)
        .bind(member.tier_id)
        .bind(member.community_id)
        .bind(member.person_id)
        .fetch_one(&self.read)
        .await?;
        Ok((StudyHours(excused), StudyHours(scheduled)))
    }

    #[tracing::instrument(skip_all)]
    async fn facts(
        &self,
        from: Timestamp,
        to: Timestamp,
        until: Timestamp,
        person_id: Option<i64>,
        reach: Option<&Reach>,
    ) -> RepoResult<Vec<Fact>> {
        let mut sql = facts_query("", from, to, until, person_id, reach);
        let rows: Vec<FactRow> = sql.build_query_as().fetch_all(&self.read).await?;
        rows.into_iter().map(FactRow::fact).collect()
    }

    #[tracing::instrument(skip_all)]
    async fn facts_to(
        &self,
        from: Timestamp,
        to: Timestamp,
        until: Timestamp,
        reach: Option<&Reach>,
        out: tokio::sync::mpsc::Sender<Vec<Fact>>,
    ) -> RepoResult<u64> {
        use futures_util::TryStreamExt;
        let mut sql = facts_query("", from, to, until, None, reach);
        let mut rows = sql.build_query_as::<FactRow>().fetch(&self.read);
        let mut sent = 0;
        let mut more = true;
        while more {
            let mut part = Vec::with_capacity(FACTS_PART);
            while part.len() < FACTS_PART {
                match rows.try_next().await? {
                    Some(row) => part.push(row.fact()?),
                    None => {
                        more = false;
                        break;
                    }
                }
            }
            if part.is_empty() {
                break;
            }
            sent += part.len() as u64;
            if out.send(part).await.is_err() {
                break;
            }
        }
        Ok(sent)
    }

    #[tracing::instrument(skip_all)]
    async fn held_sessions(
        &self,
        from: Timestamp,
        to: Timestamp,
        until: Timestamp,
    ) -> RepoResult<Vec<HeldSession>> {
        #[derive(sqlx::FromRow)]
        struct Row {
            id: i64,
            title: String,
            starts_at: i64,
            stamp: i64,
            marks: i64,
        }
        let rows: Vec<Row> = sqlx::query_as(
            "select s.id, s.title, s.starts_at, coalesce((select w.n from session_changes w \
             where w.session_id = s.id and w.community_id = -1), 0) as stamp, \
             cast(coalesce((select sum(m.n) from session_changes m \
             where m.session_id = s.id and m.community_id >= 0), 0) as bigint) as marks \
             from sessions s where s.cancelled = false and s.starts_at >= $1 \
             and s.starts_at < $2 and s.ends_at <= $3 order by s.starts_at, s.id",
        )
        .bind(from.0)
        .bind(to.0)
        .bind(until.0)
        .fetch_all(&self.read)
        .await?;
        Ok(rows
            .into_iter()
            .map(|r| HeldSession {
                id: r.id,
                title: r.title,
                starts_at: Timestamp(r.starts_at),
                stamp: r.stamp,
                marks: r.marks,
            })
            .collect())
    }

    #[tracing::instrument(skip_all)]
    async fn session_marks(&self, session_id: i64) -> RepoResult<Vec<(i64, i64)>> {
        Ok(sqlx::query_as(
            "select community_id, n from session_changes \
             where session_id = $1 and community_id >= 0 order by community_id",
        )
        .bind(session_id)
        .fetch_all(&self.read)
        .await?)
    }

    #[tracing::instrument(skip_all)]
    async fn community_stamps(&self) -> RepoResult<Vec<(i64, i64)>> {
        Ok(
            sqlx::query_as("select community_id, n from community_changes order by community_id")
                .fetch_all(&self.read)
                .await?,
        )
    }

    #[tracing::instrument(skip_all)]
    async fn report_groups(
        &self,
        session_id: i64,
        only: Option<&[i64]>,
    ) -> RepoResult<Vec<ReportGroup>> {
        #[derive(sqlx::FromRow)]
        struct Row {
            community_id: Option<i64>,
            subdistrict_id: Option<i64>,
            community: String,
            #[sqlx(flatten)]
            counted: Counted,
        }
        let Some(shape) = self.shape(session_id).await? else {
            return Ok(Vec::new());
        };
        let mut sql = groups_query("", session_id, shape, Counting::Report(only));
        let rows: Vec<Row> = sql.build_query_as().fetch_all(&self.read).await?;
        Ok(rows
            .into_iter()
            .map(|r| ReportGroup {
                community_id: r.community_id,
                subdistrict_id: r.subdistrict_id,
                community: r.community,
                counts: r.counted.final_counts(),
            })
            .collect())
    }

    #[tracing::instrument(skip_all)]
    async fn setting_or_init(&self, key: &str, value: &str, now: Timestamp) -> RepoResult<String> {
        sqlx::query(
            "insert into settings (key, value, updated_at) values ($1, $2, $3) \
             on conflict (key) do nothing",
        )
        .bind(key)
        .bind(value)
        .bind(now.0)
        .execute(&self.write)
        .await?;
        Ok(
            sqlx::query_scalar("select value from settings where key = $1")
                .bind(key)
                .fetch_one(&self.write)
                .await?,
        )
    }
}

/// A row of [`facts_query`].
#[derive(sqlx::FromRow)]
struct FactRow {
    session_id: i64,
    title: String,
    starts_at: i64,
    study_hours: i64,
    person_id: i64,
    name: String,
    community: String,
    subdistrict_id: Option<i64>,
    tier_zh: String,
    status: Option<String>,
    checked_in_at: Option<i64>,
    walk_in: bool,
}

impl FactRow {
    fn fact(self) -> RepoResult<Fact> {
        Ok(Fact {
            session_id: self.session_id,
            title: self.title,
            starts_at: Timestamp(self.starts_at),
            study_hours: StudyHours(self.study_hours),
            person_id: self.person_id,
            name: self.name,
            community: self.community,
            subdistrict_id: self.subdistrict_id,
            tier_zh: self.tier_zh,
            status: self.status.as_deref().map(parse_status).transpose()?,
            checked_in_at: self.checked_in_at.map(Timestamp),
            walk_in: self.walk_in,
        })
    }
}

/// The facts of sessions starting in `[from, to)` that ended by `until`, within `reach`, of
/// one person when given: [`FACTS_SELECT`] with its values bound.
pub(super) fn facts_query<'a>(
    prefix: &str,
    from: Timestamp,
    to: Timestamp,
    until: Timestamp,
    person_id: Option<i64>,
    reach: Option<&Reach>,
) -> sqlx::QueryBuilder<'a, Db> {
    let mut sql = sqlx::QueryBuilder::new(format!("{prefix}{}", facts_select()));
    sql.push(" and s.starts_at >= ")
        .push_bind(from.0)
        .push(" and s.starts_at < ")
        .push_bind(to.0)
        .push(" and s.ends_at <= ")
        .push_bind(until.0);
    clauses::only(&mut sql, "p.id", person_id);
    sql.push(" and ");
    clauses::within(&mut sql, "p.community_id", reach);
    sql.push(FACTS_ORDER);
    sql
}
