//! The PostgreSQL side of backups: a snapshot copies every table into a backup file; a
//! restore streams a backup's rows in with `COPY`, in one transaction.
use super::sqlite::*;
use super::*;

/// PostgreSQL's column types, by table and column, and the identity columns.
struct PgTypes {
    types: HashMap<(String, String), String>,
    identity: Vec<(String, String)>,
}

async fn pg_types(conn: &mut sqlx::PgConnection) -> RepoResult<PgTypes> {
    let rows: Vec<(String, String, String, String)> = sqlx::query_as(
        "select table_name::text, column_name::text, data_type::text, is_identity::text \
         from information_schema.columns where table_schema = current_schema()",
    )
    .fetch_all(&mut *conn)
    .await?;
    let mut types = HashMap::new();
    let mut identity = Vec::new();
    for (table, column, ty, ident) in rows {
        if ident == "YES" {
            identity.push((table.clone(), column.clone()));
        }
        types.insert((table, column), ty);
    }
    Ok(PgTypes { types, identity })
}

impl PgTypes {
    /// The types of a backup table's columns here; an error when the schemas differ.
    fn of(&self, table: &Table) -> RepoResult<Vec<String>> {
        table
            .columns
            .iter()
            .map(|c| {
                self.types
                    .get(&(table.name.clone(), c.clone()))
                    .cloned()
                    .ok_or_else(|| {
                        RepoError::BadValue(format!("{}.{c}", table.name), "column missing")
                    })
            })
            .collect()
    }
}

fn pg_cells(row: &PgRow, types: &[String]) -> RepoResult<Vec<Cell>> {
    types
        .iter()
        .enumerate()
        .map(|(i, ty)| {
            Ok(match ty.as_str() {
                "bigint" => row
                    .try_get::<Option<i64>, _>(i)?
                    .map_or(Cell::Null, Cell::Int),
                "integer" => row
                    .try_get::<Option<i32>, _>(i)?
                    .map_or(Cell::Null, |v| Cell::Int(v.into())),
                "smallint" => row
                    .try_get::<Option<i16>, _>(i)?
                    .map_or(Cell::Null, |v| Cell::Int(v.into())),
                "boolean" => row
                    .try_get::<Option<bool>, _>(i)?
                    .map_or(Cell::Null, |v| Cell::Int(v.into())),
                "double precision" => row
                    .try_get::<Option<f64>, _>(i)?
                    .map_or(Cell::Null, Cell::Real),
                "real" => row
                    .try_get::<Option<f32>, _>(i)?
                    .map_or(Cell::Null, |v| Cell::Real(v.into())),
                "text" | "character varying" => row
                    .try_get::<Option<String>, _>(i)?
                    .map_or(Cell::Null, Cell::Text),
                "bytea" => row
                    .try_get::<Option<Vec<u8>>, _>(i)?
                    .map_or(Cell::Null, Cell::Blob),
                other => return Err(RepoError::BadValue(other.to_string(), "column type")),
            })
        })
        .collect()
}

#[async_trait]
impl BackupStore for SqlRepository<Postgres> {
    async fn snapshot_to(&self, path: &Path, version: &str, now: i64) -> RepoResult<BackupMeta> {
        let file = open_file(path, false, true).await?;
        sqlite_migrator().run(&file).await?;
        let layout = layout(&file).await?;
        // One snapshot of every table: a read-only, repeatable-read transaction.
        let mut pg = self.read.begin().await?;
        sqlx::query("set transaction isolation level repeatable read, read only")
            .execute(&mut *pg)
            .await?;
        let types = pg_types(&mut pg).await?;
        let mut out = file.begin().await?;
        let triggers = empty_sqlite(&mut out, &layout).await?;
        for t in &layout.tables {
            let column_types = types.of(t)?;
            let sql = format!(
                "select {} from {} order by {}",
                column_list(t),
                quote(&t.name),
                t.order.replace("rowid", "1")
            );
            let mut rows = sqlx::query(&sql).fetch(&mut *pg);
            let mut batch = Vec::new();
            let mut bytes = 0;
            while let Some(row) = rows.try_next().await? {
                let cells = pg_cells(&row, &column_types)?;
                bytes += cells.iter().map(Cell::size).sum::<usize>();
                batch.push(cells);
                if batch.len() >= BATCH_ROWS || bytes >= BATCH_BYTES {
                    sqlite_insert(&mut out, t, std::mem::take(&mut batch)).await?;
                    bytes = 0;
                }
            }
            sqlite_insert(&mut out, t, batch).await?;
        }
        create_triggers(&mut out, &triggers).await?;
        out.commit().await?;
        pg.rollback().await?;
        let meta = describe(&file, "postgres", version, now).await;
        file.close().await;
        meta
    }

    async fn replace_with(&self, source: &SqlitePool) -> RepoResult<Vec<(String, i64)>> {
        let layout = layout(source).await?;
        let expected = count_rows::<Sqlite>(&mut *source.acquire().await?, &layout.tables).await?;
        let mut tx = self.write.begin().await?;
        let types = pg_types(&mut tx).await?;
        let names = layout
            .tables
            .iter()
            .map(|t| quote(&t.name))
            .collect::<Vec<_>>()
            .join(", ");
        for t in &layout.tables {
            sqlx::query(&format!(
                "alter table {} disable trigger user",
                quote(&t.name)
            ))
            .execute(&mut *tx)
            .await?;
        }
        sqlx::query(&format!("truncate {names} restart identity"))
            .execute(&mut *tx)
            .await?;
        for t in &layout.tables {
            let column_types = types.of(t)?;
            let mut copy = tx
                .copy_in_raw(&format!(
                    "copy {} ({}) from stdin",
                    quote(&t.name),
                    column_list(t)
                ))
                .await?;
            let sql = format!(
                "select {} from {} order by {}",
                column_list(t),
                quote(&t.name),
                t.order
            );
            let mut rows = sqlx::query(&sql).fetch(source);
            let mut buf = Vec::with_capacity(BATCH_BYTES);
            while let Some(row) = rows.try_next().await? {
                copy_line(&mut buf, &sqlite_cells(&row)?, &column_types, &t.name)?;
                if buf.len() >= BATCH_BYTES {
                    copy.send(std::mem::take(&mut buf)).await?;
                }
            }
            if !buf.is_empty() {
                copy.send(buf).await?;
            }
            copy.finish().await?;
        }
        for t in &layout.tables {
            sqlx::query(&format!(
                "alter table {} enable trigger user",
                quote(&t.name)
            ))
            .execute(&mut *tx)
            .await?;
        }
        for (table, column) in &types.identity {
            if !layout.tables.iter().any(|t| &t.name == table) {
                continue;
            }
            sqlx::query(&format!(
                "select setval(pg_get_serial_sequence($1, $2), \
                 coalesce((select max({c}) from {t}), 0) + 1, false)",
                c = quote(column),
                t = quote(table)
            ))
            .bind(table)
            .bind(column)
            .execute(&mut *tx)
            .await?;
        }
        let written = count_rows::<Postgres>(&mut tx, &layout.tables).await?;
        same_counts(&written, &expected)?;
        moved_on::<Postgres>(&mut tx).await?;
        tx.commit().await?;
        Ok(written)
    }
}

/// Appends one row in COPY's text format, each cell as the target column's type takes it.
fn copy_line(buf: &mut Vec<u8>, cells: &[Cell], types: &[String], table: &str) -> RepoResult<()> {
    use std::io::Write;
    for (i, (cell, ty)) in cells.iter().zip(types).enumerate() {
        if i > 0 {
            buf.push(b'\t');
        }
        let bad = || RepoError::BadValue(format!("{table}: {cell:?} as {ty}"), "restore value");
        match (cell, ty.as_str()) {
            (Cell::Null, _) => buf.extend_from_slice(b"\\N"),
            (Cell::Int(v), "boolean") => buf.push(if *v != 0 { b't' } else { b'f' }),
            (Cell::Int(v), "bigint" | "integer" | "smallint" | "double precision" | "real") => {
                let _ = write!(buf, "{v}");
            }
            (Cell::Real(v), "double precision" | "real") => {
                let _ = write!(buf, "{v:?}");
            }
            (Cell::Int(v), "text" | "character varying") => {
                let _ = write!(buf, "{v}");
            }
            (Cell::Text(s), "text" | "character varying") => escape_copy_text(buf, s),
            (Cell::Blob(b), "bytea") => {
                buf.extend_from_slice(b"\\\\x");
                for byte in b {
                    let _ = write!(buf, "{byte:02x}");
                }
            }
            _ => return Err(bad()),
        }
    }
    buf.push(b'\n');
    Ok(())
}

fn escape_copy_text(buf: &mut Vec<u8>, s: &str) {
    for b in s.bytes() {
        match b {
            b'\\' => buf.extend_from_slice(b"\\\\"),
            b'\n' => buf.extend_from_slice(b"\\n"),
            b'\r' => buf.extend_from_slice(b"\\r"),
            b'\t' => buf.extend_from_slice(b"\\t"),
            _ => buf.push(b),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(cells: &[Cell], types: &[&str]) -> String {
        let types: Vec<String> = types.iter().map(|t| t.to_string()).collect();
        let mut buf = Vec::new();
        copy_line(&mut buf, cells, &types, "t").unwrap();
        String::from_utf8(buf).unwrap()
    }

    #[test]
    fn copy_lines_escape_text_and_encode_types() {
        assert_eq!(
            line(
                &[
                    Cell::Int(7),
                    Cell::Int(1),
                    Cell::Text("a\tb\\c\nd".into()),
                    Cell::Null,
                    Cell::Blob(vec![0, 255]),
                ],
                &["bigint", "boolean", "text", "text", "bytea"]
            ),
            "7\tt\ta\\tb\\\\c\\nd\t\\N\t\\\\x00ff\n"
        );
    }

    #[test]
    fn a_value_of_the_wrong_kind_is_refused() {
        let mut buf = Vec::new();
        let types = vec!["bytea".to_string()];
        assert!(copy_line(&mut buf, &[Cell::Text("x".into())], &types, "t").is_err());
    }
}
