//! The district's view: each subdistrict's figures side by side, summed from its cadres'
//! standings. Pure: the service hands in one line per cadre.
use serde::{Deserialize, Serialize};

use super::hours::StudyHours;
use super::progress::Outlook;

/// One cadre as the district's figures count them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CadreFigures {
    pub subdistrict: i64,
    pub outlook: Outlook,
    pub earned: StudyHours,
    /// Sessions attended (present or late) and sessions meant for them, excused ones left
    /// out.
    pub attended: i64,
    pub expected: i64,
}

/// A subdistrict's figures (or the district's, summed).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Figures {
    pub cadres: i64,
    pub on_track: i64,
    pub at_risk: i64,
    pub behind: i64,
    pub earned: StudyHours,
    pub attended: i64,
    pub expected: i64,
}

impl Figures {
    pub fn add(&mut self, c: &CadreFigures) {
        self.cadres += 1;
        match c.outlook.group() {
            Outlook::AtRisk => self.at_risk += 1,
            Outlook::CannotReach => self.behind += 1,
            _ => self.on_track += 1,
        }
        self.earned = StudyHours(self.earned.0 + c.earned.0);
        self.attended += c.attended;
        self.expected += c.expected;
    }

    /// Adds another set of figures (a place's) to these.
    pub fn merge(&mut self, other: &Figures) {
        self.cadres += other.cadres;
        self.on_track += other.on_track;
        self.at_risk += other.at_risk;
        self.behind += other.behind;
        self.earned = StudyHours(self.earned.0 + other.earned.0);
        self.attended += other.attended;
        self.expected += other.expected;
    }

    /// Attended over expected, in whole percent; `None` before any session was held.
    pub fn attendance_percent(&self) -> Option<i64> {
        (self.expected > 0).then(|| self.attended * 100 / self.expected)
    }

    /// Hours earned per cadre, in the hours' own unit (tenths); zero without cadres.
    pub fn earned_per_cadre(&self) -> StudyHours {
        StudyHours(if self.cadres > 0 {
            self.earned.0 / self.cadres
        } else {
            0
        })
    }
}

/// Figures per subdistrict, in the order of `subdistricts` (every one listed, even with no
/// cadres), and the district's total.
pub fn by_subdistrict(subdistricts: &[i64], cadres: &[CadreFigures]) -> (Vec<Figures>, Figures) {
    let mut lines = vec![Figures::default(); subdistricts.len()];
    let mut total = Figures::default();
    for c in cadres {
        if let Some(i) = subdistricts.iter().position(|s| *s == c.subdistrict) {
            lines[i].add(c);
            total.add(c);
        }
    }
    (lines, total)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cadre(subdistrict: i64, outlook: Outlook, attended: i64, expected: i64) -> CadreFigures {
        CadreFigures {
            subdistrict,
            outlook,
            earned: StudyHours(20 * attended),
            attended,
            expected,
        }
    }

    #[test]
    fn each_subdistrict_counts_its_own_cadres() {
        let cadres = [
            cadre(1, Outlook::Met, 4, 4),
            cadre(1, Outlook::AtRisk, 2, 4),
            cadre(2, Outlook::CannotReach, 0, 4),
            cadre(9, Outlook::OnTrack, 4, 4),
        ];
        let (lines, total) = by_subdistrict(&[1, 2, 3], &cadres);
        assert_eq!(lines[0].cadres, 2);
        assert_eq!(
            (lines[0].on_track, lines[0].at_risk, lines[0].behind),
            (1, 1, 0)
        );
        assert_eq!(lines[0].attendance_percent(), Some(75));
        assert_eq!(lines[0].earned_per_cadre(), StudyHours(60));
        assert_eq!(
            (lines[1].behind, lines[1].attendance_percent()),
            (1, Some(0))
        );
        assert_eq!(lines[2], Figures::default(), "a subdistrict with no cadres");
        assert_eq!(lines[2].attendance_percent(), None);
        assert_eq!(total.cadres, 3, "a subdistrict not asked for is left out");
        assert_eq!(total.attendance_percent(), Some(50));
    }
}
