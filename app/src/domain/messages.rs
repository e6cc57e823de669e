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

/// The channels this installation has switched on (each by its own configuration).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ChannelsOn(pub Vec<Channel>);

impl ChannelsOn {
    /// Channels to a person.
    pub fn personal(&self) -> impl Iterator<Item = Channel> + '_ {
        self.0.iter().copied().filter(|c| !c.is_group())
    }

    /// Channels to a community's work group.
    pub fn group(&self) -> impl Iterator<Item = Channel> + '_ {
        self.0.iter().copied().filter(|c| c.is_group())
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
    /// The cadre's leave request (请假) was decided.
    LeaveDecided {
        session_id: i64,
        title: String,
        starts_at: i64,
        approved: bool,
    },
    /// The cadre's make-up study (补学) was decided.
    MakeUpDecided {
        session_id: i64,
        title: String,
        starts_at: i64,
        approved: bool,
    },
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
            | Notice::MakeUpDecided { .. } => true,
        }
    }

    /// The session it is about.
    pub fn session_id(&self) -> Option<i64> {
        match self {
            Notice::SessionMoved { session_id, .. }
            | Notice::SessionCancelled { session_id, .. }
            | Notice::LeaveDecided { session_id, .. }
            | Notice::MakeUpDecided { session_id, .. } => Some(*session_id),
        }
    }

    /// Whether the audience's community work groups are told too (not one person's affairs).
    pub fn to_groups(&self) -> bool {
        matches!(
            self,
            Notice::SessionMoved { .. } | Notice::SessionCancelled { .. }
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
        };
        assert!(!leave.to_groups());
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
    fn channels_parse_and_split_into_people_and_groups() {
        for c in Channel::ALL {
            assert_eq!(Channel::parse(c.as_str()), Some(c));
        }
        assert_eq!(Channel::parse("fax"), None);
        let on = ChannelsOn(vec![Channel::Email, Channel::WeCom]);
        assert_eq!(on.personal().collect::<Vec<_>>(), [Channel::Email]);
        assert_eq!(on.group().collect::<Vec<_>>(), [Channel::WeCom]);
    }
}
