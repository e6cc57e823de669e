//! Downloads for organisers: a session's sheet as CSV or XLSX, a range's community rates as
//! CSV, and a whole year as one XLSX workbook.
use axum::Extension;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use rust_xlsxwriter::{Format, Workbook, Worksheet, XlsxError};
use serde::Deserialize;

use super::access::Organiser;
use super::db::{AuditEntry, SheetRow};
use super::state::AppState;
use super::user::CurrentUser;
use crate::domain::Timestamp;
use crate::domain::csv::csv;
use crate::domain::org::Reach;
use crate::domain::org::SessionRight;
use crate::domain::report::{CountRow, DateRange, Fact, by_community, by_person, by_session};
use crate::domain::schedule::AttendanceStatus;
use crate::i18n::{Lang, reason_key};

const CSV: &str = "text/csv; charset=utf-8";
const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

fn refuse(status: StatusCode) -> Response {
    (status, status.canonical_reason().unwrap_or("")).into_response()
}

/// Organisers only; others learn nothing, not even that the session exists.
fn organiser(user: Option<Extension<CurrentUser>>) -> Result<Organiser, StatusCode> {
    match user {
        None => Err(StatusCode::UNAUTHORIZED),
        Some(Extension(u)) => Organiser::of(u).map_err(|_| StatusCode::NOT_FOUND),
    }
}

fn download(body: Vec<u8>, content_type: &'static str, file: &str) -> Response {
    let disposition = HeaderValue::from_str(&format!("attachment; filename=\"{file}\""))
        .unwrap_or_else(|_| HeaderValue::from_static("attachment"));
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(content_type)),
            (header::CONTENT_DISPOSITION, disposition),
            (
                header::CACHE_CONTROL,
                HeaderValue::from_static("private, no-store"),
            ),
        ],
        body,
    )
        .into_response()
}

fn internal(err: impl std::fmt::Display) -> Response {
    tracing::error!(error = %err, "export failed");
    refuse(StatusCode::INTERNAL_SERVER_ERROR)
}

fn status_text(status: Option<AttendanceStatus>) -> String {
    status.map_or("", |s| s.label().text(Lang::Zh)).to_string()
}

fn when(at: Option<Timestamp>) -> String {
    at.map(|t| t.local().format("%Y-%m-%d %H:%M").to_string())
        .unwrap_or_default()
}

fn sheet_rows(rows: &[SheetRow]) -> Vec<Vec<String>> {
    let mut out = vec![
        ["姓名", "社区", "梯队", "状态", "签到时间", "计划外"]
            .map(String::from)
            .to_vec(),
    ];
    for r in rows {
        out.push(vec![
            r.name.clone(),
            r.community.clone(),
            r.tier_zh.clone(),
            status_text(r.status),
            when(r.checked_in_at),
            if r.walk_in {
                "是".into()
            } else {
                String::new()
            },
        ]);
    }
    out
}

/// The session's whole audit trail as rows, oldest first: who, from, to, by whom, why, when.
fn audit_rows(entries: &[AuditEntry]) -> Vec<Vec<String>> {
    let mut out = vec![
        ["姓名", "原状态", "新状态", "操作人", "原因", "时间"]
            .map(String::from)
            .to_vec(),
    ];
    for e in entries {
        let reason = reason_key(&e.reason)
            .map_or_else(|| e.reason.clone(), |k| k.text(Lang::Zh).to_string());
        out.push(vec![
            e.person.clone(),
            status_text(e.from),
            status_text(Some(e.to)),
            e.actor.clone(),
            reason,
            when(Some(e.at)),
        ]);
    }
    out
}

/// The session `id` as the organiser may see it: its number and the reach of its people.
async fn sheet_of(
    state: &AppState,
    organiser: &Organiser,
    id: &str,
) -> Result<(i64, Vec<SheetRow>, Option<Reach>), StatusCode> {
    let id: i64 = id.parse().map_err(|_| StatusCode::NOT_FOUND)?;
    let access = organiser
        .session(state.repo.as_ref(), id, SessionRight::Door)
        .await
        .map_err(|e| e.status())?;
    let failed = |e: super::db::RepoError| {
        tracing::error!(error = %e, "export failed");
        StatusCode::INTERNAL_SERVER_ERROR
    };
    state
        .repo
        .door_session(id)
        .await
        .map_err(failed)?
        .ok_or(StatusCode::NOT_FOUND)?;
    let rows = state
        .repo
        .session_sheet(id, access.people())
        .await
        .map_err(failed)?;
    Ok((id, rows, access.people().cloned()))
}

/// `GET /sessions/{id}/attendance.csv`
pub async fn session_csv(
    State(state): State<AppState>,
    user: Option<Extension<CurrentUser>>,
    Path(id): Path<String>,
) -> Response {
    let organiser = match organiser(user) {
        Ok(o) => o,
        Err(status) => return refuse(status),
    };
    match sheet_of(&state, &organiser, &id).await {
        Ok((id, rows, _)) => download(csv(sheet_rows(&rows)), CSV, &format!("attendance-{id}.csv")),
        Err(status) => refuse(status),
    }
}

/// `GET /sessions/{id}/attendance.xlsx`
pub async fn session_xlsx(
    State(state): State<AppState>,
    user: Option<Extension<CurrentUser>>,
    Path(id): Path<String>,
) -> Response {
    let organiser = match organiser(user) {
        Ok(o) => o,
        Err(status) => return refuse(status),
    };
    let (id, rows, reach) = match sheet_of(&state, &organiser, &id).await {
        Ok(v) => v,
        Err(status) => return refuse(status),
    };
    let trail = match state.repo.audit_trail(id, reach.as_ref()).await {
        Ok(trail) => trail,
        Err(e) => return internal(e),
    };
    let built = (|| {
        let mut book = Workbook::new();
        write_table(book.add_worksheet(), "签到表", &sheet_rows(&rows))?;
        write_table(book.add_worksheet(), "修改记录", &audit_rows(&trail))?;
        book.save_to_buffer()
    })();
    match built {
        Ok(bytes) => download(bytes, XLSX, &format!("attendance-{id}.xlsx")),
        Err(e) => internal(e),
    }
}

fn write_table(sheet: &mut Worksheet, name: &str, rows: &[Vec<String>]) -> Result<(), XlsxError> {
    sheet.set_name(name)?;
    let bold = Format::new().set_bold();
    for (r, row) in rows.iter().enumerate() {
        for (c, cell) in row.iter().enumerate() {
            let (r, c) = (r as u32, c as u16);
            match cell.parse::<f64>() {
                Ok(n) if r > 0 && !cell.is_empty() => sheet.write_number(r, c, n)?,
                _ if r == 0 => sheet.write_string_with_format(r, c, cell, &bold)?,
                _ => sheet.write_string(r, c, cell)?,
            };
        }
    }
    if !rows.is_empty() {
        sheet.set_freeze_panes(1, 0)?;
        for c in 0..rows[0].len() {
            sheet.set_column_width(c as u16, if c == 0 { 28 } else { 12 })?;
        }
    }
    Ok(())
}

fn count_rows(first: &str, rows: &[CountRow]) -> Vec<Vec<String>> {
    let mut out = vec![
        [
            first,
            "应到",
            "出勤",
            "迟到",
            "请假",
            "缺勤",
            "补学",
            "出勤率%",
        ]
        .map(String::from)
        .to_vec(),
    ];
    for r in rows {
        let c = r.counts;
        out.push(vec![
            r.name.clone(),
            c.expected.to_string(),
            c.present.to_string(),
            c.late.to_string(),
            c.excused.to_string(),
            c.absent.to_string(),
            c.made_up.to_string(),
            c.attendance_percent()
                .map(|p| p.to_string())
                .unwrap_or_default(),
        ]);
    }
    out
}

fn fact_rows(facts: &[Fact]) -> Vec<Vec<String>> {
    let mut out = vec![
        [
            "课程",
            "日期",
            "学时",
            "姓名",
            "社区",
            "梯队",
            "状态",
            "签到时间",
            "计划外",
        ]
        .map(String::from)
        .to_vec(),
    ];
    for f in facts {
        out.push(vec![
            f.title.clone(),
            f.starts_at.local_date().to_string(),
            f.study_hours.display(),
            f.name.clone(),
            f.community.clone(),
            f.tier_zh.clone(),
            status_text(Some(f.final_status())),
            when(f.checked_in_at),
            if f.walk_in {
                "是".into()
            } else {
                String::new()
            },
        ]);
    }
    out
}

#[derive(Deserialize)]
pub struct RangeQuery {
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
}

/// `GET /reports/district-{year}.csv`: one row per cadre of every subdistrict the organiser
/// covers wholly, with the columns of `district::TABLE_COLUMNS`.
async fn district_table(
    state: &AppState,
    organiser: &Organiser,
    year: &str,
    now: Timestamp,
) -> Response {
    let Some(year) = year
        .parse::<i32>()
        .ok()
        .filter(|y| (2000..=2100).contains(y))
    else {
        return refuse(StatusCode::NOT_FOUND);
    };
    let repo = state.repo.as_ref();
    let held = match organiser.holds(repo).await {
        Ok(h) => h,
        Err(e) => return refuse(e.status()),
    };
    match super::district::standings(state, year, &held, now).await {
        Ok(p) => download(
            csv(super::district::table(&p, &held)),
            CSV,
            &format!("district-{year}.csv"),
        ),
        Err(e) => refuse(e.status()),
    }
}

/// `GET /reports/attendance-{year}.xlsx`: the year in one workbook (per community, per
/// session, per cadre with hours, every record); `GET /reports/communities.csv?from&to`.
pub async fn report_file(
    State(state): State<AppState>,
    user: Option<Extension<CurrentUser>>,
    Path(file): Path<String>,
    Query(range): Query<RangeQuery>,
) -> Response {
    let organiser = match organiser(user) {
        Ok(o) => o,
        Err(status) => return refuse(status),
    };
    let now = Timestamp::now();
    if let Some(year) = file
        .strip_prefix("district-")
        .and_then(|f| f.strip_suffix(".csv"))
    {
        return district_table(&state, &organiser, year, now).await;
    }
    let range = if file == "communities.csv" {
        DateRange::parse(&range.from, &range.to, now.local_date())
    } else {
        file.strip_prefix("attendance-")
            .and_then(|f| f.strip_suffix(".xlsx"))
            .and_then(|y| y.parse::<i32>().ok())
            .filter(|y| (2000..=2100).contains(y))
            .and_then(DateRange::year)
    };
    let Some((from, to)) = range.and_then(|r| r.bounds()) else {
        return refuse(StatusCode::NOT_FOUND);
    };
    if file == "communities.csv" {
        let counted = state
            .reports
            .counts(state.repo.as_ref(), from, to, now, organiser.people())
            .await;
        return match counted {
            Ok((communities, _)) => download(csv(count_rows("社区", &communities)), CSV, &file),
            Err(e) => internal(format!("{e:?}")),
        };
    }
    let facts = match state
        .repo
        .facts(from, to, now, None, organiser.people())
        .await
    {
        Ok(f) => f,
        Err(e) => return internal(e),
    };
    let book = match state.repo.setting_book().await {
        Ok(b) => b,
        Err(e) => return internal(format!("{e:?}")),
    };
    let people: Vec<Vec<String>> = std::iter::once(
        [
            "姓名",
            "社区",
            "梯队",
            "应到",
            "出勤",
            "迟到",
            "请假",
            "缺勤",
            "补学",
            "获得学时",
        ]
        .map(String::from)
        .to_vec(),
    )
    .chain(
        by_person(&facts, |sub| book.credits(sub).make_up)
            .into_iter()
            .map(|p| {
                vec![
                    p.name,
                    p.community,
                    p.tier_zh,
                    p.counts.expected.to_string(),
                    p.counts.present.to_string(),
                    p.counts.late.to_string(),
                    p.counts.excused.to_string(),
                    p.counts.absent.to_string(),
                    p.counts.made_up.to_string(),
                    p.earned.display(),
                ]
            }),
    )
    .collect();
    let built = (|| {
        let mut book = Workbook::new();
        write_table(
            book.add_worksheet(),
            "按社区",
            &count_rows("社区", &by_community(&facts)),
        )?;
        write_table(
            book.add_worksheet(),
            "按课程",
            &count_rows("课程", &by_session(&facts)),
        )?;
        write_table(book.add_worksheet(), "按学员", &people)?;
        write_table(book.add_worksheet(), "明细", &fact_rows(&facts))?;
        book.save_to_buffer()
    })();
    match built {
        Ok(bytes) => download(bytes, XLSX, &file),
        Err(e) => internal(e),
    }
}
