//! Who may do what, decided in one place. Each request's caller is resolved here once, with
//! how far their organiser grants reach in the organisation tree.
//!
//! Until every organiser surface takes a scope, the surfaces that act on the whole install
//! keep asking for the organiser role, and an organiser holds that role in a request only
//! when their grants reach every subdistrict (the district, or every subdistrict there is).
//! An organiser of one subdistrict among several, or of one community, keeps their reach for
//! the surfaces that are limited to it, and is refused (or sees only their own things) on the
//! rest: a grant never opens more than it names.
use super::db::{RepoResult, Repository};
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
pub async fn grants_of(repo: &dyn Repository, account: &super::db::Account) -> RepoResult<Grants> {
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

/// The roles the account acts with in this request: the organiser role only with grants
/// that reach the whole install.
pub fn effective_roles(roles: &crate::domain::Roles, grants: &Grants) -> crate::domain::Roles {
    if roles.has(Role::Organiser) && !grants.everything {
        crate::domain::Roles::new(roles.iter().filter(|r| *r != Role::Organiser))
    } else {
        roles.clone()
    }
}
