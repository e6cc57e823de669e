//! The signed-in caller of a request, as the session middleware (`auth::resolve_session`)
//! resolves it.
use super::db::Account;

/// The signed-in caller, put into the request's extensions by `auth::resolve_session`.
#[derive(Clone, Debug)]
pub struct CurrentUser {
    /// The account, its roles as it acts with them in this request (see `access`).
    pub account: Account,
    /// How far its organiser grants reach.
    pub grants: super::grants::Grants,
    /// Its person's tier, community and subdistrict, which decide the audiences they are
    /// in (`None`: the person is gone).
    pub member: Option<crate::domain::audience::Member>,
    pub token_hash: String,
    /// The account must set up its second factor before anything else.
    pub enrolling: bool,
}
