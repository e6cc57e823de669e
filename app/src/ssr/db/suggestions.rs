//! 投诉建议 in the database. The writer is always stored (their answer reaches their inbox);
//! whether their name is shown is the API's business (`domain::suggestions::author_shown`).
//! An answer or a closing and the notice telling the writer are written in one transaction.
//! `suggestions_sql.rs` implements [`SuggestionStore`] for `SqlRepository<Db>`.
use async_trait::async_trait;

use super::RepoResult;
use crate::domain::Timestamp;
use crate::domain::messages::ChannelsOn;
use crate::domain::org::Reach;
use crate::domain::suggestions::CheckedSuggestion;

/// A suggestion with the names its pages show.
#[derive(Clone, Debug, PartialEq, sqlx::FromRow)]
pub struct SuggestionRow {
    pub id: i64,
    pub author_id: i64,
    pub author: String,
    pub anonymous: bool,
    pub kind: String,
    pub title: String,
    pub body: String,
    pub subdistrict_id: Option<i64>,
    pub community_id: Option<i64>,
    /// The writer's community when they wrote ("" when none).
    pub community: String,
    pub created_at: i64,
    pub answer: String,
    /// Who answered ("" when nobody yet).
    pub answered_by: String,
    pub answered_at: Option<i64>,
    pub closed_at: Option<i64>,
}

/// What an organiser does with a suggestion.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reply {
    /// The answer (it replaces an earlier one); `None`: only closing.
    pub answer: Option<String>,
    pub close: bool,
    pub by: i64,
}

#[async_trait]
pub trait SuggestionStore: Send + Sync {
    /// Stores a suggestion with its writer's place now; its id.
    async fn post_suggestion(
        &self,
        author_id: i64,
        anonymous: bool,
        new: &CheckedSuggestion,
        now: Timestamp,
    ) -> RepoResult<i64>;
    async fn suggestion(&self, id: i64) -> RepoResult<Option<SuggestionRow>>;
    /// The writer's own, newest first.
    async fn suggestions_by(&self, author_id: i64, limit: i64) -> RepoResult<Vec<SuggestionRow>>;
    /// Those written by people of `reach` (`None`: all), open ones first, newest first.
    async fn suggestions_within(
        &self,
        reach: Option<&Reach>,
        limit: i64,
    ) -> RepoResult<Vec<SuggestionRow>>;
    /// Answers and/or closes a suggestion and tells the writer; `false` when it was closed
    /// already (nothing changed).
    async fn reply_suggestion(
        &self,
        id: i64,
        reply: &Reply,
        channels: &ChannelsOn,
        now: Timestamp,
    ) -> RepoResult<bool>;
}
