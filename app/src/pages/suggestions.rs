//! 投诉建议: write a suggestion or complaint, see one's own and their answers; admins and
//! organisers see those they answer, open first, and answer and close them. Plain forms:
//! the pages work without the script.
use leptos::either::Either;
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

use crate::api::suggestions::{
    PostSuggestion, ReplySuggestion, SuggestionItem, suggestion, suggestions,
};
use crate::components::layout::{ErrorNote, outcome};
use crate::domain::suggestions::{SuggestionKind, SuggestionState, TEXT_CHARS, TITLE_CHARS};
use crate::i18n::{Key, moment, t, use_lang};

fn kind_key(kind: SuggestionKind) -> Key {
    match kind {
        SuggestionKind::Suggestion => Key::SuggestionKindSuggestion,
        SuggestionKind::Complaint => Key::SuggestionKindComplaint,
    }
}

fn state_key(state: SuggestionState) -> Key {
    match state {
        SuggestionState::Open => Key::SuggestionOpen,
        SuggestionState::Answered => Key::SuggestionAnswered,
        SuggestionState::Closed => Key::SuggestionClosed,
    }
}

#[component]
pub fn SuggestionsPage() -> impl IntoView {
    let post = ServerAction::<PostSuggestion>::new();
    let list = Resource::new(move || post.version().get(), |_| suggestions());
    view! {
        <section class="card stack" data-testid="suggestion-form">
            <h1>{t(Key::SuggestionsTitle)}</h1>
            <p class="hint">{t(Key::SuggestionsIntro)}</p>
            {move || match outcome(post) {
                Some(Ok(())) => Some(Either::Left(view! { <p class="ok" role="status" data-testid="suggestion-sent">{t(Key::SuggestionSent)}</p> })),
                Some(Err(e)) => Some(Either::Right(view! { <ErrorNote error=e /> })),
                None => None,
            }}
            <ActionForm action=post attr:class="stack">
                <fieldset class="row wrap">
                    <legend>{t(Key::SuggestionKindLabel)}</legend>
                    <label class="check"><input type="radio" name="kind" value="suggestion" checked /><span>{t(Key::SuggestionKindSuggestion)}</span></label>
                    <label class="check"><input type="radio" name="kind" value="complaint" /><span>{t(Key::SuggestionKindComplaint)}</span></label>
                </fieldset>
                <label><span>{t(Key::SuggestionTitleLabel)}</span><input name="title" required maxlength=TITLE_CHARS.to_string() /></label>
                <label><span>{t(Key::SuggestionBodyLabel)}</span><textarea name="body" rows="6" required maxlength=TEXT_CHARS.to_string()></textarea></label>
                <label class="check"><input type="checkbox" name="anonymous" value="1" /><span>{t(Key::SuggestionAnonymous)}</span></label>
                <p class="hint">{t(Key::SuggestionAnonymousHint)} " " <a href="/privacy">{t(Key::PrivacyLink)}</a></p>
                <button type="submit" class="primary" data-testid="suggestion-submit">{t(Key::SuggestionSubmit)}</button>
            </ActionForm>
        </section>
        <Suspense fallback=|| view! { <p class="muted">{t(Key::Loading)}</p> }>
            {move || Suspend::new(async move {
                match list.await {
                    Ok(l) => Either::Left(view! {
                        <section class="card stack" data-testid="suggestions-mine">
                            <h2>{t(Key::SuggestionsMine)}</h2>
                            {l.mine.is_empty().then(|| view! { <p class="muted">{t(Key::SuggestionsNone)}</p> })}
                            <ul class="inbox-list">
                                {l.mine.into_iter().map(|s| view! { <SuggestionLine s /> }).collect_view()}
                            </ul>
                        </section>
                        {l.desk.map(|desk| view! {
                            <section class="card stack" data-testid="suggestions-desk">
                                <h2>{t(Key::SuggestionsDesk)}</h2>
                                {desk.is_empty().then(|| view! { <p class="muted">{t(Key::SuggestionsNone)}</p> })}
                                <ul class="inbox-list">
                                    {desk.into_iter().map(|s| view! { <SuggestionLine s /> }).collect_view()}
                                </ul>
                            </section>
                        })}
                    }),
                    Err(e) => Either::Right(view! { <ErrorNote error=e /> }),
                }
            })}
        </Suspense>
    }
}

#[component]
fn SuggestionLine(s: SuggestionItem) -> impl IntoView {
    let lang = use_lang();
    let at = s.created_at;
    view! {
        <li class="inbox-item" class:unread=s.state == SuggestionState::Open data-testid="suggestion-item">
            <p class="inbox-subject">
                <span class="chip">{t(kind_key(s.kind))}</span> " "
                <span class="chip" data-testid="suggestion-state">{t(state_key(s.state))}</span> " "
                <a href=format!("/suggestions/{}", s.id)><strong>{s.title.clone()}</strong></a>
            </p>
            <p class="muted small">
                <Author author=s.author.clone() /> " · " {s.community.clone()} " · " {move || moment(lang.get(), at)}
            </p>
        </li>
    }
}

#[component]
fn Author(author: Option<String>) -> impl IntoView {
    match author {
        Some(name) => Either::Left(name),
        None => Either::Right(
            view! { <span data-testid="anonymous">{t(Key::SuggestionAnonymousName)}</span> },
        ),
    }
}

/// One suggestion: the text, its state and answer; for those who answer it, the answer
/// form with "close" (办结).
#[component]
pub fn SuggestionPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || {
        params
            .read()
            .get("id")
            .and_then(|v| v.parse::<i64>().ok())
            .unwrap_or(0)
    };
    let reply = ServerAction::<ReplySuggestion>::new();
    let data = Resource::new(
        move || (id(), reply.version().get()),
        |(id, _)| suggestion(id),
    );
    let lang = use_lang();
    view! {
        <Suspense fallback=|| view! { <p class="muted">{t(Key::Loading)}</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(v) => {
                        let at = v.item.created_at;
                        let answered_at = v.answered_at;
                        let closed_at = v.closed_at;
                        Either::Left(view! {
                            <article class="card stack" data-testid="suggestion">
                                <p><a href="/suggestions">{t(Key::SuggestionsBack)}</a></p>
                                <h1>{v.item.title.clone()}</h1>
                                <p class="muted small">
                                    <span class="chip">{t(kind_key(v.item.kind))}</span> " "
                                    <span class="chip" data-testid="suggestion-state">{t(state_key(v.item.state))}</span> " "
                                    <Author author=v.item.author.clone() /> " · " {v.item.community.clone()} " · " {move || moment(lang.get(), at)}
                                </p>
                                <p class="prewrap" data-testid="suggestion-body">{v.body.clone()}</p>
                            </article>
                            <section class="card stack" data-testid="suggestion-answer">
                                <h2>{t(Key::SuggestionAnswerTitle)}</h2>
                                {match answered_at {
                                    Some(when) => Either::Left(view! {
                                        <p class="prewrap" data-testid="suggestion-answer-text">{v.answer.clone()}</p>
                                        <p class="muted small">{v.answered_by.clone()} " · " {move || moment(lang.get(), when)}</p>
                                    }),
                                    None => Either::Right(view! { <p class="muted">{t(Key::SuggestionNoAnswer)}</p> }),
                                }}
                                {closed_at.map(|when| view! { <p class="muted small" data-testid="suggestion-closed">{t(Key::SuggestionClosedAt)} " " {move || moment(lang.get(), when)}</p> })}
                                {move || match outcome(reply) {
                                    Some(Ok(())) => Some(Either::Left(view! { <p class="ok" role="status">{t(Key::SuggestionReplied)}</p> })),
                                    Some(Err(e)) => Some(Either::Right(view! { <ErrorNote error=e /> })),
                                    None => None,
                                }}
                                {v.may_reply.then(|| view! {
                                    <ActionForm action=reply attr:class="stack" attr:data-testid="suggestion-reply">
                                        <input type="hidden" name="id" value=v.item.id />
                                        <label><span>{t(Key::SuggestionAnswerLabel)}</span><textarea name="answer" rows="5" maxlength=TEXT_CHARS.to_string()>{v.answer.clone()}</textarea></label>
                                        <label class="check"><input type="checkbox" name="close" value="1" /><span>{t(Key::SuggestionCloseLabel)}</span></label>
                                        <button type="submit" class="primary" data-testid="suggestion-reply-submit">{t(Key::SuggestionReplySubmit)}</button>
                                    </ActionForm>
                                })}
                            </section>
                        })
                    }
                    Err(e) => Either::Right(view! { <h1>{t(Key::SuggestionsTitle)}</h1><ErrorNote error=e /> }),
                }
            })}
        </Suspense>
    }
}
