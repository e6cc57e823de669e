//! Filing a claim of study hours earned elsewhere (外部学时申报) over plain HTTP:
//! `POST /claims/file` (multipart: the form's fields and the certificate, a photo or a PDF; it
//! works without the script) and `GET /claims/{id}/certificate` for the cadre and the
//! organisers of their scope. A refused claim stores nothing and comes back to the form with
//! every problem and what was typed.
use axum::Extension;
use axum::extract::multipart::{Multipart, MultipartRejection};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use sha2::{Digest, Sha256};

use super::db::StoredFile;
use super::state::AppState;
use super::tokens::hex;
use super::user::CurrentUser;
use crate::domain::Timestamp;
use crate::domain::claims::{ClaimForm, ClaimRefusal, Elsewhere};
use crate::domain::files::{FileKind, UploadProblem, check_upload};
use crate::domain::session_draft::FieldProblem;
use crate::error::AppError;

const PAGE: &str = "/claims";

/// What comes back to the form when nothing was stored.
enum Refused {
    Form(Vec<FieldProblem>),
    Upload(UploadProblem),
    /// Not a photo or a PDF.
    NotACertificate,
    Rule(ClaimRefusal),
}

fn back(refused: Refused, form: &ClaimForm) -> Response {
    let code = match &refused {
        Refused::Form(_) => "form".to_string(),
        Refused::Upload(p) => p.code().to_string(),
        Refused::NotACertificate => "not_a_certificate".to_string(),
        Refused::Rule(ClaimRefusal::NotCounted) => "not_counted".to_string(),
        Refused::Rule(ClaimRefusal::OverCap { .. }) => "over_cap".to_string(),
    };
    let mut query = vec![
        ("refused", code),
        ("form", serde_json::to_string(form).unwrap_or_default()),
    ];
    match refused {
        Refused::Form(problems) => query.push((
            "problems",
            serde_json::to_string(&problems).unwrap_or_default(),
        )),
        Refused::Rule(ClaimRefusal::OverCap { left }) => query.push(("left", left.display())),
        _ => {}
    }
    let query = serde_urlencoded::to_string(&query).unwrap_or_default();
    Redirect::to(&format!("{PAGE}?{query}")).into_response()
}

/// The form's text fields and the certificate, read within the ceiling.
async fn read_form(
    multipart: &mut Multipart,
    max: u64,
) -> Result<(ClaimForm, Option<(String, Vec<u8>)>), UploadProblem> {
    let (fields, file) = super::files::read_form(multipart, max, "certificate", 2000).await?;
    let mut form = ClaimForm::default();
    for (name, value) in fields {
        match name.as_str() {
            "training" => form.training = value,
            "organiser" => form.organiser = value,
            "from" => form.from = value,
            "to" => form.to = value,
            "mode" => form.mode = value,
            "conversion_id" => form.conversion_id = value,
            "units" => form.units = value,
            "hours" => form.hours = value,
            "pledge" => form.pledge = !value.is_empty(),
            _ => {}
        }
    }
    Ok((form, file))
}

/// `POST /claims/file`: a signed-in cadre files a claim with its certificate.
pub async fn file(
    State(state): State<AppState>,
    user: Option<Extension<CurrentUser>>,
    multipart: Result<Multipart, MultipartRejection>,
) -> Response {
    let Some(Extension(user)) = user else {
        return Redirect::to(&format!("/login?next={PAGE}")).into_response();
    };
    let empty = ClaimForm::default();
    let Ok(mut multipart) = multipart else {
        return back(Refused::Upload(UploadProblem::Empty), &empty);
    };
    let max = state.max_upload_bytes;
    let (form, certificate) = match read_form(&mut multipart, max).await {
        Ok(read) => read,
        Err(problem) => return back(Refused::Upload(problem), &empty),
    };
    let result = async {
        let repo = state.repo.clone();
        let person = user.account.person_id;
        let now = Timestamp::now();
        let table = repo.conversions(false).await?;
        let claim = match form.check(&table, now.local_date()) {
            Ok(claim) => claim,
            Err(problems) => return Ok(Err(Refused::Form(problems))),
        };
        let Some((name, bytes)) = certificate else {
            return Ok(Err(Refused::Upload(UploadProblem::Empty)));
        };
        let accepted = match check_upload(&name, &bytes, max) {
            Ok(a) => a,
            Err(problem) => return Ok(Err(Refused::Upload(problem))),
        };
        let certificate_kind = matches!(
            accepted.kind,
            FileKind::Pdf | FileKind::Png | FileKind::Jpeg | FileKind::Webp | FileKind::Gif
        );
        if !certificate_kind {
            return Ok(Err(Refused::NotACertificate));
        }
        let rule = rule_of(repo.as_ref(), person).await?;
        let year = chrono::Datelike::year(&claim.to);
        let (approved, pending) = repo.claimed_hours(person, year).await?;
        if let Err(refusal) = rule.admits(
            crate::domain::hours::StudyHours(approved.0 + pending.0),
            claim.hours,
        ) {
            return Ok(Err(Refused::Rule(refusal)));
        }
        let sha256 = hex(&Sha256::digest(&bytes));
        let id = repo
            .file_claim(
                person,
                &claim,
                &StoredFile {
                    name: &accepted.name,
                    content_type: accepted.content_type,
                    sha256: &sha256,
                    bytes: &bytes,
                },
                now,
            )
            .await?;
        Ok::<_, AppError>(Ok(id))
    }
    .await;
    match result {
        Ok(Ok(id)) => Redirect::to(&format!("{PAGE}?filed={id}")).into_response(),
        Ok(Err(refused)) => back(refused, &form),
        Err(err) => {
            let status = err.status();
            if status == StatusCode::INTERNAL_SERVER_ERROR {
                tracing::error!(error = %err, "filing a claim failed");
            }
            (status, status.canonical_reason().unwrap_or("")).into_response()
        }
    }
}

/// The rule for hours earned elsewhere of the tier a person holds now, with their
/// subdistrict's own plans where it has them.
pub async fn rule_of(
    repo: &dyn crate::ssr::db::Repository,
    person: i64,
) -> Result<Elsewhere, AppError> {
    let Some(member) = repo.member(person).await? else {
        return Ok(Elsewhere::NotCounted);
    };
    let Some(tier) = member.tier_id else {
        return Ok(Elsewhere::NotCounted);
    };
    let plans = crate::ssr::progress::plans_in(
        &repo.tier_plans().await?,
        &repo.subdistrict_tier_plans().await?,
        member.subdistrict_id,
    );
    Ok(plans
        .iter()
        .find(|p| p.tier.id == tier)
        .map(|p| p.requirements.elsewhere)
        .unwrap_or_default())
}

/// `GET /claims/{id}/certificate`: the cadre's own, or a claim of someone in the
/// organiser's reach; anyone else gets 404.
pub async fn certificate(
    State(state): State<AppState>,
    user: Option<Extension<CurrentUser>>,
    Path(id): Path<i64>,
) -> Response {
    let result = async {
        let Some(Extension(user)) = user else {
            return Err(AppError::Unauthenticated);
        };
        let repo = state.repo.clone();
        let claim = repo.claim(id).await?.ok_or(AppError::NotFound)?;
        if claim.person_id != user.account.person_id {
            super::access::Organiser::of(user)
                .map_err(|_| AppError::NotFound)?
                .person(repo.as_ref(), claim.person_id)
                .await?;
        }
        repo.claim_file(id).await?.ok_or(AppError::NotFound)
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
