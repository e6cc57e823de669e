//! Check-in corrections (补签): the cadre asks, the lecturer they name may confirm, an
//! organiser of the cadre's scope decides.
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::domain::Timestamp;
use crate::error::AppError;

/// A correction as the pages show it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CorrectionView {
    pub id: i64,
    pub session_id: i64,
    pub title: String,
    pub starts_at: Timestamp,
    pub person: String,
    pub community: String,
    pub reason: String,
    pub lecturer: Option<String>,
    pub confirmed: bool,
    pub decision: crate::domain::attendance::Decision,
    pub created_at: Timestamp,
}

#[cfg(feature = "ssr")]
impl From<crate::ssr::db::CorrectionRow> for CorrectionView {
    fn from(r: crate::ssr::db::CorrectionRow) -> Self {
        CorrectionView {
            id: r.id,
            session_id: r.session_id,
            title: r.title,
            starts_at: Timestamp(r.starts_at),
            person: r.person,
            community: r.community,
            reason: r.reason,
            lecturer: r.lecturer,
            confirmed: r.confirmed_at.is_some(),
            decision: crate::domain::attendance::Decision::parse(&r.decision)
                .unwrap_or(crate::domain::attendance::Decision::Pending),
            created_at: Timestamp(r.created_at),
        }
    }
}

/// Whether the cadre may ask for a correction at the session now, and what the form needs.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct CorrectionChance {
    pub may_ask: bool,
    /// Days after the session allowed, and corrections left this month.
    pub days: i64,
    pub left: i64,
    /// The session's lecturers, who may be asked to confirm.
    pub lecturers: Vec<(i64, String)>,
    pub mine: Option<CorrectionView>,
}

/// The rules in force for a person, and how many they used this month.
#[cfg(feature = "ssr")]
pub(crate) async fn rules_and_used(
    repo: &dyn crate::ssr::db::Repository,
    person: i64,
    now: Timestamp,
) -> Result<(crate::domain::corrections::CorrectionRules, i64), AppError> {
    let member = repo.member(person).await?;
    let book = repo.setting_book().await?;
    let rules = crate::domain::corrections::CorrectionRules::from_settings(|k| {
        book.get(member.as_ref().and_then(|m| m.subdistrict_id), k)
    });
    let (from, to, ..) = crate::domain::messages::month_bounds(now);
    Ok((rules, repo.corrections_used(person, from, to).await?))
}

/// The caller's chance of a correction at a session they are in the audience of.
#[server(endpoint = "correction_chance")]
pub async fn my_correction(session_id: i64) -> Result<CorrectionChance, AppError> {
    use crate::domain::corrections::may_ask;
    use crate::ssr::guard::{caller, finish, state};
    finish(
        async {
            let user = caller()?;
            if !user.account.roles.has(crate::domain::Role::Cadre) {
                return Ok(CorrectionChance::default());
            }
            let repo = state()?.repo;
            let person = user.account.person_id;
            let Some((door, true)) = repo.door_for(session_id, person).await? else {
                return Ok(CorrectionChance::default());
            };
            let now = Timestamp::now();
            let mine = repo.correction_of(session_id, person).await?;
            let (rules, used) = rules_and_used(repo.as_ref(), person, now).await?;
            let status = repo.attendance_of(session_id, person).await?.map(|r| r.0);
            let open = !door.cancelled
                && mine.is_none()
                && may_ask(status, now, door.starts_at, door.ends_at, rules, used).is_ok();
            let lecturers = match repo.session_detail(session_id).await? {
                Some(d) if open => repo.people_names(&d.lecturer_ids).await?,
                _ => Vec::new(),
            };
            Ok(CorrectionChance {
                may_ask: open,
                days: rules.days,
                left: (rules.quota - used).max(0),
                lecturers,
                mine: mine.map(CorrectionView::from),
            })
        }
        .await,
    )
}

/// A cadre of the audience asks for a correction: a reason of 2–500 characters and,
/// optionally, one of the session's lecturers to confirm. Refused after the days allowed,
/// with a check-in or leave, or past the monthly quota.
#[server(endpoint = "correction_ask")]
pub async fn ask_correction(
    session_id: i64,
    reason: String,
    #[server(default)] lecturer_id: Option<String>,
) -> Result<(), AppError> {
    use crate::domain::corrections::{CorrectionRefusal, REASON_CHARS, may_ask};
    use crate::domain::policy::Action;
    use crate::domain::session_draft::{Field, Problem, text_between};
    use crate::error::Conflict;
    use crate::ssr::db::RepoError;
    use crate::ssr::guard::{authorize, finish, state};
    finish(
        async {
            let user = authorize(Action::AttendAsCadre)?;
            let repo = state()?.repo;
            let person = user.account.person_id;
            let Some((door, true)) = repo.door_for(session_id, person).await? else {
                return Err(AppError::NotFound);
            };
            let reason = text_between(&reason, REASON_CHARS.0, REASON_CHARS.1, Field::Reason)?;
            let lecturer = match lecturer_id.as_deref().map(str::trim) {
                None | Some("") => None,
                Some(raw) => {
                    let id = raw.parse::<i64>().ok();
                    let lecturers = repo
                        .session_detail(session_id)
                        .await?
                        .map(|d| d.lecturer_ids)
                        .unwrap_or_default();
                    Some(
                        id.filter(|id| lecturers.contains(id))
                            .ok_or(AppError::field(
                                Field::CorrectionLecturer,
                                Problem::NotAllowed,
                            ))?,
                    )
                }
            };
            let now = Timestamp::now();
            let (rules, used) = rules_and_used(repo.as_ref(), person, now).await?;
            let status = repo.attendance_of(session_id, person).await?.map(|r| r.0);
            if door.cancelled {
                return Err(AppError::Conflict(Conflict::CorrectionClosed));
            }
            match may_ask(status, now, door.starts_at, door.ends_at, rules, used) {
                Ok(()) => {}
                Err(CorrectionRefusal::Closed) => {
                    return Err(AppError::Conflict(Conflict::CorrectionClosed));
                }
                Err(CorrectionRefusal::QuotaUsed { .. }) => {
                    return Err(AppError::Conflict(Conflict::CorrectionQuotaUsed));
                }
            }
            match repo
                .ask_correction(session_id, person, &reason, lecturer, now)
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

/// The corrections naming the caller as the lecturer to confirm.
#[server(endpoint = "corrections_to_confirm")]
pub async fn corrections_to_confirm() -> Result<Vec<CorrectionView>, AppError> {
    use crate::domain::policy::Action;
    use crate::ssr::guard::{authorize, finish, state};
    finish(
        async {
            let user = authorize(Action::ViewOwnLectures)?;
            Ok(state()?
                .repo
                .corrections_to_confirm(user.account.person_id)
                .await?
                .into_iter()
                .map(CorrectionView::from)
                .collect())
        }
        .await,
    )
}

/// The lecturer named confirms the cadre was there; anyone else gets 404.
#[server(endpoint = "correction_confirm")]
pub async fn confirm_correction(id: i64) -> Result<(), AppError> {
    use crate::domain::policy::Action;
    use crate::ssr::guard::{authorize, finish, state};
    finish(
        async {
            let user = authorize(Action::ViewOwnLectures)?;
            let repo = state()?.repo;
            let row = repo.correction(id).await?.ok_or(AppError::NotFound)?;
            if row.lecturer_id != Some(user.account.person_id) {
                return Err(AppError::NotFound);
            }
            if repo
                .confirm_correction(id, user.account.person_id, Timestamp::now())
                .await?
            {
                Ok(())
            } else {
                Err(AppError::Conflict(crate::error::Conflict::AlreadyDecided))
            }
        }
        .await,
    )
}

/// An organiser of the cadre's scope approves (`approved`) or declines (`declined`) a
/// pending correction; approving records the cadre present. Decided once.
#[server(endpoint = "correction_decide")]
pub async fn decide_correction(id: i64, decision: String) -> Result<(), AppError> {
    use crate::domain::session_draft::{Field, Problem};
    use crate::error::Conflict;
    use crate::ssr::guard::{finish, state};
    finish(
        async {
            let organiser = crate::ssr::access::organiser()?;
            let approve = match decision.as_str() {
                "approved" => true,
                "declined" => false,
                _ => return Err(AppError::field(Field::Status, Problem::Required)),
            };
            let state = state()?;
            let repo = state.repo.clone();
            let row = repo.correction(id).await?.ok_or(AppError::NotFound)?;
            organiser.person(repo.as_ref(), row.person_id).await?;
            if repo
                .decide_correction(
                    id,
                    approve,
                    organiser.user().account.person_id,
                    &state.outbox.channels(),
                    Timestamp::now(),
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
