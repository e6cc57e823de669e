//! Shares of hours (the leave cap, a make-up's share of a session's hours, a late
//! arrival's): fractions kept exact.
use serde::{Deserialize, Serialize};

use super::hours::StudyHours;

/// A share such as 1/7 or 50 %, kept as a fraction so that comparisons are exact.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Share {
    pub num: i64,
    pub den: i64,
}

impl Share {
    pub const LEAVE_CAP: Share = Share { num: 1, den: 7 };
    pub const MAKE_UP: Share = Share { num: 1, den: 2 };

    /// Reads "1/7", "50%", "12.5%" or "0.5"; shares between 0 and 1 only.
    pub fn parse(raw: &str) -> Option<Share> {
        let raw = raw.trim().replace('％', "%");
        let share = if let Some((n, d)) = raw.split_once('/') {
            Share {
                num: n.trim().parse().ok()?,
                den: d.trim().parse().ok()?,
            }
        } else if let Some(p) = raw.strip_suffix('%') {
            let (num, den) = decimal(p.trim())?;
            Share {
                num,
                den: den * 100,
            }
        } else {
            let (num, den) = decimal(&raw)?;
            Share { num, den }
        };
        (share.den > 0 && (0..=share.den).contains(&share.num)).then(|| share.reduced())
    }

    fn reduced(self) -> Share {
        let (mut a, mut b) = (self.num, self.den);
        while b != 0 {
            (a, b) = (b, a % b);
        }
        let g = a.max(1);
        Share {
            num: self.num / g,
            den: self.den / g,
        }
    }

    /// "1/7" or "50%" as an organiser would write it back.
    pub fn display(self) -> String {
        if 100 % self.den == 0 {
            format!("{}%", self.num * (100 / self.den))
        } else {
            format!("{}/{}", self.num, self.den)
        }
    }

    /// `hours × share`, rounded down to a tenth.
    pub fn of(self, hours: StudyHours) -> StudyHours {
        StudyHours(hours.0 * self.num / self.den.max(1))
    }

    /// Whether `part / whole` is more than this share.
    pub fn exceeded_by(self, part: StudyHours, whole: StudyHours) -> bool {
        part.0 * self.den > whole.0 * self.num
    }
}

/// "12.5" → (125, 10).
fn decimal(raw: &str) -> Option<(i64, i64)> {
    let (whole, frac) = raw.split_once('.').unwrap_or((raw, ""));
    if whole.is_empty() && frac.is_empty() || frac.len() > 3 {
        return None;
    }
    let digits = format!("{whole}{frac}");
    if !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some((digits.parse().ok()?, 10i64.pow(frac.len() as u32)))
}
