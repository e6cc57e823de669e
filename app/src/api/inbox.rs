//! The inbox (站内消息): each person's notices, newest first, with an unread count for the
//! header and a read receipt per notice. Everyone signed in has one and sees only their own.
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::domain::Timestamp;
use crate::domain::messages::Notice;
use crate::error::AppError;

/// Notices per page.
pub const INBOX_PAGE: i64 = 20;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct InboxItem {
    pub id: i64,
    pub notice: Notice,
    pub at: Timestamp,
    pub read: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct InboxPage {
    pub items: Vec<InboxItem>,
    pub unread: i64,
    /// Another (older) page follows.
    pub more: bool,
}

/// One page of the caller's notices (0 is the newest).
#[server(endpoint = "inbox")]
pub async fn inbox(page: i64) -> Result<InboxPage, AppError> {
    use crate::ssr::guard::{caller, finish, state};
    finish(
        async {
            let me = caller()?;
            let repo = state()?.repo;
            let person = me.account.person_id;
            let offset = page.clamp(0, 10_000) * INBOX_PAGE;
            let mut lines = repo.inbox(person, INBOX_PAGE + 1, offset).await?;
            let more = lines.len() as i64 > INBOX_PAGE;
            lines.truncate(INBOX_PAGE as usize);
            Ok(InboxPage {
                items: lines
                    .into_iter()
                    .map(|l| InboxItem {
                        id: l.notice_id,
                        notice: l.notice,
                        at: l.created_at,
                        read: l.read_at.is_some(),
                    })
                    .collect(),
                unread: repo.unread_count(person).await?,
                more,
            })
        }
        .await,
    )
}

/// How many of the caller's notices are unread (the header's badge).
#[server(endpoint = "inbox_unread")]
pub async fn inbox_unread() -> Result<i64, AppError> {
    use crate::ssr::guard::{caller, finish, state};
    finish(
        async {
            let me = caller()?;
            Ok(state()?.repo.unread_count(me.account.person_id).await?)
        }
        .await,
    )
}

/// Marks one of the caller's notices read, or all of them when `id` is empty; how many
/// were unread. Only the caller's own lines change: another person's notice id marks nothing.
#[server(endpoint = "inbox_read")]
pub async fn inbox_read(id: String) -> Result<u64, AppError> {
    use crate::ssr::guard::{caller, finish, state};
    finish(
        async {
            let me = caller()?;
            let id = match id.trim() {
                "" => None,
                raw => Some(raw.parse::<i64>().map_err(|_| AppError::NotFound)?),
            };
            Ok(state()?
                .repo
                .mark_notices_read(me.account.person_id, id, Timestamp::now())
                .await?)
        }
        .await,
    )
}

/// A person's message settings as their page shows them.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MessageSettingsView {
    pub opted_out: bool,
    pub email: String,
    /// The phone on record, all but the last four digits hidden; empty when none.
    pub phone: String,
    pub budget: crate::domain::messages::Budget,
}

#[server(endpoint = "message_settings")]
pub async fn message_settings() -> Result<MessageSettingsView, AppError> {
    use crate::ssr::guard::{caller, finish, state};
    finish(
        async {
            let me = caller()?;
            let repo = state()?.repo;
            let prefs = repo.message_prefs(me.account.person_id).await?;
            let phone = repo.person_phone(me.account.person_id).await?;
            Ok(MessageSettingsView {
                opted_out: prefs.opted_out,
                email: prefs.email,
                phone: crate::domain::messages::masked_phone(&phone),
                budget: crate::ssr::outbox::budget(repo.as_ref()).await?,
            })
        }
        .await,
    )
}

/// Saves the caller's e-mail address (empty: none) and opt-out; a malformed address
/// changes nothing.
#[server(endpoint = "message_settings_set")]
pub async fn set_message_settings(
    email: String,
    #[server(default)] opted_out: Option<String>,
) -> Result<(), AppError> {
    use crate::ssr::db::MessagePrefs;
    use crate::ssr::guard::{caller, finish, state};
    finish(
        async {
            let me = caller()?;
            let email = crate::domain::messages::parse_email(&email)?;
            state()?
                .repo
                .set_message_prefs(
                    me.account.person_id,
                    &MessagePrefs {
                        opted_out: opted_out.is_some(),
                        email,
                    },
                )
                .await?;
            Ok(())
        }
        .await,
    )
}

/// Whether those not checked in to the session are reminded a quarter of an hour after
/// its start; for the session's organisers.
#[server(endpoint = "late_reminder")]
pub async fn late_reminder(id: i64) -> Result<bool, AppError> {
    use crate::domain::org::SessionRight;
    use crate::ssr::guard::{finish, state};
    finish(
        async {
            let repo = state()?.repo;
            crate::ssr::access::organiser()?
                .session(repo.as_ref(), id, SessionRight::Organise)
                .await?;
            Ok(repo.late_reminder(id).await?)
        }
        .await,
    )
}

/// Switches the reminder to those not checked in on (`on` = "1") or off for one session.
#[server(endpoint = "late_reminder_set")]
pub async fn set_late_reminder(id: i64, on: String) -> Result<(), AppError> {
    use crate::domain::org::SessionRight;
    use crate::ssr::guard::{finish, state};
    finish(
        async {
            let repo = state()?.repo;
            let organiser = crate::ssr::access::organiser()?;
            organiser
                .session(repo.as_ref(), id, SessionRight::Organise)
                .await?;
            let on = match on.as_str() {
                "1" => true,
                "0" => false,
                _ => return Err(AppError::NotFound),
            };
            repo.set_late_reminder(id, on, organiser.user().account.person_id, Timestamp::now())
                .await?;
            Ok(())
        }
        .await,
    )
}

/// The burden budget and the month's messages, for the settings page.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MessageBudgetView {
    pub budget: crate::domain::messages::Budget,
    /// Whether this organiser may change it (their grant reaches the whole install).
    pub may_change: bool,
    /// Whether the star of the month is shown.
    pub star_of_month: bool,
    /// The last three months, newest first: (year, month, pushes sent, inbox lines, cadres).
    pub months: Vec<MonthMessages>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MonthMessages {
    pub year: i32,
    pub month: u32,
    pub pushed: i64,
    pub inbox: i64,
    pub cadres: i64,
}

#[server(endpoint = "message_budget")]
pub async fn message_budget() -> Result<MessageBudgetView, AppError> {
    use crate::domain::messages::month_bounds;
    use crate::ssr::guard::{finish, state};
    finish(
        async {
            let organiser = crate::ssr::access::organiser()?;
            let repo = state()?.repo;
            organiser.holds(repo.as_ref()).await?;
            let cadres = repo.count_cadres().await?;
            let mut months = Vec::new();
            let mut at = Timestamp::now();
            for _ in 0..3 {
                let (from, to, year, month) = month_bounds(at);
                let (pushed, inbox) = repo.messages_between(from, to).await?;
                months.push(MonthMessages {
                    year,
                    month,
                    pushed,
                    inbox,
                    cadres,
                });
                at = Timestamp(from.0 - 1);
            }
            Ok(MessageBudgetView {
                budget: crate::ssr::outbox::budget(repo.as_ref()).await?,
                may_change: organiser.whole().is_ok(),
                star_of_month: crate::ssr::outbox::star_of_month(repo.as_ref()).await?,
                months,
            })
        }
        .await,
    )
}

/// Saves the burden budget and the star-of-the-month switch (organisers of the whole
/// install); a value out of range changes nothing.
#[server(endpoint = "message_budget_save")]
pub async fn save_message_budget(
    per_week: String,
    per_session: String,
    quiet_from: String,
    quiet_to: String,
    #[server(default)] star_of_month: Option<String>,
) -> Result<(), AppError> {
    use crate::domain::audit::{AuditKind, AuditOutcome};
    use crate::domain::messages::parse_budget;
    use crate::ssr::audit::{by, with_detail};
    use crate::ssr::guard::{finish, state};
    use crate::ssr::outbox::{BUDGET_SETTING, STAR_SETTING};
    finish(
        async {
            let organiser = crate::ssr::access::organiser()?;
            let user = organiser.whole()?.clone();
            let budget = parse_budget(&per_week, &per_session, &quiet_from, &quiet_to)?;
            let budget = serde_json::to_string(&budget).map_err(AppError::internal)?;
            let star = if star_of_month.is_some() { "1" } else { "0" };
            let line = with_detail(
                by(&user, AuditKind::SettingsChanged, AuditOutcome::Ok, ""),
                serde_json::json!({ BUDGET_SETTING: budget, STAR_SETTING: star }),
            );
            state()?
                .repo
                .set_settings_audited(
                    &[
                        (BUDGET_SETTING, budget.clone()),
                        (STAR_SETTING, star.to_string()),
                    ],
                    Timestamp::now(),
                    &line,
                )
                .await?;
            Ok(())
        }
        .await,
    )
}
