//! The third part of the database seam: check-ins, marking and its audit trail, leave and
//! make-up requests, and the facts attendance reports are built from. `attendance_sql.rs`
//! implements [`AttendanceStore`] for `SqlRepository<Db>` from one SQL text.
use async_trait::async_trait;

use crate::domain::org::Reach;
use serde::{Deserialize, Serialize};

use super::RepoResult;
use crate::domain::Timestamp;
use crate::domain::attendance::{CheckinRules, Decision, DoorSession};
use crate::domain::audience::Member;
use crate::domain::hours::StudyHours;
use crate::domain::report::Fact;
use crate::domain::schedule::AttendanceStatus;

/// One check-in to write. `status` is what the moment earned (present or late).
#[derive(Clone, Debug, PartialEq)]
pub struct Checkin {
    pub session_id: i64,
    pub person_id: i64,
    pub status: AttendanceStatus,
    pub walk_in: bool,
    /// `qr` or `code`.
    pub source: &'static str,
    pub at: Timestamp,
    /// Where it came from: kept on the record for the sheet's notes.
    pub address: String,
    pub user_agent: String,
    /// SHA-256 of the device cookie.
    pub device: String,
}

/// What a check-in did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CheckinResult {
    Recorded(AttendanceStatus),
    /// Already checked in (or made up): nothing changed.
    Already(AttendanceStatus),
}

/// One person on a session's sheet: everyone in the audience, and walk-ins.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SheetRow {
    pub person_id: i64,
    pub name: String,
    pub community_id: Option<i64>,
    pub community: String,
    pub tier_zh: String,
    pub tier_en: String,
    pub status: Option<AttendanceStatus>,
    pub checked_in_at: Option<Timestamp>,
    pub walk_in: bool,
    pub source: Option<String>,
    /// Where the check-in came from (address, SHA-256 of the device cookie).
    pub address: Option<String>,
    pub device: Option<String>,
}

/// Which lines of a session's sheet to read: one community (`Some(0)`: people with no
/// community), a name fragment, only those not arrived, and a window of the order.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SheetSlice {
    pub community: Option<i64>,
    pub name: String,
    /// Only people with no record or marked absent (the door board's "not arrived").
    pub missing: bool,
    /// At most this many lines (`None`: all), after skipping `offset`.
    pub limit: Option<i64>,
    pub offset: i64,
}

/// Head-counts of one community on a session's sheet.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SheetGroup {
    /// `None`: people with no community.
    pub community_id: Option<i64>,
    pub community: String,
    pub counts: crate::domain::schedule::AttendanceCounts,
    pub walk_ins: i64,
    /// Expected people with no record yet.
    pub unmarked: i64,
    /// Lines of the session's audit trail about the community's people.
    pub audited: i64,
}

impl SheetGroup {
    /// The whole sheet's head-counts: its groups summed.
    pub fn total(groups: &[SheetGroup]) -> SheetGroup {
        let mut all = SheetGroup {
            community_id: None,
            community: String::new(),
            counts: Default::default(),
            walk_ins: 0,
            unmarked: 0,
            audited: 0,
        };
        for g in groups {
            all.counts.merge(&g.counts);
            all.walk_ins += g.walk_ins;
            all.unmarked += g.unmarked;
            all.audited += g.audited;
        }
        all
    }
}

pub use crate::domain::report::{Cell as ReportCell, HeldSession, ReportGroup};

/// One table read in a query plan.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PlanStep {
    /// The table's alias in the query (its name when it has none).
    pub table: String,
    /// Looked up through an index (`false`: read whole, row by row or index entry by entry).
    pub indexed: bool,
    /// The database's own words for the step.
    pub detail: String,
}

/// A page of a session's sheet and how many lines the slice has in all (`None` for one
/// community's lines, not counted again: the session's head-counts per community say).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SheetLines {
    pub rows: Vec<SheetRow>,
    pub total: Option<i64>,
}

/// One change in the audit trail.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AuditEntry {
    pub person: String,
    pub from: Option<AttendanceStatus>,
    pub to: AttendanceStatus,
    pub actor: String,
    pub reason: String,
    pub at: Timestamp,
}

/// Leave (请假) or make-up (补学): a cadre asks, an organiser decides.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum RequestKind {
    Leave,
    MakeUp,
}

impl RequestKind {
    pub(super) fn table(self) -> &'static str {
        match self {
            RequestKind::Leave => "leave_requests",
            RequestKind::MakeUp => "make_ups",
        }
    }

    pub(super) fn text_column(self) -> &'static str {
        match self {
            RequestKind::Leave => "reason",
            RequestKind::MakeUp => "reflection",
        }
    }

    /// The status an approved request gives.
    pub fn grants(self) -> AttendanceStatus {
        match self {
            RequestKind::Leave => AttendanceStatus::Excused,
            RequestKind::MakeUp => AttendanceStatus::MadeUp,
        }
    }

    pub fn source(self) -> &'static str {
        match self {
            RequestKind::Leave => "leave",
            RequestKind::MakeUp => "make_up",
        }
    }
}

/// A leave or make-up request as the organisers' queue shows it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RequestItem {
    pub id: i64,
    pub kind: RequestKind,
    pub session_id: i64,
    pub session_title: String,
    pub starts_at: Timestamp,
    pub study_hours: StudyHours,
    pub person_id: i64,
    pub person: String,
    pub community: String,
    pub text: String,
    pub decision: Decision,
    pub created_at: Timestamp,
    /// Leave only: its kind, whether it was filed after the fact, the attachment's name,
    /// the make-up deadline duty leave opened, and whether a group excusal wrote it.
    pub leave_kind: crate::domain::leave::LeaveKind,
    pub after_the_fact: bool,
    pub file_name: Option<String>,
    pub make_up_due: Option<Timestamp>,
    pub group: bool,
    /// The session's series (专题班 apply the cap per series).
    pub series: String,
}

/// Head-counts of a session's sheet: walk-ins are not among the expected.
pub fn sheet_counts(rows: &[SheetRow]) -> crate::domain::schedule::AttendanceCounts {
    let mut counts = crate::domain::schedule::AttendanceCounts::default();
    for row in rows {
        counts.expected += i64::from(!row.walk_in);
        if let Some(s) = row.status {
            counts.add(s, 1);
        }
    }
    counts
}

#[async_trait]
pub trait AttendanceStore: Send + Sync {
    async fn door_session(&self, id: i64) -> RepoResult<Option<DoorSession>>;
    /// The session and whether the person is in its audience, in one round trip (the
    /// door asks this for every check-in). `None` when either does not exist.
    async fn door_for(
        &self,
        session_id: i64,
        person_id: i64,
    ) -> RepoResult<Option<(DoorSession, bool)>>;
    /// Sessions not cancelled whose check-in window is open at `now`.
    async fn open_doors(&self, now: Timestamp) -> RepoResult<Vec<DoorSession>>;
    async fn set_checkin_rules(&self, session_id: i64, rules: CheckinRules) -> RepoResult<bool>;
    /// Writes the check-ins in one transaction (group commit), each with its audit entry;
    /// answers in the same order.
    async fn check_in_batch(&self, batch: &[Checkin]) -> RepoResult<Vec<CheckinResult>>;
    /// The person's record at the session: status and check-in time.
    async fn attendance_of(
        &self,
        session_id: i64,
        person_id: i64,
    ) -> RepoResult<Option<(AttendanceStatus, Option<Timestamp>, bool)>>;
    /// The audience (cadres) and anyone with a record, by community then name.
    /// `reach`: only the people within it (`None`: everyone).
    async fn session_sheet(
        &self,
        session_id: i64,
        reach: Option<&Reach>,
    ) -> RepoResult<Vec<SheetRow>> {
        Ok(self
            .sheet_lines(session_id, reach, &SheetSlice::default())
            .await?
            .rows)
    }
    /// The lines of the sheet `slice` picks, in the sheet's order, and how many it picks.
    async fn sheet_lines(
        &self,
        session_id: i64,
        reach: Option<&Reach>,
        slice: &SheetSlice,
    ) -> RepoResult<SheetLines>;
    /// How the database reads the tables for the sheet's head-counts ([`Self::sheet_groups`])
    /// and for its first page of lines (everyone, and one community): each table read, by index or whole. A test pins that a
    /// subdistrict's session never reads every cadre or every record.
    async fn sheet_plan(&self, session_id: i64, reach: Option<&Reach>)
    -> RepoResult<Vec<PlanStep>>;
    /// The sheet's head-counts per community, by community name, counted in the database.
    async fn sheet_groups(
        &self,
        session_id: i64,
        reach: Option<&Reach>,
    ) -> RepoResult<Vec<SheetGroup>>;
    /// The latest `limit` check-ins (present or late) at the session, newest first.
    async fn recent_arrivals(
        &self,
        session_id: i64,
        reach: Option<&Reach>,
        limit: i64,
    ) -> RepoResult<Vec<SheetRow>>;
    /// Sets a status by hand and records it in the audit trail. Returns the previous status
    /// (`Some(None)` when there was no record); `None` when the person is unknown.
    #[allow(clippy::too_many_arguments)]
    async fn set_status(
        &self,
        session_id: i64,
        person_id: i64,
        to: AttendanceStatus,
        actor_person_id: i64,
        reason: &str,
        now: Timestamp,
    ) -> RepoResult<Option<Option<AttendanceStatus>>>;
    /// Marks every cadre of the audience without a record absent; returns how many.
    async fn mark_rest_absent(
        &self,
        session_id: i64,
        actor_person_id: i64,
        reason: &str,
        now: Timestamp,
        reach: Option<&Reach>,
    ) -> RepoResult<u64>;
    /// The latest `limit` entries of the session's audit trail about people within `reach`,
    /// oldest first (how many there are in all: [`SheetGroup::audited`]).
    async fn latest_audit(
        &self,
        session_id: i64,
        reach: Option<&Reach>,
        limit: i64,
    ) -> RepoResult<Vec<AuditEntry>>;
    /// The session's whole audit trail about people within `reach`, oldest first.
    async fn audit_trail(
        &self,
        session_id: i64,
        reach: Option<&Reach>,
    ) -> RepoResult<Vec<AuditEntry>> {
        self.latest_audit(session_id, reach, i64::MAX).await
    }

    /// Files a request; `Conflict` when the person already asked for this session.
    async fn create_request(
        &self,
        kind: RequestKind,
        session_id: i64,
        person_id: i64,
        text: &str,
        now: Timestamp,
    ) -> RepoResult<i64>;
    /// Pending requests first (oldest first), then the latest decided ones, at most `limit`.
    /// `reach`: only the requests of people within it (`None`: everyone's).
    async fn requests(
        &self,
        kind: RequestKind,
        limit: i64,
        reach: Option<&Reach>,
    ) -> RepoResult<Vec<RequestItem>>;
    async fn request(&self, kind: RequestKind, id: i64) -> RepoResult<Option<RequestItem>>;
    async fn request_of(
        &self,
        kind: RequestKind,
        session_id: i64,
        person_id: i64,
    ) -> RepoResult<Option<RequestItem>>;
    /// Decides a pending request; approving sets the granted status where the person had no
    /// record or was absent, with an audit entry. `false` when it was not pending.
    #[allow(clippy::too_many_arguments)]
    async fn decide_request(
        &self,
        kind: RequestKind,
        id: i64,
        decision: Decision,
        actor_person_id: i64,
        now: Timestamp,
        channels: &crate::domain::messages::ChannelsOn,
        effects: &super::LeaveEffects,
    ) -> RepoResult<bool>;
    /// Hours of the person's excused sessions and of all sessions scheduled for them in
    /// `[from, to)`.
    async fn leave_hours(
        &self,
        member: &Member,
        from: Timestamp,
        to: Timestamp,
    ) -> RepoResult<(StudyHours, StudyHours)>;
    /// Facts of sessions starting in `[from, to)` that ended before `until`, not cancelled;
    /// of one person when given.
    async fn facts(
        &self,
        from: Timestamp,
        to: Timestamp,
        until: Timestamp,
        person_id: Option<i64>,
        reach: Option<&Reach>,
    ) -> RepoResult<Vec<Fact>>;
    /// The facts of [`facts`](Self::facts) within `reach`, in the same order, handed to
    /// `out` in parts of [`FACTS_PART`] as the database gives them, so that what is held at
    /// once is what the channel holds; stops early when `out` is closed. Returns how many
    /// were sent.
    async fn facts_to(
        &self,
        from: Timestamp,
        to: Timestamp,
        until: Timestamp,
        reach: Option<&Reach>,
        out: tokio::sync::mpsc::Sender<Vec<Fact>>,
    ) -> RepoResult<u64>;
    /// The sessions starting in `[from, to)` that ended by `until`, not cancelled, by start,
    /// each with its own change stamp (moved by every write to its fields or its audience)
    /// and the sum of its attendance stamps per community (see
    /// [`session_marks`](Self::session_marks)); 0 when none was ever counted.
    async fn held_sessions(
        &self,
        from: Timestamp,
        to: Timestamp,
        until: Timestamp,
    ) -> RepoResult<Vec<HeldSession>>;
    /// The session's attendance stamps by community (0: people with no community), each
    /// moved by every write to the attendance of that community's people at the session.
    async fn session_marks(&self, session_id: i64) -> RepoResult<Vec<(i64, i64)>>;
    /// The communities' change stamps (moved when people join, leave or change tier in one,
    /// or the community changes), by community id; 0 stands for people with no community. A
    /// community absent from the list is at 0.
    async fn community_stamps(&self) -> RepoResult<Vec<(i64, i64)>>;
    /// The head-counts per community of a finished session (no record is absence): of all
    /// its people, or with `only` of those communities' people alone (0: no community).
    async fn report_groups(
        &self,
        session_id: i64,
        only: Option<&[i64]>,
    ) -> RepoResult<Vec<ReportGroup>>;
    /// The setting `key`, storing `value` first if it has none (several servers starting at
    /// once agree on the first one stored).
    async fn setting_or_init(&self, key: &str, value: &str, now: Timestamp) -> RepoResult<String>;
}

pub(crate) fn parse_status(s: &str) -> RepoResult<AttendanceStatus> {
    AttendanceStatus::parse(s)
        .ok_or_else(|| super::RepoError::BadValue(s.to_string(), "attendance.status"))
}

pub(super) fn parse_decision(s: &str) -> RepoResult<Decision> {
    Decision::parse(s).ok_or_else(|| super::RepoError::BadValue(s.to_string(), "decision"))
}

#[derive(sqlx::FromRow)]
pub(super) struct DoorRow {
    id: i64,
    title: String,
    place: String,
    starts_at: i64,
    ends_at: i64,
    cancelled: bool,
    checkin_opens_minutes: i64,
    late_after_minutes: i64,
}

pub(super) fn door_from(r: DoorRow) -> DoorSession {
    DoorSession {
        id: r.id,
        title: r.title,
        place: r.place,
        starts_at: Timestamp(r.starts_at),
        ends_at: Timestamp(r.ends_at),
        cancelled: r.cancelled,
        rules: CheckinRules {
            opens_minutes_before: r.checkin_opens_minutes,
            late_after_minutes: r.late_after_minutes,
        },
    }
}

pub(super) const DOOR_COLUMNS: &str = "select id, title, place, starts_at, ends_at, cancelled, \
     checkin_opens_minutes, late_after_minutes from sessions";

#[derive(sqlx::FromRow)]
pub(super) struct RequestRow {
    id: i64,
    session_id: i64,
    title: String,
    starts_at: i64,
    study_hours: i64,
    person_id: i64,
    person: String,
    community: Option<String>,
    text: String,
    decision: String,
    created_at: i64,
    leave_kind: String,
    after_the_fact: bool,
    file_name: Option<String>,
    make_up_due: Option<i64>,
    excusal_id: Option<i64>,
    series: String,
}

pub(super) fn request_select(kind: RequestKind) -> String {
    format!(
        "select r.id, r.session_id, s.title, s.starts_at, s.study_hours, r.person_id, \
         p.name as person, c.name as community, r.{text} as text, r.decision, r.created_at, \
         {leave} s.series \
         from {table} r \
         join sessions s on s.id = r.session_id join people p on p.id = r.person_id \
         left join communities c on c.id = p.community_id",
        text = kind.text_column(),
        table = kind.table(),
        leave = match kind {
            RequestKind::Leave => {
                "r.kind as leave_kind, r.after_the_fact, r.file_name, r.make_up_due, \
                 r.excusal_id,"
            }
            RequestKind::MakeUp => {
                "'personal' as leave_kind, false as after_the_fact, \
                 cast(null as text) as file_name, cast(null as bigint) as make_up_due, \
                 cast(null as bigint) as excusal_id,"
            }
        }
    )
}

pub(super) fn request_from(kind: RequestKind, r: RequestRow) -> RepoResult<RequestItem> {
    Ok(RequestItem {
        id: r.id,
        kind,
        session_id: r.session_id,
        session_title: r.title,
        starts_at: Timestamp(r.starts_at),
        study_hours: StudyHours(r.study_hours),
        person_id: r.person_id,
        person: r.person,
        community: r.community.unwrap_or_default(),
        text: r.text,
        decision: parse_decision(&r.decision)?,
        created_at: Timestamp(r.created_at),
        leave_kind: crate::domain::leave::LeaveKind::parse(&r.leave_kind).ok_or_else(|| {
            super::RepoError::BadValue(r.leave_kind.clone(), "leave_requests.kind")
        })?,
        after_the_fact: r.after_the_fact,
        file_name: r.file_name,
        make_up_due: r.make_up_due.map(Timestamp),
        group: r.excusal_id.is_some(),
        series: r.series,
    })
}

/// The statuses a check-in, an approved leave or an accepted make-up may replace.
pub(super) const REPLACEABLE: &str = "('excused', 'absent')";

/// The select of a fact: every pair of a held, not cancelled session and a cadre in its
/// audience, and everyone with a record at it; the range and reach follow as `and` clauses,
/// then [`FACTS_ORDER`].
pub(crate) fn facts_select() -> String {
    format!(
        "select s.id as session_id, s.title, s.starts_at, s.study_hours, \
         p.id as person_id, p.name, coalesce(c.name, '') as community, c.subdistrict_id, \
         coalesce(t.name_zh, '') as tier_zh, x.status, x.checked_in_at, \
         coalesce(x.walk_in, false) as walk_in \
         from sessions s cross join people p \
         left join communities c on c.id = p.community_id \
         left join tiers t on t.id = p.tier_id \
         left join attendance x on x.session_id = s.id and x.person_id = p.id \
         where s.cancelled = false \
         and ((p.tier_id is not null and {}) or x.person_id is not null)",
        super::clauses::in_audience("p.tier_id", "p.community_id", "p.id"),
    )
}

/// Facts per part sent by [`AttendanceStore::facts_to`]: one hand-over between threads per
/// part, not per fact.
pub const FACTS_PART: usize = 512;

/// The order of the facts: by session start, then community and name.
pub(crate) const FACTS_ORDER: &str =
    " order by s.starts_at, s.id, coalesce(c.name, ''), p.name, p.id";

/// The whole district's facts of sessions starting in `[from, to)` that ended by `until`,
/// as one statement with its values written in: the rows the year workbook's 明细 sheet
/// holds, for a command-line tool to dump (the export benchmark times `sqlite3` on it).
pub fn facts_dump_sql(from: Timestamp, to: Timestamp, until: Timestamp) -> String {
    format!(
        "{} and s.starts_at >= {} and s.starts_at < {} and s.ends_at <= {}{FACTS_ORDER}",
        facts_select(),
        from.0,
        to.0,
        until.0
    )
}
