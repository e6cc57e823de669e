use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::domain::org::Unit;
use crate::domain::{Role, Roles, Timestamp};
use crate::error::AppError;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AccountView {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub roles: Roles,
    /// Where the organiser role reaches.
    pub units: Vec<Unit>,
    pub disabled: bool,
    pub created_at: Timestamp,
    /// The identity-provider account it signs in through, as the provider names it.
    #[serde(default)]
    pub identity: Option<String>,
}

/// One unit of the organisation tree an organiser may be given, as the picker shows it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct UnitChoice {
    pub unit: Unit,
    pub name_zh: String,
    pub name_en: String,
}

/// The district, each subdistrict, and each community within its subdistrict.
#[server(endpoint = "accounts_units")]
pub async fn organisation_units() -> Result<Vec<UnitChoice>, AppError> {
    use crate::domain::policy::Action;
    use crate::ssr::guard::{authorize, finish, state};
    finish(
        async {
            authorize(Action::ManageAccounts)?;
            let repo = state()?.repo;
            let subdistricts = repo.subdistricts().await?;
            let communities = repo.communities().await?;
            let mut out = vec![UnitChoice {
                unit: Unit::District,
                name_zh: "全区".into(),
                name_en: "The whole district".into(),
            }];
            for s in &subdistricts {
                out.push(UnitChoice {
                    unit: Unit::Subdistrict(s.id),
                    name_zh: s.name.clone(),
                    name_en: s.name.clone(),
                });
                for c in communities.iter().filter(|c| c.subdistrict_id == s.id) {
                    let name = format!("{} · {}", s.name, c.name);
                    out.push(UnitChoice {
                        unit: Unit::Community(c.id),
                        name_zh: name.clone(),
                        name_en: name,
                    });
                }
            }
            Ok(out)
        }
        .await,
    )
}

/// Gives an account an organiser grant: the district, a subdistrict or one community
/// (`unit` as `district`, `subdistrict:ID`, `community:ID`). Its sessions end.
#[server(endpoint = "accounts_grant_unit")]
pub async fn grant_organiser_unit(id: i64, unit: String) -> Result<(), AppError> {
    change_unit(id, &unit, true).await
}

/// Takes an organiser grant away; the organiser role goes with the last one.
#[server(endpoint = "accounts_revoke_unit")]
pub async fn revoke_organiser_unit(id: i64, unit: String) -> Result<(), AppError> {
    change_unit(id, &unit, false).await
}

/// Ends the account's link to the identity provider (a colleague took over the provider
/// account, say): its next sign-in there links again by the claim. Its sessions end.
#[server(endpoint = "accounts_unlink_identity")]
pub async fn unlink_identity(id: i64) -> Result<(), AppError> {
    use crate::domain::audit::{AuditKind, AuditOutcome};
    use crate::domain::policy::Action;
    use crate::ssr::audit::by;
    use crate::ssr::guard::{authorize, finish, state};
    finish(
        async {
            let me = authorize(Action::ManageAccounts)?;
            let line = by(
                &me,
                AuditKind::IdentityUnlinked,
                AuditOutcome::Ok,
                &format!("account:{id}"),
            );
            if state()?.repo.unlink_identities(id, &line).await? {
                Ok(())
            } else {
                Err(AppError::NotFound)
            }
        }
        .await,
    )
}

#[cfg(feature = "ssr")]
async fn change_unit(id: i64, unit: &str, grant: bool) -> Result<(), AppError> {
    use crate::domain::audit::{AuditKind, AuditOutcome};
    use crate::domain::policy::Action;
    use crate::ssr::audit::{by, with_detail};
    use crate::ssr::guard::{authorize, finish, state};
    finish(
        async {
            let me = authorize(Action::ManageAccounts)?;
            let unit = Unit::parse_token(unit).ok_or(AppError::NotFound)?;
            let repo = state()?.repo;
            let line = with_detail(
                by(
                    &me,
                    AuditKind::RolesChanged,
                    AuditOutcome::Ok,
                    &format!("account:{id}"),
                ),
                serde_json::json!({ "change": if grant { "grant" } else { "revoke" }, "unit": unit.token() }),
            );
            let done = if grant {
                repo.grant_unit(id, unit, &line).await?
            } else {
                repo.revoke_unit(id, unit, &line).await?
            };
            if done {
                Ok(())
            } else {
                Err(AppError::NotFound)
            }
        }
        .await,
    )
}

/// Role checkboxes arrive as present-or-absent form fields.
pub fn roles_from_checkboxes(
    cadre: &Option<String>,
    lecturer: &Option<String>,
    organiser: &Option<String>,
    admin: &Option<String>,
) -> Roles {
    let boxes = [
        (cadre, Role::Cadre),
        (lecturer, Role::Lecturer),
        (organiser, Role::Organiser),
        (admin, Role::Admin),
    ];
    Roles::new(
        boxes
            .into_iter()
            .filter(|(b, _)| b.is_some())
            .map(|(_, r)| r),
    )
}

/// Refuses a change to account `id` that would leave no enabled admin. `stays_admin` says,
/// given whether the account is an enabled admin now, whether it is one after the change.
#[cfg(feature = "ssr")]
async fn keep_an_admin(
    repo: &dyn crate::ssr::db::Repository,
    id: i64,
    stays_admin: impl FnOnce(bool) -> bool,
) -> Result<(), AppError> {
    use crate::domain::policy::removes_last_admin;
    use crate::error::Conflict;
    let target = repo.account(id).await?.ok_or(AppError::NotFound)?;
    let admin_now = target.roles.has(Role::Admin) && !target.disabled;
    let admins = repo.count_active_admins().await?;
    if removes_last_admin(admins, admin_now, stays_admin(admin_now)) {
        return Err(AppError::Conflict(Conflict::LastAdmin));
    }
    Ok(())
}

/// The role codes of a set, for audit lines.
#[cfg(feature = "ssr")]
fn role_codes(roles: &Roles) -> Vec<&'static str> {
    roles.iter().map(Role::as_str).collect()
}

/// A new password: long enough, and not one of the passwords attackers try first.
#[cfg(feature = "ssr")]
fn new_password(raw: &str, username: &str) -> Result<crate::domain::Password, AppError> {
    refuse_common(crate::domain::Password::parse(raw)?, username)
}

/// The password, unless it is on the common-password list or is the user name.
#[cfg(feature = "ssr")]
pub(crate) fn refuse_common(
    password: crate::domain::Password,
    username: &str,
) -> Result<crate::domain::Password, AppError> {
    if crate::ssr::password::is_common(password.expose(), username) {
        return Err(crate::domain::account::Invalid::CommonPassword.into());
    }
    Ok(password)
}

#[server(endpoint = "accounts_list")]
pub async fn list_accounts() -> Result<Vec<AccountView>, AppError> {
    use crate::domain::policy::Action;
    use crate::ssr::guard::{authorize, finish, state};
    finish(
        async {
            authorize(Action::ManageAccounts)?;
            let repo = state()?.repo;
            let accounts = repo.list_accounts().await?;
            let units = repo.organiser_units().await?;
            let links = repo.identity_links().await?;
            Ok(accounts
                .into_iter()
                .map(|a| AccountView {
                    identity: links
                        .iter()
                        .find(|l| l.account_id == a.id)
                        .map(|l| l.linked_by.clone()),
                    units: units
                        .iter()
                        .filter(|(account, _)| *account == a.id)
                        .map(|(_, unit)| *unit)
                        .collect(),
                    id: a.id,
                    username: a.username,
                    display_name: a.display_name,
                    roles: a.roles,
                    disabled: a.disabled,
                    created_at: a.created_at,
                })
                .collect())
        }
        .await,
    )
}

#[allow(clippy::too_many_arguments)]
#[server(endpoint = "accounts_create")]
pub async fn create_account(
    username: String,
    display_name: String,
    password: String,
    cadre: Option<String>,
    lecturer: Option<String>,
    organiser: Option<String>,
    admin: Option<String>,
) -> Result<i64, AppError> {
    use crate::domain::account::Invalid;
    use crate::domain::audit::{AuditKind, AuditOutcome};
    use crate::domain::policy::Action;
    use crate::domain::{DisplayName, Username};
    use crate::error::Conflict;
    use crate::ssr::audit::{by, with_detail};
    use crate::ssr::db::{NewAccount, RepoError};
    use crate::ssr::guard::{authorize, finish, state};
    finish(
        async {
            let me = authorize(Action::ManageAccounts)?;
            let username = Username::parse(&username)?;
            let display_name = DisplayName::parse(&display_name)?;
            let password = new_password(&password, username.as_str())?;
            let roles = roles_from_checkboxes(&cadre, &lecturer, &organiser, &admin);
            if roles.is_empty() {
                return Err(Invalid::NoRole.into());
            }
            let password_hash = crate::ssr::password::hash(&password).await?;
            let new = NewAccount {
                username,
                display_name,
                password_hash,
                roles,
                person_id: None,
                // The admin knows this password: its owner chooses their own at sign-in.
                must_change_password: true,
            };
            let line = with_detail(
                by(&me, AuditKind::AccountCreated, AuditOutcome::Ok, ""),
                serde_json::json!({ "username": new.username.as_str(), "roles": role_codes(&new.roles) }),
            );
            match state()?.repo.create_account(&new, Some(&line), Timestamp::now()).await {
                Ok(id) => Ok(id),
                Err(RepoError::Conflict) => Err(AppError::Conflict(Conflict::UsernameTaken)),
                Err(e) => Err(AppError::internal(e)),
            }
        }
        .await,
    )
}

/// Disables or re-enables an account. Disabling ends its sessions at once.
#[server(endpoint = "accounts_set_disabled")]
pub async fn set_account_disabled(id: i64, disabled: bool) -> Result<(), AppError> {
    use crate::domain::audit::{AuditKind, AuditOutcome};
    use crate::domain::policy::Action;
    use crate::error::Conflict;
    use crate::ssr::audit::by;
    use crate::ssr::guard::{authorize, finish, state};
    finish(
        async {
            let me = authorize(Action::ManageAccounts)?;
            if disabled && me.account.id == id {
                return Err(AppError::Conflict(Conflict::OwnAccount));
            }
            let repo = state()?.repo;
            keep_an_admin(repo.as_ref(), id, |admin_now| admin_now && !disabled).await?;
            let kind = if disabled {
                AuditKind::AccountDisabled
            } else {
                AuditKind::AccountEnabled
            };
            let line = by(&me, kind, AuditOutcome::Ok, &format!("account:{id}"));
            if !repo.set_account_disabled(id, disabled, &line).await? {
                return Err(AppError::NotFound);
            }
            Ok(())
        }
        .await,
    )
}

#[server(endpoint = "accounts_set_roles")]
pub async fn set_account_roles(
    id: i64,
    cadre: Option<String>,
    lecturer: Option<String>,
    organiser: Option<String>,
    admin: Option<String>,
) -> Result<(), AppError> {
    use crate::domain::account::Invalid;
    use crate::domain::audit::{AuditKind, AuditOutcome};
    use crate::domain::policy::Action;
    use crate::ssr::audit::{by, with_detail};
    use crate::ssr::guard::{authorize, finish, state};
    finish(
        async {
            let me = authorize(Action::ManageAccounts)?;
            let roles = roles_from_checkboxes(&cadre, &lecturer, &organiser, &admin);
            if roles.is_empty() {
                return Err(Invalid::NoRole.into());
            }
            let repo = state()?.repo;
            let before = repo.account(id).await?.ok_or(AppError::NotFound)?;
            keep_an_admin(repo.as_ref(), id, |_| roles.has(Role::Admin)).await?;
            let line = with_detail(
                by(
                    &me,
                    AuditKind::RolesChanged,
                    AuditOutcome::Ok,
                    &format!("account:{id}"),
                ),
                serde_json::json!({ "from": role_codes(&before.roles), "to": role_codes(&roles) }),
            );
            repo.set_account_roles(id, &roles, &line).await?;
            Ok(())
        }
        .await,
    )
}

/// Sets a new password for someone who forgot theirs; their sessions end.
#[server(endpoint = "accounts_reset_password")]
pub async fn reset_password(id: i64, password: String) -> Result<(), AppError> {
    use crate::domain::audit::{AuditKind, AuditOutcome};
    use crate::domain::policy::Action;
    use crate::ssr::audit::by;
    use crate::ssr::guard::{authorize, finish, state};
    finish(
        async {
            let me = authorize(Action::ManageAccounts)?;
            let repo = state()?.repo;
            let target = repo.account(id).await?.ok_or(AppError::NotFound)?;
            let password = new_password(&password, &target.username)?;
            let hash = crate::ssr::password::hash(&password).await?;
            let line = by(
                &me,
                AuditKind::PasswordReset,
                AuditOutcome::Ok,
                &format!("account:{id}"),
            );
            // The admin knows the new password, so its owner must change it at sign-in.
            if !repo.set_password_hash(id, &hash, true, &line).await? {
                return Err(AppError::NotFound);
            }
            repo.delete_auth_sessions_of(id, None).await?;
            Ok(())
        }
        .await,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checkboxes_become_roles() {
        let on = Some("on".to_string());
        let roles = roles_from_checkboxes(&on, &None, &on, &None);
        assert_eq!(roles, Roles::new([Role::Cadre, Role::Organiser]));
        assert!(roles_from_checkboxes(&None, &None, &None, &None).is_empty());
    }
}
