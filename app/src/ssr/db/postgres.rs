use sqlx::Postgres;
use sqlx::postgres::PgPoolOptions;

use super::attendance::sql_attendance;
use super::planning::sql_planning;
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

sql_repository!(Postgres, "postgres");
sql_planning!(Postgres);
sql_attendance!(Postgres);

impl SqlRepository<Postgres> {
    /// A write transaction (row locks and `on conflict` settle concurrent writers).
    pub(super) async fn begin_write(&self) -> sqlx::Result<sqlx::Transaction<'static, Postgres>> {
        self.write.begin().await
    }
}
