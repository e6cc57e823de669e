//! Study hours (学时) a session is worth. Kept in tenths of an hour so sums stay exact.
use serde::{Deserialize, Serialize};

/// Study hours in tenths: `StudyHours(25)` is 2.5 学时.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct StudyHours(pub i64);

impl StudyHours {
    /// "2.5", "3", "0.5": how people write 学时.
    pub fn display(self) -> String {
        if self.0 % 10 == 0 {
            format!("{}", self.0 / 10)
        } else {
            format!("{}.{}", self.0 / 10, self.0 % 10)
        }
    }

    /// Reads what an organiser types: "2", "2.5", "1.25" is refused (tenths at most).
    pub fn parse(raw: &str) -> Option<StudyHours> {
        Self::parse_up_to(raw, 100)
    }

    /// Like [`StudyHours::parse`] for totals of up to `max_whole` hours (a year's target).
    pub fn parse_up_to(raw: &str, max_whole: i64) -> Option<StudyHours> {
        let raw = raw.trim();
        let (whole, frac) = raw.split_once('.').unwrap_or((raw, "0"));
        if whole.is_empty() || frac.len() != 1 || !frac.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let whole: i64 = whole.parse().ok().filter(|w| (0..=max_whole).contains(w))?;
        let tenth: i64 = frac.parse().ok()?;
        Some(StudyHours(whole * 10 + tenth))
    }
}

/// How a session's length becomes study hours; an organiser may change it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HoursRule {
    /// Minutes that make one study hour (the common "1 学时 = 45 分钟").
    pub minutes_per_hour: i64,
}

impl Default for HoursRule {
    fn default() -> Self {
        HoursRule {
            minutes_per_hour: 45,
        }
    }
}

/// A rule outside 10–120 minutes per study hour is refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[error("a study hour is 10 to 120 minutes")]
pub struct RuleOutOfRange;

impl HoursRule {
    pub const MINUTES: std::ops::RangeInclusive<i64> = 10..=120;

    /// The rule a stored setting gives; the default when unset or unreadable.
    pub fn from_setting(value: Option<&str>) -> HoursRule {
        value
            .and_then(|v| v.trim().parse::<i64>().ok())
            .and_then(|m| HoursRule::new(m).ok())
            .unwrap_or_default()
    }

    pub fn new(minutes_per_hour: i64) -> Result<HoursRule, RuleOutOfRange> {
        if Self::MINUTES.contains(&minutes_per_hour) {
            Ok(HoursRule { minutes_per_hour })
        } else {
            Err(RuleOutOfRange)
        }
    }

    /// Whole and half study hours earned by `minutes` of teaching, rounded down: a part of
    /// an hour that was not taught is not credited.
    pub fn hours_for(self, minutes: i64) -> StudyHours {
        if self.minutes_per_hour <= 0 || minutes <= 0 {
            return StudyHours(0);
        }
        let halves = minutes * 2 / self.minutes_per_hour;
        StudyHours(halves * 5)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules_stay_within_sense() {
        assert_eq!(HoursRule::new(45), Ok(HoursRule::default()));
        assert_eq!(
            HoursRule::new(40).map(|r| r.hours_for(120)),
            Ok(StudyHours(30))
        );
        for bad in [0, 9, 121, -45] {
            assert_eq!(HoursRule::new(bad), Err(RuleOutOfRange), "{bad}");
        }
    }

    #[test]
    fn default_rule_is_45_minutes_rounded_down_to_halves() {
        let rule = HoursRule::default();
        let table = [
            (0, 0),
            (22, 0),
            (23, 5),
            (45, 10),
            (90, 20),
            (120, 25),
            (135, 30),
            (150, 30),
            (-30, 0),
        ];
        for (minutes, tenths) in table {
            assert_eq!(rule.hours_for(minutes), StudyHours(tenths), "{minutes} min");
        }
        assert_eq!(
            HoursRule {
                minutes_per_hour: 60
            }
            .hours_for(120),
            StudyHours(20)
        );
        assert_eq!(
            HoursRule {
                minutes_per_hour: 0
            }
            .hours_for(120),
            StudyHours(0)
        );
    }

    #[test]
    fn hours_read_and_print_as_people_write_them() {
        assert_eq!(StudyHours::parse("2.5"), Some(StudyHours(25)));
        assert_eq!(StudyHours::parse(" 3 "), Some(StudyHours(30)));
        for bad in ["", "-1", "1.25", "abc", ".5", "101", "2."] {
            assert_eq!(StudyHours::parse(bad), None, "{bad:?}");
        }
        assert_eq!(StudyHours(25).display(), "2.5");
        assert_eq!(StudyHours(30).display(), "3");
    }
}
