//! The audit log for admins: filtered by person, kind and date, newest first, and as a
//! CSV download with the same filter.
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::domain::Timestamp;
use crate::domain::audit::{AuditKind, AuditOutcome};
use crate::error::AppError;

/// One line as the page shows it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AuditView {
    pub id: i64,
    pub at: Timestamp,
    pub actor: Option<String>,
    pub kind: AuditKind,
    pub target: String,
    pub address: String,
    pub user_agent: String,
    pub outcome: AuditOutcome,
    pub detail: String,
}

/// A page of lines and where the next (older) page starts.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AuditPage {
    pub lines: Vec<AuditView>,
    pub older: Option<i64>,
}

/// Lines per page.
pub const PAGE_SIZE: i64 = 100;

/// The filter of the page's query string: a user name, a kind code, dates (YYYY-MM-DD,
/// Asia/Shanghai, both days included) and the id to page from.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct AuditQuery {
    pub user: String,
    pub kind: String,
    pub from: String,
    pub to: String,
    pub before: Option<i64>,
}

#[cfg(feature = "ssr")]
pub(crate) async fn filter_of(
    repo: &dyn crate::ssr::db::Repository,
    q: &AuditQuery,
) -> crate::error::AppResult<Option<crate::ssr::db::AuditFilter>> {
    use crate::domain::Username;
    use chrono::NaiveDate;
    let day = |s: &str, next: bool| -> Option<Option<Timestamp>> {
        let s = s.trim();
        if s.is_empty() {
            return Some(None);
        }
        let date = NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()?;
        let date = if next { date.succ_opt()? } else { date };
        Some(Timestamp::from_local(date, 0, 0))
    };
    let (Some(from), Some(to)) = (day(&q.from, false), day(&q.to, true)) else {
        return Err(AppError::Invalid(crate::domain::account::Invalid::Date));
    };
    let account = match q.user.trim() {
        "" => None,
        name => {
            let Ok(username) = Username::parse(name) else {
                return Ok(None);
            };
            match repo.login_record(&username).await? {
                Some(r) => Some(r.account_id),
                None => return Ok(None),
            }
        }
    };
    let kind = match q.kind.trim() {
        "" => None,
        code => Some(
            AuditKind::parse(code)
                .ok_or(AppError::Invalid(crate::domain::account::Invalid::Date))?,
        ),
    };
    Ok(Some(crate::ssr::db::AuditFilter {
        account,
        kind,
        from,
        to,
        before_id: q.before,
    }))
}

#[cfg(feature = "ssr")]
pub(crate) fn view_of(r: crate::ssr::db::AuditRecord) -> AuditView {
    AuditView {
        id: r.id,
        at: r.line.at,
        actor: r.actor_username,
        kind: r.line.kind,
        target: r.line.target,
        address: r.line.address,
        user_agent: r.line.user_agent,
        outcome: r.line.outcome,
        detail: r.line.detail,
    }
}

#[server(endpoint = "audit_log")]
pub async fn audit_log(query: AuditQuery) -> Result<AuditPage, AppError> {
    use crate::domain::policy::Action;
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
            let lines: Vec<AuditView> = records
                .into_iter()
                .take(PAGE_SIZE as usize)
                .map(view_of)
                .collect();
            let older = more.then(|| lines.last().map(|l| l.id)).flatten();
            Ok(AuditPage { lines, older })
        }
        .await,
    )
}
