//! Helpers for the SQL both backends run; `repository_sql.rs` implements [`Repository`] for
//! `SqlRepository<Db>`; only connecting and migrating differ per backend.
use sqlx::Pool;

use super::{RepoError, RepoResult};
use crate::domain::audience::Audience;
use crate::domain::hours::StudyHours;
use crate::domain::schedule::{SessionFormat, SessionSummary};
use crate::domain::{Role, Roles, Timestamp};

/// Reads go to `read`, writes to `write`. On SQLite `write` holds one connection, so writers
/// queue in the pool instead of spinning on the database lock; on PostgreSQL both are the
/// same pool.
pub struct SqlRepository<Db: sqlx::Database> {
    pub(super) read: Pool<Db>,
    pub(super) write: Pool<Db>,
}

pub(super) fn map_unique(err: sqlx::Error) -> RepoError {
    match &err {
        sqlx::Error::Database(db) if db.is_unique_violation() => RepoError::Conflict,
        _ => RepoError::Db(err),
    }
}

pub(super) fn parse_role(s: &str) -> RepoResult<Role> {
    Role::parse(s).ok_or_else(|| RepoError::BadValue(s.to_string(), "account_roles.role"))
}

/// Groups `(account_id, role)` rows into each account's role set.
pub(super) fn roles_by_account(rows: Vec<(i64, String)>) -> RepoResult<Vec<(i64, Roles)>> {
    let mut out: Vec<(i64, Vec<Role>)> = Vec::new();
    for (account_id, role) in rows {
        let role = parse_role(&role)?;
        match out.last_mut() {
            Some((id, roles)) if *id == account_id => roles.push(role),
            _ => out.push((account_id, vec![role])),
        }
    }
    Ok(out
        .into_iter()
        .map(|(id, roles)| (id, Roles::new(roles)))
        .collect())
}

/// One row per (session, lecturer); sessions without a lecturer have `lecturer = None`.
#[derive(sqlx::FromRow)]
pub(super) struct SessionRow {
    id: i64,
    title: String,
    theme_zh: String,
    theme_en: String,
    format: String,
    starts_at: i64,
    ends_at: i64,
    place: String,
    cancelled: bool,
    study_hours: i64,
    lecturer: Option<String>,
}

/// Folds rows ordered by session into summaries, keeping lecturer order.
pub(super) fn fold_sessions(rows: Vec<SessionRow>) -> RepoResult<Vec<SessionSummary>> {
    let mut out: Vec<SessionSummary> = Vec::new();
    for row in rows {
        if let Some(last) = out.last_mut().filter(|s| s.id == row.id) {
            last.lecturers.extend(row.lecturer);
            continue;
        }
        let format = SessionFormat::parse(&row.format)
            .ok_or_else(|| RepoError::BadValue(row.format.clone(), "sessions.format"))?;
        out.push(SessionSummary {
            id: row.id,
            title: row.title,
            theme_zh: row.theme_zh,
            theme_en: row.theme_en,
            format,
            starts_at: Timestamp(row.starts_at),
            ends_at: Timestamp(row.ends_at),
            place: row.place,
            lecturers: row.lecturer.into_iter().collect(),
            cancelled: row.cancelled,
            study_hours: StudyHours(row.study_hours),
        });
    }
    Ok(out)
}

pub(super) const SESSION_COLUMNS: &str = "select s.id, s.title, t.name_zh as theme_zh, \
     t.name_en as theme_en, s.format, s.starts_at, s.ends_at, s.place, s.cancelled, \
     s.study_hours, p.name as lecturer \
     from sessions s \
     join themes t on t.id = s.theme_id \
     left join session_lecturers sl on sl.session_id = s.id \
     left join people p on p.id = sl.person_id";

/// `(kind, ref_id)` rows stored for a chosen audience.
pub(super) fn audience_rows(audience: &Audience) -> Vec<(&'static str, i64)> {
    match audience {
        Audience::Everyone => Vec::new(),
        Audience::Chosen {
            tiers,
            communities,
            people,
        } => tiers
            .iter()
            .map(|id| ("tier", *id))
            .chain(communities.iter().map(|id| ("community", *id)))
            .chain(people.iter().map(|id| ("person", *id)))
            .collect(),
    }
}

#[derive(sqlx::FromRow)]
pub(super) struct AccountRow {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub person_id: i64,
    pub disabled: bool,
    pub created_at: i64,
    pub must_change_password: bool,
}

/// Writes one setting, replacing its value: `$1` key, `$2` value, `$3` time.
pub(super) const UPSERT_SETTING: &str = "insert into settings (key, value, updated_at) \
     values ($1, $2, $3) on conflict (key) do update set value = excluded.value, \
     updated_at = excluded.updated_at";

pub(super) const ACCOUNT_COLUMNS: &str = "select a.id, a.username, p.name as display_name, \
     a.person_id, a.disabled, a.created_at, a.must_change_password from accounts a join people p on p.id = a.person_id";

pub(super) fn account_from(row: AccountRow, roles: Roles) -> super::Account {
    super::Account {
        id: row.id,
        username: row.username,
        display_name: row.display_name,
        person_id: row.person_id,
        roles,
        disabled: row.disabled,
        created_at: Timestamp(row.created_at),
        must_change_password: row.must_change_password,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_group_by_account() {
        let rows = vec![
            (1, "admin".to_string()),
            (1, "cadre".to_string()),
            (2, "lecturer".to_string()),
        ];
        let grouped = roles_by_account(rows).unwrap();
        assert_eq!(grouped.len(), 2);
        assert!(grouped[0].1.has(Role::Admin) && grouped[0].1.has(Role::Cadre));
        assert!(roles_by_account(vec![(1, "root".into())]).is_err());
    }
}
