//! The fifth part of the database seam: tier requirements and history, and the aggregates
//! programme progress is built from. Every read here is one query for all cadres (or one),
//! never a query per cadre; attendance is read from the tallies the 0006 triggers keep.
//! `progress_sql.rs` implements [`ProgressStore`] for `SqlRepository<Db>`.
use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use super::{AuditLine, RepoResult, Tier};
use crate::domain::Timestamp;
use crate::domain::hours::StudyHours;
use crate::domain::programme::YearSession;
use crate::domain::progress::Requirements;
use crate::domain::schedule::AttendanceStatus;

/// A tier with what it asks.
#[derive(Clone, Debug, PartialEq)]
pub struct TierPlan {
    pub tier: Tier,
    pub requirements: Requirements,
}

/// A tier with the requirements in force (the district's or a subdistrict's own), as read.
#[derive(sqlx::FromRow)]
pub(super) struct TierRow {
    id: i64,
    name_zh: String,
    name_en: String,
    rank: i64,
    target_count: i64,
    description: String,
    req_hours: i64,
    req_attendance_percent: i64,
    req_reflections: i64,
    req_teaching: i64,
    elsewhere: String,
    elsewhere_cap: i64,
}

impl TierRow {
    pub(super) fn id(&self) -> i64 {
        self.id
    }

    /// The plan, with the themes it requires.
    pub(super) fn plan(self, themes: Vec<i64>) -> TierPlan {
        TierPlan {
            requirements: Requirements {
                hours: StudyHours(self.req_hours),
                themes,
                min_attendance_percent: self.req_attendance_percent,
                reflections: self.req_reflections,
                teaching: self.req_teaching,
                elsewhere: crate::domain::claims::Elsewhere::from_parts(
                    &self.elsewhere,
                    self.elsewhere_cap,
                ),
            },
            tier: Tier {
                id: self.id,
                name_zh: self.name_zh,
                name_en: self.name_en,
                rank: self.rank,
                target_count: self.target_count,
                description: self.description,
            },
        }
    }
}

/// A person who is or was in the programme.
#[derive(Clone, Debug, PartialEq)]
pub struct ProgrammeCadre {
    pub person_id: i64,
    pub name: String,
    pub community_id: Option<i64>,
    pub subdistrict_id: Option<i64>,
    pub community: String,
    /// The tier held now; `None` after leaving.
    pub tier_id: Option<i64>,
    /// `(effective from, tier)`, oldest first.
    pub tiers: Vec<(Timestamp, Option<i64>)>,
    /// Special classes (专题班) withdrawn from, and when.
    pub withdrawn: Vec<(String, Timestamp)>,
}

/// A cadre's recorded attendance in a year: (count, hours) present, late, made up; excused.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Tally {
    pub present: (i64, StudyHours),
    pub late: (i64, StudyHours),
    pub made_up: (i64, StudyHours),
    pub excused: i64,
    pub absent: i64,
}

/// The school's recorded attendance in one month (yyyymm).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct MonthTally {
    pub month: i64,
    pub present: i64,
    pub late: i64,
    pub excused: i64,
}

/// One change of tier.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TierChange {
    pub tier_id: Option<i64>,
    pub change: String,
    pub effective_at: Timestamp,
    pub note: String,
    pub actor: Option<String>,
}

impl TierChange {
    /// A change of `kind` effective `at`.
    pub fn new(
        kind: crate::domain::people::TierChangeKind,
        tier_id: Option<i64>,
        at: Timestamp,
        note: &str,
    ) -> TierChange {
        TierChange {
            tier_id,
            change: kind.code().into(),
            effective_at: at,
            note: note.into(),
            actor: None,
        }
    }

    pub fn joined(tier_id: Option<i64>, at: Timestamp, note: &str) -> TierChange {
        TierChange::new(
            crate::domain::people::TierChangeKind::Joined,
            tier_id,
            at,
            note,
        )
    }
}

/// A line of a cadre's ledger: a session of the year they have a record at or lectured.
#[derive(Clone, Debug, PartialEq)]
pub struct LedgerRow {
    pub session_id: i64,
    pub title: String,
    pub starts_at: Timestamp,
    pub hours: StudyHours,
    pub theme: String,
    pub status: Option<AttendanceStatus>,
    pub lectured: bool,
}

/// A month's points for one cadre: attendance and accepted reflections.
#[derive(Clone, Debug, PartialEq, sqlx::FromRow)]
pub struct StarRow {
    pub person_id: i64,
    pub name: String,
    pub community: String,
    pub community_id: Option<i64>,
    pub subdistrict_id: Option<i64>,
    pub points: i64,
}

impl StarRow {
    pub fn place(&self) -> crate::domain::org::Place {
        crate::domain::org::Place {
            subdistrict: self.subdistrict_id,
            community: self.community_id,
        }
    }
}

#[async_trait]
pub trait ProgressStore: Send + Sync {
    /// The change counter (`data_changes`): it moves with every committed write to what a
    /// standing is built from, on whichever app server made it.
    async fn data_changes(&self) -> RepoResult<i64>;
    /// Tiers, highest first, with their requirements.
    async fn tier_plans(&self) -> RepoResult<Vec<TierPlan>>;
    /// Saves a tier's target head-count and requirements with `audit` in the same
    /// transaction; false (and no line) when there is no such tier.
    async fn save_tier_plan(
        &self,
        tier_id: i64,
        target_count: i64,
        req: &Requirements,
        now: Timestamp,
        audit: Option<&AuditLine>,
    ) -> RepoResult<bool>;
    /// The sessions (not cancelled) starting in `[from, to)`, with audience and lecturers.
    async fn year_sessions(&self, from: Timestamp, to: Timestamp) -> RepoResult<Vec<YearSession>>;
    /// Everyone with a tier or a tier history (or only `person`), by id.
    /// `reach`: only the cadres within it (`None`: everyone).
    async fn programme_cadres(
        &self,
        person: Option<i64>,
        reach: Option<&crate::domain::org::Reach>,
    ) -> RepoResult<Vec<ProgrammeCadre>>;
    /// Recorded attendance per person in a year.
    async fn year_tallies(&self, year: i32, person: Option<i64>) -> RepoResult<Vec<(i64, Tally)>>;
    /// `(person, theme)` for every theme some tier requires that the person attended in the
    /// year (the tier above may require others than their own).
    async fn required_themes_met(
        &self,
        year: i32,
        person: Option<i64>,
    ) -> RepoResult<Vec<(i64, i64)>>;
    /// Per person: reflections accepted and still waiting, at sessions in `[from, to)`.
    async fn reflection_counts(
        &self,
        from: Timestamp,
        to: Timestamp,
        person: Option<i64>,
    ) -> RepoResult<Vec<(i64, i64, i64)>>;
    /// Per person: excused sessions starting in `[from, to)`, and their hours; not those
    /// of a special class the person was withdrawn from before they began (no longer
    /// meant for them).
    async fn excused_between(
        &self,
        from: Timestamp,
        to: Timestamp,
        person: Option<i64>,
    ) -> RepoResult<Vec<(i64, i64, StudyHours)>>;
    /// Per person: excused sessions starting in `[from, to)` of a special class the person
    /// was withdrawn from before they began (the yearly tally counts them; the plan not).
    async fn excused_withdrawn(
        &self,
        from: Timestamp,
        to: Timestamp,
        person: Option<i64>,
    ) -> RepoResult<Vec<(i64, i64)>>;
    /// Approved hours earned elsewhere (外部学时) in `year`, per person (`None`: everyone).
    async fn approved_elsewhere(
        &self,
        year: i32,
        person: Option<i64>,
    ) -> RepoResult<Vec<(i64, StudyHours)>>;
    /// The records at the given sessions: `(session, person, status)`.
    async fn records_at(
        &self,
        sessions: &[i64],
        person: Option<i64>,
    ) -> RepoResult<Vec<(i64, i64, AttendanceStatus)>>;
    /// The school's attendance per month of the year.
    async fn month_tallies(&self, year: i32) -> RepoResult<Vec<MonthTally>>;
    /// The highest points in `[from, to)`: 2 per session on time, 1 late or made up, 3 per
    /// reflection accepted (weights from `domain::progress::star_points`), best first.
    async fn star_rows(
        &self,
        from: Timestamp,
        to: Timestamp,
        person: Option<i64>,
        limit: i64,
    ) -> RepoResult<Vec<StarRow>>;
    /// A person's tier changes, oldest first.
    async fn tier_history(&self, person_id: i64) -> RepoResult<Vec<TierChange>>;
    /// Moves a person to `tier_id` (or out of the programme) and records why; false when
    /// the person or the tier does not exist.
    async fn change_tier(
        &self,
        person_id: i64,
        change: &TierChange,
        actor: i64,
        now: Timestamp,
        audit: &AuditLine,
    ) -> RepoResult<bool>;
    /// The ledger of one person: sessions of `[from, to)` with a record or lectured.
    async fn ledger_rows(
        &self,
        person_id: i64,
        from: Timestamp,
        to: Timestamp,
    ) -> RepoResult<Vec<LedgerRow>>;
    /// Accepts a reflection (counts towards requirements and stars); false when missing.
    async fn accept_reflection(&self, reflection_id: i64, now: Timestamp) -> RepoResult<bool>;
    /// The query plans of what a cadre's history and progress pages read about one person
    /// (`[from, to)`): the history's facts, the ledger, the reflections and the tier changes,
    /// each by name. Tests pin them: no whole read of `people` or `attendance`.
    async fn person_plans(
        &self,
        person_id: i64,
        from: Timestamp,
        to: Timestamp,
    ) -> RepoResult<Vec<(&'static str, Vec<super::PlanStep>)>>;
    /// A person's reflections at sessions of `[from, to)`, oldest first.
    async fn reflection_lines(
        &self,
        person_id: i64,
        from: Timestamp,
        to: Timestamp,
    ) -> RepoResult<Vec<ReflectionLine>>;
}

/// A reflection in a cadre's dossier.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ReflectionLine {
    pub session_id: i64,
    pub title: String,
    pub starts_at: Timestamp,
    pub body: String,
    pub accepted: bool,
}
