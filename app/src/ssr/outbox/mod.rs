//! The delivery worker: takes due pushes from the outbox, applies the burden budget, hands
//! each to its channel and records how it went. Every push carries an idempotency key, the
//! same on every try, which the channel sees (an e-mail's Message-ID, an SMS's out-id): a
//! worker that dies between sending and recording leaves its push to be taken again once its
//! hold runs out, and the channel knows the second copy for the first.
//!
//! Each app server runs one worker; several share one PostgreSQL database without taking the
//! same push twice (`MessageStore::claim_pushes`).
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use tokio::sync::Notify;

use crate::domain::Timestamp;
use crate::domain::messages::{
    Budget, Channel, ChannelsOn, LEASE_SECS, Notice, Verdict, not_checked_in_due, quiet_until,
    retry_after, tomorrow_due, verdict, week_start,
};
use crate::i18n::{Lang, word_notice};
use crate::ssr::db::{Push, PushEnd, ReminderKind, RepoResult, Repository};

pub mod aliyun;
pub mod certificates;
pub mod email;
pub mod providers;
pub mod robots;
pub mod sms;
pub mod tencent;
pub mod warnings;

/// Where a push goes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Address {
    Phone(String),
    Email(String),
    /// A community's work group.
    Group(i64),
}

/// One push in words, as a channel sends it.
#[derive(Clone, Debug)]
pub struct Outgoing<'a> {
    /// The idempotency key: the same on every try of this push.
    pub key: &'a str,
    pub to: Address,
    pub subject: String,
    pub text: String,
    pub push: &'a Push,
}

/// Why a channel did not take a push.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SendError {
    pub detail: String,
    /// Trying again cannot help (a refused address, a bad configuration).
    pub permanent: bool,
}

impl SendError {
    pub fn retry(detail: impl Into<String>) -> Self {
        SendError {
            detail: detail.into(),
            permanent: false,
        }
    }

    pub fn permanent(detail: impl Into<String>) -> Self {
        SendError {
            detail: detail.into(),
            permanent: true,
        }
    }
}

/// A way out of the site. A new provider is one file implementing this.
#[async_trait]
pub trait Sender: Send + Sync {
    fn channel(&self) -> Channel;
    /// For a work-group channel, the communities that have a group it reaches.
    fn communities(&self) -> Vec<i64> {
        Vec::new()
    }
    /// Hands the message over; the answer is the channel's reply, kept with the attempt.
    async fn send(&self, message: &Outgoing<'_>) -> Result<String, SendError>;
}

/// The outbox's worker and the channels it sends through.
pub struct Outbox {
    senders: Vec<Arc<dyn Sender>>,
    wake: Notify,
    /// This worker's name in the outbox's claims: host, process and a random part.
    worker: String,
}

/// Pushes taken at once.
const BATCH: i64 = 64;
/// Pushes sent at once from one batch.
const IN_FLIGHT: usize = 8;
/// How often the worker looks for due pushes when nobody wakes it.
const POLL: Duration = Duration::from_secs(5);
/// The least time between two looks for warnings after attendance changed.
const WARN_GAP: i64 = 60;
/// The most time between two looks for warnings (a missing record becomes an absence a day
/// after the session).
const WARN_EVERY: i64 = 30 * 60;

/// The setting holding the burden budget (JSON of [`Budget`]); no value: the defaults.
pub const BUDGET_SETTING: &str = "message_budget";

/// The setting switching the star of the month off ("0"); no value: on.
pub const STAR_SETTING: &str = "star_of_month";

/// Whether the progress pages show the star of the month.
pub async fn star_of_month(repo: &dyn Repository) -> RepoResult<bool> {
    Ok(repo.setting(STAR_SETTING).await?.as_deref() != Some("0"))
}

impl Outbox {
    pub fn new(senders: Vec<Arc<dyn Sender>>) -> Self {
        let mut random = [0u8; 4];
        let _ = getrandom::getrandom(&mut random);
        let host = std::env::var("HOSTNAME").unwrap_or_else(|_| "host".into());
        Outbox {
            senders,
            wake: Notify::new(),
            worker: format!(
                "{host}-{}-{:08x}",
                std::process::id(),
                u32::from_be_bytes(random)
            ),
        }
    }

    /// No channel switched on: notices reach only the inbox.
    pub fn inbox_only() -> Self {
        Outbox::new(Vec::new())
    }

    pub fn worker(&self) -> &str {
        &self.worker
    }

    /// The channels switched on, for writing notices.
    pub fn channels(&self) -> ChannelsOn {
        ChannelsOn {
            personal: self
                .senders
                .iter()
                .map(|s| s.channel())
                .filter(|c| !c.is_group())
                .collect(),
            groups: self
                .senders
                .iter()
                .filter(|s| s.channel().is_group())
                .map(|s| (s.channel(), s.communities()))
                .collect(),
        }
    }

    /// Tells the worker that pushes were written.
    pub fn wake(&self) {
        self.wake.notify_one();
    }

    /// Runs the worker until the process ends: it wakes when told and every few seconds,
    /// writes the reminders and warnings that are due (when `reminders`) and delivers the
    /// pushes.
    pub fn spawn(
        self: Arc<Self>,
        repo: Arc<dyn Repository>,
        reminders: bool,
        standings: Arc<crate::ssr::standings::Standings>,
    ) {
        if self.senders.is_empty() && !reminders {
            return;
        }
        tokio::spawn(async move {
            // When warnings were last looked for, and the data's change counter then.
            let mut warned: Option<(Timestamp, i64)> = None;
            loop {
                if reminders {
                    let now = Timestamp::now();
                    if let Err(err) = self.remind_due(repo.as_ref(), now).await {
                        tracing::warn!(error = %err, "writing reminders failed");
                    }
                    match self.warn_due(repo.as_ref(), &standings, warned, now).await {
                        Ok(Some(version)) => warned = Some((now, version)),
                        Ok(None) => {}
                        Err(err) => tracing::warn!(error = %err, "raising warnings failed"),
                    }
                }
                while !self.senders.is_empty() {
                    match self.deliver_due(repo.as_ref(), Timestamp::now()).await {
                        Ok(0) => break,
                        Ok(_) => continue,
                        Err(err) => {
                            tracing::warn!(error = %err, "delivering messages failed");
                            break;
                        }
                    }
                }
                tokio::select! {
                    _ = self.wake.notified() => {}
                    _ = tokio::time::sleep(POLL) => {}
                }
            }
        });
    }

    /// Looks for warnings when the data changed since the last look (at most once a
    /// minute) or half an hour went by; the data's change counter it looked at, when it did.
    pub async fn warn_due(
        &self,
        repo: &dyn Repository,
        standings: &crate::ssr::standings::Standings,
        last: Option<(Timestamp, i64)>,
        now: Timestamp,
    ) -> crate::error::AppResult<Option<i64>> {
        let version = repo.data_changes().await?;
        let due = match last {
            None => true,
            Some((at, seen)) => {
                now.0 - at.0 >= WARN_EVERY || (seen != version && now.0 - at.0 >= WARN_GAP)
            }
        };
        if !due {
            return Ok(None);
        }
        let looked = warnings::look(repo, standings, &self.channels(), now).await?;
        if looked.raised > 0 {
            tracing::info!(raised = looked.raised, cleared = looked.cleared, "warnings");
            self.wake();
        }
        // Certificates earned since (a series over, a tier's year met) are issued in the
        // same look at the standings.
        let issued = certificates::issue_due(repo, standings, &self.channels(), now).await?;
        if !issued.is_empty() {
            tracing::info!(issued = issued.len(), "certificates");
            self.wake();
        }
        Ok(Some(version))
    }

    /// Writes every reminder due at `now` that no server wrote yet; how many it wrote.
    pub async fn remind_due(&self, repo: &dyn Repository, now: Timestamp) -> RepoResult<usize> {
        let window = repo
            .reminder_candidates(Timestamp(now.0 - 12 * 3600), Timestamp(now.0 + 2 * 86_400))
            .await?;
        let channels = self.channels();
        let mut written = 0;
        for c in window {
            let notice = match c.kind {
                ReminderKind::Tomorrow if tomorrow_due(c.starts_at, now) => Notice::Tomorrow {
                    session_id: c.session_id,
                    title: c.title.clone(),
                    starts_at: c.starts_at.0,
                    ends_at: c.ends_at.0,
                    place: c.place.clone(),
                },
                ReminderKind::NotCheckedIn if not_checked_in_due(c.starts_at, c.ends_at, now) => {
                    Notice::NotCheckedIn {
                        session_id: c.session_id,
                        title: c.title.clone(),
                        starts_at: c.starts_at.0,
                        place: c.place.clone(),
                    }
                }
                _ => continue,
            };
            if repo.post_reminder(&c, &notice, &channels, now).await? {
                written += 1;
            }
        }
        if written > 0 {
            self.wake();
        }
        Ok(written)
    }

    /// Takes one batch of due pushes and deals with each; how many it took.
    pub async fn deliver_due(&self, repo: &dyn Repository, now: Timestamp) -> RepoResult<usize> {
        let pushes = repo
            .claim_pushes(&self.worker, now, Timestamp(now.0 + LEASE_SECS), BATCH)
            .await?;
        let budget = budget(repo).await?;
        let taken = pushes.len();
        use futures_util::StreamExt;
        let results: Vec<RepoResult<()>> = futures_util::stream::iter(pushes)
            .map(|push| async move {
                let end = self.attempt(repo, &budget, &push, now).await?;
                repo.finish_push(push.id, &self.worker, &end, Timestamp::now())
                    .await?;
                Ok(())
            })
            .buffer_unordered(IN_FLIGHT)
            .collect()
            .await;
        results.into_iter().collect::<RepoResult<()>>()?;
        Ok(taken)
    }

    /// Decides about one push and, if it goes, hands it to its channel (without recording).
    pub async fn attempt(
        &self,
        repo: &dyn Repository,
        budget: &Budget,
        push: &Push,
        now: Timestamp,
    ) -> RepoResult<PushEnd> {
        let verdict = match &push.person {
            Some(person) => {
                let pushed = repo
                    .pushed(
                        person.id,
                        push.notice_id,
                        push.notice.session_id(),
                        week_start(now),
                    )
                    .await?;
                verdict(budget, push.mandatory, person.opted_out, pushed, now)
            }
            None => quiet_until(budget, now).map_or(Verdict::Send, Verdict::Wait),
        };
        match verdict {
            Verdict::Wait(until) => return Ok(PushEnd::Wait(until)),
            Verdict::InboxOnly => return Ok(PushEnd::Held),
            Verdict::Send => {}
        }
        let Some(sender) = self.senders.iter().find(|s| s.channel() == push.channel) else {
            return Ok(PushEnd::Failed {
                detail: format!("channel {} is not configured", push.channel.as_str()),
                retry_at: None,
            });
        };
        let to = match (&push.person, push.community_id) {
            (Some(p), _) if push.channel == Channel::Email => Address::Email(p.email.clone()),
            (Some(p), _) => Address::Phone(p.phone.clone()),
            (None, Some(community)) => Address::Group(community),
            (None, None) => {
                return Ok(PushEnd::Failed {
                    detail: "no address".into(),
                    retry_at: None,
                });
            }
        };
        let (subject, text) = word_notice(&push.notice, Lang::Zh);
        let message = Outgoing {
            key: &push.key,
            to,
            subject,
            text,
            push,
        };
        Ok(match sender.send(&message).await {
            Ok(detail) => PushEnd::Sent { detail },
            Err(err) => {
                let retry_at = (!err.permanent)
                    .then(|| retry_after(push.attempts + 1))
                    .flatten()
                    .map(|secs| Timestamp(now.0 + secs));
                tracing::warn!(channel = push.channel.as_str(), key = %push.key, detail = %err.detail, retry = retry_at.is_some(), "a push failed");
                PushEnd::Failed {
                    detail: err.detail,
                    retry_at,
                }
            }
        })
    }
}

/// The burden budget as the organisers set it (the defaults when unset or unreadable).
pub async fn budget(repo: &dyn Repository) -> RepoResult<Budget> {
    Ok(repo
        .setting(BUDGET_SETTING)
        .await?
        .and_then(|raw| serde_json::from_str(&raw).ok())
        .unwrap_or_default())
}
