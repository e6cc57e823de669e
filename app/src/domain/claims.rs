//! 外部学时申报: study hours a cadre earned outside Night School (the district party
//! school's classes, online courses, other centralised training), claimed by the cadre with
//! a certificate and decided by an organiser. Pure rules: what a claim may say, the hours a
//! conversion table offers, and how much of the approved hours a tier counts.
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::hours::StudyHours;
use super::session_draft::{Field, FieldProblem, Problem, text_between};

/// The longest training or organiser name, in characters.
pub const NAME_CHARS: usize = 80;
/// The most hours one claim may carry (a two-week residential class is about 80).
pub const MAX_CLAIM_HOURS: StudyHours = StudyHours(2000);
/// The most units of a conversion rule in one claim.
pub const MAX_UNITS: i64 = 60;

/// How the training was given.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ClaimMode {
    /// 线上
    Online,
    /// 线下
    InPerson,
}

impl ClaimMode {
    pub fn as_str(self) -> &'static str {
        match self {
            ClaimMode::Online => "online",
            ClaimMode::InPerson => "in_person",
        }
    }

    pub fn parse(raw: &str) -> Option<ClaimMode> {
        match raw.trim() {
            "online" => Some(ClaimMode::Online),
            "in_person" => Some(ClaimMode::InPerson),
            _ => None,
        }
    }
}

/// One line of the conversion table the organisers edit: "半天 = 4 学时".
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Conversion {
    pub id: i64,
    pub name_zh: String,
    pub name_en: String,
    /// Hours one unit is worth.
    pub hours: StudyHours,
    /// Retired lines are no longer offered; claims filed with them keep their wording.
    #[serde(default)]
    pub retired: bool,
}

/// The longest name of a conversion line, in characters.
pub const CONVERSION_NAME_CHARS: usize = 40;
/// The most one unit of a conversion line may be worth (a full day is 8).
pub const MAX_UNIT_HOURS: StudyHours = StudyHours(400);

/// A conversion line as an organiser typed it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConversionForm {
    pub name_zh: String,
    /// Optional: the Chinese name stands in when empty.
    pub name_en: String,
    /// Hours one unit is worth: 0.5–40, in tenths.
    pub hours: String,
    pub retired: bool,
}

impl ConversionForm {
    /// Checks the names (1–40 characters; the English one may be left out) and the hours
    /// per unit (0.5–40, at most one decimal), all problems at once.
    pub fn check(&self, id: i64) -> Result<Conversion, Vec<FieldProblem>> {
        let mut problems = Vec::new();
        let name_zh = text_between(
            &self.name_zh,
            1,
            CONVERSION_NAME_CHARS,
            Field::ConversionName,
        )
        .map_err(|p| problems.push(p))
        .ok();
        let name_en = if self.name_en.trim().is_empty() {
            name_zh.clone()
        } else {
            text_between(
                &self.name_en,
                1,
                CONVERSION_NAME_CHARS,
                Field::ConversionName,
            )
            .map_err(|p| problems.push(p))
            .ok()
        };
        let hours = match StudyHours::parse_up_to(&self.hours, 1000) {
            Some(h) if h.0 >= 5 && h <= MAX_UNIT_HOURS => Some(h),
            Some(_) => {
                problems.push(problem(Field::ConversionHours, Problem::OutOfRange));
                None
            }
            None if self.hours.trim().is_empty() => {
                problems.push(problem(Field::ConversionHours, Problem::Required));
                None
            }
            None => {
                problems.push(problem(Field::ConversionHours, Problem::NotANumber));
                None
            }
        };
        match (name_zh, name_en, hours) {
            (Some(name_zh), Some(name_en), Some(hours)) if problems.is_empty() => Ok(Conversion {
                id,
                name_zh,
                name_en,
                hours,
                retired: self.retired,
            }),
            _ => Err(problems),
        }
    }
}

/// The table a new install starts with.
pub fn default_conversions() -> Vec<(&'static str, &'static str, StudyHours)> {
    vec![
        ("集中培训半天", "Half a day of training", StudyHours(40)),
        ("集中培训一天", "A full day of training", StudyHours(80)),
        ("授课一次", "A lecture given", StudyHours(40)),
        (
            "学习小组集中学习一次",
            "A study-group meeting",
            StudyHours(30),
        ),
        (
            "网络课程（按课程学时）",
            "Online course (per course hour)",
            StudyHours(10),
        ),
    ]
}

/// A claim as the cadre typed it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClaimForm {
    pub training: String,
    pub organiser: String,
    pub from: String,
    pub to: String,
    pub mode: String,
    /// A conversion line's id, or empty to give the hours directly.
    pub conversion_id: String,
    pub units: String,
    /// The hours, when no conversion line is chosen.
    pub hours: String,
    /// "本人承诺属实": must be ticked.
    pub pledge: bool,
}

/// A claim as it is stored.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckedClaim {
    pub training: String,
    pub organiser: String,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub mode: ClaimMode,
    /// The conversion line and the units, when the hours came from the table.
    pub conversion: Option<(i64, i64)>,
    pub hours: StudyHours,
}

fn problem(field: Field, problem: Problem) -> FieldProblem {
    FieldProblem { field, problem }
}

fn date(raw: &str) -> Result<NaiveDate, FieldProblem> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Err(problem(Field::ClaimDates, Problem::Required));
    }
    NaiveDate::parse_from_str(raw, "%Y-%m-%d")
        .map_err(|_| problem(Field::ClaimDates, Problem::NotADate))
}

impl ClaimForm {
    /// Checks every field against the conversion table and today's date: names of 1–80
    /// characters, dates in order and not ahead of today, a known mode, the hours from a
    /// table line times 1–60 units or typed (0.5–200, in tenths), and the pledge ticked.
    /// All problems at once.
    pub fn check(
        &self,
        table: &[Conversion],
        today: NaiveDate,
    ) -> Result<CheckedClaim, Vec<FieldProblem>> {
        let mut problems = Vec::new();
        let training = text_between(&self.training, 1, NAME_CHARS, Field::ClaimTraining)
            .map_err(|p| problems.push(p))
            .ok();
        let organiser = text_between(&self.organiser, 1, NAME_CHARS, Field::ClaimOrganiser)
            .map_err(|p| problems.push(p))
            .ok();
        let dates = match (date(&self.from), date(&self.to)) {
            (Ok(from), Ok(to)) if to < from => {
                problems.push(problem(Field::ClaimDates, Problem::EndNotAfterStart));
                None
            }
            (Ok(_), Ok(to)) if to > today => {
                problems.push(problem(Field::ClaimDates, Problem::OutOfRange));
                None
            }
            (Ok(from), Ok(to)) => Some((from, to)),
            (Err(p), _) | (_, Err(p)) => {
                problems.push(p);
                None
            }
        };
        let mode = ClaimMode::parse(&self.mode);
        if mode.is_none() {
            problems.push(problem(Field::ClaimMode, Problem::NotAllowed));
        }
        let hours = match self.conversion_id.trim() {
            "" => match StudyHours::parse_up_to(&self.hours, 100_000) {
                Some(h) if h.0 >= 5 && h <= MAX_CLAIM_HOURS => Some((None, h)),
                Some(_) => {
                    problems.push(problem(Field::ClaimHours, Problem::OutOfRange));
                    None
                }
                None if self.hours.trim().is_empty() => {
                    problems.push(problem(Field::ClaimHours, Problem::Required));
                    None
                }
                None => {
                    problems.push(problem(Field::ClaimHours, Problem::NotANumber));
                    None
                }
            },
            raw => {
                let line = raw
                    .parse::<i64>()
                    .ok()
                    .and_then(|id| table.iter().find(|c| c.id == id));
                let units = self.units.trim().parse::<i64>().ok();
                match (line, units) {
                    (None, _) => {
                        problems.push(problem(Field::ClaimHours, Problem::NotAllowed));
                        None
                    }
                    (Some(_), None) => {
                        problems.push(problem(Field::ClaimUnits, Problem::NotANumber));
                        None
                    }
                    (Some(_), Some(u)) if !(1..=MAX_UNITS).contains(&u) => {
                        problems.push(problem(Field::ClaimUnits, Problem::OutOfRange));
                        None
                    }
                    (Some(line), Some(u)) => {
                        let h = StudyHours(line.hours.0 * u);
                        if h > MAX_CLAIM_HOURS || h.0 <= 0 {
                            problems.push(problem(Field::ClaimUnits, Problem::OutOfRange));
                            None
                        } else {
                            Some((Some((line.id, u)), h))
                        }
                    }
                }
            }
        };
        if !self.pledge {
            problems.push(problem(Field::ClaimPledge, Problem::Required));
        }
        match (training, organiser, dates, mode, hours) {
            (
                Some(training),
                Some(organiser),
                Some((from, to)),
                Some(mode),
                Some((conversion, hours)),
            ) if problems.is_empty() => Ok(CheckedClaim {
                training,
                organiser,
                from,
                to,
                mode,
                conversion,
                hours,
            }),
            _ => Err(problems),
        }
    }
}

/// Whether and how far a tier counts hours earned elsewhere toward its yearly hours.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum Elsewhere {
    /// Only Night School's own sessions count.
    #[default]
    NotCounted,
    /// Up to this many hours a year.
    UpTo(StudyHours),
    /// All of them.
    All,
}

impl Elsewhere {
    /// The approved hours that count toward the tier's hours.
    pub fn credited(self, approved: StudyHours) -> StudyHours {
        match self {
            Elsewhere::NotCounted => StudyHours(0),
            Elsewhere::UpTo(cap) => StudyHours(approved.0.min(cap.0).max(0)),
            Elsewhere::All => StudyHours(approved.0.max(0)),
        }
    }

    /// What one more claim of `hours` would meet, when `claimed` (approved or waiting) are
    /// in already this year: refused when the tier counts none, or when it would go over the
    /// cap (with the hours still open).
    pub fn admits(self, claimed: StudyHours, hours: StudyHours) -> Result<(), ClaimRefusal> {
        match self {
            Elsewhere::NotCounted => Err(ClaimRefusal::NotCounted),
            Elsewhere::UpTo(cap) if claimed.0 + hours.0 > cap.0 => Err(ClaimRefusal::OverCap {
                left: StudyHours((cap.0 - claimed.0).max(0)),
            }),
            _ => Ok(()),
        }
    }
}

impl Elsewhere {
    /// As stored: the kind (`none`, `up_to`, `all`) and the cap in tenths.
    pub fn parts(self) -> (&'static str, i64) {
        match self {
            Elsewhere::NotCounted => ("none", 0),
            Elsewhere::UpTo(cap) => ("up_to", cap.0),
            Elsewhere::All => ("all", 0),
        }
    }

    /// From the stored parts; anything unknown counts nothing.
    pub fn from_parts(kind: &str, cap: i64) -> Elsewhere {
        match kind {
            "up_to" => Elsewhere::UpTo(StudyHours(cap.max(0))),
            "all" => Elsewhere::All,
            _ => Elsewhere::NotCounted,
        }
    }
}

/// Why a claim is not taken.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ClaimRefusal {
    /// The cadre's tier counts no hours earned elsewhere.
    NotCounted,
    /// The claim would pass the tier's yearly cap; `left` hours are still open.
    OverCap { left: StudyHours },
}

/// Where a claim stands.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ClaimState {
    Pending,
    Approved,
    Declined { reason: String },
}

/// The reason an organiser gives for declining: 2–200 characters.
pub fn decline_reason(raw: &str) -> Result<String, FieldProblem> {
    text_between(raw, 2, 200, Field::Reason)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn table() -> Vec<Conversion> {
        default_conversions()
            .into_iter()
            .enumerate()
            .map(|(i, (zh, en, hours))| Conversion {
                id: i as i64 + 1,
                name_zh: zh.into(),
                name_en: en.into(),
                hours,
                retired: false,
            })
            .collect()
    }

    #[test]
    fn conversion_lines_are_checked_whole() {
        let form = |zh: &str, en: &str, hours: &str| ConversionForm {
            name_zh: zh.into(),
            name_en: en.into(),
            hours: hours.into(),
            retired: false,
        };
        let ok = form("党校调训一天", "", "8").check(7).unwrap();
        assert_eq!(
            (ok.id, ok.name_en.as_str(), ok.hours),
            (7, "党校调训一天", StudyHours(80)),
            "the English name falls back to the Chinese one"
        );
        assert_eq!(
            form("半天", "Half a day", "0.5").check(0).unwrap().hours,
            StudyHours(5)
        );
        let cases: &[(ConversionForm, &[(Field, Problem)])] = &[
            (
                form("半天", "", "0.4"),
                &[(Field::ConversionHours, Problem::OutOfRange)],
            ),
            (
                form("半天", "", "40.1"),
                &[(Field::ConversionHours, Problem::OutOfRange)],
            ),
            (
                form("半天", "", "四"),
                &[(Field::ConversionHours, Problem::NotANumber)],
            ),
            (
                form("半天", "", "4.25"),
                &[(Field::ConversionHours, Problem::NotANumber)],
            ),
            (
                form("  ", "", ""),
                &[
                    (Field::ConversionName, Problem::Required),
                    (Field::ConversionHours, Problem::Required),
                ],
            ),
            (
                form(&"长".repeat(41), "", "4"),
                &[(Field::ConversionName, Problem::TooLong)],
            ),
        ];
        for (f, want) in cases {
            let got: Vec<_> = f
                .check(1)
                .unwrap_err()
                .into_iter()
                .map(|p| (p.field, p.problem))
                .collect();
            assert_eq!(&got, want, "{f:?}");
        }
    }

    fn form() -> ClaimForm {
        ClaimForm {
            training: "区委党校基层治理专题班".into(),
            organiser: "区委党校".into(),
            from: "2026-10-12".into(),
            to: "2026-10-13".into(),
            mode: "in_person".into(),
            conversion_id: "2".into(),
            units: "2".into(),
            hours: String::new(),
            pledge: true,
        }
    }

    #[test]
    fn claims_take_their_hours_from_the_table_or_as_typed() {
        let today = day("2026-12-04");
        let c = form().check(&table(), today).unwrap();
        assert_eq!((c.conversion, c.hours), (Some((2, 2)), StudyHours(160)));
        assert_eq!(c.mode, ClaimMode::InPerson);
        let typed = ClaimForm {
            conversion_id: String::new(),
            hours: "6.5".into(),
            mode: "online".into(),
            ..form()
        };
        let c = typed.check(&table(), today).unwrap();
        assert_eq!((c.conversion, c.hours), (None, StudyHours(65)));
    }

    #[test]
    fn bad_claims_name_every_problem() {
        let today = day("2026-12-04");
        let fields = |f: ClaimForm| -> Vec<(Field, Problem)> {
            f.check(&table(), today)
                .unwrap_err()
                .into_iter()
                .map(|p| (p.field, p.problem))
                .collect()
        };
        let cases: Vec<(ClaimForm, Vec<(Field, Problem)>)> = vec![
            (
                ClaimForm {
                    training: " ".into(),
                    pledge: false,
                    ..form()
                },
                vec![
                    (Field::ClaimTraining, Problem::Required),
                    (Field::ClaimPledge, Problem::Required),
                ],
            ),
            (
                ClaimForm {
                    from: "2026-10-14".into(),
                    ..form()
                },
                vec![(Field::ClaimDates, Problem::EndNotAfterStart)],
            ),
            (
                ClaimForm {
                    to: "2026-12-05".into(),
                    ..form()
                },
                vec![(Field::ClaimDates, Problem::OutOfRange)],
            ),
            (
                ClaimForm {
                    from: "12/10/2026".into(),
                    ..form()
                },
                vec![(Field::ClaimDates, Problem::NotADate)],
            ),
            (
                ClaimForm {
                    mode: "radio".into(),
                    ..form()
                },
                vec![(Field::ClaimMode, Problem::NotAllowed)],
            ),
            (
                ClaimForm {
                    conversion_id: "99".into(),
                    ..form()
                },
                vec![(Field::ClaimHours, Problem::NotAllowed)],
            ),
            (
                ClaimForm {
                    units: "0".into(),
                    ..form()
                },
                vec![(Field::ClaimUnits, Problem::OutOfRange)],
            ),
            (
                ClaimForm {
                    units: "两".into(),
                    ..form()
                },
                vec![(Field::ClaimUnits, Problem::NotANumber)],
            ),
            (
                ClaimForm {
                    conversion_id: String::new(),
                    hours: "0.2".into(),
                    ..form()
                },
                vec![(Field::ClaimHours, Problem::OutOfRange)],
            ),
            (
                ClaimForm {
                    conversion_id: String::new(),
                    hours: "201".into(),
                    ..form()
                },
                vec![(Field::ClaimHours, Problem::OutOfRange)],
            ),
            (
                ClaimForm {
                    conversion_id: String::new(),
                    ..form()
                },
                vec![(Field::ClaimHours, Problem::Required)],
            ),
        ];
        for (f, want) in cases {
            assert_eq!(fields(f.clone()), want, "{f:?}");
        }
    }

    #[test]
    fn tiers_count_hours_elsewhere_up_to_their_cap() {
        // (rule, approved, credited)
        let cases = [
            (Elsewhere::NotCounted, 120, 0),
            (Elsewhere::UpTo(StudyHours(100)), 60, 60),
            (Elsewhere::UpTo(StudyHours(100)), 160, 100),
            (Elsewhere::All, 160, 160),
        ];
        for (rule, approved, credited) in cases {
            assert_eq!(
                rule.credited(StudyHours(approved)),
                StudyHours(credited),
                "{rule:?}"
            );
        }
        let cap = Elsewhere::UpTo(StudyHours(100));
        assert_eq!(cap.admits(StudyHours(60), StudyHours(40)), Ok(()));
        assert_eq!(
            cap.admits(StudyHours(60), StudyHours(50)),
            Err(ClaimRefusal::OverCap {
                left: StudyHours(40)
            })
        );
        assert_eq!(
            Elsewhere::NotCounted.admits(StudyHours(0), StudyHours(10)),
            Err(ClaimRefusal::NotCounted)
        );
        assert_eq!(
            Elsewhere::All.admits(StudyHours(5000), StudyHours(10)),
            Ok(())
        );
        assert!(decline_reason("证书").is_ok());
        assert!(decline_reason("x").is_err());
    }
}
