//! Backups in one format for both backends: a SQLite file with this program's SQLite schema,
//! every table's rows, and a `nightschool_backup` table saying when, from what and how many
//! rows per table. A backup of PostgreSQL is therefore also a database a subdistrict can run
//! on, and any backup restores into either backend.
//!
//! [`BackupStore::snapshot_to`] writes a consistent snapshot of a running database;
//! [`BackupStore::replace_with`] puts the rows of a checked, migrated copy of a backup in
//! place of the database's own, in one transaction. Tallies are copied as they are (the
//! triggers that keep them are off during the copy); the SQLite search index is derived, so
//! its triggers stay on and rebuild it from the rows.
use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::time::Duration;

use async_trait::async_trait;
use futures_util::TryStreamExt;
use sqlx::postgres::PgRow;
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteRow,
};
use sqlx::{Postgres, Row, Sqlite, TypeInfo, ValueRef};

use super::shared::SqlRepository;
use super::{RepoError, RepoResult};

mod postgres;
mod sqlite;

/// What the `nightschool_backup` table's `format` row says in a file this program wrote.
pub const FORMAT: &str = "nightschool-backup-1";
/// Tables that are not data: sqlx's migration record (each database keeps its own), the
/// backup's description and the change counters and stamps (which only move forward: a
/// restore moves them on, see [`moved_on`]).
const NOT_DATA: [&str; 7] = [
    "_sqlx_migrations",
    "nightschool_backup",
    "data_changes",
    "reference_changes",
    "page_changes",
    "session_changes",
    "community_changes",
];

/// Moves the change counters on after a restore, so that every app server rebuilds what it
/// keeps in memory from the database's rows (standings, reports, resolved logins): also
/// every session's own stamp and every community's, including those that had none (at 0,
/// which an app server may hold for the rows before the restore).
async fn moved_on<DB>(conn: &mut DB::Connection) -> RepoResult<()>
where
    DB: sqlx::Database,
    for<'c> &'c mut DB::Connection: sqlx::Executor<'c, Database = DB>,
    for<'q> DB::Arguments<'q>: sqlx::IntoArguments<'q, DB>,
{
    sqlx::query("update data_changes set n = n + 1 where id = 1")
        .execute(&mut *conn)
        .await?;
    sqlx::query("update reference_changes set n = n + 1 where id = 1")
        .execute(&mut *conn)
        .await?;
    sqlx::query("update page_changes set n = n + 1 where id = 1")
        .execute(&mut *conn)
        .await?;
    sqlx::query(
        "insert into session_changes (session_id, community_id, n) \
         select id, -1, 1 from sessions where true \
         on conflict (session_id, community_id) do update set n = session_changes.n + 1",
    )
    .execute(&mut *conn)
    .await?;
    sqlx::query(
        "insert into community_changes (community_id, n) \
         select id, 1 from communities union all select 0, 1 where true \
         on conflict (community_id) do update set n = community_changes.n + 1",
    )
    .execute(conn)
    .await?;
    Ok(())
}
/// Rows sent to the target at once, and the bytes after which a batch goes out earlier
/// (attachments are stored as blobs).
const BATCH_ROWS: usize = 500;
const BATCH_BYTES: usize = 8 * 1024 * 1024;

/// How a backup file describes itself.
#[derive(Clone, Debug, PartialEq)]
pub struct BackupMeta {
    pub format: String,
    /// Unix seconds.
    pub made_at: i64,
    /// `sqlite` or `postgres`: the backend the snapshot was taken from.
    pub source: String,
    /// The program version that wrote it.
    pub version: String,
    /// Rows per table when it was written.
    pub rows: Vec<(String, i64)>,
}

/// What a SQLite file holds, read before anything is restored from it.
#[derive(Clone, Debug)]
pub struct Inspection {
    /// `PRAGMA integrity_check`'s first line: "ok" for a sound file.
    pub integrity: String,
    /// `None` for a plain database file (not written by `backup`).
    pub meta: Option<BackupMeta>,
    /// Migration versions applied to it.
    pub migrations: Vec<i64>,
    /// Rows per data table now.
    pub rows: Vec<(String, i64)>,
}

#[async_trait]
pub trait BackupStore: Send + Sync {
    /// Writes a consistent snapshot of every table to a new SQLite file at `path`, with its
    /// description, while the database keeps serving.
    async fn snapshot_to(&self, path: &Path, version: &str, now: i64) -> RepoResult<BackupMeta>;
    /// Replaces every row of the database with the rows of `source` (a migrated working
    /// copy of a backup), in one transaction, and returns the rows per table written. The
    /// transaction is rolled back unless every table's count equals the source's.
    async fn replace_with(&self, source: &SqlitePool) -> RepoResult<Vec<(String, i64)>>;
}

/// The migrations of the SQLite schema, which is also the backup format's schema.
pub fn sqlite_migrator() -> &'static sqlx::migrate::Migrator {
    static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../migrations/sqlite");
    &MIGRATOR
}

/// One connection to a SQLite file: read-only for a file being checked, or read-write
/// (created when `create`) for a backup being written or a working copy.
pub async fn open_file(path: &Path, read_only: bool, create: bool) -> RepoResult<SqlitePool> {
    let mut options = SqliteConnectOptions::new()
        .filename(path)
        .read_only(read_only)
        .create_if_missing(create)
        .busy_timeout(Duration::from_secs(30))
        .foreign_keys(true);
    if !read_only {
        // One self-contained file (a snapshot of a WAL database would otherwise say WAL).
        options = options.journal_mode(SqliteJournalMode::Delete);
    }
    Ok(SqlitePoolOptions::new()
        .max_connections(1)
        .connect_with(options)
        .await?)
}

/// Reads what a SQLite file is: its soundness, description, migrations and row counts.
pub async fn inspect(pool: &SqlitePool) -> RepoResult<Inspection> {
    let integrity: String = sqlx::query_scalar("pragma integrity_check")
        .fetch_one(pool)
        .await?;
    let has = |name: &'static str| async move {
        sqlx::query_scalar::<_, i64>(
            "select count(*) from sqlite_master where type = 'table' and name = $1",
        )
        .bind(name)
        .fetch_one(pool)
        .await
    };
    let migrations = if has("_sqlx_migrations").await? > 0 {
        sqlx::query_scalar("select version from _sqlx_migrations where success order by version")
            .fetch_all(pool)
            .await?
    } else {
        Vec::new()
    };
    let meta = if has("nightschool_backup").await? > 0 {
        let pairs: Vec<(String, String)> =
            sqlx::query_as("select key, value from nightschool_backup")
                .fetch_all(pool)
                .await?;
        let get = |k: &str| {
            pairs
                .iter()
                .find(|(key, _)| key == k)
                .map(|(_, v)| v.clone())
                .unwrap_or_default()
        };
        let rows = pairs
            .iter()
            .filter_map(|(k, v)| Some((k.strip_prefix("rows.")?.to_string(), v.parse().ok()?)))
            .collect();
        Some(BackupMeta {
            format: get("format"),
            made_at: get("made_at").parse().unwrap_or(0),
            source: get("source"),
            version: get("version"),
            rows,
        })
    } else {
        None
    };
    let rows = if integrity == "ok" {
        // The layout first: the file's pool has one connection.
        let tables = layout(pool).await?.tables;
        count_rows::<Sqlite>(&mut *pool.acquire().await?, &tables).await?
    } else {
        Vec::new()
    };
    Ok(Inspection {
        integrity,
        meta,
        migrations,
        rows,
    })
}

/// A consistent copy of `source` at `dest`, brought up to this program's schema.
pub async fn working_copy(source: &SqlitePool, dest: &Path) -> RepoResult<SqlitePool> {
    vacuum_into(source, dest).await?;
    let pool = open_file(dest, false, false).await?;
    sqlite_migrator().run(&pool).await?;
    Ok(pool)
}

async fn vacuum_into(pool: &SqlitePool, dest: &Path) -> RepoResult<()> {
    let dest = dest
        .to_str()
        .ok_or_else(|| RepoError::BadValue(dest.display().to_string(), "backup path"))?;
    sqlx::query("vacuum into $1")
        .bind(dest)
        .execute(pool)
        .await?;
    Ok(())
}

/// A data table of the backup schema.
#[derive(Clone, Debug)]
struct Table {
    name: String,
    columns: Vec<String>,
    /// The primary key columns (or `rowid`), for a stable order.
    order: String,
}

/// The data tables, parents before children, and the derived (virtual) tables.
struct Layout {
    tables: Vec<Table>,
    derived: Vec<String>,
}

/// Reads the layout from a SQLite database with the backup schema.
async fn layout(pool: &SqlitePool) -> RepoResult<Layout> {
    let all: Vec<(String, String)> = sqlx::query_as(
        "select name, coalesce(sql, '') from sqlite_master where type = 'table' order by name",
    )
    .fetch_all(pool)
    .await?;
    let derived: Vec<String> = all
        .iter()
        .filter(|(_, sql)| sql.to_ascii_lowercase().starts_with("create virtual"))
        .map(|(name, _)| name.clone())
        .collect();
    let is_data = |name: &str| {
        !name.starts_with("sqlite_")
            && !NOT_DATA.contains(&name)
            && !derived
                .iter()
                .any(|v| name == v || name.starts_with(&format!("{v}_")))
    };
    let mut pending = Vec::new();
    for (name, _) in all.iter().filter(|(name, _)| is_data(name)) {
        let columns: Vec<(String, i64)> =
            sqlx::query_as("select name, pk from pragma_table_info($1) order by cid")
                .bind(name)
                .fetch_all(pool)
                .await?;
        let mut keys: Vec<&(String, i64)> = columns.iter().filter(|(_, pk)| *pk > 0).collect();
        keys.sort_by_key(|(_, pk)| *pk);
        let order = if keys.is_empty() {
            "rowid".to_string()
        } else {
            keys.iter()
                .map(|(c, _)| quote(c))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let parents: Vec<String> =
            sqlx::query_scalar("select distinct \"table\" from pragma_foreign_key_list($1)")
                .bind(name)
                .fetch_all(pool)
                .await?;
        let table = Table {
            name: name.clone(),
            columns: columns.into_iter().map(|(c, _)| c).collect(),
            order,
        };
        pending.push((table, parents));
    }
    // Parents first, so PostgreSQL's immediate foreign keys hold row by row.
    let mut tables: Vec<Table> = Vec::new();
    while !pending.is_empty() {
        let placed: HashSet<String> = tables.iter().map(|t| t.name.clone()).collect();
        let waiting: HashSet<String> = pending.iter().map(|(t, _)| t.name.clone()).collect();
        let (ready, rest): (Vec<_>, Vec<_>) = pending.into_iter().partition(|(t, parents)| {
            parents
                .iter()
                .all(|p| p == &t.name || placed.contains(p) || !waiting.contains(p))
        });
        if ready.is_empty() {
            return Err(RepoError::BadValue(
                rest.iter()
                    .map(|(t, _)| t.name.as_str())
                    .collect::<Vec<_>>()
                    .join(","),
                "foreign keys in a circle",
            ));
        }
        tables.extend(ready.into_iter().map(|(t, _)| t));
        pending = rest;
    }
    Ok(Layout { tables, derived })
}

fn quote(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

fn column_list(table: &Table) -> String {
    table
        .columns
        .iter()
        .map(|c| quote(c))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Rows per table, on either backend (a backup file, or a database inside its restore).
async fn count_rows<DB>(
    conn: &mut DB::Connection,
    tables: &[Table],
) -> RepoResult<Vec<(String, i64)>>
where
    DB: sqlx::Database,
    for<'c> &'c mut DB::Connection: sqlx::Executor<'c, Database = DB>,
    for<'q> DB::Arguments<'q>: sqlx::IntoArguments<'q, DB>,
    (i64,): for<'r> sqlx::FromRow<'r, DB::Row>,
{
    let mut rows = Vec::with_capacity(tables.len());
    for t in tables {
        let n: i64 = sqlx::query_scalar(&format!("select count(*) from {}", quote(&t.name)))
            .fetch_one(&mut *conn)
            .await?;
        rows.push((t.name.clone(), n));
    }
    Ok(rows)
}

/// Writes the description into a finished backup file and returns it.
async fn describe(
    pool: &SqlitePool,
    source: &str,
    version: &str,
    now: i64,
) -> RepoResult<BackupMeta> {
    let layout = layout(pool).await?;
    let rows = count_rows::<Sqlite>(&mut *pool.acquire().await?, &layout.tables).await?;
    let mut tx = pool.begin().await?;
    sqlx::query("drop table if exists nightschool_backup")
        .execute(&mut *tx)
        .await?;
    sqlx::query("create table nightschool_backup (key text primary key, value text not null)")
        .execute(&mut *tx)
        .await?;
    let mut pairs = vec![
        ("format".to_string(), FORMAT.to_string()),
        ("made_at".to_string(), now.to_string()),
        ("source".to_string(), source.to_string()),
        ("version".to_string(), version.to_string()),
    ];
    pairs.extend(
        rows.iter()
            .map(|(t, n)| (format!("rows.{t}"), n.to_string())),
    );
    for (k, v) in &pairs {
        sqlx::query("insert into nightschool_backup (key, value) values ($1, $2)")
            .bind(k)
            .bind(v)
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    Ok(BackupMeta {
        format: FORMAT.to_string(),
        made_at: now,
        source: source.to_string(),
        version: version.to_string(),
        rows,
    })
}

/// One stored value, whichever backend it came from.
#[derive(Clone, Debug, PartialEq)]
enum Cell {
    Null,
    Int(i64),
    Real(f64),
    Text(String),
    Blob(Vec<u8>),
}

impl Cell {
    fn size(&self) -> usize {
        match self {
            Cell::Text(s) => s.len(),
            Cell::Blob(b) => b.len(),
            _ => 8,
        }
    }
}

/// Fails (so the transaction rolls back) unless every table holds what the source holds.
fn same_counts(written: &[(String, i64)], source: &[(String, i64)]) -> RepoResult<()> {
    for ((table, n), (_, m)) in written.iter().zip(source) {
        if n != m {
            return Err(RepoError::BadValue(
                format!("{table}: {n} rows written, {m} in the backup"),
                "restore count",
            ));
        }
    }
    Ok(())
}
