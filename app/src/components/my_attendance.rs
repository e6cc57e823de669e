use leptos::prelude::*;

use crate::api::attendance::{AskLeave, MyRecord, RequestView, my_attendance};
use crate::components::layout::ErrorDetails;
use crate::domain::attendance::Decision;
use crate::i18n::{Key, t};

/// A cadre's own attendance on a session's page: their status, and the leave request
/// (before the start) or the make-up reflection (after missing it).
#[component]
pub fn MyAttendancePanel(session_id: i64) -> impl IntoView {
    let leave = ServerAction::<AskLeave>::new();
    let mine = Resource::new(
        move || leave.version().get(),
        move |_| my_attendance(session_id),
    );
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                mine.await.ok().map(|m| panel(session_id, m, leave))
            })}
        </Suspense>
    }
}

fn request_state(r: &RequestView, label: Key) -> impl IntoView + use<> {
    let decision = match r.decision {
        Decision::Pending => Key::Pending,
        Decision::Approved => Key::Approved,
        Decision::Declined => Key::Declined,
    };
    view! {
        <p data-testid="my-request">{t(label)} " · " <span class="chip">{t(decision)}</span></p>
        <blockquote class="request-text">{r.text.clone()}</blockquote>
    }
}

fn panel(session_id: i64, m: MyRecord, leave: ServerAction<AskLeave>) -> Option<AnyView> {
    let nothing = m.status.is_none()
        && !m.may_ask_leave
        && !m.may_make_up
        && m.leave.is_none()
        && m.make_up.is_none();
    if nothing {
        return None;
    }
    Some(view! {
        <section class="card stack my-attendance" data-testid="my-attendance">
            <h2>{t(Key::MyAttendance)}</h2>
            {m.status.map(|s| view! {
                <p data-testid="my-status">
                    <span class="chip status" class:late=s == crate::domain::schedule::AttendanceStatus::Late>{t(s.label())}</span>
                    {m.checked_in_at.filter(|_| s.attended()).map(|at| view! { " " <span class="muted">{at.hh_mm()}</span> })}
                    {m.walk_in.then(|| view! { " " <span class="chip">{t(Key::WalkIn)}</span> })}
                </p>
            })}
            {m.leave.as_ref().map(|r| request_state(r, Key::LeaveRequests))}
            {m.make_up.as_ref().map(|r| request_state(r, Key::MakeUpRequests))}
            {move || leave.value().get().and_then(|r| r.err()).map(|e| view! { <ErrorDetails error=e /> })}
            {m.may_ask_leave.then(|| view! {
                <details>
                    <summary>{t(Key::AskLeave)}</summary>
                    <ActionForm action=leave attr:class="stack">
                        <input type="hidden" name="session_id" value=session_id />
                        <label><span>{t(Key::LeaveReason)}</span><textarea name="reason" required maxlength="5000" rows="3"></textarea></label>
                        <button type="submit" class="primary" data-testid="ask-leave">{t(Key::AskLeave)}</button>
                    </ActionForm>
                </details>
            })}
            {m.may_make_up.then(|| view! {
                <p class="hint" data-testid="make-up-hint">{t(Key::MakeUpHint)} " " <a href="#material">{t(Key::GoToMaterial)}</a></p>
            })}
        </section>
    }.into_any())
}
