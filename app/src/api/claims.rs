//! 外部学时申报: a cadre's claims of study hours earned elsewhere, with the conversion table
//! and the tier's rule for them; the organisers of the cadre's scope approve them, or decline
//! with a reason the cadre sees (and is told in the inbox).
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::domain::Timestamp;
use crate::domain::claims::{ClaimMode, Conversion, Elsewhere};
use crate::domain::hours::StudyHours;
use crate::error::AppError;

/// Claims a list shows.
pub const LIST_LIMIT: i64 = 200;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ClaimItem {
    pub id: i64,
    pub person_id: i64,
    pub person: String,
    pub community: String,
    pub training: String,
    pub organiser: String,
    pub from: String,
    pub to: String,
    pub mode: Option<ClaimMode>,
    /// The conversion line and units, when the hours came from the table.
    pub conversion: Option<(String, i64)>,
    pub hours: StudyHours,
    pub file_name: String,
    /// `pending`, `approved` or `declined`.
    pub state: String,
    pub reason: String,
    pub decided_by: String,
    pub decided_at: Option<Timestamp>,
    pub created_at: Timestamp,
}

/// A cadre's own claims, with what the form offers and what their tier allows.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ClaimsOfMine {
    pub claims: Vec<ClaimItem>,
    pub conversions: Vec<Conversion>,
    /// The rule of the cadre's tier now (`NotCounted` for someone outside the programme).
    pub rule: Elsewhere,
    /// This year's hours claimed: approved, and waiting for a decision.
    pub claimed: (StudyHours, StudyHours),
}

#[cfg(feature = "ssr")]
pub(crate) fn item(row: crate::ssr::db::ClaimRow) -> ClaimItem {
    ClaimItem {
        id: row.id,
        person_id: row.person_id,
        person: row.person,
        community: row.community,
        training: row.training,
        organiser: row.organiser,
        from: row.from_day,
        to: row.to_day,
        mode: ClaimMode::parse(&row.mode),
        conversion: row
            .units
            .filter(|_| !row.conversion.is_empty())
            .map(|u| (row.conversion, u)),
        hours: StudyHours(row.hours),
        file_name: row.file_name,
        state: row.state,
        reason: row.reason,
        decided_by: row.decided_by,
        decided_at: row.decided_at.map(Timestamp),
        created_at: Timestamp(row.created_at),
    }
}

/// The caller's claims, the conversion table and their tier's rule.
#[server(endpoint = "claims_mine")]
pub async fn my_claims() -> Result<ClaimsOfMine, AppError> {
    use crate::ssr::guard::{caller, finish, state};
    finish(
        async {
            let me = caller()?;
            let repo = state()?.repo;
            let person = me.account.person_id;
            let year = crate::ssr::progress::this_year(Timestamp::now());
            Ok(ClaimsOfMine {
                claims: repo
                    .claims_of(person)
                    .await?
                    .into_iter()
                    .map(item)
                    .collect(),
                conversions: repo.conversions(false).await?,
                rule: crate::ssr::claims::rule_of(repo.as_ref(), person).await?,
                claimed: repo.claimed_hours(person, year).await?,
            })
        }
        .await,
    )
}

/// The claims of the cadres in the organiser's reach, waiting ones first.
#[server(endpoint = "claims_desk")]
pub async fn claims_desk() -> Result<Vec<ClaimItem>, AppError> {
    use crate::ssr::guard::{finish, state};
    finish(
        async {
            let organiser = crate::ssr::access::organiser()?;
            let repo = state()?.repo;
            Ok(repo
                .claims_within(organiser.people(), LIST_LIMIT)
                .await?
                .into_iter()
                .map(item)
                .collect())
        }
        .await,
    )
}

/// Approves a waiting claim (`approve` set), or declines it with a reason of 2–200
/// characters; the cadre is told. A claim decided already answers 409.
#[server(endpoint = "claim_decide")]
pub async fn decide_claim(
    id: i64,
    #[server(default)] approve: Option<String>,
    #[server(default)] reason: String,
) -> Result<(), AppError> {
    use crate::domain::claims::decline_reason;
    use crate::error::Conflict;
    use crate::ssr::guard::{finish, state};
    finish(
        async {
            let organiser = crate::ssr::access::organiser()?;
            let state = state()?;
            let repo = state.repo.clone();
            let claim = repo.claim(id).await?.ok_or(AppError::NotFound)?;
            organiser.person(repo.as_ref(), claim.person_id).await?;
            let approve = approve.is_some();
            let reason = if approve {
                reason.trim().chars().take(200).collect()
            } else {
                decline_reason(&reason)?
            };
            if repo
                .decide_claim(
                    id,
                    approve,
                    &reason,
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

/// The conversion table as organisers see it, retired lines included.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ConversionLines {
    pub lines: Vec<Conversion>,
    /// The table is one for the whole install: organisers of the district (or of the whole
    /// install) keep it, the others read it.
    pub may_edit: bool,
}

/// The conversion table, for organisers.
#[server(endpoint = "claims_conversions")]
pub async fn conversion_table() -> Result<ConversionLines, AppError> {
    use crate::ssr::guard::{finish, state};
    finish(
        async {
            let organiser = crate::ssr::access::organiser()?;
            let repo = state()?.repo;
            Ok(ConversionLines {
                lines: repo.conversions(true).await?,
                may_edit: organiser.holds_district(),
            })
        }
        .await,
    )
}

/// Adds a line to the conversion table (`id` 0) or changes one, retiring it with
/// `retired`; organisers of the district only. Every change is in the audit log.
#[server(endpoint = "claims_conversion_save")]
pub async fn save_conversion(
    #[server(default)] id: i64,
    name_zh: String,
    #[server(default)] name_en: String,
    hours: String,
    #[server(default)] retired: Option<String>,
) -> Result<(), AppError> {
    use crate::domain::audit::{AuditKind, AuditOutcome};
    use crate::domain::claims::ConversionForm;
    use crate::ssr::guard::{finish, state};
    finish(
        async {
            let organiser = crate::ssr::access::organiser()?;
            organiser.keeps_district_tables("conversion table")?;
            let line = ConversionForm {
                name_zh,
                name_en,
                hours,
                retired: retired.is_some(),
            }
            .check(id.max(0))
            .map_err(AppError::Form)?;
            let audit = crate::ssr::audit::with_detail(
                crate::ssr::audit::by(
                    organiser.user(),
                    AuditKind::ConversionsChanged,
                    AuditOutcome::Ok,
                    &if line.id > 0 {
                        format!("conversion:{}", line.id)
                    } else {
                        "conversion:new".to_string()
                    },
                ),
                serde_json::json!({
                    "name_zh": line.name_zh,
                    "name_en": line.name_en,
                    "hours": line.hours.0,
                    "retired": line.retired,
                }),
            );
            let repo = state()?.repo;
            repo.save_conversion(&line, &audit, Timestamp::now())
                .await?
                .map(|_| ())
                .ok_or(AppError::NotFound)
        }
        .await,
    )
}
