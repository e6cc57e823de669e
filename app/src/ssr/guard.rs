//! The first two steps of every server function: who is asking, and may they.
use http::header::ACCEPT;
use http::request::Parts;
use leptos::prelude::*;
use leptos_axum::ResponseOptions;

use super::auth::CurrentUser;
use super::db::{Repository, Scope};
use super::state::AppState;
use crate::domain::Role;
use crate::domain::policy::{Action, may, may_see_session};
use crate::error::{AppError, AppResult};

pub fn state() -> AppResult<AppState> {
    use_context::<AppState>().ok_or_else(|| AppError::internal("AppState missing from context"))
}

/// The signed-in caller, as resolved by the session middleware for this request.
pub fn caller() -> AppResult<CurrentUser> {
    use_context::<Parts>()
        .and_then(|parts| parts.extensions.get::<CurrentUser>().cloned())
        .ok_or(AppError::Unauthenticated)
}

/// The caller, if they may perform `action` on the whole install: an organiser's actions
/// here need grants that reach every subdistrict (scoped surfaces ask `access::organiser`).
pub fn authorize(action: Action) -> AppResult<CurrentUser> {
    let user = caller()?;
    if may(&user.account.roles, action) && (!action.is_organisers() || user.grants.everything) {
        Ok(user)
    } else {
        tracing::warn!(account = user.account.id, ?action, "refused");
        Err(AppError::Forbidden)
    }
}

/// Gives a failed server function its HTTP status. A plain form post (no JavaScript) keeps
/// the redirect back to its page that leptos_axum sets up, so the page can show the error.
pub fn finish<T>(result: AppResult<T>) -> AppResult<T> {
    if let Err(err) = &result {
        let plain_form_post = use_context::<Parts>().is_some_and(|p| {
            p.uri.path().starts_with("/api/")
                && p.headers
                    .get(ACCEPT)
                    .and_then(|v| v.to_str().ok())
                    .is_some_and(|v| v.contains("text/html"))
        });
        if !plain_form_post && let Some(res) = use_context::<ResponseOptions>() {
            res.set_status(err.status());
        }
    }
    result
}

/// Which sessions the caller sees in lists, calendars and feeds: every session for an
/// organiser of the whole install; otherwise the ones they are in the audience of (cadres),
/// lecture at, or that their organiser grants reach.
pub async fn scope_of(user: &CurrentUser, repo: &dyn Repository) -> AppResult<Scope> {
    let roles = &user.account.roles;
    if roles.has(Role::Organiser) && user.grants.everything {
        return Ok(Scope::All);
    }
    let member = repo
        .member(user.account.person_id)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(Scope::Person {
        member,
        audience: roles.has(Role::Cadre),
        lectures: roles.has(Role::Lecturer),
        organiser: (roles.has(Role::Organiser) && !user.grants.reach.is_empty())
            .then(|| user.grants.reach.clone()),
    })
}

/// The subdistricts whose communities a scope's pickers offer: the caller's own and those
/// their organiser grants touch (`None`: all of them).
pub fn subdistricts_of(scope: &Scope) -> Option<Vec<i64>> {
    match scope {
        Scope::All => None,
        Scope::Person {
            member, organiser, ..
        } => {
            let mut subs = match organiser {
                Some(reach) => reach.touched_subdistricts()?,
                None => Vec::new(),
            };
            subs.extend(member.subdistrict_id);
            subs.sort_unstable();
            subs.dedup();
            Some(subs)
        }
    }
}

/// Whether the caller may open session `id`. An unknown id and a session they may not see
/// answer alike, so ids reveal nothing.
pub async fn may_open_session(user: &CurrentUser, repo: &dyn Repository, id: i64) -> AppResult<()> {
    let Some(member) = repo.member(user.account.person_id).await? else {
        return Err(AppError::NotFound);
    };
    let (in_audience, lectures_it) = repo.relation_to_session(id, &member).await?;
    let roles = &user.account.roles;
    let organiser = roles.has(Role::Organiser) && user.grants.everything;
    if may_see_session(organiser, roles, lectures_it, in_audience) {
        return Ok(());
    }
    if roles.has(Role::Organiser) && !user.grants.reach.is_empty() {
        let organiser = super::access::organiser()?;
        organiser
            .session(repo, id, crate::domain::org::SessionRight::See)
            .await?;
        return Ok(());
    }
    Err(AppError::NotFound)
}
