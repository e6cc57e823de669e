//! Announcements (通知公告) in the database. Posting one writes it and its notice, with an
//! inbox line per cadre of its audience, in one transaction; those lines are the read
//! receipts. `announcements_sql.rs` implements [`AnnouncementStore`] for `SqlRepository<Db>`.
use async_trait::async_trait;

use super::RepoResult;
use crate::domain::Timestamp;
use crate::domain::audience::Audience;
use crate::domain::messages::ChannelsOn;

#[derive(Clone, Debug, PartialEq)]
pub struct NewAnnouncement {
    pub title: String,
    pub body_md: String,
    /// `None`: the whole district's cadres.
    pub subdistrict_id: Option<i64>,
    /// Everyone of the subdistrict (or district), or chosen tiers and communities, and
    /// people named (whatever their tier).
    pub audience: Audience,
    pub pinned: bool,
    pub expires_at: Option<Timestamp>,
    pub posted_by: i64,
}

/// An announcement as lists and its page show it.
#[derive(Clone, Debug, PartialEq, sqlx::FromRow)]
pub struct AnnouncementRow {
    pub id: i64,
    pub title: String,
    pub body_md: String,
    pub subdistrict_id: Option<i64>,
    pub pinned: bool,
    pub expires_at: Option<i64>,
    pub posted_at: i64,
    pub posted_by: String,
    pub notice_id: Option<i64>,
    pub reminded_at: Option<i64>,
    /// Inbox lines: the people it went to, and those who marked it read.
    pub recipients: i64,
    pub read: i64,
}

/// One person's receipt.
#[derive(Clone, Debug, PartialEq, sqlx::FromRow)]
pub struct Receipt {
    pub community: Option<String>,
    pub name: String,
    pub read_at: Option<i64>,
}

#[async_trait]
pub trait AnnouncementStore: Send + Sync {
    /// Writes the announcement, its notice and the inbox (and outbox) lines of its
    /// audience; its id and how many it went to.
    async fn post_announcement(
        &self,
        new: &NewAnnouncement,
        channels: &ChannelsOn,
        now: Timestamp,
    ) -> RepoResult<(i64, i64)>;
    async fn announcement(&self, id: i64) -> RepoResult<Option<AnnouncementRow>>;
    /// Whether it went to the person, and whether they marked it read.
    async fn announcement_for(&self, id: i64, person_id: i64) -> RepoResult<Option<bool>>;
    /// The announcements that went to the person and have not expired, pinned first, with
    /// whether each is read.
    async fn announcements_of(
        &self,
        person_id: i64,
        now: Timestamp,
    ) -> RepoResult<Vec<(AnnouncementRow, bool)>>;
    /// The latest announcements of these subdistricts (`None` in the list: the district's),
    /// or of all when `held` is `None`.
    async fn announcements_held(
        &self,
        held: Option<&[Option<i64>]>,
        limit: i64,
    ) -> RepoResult<Vec<AnnouncementRow>>;
    /// Everyone it went to, by community and name.
    async fn announcement_receipts(&self, id: i64) -> RepoResult<Vec<Receipt>>;
    /// Reminds those who have not read it, once: `None` when it was reminded before,
    /// otherwise how many were reminded.
    async fn remind_unread(
        &self,
        id: i64,
        channels: &ChannelsOn,
        now: Timestamp,
    ) -> RepoResult<Option<i64>>;
}
