//! `POST /organiser/programme/import/upload`: an organiser uploads a sheet of cadres (CSV or XLSX,
//! a plain multipart form that works without JavaScript). The rows are read and kept as a
//! batch, and the browser is sent to the preview, where nothing is written until the
//! organiser confirms.
use axum::Extension;
use axum::extract::State;
use axum::extract::multipart::{Multipart, MultipartRejection};
use axum::response::{IntoResponse, Redirect, Response};

use super::auth::CurrentUser;
use super::files::read_file;
use super::state::AppState;
use crate::domain::Timestamp;
use crate::domain::import::{RawRow, parse_csv, read_rows};
use crate::domain::policy::{Action, may};

/// Sheets larger than this are refused (5,000 rows are far smaller).
pub const MAX_SHEET_BYTES: u64 = 5 * 1024 * 1024;

const PAGE: &str = "/organiser/programme/import";

/// Cells of the first sheet of an XLSX workbook, or of a CSV file (UTF-8, or GB18030 as
/// Excel saves CSV on Chinese Windows).
pub fn table_of(bytes: &[u8]) -> Option<Vec<Vec<String>>> {
    if bytes.starts_with(b"PK\x03\x04") {
        use calamine::{Reader, Xlsx, open_workbook_from_rs};
        let mut book: Xlsx<_> = open_workbook_from_rs(std::io::Cursor::new(bytes)).ok()?;
        let range = book.worksheet_range_at(0)?.ok()?;
        return Some(
            range
                .rows()
                .map(|r| r.iter().map(|c| c.to_string()).collect())
                .collect(),
        );
    }
    let text = match std::str::from_utf8(bytes) {
        Ok(text) => text.to_string(),
        Err(_) => {
            let (text, _, bad) = encoding_rs::GB18030.decode(bytes);
            if bad {
                return None;
            }
            text.into_owned()
        }
    };
    Some(parse_csv(&text))
}

fn back(query: &str) -> Response {
    Redirect::to(&format!("{PAGE}?{query}")).into_response()
}

pub async fn upload(
    State(state): State<AppState>,
    user: Option<Extension<CurrentUser>>,
    multipart: Result<Multipart, MultipartRejection>,
) -> Response {
    let Some(Extension(user)) = user else {
        return Redirect::to(&format!("/login?next={PAGE}")).into_response();
    };
    if !may(&user.account.roles, Action::ManageProgramme) {
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
    let Some(table) = table_of(&bytes) else {
        return back("error=unreadable");
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
        assert!(table_of(b"PK\x03\x04 not a zip").is_none());
    }
}
