//! 补签: "I was there, my phone died". A cadre who has no check-in (or was marked absent)
//! asks within a few days of the session, with a reason, optionally naming one of its
//! lecturers to confirm; an organiser decides. Each cadre has a monthly quota. Pure rules;
//! the rows come from `ssr::db`.
use serde::{Deserialize, Serialize};

use super::Timestamp;
use super::schedule::AttendanceStatus;

/// The settings keys (the district's, or a subdistrict's own).
pub const DAYS_KEY: &str = "attendance.correction_days";
pub const QUOTA_KEY: &str = "attendance.correction_quota";
/// Days after a session a correction may be asked: 1 to 14.
pub const DAYS: std::ops::RangeInclusive<i64> = 1..=14;
/// Corrections a cadre may ask a month (those declined do not count): 0 (none) to 10.
pub const QUOTA: std::ops::RangeInclusive<i64> = 0..=10;
/// The shortest and longest reason, in characters.
pub const REASON_CHARS: (usize, usize) = (2, 500);

const DAY: i64 = 86_400;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CorrectionRules {
    pub days: i64,
    pub quota: i64,
}

impl Default for CorrectionRules {
    fn default() -> Self {
        CorrectionRules { days: 3, quota: 2 }
    }
}

impl CorrectionRules {
    /// From the settings in force; anything unset or out of range takes the default.
    pub fn from_settings<'a>(get: impl Fn(&str) -> Option<&'a str>) -> CorrectionRules {
        let d = CorrectionRules::default();
        let number = |key: &str, range: &std::ops::RangeInclusive<i64>, default: i64| {
            get(key)
                .and_then(|v| v.trim().parse::<i64>().ok())
                .filter(|v| range.contains(v))
                .unwrap_or(default)
        };
        CorrectionRules {
            days: number(DAYS_KEY, &DAYS, d.days),
            quota: number(QUOTA_KEY, &QUOTA, d.quota),
        }
    }

    pub fn to_settings(self) -> [(&'static str, String); 2] {
        [
            (DAYS_KEY, self.days.to_string()),
            (QUOTA_KEY, self.quota.to_string()),
        ]
    }
}

/// Why a correction cannot be asked.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum CorrectionRefusal {
    /// Before the start, past the days allowed, or the cadre has a check-in or leave.
    Closed,
    /// This month's quota is used.
    QuotaUsed { quota: i64 },
}

/// Whether a correction may be asked now: the session has started, it ended no more than
/// `rules.days` ago, the cadre has no record or was marked absent, and fewer than the quota
/// were asked this month (`used`: pending and approved ones).
pub fn may_ask(
    status: Option<AttendanceStatus>,
    now: Timestamp,
    starts_at: Timestamp,
    ends_at: Timestamp,
    rules: CorrectionRules,
    used: i64,
) -> Result<(), CorrectionRefusal> {
    let open = now.0 >= starts_at.0
        && now.0 <= ends_at.0 + rules.days * DAY
        && matches!(status, None | Some(AttendanceStatus::Absent));
    if !open {
        Err(CorrectionRefusal::Closed)
    } else if used >= rules.quota {
        Err(CorrectionRefusal::QuotaUsed { quota: rules.quota })
    } else {
        Ok(())
    }
}

/// What the audit trail says a correction's status came from.
pub fn audit_reason(confirmed_by_lecturer: bool) -> &'static str {
    if confirmed_by_lecturer {
        "correction confirmed"
    } else {
        "correction approved"
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use AttendanceStatus::*;

    const START: Timestamp = Timestamp(1_000_000);
    const END: Timestamp = Timestamp(1_007_200);

    #[test]
    fn corrections_are_asked_within_the_days_and_the_quota() {
        let rules = CorrectionRules::default();
        let after = |secs: i64| Timestamp(END.0 + secs);
        let cases = [
            (
                None,
                Timestamp(START.0 - 1),
                0,
                Err(CorrectionRefusal::Closed),
            ),
            (None, START, 0, Ok(())),
            (Some(Absent), after(DAY), 1, Ok(())),
            (None, after(3 * DAY), 1, Ok(())),
            (None, after(3 * DAY + 1), 0, Err(CorrectionRefusal::Closed)),
            (Some(Present), after(60), 0, Err(CorrectionRefusal::Closed)),
            (Some(Late), after(60), 0, Err(CorrectionRefusal::Closed)),
            (Some(Excused), after(60), 0, Err(CorrectionRefusal::Closed)),
            (Some(MadeUp), after(60), 0, Err(CorrectionRefusal::Closed)),
            (
                None,
                after(60),
                2,
                Err(CorrectionRefusal::QuotaUsed { quota: 2 }),
            ),
        ];
        for (status, now, used, want) in cases {
            assert_eq!(
                may_ask(status, now, START, END, rules, used),
                want,
                "{status:?} at {now:?} with {used} used"
            );
        }
        let none = CorrectionRules { days: 3, quota: 0 };
        assert_eq!(
            may_ask(None, START, START, END, none, 0),
            Err(CorrectionRefusal::QuotaUsed { quota: 0 }),
            "a quota of 0 switches corrections off"
        );
    }

    #[test]
    fn rules_come_from_the_settings() {
        assert_eq!(
            CorrectionRules::from_settings(|_| None),
            CorrectionRules::default()
        );
        let set = CorrectionRules { days: 7, quota: 4 };
        let stored = set.to_settings();
        let read = CorrectionRules::from_settings(|k| {
            stored
                .iter()
                .find(|(key, _)| *key == k)
                .map(|(_, v)| v.as_str())
        });
        assert_eq!(read, set);
        let bad = CorrectionRules::from_settings(|k| match k {
            DAYS_KEY => Some("0"),
            QUOTA_KEY => Some("11"),
            _ => None,
        });
        assert_eq!(bad, CorrectionRules::default());
        assert_ne!(audit_reason(true), audit_reason(false));
    }
}
