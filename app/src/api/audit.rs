//! The audit log for admins: filtered by person, kind and date, newest first, and as a
//! CSV download with the same filter.
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

pub use crate::domain::audit::AuditQuery;
use crate::domain::audit::AuditRecord;
use crate::error::AppError;

/// A page of lines, newest first, and where the next (older) page starts.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AuditPage {
    pub lines: Vec<AuditRecord>,
    pub older: Option<i64>,
}

/// Lines per page.
pub const PAGE_SIZE: i64 = 100;

#[server(endpoint = "audit_log")]
pub async fn audit_log(query: AuditQuery) -> Result<AuditPage, AppError> {
    use crate::domain::policy::Action;
    use crate::ssr::audit::filter_of;
    use crate::ssr::guard::{authorize, finish, state};
    finish(
        async {
            authorize(Action::ManageAccounts)?;
            let repo = state()?.repo;
            let Some(filter) = filter_of(repo.as_ref(), &query).await? else {
                return Ok(AuditPage {
                    lines: Vec::new(),
                    older: None,
                });
            };
            let records = repo.audit_lines(&filter, PAGE_SIZE + 1).await?;
            let more = records.len() as i64 > PAGE_SIZE;
            let lines: Vec<AuditRecord> = records.into_iter().take(PAGE_SIZE as usize).collect();
            let older = more.then(|| lines.last().map(|l| l.id)).flatten();
            Ok(AuditPage { lines, older })
        }
        .await,
    )
}
