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
}

/// Who is signed in, or `None`.
#[server(endpoint = "me")]
pub async fn me() -> Result<Option<SignedIn>, AppError> {
    use crate::ssr::guard::caller;
    Ok(caller().ok().map(|u| SignedIn {
        account_id: u.account.id,
        username: u.account.username,
        display_name: u.account.display_name,
        roles: u.account.roles,
    }))
}

/// Anyone signed in may change their own password; their other sessions end.
#[server(endpoint = "change_password")]
pub async fn change_password(
    current: String,
    new_password: String,
    new_password_again: String,
) -> Result<(), AppError> {
    use crate::domain::{Password, Username};
    use crate::ssr::guard::{caller, finish, state};
    use crate::ssr::password;
    finish(
        async {
            let user = caller()?;
            let new = Password::parse_confirmed(&new_password, &new_password_again)?;
            let repo = state()?.repo;
            let username = Username::parse(&user.account.username)?;
            let record = repo
                .login_record(&username)
                .await?
                .ok_or(AppError::Unauthenticated)?;
            if !password::verify(&current, Some(record.password_hash)).await {
                return Err(AppError::WrongPassword);
            }
            let hash = password::hash(&new).await?;
            repo.set_password_hash(user.account.id, &hash).await?;
            repo.delete_auth_sessions_of(user.account.id, Some(&user.token_hash))
                .await?;
            Ok(())
        }
        .await,
    )
}
