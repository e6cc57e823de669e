use leptos::prelude::*;

use crate::domain::schedule::SessionSummary;
use crate::i18n::{Key, session_when, t, use_lang};

/// One session in a list: what, when, where, who teaches.
#[component]
pub fn SessionCard(
    session: SessionSummary,
    #[prop(optional)] children: Option<Children>,
) -> impl IntoView {
    let lang = use_lang();
    let SessionSummary {
        id,
        title,
        theme_zh,
        theme_en,
        format,
        starts_at,
        ends_at,
        place,
        lecturers,
        cancelled,
        study_hours,
        ..
    } = session;
    let hours = study_hours.display();
    let when = move || session_when(lang.get(), starts_at, ends_at);
    let theme = move || lang.get().pick(&theme_zh, &theme_en).to_string();
    let has_lecturers = !lecturers.is_empty();
    let lecturers = lecturers.join("、");
    view! {
        <article class="session-card" class:cancelled=cancelled>
            <div class="chips">
                <span class="chip theme">{theme}</span>
                <span class="chip">{t(format.label())}</span>
                <span class="chip">{hours} " " {t(Key::StudyHoursUnit)}</span>
                {cancelled.then(|| view! { <span class="chip danger">{t(Key::Cancelled)}</span> })}
            </div>
            <h2 class="card-title"><a href=format!("/sessions/{id}")>{title}</a></h2>
            <p class="when">{when}</p>
            <dl class="facts">
                {(!place.is_empty()).then(|| view! { <dt>{t(Key::Place)}</dt><dd>{place}</dd> })}
                {has_lecturers.then(|| view! { <dt>{t(Key::Lecturers)}</dt><dd>{lecturers}</dd> })}
            </dl>
            <a class="calendar-link" href=format!("/sessions/{id}/calendar.ics") rel="external" download>
                {t(Key::AddToCalendar)}
            </a>
            {children.map(|c| c())}
        </article>
    }
}
