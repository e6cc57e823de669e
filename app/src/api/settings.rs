//! Programme settings organisers change: the study-hours rule and the list of themes.
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::api::schedule::Choice;
use crate::error::AppError;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ProgrammeSettings {
    pub minutes_per_hour: i64,
    pub themes: Vec<Choice>,
    /// Approved leave above this share of a cadre's scheduled hours warns organisers.
    pub leave_cap: String,
    /// The share of a session's hours that making it up earns.
    pub make_up_share: String,
}

/// The audit line of a settings change by the caller.
#[cfg(feature = "ssr")]
fn settings_line() -> crate::error::AppResult<crate::ssr::db::AuditLine> {
    use crate::domain::audit::{AuditKind, AuditOutcome};
    let user = crate::ssr::guard::caller()?;
    Ok(crate::ssr::audit::by(
        &user,
        AuditKind::SettingsChanged,
        AuditOutcome::Ok,
        "",
    ))
}

/// The door's settings: the venue's networks and whether walk-ins wait for confirmation.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DoorSafeguards {
    pub venue_networks: String,
    pub confirm_walk_ins: bool,
}

#[server(endpoint = "settings_door")]
pub async fn door_settings() -> Result<DoorSafeguards, AppError> {
    use crate::domain::policy::Action;
    use crate::ssr::checkin::{VENUE_NETWORKS_SETTING, walk_ins_need_confirming};
    use crate::ssr::guard::{authorize, finish, state};
    finish(
        async {
            authorize(Action::ManageAttendance)?;
            let repo = state()?.repo;
            Ok(DoorSafeguards {
                venue_networks: repo
                    .setting(VENUE_NETWORKS_SETTING)
                    .await?
                    .unwrap_or_default(),
                confirm_walk_ins: walk_ins_need_confirming(repo.as_ref()).await?,
            })
        }
        .await,
    )
}

/// Saves the venue's networks (one per line: `192.168.1.0/24`; empty for none) and whether
/// walk-ins outside the audience earn hours only once an organiser confirms them.
#[server(endpoint = "settings_door_save")]
pub async fn save_door_settings(
    venue_networks: String,
    confirm_walk_ins: Option<String>,
) -> Result<(), AppError> {
    use crate::domain::Timestamp;
    use crate::domain::network::parse_networks;
    use crate::domain::policy::Action;
    use crate::domain::session_draft::{Field, FieldProblem, Problem};
    use crate::ssr::checkin::{CONFIRM_WALK_INS_SETTING, VENUE_NETWORKS_SETTING};
    use crate::ssr::guard::{authorize, finish, state};
    finish(
        async {
            authorize(Action::ManageAttendance)?;
            let networks = parse_networks(&venue_networks);
            if networks.is_err() || venue_networks.len() > 2000 {
                return Err(AppError::Form(vec![FieldProblem {
                    field: Field::VenueNetworks,
                    problem: Problem::NotANetwork,
                }]));
            }
            let text: Vec<String> = venue_networks
                .split([',', '\n', ';', '，'])
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_string)
                .collect();
            let confirm = if confirm_walk_ins.is_some() { "1" } else { "0" };
            state()?
                .repo
                .set_settings_audited(
                    &[
                        (VENUE_NETWORKS_SETTING, text.join("\n")),
                        (CONFIRM_WALK_INS_SETTING, confirm.to_string()),
                    ],
                    Timestamp::now(),
                    &settings_line()?,
                )
                .await?;
            Ok(())
        }
        .await,
    )
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
            use crate::ssr::rules::{leave_cap, make_up_share};
            Ok(ProgrammeSettings {
                leave_cap: leave_cap(repo.as_ref()).await?.display(),
                make_up_share: make_up_share(repo.as_ref()).await?.display(),
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
                .set_settings_audited(
                    &[(HOURS_RULE_KEY, rule.minutes_per_hour.to_string())],
                    Timestamp::now(),
                    &settings_line()?,
                )
                .await?;
            Ok(())
        }
        .await,
    )
}

/// Adds a theme; the English name may be left empty (the Chinese one is used). Without a
/// subdistrict it is the whole district's (organisers of the whole install); with one, that
/// subdistrict's own, offered only for its sessions (organisers who hold it).
#[server(endpoint = "themes_add")]
pub async fn add_theme(
    name_zh: String,
    name_en: String,
    #[server(default)] subdistrict_id: Option<i64>,
) -> Result<i64, AppError> {
    use crate::domain::Timestamp;
    use crate::domain::policy::Action;
    use crate::domain::session_draft::{Field, FieldProblem, Problem};
    use crate::error::Conflict;
    use crate::ssr::db::RepoError;
    use crate::ssr::guard::{authorize, finish, state};
    finish(
        async {
            let repo = state()?.repo;
            let subdistrict = match subdistrict_id {
                None => {
                    authorize(Action::ScheduleSessions)?;
                    None
                }
                Some(id) => {
                    let held = crate::ssr::access::organiser()?
                        .holds(repo.as_ref())
                        .await?;
                    Some(
                        held.iter()
                            .find(|s| s.id == id)
                            .ok_or(AppError::NotFound)?
                            .id,
                    )
                }
            };
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
            match repo
                .create_theme(zh, en, subdistrict, Timestamp::now())
                .await
            {
                Ok(id) => Ok(id),
                Err(RepoError::Conflict) => Err(AppError::Conflict(Conflict::ThemeExists)),
                Err(e) => Err(e.into()),
            }
        }
        .await,
    )
}

/// Sets the leave cap and the make-up share ("1/7", "15%", "50%", "0.5").
#[server(endpoint = "settings_attendance")]
pub async fn save_attendance_rules(
    leave_cap: String,
    make_up_share: String,
) -> Result<(), AppError> {
    use crate::domain::Timestamp;
    use crate::domain::policy::Action;
    use crate::domain::session_draft::{Field, FieldProblem, Problem};
    use crate::domain::share::Share;
    use crate::ssr::guard::{authorize, finish, state};
    use crate::ssr::rules::{LEAVE_CAP_KEY, MAKE_UP_KEY};
    finish(
        async {
            authorize(Action::ManageAttendance)?;
            let cap = Share::parse(&leave_cap);
            let share = Share::parse(&make_up_share);
            let (Some(cap), Some(share)) = (cap, share) else {
                let problems = [
                    (cap.is_none(), Field::LeaveCap),
                    (share.is_none(), Field::MakeUpShare),
                ]
                .into_iter()
                .filter(|(bad, _)| *bad)
                .map(|(_, field)| FieldProblem {
                    field,
                    problem: Problem::OutOfRange,
                })
                .collect();
                return Err(AppError::Form(problems));
            };
            let repo = state()?.repo;
            let line = settings_line()?;
            repo.set_settings_audited(
                &[
                    (LEAVE_CAP_KEY, cap.display()),
                    (MAKE_UP_KEY, share.display()),
                ],
                Timestamp::now(),
                &line,
            )
            .await?;
            Ok(())
        }
        .await,
    )
}
