use std::str::FromStr;
use std::time::Duration;

use sqlx::Sqlite;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions};

use super::clauses::{self, in_audience, in_list, like_all, search_conditions};
use super::shared::*;
use super::*;

/// Opens (creating if missing) the SQLite file and migrates it. WAL lets readers run beside
/// the single writer; the busy timeout covers other processes (backups, the CLI).
pub async fn connect_sqlite(url: &str) -> RepoResult<SqlRepository<Sqlite>> {
    let options = SqliteConnectOptions::from_str(url)?
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .busy_timeout(Duration::from_secs(5))
        .foreign_keys(true);
    // A local file cannot drop a connection the way a network can: no ping before each
    // use (sqlx's default), which would be one more round trip per query.
    let write = SqlitePoolOptions::new()
        .max_connections(1)
        .test_before_acquire(false)
        .connect_with(options.clone())
        .await?;
    super::backup::sqlite_migrator().run(&write).await?;
    // Opened at start, so that the first requests (the first check-ins of an evening, all
    // at once) do not wait for connections to be opened.
    let read = SqlitePoolOptions::new()
        .max_connections(4)
        .min_connections(4)
        .test_before_acquire(false)
        .connect_with(options.read_only(true))
        .await?;
    Ok(SqlRepository { read, write })
}

/// The backend the `*_sql.rs` files are compiled for here.
type Db = Sqlite;
const BACKEND: &str = "sqlite";
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

impl SqlRepository<Sqlite> {
    /// A write transaction that takes the database's write lock at once: a transaction that
    /// reads first and upgrades later fails with "database is locked" when another process
    /// (a second app server on the same file) writes meanwhile, busy timeout or not.
    pub(super) async fn begin_write(&self) -> sqlx::Result<sqlx::Transaction<'static, Sqlite>> {
        self.write.begin_with("BEGIN IMMEDIATE").await
    }

    /// On SQLite a statement is a function call, not a round trip: a batch's check-ins are
    /// written one at a time (`None`).
    pub(super) async fn first_checkins(
        _tx: &mut sqlx::Transaction<'_, Sqlite>,
        _batch: &[Checkin],
    ) -> RepoResult<Option<std::collections::HashSet<(i64, i64)>>> {
        Ok(None)
    }
}

impl SqlRepository<Sqlite> {
    /// What turns a query into its plan.
    const EXPLAIN: &str = "explain query plan ";

    /// The tables the plan of `sql` (built with [`Self::EXPLAIN`] in front) reads: `SCAN`
    /// reads one whole, `SEARCH` looks rows up by an index.
    async fn plan_of(&self, mut sql: sqlx::QueryBuilder<'_, Sqlite>) -> RepoResult<Vec<PlanStep>> {
        let rows: Vec<(i64, i64, i64, String)> = sql.build_query_as().fetch_all(&self.read).await?;
        Ok(rows
            .into_iter()
            .filter_map(|(_, _, _, detail)| {
                let (indexed, rest) = if let Some(rest) = detail.strip_prefix("SEARCH ") {
                    (true, rest)
                } else {
                    (false, detail.strip_prefix("SCAN ")?)
                };
                let table = rest.split_whitespace().next().unwrap_or("").to_string();
                Some(PlanStep {
                    table,
                    indexed,
                    detail: detail.clone(),
                })
            })
            .collect())
    }
}

impl SqlRepository<Sqlite> {
    /// Search through the FTS5 trigram index: `match` when every term is at least three
    /// characters long (what a trigram index can look up), a scan with `like` otherwise.
    fn search_sql(
        query: &crate::domain::search::Query,
        scope: &Scope,
        reflections: bool,
        now: Timestamp,
        limit: i64,
    ) -> sqlx::QueryBuilder<'static, Sqlite> {
        let mut sql = sqlx::QueryBuilder::new(
            "select search_index.rowid % 4 as kind, s.id as session_id, s.title, s.starts_at, \
             search_index.body as body, rp.name as author from search_index join sessions s on s.id = search_index.session_id \
             left join materials m on m.session_id = s.id \
             left join reflections r on search_index.rowid % 4 = 2 \
             and r.id = search_index.rowid / 4 \
             left join people rp on rp.id = r.person_id where ",
        );
        match query.fts5() {
            Some(phrases) => {
                sql.push("search_index match ").push_bind(phrases);
            }
            None => {
                sql.push("true");
                like_all(
                    &mut sql,
                    &["search_index.title", "search_index.body"],
                    query,
                    "like",
                );
            }
        }
        search_conditions(
            &mut sql,
            "(search_index.rowid % 4)",
            scope,
            reflections,
            now,
        );
        sql.push(" order by s.starts_at desc, search_index.rowid limit ")
            .push_bind(limit);
        sql
    }
}
