//! Programme progress: a cadre's bars, ledger and tier history; the organisers' dashboard
//! with tiers, communities, the monthly trend, warnings, candidates and the star of the
//! month; tier requirements; promotion; accepting reflections.
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::domain::Timestamp;
use crate::domain::hours::StudyHours;
use crate::domain::progress::{Assessment, Outlook};
use crate::domain::schedule::AttendanceStatus;
use crate::error::AppError;

/// A tier's names.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TierName {
    pub id: i64,
    pub name_zh: String,
    pub name_en: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LedgerLine {
    pub session_id: i64,
    pub title: String,
    pub starts_at: Timestamp,
    pub theme: String,
    pub hours: StudyHours,
    pub status: Option<AttendanceStatus>,
    pub lectured: bool,
    pub credited: StudyHours,
}

/// An approved claim of hours earned elsewhere (外部学时), a ledger line of its own kind.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ElsewhereLine {
    pub claim_id: i64,
    pub training: String,
    pub organiser: String,
    pub from: String,
    pub to: String,
    pub hours: StudyHours,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct HistoryEntry {
    pub tier: Option<TierName>,
    pub change: String,
    pub effective_at: Timestamp,
    pub note: String,
    pub actor: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ProgressData {
    pub person_id: i64,
    pub name: String,
    pub community: String,
    pub tier: Option<TierName>,
    pub year: i32,
    pub bars: Vec<Assessment>,
    pub outlook: Outlook,
    /// Hours earned here plus those credited from elsewhere.
    pub earned: StudyHours,
    pub reachable: StudyHours,
    /// Hours earned elsewhere (外部学时) approved this year, and the part the tier counts.
    pub elsewhere: (StudyHours, StudyHours),
    pub attendance_percent: Option<i64>,
    pub themes: Vec<(String, bool)>,
    pub ledger: Vec<LedgerLine>,
    /// The year's approved claims of hours earned elsewhere, oldest first.
    #[serde(default)]
    pub ledger_elsewhere: Vec<ElsewhereLine>,
    /// Special classes (专题班) the cadre was withdrawn from for leave past the cap.
    #[serde(default)]
    pub withdrawn: Vec<(String, Timestamp)>,
    pub history: Vec<HistoryEntry>,
    /// The year's reflections: session, date, text, accepted.
    pub reflections: Vec<(i64, String, Timestamp, String, bool)>,
    /// This month's 学习之星 points, and whether they are the month's best.
    pub star_points: i64,
    pub is_star: bool,
    pub three_missed: bool,
    pub under_minimum: bool,
    /// For organisers: the tier the cadre could be promoted to now.
    pub candidate_for: Option<TierName>,
    pub viewer_organises: bool,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Groups {
    pub on_track: i64,
    pub at_risk: i64,
    pub behind: i64,
}

impl Groups {
    /// The outlook groups of a set of figures (met counts as on track there).
    pub fn of(f: &crate::domain::district::Figures) -> Groups {
        Groups {
            on_track: f.on_track,
            at_risk: f.at_risk,
            behind: f.behind,
        }
    }

    pub fn total(&self) -> i64 {
        self.on_track + self.at_risk + self.behind
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TierLine {
    pub tier: TierName,
    pub target: i64,
    pub groups: Groups,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CommunityLine {
    pub id: i64,
    pub name: String,
    pub groups: Groups,
}

/// A month's attendance rate across the school (present or late over expected, excused
/// left out); `None` for a month with no session held.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct TrendPoint {
    pub month: u32,
    pub percent: Option<i64>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CadreLine {
    pub person_id: i64,
    pub name: String,
    pub community: String,
    pub tier_zh: String,
    pub tier_en: String,
    pub outlook: Outlook,
    pub earned: StudyHours,
    pub owed: StudyHours,
    pub attendance_percent: Option<i64>,
    pub three_missed: bool,
    pub under_minimum: bool,
    pub candidate_for: Option<TierName>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Star {
    pub person_id: i64,
    pub name: String,
    pub community: String,
    pub points: i64,
}

/// Which cadres the dashboard lists below its tables.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Drill {
    /// A subdistrict the district's view drilled into.
    #[serde(default)]
    pub subdistrict: Option<i64>,
    pub tier: Option<i64>,
    pub community: Option<i64>,
    pub outlook: Option<Outlook>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DashboardData {
    pub year: i32,
    pub tiers: Vec<TierLine>,
    pub communities: Vec<CommunityLine>,
    pub trend: Vec<TrendPoint>,
    pub warnings: Vec<CadreLine>,
    pub warnings_total: usize,
    pub candidates: Vec<CadreLine>,
    pub stars: Vec<Star>,
    /// Organisers may switch the star of the month off (消息推送 on the settings page).
    #[serde(default)]
    pub star_of_month: bool,
    pub drill: Drill,
    pub list: Vec<CadreLine>,
    pub list_total: usize,
    /// Duty excusals (值班、防汛) per community and month of the year, by name.
    #[serde(default)]
    pub duty: Vec<DutyLine>,
}

/// A community's duty excusals in each month (January first).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DutyLine {
    pub community: String,
    pub months: Vec<i64>,
}

/// Rows shown at most in a list of the dashboard.
pub const LIST_LIMIT: usize = 100;

/// A cadre's own progress; organisers see anyone's with `person_id` (the drill-down and the
/// printable dossier).
#[server(endpoint = "progress_view")]
pub async fn progress_view(
    person_id: Option<i64>,
    year: Option<i32>,
) -> Result<ProgressData, AppError> {
    use crate::ssr::guard::{caller, finish, state};
    finish(
        async {
            let user = caller()?;
            let state = state()?;
            let repo = state.repo.clone();
            // An organiser reads the dossiers of the cadres their grants reach.
            let organiser = crate::ssr::access::organiser_if_any();
            let person_id = person_id.unwrap_or(user.account.person_id);
            let organises = match &organiser {
                Some(o) => o.person(repo.as_ref(), person_id).await.is_ok(),
                None => false,
            };
            if person_id != user.account.person_id && !organises {
                return Err(AppError::NotFound);
            }
            pages::progress_data(&state, person_id, year, organises).await
        }
        .await,
    )
}

/// The organisers' programme dashboard for a year.
#[server(endpoint = "programme_dashboard")]
pub async fn programme_dashboard(
    year: Option<i32>,
    tier: Option<i64>,
    community: Option<i64>,
    outlook: Option<String>,
    subdistrict: Option<i64>,
) -> Result<DashboardData, AppError> {
    use crate::ssr::guard::{finish, state};
    finish(
        async {
            let organiser = crate::ssr::access::organiser()?;
            let reach = organiser.narrowed(subdistrict)?;
            let drill = Drill {
                subdistrict,
                tier,
                community,
                outlook: outlook.as_deref().and_then(Outlook::parse),
            };
            pages::dashboard(&state()?, year, drill, reach.as_ref()).await
        }
        .await,
    )
}

/// Moves a cadre up to the next tier (or to any tier), with a note.
#[server(endpoint = "programme_promote")]
pub async fn promote(person_id: i64, tier_id: i64, note: String) -> Result<(), AppError> {
    use crate::domain::session_draft::Field;
    use crate::ssr::db::TierChange;
    use crate::ssr::guard::{finish, state};
    finish(
        async {
            let organiser = crate::ssr::access::organiser()?;
            let user = organiser.user();
            let repo = state()?.repo;
            // Who may, before what they typed: an out-of-reach id answers alike whatever
            // the note says.
            organiser.programme_person(repo.as_ref(), person_id).await?;
            let note = crate::domain::session_draft::text_between(&note, 0, 500, Field::Note)?;
            let tiers = repo.tier_plans().await?;
            let now = Timestamp::now();
            let current = repo
                .programme_cadres(Some(person_id), None)
                .await?
                .pop()
                .ok_or(AppError::NotFound)?;
            let rank = |id: Option<i64>| {
                tiers
                    .iter()
                    .find(|t| Some(t.tier.id) == id)
                    .map(|t| t.tier.rank)
            };
            let to = rank(Some(tier_id)).ok_or_else(|| {
                AppError::field(
                    Field::Tier,
                    crate::domain::session_draft::Problem::NotAllowed,
                )
            })?;
            let change =
                crate::domain::people::TierChangeKind::between(rank(current.tier_id), to);
            let line = crate::ssr::audit::with_detail(
                crate::ssr::audit::by(
                    user,
                    crate::domain::audit::AuditKind::Promoted,
                    crate::domain::audit::AuditOutcome::Ok,
                    &format!("person:{person_id}"),
                ),
                serde_json::json!({ "change": change.code(), "from": current.tier_id, "to": tier_id }),
            );
            let changed = repo
                .change_tier(
                    person_id,
                    &TierChange::new(change, Some(tier_id), now, &note),
                    user.account.person_id,
                    now,
                    &line,
                )
                .await?;
            if changed {
                Ok(())
            } else {
                Err(AppError::NotFound)
            }
        }
        .await,
    )
}

/// Accepts a reflection: it then counts towards the tier's reflections and the star of the
/// month. The session's lecturers and organisers may.
#[server(endpoint = "reflection_accept")]
pub async fn accept_reflection(session_id: i64, reflection_id: i64) -> Result<(), AppError> {
    use crate::ssr::access::{Need, caller_stance as caller_access};
    use crate::ssr::guard::finish;
    finish(
        async {
            let (_, repo, _) = caller_access(session_id, Need::Edit).await?;
            let belongs = repo
                .reflection(reflection_id)
                .await?
                .is_some_and(|r| r.session_id == session_id);
            if !belongs
                || !repo
                    .accept_reflection(reflection_id, Timestamp::now())
                    .await?
            {
                return Err(AppError::NotFound);
            }
            Ok(())
        }
        .await,
    )
}

/// The tier requirements page.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PlansData {
    pub holders: crate::api::settings::Holders,
    pub tiers: Vec<(TierName, crate::domain::tier_plan::TierForm)>,
    pub themes: Vec<TierName>,
    pub late_share: String,
    pub lecturing_share: String,
}

/// The settings keys of the tier requirements page.
#[cfg(feature = "ssr")]
const CREDIT_KEYS: [&str; 2] = [
    crate::domain::settings::LATE_SHARE_KEY,
    crate::domain::settings::LECTURING_SHARE_KEY,
];

/// The tiers' targets and requirements and the credit shares of the district, or of a
/// subdistrict (`unit`): the district's where it set none of its own.
#[server(endpoint = "programme_plans")]
pub async fn programme_plans(
    #[server(default)] unit: Option<String>,
) -> Result<PlansData, AppError> {
    use crate::domain::tier_plan::TierForm;
    use crate::ssr::guard::{finish, state};
    finish(
        async {
            let (_, holder, mut holders) = crate::api::settings::holder(unit.as_deref()).await?;
            let repo = state()?.repo;
            let sub = holder.subdistrict();
            let book = repo.setting_book().await?;
            holders.mark_own(holder, &book, &CREDIT_KEYS);
            let credits = book.credits(sub);
            let own = repo.subdistrict_tier_plans().await?;
            holders.own = holders.own || own.iter().any(|(s, _)| Some(*s) == sub);
            let plans = crate::ssr::progress::plans_in(&repo.tier_plans().await?, &own, sub);
            Ok(PlansData {
                holders,
                tiers: plans
                    .into_iter()
                    .map(|t| {
                        let form = TierForm::of(t.tier.id, t.tier.target_count, &t.requirements);
                        (
                            TierName {
                                id: t.tier.id,
                                name_zh: t.tier.name_zh,
                                name_en: t.tier.name_en,
                            },
                            form,
                        )
                    })
                    .collect(),
                themes: repo
                    .themes()
                    .await?
                    .into_iter()
                    .filter(|t| t.offered_for(sub))
                    .map(|t| TierName {
                        id: t.id,
                        name_zh: t.name_zh,
                        name_en: t.name_en,
                    })
                    .collect(),
                late_share: credits.late.display(),
                lecturing_share: credits.lecturing.display(),
            })
        }
        .await,
    )
}

/// Saves a tier's target head-count and yearly requirements for the district, or a
/// subdistrict's own (`unit`).
#[server(endpoint = "programme_tier_save")]
pub async fn save_tier(
    form: crate::domain::tier_plan::TierForm,
    #[server(default)] unit: Option<String>,
) -> Result<(), AppError> {
    use crate::domain::audit::{AuditKind, AuditOutcome};
    use crate::domain::settings::RuleHolder;
    use crate::ssr::guard::{finish, state};
    finish(
        async {
            let (organiser, holder, _) = crate::api::settings::holder(unit.as_deref()).await?;
            let (target, req) = form.check().map_err(AppError::Form)?;
            let repo = state()?.repo;
            let offered: Vec<i64> = repo
                .themes()
                .await?
                .into_iter()
                .filter(|t| t.offered_for(holder.subdistrict()))
                .map(|t| t.id)
                .collect();
            if req.themes.iter().any(|t| !offered.contains(t)) {
                return Err(AppError::field(
                    crate::domain::session_draft::Field::Theme,
                    crate::domain::session_draft::Problem::NotAllowed,
                ));
            }
            let line = crate::ssr::audit::with_detail(
                crate::ssr::audit::by(
                    organiser.user(),
                    AuditKind::TierRequirementsChanged,
                    AuditOutcome::Ok,
                    &format!("tier:{}", form.tier_id),
                ),
                serde_json::json!({
                    "holder": holder.token(),
                    "target": target,
                    "hours": req.hours.0,
                    "attendance_percent": req.min_attendance_percent,
                    "reflections": req.reflections,
                    "teaching": req.teaching,
                    "themes": req.themes,
                }),
            );
            let now = Timestamp::now();
            let saved = match holder {
                RuleHolder::District => {
                    repo.save_tier_plan(form.tier_id, target, &req, now, Some(&line))
                        .await?
                }
                RuleHolder::Subdistrict(sub) => {
                    repo.save_subdistrict_tier_plan(sub, form.tier_id, target, &req, now, &line)
                        .await?
                }
            };
            if saved {
                Ok(())
            } else {
                Err(AppError::NotFound)
            }
        }
        .await,
    )
}

/// Saves the shares of the hours that late arrival and lecturing earn, for the district or
/// a subdistrict (`unit`).
#[server(endpoint = "programme_credits_save")]
pub async fn save_credits(
    late_share: String,
    lecturing_share: String,
    #[server(default)] unit: Option<String>,
) -> Result<(), AppError> {
    use crate::domain::session_draft::{Field, Problem};
    use crate::domain::settings::{LATE_SHARE_KEY, LECTURING_SHARE_KEY};
    use crate::ssr::guard::{finish, state};
    finish(
        async {
            let (organiser, holder, _) = crate::api::settings::holder(unit.as_deref()).await?;
            let [late, lecturing] = crate::api::settings::read_shares(
                [
                    (&late_share, Field::LateShare),
                    (&lecturing_share, Field::LecturingShare),
                ],
                Problem::NotANumber,
            )?;
            state()?
                .repo
                .save_settings(
                    holder,
                    &[
                        (LATE_SHARE_KEY, late.display()),
                        (LECTURING_SHARE_KEY, lecturing.display()),
                    ],
                    Timestamp::now(),
                    &crate::api::settings::settings_line(&organiser, holder),
                )
                .await?;
            Ok(())
        }
        .await,
    )
}

/// Forgets a subdistrict's own tier plans and credit shares: the district's apply again.
#[server(endpoint = "programme_plans_reset")]
pub async fn reset_plans(unit: String) -> Result<(), AppError> {
    use crate::domain::audit::{AuditKind, AuditOutcome};
    use crate::ssr::guard::{finish, state};
    finish(
        async {
            let (organiser, holder, _) = crate::api::settings::holder(Some(&unit)).await?;
            let Some(sub) = holder.subdistrict() else {
                return Err(AppError::NotFound);
            };
            let repo = state()?.repo;
            let line = crate::ssr::audit::by(
                organiser.user(),
                AuditKind::TierRequirementsChanged,
                AuditOutcome::Ok,
                &holder.token(),
            );
            repo.clear_subdistrict_tier_plans(sub, &CREDIT_KEYS, &line)
                .await?;
            Ok(())
        }
        .await,
    )
}

#[cfg(feature = "ssr")]
mod pages;
#[cfg(feature = "ssr")]
pub use pages::progress_data;
