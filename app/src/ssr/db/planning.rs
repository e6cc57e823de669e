//! The second half of the database seam: looking sessions up for lists, calendars and
//! feeds, editing them, calendar-feed secrets and programme settings. `planning_sql.rs`
//! implements [`Planning`] for `SqlRepository<Db>` from one SQL text.
use async_trait::async_trait;

use super::NewSession;
use super::RepoResult;
use crate::domain::Timestamp;
use crate::domain::audience::{Audience, Member};
use crate::domain::ical::CalendarEvent;
use crate::domain::listing::{PAGE_SIZE, SessionFilter};
use crate::domain::org::Reach;
use crate::domain::schedule::SessionSummary;
use crate::domain::series_edit::Occurrence;

/// Everything stored about one session.
#[derive(Clone, Debug, PartialEq)]
pub struct SessionDetail {
    pub summary: SessionSummary,
    pub series: String,
    pub theme_id: i64,
    /// In the order they are listed.
    pub lecturer_ids: Vec<i64>,
    pub audience: Audience,
    pub capacity: Option<i64>,
    pub hours_overridden: bool,
    pub description_md: String,
    pub cancel_reason: Option<String>,
    pub clash_override_reason: Option<String>,
    /// The id shared by the sessions of a weekly series.
    pub repeat_group: Option<i64>,
}

/// Whose sessions a lookup returns.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Scope {
    /// Every session: organisers whose grants reach the whole install.
    All,
    /// Sessions whose audience includes the person (when `audience`), that they lecture
    /// at (when `lectures`), or that an organiser grant reaches (`organiser`: sessions held by
    /// a subdistrict it covers wholly, or whose audience includes someone it reaches).
    Person {
        member: Member,
        audience: bool,
        lectures: bool,
        organiser: Option<Reach>,
    },
}

/// A session list's page: `more` says whether another page follows.
#[derive(Clone, Debug, PartialEq)]
pub struct SessionPage {
    pub sessions: Vec<SessionSummary>,
    pub more: bool,
}

/// A cadre found by name, for naming people in an audience.
#[derive(Clone, Debug, PartialEq)]
pub struct PersonHit {
    pub id: i64,
    pub name: String,
    pub community: String,
}

#[async_trait]
pub trait Planning: Send + Sync {
    async fn session_detail(&self, id: i64) -> RepoResult<Option<SessionDetail>>;
    /// The sessions of a weekly series, earliest first.
    async fn series_occurrences(&self, repeat_group: i64) -> RepoResult<Vec<Occurrence>>;
    /// Rewrites each session (its lecturers and audience too) in one transaction and bumps
    /// its revision; each whose time or place changed tells its (new) audience, in the same
    /// transaction. `false`, with nothing written, when a session does not exist.
    async fn update_sessions(
        &self,
        changes: &[(i64, NewSession)],
        now: Timestamp,
        channels: &crate::domain::messages::ChannelsOn,
    ) -> RepoResult<bool>;
    /// One page of the filtered list, as seen by `scope`, at `now`.
    async fn find_sessions(
        &self,
        scope: Scope,
        filter: &SessionFilter,
        now: Timestamp,
    ) -> RepoResult<SessionPage>;
    /// The query plan of [`Self::find_sessions`]: tests pin it (no whole read of `people` or
    /// `attendance`).
    async fn find_sessions_plan(
        &self,
        scope: Scope,
        filter: &SessionFilter,
        now: Timestamp,
    ) -> RepoResult<Vec<super::PlanStep>>;
    /// Sessions starting in `[from, to)` seen by `scope`, earliest first, at most `limit`.
    async fn sessions_in(
        &self,
        scope: Scope,
        from: Timestamp,
        to: Timestamp,
        limit: usize,
    ) -> RepoResult<Vec<SessionSummary>>;
    /// The same sessions as calendar events.
    async fn calendar_events(
        &self,
        scope: Scope,
        from: Timestamp,
        to: Timestamp,
    ) -> RepoResult<Vec<CalendarEvent>>;

    /// Replaces the account's feed secret (the old address stops working).
    async fn set_calendar_feed(
        &self,
        account_id: i64,
        token_hash: &str,
        now: Timestamp,
    ) -> RepoResult<()>;
    /// `false` when there was no feed.
    async fn delete_calendar_feed(&self, account_id: i64) -> RepoResult<bool>;
    /// When the account's feed address was made, if it has one.
    async fn calendar_feed_since(&self, account_id: i64) -> RepoResult<Option<Timestamp>>;
    /// The enabled account whose feed secret hashes to `token_hash`.
    async fn calendar_feed_account(&self, token_hash: &str) -> RepoResult<Option<i64>>;
    /// How long before a session the account's calendar events remind, in minutes (0:
    /// never), if the account chose; `None` means the default.
    async fn calendar_alarm(&self, account_id: i64) -> RepoResult<Option<i64>>;
    async fn set_calendar_alarm(&self, account_id: i64, minutes: i64) -> RepoResult<()>;

    async fn setting(&self, key: &str) -> RepoResult<Option<String>>;
    async fn set_setting(&self, key: &str, value: &str, now: Timestamp) -> RepoResult<()>;

    /// Cadres whose name contains `query`, at most `limit`.
    /// `reach`: only people within it (`None`: everyone).
    async fn search_people(
        &self,
        query: &str,
        limit: usize,
        reach: Option<&Reach>,
    ) -> RepoResult<Vec<PersonHit>>;
    /// Names of the given people, in id order.
    async fn people_names(&self, ids: &[i64]) -> RepoResult<Vec<(i64, String)>>;
}

/// A session as a calendar feed shows it.
pub(super) const EVENT_COLUMNS: &str = "select s.id, s.title, s.description_md, s.place, \
     s.starts_at, s.ends_at, s.cancelled, s.updated_at, s.revision from sessions s";

#[derive(sqlx::FromRow)]
pub(super) struct EventRow {
    id: i64,
    title: String,
    description_md: String,
    place: String,
    starts_at: i64,
    ends_at: i64,
    cancelled: bool,
    updated_at: i64,
    revision: i64,
}

impl From<EventRow> for CalendarEvent {
    fn from(r: EventRow) -> Self {
        CalendarEvent {
            session_id: r.id,
            title: r.title,
            description: r.description_md,
            place: r.place,
            starts_at: Timestamp(r.starts_at),
            ends_at: Timestamp(r.ends_at),
            cancelled: r.cancelled,
            updated_at: Timestamp(r.updated_at),
            revision: r.revision,
        }
    }
}

/// The `limit` of a list page: one more than shown, to learn whether a next page exists.
pub(super) fn page_window(filter: &SessionFilter) -> (i64, i64) {
    let size = PAGE_SIZE as i64;
    (size + 1, i64::from(filter.page) * size)
}

/// `%query%` for `like ... escape '\'`, with the pattern characters escaped.
pub(super) fn like_pattern(query: &str) -> String {
    let mut out = String::from("%");
    for c in query.trim().chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('%');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn like_patterns_escape_wildcards() {
        assert_eq!(like_pattern(" 王 "), "%王%");
        assert_eq!(like_pattern("50%_a\\"), "%50\\%\\_a\\\\%");
    }
}
