use leptos::prelude::*;

use crate::api::schedule::CancelSession;
use crate::api::sessions::{SessionAttendance, organiser_overview};
use crate::components::layout::ErrorNote;
use crate::components::session_card::SessionCard;
use crate::domain::schedule::SessionSummary;
use crate::i18n::{Key, t};

/// Head-counts under a session: who came, who is missing.
fn attendance(a: SessionAttendance) -> impl IntoView {
    let c = a.counts;
    let rate = c
        .attendance_percent()
        .map(|p| format!("{p}%"))
        .unwrap_or_else(|| "–".into());
    view! {
        <SessionCard session=a.session>
            <dl class="counts" data-testid="attendance-counts">
                <div><dt>{t(Key::Expected)}</dt><dd>{c.expected}</dd></div>
                <div><dt>{t(Key::CheckedIn)}</dt><dd>{c.checked_in()}</dd></div>
                <div><dt>{t(Key::StatusLate)}</dt><dd>{c.late}</dd></div>
                <div><dt>{t(Key::StatusExcused)}</dt><dd>{c.excused}</dd></div>
                <div><dt>{t(Key::NotYet)}</dt><dd>{c.not_yet()}</dd></div>
                <div><dt>{t(Key::AttendanceRate)}</dt><dd>{rate}</dd></div>
            </dl>
        </SessionCard>
    }
}

/// An upcoming session with a way to cancel it, giving the reason the audience will see.
fn upcoming_card(session: SessionSummary, cancel: ServerAction<CancelSession>) -> impl IntoView {
    let id = session.id;
    let cancelled = session.cancelled;
    view! {
        <SessionCard session=session>
            {(!cancelled).then(|| view! {
                <details class="cancel">
                    <summary>{t(Key::CancelSession)}</summary>
                    <ActionForm action=cancel attr:class="row">
                        <input type="hidden" name="id" value=id />
                        <input name="reason" required maxlength="200" aria-label=t(Key::CancelReason) placeholder=t(Key::CancelReason) />
                        <button type="submit" class="danger">{t(Key::ConfirmCancel)}</button>
                    </ActionForm>
                </details>
            })}
        </SessionCard>
    }
}

/// The organiser's desk: today's attendance first, then what is coming.
#[component]
pub fn OrganiserHome() -> impl IntoView {
    let cancel = ServerAction::<CancelSession>::new();
    let overview = Resource::new(move || cancel.version().get(), |_| organiser_overview());
    view! {
        <h1>{t(Key::OrganiserHomeTitle)}</h1>
        {move || cancel.value().get().and_then(|r| r.err()).map(|e| view! { <ErrorNote error=e /> })}
        <Suspense fallback=|| view! { <p class="muted">{t(Key::Loading)}</p> }>
            {move || Suspend::new(async move {
                match overview.await {
                    Ok(o) => view! {
                        {o.schedules.then(|| view! {
                            <p><a class="button primary" href="/organiser/sessions/new">{t(Key::NavNewSession)}</a></p>
                        })}
                        <section data-testid="today">
                            <h2>{t(Key::TodayAttendance)}</h2>
                            {if o.today.is_empty() {
                                view! { <p class="empty">{t(Key::NoSessionToday)}</p> }.into_any()
                            } else {
                                o.today.into_iter().map(attendance).collect_view().into_any()
                            }}
                            {o.latest.map(|l| view! {
                                <h3 class="subtle">{t(Key::LatestSession)}</h3>
                                {attendance(l)}
                            })}
                        </section>
                        <section data-testid="upcoming">
                            <h2>{t(Key::UpcomingSessions)}</h2>
                            {if o.upcoming.is_empty() {
                                view! { <p class="empty">{t(Key::NoUpcoming)}</p> }.into_any()
                            } else {
                                view! {
                                    <div class="cards">
                                        {o.upcoming.into_iter().map(|s| upcoming_card(s, cancel)).collect_view()}
                                    </div>
                                }.into_any()
                            }}
                        </section>
                    }.into_any(),
                    Err(e) => view! { <ErrorNote error=e /> }.into_any(),
                }
            })}
        </Suspense>
    }
}
