use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

use crate::api::progress::AcceptReflection;
use crate::api::review::{CommentReflection, ReflectionsData, session_reflections};
use crate::components::layout::ErrorDetails;
use crate::components::material::reflection_card;
use crate::error::AppError;
use crate::i18n::{Key, t};

/// A session's reflections for its lecturers and organisers, each with its comments and a
/// reply form.
#[component]
pub fn ReflectionsPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.read().get("id").and_then(|v| v.parse::<i64>().ok());
    let comment = ServerAction::<CommentReflection>::new();
    let accept = ServerAction::<AcceptReflection>::new();
    let data = Resource::new(
        move || (id(), comment.version().get(), accept.version().get()),
        |(id, _, _)| async move {
            match id {
                Some(id) => session_reflections(id).await,
                None => Err(AppError::NotFound),
            }
        },
    );
    view! {
        {move || comment.value().get().and_then(|r| r.err()).map(|e| view! { <ErrorDetails error=e /> })}
        {move || accept.value().get().and_then(|r| r.err()).map(|e| view! { <ErrorDetails error=e /> })}
        <Transition fallback=|| view! { <p class="muted">{t(Key::Loading)}</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(d) => reflections_view(d, comment, accept).into_any(),
                    Err(e) => view! { <h1>{t(Key::Reflection)}</h1><ErrorDetails error=e /> }.into_any(),
                }
            })}
        </Transition>
    }
}

fn reflections_view(
    d: ReflectionsData,
    comment: ServerAction<CommentReflection>,
    accept: ServerAction<AcceptReflection>,
) -> impl IntoView {
    let id = d.session_id;
    view! {
        <p class="muted"><a href=format!("/sessions/{id}")>{d.title.clone()}</a></p>
        <h1>{t(Key::Reflection)} " (" {d.entries.len()} ")"</h1>
        {d.entries.is_empty().then(|| view! { <p class="muted">{t(Key::NoReflections)}</p> })}
        <div class="stack">
            {d.entries.into_iter().map(|r| {
                let rid = r.id;
                let accepted = r.accepted;
                view! {
                    <div class="card stack">
                        {reflection_card(r)}
                        {(!accepted).then(|| view! {
                            <ActionForm action=accept attr:class="inline">
                                <input type="hidden" name="session_id" value=id />
                                <input type="hidden" name="reflection_id" value=rid />
                                <button type="submit" class="primary" data-testid="accept-reflection">{t(Key::AcceptReflection)}</button>
                            </ActionForm>
                        })}
                        <ActionForm action=comment attr:class="stack">
                            <input type="hidden" name="reflection_id" value=rid />
                            <label>
                                <span>{t(Key::CommentLabel)}</span>
                                <textarea name="body" required maxlength="2000" rows="2" data-testid="comment-body"></textarea>
                            </label>
                            <button type="submit" data-testid="send-comment">{t(Key::SendComment)}</button>
                        </ActionForm>
                    </div>
                }
            }).collect_view()}
        </div>
    }
}
