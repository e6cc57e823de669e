use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::domain::Roles;
use crate::error::AppError;

/// The signed-in person as the UI sees them.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SignedIn {
    pub account_id: i64,
    pub username: String,
    pub display_name: String,
    pub roles: Roles,
    /// An organiser whose grants reach the whole install (the district's own rules, imports).
    #[serde(default)]
    pub organises_all: bool,
    /// An organiser who may hold sessions (of a whole subdistrict or more).
    #[serde(default)]
    pub schedules: bool,
    /// Unread notices in their inbox (the bar's badge).
    #[serde(default)]
    pub unread: i64,
}

/// How one may sign in here, besides the password form.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct SignInChoices {
    /// The district's identity provider is configured: the page offers its button.
    pub identity_provider: bool,
    /// The button's words as configured; `None`: the default in the reader's language.
    pub label: Option<String>,
}

/// Public: the login page asks it before anyone is signed in.
#[server(endpoint = "sign_in_options")]
pub async fn sign_in_options() -> Result<SignInChoices, AppError> {
    let state = crate::ssr::guard::state()?;
    Ok(state
        .oidc
        .as_ref()
        .map(|oidc| SignInChoices {
            identity_provider: true,
            label: oidc.config.label.clone(),
        })
        .unwrap_or_default())
}

/// The signed-in person, loaded once per page load and shared by the bar and the pages.
pub type MeResource = Resource<Result<Option<SignedIn>, AppError>>;

/// Who is signed in, or `None`.
#[server(endpoint = "me")]
pub async fn me() -> Result<Option<SignedIn>, AppError> {
    use crate::ssr::guard::{caller, state};
    let Ok(u) = caller() else {
        return Ok(None);
    };
    let unread = state()?
        .repo
        .unread_count(u.account.person_id)
        .await
        .map_err(AppError::from)?;
    Ok(Some(SignedIn {
        unread,
        account_id: u.account.id,
        username: u.account.username,
        display_name: u.account.display_name,
        organises_all: u.grants.everything,
        schedules: u.grants.everything || !u.grants.reach.subdistricts.is_empty(),
        roles: u.account.roles,
    }))
}

/// Anyone signed in may change their own password; their other sessions end. Wrong
/// current passwords are throttled like logins.
#[server(endpoint = "change_password")]
pub async fn change_password(
    current: String,
    new_password: String,
    new_password_again: String,
) -> Result<(), AppError> {
    use crate::api::accounts::refuse_common;
    use crate::domain::Username;
    use crate::domain::audit::{AuditKind, AuditOutcome};
    use crate::domain::throttle::{self, Verdict};
    use crate::domain::{Password, Timestamp};
    use crate::ssr::audit::by;
    use crate::ssr::auth::count_try;
    use crate::ssr::guard::{caller, finish, state};
    use crate::ssr::password;
    finish(
        async {
            let user = caller()?;
            let new = refuse_common(
                Password::parse_confirmed(&new_password, &new_password_again)?,
                &user.account.username,
            )?;
            let state = state()?;
            let repo = state.repo.clone();
            let now = Timestamp::now();
            let target = format!("account:{}", user.account.id);
            let bucket = (
                format!("password:{}", user.account.id),
                throttle::PASSWORD_CHANGE,
            );
            let refused = by(
                &user,
                AuditKind::PasswordChangeRefused,
                AuditOutcome::Refused,
                &target,
            );
            let (verdict, tries, _) = count_try(&state, std::slice::from_ref(&bucket), now).await?;
            if let Verdict::Wait(secs) = verdict {
                repo.audit(&refused).await?;
                return Err(AppError::TooManyTries(throttle::wait_minutes(secs)));
            }
            let username = Username::parse(&user.account.username)?;
            let record = repo
                .login_record(&username)
                .await?
                .ok_or(AppError::Unauthenticated)?;
            if !password::verify(&current, Some(record.password_hash)).await? {
                repo.audit(&refused).await?;
                return Err(AppError::WrongPassword);
            }
            crate::ssr::auth::forgive(
                &state,
                std::slice::from_ref(&bucket),
                &tries,
                std::slice::from_ref(&bucket.0),
            )
            .await?;
            let hash = password::hash(&new).await?;
            let line = by(&user, AuditKind::PasswordChanged, AuditOutcome::Ok, &target);
            repo.set_password_hash(user.account.id, &hash, false, &line)
                .await?;
            repo.delete_auth_sessions_of(user.account.id, Some(&user.token_hash))
                .await?;
            Ok(())
        }
        .await,
    )
}
