//! Messages in the database: notices with their inbox lines (站内消息, read receipts) and
//! the outbox the delivery worker (`ssr::outbox`) empties. `messages_sql.rs` implements
//! [`MessageStore`] for `SqlRepository<Db>` from one SQL text, and `post_notice` there writes
//! a notice inside the caller's transaction, so that the event and what it says are stored
//! together or not at all.
use async_trait::async_trait;

use super::RepoResult;
use crate::domain::Timestamp;
use crate::domain::messages::{Channel, ChannelsOn, Notice, Pushed, Warning};

/// Who a notice is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Recipients {
    /// The session's audience (cadres) and its lecturers.
    Session(i64),
    /// One person.
    Person(i64),
    /// Those expected at the session: its audience without those on approved leave, and
    /// its lecturers.
    Expected(i64),
    /// Those of the audience not checked in (no record other than absent) and not on leave.
    NotCheckedIn(i64),
    /// The cadres of an announcement's audience.
    Announcement(i64),
    /// Those who have not marked an announcement read.
    UnreadOf(i64),
    /// The organisers nearest to a person: those of their community, or where none holds
    /// it, of their subdistrict, or else of the district (never the person themself).
    OrganisersOf(i64),
}

/// A reminder about a session that has not gone yet.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReminderKind {
    Tomorrow,
    NotCheckedIn,
}

impl ReminderKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ReminderKind::Tomorrow => "tomorrow",
            ReminderKind::NotCheckedIn => "not_checked_in",
        }
    }
}

/// A session that may be due a reminder.
#[derive(Clone, Debug, PartialEq)]
pub struct ReminderCandidate {
    pub kind: ReminderKind,
    pub session_id: i64,
    pub title: String,
    pub starts_at: crate::domain::Timestamp,
    pub ends_at: crate::domain::Timestamp,
    pub place: String,
}

/// One line of a person's inbox.
#[derive(Clone, Debug, PartialEq)]
pub struct InboxLine {
    pub notice_id: i64,
    pub notice: Notice,
    pub created_at: Timestamp,
    pub read_at: Option<Timestamp>,
}

/// One push a worker took from the outbox, with what it needs to send it.
#[derive(Clone, Debug, PartialEq)]
pub struct Push {
    pub id: i64,
    pub notice_id: i64,
    pub notice: Notice,
    pub mandatory: bool,
    pub channel: Channel,
    /// The idempotency key: the same on every try of this push.
    pub key: String,
    /// Tries made before this one.
    pub attempts: i64,
    /// The person, with their phone, e-mail address and opt-out; `None` for a work group.
    pub person: Option<PushPerson>,
    pub community_id: Option<i64>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct PushPerson {
    pub id: i64,
    pub phone: String,
    pub email: String,
    pub opted_out: bool,
}

/// How a try of a push ended.
#[derive(Clone, Debug, PartialEq)]
pub enum PushEnd {
    /// The channel took it; `detail` is its answer.
    Sent { detail: String },
    /// The channel refused or could not be reached: try again at `retry_at`, or never.
    Failed {
        detail: String,
        retry_at: Option<Timestamp>,
    },
    /// Not tried: quiet hours until then.
    Wait(Timestamp),
    /// Not tried: over the person's budget or opted out; the inbox has it.
    Held,
}

/// The outbox's lines by state, for tests, benchmarks and the organisers' figures.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct OutboxCounts {
    pub pending: i64,
    pub sent: i64,
    pub failed: i64,
    pub held: i64,
    /// Tries recorded, successful or not.
    pub attempts: i64,
}

/// A person's message settings.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MessagePrefs {
    /// No pushes except what they must know (the inbox still has everything).
    pub opted_out: bool,
    pub email: String,
}

#[async_trait]
pub trait MessageStore: Send + Sync {
    /// Writes a notice for `to` in its own transaction (for events that write nothing else).
    async fn post(
        &self,
        notice: &Notice,
        to: Recipients,
        channels: &ChannelsOn,
        now: Timestamp,
    ) -> RepoResult<i64>;

    /// The person's latest notices, newest first, skipping `offset`.
    async fn inbox(&self, person_id: i64, limit: i64, offset: i64) -> RepoResult<Vec<InboxLine>>;
    async fn unread_count(&self, person_id: i64) -> RepoResult<i64>;
    /// Marks one notice (or, with `None`, all) read; how many were unread.
    async fn mark_notices_read(
        &self,
        person_id: i64,
        notice_id: Option<i64>,
        now: Timestamp,
    ) -> RepoResult<u64>;

    async fn message_prefs(&self, person_id: i64) -> RepoResult<MessagePrefs>;
    /// The phone number on record (empty when none).
    async fn person_phone(&self, person_id: i64) -> RepoResult<String>;
    async fn set_message_prefs(&self, person_id: i64, prefs: &MessagePrefs) -> RepoResult<()>;

    /// Takes up to `limit` pushes that are due and that no live worker holds, for `worker`
    /// until `until`. Two workers never take the same push while its hold lasts, also on two
    /// servers (`for update skip locked` on PostgreSQL, the single writer on SQLite).
    async fn claim_pushes(
        &self,
        worker: &str,
        now: Timestamp,
        until: Timestamp,
        limit: i64,
    ) -> RepoResult<Vec<Push>>;
    /// What the budget counts for a push to `person_id` of notice `notice_id`.
    async fn pushed(
        &self,
        person_id: i64,
        notice_id: i64,
        session_id: Option<i64>,
        week_start: Timestamp,
    ) -> RepoResult<Pushed>;
    /// Records how a try ended, with an attempt line when the channel was tried; `false`
    /// (nothing written) when `worker` no longer holds the push.
    async fn finish_push(
        &self,
        id: i64,
        worker: &str,
        end: &PushEnd,
        now: Timestamp,
    ) -> RepoResult<bool>;
    async fn outbox_counts(&self) -> RepoResult<OutboxCounts>;
    /// Pushes sent to people and inbox lines written in `[from, to)`.
    async fn messages_between(&self, from: Timestamp, to: Timestamp) -> RepoResult<(i64, i64)>;

    /// Sessions not cancelled, starting in `[from, to)`, without the reminder yet: every
    /// one for the evening-before reminder, those whose organiser asked for the other.
    async fn reminder_candidates(
        &self,
        from: Timestamp,
        to: Timestamp,
    ) -> RepoResult<Vec<ReminderCandidate>>;
    /// Sends the reminder unless it was sent (by any server): the mark and the notice in
    /// one transaction. `false` when it had been sent.
    async fn post_reminder(
        &self,
        candidate: &ReminderCandidate,
        notice: &Notice,
        channels: &ChannelsOn,
        now: Timestamp,
    ) -> RepoResult<bool>;
    /// The warnings open now: (person, kind).
    async fn open_warnings(&self) -> RepoResult<Vec<(i64, String)>>;
    /// Raises a warning unless one of its kind is open for the person (raised by any
    /// server): the warning and its two notices (to the cadre, to their organisers) in one
    /// transaction. `false` when one was open.
    async fn raise_warning(
        &self,
        person_id: i64,
        warning: &Warning,
        notices: [&Notice; 2],
        channels: &ChannelsOn,
        now: Timestamp,
    ) -> RepoResult<bool>;
    /// Closes the open warnings of these kinds: the condition ended.
    async fn clear_warnings(&self, which: &[(i64, String)], now: Timestamp) -> RepoResult<u64>;
    /// (start, end) of these sessions, by id.
    async fn session_times(&self, ids: &[i64]) -> RepoResult<Vec<(i64, Timestamp, Timestamp)>>;

    /// Whether the organiser asked to remind those not checked in.
    async fn late_reminder(&self, session_id: i64) -> RepoResult<bool>;
    async fn set_late_reminder(
        &self,
        session_id: i64,
        on: bool,
        by: i64,
        now: Timestamp,
    ) -> RepoResult<()>;
}
