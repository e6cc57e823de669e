//! Building audit lines from what the request tells (address, user agent) and who acts.
use super::db::AuditLine;
use super::security::{RequestMeta, request_meta};
use super::user::CurrentUser;
use crate::domain::Timestamp;
use crate::domain::audit::AuditQuery;
use crate::domain::audit::{AuditKind, AuditOutcome};
use crate::error::AppError;

/// A line for an event of this request, from its metadata.
pub fn from_meta(
    meta: &RequestMeta,
    actor: Option<i64>,
    kind: AuditKind,
    outcome: AuditOutcome,
    target: &str,
) -> AuditLine {
    AuditLine {
        at: Timestamp::now(),
        actor,
        kind,
        target: target.to_string(),
        address: meta.address.clone(),
        user_agent: meta.user_agent.clone(),
        outcome,
        detail: String::new(),
    }
}

/// A line for what the signed-in `user` did in this server function.
pub fn by(user: &CurrentUser, kind: AuditKind, outcome: AuditOutcome, target: &str) -> AuditLine {
    from_meta(
        &request_meta(),
        Some(user.account.id),
        kind,
        outcome,
        target,
    )
}

/// A line for what the command line did (backups, the first admin): no address.
pub fn system(kind: AuditKind, target: &str) -> AuditLine {
    from_meta(
        &RequestMeta::default(),
        None,
        kind,
        AuditOutcome::Ok,
        target,
    )
}

/// The same line with its arguments (a JSON object).
pub fn with_detail(mut line: AuditLine, detail: serde_json::Value) -> AuditLine {
    line.detail = detail.to_string();
    line
}

/// The store's filter for the admin page's query; `None` when it names an unknown user
/// (nothing can match).
pub async fn filter_of(
    repo: &dyn super::db::Repository,
    q: &AuditQuery,
) -> crate::error::AppResult<Option<super::db::AuditFilter>> {
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
    Ok(Some(super::db::AuditFilter {
        account,
        kind,
        from,
        to,
        before_id: q.before,
    }))
}

#[derive(serde::Deserialize)]
pub struct AuditCsvQuery {
    #[serde(default)]
    user: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
}

/// `GET /admin/audit.csv?user&kind&from&to`: the filtered lines (at most 100,000), newest
/// first, for admins; kinds and outcomes in Chinese and as codes.
pub async fn download(
    axum::extract::State(state): axum::extract::State<super::state::AppState>,
    user: Option<axum::Extension<CurrentUser>>,
    axum::extract::Query(q): axum::extract::Query<AuditCsvQuery>,
) -> axum::response::Response {
    use crate::domain::policy::{Action, may};
    use axum::http::{StatusCode, header};
    use axum::response::IntoResponse;
    match user {
        None => return StatusCode::UNAUTHORIZED.into_response(),
        Some(axum::Extension(u)) if !may(&u.account.roles, Action::ManageAccounts) => {
            return StatusCode::NOT_FOUND.into_response();
        }
        Some(_) => {}
    }
    let query = AuditQuery {
        user: q.user,
        kind: q.kind,
        from: q.from,
        to: q.to,
        before: None,
    };
    let filter = match filter_of(state.repo.as_ref(), &query).await {
        Ok(Some(f)) => Some(f),
        Ok(None) => None,
        Err(_) => {
            return (
                StatusCode::UNPROCESSABLE_ENTITY,
                "bad filter / 筛选条件有误",
            )
                .into_response();
        }
    };
    let records = match filter {
        Some(f) => match state.repo.audit_lines(&f, 100_000).await {
            Ok(r) => r,
            Err(err) => {
                tracing::error!(error = %err, "reading the audit log failed");
                return StatusCode::INTERNAL_SERVER_ERROR.into_response();
            }
        },
        None => Vec::new(),
    };
    let mut rows = vec![
        [
            "时间",
            "操作人",
            "事件",
            "代码",
            "对象",
            "地址",
            "浏览器",
            "结果",
            "详情",
        ]
        .map(String::from)
        .to_vec(),
    ];
    for r in records {
        rows.push(vec![
            r.line.at.local().format("%Y-%m-%d %H:%M:%S").to_string(),
            r.actor_username.unwrap_or_default(),
            r.line.kind.words().0.to_string(),
            r.line.kind.code().to_string(),
            r.line.target,
            r.line.address,
            r.line.user_agent,
            r.line.outcome.code().to_string(),
            r.line.detail,
        ]);
    }
    let body = crate::domain::csv::csv(rows);
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"audit-log.csv\"",
            ),
            (header::CACHE_CONTROL, "private, no-store"),
        ],
        body,
    )
        .into_response()
}

/// Around downloads of personal data (sheets, reports, attachments, the audit log): a
/// download that was answered is written to the audit log with who took it.
pub async fn log_download(
    axum::extract::State(state): axum::extract::State<super::state::AppState>,
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let user = req.extensions().get::<CurrentUser>().map(|u| u.account.id);
    let meta = req
        .extensions()
        .get::<RequestMeta>()
        .cloned()
        .unwrap_or_default();
    let path = req.uri().path().to_string();
    let res = next.run(req).await;
    if let (Some(actor), true) = (user, res.status().is_success()) {
        let kind = if path.starts_with("/files/") {
            AuditKind::FileDownloaded
        } else if path.starts_with("/admin/audit") {
            AuditKind::AuditDownloaded
        } else {
            AuditKind::Exported
        };
        let line = from_meta(&meta, Some(actor), kind, AuditOutcome::Ok, &path);
        if let Err(err) = state.repo.audit(&line).await {
            tracing::error!(error = %err, "audit line not written");
        }
    }
    res
}
