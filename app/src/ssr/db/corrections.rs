//! Check-in corrections (补签) in the database: asked by the cadre, confirmed by the lecturer
//! they name (optionally), decided by an organiser; approving makes the cadre present with
//! the correction named in the audit trail. `corrections_sql.rs` implements
//! [`CorrectionStore`] for `SqlRepository<Db>`.
use async_trait::async_trait;

use super::RepoResult;
use crate::domain::Timestamp;
use crate::domain::messages::ChannelsOn;
use crate::domain::org::Reach;

/// A correction as the pages show it.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct CorrectionRow {
    pub id: i64,
    pub session_id: i64,
    pub title: String,
    pub starts_at: i64,
    pub person_id: i64,
    pub person: String,
    pub community: String,
    pub reason: String,
    pub lecturer_id: Option<i64>,
    pub lecturer: Option<String>,
    pub confirmed_at: Option<i64>,
    pub decision: String,
    pub decided_at: Option<i64>,
    pub created_at: i64,
}

#[async_trait]
pub trait CorrectionStore: Send + Sync {
    /// Files a correction; `Conflict` when the person asked for this session already.
    async fn ask_correction(
        &self,
        session_id: i64,
        person_id: i64,
        reason: &str,
        lecturer_id: Option<i64>,
        now: Timestamp,
    ) -> RepoResult<i64>;
    /// Corrections the person asked in `[from, to)` that were not declined.
    async fn corrections_used(
        &self,
        person_id: i64,
        from: Timestamp,
        to: Timestamp,
    ) -> RepoResult<i64>;
    async fn correction(&self, id: i64) -> RepoResult<Option<CorrectionRow>>;
    async fn correction_of(
        &self,
        session_id: i64,
        person_id: i64,
    ) -> RepoResult<Option<CorrectionRow>>;
    /// Corrections of people within `reach` (`None`: all): pending first, then the latest.
    async fn corrections(
        &self,
        reach: Option<&Reach>,
        limit: i64,
    ) -> RepoResult<Vec<CorrectionRow>>;
    /// Pending corrections that name this lecturer and wait for their word.
    async fn corrections_to_confirm(&self, lecturer_id: i64) -> RepoResult<Vec<CorrectionRow>>;
    /// The named lecturer confirms; `false` when it is not theirs or not waiting.
    async fn confirm_correction(
        &self,
        id: i64,
        lecturer_id: i64,
        now: Timestamp,
    ) -> RepoResult<bool>;
    /// Approves (the cadre becomes present, audited as a correction) or declines a pending
    /// correction and tells the cadre, in one transaction; `false` when it was decided.
    async fn decide_correction(
        &self,
        id: i64,
        approve: bool,
        by: i64,
        channels: &ChannelsOn,
        now: Timestamp,
    ) -> RepoResult<bool>;
}
