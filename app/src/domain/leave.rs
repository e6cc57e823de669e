//! Leave that knows duty: the kinds of leave, when a cadre may still ask (before the start,
//! or after the fact within a few days for an emergency), which leave weighs on the 1/7 cap,
//! the make-up that duty leave opens with its deadline, and duty excusals per community and
//! month for the dashboard. Pure rules; the rows come from `ssr::db`.
use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::Timestamp;
use super::schedule::AttendanceStatus;

/// The settings keys of the leave rules (the district's, or a subdistrict's own).
pub const AFTER_DAYS_KEY: &str = "attendance.leave_after_days";
pub const DUTY_OUTSIDE_CAP_KEY: &str = "attendance.duty_outside_cap";
pub const DUTY_MAKE_UP_DAYS_KEY: &str = "attendance.duty_make_up_days";

/// Days after a session leave may still be filed: 0 (never) to 14.
pub const AFTER_DAYS: std::ops::RangeInclusive<i64> = 0..=14;
/// Days the make-up opened by duty leave stays open: 1 to 60.
pub const MAKE_UP_DAYS: std::ops::RangeInclusive<i64> = 1..=60;

const DAY: i64 = 86_400;

/// Why a cadre is away.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum LeaveKind {
    /// 事假
    #[default]
    Personal,
    /// 病假
    Sick,
    /// 公务（值班、防汛、信访接待）: sent elsewhere by the work itself.
    Duty,
}

impl LeaveKind {
    pub const ALL: [LeaveKind; 3] = [LeaveKind::Personal, LeaveKind::Sick, LeaveKind::Duty];

    pub fn as_str(self) -> &'static str {
        match self {
            LeaveKind::Personal => "personal",
            LeaveKind::Sick => "sick",
            LeaveKind::Duty => "duty",
        }
    }

    /// From a form or a row; an empty value is personal leave (older forms and rows).
    pub fn parse(raw: &str) -> Option<LeaveKind> {
        match raw.trim() {
            "" | "personal" => Some(LeaveKind::Personal),
            "sick" => Some(LeaveKind::Sick),
            "duty" => Some(LeaveKind::Duty),
            _ => None,
        }
    }

    /// Whether approved leave of this kind weighs on the leave cap.
    pub fn counts_toward_cap(self, rules: &LeaveRules) -> bool {
        self != LeaveKind::Duty || !rules.duty_outside_cap
    }

    /// Duty leave opens the make-up at once, with a deadline: the cadre missed the
    /// session for the work, not by choice.
    pub fn opens_make_up(self) -> bool {
        self == LeaveKind::Duty
    }
}

/// The leave rules in force for a cadre's subdistrict.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LeaveRules {
    /// Days after a session's end leave may still be asked for (an emergency); 0: never.
    pub after_days: i64,
    /// Duty leave stays outside the leave cap.
    pub duty_outside_cap: bool,
    /// Days the make-up opened by duty leave stays open.
    pub duty_make_up_days: i64,
}

impl Default for LeaveRules {
    fn default() -> Self {
        LeaveRules {
            after_days: 3,
            duty_outside_cap: true,
            duty_make_up_days: 14,
        }
    }
}

impl LeaveRules {
    /// From the settings in force (`get` answers a key); anything unset or unreadable takes
    /// the default.
    pub fn from_settings<'a>(get: impl Fn(&str) -> Option<&'a str>) -> LeaveRules {
        let d = LeaveRules::default();
        let number = |key: &str, range: &std::ops::RangeInclusive<i64>, default: i64| {
            get(key)
                .and_then(|v| v.trim().parse::<i64>().ok())
                .filter(|v| range.contains(v))
                .unwrap_or(default)
        };
        LeaveRules {
            after_days: number(AFTER_DAYS_KEY, &AFTER_DAYS, d.after_days),
            duty_outside_cap: get(DUTY_OUTSIDE_CAP_KEY).map_or(d.duty_outside_cap, |v| v != "0"),
            duty_make_up_days: number(DUTY_MAKE_UP_DAYS_KEY, &MAKE_UP_DAYS, d.duty_make_up_days),
        }
    }

    /// As stored in the settings.
    pub fn to_settings(self) -> [(&'static str, String); 3] {
        [
            (AFTER_DAYS_KEY, self.after_days.to_string()),
            (
                DUTY_OUTSIDE_CAP_KEY,
                if self.duty_outside_cap { "1" } else { "0" }.to_string(),
            ),
            (DUTY_MAKE_UP_DAYS_KEY, self.duty_make_up_days.to_string()),
        ]
    }
}

/// Whether, and how, a cadre may ask for leave now.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum LeaveWindow {
    /// Before the start, not checked in.
    Ahead,
    /// After the start, within the days allowed, when they did not come: an emergency.
    AfterTheFact {
        until: Timestamp,
    },
    Closed,
}

/// When leave may be asked: before the start with no record yet, or after the start until
/// `after_days` after the end, when the cadre has no record or was marked absent.
pub fn leave_window(
    status: Option<AttendanceStatus>,
    now: Timestamp,
    starts_at: Timestamp,
    ends_at: Timestamp,
    after_days: i64,
) -> LeaveWindow {
    if now.0 < starts_at.0 {
        return if status.is_none() {
            LeaveWindow::Ahead
        } else {
            LeaveWindow::Closed
        };
    }
    let until = Timestamp(ends_at.0 + after_days.max(0) * DAY);
    let missed = matches!(status, None | Some(AttendanceStatus::Absent));
    if after_days > 0 && missed && now.0 <= until.0 {
        LeaveWindow::AfterTheFact { until }
    } else {
        LeaveWindow::Closed
    }
}

/// The deadline of the make-up duty leave opens: `days` after the session's end or after
/// the decision, whichever is later (leave approved late still gets the full time).
pub fn make_up_due(ends_at: Timestamp, decided_at: Timestamp, days: i64) -> Timestamp {
    Timestamp(ends_at.0.max(decided_at.0) + days.max(1) * DAY)
}

/// Whether a cadre may hand in a make-up now: the session is over and they missed it, or
/// they were excused on duty leave whose make-up is open until `due`.
pub fn may_make_up(
    status: Option<AttendanceStatus>,
    now: Timestamp,
    ends_at: Timestamp,
    due: Option<Timestamp>,
) -> bool {
    now.0 >= ends_at.0
        && match status {
            None | Some(AttendanceStatus::Absent) => true,
            Some(AttendanceStatus::Excused) => due.is_some_and(|d| now.0 <= d.0),
            _ => false,
        }
}

/// Duty excusals per community and month (1–12) of a year, for the dashboard: a community
/// always on duty reads as on duty, not as behind. Rows are `(community, month)`, one per
/// person excused; communities come out in the order of their ids.
pub fn duty_by_month(rows: &[(i64, u32)]) -> BTreeMap<i64, [i64; 12]> {
    let mut table: BTreeMap<i64, [i64; 12]> = BTreeMap::new();
    for &(community, month) in rows {
        if (1..=12).contains(&month) {
            table.entry(community).or_insert([0; 12])[month as usize - 1] += 1;
        }
    }
    table
}

#[cfg(test)]
mod tests {
    use super::*;
    use AttendanceStatus::*;

    const START: Timestamp = Timestamp(1_000_000);
    const END: Timestamp = Timestamp(1_000_000 + 7_200);

    #[test]
    fn leave_is_asked_ahead_or_after_the_fact_within_the_days() {
        let after = |secs: i64| Timestamp(END.0 + secs);
        let until = Timestamp(END.0 + 3 * DAY);
        let cases = [
            (None, Timestamp(START.0 - 1), 3, LeaveWindow::Ahead),
            (
                Some(Present),
                Timestamp(START.0 - 1),
                3,
                LeaveWindow::Closed,
            ),
            (None, START, 3, LeaveWindow::AfterTheFact { until }),
            (
                Some(Absent),
                after(DAY),
                3,
                LeaveWindow::AfterTheFact { until },
            ),
            (None, after(3 * DAY), 3, LeaveWindow::AfterTheFact { until }),
            (None, after(3 * DAY + 1), 3, LeaveWindow::Closed),
            (Some(Present), after(60), 3, LeaveWindow::Closed),
            (Some(Late), after(60), 3, LeaveWindow::Closed),
            (Some(Excused), after(60), 3, LeaveWindow::Closed),
            (None, START, 0, LeaveWindow::Closed),
        ];
        for (status, now, days, want) in cases {
            assert_eq!(
                leave_window(status, now, START, END, days),
                want,
                "{status:?} at {now:?}, {days} days"
            );
        }
    }

    #[test]
    fn duty_leave_stays_outside_the_cap_when_the_setting_says_so() {
        let outside = LeaveRules::default();
        let inside = LeaveRules {
            duty_outside_cap: false,
            ..outside
        };
        let table = [
            (LeaveKind::Personal, &outside, true),
            (LeaveKind::Sick, &outside, true),
            (LeaveKind::Duty, &outside, false),
            (LeaveKind::Duty, &inside, true),
            (LeaveKind::Personal, &inside, true),
        ];
        for (kind, rules, counts) in table {
            assert_eq!(kind.counts_toward_cap(rules), counts, "{kind:?} {rules:?}");
        }
        assert!(LeaveKind::Duty.opens_make_up());
        assert!(!LeaveKind::Sick.opens_make_up());
    }

    #[test]
    fn duty_opens_the_make_up_until_its_deadline() {
        let due = make_up_due(END, Timestamp(END.0 - 5_000), 14);
        assert_eq!(
            due,
            Timestamp(END.0 + 14 * DAY),
            "approved ahead: from the end"
        );
        let late = Timestamp(END.0 + 2 * DAY);
        assert_eq!(
            make_up_due(END, late, 14),
            Timestamp(late.0 + 14 * DAY),
            "approved after the end: from the decision"
        );
        let cases = [
            (Some(Excused), Timestamp(END.0 - 1), Some(due), false),
            (Some(Excused), END, Some(due), true),
            (Some(Excused), due, Some(due), true),
            (Some(Excused), Timestamp(due.0 + 1), Some(due), false),
            (Some(Excused), END, None, false),
            (None, END, None, true),
            (Some(Absent), Timestamp(END.0 + 100 * DAY), None, true),
            (Some(Present), END, Some(due), false),
            (Some(MadeUp), END, Some(due), false),
        ];
        for (status, now, due, want) in cases {
            assert_eq!(
                may_make_up(status, now, END, due),
                want,
                "{status:?} at {now:?}"
            );
        }
    }

    #[test]
    fn rules_come_from_the_settings_with_defaults() {
        let none = LeaveRules::from_settings(|_| None);
        assert_eq!(none, LeaveRules::default());
        let set = LeaveRules {
            after_days: 7,
            duty_outside_cap: false,
            duty_make_up_days: 30,
        };
        let stored = set.to_settings();
        let read = LeaveRules::from_settings(|k| {
            stored
                .iter()
                .find(|(key, _)| *key == k)
                .map(|(_, v)| v.as_str())
        });
        assert_eq!(read, set);
        let bad = LeaveRules::from_settings(|k| match k {
            AFTER_DAYS_KEY => Some("99"),
            DUTY_MAKE_UP_DAYS_KEY => Some("soon"),
            _ => None,
        });
        assert_eq!(bad, LeaveRules::default(), "out of range or unreadable");
    }

    #[test]
    fn kinds_round_trip() {
        for kind in LeaveKind::ALL {
            assert_eq!(LeaveKind::parse(kind.as_str()), Some(kind));
        }
        assert_eq!(LeaveKind::parse(""), Some(LeaveKind::Personal));
        assert_eq!(LeaveKind::parse("holiday"), None);
    }

    #[test]
    fn duty_is_counted_per_community_and_month() {
        let table = duty_by_month(&[(2, 7), (2, 7), (2, 8), (1, 7), (3, 0), (3, 13)]);
        assert_eq!(table.len(), 2, "months out of range are dropped");
        assert_eq!(table[&2][6], 2);
        assert_eq!(table[&2][7], 1);
        assert_eq!(table[&1].iter().sum::<i64>(), 1);
        assert_eq!(table.keys().copied().collect::<Vec<_>>(), vec![1, 2]);
    }
}
