//! Settings organisers change: the study-hours rule, the attendance rules, the door's
//! safeguards and the themes. The district sets them for every subdistrict; an organiser
//! of a subdistrict may set its own, which apply to its sessions and cadres (each function
//! takes the holder as `unit`: `district` or `subdistrict:3`; without one, the caller's
//! first). Until a subdistrict sets a value, the district's applies.
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::api::schedule::Choice;
use crate::error::AppError;

/// Whose rules may be shown: `token` as the functions take it; `name` empty for the
/// district's.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct HolderChoice {
    pub token: String,
    pub name: String,
}

/// The holders the caller may change, and the one shown.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Holders {
    pub shown: String,
    pub choices: Vec<HolderChoice>,
    /// The shown holder is a subdistrict that set some of these values itself.
    pub own: bool,
}

impl Holders {
    /// The shown holder is a subdistrict.
    pub fn subdistrict(&self) -> Option<i64> {
        crate::domain::settings::RuleHolder::parse_token(&self.shown).and_then(|h| h.subdistrict())
    }

    /// Notes whether `holder`, a subdistrict, set any of `keys` itself.
    pub fn mark_own(
        &mut self,
        holder: crate::domain::settings::RuleHolder,
        book: &crate::domain::settings::SettingBook,
        keys: &[&str],
    ) {
        if let Some(id) = holder.subdistrict() {
            self.own |= book.sets_any(id, keys);
        }
    }
}

/// The settings keys a subdistrict may set on the settings page (its door key too).
pub const PAGE_KEYS: [&str; 11] = [
    crate::domain::corrections::DAYS_KEY,
    crate::domain::corrections::QUOTA_KEY,
    crate::domain::leave::AFTER_DAYS_KEY,
    crate::domain::leave::DUTY_OUTSIDE_CAP_KEY,
    crate::domain::leave::DUTY_MAKE_UP_DAYS_KEY,
    crate::api::schedule::HOURS_RULE_KEY,
    crate::domain::settings::LEAVE_CAP_KEY,
    crate::domain::settings::MAKE_UP_KEY,
    crate::domain::settings::VENUE_NETWORKS_SETTING,
    crate::domain::settings::CONFIRM_WALK_INS_SETTING,
    crate::domain::settings::DOOR_SALT_SETTING,
];

/// The holder asked for, as the caller may change it, with the list to choose from
/// (`own` is for the page to say: see [`Holders::mark_own`]).
#[cfg(feature = "ssr")]
pub(crate) async fn holder(
    unit: Option<&str>,
) -> crate::error::AppResult<(
    crate::ssr::access::Organiser,
    crate::domain::settings::RuleHolder,
    Holders,
)> {
    let organiser = crate::ssr::access::organiser()?;
    let repo = crate::ssr::guard::state()?.repo;
    let held = organiser.rule_holders(repo.as_ref()).await?;
    let holder = organiser.rules(&held, unit)?;
    let choices = held
        .into_iter()
        .map(|(h, name)| HolderChoice {
            token: h.token(),
            name,
        })
        .collect();
    Ok((
        organiser,
        holder,
        Holders {
            shown: holder.token(),
            choices,
            own: false,
        },
    ))
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ProgrammeSettings {
    pub holders: Holders,
    pub minutes_per_hour: i64,
    pub themes: Vec<Choice>,
    /// Approved leave above this share of a cadre's scheduled hours warns organisers.
    pub leave_cap: String,
    /// The share of a session's hours that making it up earns.
    pub make_up_share: String,
    /// Leave after the fact, duty leave and the cap, the make-up duty leave opens.
    #[serde(default)]
    pub leave_rules: crate::domain::leave::LeaveRules,
    /// Days to ask for a check-in correction, and how many a month.
    #[serde(default)]
    pub correction_rules: crate::domain::corrections::CorrectionRules,
}

/// Reads the shares a form gives ("1/7", "15%", "0.5"); any that is not one is refused
/// with `problem`, named by its field, and nothing is read.
#[cfg(feature = "ssr")]
pub(crate) fn read_shares<const N: usize>(
    raw: [(&str, crate::domain::session_draft::Field); N],
    problem: crate::domain::session_draft::Problem,
) -> crate::error::AppResult<[crate::domain::share::Share; N]> {
    use crate::domain::session_draft::FieldProblem;
    let parsed = raw.map(|(text, field)| (crate::domain::share::Share::parse(text), field));
    let problems: Vec<FieldProblem> = parsed
        .iter()
        .filter(|(share, _)| share.is_none())
        .map(|(_, field)| FieldProblem {
            field: *field,
            problem,
        })
        .collect();
    if !problems.is_empty() {
        return Err(AppError::Form(problems));
    }
    Ok(parsed.map(|(share, _)| share.unwrap_or(crate::domain::share::Share::MAKE_UP)))
}

/// The audit line of a change to the holder's settings by the organiser.
#[cfg(feature = "ssr")]
pub(crate) fn settings_line(
    organiser: &crate::ssr::access::Organiser,
    holder: crate::domain::settings::RuleHolder,
) -> crate::ssr::db::AuditLine {
    use crate::domain::audit::{AuditKind, AuditOutcome};
    crate::ssr::audit::by(
        organiser.user(),
        AuditKind::SettingsChanged,
        AuditOutcome::Ok,
        &holder.token(),
    )
}

/// The door's settings: the venue's networks and whether walk-ins wait for confirmation.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DoorSafeguards {
    pub venue_networks: String,
    pub confirm_walk_ins: bool,
}

#[server(endpoint = "settings_door")]
pub async fn door_settings(
    #[server(default)] unit: Option<String>,
) -> Result<DoorSafeguards, AppError> {
    use crate::ssr::checkin::{VENUE_NETWORKS_SETTING, walk_ins_need_confirming};
    use crate::ssr::guard::{finish, state};
    finish(
        async {
            let (_, holder, _) = holder(unit.as_deref()).await?;
            let repo = state()?.repo;
            let sub = holder.subdistrict();
            Ok(DoorSafeguards {
                venue_networks: repo
                    .setting_in(sub, VENUE_NETWORKS_SETTING)
                    .await?
                    .unwrap_or_default(),
                confirm_walk_ins: walk_ins_need_confirming(repo.as_ref(), sub).await?,
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
    #[server(default)] unit: Option<String>,
) -> Result<(), AppError> {
    use crate::domain::Timestamp;
    use crate::domain::network::parse_networks;
    use crate::domain::session_draft::{Field, FieldProblem, Problem};
    use crate::ssr::checkin::{CONFIRM_WALK_INS_SETTING, VENUE_NETWORKS_SETTING};
    use crate::ssr::guard::{finish, state};
    finish(
        async {
            let (organiser, holder, _) = holder(unit.as_deref()).await?;
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
                .save_settings(
                    holder,
                    &[
                        (VENUE_NETWORKS_SETTING, text.join("\n")),
                        (CONFIRM_WALK_INS_SETTING, confirm.to_string()),
                    ],
                    Timestamp::now(),
                    &settings_line(&organiser, holder),
                )
                .await?;
            Ok(())
        }
        .await,
    )
}

/// Gives the district or a subdistrict (`unit`) a door key of its own, made anew: the QR
/// codes and typed codes its door boards show from now on are signed with it, and every
/// code shown before stops working at once (the boards turn to the new one by themselves).
#[server(endpoint = "settings_door_renew")]
pub async fn renew_door_key(#[server(default)] unit: Option<String>) -> Result<(), AppError> {
    use crate::domain::Timestamp;
    use crate::ssr::guard::{finish, state};
    finish(
        async {
            let (organiser, holder, _) = holder(unit.as_deref()).await?;
            let salt = crate::ssr::tokens::new_token().map_err(AppError::internal)?;
            state()?
                .repo
                .renew_door_key(
                    holder,
                    &salt,
                    Timestamp::now(),
                    &settings_line(&organiser, holder),
                )
                .await?;
            Ok(())
        }
        .await,
    )
}

#[server(endpoint = "settings_overview")]
pub async fn settings_overview(
    #[server(default)] unit: Option<String>,
) -> Result<ProgrammeSettings, AppError> {
    use crate::ssr::guard::{finish, state};
    finish(
        async {
            let (_, holder, mut holders) = holder(unit.as_deref()).await?;
            let repo = state()?.repo;
            let sub = holder.subdistrict();
            let book = repo.setting_book().await?;
            holders.mark_own(holder, &book, &PAGE_KEYS);
            Ok(ProgrammeSettings {
                holders,
                leave_cap: book.leave_cap(sub).display(),
                make_up_share: book.credits(sub).make_up.display(),
                leave_rules: crate::domain::leave::LeaveRules::from_settings(|k| book.get(sub, k)),
                correction_rules: crate::domain::corrections::CorrectionRules::from_settings(|k| {
                    book.get(sub, k)
                }),
                minutes_per_hour: book.hours_rule(sub).minutes_per_hour,
                themes: repo
                    .themes()
                    .await?
                    .into_iter()
                    .filter(|t| t.offered_for(sub))
                    .map(|t| Choice::new(t.id, t.name_zh, t.name_en))
                    .collect(),
            })
        }
        .await,
    )
}

/// Forgets a subdistrict's own values on the settings page: the district's apply again.
#[server(endpoint = "settings_reset")]
pub async fn reset_settings(unit: String) -> Result<(), AppError> {
    use crate::ssr::guard::{finish, state};
    finish(
        async {
            let (organiser, holder, _) = holder(Some(&unit)).await?;
            let Some(sub) = holder.subdistrict() else {
                return Err(AppError::NotFound);
            };
            state()?
                .repo
                .clear_settings(sub, &PAGE_KEYS, &settings_line(&organiser, holder))
                .await?;
            Ok(())
        }
        .await,
    )
}

/// Sets how many minutes make one study hour for sessions scheduled or edited from now on;
/// sessions already planned keep their hours.
#[server(endpoint = "settings_hours_rule")]
pub async fn save_hours_rule(
    minutes: String,
    #[server(default)] unit: Option<String>,
) -> Result<(), AppError> {
    use crate::api::schedule::HOURS_RULE_KEY;
    use crate::domain::Timestamp;
    use crate::domain::hours::HoursRule;
    use crate::domain::session_draft::{Field, FieldProblem, Problem};
    use crate::ssr::guard::{finish, state};
    finish(
        async {
            let (organiser, holder, _) = holder(unit.as_deref()).await?;
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
                .save_settings(
                    holder,
                    &[(HOURS_RULE_KEY, rule.minutes_per_hour.to_string())],
                    Timestamp::now(),
                    &settings_line(&organiser, holder),
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
    #[server(default)] unit: Option<String>,
) -> Result<(), AppError> {
    use crate::domain::Timestamp;
    use crate::domain::session_draft::{Field, Problem};
    use crate::ssr::guard::{finish, state};
    use crate::ssr::rules::{LEAVE_CAP_KEY, MAKE_UP_KEY};
    finish(
        async {
            let (organiser, holder, _) = holder(unit.as_deref()).await?;
            let [cap, share] = read_shares(
                [
                    (&leave_cap, Field::LeaveCap),
                    (&make_up_share, Field::MakeUpShare),
                ],
                Problem::OutOfRange,
            )?;
            state()?
                .repo
                .save_settings(
                    holder,
                    &[
                        (LEAVE_CAP_KEY, cap.display()),
                        (MAKE_UP_KEY, share.display()),
                    ],
                    Timestamp::now(),
                    &settings_line(&organiser, holder),
                )
                .await?;
            Ok(())
        }
        .await,
    )
}

/// Sets the leave and correction rules: days to ask for leave after the fact (0–14),
/// whether duty leave stays outside the cap (`duty_outside_cap` ticked), days to make up
/// after duty leave (1–60), days to ask for a check-in correction (1–14) and corrections a
/// month per cadre (0–10). Every number is checked before anything is saved.
#[server(endpoint = "settings_leave")]
pub async fn save_leave_rules(
    after_days: String,
    duty_make_up_days: String,
    correction_days: String,
    correction_quota: String,
    #[server(default)] duty_outside_cap: Option<String>,
    #[server(default)] unit: Option<String>,
) -> Result<(), AppError> {
    use crate::domain::Timestamp;
    use crate::domain::corrections::{CorrectionRules, DAYS, QUOTA};
    use crate::domain::leave::{AFTER_DAYS, LeaveRules, MAKE_UP_DAYS};
    use crate::domain::session_draft::{Field, FieldProblem, Problem};
    use crate::ssr::guard::{finish, state};
    finish(
        async {
            let (organiser, holder, _) = holder(unit.as_deref()).await?;
            let mut problems = Vec::new();
            let mut number = |raw: &str, range: std::ops::RangeInclusive<i64>, field: Field| {
                let n = raw.trim().parse::<i64>().ok().filter(|d| range.contains(d));
                if n.is_none() {
                    problems.push(FieldProblem {
                        field,
                        problem: Problem::OutOfRange,
                    });
                }
                n.unwrap_or_default()
            };
            let leave = LeaveRules {
                after_days: number(&after_days, AFTER_DAYS, Field::LeaveAfterDays),
                duty_make_up_days: number(&duty_make_up_days, MAKE_UP_DAYS, Field::DutyMakeUpDays),
                duty_outside_cap: duty_outside_cap.is_some(),
            };
            let corrections = CorrectionRules {
                days: number(&correction_days, DAYS, Field::CorrectionDays),
                quota: number(&correction_quota, QUOTA, Field::CorrectionQuota),
            };
            if !problems.is_empty() {
                return Err(AppError::Form(problems));
            }
            let values: Vec<(&str, String)> = leave
                .to_settings()
                .into_iter()
                .chain(corrections.to_settings())
                .collect();
            state()?
                .repo
                .save_settings(
                    holder,
                    &values,
                    Timestamp::now(),
                    &settings_line(&organiser, holder),
                )
                .await?;
            Ok(())
        }
        .await,
    )
}
