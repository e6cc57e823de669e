//! Sessions (期) of the lecture series and the attendance they collect.
use serde::{Deserialize, Serialize};

use super::Timestamp;
use super::hours::StudyHours;

/// The lecture series every session belongs to unless said otherwise.
pub const LECTURE_SERIES: &str = "运河红·初心讲堂";
/// The series of sessions the district holds for cadres of several subdistricts.
pub const DISTRICT_SERIES: &str = "区委党校专题班";

/// How a session is taught.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum SessionFormat {
    /// 集中授课
    Lecture,
    /// 挑灯夜学
    SelfStudy,
    /// 情景分析
    Scenario,
    /// 讲坛
    Forum,
}

impl SessionFormat {
    pub const ALL: [SessionFormat; 4] = [
        SessionFormat::Lecture,
        SessionFormat::SelfStudy,
        SessionFormat::Scenario,
        SessionFormat::Forum,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            SessionFormat::Lecture => "lecture",
            SessionFormat::SelfStudy => "self_study",
            SessionFormat::Scenario => "scenario",
            SessionFormat::Forum => "forum",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|f| f.as_str() == s)
    }
}

/// A cadre's attendance at one session.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum AttendanceStatus {
    Present,
    Late,
    /// Approved leave (请假).
    Excused,
    Absent,
    /// Missed, then made up (补学).
    MadeUp,
}

impl AttendanceStatus {
    pub const ALL: [AttendanceStatus; 5] = [
        AttendanceStatus::Present,
        AttendanceStatus::Late,
        AttendanceStatus::Excused,
        AttendanceStatus::Absent,
        AttendanceStatus::MadeUp,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            AttendanceStatus::Present => "present",
            AttendanceStatus::Late => "late",
            AttendanceStatus::Excused => "excused",
            AttendanceStatus::Absent => "absent",
            AttendanceStatus::MadeUp => "made_up",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|f| f.as_str() == s)
    }

    /// Whether the cadre was in the room.
    pub fn attended(self) -> bool {
        matches!(self, AttendanceStatus::Present | AttendanceStatus::Late)
    }
}

/// One session as lists show it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SessionSummary {
    pub id: i64,
    pub title: String,
    pub theme_zh: String,
    pub theme_en: String,
    pub format: SessionFormat,
    pub starts_at: Timestamp,
    pub ends_at: Timestamp,
    pub place: String,
    pub lecturers: Vec<String>,
    pub cancelled: bool,
    pub study_hours: StudyHours,
}

/// Head-counts of one session's attendance.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttendanceCounts {
    pub present: i64,
    pub late: i64,
    pub excused: i64,
    pub absent: i64,
    pub made_up: i64,
    /// Cadres expected at the session.
    pub expected: i64,
}

impl AttendanceCounts {
    pub fn add(&mut self, status: AttendanceStatus, n: i64) {
        match status {
            AttendanceStatus::Present => self.present += n,
            AttendanceStatus::Late => self.late += n,
            AttendanceStatus::Excused => self.excused += n,
            AttendanceStatus::Absent => self.absent += n,
            AttendanceStatus::MadeUp => self.made_up += n,
        }
    }

    /// Adds another group's counts to these.
    pub fn merge(&mut self, other: &AttendanceCounts) {
        self.expected += other.expected;
        self.present += other.present;
        self.late += other.late;
        self.excused += other.excused;
        self.absent += other.absent;
        self.made_up += other.made_up;
    }

    pub fn checked_in(&self) -> i64 {
        self.present + self.late
    }

    /// Expected cadres with no record yet.
    pub fn not_yet(&self) -> i64 {
        (self.expected - self.present - self.late - self.excused - self.absent - self.made_up)
            .max(0)
    }

    /// Share of expected cadres who came, in whole percent; excused cadres are not expected.
    pub fn attendance_percent(&self) -> Option<i64> {
        let base = self.expected - self.excused;
        (base > 0).then(|| (self.checked_in() * 100 + base / 2) / base)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip() {
        for f in SessionFormat::ALL {
            assert_eq!(SessionFormat::parse(f.as_str()), Some(f));
        }
        for s in AttendanceStatus::ALL {
            assert_eq!(AttendanceStatus::parse(s.as_str()), Some(s));
        }
        assert_eq!(SessionFormat::parse("party"), None);
    }

    #[test]
    fn counts_and_rates() {
        let mut c = AttendanceCounts {
            expected: 20,
            ..Default::default()
        };
        assert_eq!(c.not_yet(), 20);
        assert_eq!(c.attendance_percent(), Some(0));
        c.add(AttendanceStatus::Present, 12);
        c.add(AttendanceStatus::Late, 3);
        c.add(AttendanceStatus::Excused, 2);
        c.add(AttendanceStatus::Absent, 1);
        assert_eq!(c.checked_in(), 15);
        assert_eq!(c.not_yet(), 2);
        // 15 of the 18 who were expected and not excused: 83.3 %
        assert_eq!(c.attendance_percent(), Some(83));
        assert_eq!(AttendanceCounts::default().attendance_percent(), None);
        assert!(AttendanceStatus::Late.attended());
        assert!(!AttendanceStatus::MadeUp.attended());
    }
}
