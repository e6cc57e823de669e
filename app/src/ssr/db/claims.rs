//! Claims of study hours earned elsewhere (外部学时申报) in the database, with the
//! conversion table. The certificate is a blob like an attachment's. Approved claims are
//! ledger lines of their own kind; `claims_sql.rs` implements [`ClaimStore`] for
//! `SqlRepository<Db>`.
use async_trait::async_trait;

use super::RepoResult;
use crate::domain::Timestamp;
use crate::domain::claims::{CheckedClaim, Conversion};
use crate::domain::hours::StudyHours;
use crate::domain::messages::ChannelsOn;
use crate::domain::org::Reach;

/// The certificate or notice a claim carries.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredFile<'a> {
    pub name: &'a str,
    pub content_type: &'a str,
    pub sha256: &'a str,
    pub bytes: &'a [u8],
}

/// A claim as its pages show it.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct ClaimRow {
    pub id: i64,
    pub person_id: i64,
    pub person: String,
    pub community: String,
    pub community_id: Option<i64>,
    pub subdistrict_id: Option<i64>,
    pub training: String,
    pub organiser: String,
    pub from_day: String,
    pub to_day: String,
    pub year: i64,
    pub mode: String,
    pub conversion: String,
    pub units: Option<i64>,
    pub hours: i64,
    pub file_name: String,
    pub file_type: String,
    pub file_size: i64,
    pub state: String,
    pub reason: String,
    pub decided_by: String,
    pub decided_at: Option<i64>,
    pub created_at: i64,
}

#[async_trait]
pub trait ClaimStore: Send + Sync {
    /// The conversion table, in order; retired lines only when `all`.
    async fn conversions(&self, all: bool) -> RepoResult<Vec<Conversion>>;
    /// Adds a line (`line.id` 0) or changes one, with the audit line, in one transaction;
    /// its id, or `None` when there is no such line.
    async fn save_conversion(
        &self,
        line: &Conversion,
        audit: &super::AuditLine,
        now: Timestamp,
    ) -> RepoResult<Option<i64>>;
    /// Stores a claim and its certificate; its id.
    async fn file_claim(
        &self,
        person_id: i64,
        claim: &CheckedClaim,
        file: &StoredFile<'_>,
        now: Timestamp,
    ) -> RepoResult<i64>;
    async fn claim(&self, id: i64) -> RepoResult<Option<ClaimRow>>;
    /// The certificate's type, name and bytes.
    async fn claim_file(&self, id: i64) -> RepoResult<Option<(String, String, Vec<u8>)>>;
    /// A person's claims, newest first.
    async fn claims_of(&self, person_id: i64) -> RepoResult<Vec<ClaimRow>>;
    /// Claims of people in `reach` (`None`: all), waiting ones first, newest first.
    async fn claims_within(&self, reach: Option<&Reach>, limit: i64) -> RepoResult<Vec<ClaimRow>>;
    /// Hours claimed in `year` by the person, approved and waiting (what the cap weighs).
    async fn claimed_hours(
        &self,
        person_id: i64,
        year: i32,
    ) -> RepoResult<(StudyHours, StudyHours)>;
    /// Approves or declines a waiting claim and tells the cadre, in one transaction;
    /// `false` when it was decided already.
    #[allow(clippy::too_many_arguments)]
    async fn decide_claim(
        &self,
        id: i64,
        approve: bool,
        reason: &str,
        by: i64,
        channels: &ChannelsOn,
        now: Timestamp,
    ) -> RepoResult<bool>;
}
