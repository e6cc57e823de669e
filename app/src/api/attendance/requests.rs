//! A cadre's own record at a session, leave asked, and the organisers' queue of leave and
//! make-up requests.
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::domain::Timestamp;
use crate::domain::attendance::LeaveLoad;
use crate::domain::schedule::AttendanceStatus;
use crate::domain::share::Share;
use crate::error::AppError;

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
    /// The cap of the cadre's subdistrict.
    pub cap: Share,
}

/// The organisers' queue of leave and make-up requests.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct QueueData {
    pub leave: Vec<LeaveLine>,
    pub make_ups: Vec<RequestView>,
    /// The cap and share of the organiser's subdistrict (the district's when they reach
    /// several); a subdistrict that sets its own applies it to its cadres.
    pub cap: Share,
    pub make_up_share: Share,
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
            let book = repo.setting_book().await?;
            let mine = organiser.reach().single_subdistrict();
            let (cap, make_up_share) = (book.leave_cap(mine), book.credits(mine).make_up);
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
                let cap = book.leave_cap(member.subdistrict_id);
                leave.push(LeaveLine {
                    passes_cap: load.passes_cap_with(more, cap),
                    cap,
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
            let state = state()?;
            let repo = state.repo;
            let item = repo.request(kind, id).await?.ok_or(AppError::NotFound)?;
            organiser.person(repo.as_ref(), item.person_id).await?;
            let channels = state.outbox.channels();
            let now = Timestamp::now();
            if repo
                .decide_request(kind, id, decision, user.account.person_id, now, &channels)
                .await?
            {
                state.outbox.wake();
                Ok(())
            } else {
                Err(AppError::Conflict(Conflict::AlreadyDecided))
            }
        }
        .await,
    )
}
