//! Asking for leave with its kind and an optional attachment: the one check both ways of
//! asking share (the `leave_ask` server function, and `POST /sessions/{id}/leave`, a plain
//! multipart form that works without the script), the attachment's download for the cadre
//! and the organisers of their scope, and the leave rules in force for a subdistrict.
use axum::Extension;
use axum::extract::multipart::{Multipart, MultipartRejection};
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use sha2::{Digest, Sha256};

use super::db::{NewLeave, RepoError, Repository, StoredFile};
use super::state::AppState;
use super::tokens::hex;
use super::user::CurrentUser;
use crate::domain::Timestamp;
use crate::domain::attendance::TEXT_MAX_CHARS;
use crate::domain::files::{FileKind, UploadProblem, check_upload};
use crate::domain::leave::{LeaveKind, LeaveRules, LeaveWindow, leave_window};
use crate::domain::session_draft::{Field, Problem};
use crate::error::{AppError, AppResult, Conflict};

/// The leave rules in force for a subdistrict (`None`: the district's).
pub async fn rules(repo: &dyn Repository, subdistrict: Option<i64>) -> AppResult<LeaveRules> {
    let book = repo.setting_book().await?;
    Ok(LeaveRules::from_settings(|key| book.get(subdistrict, key)))
}

/// Whether and how the person may ask for leave at the session now.
pub async fn window(
    repo: &dyn Repository,
    person: i64,
    door: &crate::domain::attendance::DoorSession,
    now: Timestamp,
) -> AppResult<LeaveWindow> {
    let member = repo.member(person).await?;
    let rules = rules(repo, member.and_then(|m| m.subdistrict_id)).await?;
    let status = repo.attendance_of(door.id, person).await?.map(|r| r.0);
    Ok(leave_window(
        status,
        now,
        door.starts_at,
        door.ends_at,
        rules.after_days,
    ))
}

/// A cadre of the audience asks for leave: a known kind, a reason of 2–5000 characters, an
/// optional photo or PDF, within the window (ahead, or after the fact within the days the
/// rules allow). Nothing is stored when anything is wrong; a refused attachment is the
/// inner error.
pub async fn ask(
    repo: &dyn Repository,
    user: &CurrentUser,
    session_id: i64,
    kind: &str,
    reason: &str,
    file: Option<(String, Vec<u8>)>,
    max_bytes: u64,
) -> AppResult<Result<i64, UploadProblem>> {
    if !user.account.roles.has(crate::domain::Role::Cadre) {
        return Err(AppError::Forbidden);
    }
    let person = user.account.person_id;
    let Some((door, true)) = repo.door_for(session_id, person).await? else {
        return Err(AppError::NotFound);
    };
    let kind =
        LeaveKind::parse(kind).ok_or(AppError::field(Field::LeaveKind, Problem::NotAllowed))?;
    let text =
        crate::domain::session_draft::text_between(reason, 2, TEXT_MAX_CHARS, Field::Reflection)?;
    let now = Timestamp::now();
    let window = window(repo, person, &door, now).await?;
    if door.cancelled || window == LeaveWindow::Closed {
        return Err(AppError::Conflict(Conflict::LeaveClosed));
    }
    let accepted = match &file {
        Some((name, bytes)) => {
            let accepted = match check_upload(name, bytes, max_bytes) {
                Ok(accepted) => accepted,
                Err(problem) => return Ok(Err(problem)),
            };
            if !matches!(
                accepted.kind,
                FileKind::Pdf | FileKind::Png | FileKind::Jpeg | FileKind::Webp | FileKind::Gif
            ) {
                return Ok(Err(UploadProblem::NotAllowed));
            }
            Some((accepted, hex(&Sha256::digest(bytes))))
        }
        None => None,
    };
    let stored = match (&file, &accepted) {
        (Some((_, bytes)), Some((accepted, sha256))) => Some(StoredFile {
            name: &accepted.name,
            content_type: accepted.content_type,
            sha256,
            bytes,
        }),
        _ => None,
    };
    let leave = NewLeave {
        kind,
        reason: &text,
        after_the_fact: matches!(window, LeaveWindow::AfterTheFact { .. }),
        file: stored,
    };
    match repo.file_leave(session_id, person, &leave, now).await {
        Ok(id) => Ok(Ok(id)),
        Err(RepoError::Conflict) => Err(AppError::Conflict(Conflict::AlreadyAsked)),
        Err(e) => Err(e.into()),
    }
}

/// The form's fields and the attachment, read within the ceiling.
async fn read_form(
    multipart: &mut Multipart,
    max: u64,
) -> Result<(String, String, Option<(String, Vec<u8>)>), UploadProblem> {
    let (fields, file) =
        super::files::read_form(multipart, max, "attachment", TEXT_MAX_CHARS + 1).await?;
    let value = |key: &str| {
        fields
            .iter()
            .find(|(name, _)| name == key)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    Ok((value("kind"), value("reason"), file))
}

/// `POST /sessions/{id}/leave`: the session page's leave form, with its attachment. Lands
/// back on the session with `leave=asked`, or `leave=` and what was wrong.
pub async fn file(
    State(state): State<AppState>,
    user: Option<Extension<CurrentUser>>,
    Path(session_id): Path<i64>,
    multipart: Result<Multipart, MultipartRejection>,
) -> Response {
    let page = format!("/sessions/{session_id}");
    let Some(Extension(user)) = user else {
        return Redirect::to(&format!("/login?next={page}")).into_response();
    };
    let back = |code: &str| Redirect::to(&format!("{page}?leave={code}#my-attendance"));
    let Ok(mut multipart) = multipart else {
        return back("empty").into_response();
    };
    let (kind, reason, attachment) = match read_form(&mut multipart, state.max_upload_bytes).await {
        Ok(read) => read,
        Err(problem) => return back(problem.code()).into_response(),
    };
    let asked = ask(
        state.repo.as_ref(),
        &user,
        session_id,
        &kind,
        &reason,
        attachment,
        state.max_upload_bytes,
    )
    .await;
    match asked {
        Ok(Ok(_)) => back("asked").into_response(),
        Ok(Err(problem)) => back(problem.code()).into_response(),
        Err(AppError::Form(_)) => back("reason").into_response(),
        Err(AppError::Conflict(Conflict::AlreadyAsked)) => back("already").into_response(),
        Err(AppError::Conflict(_)) => back("closed").into_response(),
        Err(err) => {
            let status = err.status();
            if status == axum::http::StatusCode::INTERNAL_SERVER_ERROR {
                tracing::error!(error = %err, "asking for leave failed");
            }
            (status, status.canonical_reason().unwrap_or("")).into_response()
        }
    }
}

/// `GET /leave/{id}/attachment`: the cadre's own, or that of someone in the organiser's
/// reach; anyone else gets 404.
pub async fn attachment(
    State(state): State<AppState>,
    user: Option<Extension<CurrentUser>>,
    Path(id): Path<i64>,
) -> Response {
    let result = async {
        let Some(Extension(user)) = user else {
            return Err(AppError::Unauthenticated);
        };
        let repo = state.repo.clone();
        let (content_type, name, bytes, person) =
            repo.leave_file(id).await?.ok_or(AppError::NotFound)?;
        if person != user.account.person_id {
            super::access::Organiser::of(user)
                .map_err(|_| AppError::NotFound)?
                .person(repo.as_ref(), person)
                .await?;
        }
        Ok((content_type, name, bytes))
    }
    .await;
    match result {
        Ok((content_type, name, bytes)) => {
            super::files::file_response(&content_type, &name, bytes, "private")
        }
        Err(err) => {
            let status = err.status();
            (status, status.canonical_reason().unwrap_or("")).into_response()
        }
    }
}

/// Whether the person may hand in a make-up for the session now: it is over and they
/// missed it, or they were excused on duty leave whose make-up is still open.
pub async fn may_make_up(
    repo: &dyn Repository,
    person: i64,
    status: Option<crate::domain::schedule::AttendanceStatus>,
    ends_at: Timestamp,
    session_id: i64,
    now: Timestamp,
) -> AppResult<bool> {
    let due = if status == Some(crate::domain::schedule::AttendanceStatus::Excused) {
        repo.request_of(super::db::RequestKind::Leave, session_id, person)
            .await?
            .and_then(|l| l.make_up_due)
    } else {
        None
    };
    Ok(crate::domain::leave::may_make_up(status, now, ends_at, due))
}
