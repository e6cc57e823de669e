//! Bulk import of cadres from a sheet (CSV, or the first sheet of an XLSX workbook): the
//! header is recognised in Chinese or English, every row is checked, and the import is
//! all-or-nothing: one bad row and nothing is written.
use serde::{Deserialize, Serialize};

use super::{Role, Roles};

/// Rows read at most from one sheet.
pub const MAX_ROWS: usize = 5000;

/// The columns of an import sheet.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Column {
    Name,
    Community,
    Phone,
    Tier,
    Roles,
}

impl Column {
    /// What a header cell may say for this column.
    fn names(self) -> &'static [&'static str] {
        match self {
            Column::Name => &["姓名", "名字", "name"],
            Column::Community => &["社区", "所属社区", "community"],
            Column::Phone => &["手机", "手机号", "电话", "联系电话", "phone", "mobile"],
            Column::Tier => &["梯队", "层级", "雁阵梯队", "tier"],
            Column::Roles => &["角色", "roles", "role"],
        }
    }

    const ALL: [Column; 5] = [
        Column::Name,
        Column::Community,
        Column::Phone,
        Column::Tier,
        Column::Roles,
    ];
}

/// What is wrong with a row (or the sheet, on line 0).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RowProblem {
    /// The sheet has no header with at least name, community and tier.
    NoHeader,
    Empty,
    TooManyRows,
    NameMissing,
    NameTooLong,
    UnknownCommunity,
    UnknownTier,
    BadPhone,
    UnknownRole,
    /// A role only an administrator may give.
    RoleNotAllowed,
    /// Roles given for someone without an account and without a phone to name one by.
    PhoneNeededForAccount,
    /// The account would be named by a phone number some account already uses.
    UsernameTaken,
    /// The same person twice in the sheet.
    Duplicate,
    /// More than one existing person has this name in this community and no phone tells
    /// them apart.
    Ambiguous,
}

impl RowProblem {
    const ALL: [RowProblem; 14] = [
        RowProblem::NoHeader,
        RowProblem::Empty,
        RowProblem::TooManyRows,
        RowProblem::NameMissing,
        RowProblem::NameTooLong,
        RowProblem::UnknownCommunity,
        RowProblem::UnknownTier,
        RowProblem::BadPhone,
        RowProblem::UnknownRole,
        RowProblem::RoleNotAllowed,
        RowProblem::PhoneNeededForAccount,
        RowProblem::UsernameTaken,
        RowProblem::Duplicate,
        RowProblem::Ambiguous,
    ];

    /// The code in a URL (`?error=no_header`) and in JSON.
    pub fn code(self) -> &'static str {
        match self {
            RowProblem::NoHeader => "no_header",
            RowProblem::Empty => "empty",
            RowProblem::TooManyRows => "too_many_rows",
            RowProblem::NameMissing => "name_missing",
            RowProblem::NameTooLong => "name_too_long",
            RowProblem::UnknownCommunity => "unknown_community",
            RowProblem::UnknownTier => "unknown_tier",
            RowProblem::BadPhone => "bad_phone",
            RowProblem::UnknownRole => "unknown_role",
            RowProblem::RoleNotAllowed => "role_not_allowed",
            RowProblem::PhoneNeededForAccount => "phone_needed_for_account",
            RowProblem::UsernameTaken => "username_taken",
            RowProblem::Duplicate => "duplicate",
            RowProblem::Ambiguous => "ambiguous",
        }
    }

    pub fn from_code(code: &str) -> Option<RowProblem> {
        Self::ALL.into_iter().find(|p| p.code() == code)
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Problem {
    /// The sheet's line, 1 being the header.
    pub line: usize,
    pub problem: RowProblem,
}

/// A row as read, cells trimmed.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RawRow {
    pub line: usize,
    pub name: String,
    pub community: String,
    pub phone: String,
    pub tier: String,
    pub roles: String,
}

/// Reads CSV (RFC 4180: quoted fields with doubled quotes and line breaks, CRLF or LF; a
/// UTF-8 byte-order mark is skipped). Returns rows of cells.
pub fn parse_csv(text: &str) -> Vec<Vec<String>> {
    parse_csv_within(text, usize::MAX, usize::MAX).unwrap_or_default()
}

/// Where a sheet passed a cap: the row (1-based) at which it did, and which cap.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SheetLimit {
    Rows(usize),
    Columns(usize),
}

/// Rows of the table a sheet may hold (the data rows, a header and blank lines around).
pub const MAX_TABLE_ROWS: usize = MAX_ROWS + 200;
/// Columns a sheet may hold (the import reads seven).
pub const MAX_TABLE_COLUMNS: usize = 64;

/// [`parse_csv`] that stops, before storing anything more, at the first row past
/// `max_rows` or cell past `max_cols`.
pub fn parse_csv_within(
    text: &str,
    max_rows: usize,
    max_cols: usize,
) -> Result<Vec<Vec<String>>, SheetLimit> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut rows = Vec::new();
    let mut row = Vec::new();
    let mut cell = String::new();
    let mut quoted = false;
    let mut chars = text.chars().peekable();
    let end_cell = |row: &mut Vec<String>, cell: &mut String, line: usize| {
        if row.len() >= max_cols {
            return Err(SheetLimit::Columns(line));
        }
        row.push(std::mem::take(cell));
        Ok(())
    };
    while let Some(c) = chars.next() {
        let line = rows.len() + 1;
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                cell.push('"');
            }
            (true, '"') => quoted = false,
            (true, c) => cell.push(c),
            (false, '"') if cell.is_empty() => quoted = true,
            (false, ',') => end_cell(&mut row, &mut cell, line)?,
            (false, '\r') if chars.peek() == Some(&'\n') => {}
            (false, '\n') | (false, '\r') => {
                end_cell(&mut row, &mut cell, line)?;
                if rows.len() >= max_rows {
                    return Err(SheetLimit::Rows(line));
                }
                rows.push(std::mem::take(&mut row));
            }
            (false, c) => cell.push(c),
        }
    }
    if !cell.is_empty() || !row.is_empty() {
        let line = rows.len() + 1;
        end_cell(&mut row, &mut cell, line)?;
        if rows.len() >= max_rows {
            return Err(SheetLimit::Rows(line));
        }
        rows.push(row);
    }
    Ok(rows)
}

/// Finds the header (the first non-empty row) and reads the rows under it. Blank rows are
/// skipped; line numbers count every row of the sheet.
pub fn read_rows(table: &[Vec<String>]) -> Result<Vec<RawRow>, Problem> {
    let blank = |r: &Vec<String>| r.iter().all(|c| c.trim().is_empty());
    let Some(header_at) = table.iter().position(|r| !blank(r)) else {
        return Err(Problem {
            line: 1,
            problem: RowProblem::Empty,
        });
    };
    let header = &table[header_at];
    let index = |col: Column| {
        header.iter().position(|h| {
            let h = h.trim().to_lowercase();
            col.names().iter().any(|n| h == *n)
        })
    };
    let at: Vec<Option<usize>> = Column::ALL.iter().map(|c| index(*c)).collect();
    if at[0].is_none() || at[1].is_none() || at[3].is_none() {
        return Err(Problem {
            line: header_at + 1,
            problem: RowProblem::NoHeader,
        });
    }
    let rows: Vec<RawRow> = table
        .iter()
        .enumerate()
        .skip(header_at + 1)
        .filter(|(_, r)| !blank(r))
        .map(|(i, r)| {
            let cell = |col: usize| {
                at[col]
                    .and_then(|j| r.get(j))
                    .map(|c| c.trim().to_string())
                    .unwrap_or_default()
            };
            RawRow {
                line: i + 1,
                name: cell(0),
                community: cell(1),
                phone: cell(2),
                tier: cell(3),
                roles: cell(4),
            }
        })
        .collect();
    if rows.is_empty() {
        return Err(Problem {
            line: header_at + 1,
            problem: RowProblem::Empty,
        });
    }
    if rows.len() > MAX_ROWS {
        return Err(Problem {
            line: rows[MAX_ROWS].line,
            problem: RowProblem::TooManyRows,
        });
    }
    Ok(rows)
}

/// Roles as written in a cell: 学员 / 讲师 / 组织者 / 管理员 or their English names,
/// separated by commas, 、, semicolons, slashes or spaces. Empty means none.
pub fn parse_roles(raw: &str) -> Option<Vec<Role>> {
    let mut out = Vec::new();
    for part in raw.split([',', '，', '、', ';', '；', '/', ' ']) {
        let part = part.trim().to_lowercase();
        if part.is_empty() {
            continue;
        }
        let role = match part.as_str() {
            "学员" | "cadre" => Role::Cadre,
            "讲师" | "lecturer" => Role::Lecturer,
            "组织者" | "organiser" | "organizer" => Role::Organiser,
            "管理员" | "admin" => Role::Admin,
            _ => return None,
        };
        if !out.contains(&role) {
            out.push(role);
        }
    }
    Some(out)
}

/// A phone number as stored: digits (and a leading +) only, 5–20 of them.
pub fn clean_phone(raw: &str) -> Option<String> {
    let kept: String = raw
        .chars()
        .filter(|c| !matches!(c, ' ' | '-' | '(' | ')'))
        .collect();
    let digits = kept.strip_prefix('+').unwrap_or(&kept);
    ((5..=20).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit())).then_some(kept)
}

/// The username an imported account gets: the phone number's digits.
pub fn username_for(phone: &str) -> String {
    phone.chars().filter(char::is_ascii_digit).collect()
}

/// What the school already has, for matching rows.
#[derive(Clone, Debug, Default)]
pub struct Known {
    /// `(id, name)` of communities.
    pub communities: Vec<(i64, String)>,
    /// `(id, name_zh, name_en)` of tiers.
    pub tiers: Vec<(i64, String, String)>,
    /// Existing people: id, name, community id, phone, tier, whether they have an account.
    pub people: Vec<KnownPerson>,
    /// Usernames taken, lower-cased.
    pub usernames: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KnownPerson {
    pub id: i64,
    pub name: String,
    pub community_id: Option<i64>,
    pub phone: String,
    pub tier_id: Option<i64>,
    pub has_account: bool,
}

/// A checked row, ready to write.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportRow {
    pub line: usize,
    pub name: String,
    pub community_id: i64,
    pub community: String,
    pub phone: String,
    pub tier_id: i64,
    pub tier: String,
    pub roles: Roles,
    /// The existing person this row updates; `None` adds a person.
    pub person_id: Option<i64>,
    /// The tier changes (for an existing person).
    pub tier_changes: bool,
    /// An account is created (named by the phone number) for the roles.
    pub new_account: bool,
}

/// Checks every row against what the school has. `grants_staff` is whether the importer
/// may give the organiser and admin roles (administrators only).
pub fn check(rows: &[RawRow], known: &Known, grants_staff: bool) -> (Vec<ImportRow>, Vec<Problem>) {
    let mut ok = Vec::new();
    let mut problems = Vec::new();
    let mut seen: Vec<(String, i64, String)> = Vec::new();
    for r in rows {
        let mut fail = |problem| {
            problems.push(Problem {
                line: r.line,
                problem,
            })
        };
        let name_len = r.name.chars().count();
        if name_len == 0 {
            fail(RowProblem::NameMissing);
            continue;
        }
        if name_len > 40 || r.name.chars().any(char::is_control) {
            fail(RowProblem::NameTooLong);
            continue;
        }
        let community = known
            .communities
            .iter()
            .find(|(_, n)| n.trim().eq_ignore_ascii_case(&r.community));
        let tier = known.tiers.iter().find(|(_, zh, en)| {
            zh.eq_ignore_ascii_case(&r.tier) || en.eq_ignore_ascii_case(&r.tier)
        });
        let phone = if r.phone.is_empty() {
            Some(String::new())
        } else {
            clean_phone(&r.phone)
        };
        let roles = parse_roles(&r.roles);
        let (
            Some((community_id, community)),
            Some((tier_id, tier_zh, _)),
            Some(phone),
            Some(roles),
        ) = (community, tier, phone.clone(), roles.clone())
        else {
            if community.is_none() {
                fail(RowProblem::UnknownCommunity);
            }
            if tier.is_none() {
                fail(RowProblem::UnknownTier);
            }
            if phone.is_none() {
                fail(RowProblem::BadPhone);
            }
            if roles.is_none() {
                fail(RowProblem::UnknownRole);
            }
            continue;
        };
        if !grants_staff
            && roles
                .iter()
                .any(|r| matches!(r, Role::Organiser | Role::Admin))
        {
            fail(RowProblem::RoleNotAllowed);
            continue;
        }
        let key = (r.name.clone(), *community_id, phone.clone());
        if seen
            .iter()
            .any(|(n, c, p)| (!phone.is_empty() && *p == phone) || (*n == key.0 && *c == key.1))
        {
            fail(RowProblem::Duplicate);
            continue;
        }
        seen.push(key);
        // The phone identifies a person; without one, the name within the community does.
        let by_phone = (!phone.is_empty())
            .then(|| known.people.iter().find(|p| p.phone == phone))
            .flatten();
        let by_name: Vec<&KnownPerson> = known
            .people
            .iter()
            .filter(|p| p.name == r.name && p.community_id == Some(*community_id))
            .collect();
        let existing = match (by_phone, by_name.as_slice()) {
            (Some(p), _) => Some(p),
            (None, [one]) if one.phone.is_empty() || phone.is_empty() => Some(*one),
            (None, [_, _, ..]) if phone.is_empty() => {
                fail(RowProblem::Ambiguous);
                continue;
            }
            _ => None,
        };
        let has_account = existing.is_some_and(|p| p.has_account);
        let new_account = !roles.is_empty() && !has_account;
        if new_account && phone.is_empty() {
            fail(RowProblem::PhoneNeededForAccount);
            continue;
        }
        if new_account && known.usernames.contains(&username_for(&phone)) {
            fail(RowProblem::UsernameTaken);
            continue;
        }
        ok.push(ImportRow {
            line: r.line,
            name: r.name.clone(),
            community_id: *community_id,
            community: community.clone(),
            phone,
            tier_id: *tier_id,
            tier: tier_zh.clone(),
            roles: Roles::new(roles.iter().copied()),
            person_id: existing.map(|p| p.id),
            tier_changes: existing.is_some_and(|p| p.tier_id != Some(*tier_id)),
            new_account,
        });
    }
    (ok, problems)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn known() -> Known {
        Known {
            communities: vec![(1, "东关社区".into()), (2, "西湖社区".into())],
            tiers: vec![
                (10, "头雁".into(), "Lead goose".into()),
                (11, "雏雁".into(), "Young goose".into()),
            ],
            people: vec![
                KnownPerson {
                    id: 100,
                    name: "张伟".into(),
                    community_id: Some(1),
                    phone: "13800000001".into(),
                    tier_id: Some(11),
                    has_account: true,
                },
                KnownPerson {
                    id: 101,
                    name: "李娜".into(),
                    community_id: Some(2),
                    phone: String::new(),
                    tier_id: Some(11),
                    has_account: false,
                },
                KnownPerson {
                    id: 102,
                    name: "王芳".into(),
                    community_id: Some(2),
                    phone: String::new(),
                    tier_id: None,
                    has_account: false,
                },
                KnownPerson {
                    id: 103,
                    name: "王芳".into(),
                    community_id: Some(2),
                    phone: String::new(),
                    tier_id: None,
                    has_account: false,
                },
            ],
            usernames: vec!["13900000011".into()],
        }
    }

    #[test]
    fn csv_is_read_as_spreadsheets_write_it() {
        let text = "\u{feff}姓名,社区,备注\r\n\"赵, 六\",东关社区,\"说\"\"好\"\"\n两行\"\r\n\n孙七,西湖社区,";
        let rows = parse_csv(text);
        assert_eq!(parse_csv_within(text, 1, 10), Err(SheetLimit::Rows(2)));
        assert_eq!(
            parse_csv_within("a,b,c\n", 10, 2),
            Err(SheetLimit::Columns(1))
        );
        assert_eq!(
            parse_csv_within(",,,,,,,,,,,,", 10, 5),
            Err(SheetLimit::Columns(1))
        );
        assert_eq!(rows.len(), 4);
        assert_eq!(rows[0], vec!["姓名", "社区", "备注"]);
        assert_eq!(rows[1], vec!["赵, 六", "东关社区", "说\"好\"\n两行"]);
        assert_eq!(rows[2], vec![""]);
        assert_eq!(rows[3], vec!["孙七", "西湖社区", ""]);
    }

    #[test]
    fn headers_in_either_language_and_blank_lines() {
        let table = parse_csv(
            "\nName,Community,Tier,Phone\n 赵六 ,东关社区,雏雁,\n,,,\n孙七,西湖社区,Lead goose,138 0000 0002\n",
        );
        let rows = read_rows(&table).unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(
            (rows[0].line, rows[0].name.as_str(), rows[0].tier.as_str()),
            (3, "赵六", "雏雁")
        );
        assert_eq!(rows[1].line, 5);
        assert_eq!(
            read_rows(&parse_csv("名字,电话\n赵六,1\n"))
                .unwrap_err()
                .problem,
            RowProblem::NoHeader
        );
        assert_eq!(
            read_rows(&parse_csv("姓名,社区,梯队\n"))
                .unwrap_err()
                .problem,
            RowProblem::Empty
        );
        assert_eq!(read_rows(&[]).unwrap_err().problem, RowProblem::Empty);
    }

    #[test]
    fn every_row_is_checked_and_matched() {
        let table = parse_csv(
            "姓名,社区,手机,梯队,角色\n\
             张伟,东关社区,138-0000-0001,头雁,学员\n\
             李娜,西湖社区,,雏雁,\n\
             新人,西湖社区,13900000009,雏雁,学员、讲师\n\
             无名社区,北门社区,,雏雁,\n\
             ,东关社区,,雏雁,\n\
             错梯队,东关社区,12ab,金雁,\n\
             要账号,东关社区,,雏雁,学员\n\
             王芳,西湖社区,,雏雁,\n\
             想当组织者,东关社区,13900000010,雏雁,组织者\n\
             奇怪角色,东关社区,,雏雁,校长\n\
             新人,西湖社区,13900000009,雏雁,\n\
             撞名,西湖社区,13900000011,雏雁,学员\n",
        );
        let rows = read_rows(&table).unwrap();
        let (ok, problems) = check(&rows, &known(), false);
        let found: Vec<(usize, RowProblem)> =
            problems.iter().map(|p| (p.line, p.problem)).collect();
        assert_eq!(
            found,
            vec![
                (5, RowProblem::UnknownCommunity),
                (6, RowProblem::NameMissing),
                (7, RowProblem::UnknownTier),
                (7, RowProblem::BadPhone),
                (8, RowProblem::PhoneNeededForAccount),
                (9, RowProblem::Ambiguous),
                (10, RowProblem::RoleNotAllowed),
                (11, RowProblem::UnknownRole),
                (12, RowProblem::Duplicate),
                (13, RowProblem::UsernameTaken),
            ]
        );
        assert_eq!(ok.len(), 3);
        // Matched by phone, promoted from 雏雁 to 头雁, account kept.
        assert_eq!(
            (ok[0].person_id, ok[0].tier_changes, ok[0].new_account),
            (Some(100), true, false)
        );
        assert_eq!(ok[0].phone, "13800000001");
        // Matched by name within the community, nothing changes tier.
        assert_eq!((ok[1].person_id, ok[1].tier_changes), (Some(101), false));
        // New, with an account for two roles.
        assert_eq!((ok[2].person_id, ok[2].new_account), (None, true));
        assert!(ok[2].roles.has(Role::Lecturer));
        // An administrator may give staff roles.
        let (_, problems) = check(&rows[8..9], &known(), true);
        assert!(problems.is_empty());
    }

    #[cfg(feature = "ssr")]
    #[test]
    fn problem_codes_are_the_json_names() {
        for p in RowProblem::ALL {
            assert_eq!(serde_json::to_value(p).unwrap(), p.code());
            assert_eq!(RowProblem::from_code(p.code()), Some(p));
        }
        assert_eq!(RowProblem::from_code("fine"), None);
    }

    #[test]
    fn roles_and_phones() {
        assert_eq!(
            parse_roles("学员、讲师"),
            Some(vec![Role::Cadre, Role::Lecturer])
        );
        assert_eq!(parse_roles(" Cadre; cadre "), Some(vec![Role::Cadre]));
        assert_eq!(parse_roles(""), Some(vec![]));
        assert_eq!(parse_roles("书记"), None);
        assert_eq!(clean_phone("138 0000-0001"), Some("13800000001".into()));
        assert_eq!(
            clean_phone("+86 138 0000 0001"),
            Some("+8613800000001".into())
        );
        assert_eq!(clean_phone("1234"), None);
        assert_eq!(clean_phone("138x"), None);
    }
}
