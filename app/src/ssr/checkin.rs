//! The check-in flow at the door: a scanned token or a typed code, checked for the cadre
//! and the session, recorded through the door's writer (`door`).
use axum::Extension;
use axum::extract::{Form, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::audit;
use super::db::{
    AuditLine, Checkin, CheckinResult, DoorSession, RepoResult, RulesStore, SecurityStore,
    WalkInClaim,
};
use super::door::DoorKey;
use super::security::RequestMeta;
use super::state::AppState;
use super::user::CurrentUser;
use crate::domain::attendance::{DoorOutcome, checkin_replaces, checkin_status, normalise_code};
use crate::domain::audit::{AuditKind, AuditOutcome};
use crate::domain::network::{Network, parse_networks};
use crate::domain::throttle::{self, Verdict};
use crate::domain::{Role, Timestamp};

/// What a check-in attempt comes to.
#[derive(Clone, Debug, PartialEq)]
pub struct Attempt {
    pub session: Option<DoorSession>,
    pub outcome: DoorOutcome,
}

/// What the door asks for: a scanned token, or a typed code for a chosen session.
#[derive(Clone, Copy, Debug, Default)]
pub struct Ask<'a> {
    pub token: Option<&'a str>,
    pub code: Option<&'a str>,
    /// The session the cadre picked for a typed code.
    pub session: Option<i64>,
}

pub use crate::domain::settings::{CONFIRM_WALK_INS_SETTING, VENUE_NETWORKS_SETTING};

/// Whether walk-ins at a session of the subdistrict (`None`: the district's) wait for an
/// organiser (the default) before they earn hours.
pub async fn walk_ins_need_confirming(
    repo: &dyn RulesStore,
    subdistrict: Option<i64>,
) -> RepoResult<bool> {
    Ok(repo
        .setting_in(subdistrict, CONFIRM_WALK_INS_SETTING)
        .await?
        .is_none_or(|v| v != "0"))
}

/// The venue's networks of the subdistrict (`None`: the district's) as configured (none:
/// no address is noted as outside).
pub async fn venue_networks(
    repo: &dyn RulesStore,
    subdistrict: Option<i64>,
) -> RepoResult<Vec<Network>> {
    let text = repo
        .setting_in(subdistrict, VENUE_NETWORKS_SETTING)
        .await?
        .unwrap_or_default();
    Ok(parse_networks(&text).unwrap_or_default())
}

async fn log(repo: &dyn SecurityStore, line: AuditLine) {
    if let Err(err) = repo.audit(&line).await {
        tracing::error!(error = %err, "audit line not written");
    }
}

/// Runs the door's checks for `user` and, when `commit`, records the check-in. Only a
/// cadre gets past the first step; a typed code is checked against the one session it is
/// typed for, after the try is counted; a walk-in waits for an organiser.
pub async fn attempt(
    state: &AppState,
    user: &CurrentUser,
    meta: &RequestMeta,
    ask: Ask<'_>,
    commit: bool,
) -> RepoResult<Attempt> {
    let now = Timestamp::now();
    let repo = state.repo.as_ref();
    let refused = |session, outcome| Ok(Attempt { session, outcome });
    // The role first: a non-cadre learns nothing about any code.
    if !user.account.roles.has(Role::Cadre) {
        return refused(None, DoorOutcome::NotCadre);
    }
    let line = |kind, target: &str| {
        audit::from_meta(
            meta,
            Some(user.account.id),
            kind,
            AuditOutcome::Refused,
            target,
        )
    };
    let session_id = match (ask.token.filter(|t| !t.trim().is_empty()), ask.code) {
        (Some(token), _) => match match DoorKey::session_named(token) {
            Some(id) => state.door.key_for(repo, id).await?,
            None => state.door.key.clone(),
        }
        .verify(token, now)
        {
            Ok(id) => id,
            Err(DoorOutcome::Forged) => {
                // A made-up token cannot be guessed (96-bit MAC), but it is on record.
                log(repo, line(AuditKind::DoorForged, "")).await;
                return refused(None, DoorOutcome::Forged);
            }
            Err(outcome) => return refused(None, outcome),
        },
        (None, Some(code)) => {
            let session_id = match ask.session {
                Some(id) => id,
                None => {
                    let doors = repo.open_doors(now).await?;
                    match doors.as_slice() {
                        [only] => only.id,
                        [] => return refused(None, DoorOutcome::WrongCode),
                        _ => return refused(None, DoorOutcome::ChooseSession),
                    }
                }
            };
            let buckets = [
                (
                    format!("door-account:{}", user.account.id),
                    throttle::DOOR_PER_ACCOUNT,
                ),
                (
                    format!("door-addr:{}", meta.address),
                    throttle::DOOR_PER_ADDRESS,
                ),
            ];
            let (verdict, tries, worth_logging) =
                super::auth::count_try(state, &buckets, now).await?;
            let target = format!("session:{session_id}");
            if let Verdict::Wait(_) = verdict {
                if worth_logging {
                    log(repo, line(AuditKind::DoorThrottled, &target)).await;
                }
                return refused(None, DoorOutcome::TooManyTries);
            }
            let key = state.door.key_for(repo, session_id).await?;
            let right =
                normalise_code(code).is_some_and(|code| key.code_matches(session_id, &code, now));
            if !right {
                log(repo, line(AuditKind::DoorWrongCode, &target)).await;
                return refused(None, DoorOutcome::WrongCode);
            }
            super::auth::forgive(state, &buckets, &tries, &[]).await?;
            session_id
        }
        (None, None) => return refused(None, DoorOutcome::Forged),
    };
    let person_id = user.account.person_id;
    let Some((session, in_audience)) = repo.door_for(session_id, person_id).await? else {
        return refused(None, DoorOutcome::Forged);
    };
    if session.cancelled {
        return refused(Some(session), DoorOutcome::Cancelled);
    }
    let status = match checkin_status(now, session.starts_at, session.ends_at, session.rules) {
        Ok(status) => status,
        Err(closed) => return refused(Some(session), closed.into()),
    };
    if !commit {
        let existing = repo.attendance_of(session.id, person_id).await?;
        let outcome = if checkin_replaces(existing.map(|e| e.0)) {
            DoorOutcome::Ready
        } else {
            DoorOutcome::Already
        };
        return refused(Some(session), outcome);
    }
    let source = if ask.token.is_some() { "qr" } else { "code" };
    let walk_in = !in_audience;
    if walk_in
        && walk_ins_need_confirming(repo, repo.session_subdistrict(session.id).await?.flatten())
            .await?
    {
        let existing = repo.attendance_of(session.id, person_id).await?;
        if !checkin_replaces(existing.map(|e| e.0)) {
            return refused(Some(session), DoorOutcome::Already);
        }
        repo.claim_walk_in(&WalkInClaim {
            session_id: session.id,
            person_id,
            name: String::new(),
            community: String::new(),
            status,
            source: source.to_string(),
            at: now,
            address: meta.address.clone(),
            user_agent: meta.user_agent.clone(),
            device: meta.device.clone(),
        })
        .await?;
        return refused(Some(session), DoorOutcome::AwaitingConfirmation);
    }
    let result = state
        .door
        .writer
        .submit(Checkin {
            session_id: session.id,
            person_id,
            status,
            walk_in,
            source,
            at: now,
            address: meta.address.clone(),
            user_agent: meta.user_agent.clone(),
            device: meta.device.clone(),
        })
        .await?;
    let outcome = match result {
        CheckinResult::Recorded(_) if walk_in => DoorOutcome::WalkIn,
        CheckinResult::Recorded(_) => DoorOutcome::Recorded,
        CheckinResult::Already(_) => DoorOutcome::Already,
    };
    Ok(Attempt {
        session: Some(session),
        outcome,
    })
}

#[derive(Deserialize)]
pub struct CheckinForm {
    #[serde(default)]
    token: Option<String>,
    #[serde(default)]
    code: Option<String>,
    #[serde(default)]
    session: Option<String>,
}

/// `POST /door/checkin`: the one tap at the door (a plain form; no JavaScript needed). Answers
/// with a redirect to the result page; anonymous callers go to the login form first and
/// come back to the same check-in.
pub async fn check_in(
    State(state): State<AppState>,
    user: Option<Extension<CurrentUser>>,
    meta: Option<Extension<RequestMeta>>,
    Form(form): Form<CheckinForm>,
) -> Response {
    let token = form.token.as_deref().filter(|t| !t.trim().is_empty());
    let Some(Extension(user)) = user else {
        let back = match token {
            Some(t) => format!("/c/{}", t.trim()),
            None => "/checkin".to_string(),
        };
        let query = serde_urlencoded::to_string([("next", back)]).unwrap_or_default();
        return Redirect::to(&format!("/login?{query}")).into_response();
    };
    let meta = meta.map(|m| m.0).unwrap_or_default();
    let ask = Ask {
        token,
        code: form.code.as_deref(),
        session: form.session.as_deref().and_then(|s| s.trim().parse().ok()),
    };
    match attempt(&state, &user, &meta, ask, true).await {
        Ok(a) => {
            let mut query = vec![("outcome", a.outcome.as_str().to_string())];
            if let Some(s) = &a.session {
                query.push(("session", s.id.to_string()));
            }
            let query = serde_urlencoded::to_string(query).unwrap_or_default();
            Redirect::to(&format!("/checkin/done?{query}")).into_response()
        }
        Err(err) => {
            tracing::error!(error = %err, "check-in failed");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                "check-in failed, please try again / 签到失败，请重试",
            )
                .into_response()
        }
    }
}
