//! CSV as spreadsheet programs in China open it: UTF-8 with a byte-order mark, and no
//! cell that a spreadsheet would run as a formula.

/// One CSV field, quoted when needed; a leading `=`, `+`, `-` or `@` is defused so that a
/// spreadsheet does not run a name as a formula.
pub fn csv_field(raw: &str) -> String {
    let defused = if raw.starts_with(['=', '+', '-', '@']) {
        format!("'{raw}")
    } else {
        raw.to_string()
    };
    if defused.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", defused.replace('"', "\"\""))
    } else {
        defused
    }
}

/// CSV with a byte-order mark, which spreadsheet programs need to read Chinese correctly.
pub fn csv(rows: Vec<Vec<String>>) -> Vec<u8> {
    let mut out = String::from("\u{feff}");
    for row in rows {
        let line: Vec<String> = row.iter().map(|f| csv_field(f)).collect();
        out.push_str(&line.join(","));
        out.push_str("\r\n");
    }
    out.into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_quotes_and_defuses() {
        assert_eq!(csv_field("王伟"), "王伟");
        assert_eq!(csv_field("a,b"), "\"a,b\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_field("=cmd()"), "'=cmd()");
        assert_eq!(csv_field("-1,2"), "\"'-1,2\"");
        let bytes = csv(vec![vec!["a".into(), "b".into()]]);
        assert!(bytes.starts_with("\u{feff}".as_bytes()));
        assert!(bytes.ends_with(b"a,b\r\n"));
    }
}
