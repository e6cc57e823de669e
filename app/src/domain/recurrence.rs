//! Weekly repeating sessions: "every Tuesday and Thursday until 30 June" or "for 6 times".
use chrono::{Datelike, Duration, NaiveDate, NaiveTime, Timelike, Weekday};
use serde::{Deserialize, Serialize};

use super::Timestamp;

/// More occurrences than this in one go is a typing mistake, not a plan.
pub const MAX_OCCURRENCES: usize = 200;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum RepeatEnd {
    /// The last date an occurrence may fall on (inclusive).
    Until(NaiveDate),
    /// How many occurrences in all, the first included.
    Count(u32),
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WeeklyRule {
    /// Days of the week to meet on; Monday = 0.
    pub weekdays: Vec<u8>,
    pub end: RepeatEnd,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum RecurrenceError {
    #[error("choose at least one weekday")]
    NoWeekday,
    #[error("the rule yields no session")]
    Empty,
    #[error("the rule yields more than {MAX_OCCURRENCES} sessions")]
    TooMany,
    #[error("the end must be after the start")]
    EndNotAfterStart,
}

/// One occurrence's start and end.
pub type Slot = (Timestamp, Timestamp);

fn weekday(n: u8) -> Option<Weekday> {
    (n < 7).then(|| Weekday::try_from(n).ok()).flatten()
}

/// Expands the rule from the first date on. Each occurrence starts at `start` local time and
/// lasts as long as the first; the end may fall after midnight. The first date counts only
/// when it is one of the chosen weekdays.
pub fn expand(
    first_date: NaiveDate,
    start: NaiveTime,
    end: NaiveTime,
    ends_next_day: bool,
    rule: &WeeklyRule,
) -> Result<Vec<Slot>, RecurrenceError> {
    let days: Vec<Weekday> = rule.weekdays.iter().filter_map(|d| weekday(*d)).collect();
    if days.is_empty() {
        return Err(RecurrenceError::NoWeekday);
    }
    let duration = slot_length(start, end, ends_next_day)?;
    let (limit_date, limit_count) = match rule.end {
        RepeatEnd::Until(d) => (Some(d), MAX_OCCURRENCES + 1),
        RepeatEnd::Count(n) => (None, n as usize),
    };
    let mut slots = Vec::new();
    let mut date = first_date;
    // A count rule needs at most count weeks; an until rule stops at its date.
    let last_possible = first_date + Duration::weeks(MAX_OCCURRENCES as i64 + 1);
    while slots.len() < limit_count && limit_date.is_none_or(|l| date <= l) && date <= last_possible
    {
        if days.contains(&date.weekday()) {
            let begin = Timestamp::from_local(date, start.hour(), start.minute())
                .ok_or(RecurrenceError::Empty)?;
            slots.push((begin, Timestamp(begin.0 + duration)));
            if slots.len() > MAX_OCCURRENCES {
                return Err(RecurrenceError::TooMany);
            }
        }
        date += Duration::days(1);
    }
    if slots.is_empty() {
        return Err(RecurrenceError::Empty);
    }
    Ok(slots)
}

/// Length in seconds of a session from `start` to `end`, possibly past midnight.
pub fn slot_length(
    start: NaiveTime,
    end: NaiveTime,
    ends_next_day: bool,
) -> Result<i64, RecurrenceError> {
    let mut secs = (end - start).num_seconds();
    if ends_next_day {
        secs += 24 * 3600;
    }
    if secs <= 0 {
        return Err(RecurrenceError::EndNotAfterStart);
    }
    Ok(secs)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }
    fn t(h: u32, m: u32) -> NaiveTime {
        NaiveTime::from_hms_opt(h, m, 0).unwrap()
    }
    fn dates(slots: &[Slot]) -> Vec<NaiveDate> {
        slots.iter().map(|(s, _)| s.local_date()).collect()
    }

    #[test]
    fn weekly_rules_expand_as_a_person_would_count() {
        // 2026-05-12 is a Tuesday. Tuesdays and Thursdays, 4 times.
        let rule = WeeklyRule {
            weekdays: vec![1, 3],
            end: RepeatEnd::Count(4),
        };
        let slots = expand(d(2026, 5, 12), t(19, 0), t(21, 0), false, &rule).unwrap();
        assert_eq!(
            dates(&slots),
            [
                d(2026, 5, 12),
                d(2026, 5, 14),
                d(2026, 5, 19),
                d(2026, 5, 21)
            ]
        );
        assert!(
            slots
                .iter()
                .all(|(s, e)| e.0 - s.0 == 7200 && s.hh_mm() == "19:00")
        );

        // Starting on a Wednesday, Tuesdays only, until 2026-06-02 inclusive.
        let rule = WeeklyRule {
            weekdays: vec![1],
            end: RepeatEnd::Until(d(2026, 6, 2)),
        };
        let slots = expand(d(2026, 5, 13), t(19, 0), t(21, 0), false, &rule).unwrap();
        assert_eq!(
            dates(&slots),
            [d(2026, 5, 19), d(2026, 5, 26), d(2026, 6, 2)]
        );
    }

    #[test]
    fn sessions_may_cross_midnight() {
        let rule = WeeklyRule {
            weekdays: vec![4],
            end: RepeatEnd::Count(2),
        };
        let slots = expand(d(2026, 5, 15), t(22, 30), t(0, 30), true, &rule).unwrap();
        assert_eq!(slots[0].1.0 - slots[0].0.0, 2 * 3600);
        assert_eq!(slots[0].1.local_date(), d(2026, 5, 16));
        assert_eq!(slots[0].1.hh_mm(), "00:30");
        // Without the flag an end before the start is a mistake.
        assert_eq!(
            slot_length(t(22, 30), t(0, 30), false),
            Err(RecurrenceError::EndNotAfterStart)
        );
        assert_eq!(
            slot_length(t(19, 0), t(19, 0), false),
            Err(RecurrenceError::EndNotAfterStart)
        );
    }

    #[test]
    fn rules_that_yield_nothing_or_too_much_are_refused() {
        let none = |weekdays: Vec<u8>, end| {
            expand(
                d(2026, 5, 12),
                t(19, 0),
                t(21, 0),
                false,
                &WeeklyRule { weekdays, end },
            )
        };
        assert_eq!(
            none(vec![], RepeatEnd::Count(3)),
            Err(RecurrenceError::NoWeekday)
        );
        assert_eq!(
            none(vec![9], RepeatEnd::Count(3)),
            Err(RecurrenceError::NoWeekday)
        );
        assert_eq!(
            none(vec![1], RepeatEnd::Count(0)),
            Err(RecurrenceError::Empty)
        );
        assert_eq!(
            none(vec![1], RepeatEnd::Until(d(2026, 5, 1))),
            Err(RecurrenceError::Empty)
        );
        // Tuesday start, Monday-only rule ending the same week.
        assert_eq!(
            none(vec![0], RepeatEnd::Until(d(2026, 5, 17))),
            Err(RecurrenceError::Empty)
        );
        assert_eq!(
            none(vec![0, 1, 2, 3, 4, 5, 6], RepeatEnd::Until(d(2027, 12, 31))),
            Err(RecurrenceError::TooMany)
        );
        assert_eq!(
            none(vec![1], RepeatEnd::Count(200)).map(|s| s.len()),
            Ok(200)
        );
        assert_eq!(
            none(vec![1], RepeatEnd::Count(201)),
            Err(RecurrenceError::TooMany)
        );
    }
}
