//! Two-step verification (两步验证): set up with an authenticator app, recovery codes, and
//! for admins, resetting another account's (a lost phone) and asking it of organisers.
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FactorStatus {
    pub enabled: bool,
    /// The account's roles ask for one.
    pub required: bool,
    /// Recovery codes not used yet.
    pub codes_left: i64,
}

/// A secret being set up: as text and as the QR code an authenticator app scans.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Enrolment {
    pub secret: String,
    pub qr_svg: String,
}

#[server(endpoint = "totp_status")]
pub async fn totp_status() -> Result<FactorStatus, AppError> {
    use crate::ssr::factor_rule::required_for;
    use crate::ssr::guard::{caller, finish, state};
    finish(
        async {
            let user = caller()?;
            let repo = state()?.repo;
            let factor = repo.factor_of(user.account.id).await?;
            Ok(FactorStatus {
                enabled: factor.as_ref().is_some_and(|f| f.confirmed),
                required: required_for(repo.as_ref(), &user.account.roles).await?,
                codes_left: factor.map_or(0, |f| f.codes_left),
            })
        }
        .await,
    )
}

/// Starts setting up: a new secret, kept unconfirmed until a first right code.
#[server(endpoint = "totp_begin")]
pub async fn totp_begin() -> Result<Enrolment, AppError> {
    use crate::domain::Timestamp;
    use crate::error::Conflict;
    use crate::ssr::guard::{caller, finish, state};
    use crate::ssr::second_factor::{new_secret, otpauth_url};
    finish(
        async {
            let user = caller()?;
            let repo = state()?.repo;
            let secret = new_secret().map_err(AppError::internal)?;
            if !repo
                .begin_factor(user.account.id, &secret, Timestamp::now())
                .await?
            {
                return Err(AppError::Conflict(Conflict::AlreadyDecided));
            }
            let url = otpauth_url(&user.account.username, &secret);
            Ok(Enrolment {
                qr_svg: crate::ssr::qr::svg(&url)?,
                secret,
            })
        }
        .await,
    )
}

/// Confirms the setup with the first code from the app; answers the recovery codes, shown
/// this once.
#[server(endpoint = "totp_confirm")]
pub async fn totp_confirm(code: String) -> Result<Vec<String>, AppError> {
    use crate::domain::Timestamp;
    use crate::domain::audit::{AuditKind, AuditOutcome};
    use crate::domain::second_factor::{Typed, classify};
    use crate::ssr::audit::by;
    use crate::ssr::guard::{caller, finish, state};
    use crate::ssr::second_factor::matching_step;
    finish(
        async {
            let user = caller()?;
            let state = state()?;
            let tries = crate::ssr::second_factor::counted(&state, &user).await?;
            let repo = state.repo.as_ref();
            let factor = repo
                .factor_of(user.account.id)
                .await?
                .filter(|f| !f.confirmed)
                .ok_or(AppError::NotFound)?;
            let step = match classify(&code) {
                Typed::Code(c) => {
                    matching_step(&factor.secret, &c, Timestamp::now().0, factor.last_step)
                }
                _ => None,
            };
            let Some(step) = step else {
                return Err(AppError::WrongCode);
            };
            let (shown, hashes) = crate::ssr::second_factor::recovery_codes()?;
            let line = by(
                &user,
                AuditKind::SecondFactorEnabled,
                AuditOutcome::Ok,
                &format!("account:{}", user.account.id),
            );
            if !repo
                .confirm_factor(user.account.id, step, &hashes, &user.token_hash, &line)
                .await?
            {
                return Err(AppError::WrongCode);
            }
            crate::ssr::auth::forgive(
                &state,
                &crate::ssr::second_factor::bucket(user.account.id),
                &tries,
                &[],
            )
            .await?;
            Ok(shown)
        }
        .await,
    )
}

/// New recovery codes (the old ones stop working), after a current code.
#[server(endpoint = "totp_recovery")]
pub async fn totp_recovery(code: String) -> Result<Vec<String>, AppError> {
    use crate::domain::audit::{AuditKind, AuditOutcome};
    use crate::ssr::audit::by;
    use crate::ssr::guard::{caller, finish, state};
    finish(
        async {
            let user = caller()?;
            let state = state()?;
            crate::ssr::second_factor::right_code(&state, &user, &code).await?;
            let (shown, hashes) = crate::ssr::second_factor::recovery_codes()?;
            let line = by(
                &user,
                AuditKind::RecoveryCodesRenewed,
                AuditOutcome::Ok,
                &format!("account:{}", user.account.id),
            );
            state
                .repo
                .replace_recovery_codes(user.account.id, &hashes, &line)
                .await?;
            Ok(shown)
        }
        .await,
    )
}

/// Turns one's own second factor off, after a current code; not when the roles ask for one.
#[server(endpoint = "totp_disable")]
pub async fn totp_disable(code: String) -> Result<(), AppError> {
    use crate::domain::audit::{AuditKind, AuditOutcome};
    use crate::ssr::audit::by;
    use crate::ssr::factor_rule::required_for;
    use crate::ssr::guard::{caller, finish, state};
    finish(
        async {
            let user = caller()?;
            let state = state()?;
            if required_for(state.repo.as_ref(), &user.account.roles).await? {
                return Err(AppError::Forbidden);
            }
            crate::ssr::second_factor::right_code(&state, &user, &code).await?;
            let line = by(
                &user,
                AuditKind::SecondFactorReset,
                AuditOutcome::Ok,
                &format!("account:{}", user.account.id),
            );
            state.repo.remove_factor(user.account.id, &line).await?;
            Ok(())
        }
        .await,
    )
}

/// For admins: removes another account's second factor (a lost phone) and ends its
/// sessions; it sets up a new one at its next sign-in.
#[server(endpoint = "account_factor_reset")]
pub async fn reset_factor(account_id: i64) -> Result<(), AppError> {
    use crate::domain::audit::{AuditKind, AuditOutcome};
    use crate::domain::policy::Action;
    use crate::ssr::audit::by;
    use crate::ssr::guard::{authorize, finish, state};
    finish(
        async {
            let user = authorize(Action::ManageAccounts)?;
            let line = by(
                &user,
                AuditKind::SecondFactorReset,
                AuditOutcome::Ok,
                &format!("account:{account_id}"),
            );
            if state()?.repo.remove_factor(account_id, &line).await? {
                Ok(())
            } else {
                Err(AppError::NotFound)
            }
        }
        .await,
    )
}

/// Whether organisers must use two-step verification (admins always must).
#[server(endpoint = "security_settings")]
pub async fn organisers_need_factor() -> Result<bool, AppError> {
    use crate::domain::policy::Action;
    use crate::ssr::guard::{authorize, finish, state};
    finish(
        async {
            authorize(Action::ManageAccounts)?;
            Ok(crate::ssr::factor_rule::organisers_need_it(state()?.repo.as_ref()).await?)
        }
        .await,
    )
}

#[server(endpoint = "security_settings_save")]
pub async fn save_organisers_need_factor(required: Option<String>) -> Result<(), AppError> {
    use crate::domain::Timestamp;
    use crate::domain::audit::{AuditKind, AuditOutcome};
    use crate::domain::policy::Action;
    use crate::ssr::audit::{by, with_detail};
    use crate::ssr::factor_rule::ORGANISERS_SETTING;
    use crate::ssr::guard::{authorize, finish, state};
    finish(
        async {
            let user = authorize(Action::ManageAccounts)?;
            let value = if required.is_some() { "1" } else { "0" };
            let line = with_detail(
                by(&user, AuditKind::SettingsChanged, AuditOutcome::Ok, ""),
                serde_json::json!({ ORGANISERS_SETTING: value }),
            );
            state()?
                .repo
                .set_settings_audited(
                    &[(ORGANISERS_SETTING, value.to_string())],
                    Timestamp::now(),
                    &line,
                )
                .await?;
            Ok(())
        }
        .await,
    )
}
