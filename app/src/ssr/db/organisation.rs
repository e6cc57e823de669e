//! The organisation tree in the database: the district's subdistricts, their communities,
//! and where each organiser's grants reach. The SQL is in `organisation_sql.rs`, compiled
//! once per backend.
use async_trait::async_trait;

use super::RepoResult;
use super::security::AuditLine;
use crate::domain::org::{Place, Reach, Unit};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Subdistrict {
    pub id: i64,
    pub name: String,
    pub series_name: String,
}

#[async_trait]
pub trait OrganisationStore: Send + Sync {
    /// Every subdistrict, in the order they were added.
    async fn subdistricts(&self) -> RepoResult<Vec<Subdistrict>>;
    /// `Conflict` when the name is taken (compared case-insensitively).
    async fn create_subdistrict(
        &self,
        name: &str,
        series_name: &str,
        audit: &AuditLine,
    ) -> RepoResult<i64>;
    /// `false` when there is no such subdistrict; `Conflict` when the name is taken.
    async fn rename_subdistrict(
        &self,
        id: i64,
        name: &str,
        series_name: &str,
        audit: &AuditLine,
    ) -> RepoResult<bool>;
    /// A community in the subdistrict; `Conflict` when the subdistrict has one of that name.
    async fn add_community(
        &self,
        subdistrict_id: i64,
        name: &str,
        audit: &AuditLine,
    ) -> RepoResult<i64>;
    /// Adds an organiser grant (and the organiser role when missing); `false` when the account
    /// or the unit does not exist. The account's login sessions end.
    async fn grant_unit(&self, account_id: i64, unit: Unit, audit: &AuditLine) -> RepoResult<bool>;
    /// Removes an organiser grant; the organiser role goes with the last one. `false` when the
    /// account did not hold it. The account's login sessions end.
    async fn revoke_unit(&self, account_id: i64, unit: Unit, audit: &AuditLine)
    -> RepoResult<bool>;
    /// Every account's organiser grants, by account.
    async fn organiser_units(&self) -> RepoResult<Vec<(i64, Unit)>>;
    /// The account's organiser grants, resolved (one query).
    async fn reach_of(&self, account_id: i64) -> RepoResult<Reach>;
    /// Where the person sits; `None` for no such person.
    async fn person_place(&self, person_id: i64) -> RepoResult<Option<Place>>;
    /// The subdistrict holding the session (`Some(None)`: a district session); `None` for
    /// no such session.
    async fn session_subdistrict(&self, session_id: i64) -> RepoResult<Option<Option<i64>>>;
    /// Whether anyone the reach covers is in the session's audience.
    async fn audience_reached(&self, session_id: i64, reach: &Reach) -> RepoResult<bool>;
}
