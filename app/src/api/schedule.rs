//! Organisers plan the series.
use leptos::prelude::*;

use serde::{Deserialize, Serialize};

use crate::domain::series_edit::EditScope;
use crate::domain::session_draft::SessionForm;
use crate::error::AppError;

/// Something to pick in the planner: a theme, lecturer, tier or community.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Choice {
    pub id: i64,
    pub name_zh: String,
    pub name_en: String,
}

impl Choice {
    pub fn new(id: i64, name_zh: String, name_en: String) -> Self {
        Choice {
            id,
            name_zh,
            name_en,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PlannerChoices {
    /// The subdistricts the organiser may hold a session for.
    pub subdistricts: Vec<Choice>,
    /// The organiser may also hold district sessions (audience across subdistricts).
    #[serde(default)]
    pub district: bool,
    pub themes: Vec<Choice>,
    pub lecturers: Vec<Choice>,
    pub tiers: Vec<Choice>,
    pub communities: Vec<Choice>,
}

/// A session as the planner's form shows it, for editing it or scheduling a copy.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SessionTemplate {
    pub id: i64,
    pub form: SessionForm,
    /// The named people of the audience, for the picker.
    pub people: Vec<Choice>,
    pub in_series: bool,
    pub cancelled: bool,
}

/// A cadre found by name, with their community.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PersonChoice {
    pub id: i64,
    pub name: String,
    pub community: String,
}

/// The planner's value for a district session in the subdistrict picker.
pub const DISTRICT: &str = "district";

pub use crate::domain::settings::HOURS_RULE_KEY;

/// What the pickers offer; communities and subdistricts only those `within` (`None`: all).
#[cfg(feature = "ssr")]
pub(crate) async fn choices(
    repo: &dyn crate::ssr::db::Repository,
    within: Option<&[i64]>,
) -> crate::error::AppResult<PlannerChoices> {
    let same = |id, name: &String| Choice::new(id, name.clone(), name.clone());
    let inside = |id: i64| within.is_none_or(|w| w.contains(&id));
    let data = crate::ssr::guard::state()?
        .reference
        .get(repo, crate::ssr::reference::version())
        .await?;
    Ok(PlannerChoices {
        subdistricts: data
            .subdistricts
            .iter()
            .filter(|s| inside(s.id))
            .map(|s| same(s.id, &s.name))
            .collect(),
        district: false,
        themes: data
            .themes
            .iter()
            .filter(|t| t.subdistrict_id.is_none_or(inside))
            .map(|t| Choice::new(t.id, t.name_zh.clone(), t.name_en.clone()))
            .collect(),
        lecturers: data.lecturers.iter().map(|(id, n)| same(*id, n)).collect(),
        tiers: data
            .tiers
            .iter()
            .map(|t| Choice::new(t.id, t.name_zh.clone(), t.name_en.clone()))
            .collect(),
        communities: data
            .communities
            .iter()
            .filter(|c| inside(c.subdistrict_id))
            .map(|c| same(c.id, &c.name))
            .collect(),
    })
}

/// The study-hours rule in force for sessions the subdistrict holds (`None`: the
/// district's): the organisers' setting, or the default.
#[cfg(feature = "ssr")]
pub(crate) async fn hours_rule(
    repo: &dyn crate::ssr::db::Repository,
    held_by: Option<i64>,
) -> crate::error::AppResult<crate::domain::hours::HoursRule> {
    use crate::domain::hours::HoursRule;
    Ok(HoursRule::from_setting(
        repo.setting_in(held_by, HOURS_RULE_KEY).await?.as_deref(),
    ))
}

/// Checks the form against the lecturers, themes and hours rule on file.
#[cfg(feature = "ssr")]
async fn checked(
    repo: &dyn crate::ssr::db::Repository,
    form: &SessionForm,
    held_by: Option<i64>,
) -> crate::error::AppResult<crate::domain::session_draft::SessionDraft> {
    use crate::domain::session_draft::{Field, FieldProblem, Problem};
    let lecturers: Vec<i64> = repo
        .lecturers()
        .await?
        .into_iter()
        .map(|(id, _)| id)
        .collect();
    let rule = hours_rule(repo, held_by).await?;
    let draft = form
        .check(rule, |id| lecturers.contains(&id))
        .map_err(AppError::Form)?;
    // The district's themes, and the holding subdistrict's own.
    if !repo
        .themes()
        .await?
        .iter()
        .any(|t| t.id == draft.theme_id && t.offered_for(held_by))
    {
        return Err(AppError::Form(vec![FieldProblem {
            field: Field::Theme,
            problem: Problem::Required,
        }]));
    }
    Ok(draft)
}

/// The clashes of the draft's lecturers and place at `slots` with other sessions (those
/// in `replacing` are being rewritten and do not count). `Ok(reason)` when there are none,
/// or when the organiser gave a reason to book anyway.
#[cfg(feature = "ssr")]
async fn clash_check(
    repo: &dyn crate::ssr::db::Repository,
    draft: &crate::domain::session_draft::SessionDraft,
    slots: &[crate::domain::recurrence::Slot],
    replacing: &[i64],
    clash_reason: &str,
) -> crate::error::AppResult<Option<String>> {
    use crate::domain::Timestamp;
    use crate::domain::conflicts::{Booking, clashes};
    let from = slots.iter().map(|s| s.0).min().unwrap_or(Timestamp(0));
    let to = slots.iter().map(|s| s.1).max().unwrap_or(Timestamp(0));
    let existing: Vec<Booking> = repo
        .bookings_between(from, to)
        .await?
        .into_iter()
        .filter(|b| !b.session_id.is_some_and(|id| replacing.contains(&id)))
        .collect();
    let found: Vec<_> = slots
        .iter()
        .flat_map(|(starts_at, ends_at)| {
            let candidate = Booking {
                session_id: None,
                title: draft.title.clone(),
                starts_at: *starts_at,
                ends_at: *ends_at,
                lecturer_ids: draft.lecturer_ids.clone(),
                place: draft.place.clone(),
                cancelled: false,
            };
            clashes(&candidate, &existing)
        })
        .collect();
    let reason = clash_reason.trim();
    if found.is_empty() {
        Ok(None)
    } else if reason.is_empty() {
        Err(AppError::Clashes(found))
    } else {
        Ok(Some(reason.chars().take(200).collect()))
    }
}

/// The stored session for one slot of a checked draft.
#[cfg(feature = "ssr")]
fn new_session(
    draft: &crate::domain::session_draft::SessionDraft,
    slot: crate::domain::recurrence::Slot,
    clash_override_reason: Option<String>,
    subdistrict: Option<&crate::ssr::db::Subdistrict>,
) -> crate::ssr::db::NewSession {
    crate::ssr::db::NewSession {
        subdistrict_id: subdistrict.map(|s| s.id),
        series: match subdistrict {
            Some(s) if !s.series_name.is_empty() => s.series_name.clone(),
            Some(_) => crate::domain::schedule::LECTURE_SERIES.to_string(),
            None => crate::domain::schedule::DISTRICT_SERIES.to_string(),
        },
        title: draft.title.clone(),
        theme_id: draft.theme_id,
        format: draft.format,
        starts_at: slot.0,
        ends_at: slot.1,
        place: draft.place.clone(),
        description_md: draft.description_md.clone(),
        lecturer_ids: draft.lecturer_ids.clone(),
        audience: draft.audience.clone(),
        study_hours: draft.study_hours,
        hours_overridden: draft.hours_overridden,
        capacity: draft.capacity,
        clash_override_reason,
    }
}

/// What the planner's pickers offer.
#[server(endpoint = "schedule_options")]
pub async fn schedule_options() -> Result<PlannerChoices, AppError> {
    use crate::ssr::guard::{finish, state};
    finish(
        async {
            let organiser = crate::ssr::access::organiser()?;
            let repo = state()?.repo;
            let held: Vec<i64> = organiser
                .holds(repo.as_ref())
                .await?
                .iter()
                .map(|s| s.id)
                .collect();
            let mut offered = choices(repo.as_ref(), Some(&held)).await?;
            offered.district = organiser.holds_district();
            Ok(offered)
        }
        .await,
    )
}

/// Creates one session or a weekly series. A lecturer or place booked elsewhere at the
/// time is refused with the other session named, unless `clash_reason` says why.
#[server(endpoint = "sessions_create", input = server_fn::codec::Json)]
pub async fn create_sessions(
    form: SessionForm,
    clash_reason: String,
) -> Result<Vec<i64>, AppError> {
    use crate::domain::Timestamp;
    use crate::ssr::guard::{finish, state};
    finish(
        async {
            let organiser = crate::ssr::access::organiser()?;
            let repo = state()?.repo;
            let held = organiser.holds(repo.as_ref()).await?;
            let subdistrict = match form.subdistrict_id.trim() {
                "" => Some(held[0].clone()),
                DISTRICT if organiser.holds_district() => None,
                DISTRICT => return Err(AppError::Forbidden),
                id => Some(
                    held.iter()
                        .find(|s| s.id.to_string() == id)
                        .cloned()
                        .ok_or(AppError::NotFound)?,
                ),
            };
            let draft = checked(repo.as_ref(), &form, subdistrict.as_ref().map(|s| s.id)).await?;
            let reason =
                clash_check(repo.as_ref(), &draft, &draft.slots, &[], &clash_reason).await?;
            let sessions: Vec<_> = draft
                .slots
                .iter()
                .map(|slot| new_session(&draft, *slot, reason.clone(), subdistrict.as_ref()))
                .collect();
            let outbox = &state()?.outbox;
            let ids = repo
                .create_sessions(&sessions, &outbox.channels(), Timestamp::now())
                .await?;
            outbox.wake();
            Ok(ids)
        }
        .await,
    )
}

/// The session as the planner's form, to edit it or to schedule a copy.
#[server(endpoint = "planner_template")]
pub async fn planner_template(id: i64) -> Result<SessionTemplate, AppError> {
    use crate::domain::audience::Audience;
    use crate::domain::org::SessionRight;
    use crate::ssr::guard::{finish, state};
    finish(
        async {
            let repo = state()?.repo;
            crate::ssr::access::organiser()?
                .session(repo.as_ref(), id, SessionRight::Organise)
                .await?;
            let d = repo.session_detail(id).await?.ok_or(AppError::NotFound)?;
            let (starts, ends) = (d.summary.starts_at, d.summary.ends_at);
            let (everyone, tier_ids, community_ids, person_ids) = match d.audience {
                Audience::Everyone => (true, vec![], vec![], vec![]),
                Audience::Chosen {
                    tiers,
                    communities,
                    people,
                } => (false, tiers, communities, people),
            };
            let people = repo
                .people_names(&person_ids)
                .await?
                .into_iter()
                .map(|(id, name)| Choice::new(id, name.clone(), name))
                .collect();
            let form = SessionForm {
                title: d.summary.title,
                theme_id: d.theme_id.to_string(),
                format: d.summary.format.as_str().to_string(),
                date: starts.local_date().format("%Y-%m-%d").to_string(),
                start: starts.hh_mm(),
                end: ends.hh_mm(),
                ends_next_day: ends.local_date() != starts.local_date(),
                place: d.summary.place,
                lecturer_ids: d.lecturer_ids,
                everyone,
                tier_ids,
                community_ids,
                person_ids,
                capacity: d.capacity.map(|c| c.to_string()).unwrap_or_default(),
                hours: if d.hours_overridden {
                    d.summary.study_hours.display()
                } else {
                    String::new()
                },
                description_md: d.description_md,
                ..SessionForm::default()
            };
            Ok(SessionTemplate {
                id,
                form,
                people,
                in_series: d.repeat_group.is_some(),
                cancelled: d.summary.cancelled,
            })
        }
        .await,
    )
}

/// Changes a session, or it and the later sessions of its series (which move by the same
/// amount). The same checks as for a new session apply; nothing is saved when one fails.
#[server(endpoint = "sessions_update", input = server_fn::codec::Json)]
pub async fn update_session(
    id: i64,
    form: SessionForm,
    scope: EditScope,
    clash_reason: String,
) -> Result<usize, AppError> {
    use crate::domain::Timestamp;
    use crate::domain::org::SessionRight;
    use crate::domain::series_edit::{Occurrence, reschedule};
    use crate::error::Conflict;
    use crate::ssr::guard::{finish, state};
    finish(
        async {
            let repo = state()?.repo;
            crate::ssr::access::organiser()?
                .session(repo.as_ref(), id, SessionRight::Organise)
                .await?;
            let d = repo.session_detail(id).await?.ok_or(AppError::NotFound)?;
            if d.summary.cancelled {
                return Err(AppError::Conflict(Conflict::SessionCancelled));
            }
            // An edit changes existing sessions; it never adds a series.
            let form = SessionForm {
                repeat_weekdays: Vec::new(),
                ..form
            };
            // An edit keeps the session where it is held.
            let held_by = repo.session_subdistrict(id).await?.flatten();
            let draft = checked(repo.as_ref(), &form, held_by).await?;
            let subdistrict = repo
                .subdistricts()
                .await?
                .into_iter()
                .find(|s| Some(s.id) == held_by);
            let edited = Occurrence {
                id,
                starts_at: d.summary.starts_at,
                ends_at: d.summary.ends_at,
                cancelled: false,
            };
            let series = match (scope, d.repeat_group) {
                (EditScope::Following, Some(group)) => repo.series_occurrences(group).await?,
                _ => Vec::new(),
            };
            let changes = reschedule(edited, draft.slots[0], scope, &series);
            let ids: Vec<i64> = changes.iter().map(|(id, _)| *id).collect();
            let slots: Vec<_> = changes.iter().map(|(_, slot)| *slot).collect();
            let reason = clash_check(repo.as_ref(), &draft, &slots, &ids, &clash_reason).await?;
            let rows: Vec<_> = changes
                .into_iter()
                .map(|(id, slot)| {
                    (
                        id,
                        new_session(&draft, slot, reason.clone(), subdistrict.as_ref()),
                    )
                })
                .collect();
            let outbox = state()?.outbox;
            if !repo
                .update_sessions(&rows, Timestamp::now(), &outbox.channels())
                .await?
            {
                return Err(AppError::NotFound);
            }
            outbox.wake();
            Ok(rows.len())
        }
        .await,
    )
}

/// Cadres whose name contains `query`, for naming people in an audience.
#[server(endpoint = "people_search")]
pub async fn people_search(query: String) -> Result<Vec<PersonChoice>, AppError> {
    use crate::ssr::guard::{finish, state};
    finish(
        async {
            let organiser = crate::ssr::access::organiser()?;
            let repo = state()?.repo;
            organiser.holds(repo.as_ref()).await?;
            let query = query.trim();
            if query.is_empty() || query.chars().count() > 40 {
                return Ok(Vec::new());
            }
            Ok(repo
                .search_people(query, 20, organiser.people())
                .await?
                .into_iter()
                .map(|p| PersonChoice {
                    id: p.id,
                    name: p.name,
                    community: p.community,
                })
                .collect())
        }
        .await,
    )
}

/// Cancels a session; the audience sees it as cancelled and it counts for nothing.
#[server(endpoint = "sessions_cancel")]
pub async fn cancel_session(id: i64, reason: String) -> Result<(), AppError> {
    use crate::domain::Timestamp;
    use crate::domain::org::SessionRight;
    use crate::domain::session_draft::{Field, FieldProblem, Problem};
    use crate::ssr::guard::{finish, state};
    finish(
        async {
            crate::ssr::access::organiser()?
                .session(state()?.repo.as_ref(), id, SessionRight::Organise)
                .await?;
            let reason = reason.trim();
            if reason.is_empty() || reason.chars().count() > 200 {
                let problem = if reason.is_empty() {
                    Problem::Required
                } else {
                    Problem::TooLong
                };
                return Err(AppError::Form(vec![FieldProblem {
                    field: Field::Reason,
                    problem,
                }]));
            }
            let state = state()?;
            if !state
                .repo
                .cancel_session(id, reason, Timestamp::now(), &state.outbox.channels())
                .await?
            {
                return Err(AppError::NotFound);
            }
            state.outbox.wake();
            Ok(())
        }
        .await,
    )
}
