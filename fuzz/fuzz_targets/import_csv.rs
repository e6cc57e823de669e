//! The CSV side of the cadre import: arbitrary bytes through `parse_csv`,
//! `parse_csv_within` (the caps the upload uses, and small ones that are easy to reach),
//! `table_of` (UTF-8, else GB18030 as Excel saves CSV on Chinese Windows) and `read_rows`.
//!
//! Besides "never panics", it checks what the functions promise: the capped reader agrees
//! with the uncapped one and stops at the first row or cell past a cap, and `read_rows`
//! numbers lines within the sheet and trims cells.
#![no_main]

use app::domain::import::{
    MAX_ROWS, MAX_TABLE_COLUMNS, MAX_TABLE_ROWS, SheetLimit, parse_csv, parse_csv_within, read_rows,
};
use app::ssr::import::{SheetProblem, table_of};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let full = parse_csv(&text);
    check_rows(&full);

    for (max_rows, max_cols) in [(MAX_TABLE_ROWS, MAX_TABLE_COLUMNS), (3, 4), (1, 1), (0, 0)] {
        let capped = parse_csv_within(&text, max_rows, max_cols);
        assert_eq!(
            capped,
            expected_within(&full, max_rows, max_cols),
            "parse_csv_within({max_rows}, {max_cols}) disagrees with parse_csv"
        );
    }

    // The upload's own reader. An input starting like a zip is a workbook: that side is
    // the import_sheet target's.
    if !data.starts_with(b"PK\x03\x04") {
        let table = table_of(data);
        if std::str::from_utf8(data).is_ok() {
            assert_eq!(
                table,
                expected_within(&full, MAX_TABLE_ROWS, MAX_TABLE_COLUMNS)
                    .map_err(SheetProblem::Limit),
                "table_of disagrees with parse_csv on UTF-8"
            );
        }
        if let Ok(table) = &table {
            assert!(table.len() <= MAX_TABLE_ROWS);
            assert!(table.iter().all(|row| row.len() <= MAX_TABLE_COLUMNS));
            check_rows(table);
        }
    }
});

/// What `parse_csv_within` promises given the whole table: the table itself when it fits,
/// else the first row (1-based) with a cell past `max_cols` or past `max_rows` itself,
/// whichever comes first (a row's cells are read before the row is counted).
fn expected_within(
    full: &[Vec<String>],
    max_rows: usize,
    max_cols: usize,
) -> Result<Vec<Vec<String>>, SheetLimit> {
    for (i, row) in full.iter().enumerate() {
        let line = i + 1;
        if row.len() > max_cols {
            return Err(SheetLimit::Columns(line));
        }
        if i >= max_rows {
            return Err(SheetLimit::Rows(line));
        }
    }
    Ok(full.to_vec())
}

/// `read_rows` on a table: lines within the sheet, in order, after the header; cells
/// trimmed; between one and `MAX_ROWS` rows.
fn check_rows(table: &[Vec<String>]) {
    match read_rows(table) {
        Ok(rows) => {
            assert!(
                !rows.is_empty() && rows.len() <= MAX_ROWS,
                "{} rows",
                rows.len()
            );
            assert!(rows[0].line >= 2, "a row on the header's line");
            assert!(
                rows.windows(2).all(|w| w[0].line < w[1].line),
                "lines out of order"
            );
            assert!(
                rows.iter().all(|r| r.line <= table.len()),
                "line past the sheet"
            );
            for r in &rows {
                for cell in [&r.name, &r.community, &r.phone, &r.tier, &r.roles] {
                    assert_eq!(cell.trim(), cell.as_str(), "cell not trimmed");
                }
            }
        }
        Err(problem) => {
            assert!(
                problem.line >= 1 && problem.line <= table.len().max(1),
                "problem on line {} of {}",
                problem.line,
                table.len()
            );
        }
    }
}
