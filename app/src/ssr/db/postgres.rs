use sqlx::Postgres;
use sqlx::postgres::PgPoolOptions;

use super::clauses::{self, in_audience, in_list, like_all, search_conditions};
use super::shared::*;
use super::*;

/// Connects and migrates. Several app servers may start at once: sqlx takes an advisory
/// lock around migrations, so only one applies them.
pub async fn connect_postgres(url: &str) -> RepoResult<SqlRepository<Postgres>> {
    let pool = PgPoolOptions::new()
        .max_connections(16)
        .connect(url)
        .await?;
    sqlx::migrate!("../migrations/postgres").run(&pool).await?;
    Ok(SqlRepository {
        read: pool.clone(),
        write: pool,
    })
}

/// The backend the `*_sql.rs` files are compiled for here.
type Db = Postgres;
const BACKEND: &str = "postgres";
// Compiled once per backend on purpose: the same SQL for `Db = Sqlite` and `Postgres`.
#[allow(clippy::duplicate_mod)]
#[path = "accounts_sql.rs"]
mod accounts_sql;
#[allow(clippy::duplicate_mod)]
#[path = "announcements_sql.rs"]
mod announcements_sql;
#[allow(clippy::duplicate_mod)]
#[path = "attendance_sql.rs"]
mod attendance_sql;
#[allow(clippy::duplicate_mod)]
#[path = "certificates_sql.rs"]
mod certificates_sql;
#[allow(clippy::duplicate_mod)]
#[path = "claims_sql.rs"]
mod claims_sql;
#[allow(clippy::duplicate_mod)]
#[path = "corrections_sql.rs"]
mod corrections_sql;
#[allow(clippy::duplicate_mod)]
#[path = "evaluations_sql.rs"]
mod evaluations_sql;
#[allow(clippy::duplicate_mod)]
#[path = "identity_sql.rs"]
mod identity_sql;
#[allow(clippy::duplicate_mod)]
#[path = "import_sql.rs"]
mod import_sql;
#[allow(clippy::duplicate_mod)]
#[path = "leave_sql.rs"]
mod leave_sql;
#[allow(clippy::duplicate_mod)]
#[path = "materials_sql.rs"]
mod materials_sql;
#[allow(clippy::duplicate_mod)]
#[path = "messages_sql.rs"]
mod messages_sql;
#[allow(clippy::duplicate_mod)]
#[path = "organisation_sql.rs"]
mod organisation_sql;
#[allow(clippy::duplicate_mod)]
#[path = "planning_sql.rs"]
mod planning_sql;
#[allow(clippy::duplicate_mod)]
#[path = "progress_sql.rs"]
mod progress_sql;
#[allow(clippy::duplicate_mod)]
#[path = "repository_sql.rs"]
mod repository_sql;
#[allow(clippy::duplicate_mod)]
#[path = "rules_sql.rs"]
mod rules_sql;
#[allow(clippy::duplicate_mod)]
#[path = "second_factor_sql.rs"]
mod second_factor_sql;
#[allow(clippy::duplicate_mod)]
#[path = "security_sql.rs"]
mod security_sql;
#[allow(clippy::duplicate_mod)]
#[path = "suggestions_sql.rs"]
mod suggestions_sql;

impl SqlRepository<Postgres> {
    /// A write transaction (row locks and `on conflict` settle concurrent writers).
    pub(super) async fn begin_write(&self) -> sqlx::Result<sqlx::Transaction<'static, Postgres>> {
        self.write.begin().await
    }

    /// The first check-ins of a batch in one statement, with their audit lines: a round
    /// trip to the server per check-in was most of a burst's time. Returns the
    /// `(session, person)` pairs it recorded; the batch's other check-ins (a second tap, a
    /// record already there) go the way of one at a time.
    pub(super) async fn first_checkins(
        tx: &mut sqlx::Transaction<'_, Postgres>,
        batch: &[Checkin],
    ) -> RepoResult<Option<std::collections::HashSet<(i64, i64)>>> {
        let column = |f: fn(&Checkin) -> i64| batch.iter().map(f).collect::<Vec<i64>>();
        let text = |f: fn(&Checkin) -> &str| {
            batch
                .iter()
                .map(|c| f(c).to_string())
                .collect::<Vec<String>>()
        };
        let rows: Vec<(i64, i64)> = sqlx::query_as(
            "with input as ( \
               select * from unnest($1::bigint[], $2::bigint[], $3::text[], $4::bigint[], \
                 $5::bool[], $6::text[], $7::text[], $8::text[], $9::text[]) \
               as t(session_id, person_id, status, at, walk_in, source, address, agent, device)), \
             fresh as ( \
               insert into attendance (session_id, person_id, status, checked_in_at, created_at, \
                 walk_in, source, updated_at, checkin_address, checkin_user_agent, checkin_device) \
               select session_id, person_id, status, at, at, walk_in, source, at, address, agent, \
                 device from input \
               on conflict (session_id, person_id) do nothing \
               returning session_id, person_id, status, checked_in_at, source), \
             audited as ( \
               insert into attendance_audit (session_id, person_id, from_status, to_status, \
                 actor_person_id, reason, at) \
               select session_id, person_id, null, status, person_id, \
                 case when source = 'code' then 'code' else 'qr' end, checked_in_at from fresh) \
             select session_id, person_id from fresh",
        )
        .bind(column(|c| c.session_id))
        .bind(column(|c| c.person_id))
        .bind(text(|c| c.status.as_str()))
        .bind(column(|c| c.at.0))
        .bind(batch.iter().map(|c| c.walk_in).collect::<Vec<bool>>())
        .bind(text(|c| c.source))
        .bind(text(|c| &c.address))
        .bind(text(|c| &c.user_agent))
        .bind(text(|c| &c.device))
        .fetch_all(&mut **tx)
        .await?;
        Ok(Some(rows.into_iter().collect()))
    }
}

impl SqlRepository<Postgres> {
    /// What turns a query into its plan.
    const EXPLAIN: &str = "explain (costs off) ";

    /// The tables the plan of `sql` (built with [`Self::EXPLAIN`] in front) reads, planned
    /// with sequential scans priced out (`enable_seqscan = off`): on a small database the
    /// planner rightly prefers them, and what is asked here is whether an index can serve
    /// each read. A read is indexed when it has an index condition, or is a bitmap heap scan
    /// (whose index scan has one).
    async fn plan_of(
        &self,
        mut sql: sqlx::QueryBuilder<'_, Postgres>,
    ) -> RepoResult<Vec<PlanStep>> {
        let mut tx = self.read.begin().await?;
        sqlx::query("set local enable_seqscan = off")
            .execute(&mut *tx)
            .await?;
        let lines: Vec<String> = sql.build_query_scalar().fetch_all(&mut *tx).await?;
        tx.rollback().await?;
        Ok(plan_steps(&lines))
    }
}

/// The table reads of a plan in PostgreSQL's text format: a scan node's line names the table
/// (`… Scan … on people p`); the lines under it, up to the next node, say how it is read.
fn plan_steps(lines: &[String]) -> Vec<PlanStep> {
    let mut out: Vec<PlanStep> = Vec::new();
    let mut current: Option<usize> = None;
    for (n, line) in lines.iter().enumerate() {
        let is_node = n == 0 || line.trim_start().starts_with("->");
        let text = line.trim_start().trim_start_matches("->").trim();
        if is_node {
            current = None;
            let scan = text.contains(" Scan ") && !text.starts_with("Bitmap Index Scan");
            if let (true, Some((_, on))) = (scan, text.split_once(" on ")) {
                let mut words = on.split_whitespace();
                let relation = words.next().unwrap_or("");
                let alias = words.next().unwrap_or(relation);
                out.push(PlanStep {
                    table: alias.to_string(),
                    indexed: text.starts_with("Bitmap Heap Scan"),
                    detail: text.to_string(),
                });
                current = Some(out.len() - 1);
            }
        } else if let Some(i) = current
            && text.starts_with("Index Cond:")
        {
            out[i].indexed = true;
        }
    }
    out
}

impl SqlRepository<Postgres> {
    /// Search with `ilike` over the three sources; the trigram (GIN) indexes of each serve
    /// terms of three characters or more, shorter ones scan.
    fn search_sql(
        query: &crate::domain::search::Query,
        scope: &Scope,
        reflections: bool,
        now: Timestamp,
        limit: i64,
    ) -> sqlx::QueryBuilder<'static, Postgres> {
        let mut sql = sqlx::QueryBuilder::new(
            "select x.kind, s.id as session_id, s.title, s.starts_at, x.body, rp.name as author from ( \
             select 0::bigint as kind, id as ref_id, id as session_id, title, \
             description_md as body from sessions \
             union all select 1::bigint, session_id, session_id, ''::text, body_text \
             from materials \
             union all select 2::bigint, id, session_id, ''::text, body from reflections \
             ) x join sessions s on s.id = x.session_id \
             left join materials m on m.session_id = s.id \
             left join reflections r on x.kind = 2 and r.id = x.ref_id \
             left join people rp on rp.id = r.person_id where true",
        );
        like_all(&mut sql, &["x.title", "x.body"], query, "ilike");
        search_conditions(&mut sql, "x.kind", scope, reflections, now);
        sql.push(" order by s.starts_at desc, x.kind, x.ref_id limit ")
            .push_bind(limit);
        sql
    }
}
