//! Each person's private calendar-feed address: calendar apps subscribe to it and follow
//! every change. Only a hash of its secret is stored, so the address is shown once, when it
//! is made; making a new one or revoking it stops the old one at once.
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::domain::Timestamp;
use crate::error::AppError;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FeedStatus {
    /// When the current address was made, if there is one.
    pub since: Option<Timestamp>,
    /// The address itself, only in the answer that made it.
    pub path: Option<String>,
}

/// The path of the feed with secret `token`.
pub fn feed_path(token: &str) -> String {
    format!("/feeds/{token}.ics")
}

#[server(endpoint = "calendar_feed")]
pub async fn calendar_feed() -> Result<FeedStatus, AppError> {
    use crate::ssr::guard::{caller, finish, state};
    finish(
        async {
            let me = caller()?;
            let since = state()?.repo.calendar_feed_since(me.account.id).await?;
            Ok(FeedStatus { since, path: None })
        }
        .await,
    )
}

/// Makes a new address; the previous one, if any, stops working.
#[server(endpoint = "calendar_feed_renew")]
pub async fn renew_calendar_feed() -> Result<FeedStatus, AppError> {
    use crate::ssr::guard::{caller, finish, state};
    use crate::ssr::tokens::{hash_token, new_token};
    finish(
        async {
            let me = caller()?;
            let token = new_token().map_err(|e| AppError::internal(e.to_string()))?;
            let now = Timestamp::now();
            state()?
                .repo
                .set_calendar_feed(me.account.id, &hash_token(&token), now)
                .await?;
            Ok(FeedStatus {
                since: Some(now),
                path: Some(feed_path(&token)),
            })
        }
        .await,
    )
}

#[server(endpoint = "calendar_feed_revoke")]
pub async fn revoke_calendar_feed() -> Result<FeedStatus, AppError> {
    use crate::ssr::guard::{caller, finish, state};
    finish(
        async {
            let me = caller()?;
            state()?.repo.delete_calendar_feed(me.account.id).await?;
            Ok(FeedStatus {
                since: None,
                path: None,
            })
        }
        .await,
    )
}

/// How long before a session the caller's calendar events remind, in minutes (0: never);
/// the default until they choose.
#[server(endpoint = "calendar_alarm")]
pub async fn calendar_alarm() -> Result<i64, AppError> {
    use crate::ssr::guard::{caller, finish, state};
    finish(
        async {
            let me = caller()?;
            Ok(crate::ssr::calendar::alarm_of(state()?.repo.as_ref(), me.account.id).await?)
        }
        .await,
    )
}

/// Chooses the reminder the caller's feed and downloads carry: one of
/// [`crate::domain::ical::ALARM_CHOICES`]; anything else changes nothing.
#[server(endpoint = "calendar_alarm_set")]
pub async fn set_calendar_alarm(minutes: String) -> Result<(), AppError> {
    use crate::ssr::guard::{caller, finish, state};
    finish(
        async {
            let me = caller()?;
            let minutes = crate::domain::ical::parse_alarm(&minutes)?;
            state()?
                .repo
                .set_calendar_alarm(me.account.id, minutes)
                .await?;
            Ok(())
        }
        .await,
    )
}
