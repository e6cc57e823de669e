//! `.ics` downloads: one session for a phone's calendar app.
use axum::extract::{Path, Request, State};
use axum::http::StatusCode;
use axum::http::header::{CACHE_CONTROL, CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};

use super::auth::CurrentUser;
use super::state::AppState;
use crate::domain::ical;
use crate::domain::policy::may_see_session;

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
    let Some(member) = repo.member(user.account.person_id).await? else {
        return Ok(None);
    };
    let (in_audience, lectures_it) = repo.relation_to_session(id, &member).await?;
    if !may_see_session(&user.account.roles, lectures_it, in_audience) {
        return Ok(None);
    }
    let name = event.title.clone();
    Ok(Some(ical::calendar(&name, UID_HOST, &[event])))
}
