//! Certificates as PDF: what a series or tier certificate says, and its download,
//! `GET /certificates/{serial}/pdf`: the holder's own, or one of a cadre in the organiser's
//! reach; a revoked one is not handed out again (410). What earns one is issued by the
//! worker's look (`outbox::certificates`); the annual dossier (`POST /dossier.pdf`) is drawn
//! from the progress page's data in `api::dossier`. Helpers both downloads share.
use axum::Extension;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::Datelike;

use super::db::{CertificateRow, Repository};
use super::pdf::CertificatePrint;
use super::state::AppState;
use super::user::CurrentUser;
use crate::domain::Timestamp;
use crate::domain::certificates::{CertificateKind, Serial};
use crate::domain::hours::StudyHours;
use crate::error::{AppError, AppResult};

/// The public page that verifies `serial`.
pub fn verify_link(origin: &str, serial: &str) -> String {
    format!("{}/verify/{serial}", origin.trim_end_matches('/'))
}

/// The address phones reach the school at: the configured one, else the request's host.
pub(crate) fn origin_of(state: &AppState, headers: &axum::http::HeaderMap) -> String {
    if let Some(url) = &state.door.public_url {
        return url.clone();
    }
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    let forwarded = state.trust_forwarded;
    let host = forwarded
        .then(|| header("x-forwarded-host"))
        .flatten()
        .or_else(|| header("host"))
        .unwrap_or("localhost");
    let scheme = forwarded
        .then(|| header("x-forwarded-proto"))
        .flatten()
        .unwrap_or("http");
    format!("{scheme}://{host}")
}

/// `2026年12月6日`, in Beijing time.
pub fn date_zh(at: Timestamp) -> String {
    let d = at.local_date();
    format!("{}年{}月{}日", d.year(), d.month(), d.day())
}

/// What a series or tier certificate says.
pub fn print_of(c: &CertificateRow) -> CertificatePrint {
    let hours = StudyHours(c.hours).display();
    let body = match c.kind() {
        CertificateKind::Series => format!(
            "于{}年参加“{}”学习，完成全部课程，累计取得学时 {}，准予结业。\n特发此证。",
            c.year, c.programme, hours
        ),
        CertificateKind::Tier => format!(
            "在{}年度{}中，完成本梯队年度学习要求，累计取得学时 {}。\n特发此证。",
            c.year, c.programme, hours
        ),
        CertificateKind::Dossier => format!("{}年度学习档案，累计取得学时 {}。", c.year, hours),
    };
    CertificatePrint {
        title: c.kind().title_zh().to_string(),
        name: c.name.clone(),
        body,
        issuer: c.issuer.clone(),
        date: date_zh(Timestamp(c.issued_at)),
        serial: c.serial.clone(),
    }
}

pub(crate) fn refused(err: AppError) -> Response {
    let status = err.status();
    if status == StatusCode::INTERNAL_SERVER_ERROR {
        tracing::error!(error = %err, "a certificate download failed");
    }
    (status, status.canonical_reason().unwrap_or("")).into_response()
}

/// Lays out and subsets off the async threads (tens of milliseconds of work).
pub(crate) async fn off_thread(
    work: impl FnOnce() -> AppResult<Vec<u8>> + Send + 'static,
) -> AppResult<Vec<u8>> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(AppError::internal)?
}

pub(crate) fn pdf_response(name: &str, bytes: Vec<u8>) -> Response {
    super::files::file_response("application/pdf", name, bytes, "private")
}

/// Whether `user` may have `person`'s documents: their own, or an organiser's reach.
pub(crate) async fn may_see(
    repo: &dyn Repository,
    user: &CurrentUser,
    person: i64,
) -> AppResult<()> {
    if person == user.account.person_id {
        return Ok(());
    }
    super::access::Organiser::of(user.clone())
        .map_err(|_| AppError::NotFound)?
        .person(repo, person)
        .await
}

/// `GET /certificates/{serial}/pdf`.
pub async fn pdf(
    State(state): State<AppState>,
    user: Option<Extension<CurrentUser>>,
    headers: axum::http::HeaderMap,
    Path(serial): Path<String>,
) -> Response {
    let result = async {
        let Some(Extension(user)) = user else {
            return Err(AppError::Unauthenticated);
        };
        let serial = Serial::parse(&serial).map_err(|_| AppError::NotFound)?;
        let repo = state.repo.as_ref();
        let c = repo
            .certificate(serial.as_str())
            .await?
            .ok_or(AppError::NotFound)?;
        may_see(repo, &user, c.person_id).await?;
        if c.revoked_at.is_some() {
            return Ok(Err(()));
        }
        let name = format!("{}.pdf", c.serial);
        if c.kind() == CertificateKind::Dossier {
            let bytes = repo
                .certificate_file(c.id)
                .await?
                .ok_or(AppError::NotFound)?;
            return Ok(Ok((name, bytes)));
        }
        let origin = origin_of(&state, &headers);
        let (print, link) = (print_of(&c), verify_link(&origin, &c.serial));
        let bytes = off_thread(move || super::pdf::certificate(&print, &link)).await?;
        Ok(Ok((name, bytes)))
    }
    .await;
    match result {
        Ok(Ok((name, bytes))) => pdf_response(&name, bytes),
        Ok(Err(())) => (
            StatusCode::GONE,
            [(
                axum::http::header::CONTENT_TYPE,
                "text/plain; charset=utf-8",
            )],
            "此证书已撤销，不再提供下载。This certificate was revoked.",
        )
            .into_response(),
        Err(err) => refused(err),
    }
}
