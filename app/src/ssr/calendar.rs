//! `.ics` downloads: one session for a phone's calendar app.
use axum::extract::{Path, Request, State};
use axum::http::StatusCode;
use axum::http::header::{CACHE_CONTROL, CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};

use super::state::AppState;
use super::user::CurrentUser;
use crate::domain::ical;

/// Event UIDs are `session-<id>@` this: the same session keeps the same UID in every file.
pub const UID_HOST: &str = "nightschool";

/// `GET /sessions/{id}/calendar.ics` for organisers, the session's lecturers and the cadres
/// in its audience. A cancelled session downloads as a cancelled event.
pub async fn session_ics(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    req: Request,
) -> Response {
    let Some(user) = req.extensions().get::<CurrentUser>() else {
        return (StatusCode::UNAUTHORIZED, "请先登录 / please sign in").into_response();
    };
    match session_calendar(&state, user, id).await {
        Ok(Some(body)) => (
            [
                (CONTENT_TYPE, "text/calendar; charset=utf-8".to_string()),
                (
                    CONTENT_DISPOSITION,
                    format!("attachment; filename=\"session-{id}.ics\""),
                ),
                (CACHE_CONTROL, "private, no-store".to_string()),
            ],
            body,
        )
            .into_response(),
        // Not found and not allowed look the same: the id reveals nothing.
        Ok(None) => (StatusCode::NOT_FOUND, "找不到该课程 / no such session").into_response(),
        Err(err) => {
            tracing::error!(error = %err, "calendar download failed");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

async fn session_calendar(
    state: &AppState,
    user: &CurrentUser,
    id: i64,
) -> Result<Option<String>, super::db::RepoError> {
    let repo = &state.repo;
    let Some(event) = repo.calendar_event(id).await? else {
        return Ok(None);
    };
    // The same rule as the session page (a database failure is logged where it happens).
    if super::access::stance(user, repo.as_ref(), id)
        .await
        .is_err()
    {
        return Ok(None);
    }
    let name = event.title.clone();
    let alarm = alarm_of(repo.as_ref(), user.account.id).await?;
    Ok(Some(ical::calendar(&name, UID_HOST, &[event], alarm)))
}

/// How long before a session the account's events remind: its own choice, else the default.
pub async fn alarm_of(
    repo: &dyn super::db::Repository,
    account_id: i64,
) -> Result<i64, super::db::RepoError> {
    Ok(repo
        .calendar_alarm(account_id)
        .await?
        .unwrap_or(ical::DEFAULT_ALARM_MINUTES))
}

/// How far back and ahead a subscribed feed reaches.
const FEED_PAST_SECS: i64 = 92 * 24 * 3600;
const FEED_AHEAD_SECS: i64 = 400 * 24 * 3600;

/// `GET /feeds/{secret}.ics`: the person's sessions for calendar apps, which cannot sign in;
/// the secret in the address is the key. Unknown, revoked and disabled all answer 404.
pub async fn feed_ics(State(state): State<AppState>, Path(file): Path<String>) -> Response {
    let Some(token) = file.strip_suffix(".ics").filter(|t| !t.is_empty()) else {
        return (StatusCode::NOT_FOUND, "no such feed").into_response();
    };
    match feed_calendar(&state, token).await {
        Ok(Some(body)) => (
            [
                (CONTENT_TYPE, "text/calendar; charset=utf-8"),
                (CACHE_CONTROL, "private, no-store"),
            ],
            body,
        )
            .into_response(),
        Ok(None) => (StatusCode::NOT_FOUND, "no such feed").into_response(),
        Err(err) => {
            tracing::error!(error = %err, "calendar feed failed");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

async fn feed_calendar(state: &AppState, token: &str) -> crate::error::AppResult<Option<String>> {
    let repo = &state.repo;
    let Some(account_id) = repo
        .calendar_feed_account(&super::tokens::hash_token(token))
        .await?
    else {
        return Ok(None);
    };
    let Some(account) = repo.account(account_id).await? else {
        return Ok(None);
    };
    let name = format!("夜校 · {}", account.display_name);
    let grants = super::grants::grants_of(repo.as_ref(), &account).await?;
    let member = repo.member(account.person_id).await?;
    let user = CurrentUser {
        account,
        grants,
        member,
        token_hash: String::new(),
        enrolling: false,
    };
    let scope = super::access::scope_of(&user)?;
    let now = crate::domain::Timestamp::now();
    let events = repo
        .calendar_events(
            scope,
            crate::domain::Timestamp(now.0 - FEED_PAST_SECS),
            crate::domain::Timestamp(now.0 + FEED_AHEAD_SECS),
        )
        .await?;
    let alarm = alarm_of(repo.as_ref(), account_id).await?;
    Ok(Some(ical::calendar(&name, UID_HOST, &events, alarm)))
}
