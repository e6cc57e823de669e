//! Who must have a second factor on this install: admins always, organisers when an admin
//! says so (a setting). Read at every sign-in.
use super::db::{Planning, RepoResult};
use crate::domain::Roles;
use crate::domain::second_factor;

/// The setting that asks organisers for a second factor too ("1" or "0").
pub const ORGANISERS_SETTING: &str = "security.totp_organisers";

/// Whether this install asks organisers for a second factor.
pub async fn organisers_need_it(repo: &dyn Planning) -> RepoResult<bool> {
    Ok(repo.setting(ORGANISERS_SETTING).await?.as_deref() == Some("1"))
}

/// Whether an account with these roles must have a second factor.
pub async fn required_for(repo: &dyn Planning, roles: &Roles) -> RepoResult<bool> {
    Ok(second_factor::required(
        roles,
        organisers_need_it(repo).await?,
    ))
}
