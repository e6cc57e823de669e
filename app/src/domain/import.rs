//! Bulk import of cadres from a sheet (CSV, or the first sheet of an XLSX workbook): the
//! header is recognised in Chinese or English, every row is checked, and the import is
//! all-or-nothing: one bad row and nothing is written.
use serde::{Deserialize, Serialize};

use super::org::Unit;
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
    /// Which subdistrict the community is in (needed only when two have one of that name).
    Subdistrict,
    /// Where an organiser's grant reaches: 社区 / 街道 / 全区, or a unit's name.
    Scope,
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
            Column::Subdistrict => &["街道", "所属街道", "subdistrict"],
            Column::Scope => &["管理范围", "组织者范围", "scope"],
        }
    }

    const ALL: [Column; 7] = [
        Column::Name,
        Column::Community,
        Column::Phone,
        Column::Tier,
        Column::Roles,
        Column::Subdistrict,
        Column::Scope,
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
    UnknownSubdistrict,
    /// Communities of this name are in several subdistricts: the subdistrict column says which.
    AmbiguousCommunity,
    /// The scope names no unit of the tree (or one outside the row's subdistrict).
    UnknownScope,
}

impl RowProblem {
    const ALL: [RowProblem; 17] = [
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
        RowProblem::UnknownSubdistrict,
        RowProblem::AmbiguousCommunity,
        RowProblem::UnknownScope,
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
            RowProblem::UnknownSubdistrict => "unknown_subdistrict",
            RowProblem::AmbiguousCommunity => "ambiguous_community",
            RowProblem::UnknownScope => "unknown_scope",
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
    #[serde(default)]
    pub subdistrict: String,
    #[serde(default)]
    pub scope: String,
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
                subdistrict: cell(5),
                scope: cell(6),
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

/// Where an organiser's grant reaches, as a scope cell says it: `社区` (the row's
/// community), `街道` (its subdistrict), `全区` (the district), or the name of a
/// subdistrict, or of a community of the row's subdistrict. Empty: no scope given.
pub fn parse_scope(
    raw: &str,
    community: &KnownCommunity,
    known: &Known,
) -> Result<Option<Unit>, RowProblem> {
    let cell = raw.trim();
    let unit = match cell.to_lowercase().as_str() {
        "" => return Ok(None),
        "社区" | "本社区" | "community" => Unit::Community(community.id),
        "街道" | "本街道" | "subdistrict" => Unit::Subdistrict(community.subdistrict_id),
        "全区" | "区" | "district" => Unit::District,
        _ => {
            if let Some((id, _)) = known.subdistricts.iter().find(|(_, n)| same(n, cell)) {
                Unit::Subdistrict(*id)
            } else if let Some(c) = known
                .communities
                .iter()
                .find(|c| c.subdistrict_id == community.subdistrict_id && same(&c.name, cell))
            {
                Unit::Community(c.id)
            } else {
                return Err(RowProblem::UnknownScope);
            }
        }
    };
    Ok(Some(unit))
}

/// Names compared as people type them: trimmed, ASCII case ignored.
fn same(stored: &str, typed: &str) -> bool {
    stored.trim().eq_ignore_ascii_case(typed.trim())
}

/// The row's community: by name, within the subdistrict the row names (when it names one).
fn find_community<'k>(
    known: &'k Known,
    community: &str,
    subdistrict: &str,
) -> Result<&'k KnownCommunity, RowProblem> {
    let within = if subdistrict.is_empty() {
        None
    } else {
        Some(
            known
                .subdistricts
                .iter()
                .find(|(_, n)| same(n, subdistrict))
                .map(|(id, _)| *id)
                .ok_or(RowProblem::UnknownSubdistrict)?,
        )
    };
    let found: Vec<&KnownCommunity> = known
        .communities
        .iter()
        .filter(|c| same(&c.name, community) && within.is_none_or(|s| s == c.subdistrict_id))
        .collect();
    match found.as_slice() {
        [one] => Ok(one),
        [] => Err(RowProblem::UnknownCommunity),
        _ => Err(RowProblem::AmbiguousCommunity),
    }
}

/// A community of the tree, for matching rows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KnownCommunity {
    pub id: i64,
    pub name: String,
    pub subdistrict_id: i64,
}

/// What the school already has, for matching rows.
#[derive(Clone, Debug, Default)]
pub struct Known {
    /// `(id, name)` of subdistricts.
    pub subdistricts: Vec<(i64, String)>,
    pub communities: Vec<KnownCommunity>,
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
    /// The subdistrict of the row's community.
    #[serde(default)]
    pub subdistrict_id: Option<i64>,
    #[serde(default)]
    pub subdistrict: String,
    /// The organiser grant the scope column gives; an organiser without one (and without any
    /// grant yet) gets the row's subdistrict.
    #[serde(default)]
    pub unit: Option<Unit>,
    /// The unit's name as the sheet said it, for the preview.
    #[serde(default)]
    pub scope: String,
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
        let community = find_community(known, &r.community, &r.subdistrict);
        let tier = known.tiers.iter().find(|(_, zh, en)| {
            zh.eq_ignore_ascii_case(&r.tier) || en.eq_ignore_ascii_case(&r.tier)
        });
        let phone = if r.phone.is_empty() {
            Some(String::new())
        } else {
            clean_phone(&r.phone)
        };
        let roles = parse_roles(&r.roles);
        let scope = community
            .as_ref()
            .ok()
            .map(|c| parse_scope(&r.scope, c, known));
        let (
            Ok(community),
            Some((tier_id, tier_zh, _)),
            Some(phone),
            Some(mut roles),
            Some(Ok(unit)),
        ) = (community, tier, phone.clone(), roles.clone(), scope)
        else {
            if let Err(problem) = community {
                fail(problem);
            }
            if let Some(Err(problem)) = scope {
                fail(problem);
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
        let community_id = &community.id;
        // A scope makes the person an organiser there.
        if unit.is_some() && !roles.contains(&Role::Organiser) {
            roles.push(Role::Organiser);
        }
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
            community: community.name.clone(),
            phone,
            tier_id: *tier_id,
            tier: tier_zh.clone(),
            roles: Roles::new(roles.iter().copied()),
            person_id: existing.map(|p| p.id),
            tier_changes: existing.is_some_and(|p| p.tier_id != Some(*tier_id)),
            new_account,
            subdistrict_id: Some(community.subdistrict_id),
            subdistrict: known
                .subdistricts
                .iter()
                .find(|(id, _)| *id == community.subdistrict_id)
                .map(|(_, n)| n.clone())
                .unwrap_or_default(),
            unit,
            scope: r.scope.clone(),
        });
    }
    (ok, problems)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn known() -> Known {
        Known {
            subdistricts: vec![(1, "观音阁街道".into()), (2, "李营街道".into())],
            communities: vec![
                KnownCommunity {
                    id: 1,
                    name: "东关社区".into(),
                    subdistrict_id: 1,
                },
                KnownCommunity {
                    id: 2,
                    name: "西湖社区".into(),
                    subdistrict_id: 1,
                },
                KnownCommunity {
                    id: 3,
                    name: "东营社区".into(),
                    subdistrict_id: 2,
                },
                KnownCommunity {
                    id: 4,
                    name: "新华社区".into(),
                    subdistrict_id: 1,
                },
                KnownCommunity {
                    id: 5,
                    name: "新华社区".into(),
                    subdistrict_id: 2,
                },
            ],
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

    #[test]
    fn subdistricts_tell_communities_apart_and_scopes_grant_organisers() {
        let table = parse_csv(
            "姓名,街道,社区,手机,梯队,角色,管理范围\n\
             甲,,新华社区,13900000101,雏雁,,\n\
             乙,李营街道,新华社区,13900000102,雏雁,学员,\n\
             丙,无此街道,东关社区,,雏雁,,\n\
             丁,李营街道,东关社区,,雏雁,,\n\
             戊,,东关社区,13900000103,雏雁,,社区\n\
             己,,东营社区,13900000104,雏雁,组织者,街道\n\
             庚,,东关社区,13900000105,雏雁,组织者,全区\n\
             辛,,东关社区,13900000106,雏雁,,西湖社区\n\
             壬,,东关社区,13900000107,雏雁,,东营社区\n\
             癸,,东关社区,13900000108,雏雁,组织者,\n\
             子,,东关社区,13900000109,雏雁,,李营街道\n",
        );
        let rows = read_rows(&table).unwrap();
        let (ok, problems) = check(&rows, &known(), true);
        let found: Vec<(usize, RowProblem)> =
            problems.iter().map(|p| (p.line, p.problem)).collect();
        assert_eq!(
            found,
            vec![
                (2, RowProblem::AmbiguousCommunity),
                (4, RowProblem::UnknownSubdistrict),
                (5, RowProblem::UnknownCommunity),
                // A community of another subdistrict is not the row's to name.
                (10, RowProblem::UnknownScope),
            ]
        );
        let by_name = |n: &str| ok.iter().find(|r| r.name == n).unwrap();
        assert_eq!(by_name("乙").community_id, 5);
        assert_eq!(by_name("乙").subdistrict, "李营街道");
        assert_eq!(by_name("乙").unit, None);
        // A scope makes an organiser of its unit.
        assert_eq!(by_name("戊").unit, Some(Unit::Community(1)));
        assert!(by_name("戊").roles.has(Role::Organiser));
        assert_eq!(by_name("己").unit, Some(Unit::Subdistrict(2)));
        assert_eq!(by_name("庚").unit, Some(Unit::District));
        assert_eq!(by_name("辛").unit, Some(Unit::Community(2)));
        assert_eq!(by_name("子").unit, Some(Unit::Subdistrict(2)));
        // An organiser without a scope: the grant is decided when written (the row's
        // subdistrict, unless the account holds one already).
        assert_eq!(by_name("癸").unit, None);
        assert_eq!(by_name("癸").subdistrict_id, Some(1));
        // Only administrators give scopes, as they give the organiser role.
        let (_, problems) = check(&rows[4..5], &known(), false);
        assert_eq!(problems[0].problem, RowProblem::RoleNotAllowed);
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
