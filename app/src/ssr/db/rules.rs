//! The rules a subdistrict sets over the district's: its own settings and tier plans. The
//! district's stay in `settings` and `tiers`; what a subdistrict has not set follows them
//! (`domain::settings`). The SQL is in `rules_sql.rs`, compiled once per backend.
use async_trait::async_trait;

use super::RepoResult;
use super::progress::TierPlan;
use super::security::AuditLine;
use crate::domain::Timestamp;
use crate::domain::progress::Requirements;
use crate::domain::settings::{RuleHolder, SettingBook};

#[async_trait]
pub trait RulesStore: Send + Sync {
    /// Every setting, the district's and each subdistrict's own (a few dozen rows).
    async fn setting_book(&self) -> RepoResult<SettingBook>;
    /// One setting in force for a subdistrict: its own value, else the district's.
    async fn setting_in(&self, subdistrict: Option<i64>, key: &str) -> RepoResult<Option<String>>;
    /// Writes the holder's values with `audit` (its detail: the holder and the values) in
    /// the same transaction.
    async fn save_settings(
        &self,
        holder: RuleHolder,
        values: &[(&str, String)],
        now: Timestamp,
        audit: &AuditLine,
    ) -> RepoResult<()>;
    /// Forgets the subdistrict's own values of `keys` (the district's apply again), with
    /// `audit`; how many it had.
    async fn clear_settings(
        &self,
        subdistrict: i64,
        keys: &[&str],
        audit: &AuditLine,
    ) -> RepoResult<u64>;
    /// The salt of the door key that signs session `session_id`'s codes: its subdistrict's
    /// own, else the district's; `None` when neither renewed its key (or no such session).
    async fn door_salt(&self, session_id: i64) -> RepoResult<Option<String>>;
    /// Gives the holder a new door key salt with `audit` (which does not name it).
    async fn renew_door_key(
        &self,
        holder: RuleHolder,
        salt: &str,
        now: Timestamp,
        audit: &AuditLine,
    ) -> RepoResult<()>;
    /// Each subdistrict's own tier plans, as `(subdistrict, plan)`, in tier rank order.
    async fn subdistrict_tier_plans(&self) -> RepoResult<Vec<(i64, TierPlan)>>;
    /// Saves the subdistrict's own plan of a tier with `audit`; false when there is no such
    /// tier or subdistrict.
    async fn save_subdistrict_tier_plan(
        &self,
        subdistrict: i64,
        tier_id: i64,
        target_count: i64,
        req: &Requirements,
        now: Timestamp,
        audit: &AuditLine,
    ) -> RepoResult<bool>;
    /// Forgets the subdistrict's own tier plans and its own values of the settings `keys`
    /// that go with them, in one transaction with `audit`; how many plans it had.
    async fn clear_subdistrict_tier_plans(
        &self,
        subdistrict: i64,
        keys: &[&str],
        audit: &AuditLine,
    ) -> RepoResult<u64>;
}
