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
use crate::domain::report::{CountRow, DateRange, Fact, PersonRow, Tally};
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

/// `2026-12-05 19:02`, Beijing time (written out by hand: a year's workbook calls it for
/// every check-in).
fn when(at: Option<Timestamp>) -> String {
    use chrono::{Datelike, Timelike};
    at.map(|t| {
        let l = t.local();
        format!(
            "{:04}-{:02}-{:02} {:02}:{:02}",
            l.year(),
            l.month(),
            l.day(),
            l.hour(),
            l.minute()
        )
    })
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
    if let Some(first) = rows.first() {
        start_table(sheet, first.len())?;
    }
    let bold = Format::new().set_bold();
    for (r, row) in rows.iter().enumerate() {
        write_row(sheet, r as u32, row, &bold)?;
    }
    Ok(())
}

/// The header row stays in view; the first column is wide.
fn start_table(sheet: &mut Worksheet, columns: usize) -> Result<(), XlsxError> {
    sheet.set_freeze_panes(1, 0)?;
    for c in 0..columns {
        sheet.set_column_width(c as u16, if c == 0 { 28 } else { 12 })?;
    }
    Ok(())
}

/// Row `r`: the header (row 0) in bold; below it, numbers as numbers.
fn write_row(
    sheet: &mut Worksheet,
    r: u32,
    row: &[String],
    bold: &Format,
) -> Result<(), XlsxError> {
    for (c, cell) in row.iter().enumerate() {
        let c = c as u16;
        match cell.parse::<f64>() {
            Ok(n) if r > 0 && !cell.is_empty() => sheet.write_number(r, c, n)?,
            _ if r == 0 => sheet.write_string_with_format(r, c, cell, bold)?,
            _ => sheet.write_string(r, c, cell)?,
        };
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

/// Line `r` of 明细 (under [`FACT_HEADER`]), written cell by cell as the facts stream by;
/// `date` is the session's day.
fn write_fact(sheet: &mut Worksheet, r: u32, f: &Fact, date: &str) -> Result<(), XlsxError> {
    sheet.write_string(r, 0, &f.title)?;
    sheet.write_string(r, 1, date)?;
    sheet.write_number(r, 2, f.study_hours.0 as f64 / 10.0)?;
    sheet.write_string(r, 3, &f.name)?;
    sheet.write_string(r, 4, &f.community)?;
    sheet.write_string(r, 5, &f.tier_zh)?;
    sheet.write_string(r, 6, f.final_status().label().text(Lang::Zh))?;
    if let Some(at) = f.checked_in_at {
        sheet.write_string(r, 7, when(Some(at)))?;
    }
    if f.walk_in {
        sheet.write_string(r, 8, "是")?;
    }
    Ok(())
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
    year_workbook(&state, &organiser, (from, to), now, &file).await
}

/// Parts of facts (of `db::FACTS_PART`) held between the database and the workbook's writer
/// at most: what the year workbook holds in memory grows with the communities, sessions and
/// cadres, not the rows.
const PARTS_IN_FLIGHT: usize = 4;
/// Bytes of the finished workbook sent to the client per piece.
const PIECE: usize = 64 * 1024;

/// The year in one workbook: 按社区, 按课程, 按学员 and 明细 (every fact; past Excel's
/// limit of rows, the facts go on in 明细2, 明细3 …). The facts come
/// from the database as a stream; a blocking thread writes 明细 row by row to a temporary
/// file and sums the other three sheets as it goes; then the workbook is zipped straight
/// into the response, piece by piece. No step holds the year's rows, and none of the work
/// runs on the async workers that serve the pages and the door.
async fn year_workbook(
    state: &AppState,
    organiser: &Organiser,
    (from, to): (Timestamp, Timestamp),
    now: Timestamp,
    file: &str,
) -> Response {
    let book = match state.repo.setting_book().await {
        Ok(b) => b,
        Err(e) => return internal(format!("{e:?}")),
    };
    let (facts, incoming) = tokio::sync::mpsc::channel(PARTS_IN_FLIGHT);
    let writing = tokio::task::spawn_blocking(move || {
        write_year(incoming, DETAIL_LINES, |sub| book.credits(sub).make_up)
    });
    let read = state
        .repo
        .facts_to(from, to, now, organiser.people(), facts)
        .await;
    let written = writing.await;
    let mut workbook = match (read, written) {
        (Ok(_), Ok(Ok(workbook))) => workbook,
        (Err(e), _) => return internal(e),
        (_, Ok(Err(e))) => return internal(e),
        (_, Err(e)) => return internal(e),
    };
    let (pieces, mut sent) = tokio::sync::mpsc::channel::<std::io::Result<Vec<u8>>>(4);
    tokio::task::spawn_blocking(move || {
        let mut out = Pieces {
            to: pieces.clone(),
            buf: Vec::with_capacity(PIECE),
        };
        let saved = workbook
            .save_to_writer(&mut out)
            .map_err(std::io::Error::other)
            .and_then(|()| std::io::Write::flush(&mut out));
        if let Err(e) = saved {
            tracing::error!(error = %e, "year workbook not sent whole");
            // The client sees the download fail, not a shorter workbook.
            let _ = pieces.blocking_send(Err(e));
        }
    });
    let first = match sent.recv().await {
        Some(Ok(piece)) => piece,
        Some(Err(e)) => return internal(e),
        None => return internal("the workbook writer stopped"),
    };
    let rest = futures_util::stream::unfold(sent, |mut sent| async move {
        sent.recv().await.map(|piece| (piece, sent))
    });
    let body = futures_util::stream::StreamExt::chain(
        futures_util::stream::once(async move { Ok(first) }),
        rest,
    );
    let mut response = download(Vec::new(), XLSX, file);
    *response.body_mut() = axum::body::Body::from_stream(body);
    response
}

/// A writer handing what it is given to the response in pieces of [`PIECE`] bytes; it
/// fails when the client has gone, which stops the workbook's writer.
struct Pieces {
    to: tokio::sync::mpsc::Sender<std::io::Result<Vec<u8>>>,
    buf: Vec<u8>,
}

impl std::io::Write for Pieces {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        self.buf.extend_from_slice(data);
        if self.buf.len() >= PIECE {
            self.flush()?;
        }
        Ok(data.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        if self.buf.is_empty() {
            return Ok(());
        }
        let piece = std::mem::replace(&mut self.buf, Vec::with_capacity(PIECE));
        self.to
            .blocking_send(Ok(piece))
            .map_err(|_| std::io::Error::from(std::io::ErrorKind::BrokenPipe))
    }
}

const FACT_HEADER: [&str; 9] = [
    "课程",
    "日期",
    "学时",
    "姓名",
    "社区",
    "梯队",
    "状态",
    "签到时间",
    "计划外",
];

/// Lines of facts a 明细 sheet holds: Excel's 1,048,576 rows, less the header.
pub const DETAIL_LINES: u32 = 1_048_575;

/// The name of the `n`th sheet of facts: 明细, 明细2, 明细3 …
pub fn detail_sheet_name(n: usize) -> String {
    if n <= 1 {
        "明细".to_string()
    } else {
        format!("明细{n}")
    }
}

/// Adds the `n`th sheet of facts, with its header; returns its index in the workbook.
fn new_detail_sheet(book: &mut Workbook, n: usize) -> Result<usize, XlsxError> {
    let sheet = book.add_worksheet_with_constant_memory()?;
    sheet.set_name(detail_sheet_name(n))?;
    start_table(sheet, FACT_HEADER.len())?;
    write_row(
        sheet,
        0,
        &FACT_HEADER.map(String::from),
        &Format::new().set_bold(),
    )?;
    // The three summary sheets come first.
    Ok(2 + n)
}

/// Writes the facts as they come into 明细 (`lines_per_sheet` to a sheet) and sums them;
/// when they end, writes the sums. Runs on a blocking thread.
fn write_year(
    mut incoming: tokio::sync::mpsc::Receiver<Vec<Fact>>,
    lines_per_sheet: u32,
    make_up: impl Fn(Option<i64>) -> crate::domain::share::Share,
) -> Result<Workbook, XlsxError> {
    let mut book = Workbook::new();
    // Level 3 (Excel's own) zips in about 70 % of the default's time, 5 % larger.
    book.set_zip_compression_level(3);
    for name in ["按社区", "按课程", "按学员"] {
        book.add_worksheet().set_name(name)?;
    }
    // 明细, then 明细2, 明细3 … when a sheet is full (Excel's limit of rows).
    let mut detail = new_detail_sheet(&mut book, 1)?;
    let mut sheets = 1;
    let mut tally = Tally::default();
    let mut r = 0;
    // A session's facts come together: its date is written once per session, not per line.
    let mut day = (0, String::new());
    while let Some(part) = incoming.blocking_recv() {
        for f in &part {
            if r == lines_per_sheet {
                sheets += 1;
                detail = new_detail_sheet(&mut book, sheets)?;
                r = 0;
            }
            r += 1;
            if day.0 != f.session_id {
                day = (f.session_id, f.starts_at.local_date().to_string());
            }
            write_fact(book.worksheet_from_index(detail)?, r, f, &day.1)?;
            tally.add(f, make_up(f.subdistrict_id));
        }
    }
    let communities = count_rows("社区", &tally.communities());
    write_table(book.worksheet_from_index(0)?, "按社区", &communities)?;
    let sessions = count_rows("课程", tally.sessions());
    write_table(book.worksheet_from_index(1)?, "按课程", &sessions)?;
    write_table(
        book.worksheet_from_index(2)?,
        "按学员",
        &person_rows(tally.people()),
    )?;
    Ok(book)
}

fn person_rows(people: Vec<PersonRow>) -> Vec<Vec<String>> {
    std::iter::once(
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
    .chain(people.into_iter().map(|p| {
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
    }))
    .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Timestamp;
    use crate::domain::hours::StudyHours;
    use calamine::Reader;

    #[test]
    fn facts_past_a_sheets_rows_go_on_in_the_next_sheet() {
        let (send, incoming) = tokio::sync::mpsc::channel(4);
        let facts: Vec<Fact> = (0..7)
            .map(|i| Fact {
                session_id: 1 + i / 4,
                title: format!("第{}讲", 1 + i / 4),
                starts_at: Timestamp(1_780_000_000 + i * 86_400),
                study_hours: StudyHours(20),
                person_id: i,
                name: format!("学员{i}"),
                community: "东关社区".into(),
                subdistrict_id: Some(1),
                tier_zh: "雏雁".into(),
                status: None,
                checked_in_at: None,
                walk_in: false,
            })
            .collect();
        send.blocking_send(facts).unwrap();
        drop(send);
        let mut book = write_year(incoming, 3, |_| crate::domain::share::Share::MAKE_UP).unwrap();
        let bytes = book.save_to_buffer().unwrap();
        let mut read =
            calamine::Xlsx::new(std::io::Cursor::new(bytes)).expect("a workbook calamine reads");
        assert_eq!(
            read.sheet_names(),
            ["按社区", "按课程", "按学员", "明细", "明细2", "明细3"]
        );
        let mut names = Vec::new();
        for sheet in ["明细", "明细2", "明细3"] {
            let range = read.worksheet_range(sheet).unwrap();
            let rows: Vec<_> = range.rows().collect();
            assert_eq!(
                rows[0][0].to_string(),
                FACT_HEADER[0],
                "{sheet} has the header"
            );
            names.extend(rows[1..].iter().map(|r| r[3].to_string()));
        }
        let want: Vec<String> = (0..7).map(|i| format!("学员{i}")).collect();
        assert_eq!(names, want, "every fact once, in order");
    }
}
