//! Organisers plan the series.
use leptos::prelude::*;

use serde::{Deserialize, Serialize};

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
    pub themes: Vec<Choice>,
    pub lecturers: Vec<Choice>,
    pub tiers: Vec<Choice>,
    pub communities: Vec<Choice>,
}

/// What the planner's pickers offer.
#[server(endpoint = "schedule_options")]
pub async fn schedule_options() -> Result<PlannerChoices, AppError> {
    use crate::domain::policy::Action;
    use crate::ssr::guard::{authorize, finish, state};
    finish(
        async {
            authorize(Action::ScheduleSessions)?;
            let repo = state()?.repo;
            let same = |id, name: String| Choice::new(id, name.clone(), name);
            Ok(PlannerChoices {
                themes: repo
                    .themes()
                    .await?
                    .into_iter()
                    .map(|t| Choice::new(t.id, t.name_zh, t.name_en))
                    .collect(),
                lecturers: repo
                    .lecturers()
                    .await?
                    .into_iter()
                    .map(|(id, n)| same(id, n))
                    .collect(),
                tiers: repo
                    .tiers()
                    .await?
                    .into_iter()
                    .map(|t| Choice::new(t.id, t.name_zh, t.name_en))
                    .collect(),
                communities: repo
                    .communities()
                    .await?
                    .into_iter()
                    .map(|c| same(c.id, c.name))
                    .collect(),
            })
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
    use crate::domain::conflicts::{Booking, clashes};
    use crate::domain::hours::HoursRule;
    use crate::domain::policy::Action;
    use crate::domain::session_draft::{Field, FieldProblem, Problem};
    use crate::ssr::db::NewSession;
    use crate::ssr::guard::{authorize, finish, state};
    finish(
        async {
            authorize(Action::ScheduleSessions)?;
            let repo = state()?.repo;
            let lecturers: Vec<i64> = repo
                .lecturers()
                .await?
                .into_iter()
                .map(|(id, _)| id)
                .collect();
            let draft = form
                .check(HoursRule::default(), |id| lecturers.contains(&id))
                .map_err(AppError::Form)?;
            if !repo.themes().await?.iter().any(|t| t.id == draft.theme_id) {
                return Err(AppError::Form(vec![FieldProblem {
                    field: Field::Theme,
                    problem: Problem::Required,
                }]));
            }
            let from = draft
                .slots
                .iter()
                .map(|s| s.0)
                .min()
                .unwrap_or(Timestamp(0));
            let to = draft
                .slots
                .iter()
                .map(|s| s.1)
                .max()
                .unwrap_or(Timestamp(0));
            let existing = repo.bookings_between(from, to).await?;
            let found: Vec<_> = draft
                .slots
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
            if !found.is_empty() && reason.is_empty() {
                return Err(AppError::Clashes(found));
            }
            let override_reason = (!found.is_empty()).then(|| reason.to_string());
            let sessions: Vec<NewSession> = draft
                .slots
                .iter()
                .map(|(starts_at, ends_at)| NewSession {
                    series: crate::domain::schedule::LECTURE_SERIES.to_string(),
                    title: draft.title.clone(),
                    theme_id: draft.theme_id,
                    format: draft.format,
                    starts_at: *starts_at,
                    ends_at: *ends_at,
                    place: draft.place.clone(),
                    description_md: draft.description_md.clone(),
                    lecturer_ids: draft.lecturer_ids.clone(),
                    audience: draft.audience.clone(),
                    study_hours: draft.study_hours,
                    hours_overridden: draft.hours_overridden,
                    capacity: draft.capacity,
                    clash_override_reason: override_reason.clone(),
                })
                .collect();
            Ok(repo.create_sessions(&sessions, Timestamp::now()).await?)
        }
        .await,
    )
}

/// Cancels a session; the audience sees it as cancelled and it counts for nothing.
#[server(endpoint = "sessions_cancel")]
pub async fn cancel_session(id: i64, reason: String) -> Result<(), AppError> {
    use crate::domain::Timestamp;
    use crate::domain::policy::Action;
    use crate::domain::session_draft::{Field, FieldProblem, Problem};
    use crate::ssr::guard::{authorize, finish, state};
    finish(
        async {
            authorize(Action::ScheduleSessions)?;
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
            if !state()?
                .repo
                .cancel_session(id, reason, Timestamp::now())
                .await?
            {
                return Err(AppError::NotFound);
            }
            Ok(())
        }
        .await,
    )
}
