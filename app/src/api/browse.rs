//! Reading the programme: the session page, filtered lists and week/month calendars. Every
//! signed-in person may call these; what they get is limited to the sessions they may see.
use chrono::NaiveDate;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::api::schedule::{Choice, PlannerChoices};
use crate::domain::calendar::CalendarSpan;
use crate::domain::listing::SessionFilter;
use crate::domain::schedule::SessionSummary;
use crate::error::AppError;

/// Who a session is for, named.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AudienceNames {
    pub everyone: bool,
    pub tiers: Vec<Choice>,
    pub communities: Vec<Choice>,
    pub people: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SessionView {
    pub session: SessionSummary,
    pub series: String,
    /// The description rendered from Markdown and sanitised on the server.
    pub description_html: String,
    pub audience: AudienceNames,
    pub capacity: Option<i64>,
    pub hours_overridden: bool,
    pub cancel_reason: Option<String>,
    /// Shown to organisers only.
    pub clash_override_reason: Option<String>,
    /// Whether the caller may edit, duplicate and cancel it.
    pub may_edit: bool,
    pub in_series: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SessionList {
    pub sessions: Vec<SessionSummary>,
    pub more: bool,
    /// What the filters offer.
    pub choices: PlannerChoices,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CalendarData {
    pub span: CalendarSpan,
    pub today: NaiveDate,
    pub sessions: Vec<SessionSummary>,
}

/// At most this many sessions fill one calendar view.
#[cfg(feature = "ssr")]
const CALENDAR_LIMIT: usize = 400;

#[server(endpoint = "open_session")]
pub async fn open_session(id: i64) -> Result<SessionView, AppError> {
    use crate::domain::audience::Audience;
    use crate::ssr::guard::{caller, finish, state};
    use crate::ssr::markdown;
    finish(
        async {
            let me = caller()?;
            let repo = state()?.repo;
            // Refuses a session the caller may not see; says whether they organise it.
            let organiser = crate::ssr::access::stance(&me, repo.as_ref(), id)
                .await?
                .organiser;
            let detail = repo.session_detail(id).await?.ok_or(AppError::NotFound)?;
            let audience = match &detail.audience {
                Audience::Everyone => AudienceNames {
                    everyone: true,
                    tiers: Vec::new(),
                    communities: Vec::new(),
                    people: Vec::new(),
                },
                Audience::Chosen {
                    tiers,
                    communities,
                    people,
                } => AudienceNames {
                    everyone: false,
                    tiers: repo
                        .tiers()
                        .await?
                        .into_iter()
                        .filter(|t| tiers.contains(&t.id))
                        .map(|t| Choice::new(t.id, t.name_zh, t.name_en))
                        .collect(),
                    communities: repo
                        .communities()
                        .await?
                        .into_iter()
                        .filter(|c| communities.contains(&c.id))
                        .map(|c| Choice::new(c.id, c.name.clone(), c.name))
                        .collect(),
                    // Cadres see how many people were named, not who.
                    people: if organiser {
                        repo.people_names(people)
                            .await?
                            .into_iter()
                            .map(|(_, n)| n)
                            .collect()
                    } else {
                        Vec::new()
                    },
                },
            };
            Ok(SessionView {
                description_html: markdown::render(&detail.description_md),
                session: detail.summary,
                series: detail.series,
                audience,
                capacity: detail.capacity,
                hours_overridden: detail.hours_overridden,
                cancel_reason: detail.cancel_reason,
                clash_override_reason: detail.clash_override_reason.filter(|_| organiser),
                may_edit: organiser,
                in_series: detail.repeat_group.is_some(),
            })
        }
        .await,
    )
}

/// One page of the caller's sessions, filtered.
#[server(endpoint = "list_sessions", input = server_fn::codec::Json)]
pub async fn list_sessions(filter: SessionFilter) -> Result<SessionList, AppError> {
    use crate::domain::Timestamp;
    use crate::ssr::access::scope_of;
    use crate::ssr::guard::{caller, finish, state};
    finish(
        async {
            let me = caller()?;
            let repo = state()?.repo;
            let scope = scope_of(&me)?;
            let within = crate::ssr::access::subdistricts_of(&scope);
            let page = repo.find_sessions(scope, &filter, Timestamp::now()).await?;
            Ok(SessionList {
                sessions: page.sessions,
                more: page.more,
                choices: crate::api::schedule::choices(repo.as_ref(), within.as_deref()).await?,
            })
        }
        .await,
    )
}

/// The caller's sessions in a week or a month around `date` (`YYYY-MM-DD`; empty: today).
#[server(endpoint = "calendar_sessions")]
pub async fn calendar_sessions(view: String, date: String) -> Result<CalendarData, AppError> {
    use crate::domain::Timestamp;
    use crate::domain::calendar::{CalendarView, parse_anchor};
    use crate::ssr::access::scope_of;
    use crate::ssr::guard::{caller, finish, state};
    finish(
        async {
            let me = caller()?;
            let repo = state()?.repo;
            let scope = scope_of(&me)?;
            let today = Timestamp::now().local_date();
            let span = CalendarSpan::new(CalendarView::parse(&view), parse_anchor(&date, today));
            let from = Timestamp::from_local(span.first, 0, 0).ok_or(AppError::NotFound)?;
            let to = Timestamp::from_local(span.end, 0, 0).ok_or(AppError::NotFound)?;
            let sessions = repo.sessions_in(scope, from, to, CALENDAR_LIMIT).await?;
            Ok(CalendarData {
                span,
                today,
                sessions,
            })
        }
        .await,
    )
}
