//! The tier requirements form: what an organiser types, checked into a head-count target
//! and [`Requirements`].
use serde::{Deserialize, Serialize};

use super::claims::Elsewhere;
use super::hours::StudyHours;
use super::progress::Requirements;
use super::session_draft::{Field, FieldProblem, Problem};

/// The form as typed.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TierForm {
    pub tier_id: i64,
    pub target_count: String,
    pub hours: String,
    pub attendance_percent: String,
    pub reflections: String,
    pub teaching: String,
    /// Unchecked boxes send nothing: no themes at all is an empty list.
    #[serde(default)]
    pub themes: Vec<i64>,
    /// Hours earned elsewhere: `none`, `up_to` (with `elsewhere_cap`) or `all`.
    #[serde(default)]
    pub elsewhere: String,
    #[serde(default)]
    pub elsewhere_cap: String,
}

/// A whole number in `range`, or the field's problem.
fn count(
    raw: &str,
    range: std::ops::RangeInclusive<i64>,
    field: Field,
) -> Result<i64, FieldProblem> {
    let raw = raw.trim();
    let problem = |problem| FieldProblem { field, problem };
    if raw.is_empty() {
        return Ok(0);
    }
    let n: i64 = raw.parse().map_err(|_| problem(Problem::NotANumber))?;
    if range.contains(&n) {
        Ok(n)
    } else {
        Err(problem(Problem::OutOfRange))
    }
}

/// Yearly hours in tenths: empty is none, at most [`Requirements::MAX_HOURS`].
fn yearly_hours(raw: &str) -> Result<i64, FieldProblem> {
    let problem = |problem| FieldProblem {
        field: Field::RequiredHours,
        problem,
    };
    if raw.trim().is_empty() {
        return Ok(0);
    }
    match StudyHours::parse_up_to(raw, 100_000) {
        Some(h) if h <= Requirements::MAX_HOURS => Ok(h.0),
        Some(_) => Err(problem(Problem::OutOfRange)),
        None => Err(problem(Problem::NotANumber)),
    }
}

impl TierForm {
    /// Checks every field; an empty number means "asks nothing". All problems at once.
    pub fn check(&self) -> Result<(i64, Requirements), Vec<FieldProblem>> {
        let mut problems = Vec::new();
        let mut keep = |r: Result<i64, FieldProblem>| {
            r.unwrap_or_else(|p| {
                problems.push(p);
                0
            })
        };
        let target = keep(count(&self.target_count, 0..=100_000, Field::TargetCount));
        let hours = StudyHours(keep(yearly_hours(&self.hours)));
        let rate = keep(count(
            &self.attendance_percent.replace(['%', '％'], ""),
            0..=100,
            Field::AttendanceRate,
        ));
        let reflections = keep(count(
            &self.reflections,
            0..=Requirements::MAX_COUNT,
            Field::ReflectionCount,
        ));
        let teaching = keep(count(
            &self.teaching,
            0..=Requirements::MAX_COUNT,
            Field::Teaching,
        ));
        let elsewhere = match (self.elsewhere.trim(), self.elsewhere_cap.trim()) {
            ("" | "none", _) => Elsewhere::NotCounted,
            ("all", _) => Elsewhere::All,
            ("up_to", cap) => match StudyHours::parse_up_to(cap, 100_000) {
                Some(cap) if cap <= crate::domain::claims::MAX_CLAIM_HOURS => Elsewhere::UpTo(cap),
                _ => {
                    problems.push(FieldProblem {
                        field: Field::Elsewhere,
                        problem: Problem::OutOfRange,
                    });
                    Elsewhere::NotCounted
                }
            },
            _ => {
                problems.push(FieldProblem {
                    field: Field::Elsewhere,
                    problem: Problem::NotAllowed,
                });
                Elsewhere::NotCounted
            }
        };
        let mut themes = self.themes.clone();
        themes.sort_unstable();
        themes.dedup();
        if problems.is_empty() {
            Ok((
                target,
                Requirements {
                    hours,
                    themes,
                    min_attendance_percent: rate,
                    reflections,
                    teaching,
                    elsewhere,
                },
            ))
        } else {
            Err(problems)
        }
    }

    /// The form showing what is saved.
    pub fn of(tier_id: i64, target: i64, req: &Requirements) -> TierForm {
        let shown = |n: i64| if n == 0 { String::new() } else { n.to_string() };
        TierForm {
            tier_id,
            target_count: target.to_string(),
            hours: if req.hours.0 == 0 {
                String::new()
            } else {
                req.hours.display()
            },
            attendance_percent: shown(req.min_attendance_percent),
            reflections: shown(req.reflections),
            teaching: shown(req.teaching),
            themes: req.themes.clone(),
            elsewhere: req.elsewhere.parts().0.to_string(),
            elsewhere_cap: match req.elsewhere {
                Elsewhere::UpTo(cap) => cap.display(),
                _ => String::new(),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(target: &str, hours: &str, rate: &str, reflections: &str, teaching: &str) -> TierForm {
        TierForm {
            tier_id: 1,
            target_count: target.into(),
            hours: hours.into(),
            attendance_percent: rate.into(),
            reflections: reflections.into(),
            teaching: teaching.into(),
            themes: vec![3, 1, 3],
            ..TierForm::default()
        }
    }

    #[test]
    fn forms_become_requirements_or_name_every_problem() {
        let (target, req) = form("5", "24.5", "85%", "4", "").check().unwrap();
        assert_eq!(target, 5);
        assert_eq!(req.hours, StudyHours(245));
        assert_eq!(req.min_attendance_percent, 85);
        assert_eq!((req.reflections, req.teaching), (4, 0));
        assert_eq!(req.themes, vec![1, 3]);
        let round = TierForm::of(1, target, &req);
        assert_eq!(round.check().unwrap().1, req);

        // (case, form, fields with a problem)
        let cases = [
            ("nothing asked", form("0", "", "", "", ""), vec![]),
            (
                "letters",
                form("五", "x", "85", "4", "1"),
                vec![Field::TargetCount, Field::RequiredHours],
            ),
            (
                "out of range",
                form("-1", "201", "101", "101", "-2"),
                vec![
                    Field::TargetCount,
                    Field::RequiredHours,
                    Field::AttendanceRate,
                    Field::ReflectionCount,
                    Field::Teaching,
                ],
            ),
            (
                "hundredths",
                form("5", "1.25", "", "", ""),
                vec![Field::RequiredHours],
            ),
        ];
        for (case, f, fields) in cases {
            let got: Vec<Field> = f
                .check()
                .err()
                .unwrap_or_default()
                .into_iter()
                .map(|p| p.field)
                .collect();
            assert_eq!(got, fields, "{case}");
        }
    }

    #[test]
    fn hours_elsewhere_count_not_at_all_up_to_a_cap_or_all() {
        let with = |kind: &str, cap: &str| TierForm {
            elsewhere: kind.into(),
            elsewhere_cap: cap.into(),
            ..form("5", "24", "", "", "")
        };
        let rule = |f: TierForm| f.check().map(|(_, r)| r.elsewhere);
        assert_eq!(rule(with("", "")), Ok(Elsewhere::NotCounted));
        assert_eq!(rule(with("none", "9")), Ok(Elsewhere::NotCounted));
        assert_eq!(rule(with("all", "")), Ok(Elsewhere::All));
        assert_eq!(
            rule(with("up_to", "12.5")),
            Ok(Elsewhere::UpTo(StudyHours(125)))
        );
        for (kind, cap) in [
            ("up_to", ""),
            ("up_to", "201"),
            ("up_to", "x"),
            ("some", ""),
        ] {
            let problems = with(kind, cap).check().unwrap_err();
            assert_eq!(problems[0].field, Field::Elsewhere, "{kind} {cap}");
        }
        // What is saved shows again as it was typed.
        let (_, req) = with("up_to", "12.5").check().unwrap();
        let shown = TierForm::of(1, 5, &req);
        assert_eq!(
            (shown.elsewhere.as_str(), shown.elsewhere_cap.as_str()),
            ("up_to", "12.5")
        );
    }
}
