//! How far an account's organiser grants reach, resolved once per request (the access
//! module turns it into capabilities).
use super::db::{OrganisationStore, RepoResult};
use crate::domain::Role;
use crate::domain::org::Reach;

/// An account's organiser grants as a request sees them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Grants {
    pub reach: Reach,
    /// The grants reach every subdistrict of the install.
    pub everything: bool,
}

/// Resolves the account's organiser grants (none without the organiser role).
pub async fn grants_of(
    repo: &dyn OrganisationStore,
    account: &super::db::Account,
) -> RepoResult<Grants> {
    if !account.roles.has(Role::Organiser) {
        return Ok(Grants::default());
    }
    let reach = repo.reach_of(account.id).await?;
    let everything = reach.district || {
        let all: Vec<i64> = repo.subdistricts().await?.iter().map(|s| s.id).collect();
        reach.covers_all(&all)
    };
    Ok(Grants { reach, everything })
}
