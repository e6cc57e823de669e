//! Review after the lecture: marking a material read, reflections (心得体会) and comments,
//! a cadre's past sessions, and search.
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::api::materials::ReflectionView;
use crate::domain::Timestamp;
use crate::domain::schedule::{AttendanceStatus, SessionSummary};
use crate::domain::search::{HitKind, Piece};
use crate::error::AppError;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ReflectionsData {
    pub session_id: i64,
    pub title: String,
    pub entries: Vec<ReflectionView>,
}

/// One past session on a cadre's review page.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ReviewItem {
    pub session: SessionSummary,
    pub status: Option<AttendanceStatus>,
    pub material: bool,
    pub read: bool,
    pub reflected: bool,
    pub accepted: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ReviewData {
    pub items: Vec<ReviewItem>,
    pub more: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Hit {
    pub kind: HitKind,
    pub session_id: i64,
    pub title: Vec<Piece>,
    pub snippet: Vec<Piece>,
    pub starts_at: Timestamp,
    /// The reflection's author.
    pub author: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SearchData {
    pub query: String,
    pub hits: Vec<Hit>,
    /// More matched than are shown.
    pub more: bool,
}

/// How many hits a search shows.
pub const SEARCH_LIMIT: usize = 50;
/// Characters of context around a match.
pub const SNIPPET_CHARS: usize = 120;

/// A cadre in the session's audience marks its material read.
#[server(endpoint = "material_read")]
pub async fn mark_read(session_id: i64) -> Result<(), AppError> {
    use crate::domain::policy::Action;
    use crate::ssr::guard::{authorize, finish, state};
    finish(
        async {
            let user = authorize(Action::AttendAsCadre)?;
            let repo = state()?.repo;
            let person = user.account.person_id;
            match repo.door_for(session_id, person).await? {
                Some((_, true)) => {}
                _ => return Err(AppError::NotFound),
            }
            repo.mark_read(session_id, person, Timestamp::now()).await?;
            Ok(())
        }
        .await,
    )
}

/// A cadre in the audience writes (or rewrites) their reflection. When they missed the
/// finished session this is their make-up: it needs the material read first and goes to the
/// organisers' queue; accepting it makes the session made up.
#[server(endpoint = "reflection_save")]
pub async fn save_reflection(
    session_id: i64,
    body: String,
    thinking: Option<String>,
    work: Option<String>,
    ability: Option<String>,
) -> Result<(), AppError> {
    use crate::domain::attendance::Decision;
    use crate::domain::materials::{Outlook, Outlooks, Reflection, may_reflect};
    use crate::domain::policy::Action;
    use crate::error::Conflict;
    use crate::ssr::db::{RepoError, RequestKind};
    use crate::ssr::guard::{authorize, finish, state};
    finish(
        async {
            let user = authorize(Action::AttendAsCadre)?;
            let repo = state()?.repo;
            let person = user.account.person_id;
            let Some((door, true)) = repo.door_for(session_id, person).await? else {
                return Err(AppError::NotFound);
            };
            let ticked = [
                (Outlook::Thinking, thinking),
                (Outlook::Work, work),
                (Outlook::Ability, ability),
            ];
            let outlooks = Outlooks::new(
                ticked
                    .into_iter()
                    .filter(|(_, v)| v.is_some())
                    .map(|(o, _)| o),
            );
            let reflection = Reflection::parse(&body, Some(outlooks)).map_err(AppError::Form)?;
            if door.cancelled {
                return Err(AppError::Conflict(Conflict::SessionCancelled));
            }
            let now = Timestamp::now();
            let existing = repo.reflection_of(session_id, person).await?;
            let request = repo
                .request_of(RequestKind::MakeUp, session_id, person)
                .await?;
            let locked = existing.as_ref().is_some_and(|r| r.accepted_at.is_some())
                || request
                    .as_ref()
                    .is_some_and(|r| r.decision == Decision::Pending);
            if !may_reflect(now, door.starts_at, locked) {
                return Err(AppError::Conflict(Conflict::ReflectionClosed));
            }
            let status = repo.attendance_of(session_id, person).await?.map(|r| r.0);
            let make_up = request.is_none()
                && crate::ssr::leave::may_make_up(
                    repo.as_ref(),
                    person,
                    status,
                    door.ends_at,
                    session_id,
                    now,
                )
                .await?;
            if make_up && repo.read_at(session_id, person).await?.is_none() {
                return Err(AppError::Conflict(Conflict::ReadFirst));
            }
            if !repo
                .save_reflection(
                    session_id,
                    person,
                    &reflection.text,
                    reflection.outlooks,
                    now,
                )
                .await?
            {
                return Err(AppError::Conflict(Conflict::ReflectionClosed));
            }
            if make_up {
                match repo
                    .create_request(
                        RequestKind::MakeUp,
                        session_id,
                        person,
                        &reflection.text,
                        now,
                    )
                    .await
                {
                    Ok(_) | Err(RepoError::Conflict) => {}
                    Err(e) => return Err(e.into()),
                }
            }
            Ok(())
        }
        .await,
    )
}

/// The session's reflections with their comments: its lecturers and organisers.
#[server(endpoint = "reflections_of")]
pub async fn session_reflections(session_id: i64) -> Result<ReflectionsData, AppError> {
    use crate::ssr::guard::finish;
    finish(
        async {
            let (_, repo, access) =
                crate::ssr::access::caller_stance(session_id, crate::ssr::access::Need::Edit)
                    .await?;
            let entries = repo.reflections(session_id).await?;
            Ok(ReflectionsData {
                session_id,
                title: access.door.title,
                entries: entries
                    .into_iter()
                    .map(crate::api::materials::ReflectionView::from)
                    .collect(),
            })
        }
        .await,
    )
}

/// A lecturer or organiser answers a reflection.
#[server(endpoint = "reflection_comment")]
pub async fn comment_reflection(reflection_id: i64, body: String) -> Result<(), AppError> {
    use crate::domain::materials::COMMENT_MAX_CHARS;
    use crate::domain::session_draft::Field;
    use crate::ssr::guard::{caller, finish, state};
    finish(
        async {
            let user = caller()?;
            let repo = state()?.repo;
            let reflection = repo
                .reflection(reflection_id)
                .await?
                .ok_or(AppError::NotFound)?;
            let access =
                crate::ssr::access::stance(&user, repo.as_ref(), reflection.session_id).await?;
            if !access.editor {
                return Err(AppError::Forbidden);
            }
            let body = crate::domain::session_draft::text_between(
                &body,
                1,
                COMMENT_MAX_CHARS,
                Field::Comment,
            )?;
            repo.add_comment(
                reflection_id,
                user.account.person_id,
                &body,
                Timestamp::now(),
            )
            .await?;
            Ok(())
        }
        .await,
    )
}

/// The cadre's finished sessions, newest first, with their status, material and marks.
#[server(endpoint = "review_mine")]
pub async fn my_review(page: u32) -> Result<ReviewData, AppError> {
    use crate::domain::listing::{SessionFilter, When};
    use crate::domain::policy::Action;
    use crate::ssr::db::Scope;
    use crate::ssr::guard::{authorize, finish, state};
    finish(
        async {
            let user = authorize(Action::AttendAsCadre)?;
            let repo = state()?.repo;
            let person = user.account.person_id;
            let member = repo.member(person).await?.ok_or(AppError::NotFound)?;
            let now = Timestamp::now();
            let filter = SessionFilter {
                when: When::Past,
                page,
                ..SessionFilter::default()
            };
            let scope = Scope::Person {
                member,
                audience: true,
                lectures: false,
                organiser: None,
            };
            let found = repo.find_sessions(scope, &filter, now).await?;
            let ids: Vec<i64> = found.sessions.iter().map(|s| s.id).collect();
            let marks = repo.review_marks(person, &ids, now).await?;
            let mut items = Vec::with_capacity(found.sessions.len());
            for session in found.sessions {
                let m = marks
                    .iter()
                    .find(|(id, _)| *id == session.id)
                    .map(|(_, m)| *m)
                    .unwrap_or_default();
                items.push(ReviewItem {
                    session,
                    status: m.status,
                    material: m.material,
                    read: m.read,
                    reflected: m.reflected,
                    accepted: m.accepted,
                });
            }
            Ok(ReviewData {
                items,
                more: found.more,
            })
        }
        .await,
    )
}

/// Searches session titles, descriptions and materials the caller may read, and (for
/// organisers) reflections; every term must occur. Matches come back marked.
#[server(endpoint = "search")]
pub async fn search(q: String) -> Result<SearchData, AppError> {
    use crate::domain::Role;
    use crate::domain::search::{Query, QueryProblem, highlight};
    use crate::domain::session_draft::{Field, Problem};
    use crate::ssr::access::scope_of;
    use crate::ssr::guard::{caller, finish, state};
    use crate::ssr::markdown::plain_text;
    finish(
        async {
            let user = caller()?;
            let query = Query::parse(&q).map_err(|p| {
                let problem = match p {
                    QueryProblem::Empty => Problem::Required,
                    QueryProblem::TooLong => Problem::TooLong,
                };
                AppError::field(Field::Query, problem)
            })?;
            let repo = state()?.repo;
            let scope = scope_of(&user)?;
            // Reflections turn up for organisers of the whole install only.
            let organiser = user.account.roles.has(Role::Organiser) && user.grants.everything;
            let rows = repo
                .search(
                    &query,
                    scope,
                    organiser,
                    Timestamp::now(),
                    SEARCH_LIMIT as i64 + 1,
                )
                .await?;
            let more = rows.len() > SEARCH_LIMIT;
            let hits = rows
                .into_iter()
                .take(SEARCH_LIMIT)
                .map(|row| {
                    let text = match row.kind {
                        // Descriptions are Markdown; the others are plain text already.
                        HitKind::Session => plain_text(&row.body),
                        HitKind::Material | HitKind::Reflection => row.body,
                    };
                    Hit {
                        kind: row.kind,
                        session_id: row.session_id,
                        title: highlight(&row.session_title, &query, None),
                        snippet: highlight(&text, &query, Some(SNIPPET_CHARS)),
                        starts_at: row.starts_at,
                        author: row.author,
                    }
                })
                .collect();
            Ok(SearchData {
                query: query.terms().join(" "),
                hits,
                more,
            })
        }
        .await,
    )
}
