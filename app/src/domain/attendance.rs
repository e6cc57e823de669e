//! Attendance rules: when a session's door is open, who is late, how long a check-in code
//! lives, how much leave is too much, and what making up a missed session earns.
use serde::{Deserialize, Serialize};

use super::Timestamp;
use super::hours::StudyHours;
use super::schedule::AttendanceStatus;
use super::share::Share;

/// When a session's check-in opens and who counts as late; each session has its own.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckinRules {
    /// Check-in opens this many minutes before the start.
    pub opens_minutes_before: i64,
    /// Arriving more than this many minutes after the start is late.
    pub late_after_minutes: i64,
}

impl Default for CheckinRules {
    fn default() -> Self {
        CheckinRules {
            opens_minutes_before: 30,
            late_after_minutes: 10,
        }
    }
}

impl CheckinRules {
    pub const OPENS: std::ops::RangeInclusive<i64> = 0..=240;
    pub const LATE: std::ops::RangeInclusive<i64> = 0..=120;

    /// Both values within their ranges, or `None`.
    pub fn new(opens_minutes_before: i64, late_after_minutes: i64) -> Option<CheckinRules> {
        (Self::OPENS.contains(&opens_minutes_before) && Self::LATE.contains(&late_after_minutes))
            .then_some(CheckinRules {
                opens_minutes_before,
                late_after_minutes,
            })
    }

    pub fn opens_at(self, starts_at: Timestamp) -> Timestamp {
        Timestamp(starts_at.0 - self.opens_minutes_before * 60)
    }
}

/// What the door needs to know about a session.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DoorSession {
    pub id: i64,
    pub title: String,
    pub place: String,
    pub starts_at: Timestamp,
    pub ends_at: Timestamp,
    pub cancelled: bool,
    pub rules: CheckinRules,
}

/// Why a check-in at this moment is refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum WindowClosed {
    /// Too early: check-in opens at the given moment.
    NotYet(Timestamp),
    /// The session is over.
    Over,
}

/// The status a check-in at `now` earns: present until the grace period ends, late after,
/// refused before the window opens and from the end on.
pub fn checkin_status(
    now: Timestamp,
    starts_at: Timestamp,
    ends_at: Timestamp,
    rules: CheckinRules,
) -> Result<AttendanceStatus, WindowClosed> {
    let opens = rules.opens_at(starts_at);
    if now.0 < opens.0 {
        Err(WindowClosed::NotYet(opens))
    } else if now.0 >= ends_at.0 {
        Err(WindowClosed::Over)
    } else if now.0 > starts_at.0 + rules.late_after_minutes * 60 {
        Ok(AttendanceStatus::Late)
    } else {
        Ok(AttendanceStatus::Present)
    }
}

/// What a check-in does to the record already there: a cadre who was excused or marked
/// absent and turns up is recorded as attending; one already checked in stays as is.
pub fn checkin_replaces(existing: Option<AttendanceStatus>) -> bool {
    match existing {
        None => true,
        Some(s) => matches!(s, AttendanceStatus::Excused | AttendanceStatus::Absent),
    }
}

/// How the door's QR code turns over: a new code every `rotate_seconds`; a code is accepted
/// for `accept_seconds` after it was shown (long enough to sign in on a phone first).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenClock {
    pub rotate_seconds: i64,
    pub accept_seconds: i64,
}

impl Default for TokenClock {
    fn default() -> Self {
        TokenClock {
            rotate_seconds: 20,
            accept_seconds: 120,
        }
    }
}

impl TokenClock {
    /// The step shown at `now`.
    pub fn step(self, now: Timestamp) -> i64 {
        now.0.div_euclid(self.rotate_seconds.max(1))
    }

    /// Seconds until the code shown at `now` is replaced.
    pub fn seconds_left(self, now: Timestamp) -> i64 {
        let r = self.rotate_seconds.max(1);
        r - now.0.rem_euclid(r)
    }

    /// Whether a code of `step` is still good at `now`. One step ahead is allowed for clocks
    /// of several app servers that differ by a second or two.
    pub fn accepts(self, step: i64, now: Timestamp) -> bool {
        let current = self.step(now);
        let shown_at = step.saturating_mul(self.rotate_seconds.max(1));
        step <= current + 1 && now.0 - shown_at <= self.accept_seconds
    }

    /// Steps whose codes are good at `now`, newest first.
    pub fn live_steps(self, now: Timestamp) -> impl Iterator<Item = i64> {
        let current = self.step(now);
        let back = self.accept_seconds / self.rotate_seconds.max(1) + 1;
        (current - back..=current + 1)
            .rev()
            .filter(move |s| self.accepts(*s, now))
    }
}

/// A cadre's leave this year as an organiser deciding on a new request sees it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LeaveLoad {
    /// Hours of sessions already excused this year.
    pub approved: StudyHours,
    /// Hours of every session scheduled for them this year.
    pub scheduled: StudyHours,
}

impl LeaveLoad {
    /// Whether approving `more` hours would put approved leave above `cap`.
    pub fn passes_cap_with(self, more: StudyHours, cap: Share) -> bool {
        cap.exceeded_by(StudyHours(self.approved.0 + more.0), self.scheduled)
    }

    pub fn over_cap(self, cap: Share) -> bool {
        cap.exceeded_by(self.approved, self.scheduled)
    }

    /// Approved leave as a whole percent of scheduled hours.
    pub fn percent(self) -> i64 {
        if self.scheduled.0 <= 0 {
            0
        } else {
            (self.approved.0 * 100 + self.scheduled.0 / 2) / self.scheduled.0
        }
    }
}

/// Study hours a status earns in the attendance reports: all of them for attending (late
/// included), the make-up share for made-up, none otherwise — the programme's credits with
/// late arrival at full credit.
pub fn earned_hours(status: AttendanceStatus, hours: StudyHours, make_up: Share) -> StudyHours {
    let credits = super::progress::Credits {
        make_up,
        ..super::progress::Credits::default()
    };
    credits.for_status(status, hours)
}

/// Shortest reflection accepted for a make-up, in characters.
pub const REFLECTION_MIN_CHARS: usize = 30;
/// Longest reason or reflection kept, in characters.
pub const TEXT_MAX_CHARS: usize = 5000;

/// How a leave request or a make-up stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Decision {
    Pending,
    Approved,
    Declined,
}

impl Decision {
    pub fn as_str(self) -> &'static str {
        match self {
            Decision::Pending => "pending",
            Decision::Approved => "approved",
            Decision::Declined => "declined",
        }
    }

    pub fn parse(s: &str) -> Option<Decision> {
        [Decision::Pending, Decision::Approved, Decision::Declined]
            .into_iter()
            .find(|d| d.as_str() == s)
    }
}

/// What happened at the door, as the cadre's phone is told.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum DoorOutcome {
    /// The token is good and the door open: one tap checks in.
    Ready,
    Recorded,
    /// Recorded, but the person is not in the session's audience.
    WalkIn,
    Already,
    /// Not a code this school made.
    Forged,
    Expired,
    /// A typed code that matches no open session.
    WrongCode,
    NotYet,
    Over,
    Cancelled,
    /// Only cadres check in.
    NotCadre,
    /// Too many wrong codes from this account or address: wait before the next.
    TooManyTries,
    /// Someone outside the audience: kept for an organiser to confirm; no hours until then.
    AwaitingConfirmation,
    /// A typed code with several doors open and none chosen.
    ChooseSession,
}

impl DoorOutcome {
    const ALL: [DoorOutcome; 14] = [
        DoorOutcome::Ready,
        DoorOutcome::Recorded,
        DoorOutcome::WalkIn,
        DoorOutcome::Already,
        DoorOutcome::Forged,
        DoorOutcome::Expired,
        DoorOutcome::WrongCode,
        DoorOutcome::NotYet,
        DoorOutcome::Over,
        DoorOutcome::Cancelled,
        DoorOutcome::NotCadre,
        DoorOutcome::TooManyTries,
        DoorOutcome::AwaitingConfirmation,
        DoorOutcome::ChooseSession,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            DoorOutcome::Ready => "ready",
            DoorOutcome::Recorded => "recorded",
            DoorOutcome::WalkIn => "walk_in",
            DoorOutcome::Already => "already",
            DoorOutcome::Forged => "forged",
            DoorOutcome::Expired => "expired",
            DoorOutcome::WrongCode => "wrong_code",
            DoorOutcome::NotYet => "not_yet",
            DoorOutcome::Over => "over",
            DoorOutcome::Cancelled => "cancelled",
            DoorOutcome::NotCadre => "not_cadre",
            DoorOutcome::TooManyTries => "too_many_tries",
            DoorOutcome::AwaitingConfirmation => "awaiting_confirmation",
            DoorOutcome::ChooseSession => "choose_session",
        }
    }

    pub fn parse(s: &str) -> Option<DoorOutcome> {
        Self::ALL.into_iter().find(|o| o.as_str() == s)
    }

    /// The cadre is (now or already) checked in.
    pub fn checked_in(self) -> bool {
        matches!(
            self,
            DoorOutcome::Recorded | DoorOutcome::WalkIn | DoorOutcome::Already
        )
    }
}

impl From<WindowClosed> for DoorOutcome {
    fn from(value: WindowClosed) -> Self {
        match value {
            WindowClosed::NotYet(_) => DoorOutcome::NotYet,
            WindowClosed::Over => DoorOutcome::Over,
        }
    }
}

/// Digits of a door code: with about seven codes of one session good at a time and a
/// few wrong tries an hour allowed, a guess hits once in some hundred thousand years.
pub const CODE_DIGITS: usize = 8;

/// An eight-digit door code from the first bytes of a keyed hash.
pub fn door_code(mac: &[u8]) -> String {
    let n = mac
        .iter()
        .take(8)
        .fold(0u64, |acc, b| (acc << 8) | u64::from(*b));
    format!("{:08}", n % 100_000_000)
}

/// A door code as the projector shows it: two groups of four.
pub fn spaced_code(code: &str) -> String {
    match (code.get(..4), code.get(4..)) {
        (Some(a), Some(b)) if !b.is_empty() => format!("{a} {b}"),
        _ => code.to_string(),
    }
}

/// Whether a typed text looks like a door code (eight digits, spaces and dashes ignored).
pub fn normalise_code(raw: &str) -> Option<String> {
    let digits: String = raw
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .collect();
    (digits.len() == CODE_DIGITS && digits.bytes().all(|b| b.is_ascii_digit())).then_some(digits)
}

/// What the session's sheet notes about where a check-in came from. Notes, never refusals:
/// a shared phone may be a neighbour helping, an address outside the hall a late bus.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OriginFlags {
    /// Others checked in to this session from the same device (cookie).
    pub shared_device: u32,
    /// Others checked in from the same address (only counted outside the venue's
    /// networks when those are configured: inside, phones share the hall's address).
    pub shared_address: u32,
    /// The address is outside the venue's configured networks.
    pub outside_venue: bool,
}

impl OriginFlags {
    pub fn any(self) -> bool {
        self.shared_device > 0 || self.shared_address > 0 || self.outside_venue
    }
}

/// Flags for each check-in `(device, address)` of one session; `in_venue` says whether an
/// address is inside the venue's networks (`None`: none configured).
pub fn origin_flags(
    checkins: &[(Option<&str>, Option<&str>)],
    in_venue: impl Fn(&str) -> Option<bool>,
) -> Vec<OriginFlags> {
    let count = |keys: &mut dyn Iterator<Item = Option<&str>>| {
        let mut counts = std::collections::HashMap::<String, u32>::new();
        for k in keys.flatten().filter(|k| !k.is_empty()) {
            *counts.entry(k.to_string()).or_default() += 1;
        }
        counts
    };
    let devices = count(&mut checkins.iter().map(|c| c.0));
    let addresses = count(&mut checkins.iter().map(|c| c.1));
    checkins
        .iter()
        .map(|(device, address)| {
            let others = |counts: &std::collections::HashMap<String, u32>, k: Option<&str>| {
                k.filter(|k| !k.is_empty())
                    .and_then(|k| counts.get(k))
                    .map_or(0, |n| n - 1)
            };
            let venue = address.filter(|a| !a.is_empty()).and_then(&in_venue);
            OriginFlags {
                shared_device: others(&devices, *device),
                shared_address: if venue == Some(true) {
                    0
                } else {
                    others(&addresses, *address)
                },
                outside_venue: venue == Some(false),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use AttendanceStatus::*;

    const START: Timestamp = Timestamp(1_800_000_000);
    const END: Timestamp = Timestamp(1_800_000_000 + 7200);

    fn at(minutes_from_start: i64) -> Timestamp {
        Timestamp(START.0 + minutes_from_start * 60)
    }

    #[test]
    fn the_door_opens_half_an_hour_early_and_closes_at_the_end() {
        let r = CheckinRules::default();
        let cases = [
            (-31, Err(WindowClosed::NotYet(at(-30)))),
            (-30, Ok(Present)),
            (0, Ok(Present)),
            (10, Ok(Present)),
            (11, Ok(Late)),
            (119, Ok(Late)),
            (120, Err(WindowClosed::Over)),
            (60 * 24, Err(WindowClosed::Over)),
        ];
        for (m, want) in cases {
            assert_eq!(checkin_status(at(m), START, END, r), want, "{m} min");
        }
        // one second past the grace is late
        assert_eq!(
            checkin_status(Timestamp(at(10).0 + 1), START, END, r),
            Ok(Late)
        );
        let strict = CheckinRules::new(0, 0).unwrap();
        assert_eq!(
            checkin_status(at(-1), START, END, strict),
            Err(WindowClosed::NotYet(START))
        );
        assert_eq!(checkin_status(at(0), START, END, strict), Ok(Present));
        assert_eq!(checkin_status(at(1), START, END, strict), Ok(Late));
        assert_eq!(CheckinRules::new(-1, 10), None);
        assert_eq!(CheckinRules::new(30, 121), None);
    }

    #[test]
    fn a_check_in_only_replaces_leave_or_absence() {
        assert!(checkin_replaces(None));
        assert!(checkin_replaces(Some(Excused)));
        assert!(checkin_replaces(Some(Absent)));
        assert!(!checkin_replaces(Some(Present)));
        assert!(!checkin_replaces(Some(Late)));
        assert!(!checkin_replaces(Some(MadeUp)));
    }

    #[test]
    fn codes_turn_over_and_expire() {
        let c = TokenClock::default();
        let now = Timestamp(1_000_000_005);
        let step = c.step(now);
        assert_eq!(step, 50_000_000);
        assert_eq!(c.seconds_left(now), 15);
        assert!(c.accepts(step, now));
        assert!(
            c.accepts(step + 1, now),
            "a neighbour server's clock may be ahead"
        );
        assert!(!c.accepts(step + 2, now), "no codes from the future");
        // shown 120 s ago: still good; 121 s: expired
        assert!(c.accepts(step - 6, Timestamp(step * 20 - 120 + 120)));
        assert!(c.accepts(step - 6, Timestamp((step - 6) * 20 + 120)));
        assert!(!c.accepts(step - 6, Timestamp((step - 6) * 20 + 121)));
        let live: Vec<i64> = c.live_steps(now).collect();
        assert_eq!(live.first(), Some(&(step + 1)));
        assert!(live.iter().all(|s| c.accepts(*s, now)));
        assert!(!live.contains(&(step - 7)));
        assert_eq!(live.len(), 7);
    }

    #[test]
    fn shares_read_like_people_write_them() {
        assert_eq!(Share::parse("1/7"), Some(Share::LEAVE_CAP));
        assert_eq!(Share::parse("50%"), Some(Share::MAKE_UP));
        assert_eq!(Share::parse("50 ％"), Some(Share::MAKE_UP));
        assert_eq!(Share::parse("0.5"), Some(Share::MAKE_UP));
        assert_eq!(Share::parse("12.5%"), Some(Share { num: 1, den: 8 }));
        assert_eq!(Share::parse("2/4"), Some(Share { num: 1, den: 2 }));
        assert_eq!(Share::parse("0%"), Some(Share { num: 0, den: 1 }));
        for bad in ["", "%", "1/0", "8/7", "120%", "-1/7", "abc", "1.2345"] {
            assert_eq!(Share::parse(bad), None, "{bad:?}");
        }
        assert_eq!(Share::LEAVE_CAP.display(), "1/7");
        assert_eq!(Share::MAKE_UP.display(), "50%");
        assert_eq!(Share::parse("1/8").unwrap().display(), "1/8");
    }

    #[test]
    fn leave_beyond_a_seventh_of_the_year_warns() {
        // 70 hours scheduled: 10 hours of leave is exactly 1/7, 10.1 is over it.
        let load = LeaveLoad {
            approved: StudyHours(80),
            scheduled: StudyHours(700),
        };
        assert!(!load.over_cap(Share::LEAVE_CAP));
        assert!(!load.passes_cap_with(StudyHours(20), Share::LEAVE_CAP));
        assert!(load.passes_cap_with(StudyHours(21), Share::LEAVE_CAP));
        assert_eq!(load.percent(), 11);
        let none = LeaveLoad {
            approved: StudyHours(0),
            scheduled: StudyHours(0),
        };
        assert!(none.passes_cap_with(StudyHours(5), Share::LEAVE_CAP));
        assert!(!none.passes_cap_with(StudyHours(0), Share::LEAVE_CAP));
        assert_eq!(none.percent(), 0);
    }

    #[test]
    fn hours_earned_by_status() {
        let h = StudyHours(25);
        assert_eq!(earned_hours(Present, h, Share::MAKE_UP), h);
        assert_eq!(earned_hours(Late, h, Share::MAKE_UP), h);
        // half of 2.5 is 1.25, rounded down to 1.2
        assert_eq!(earned_hours(MadeUp, h, Share::MAKE_UP), StudyHours(12));
        assert_eq!(
            earned_hours(MadeUp, h, Share::parse("100%").unwrap()),
            StudyHours(25)
        );
        assert_eq!(earned_hours(Excused, h, Share::MAKE_UP), StudyHours(0));
        assert_eq!(earned_hours(Absent, h, Share::MAKE_UP), StudyHours(0));
    }

    #[test]
    fn decisions_parse() {
        assert_eq!(Decision::parse("approved"), Some(Decision::Approved));
        assert_eq!(Decision::parse("maybe"), None);
    }

    #[test]
    fn door_codes_and_outcomes() {
        assert_eq!(door_code(&[0, 0, 0, 0, 0, 0, 0, 7, 99]), "00000007");
        assert_eq!(door_code(&[0xff; 8]), "09551615");
        assert_eq!(normalise_code(" 1234 5678 "), Some("12345678".into()));
        assert_eq!(normalise_code("1234-5678"), Some("12345678".into()));
        assert_eq!(normalise_code("123456"), None);
        assert_eq!(normalise_code("1234567a"), None);
        assert_eq!(spaced_code("12345678"), "1234 5678");
        let flags = origin_flags(
            &[
                (Some("d1"), Some("1.1.1.1")),
                (Some("d1"), Some("2.2.2.2")),
                (Some("d2"), Some("1.1.1.1")),
                (None, Some("9.9.9.9")),
            ],
            |a| Some(a.starts_with("1.")),
        );
        assert_eq!(flags[0].shared_device, 1);
        assert_eq!(
            flags[0].shared_address, 0,
            "inside the venue phones share its address"
        );
        assert!(flags[1].outside_venue && flags[1].shared_device == 1);
        assert!(!flags[2].any() || flags[2] == OriginFlags::default());
        assert!(flags[3].outside_venue && flags[3].shared_device == 0);
        let open = origin_flags(&[(None, Some("3.3.3.3")), (None, Some("3.3.3.3"))], |_| {
            None
        });
        assert_eq!(open[0].shared_address, 1);
        for o in DoorOutcome::ALL {
            assert_eq!(DoorOutcome::parse(o.as_str()), Some(o));
        }
        assert!(DoorOutcome::WalkIn.checked_in() && !DoorOutcome::Expired.checked_in());
        assert_eq!(DoorOutcome::from(WindowClosed::Over), DoorOutcome::Over);
    }
}
