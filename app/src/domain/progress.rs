//! Programme progress: how attendance becomes credited study hours, what a tier asks of a
//! cadre in a year, and whether the cadre is on the way to it.
//!
//! The rules, as the school runs them:
//! - Present earns the session's hours, late the late share of them (100 % unless an
//!   organiser lowers it), made-up the make-up share, excused and absent nothing; lecturing
//!   earns the lecturing share. Cancelled sessions never reach the ledger.
//! - The tier a cadre holds now sets the year's requirements; hours earned in an earlier tier
//!   that year still count. A cadre who joined the programme this year owes the part of the
//!   year's requirements for the months left when they joined (joining in October: 3 of 12).
//! - The forecast adds what the sessions scheduled ahead this year could still bring, if the
//!   cadre attends all of them: more than the target is on track, short of the pace is at risk,
//!   short even with all of them is cannot reach.
use serde::{Deserialize, Serialize};

pub use super::claims::Elsewhere;
use super::hours::StudyHours;
use super::schedule::AttendanceStatus;
use super::share::Share;

/// The shares that turn attendance and lecturing into credited hours.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Credits {
    pub late: Share,
    pub make_up: Share,
    pub lecturing: Share,
}

impl Default for Credits {
    fn default() -> Self {
        Credits {
            late: Share { num: 1, den: 1 },
            make_up: Share::MAKE_UP,
            lecturing: Share { num: 1, den: 1 },
        }
    }
}

impl Credits {
    /// Hours a status earns at a session worth `hours`.
    pub fn for_status(&self, status: AttendanceStatus, hours: StudyHours) -> StudyHours {
        match status {
            AttendanceStatus::Present => hours,
            AttendanceStatus::Late => self.late.of(hours),
            AttendanceStatus::MadeUp => self.make_up.of(hours),
            AttendanceStatus::Excused | AttendanceStatus::Absent => StudyHours(0),
        }
    }

    /// Hours earned by lecturing a session worth `hours`.
    pub fn for_lecturing(&self, hours: StudyHours) -> StudyHours {
        self.lecturing.of(hours)
    }
}

/// What a tier asks of each of its cadres in a year.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Requirements {
    pub hours: StudyHours,
    /// Themes each cadre must have attended at least once (theme ids).
    pub themes: Vec<i64>,
    /// Attended sessions as a share of the expected, non-excused ones, in whole percent.
    pub min_attendance_percent: i64,
    /// Reflections a lecturer or organiser accepted.
    pub reflections: i64,
    /// Sessions (a forum counts) the cadre lectured.
    pub teaching: i64,
    /// Whether and how far approved hours earned elsewhere (外部学时) count toward `hours`.
    #[serde(default)]
    pub elsewhere: Elsewhere,
}

impl Requirements {
    pub const MAX_HOURS: StudyHours = StudyHours(2000);
    pub const MAX_COUNT: i64 = 100;

    /// The part owed by someone in the programme for `months` of the year's twelve: hours
    /// rounded up to the half hour, counts rounded up; themes and the rate stay as they are.
    pub fn prorated(&self, months: i64) -> Requirements {
        let months = months.clamp(0, 12);
        let up = |n: i64| (n * months + 11) / 12;
        Requirements {
            hours: StudyHours((self.hours.0 * months + 59) / 60 * 5),
            themes: self.themes.clone(),
            min_attendance_percent: self.min_attendance_percent,
            reflections: up(self.reflections),
            teaching: up(self.teaching),
            elsewhere: self.elsewhere,
        }
    }

    /// Whether the year so far meets every requirement already, not counting what lies
    /// ahead: what promotion to a tier asks. Attendance needs at least one session held.
    pub fn met_by(&self, year: &CadreYear, credits: &Credits) -> bool {
        let rate_ok = self.min_attendance_percent <= 0
            || year
                .attendance_percent()
                .is_some_and(|p| p >= self.min_attendance_percent);
        rate_ok
            && assess(self, year, credits)
                .iter()
                .filter(|a| a.measure != Measure::Attendance)
                .all(|a| a.done >= a.target)
    }
}

/// Months a cadre is in the programme in `year` when they joined on `joined` (year, month):
/// all twelve when they joined in an earlier year.
pub fn months_in_programme(joined: Option<(i32, u32)>, year: i32) -> i64 {
    match joined {
        Some((y, m)) if y == year => 13 - i64::from(m.clamp(1, 12)),
        Some((y, _)) if y > year => 0,
        _ => 12,
    }
}

/// One cadre's year, as counted from the records and the schedule.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CadreYear {
    /// Recorded statuses at the year's (not cancelled) sessions, and the hours of those
    /// sessions per status.
    pub present: (i64, StudyHours),
    pub late: (i64, StudyHours),
    pub made_up: (i64, StudyHours),
    pub excused: i64,
    /// Sessions held so far that were meant for the cadre (since they joined).
    pub expected: i64,
    /// Of those, excused ones.
    pub expected_excused: i64,
    /// Sessions ahead this year meant for the cadre and not excused, and their hours.
    pub ahead: (i64, StudyHours),
    /// Sessions lectured so far and their hours; sessions ahead the cadre will lecture.
    pub lectured: (i64, StudyHours),
    pub lecturing_ahead: i64,
    pub reflections_accepted: i64,
    /// Reflections written and not yet accepted.
    pub reflections_waiting: i64,
    /// Required themes attended, and required themes with a session ahead.
    pub themes_met: Vec<i64>,
    pub themes_ahead: Vec<i64>,
    /// The share of the cadre's scheduled sessions already held, in whole percent: the
    /// pace against which "on track" is judged.
    pub elapsed_percent: i64,
    /// Approved hours earned elsewhere this year (外部学时), before the tier's cap.
    #[serde(default)]
    pub elsewhere: StudyHours,
}

impl CadreYear {
    /// Counts one recorded status at a session worth `hours`.
    pub fn record(&mut self, status: AttendanceStatus, hours: StudyHours) {
        let slot = match status {
            AttendanceStatus::Present => &mut self.present,
            AttendanceStatus::Late => &mut self.late,
            AttendanceStatus::MadeUp => &mut self.made_up,
            AttendanceStatus::Excused => {
                self.excused += 1;
                return;
            }
            AttendanceStatus::Absent => return,
        };
        slot.0 += 1;
        slot.1.0 += hours.0;
    }

    pub fn earned(&self, credits: &Credits) -> StudyHours {
        StudyHours(
            credits
                .for_status(AttendanceStatus::Present, self.present.1)
                .0
                + credits.for_status(AttendanceStatus::Late, self.late.1).0
                + credits
                    .for_status(AttendanceStatus::MadeUp, self.made_up.1)
                    .0
                + credits.for_lecturing(self.lectured.1).0,
        )
    }

    /// The most hours reachable this year: earned plus every session ahead attended.
    pub fn reachable(&self, credits: &Credits) -> StudyHours {
        StudyHours(self.earned(credits).0 + self.ahead.1.0)
    }

    /// Hours earned here and credited from elsewhere (up to what `elsewhere` allows): what
    /// the tier's hours are measured against.
    pub fn credited(&self, credits: &Credits, elsewhere: Elsewhere) -> StudyHours {
        StudyHours(self.earned(credits).0 + elsewhere.credited(self.elsewhere).0)
    }

    /// Attended (present or late) over held sessions that were not excused, in whole
    /// percent; none before the first session.
    pub fn attendance_percent(&self) -> Option<i64> {
        rate(
            self.present.0 + self.late.0,
            self.expected - self.expected_excused,
        )
    }

    /// Sessions held and not excused with no attendance (absent, or made up later).
    pub fn missed(&self) -> i64 {
        (self.expected - self.expected_excused - self.present.0 - self.late.0).max(0)
    }
}

fn rate(part: i64, whole: i64) -> Option<i64> {
    (whole > 0).then(|| ((part * 100 + whole / 2) / whole).min(100))
}

/// How a requirement is going.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Outlook {
    Met,
    OnTrack,
    AtRisk,
    CannotReach,
}

impl Outlook {
    pub fn as_str(self) -> &'static str {
        match self {
            Outlook::Met => "met",
            Outlook::OnTrack => "on_track",
            Outlook::AtRisk => "at_risk",
            Outlook::CannotReach => "cannot_reach",
        }
    }

    pub fn parse(s: &str) -> Option<Outlook> {
        [
            Outlook::Met,
            Outlook::OnTrack,
            Outlook::AtRisk,
            Outlook::CannotReach,
        ]
        .into_iter()
        .find(|o| o.as_str() == s)
    }

    /// The dashboard's three groups: met counts as on track.
    pub fn group(self) -> Outlook {
        match self {
            Outlook::Met => Outlook::OnTrack,
            other => other,
        }
    }
}

/// Which requirement an assessment is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Measure {
    Hours,
    Attendance,
    Reflections,
    Themes,
    Teaching,
}

/// One requirement's bar: how far along, the target, the most still reachable.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Assessment {
    pub measure: Measure,
    /// In the measure's unit: tenths of an hour, percent, or a count.
    pub done: i64,
    pub target: i64,
    pub reachable: i64,
    pub outlook: Outlook,
}

impl Assessment {
    /// The bar's fill, 0–100.
    pub fn percent(&self) -> i64 {
        if self.target <= 0 {
            100
        } else {
            (self.done * 100 / self.target).clamp(0, 100)
        }
    }
}

/// A count towards a target: met, on pace, reachable with what lies ahead, or not.
fn count_outlook(done: i64, target: i64, reachable: i64, elapsed_percent: i64) -> Outlook {
    if done >= target {
        Outlook::Met
    } else if reachable < target {
        Outlook::CannotReach
    } else if done * 100 >= target * elapsed_percent {
        Outlook::OnTrack
    } else {
        Outlook::AtRisk
    }
}

/// Every requirement of the tier that asks something, with its outlook.
pub fn assess(req: &Requirements, year: &CadreYear, credits: &Credits) -> Vec<Assessment> {
    let mut out = Vec::new();
    let elapsed = year.elapsed_percent.clamp(0, 100);
    if req.hours.0 > 0 {
        // Hours earned elsewhere count as far as the tier says, now and in the forecast.
        let outside = req.elsewhere.credited(year.elsewhere).0;
        let (done, reachable) = (
            year.earned(credits).0 + outside,
            year.reachable(credits).0 + outside,
        );
        out.push(Assessment {
            measure: Measure::Hours,
            done,
            target: req.hours.0,
            reachable,
            outlook: count_outlook(done, req.hours.0, reachable, elapsed),
        });
    }
    if req.min_attendance_percent > 0 {
        let attended = year.present.0 + year.late.0;
        let held = year.expected - year.expected_excused;
        let done = year.attendance_percent();
        let reachable = rate(attended + year.ahead.0, held + year.ahead.0);
        let target = req.min_attendance_percent;
        let outlook = match (done, reachable) {
            (None, _) => Outlook::OnTrack,
            (Some(d), _) if d >= target && year.ahead.0 == 0 => Outlook::Met,
            (Some(d), _) if d >= target => Outlook::OnTrack,
            (_, Some(r)) if r >= target => Outlook::AtRisk,
            _ => Outlook::CannotReach,
        };
        out.push(Assessment {
            measure: Measure::Attendance,
            done: done.unwrap_or(100),
            target,
            reachable: reachable.unwrap_or(100),
            outlook,
        });
    }
    if req.reflections > 0 {
        let done = year.reflections_accepted;
        // Each session attended from here on, and each reflection waiting, may still count.
        let reachable = done + year.reflections_waiting + year.ahead.0;
        out.push(Assessment {
            measure: Measure::Reflections,
            done,
            target: req.reflections,
            reachable,
            outlook: count_outlook(done, req.reflections, reachable, elapsed),
        });
    }
    if !req.themes.is_empty() {
        let met = req
            .themes
            .iter()
            .filter(|t| year.themes_met.contains(t))
            .count() as i64;
        let open = req
            .themes
            .iter()
            .filter(|t| !year.themes_met.contains(t) && year.themes_ahead.contains(t))
            .count() as i64;
        let target = req.themes.len() as i64;
        // A theme is a single visit: while a session of it lies ahead, nothing is late yet.
        let outlook = if met == target {
            Outlook::Met
        } else if met + open < target {
            Outlook::CannotReach
        } else {
            Outlook::OnTrack
        };
        out.push(Assessment {
            measure: Measure::Themes,
            done: met,
            target,
            reachable: met + open,
            outlook,
        });
    }
    if req.teaching > 0 {
        let done = year.lectured.0;
        let reachable = done + year.lecturing_ahead;
        out.push(Assessment {
            measure: Measure::Teaching,
            done,
            target: req.teaching,
            reachable,
            outlook: count_outlook(done, req.teaching, reachable, elapsed),
        });
    }
    out
}

/// The worst outlook of the assessments: one requirement out of reach puts the year out of
/// reach. A tier that asks nothing is met.
pub fn overall(assessments: &[Assessment]) -> Outlook {
    assessments
        .iter()
        .map(|a| a.outlook)
        .max()
        .unwrap_or(Outlook::Met)
}

/// Whether the most recent held sessions (newest first) meant for a cadre were missed
/// three times in a row: absent or no record; excused and made-up do not count.
pub fn three_missed_in_a_row(newest_first: &[Option<AttendanceStatus>]) -> bool {
    newest_first.len() >= 3
        && newest_first[..3]
            .iter()
            .all(|s| matches!(s, None | Some(AttendanceStatus::Absent)))
}

/// How the newest held sessions meant for a cadre stand, for a warning told once: a run of
/// three missed raises it, an attendance ends it, and a session whose attendance may still
/// be recorded decides nothing yet.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Streak {
    /// The newest three were missed: their ids, newest first.
    Missed(Vec<i64>),
    /// One of the newest three was attended, excused or made up, or fewer than three were
    /// held: no run.
    Broken,
    /// Not decided yet: a session without a record whose attendance may still come in.
    Open,
}

/// The streak of a cadre's newest held sessions, newest first: `(session, status, settled)`,
/// where `settled` says a missing record now means absent (the session ended long enough
/// ago). An explicit absence counts at once; no record counts only once settled.
pub fn missed_streak(newest_first: &[(i64, Option<AttendanceStatus>, bool)]) -> Streak {
    let newest = &newest_first[..newest_first.len().min(3)];
    if newest
        .iter()
        .any(|(_, s, _)| s.is_some_and(|s| s != AttendanceStatus::Absent))
        || newest.len() < 3
    {
        return Streak::Broken;
    }
    if newest
        .iter()
        .all(|(_, s, settled)| *s == Some(AttendanceStatus::Absent) || *settled)
    {
        Streak::Missed(newest.iter().map(|(id, _, _)| *id).collect())
    } else {
        Streak::Open
    }
}

/// How long after a session's end a missing record counts as an absence for warnings (the
/// organisers may still fill in the sheet the next morning).
pub const SETTLED_AFTER_SECS: i64 = 24 * 3600;

/// The fewest non-excused sessions held before an attendance rate under the minimum is told
/// to anyone: one missed session in January is not a warning.
pub const MIN_HELD_TO_WARN: i64 = 3;

/// The attendance rate and the minimum, when a cadre is under their tier's minimum and
/// enough sessions were held to say so.
pub fn under_minimum(year: &CadreYear, owed: &Requirements) -> Option<(i64, i64)> {
    let minimum = owed.min_attendance_percent;
    let held = year.expected - year.expected_excused;
    match year.attendance_percent() {
        Some(rate) if minimum > 0 && held >= MIN_HELD_TO_WARN && rate < minimum => {
            Some((rate, minimum))
        }
        _ => None,
    }
}

/// What 学习之星 (star of the month) points are made of.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StarWeights {
    pub present: i64,
    pub late: i64,
    pub made_up: i64,
    pub reflection: i64,
}

/// 2 for each session attended on time, 1 late or made up, 3 for each reflection accepted.
pub const STAR_WEIGHTS: StarWeights = StarWeights {
    present: 2,
    late: 1,
    made_up: 1,
    reflection: 3,
};

/// A month's 学习之星 points.
pub fn star_points(present: i64, late: i64, made_up: i64, reflections_accepted: i64) -> i64 {
    let w = STAR_WEIGHTS;
    w.present * present + w.late * late + w.made_up * made_up + w.reflection * reflections_accepted
}

#[cfg(test)]
mod tests {
    use super::*;
    use AttendanceStatus::*;

    /// Recorded statuses with the hours (tenths) of their sessions.
    type Records = &'static [(AttendanceStatus, i64)];

    fn h(tenths: i64) -> StudyHours {
        StudyHours(tenths)
    }

    fn year(records: &[(AttendanceStatus, i64)], expected: i64, ahead: (i64, i64)) -> CadreYear {
        let mut y = CadreYear {
            expected,
            ahead: (ahead.0, h(ahead.1)),
            ..Default::default()
        };
        for &(s, hours) in records {
            y.record(s, h(hours));
            if s == Excused {
                y.expected_excused += 1;
            }
        }
        let held = expected * 20;
        y.elapsed_percent = if held + ahead.1 > 0 {
            held * 100 / (held + ahead.1)
        } else {
            0
        };
        y
    }

    #[test]
    fn the_ledger_credits_each_status_by_its_share() {
        let credits = Credits {
            late: Share { num: 1, den: 2 },
            make_up: Share::MAKE_UP,
            lecturing: Share { num: 1, den: 1 },
        };
        // (case, records, earned in tenths)
        let cases: &[(&str, Records, i64)] = &[
            ("nothing recorded", &[], 0),
            ("present earns the hours", &[(Present, 20)], 20),
            ("late earns the late share", &[(Late, 20)], 10),
            ("excused earns nothing", &[(Excused, 20)], 0),
            ("absent earns nothing", &[(Absent, 20)], 0),
            ("made-up earns the make-up share", &[(MadeUp, 30)], 15),
            (
                "a mixed year",
                &[
                    (Present, 20),
                    (Late, 20),
                    (Excused, 20),
                    (MadeUp, 20),
                    (Absent, 25),
                ],
                40,
            ),
        ];
        for (case, records, earned) in cases {
            let y = year(records, records.len() as i64, (0, 0));
            assert_eq!(y.earned(&credits), h(*earned), "{case}");
        }
        // Late at full credit, the default.
        let y = year(&[(Late, 20)], 1, (0, 0));
        assert_eq!(y.earned(&Credits::default()), h(20));
        // Lecturing earns its share on top.
        let mut y = year(&[(Present, 20)], 1, (0, 0));
        y.lectured = (1, h(30));
        let credits = Credits {
            lecturing: Share { num: 1, den: 2 },
            ..Credits::default()
        };
        assert_eq!(y.earned(&credits), h(35));
    }

    #[test]
    fn the_forecast_weighs_what_is_earned_against_what_lies_ahead() {
        let req = Requirements {
            hours: h(100),
            ..Default::default()
        };
        let credits = Credits::default();
        // (case, records, held, ahead (count, hours), outlook, most reachable)
        type Case = (&'static str, Records, i64, (i64, i64), Outlook, i64);
        let cases: &[Case] = &[
            (
                "met already",
                &[(Present, 100)],
                5,
                (2, 40),
                Outlook::Met,
                140,
            ),
            // Half the year held (100 of 200 hours), half the target earned: on pace.
            (
                "on pace",
                &[(Present, 50), (Absent, 50)],
                5,
                (5, 100),
                Outlook::OnTrack,
                150,
            ),
            (
                "behind pace but reachable",
                &[(Present, 20), (Absent, 80)],
                5,
                (5, 100),
                Outlook::AtRisk,
                120,
            ),
            (
                "cannot reach",
                &[(Absent, 100)],
                5,
                (2, 40),
                Outlook::CannotReach,
                40,
            ),
            // Leave keeps the hours out of reach: excused earns nothing.
            (
                "leave",
                &[(Excused, 100)],
                5,
                (4, 80),
                Outlook::CannotReach,
                80,
            ),
            // A make-up gives back half.
            (
                "make-up",
                &[(MadeUp, 100), (Present, 40)],
                7,
                (1, 20),
                Outlook::OnTrack,
                110,
            ),
            (
                "nothing yet, a full schedule ahead",
                &[],
                0,
                (10, 200),
                Outlook::OnTrack,
                200,
            ),
        ];
        for (case, records, held, ahead, outlook, reachable) in cases {
            let y = year(records, *held, *ahead);
            let a = assess(&req, &y, &credits);
            assert_eq!(a.len(), 1, "{case}");
            assert_eq!(a[0].outlook, *outlook, "{case}");
            assert_eq!(a[0].reachable, *reachable, "{case}");
            assert_eq!(overall(&a), *outlook, "{case}");
        }
    }

    #[test]
    fn hours_earned_elsewhere_count_as_far_as_the_tier_says() {
        let credits = Credits::default();
        // 40 of 100 hours earned here, 20 ahead; 50 approved elsewhere.
        let mut y = year(&[(Present, 40), (Absent, 40)], 4, (1, 20));
        y.elsewhere = h(50);
        // (rule, done, reachable, outlook)
        let cases = [
            (Elsewhere::NotCounted, 40, 60, Outlook::CannotReach),
            (Elsewhere::UpTo(h(30)), 70, 90, Outlook::CannotReach),
            (Elsewhere::UpTo(h(60)), 90, 110, Outlook::OnTrack),
            (Elsewhere::All, 90, 110, Outlook::OnTrack),
        ];
        for (elsewhere, done, reachable, outlook) in cases {
            let req = Requirements {
                hours: h(100),
                elsewhere,
                ..Default::default()
            };
            let a = assess(&req, &y, &credits);
            assert_eq!(
                (a[0].done, a[0].reachable, a[0].outlook),
                (h(done).0, h(reachable).0, outlook),
                "{elsewhere:?}"
            );
            assert_eq!(y.credited(&credits, elsewhere), h(done));
        }
        // Joining late prorates the hours, not the cap.
        let req = Requirements {
            hours: h(120),
            elsewhere: Elsewhere::UpTo(h(30)),
            ..Default::default()
        };
        assert_eq!(req.prorated(6).elsewhere, Elsewhere::UpTo(h(30)));
    }

    #[test]
    fn attendance_rate_leaves_excused_sessions_out() {
        let req = Requirements {
            min_attendance_percent: 80,
            ..Default::default()
        };
        let credits = Credits::default();
        // (case, records, held, ahead, rate, outlook)
        let cases: &[(&str, Records, i64, i64, i64, Outlook)] = &[
            (
                "all attended",
                &[(Present, 20), (Late, 20)],
                2,
                3,
                100,
                Outlook::OnTrack,
            ),
            (
                "the year is over",
                &[(Present, 20), (Late, 20)],
                2,
                0,
                100,
                Outlook::Met,
            ),
            // 3 of 4 held (one excused is left out): 75 %, 7 of 8 reachable.
            (
                "under, reachable",
                &[(Present, 20), (Present, 20), (Present, 20), (Excused, 20)],
                5,
                4,
                75,
                Outlook::AtRisk,
            ),
            // Missing four of five with one left: at most 2 of 6.
            (
                "out of reach",
                &[(Present, 20)],
                5,
                1,
                20,
                Outlook::CannotReach,
            ),
            // No record after the session counts as missed.
            ("no record is missed", &[], 2, 0, 0, Outlook::CannotReach),
            // A made-up session is not attendance.
            (
                "made up is not attended",
                &[(Present, 20), (MadeUp, 20)],
                2,
                0,
                50,
                Outlook::CannotReach,
            ),
        ];
        for (case, records, held, ahead, rate, outlook) in cases {
            let y = year(records, *held, (*ahead, ahead * 20));
            let a = assess(&req, &y, &credits);
            assert_eq!(a[0].measure, Measure::Attendance);
            assert_eq!(a[0].done, *rate, "{case}");
            assert_eq!(a[0].outlook, *outlook, "{case}");
        }
        // Before any session there is no rate and nothing to worry about.
        let a = assess(&req, &year(&[], 0, (3, 60)), &credits);
        assert_eq!(a[0].outlook, Outlook::OnTrack);
    }

    #[test]
    fn reflections_themes_and_teaching() {
        let credits = Credits::default();
        let req = Requirements {
            reflections: 4,
            themes: vec![1, 2, 3],
            teaching: 2,
            ..Default::default()
        };
        let mut y = year(&[(Present, 20); 4], 4, (2, 40));
        y.reflections_accepted = 1;
        y.reflections_waiting = 1;
        y.themes_met = vec![1];
        y.themes_ahead = vec![2, 3];
        y.lectured = (1, h(20));
        y.lecturing_ahead = 1;
        let a = assess(&req, &y, &credits);
        let by = |m: Measure| a.iter().find(|x| x.measure == m).copied();
        let r = by(Measure::Reflections).unwrap();
        assert_eq!((r.done, r.reachable, r.outlook), (1, 4, Outlook::AtRisk));
        let t = by(Measure::Themes).unwrap();
        assert_eq!((t.done, t.target, t.outlook), (1, 3, Outlook::OnTrack));
        let l = by(Measure::Teaching).unwrap();
        assert_eq!((l.done, l.reachable, l.outlook), (1, 2, Outlook::AtRisk));
        assert_eq!(overall(&a), Outlook::AtRisk);
        // A required theme with no session ahead is out of reach.
        y.themes_ahead = vec![2];
        let a = assess(&req, &y, &credits);
        assert_eq!(overall(&a), Outlook::CannotReach);
        // A tier that asks nothing shows no bars and is met.
        assert!(assess(&Requirements::default(), &y, &credits).is_empty());
        assert_eq!(overall(&[]), Outlook::Met);
    }

    #[test]
    fn joining_late_owes_part_of_the_year() {
        let req = Requirements {
            hours: h(240),
            themes: vec![7],
            min_attendance_percent: 80,
            reflections: 6,
            teaching: 1,
            elsewhere: Elsewhere::UpTo(h(30)),
        };
        // (case, joined (year, month), months, hours owed, reflections owed, teaching owed)
        let cases = [
            ("joined in an earlier year", Some((2025, 3)), 12, 240, 6, 1),
            ("no join date known", None, 12, 240, 6, 1),
            ("joined in January", Some((2026, 1)), 12, 240, 6, 1),
            ("joined in October", Some((2026, 10)), 3, 60, 2, 1),
            ("joined in December", Some((2026, 12)), 1, 20, 1, 1),
            ("joins next year", Some((2027, 2)), 0, 0, 0, 0),
        ];
        for (case, joined, months, hours, reflections, teaching) in cases {
            let m = months_in_programme(joined, 2026);
            assert_eq!(m, months, "{case}");
            let owed = req.prorated(m);
            assert_eq!(owed.hours, h(hours), "{case}");
            assert_eq!(owed.reflections, reflections, "{case}");
            assert_eq!(owed.teaching, teaching, "{case}");
            assert_eq!(owed.themes, vec![7], "{case}");
            assert_eq!(owed.min_attendance_percent, 80, "{case}");
        }
        // Hours round up to the half hour: 25 h over 5 months is 10.42 h, owed 10.5.
        let odd = Requirements {
            hours: h(250),
            ..Default::default()
        };
        assert_eq!(odd.prorated(5).hours, h(105));
    }

    #[test]
    fn promotion_asks_every_requirement_met_now() {
        let credits = Credits::default();
        let next = Requirements {
            hours: h(60),
            min_attendance_percent: 90,
            reflections: 1,
            ..Default::default()
        };
        let mut y = year(&[(Present, 20), (Present, 20), (Present, 20)], 3, (5, 100));
        assert!(!next.met_by(&y, &credits), "no reflection yet");
        y.reflections_accepted = 1;
        assert!(next.met_by(&y, &credits));
        y.expected += 1; // a fourth session missed: 75 %
        assert!(!next.met_by(&y, &credits));
        assert!(
            !next.met_by(&CadreYear::default(), &credits),
            "no session held"
        );
    }

    #[test]
    fn three_misses_in_a_row() {
        let cases: &[(&[Option<AttendanceStatus>], bool)] = &[
            (&[None, Some(Absent), None], true),
            (&[None, Some(Absent), None, Some(Present)], true),
            (&[None, Some(Excused), None], false),
            (&[None, None, Some(MadeUp)], false),
            (&[Some(Late), None, None], false),
            (&[None, None], false),
        ];
        for (statuses, warn) in cases {
            assert_eq!(three_missed_in_a_row(statuses), *warn, "{statuses:?}");
        }
    }

    #[test]
    fn stars_count_attendance_and_accepted_reflections() {
        assert_eq!(star_points(0, 0, 0, 0), 0);
        assert_eq!(star_points(3, 1, 1, 2), 14);
        assert!(star_points(1, 0, 0, 1) > star_points(2, 0, 0, 0));
    }

    #[test]
    fn outlook_codes_round_trip() {
        for o in [
            Outlook::Met,
            Outlook::OnTrack,
            Outlook::AtRisk,
            Outlook::CannotReach,
        ] {
            assert_eq!(Outlook::parse(o.as_str()), Some(o));
        }
        assert_eq!(Outlook::Met.group(), Outlook::OnTrack);
        assert_eq!(Outlook::parse("fine"), None);
    }
    #[test]
    fn streaks_of_missed_sessions() {
        use AttendanceStatus::*;
        type Recent<'a> = &'a [(i64, Option<AttendanceStatus>, bool)];
        let cases: &[(Recent, Streak)] = &[
            (&[], Streak::Broken),
            (
                &[(3, Some(Absent), true), (2, Some(Absent), true)],
                Streak::Broken,
            ),
            (
                &[
                    (3, Some(Absent), false),
                    (2, None, true),
                    (1, Some(Absent), true),
                ],
                Streak::Missed(vec![3, 2, 1]),
            ),
            // A session just over, nothing recorded yet: wait.
            (
                &[(4, None, false), (3, Some(Absent), true), (2, None, true)],
                Streak::Open,
            ),
            (
                &[(4, None, false), (3, Some(Present), true), (2, None, true)],
                Streak::Broken,
            ),
            (
                &[(3, Some(Excused), true), (2, None, true), (1, None, true)],
                Streak::Broken,
            ),
            (
                &[(3, Some(MadeUp), true), (2, None, true), (1, None, true)],
                Streak::Broken,
            ),
            (
                &[(3, Some(Late), true), (2, None, true), (1, None, true)],
                Streak::Broken,
            ),
            // Only the newest three count.
            (
                &[
                    (4, None, true),
                    (3, None, true),
                    (2, None, true),
                    (1, Some(Present), true),
                ],
                Streak::Missed(vec![4, 3, 2]),
            ),
        ];
        for (recent, want) in cases {
            assert_eq!(missed_streak(recent), *want, "{recent:?}");
        }
    }

    #[test]
    fn under_the_minimum_only_after_enough_sessions() {
        let owed = Requirements {
            min_attendance_percent: 80,
            ..Requirements::default()
        };
        let year = |expected, excused, present| CadreYear {
            present: (present, StudyHours(0)),
            expected,
            expected_excused: excused,
            ..CadreYear::default()
        };
        // (expected, excused, present, warned)
        let cases = [
            (1, 0, 0, None),
            (2, 0, 0, None),
            (3, 0, 2, Some((67, 80))),
            (4, 1, 2, Some((67, 80))),
            (4, 2, 1, None),
            (5, 0, 4, None),
            (10, 0, 7, Some((70, 80))),
        ];
        for (expected, excused, present, want) in cases {
            assert_eq!(
                under_minimum(&year(expected, excused, present), &owed),
                want,
                "{expected} {excused} {present}"
            );
        }
        let none = Requirements::default();
        assert_eq!(under_minimum(&year(10, 0, 0), &none), None);
    }
}
