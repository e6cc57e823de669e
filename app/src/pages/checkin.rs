use leptos::prelude::*;
use leptos_router::hooks::{use_params_map, use_query_map};

use crate::api::attendance::{CheckinView, checkin_preview, checkin_result, open_doors};
use crate::components::layout::ErrorNote;
use crate::domain::attendance::DoorOutcome;
use crate::i18n::{Key, session_when, t, tf, use_lang};

/// Where the QR code leads: the session, and one button that checks in. The button is a
/// plain form, so it works with JavaScript off and on the weakest phone.
#[component]
pub fn CheckinTokenPage() -> impl IntoView {
    let params = use_params_map();
    let token = move || params.read().get("token").unwrap_or_default();
    let preview = Resource::new(token, checkin_preview);
    view! {
        <Suspense fallback=|| view! { <p class="muted">{t(Key::Loading)}</p> }>
            {move || Suspend::new(async move {
                match preview.await {
                    Ok(v) => checkin_card(v, Some(token())).into_any(),
                    Err(e) => view! { <h1>{t(Key::CheckIn)}</h1><ErrorNote error=e /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// The fallback at the door: pick tonight's session and type the eight digits shown under
/// its QR code. The code is checked against that session only.
#[component]
pub fn CheckinCodePage() -> impl IntoView {
    let doors = Resource::new(|| (), |_| open_doors());
    view! {
        <section class="card stack checkin" data-testid="checkin-code">
            <h1>{t(Key::CheckIn)}</h1>
            <p>{t(Key::TypeCodeHint)}</p>
            <Suspense fallback=|| view! { <p class="muted">{t(Key::Loading)}</p> }>
                {move || Suspend::new(async move {
                    match doors.await {
                        Ok(doors) if doors.is_empty() => view! { <p class="note" data-testid="no-open-door">{t(Key::NoOpenDoor)}</p> }.into_any(),
                        Ok(doors) => {
                            let only = doors.len() == 1;
                            view! {
                                <form method="post" action="/door/checkin" class="stack">
                                    <fieldset class="stack">
                                        <legend>{t(Key::WhichSession)}</legend>
                                        {doors.into_iter().map(|d| {
                                            let at = d.starts_at;
                                            view! {
                                                <label class="check">
                                                    <input type="radio" name="session" value=d.id checked=only required />
                                                    <span>{d.title} <span class="muted small">" " {move || at.hh_mm()} {(!d.place.is_empty()).then(|| format!(" · {}", d.place))}</span></span>
                                                </label>
                                            }
                                        }).collect_view()}
                                    </fieldset>
                                    <label><span>{t(Key::DoorCode)}</span>
                                        <input name="code" inputmode="numeric" autocomplete="one-time-code" pattern="[0-9 \\-]{8,10}" maxlength="10" required class="code-input" />
                                    </label>
                                    <button type="submit" class="primary big">{t(Key::CheckIn)}</button>
                                </form>
                            }.into_any()
                        }
                        Err(e) => view! { <ErrorNote error=e /> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}

/// After the tap: what happened, and the record as it now stands.
#[component]
pub fn CheckinDonePage() -> impl IntoView {
    let query = use_query_map();
    let args = move || {
        let q = query.read();
        (
            q.get("session").and_then(|s| s.parse::<i64>().ok()),
            q.get("outcome").unwrap_or_default(),
        )
    };
    let result = Resource::new(args, |(session, outcome)| checkin_result(session, outcome));
    view! {
        <Suspense fallback=|| view! { <p class="muted">{t(Key::Loading)}</p> }>
            {move || Suspend::new(async move {
                match result.await {
                    Ok(v) => checkin_card(v, None).into_any(),
                    Err(e) => view! { <h1>{t(Key::CheckIn)}</h1><ErrorNote error=e /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

fn outcome_text(o: DoorOutcome) -> Key {
    match o {
        DoorOutcome::Ready => Key::CheckinReady,
        DoorOutcome::Recorded => Key::CheckinRecorded,
        DoorOutcome::WalkIn => Key::CheckinWalkIn,
        DoorOutcome::Already => Key::CheckinAlready,
        DoorOutcome::Forged => Key::CheckinForged,
        DoorOutcome::Expired => Key::CheckinExpired,
        DoorOutcome::WrongCode => Key::CheckinWrongCode,
        DoorOutcome::NotYet => Key::CheckinNotYet,
        DoorOutcome::Over => Key::CheckinOver,
        DoorOutcome::Cancelled => Key::CheckinCancelled,
        DoorOutcome::NotCadre => Key::CheckinNotCadre,
        DoorOutcome::TooManyTries => Key::CheckinTooManyTries,
        DoorOutcome::AwaitingConfirmation => Key::CheckinAwaiting,
        DoorOutcome::ChooseSession => Key::CheckinChooseSession,
    }
}

fn checkin_card(v: CheckinView, token: Option<String>) -> impl IntoView {
    let lang = use_lang();
    let outcome = v.outcome;
    let good = outcome.checked_in()
        || matches!(
            outcome,
            DoorOutcome::Ready | DoorOutcome::AwaitingConfirmation
        );
    let session = v.session.map(|s| {
        let (a, b) = (s.starts_at, s.ends_at);
        let opens = s.rules.opens_at(a);
        view! {
            <h1>{s.title}</h1>
            <p class="when">{move || session_when(lang.get(), a, b)} {(!s.place.is_empty()).then(|| format!(" · {}", s.place))}</p>
            {(outcome == DoorOutcome::NotYet).then(|| view! { <p class="muted">{tf(Key::CheckinOpensAt, [opens.hh_mm()])}</p> })}
        }
    });
    let record = v.status.filter(|_| outcome != DoorOutcome::Ready).map(|status| {
        view! {
            <p class="record" data-testid="checkin-status">
                <span class="chip status" class:late=status == crate::domain::schedule::AttendanceStatus::Late>{t(status.label())}</span>
                {v.checked_in_at.map(|at| view! { " " <span class="muted">{at.hh_mm()}</span> })}
                {v.walk_in.then(|| view! { " " <span class="chip">{t(Key::WalkIn)}</span> })}
            </p>
        }
    });
    let retry = matches!(
        outcome,
        DoorOutcome::Expired
            | DoorOutcome::WrongCode
            | DoorOutcome::Forged
            | DoorOutcome::ChooseSession
    );
    view! {
        <section class="card stack checkin" data-testid="checkin" data-outcome=outcome.as_str()>
            {session}
            <p class=if good { "ok big-note" } else { "error big-note" } role="status" data-testid="checkin-message">{t(outcome_text(outcome))}</p>
            {record}
            {(outcome == DoorOutcome::Ready).then(|| view! {
                <form method="post" action="/door/checkin">
                    <input type="hidden" name="token" value=token.clone().unwrap_or_default() />
                    <button type="submit" class="primary big" data-testid="checkin-button">{t(Key::CheckInNow)}</button>
                </form>
            })}
            {retry.then(|| view! { <p><a class="button" href="/checkin">{t(Key::TypeCodeInstead)}</a></p> })}
        </section>
    }
}
