//! Compiled once per backend (`#[path]` in `sqlite.rs` and `postgres.rs`, with `Db` the
//! backend there): one SQL text for both.
use super::*;

use crate::domain::Timestamp;
use crate::domain::materials::Outlooks;
use crate::domain::search::Query;
use crate::ssr::db::materials::*;
use crate::ssr::db::planning::Scope;
use crate::ssr::db::shared::map_unique;

impl SqlRepository<Db> {
    /// Fills in the comments of the given reflections (oldest first) and their earlier
    /// texts (newest first).
    async fn with_comments(
        &self,
        mut list: Vec<ReflectionEntry>,
    ) -> RepoResult<Vec<ReflectionEntry>> {
        if list.is_empty() {
            return Ok(list);
        }
        let ids: Vec<i64> = list.iter().map(|r| r.id).collect();
        let mut sql = sqlx::QueryBuilder::new(
            "select c.reflection_id, c.id, p.name, c.body, c.created_at \
             from reflection_comments c left join people p on p.id = c.author_person_id \
             where c.reflection_id in ",
        );
        clauses::in_list(&mut sql, ids.iter().copied());
        sql.push(" order by c.id");
        let rows: Vec<(i64, i64, Option<String>, String, i64)> =
            sql.build_query_as().fetch_all(&self.read).await?;
        let mut sql = sqlx::QueryBuilder::new(
            "select reflection_id, body, saved_at from reflection_versions where reflection_id in ",
        );
        clauses::in_list(&mut sql, ids.iter().copied());
        sql.push(" order by id desc");
        let earlier: Vec<(i64, String, i64)> = sql.build_query_as().fetch_all(&self.read).await?;
        for (reflection, body, at) in earlier {
            if let Some(r) = list.iter_mut().find(|r| r.id == reflection) {
                r.earlier.push((body, Timestamp(at)));
            }
        }
        for (reflection, id, author, body, at) in rows {
            if let Some(r) = list.iter_mut().find(|r| r.id == reflection) {
                r.comments.push(Comment {
                    id,
                    author: author.unwrap_or_default(),
                    body,
                    created_at: Timestamp(at),
                });
            }
        }
        Ok(list)
    }

    async fn search_rows(
        &self,
        mut sql: sqlx::QueryBuilder<'static, Db>,
    ) -> RepoResult<Vec<SearchRow>> {
        #[derive(sqlx::FromRow)]
        struct Row {
            kind: i64,
            session_id: i64,
            title: String,
            starts_at: i64,
            body: String,
            author: Option<String>,
        }
        sql.build_query_as::<Row>()
            .fetch_all(&self.read)
            .await?
            .into_iter()
            .map(|r| {
                Ok(SearchRow {
                    kind: hit_kind(r.kind)?,
                    session_id: r.session_id,
                    session_title: r.title,
                    starts_at: Timestamp(r.starts_at),
                    body: r.body,
                    author: r.author,
                })
            })
            .collect()
    }
}

#[async_trait::async_trait]
impl MaterialStore for SqlRepository<Db> {
    #[tracing::instrument(skip_all)]
    async fn material(&self, session_id: i64) -> RepoResult<Option<Material>> {
        #[derive(sqlx::FromRow)]
        struct Row {
            session_id: i64,
            body_md: String,
            body_html: String,
            publication: String,
            version: i64,
        }
        let row: Option<Row> = sqlx::query_as(
            "select session_id, body_md, body_html, publication, version from materials \
             where session_id = $1",
        )
        .bind(session_id)
        .fetch_optional(&self.read)
        .await?;
        row.map(|r| {
            Ok(Material {
                session_id: r.session_id,
                body_md: r.body_md,
                body_html: r.body_html,
                publication: parse_publication(&r.publication)?,
                version: r.version,
            })
        })
        .transpose()
    }

    #[tracing::instrument(skip_all)]
    async fn save_material(&self, save: &MaterialSave<'_>) -> RepoResult<SaveOutcome> {
        let mut tx = self.begin_write().await?;
        let current: i64 = sqlx::query_scalar(
            "select coalesce(max(version), 0) from material_versions where session_id = $1",
        )
        .bind(save.session_id)
        .fetch_one(&mut *tx)
        .await?;
        if current != save.base_version {
            return Ok(SaveOutcome::Stale { current });
        }
        let version = current + 1;
        sqlx::query(
            "insert into material_versions (session_id, version, body_md, publication, \
             saved_by, saved_at, restored_from) values ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(save.session_id)
        .bind(version)
        .bind(save.body_md)
        .bind(save.publication.as_str())
        .bind(save.author)
        .bind(save.now.0)
        .bind(save.restored_from)
        .execute(&mut *tx)
        .await
        .map_err(map_unique)?;
        sqlx::query(
            "insert into materials (session_id, body_md, body_html, body_text, publication, \
             version, updated_by, updated_at, created_at) \
             values ($1, $2, $3, $4, $5, $6, $7, $8, $8) \
             on conflict (session_id) do update set body_md = excluded.body_md, \
             body_html = excluded.body_html, body_text = excluded.body_text, \
             publication = excluded.publication, version = excluded.version, \
             updated_by = excluded.updated_by, updated_at = excluded.updated_at",
        )
        .bind(save.session_id)
        .bind(save.body_md)
        .bind(save.body_html)
        .bind(save.body_text)
        .bind(save.publication.as_str())
        .bind(version)
        .bind(save.author)
        .bind(save.now.0)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(SaveOutcome::Saved { version })
    }

    #[tracing::instrument(skip_all)]
    async fn material_versions(&self, session_id: i64) -> RepoResult<Vec<MaterialVersion>> {
        let rows: Vec<VersionRow> = sqlx::query_as(&format!(
            "{VERSION_COLUMNS} where v.session_id = $1 order by v.version desc"
        ))
        .bind(session_id)
        .fetch_all(&self.read)
        .await?;
        rows.into_iter().map(version_from).collect()
    }

    #[tracing::instrument(skip_all)]
    async fn material_version(
        &self,
        session_id: i64,
        version: i64,
    ) -> RepoResult<Option<MaterialVersion>> {
        let row: Option<VersionRow> = sqlx::query_as(&format!(
            "{VERSION_COLUMNS} where v.session_id = $1 and v.version = $2"
        ))
        .bind(session_id)
        .bind(version)
        .fetch_optional(&self.read)
        .await?;
        row.map(version_from).transpose()
    }

    #[tracing::instrument(skip_all)]
    async fn attachments(&self, session_id: i64) -> RepoResult<Vec<Attachment>> {
        let rows: Vec<AttachmentRow> = sqlx::query_as(&format!(
            "{ATTACHMENT_COLUMNS} where a.session_id = $1 order by a.id"
        ))
        .bind(session_id)
        .fetch_all(&self.read)
        .await?;
        Ok(rows.into_iter().map(attachment_from).collect())
    }

    #[tracing::instrument(skip_all)]
    async fn attachment_file(&self, id: i64) -> RepoResult<Option<(Attachment, Vec<u8>)>> {
        let row: Option<AttachmentRow> =
            sqlx::query_as(&format!("{ATTACHMENT_COLUMNS} where a.id = $1"))
                .bind(id)
                .fetch_optional(&self.read)
                .await?;
        let Some(row) = row else { return Ok(None) };
        let bytes: Option<Vec<u8>> = sqlx::query_scalar(
            "select b.bytes from blobs b join attachments a on a.sha256 = b.sha256 \
             where a.id = $1",
        )
        .bind(id)
        .fetch_optional(&self.read)
        .await?;
        Ok(bytes.map(|b| (attachment_from(row), b)))
    }

    #[tracing::instrument(skip_all)]
    async fn add_attachment(&self, new: &NewAttachment<'_>) -> RepoResult<i64> {
        let mut tx = self.begin_write().await?;
        Self::store_blob(&mut tx, new.sha256, new.bytes, new.now).await?;
        let id: i64 = sqlx::query_scalar(
            "insert into attachments (session_id, name, content_type, size, sha256, \
             uploaded_by, created_at) values ($1, $2, $3, $4, $5, $6, $7) returning id",
        )
        .bind(new.session_id)
        .bind(new.name)
        .bind(new.content_type)
        .bind(new.bytes.len() as i64)
        .bind(new.sha256)
        .bind(new.uploader)
        .bind(new.now.0)
        .fetch_one(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    #[tracing::instrument(skip_all)]
    async fn remove_attachment(&self, session_id: i64, id: i64) -> RepoResult<bool> {
        let mut tx = self.begin_write().await?;
        let sha: Option<String> = sqlx::query_scalar(
            "delete from attachments where id = $1 and session_id = $2 returning sha256",
        )
        .bind(id)
        .bind(session_id)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(sha) = sha else { return Ok(false) };
        sqlx::query(
            "delete from blobs where sha256 = $1 \
             and not exists (select 1 from attachments where sha256 = $1)",
        )
        .bind(&sha)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(true)
    }

    async fn file_counts(&self) -> RepoResult<(i64, i64)> {
        Ok(sqlx::query_as(
            "select (select count(*) from attachments), (select count(*) from blobs)",
        )
        .fetch_one(&self.read)
        .await?)
    }

    #[tracing::instrument(skip_all)]
    async fn mark_read(&self, session_id: i64, person_id: i64, now: Timestamp) -> RepoResult<()> {
        sqlx::query(
            "insert into material_reads (session_id, person_id, read_at) values ($1, $2, $3) \
             on conflict (session_id, person_id) do nothing",
        )
        .bind(session_id)
        .bind(person_id)
        .bind(now.0)
        .execute(&self.write)
        .await?;
        Ok(())
    }

    async fn read_at(&self, session_id: i64, person_id: i64) -> RepoResult<Option<Timestamp>> {
        let at: Option<i64> = sqlx::query_scalar(
            "select read_at from material_reads where session_id = $1 and person_id = $2",
        )
        .bind(session_id)
        .bind(person_id)
        .fetch_optional(&self.read)
        .await?;
        Ok(at.map(Timestamp))
    }

    #[tracing::instrument(skip_all)]
    async fn save_reflection(
        &self,
        session_id: i64,
        person_id: i64,
        body: &str,
        outlooks: Outlooks,
        now: Timestamp,
    ) -> RepoResult<bool> {
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "insert into reflection_versions (reflection_id, body, outlooks, saved_at) \
             select id, body, outlooks, updated_at from reflections \
             where session_id = $1 and person_id = $2 and accepted_at is null",
        )
        .bind(session_id)
        .bind(person_id)
        .execute(&mut *tx)
        .await?;
        let written = sqlx::query(
            "insert into reflections (session_id, person_id, body, outlooks, created_at, \
             updated_at) values ($1, $2, $3, $4, $5, $5) \
             on conflict (session_id, person_id) do update set body = excluded.body, \
             outlooks = excluded.outlooks, updated_at = excluded.updated_at \
             where reflections.accepted_at is null",
        )
        .bind(session_id)
        .bind(person_id)
        .bind(body)
        .bind(outlooks.to_list())
        .bind(now.0)
        .execute(&mut *tx)
        .await?;
        if written.rows_affected() != 1 {
            return Ok(false);
        }
        tx.commit().await?;
        Ok(true)
    }

    #[tracing::instrument(skip_all)]
    async fn reflection_of(
        &self,
        session_id: i64,
        person_id: i64,
    ) -> RepoResult<Option<ReflectionEntry>> {
        let row: Option<ReflectionRow> = sqlx::query_as(&format!(
            "{REFLECTION_COLUMNS} where r.session_id = $1 and r.person_id = $2"
        ))
        .bind(session_id)
        .bind(person_id)
        .fetch_optional(&self.read)
        .await?;
        let list = row.map(reflection_from).transpose()?.into_iter().collect();
        Ok(self.with_comments(list).await?.pop())
    }

    async fn reflection(&self, id: i64) -> RepoResult<Option<ReflectionEntry>> {
        let row: Option<ReflectionRow> =
            sqlx::query_as(&format!("{REFLECTION_COLUMNS} where r.id = $1"))
                .bind(id)
                .fetch_optional(&self.read)
                .await?;
        row.map(reflection_from).transpose()
    }

    async fn reflection_count(&self, session_id: i64) -> RepoResult<i64> {
        Ok(
            sqlx::query_scalar("select count(*) from reflections where session_id = $1")
                .bind(session_id)
                .fetch_one(&self.read)
                .await?,
        )
    }

    #[tracing::instrument(skip_all)]
    async fn reflections(&self, session_id: i64) -> RepoResult<Vec<ReflectionEntry>> {
        let rows: Vec<ReflectionRow> = sqlx::query_as(&format!(
            "{REFLECTION_COLUMNS} where r.session_id = $1 order by r.updated_at desc, r.id desc"
        ))
        .bind(session_id)
        .fetch_all(&self.read)
        .await?;
        let list = rows
            .into_iter()
            .map(reflection_from)
            .collect::<RepoResult<Vec<_>>>()?;
        self.with_comments(list).await
    }

    #[tracing::instrument(skip_all)]
    async fn add_comment(
        &self,
        reflection_id: i64,
        author: i64,
        body: &str,
        now: Timestamp,
    ) -> RepoResult<i64> {
        Ok(sqlx::query_scalar(
            "insert into reflection_comments (reflection_id, author_person_id, body, \
             created_at) values ($1, $2, $3, $4) returning id",
        )
        .bind(reflection_id)
        .bind(author)
        .bind(body)
        .bind(now.0)
        .fetch_one(&self.write)
        .await?)
    }

    #[tracing::instrument(skip_all)]
    async fn review_marks(
        &self,
        person_id: i64,
        session_ids: &[i64],
        now: Timestamp,
    ) -> RepoResult<Vec<(i64, ReviewMarks)>> {
        if session_ids.is_empty() {
            return Ok(Vec::new());
        }
        #[derive(sqlx::FromRow)]
        struct Row {
            id: i64,
            material: bool,
            opened: bool,
            reflected: bool,
            accepted: bool,
            status: Option<String>,
        }
        let mut sql = sqlx::QueryBuilder::new(
            "select s.id, exists (select 1 from materials m where m.session_id = s.id \
             and (m.publication = 'published' \
             or (m.publication = 'after_session' and s.ends_at <= ",
        );
        sql.push_bind(now.0)
            .push(
                "))) as material, exists (select 1 from material_reads mr \
                 where mr.session_id = s.id and mr.person_id = ",
            )
            .push_bind(person_id)
            .push(
                ") as opened, exists (select 1 from reflections r \
                 where r.session_id = s.id and r.person_id = ",
            )
            .push_bind(person_id)
            .push(
                ") as reflected, exists (select 1 from reflections r \
                 where r.session_id = s.id and r.accepted_at is not null and r.person_id = ",
            )
            .push_bind(person_id)
            .push(
                ") as accepted, (select a.status from attendance a \
                 where a.session_id = s.id and a.person_id = ",
            )
            .push_bind(person_id)
            .push(") as status from sessions s where s.id in ");
        clauses::in_list(&mut sql, session_ids.iter().copied());
        let rows: Vec<Row> = sql.build_query_as().fetch_all(&self.read).await?;
        rows.into_iter()
            .map(|r| {
                let status = r
                    .status
                    .as_deref()
                    .map(crate::ssr::db::attendance::parse_status)
                    .transpose()?;
                let marks = ReviewMarks {
                    status,
                    material: r.material,
                    read: r.opened,
                    reflected: r.reflected,
                    accepted: r.accepted,
                };
                Ok((r.id, marks))
            })
            .collect()
    }

    #[tracing::instrument(skip_all)]
    async fn search(
        &self,
        query: &Query,
        scope: Scope,
        reflections: bool,
        now: Timestamp,
        limit: i64,
    ) -> RepoResult<Vec<SearchRow>> {
        let sql = Self::search_sql(query, &scope, reflections, now, limit);
        self.search_rows(sql).await
    }
}
