//! Messages (站内消息 and pushes): what is said, whether it must reach people, and the
//! burden budget that keeps pushes few. A notice is kept as its values and worded when
//! shown, in the reader's language; each push through a channel is tried until it goes
//! through or gives up, and never twice with a different key.
use chrono::{Datelike, Duration, Timelike};
use serde::{Deserialize, Serialize};

use super::Timestamp;

/// A way of pushing a message out of the site. The inbox is not one: every notice lands
/// there.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Channel {
    /// A text message to the person's phone, through a cloud SMS provider.
    Sms,
    /// An e-mail to the address the person gave.
    Email,
    /// A community's DingTalk work-group robot.
    DingTalk,
    /// A community's WeCom (企业微信) work-group robot.
    WeCom,
}

impl Channel {
    pub const ALL: [Channel; 4] = [
        Channel::Sms,
        Channel::Email,
        Channel::DingTalk,
        Channel::WeCom,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Sms => "sms",
            Channel::Email => "email",
            Channel::DingTalk => "dingtalk",
            Channel::WeCom => "wecom",
        }
    }

    pub fn parse(raw: &str) -> Option<Channel> {
        Channel::ALL.into_iter().find(|c| c.as_str() == raw)
    }

    /// A community's work group rather than one person.
    pub fn is_group(self) -> bool {
        matches!(self, Channel::DingTalk | Channel::WeCom)
    }
}

/// The channels this installation has switched on (each by its own configuration): those
/// to people, and those to work groups with the communities that have one.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ChannelsOn {
    pub personal: Vec<Channel>,
    pub groups: Vec<(Channel, Vec<i64>)>,
}

impl ChannelsOn {
    /// Only channels to people.
    pub fn people(personal: Vec<Channel>) -> Self {
        ChannelsOn {
            personal,
            groups: Vec::new(),
        }
    }

    /// Channels to a person.
    pub fn personal(&self) -> impl Iterator<Item = Channel> + '_ {
        self.personal.iter().copied()
    }

    /// Channels to work groups, each with the communities it reaches.
    pub fn group(&self) -> impl Iterator<Item = (Channel, &[i64])> + '_ {
        self.groups
            .iter()
            .filter(|(_, communities)| !communities.is_empty())
            .map(|(c, communities)| (*c, communities.as_slice()))
    }
}

/// One thing said to people. Times are Unix seconds; texts are as the organiser wrote them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Notice {
    /// A session's time or place changed.
    SessionMoved {
        session_id: i64,
        title: String,
        starts_at: i64,
        ends_at: i64,
        place: String,
        was_starts_at: i64,
        was_place: String,
    },
    /// A session was cancelled.
    SessionCancelled {
        session_id: i64,
        title: String,
        starts_at: i64,
        reason: String,
    },
    /// The evening before: the session takes place tomorrow.
    Tomorrow {
        session_id: i64,
        title: String,
        starts_at: i64,
        ends_at: i64,
        place: String,
    },
    /// Shortly after the start, to those not checked in yet (when the organiser asked).
    NotCheckedIn {
        session_id: i64,
        title: String,
        starts_at: i64,
        place: String,
    },
    /// An announcement (通知公告) was posted to them.
    Announcement { announcement_id: i64, title: String },
    /// They have not marked an announcement read: the one reminder.
    AnnouncementReminder { announcement_id: i64, title: String },
    /// The cadre's leave request (请假) was decided.
    LeaveDecided {
        session_id: i64,
        title: String,
        starts_at: i64,
        approved: bool,
        /// Duty leave opens the make-up until then.
        #[serde(default)]
        make_up_due: Option<i64>,
    },
    /// The cadre's make-up study (补学) was decided.
    MakeUpDecided {
        session_id: i64,
        title: String,
        starts_at: i64,
        approved: bool,
    },
    /// The cadre's check-in correction (补签) was decided.
    CorrectionDecided {
        session_id: i64,
        title: String,
        starts_at: i64,
        approved: bool,
    },
    /// A session was tied to what the reader wished to learn next (课程评估).
    WishAnswered {
        session_id: i64,
        title: String,
        starts_at: i64,
        wish: String,
    },
    /// A session was scheduled for them (the first of a series, with how many follow).
    SessionScheduled {
        session_id: i64,
        title: String,
        starts_at: i64,
        ends_at: i64,
        place: String,
        more: i64,
    },
    /// A warning about a cadre, told once: to the cadre (`own`), or to the organisers of
    /// their community.
    Warned {
        person_id: i64,
        name: String,
        community: String,
        warning: Warning,
        own: bool,
    },
    /// The cadre's claim of hours earned elsewhere (外部学时申报) was decided; a declined
    /// one says why.
    ClaimDecided {
        claim_id: i64,
        training: String,
        approved: bool,
        reason: String,
    },
    /// A certificate (证书、年度档案) was issued to the reader, or revoked with a reason.
    Certificate {
        serial: String,
        /// The document's printed title (结业证书 …).
        title: String,
        programme: String,
        year: i64,
        revoked: bool,
        #[serde(default)]
        reason: String,
    },
    /// A suggestion or complaint (投诉建议) the reader wrote was answered or closed.
    SuggestionReply {
        suggestion_id: i64,
        title: String,
        answered: bool,
        closed: bool,
    },
}

/// What a warning says.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "what", rename_all = "snake_case")]
pub enum Warning {
    /// Three sessions missed in a row: their starts, oldest first.
    ThreeMissed { dates: Vec<i64> },
    /// The year's attendance rate under the tier's minimum (whole percent), as of `on`.
    UnderMinimum { percent: i64, minimum: i64, on: i64 },
}

impl Warning {
    /// Its kind, as the `warnings` table names it.
    pub fn kind(&self) -> &'static str {
        match self {
            Warning::ThreeMissed { .. } => "three_missed",
            Warning::UnderMinimum { .. } => "under_minimum",
        }
    }
}

impl Notice {
    /// Whether the notice reaches people even when they opted out of pushes or their weekly
    /// budget is spent: what they must know to be in the right place, and what was decided
    /// about their own requests.
    pub fn mandatory(&self) -> bool {
        match self {
            Notice::SessionMoved { .. }
            | Notice::SessionCancelled { .. }
            | Notice::LeaveDecided { .. }
            | Notice::MakeUpDecided { .. }
            | Notice::CorrectionDecided { .. }
            | Notice::ClaimDecided { .. } => true,
            // A revocation changes the reader's record; an issue is good news, not urgent.
            Notice::Certificate { revoked, .. } => *revoked,
            Notice::Tomorrow { .. }
            | Notice::NotCheckedIn { .. }
            | Notice::Announcement { .. }
            | Notice::AnnouncementReminder { .. }
            | Notice::SessionScheduled { .. }
            | Notice::WishAnswered { .. }
            | Notice::Warned { .. }
            | Notice::SuggestionReply { .. } => false,
        }
    }

    /// The session it is about.
    pub fn session_id(&self) -> Option<i64> {
        match self {
            Notice::SessionMoved { session_id, .. }
            | Notice::SessionCancelled { session_id, .. }
            | Notice::LeaveDecided { session_id, .. }
            | Notice::MakeUpDecided { session_id, .. }
            | Notice::CorrectionDecided { session_id, .. }
            | Notice::WishAnswered { session_id, .. }
            | Notice::Tomorrow { session_id, .. }
            | Notice::NotCheckedIn { session_id, .. }
            | Notice::SessionScheduled { session_id, .. } => Some(*session_id),
            Notice::Announcement { .. }
            | Notice::AnnouncementReminder { .. }
            | Notice::Warned { .. }
            | Notice::ClaimDecided { .. }
            | Notice::Certificate { .. }
            | Notice::SuggestionReply { .. } => None,
        }
    }

    /// Where the notice is read in full: its session's page, its announcement's, the
    /// cadre's progress, or the suggestion.
    pub fn link(&self) -> String {
        match self {
            Notice::Warned { own: true, .. } => "/progress".into(),
            Notice::Warned { person_id, .. } => format!("/progress?person={person_id}"),
            Notice::SuggestionReply { suggestion_id, .. } => {
                format!("/suggestions/{suggestion_id}")
            }
            Notice::ClaimDecided { .. } => "/claims".into(),
            Notice::Certificate { .. } => "/certificates".into(),
            Notice::Announcement {
                announcement_id, ..
            }
            | Notice::AnnouncementReminder {
                announcement_id, ..
            } => format!("/announcements/{announcement_id}"),
            other => format!("/sessions/{}", other.session_id().unwrap_or_default()),
        }
    }

    /// Whether the audience's community work groups are told too (not one person's affairs).
    pub fn to_groups(&self) -> bool {
        matches!(
            self,
            Notice::SessionMoved { .. }
                | Notice::SessionCancelled { .. }
                | Notice::SessionScheduled { .. }
        )
    }
}

/// What the audience is told about a session, before and after an edit.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SessionFacts {
    pub title: String,
    pub starts_at: Timestamp,
    pub ends_at: Timestamp,
    pub place: String,
}

/// The notice an edit of a session gives its audience: only a change of time or place is
/// worth telling (a new description is read on the page).
pub fn change_notice(
    session_id: i64,
    before: &SessionFacts,
    after: &SessionFacts,
) -> Option<Notice> {
    let moved = before.starts_at != after.starts_at
        || before.ends_at != after.ends_at
        || before.place.trim() != after.place.trim();
    moved.then(|| Notice::SessionMoved {
        session_id,
        title: after.title.clone(),
        starts_at: after.starts_at.0,
        ends_at: after.ends_at.0,
        place: after.place.clone(),
        was_starts_at: before.starts_at.0,
        was_place: before.place.clone(),
    })
}

/// An e-mail address as a person types it in: trimmed; empty means none. One `@` between a
/// name and a domain with a dot, no spaces or characters that would end the header.
pub fn parse_email(raw: &str) -> Result<String, super::account::Invalid> {
    let email = raw.trim();
    if email.is_empty() {
        return Ok(String::new());
    }
    let bad = |c: char| c.is_whitespace() || c.is_control() || "<>,;:\"()[]\\".contains(c);
    let well_formed = email.len() <= 254
        && !email.chars().any(bad)
        && email.split_once('@').is_some_and(|(name, domain)| {
            !name.is_empty()
                && !domain.contains('@')
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
        });
    if well_formed {
        Ok(email.to_string())
    } else {
        Err(super::account::Invalid::Email)
    }
}

/// An announcement as an organiser typed it, checked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CheckedAnnouncement {
    pub title: String,
    pub body_md: String,
    pub expires_at: Option<Timestamp>,
}

/// A title of 1 to 80 characters, a text of 1 to 20,000, and an end date (`YYYY-MM-DD`,
/// the end of that day) not in the past, or none.
pub fn check_announcement(
    title: &str,
    body_md: &str,
    expires: &str,
    now: Timestamp,
) -> Result<CheckedAnnouncement, super::account::Invalid> {
    let bad = super::account::Invalid::Announcement;
    let title = title.trim();
    let body = body_md.trim();
    if title.is_empty()
        || title.chars().count() > 80
        || body.is_empty()
        || body.chars().count() > 20_000
    {
        return Err(bad);
    }
    let expires_at = match expires.trim() {
        "" => None,
        raw => {
            let day = chrono::NaiveDate::parse_from_str(raw, "%Y-%m-%d").map_err(|_| bad)?;
            let end = day
                .succ_opt()
                .and_then(|next| Timestamp::from_local(next, 0, 0))
                .ok_or(bad)?;
            if end <= now {
                return Err(bad);
            }
            Some(end)
        }
    };
    Ok(CheckedAnnouncement {
        title: title.to_string(),
        body_md: body.to_string(),
        expires_at,
    })
}

/// A phone number with all but its last four digits hidden: "*******5678".
pub fn masked_phone(phone: &str) -> String {
    let digits: Vec<char> = phone.trim().chars().collect();
    let keep = digits.len().saturating_sub(4);
    digits
        .iter()
        .enumerate()
        .map(|(i, c)| if i < keep { '*' } else { *c })
        .collect()
}

/// When the evening-before reminder goes: from 18:00 Beijing time on the day before.
pub const EVE_REMINDER_HOUR: u32 = 18;

/// Minutes after the start at which those not checked in are reminded.
pub const LATE_REMINDER_MINUTES: i64 = 15;

/// Whether the evening-before reminder of a session starting at `starts_at` is due at
/// `now`: from 18:00 on the day before until the session starts (a server that was down at
/// six still reminds, never after the start).
pub fn tomorrow_due(starts_at: Timestamp, now: Timestamp) -> bool {
    let Some(eve) = starts_at
        .local_date()
        .pred_opt()
        .and_then(|day| Timestamp::from_local(day, EVE_REMINDER_HOUR, 0))
    else {
        return false;
    };
    now >= eve && now < starts_at
}

/// Whether the reminder to those not checked in is due: from a quarter of an hour after
/// the start until the session is half over.
pub fn not_checked_in_due(starts_at: Timestamp, ends_at: Timestamp, now: Timestamp) -> bool {
    let from = starts_at.0 + LATE_REMINDER_MINUTES * 60;
    let until = starts_at.0 + (ends_at.0 - starts_at.0) / 2;
    now.0 >= from && now.0 < until.max(from + 60)
}

/// The burden budget: how many pushes a person gets, and when none are sent.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Budget {
    /// Pushes per person per week (Monday to Sunday, Beijing time).
    pub per_week: u32,
    /// Pushes per person about one session.
    pub per_session: u32,
    /// Quiet hours, minutes after local midnight: nothing is pushed from `quiet_from` until
    /// `quiet_to` (which may be the next morning). Equal values: no quiet hours.
    pub quiet_from: u32,
    pub quiet_to: u32,
}

impl Default for Budget {
    fn default() -> Self {
        Budget {
            per_week: 3,
            per_session: 2,
            quiet_from: 22 * 60,
            quiet_to: 7 * 60,
        }
    }
}

/// A budget as organisers type it: pushes a week (1 to 21) and about one session (1 to 5),
/// and the quiet hours as `HH:MM` (equal times: none).
pub fn parse_budget(
    per_week: &str,
    per_session: &str,
    quiet_from: &str,
    quiet_to: &str,
) -> Result<Budget, super::account::Invalid> {
    let bad = super::account::Invalid::Budget;
    let count = |raw: &str, max: u32| {
        raw.trim()
            .parse::<u32>()
            .ok()
            .filter(|n| (1..=max).contains(n))
            .ok_or(bad)
    };
    let clock = |raw: &str| {
        let (h, m) = raw.trim().split_once(':').ok_or(bad)?;
        let (h, m) = (
            h.parse::<u32>().map_err(|_| bad)?,
            m.parse::<u32>().map_err(|_| bad)?,
        );
        if h < 24 && m < 60 {
            Ok(h * 60 + m)
        } else {
            Err(bad)
        }
    };
    Ok(Budget {
        per_week: count(per_week, 21)?,
        per_session: count(per_session, 5)?,
        quiet_from: clock(quiet_from)?,
        quiet_to: clock(quiet_to)?,
    })
}

/// The month `at` falls in, Beijing time: its first moment, the next month's, the year and
/// the month.
pub fn month_bounds(at: Timestamp) -> (Timestamp, Timestamp, i32, u32) {
    let day = at.local_date();
    let first = day.with_day(1).unwrap_or(day);
    let next = if first.month() == 12 {
        chrono::NaiveDate::from_ymd_opt(first.year() + 1, 1, 1)
    } else {
        chrono::NaiveDate::from_ymd_opt(first.year(), first.month() + 1, 1)
    }
    .unwrap_or(first);
    (
        Timestamp::from_local(first, 0, 0).unwrap_or(at),
        Timestamp::from_local(next, 0, 0).unwrap_or(at),
        first.year(),
        first.month(),
    )
}

/// Pushes already made to one person, as the budget counts them.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Pushed {
    /// Notices pushed to them since the week began.
    pub this_week: u32,
    /// Notices about the same session pushed to them.
    pub this_session: u32,
    /// This notice already went to them through another channel.
    pub this_notice: bool,
}

/// What becomes of one push.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    Send,
    /// Quiet hours: not before then.
    Wait(Timestamp),
    /// Over the budget, or the person opted out: the inbox has it, nothing is pushed.
    InboxOnly,
}

/// Whether a push goes now. Quiet hours hold every push, mandatory ones too, until the
/// morning; a mandatory notice is never held back by the budget or an opt-out, and a
/// notice that already went through one channel also goes through the others.
pub fn verdict(
    budget: &Budget,
    mandatory: bool,
    opted_out: bool,
    pushed: Pushed,
    now: Timestamp,
) -> Verdict {
    if let Some(until) = quiet_until(budget, now) {
        return Verdict::Wait(until);
    }
    if mandatory || pushed.this_notice {
        return Verdict::Send;
    }
    if opted_out || pushed.this_week >= budget.per_week || pushed.this_session >= budget.per_session
    {
        return Verdict::InboxOnly;
    }
    Verdict::Send
}

/// The end of the quiet hours `now` falls in, if it does.
pub fn quiet_until(budget: &Budget, now: Timestamp) -> Option<Timestamp> {
    let (from, to) = (budget.quiet_from, budget.quiet_to);
    if from == to {
        return None;
    }
    let local = now.local();
    let minute = local.hour() * 60 + local.minute();
    let inside = if from < to {
        minute >= from && minute < to
    } else {
        minute >= from || minute < to
    };
    if !inside {
        return None;
    }
    let mut day = local.date_naive();
    if from > to && minute >= from {
        day = day.succ_opt()?;
    }
    Timestamp::from_local(day, to / 60, to % 60)
}

/// When the week `now` falls in began: Monday 00:00 Beijing time.
pub fn week_start(now: Timestamp) -> Timestamp {
    let day = now.local_date();
    let monday = day - Duration::days(i64::from(day.weekday().num_days_from_monday()));
    Timestamp::from_local(monday, 0, 0).unwrap_or(now)
}

/// How long a worker holds a push it took before another may take it: longer than any
/// channel's time-out, so a live worker never loses its push to another.
pub const LEASE_SECS: i64 = 120;

/// Tries before a push is given up.
pub const MAX_ATTEMPTS: i64 = 8;

/// Seconds to wait after the `attempts`-th failed try (30 s, doubling, at most an hour), or
/// `None` when the push is given up.
pub fn retry_after(attempts: i64) -> Option<i64> {
    if attempts >= MAX_ATTEMPTS {
        return None;
    }
    let doubled = 30_i64.saturating_mul(1_i64 << (attempts.clamp(1, 20) - 1));
    Some(doubled.min(3600))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(day: u32, hour: u32, minute: u32) -> Timestamp {
        // December 2026: the 7th is a Monday.
        Timestamp::from_local(
            chrono::NaiveDate::from_ymd_opt(2026, 12, day).unwrap(),
            hour,
            minute,
        )
        .unwrap()
    }

    fn facts(start: Timestamp, place: &str) -> SessionFacts {
        SessionFacts {
            title: "信访维稳".into(),
            starts_at: start,
            ends_at: Timestamp(start.0 + 5400),
            place: place.into(),
        }
    }

    #[test]
    fn only_a_new_time_or_place_is_told() {
        let before = facts(at(8, 19, 0), "党群服务中心");
        assert_eq!(change_notice(1, &before, &before), None);
        let retitled = SessionFacts {
            title: "新标题".into(),
            ..before.clone()
        };
        assert_eq!(change_notice(1, &before, &retitled), None);
        let moved = facts(at(9, 19, 0), "党群服务中心");
        let Some(Notice::SessionMoved {
            starts_at,
            was_starts_at,
            ..
        }) = change_notice(1, &before, &moved)
        else {
            panic!("a new time is told");
        };
        assert_eq!((starts_at, was_starts_at), (at(9, 19, 0).0, at(8, 19, 0).0));
        assert!(change_notice(1, &before, &facts(at(8, 19, 0), "社区会议室")).is_some());
        assert!(change_notice(1, &before, &facts(at(8, 19, 0), " 党群服务中心 ")).is_none());
    }

    #[test]
    fn notices_round_trip_and_say_who_must_know() {
        let n = Notice::SessionCancelled {
            session_id: 4,
            title: "防汛".into(),
            starts_at: 10,
            reason: "暴雨".into(),
        };
        let json = serde_json::to_string(&n).unwrap();
        assert!(json.contains("\"kind\":\"session_cancelled\""), "{json}");
        assert_eq!(serde_json::from_str::<Notice>(&json).unwrap(), n);
        assert!(n.mandatory() && n.to_groups());
        assert_eq!(n.session_id(), Some(4));
        let leave = Notice::LeaveDecided {
            session_id: 4,
            title: "防汛".into(),
            starts_at: 10,
            approved: true,
            make_up_due: None,
        };
        assert!(!leave.to_groups());
        // A warning names a cadre: never to a work group, and read where it is about.
        let warned = |own| Notice::Warned {
            person_id: 7,
            name: "张三".into(),
            community: "运河社区".into(),
            warning: Warning::ThreeMissed {
                dates: vec![1, 2, 3],
            },
            own,
        };
        let json = serde_json::to_string(&warned(false)).unwrap();
        assert!(json.contains("\"what\":\"three_missed\""), "{json}");
        assert_eq!(
            serde_json::from_str::<Notice>(&json).unwrap(),
            warned(false)
        );
        assert!(!warned(false).to_groups() && !warned(false).mandatory());
        assert_eq!(warned(true).link(), "/progress");
        assert_eq!(warned(false).link(), "/progress?person=7");
        let reply = Notice::SuggestionReply {
            suggestion_id: 3,
            title: "t".into(),
            answered: true,
            closed: false,
        };
        assert_eq!(reply.link(), "/suggestions/3");
        assert!(!reply.to_groups() && reply.session_id().is_none());
        let scheduled = Notice::SessionScheduled {
            session_id: 9,
            title: "t".into(),
            starts_at: 1,
            ends_at: 2,
            place: "p".into(),
            more: 3,
        };
        assert!(scheduled.to_groups() && !scheduled.mandatory());
        assert_eq!(scheduled.link(), "/sessions/9");
    }

    #[test]
    fn the_budget_holds_pushes_back() {
        let budget = Budget::default();
        let noon = at(8, 12, 0);
        let none = Pushed::default();
        let full_week = Pushed {
            this_week: 3,
            ..none
        };
        let full_session = Pushed {
            this_session: 2,
            ..none
        };
        let cases = [
            // (mandatory, opted out, pushed, verdict)
            (false, false, none, Verdict::Send),
            (false, true, none, Verdict::InboxOnly),
            (true, true, none, Verdict::Send),
            (false, false, full_week, Verdict::InboxOnly),
            (true, false, full_week, Verdict::Send),
            (false, false, full_session, Verdict::InboxOnly),
            (
                false,
                true,
                Pushed {
                    this_notice: true,
                    ..full_week
                },
                Verdict::Send,
            ),
        ];
        for (mandatory, opted_out, pushed, expected) in cases {
            assert_eq!(
                verdict(&budget, mandatory, opted_out, pushed, noon),
                expected,
                "{mandatory} {opted_out} {pushed:?}"
            );
        }
    }

    #[test]
    fn quiet_hours_wait_for_the_morning() {
        let budget = Budget::default();
        let morning = at(9, 7, 0);
        assert_eq!(
            verdict(&budget, true, false, Pushed::default(), at(8, 23, 10)),
            Verdict::Wait(morning)
        );
        assert_eq!(quiet_until(&budget, at(9, 3, 0)), Some(morning));
        assert_eq!(quiet_until(&budget, at(8, 21, 59)), None);
        assert_eq!(quiet_until(&budget, at(9, 7, 0)), None);
        let daytime = Budget {
            quiet_from: 12 * 60,
            quiet_to: 14 * 60,
            ..budget
        };
        assert_eq!(quiet_until(&daytime, at(8, 13, 0)), Some(at(8, 14, 0)));
        assert_eq!(quiet_until(&daytime, at(8, 14, 0)), None);
        let never = Budget {
            quiet_from: 0,
            quiet_to: 0,
            ..budget
        };
        assert_eq!(quiet_until(&never, at(8, 3, 0)), None);
    }

    #[test]
    fn weeks_begin_on_monday_in_beijing() {
        assert_eq!(week_start(at(13, 23, 59)), at(7, 0, 0));
        assert_eq!(week_start(at(7, 0, 0)), at(7, 0, 0));
        let monday_before = chrono::NaiveDate::from_ymd_opt(2026, 11, 30).unwrap();
        assert_eq!(
            week_start(at(6, 23, 0)),
            Timestamp::from_local(monday_before, 0, 0).unwrap()
        );
    }

    #[test]
    fn failed_pushes_wait_longer_each_time_then_give_up() {
        let waits: Vec<_> = (1..=MAX_ATTEMPTS).map(retry_after).collect();
        assert_eq!(
            waits,
            [
                Some(30),
                Some(60),
                Some(120),
                Some(240),
                Some(480),
                Some(960),
                Some(1920),
                None
            ]
        );
        assert_eq!(retry_after(0), Some(30));
    }

    #[test]
    fn reminders_come_the_evening_before_and_a_quarter_after_the_start() {
        let start = at(9, 19, 0);
        let end = at(9, 20, 30);
        for (now, due) in [
            (at(8, 17, 59), false),
            (at(8, 18, 0), true),
            (at(9, 12, 0), true),
            (at(9, 19, 0), false),
        ] {
            assert_eq!(tomorrow_due(start, now), due, "{:?}", now.local());
        }
        // A morning session is reminded of the evening before too.
        assert!(tomorrow_due(at(9, 8, 30), at(8, 18, 30)));
        assert!(!tomorrow_due(at(10, 8, 30), at(8, 18, 30)));
        for (now, due) in [
            (at(9, 19, 14), false),
            (at(9, 19, 15), true),
            (at(9, 19, 44), true),
            (at(9, 19, 45), false),
        ] {
            assert_eq!(
                not_checked_in_due(start, end, now),
                due,
                "{:?}",
                now.local()
            );
        }
        // A short session still has a minute to remind in.
        assert!(not_checked_in_due(
            at(9, 19, 0),
            at(9, 19, 20),
            at(9, 19, 15)
        ));
    }

    #[test]
    fn budgets_are_typed_within_bounds() {
        assert_eq!(
            parse_budget("3", "2", "22:00", "07:00"),
            Ok(Budget::default())
        );
        assert_eq!(
            parse_budget(" 5 ", "1", "0:00", "0:00").unwrap().quiet_to,
            0
        );
        for bad in [
            ("0", "2", "22:00", "07:00"),
            ("22", "2", "22:00", "07:00"),
            ("3", "6", "22:00", "07:00"),
            ("3", "2", "24:00", "07:00"),
            ("3", "2", "22:60", "07:00"),
            ("3", "2", "22", "07:00"),
            ("x", "2", "22:00", "07:00"),
        ] {
            assert!(parse_budget(bad.0, bad.1, bad.2, bad.3).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn months_run_from_the_first_in_beijing() {
        let (from, to, year, month) = month_bounds(at(8, 12, 0));
        assert_eq!((year, month), (2026, 12));
        assert_eq!(from, at(1, 0, 0));
        let new_year = chrono::NaiveDate::from_ymd_opt(2027, 1, 1).unwrap();
        assert_eq!(to, Timestamp::from_local(new_year, 0, 0).unwrap());
    }

    #[test]
    fn announcements_are_checked_before_they_are_posted() {
        let now = at(8, 12, 0);
        let ok = check_announcement(" 防汛通知 ", "今晚停课", "2026-12-08", now).unwrap();
        assert_eq!(ok.title, "防汛通知");
        assert_eq!(ok.expires_at, Some(at(9, 0, 0)), "to the end of that day");
        assert_eq!(
            check_announcement("t", "b", "", now).unwrap().expires_at,
            None
        );
        for (title, body, expires) in [
            ("", "b", ""),
            ("t", " ", ""),
            ("t", "b", "2026-12-07"),
            ("t", "b", "12/09/2026"),
        ] {
            assert!(
                check_announcement(title, body, expires, now).is_err(),
                "{title} {expires}"
            );
        }
        assert!(check_announcement(&"长".repeat(81), "b", "", now).is_err());
        let notice = Notice::Announcement {
            announcement_id: 7,
            title: "t".into(),
        };
        assert_eq!(notice.link(), "/announcements/7");
        assert!(!notice.mandatory() && notice.session_id().is_none());
    }

    #[test]
    fn e_mail_addresses_are_checked_before_they_are_kept() {
        assert_eq!(
            parse_email("  wang@example.cn "),
            Ok("wang@example.cn".into())
        );
        assert_eq!(parse_email(""), Ok(String::new()));
        for bad in [
            "wang",
            "wang@",
            "@example.cn",
            "wang@localhost",
            "wang@@example.cn",
            "wang li@example.cn",
            "wang@example.cn, boss@example.cn",
            "<wang@example.cn>",
            "wang@example.",
        ] {
            assert!(parse_email(bad).is_err(), "{bad}");
        }
        assert!(parse_email(&format!("{}@example.cn", "a".repeat(250))).is_err());
    }

    #[test]
    fn channels_parse_and_split_into_people_and_groups() {
        for c in Channel::ALL {
            assert_eq!(Channel::parse(c.as_str()), Some(c));
        }
        assert_eq!(Channel::parse("fax"), None);
        let on = ChannelsOn {
            personal: vec![Channel::Email],
            groups: vec![(Channel::WeCom, vec![3]), (Channel::DingTalk, vec![])],
        };
        assert_eq!(on.personal().collect::<Vec<_>>(), [Channel::Email]);
        assert_eq!(
            on.group().collect::<Vec<_>>(),
            [(Channel::WeCom, [3].as_slice())]
        );
    }
}
