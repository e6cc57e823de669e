//! Cadre import: the preview of an uploaded sheet (`ssr/import.rs` keeps it as a batch) and
//! its confirmation, which writes all rows or none.
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::domain::import::{ImportRow, Problem};
use crate::error::AppError;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ImportSheet {
    pub batch_id: i64,
    pub file_name: String,
    pub rows: Vec<ImportRow>,
    pub problems: Vec<Problem>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportDone {
    pub added: usize,
    pub updated: usize,
}

#[cfg(feature = "ssr")]
async fn checked(batch_id: i64) -> crate::error::AppResult<(ImportSheet, i64)> {
    use crate::domain::Role;
    use crate::domain::import::{RawRow, check};
    use crate::ssr::guard::state;
    let user = crate::ssr::access::importer()?;
    let repo = state()?.repo;
    let batch = repo
        .import_batch(batch_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let raw: Vec<RawRow> =
        serde_json::from_str(&batch.rows_json).map_err(|_| AppError::Internal)?;
    let known = repo.import_known().await?;
    let (rows, problems) = check(&raw, &known, user.account.roles.has(Role::Admin));
    Ok((
        ImportSheet {
            batch_id,
            file_name: batch.file_name,
            rows,
            problems,
        },
        user.account.person_id,
    ))
}

/// What confirming the batch would do, row by row, and every row's problems.
#[server(endpoint = "import_preview")]
pub async fn import_preview(batch_id: i64) -> Result<ImportSheet, AppError> {
    crate::ssr::guard::finish(checked(batch_id).await.map(|(p, _)| p))
}

/// Writes the batch: checked again against the school as it is now; any problem and
/// nothing is written.
#[server(endpoint = "import_apply")]
pub async fn import_apply(batch_id: i64) -> Result<ImportDone, AppError> {
    use crate::domain::Timestamp;
    use crate::error::Conflict;
    use crate::ssr::db::RepoError;
    use crate::ssr::guard::{finish, state};
    finish(
        async {
            let (preview, actor) = checked(batch_id).await?;
            if !preview.problems.is_empty() {
                return Err(AppError::Conflict(Conflict::ImportHasProblems));
            }
            let repo = state()?.repo;
            let user = crate::ssr::guard::caller()?;
            let hash = crate::ssr::password::unusable_hash().await?;
            let line = crate::ssr::audit::by(
                &user,
                crate::domain::audit::AuditKind::ImportConfirmed,
                crate::domain::audit::AuditOutcome::Ok,
                "",
            );
            match repo
                .apply_import(
                    batch_id,
                    &preview.rows,
                    actor,
                    &hash,
                    &line,
                    Timestamp::now(),
                )
                .await
            {
                Ok(Some((added, updated))) => {
                    crate::ssr::guard::after_plain_post(&format!(
                        "/organiser/programme/import?added={added}&updated={updated}"
                    ));
                    Ok(ImportDone { added, updated })
                }
                Ok(None) => Err(AppError::NotFound),
                Err(RepoError::Conflict) => Err(AppError::Conflict(Conflict::UsernameTaken)),
                Err(e) => Err(e.into()),
            }
        }
        .await,
    )
}
