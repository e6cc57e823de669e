use leptos::prelude::*;

use crate::api::attendance::{
    CorrectionView, DecideCorrection, DecideRequest, LeaveLine, RequestView, request_queue,
};
use crate::components::layout::ErrorDetails;
use crate::domain::attendance::Decision;
use crate::i18n::{Key, leave_kind_key, session_when, t, tf, use_lang};

/// Organisers decide leave (请假) and make-up (补学) requests. A leave request that would
/// take the cadre's leave this year past the cap is flagged before anyone approves it.
#[component]
pub fn RequestsPage() -> impl IntoView {
    let decide = ServerAction::<DecideRequest>::new();
    let correct = ServerAction::<DecideCorrection>::new();
    let queue = Resource::new(
        move || (decide.version().get(), correct.version().get()),
        |_| request_queue(),
    );
    view! {
        <h1>{t(Key::RequestsTitle)}</h1>
        {move || decide.value().get().and_then(|r| r.err()).map(|e| view! { <ErrorDetails error=e /> })}
        {move || correct.value().get().and_then(|r| r.err()).map(|e| view! { <ErrorDetails error=e /> })}
        <Transition fallback=|| view! { <p class="muted">{t(Key::Loading)}</p> }>
            {move || Suspend::new(async move {
                let q = match queue.await {
                    Ok(q) => q,
                    Err(e) => return view! { <ErrorDetails error=e /> }.into_any(),
                };
                view! {
                    <section class="stack" data-testid="leave-requests">
                        <h2>{t(Key::LeaveRequests)}</h2>
                        <p class="hint">{t(Key::LeaveCapHint)} " " {q.cap.display()}</p>
                        {q.leave.is_empty().then(|| view! { <p class="muted">{t(Key::NothingPending)}</p> })}
                        {q.leave.into_iter().map(|l| leave_card(l, decide)).collect_view()}
                    </section>
                    <section class="stack" data-testid="make-up-requests">
                        <h2>{t(Key::MakeUpRequests)}</h2>
                        <p class="hint">{t(Key::MakeUpShareHint)} " " {q.make_up_share.display()}</p>
                        {q.make_ups.is_empty().then(|| view! { <p class="muted">{t(Key::NothingPending)}</p> })}
                        {q.make_ups.into_iter().map(|r| request_card(r, "make_up", None, decide)).collect_view()}
                    </section>
                    <section class="stack" data-testid="corrections">
                        <h2>{t(Key::Corrections)}</h2>
                        {q.corrections.is_empty().then(|| view! { <p class="muted">{t(Key::NothingPending)}</p> })}
                        {q.corrections.into_iter().map(|c| correction_card(c, correct)).collect_view()}
                    </section>
                }.into_any()
            })}
        </Transition>
    }
}

fn leave_card(l: LeaveLine, decide: ServerAction<DecideRequest>) -> impl IntoView {
    let cap = l.cap.display();
    let warn = view! {
        {(!l.counts).then(|| view! { <p class="muted small" data-testid="outside-cap">{t(Key::LeaveOutsideCap)}</p> })}
        {(l.counts && l.passes_cap).then(|| view! {
            <p class="error" role="note" data-testid="cap-warning">
                {tf(Key::LeaveCapWarning, [cap, l.load.approved.display(), l.load.scheduled.display()])}
            </p>
        })}
        {(l.duty.0 > 0).then(|| view! { <p class="muted small">{tf(Key::LeaveDutyHours, [l.duty.display()])}</p> })}
        {l.withdraws_from.map(|series| view! {
            <p class="error" role="note" data-testid="withdrawal-warning">{tf(Key::LeaveWithdrawsFrom, [series])}</p>
        })}
    }
    .into_any();
    request_card(l.request, "leave", Some(warn), decide)
}

fn request_card(
    r: RequestView,
    kind: &'static str,
    warn: Option<AnyView>,
    decide: ServerAction<DecideRequest>,
) -> impl IntoView {
    let lang = use_lang();
    let (a, id) = (r.starts_at, r.id);
    let pending = r.decision == Decision::Pending;
    let who = r.person.clone();
    let decision_key = match r.decision {
        Decision::Pending => Key::Pending,
        Decision::Approved => Key::Approved,
        Decision::Declined => Key::Declined,
    };
    let button = move |decision: &'static str, label: Key, class: &'static str| {
        view! {
            <ActionForm action=decide attr:class="inline">
                <input type="hidden" name="id" value=id />
                <input type="hidden" name="kind" value=kind />
                <input type="hidden" name="decision" value=decision />
                <button type="submit" class=class data-testid=format!("{decision}-{id}")>{t(label)}</button>
            </ActionForm>
        }
    };
    view! {
        <article class="card stack request" class:decided=!pending data-testid="request" data-person=who>
            <p>
                <strong>{r.person}</strong> <span class="muted">" " {r.community}</span>
                " · " <a href=format!("/sessions/{}", r.session_id)>{r.session_title}</a>
                " · " <span class="muted">{move || session_when(lang.get(), a, a)}</span>
                " · " {r.study_hours.display()} " " {t(Key::StudyHoursUnit)}
                {(kind == "leave").then(|| view! { " " <span class="chip" data-testid="leave-kind">{t(leave_kind_key(r.leave_kind))}</span> })}
                {r.after_the_fact.then(|| view! { " " <span class="chip">{t(Key::LeaveAfterTheFact)}</span> })}
                {r.group.then(|| view! { " " <span class="chip">{t(Key::LeaveGroup)}</span> })}
                {r.attachment.clone().map(|(href, name)| view! { " · " <a href=href target="_blank" rel="noopener" title=name>{t(Key::LeaveAttachmentLink)}</a> })}
            </p>
            <blockquote class="request-text">{r.text}</blockquote>
            {warn}
            {if pending {
                view! { <p class="row">{button("approved", Key::Approve, "primary")} {button("declined", Key::Decline, "")}</p> }.into_any()
            } else {
                view! { <p class="chip">{t(decision_key)}</p> }.into_any()
            }}
        </article>
    }
}

fn correction_card(c: CorrectionView, correct: ServerAction<DecideCorrection>) -> impl IntoView {
    let lang = use_lang();
    let (a, id) = (c.starts_at, c.id);
    let pending = c.decision == Decision::Pending;
    let who = c.person.clone();
    let decision_key = match c.decision {
        Decision::Pending => Key::Pending,
        Decision::Approved => Key::Approved,
        Decision::Declined => Key::Declined,
    };
    let button = move |decision: &'static str, label: Key, class: &'static str| {
        view! {
            <ActionForm action=correct attr:class="inline">
                <input type="hidden" name="id" value=id />
                <input type="hidden" name="decision" value=decision />
                <button type="submit" class=class data-testid=format!("correction-{decision}-{id}")>{t(label)}</button>
            </ActionForm>
        }
    };
    view! {
        <article class="card stack request" class:decided=!pending data-testid="correction-request" data-person=who>
            <p>
                <strong>{c.person}</strong> <span class="muted">" " {c.community}</span>
                " · " <a href=format!("/sessions/{}", c.session_id)>{c.title}</a>
                " · " <span class="muted">{move || session_when(lang.get(), a, a)}</span>
                {c.lecturer.map(|l| view! { " · " <span class="chip">{l} " " {t(if c.confirmed { Key::CorrectionConfirmed } else { Key::CorrectionWaitsLecturer })}</span> })}
            </p>
            <blockquote class="request-text">{c.reason}</blockquote>
            {if pending {
                view! { <p class="row">{button("approved", Key::Approve, "primary")} {button("declined", Key::Decline, "")}</p> }.into_any()
            } else {
                view! { <p class="chip">{t(decision_key)}</p> }.into_any()
            }}
        </article>
    }
}
