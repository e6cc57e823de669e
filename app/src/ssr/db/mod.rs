//! The database seam. One [`Repository`] trait; one implementation per backend, chosen by
//! the URL scheme. Both backends share their SQL text: each `*_sql.rs` file is ordinary Rust,
//! compiled twice (`#[path]` modules in `sqlite.rs` and `postgres.rs`, where `Db` names the
//! backend), and both accept `$1` placeholders and `returning`, so the two cannot drift apart.
use std::sync::Arc;

use async_trait::async_trait;

use crate::domain::audience::{Audience, Member};
use crate::domain::conflicts::Booking;
use crate::domain::hours::StudyHours;
use crate::domain::ical::CalendarEvent;
use crate::domain::login_policy::SessionClock;
use crate::domain::messages::ChannelsOn;
use crate::domain::people::Position;
use crate::domain::schedule::{AttendanceStatus, SessionFormat, SessionSummary};
use crate::domain::{DisplayName, Roles, Timestamp, Username};

pub mod accounts;
pub mod announcements;
pub mod attendance;
pub mod backup;
pub mod certificates;
pub mod claims;
mod clauses;
pub mod corrections;
pub mod evaluations;
pub mod identity;
pub mod import;
pub mod leave;
pub mod materials;
pub mod messages;
pub mod organisation;
pub mod planning;
mod postgres;
pub mod progress;
pub mod rules;
pub mod second_factor;
pub mod security;
mod shared;
mod sqlite;
pub mod suggestions;

pub use crate::domain::attendance::DoorSession;
pub use accounts::{AccountStore, Changes};
pub use announcements::{AnnouncementRow, AnnouncementStore, NewAnnouncement, Receipt};
pub use attendance::{
    AttendanceStore, AuditEntry, Checkin, CheckinResult, PlanStep, ReportCell, RequestItem,
    RequestKind, SheetGroup, SheetLines, SheetRow, SheetSlice, facts_dump_sql, sheet_counts,
};
pub use backup::{BackupMeta, BackupStore, Inspection};
pub use certificates::{CertificateRow, CertificateStore, NewCertificate};
pub use claims::{ClaimRow, ClaimStore, StoredFile};
pub use corrections::{CorrectionRow, CorrectionStore};
pub use evaluations::{EvaluationStore, EvaluationSums, GivenSession, WishRow};
pub use identity::{IdentityLink, IdentityStore};
pub use import::{ImportBatch, ImportStore};
pub use leave::{DutyRow, GroupExcusal, LeaveEffects, LeaveHours, LeaveStore, NewLeave};
pub use materials::{
    Attachment, Comment, Material, MaterialSave, MaterialStore, MaterialVersion, NewAttachment,
    ReflectionEntry, ReviewMarks, SaveOutcome, SearchRow,
};
pub use messages::{
    InboxLine, MessagePrefs, MessageStore, OutboxCounts, Push, PushEnd, PushPerson, Recipients,
    ReminderCandidate, ReminderKind,
};
pub use organisation::{OrganisationStore, Subdistrict};
pub use planning::{PersonHit, Planning, Scope, SessionDetail, SessionPage};
pub use postgres::connect_postgres;
pub use progress::{
    LedgerRow, MonthTally, ProgrammeCadre, ProgressStore, ReflectionLine, StarRow, Tally,
    TierChange, TierPlan,
};
pub use rules::RulesStore;
pub use second_factor::{FactorRecord, SecondFactorStore};
pub use security::{AuditFilter, AuditLine, AuditRecord, SecurityStore, TryCount, WalkInClaim};
pub use sqlite::connect_sqlite;
pub use suggestions::{Reply, SuggestionRow, SuggestionStore};

/// Database failures are logged in full and reach the caller as `Internal`, so `?` can be
/// used on them in server functions.
impl From<RepoError> for crate::error::AppError {
    fn from(err: RepoError) -> Self {
        crate::error::AppError::internal(err)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum RepoError {
    /// A unique constraint refused the write.
    #[error("conflict with an existing record")]
    Conflict,
    #[error("unknown value {0:?} stored in column {1}")]
    BadValue(String, &'static str),
    #[error("unsupported database URL {0:?}: use sqlite://path or postgres://...")]
    UnsupportedUrl(String),
    #[error(transparent)]
    Db(#[from] sqlx::Error),
    #[error(transparent)]
    Migrate(#[from] sqlx::migrate::MigrateError),
}

impl RepoError {
    /// A deadlock or serialization failure (PostgreSQL 40P01, 40001) or a busy SQLite:
    /// the same write may simply be tried again.
    pub fn is_transient(&self) -> bool {
        match self {
            RepoError::Db(sqlx::Error::Database(db)) => matches!(
                db.code().as_deref(),
                Some("40P01" | "40001" | "5" | "6" | "517")
            ),
            _ => false,
        }
    }
}

pub type RepoResult<T> = Result<T, RepoError>;

/// Opens the database named by `url`, creating a SQLite file if missing, and brings its
/// schema up to date.
pub async fn connect(url: &str) -> RepoResult<Arc<dyn Repository>> {
    if url.starts_with("sqlite:") {
        Ok(Arc::new(connect_sqlite(url).await?))
    } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
        Ok(Arc::new(connect_postgres(url).await?))
    } else {
        Err(RepoError::UnsupportedUrl(url.to_string()))
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Account {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub person_id: i64,
    pub roles: Roles,
    pub disabled: bool,
    pub created_at: Timestamp,
    /// An admin set the password: it must be changed before anything else.
    pub must_change_password: bool,
}

#[derive(Clone, Debug)]
pub struct LoginRecord {
    pub account_id: i64,
    pub password_hash: String,
    pub disabled: bool,
    pub roles: Roles,
}

#[derive(Clone, Debug)]
pub struct NewAccount {
    pub username: Username,
    pub display_name: DisplayName,
    pub password_hash: String,
    pub roles: Roles,
    /// The person this account belongs to; a new person is created when `None`.
    pub person_id: Option<i64>,
    /// An admin chose the password: it must be changed at the first sign-in.
    pub must_change_password: bool,
}

/// A lecturer's sessions, a window of each side of now (see `Repository::lectures_of`).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Lectures {
    pub upcoming: Vec<SessionSummary>,
    pub upcoming_total: i64,
    pub past: Vec<SessionSummary>,
    pub past_total: i64,
}

/// A login session as stored.
#[derive(Clone, Debug)]
pub struct StoredSession {
    pub account_id: i64,
    pub clock: SessionClock,
    pub pending: Option<crate::domain::second_factor::Pending>,
}

#[derive(Clone, Debug)]
pub struct NewAuthSession {
    pub token_hash: String,
    /// Still waiting for the second factor's code, or for the account to set one up.
    pub pending: Option<crate::domain::second_factor::Pending>,
    pub account_id: i64,
    pub created_at: Timestamp,
    pub idle_secs: i64,
    pub expires_at: Timestamp,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Community {
    pub id: i64,
    pub name: String,
    pub subdistrict_id: i64,
}

#[derive(Clone, Debug, PartialEq, sqlx::FromRow)]
pub struct Tier {
    pub id: i64,
    pub name_zh: String,
    pub name_en: String,
    /// 1 is the highest tier.
    pub rank: i64,
    pub target_count: i64,
    pub description: String,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Theme {
    pub id: i64,
    pub name_zh: String,
    pub name_en: String,
    /// `None`: shared by the whole district; otherwise offered only for that subdistrict's
    /// sessions.
    pub subdistrict_id: Option<i64>,
}

impl Theme {
    /// Whether a session held by `held_by` (`None`: the district) may have this theme.
    pub fn offered_for(&self, held_by: Option<i64>) -> bool {
        self.subdistrict_id.is_none() || self.subdistrict_id == held_by
    }
}

#[derive(Clone, Debug)]
pub struct NewPerson {
    pub name: String,
    pub community_id: Option<i64>,
    pub tier_id: Option<i64>,
    pub position: Position,
    pub phone: String,
}

#[derive(Clone, Debug)]
pub struct NewSession {
    /// The subdistrict holding it; `None` for a district session.
    pub subdistrict_id: Option<i64>,
    pub series: String,
    pub title: String,
    pub theme_id: i64,
    pub format: SessionFormat,
    pub starts_at: Timestamp,
    pub ends_at: Timestamp,
    pub place: String,
    pub description_md: String,
    pub lecturer_ids: Vec<i64>,
    pub audience: Audience,
    pub study_hours: StudyHours,
    /// Whether the hours were typed in rather than derived from the duration.
    pub hours_overridden: bool,
    pub capacity: Option<i64>,
    /// Set when the organiser booked a lecturer or place twice on purpose.
    pub clash_override_reason: Option<String>,
}

#[derive(Clone, Debug)]
pub struct AttendanceRecord {
    pub session_id: i64,
    pub person_id: i64,
    pub status: AttendanceStatus,
    pub checked_in_at: Option<Timestamp>,
}

#[async_trait]
pub trait Repository:
    Planning
    + AttendanceStore
    + MaterialStore
    + ProgressStore
    + ImportStore
    + SecurityStore
    + BackupStore
    + SecondFactorStore
    + OrganisationStore
    + IdentityStore
    + RulesStore
    + AccountStore
    + MessageStore
    + AnnouncementStore
    + SuggestionStore
    + ClaimStore
    + CertificateStore
    + LeaveStore
    + CorrectionStore
    + EvaluationStore
    + Send
    + Sync
    + 'static
{
    /// Which backend this is, for logs and the health check.
    fn backend(&self) -> &'static str;

    // Reference data
    async fn create_community(
        &self,
        subdistrict_id: i64,
        name: &str,
        now: Timestamp,
    ) -> RepoResult<i64>;
    async fn communities(&self) -> RepoResult<Vec<Community>>;
    async fn create_tier(&self, tier: &Tier, now: Timestamp) -> RepoResult<i64>;
    async fn tiers(&self) -> RepoResult<Vec<Tier>>;
    /// A theme of the district (`subdistrict: None`) or of one subdistrict; `Conflict` when
    /// the name is taken.
    async fn create_theme(
        &self,
        name_zh: &str,
        name_en: &str,
        subdistrict: Option<i64>,
        now: Timestamp,
    ) -> RepoResult<i64>;
    async fn themes(&self) -> RepoResult<Vec<Theme>>;
    /// Inserts people in one transaction, returning their ids in order.
    async fn create_people(&self, people: &[NewPerson], now: Timestamp) -> RepoResult<Vec<i64>>;
    /// People enrolled in the programme (those with a tier).
    async fn count_cadres(&self) -> RepoResult<i64>;
    /// The person as audience rules see them.
    async fn member(&self, person_id: i64) -> RepoResult<Option<Member>>;

    // Sessions
    async fn create_session(&self, new: &NewSession, now: Timestamp) -> RepoResult<i64>;
    /// Creates all sessions (the occurrences of a series) in one transaction, and, when the
    /// first is ahead, the notice telling its audience and lecturers (the planner's; seeding
    /// and imports use `create_session`, which tells nobody).
    async fn create_sessions(
        &self,
        new: &[NewSession],
        channels: &crate::domain::messages::ChannelsOn,
        now: Timestamp,
    ) -> RepoResult<Vec<i64>>;
    /// Sessions overlapping `[from, to)`, cancelled ones included, with their lecturers.
    async fn bookings_between(&self, from: Timestamp, to: Timestamp) -> RepoResult<Vec<Booking>>;
    /// Person ids of enabled accounts holding the lecturer role, with their names.
    async fn lecturers(&self) -> RepoResult<Vec<(i64, String)>>;
    /// Sessions starting in `[from, to)`, earliest first, at most `limit`.
    async fn sessions_between(
        &self,
        from: Timestamp,
        to: Timestamp,
        limit: usize,
    ) -> RepoResult<Vec<SessionSummary>>;
    /// Sessions starting in `[from, to)` whose audience includes `member`, earliest first.
    async fn sessions_for_member(
        &self,
        member: &Member,
        from: Timestamp,
        to: Timestamp,
        limit: usize,
    ) -> RepoResult<Vec<SessionSummary>>;
    /// Marks a session cancelled with the reason; `false` when there is no such session.
    /// Cancels a session and, the first time, tells its audience (in the same transaction).
    async fn cancel_session(
        &self,
        id: i64,
        reason: &str,
        now: Timestamp,
        channels: &ChannelsOn,
    ) -> RepoResult<bool>;
    /// A session as a calendar event.
    async fn calendar_event(&self, session_id: i64) -> RepoResult<Option<CalendarEvent>>;
    /// Whether `member` is in the session's audience, and whether they lecture at it.
    async fn relation_to_session(
        &self,
        session_id: i64,
        member: &Member,
    ) -> RepoResult<(bool, bool)>;
    /// The last session that is not cancelled and started before `before`.
    async fn latest_session_before(&self, before: Timestamp) -> RepoResult<Option<SessionSummary>>;
    /// Sessions the person lectures at, earliest first.
    /// The sessions the person lectures at: the next `limit` not yet ended (earliest first)
    /// and the latest `limit` ended (latest first), with how many there are of each.
    async fn lectures_of(&self, person_id: i64, now: Timestamp, limit: i64)
    -> RepoResult<Lectures>;
    async fn record_attendance(&self, rows: &[AttendanceRecord], now: Timestamp) -> RepoResult<()>;
}
