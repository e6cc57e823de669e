//! Double bookings: a lecturer or a place taken by two sessions at overlapping times.
use serde::{Deserialize, Serialize};

use super::Timestamp;

/// What a session occupies.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Booking {
    /// `None` for a session not saved yet.
    pub session_id: Option<i64>,
    pub title: String,
    pub starts_at: Timestamp,
    pub ends_at: Timestamp,
    pub lecturer_ids: Vec<i64>,
    pub place: String,
    pub cancelled: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Clash {
    /// The lecturer (a person id) teaches the other session at the same time.
    Lecturer {
        person_id: i64,
        other_session: i64,
        other_title: String,
    },
    Place {
        other_session: i64,
        other_title: String,
    },
}

/// Half-open intervals: a session ending at 21:00 and one starting at 21:00 do not clash.
pub fn overlaps(a: &Booking, b: &Booking) -> bool {
    a.starts_at < b.ends_at && b.starts_at < a.ends_at
}

/// "三楼 会议室" and "三楼会议室 " name the same room.
fn same_place(a: &str, b: &str) -> bool {
    let norm = |s: &str| {
        s.chars()
            .filter(|c| !c.is_whitespace())
            .flat_map(char::to_lowercase)
            .collect::<String>()
    };
    let (a, b) = (norm(a), norm(b));
    !a.is_empty() && a == b
}

/// Every clash of `candidate` with the other, not cancelled sessions in `existing`.
pub fn clashes(candidate: &Booking, existing: &[Booking]) -> Vec<Clash> {
    let mut out = Vec::new();
    for other in existing {
        let Some(other_id) = other.session_id else {
            continue;
        };
        if other.cancelled
            || candidate.cancelled
            || candidate.session_id == Some(other_id)
            || !overlaps(candidate, other)
        {
            continue;
        }
        for person_id in candidate
            .lecturer_ids
            .iter()
            .filter(|p| other.lecturer_ids.contains(p))
        {
            out.push(Clash::Lecturer {
                person_id: *person_id,
                other_session: other_id,
                other_title: other.title.clone(),
            });
        }
        if same_place(&candidate.place, &other.place) {
            out.push(Clash::Place {
                other_session: other_id,
                other_title: other.title.clone(),
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn b(id: Option<i64>, start: i64, end: i64, lecturers: &[i64], place: &str) -> Booking {
        Booking {
            session_id: id,
            title: format!("s{}", id.unwrap_or(0)),
            starts_at: Timestamp(start),
            ends_at: Timestamp(end),
            lecturer_ids: lecturers.to_vec(),
            place: place.into(),
            cancelled: false,
        }
    }

    #[test]
    fn clash_table() {
        let existing = vec![
            b(Some(1), 100, 200, &[7], "三楼会议室"),
            b(Some(2), 300, 400, &[8], "图书室"),
            Booking {
                cancelled: true,
                ..b(Some(3), 100, 200, &[9], "活动室")
            },
        ];
        let cases: Vec<(Booking, usize)> = vec![
            (b(None, 150, 250, &[7], "别处"), 1),          // lecturer busy
            (b(None, 150, 250, &[6], "三楼 会议室"), 1),   // room taken
            (b(None, 150, 250, &[7], "三楼会议室"), 2),    // both
            (b(None, 200, 300, &[7, 8], "图书室"), 0),     // touching ends do not clash
            (b(None, 100, 200, &[9], "活动室"), 0),        // the other one is cancelled
            (b(Some(1), 100, 200, &[7], "三楼会议室"), 0), // editing itself
            (b(None, 50, 500, &[8], ""), 1),               // spans another; no place given
        ];
        for (candidate, n) in cases {
            assert_eq!(clashes(&candidate, &existing).len(), n, "{candidate:?}");
        }
    }

    #[test]
    fn clashes_name_the_other_session() {
        let existing = vec![b(Some(1), 100, 200, &[7], "三楼会议室")];
        let found = clashes(&b(None, 150, 250, &[7], "x"), &existing);
        assert_eq!(
            found,
            vec![Clash::Lecturer {
                person_id: 7,
                other_session: 1,
                other_title: "s1".into()
            }]
        );
    }
}
