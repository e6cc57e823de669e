use std::str::FromStr;
use std::time::Duration;

use sqlx::Sqlite;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions};

use super::attendance::sql_attendance;
use super::planning::sql_planning;
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
    let write = SqlitePoolOptions::new()
        .max_connections(1)
        .connect_with(options.clone())
        .await?;
    sqlx::migrate!("../migrations/sqlite").run(&write).await?;
    let read = SqlitePoolOptions::new()
        .max_connections(4)
        .connect_with(options.read_only(true))
        .await?;
    Ok(SqlRepository { read, write })
}

sql_repository!(Sqlite, "sqlite");
sql_planning!(Sqlite);
sql_attendance!(Sqlite);

impl SqlRepository<Sqlite> {
    /// A write transaction that takes the database's write lock at once: a transaction that
    /// reads first and upgrades later fails with "database is locked" when another process
    /// (a second app server on the same file) writes meanwhile, busy timeout or not.
    pub(super) async fn begin_write(&self) -> sqlx::Result<sqlx::Transaction<'static, Sqlite>> {
        self.write.begin_with("BEGIN IMMEDIATE").await
    }
}
