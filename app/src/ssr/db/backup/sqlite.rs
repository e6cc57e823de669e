//! The SQLite side of backups: reading and writing a backup file's rows (every backup is a
//! SQLite file), and snapshots and restores of a SQLite database.
use super::*;

pub(super) fn sqlite_cells(row: &SqliteRow) -> RepoResult<Vec<Cell>> {
    (0..row.len())
        .map(|i| {
            let raw = row.try_get_raw(i)?;
            if raw.is_null() {
                return Ok(Cell::Null);
            }
            let kind = raw.type_info().name().to_string();
            Ok(match kind.as_str() {
                "INTEGER" => Cell::Int(row.try_get_unchecked(i)?),
                "REAL" => Cell::Real(row.try_get_unchecked(i)?),
                "TEXT" => Cell::Text(row.try_get_unchecked(i)?),
                "BLOB" => Cell::Blob(row.try_get_unchecked(i)?),
                _ => return Err(RepoError::BadValue(kind, "backup cell")),
            })
        })
        .collect()
}

/// Writes batches of rows into a SQLite table.
pub(super) async fn sqlite_insert(
    conn: &mut sqlx::SqliteConnection,
    table: &Table,
    rows: Vec<Vec<Cell>>,
) -> RepoResult<()> {
    if rows.is_empty() {
        return Ok(());
    }
    let mut q = sqlx::QueryBuilder::<Sqlite>::new(format!(
        "insert into {} ({}) ",
        quote(&table.name),
        column_list(table)
    ));
    q.push_values(rows, |mut b, row| {
        for cell in row {
            match cell {
                Cell::Null => b.push_bind(None::<i64>),
                Cell::Int(v) => b.push_bind(v),
                Cell::Real(v) => b.push_bind(v),
                Cell::Text(v) => b.push_bind(v),
                Cell::Blob(v) => b.push_bind(v),
            };
        }
    });
    q.build().persistent(false).execute(&mut *conn).await?;
    Ok(())
}

/// Copies one table's rows from a SQLite source into a SQLite target, in batches.
pub(super) async fn copy_sqlite_to_sqlite(
    source: &SqlitePool,
    target: &mut sqlx::SqliteConnection,
    table: &Table,
) -> RepoResult<()> {
    let sql = format!(
        "select {} from {} order by {}",
        column_list(table),
        quote(&table.name),
        table.order
    );
    let mut rows = sqlx::query(&sql).fetch(source);
    let mut batch = Vec::new();
    let mut bytes = 0;
    while let Some(row) = rows.try_next().await? {
        let cells = sqlite_cells(&row)?;
        bytes += cells.iter().map(Cell::size).sum::<usize>();
        batch.push(cells);
        if batch.len() >= BATCH_ROWS || bytes >= BATCH_BYTES {
            sqlite_insert(target, table, std::mem::take(&mut batch)).await?;
            bytes = 0;
        }
    }
    sqlite_insert(target, table, batch).await
}

/// The triggers of a SQLite database that keep copied tables (the tallies): off while rows
/// are copied as they are. Triggers that feed a derived table stay on.
pub(super) async fn tally_triggers(
    conn: &mut sqlx::SqliteConnection,
    derived: &[String],
) -> RepoResult<Vec<(String, String)>> {
    let all: Vec<(String, String)> =
        sqlx::query_as("select name, sql from sqlite_master where type = 'trigger'")
            .fetch_all(&mut *conn)
            .await?;
    Ok(all
        .into_iter()
        .filter(|(_, sql)| {
            let sql = sql.to_ascii_lowercase();
            !derived
                .iter()
                .any(|d| sql.contains(&d.to_ascii_lowercase()))
        })
        .collect())
}

/// Inside a transaction: defers foreign keys to the commit (when every table is whole
/// again), switches the tally triggers off (returning them, to be created again after the
/// copy) and deletes every row, children first.
pub(super) async fn empty_sqlite(
    conn: &mut sqlx::SqliteConnection,
    layout: &Layout,
) -> RepoResult<Vec<(String, String)>> {
    sqlx::query("pragma defer_foreign_keys = on")
        .execute(&mut *conn)
        .await?;
    let triggers = tally_triggers(&mut *conn, &layout.derived).await?;
    drop_triggers(&mut *conn, &triggers).await?;
    for t in layout.tables.iter().rev() {
        sqlx::query(&format!("delete from {}", quote(&t.name)))
            .execute(&mut *conn)
            .await?;
    }
    for d in &layout.derived {
        sqlx::query(&format!("delete from {}", quote(d)))
            .execute(&mut *conn)
            .await?;
    }
    Ok(triggers)
}

pub(super) async fn drop_triggers(
    conn: &mut sqlx::SqliteConnection,
    triggers: &[(String, String)],
) -> RepoResult<()> {
    for (name, _) in triggers {
        sqlx::query(&format!("drop trigger {}", quote(name)))
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

pub(super) async fn create_triggers(
    conn: &mut sqlx::SqliteConnection,
    triggers: &[(String, String)],
) -> RepoResult<()> {
    for (_, sql) in triggers {
        sqlx::query(sql).execute(&mut *conn).await?;
    }
    Ok(())
}

#[async_trait]
impl BackupStore for SqlRepository<Sqlite> {
    async fn snapshot_to(&self, path: &Path, version: &str, now: i64) -> RepoResult<BackupMeta> {
        // VACUUM INTO is one read transaction: a consistent snapshot beside the writer.
        vacuum_into(&self.read, path).await?;
        let pool = open_file(path, false, false).await?;
        let meta = describe(&pool, "sqlite", version, now).await;
        pool.close().await;
        meta
    }

    async fn replace_with(&self, source: &SqlitePool) -> RepoResult<Vec<(String, i64)>> {
        let layout = layout(source).await?;
        let expected = count_rows::<Sqlite>(&mut *source.acquire().await?, &layout.tables).await?;
        let mut tx = self.write.begin_with("BEGIN IMMEDIATE").await?;
        let triggers = empty_sqlite(&mut tx, &layout).await?;
        for t in &layout.tables {
            copy_sqlite_to_sqlite(source, &mut tx, t).await?;
        }
        create_triggers(&mut tx, &triggers).await?;
        let written = count_rows::<Sqlite>(&mut tx, &layout.tables).await?;
        same_counts(&written, &expected)?;
        moved_on::<Sqlite>(&mut tx).await?;
        tx.commit().await?;
        Ok(written)
    }
}
