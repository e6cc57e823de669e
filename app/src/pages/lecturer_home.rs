use leptos::prelude::*;

use crate::api::sessions::my_lectures;
use crate::components::layout::ErrorNote;
use crate::components::session_card::SessionCard;
use crate::domain::schedule::SessionSummary;
use crate::i18n::{Key, t, tf};

fn session_list(list: Vec<SessionSummary>) -> impl IntoView {
    view! {
        <div class="cards">
            {list.into_iter().map(|s| view! { <SessionCard session=s /> }).collect_view()}
        </div>
    }
}

/// A link to the whole list when the page shows only part of it.
fn more(shown: usize, total: i64, href: &'static str) -> impl IntoView {
    (total > shown as i64).then(|| {
        view! {
            <p><a href=href data-testid="lectures-more">{tf(Key::LecturesAll, [total.to_string()])}</a></p>
        }
    })
}

/// A lecturer's landing page: the sessions they teach, coming and given.
#[component]
pub fn LecturerHome() -> impl IntoView {
    let lectures = Resource::new(|| (), |_| my_lectures());
    view! {
        <h1>{t(Key::LecturerHomeTitle)}</h1>
        <ToConfirm />
        <MyEvaluations />
        <Suspense fallback=|| view! { <p class="muted">{t(Key::Loading)}</p> }>
            {move || Suspend::new(async move {
                match lectures.await {
                    Ok(o) if o.upcoming.is_empty() && o.past.is_empty() => {
                        view! { <p class="empty">{t(Key::LecturerEmpty)}</p> }.into_any()
                    }
                    Ok(o) => {
                        let (upcoming_shown, past_shown) = (o.upcoming.len(), o.past.len());
                        view! {
                        <section data-testid="lectures-upcoming">
                            <h2>{t(Key::LecturerUpcoming)}</h2>
                            {session_list(o.upcoming)}
                            {more(upcoming_shown, o.upcoming_total, "/sessions?when=upcoming")}
                        </section>
                        <section data-testid="lectures-past">
                            <h2>{t(Key::LecturerPast)}</h2>
                            {session_list(o.past)}
                            {more(past_shown, o.past_total, "/sessions?when=past")}
                        </section>
                        }.into_any()
                    }
                    Err(e) => view! { <ErrorNote error=e /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// Corrections (补签) that name this lecturer: they confirm the cadre was there.
#[component]
fn ToConfirm() -> impl IntoView {
    use crate::api::attendance::{ConfirmCorrection, corrections_to_confirm};
    use crate::components::layout::{ErrorDetails, outcome};
    let confirm = ServerAction::<ConfirmCorrection>::new();
    let list = Resource::new(
        move || confirm.version().get(),
        |_| corrections_to_confirm(),
    );
    let lang = crate::i18n::use_lang();
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                let list = list.await.ok().filter(|l| !l.is_empty())?;
                Some(view! {
                    <section class="card stack" data-testid="corrections-to-confirm">
                        <h2>{t(Key::CorrectionsToConfirm)}</h2>
                        <p class="hint">{t(Key::CorrectionsToConfirmHint)}</p>
                        {move || outcome(confirm).and_then(|r| r.err()).map(|e| view! { <ErrorDetails error=e /> })}
                        <ul class="plain stack">
                            {list.into_iter().map(|c| {
                                let a = c.starts_at;
                                view! {
                                    <li>
                                        <p><strong>{c.person}</strong> <span class="muted">" " {c.community}</span>
                                            " · " {c.title} " · " <span class="muted">{move || crate::i18n::session_when(lang.get(), a, a)}</span></p>
                                        <blockquote class="request-text">{c.reason}</blockquote>
                                        <ActionForm action=confirm attr:class="inline">
                                            <input type="hidden" name="id" value=c.id />
                                            <button type="submit" class="primary" data-testid="confirm-correction">{t(Key::CorrectionConfirm)}</button>
                                        </ActionForm>
                                    </li>
                                }
                            }).collect_view()}
                        </ul>
                    </section>
                })
            })}
        </Suspense>
    }
}

/// The lecturer's own sessions with their evaluation means over time.
#[component]
fn MyEvaluations() -> impl IntoView {
    let mine = Resource::new(|| (), |_| crate::api::evaluation::my_evaluations());
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                let list = mine.await.ok().filter(|l| !l.is_empty())?;
                Some(view! {
                    <h2>{t(Key::EvaluationResults)}</h2>
                    {list.into_iter().map(crate::pages::lecturers::lecturer_view).collect_view()}
                })
            })}
        </Suspense>
    }
}
