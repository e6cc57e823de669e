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
    /// Leave only: its kind, filed after the fact, the attachment's address, the make-up
    /// deadline duty leave opened, and whether a group excusal wrote it.
    #[serde(default)]
    pub leave_kind: crate::domain::leave::LeaveKind,
    #[serde(default)]
    pub after_the_fact: bool,
    #[serde(default)]
    pub attachment: Option<(String, String)>,
    #[serde(default)]
    pub make_up_due: Option<Timestamp>,
    #[serde(default)]
    pub group: bool,
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
            leave_kind: r.leave_kind,
            after_the_fact: r.after_the_fact,
            attachment: r
                .file_name
                .map(|name| (format!("/leave/{}/attachment", r.id), name)),
            make_up_due: r.make_up_due,
            group: r.group,
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
    /// Leave may still be asked after the fact (an emergency) until then.
    #[serde(default)]
    pub after_the_fact_until: Option<Timestamp>,
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
    /// Whether this leave weighs on the cap (duty leave may stay outside it).
    #[serde(default)]
    pub counts: bool,
    /// Approved duty leave this year (outside the cap when the rules say so).
    #[serde(default)]
    pub duty: crate::domain::hours::StudyHours,
    /// Approving would pass the cap of this special class (专题班): withdrawal from it.
    #[serde(default)]
    pub withdraws_from: Option<String>,
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
    /// Check-in corrections (补签) of people in reach, pending first.
    #[serde(default)]
    pub corrections: Vec<super::CorrectionView>,
}

/// The caller's attendance at a session they may see, with their requests.
#[server(endpoint = "attendance_mine")]
pub async fn my_attendance(session_id: i64) -> Result<MyRecord, AppError> {
    use crate::domain::leave::{LeaveWindow, may_make_up};
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
            let window = crate::ssr::leave::window(repo.as_ref(), person, &door, now).await?;
            let may_ask = cadre && !door.cancelled && leave.is_none();
            let due = leave.as_ref().and_then(|l| l.make_up_due);
            Ok(MyRecord {
                status,
                checked_in_at: record.and_then(|r| r.1),
                walk_in: record.is_some_and(|r| r.2),
                may_ask_leave: may_ask && window != LeaveWindow::Closed,
                after_the_fact_until: match window {
                    LeaveWindow::AfterTheFact { until } if may_ask => Some(until),
                    _ => None,
                },
                may_make_up: cadre
                    && !door.cancelled
                    && make_up.is_none()
                    && may_make_up(status, now, door.ends_at, due),
                leave: leave.map(RequestView::from),
                make_up: make_up.map(RequestView::from),
            })
        }
        .await,
    )
}

/// A cadre in the audience asks for leave: `kind` is `personal` (the default), `sick` or
/// `duty`; before the session starts (not checked in), or after the fact within the days
/// the rules allow when they did not come. An attachment goes with the plain form
/// (`POST /sessions/{id}/leave`). Make-up requests are filed with the reflection
/// (`api::review::save_reflection`).
#[server(endpoint = "leave_ask")]
pub async fn ask_leave(
    session_id: i64,
    reason: String,
    #[server(default)] kind: String,
) -> Result<(), AppError> {
    use crate::domain::policy::Action;
    use crate::ssr::guard::{authorize, finish, state};
    finish(
        async {
            let user = authorize(Action::AttendAsCadre)?;
            let state = state()?;
            crate::ssr::leave::ask(
                state.repo.as_ref(),
                &user,
                session_id,
                &kind,
                &reason,
                None,
                state.max_upload_bytes,
            )
            .await?
            .map(|_| ())
            .map_err(|_| AppError::Internal)
        }
        .await,
    )
}

/// Leave and make-up requests for organisers: pending first, each leave request with the
/// cadre's approved leave this year against the cap.
#[server(endpoint = "requests_queue")]
pub async fn request_queue() -> Result<QueueData, AppError> {
    use crate::domain::hours::StudyHours;
    use crate::domain::leave::LeaveRules;
    use crate::ssr::access::organiser;
    use crate::ssr::db::RequestKind;
    use crate::ssr::guard::{finish, state};
    finish(
        async {
            let organiser = organiser()?;
            let repo = state()?.repo;
            let book = repo.setting_book().await?;
            let mine = organiser.reach().single_subdistrict();
            let (cap, make_up_share) = (book.leave_cap(mine), book.credits(mine).make_up);
            let capped = repo.capped_series().await?;
            let mut leave = Vec::new();
            for item in repo
                .requests(RequestKind::Leave, 200, organiser.people())
                .await?
            {
                let member = repo
                    .member(item.person_id)
                    .await?
                    .ok_or(AppError::NotFound)?;
                let rules = LeaveRules::from_settings(|k| book.get(member.subdistrict_id, k));
                let counts = item.leave_kind.counts_toward_cap(&rules);
                let pending = item.decision == crate::domain::attendance::Decision::Pending;
                let more = if pending && counts {
                    item.study_hours
                } else {
                    StudyHours(0)
                };
                let cap = book.leave_cap(member.subdistrict_id);
                let hours = year_leave(repo.as_ref(), &member, item.starts_at, None).await?;
                let withdraws_from = if pending && capped.contains(&item.series) {
                    let series =
                        year_leave(repo.as_ref(), &member, item.starts_at, Some(&item.series))
                            .await?;
                    series
                        .load(&rules)
                        .passes_cap_with(more, cap)
                        .then(|| item.series.clone())
                } else {
                    None
                };
                let load = hours.load(&rules);
                leave.push(LeaveLine {
                    passes_cap: load.passes_cap_with(more, cap),
                    cap,
                    load,
                    counts,
                    duty: hours.duty,
                    withdraws_from,
                    request: RequestView::from(item),
                });
            }
            let make_ups = repo
                .requests(RequestKind::MakeUp, 200, organiser.people())
                .await?
                .into_iter()
                .map(RequestView::from)
                .collect();
            let corrections = repo
                .corrections(organiser.people(), 200)
                .await?
                .into_iter()
                .map(super::CorrectionView::from)
                .collect();
            Ok(QueueData {
                leave,
                make_ups,
                corrections,
                cap,
                make_up_share,
            })
        }
        .await,
    )
}

/// A cadre's approved leave by kind in the year of `at`, and the hours scheduled for them
/// (of one series when given).
#[cfg(feature = "ssr")]
async fn year_leave(
    repo: &dyn crate::ssr::db::Repository,
    member: &crate::domain::audience::Member,
    at: Timestamp,
    series: Option<&str>,
) -> Result<crate::ssr::db::LeaveHours, AppError> {
    use chrono::Datelike;
    let (from, to) = crate::domain::report::DateRange::year(at.local_date().year())
        .and_then(|r| r.bounds())
        .ok_or(AppError::Internal)?;
    Ok(repo.leave_hours_by_kind(member, from, to, series).await?)
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
            let effects = if kind == RequestKind::Leave && decision == Decision::Approved {
                leave_effects(repo.as_ref(), &item, now).await?
            } else {
                crate::ssr::db::LeaveEffects::default()
            };
            if repo
                .decide_request(
                    kind,
                    id,
                    decision,
                    user.account.person_id,
                    now,
                    &channels,
                    &effects,
                )
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

/// What approving this leave does besides excusing: duty leave opens the make-up with its
/// deadline; leave past a special class's cap withdraws the cadre from it.
#[cfg(feature = "ssr")]
async fn leave_effects(
    repo: &dyn crate::ssr::db::Repository,
    item: &crate::ssr::db::RequestItem,
    now: Timestamp,
) -> Result<crate::ssr::db::LeaveEffects, AppError> {
    use crate::domain::leave::{LeaveRules, make_up_due};
    let member = repo
        .member(item.person_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let book = repo.setting_book().await?;
    let rules = LeaveRules::from_settings(|k| book.get(member.subdistrict_id, k));
    let door = repo
        .door_session(item.session_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let make_up_due = item
        .leave_kind
        .opens_make_up()
        .then(|| make_up_due(door.ends_at, now, rules.duty_make_up_days));
    let withdraw_from = if item.leave_kind.counts_toward_cap(&rules)
        && repo.capped_series().await?.contains(&item.series)
    {
        let series = year_leave(repo, &member, item.starts_at, Some(&item.series)).await?;
        series
            .load(&rules)
            .passes_cap_with(item.study_hours, book.leave_cap(member.subdistrict_id))
            .then(|| item.series.clone())
    } else {
        None
    };
    Ok(crate::ssr::db::LeaveEffects {
        make_up_due,
        withdraw_from,
    })
}
