use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

use crate::api::browse::{SessionView, open_session};
use crate::api::schedule::CancelSession;
use crate::components::layout::ErrorNote;
use crate::components::material::MaterialSection;
use crate::components::my_attendance::MyAttendancePanel;
use crate::error::AppError;
use crate::i18n::{Key, session_when, t, use_lang};

/// One session: everything about it, and the organiser's edit, duplicate and cancel.
#[component]
pub fn SessionPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.read().get("id").and_then(|v| v.parse::<i64>().ok());
    let cancel = ServerAction::<CancelSession>::new();
    let view_data = Resource::new(
        move || (id(), cancel.version().get()),
        |(id, _)| async move {
            match id {
                Some(id) => open_session(id).await,
                None => Err(AppError::NotFound),
            }
        },
    );
    view! {
        {move || cancel.value().get().and_then(|r| r.err()).map(|e| view! { <ErrorNote error=e /> })}
        <Suspense fallback=|| view! { <p class="muted">{t(Key::Loading)}</p> }>
            {move || Suspend::new(async move {
                match view_data.await {
                    Ok(v) => session_details(v, cancel).into_any(),
                    Err(e) => view! { <h1>{t(Key::Details)}</h1><ErrorNote error=e /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

fn session_details(v: SessionView, cancel: ServerAction<CancelSession>) -> impl IntoView {
    let lang = use_lang();
    let s = v.session;
    let id = s.id;
    let (starts_at, ends_at) = (s.starts_at, s.ends_at);
    let when = move || session_when(lang.get(), starts_at, ends_at);
    let (theme_zh, theme_en) = (s.theme_zh, s.theme_en);
    let theme = move || lang.get().pick(&theme_zh, &theme_en).to_string();
    let audience = v.audience;
    let named = |list: Vec<crate::api::schedule::Choice>| {
        list.into_iter()
            .map(|c| {
                view! { <span class="chip">{move || lang.get().pick(&c.name_zh, &c.name_en).to_string()}</span> }
            })
            .collect_view()
    };
    let people = audience.people.join("、");
    let hours = s.study_hours.display();
    view! {
        <article class="session-page" class:cancelled=s.cancelled data-testid="session-page">
            <p class="muted">{v.series}</p>
            <h1>{s.title}</h1>
            {s.cancelled.then(|| view! {
                <p class="error" role="status" data-testid="cancelled-note">
                    <strong>{t(Key::Cancelled)}</strong> " " {t(Key::CancelReasonShown)} {v.cancel_reason.clone().unwrap_or_default()}
                </p>
            })}
            <div class="chips">
                <span class="chip theme">{theme}</span>
                <span class="chip">{t(s.format.label())}</span>
                <span class="chip">{hours} " " {t(Key::StudyHoursUnit)} {v.hours_overridden.then(|| t(Key::HoursSetByHand))}</span>
            </div>
            <dl class="facts">
                <dt>{t(Key::FieldDate)}</dt><dd class="when">{when}</dd>
                {(!s.place.is_empty()).then(|| view! { <dt>{t(Key::Place)}</dt><dd>{s.place.clone()}</dd> })}
                {(!s.lecturers.is_empty()).then(|| view! { <dt>{t(Key::Lecturers)}</dt><dd>{s.lecturers.join("、")}</dd> })}
                <dt>{t(Key::AudienceLabel)}</dt>
                <dd data-testid="audience">
                    {audience.everyone.then(|| view! { <span class="chip">{t(Key::Everyone)}</span> })}
                    {named(audience.tiers)}
                    {named(audience.communities)}
                    {(!people.is_empty()).then(|| view! { <span>{t(Key::NamedPeople)} "：" {people.clone()}</span> })}
                </dd>
                {v.capacity.map(|c| view! { <dt>{t(Key::Capacity)}</dt><dd>{c}</dd> })}
                {v.clash_override_reason.map(|r| view! { <dt>{t(Key::ClashOverrideShown)}</dt><dd>{r}</dd> })}
            </dl>
            <section class="description">
                {if v.description_html.trim().is_empty() {
                    view! { <p class="muted">{t(Key::NoDescription)}</p> }.into_any()
                } else {
                    view! { <div class="markdown" inner_html=v.description_html /> }.into_any()
                }}
            </section>
            <p class="actions">
                <a class="button" href=format!("/sessions/{id}/calendar.ics") rel="external" download>{t(Key::AddToCalendar)}</a>
                {v.may_edit.then(|| view! {
                    {(!s.cancelled).then(|| view! { <a class="button primary" href=format!("/organiser/sessions/{id}/door") data-testid="open-door">{t(Key::OpenDoor)}</a> })}
                    <a class="button" href=format!("/organiser/sessions/{id}/attendance") data-testid="open-sheet">{t(Key::AttendanceSheet)}</a>
                    {(!s.cancelled).then(|| view! { <a class="button" href=format!("/organiser/sessions/{id}/edit") data-testid="edit">{t(Key::EditSession)}</a> })}
                    <a class="button" href=format!("/organiser/sessions/new?from={id}") data-testid="duplicate">{t(Key::DuplicateSession)}</a>
                })}
            </p>
            <MyAttendancePanel session_id=id />
            <crate::components::evaluation::EvaluationCard session_id=id />
            {v.may_edit.then(|| view! { <crate::components::evaluation::EvaluationResults session_id=id /> })}
            {(v.may_edit && !s.cancelled).then(|| view! { <crate::components::late_reminder::LateReminderPanel session_id=id /> })}
            <MaterialSection session_id=id />
            {(v.may_edit && !s.cancelled).then(|| view! {
                <details class="cancel">
                    <summary>{t(Key::CancelSession)}</summary>
                    <ActionForm action=cancel attr:class="row">
                        <input type="hidden" name="id" value=id />
                        <input name="reason" required maxlength="200" aria-label=t(Key::CancelReason) placeholder=t(Key::CancelReason) />
                        <button type="submit" class="danger">{t(Key::ConfirmCancel)}</button>
                    </ActionForm>
                </details>
            })}
        </article>
    }
}
