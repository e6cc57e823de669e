//! Programme settings organisers change: the study-hours rule and the list of themes.
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::api::schedule::Choice;
use crate::error::AppError;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ProgrammeSettings {
    pub minutes_per_hour: i64,
    pub themes: Vec<Choice>,
}

#[server(endpoint = "settings_overview")]
pub async fn settings_overview() -> Result<ProgrammeSettings, AppError> {
    use crate::api::schedule::hours_rule;
    use crate::domain::policy::Action;
    use crate::ssr::guard::{authorize, finish, state};
    finish(
        async {
            authorize(Action::ScheduleSessions)?;
            let repo = state()?.repo;
            Ok(ProgrammeSettings {
                minutes_per_hour: hours_rule(repo.as_ref()).await?.minutes_per_hour,
                themes: repo
                    .themes()
                    .await?
                    .into_iter()
                    .map(|t| Choice::new(t.id, t.name_zh, t.name_en))
                    .collect(),
            })
        }
        .await,
    )
}

/// Sets how many minutes make one study hour for sessions scheduled or edited from now on;
/// sessions already planned keep their hours.
#[server(endpoint = "settings_hours_rule")]
pub async fn save_hours_rule(minutes: String) -> Result<(), AppError> {
    use crate::api::schedule::HOURS_RULE_KEY;
    use crate::domain::Timestamp;
    use crate::domain::hours::HoursRule;
    use crate::domain::policy::Action;
    use crate::domain::session_draft::{Field, FieldProblem, Problem};
    use crate::ssr::guard::{authorize, finish, state};
    finish(
        async {
            authorize(Action::ScheduleSessions)?;
            let rule = minutes
                .trim()
                .parse::<i64>()
                .ok()
                .and_then(|m| HoursRule::new(m).ok())
                .ok_or_else(|| {
                    AppError::Form(vec![FieldProblem {
                        field: Field::HoursRule,
                        problem: Problem::OutOfRange,
                    }])
                })?;
            state()?
                .repo
                .set_setting(
                    HOURS_RULE_KEY,
                    &rule.minutes_per_hour.to_string(),
                    Timestamp::now(),
                )
                .await?;
            Ok(())
        }
        .await,
    )
}

/// Adds a theme; the English name may be left empty (the Chinese one is used).
#[server(endpoint = "themes_add")]
pub async fn add_theme(name_zh: String, name_en: String) -> Result<i64, AppError> {
    use crate::domain::Timestamp;
    use crate::domain::policy::Action;
    use crate::domain::session_draft::{Field, FieldProblem, Problem};
    use crate::error::Conflict;
    use crate::ssr::db::RepoError;
    use crate::ssr::guard::{authorize, finish, state};
    finish(
        async {
            authorize(Action::ScheduleSessions)?;
            let (zh, en) = (name_zh.trim(), name_en.trim());
            let problem = if zh.is_empty() {
                Some(Problem::Required)
            } else if zh.chars().count() > 40 || en.chars().count() > 80 {
                Some(Problem::TooLong)
            } else {
                None
            };
            if let Some(problem) = problem {
                return Err(AppError::Form(vec![FieldProblem {
                    field: Field::ThemeName,
                    problem,
                }]));
            }
            let en = if en.is_empty() { zh } else { en };
            match state()?.repo.create_theme(zh, en, Timestamp::now()).await {
                Ok(id) => Ok(id),
                Err(RepoError::Conflict) => Err(AppError::Conflict(Conflict::ThemeExists)),
                Err(e) => Err(e.into()),
            }
        }
        .await,
    )
}
