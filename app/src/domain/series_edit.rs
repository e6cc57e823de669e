//! Changing a session that belongs to a weekly series: this occurrence only, or this one and
//! every later one. A later occurrence moves by the same amount as the one being edited and
//! takes its new length, so "move Thursday's class from 19:00 to 18:30" moves every Thursday.
use serde::{Deserialize, Serialize};

use super::Timestamp;
use super::recurrence::Slot;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum EditScope {
    #[default]
    This,
    Following,
}

/// One session of a series as an edit sees it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Occurrence {
    pub id: i64,
    pub starts_at: Timestamp,
    pub ends_at: Timestamp,
    pub cancelled: bool,
}

/// The sessions an edit changes, each with its new slot. `series` holds the occurrences of
/// the edited session's series (the edited one included); cancelled occurrences stay as
/// they are. The edited session always comes first.
pub fn reschedule(
    edited: Occurrence,
    new_slot: Slot,
    scope: EditScope,
    series: &[Occurrence],
) -> Vec<(i64, Slot)> {
    let shift = new_slot.0.0 - edited.starts_at.0;
    let length = new_slot.1.0 - new_slot.0.0;
    let mut out = vec![(edited.id, new_slot)];
    if scope == EditScope::Following {
        let mut later: Vec<&Occurrence> = series
            .iter()
            .filter(|o| o.id != edited.id && !o.cancelled && o.starts_at > edited.starts_at)
            .collect();
        later.sort_by_key(|o| (o.starts_at, o.id));
        out.extend(later.into_iter().map(|o| {
            let start = Timestamp(o.starts_at.0 + shift);
            (o.id, (start, Timestamp(start.0 + length)))
        }));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn at(day: u32, h: u32, m: u32) -> Timestamp {
        Timestamp::from_local(NaiveDate::from_ymd_opt(2026, 12, day).unwrap(), h, m).unwrap()
    }

    fn occ(id: i64, day: u32, cancelled: bool) -> Occurrence {
        Occurrence {
            id,
            starts_at: at(day, 19, 0),
            ends_at: at(day, 21, 0),
            cancelled,
        }
    }

    #[test]
    fn this_occurrence_only() {
        let series = [occ(1, 3, false), occ(2, 10, false), occ(3, 17, false)];
        let out = reschedule(
            series[1],
            (at(11, 18, 30), at(11, 20, 0)),
            EditScope::This,
            &series,
        );
        assert_eq!(out, vec![(2, (at(11, 18, 30), at(11, 20, 0)))]);
    }

    #[test]
    fn following_occurrences_move_alike_and_skip_cancelled_and_earlier_ones() {
        let series = [
            occ(1, 3, false),
            occ(2, 10, false),
            occ(4, 24, false),
            occ(3, 17, true),
            occ(5, 31, false),
        ];
        // 30 minutes earlier, and 30 minutes shorter.
        let out = reschedule(
            series[1],
            (at(10, 18, 30), at(10, 20, 0)),
            EditScope::Following,
            &series,
        );
        assert_eq!(
            out,
            vec![
                (2, (at(10, 18, 30), at(10, 20, 0))),
                (4, (at(24, 18, 30), at(24, 20, 0))),
                (5, (at(31, 18, 30), at(31, 20, 0))),
            ]
        );
    }

    #[test]
    fn moving_past_midnight_keeps_every_occurrence_whole() {
        let series = [occ(1, 3, false), occ(2, 10, false)];
        // 22:30 to 00:30 the next day.
        let out = reschedule(
            series[0],
            (at(3, 22, 30), at(4, 0, 30)),
            EditScope::Following,
            &series,
        );
        assert_eq!(out[1], (2, (at(10, 22, 30), at(11, 0, 30))));
        assert!(out.iter().all(|(_, (s, e))| e.0 - s.0 == 2 * 3600));
    }
}
