//! A session as an organiser types it, checked field by field before anything is saved.
use chrono::{NaiveDate, NaiveTime};
use serde::{Deserialize, Serialize};

use super::audience::Audience;
use super::hours::{HoursRule, StudyHours};
use super::recurrence::{self, RecurrenceError, RepeatEnd, Slot, WeeklyRule};
use super::schedule::SessionFormat;

/// The form's fields, for putting a message next to the right one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Field {
    Title,
    Theme,
    Format,
    Date,
    Start,
    End,
    Lecturers,
    Audience,
    Capacity,
    Hours,
    Repeat,
    /// Why a session is cancelled.
    Reason,
    /// Minutes per study hour, on the settings page.
    HoursRule,
    /// A new theme's name, on the settings page.
    ThemeName,
    /// A subdistrict's, series' or community's name, on the organisation page.
    UnitName,
    /// The venue's networks, on the settings page.
    VenueNetworks,
    /// An attendance status chosen by an organiser.
    Status,
    /// A leave reason or make-up reflection.
    Reflection,
    /// Minutes before the start that check-in opens.
    CheckinOpens,
    /// Minutes after the start that arrivals are late.
    LateAfter,
    /// The leave cap, on the settings page.
    LeaveCap,
    /// The make-up share of hours, on the settings page.
    MakeUpShare,
    /// A report's date range.
    DateRange,
    /// The outlooks a reflection is tagged with.
    Outlooks,
    /// A session's material.
    Material,
    /// A comment on a reflection.
    Comment,
    /// A search query.
    Query,
    /// A tier's target head-count.
    TargetCount,
    /// A tier's yearly study hours.
    RequiredHours,
    /// A tier's minimum attendance rate.
    AttendanceRate,
    /// A tier's yearly accepted reflections.
    ReflectionCount,
    /// A tier's yearly teaching duty.
    Teaching,
    /// The share of the hours a late arrival earns.
    LateShare,
    /// The share of the hours lecturing earns.
    LecturingShare,
    /// The tier a cadre is moved to.
    Tier,
    /// A note on a tier change.
    Note,
    /// A claim's training, organiser, dates, mode, hours, units of a conversion line, and
    /// the pledge that it is true (外部学时申报).
    ClaimTraining,
    ClaimOrganiser,
    ClaimDates,
    ClaimMode,
    ClaimHours,
    ClaimUnits,
    ClaimPledge,
    /// How far a tier counts hours earned elsewhere.
    Elsewhere,
    /// A line of the conversion table: its names, and the hours one unit is worth.
    ConversionName,
    ConversionHours,
    /// The kind of leave, the community excused at once, and the leave rules' days.
    LeaveKind,
    ExcusedCommunity,
    LeaveAfterDays,
    DutyMakeUpDays,
    /// A correction's reason and lecturer, and the correction rules.
    CorrectionLecturer,
    CorrectionDays,
    CorrectionQuota,
    /// An evaluation card's levels (and an indicator's name), its wish, and the fewest
    /// answers before means are shown.
    Indicator,
    Wish,
    MinAnswers,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Problem {
    Required,
    TooLong,
    NotADate,
    NotATime,
    EndNotAfterStart,
    NotANumber,
    /// A chosen lecturer does not hold the lecturer role.
    NotALecturer,
    EmptyAudience,
    Recurrence(RecurrenceError),
    /// A number outside its allowed range.
    OutOfRange,
    /// Shorter than the least allowed.
    TooShort,
    /// A value that is not one of the choices offered.
    NotAllowed,
    /// Not a network address (`192.168.1.0/24`).
    NotANetwork,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldProblem {
    pub field: Field,
    pub problem: Problem,
}

/// A free text trimmed and checked to be `min..=max` characters long.
pub fn text_between(
    raw: &str,
    min: usize,
    max: usize,
    field: Field,
) -> Result<String, FieldProblem> {
    let text = raw.trim();
    let n = text.chars().count();
    let problem = if n == 0 {
        Problem::Required
    } else if n < min {
        Problem::TooShort
    } else if n > max {
        Problem::TooLong
    } else {
        return Ok(text.to_string());
    };
    Err(FieldProblem { field, problem })
}

/// The raw form, every value as typed.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionForm {
    /// The subdistrict to hold a new session (its id; empty: the first the organiser may;
    /// `district`: a district session, for organisers of the district).
    #[serde(default)]
    pub subdistrict_id: String,
    pub title: String,
    pub theme_id: String,
    pub format: String,
    pub date: String,
    pub start: String,
    pub end: String,
    pub ends_next_day: bool,
    pub place: String,
    pub lecturer_ids: Vec<i64>,
    /// Empty lists everywhere mean "everyone" only when `everyone` is set.
    pub everyone: bool,
    pub tier_ids: Vec<i64>,
    pub community_ids: Vec<i64>,
    pub person_ids: Vec<i64>,
    pub capacity: String,
    /// Empty: derived from the duration by the hours rule.
    pub hours: String,
    pub description_md: String,
    /// Weekdays (Monday = 0) for a weekly series; empty for a single session.
    pub repeat_weekdays: Vec<u8>,
    pub repeat_until: String,
    pub repeat_count: String,
}

/// A checked draft: the sessions to create share everything but their slot.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SessionDraft {
    pub title: String,
    pub theme_id: i64,
    pub format: SessionFormat,
    pub place: String,
    pub lecturer_ids: Vec<i64>,
    pub audience: Audience,
    pub capacity: Option<i64>,
    pub study_hours: StudyHours,
    pub hours_overridden: bool,
    pub description_md: String,
    pub slots: Vec<Slot>,
}

fn parse_date(raw: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(raw.trim(), "%Y-%m-%d").ok()
}

fn parse_time(raw: &str) -> Option<NaiveTime> {
    NaiveTime::parse_from_str(raw.trim(), "%H:%M").ok()
}

impl SessionForm {
    /// Checks every field; `is_lecturer` says whether a person holds the lecturer role.
    /// Returns every problem at once so the form can mark all of them.
    pub fn check(
        &self,
        rule: HoursRule,
        is_lecturer: impl Fn(i64) -> bool,
    ) -> Result<SessionDraft, Vec<FieldProblem>> {
        let mut problems = Vec::new();
        let mut fail = |field, problem| problems.push(FieldProblem { field, problem });
        let title = self.title.trim().to_string();
        if title.is_empty() {
            fail(Field::Title, Problem::Required);
        } else if title.chars().count() > 120 {
            fail(Field::Title, Problem::TooLong);
        }
        let theme_id = self.theme_id.trim().parse::<i64>().ok();
        if theme_id.is_none() {
            fail(Field::Theme, Problem::Required);
        }
        let format = SessionFormat::parse(self.format.trim());
        if format.is_none() {
            fail(Field::Format, Problem::Required);
        }
        let date = parse_date(&self.date);
        if date.is_none() {
            fail(Field::Date, Problem::NotADate);
        }
        let (start, end) = (parse_time(&self.start), parse_time(&self.end));
        if start.is_none() {
            fail(Field::Start, Problem::NotATime);
        }
        if end.is_none() {
            fail(Field::End, Problem::NotATime);
        }
        let length = match (start, end) {
            (Some(s), Some(e)) => match recurrence::slot_length(s, e, self.ends_next_day) {
                Ok(secs) => Some(secs),
                Err(_) => {
                    fail(Field::End, Problem::EndNotAfterStart);
                    None
                }
            },
            _ => None,
        };
        if self.lecturer_ids.is_empty() {
            fail(Field::Lecturers, Problem::Required);
        } else if self.lecturer_ids.iter().any(|id| !is_lecturer(*id)) {
            fail(Field::Lecturers, Problem::NotALecturer);
        }
        let audience = if self.everyone {
            Some(Audience::Everyone)
        } else {
            let chosen = Audience::chosen(
                self.tier_ids.clone(),
                self.community_ids.clone(),
                self.person_ids.clone(),
            );
            if chosen.is_err() {
                fail(Field::Audience, Problem::EmptyAudience);
            }
            chosen.ok()
        };
        let capacity = match self.capacity.trim() {
            "" => Some(None),
            raw => raw.parse::<i64>().ok().filter(|n| *n > 0).map(Some),
        };
        if capacity.is_none() {
            fail(Field::Capacity, Problem::NotANumber);
        }
        let typed_hours = match self.hours.trim() {
            "" => Some(None),
            raw => StudyHours::parse(raw).map(Some),
        };
        if typed_hours.is_none() {
            fail(Field::Hours, Problem::NotANumber);
        }
        let slots = match (date, start, end, length) {
            (Some(d), Some(s), Some(e), Some(_)) => self.slots(d, s, e, &mut fail),
            _ => None,
        };
        match (
            theme_id,
            format,
            audience,
            capacity,
            typed_hours,
            length,
            slots,
        ) {
            (
                Some(theme_id),
                Some(format),
                Some(audience),
                Some(capacity),
                Some(typed),
                Some(secs),
                Some(slots),
            ) if problems.is_empty() => Ok(SessionDraft {
                title,
                theme_id,
                format,
                place: self.place.trim().to_string(),
                lecturer_ids: self.lecturer_ids.clone(),
                audience,
                capacity,
                study_hours: typed.unwrap_or_else(|| rule.hours_for(secs / 60)),
                hours_overridden: typed.is_some(),
                description_md: self.description_md.clone(),
                slots,
            }),
            _ => Err(problems),
        }
    }

    fn slots(
        &self,
        date: NaiveDate,
        start: NaiveTime,
        end: NaiveTime,
        fail: &mut impl FnMut(Field, Problem),
    ) -> Option<Vec<Slot>> {
        let rule = if self.repeat_weekdays.is_empty() {
            // A single session is a weekly rule on its own weekday, once.
            use chrono::Datelike;
            WeeklyRule {
                weekdays: vec![date.weekday().num_days_from_monday() as u8],
                end: RepeatEnd::Count(1),
            }
        } else {
            let end = match (
                parse_date(&self.repeat_until),
                self.repeat_count.trim().parse::<u32>(),
            ) {
                (Some(until), _) => RepeatEnd::Until(until),
                (None, Ok(n)) => RepeatEnd::Count(n),
                (None, Err(_)) => {
                    fail(Field::Repeat, Problem::Required);
                    return None;
                }
            };
            WeeklyRule {
                weekdays: self.repeat_weekdays.clone(),
                end,
            }
        };
        match recurrence::expand(date, start, end, self.ends_next_day, &rule) {
            Ok(slots) => Some(slots),
            Err(e) => {
                fail(Field::Repeat, Problem::Recurrence(e));
                None
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form() -> SessionForm {
        SessionForm {
            title: "信访维稳专题（三）".into(),
            theme_id: "1".into(),
            format: "lecture".into(),
            date: "2026-12-10".into(),
            start: "19:00".into(),
            end: "21:00".into(),
            place: "三楼会议室".into(),
            lecturer_ids: vec![5],
            everyone: true,
            ..Default::default()
        }
    }

    fn problems(f: &SessionForm) -> Vec<(Field, Problem)> {
        match f.check(HoursRule::default(), |id| id == 5) {
            Ok(_) => vec![],
            Err(p) => p.into_iter().map(|p| (p.field, p.problem)).collect(),
        }
    }

    #[test]
    fn a_good_form_becomes_one_session_with_default_hours() {
        let draft = form().check(HoursRule::default(), |id| id == 5).unwrap();
        assert_eq!(draft.slots.len(), 1);
        assert_eq!(draft.slots[0].0.hh_mm(), "19:00");
        assert_eq!(draft.study_hours, StudyHours(25));
        assert!(!draft.hours_overridden);
        assert_eq!(draft.audience, Audience::Everyone);
        let typed = SessionForm {
            hours: "3".into(),
            capacity: "60".into(),
            ..form()
        };
        let draft = typed.check(HoursRule::default(), |_| true).unwrap();
        assert_eq!(
            (draft.study_hours, draft.hours_overridden, draft.capacity),
            (StudyHours(30), true, Some(60))
        );
    }

    #[test]
    fn weekly_series_expand() {
        // 2026-12-10 is a Thursday: Tuesdays and Thursdays, four times.
        let f = SessionForm {
            repeat_weekdays: vec![1, 3],
            repeat_count: "4".into(),
            ..form()
        };
        let draft = f.check(HoursRule::default(), |_| true).unwrap();
        assert_eq!(draft.slots.len(), 4);
    }

    #[test]
    fn bad_input_is_reported_per_field() {
        use Field::*;
        use Problem::*;
        let cases: Vec<(SessionForm, Vec<(Field, Problem)>)> = vec![
            (
                SessionForm {
                    title: "  ".into(),
                    ..form()
                },
                vec![(Title, Required)],
            ),
            (
                SessionForm {
                    end: "18:00".into(),
                    ..form()
                },
                vec![(End, EndNotAfterStart)],
            ),
            (
                SessionForm {
                    end: "00:30".into(),
                    ends_next_day: true,
                    ..form()
                },
                vec![],
            ),
            (
                SessionForm {
                    date: "12/10/2026".into(),
                    ..form()
                },
                vec![(Date, NotADate)],
            ),
            (
                SessionForm {
                    start: "7pm".into(),
                    ..form()
                },
                vec![(Start, NotATime)],
            ),
            (
                SessionForm {
                    lecturer_ids: vec![],
                    ..form()
                },
                vec![(Lecturers, Required)],
            ),
            (
                SessionForm {
                    lecturer_ids: vec![5, 6],
                    ..form()
                },
                vec![(Lecturers, NotALecturer)],
            ),
            (
                SessionForm {
                    everyone: false,
                    ..form()
                },
                vec![(Audience, EmptyAudience)],
            ),
            (
                SessionForm {
                    everyone: false,
                    tier_ids: vec![2],
                    ..form()
                },
                vec![],
            ),
            (
                SessionForm {
                    capacity: "-3".into(),
                    ..form()
                },
                vec![(Capacity, NotANumber)],
            ),
            (
                SessionForm {
                    hours: "2.25".into(),
                    ..form()
                },
                vec![(Hours, NotANumber)],
            ),
            (
                SessionForm {
                    format: "party".into(),
                    theme_id: "".into(),
                    ..form()
                },
                vec![(Theme, Required), (Format, Required)],
            ),
            (
                SessionForm {
                    repeat_weekdays: vec![1],
                    ..form()
                },
                vec![(Repeat, Required)],
            ),
            (
                SessionForm {
                    repeat_weekdays: vec![1],
                    repeat_until: "2026-12-01".into(),
                    ..form()
                },
                vec![(Repeat, Recurrence(RecurrenceError::Empty))],
            ),
        ];
        for (f, want) in cases {
            assert_eq!(problems(&f), want, "{f:?}");
        }
    }
}
