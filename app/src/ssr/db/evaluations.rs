//! Course evaluation (课程评估) in the database: the indicators, anonymous cards (the card
//! and who answered are written apart, with nothing to join them), the sums a session's
//! means come from, the lecturer pool's history, and the wishes an organiser ties to a new
//! session. `evaluations_sql.rs` implements [`EvaluationStore`] for `SqlRepository<Db>`.
use async_trait::async_trait;

use super::{AuditLine, RepoResult};
use crate::domain::Timestamp;
use crate::domain::evaluation::{Card, Indicator};
use crate::domain::messages::ChannelsOn;

/// What a session's means and response rate come from.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct EvaluationSums {
    /// Cards in.
    pub answers: i64,
    /// Those who could answer: present or late.
    pub attended: i64,
    /// Per indicator: its id, the sum of levels and how many gave one.
    pub sums: Vec<(i64, i64, i64)>,
}

/// A session a lecturer gave, for the lecturer pool (师资库).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GivenSession {
    pub lecturer_id: i64,
    pub lecturer: String,
    pub session_id: i64,
    pub title: String,
    pub theme: String,
    pub starts_at: i64,
    pub sums: EvaluationSums,
}

/// A wish ("what I want to learn next"), without its writer.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct WishRow {
    pub id: i64,
    pub session_id: i64,
    pub title: String,
    pub body: String,
    pub created_at: i64,
    pub answered_by_session: Option<i64>,
    pub answered_title: Option<String>,
}

#[async_trait]
pub trait EvaluationStore: Send + Sync {
    /// The indicators, in order; retired ones only when `all`.
    async fn indicators(&self, all: bool) -> RepoResult<Vec<Indicator>>;
    /// Adds (`id` 0) or changes an indicator with its audit line; `None` when unknown.
    async fn save_indicator(
        &self,
        line: &Indicator,
        audit: &AuditLine,
        now: Timestamp,
    ) -> RepoResult<Option<i64>>;
    async fn has_evaluated(&self, session_id: i64, person_id: i64) -> RepoResult<bool>;
    /// Stores a card and the receipt apart, and the wish when there is one, in one
    /// transaction; `Conflict` when the person answered already.
    async fn evaluate(
        &self,
        session_id: i64,
        person_id: i64,
        card: &Card,
        now: Timestamp,
    ) -> RepoResult<()>;
    async fn evaluation_sums(&self, session_id: i64) -> RepoResult<EvaluationSums>;
    /// Sessions the person attended (present or late) that ended in `[from, to]` and whose
    /// card they have not filled: id, title, start; newest first.
    async fn open_cards(
        &self,
        person_id: i64,
        from: Timestamp,
        to: Timestamp,
    ) -> RepoResult<Vec<(i64, String, i64)>>;
    /// Sessions (not cancelled) starting in `[from, to)` held by these subdistricts (or the
    /// district): id, title, start; earliest first.
    async fn sessions_ahead(
        &self,
        held_by: Option<&[i64]>,
        from: Timestamp,
        to: Timestamp,
    ) -> RepoResult<Vec<(i64, String, i64)>>;
    /// Every session given by a lecturer that has ended, with its sums; of one lecturer when
    /// given, and of sessions held by these subdistricts (`None`: all; the district's own
    /// sessions are held by `None` and shown to all).
    async fn given_sessions(
        &self,
        lecturer_id: Option<i64>,
        held_by: Option<&[i64]>,
        now: Timestamp,
    ) -> RepoResult<Vec<GivenSession>>;
    /// Wishes, open ones first and newest first; of sessions held by these subdistricts.
    async fn wishes(&self, held_by: Option<&[i64]>, limit: i64) -> RepoResult<Vec<WishRow>>;
    /// Ties open wishes to a session and tells each writer, in one transaction; how many.
    async fn tie_wishes(
        &self,
        wish_ids: &[i64],
        session_id: i64,
        channels: &ChannelsOn,
        now: Timestamp,
    ) -> RepoResult<u64>;
}
