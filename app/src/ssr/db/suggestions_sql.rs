//! [`SuggestionStore`] for `SqlRepository<Db>`. Compiled once per backend (`#[path]` in
//! `sqlite.rs` and `postgres.rs`, with `Db` the backend there): one SQL text for both.
use async_trait::async_trait;

use super::Db;
use crate::domain::Timestamp;
use crate::domain::messages::{ChannelsOn, Notice};
use crate::domain::org::Reach;
use crate::domain::suggestions::CheckedSuggestion;
use crate::ssr::db::RepoResult;
use crate::ssr::db::clauses::within;
use crate::ssr::db::messages::Recipients;
use crate::ssr::db::shared::SqlRepository;
use crate::ssr::db::suggestions::*;

const COLUMNS: &str = "select g.id, g.author_id, coalesce(w.name, '') as author, g.anonymous, \
     g.kind, g.title, g.body, g.subdistrict_id, g.community_id, \
     coalesce(c.name, '') as community, g.created_at, g.answer, \
     coalesce(r.name, '') as answered_by, g.answered_at, g.closed_at \
     from suggestions g left join people w on w.id = g.author_id \
     left join communities c on c.id = g.community_id \
     left join people r on r.id = g.answered_by";

#[async_trait]
impl SuggestionStore for SqlRepository<Db> {
    #[tracing::instrument(skip_all)]
    async fn post_suggestion(
        &self,
        author_id: i64,
        anonymous: bool,
        new: &CheckedSuggestion,
        now: Timestamp,
    ) -> RepoResult<i64> {
        let mut tx = self.begin_write().await?;
        let (id,): (i64,) = sqlx::query_as(
            "insert into suggestions (author_id, anonymous, kind, title, body, subdistrict_id, \
             community_id, created_at) select p.id, $2, $3, $4, $5, c.subdistrict_id, \
             p.community_id, $6 from people p left join communities c on c.id = p.community_id \
             where p.id = $1 returning id",
        )
        .bind(author_id)
        .bind(anonymous)
        .bind(new.kind.as_str())
        .bind(&new.title)
        .bind(&new.body)
        .bind(now.0)
        .fetch_one(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    #[tracing::instrument(skip_all)]
    async fn suggestion(&self, id: i64) -> RepoResult<Option<SuggestionRow>> {
        Ok(sqlx::query_as(&format!("{COLUMNS} where g.id = $1"))
            .bind(id)
            .fetch_optional(&self.read)
            .await?)
    }

    #[tracing::instrument(skip_all)]
    async fn suggestions_by(&self, author_id: i64, limit: i64) -> RepoResult<Vec<SuggestionRow>> {
        Ok(sqlx::query_as(&format!(
            "{COLUMNS} where g.author_id = $1 order by g.id desc limit $2"
        ))
        .bind(author_id)
        .bind(limit)
        .fetch_all(&self.read)
        .await?)
    }

    #[tracing::instrument(skip_all)]
    async fn suggestions_within(
        &self,
        reach: Option<&Reach>,
        limit: i64,
    ) -> RepoResult<Vec<SuggestionRow>> {
        let mut query = sqlx::QueryBuilder::<Db>::new(COLUMNS);
        query.push(" where ");
        within(&mut query, "g.community_id", reach);
        query.push(" order by (case when g.closed_at is null then 0 else 1 end), g.id desc limit ");
        query.push_bind(limit);
        Ok(query.build_query_as().fetch_all(&self.read).await?)
    }

    #[tracing::instrument(skip_all)]
    async fn reply_suggestion(
        &self,
        id: i64,
        reply: &Reply,
        channels: &ChannelsOn,
        now: Timestamp,
    ) -> RepoResult<bool> {
        let mut tx = self.begin_write().await?;
        let found: Option<(i64, String)> = sqlx::query_as(
            "update suggestions set \
             answer = coalesce($2, answer), \
             answered_by = case when $2 is null then answered_by else $3 end, \
             answered_at = case when $2 is null then answered_at else $4 end, \
             closed_at = case when $5 then $4 else null end, \
             closed_by = case when $5 then $3 else null end \
             where id = $1 and closed_at is null returning author_id, title",
        )
        .bind(id)
        .bind(reply.answer.as_deref())
        .bind(reply.by)
        .bind(now.0)
        .bind(reply.close)
        .fetch_optional(&mut *tx)
        .await?;
        let Some((author, title)) = found else {
            return Ok(false);
        };
        let notice = Notice::SuggestionReply {
            suggestion_id: id,
            title,
            answered: reply.answer.is_some(),
            closed: reply.close,
        };
        super::messages_sql::post_notice(
            &mut tx,
            &notice,
            Recipients::Person(author),
            channels,
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(true)
    }
}
