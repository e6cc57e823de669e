//! The sheet reader behind the upload: arbitrary bytes through `table_of` (an XLSX
//! workbook when they start like a zip, else CSV in UTF-8 or GB18030), then `read_rows`.
//!
//! `table_of` is synchronous and starts no threads (its time limit is a clock read between
//! chunks), so it is called directly rather than through `read_table`'s blocking pool.
//! Checked: no panic, and a table that is read stays within the row and column caps.
#![no_main]

use app::domain::import::{MAX_ROWS, MAX_TABLE_COLUMNS, MAX_TABLE_ROWS, read_rows};
use app::ssr::import::table_of;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(table) = table_of(data) else {
        return;
    };
    assert!(table.len() <= MAX_TABLE_ROWS, "{} rows read", table.len());
    assert!(
        table.iter().all(|row| row.len() <= MAX_TABLE_COLUMNS),
        "a row past the column cap"
    );
    if let Ok(rows) = read_rows(&table) {
        assert!(!rows.is_empty() && rows.len() <= MAX_ROWS);
        assert!(rows.iter().all(|r| r.line >= 2 && r.line <= table.len()));
    }
});
