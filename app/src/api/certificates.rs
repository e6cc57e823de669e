//! Certificates (结业证书、年度学时达标证书) and annual dossiers: a cadre's own list, the
//! organisers' list of their reach with revocation (with a reason the holder is told), the
//! look that issues what was earned at once, and the public verification of a serial, which
//! tells only the name, the programme, the year, the hours and whether it was revoked.
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::domain::Timestamp;
use crate::domain::certificates::{CertificateKind, Verdict};
use crate::domain::hours::StudyHours;
use crate::error::AppError;

/// Certificates a list shows.
pub const LIST_LIMIT: i64 = 300;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CertificateItem {
    pub id: i64,
    pub serial: String,
    pub kind: CertificateKind,
    pub person_id: i64,
    pub name: String,
    pub community: String,
    pub year: i64,
    pub programme: String,
    pub hours: StudyHours,
    pub issued_at: Timestamp,
    pub revoked_at: Option<Timestamp>,
    /// Why it was revoked (the holder and the organisers see it; the public page does not).
    pub reason: String,
    pub revoked_by: String,
}

#[cfg(feature = "ssr")]
fn item(row: crate::ssr::db::CertificateRow) -> CertificateItem {
    CertificateItem {
        id: row.id,
        kind: row.kind(),
        serial: row.serial,
        person_id: row.person_id,
        name: row.name,
        community: row.community,
        year: row.year,
        programme: row.programme,
        hours: StudyHours(row.hours),
        issued_at: Timestamp(row.issued_at),
        revoked_at: row.revoked_at.map(Timestamp),
        reason: row.revoke_reason.unwrap_or_default(),
        revoked_by: row.revoked_by,
    }
}

/// One person's certificates and dossiers.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CertificateList {
    pub person_id: i64,
    pub items: Vec<CertificateItem>,
    /// This year, for the dossier form.
    pub year: i32,
    /// The caller may revoke them (an organiser of the holder's reach).
    pub may_revoke: bool,
}

/// The caller's certificates, or (`person_id`, for organisers) a cadre's in their reach.
#[server(endpoint = "certificates_of")]
pub async fn certificates_of(
    #[server(default)] person_id: Option<i64>,
) -> Result<CertificateList, AppError> {
    use crate::ssr::guard::{caller, finish, state};
    finish(
        async {
            let me = caller()?;
            let repo = state()?.repo;
            let person = person_id.unwrap_or(me.account.person_id);
            let organiser = crate::ssr::access::organiser_if_any();
            let may_revoke = match &organiser {
                Some(o) => o.person(repo.as_ref(), person).await.is_ok(),
                None => false,
            };
            if person != me.account.person_id && !may_revoke {
                return Err(AppError::NotFound);
            }
            Ok(CertificateList {
                person_id: person,
                items: repo
                    .certificates_of(person)
                    .await?
                    .into_iter()
                    .map(item)
                    .collect(),
                year: crate::ssr::progress::this_year(Timestamp::now()),
                may_revoke,
            })
        }
        .await,
    )
}

/// The organisers' list.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CertificateDesk {
    pub year: Option<i32>,
    pub kind: Option<CertificateKind>,
    pub items: Vec<CertificateItem>,
    /// Only the newest [`LIST_LIMIT`] are listed.
    pub limited: bool,
}

/// Certificates of the cadres in the organiser's reach, newest first, of a year and kind
/// when given.
#[server(endpoint = "certificates_desk")]
pub async fn certificates_desk(
    #[server(default)] year: Option<i32>,
    #[server(default)] kind: Option<String>,
) -> Result<CertificateDesk, AppError> {
    use crate::ssr::guard::{finish, state};
    finish(
        async {
            let organiser = crate::ssr::access::organiser()?;
            let repo = state()?.repo;
            let kind = kind
                .as_deref()
                .filter(|k| !k.is_empty())
                .and_then(CertificateKind::parse);
            let rows = repo
                .certificates_within(
                    organiser.people(),
                    year.map(i64::from),
                    kind,
                    LIST_LIMIT + 1,
                )
                .await?;
            let limited = rows.len() as i64 > LIST_LIMIT;
            Ok(CertificateDesk {
                year,
                kind,
                items: rows
                    .into_iter()
                    .take(LIST_LIMIT as usize)
                    .map(item)
                    .collect(),
                limited,
            })
        }
        .await,
    )
}

/// Revokes a certificate of a cadre in the organiser's reach, with a reason of 2–200
/// characters; the holder is told, the audit log keeps it, and the verification page says
/// it was revoked. One revoked already answers 409.
#[server(endpoint = "certificate_revoke")]
pub async fn revoke_certificate(id: i64, reason: String) -> Result<(), AppError> {
    use crate::domain::audit::{AuditKind, AuditOutcome};
    use crate::domain::certificates::REASON_CHARS;
    use crate::domain::session_draft::{Field, text_between};
    use crate::error::Conflict;
    use crate::ssr::guard::{finish, state};
    finish(
        async {
            let organiser = crate::ssr::access::organiser()?;
            let state = state()?;
            let repo = state.repo.clone();
            let c = repo
                .certificate_by_id(id)
                .await?
                .ok_or(AppError::NotFound)?;
            organiser.person(repo.as_ref(), c.person_id).await?;
            let reason = text_between(
                &reason,
                *REASON_CHARS.start(),
                *REASON_CHARS.end(),
                Field::Reason,
            )?;
            let audit = crate::ssr::audit::with_detail(
                crate::ssr::audit::by(
                    organiser.user(),
                    AuditKind::CertificateRevoked,
                    AuditOutcome::Ok,
                    &format!("person:{}", c.person_id),
                ),
                serde_json::json!({ "serial": c.serial, "reason": reason }),
            );
            if repo
                .revoke_certificate(
                    id,
                    &reason,
                    organiser.user().account.person_id,
                    &state.outbox.channels(),
                    &audit,
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

/// Looks for certificates earned and not issued yet (a series over, a tier's year met) at
/// once, instead of at the worker's next look; how many it issued.
#[server(endpoint = "certificates_issue")]
pub async fn issue_certificates() -> Result<usize, AppError> {
    use crate::ssr::guard::{finish, state};
    finish(
        async {
            crate::ssr::access::organiser()?;
            let state = state()?;
            let issued = crate::ssr::outbox::certificates::issue_due(
                state.repo.as_ref(),
                &state.standings,
                &state.outbox.channels(),
                Timestamp::now(),
            )
            .await?;
            if !issued.is_empty() {
                state.outbox.wake();
            }
            Ok(issued.len())
        }
        .await,
    )
}

/// What the public verification page shows: no more than the certificate says.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Verification {
    /// The serial as typed, or as read back when it is one.
    pub serial: String,
    pub verdict: Verdict,
    pub kind: Option<CertificateKind>,
    pub name: String,
    pub programme: String,
    pub year: i64,
    pub hours: StudyHours,
}

/// Verifies a serial, for anyone (no sign-in): the name, programme, year and hours of the
/// certificate and whether it was revoked, or that no certificate has it. Lookups are
/// counted per address; an unknown serial of the right shape is written to the audit log.
#[server(endpoint = "certificate_verify")]
pub async fn verify_certificate(serial: String) -> Result<Verification, AppError> {
    use crate::domain::audit::{AuditKind, AuditOutcome};
    use crate::domain::certificates::Serial;
    use crate::domain::throttle::{self, Verdict as Throttle};
    use crate::ssr::guard::{finish, state};
    finish(
        async {
            let state = state()?;
            let repo = state.repo.clone();
            let meta = crate::ssr::security::request_meta();
            let now = Timestamp::now();
            let typed: String = serial.trim().chars().take(40).collect();
            let buckets = [(
                format!("verify-addr:{}", meta.address),
                throttle::VERIFY_PER_ADDRESS,
            )];
            let line = |kind| {
                crate::ssr::audit::from_meta(&meta, None, kind, AuditOutcome::Refused, &typed)
            };
            let (verdict, tries, worth_logging) =
                crate::ssr::auth::count_try(&state, &buckets, now).await?;
            if let Throttle::Wait(secs) = verdict {
                if worth_logging {
                    let _ = repo.audit(&line(AuditKind::CertificateThrottled)).await;
                }
                return Err(AppError::TooManyTries(throttle::wait_minutes(secs)));
            }
            let empty = |verdict| Verification {
                serial: typed.clone(),
                verdict,
                kind: None,
                name: String::new(),
                programme: String::new(),
                year: 0,
                hours: StudyHours(0),
            };
            let Ok(parsed) = Serial::parse(&typed) else {
                return Ok(empty(Verdict::Malformed));
            };
            let Some(c) = repo.certificate(parsed.as_str()).await? else {
                tracing::warn!(serial = %parsed, "unknown certificate serial looked up");
                if let Err(err) = repo.audit(&line(AuditKind::CertificateUnknown)).await {
                    tracing::error!(error = %err, "audit line not written");
                }
                return Ok(Verification {
                    serial: parsed.to_string(),
                    ..empty(Verdict::Unknown)
                });
            };
            crate::ssr::auth::forgive(&state, &buckets, &tries, &[]).await?;
            Ok(Verification {
                serial: c.serial.clone(),
                verdict: match c.revoked_at {
                    Some(at) => Verdict::Revoked { at },
                    None => Verdict::Valid,
                },
                kind: Some(c.kind()),
                name: c.name,
                programme: c.programme,
                year: c.year,
                hours: StudyHours(c.hours),
            })
        }
        .await,
    )
}
