use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use crate::api::attendance::{MyRecord, RequestView, my_attendance};
use crate::domain::attendance::Decision;
use crate::domain::leave::LeaveKind;
use crate::i18n::{Key, leave_kind_key, moment, t, tf, use_lang};

/// A cadre's own attendance on a session's page: their status, the leave request (before
/// the start, or after the fact within the days allowed, with its kind and an optional
/// attachment) or the make-up reflection (after missing it, or when duty leave opened it).
#[component]
pub fn MyAttendancePanel(session_id: i64) -> impl IntoView {
    let mine = Resource::new(|| (), move |_| my_attendance(session_id));
    let query = use_query_map();
    let asked = move || query.read().get("leave").unwrap_or_default();
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                mine.await.ok().map(|m| panel(session_id, m, asked()))
            })}
        </Suspense>
        <CorrectionPanel session_id />
    }
}

/// 补签: a cadre who came but could not check in asks within the days allowed, naming a
/// lecturer to confirm if they like; shown once asked, with where it stands.
#[component]
fn CorrectionPanel(session_id: i64) -> impl IntoView {
    use crate::api::attendance::{AskCorrection, my_correction};
    use crate::components::layout::{ErrorDetails, outcome};
    let ask = ServerAction::<AskCorrection>::new();
    let chance = Resource::new(
        move || ask.version().get(),
        move |_| my_correction(session_id),
    );
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                let c = chance.await.ok()?;
                if !c.may_ask && c.mine.is_none() {
                    return None;
                }
                Some(view! {
                    <section class="card stack" data-testid="correction">
                        <h2>{t(Key::Corrections)}</h2>
                        {move || match outcome(ask) {
                            Some(Ok(())) => Some(view! { <p class="ok" role="status">{t(Key::CorrectionAsked)}</p> }.into_any()),
                            Some(Err(e)) => Some(view! { <ErrorDetails error=e /> }.into_any()),
                            None => None,
                        }}
                        {c.mine.map(|m| {
                            let decision = match m.decision {
                                Decision::Pending => Key::Pending,
                                Decision::Approved => Key::Approved,
                                Decision::Declined => Key::Declined,
                            };
                            view! {
                                <p data-testid="my-correction">
                                    <span class="chip">{t(decision)}</span>
                                    {m.lecturer.is_some().then(|| view! { " " <span class="chip">{t(if m.confirmed { Key::CorrectionConfirmed } else { Key::CorrectionWaitsLecturer })}</span> })}
                                </p>
                                <blockquote class="request-text">{m.reason}</blockquote>
                            }
                        })}
                        {c.may_ask.then(|| view! {
                            <details>
                                <summary>{t(Key::CorrectionAsk)}</summary>
                                <p class="hint">{tf(Key::CorrectionHint, [c.days.to_string(), c.left.to_string()])}</p>
                                <ActionForm action=ask attr:class="stack">
                                    <input type="hidden" name="session_id" value=session_id />
                                    <label><span>{t(Key::CorrectionReason)}</span><textarea name="reason" required minlength="2" maxlength="500" rows="2"></textarea></label>
                                    {(!c.lecturers.is_empty()).then(|| view! {
                                        <label><span>{t(Key::CorrectionLecturer)}</span>
                                            <select name="lecturer_id">
                                                <option value="">{t(Key::CorrectionNoLecturer)}</option>
                                                {c.lecturers.into_iter().map(|(id, name)| view! { <option value=id>{name}</option> }).collect_view()}
                                            </select>
                                        </label>
                                    })}
                                    <button type="submit" class="primary" data-testid="ask-correction">{t(Key::CorrectionAsk)}</button>
                                </ActionForm>
                            </details>
                        })}
                    </section>
                })
            })}
        </Suspense>
    }
}

/// What the leave form's answer says, from `?leave=`.
fn answer(code: &str) -> Option<(bool, Key)> {
    match code {
        "" => None,
        "asked" => Some((true, Key::LeaveAsked)),
        "reason" => Some((false, Key::LeaveRefusedReason)),
        "already" => Some((false, Key::LeaveRefusedAlready)),
        "closed" => Some((false, Key::LeaveRefusedClosed)),
        _ => Some((false, Key::LeaveRefusedFile)),
    }
}

fn request_state(r: &RequestView, label: Key) -> impl IntoView + use<> {
    let lang = use_lang();
    let decision = match r.decision {
        Decision::Pending => Key::Pending,
        Decision::Approved => Key::Approved,
        Decision::Declined => Key::Declined,
    };
    let is_leave = label == Key::LeaveRequests;
    let due = r.make_up_due.filter(|_| r.decision == Decision::Approved);
    view! {
        <p data-testid="my-request">
            {t(label)} " · " <span class="chip">{t(decision)}</span>
            {is_leave.then(|| view! { " " <span class="chip" data-testid="leave-kind">{t(leave_kind_key(r.leave_kind))}</span> })}
            {r.after_the_fact.then(|| view! { " " <span class="chip">{t(Key::LeaveAfterTheFact)}</span> })}
            {r.group.then(|| view! { " " <span class="chip">{t(Key::LeaveGroup)}</span> })}
            {r.attachment.clone().map(|(href, _)| view! { " · " <a href=href target="_blank" rel="noopener">{t(Key::LeaveAttachmentLink)}</a> })}
        </p>
        <blockquote class="request-text">{r.text.clone()}</blockquote>
        {due.map(|d| view! { <p class="hint" data-testid="make-up-due">{move || tf(Key::MakeUpOpenUntil, [moment(lang.get(), d)])}</p> })}
    }
}

fn panel(session_id: i64, m: MyRecord, asked: String) -> Option<AnyView> {
    let lang = use_lang();
    let answer = answer(&asked);
    let nothing = m.status.is_none()
        && !m.may_ask_leave
        && !m.may_make_up
        && m.leave.is_none()
        && m.make_up.is_none()
        && answer.is_none();
    if nothing {
        return None;
    }
    let until = m.after_the_fact_until;
    Some(view! {
        <section class="card stack my-attendance" id="my-attendance" data-testid="my-attendance">
            <h2>{t(Key::MyAttendance)}</h2>
            {answer.map(|(ok, key)| if ok {
                view! { <p class="ok" role="status" data-testid="leave-answer">{t(key)}</p> }.into_any()
            } else {
                view! { <p class="error" role="alert" data-testid="leave-answer">{t(key)}</p> }.into_any()
            })}
            {m.status.map(|s| view! {
                <p data-testid="my-status">
                    <span class="chip status" class:late=s == crate::domain::schedule::AttendanceStatus::Late>{t(s.label())}</span>
                    {m.checked_in_at.filter(|_| s.attended()).map(|at| view! { " " <span class="muted">{at.hh_mm()}</span> })}
                    {m.walk_in.then(|| view! { " " <span class="chip">{t(Key::WalkIn)}</span> })}
                </p>
            })}
            {m.leave.as_ref().map(|r| request_state(r, Key::LeaveRequests))}
            {m.make_up.as_ref().map(|r| request_state(r, Key::MakeUpRequests))}
            {m.may_ask_leave.then(|| view! {
                <details open=until.is_some()>
                    <summary>{t(Key::AskLeave)}</summary>
                    {until.map(|u| view! { <p class="hint" data-testid="leave-after">{move || tf(Key::LeaveAfterTheFactHint, [moment(lang.get(), u)])}</p> })}
                    <form method="post" enctype="multipart/form-data" action=format!("/sessions/{session_id}/leave") class="stack">
                        <label><span>{t(Key::LeaveKindLabel)}</span>
                            <select name="kind">
                                {LeaveKind::ALL.into_iter().map(|k| view! { <option value=k.as_str()>{t(leave_kind_key(k))}</option> }).collect_view()}
                            </select>
                        </label>
                        <label><span>{t(Key::LeaveReason)}</span><textarea name="reason" required minlength="2" maxlength="5000" rows="3"></textarea></label>
                        <label><span>{t(Key::LeaveAttachment)}</span><input type="file" name="attachment" accept="image/*,application/pdf" /></label>
                        <button type="submit" class="primary" data-testid="ask-leave">{t(Key::AskLeave)}</button>
                    </form>
                </details>
            })}
            {m.may_make_up.then(|| view! {
                <p class="hint" data-testid="make-up-hint">{t(Key::MakeUpHint)} " " <a href="#material">{t(Key::GoToMaterial)}</a></p>
            })}
        </section>
    }.into_any())
}
