//! Compiled once per backend (`#[path]` in `sqlite.rs` and `postgres.rs`, with `Db` the
//! backend there): one SQL text for both.
use super::*;

use crate::domain::Timestamp;
use crate::domain::audience::Audience;
use crate::domain::hours::StudyHours;
use crate::domain::programme::YearSession;
use crate::domain::progress::{Requirements, STAR_WEIGHTS};
use crate::ssr::db::attendance::parse_status;
use crate::ssr::db::progress::*;

/// Session `s` belongs to a special class (专题班) the attendance's person `x` was withdrawn
/// from before it began.
const WITHDRAWN: &str = "exists (select 1 from series_withdrawals w \
     where w.series = s.series and w.person_id = x.person_id and w.withdrawn_at < s.starts_at)";

/// Excused attendances at the sessions starting in `[from, to)`, per person (`columns` after
/// the person's id): those at a special class the person was withdrawn from before the
/// session (`withdrawn`), or all the others.
fn excused_per_person<'a>(
    columns: &str,
    from: Timestamp,
    to: Timestamp,
    person: Option<i64>,
    withdrawn: bool,
) -> sqlx::QueryBuilder<'a, Db> {
    let mut sql = sqlx::QueryBuilder::new(format!(
        "select x.person_id, {columns} from sessions s join attendance x on x.session_id = s.id \
         where s.cancelled = false and x.status = 'excused' and s.starts_at >= "
    ));
    sql.push_bind(from.0)
        .push(" and s.starts_at < ")
        .push_bind(to.0);
    clauses::only(&mut sql, "x.person_id", person);
    let not = if withdrawn { "" } else { "not " };
    sql.push(format_args!(" and {not}{WITHDRAWN} group by x.person_id"));
    sql
}

#[async_trait]
impl ProgressStore for SqlRepository<Db> {
    async fn data_changes(&self) -> RepoResult<i64> {
        Ok(
            sqlx::query_scalar("select n from data_changes where id = 1")
                .fetch_one(&self.read)
                .await?,
        )
    }

    #[tracing::instrument(skip_all)]
    async fn tier_plans(&self) -> RepoResult<Vec<TierPlan>> {
        let rows: Vec<TierRow> = sqlx::query_as(
            "select id, name_zh, name_en, rank, target_count, description, req_hours, \
             req_attendance_percent, req_reflections, req_teaching, elsewhere, elsewhere_cap \
             from tiers order by rank, id",
        )
        .fetch_all(&self.read)
        .await?;
        let themes: Vec<(i64, i64)> = sqlx::query_as(
            "select tier_id, theme_id from tier_required_themes order by tier_id, theme_id",
        )
        .fetch_all(&self.read)
        .await?;
        Ok(rows
            .into_iter()
            .map(|r| {
                let id = r.id();
                r.plan(themes.iter().filter(|t| t.0 == id).map(|t| t.1).collect())
            })
            .collect())
    }

    #[tracing::instrument(skip_all)]
    async fn save_tier_plan(
        &self,
        tier_id: i64,
        target_count: i64,
        req: &Requirements,
        now: Timestamp,
        audit: Option<&AuditLine>,
    ) -> RepoResult<bool> {
        let mut tx = self.write.begin().await?;
        let done = sqlx::query(
            "update tiers set target_count = $1, req_hours = $2, req_attendance_percent = $3, \
             req_reflections = $4, req_teaching = $5, updated_at = $6, elsewhere = $8, \
             elsewhere_cap = $9 where id = $7",
        )
        .bind(target_count)
        .bind(req.hours.0)
        .bind(req.min_attendance_percent)
        .bind(req.reflections)
        .bind(req.teaching)
        .bind(now.0)
        .bind(tier_id)
        .bind(req.elsewhere.parts().0)
        .bind(req.elsewhere.parts().1)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if done == 0 {
            return Ok(false);
        }
        sqlx::query("delete from tier_required_themes where tier_id = $1")
            .bind(tier_id)
            .execute(&mut *tx)
            .await?;
        for theme in &req.themes {
            sqlx::query(
                "insert into tier_required_themes (tier_id, theme_id) \
                 select $1, id from themes where id = $2",
            )
            .bind(tier_id)
            .bind(theme)
            .execute(&mut *tx)
            .await?;
        }
        if let Some(line) = audit {
            Self::insert_audit(&mut tx, line).await?;
        }
        tx.commit().await?;
        Ok(true)
    }

    #[tracing::instrument(skip_all)]
    async fn year_sessions(&self, from: Timestamp, to: Timestamp) -> RepoResult<Vec<YearSession>> {
        const IN_YEAR: &str = "s.cancelled = false and s.starts_at >= $1 and s.starts_at < $2";
        #[derive(sqlx::FromRow)]
        struct Row {
            id: i64,
            starts_at: i64,
            study_hours: i64,
            theme_id: i64,
            audience: String,
            subdistrict_id: Option<i64>,
            series: String,
        }
        let rows: Vec<Row> = sqlx::query_as(&format!(
            "select s.id, s.starts_at, s.study_hours, s.theme_id, s.audience, s.subdistrict_id, \
             s.series from sessions s where {IN_YEAR} order by s.starts_at, s.id"
        ))
        .bind(from.0)
        .bind(to.0)
        .fetch_all(&self.read)
        .await?;
        let audience: Vec<(i64, String, i64)> = sqlx::query_as(&format!(
            "select a.session_id, a.kind, a.ref_id from session_audience a \
             join sessions s on s.id = a.session_id where {IN_YEAR}"
        ))
        .bind(from.0)
        .bind(to.0)
        .fetch_all(&self.read)
        .await?;
        let lecturers: Vec<(i64, i64)> = sqlx::query_as(&format!(
            "select l.session_id, l.person_id from session_lecturers l \
             join sessions s on s.id = l.session_id where {IN_YEAR}"
        ))
        .bind(from.0)
        .bind(to.0)
        .fetch_all(&self.read)
        .await?;
        let mut chosen: std::collections::HashMap<i64, [Vec<i64>; 3]> = Default::default();
        for (session, kind, id) in audience {
            let slot = match kind.as_str() {
                "tier" => 0,
                "community" => 1,
                _ => 2,
            };
            chosen.entry(session).or_default()[slot].push(id);
        }
        let mut lecturing: std::collections::HashMap<i64, Vec<i64>> = Default::default();
        for (session, person) in lecturers {
            lecturing.entry(session).or_default().push(person);
        }
        Ok(rows
            .into_iter()
            .map(|r| YearSession {
                id: r.id,
                starts_at: Timestamp(r.starts_at),
                hours: StudyHours(r.study_hours),
                theme_id: r.theme_id,
                cancelled: false,
                subdistrict_id: r.subdistrict_id,
                audience: match (r.audience.as_str(), chosen.remove(&r.id)) {
                    ("chosen", Some([tiers, communities, people])) => Audience::Chosen {
                        tiers,
                        communities,
                        people,
                    },
                    ("chosen", None) => Audience::Chosen {
                        tiers: Vec::new(),
                        communities: Vec::new(),
                        people: Vec::new(),
                    },
                    _ => Audience::Everyone,
                },
                lecturers: lecturing.remove(&r.id).unwrap_or_default(),
                series: r.series,
            })
            .collect())
    }

    #[tracing::instrument(skip_all)]
    async fn programme_cadres(
        &self,
        person: Option<i64>,
        reach: Option<&crate::domain::org::Reach>,
    ) -> RepoResult<Vec<ProgrammeCadre>> {
        #[derive(sqlx::FromRow)]
        struct Row {
            id: i64,
            name: String,
            community_id: Option<i64>,
            community: String,
            tier_id: Option<i64>,
            subdistrict_id: Option<i64>,
        }
        let mut sql = sqlx::QueryBuilder::new(
            "select p.id, p.name, p.community_id, coalesce(c.name, '') as community, p.tier_id, \
             c.subdistrict_id from people p left join communities c on c.id = p.community_id \
             where (p.tier_id is not null \
             or exists (select 1 from tier_history h where h.person_id = p.id))",
        );
        clauses::only(&mut sql, "p.id", person);
        sql.push(" and ");
        clauses::within(&mut sql, "p.community_id", reach);
        sql.push(" order by p.id");
        let rows: Vec<Row> = sql.build_query_as().fetch_all(&self.read).await?;
        let mut sql = sqlx::QueryBuilder::new(
            "select person_id, effective_at, tier_id from tier_history where true",
        );
        clauses::only(&mut sql, "person_id", person);
        sql.push(" order by person_id, effective_at, id");
        let history: Vec<(i64, i64, Option<i64>)> =
            sql.build_query_as().fetch_all(&self.read).await?;
        let mut out: Vec<ProgrammeCadre> = rows
            .into_iter()
            .map(|r| ProgrammeCadre {
                person_id: r.id,
                name: r.name,
                community_id: r.community_id,
                community: r.community,
                tier_id: r.tier_id,
                subdistrict_id: r.subdistrict_id,
                tiers: Vec::new(),
                withdrawn: Vec::new(),
            })
            .collect();
        // Both are ordered by person: walk them together.
        let mut i = 0;
        for (person_id, at, tier) in history {
            while i < out.len() && out[i].person_id < person_id {
                i += 1;
            }
            if let Some(c) = out.get_mut(i).filter(|c| c.person_id == person_id) {
                c.tiers.push((Timestamp(at), tier));
            }
        }
        // Withdrawals from special classes: few rows (leave past a series' cap).
        let mut sql = sqlx::QueryBuilder::new(
            "select person_id, series, withdrawn_at from series_withdrawals where true",
        );
        clauses::only(&mut sql, "person_id", person);
        let withdrawn: Vec<(i64, String, i64)> = sql.build_query_as().fetch_all(&self.read).await?;
        for (person_id, series, at) in withdrawn {
            if let Ok(i) = out.binary_search_by_key(&person_id, |c| c.person_id) {
                out[i].withdrawn.push((series, Timestamp(at)));
            }
        }
        Ok(out)
    }

    #[tracing::instrument(skip_all)]
    async fn year_tallies(&self, year: i32, person: Option<i64>) -> RepoResult<Vec<(i64, Tally)>> {
        #[derive(sqlx::FromRow)]
        struct Row {
            person_id: i64,
            present: i64,
            present_hours: i64,
            late: i64,
            late_hours: i64,
            made_up: i64,
            made_up_hours: i64,
            excused: i64,
            absent: i64,
        }
        let mut sql = sqlx::QueryBuilder::new(
            "select person_id, present, present_hours, late, late_hours, made_up, \
             made_up_hours, excused, absent from attendance_tally where year = ",
        );
        sql.push_bind(i64::from(year));
        clauses::only(&mut sql, "person_id", person);
        let rows: Vec<Row> = sql.build_query_as().fetch_all(&self.read).await?;
        Ok(rows
            .into_iter()
            .map(|r| {
                (
                    r.person_id,
                    Tally {
                        present: (r.present, StudyHours(r.present_hours)),
                        late: (r.late, StudyHours(r.late_hours)),
                        made_up: (r.made_up, StudyHours(r.made_up_hours)),
                        excused: r.excused,
                        absent: r.absent,
                    },
                )
            })
            .collect())
    }

    #[tracing::instrument(skip_all)]
    async fn required_themes_met(
        &self,
        year: i32,
        person: Option<i64>,
    ) -> RepoResult<Vec<(i64, i64)>> {
        let mut sql = sqlx::QueryBuilder::new(
            "select t.person_id, t.theme_id from theme_tally t \
             where t.attended > 0 and t.theme_id in (select theme_id from tier_required_themes \
             union select theme_id from subdistrict_tier_themes) and t.year = ",
        );
        sql.push_bind(i64::from(year));
        clauses::only(&mut sql, "t.person_id", person);
        Ok(sql.build_query_as().fetch_all(&self.read).await?)
    }

    #[tracing::instrument(skip_all)]
    async fn reflection_counts(
        &self,
        from: Timestamp,
        to: Timestamp,
        person: Option<i64>,
    ) -> RepoResult<Vec<(i64, i64, i64)>> {
        let mut sql = sqlx::QueryBuilder::new(
            "select r.person_id, \
             sum(case when r.accepted_at is not null then 1 else 0 end), \
             sum(case when r.accepted_at is null then 1 else 0 end) \
             from reflections r join sessions s on s.id = r.session_id \
             where s.cancelled = false and s.starts_at >= ",
        );
        sql.push_bind(from.0)
            .push(" and s.starts_at < ")
            .push_bind(to.0);
        clauses::only(&mut sql, "r.person_id", person);
        sql.push(" group by r.person_id");
        Ok(sql.build_query_as().fetch_all(&self.read).await?)
    }

    #[tracing::instrument(skip_all)]
    async fn excused_between(
        &self,
        from: Timestamp,
        to: Timestamp,
        person: Option<i64>,
    ) -> RepoResult<Vec<(i64, i64, StudyHours)>> {
        let mut sql = excused_per_person(
            "count(*), cast(sum(s.study_hours) as bigint)",
            from,
            to,
            person,
            false,
        );
        let rows: Vec<(i64, i64, i64)> = sql.build_query_as().fetch_all(&self.read).await?;
        Ok(rows
            .into_iter()
            .map(|r| (r.0, r.1, StudyHours(r.2)))
            .collect())
    }

    #[tracing::instrument(skip_all)]
    async fn excused_withdrawn(
        &self,
        from: Timestamp,
        to: Timestamp,
        person: Option<i64>,
    ) -> RepoResult<Vec<(i64, i64)>> {
        let mut sql = excused_per_person("count(*)", from, to, person, true);
        Ok(sql.build_query_as().fetch_all(&self.read).await?)
    }

    #[tracing::instrument(skip_all)]
    async fn approved_elsewhere(
        &self,
        year: i32,
        person: Option<i64>,
    ) -> RepoResult<Vec<(i64, StudyHours)>> {
        let mut query = sqlx::QueryBuilder::new(
            "select person_id, cast(sum(hours) as bigint) from claims \
             where state = 'approved' and year = ",
        );
        query.push_bind(i64::from(year));
        clauses::only(&mut query, "person_id", person);
        query.push(" group by person_id");
        let rows: Vec<(i64, i64)> = query.build_query_as().fetch_all(&self.read).await?;
        Ok(rows.into_iter().map(|(p, h)| (p, StudyHours(h))).collect())
    }

    #[tracing::instrument(skip_all)]
    async fn records_at(
        &self,
        sessions: &[i64],
        person: Option<i64>,
    ) -> RepoResult<Vec<(i64, i64, AttendanceStatus)>> {
        if sessions.is_empty() {
            return Ok(Vec::new());
        }
        let mut sql = sqlx::QueryBuilder::new(
            "select session_id, person_id, status from attendance where session_id in ",
        );
        clauses::in_list(&mut sql, sessions.iter().copied());
        clauses::only(&mut sql, "person_id", person);
        let rows: Vec<(i64, i64, String)> = sql.build_query_as().fetch_all(&self.read).await?;
        rows.into_iter()
            .map(|r| Ok((r.0, r.1, parse_status(&r.2)?)))
            .collect()
    }

    #[tracing::instrument(skip_all)]
    async fn month_tallies(&self, year: i32) -> RepoResult<Vec<MonthTally>> {
        let rows: Vec<(i64, i64, i64, i64)> = sqlx::query_as(
            "select month, present, late, excused from attendance_months \
             where month > $1 and month < $2 order by month",
        )
        .bind(i64::from(year) * 100)
        .bind(i64::from(year) * 100 + 13)
        .fetch_all(&self.read)
        .await?;
        Ok(rows
            .into_iter()
            .map(|r| MonthTally {
                month: r.0,
                present: r.1,
                late: r.2,
                excused: r.3,
            })
            .collect())
    }

    #[tracing::instrument(skip_all)]
    async fn star_rows(
        &self,
        from: Timestamp,
        to: Timestamp,
        person: Option<i64>,
        limit: i64,
    ) -> RepoResult<Vec<StarRow>> {
        let w = STAR_WEIGHTS;
        let month = crate::domain::programme::month_of(from);
        let mut sql = sqlx::QueryBuilder::new(
            "select p.id as person_id, p.name, coalesce(c.name, '') as community, \
             p.community_id, c.subdistrict_id, cast(sum(e.points) as bigint) as points from ( \
             select m.person_id, cast(",
        );
        sql.push_bind(w.present)
            .push(" as bigint) * m.present + cast(")
            .push_bind(w.late)
            .push(" as bigint) * m.late + cast(")
            .push_bind(w.made_up)
            .push(" as bigint) * m.made_up as points from person_months m where m.month = ")
            .push_bind(month);
        clauses::only(&mut sql, "m.person_id", person);
        sql.push(" union all select r.person_id, cast(")
            .push_bind(w.reflection)
            .push(" as bigint) from reflections r where r.accepted_at >= ")
            .push_bind(from.0)
            .push(" and r.accepted_at < ")
            .push_bind(to.0);
        clauses::only(&mut sql, "r.person_id", person);
        sql.push(
            ") e join people p on p.id = e.person_id \
             left join communities c on c.id = p.community_id where p.tier_id is not null \
             group by p.id, p.name, c.name, p.community_id, c.subdistrict_id \
             order by sum(e.points) desc, p.id limit ",
        )
        .push_bind(limit);
        Ok(sql.build_query_as().fetch_all(&self.read).await?)
    }

    #[tracing::instrument(skip_all)]
    async fn tier_history(&self, person_id: i64) -> RepoResult<Vec<TierChange>> {
        let rows: Vec<(Option<i64>, String, i64, String, Option<String>)> =
            tier_history_query("", person_id)
                .build_query_as()
                .fetch_all(&self.read)
                .await?;
        Ok(rows
            .into_iter()
            .map(|r| TierChange {
                tier_id: r.0,
                change: r.1,
                effective_at: Timestamp(r.2),
                note: r.3,
                actor: r.4,
            })
            .collect())
    }

    #[tracing::instrument(skip_all)]
    async fn change_tier(
        &self,
        person_id: i64,
        change: &TierChange,
        actor: i64,
        now: Timestamp,
        audit: &AuditLine,
    ) -> RepoResult<bool> {
        let mut tx = self.write.begin().await?;
        let done = sqlx::query(
            "update people set tier_id = $1 where id = $2 \
             and ($1 is null or exists (select 1 from tiers where id = $1))",
        )
        .bind(change.tier_id)
        .bind(person_id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if done == 0 {
            return Ok(false);
        }
        Self::record_tier_change(&mut tx, person_id, change, Some(actor), now).await?;
        Self::insert_audit(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(true)
    }

    #[tracing::instrument(skip_all)]
    async fn ledger_rows(
        &self,
        person_id: i64,
        from: Timestamp,
        to: Timestamp,
    ) -> RepoResult<Vec<LedgerRow>> {
        #[derive(sqlx::FromRow)]
        struct Row {
            id: i64,
            title: String,
            starts_at: i64,
            study_hours: i64,
            theme: String,
            status: Option<String>,
            lectured: bool,
        }
        let rows: Vec<Row> = ledger_query("", person_id, from, to)
            .build_query_as()
            .fetch_all(&self.read)
            .await?;
        rows.into_iter()
            .map(|r| {
                Ok(LedgerRow {
                    session_id: r.id,
                    title: r.title,
                    starts_at: Timestamp(r.starts_at),
                    hours: StudyHours(r.study_hours),
                    theme: r.theme,
                    status: r.status.as_deref().map(parse_status).transpose()?,
                    lectured: r.lectured,
                })
            })
            .collect()
    }

    #[tracing::instrument(skip_all)]
    async fn reflection_lines(
        &self,
        person_id: i64,
        from: Timestamp,
        to: Timestamp,
    ) -> RepoResult<Vec<ReflectionLine>> {
        let rows: Vec<(i64, String, i64, String, bool)> =
            reflections_query("", person_id, from, to)
                .build_query_as()
                .fetch_all(&self.read)
                .await?;
        Ok(rows
            .into_iter()
            .map(|r| ReflectionLine {
                session_id: r.0,
                title: r.1,
                starts_at: Timestamp(r.2),
                body: r.3,
                accepted: r.4,
            })
            .collect())
    }

    async fn person_plans(
        &self,
        person_id: i64,
        from: Timestamp,
        to: Timestamp,
    ) -> RepoResult<Vec<(&'static str, Vec<PlanStep>)>> {
        let e = Self::EXPLAIN;
        let history = super::attendance_sql::facts_query(e, from, to, to, Some(person_id), None);
        Ok(vec![
            ("history", self.plan_of(history).await?),
            (
                "ledger",
                self.plan_of(ledger_query(e, person_id, from, to)).await?,
            ),
            (
                "reflections",
                self.plan_of(reflections_query(e, person_id, from, to))
                    .await?,
            ),
            (
                "tier_history",
                self.plan_of(tier_history_query(e, person_id)).await?,
            ),
        ])
    }

    #[tracing::instrument(skip_all)]
    async fn accept_reflection(&self, reflection_id: i64, now: Timestamp) -> RepoResult<bool> {
        let done = sqlx::query(
            "update reflections set accepted_at = coalesce(accepted_at, $1) where id = $2",
        )
        .bind(now.0)
        .bind(reflection_id)
        .execute(&self.write)
        .await?
        .rows_affected();
        Ok(done > 0)
    }
}

/// A person's tier changes, oldest first; `prefix` goes in front (`EXPLAIN` for its plan).
fn tier_history_query<'a>(prefix: &str, person_id: i64) -> sqlx::QueryBuilder<'a, Db> {
    let mut sql = sqlx::QueryBuilder::new(prefix);
    sql.push(
        "select h.tier_id, h.change, h.effective_at, h.note, a.name from tier_history h \
         left join people a on a.id = h.actor_person_id where h.person_id = ",
    )
    .push_bind(person_id)
    .push(" order by h.effective_at, h.id");
    sql
}

/// One person's ledger: sessions of `[from, to)` with a record of theirs or lectured by them.
fn ledger_query<'a>(
    prefix: &str,
    person_id: i64,
    from: Timestamp,
    to: Timestamp,
) -> sqlx::QueryBuilder<'a, Db> {
    let mut sql = sqlx::QueryBuilder::new(prefix);
    sql.push(
        "select s.id, s.title, s.starts_at, s.study_hours, t.name_zh as theme, x.status, \
         exists (select 1 from session_lecturers l where l.session_id = s.id and l.person_id = ",
    )
    .push_bind(person_id)
    .push(
        ") as lectured from sessions s join themes t on t.id = s.theme_id \
         left join attendance x on x.session_id = s.id and x.person_id = ",
    )
    .push_bind(person_id)
    .push(" where s.cancelled = false and s.starts_at >= ")
    .push_bind(from.0)
    .push(" and s.starts_at < ")
    .push_bind(to.0)
    .push(
        " and (x.person_id is not null or exists (select 1 from session_lecturers l \
         where l.session_id = s.id and l.person_id = ",
    )
    .push_bind(person_id)
    .push(")) order by s.starts_at, s.id");
    sql
}

/// One person's reflections at sessions of `[from, to)`, oldest first.
fn reflections_query<'a>(
    prefix: &str,
    person_id: i64,
    from: Timestamp,
    to: Timestamp,
) -> sqlx::QueryBuilder<'a, Db> {
    let mut sql = sqlx::QueryBuilder::new(prefix);
    sql.push(
        "select s.id, s.title, s.starts_at, r.body, r.accepted_at is not null \
         from reflections r join sessions s on s.id = r.session_id where r.person_id = ",
    )
    .push_bind(person_id)
    .push(" and s.starts_at >= ")
    .push_bind(from.0)
    .push(" and s.starts_at < ")
    .push_bind(to.0)
    .push(" order by s.starts_at, s.id");
    sql
}
