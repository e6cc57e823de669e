//! `POST /organiser/programme/import/upload`: an organiser uploads a sheet of cadres (CSV or XLSX,
//! a plain multipart form that works without JavaScript). The rows are read and kept as a
//! batch, and the browser is sent to the preview, where nothing is written until the
//! organiser confirms.
use axum::Extension;
use axum::extract::State;
use axum::extract::multipart::{Multipart, MultipartRejection};
use axum::response::{IntoResponse, Redirect, Response};

use super::files::read_file;
use super::state::AppState;
use super::user::CurrentUser;
use crate::domain::Timestamp;
use std::time::{Duration, Instant};

use crate::domain::audit::{AuditKind, AuditOutcome};
use crate::domain::import::{
    MAX_TABLE_COLUMNS, MAX_TABLE_ROWS, RawRow, SheetLimit, parse_csv_within, read_rows,
};

/// Sheets larger than this are refused (5,000 rows are far smaller).
pub const MAX_SHEET_BYTES: u64 = 5 * 1024 * 1024;

const PAGE: &str = "/organiser/programme/import";

/// Why a sheet was not read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SheetProblem {
    Unreadable,
    /// The workbook unpacks to more than [`MAX_UNPACKED_BYTES`] (a zip bomb, or a sheet
    /// far larger than any list of cadres).
    TooLarge,
    /// A cell past the row or column cap, on this line.
    Limit(SheetLimit),
    /// Reading took longer than [`READ_TIME_LIMIT`].
    TimedOut,
}

impl SheetProblem {
    /// The code and line the import page words the problem from.
    pub fn query(self) -> String {
        match self {
            SheetProblem::Unreadable => "error=unreadable".into(),
            SheetProblem::TooLarge => "error=too_large".into(),
            SheetProblem::TimedOut => "error=timed_out".into(),
            SheetProblem::Limit(SheetLimit::Rows(line)) => {
                format!("error=too_many_rows&line={line}")
            }
            SheetProblem::Limit(SheetLimit::Columns(line)) => {
                format!("error=too_many_columns&line={line}")
            }
        }
    }
}

/// The most a workbook may unpack to, all its parts together.
pub const MAX_UNPACKED_BYTES: u64 = 32 * 1024 * 1024;
/// Parts a workbook may have (a real one has a dozen or two).
const MAX_PARTS: usize = 500;
/// The longest a sheet may take to read.
pub const READ_TIME_LIMIT: Duration = Duration::from_secs(10);

/// Cells of the first sheet of an XLSX workbook, or of a CSV file (UTF-8, or GB18030 as
/// Excel saves CSV on Chinese Windows), within the row and column caps. Blocking: run it
/// off the async workers ([`read_table`]).
pub fn table_of(bytes: &[u8]) -> Result<Vec<Vec<String>>, SheetProblem> {
    let started = Instant::now();
    if bytes.starts_with(b"PK\x03\x04") {
        check_unpacked_size(bytes, started)?;
        return xlsx_cells(bytes, started);
    }
    let text = match std::str::from_utf8(bytes) {
        Ok(text) => std::borrow::Cow::Borrowed(text),
        Err(_) => {
            let (text, _, bad) = encoding_rs::GB18030.decode(bytes);
            if bad {
                return Err(SheetProblem::Unreadable);
            }
            text
        }
    };
    parse_csv_within(&text, MAX_TABLE_ROWS, MAX_TABLE_COLUMNS).map_err(SheetProblem::Limit)
}

/// Unpacks every part of the workbook into nothing, counting: calamine reads the shared
/// strings and styles whole when it opens a workbook, and a part's declared size can lie,
/// so the bytes themselves are counted before calamine sees any of them.
fn check_unpacked_size(bytes: &[u8], started: Instant) -> Result<(), SheetProblem> {
    use std::io::Read;
    let mut zip =
        zip::ZipArchive::new(std::io::Cursor::new(bytes)).map_err(|_| SheetProblem::Unreadable)?;
    if zip.len() > MAX_PARTS {
        return Err(SheetProblem::TooLarge);
    }
    let mut total = 0u64;
    let mut buf = vec![0u8; 64 * 1024];
    for i in 0..zip.len() {
        let declared = zip
            .by_index_raw(i)
            .map_err(|_| SheetProblem::Unreadable)?
            .size();
        if declared > MAX_UNPACKED_BYTES {
            return Err(SheetProblem::TooLarge);
        }
        let part = zip.by_index(i).map_err(|_| SheetProblem::Unreadable)?;
        let mut part = part.take(MAX_UNPACKED_BYTES - total + 1);
        loop {
            let n = part.read(&mut buf).map_err(|_| SheetProblem::Unreadable)?;
            if n == 0 {
                break;
            }
            total += n as u64;
            if total > MAX_UNPACKED_BYTES {
                return Err(SheetProblem::TooLarge);
            }
            if started.elapsed() > READ_TIME_LIMIT {
                return Err(SheetProblem::TimedOut);
            }
        }
    }
    Ok(())
}

/// The first sheet's cells, one at a time: a cell past a cap stops the reading before a
/// single row is allocated for it (calamine's ranges allocate the whole rectangle up to
/// the farthest cell, which one cell at XFD1048576 makes hundreds of gigabytes).
fn xlsx_cells(bytes: &[u8], started: Instant) -> Result<Vec<Vec<String>>, SheetProblem> {
    use calamine::{Data, DataRef, Reader, Xlsx};
    let mut book: Xlsx<_> =
        Xlsx::new(std::io::Cursor::new(bytes)).map_err(|_| SheetProblem::Unreadable)?;
    let first = book
        .sheet_names()
        .into_iter()
        .next()
        .ok_or(SheetProblem::Unreadable)?;
    let mut cells = book
        .worksheet_cells_reader(&first)
        .map_err(|_| SheetProblem::Unreadable)?;
    let mut rows: Vec<Vec<String>> = Vec::new();
    let mut seen = 0usize;
    while let Some(cell) = cells.next_cell().map_err(|_| SheetProblem::Unreadable)? {
        seen += 1;
        if seen.is_multiple_of(1024) && started.elapsed() > READ_TIME_LIMIT {
            return Err(SheetProblem::TimedOut);
        }
        if matches!(cell.get_value(), DataRef::Empty) {
            continue;
        }
        let (r, c) = cell.get_position();
        let (r, c) = (r as usize, c as usize);
        if r >= MAX_TABLE_ROWS {
            return Err(SheetProblem::Limit(SheetLimit::Rows(r + 1)));
        }
        if c >= MAX_TABLE_COLUMNS {
            return Err(SheetProblem::Limit(SheetLimit::Columns(r + 1)));
        }
        if rows.len() <= r {
            rows.resize_with(r + 1, Vec::new);
        }
        if rows[r].len() <= c {
            rows[r].resize(c + 1, String::new());
        }
        rows[r][c] = Data::from(cell.get_value().clone()).to_string();
    }
    Ok(rows)
}

/// [`table_of`] on the blocking pool with a time limit; a panic inside the parser (a
/// malformed cell reference) is an unreadable sheet, not a dead server.
pub async fn read_table(bytes: Vec<u8>) -> Result<Vec<Vec<String>>, SheetProblem> {
    let work = tokio::task::spawn_blocking(move || table_of(&bytes));
    match tokio::time::timeout(READ_TIME_LIMIT + Duration::from_secs(1), work).await {
        Ok(Ok(result)) => result,
        Ok(Err(_panicked)) => Err(SheetProblem::Unreadable),
        Err(_) => Err(SheetProblem::TimedOut),
    }
}

fn back(query: &str) -> Response {
    Redirect::to(&format!("{PAGE}?{query}")).into_response()
}

pub async fn upload(
    State(state): State<AppState>,
    user: Option<Extension<CurrentUser>>,
    meta: Option<Extension<super::security::RequestMeta>>,
    multipart: Result<Multipart, MultipartRejection>,
) -> Response {
    let Some(Extension(user)) = user else {
        return Redirect::to(&format!("/login?next={PAGE}")).into_response();
    };
    if !super::access::may_import(&user) {
        return (axum::http::StatusCode::NOT_FOUND, "").into_response();
    }
    let Ok(mut multipart) = multipart else {
        return back("error=empty");
    };
    let (name, bytes) = match read_file(&mut multipart, MAX_SHEET_BYTES).await {
        Ok(Some(file)) if !file.1.is_empty() => file,
        Ok(_) => return back("error=empty"),
        Err(crate::domain::files::UploadProblem::TooLarge { .. }) => {
            return back("error=too_large");
        }
        Err(_) => return back("error=empty"),
    };
    let size = bytes.len();
    let table = match read_table(bytes).await {
        Ok(table) => table,
        Err(problem) => {
            let line = super::audit::with_detail(
                super::audit::from_meta(
                    &meta.map(|m| m.0).unwrap_or_default(),
                    Some(user.account.id),
                    AuditKind::ImportRefused,
                    AuditOutcome::Refused,
                    "",
                ),
                serde_json::json!({ "problem": problem.query(), "bytes": size }),
            );
            if let Err(err) = state.repo.audit(&line).await {
                tracing::error!(error = %err, "audit line not written");
            }
            return back(&problem.query());
        }
    };
    let rows: Vec<RawRow> = match read_rows(&table) {
        Ok(rows) => rows,
        Err(p) => {
            return back(&format!("error={}&line={}", p.problem.code(), p.line));
        }
    };
    let json = match serde_json::to_string(&rows) {
        Ok(json) => json,
        Err(_) => return back("error=unreadable"),
    };
    let name: String = name.chars().take(200).collect();
    match state
        .repo
        .save_import_batch(user.account.person_id, &name, &json, Timestamp::now())
        .await
    {
        Ok(id) => back(&format!("batch={id}")),
        Err(err) => {
            tracing::error!(error = %err, "saving an import batch failed");
            back("error=internal")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_in_either_encoding() {
        let utf8 = "姓名,社区,梯队\n赵六,东关社区,雏雁\n";
        assert_eq!(table_of(utf8.as_bytes()).unwrap()[1][0], "赵六");
        let (gbk, _, _) = encoding_rs::GB18030.encode(utf8);
        assert_eq!(table_of(&gbk).unwrap()[1][2], "雏雁");
    }

    #[test]
    fn xlsx_first_sheet() {
        let mut book = rust_xlsxwriter::Workbook::new();
        let sheet = book.add_worksheet();
        sheet.write_string(0, 0, "姓名").unwrap();
        sheet.write_string(0, 1, "手机").unwrap();
        sheet.write_string(1, 0, "赵六").unwrap();
        sheet.write_number(1, 1, 13_800_000_001.0).unwrap();
        let bytes = book.save_to_buffer().unwrap();
        let table = table_of(&bytes).unwrap();
        assert_eq!(
            table[1],
            vec!["赵六".to_string(), "13800000001".to_string()]
        );
        assert_eq!(
            table_of(b"PK\x03\x04 not a zip"),
            Err(SheetProblem::Unreadable)
        );
    }
}
