use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use crate::api::review::{Hit, SearchData, search};
use crate::components::layout::ErrorDetails;
use crate::domain::search::{HitKind, Piece};
use crate::i18n::{Key, t};

/// Search over sessions, materials and (organisers) reflections. A plain GET form, so a
/// search is a link that can be shared and works without JavaScript.
#[component]
pub fn SearchPage() -> impl IntoView {
    let query = use_query_map();
    let q = move || query.read().get("q").unwrap_or_default();
    let results = Resource::new(q, |q| async move {
        if q.trim().is_empty() {
            None
        } else {
            Some(search(q).await)
        }
    });
    view! {
        <h1>{t(Key::NavSearch)}</h1>
        <form method="get" action="/search" class="row search-form" role="search">
            <input type="search" name="q" value=q maxlength="100" aria-label=t(Key::NavSearch) placeholder=t(Key::SearchPlaceholder) data-testid="search-input" />
            <button type="submit" class="primary" data-testid="search-submit">{t(Key::NavSearch)}</button>
        </form>
        <Transition fallback=|| view! { <p class="muted">{t(Key::Loading)}</p> }>
            {move || Suspend::new(async move {
                match results.await {
                    None => ().into_any(),
                    Some(Ok(d)) => hits_view(d).into_any(),
                    Some(Err(e)) => view! { <ErrorDetails error=e /> }.into_any(),
                }
            })}
        </Transition>
    }
}

fn marked(pieces: Vec<Piece>) -> impl IntoView {
    pieces
        .into_iter()
        .map(|p| {
            if p.hit {
                view! { <mark>{p.text}</mark> }.into_any()
            } else {
                p.text.into_any()
            }
        })
        .collect_view()
}

fn hit_view(h: Hit) -> impl IntoView {
    let (kind, href) = match h.kind {
        HitKind::Session => (Key::HitSession, format!("/sessions/{}", h.session_id)),
        HitKind::Material => (
            Key::Material,
            format!("/sessions/{}#material", h.session_id),
        ),
        HitKind::Reflection => (
            Key::Reflection,
            format!("/sessions/{}/reflections", h.session_id),
        ),
    };
    view! {
        <li class="card stack" data-testid="hit">
            <p>
                <span class="chip">{t(kind)}</span> " "
                <a href=href><strong>{marked(h.title)}</strong></a> " "
                <span class="muted">{h.starts_at.local_date().to_string()}</span>
                {h.author.map(|a| view! { " · " <span class="muted">{a}</span> })}
            </p>
            <p class="snippet" data-testid="snippet">{marked(h.snippet)}</p>
        </li>
    }
}

fn hits_view(d: SearchData) -> impl IntoView {
    view! {
        {d.hits.is_empty().then(|| view! { <p class="muted" data-testid="no-hits">{t(Key::NoHits)}</p> })}
        <ul class="cards" data-testid="hits">
            {d.hits.into_iter().map(hit_view).collect_view()}
        </ul>
        {d.more.then(|| view! { <p class="muted">{t(Key::MoreHits)}</p> })}
    }
}
