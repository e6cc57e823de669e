use leptos::prelude::*;

use crate::api::sessions::my_upcoming_sessions;
use crate::components::layout::ErrorNote;
use crate::components::session_card::SessionCard;
use crate::i18n::{Key, t};

/// A cadre's landing page: the sessions ahead of them.
#[component]
pub fn CadreHome() -> impl IntoView {
    let sessions = Resource::new(|| (), |_| my_upcoming_sessions());
    view! {
        <h1>{t(Key::CadreHomeTitle)}</h1>
        <p class="muted">{t(Key::SeriesName)}</p>
        <crate::components::evaluation::OpenCards />
        <Suspense fallback=|| view! { <p class="muted">{t(Key::Loading)}</p> }>
            {move || Suspend::new(async move {
                match sessions.await {
                    Ok(list) if list.is_empty() => view! { <p class="empty">{t(Key::CadreHomeEmpty)}</p> }.into_any(),
                    Ok(list) => view! {
                        <div class="cards" data-testid="upcoming">
                            {list.into_iter().map(|s| view! { <SessionCard session=s /> }).collect_view()}
                        </div>
                    }.into_any(),
                    Err(e) => view! { <ErrorNote error=e /> }.into_any(),
                }
            })}
        </Suspense>
    }
}
