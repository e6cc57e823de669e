//! Attachments over plain HTTP: `POST /sessions/{id}/attachments` (multipart, a form post
//! without JavaScript or an upload with progress from the editor) and
//! `GET /files/{id}/{name}`. The type is told from the content; files live in the database
//! by SHA-256 so every app server sees them.
use axum::Extension;
use axum::extract::multipart::{Multipart, MultipartRejection};
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use sha2::{Digest, Sha256};

use super::access::{Need, stance as access};
use super::db::NewAttachment;
use super::state::AppState;
use super::tokens::hex;
use super::user::CurrentUser;
use crate::domain::Timestamp;
use crate::domain::files::file_url;
use crate::domain::files::{UploadProblem, check_upload, content_disposition};
use crate::error::AppError;

/// How an upload ended, for the editor.
enum Outcome {
    Stored { id: i64, name: String, url: String },
    Refused(UploadProblem),
}

fn wants_json(headers: &HeaderMap) -> bool {
    headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("application/json"))
}

/// `POST /sessions/{id}/attachments`: the session's lecturers and organisers attach a file.
/// A refused upload stores nothing. Answers JSON to the editor's script, otherwise a
/// redirect back to the editor with the outcome in the query.
pub async fn upload(
    State(state): State<AppState>,
    user: Option<Extension<CurrentUser>>,
    Path(session_id): Path<i64>,
    headers: HeaderMap,
    multipart: Result<Multipart, MultipartRejection>,
) -> Response {
    let json = wants_json(&headers);
    let result = async {
        let Some(Extension(user)) = user else {
            return Err(AppError::Unauthenticated);
        };
        let repo = state.repo.clone();
        access(&user, repo.as_ref(), session_id)
            .await?
            .require(Need::Edit)?;
        let max = state.max_upload_bytes;
        let declared = headers
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<u64>().ok());
        // The form's other bytes (boundaries, headers) are small.
        if declared.is_some_and(|n| n > max + 64 * 1024) {
            return Ok(Outcome::Refused(UploadProblem::TooLarge { max_bytes: max }));
        }
        let Ok(mut multipart) = multipart else {
            return Ok(Outcome::Refused(UploadProblem::Empty));
        };
        let (name, bytes) = match read_file(&mut multipart, max).await {
            Ok(Some(file)) => file,
            Ok(None) => return Ok(Outcome::Refused(UploadProblem::Empty)),
            Err(problem) => return Ok(Outcome::Refused(problem)),
        };
        let accepted = match check_upload(&name, &bytes, max) {
            Ok(a) => a,
            Err(problem) => return Ok(Outcome::Refused(problem)),
        };
        let sha256 = hex(&Sha256::digest(&bytes));
        let id = repo
            .add_attachment(&NewAttachment {
                session_id,
                name: &accepted.name,
                content_type: accepted.content_type,
                sha256: &sha256,
                bytes: &bytes,
                uploader: user.account.person_id,
                now: Timestamp::now(),
            })
            .await?;
        Ok(Outcome::Stored {
            id,
            url: file_url(id, &accepted.name),
            name: accepted.name,
        })
    }
    .await;
    let editor = format!("/sessions/{session_id}/material/edit");
    match (result, json) {
        (Ok(Outcome::Stored { id, name, url }), true) => (
            StatusCode::CREATED,
            axum::Json(serde_json::json!({ "id": id, "name": name, "url": url })),
        )
            .into_response(),
        (Ok(Outcome::Stored { name, .. }), false) => {
            let q = serde_urlencoded::to_string([("uploaded", name)]).unwrap_or_default();
            Redirect::to(&format!("{editor}?{q}")).into_response()
        }
        (Ok(Outcome::Refused(problem)), true) => {
            let status = match problem {
                UploadProblem::TooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
                _ => StatusCode::UNPROCESSABLE_ENTITY,
            };
            let mut body = serde_json::json!({ "error": problem.code() });
            if let UploadProblem::TooLarge { max_bytes } = problem {
                body["max_bytes"] = max_bytes.into();
            }
            if let UploadProblem::NameMismatch { actual } = problem {
                body["actual"] = actual.extensions()[0].into();
            }
            (status, axum::Json(body)).into_response()
        }
        (Ok(Outcome::Refused(problem)), false) => {
            Redirect::to(&format!("{editor}?upload_error={}", problem.code())).into_response()
        }
        (Err(err), _) => {
            let status = err.status();
            if status == StatusCode::INTERNAL_SERVER_ERROR {
                tracing::error!(error = %err, "upload failed");
            }
            (status, status.canonical_reason().unwrap_or("")).into_response()
        }
    }
}

/// The first file field's name and bytes. Past the ceiling the rest of the body is read
/// and dropped (up to a bound), so the client gets the answer rather than a reset.
pub(crate) async fn read_file(
    multipart: &mut Multipart,
    max: u64,
) -> Result<Option<(String, Vec<u8>)>, UploadProblem> {
    loop {
        let field = match multipart.next_field().await {
            Ok(Some(field)) => field,
            Ok(None) => return Ok(None),
            Err(_) => return Err(UploadProblem::Empty),
        };
        let Some(name) = field.file_name().map(str::to_string) else {
            continue;
        };
        let mut field = field;
        return Ok(Some((name, field_bytes(&mut field, max).await?)));
    }
}

/// A plain multipart form read within the ceiling: its text fields (each cut at
/// `max_chars`) and the first non-empty file of the field named `file_field`. Files of other
/// fields are read and dropped.
pub(crate) async fn read_form(
    multipart: &mut Multipart,
    max: u64,
    file_field: &str,
    max_chars: usize,
) -> Result<(Vec<(String, String)>, Option<(String, Vec<u8>)>), UploadProblem> {
    let (mut fields, mut file) = (Vec::new(), None);
    while let Some(mut field) = multipart
        .next_field()
        .await
        .map_err(|_| UploadProblem::Empty)?
    {
        let name = field.name().unwrap_or_default().to_string();
        if let Some(file_name) = field.file_name().map(str::to_string) {
            let bytes = field_bytes(&mut field, max).await?;
            if name == file_field && !bytes.is_empty() && file.is_none() {
                file = Some((file_name, bytes));
            }
            continue;
        }
        let value: String = field
            .text()
            .await
            .map_err(|_| UploadProblem::Empty)?
            .chars()
            .take(max_chars)
            .collect();
        fields.push((name, value));
    }
    Ok((fields, file))
}

/// A file field's bytes, up to `max`. Past the ceiling the rest is read and dropped (up to
/// twice the ceiling), so the client gets the answer rather than a reset.
pub(crate) async fn field_bytes(
    field: &mut axum::extract::multipart::Field<'_>,
    max: u64,
) -> Result<Vec<u8>, UploadProblem> {
    let too_large = UploadProblem::TooLarge { max_bytes: max };
    let mut bytes = Vec::new();
    let mut seen: u64 = 0;
    while let Some(chunk) = field.chunk().await.map_err(|_| UploadProblem::Empty)? {
        seen += chunk.len() as u64;
        if seen <= max {
            bytes.extend_from_slice(&chunk);
        } else if seen > max.saturating_mul(2) {
            return Err(too_large);
        }
    }
    if seen > max {
        return Err(too_large);
    }
    Ok(bytes)
}

/// A stored file as an answer: its type, a download name (shown inline for images), never
/// sniffed, never run as this site's page, cached privately as `cache` says.
pub(crate) fn file_response(
    content_type: &str,
    name: &str,
    bytes: Vec<u8>,
    cache: &'static str,
) -> Response {
    let header_value = |v: &str| {
        HeaderValue::from_str(v)
            .unwrap_or_else(|_| HeaderValue::from_static("application/octet-stream"))
    };
    let inline = content_type.starts_with("image/");
    (
        [
            (header::CONTENT_TYPE, header_value(content_type)),
            (
                header::CONTENT_DISPOSITION,
                header_value(&content_disposition(name, inline)),
            ),
            (
                header::X_CONTENT_TYPE_OPTIONS,
                HeaderValue::from_static("nosniff"),
            ),
            // Whatever a file holds, it never runs as this site's page.
            (
                header::CONTENT_SECURITY_POLICY,
                HeaderValue::from_static("sandbox; default-src 'none'"),
            ),
            (header::CACHE_CONTROL, HeaderValue::from_static(cache)),
        ],
        bytes,
    )
        .into_response()
}

/// `GET /files/{id}/{name}`: the session's audience (once the material reaches them), its
/// lecturers and organisers. Everyone else gets 404, anonymous callers 401.
pub async fn download(
    State(state): State<AppState>,
    user: Option<Extension<CurrentUser>>,
    Path((id, _name)): Path<(i64, String)>,
) -> Response {
    let result = async {
        let Some(Extension(user)) = user else {
            return Err(AppError::Unauthenticated);
        };
        let repo = state.repo.clone();
        let (file, bytes) = repo.attachment_file(id).await?.ok_or(AppError::NotFound)?;
        let access = access(&user, repo.as_ref(), file.session_id).await?;
        let material = repo.material(file.session_id).await?;
        if !access.may_read(material.as_ref(), Timestamp::now()) {
            return Err(AppError::NotFound);
        }
        Ok((file, bytes))
    }
    .await;
    match result {
        Ok((file, bytes)) => file_response(
            &file.content_type,
            &file.name,
            bytes,
            "private, max-age=3600",
        ),
        Err(err) => {
            let status = err.status();
            if status == StatusCode::INTERNAL_SERVER_ERROR {
                tracing::error!(error = %err, "download failed");
            }
            (status, status.canonical_reason().unwrap_or("")).into_response()
        }
    }
}
