use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::domain::schedule::{AttendanceCounts, SessionSummary};
use crate::error::AppError;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LecturerOverview {
    /// The next sessions, earliest first, at most [`UPCOMING_LIMIT`].
    pub upcoming: Vec<SessionSummary>,
    pub upcoming_total: i64,
    /// The latest sessions given, latest first, at most [`UPCOMING_LIMIT`].
    pub past: Vec<SessionSummary>,
    pub past_total: i64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SessionAttendance {
    pub session: SessionSummary,
    pub counts: AttendanceCounts,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OrganiserDesk {
    /// Sessions starting today (Asia/Shanghai) with their attendance so far.
    pub today: Vec<SessionAttendance>,
    /// The most recent finished session, when none runs today.
    pub latest: Option<SessionAttendance>,
    pub upcoming: Vec<SessionSummary>,
    /// The organiser may hold sessions (of a whole subdistrict or more).
    pub schedules: bool,
}

/// How many upcoming sessions a home page lists.
pub const UPCOMING_LIMIT: usize = 10;
#[cfg(feature = "ssr")]
const YEAR_SECS: i64 = 366 * 24 * 3600;

/// The upcoming sessions whose audience includes the cadre.
#[server(endpoint = "my_upcoming_sessions")]
pub async fn my_upcoming_sessions() -> Result<Vec<SessionSummary>, AppError> {
    use crate::domain::Timestamp;
    use crate::domain::listing::SessionFilter;
    use crate::domain::policy::Action;
    use crate::ssr::db::Scope;
    use crate::ssr::guard::{authorize, finish, state};
    finish(
        async {
            let me = authorize(Action::ViewOwnTimetable)?;
            let repo = state()?.repo;
            let Some(member) = me.member else {
                return Ok(Vec::new());
            };
            // Sessions stay listed until they end: the cadre needs today's at the door.
            let scope = Scope::Person {
                member,
                audience: true,
                lectures: false,
                organiser: None,
            };
            let page = repo
                .find_sessions(scope, &SessionFilter::default(), Timestamp::now())
                .await?;
            Ok(page.sessions.into_iter().take(UPCOMING_LIMIT).collect())
        }
        .await,
    )
}

#[server(endpoint = "my_lectures")]
pub async fn my_lectures() -> Result<LecturerOverview, AppError> {
    use crate::domain::Timestamp;
    use crate::domain::policy::Action;
    use crate::ssr::guard::{authorize, finish, state};
    finish(
        async {
            let me = authorize(Action::ViewOwnLectures)?;
            let lectures = state()?
                .repo
                .lectures_of(
                    me.account.person_id,
                    Timestamp::now(),
                    UPCOMING_LIMIT as i64,
                )
                .await?;
            Ok(LecturerOverview {
                upcoming: lectures.upcoming,
                upcoming_total: lectures.upcoming_total,
                past: lectures.past,
                past_total: lectures.past_total,
            })
        }
        .await,
    )
}

#[server(endpoint = "organiser_overview")]
pub async fn organiser_overview() -> Result<OrganiserDesk, AppError> {
    use crate::domain::Timestamp;
    use crate::domain::listing::{SessionFilter, When};
    use crate::ssr::access::scope_of;
    use crate::ssr::guard::{finish, state};
    finish(
        async {
            let organiser = crate::ssr::access::organiser()?;
            let repo = state()?.repo;
            // The sessions the organiser's grants reach (all of them for the whole install).
            let scope = scope_of(organiser.user())?;
            let now = Timestamp::now();
            let (day_start, day_end) = now.local_day_bounds();
            let today = repo
                .sessions_in(scope.clone(), day_start, day_end, 20)
                .await?;
            let past = SessionFilter {
                when: When::Past,
                ..SessionFilter::default()
            };
            let latest = repo
                .find_sessions(scope.clone(), &past, now)
                .await?
                .sessions
                .into_iter()
                .find(|s| !s.cancelled && s.starts_at.0 < day_start.0);
            let mut ids: Vec<i64> = today.iter().map(|s| s.id).collect();
            ids.extend(latest.iter().map(|s| s.id));
            let st = state()?;
            let mut counts = Vec::with_capacity(ids.len());
            for id in ids {
                let total = st
                    .sheets
                    .totals(repo.as_ref(), &st.reference, id, organiser.people())
                    .await?;
                counts.push((id, total));
            }
            let with_counts = |session: SessionSummary| {
                let counts = counts
                    .iter()
                    .find(|(id, _)| *id == session.id)
                    .map(|(_, c)| *c)
                    .unwrap_or_default();
                SessionAttendance { session, counts }
            };
            let upcoming = repo
                .sessions_in(scope, day_end, Timestamp(now.0 + YEAR_SECS), UPCOMING_LIMIT)
                .await?;
            Ok(OrganiserDesk {
                today: today.into_iter().map(with_counts).collect(),
                latest: latest.map(with_counts),
                upcoming,
                schedules: organiser.holds(repo.as_ref()).await.is_ok(),
            })
        }
        .await,
    )
}
