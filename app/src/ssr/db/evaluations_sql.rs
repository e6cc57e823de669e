//! [`EvaluationStore`] for `SqlRepository<Db>`: compiled once per backend.
use std::collections::HashMap;

use async_trait::async_trait;

use super::*;
use crate::domain::Timestamp;
use crate::domain::evaluation::{Card, Indicator};
use crate::domain::messages::{ChannelsOn, Notice};
use crate::ssr::db::RepoResult;
use crate::ssr::db::evaluations::*;
use crate::ssr::db::shared::map_unique;

/// `and` the session `s` is held by one of these subdistricts, or by the district.
fn held_by_clause(sql: &mut sqlx::QueryBuilder<'_, Db>, held_by: Option<&[i64]>) {
    if let Some(subs) = held_by {
        sql.push(" and (s.subdistrict_id is null");
        if !subs.is_empty() {
            sql.push(" or s.subdistrict_id in ");
            clauses::in_list(sql, subs.iter().copied());
        }
        sql.push(")");
    }
}

#[async_trait]
impl EvaluationStore for SqlRepository<Db> {
    #[tracing::instrument(skip_all)]
    async fn indicators(&self, all: bool) -> RepoResult<Vec<Indicator>> {
        let rows: Vec<(i64, String, String, bool)> = sqlx::query_as(
            "select id, name_zh, name_en, retired from evaluation_indicators \
             where $1 or not retired order by position, id",
        )
        .bind(all)
        .fetch_all(&self.read)
        .await?;
        Ok(rows
            .into_iter()
            .map(|(id, name_zh, name_en, retired)| Indicator {
                id,
                name_zh,
                name_en,
                retired,
            })
            .collect())
    }

    #[tracing::instrument(skip_all)]
    async fn save_indicator(
        &self,
        line: &Indicator,
        audit: &AuditLine,
        now: Timestamp,
    ) -> RepoResult<Option<i64>> {
        let mut tx = self.begin_write().await?;
        let id: Option<i64> = if line.id > 0 {
            sqlx::query_scalar(
                "update evaluation_indicators set name_zh = $2, name_en = $3, retired = $4, \
                 updated_at = $5 where id = $1 returning id",
            )
            .bind(line.id)
            .bind(&line.name_zh)
            .bind(&line.name_en)
            .bind(line.retired)
            .bind(now.0)
            .fetch_optional(&mut *tx)
            .await?
        } else {
            sqlx::query_scalar(
                "insert into evaluation_indicators (name_zh, name_en, retired, position, \
                 updated_at) select $1, $2, $3, coalesce(max(position), 0) + 1, $4 \
                 from evaluation_indicators returning id",
            )
            .bind(&line.name_zh)
            .bind(&line.name_en)
            .bind(line.retired)
            .bind(now.0)
            .fetch_optional(&mut *tx)
            .await?
        };
        if id.is_some() {
            Self::insert_audit(&mut tx, audit).await?;
            tx.commit().await?;
        }
        Ok(id)
    }

    #[tracing::instrument(skip_all)]
    async fn has_evaluated(&self, session_id: i64, person_id: i64) -> RepoResult<bool> {
        let n: i64 = sqlx::query_scalar(
            "select count(*) from evaluation_receipts where session_id = $1 and person_id = $2",
        )
        .bind(session_id)
        .bind(person_id)
        .fetch_one(&self.read)
        .await?;
        Ok(n > 0)
    }

    #[tracing::instrument(skip_all)]
    async fn evaluate(
        &self,
        session_id: i64,
        person_id: i64,
        card: &Card,
        now: Timestamp,
    ) -> RepoResult<()> {
        let mut tx = self.begin_write().await?;
        sqlx::query("insert into evaluation_receipts (session_id, person_id) values ($1, $2)")
            .bind(session_id)
            .bind(person_id)
            .execute(&mut *tx)
            .await
            .map_err(map_unique)?;
        let id: i64 = sqlx::query_scalar(
            "insert into evaluations (session_id, day) values ($1, $2) returning id",
        )
        .bind(session_id)
        .bind(now.local_date().to_string())
        .fetch_one(&mut *tx)
        .await?;
        for (indicator, score) in &card.scores {
            sqlx::query(
                "insert into evaluation_scores (evaluation_id, indicator_id, score) \
                 values ($1, $2, $3)",
            )
            .bind(id)
            .bind(indicator)
            .bind(score)
            .execute(&mut *tx)
            .await?;
        }
        if !card.wish.is_empty() {
            sqlx::query(
                "insert into wishes (session_id, person_id, body, created_at) \
                 values ($1, $2, $3, $4)",
            )
            .bind(session_id)
            .bind(person_id)
            .bind(&card.wish)
            .bind(now.0)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    #[tracing::instrument(skip_all)]
    async fn evaluation_sums(&self, session_id: i64) -> RepoResult<EvaluationSums> {
        Ok(self
            .sums_of(&[session_id])
            .await?
            .remove(&session_id)
            .unwrap_or_default())
    }

    #[tracing::instrument(skip_all)]
    async fn open_cards(
        &self,
        person_id: i64,
        from: Timestamp,
        to: Timestamp,
    ) -> RepoResult<Vec<(i64, String, i64)>> {
        Ok(sqlx::query_as(
            "select s.id, s.title, s.starts_at from attendance a \
             join sessions s on s.id = a.session_id \
             where a.person_id = $1 and a.status in ('present', 'late') \
             and s.cancelled = false and s.ends_at >= $2 and s.ends_at <= $3 \
             and not exists (select 1 from evaluation_receipts r \
             where r.session_id = s.id and r.person_id = a.person_id) \
             order by s.starts_at desc limit 20",
        )
        .bind(person_id)
        .bind(from.0)
        .bind(to.0)
        .fetch_all(&self.read)
        .await?)
    }

    #[tracing::instrument(skip_all)]
    async fn sessions_ahead(
        &self,
        held_by: Option<&[i64]>,
        from: Timestamp,
        to: Timestamp,
    ) -> RepoResult<Vec<(i64, String, i64)>> {
        let mut sql = sqlx::QueryBuilder::<Db>::new(
            "select s.id, s.title, s.starts_at from sessions s \
             where s.cancelled = false and s.starts_at >= ",
        );
        sql.push_bind(from.0)
            .push(" and s.starts_at < ")
            .push_bind(to.0);
        // Organisers below the district hold only their subdistricts' sessions.
        if let Some(subs) = held_by {
            if subs.is_empty() {
                sql.push(" and false");
            } else {
                sql.push(" and s.subdistrict_id in ");
                clauses::in_list(&mut sql, subs.iter().copied());
            }
        }
        sql.push(" order by s.starts_at limit 200");
        Ok(sql.build_query_as().fetch_all(&self.read).await?)
    }

    #[tracing::instrument(skip_all)]
    async fn given_sessions(
        &self,
        lecturer_id: Option<i64>,
        held_by: Option<&[i64]>,
        now: Timestamp,
    ) -> RepoResult<Vec<GivenSession>> {
        let mut sql = sqlx::QueryBuilder::<Db>::new(
            "select l.person_id, p.name, s.id, s.title, coalesce(t.name_zh, ''), s.starts_at \
             from session_lecturers l join sessions s on s.id = l.session_id \
             join people p on p.id = l.person_id left join themes t on t.id = s.theme_id \
             where s.cancelled = false and s.ends_at <= ",
        );
        sql.push_bind(now.0);
        if let Some(id) = lecturer_id {
            sql.push(" and l.person_id = ").push_bind(id);
        }
        held_by_clause(&mut sql, held_by);
        sql.push(" order by p.name, l.person_id, s.starts_at");
        let rows: Vec<(i64, String, i64, String, String, i64)> =
            sql.build_query_as().fetch_all(&self.read).await?;
        let ids: Vec<i64> = rows.iter().map(|r| r.2).collect();
        let mut sums = self.sums_of(&ids).await?;
        Ok(rows
            .into_iter()
            .map(
                |(lecturer_id, lecturer, session_id, title, theme, starts_at)| GivenSession {
                    lecturer_id,
                    lecturer,
                    session_id,
                    title,
                    theme,
                    starts_at,
                    sums: sums
                        .get_mut(&session_id)
                        .map(std::mem::take)
                        .unwrap_or_default(),
                },
            )
            .collect())
    }

    #[tracing::instrument(skip_all)]
    async fn wishes(&self, held_by: Option<&[i64]>, limit: i64) -> RepoResult<Vec<WishRow>> {
        let mut sql = sqlx::QueryBuilder::<Db>::new(
            "select w.id, w.session_id, s.title, w.body, w.created_at, w.answered_by_session, \
             a.title as answered_title from wishes w join sessions s on s.id = w.session_id \
             left join sessions a on a.id = w.answered_by_session where true",
        );
        held_by_clause(&mut sql, held_by);
        sql.push(
            " order by case when w.answered_by_session is null then 0 else 1 end, \
             w.created_at desc, w.id desc limit ",
        )
        .push_bind(limit);
        Ok(sql.build_query_as().fetch_all(&self.read).await?)
    }

    #[tracing::instrument(skip_all)]
    async fn tie_wishes(
        &self,
        wish_ids: &[i64],
        session_id: i64,
        channels: &ChannelsOn,
        now: Timestamp,
    ) -> RepoResult<u64> {
        let mut tx = self.begin_write().await?;
        let (title, starts_at): (String, i64) =
            sqlx::query_as("select title, starts_at from sessions where id = $1")
                .bind(session_id)
                .fetch_one(&mut *tx)
                .await?;
        let mut tied = 0;
        for id in wish_ids {
            let row: Option<(Option<i64>, String)> = sqlx::query_as(
                "update wishes set answered_by_session = $1 where id = $2 \
                 and answered_by_session is null returning person_id, body",
            )
            .bind(session_id)
            .bind(id)
            .fetch_optional(&mut *tx)
            .await?;
            let Some((person, wish)) = row else {
                continue;
            };
            tied += 1;
            if let Some(person) = person {
                super::messages_sql::post_notice(
                    &mut tx,
                    &Notice::WishAnswered {
                        session_id,
                        title: title.clone(),
                        starts_at,
                        wish,
                    },
                    crate::ssr::db::Recipients::Person(person),
                    channels,
                    now,
                )
                .await?;
            }
        }
        tx.commit().await?;
        Ok(tied)
    }
}

impl SqlRepository<Db> {
    /// Cards, attendance and level sums of these sessions, by session.
    async fn sums_of(&self, ids: &[i64]) -> RepoResult<HashMap<i64, EvaluationSums>> {
        let mut out: HashMap<i64, EvaluationSums> = HashMap::new();
        if ids.is_empty() {
            return Ok(out);
        }
        for chunk in ids.chunks(500) {
            let mut sql = sqlx::QueryBuilder::<Db>::new(
                "select session_id, count(*) from evaluations where session_id in ",
            );
            clauses::in_list(&mut sql, chunk.iter().copied());
            sql.push(" group by session_id");
            let rows: Vec<(i64, i64)> = sql.build_query_as().fetch_all(&self.read).await?;
            for (id, n) in rows {
                out.entry(id).or_default().answers = n;
            }
            let mut sql = sqlx::QueryBuilder::<Db>::new(
                "select session_id, count(*) from attendance \
                 where status in ('present', 'late') and session_id in ",
            );
            clauses::in_list(&mut sql, chunk.iter().copied());
            sql.push(" group by session_id");
            let rows: Vec<(i64, i64)> = sql.build_query_as().fetch_all(&self.read).await?;
            for (id, n) in rows {
                out.entry(id).or_default().attended = n;
            }
            let mut sql = sqlx::QueryBuilder::<Db>::new(
                "select e.session_id, x.indicator_id, cast(sum(x.score) as bigint), count(*) \
                 from evaluation_scores x join evaluations e on e.id = x.evaluation_id \
                 where e.session_id in ",
            );
            clauses::in_list(&mut sql, chunk.iter().copied());
            sql.push(
                " group by e.session_id, x.indicator_id order by e.session_id, x.indicator_id",
            );
            let rows: Vec<(i64, i64, i64, i64)> =
                sql.build_query_as().fetch_all(&self.read).await?;
            for (id, indicator, sum, n) in rows {
                out.entry(id).or_default().sums.push((indicator, sum, n));
            }
        }
        Ok(out)
    }
}
