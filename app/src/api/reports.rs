//! Attendance reports: rates per community and per session over a date range, and one
//! cadre's history with the hours earned. The same numbers download as CSV and XLSX
//! (`ssr/exports.rs`).
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::domain::Timestamp;
use crate::domain::hours::StudyHours;
use crate::domain::report::{CountRow, DateRange};
use crate::domain::schedule::AttendanceStatus;
use crate::error::AppError;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ReportData {
    pub range: DateRange,
    pub communities: Vec<CountRow>,
    pub sessions: Vec<CountRow>,
}

/// One finished session in a cadre's history.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct HistoryLine {
    pub session_id: i64,
    pub title: String,
    pub starts_at: Timestamp,
    pub study_hours: StudyHours,
    pub status: AttendanceStatus,
    pub walk_in: bool,
    pub earned: StudyHours,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct History {
    pub person_id: i64,
    pub name: String,
    pub range: DateRange,
    pub lines: Vec<HistoryLine>,
    pub earned: StudyHours,
}

#[cfg(feature = "ssr")]
pub(crate) fn range_or_error(from: &str, to: &str) -> Result<DateRange, AppError> {
    use crate::domain::session_draft::{Field, Problem};
    DateRange::parse(from, to, Timestamp::now().local_date())
        .ok_or_else(|| AppError::field(Field::DateRange, Problem::NotADate))
}

/// Rates per community and per session for finished sessions in `[from, to]` (organisers).
#[server(endpoint = "report_attendance")]
pub async fn attendance_report(from: String, to: String) -> Result<ReportData, AppError> {
    use crate::ssr::access::organiser;
    use crate::ssr::guard::{finish, state};
    finish(
        async {
            let organiser = organiser()?;
            let range = range_or_error(&from, &to)?;
            let (a, b) = range.bounds().ok_or(AppError::Internal)?;
            let st = state()?;
            let (communities, sessions) = st
                .reports
                .counts(st.repo.as_ref(), a, b, Timestamp::now(), organiser.people())
                .await?;
            Ok(ReportData {
                range,
                communities,
                sessions,
            })
        }
        .await,
    )
}

/// A cadre's finished sessions in `[from, to]` with status and hours earned. Cadres see
/// their own (`person_id` empty); organisers anyone's.
#[server(endpoint = "report_history")]
pub async fn attendance_history(
    person_id: Option<i64>,
    from: String,
    to: String,
) -> Result<History, AppError> {
    use crate::domain::attendance::earned_hours;
    use crate::domain::report::earned_total;
    use crate::ssr::guard::{caller, finish, state};
    finish(
        async {
            let user = caller()?;
            let repo = state()?.repo;
            let person_id = match person_id {
                Some(id) if id != user.account.person_id => {
                    crate::ssr::access::organiser()
                        .map_err(|_| AppError::NotFound)?
                        .person(repo.as_ref(), id)
                        .await?;
                    id
                }
                _ => user.account.person_id,
            };
            let range = range_or_error(&from, &to)?;
            let (a, b) = range.bounds().ok_or(AppError::Internal)?;
            let name = repo
                .people_names(&[person_id])
                .await?
                .pop()
                .map(|(_, n)| n)
                .ok_or(AppError::NotFound)?;
            let place = repo.person_place(person_id).await?.unwrap_or_default();
            let share = crate::ssr::rules::make_up_share(repo.as_ref(), place.subdistrict).await?;
            let facts = repo
                .facts(a, b, Timestamp::now(), Some(person_id), None)
                .await?;
            let earned = earned_total(&facts, share);
            let mut lines: Vec<HistoryLine> = facts
                .into_iter()
                .map(|f| {
                    let status = f.final_status();
                    HistoryLine {
                        earned: earned_hours(status, f.study_hours, share),
                        session_id: f.session_id,
                        title: f.title,
                        starts_at: f.starts_at,
                        study_hours: f.study_hours,
                        status,
                        walk_in: f.walk_in,
                    }
                })
                .collect();
            lines.reverse();
            Ok(History {
                person_id,
                name,
                range,
                lines,
                earned,
            })
        }
        .await,
    )
}
