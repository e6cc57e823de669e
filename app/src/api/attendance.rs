//! Attendance: the door's projector board, the cadre's check-in page, marking with its
//! audit trail, leave and make-up requests. Reports live in `api/reports.rs`.
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::domain::Timestamp;
use crate::domain::attendance::{DoorOutcome, DoorSession, LeaveLoad};
use crate::domain::schedule::{AttendanceCounts, AttendanceStatus};
use crate::domain::share::Share;
use crate::error::AppError;

/// Whether the door is open now.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum DoorState {
    Open,
    NotYet(Timestamp),
    Over,
    Cancelled,
}

/// People of one community who have not checked in yet.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MissingGroup {
    pub community: String,
    pub names: Vec<String>,
}

/// Someone who checked in, newest first on the board.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Arrival {
    pub name: String,
    pub status: AttendanceStatus,
    pub at: Timestamp,
    pub walk_in: bool,
}

/// What the projector shows; fetched again every few seconds.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BoardData {
    pub session: DoorSession,
    pub state: DoorState,
    /// The check-in address in the QR code.
    pub link: String,
    pub qr_svg: String,
    pub code: String,
    pub seconds_left: i64,
    pub counts: AttendanceCounts,
    pub walk_ins: i64,
    /// Wrong codes typed for this session so far.
    pub wrong_codes: i64,
    /// Walk-ins waiting for an organiser's confirmation.
    pub awaiting: i64,
    pub missing: Vec<MissingGroup>,
    pub recent: Vec<Arrival>,
}

/// The cadre's view of the door: the session, what the door says, their record.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CheckinView {
    pub session: Option<DoorSession>,
    pub outcome: DoorOutcome,
    pub status: Option<AttendanceStatus>,
    pub checked_in_at: Option<Timestamp>,
    pub walk_in: bool,
}

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

/// A session the door is open for now, to pick before typing its code.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OpenDoor {
    pub id: i64,
    pub title: String,
    pub place: String,
    pub starts_at: Timestamp,
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

/// A session's attendance sheet for organisers.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SheetData {
    pub session: DoorSession,
    pub over: bool,
    pub counts: AttendanceCounts,
    pub lines: Vec<SheetLine>,
    pub audit: Vec<AuditLine>,
    pub claims: Vec<ClaimLine>,
    /// Wrong codes typed for this session.
    pub wrong_codes: i64,
}

/// A leave or make-up request as a page shows it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RequestView {
    pub id: i64,
    pub session_id: i64,
    pub session_title: String,
    pub starts_at: Timestamp,
    pub study_hours: crate::domain::hours::StudyHours,
    pub person: String,
    pub community: String,
    pub text: String,
    pub decision: crate::domain::attendance::Decision,
    pub created_at: Timestamp,
}

/// A cadre's own attendance at one session, for the session page.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MyRecord {
    pub status: Option<AttendanceStatus>,
    pub checked_in_at: Option<Timestamp>,
    pub walk_in: bool,
    pub leave: Option<RequestView>,
    pub make_up: Option<RequestView>,
    pub may_ask_leave: bool,
    pub may_make_up: bool,
}

/// A pending leave request with the cadre's leave so far this year.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LeaveLine {
    pub request: RequestView,
    pub load: LeaveLoad,
    /// Approving would put the cadre's leave this year above the cap.
    pub passes_cap: bool,
}

/// The organisers' queue of leave and make-up requests.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct QueueData {
    pub leave: Vec<LeaveLine>,
    pub make_ups: Vec<RequestView>,
    pub cap: Share,
    pub make_up_share: Share,
}

#[cfg(feature = "ssr")]
impl From<crate::ssr::db::RequestItem> for RequestView {
    fn from(r: crate::ssr::db::RequestItem) -> Self {
        RequestView {
            id: r.id,
            session_id: r.session_id,
            session_title: r.session_title,
            starts_at: r.starts_at,
            study_hours: r.study_hours,
            person: r.person,
            community: r.community,
            text: r.text,
            decision: r.decision,
            created_at: r.created_at,
        }
    }
}

/// The projector page's data: the current QR code and short code, and who has arrived.
#[server(endpoint = "door_board")]
pub async fn door_board(session_id: i64) -> Result<BoardData, AppError> {
    use crate::domain::attendance::{WindowClosed, checkin_status};
    use crate::domain::org::SessionRight;
    use crate::ssr::access::organiser;
    use crate::ssr::guard::{finish, state};
    finish(
        async {
            let organiser = organiser()?;
            let st = state()?;
            let repo = st.repo.as_ref();
            let access = organiser
                .session(repo, session_id, SessionRight::Door)
                .await?;
            let door = repo
                .door_session(session_id)
                .await?
                .ok_or(AppError::NotFound)?;
            let now = Timestamp::now();
            let state = if door.cancelled {
                DoorState::Cancelled
            } else {
                match checkin_status(now, door.starts_at, door.ends_at, door.rules) {
                    Ok(_) => DoorState::Open,
                    Err(WindowClosed::NotYet(at)) => DoorState::NotYet(at),
                    Err(WindowClosed::Over) => DoorState::Over,
                }
            };
            let key = &st.door.key;
            let step = key.clock.step(now);
            let link = format!(
                "{}/c/{}",
                crate::ssr::guard::public_origin(st.door.public_url.as_deref()),
                key.token(door.id, step)
            );
            let rows = repo.session_sheet(door.id, access.people()).await?;
            let counts = crate::ssr::db::sheet_counts(&rows);
            let walk_ins = rows.iter().filter(|r| r.walk_in).count() as i64;
            let wrong_codes = crate::ssr::rules::wrong_codes(repo, door.id).await?;
            let awaiting = repo.walk_in_claims(door.id, access.people()).await?.len() as i64;
            let mut missing: Vec<MissingGroup> = Vec::new();
            let mut recent = Vec::new();
            for row in rows {
                match row.status {
                    Some(s) if s != AttendanceStatus::Absent => {
                        if let (true, Some(at)) = (s.attended(), row.checked_in_at) {
                            recent.push(Arrival {
                                name: row.name,
                                status: s,
                                at,
                                walk_in: row.walk_in,
                            });
                        }
                    }
                    _ => match missing.last_mut().filter(|g| g.community == row.community) {
                        Some(group) => group.names.push(row.name),
                        None => missing.push(MissingGroup {
                            community: row.community,
                            names: vec![row.name],
                        }),
                    },
                }
            }
            recent.sort_by_key(|a| std::cmp::Reverse(a.at.0));
            recent.truncate(12);
            Ok(BoardData {
                qr_svg: crate::ssr::qr::svg(&link)?,
                code: key.code(door.id, step),
                seconds_left: key.clock.seconds_left(now),
                link,
                session: door,
                state,
                counts,
                walk_ins,
                wrong_codes,
                awaiting,
                missing,
                recent,
            })
        }
        .await,
    )
}

/// What the door says to this cadre for a scanned token, before they tap: the session, and
/// whether one tap will check them in.
#[server(endpoint = "checkin_preview")]
pub async fn checkin_preview(token: String) -> Result<CheckinView, AppError> {
    use crate::ssr::checkin::{Ask, attempt};
    use crate::ssr::guard::{caller, finish, state};
    use crate::ssr::security::request_meta;
    finish(
        async {
            let user = caller()?;
            let st = state()?;
            let ask = Ask {
                token: Some(&token),
                ..Ask::default()
            };
            let a = attempt(&st, &user, &request_meta(), ask, false).await?;
            checkin_view(&st, &user, a.session, a.outcome).await
        }
        .await,
    )
}

/// The caller's record at a session after a check-in, for the result page.
#[server(endpoint = "checkin_result")]
pub async fn checkin_result(
    session_id: Option<i64>,
    outcome: String,
) -> Result<CheckinView, AppError> {
    use crate::ssr::guard::{caller, finish, state};
    finish(
        async {
            let user = caller()?;
            let st = state()?;
            let outcome = DoorOutcome::parse(&outcome).unwrap_or(DoorOutcome::Forged);
            let session = match session_id {
                Some(id) => st.repo.door_session(id).await?,
                None => None,
            };
            checkin_view(&st, &user, session, outcome).await
        }
        .await,
    )
}

#[cfg(feature = "ssr")]
async fn checkin_view(
    st: &crate::ssr::state::AppState,
    user: &crate::ssr::user::CurrentUser,
    session: Option<crate::ssr::db::DoorSession>,
    outcome: DoorOutcome,
) -> Result<CheckinView, AppError> {
    let record = match &session {
        Some(s) => st.repo.attendance_of(s.id, user.account.person_id).await?,
        None => None,
    };
    Ok(CheckinView {
        session,
        outcome,
        status: record.map(|r| r.0),
        checked_in_at: record.and_then(|r| r.1),
        walk_in: record.is_some_and(|r| r.2),
    })
}

/// A session's attendance sheet with its audit trail (organisers).
#[server(endpoint = "attendance_sheet")]
pub async fn attendance_sheet(session_id: i64) -> Result<SheetData, AppError> {
    use crate::domain::org::SessionRight;
    use crate::ssr::access::organiser;
    use crate::ssr::guard::{finish, state};
    finish(
        async {
            let organiser = organiser()?;
            let repo = state()?.repo;
            let access = organiser
                .session(repo.as_ref(), session_id, SessionRight::Door)
                .await?;
            let door = repo
                .door_session(session_id)
                .await?
                .ok_or(AppError::NotFound)?;
            let rows = repo.session_sheet(session_id, access.people()).await?;
            let counts = crate::ssr::db::sheet_counts(&rows);
            let venue = crate::ssr::checkin::venue_networks(repo.as_ref()).await?;
            let origins = crate::domain::attendance::origin_flags(
                &rows
                    .iter()
                    .map(|r| (r.device.as_deref(), r.address.as_deref()))
                    .collect::<Vec<_>>(),
                |a| crate::domain::network::in_networks(&venue, a),
            );
            let lines: Vec<SheetLine> = rows
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
            let audit = repo
                .audit_trail(session_id)
                .await?
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
                .walk_in_claims(session_id, access.people())
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
                counts,
                lines,
                audit,
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

/// The caller's attendance at a session they may see, with their requests.
#[server(endpoint = "attendance_mine")]
pub async fn my_attendance(session_id: i64) -> Result<MyRecord, AppError> {
    use crate::domain::attendance::{may_ask_leave, may_make_up};
    use crate::ssr::access::may_open_session;
    use crate::ssr::db::RequestKind;
    use crate::ssr::guard::{caller, finish, state};
    finish(
        async {
            let user = caller()?;
            let repo = state()?.repo;
            let person = user.account.person_id;
            let record = repo.attendance_of(session_id, person).await?;
            if record.is_none() {
                may_open_session(&user, repo.as_ref(), session_id).await?;
            }
            let door = repo
                .door_session(session_id)
                .await?
                .ok_or(AppError::NotFound)?;
            let cadre = user.account.roles.has(crate::domain::Role::Cadre);
            let leave = repo
                .request_of(RequestKind::Leave, session_id, person)
                .await?;
            let make_up = repo
                .request_of(RequestKind::MakeUp, session_id, person)
                .await?;
            let status = record.map(|r| r.0);
            let now = Timestamp::now();
            Ok(MyRecord {
                status,
                checked_in_at: record.and_then(|r| r.1),
                walk_in: record.is_some_and(|r| r.2),
                may_ask_leave: cadre
                    && !door.cancelled
                    && leave.is_none()
                    && may_ask_leave(status, now, door.starts_at),
                may_make_up: cadre
                    && !door.cancelled
                    && make_up.is_none()
                    && may_make_up(status, now, door.ends_at),
                leave: leave.map(RequestView::from),
                make_up: make_up.map(RequestView::from),
            })
        }
        .await,
    )
}

/// A cadre in the audience asks for leave before the session starts (not yet checked in).
/// Make-up requests are filed with the reflection (`api::review::save_reflection`).
#[server(endpoint = "leave_ask")]
pub async fn ask_leave(session_id: i64, reason: String) -> Result<(), AppError> {
    use crate::domain::attendance::{TEXT_MAX_CHARS, may_ask_leave};
    use crate::domain::policy::Action;
    use crate::domain::session_draft::Field;
    use crate::error::Conflict;
    use crate::ssr::db::{RepoError, RequestKind};
    use crate::ssr::guard::{authorize, finish, state};
    finish(
        async {
            let user = authorize(Action::AttendAsCadre)?;
            let repo = state()?.repo;
            let person = user.account.person_id;
            let Some((door, true)) = repo.door_for(session_id, person).await? else {
                return Err(AppError::NotFound);
            };
            let text = crate::domain::session_draft::text_between(
                &reason,
                2,
                TEXT_MAX_CHARS,
                Field::Reflection,
            )?;
            let now = Timestamp::now();
            let status = repo.attendance_of(session_id, person).await?.map(|r| r.0);
            if door.cancelled || !may_ask_leave(status, now, door.starts_at) {
                return Err(AppError::Conflict(Conflict::LeaveClosed));
            }
            match repo
                .create_request(RequestKind::Leave, session_id, person, &text, now)
                .await
            {
                Ok(_) => Ok(()),
                Err(RepoError::Conflict) => Err(AppError::Conflict(Conflict::AlreadyAsked)),
                Err(e) => Err(e.into()),
            }
        }
        .await,
    )
}

/// Leave and make-up requests for organisers: pending first, each leave request with the
/// cadre's approved leave this year against the cap.
#[server(endpoint = "requests_queue")]
pub async fn request_queue() -> Result<QueueData, AppError> {
    use crate::domain::hours::StudyHours;
    use crate::domain::report::DateRange;
    use crate::ssr::access::organiser;
    use crate::ssr::db::RequestKind;
    use crate::ssr::guard::{finish, state};
    use chrono::Datelike;
    finish(
        async {
            let organiser = organiser()?;
            let repo = state()?.repo;
            let cap = crate::ssr::rules::leave_cap(repo.as_ref()).await?;
            let make_up_share = crate::ssr::rules::make_up_share(repo.as_ref()).await?;
            let mut leave = Vec::new();
            for item in repo
                .requests(RequestKind::Leave, 200, organiser.people())
                .await?
            {
                let year = item.starts_at.local_date().year();
                let (from, to) = DateRange::year(year)
                    .and_then(|r| r.bounds())
                    .ok_or(AppError::Internal)?;
                let member = repo
                    .member(item.person_id)
                    .await?
                    .ok_or(AppError::NotFound)?;
                let (approved, scheduled) = repo.leave_hours(&member, from, to).await?;
                let load = LeaveLoad {
                    approved,
                    scheduled,
                };
                let more = if item.decision == crate::domain::attendance::Decision::Pending {
                    item.study_hours
                } else {
                    StudyHours(0)
                };
                leave.push(LeaveLine {
                    passes_cap: load.passes_cap_with(more, cap),
                    load,
                    request: RequestView::from(item),
                });
            }
            let make_ups = repo
                .requests(RequestKind::MakeUp, 200, organiser.people())
                .await?
                .into_iter()
                .map(RequestView::from)
                .collect();
            Ok(QueueData {
                leave,
                make_ups,
                cap,
                make_up_share,
            })
        }
        .await,
    )
}

/// Approves or declines a pending request: `kind` is `leave` or `make_up`, `decision`
/// `approved` or `declined`.
#[server(endpoint = "requests_decide")]
pub async fn decide_request(id: i64, kind: String, decision: String) -> Result<(), AppError> {
    use crate::domain::attendance::Decision;
    use crate::domain::session_draft::{Field, Problem};
    use crate::error::Conflict;
    use crate::ssr::access::organiser;
    use crate::ssr::db::RequestKind;
    use crate::ssr::guard::{finish, state};
    finish(
        async {
            let organiser = organiser()?;
            let user = organiser.user();
            let kind = match kind.as_str() {
                "leave" => RequestKind::Leave,
                "make_up" => RequestKind::MakeUp,
                _ => return Err(AppError::NotFound),
            };
            let decision = Decision::parse(&decision)
                .filter(|d| *d != Decision::Pending)
                .ok_or_else(|| AppError::field(Field::Status, Problem::Required))?;
            let repo = state()?.repo;
            let item = repo.request(kind, id).await?.ok_or(AppError::NotFound)?;
            organiser.person(repo.as_ref(), item.person_id).await?;
            if repo
                .decide_request(kind, id, decision, user.account.person_id, Timestamp::now())
                .await?
            {
                Ok(())
            } else {
                Err(AppError::Conflict(Conflict::AlreadyDecided))
            }
        }
        .await,
    )
}

/// The sessions whose door is open now, for the cadre to pick before typing a code.
#[server(endpoint = "open_doors")]
pub async fn open_doors() -> Result<Vec<OpenDoor>, AppError> {
    use crate::ssr::guard::{caller, finish, state};
    finish(
        async {
            caller()?;
            let doors = state()?.repo.open_doors(Timestamp::now()).await?;
            Ok(doors
                .into_iter()
                .map(|d| OpenDoor {
                    id: d.id,
                    title: d.title,
                    place: d.place,
                    starts_at: d.starts_at,
                })
                .collect())
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
