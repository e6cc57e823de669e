use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use crate::api::review::{ReviewData, my_review};
use crate::components::layout::ErrorDetails;
use crate::i18n::{Key, session_when, t, use_lang};

/// "My past sessions" (学习回顾): a cadre's finished sessions, newest first, with their
/// attendance and how far the review has come (material read, reflection written).
#[component]
pub fn ReviewPage() -> impl IntoView {
    let query = use_query_map();
    let page = move || {
        query
            .read()
            .get("page")
            .and_then(|p| p.parse::<u32>().ok())
            .unwrap_or(0)
    };
    let data = Resource::new(page, my_review);
    view! {
        <h1>{t(Key::ReviewTitle)}</h1>
        <Transition fallback=|| view! { <p class="muted">{t(Key::Loading)}</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(d) => review_list(d, page()).into_any(),
                    Err(e) => view! { <ErrorDetails error=e /> }.into_any(),
                }
            })}
        </Transition>
    }
}

fn review_list(d: ReviewData, page: u32) -> impl IntoView {
    let lang = use_lang();
    view! {
        {d.items.is_empty().then(|| view! { <p class="muted">{t(Key::NoPastSessions)}</p> })}
        <ul class="cards" data-testid="review-list">
            {d.items.into_iter().map(|item| {
                let s = item.session;
                let (from, to) = (s.starts_at, s.ends_at);
                view! {
                    <li class="card stack" data-testid="review-item">
                        <a href=format!("/sessions/{}#material", s.id)><strong>{s.title.clone()}</strong></a>
                        <span class="muted">{move || session_when(lang.get(), from, to)}</span>
                        <p class="chips">
                            {item.status.map(|st| view! { <span class="chip status">{t(st.label())}</span> })}
                            {s.cancelled.then(|| view! { <span class="chip">{t(Key::Cancelled)}</span> })}
                            {item.material.then(|| view! { <span class="chip">{t(Key::Material)}</span> })}
                            {item.read.then(|| view! { <span class="chip ok">{t(Key::ReadMark)}</span> })}
                            {item.reflected.then(|| view! { <span class="chip ok">{t(Key::Reflected)}</span> })}
                            {item.accepted.then(|| view! { <span class="chip ok">{t(Key::ReflectionAccepted)}</span> })}
                        </p>
                    </li>
                }
            }).collect_view()}
        </ul>
        <p class="actions">
            {(page > 0).then(|| view! { <a class="button" href=format!("/review?page={}", page - 1)>{t(Key::Newer)}</a> })}
            {d.more.then(|| view! { <a class="button" href=format!("/review?page={}", page + 1)>{t(Key::Older)}</a> })}
        </p>
    }
}
