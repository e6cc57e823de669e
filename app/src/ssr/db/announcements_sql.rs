//! [`AnnouncementStore`] for `SqlRepository<Db>`. Compiled once per backend (`#[path]` in
//! `sqlite.rs` and `postgres.rs`, with `Db` the backend there): one SQL text for both.
use async_trait::async_trait;

use super::Db;
use crate::domain::Timestamp;
use crate::domain::audience::Audience;
use crate::domain::messages::{ChannelsOn, Notice};
use crate::ssr::db::RepoResult;
use crate::ssr::db::announcements::*;
use crate::ssr::db::messages::Recipients;
use crate::ssr::db::shared::SqlRepository;

/// An announcement's columns, with who posted it and its receipts counted.
const COLUMNS: &str = "select a.id, a.title, a.body_md, a.subdistrict_id, a.pinned, \
     a.expires_at, a.posted_at, coalesce(pp.name, '') as posted_by, a.notice_id, a.reminded_at, \
     (select count(*) from inbox r where r.notice_id = a.notice_id) as recipients, \
     (select count(*) from inbox r where r.notice_id = a.notice_id and r.read_at is not null) \
     as read";
const FROM: &str = " from announcements a left join people pp on pp.id = a.posted_by";

#[derive(sqlx::FromRow)]
struct MineRow {
    #[sqlx(flatten)]
    row: AnnouncementRow,
    mine_read: bool,
}

#[async_trait]
impl AnnouncementStore for SqlRepository<Db> {
    #[tracing::instrument(skip_all)]
    async fn post_announcement(
        &self,
        new: &NewAnnouncement,
        channels: &ChannelsOn,
        now: Timestamp,
    ) -> RepoResult<(i64, i64)> {
        let mut tx = self.begin_write().await?;
        let (id,): (i64,) = sqlx::query_as(
            "insert into announcements (title, body_md, subdistrict_id, audience, pinned, \
             expires_at, posted_by, posted_at) values ($1, $2, $3, $4, $5, $6, $7, $8) \
             returning id",
        )
        .bind(&new.title)
        .bind(&new.body_md)
        .bind(new.subdistrict_id)
        .bind(match new.audience {
            Audience::Everyone => "everyone",
            Audience::Chosen { .. } => "chosen",
        })
        .bind(new.pinned)
        .bind(new.expires_at.map(|t| t.0))
        .bind(new.posted_by)
        .bind(now.0)
        .fetch_one(&mut *tx)
        .await?;
        if let Audience::Chosen {
            tiers,
            communities,
            people,
        } = &new.audience
        {
            for (kind, ids) in [
                ("tier", tiers),
                ("community", communities),
                ("person", people),
            ] {
                for ref_id in ids {
                    sqlx::query(
                        "insert into announcement_audience (announcement_id, kind, ref_id) \
                         values ($1, $2, $3) on conflict do nothing",
                    )
                    .bind(id)
                    .bind(kind)
                    .bind(ref_id)
                    .execute(&mut *tx)
                    .await?;
                }
            }
        }
        let notice = Notice::Announcement {
            announcement_id: id,
            title: new.title.clone(),
        };
        let notice_id = super::messages_sql::post_notice(
            &mut tx,
            &notice,
            Recipients::Announcement(id),
            channels,
            now,
        )
        .await?;
        sqlx::query("update announcements set notice_id = $1 where id = $2")
            .bind(notice_id)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        let (recipients,): (i64,) =
            sqlx::query_as("select count(*) from inbox where notice_id = $1")
                .bind(notice_id)
                .fetch_one(&mut *tx)
                .await?;
        tx.commit().await?;
        Ok((id, recipients))
    }

    #[tracing::instrument(skip_all)]
    async fn announcement(&self, id: i64) -> RepoResult<Option<AnnouncementRow>> {
        Ok(sqlx::query_as(&format!("{COLUMNS}{FROM} where a.id = $1"))
            .bind(id)
            .fetch_optional(&self.read)
            .await?)
    }

    #[tracing::instrument(skip_all)]
    async fn announcement_for(&self, id: i64, person_id: i64) -> RepoResult<Option<bool>> {
        let row: Option<(Option<i64>,)> = sqlx::query_as(
            "select i.read_at from announcements a join inbox i on i.notice_id = a.notice_id \
             where a.id = $1 and i.person_id = $2",
        )
        .bind(id)
        .bind(person_id)
        .fetch_optional(&self.read)
        .await?;
        Ok(row.map(|(read_at,)| read_at.is_some()))
    }

    #[tracing::instrument(skip_all)]
    async fn announcements_of(
        &self,
        person_id: i64,
        now: Timestamp,
    ) -> RepoResult<Vec<(AnnouncementRow, bool)>> {
        let rows: Vec<MineRow> = sqlx::query_as(&format!(
            "{COLUMNS}, mine.read_at is not null as mine_read{FROM} \
             join inbox mine on mine.notice_id = a.notice_id and mine.person_id = $1 \
             where a.expires_at is null or a.expires_at > $2 \
             order by a.pinned desc, a.posted_at desc, a.id desc limit 50"
        ))
        .bind(person_id)
        .bind(now.0)
        .fetch_all(&self.read)
        .await?;
        Ok(rows.into_iter().map(|r| (r.row, r.mine_read)).collect())
    }

    #[tracing::instrument(skip_all)]
    async fn announcements_held(
        &self,
        held: Option<&[Option<i64>]>,
        limit: i64,
    ) -> RepoResult<Vec<AnnouncementRow>> {
        let mut query = sqlx::QueryBuilder::<Db>::new(format!("{COLUMNS}{FROM}"));
        if let Some(held) = held {
            let district = held.contains(&None);
            let ids: Vec<i64> = held.iter().flatten().copied().collect();
            query.push(" where ");
            query.push(if district {
                "a.subdistrict_id is null"
            } else {
                "false"
            });
            if !ids.is_empty() {
                query.push(" or a.subdistrict_id in ");
                crate::ssr::db::clauses::in_list(&mut query, ids);
            }
        }
        query.push(" order by a.posted_at desc, a.id desc limit ");
        query.push_bind(limit);
        Ok(query.build_query_as().fetch_all(&self.read).await?)
    }

    #[tracing::instrument(skip_all)]
    async fn announcement_receipts(&self, id: i64) -> RepoResult<Vec<Receipt>> {
        Ok(sqlx::query_as(
            "select c.name as community, p.name, i.read_at from announcements a \
             join inbox i on i.notice_id = a.notice_id join people p on p.id = i.person_id \
             left join communities c on c.id = p.community_id where a.id = $1 \
             order by c.name, p.name, p.id",
        )
        .bind(id)
        .fetch_all(&self.read)
        .await?)
    }

    #[tracing::instrument(skip_all)]
    async fn remind_unread(
        &self,
        id: i64,
        channels: &ChannelsOn,
        now: Timestamp,
    ) -> RepoResult<Option<i64>> {
        let mut tx = self.begin_write().await?;
        let row: Option<(String,)> = sqlx::query_as(
            "update announcements set reminded_at = $1 where id = $2 and reminded_at is null \
             and notice_id is not null returning title",
        )
        .bind(now.0)
        .bind(id)
        .fetch_optional(&mut *tx)
        .await?;
        let Some((title,)) = row else {
            return Ok(None);
        };
        let notice = Notice::AnnouncementReminder {
            announcement_id: id,
            title,
        };
        let notice_id = super::messages_sql::post_notice(
            &mut tx,
            &notice,
            Recipients::UnreadOf(id),
            channels,
            now,
        )
        .await?;
        sqlx::query("update announcements set reminder_notice_id = $1 where id = $2")
            .bind(notice_id)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        let (reminded,): (i64,) = sqlx::query_as("select count(*) from inbox where notice_id = $1")
            .bind(notice_id)
            .fetch_one(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(Some(reminded))
    }
}
