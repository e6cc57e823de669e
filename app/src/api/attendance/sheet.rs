//! A session's sheet for organisers: statuses set and corrected with reasons, the rest
//! marked absent, walk-ins decided, the check-in window.
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::domain::Timestamp;
use crate::domain::attendance::DoorSession;
use crate::domain::report::CountRow;
use crate::domain::schedule::{AttendanceCounts, AttendanceStatus};
use crate::error::AppError;

/// One line of a session's sheet.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SheetLine {
    pub person_id: i64,
    pub name: String,
    pub community: String,
    pub tier_zh: String,
    pub tier_en: String,
    pub status: Option<AttendanceStatus>,
    pub checked_in_at: Option<Timestamp>,
    pub walk_in: bool,
    /// Notes on where the check-in came from (shared device, outside the venue).
    pub origin: crate::domain::attendance::OriginFlags,
}

/// A walk-in waiting for an organiser.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ClaimLine {
    pub person_id: i64,
    pub name: String,
    pub community: String,
    pub status: AttendanceStatus,
    pub at: Timestamp,
}

/// A change in the audit trail.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AuditLine {
    pub person: String,
    pub from: Option<AttendanceStatus>,
    pub to: AttendanceStatus,
    pub actor: String,
    pub reason: String,
    pub at: Timestamp,
}

/// Lines on one page of a sheet.
pub const SHEET_PAGE: i64 = 200;
/// Entries of the audit trail the sheet shows (the CSV has them all).
pub const AUDIT_SHOWN: i64 = 200;

/// Which part of the sheet is shown: every community, or one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum SheetPart {
    All,
    /// `0`: people with no community.
    Community(i64),
}

impl SheetPart {
    /// The query string's value (`c=`): `all` or a community's id.
    pub fn param(self) -> String {
        match self {
            SheetPart::All => "all".into(),
            SheetPart::Community(id) => id.to_string(),
        }
    }
}

/// A session's attendance sheet for organisers: head-counts of everyone within their
/// reach, per community, and one page of lines.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SheetData {
    pub session: DoorSession,
    pub over: bool,
    pub counts: AttendanceCounts,
    /// Expected people with no record yet (what "the rest are absent" would mark).
    pub unmarked: i64,
    /// Head-counts per community (`id` 0: no community), by name.
    pub groups: Vec<CountRow>,
    pub part: SheetPart,
    /// The name searched for, if any.
    pub query: String,
    /// The page shown, from 1, and how many the part has.
    pub page: i64,
    pub pages: i64,
    /// Lines of the part (all pages).
    pub total_lines: i64,
    pub lines: Vec<SheetLine>,
    /// The latest changes, oldest first, and how many there are in all.
    pub audit: Vec<AuditLine>,
    pub audit_total: i64,
    pub claims: Vec<ClaimLine>,
    /// Wrong codes typed for this session.
    pub wrong_codes: i64,
}

/// A session's attendance sheet with its latest audit trail (organisers). `community`:
/// `all`, a community's id, or empty for the first community when the sheet is long;
/// `q`: part of a name; `page` from 1.
#[server(endpoint = "attendance_sheet")]
pub async fn attendance_sheet(
    session_id: i64,
    community: Option<String>,
    q: Option<String>,
    page: Option<i64>,
) -> Result<SheetData, AppError> {
    use crate::domain::org::SessionRight;
    use crate::ssr::access::organiser;
    use crate::ssr::db::{SheetGroup, SheetSlice};
    use crate::ssr::guard::{finish, state};
    finish(
        async {
            let organiser = organiser()?;
            let repo = state()?.repo;
            let access = organiser
                .session(repo.as_ref(), session_id, SessionRight::Door)
                .await?;
            let reach = access.people();
            let door = repo
                .door_session(session_id)
                .await?
                .ok_or(AppError::NotFound)?;
            let st = state()?;
            let groups = st
                .sheets
                .groups(repo.as_ref(), &st.reference, session_id, reach)
                .await?;
            let all = SheetGroup::total(&groups);
            let query = q
                .unwrap_or_default()
                .trim()
                .chars()
                .take(50)
                .collect::<String>();
            let community = community.unwrap_or_default();
            let part = match community.trim() {
                "all" => SheetPart::All,
                "" if !query.is_empty() => SheetPart::All,
                "" => match groups.first() {
                    Some(g) if all.counts.expected + all.walk_ins > SHEET_PAGE => {
                        SheetPart::Community(g.community_id.unwrap_or(0))
                    }
                    _ => SheetPart::All,
                },
                id => SheetPart::Community(id.parse().map_err(|_| AppError::NotFound)?),
            };
            let page = page.unwrap_or(1).max(1);
            let slice = SheetSlice {
                community: match part {
                    SheetPart::All => None,
                    SheetPart::Community(id) => Some(id),
                },
                name: query.clone(),
                missing: false,
                limit: Some(SHEET_PAGE),
                offset: (page - 1).saturating_mul(SHEET_PAGE),
            };
            let found = repo.sheet_lines(session_id, reach, &slice).await?;
            // A community's lines are counted by its head-counts (every line is someone
            // expected or a walk-in).
            let total_lines = found.total.unwrap_or_else(|| {
                groups
                    .iter()
                    .filter(|g| g.community_id.unwrap_or(0) == slice.community.unwrap_or(0))
                    .map(|g| g.counts.expected + g.walk_ins)
                    .sum()
            });
            let held_by = repo.session_subdistrict(session_id).await?.flatten();
            let venue = crate::ssr::checkin::venue_networks(repo.as_ref(), held_by).await?;
            let origins = crate::domain::attendance::origin_flags(
                &found
                    .rows
                    .iter()
                    .map(|r| (r.device.as_deref(), r.address.as_deref()))
                    .collect::<Vec<_>>(),
                |a| crate::domain::network::in_networks(&venue, a),
            );
            let lines: Vec<SheetLine> = found
                .rows
                .into_iter()
                .zip(origins)
                .map(|(r, origin)| SheetLine {
                    origin,
                    person_id: r.person_id,
                    name: r.name,
                    community: r.community,
                    tier_zh: r.tier_zh,
                    tier_en: r.tier_en,
                    status: r.status,
                    checked_in_at: r.checked_in_at,
                    walk_in: r.walk_in,
                })
                .collect();
            let audit_total = all.audited;
            let audit = repo.latest_audit(session_id, reach, AUDIT_SHOWN).await?;
            let audit = audit
                .into_iter()
                .map(|a| AuditLine {
                    person: a.person,
                    from: a.from,
                    to: a.to,
                    actor: a.actor,
                    reason: a.reason,
                    at: a.at,
                })
                .collect();
            let claims = repo
                .walk_in_claims(session_id, reach)
                .await?
                .into_iter()
                .map(|c| ClaimLine {
                    person_id: c.person_id,
                    name: c.name,
                    community: c.community,
                    status: c.status,
                    at: c.at,
                })
                .collect();
            let wrong_codes = crate::ssr::rules::wrong_codes(repo.as_ref(), session_id).await?;
            Ok(SheetData {
                over: Timestamp::now().0 >= door.ends_at.0,
                session: door,
                counts: all.counts,
                unmarked: all.unmarked,
                groups: groups
                    .into_iter()
                    .map(|g| CountRow {
                        id: g.community_id.unwrap_or(0),
                        name: g.community,
                        counts: g.counts,
                    })
                    .collect(),
                part,
                query,
                page,
                pages: (total_lines + SHEET_PAGE - 1) / SHEET_PAGE,
                total_lines,
                lines,
                audit,
                audit_total,
                claims,
                wrong_codes,
            })
        }
        .await,
    )
}

/// Sets or corrects one person's status. Changing a status that is already recorded needs
/// a reason; every change goes into the audit trail.
#[server(endpoint = "attendance_set")]
pub async fn set_attendance(
    session_id: i64,
    person_id: i64,
    status: String,
    reason: String,
) -> Result<(), AppError> {
    use crate::domain::org::SessionRight;
    use crate::domain::session_draft::{Field, Problem};
    use crate::ssr::access::organiser;
    use crate::ssr::guard::{finish, state};
    finish(
        async {
            let organiser = organiser()?;
            let user = organiser.user();
            let repo = state()?.repo;
            let access = organiser
                .session(repo.as_ref(), session_id, SessionRight::Door)
                .await?;
            if access.people().is_some() {
                organiser.person(repo.as_ref(), person_id).await?;
            }
            let to = AttendanceStatus::parse(&status)
                .ok_or_else(|| AppError::field(Field::Status, Problem::Required))?;
            let reason = reason.trim();
            if reason.chars().count() > 500 {
                return Err(AppError::field(Field::Reflection, Problem::TooLong));
            }
            repo.door_session(session_id)
                .await?
                .ok_or(AppError::NotFound)?;
            let before = repo.attendance_of(session_id, person_id).await?;
            if before.is_some_and(|b| b.0 != to) && reason.is_empty() {
                return Err(AppError::field(Field::Reflection, Problem::Required));
            }
            if before.is_some_and(|b| b.0 == to) {
                return Ok(());
            }
            repo.set_status(
                session_id,
                person_id,
                to,
                user.account.person_id,
                reason,
                Timestamp::now(),
            )
            .await?
            .ok_or(AppError::NotFound)?;
            Ok(())
        }
        .await,
    )
}

/// After the end: everyone expected who neither checked in nor has a status is absent.
#[server(endpoint = "attendance_rest_absent")]
pub async fn mark_rest_absent(session_id: i64) -> Result<u64, AppError> {
    use crate::domain::org::SessionRight;
    use crate::error::Conflict;
    use crate::ssr::access::organiser;
    use crate::ssr::guard::{finish, state};
    finish(
        async {
            let organiser = organiser()?;
            let user = organiser.user();
            let repo = state()?.repo;
            let access = organiser
                .session(repo.as_ref(), session_id, SessionRight::Door)
                .await?;
            let door = repo
                .door_session(session_id)
                .await?
                .ok_or(AppError::NotFound)?;
            let now = Timestamp::now();
            if now.0 < door.ends_at.0 {
                return Err(AppError::Conflict(Conflict::SessionNotOver));
            }
            if door.cancelled {
                return Err(AppError::Conflict(Conflict::SessionCancelled));
            }
            Ok(repo
                .mark_rest_absent(
                    session_id,
                    user.account.person_id,
                    "not checked in",
                    now,
                    access.people(),
                )
                .await?)
        }
        .await,
    )
}

/// Changes when a session's check-in opens and when arrivals count as late.
#[server(endpoint = "attendance_rules")]
pub async fn save_checkin_rules(
    session_id: i64,
    opens_minutes_before: String,
    late_after_minutes: String,
) -> Result<(), AppError> {
    use crate::domain::attendance::CheckinRules;
    use crate::domain::org::SessionRight;
    use crate::domain::session_draft::{Field, FieldProblem, Problem};
    use crate::ssr::access::organiser;
    use crate::ssr::guard::{finish, state};
    finish(
        async {
            organiser()?
                .session(state()?.repo.as_ref(), session_id, SessionRight::Organise)
                .await?;
            let read = |raw: &str, range: std::ops::RangeInclusive<i64>, field| match raw
                .trim()
                .parse::<i64>()
            {
                Ok(v) if range.contains(&v) => Ok(v),
                Ok(_) => Err(FieldProblem {
                    field,
                    problem: Problem::OutOfRange,
                }),
                Err(_) => Err(FieldProblem {
                    field,
                    problem: Problem::NotANumber,
                }),
            };
            let opens = read(
                &opens_minutes_before,
                CheckinRules::OPENS,
                Field::CheckinOpens,
            );
            let late = read(&late_after_minutes, CheckinRules::LATE, Field::LateAfter);
            let (opens, late) = match (opens, late) {
                (Ok(o), Ok(l)) => (o, l),
                (o, l) => {
                    return Err(AppError::Form(
                        [o.err(), l.err()].into_iter().flatten().collect(),
                    ));
                }
            };
            let rules = CheckinRules::new(opens, late).ok_or(AppError::Internal)?;
            if state()?.repo.set_checkin_rules(session_id, rules).await? {
                Ok(())
            } else {
                Err(AppError::NotFound)
            }
        }
        .await,
    )
}

/// Confirms a walk-in (the attendance is written and earns hours) or dismisses it.
#[server(endpoint = "attendance_decide_walk_in")]
pub async fn decide_walk_in(
    session_id: i64,
    person_id: i64,
    confirm: bool,
) -> Result<(), AppError> {
    use crate::domain::audit::{AuditKind, AuditOutcome};
    use crate::domain::org::SessionRight;
    use crate::ssr::access::organiser;
    use crate::ssr::audit::{by, with_detail};
    use crate::ssr::guard::{finish, state};
    finish(
        async {
            let organiser = organiser()?;
            let user = organiser.user();
            let access = organiser
                .session(state()?.repo.as_ref(), session_id, SessionRight::Door)
                .await?;
            if access.people().is_some() {
                organiser.person(state()?.repo.as_ref(), person_id).await?;
            }
            let outcome = if confirm {
                AuditOutcome::Ok
            } else {
                AuditOutcome::Refused
            };
            let line = with_detail(
                by(
                    user,
                    AuditKind::WalkInConfirmed,
                    outcome,
                    &format!("session:{session_id}"),
                ),
                serde_json::json!({ "person": person_id }),
            );
            let repo = state()?.repo;
            if !repo
                .decide_walk_in(
                    session_id,
                    person_id,
                    confirm,
                    user.account.person_id,
                    &line,
                )
                .await?
            {
                return Err(AppError::NotFound);
            }
            Ok(())
        }
        .await,
    )
}
