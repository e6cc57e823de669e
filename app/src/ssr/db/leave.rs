//! Leave that knows duty, in the database: leave asked with its kind and an optional
//! attachment (before the session or after the fact), a whole community excused at once
//! with one reason, approved leave hours by kind (the cap weighs only some), duty excusals
//! per community and month, and the series run as special classes (专题班) where leave past
//! the cap means withdrawal. `leave_sql.rs` implements [`LeaveStore`] for
//! `SqlRepository<Db>`.
use async_trait::async_trait;

use super::{RepoResult, StoredFile};
use crate::domain::Timestamp;
use crate::domain::audience::Member;
use crate::domain::hours::StudyHours;
use crate::domain::leave::LeaveKind;
use crate::domain::messages::ChannelsOn;
use crate::domain::org::Reach;

/// A leave request as the cadre files it.
#[derive(Clone, Debug)]
pub struct NewLeave<'a> {
    pub kind: LeaveKind,
    pub reason: &'a str,
    /// Filed after the session started (an emergency).
    pub after_the_fact: bool,
    pub file: Option<StoredFile<'a>>,
}

/// What approving a leave request does besides excusing: duty leave opens the make-up
/// until `make_up_due`; leave past a special class's cap withdraws the cadre from it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LeaveEffects {
    pub make_up_due: Option<Timestamp>,
    pub withdraw_from: Option<String>,
}

/// One community excused at one session.
#[derive(Clone, Debug)]
pub struct GroupExcusal<'a> {
    pub session_id: i64,
    pub community_id: i64,
    pub kind: LeaveKind,
    pub reason: &'a str,
    pub by: i64,
    pub make_up_due: Option<Timestamp>,
}

/// Hours of a cadre's approved leave by kind, and of every session scheduled for them.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct LeaveHours {
    pub personal: StudyHours,
    pub sick: StudyHours,
    pub duty: StudyHours,
    pub scheduled: StudyHours,
}

impl LeaveHours {
    /// The load the cap weighs under the rules: duty leave only when it counts.
    pub fn load(
        &self,
        rules: &crate::domain::leave::LeaveRules,
    ) -> crate::domain::attendance::LeaveLoad {
        let duty = if LeaveKind::Duty.counts_toward_cap(rules) {
            self.duty.0
        } else {
            0
        };
        crate::domain::attendance::LeaveLoad {
            approved: StudyHours(self.personal.0 + self.sick.0 + duty),
            scheduled: self.scheduled,
        }
    }
}

/// A duty excusal: the community (0: none), its name, and the session's start.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct DutyRow {
    pub community_id: i64,
    pub community: String,
    pub starts_at: i64,
}

#[async_trait]
pub trait LeaveStore: Send + Sync {
    /// Files a leave request with its kind and attachment; `Conflict` when the person asked
    /// for this session already.
    async fn file_leave(
        &self,
        session_id: i64,
        person_id: i64,
        leave: &NewLeave<'_>,
        now: Timestamp,
    ) -> RepoResult<i64>;
    /// The attachment of a leave request: its type, name and bytes, and whose it is.
    async fn leave_file(&self, id: i64) -> RepoResult<Option<(String, String, Vec<u8>, i64)>>;
    /// Excuses every cadre of the community in the session's audience who has no record or
    /// was marked absent: their leave is written approved (a pending or declined request is
    /// approved), the status becomes excused with an audit entry, duty leave opens the
    /// make-up, and each is told; all in one transaction. The excusal's id and how many.
    async fn excuse_group(
        &self,
        excusal: &GroupExcusal<'_>,
        channels: &ChannelsOn,
        now: Timestamp,
    ) -> RepoResult<(i64, u64)>;
    /// A cadre's approved leave hours by kind in `[from, to)`, and the hours scheduled for
    /// them; of one series (by name) when given.
    async fn leave_hours_by_kind(
        &self,
        member: &Member,
        from: Timestamp,
        to: Timestamp,
        series: Option<&str>,
    ) -> RepoResult<LeaveHours>;
    /// One row per approved duty leave in `[from, to)` of people within `reach`.
    async fn duty_rows(
        &self,
        from: Timestamp,
        to: Timestamp,
        reach: Option<&Reach>,
    ) -> RepoResult<Vec<DutyRow>>;
    /// Every series name with the subdistricts holding its sessions (`None`: the district).
    async fn series_holders(&self) -> RepoResult<Vec<(String, Option<i64>)>>;
    /// The series run as special classes, where the cap means withdrawal.
    async fn capped_series(&self) -> RepoResult<Vec<String>>;
    /// Marks a series as a special class (`on`), or no longer.
    async fn set_series_cap(
        &self,
        series: &str,
        on: bool,
        by: i64,
        now: Timestamp,
    ) -> RepoResult<()>;
    /// The series the person was withdrawn from, with when.
    async fn withdrawals_of(&self, person_id: i64) -> RepoResult<Vec<(String, Timestamp)>>;
}
