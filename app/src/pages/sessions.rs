use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use crate::api::browse::{SessionList, list_sessions};
use crate::api::schedule::Choice;
use crate::components::layout::ErrorNote;
use crate::components::session_card::SessionCard;
use crate::domain::listing::{SessionFilter, When};
use crate::domain::schedule::SessionFormat;
use crate::i18n::{Key, Lang, t, use_lang};

/// Upcoming or past sessions the person may see, filtered by theme, format, lecturer,
/// community and tier. The filters are a plain GET form, so the address can be shared.
#[component]
pub fn SessionsPage() -> impl IntoView {
    let query = use_query_map();
    let filter = Memo::new(move |_| {
        let q = query.read();
        SessionFilter::from_query(|name| q.get(name))
    });
    let list = Resource::new(move || filter.get(), list_sessions);
    let tab = move |when: When, key: Key| {
        let current = move || filter.get().when == when;
        view! {
            <a href=format!("/sessions?when={}", when.as_str())
                aria-current=move || current().then_some("page")
                class:active=current>{t(key)}</a>
        }
    };
    view! {
        <h1>{t(Key::SessionsTitle)}</h1>
        <nav class="tabs" data-testid="when-tabs">
            {tab(When::Upcoming, Key::WhenUpcoming)}
            {tab(When::Past, Key::WhenPast)}
        </nav>
        <Suspense fallback=|| view! { <p class="muted">{t(Key::Loading)}</p> }>
            {move || Suspend::new(async move {
                match list.await {
                    Ok(l) => listing(l, filter.get_untracked()).into_any(),
                    Err(e) => view! { <ErrorNote error=e /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

fn select(
    name: &'static str,
    label: Key,
    choices: Vec<Choice>,
    current: Option<i64>,
    lang: RwSignal<Lang>,
) -> impl IntoView {
    view! {
        <label><span>{t(label)}</span>
            <select name=name>
                <option value="">{t(Key::FilterAny)}</option>
                {choices.into_iter().map(|c| {
                    let selected = current == Some(c.id);
                    view! { <option value=c.id selected=selected>{move || lang.get().pick(&c.name_zh, &c.name_en).to_string()}</option> }
                }).collect_view()}
            </select>
        </label>
    }
}

fn listing(l: SessionList, f: SessionFilter) -> impl IntoView {
    let lang = use_lang();
    let c = l.choices;
    let page = f.page;
    let previous = (page > 0).then(|| format!("/sessions?{}", f.query_string(page - 1)));
    let next = l
        .more
        .then(|| format!("/sessions?{}", f.query_string(page + 1)));
    view! {
        <form method="get" action="/sessions" class="filters card" data-testid="filters">
            <input type="hidden" name="when" value=f.when.as_str() />
            {select("theme", Key::Theme, c.themes, f.theme_id, lang)}
            <label><span>{t(Key::FieldFormat)}</span>
                <select name="format">
                    <option value="">{t(Key::FilterAny)}</option>
                    {SessionFormat::ALL.into_iter().map(|x| view! { <option value=x.as_str() selected=f.format == Some(x)>{t(x.label())}</option> }).collect_view()}
                </select>
            </label>
            {select("lecturer", Key::Lecturers, c.lecturers, f.lecturer_id, lang)}
            {select("community", Key::Communities, c.communities, f.community_id, lang)}
            {select("tier", Key::Tiers, c.tiers, f.tier_id, lang)}
            <div class="row">
                <button type="submit" class="primary">{t(Key::ApplyFilter)}</button>
                <a href=format!("/sessions?when={}", f.when.as_str())>{t(Key::ClearFilter)}</a>
            </div>
        </form>
        {if l.sessions.is_empty() {
            view! { <p class="empty">{t(Key::NoSessionsFound)}</p> }.into_any()
        } else {
            view! {
                <div class="cards" data-testid="session-list">
                    {l.sessions.into_iter().map(|s| view! { <SessionCard session=s /> }).collect_view()}
                </div>
            }.into_any()
        }}
        <nav class="pager">
            {previous.map(|href| view! { <a href=href>{t(Key::PrevPage)}</a> })}
            {next.map(|href| view! { <a href=href data-testid="next-page">{t(Key::NextPage)}</a> })}
        </nav>
    }
}
