//! 投诉建议: any signed-in user writes a suggestion or a complaint to the organisers,
//! optionally anonymous (their name is then shown to nobody but themselves); admins, and
//! organisers for the people in their reach, answer and close it; the writer reads the
//! answer on the suggestion's page, and a notice in their inbox tells them.
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::domain::Timestamp;
use crate::domain::suggestions::{SuggestionKind, SuggestionState};
use crate::error::AppError;

/// Suggestions a list shows.
pub const LIST_LIMIT: i64 = 100;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SuggestionItem {
    pub id: i64,
    pub kind: SuggestionKind,
    pub title: String,
    pub state: SuggestionState,
    pub created_at: Timestamp,
    /// The writer's name; `None` when they chose to be anonymous (and the reader is not them).
    pub author: Option<String>,
    /// The writer's community when they wrote ("" for none).
    pub community: String,
    pub anonymous: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SuggestionList {
    pub mine: Vec<SuggestionItem>,
    /// For admins and organisers: those they answer, open first.
    pub desk: Option<Vec<SuggestionItem>>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SuggestionView {
    pub item: SuggestionItem,
    pub body: String,
    pub answer: String,
    pub answered_by: String,
    pub answered_at: Option<Timestamp>,
    pub closed_at: Option<Timestamp>,
    /// The reader may answer and close it.
    pub may_reply: bool,
}

#[cfg(feature = "ssr")]
fn item(row: &crate::ssr::db::SuggestionRow, reader: i64) -> SuggestionItem {
    use crate::domain::suggestions::author_shown;
    SuggestionItem {
        id: row.id,
        kind: SuggestionKind::parse(&row.kind).unwrap_or(SuggestionKind::Suggestion),
        title: row.title.clone(),
        state: SuggestionState::of(row.answered_at.is_some(), row.closed_at.is_some()),
        created_at: Timestamp(row.created_at),
        author: author_shown(row.anonymous, row.author_id == reader).then(|| row.author.clone()),
        community: row.community.clone(),
        anonymous: row.anonymous,
    }
}

#[cfg(feature = "ssr")]
fn place(row: &crate::ssr::db::SuggestionRow) -> crate::domain::org::Place {
    crate::domain::org::Place {
        subdistrict: row.subdistrict_id,
        community: row.community_id,
    }
}

/// The caller's own suggestions, and for admins and organisers those they answer.
#[server(endpoint = "suggestions")]
pub async fn suggestions() -> Result<SuggestionList, AppError> {
    use crate::ssr::guard::{caller, finish, state};
    finish(
        async {
            let me = caller()?;
            let repo = state()?.repo;
            let person = me.account.person_id;
            let mine = repo
                .suggestions_by(person, LIST_LIMIT)
                .await?
                .iter()
                .map(|r| item(r, person))
                .collect();
            let desk = match crate::ssr::access::suggestion_desk() {
                Some(desk) => Some(
                    repo.suggestions_within(desk.reach(), LIST_LIMIT)
                        .await?
                        .iter()
                        .map(|r| item(r, person))
                        .collect(),
                ),
                None => None,
            };
            Ok(SuggestionList { mine, desk })
        }
        .await,
    )
}

/// One suggestion: for its writer and for the desks it belongs to; nobody else.
#[server(endpoint = "suggestion")]
pub async fn suggestion(id: i64) -> Result<SuggestionView, AppError> {
    use crate::ssr::guard::{caller, finish, state};
    finish(
        async {
            let me = caller()?;
            let repo = state()?.repo;
            let row = repo.suggestion(id).await?.ok_or(AppError::NotFound)?;
            let person = me.account.person_id;
            let may_reply =
                crate::ssr::access::suggestion_desk().is_some_and(|desk| desk.covers(place(&row)));
            if row.author_id != person && !may_reply {
                return Err(AppError::NotFound);
            }
            Ok(SuggestionView {
                item: item(&row, person),
                body: row.body,
                answer: row.answer,
                answered_by: row.answered_by,
                answered_at: row.answered_at.map(Timestamp),
                closed_at: row.closed_at.map(Timestamp),
                may_reply: may_reply && row.closed_at.is_none(),
            })
        }
        .await,
    )
}

/// Writes a suggestion (`kind`: `suggestion` or `complaint`); `anonymous` hides the
/// writer's name from those who answer. A plain post lands on the new suggestion.
#[server(endpoint = "suggestion_post")]
pub async fn post_suggestion(
    kind: String,
    title: String,
    body: String,
    #[server(default)] anonymous: Option<String>,
) -> Result<i64, AppError> {
    use crate::domain::suggestions::check_suggestion;
    use crate::ssr::guard::{caller, finish, state};
    finish(
        async {
            let me = caller()?;
            let checked = check_suggestion(&kind, &title, &body)?;
            let id = state()?
                .repo
                .post_suggestion(
                    me.account.person_id,
                    anonymous.is_some(),
                    &checked,
                    Timestamp::now(),
                )
                .await?;
            crate::ssr::guard::after_plain_post(&format!("/suggestions/{id}"));
            Ok(id)
        }
        .await,
    )
}

/// Answers a suggestion (the answer replaces an earlier one) and/or closes it (办结); the
/// writer is told in their inbox. A closed suggestion takes nothing more (409).
#[server(endpoint = "suggestion_reply")]
pub async fn reply_suggestion(
    id: i64,
    #[server(default)] answer: String,
    #[server(default)] close: Option<String>,
) -> Result<(), AppError> {
    use crate::domain::suggestions::check_answer;
    use crate::ssr::db::Reply;
    use crate::ssr::guard::{caller, finish, state};
    finish(
        async {
            caller()?;
            let Some(desk) = crate::ssr::access::suggestion_desk() else {
                tracing::warn!("refused: answering a suggestion without a desk");
                return Err(AppError::Forbidden);
            };
            let state = state()?;
            let repo = state.repo.clone();
            let row = repo.suggestion(id).await?.ok_or(AppError::NotFound)?;
            if !desk.covers(place(&row)) {
                return Err(AppError::NotFound);
            }
            let close = close.is_some();
            let answer = check_answer(&answer, close)?;
            let reply = Reply {
                answer,
                close,
                by: desk.person_id(),
            };
            if !repo
                .reply_suggestion(id, &reply, &state.outbox.channels(), Timestamp::now())
                .await?
            {
                return Err(AppError::Conflict(crate::error::Conflict::SuggestionClosed));
            }
            state.outbox.wake();
            Ok(())
        }
        .await,
    )
}
