use std::time::Duration;

use leptos::either::{Either, EitherOf3};
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

use crate::api::attendance::{BoardData, DoorState, door_board};
use crate::components::layout::ErrorNote;
use crate::error::AppError;
use crate::i18n::{Key, session_when, t, use_lang};

/// Seconds between two looks at the database; the QR code turns over every 20 s.
const POLL: Duration = Duration::from_secs(3);

/// The projector at the door: a large rotating QR code with its six-digit fallback, the
/// live count and who has not arrived yet, by community. It reads the database on every
/// refresh, so any app server can show it.
#[component]
pub fn DoorPage() -> impl IntoView {
    let params = use_params_map();
    let id = params
        .read_untracked()
        .get("id")
        .and_then(|v| v.parse::<i64>().ok());
    view! {
        <noscript><meta http-equiv="refresh" content="15" /></noscript>
        <DoorBoard id />
    }
}

/// The live part of the door page: the one island the projector runs, refreshing the
/// board every few seconds.
#[cfg_attr(any(not(feature = "split"), feature = "bundle-door"), island)]
#[cfg_attr(all(feature = "split", not(feature = "bundle-door")), component)]
fn DoorBoard(id: Option<i64>) -> impl IntoView {
    let tick = RwSignal::new(0u64);
    // Effects run only in the browser: the timer starts after hydration.
    Effect::new(move |_| {
        if let Ok(handle) = set_interval_with_handle(move || tick.update(|t| *t += 1), POLL) {
            on_cleanup(move || handle.clear());
        }
    });
    let board = Resource::new(
        move || (id, tick.get()),
        |(id, _)| async move {
            match id {
                Some(id) => door_board(id).await,
                None => Err(AppError::NotFound),
            }
        },
    );
    view! {
        <Transition fallback=|| view! { <p class="muted">{t(Key::Loading)}</p> }>
            {move || Suspend::new(async move {
                match board.await {
                    Ok(b) => Either::Left(board_view(b)),
                    Err(e) => Either::Right(view! { <h1>{t(Key::DoorTitle)}</h1><ErrorNote error=e /> }),
                }
            })}
        </Transition>
    }
}

fn board_view(b: BoardData) -> impl IntoView {
    let lang = use_lang();
    let s = b.session;
    let (starts_at, ends_at) = (s.starts_at, s.ends_at);
    let when = move || session_when(lang.get(), starts_at, ends_at);
    let state_note = match b.state {
        DoorState::Open => None,
        DoorState::NotYet(at) => Some(EitherOf3::A(
            view! { <p class="note" role="status">{t(Key::DoorNotYet)} " " {at.hh_mm()}</p> },
        )),
        DoorState::Over => Some(EitherOf3::B(
            view! { <p class="note" role="status">{t(Key::DoorOver)}</p> },
        )),
        DoorState::Cancelled => Some(EitherOf3::C(
            view! { <p class="error" role="status">{t(Key::Cancelled)}</p> },
        )),
    };
    let c = b.counts;
    let id = s.id;
    let unnamed = !b.missing.is_empty() && b.missing.iter().all(|g| g.names.is_empty());
    view! {
        <article class="door" data-testid="door">
            <header class="door-head">
                <h1>{s.title}</h1>
                <p class="when">{when} {(!s.place.is_empty()).then(|| format!(" · {}", s.place))}</p>
                {state_note}
            </header>
            <div class="door-grid">
                <section class="door-qr">
                    <div class="qr" inner_html=b.qr_svg aria-label=t(Key::DoorScan) role="img" />
                    <p class="door-code">{t(Key::DoorCode)} " " <strong data-testid="door-code">{crate::domain::attendance::spaced_code(&b.code)}</strong></p>
                    <p class="muted small">{t(Key::DoorRotates)} " " {b.seconds_left} " s"</p>
                    <p class="muted small door-link"><a href=b.link.clone() data-testid="door-link" rel="external">{b.link.clone()}</a></p>
                </section>
                <section class="door-live" aria-live="polite">
                    <p class="door-count">
                        <strong data-testid="door-count">{c.checked_in()}</strong>
                        <span>" / " {c.expected}</span>
                    </p>
                    <p class="chips">
                        <span class="chip">{t(Key::StatusLate)} " " <span data-testid="door-late">{c.late}</span></span>
                        <span class="chip">{t(Key::StatusExcused)} " " {c.excused}</span>
                        <span class="chip">{t(Key::WalkIns)} " " <span data-testid="door-walk-ins">{b.walk_ins}</span></span>
                        {(b.awaiting > 0).then(|| view! { <span class="chip warn">{t(Key::WalkInsAwaiting)} " " <span data-testid="door-awaiting">{b.awaiting}</span></span> })}
                        <span class="chip" class:warn={b.wrong_codes > 0}>{t(Key::WrongCodes)} " " <span data-testid="door-wrong-codes">{b.wrong_codes}</span></span>
                    </p>
                    <ol class="recent">
                        {b.recent.into_iter().map(|a| view! {
                            <li class:late=a.status == crate::domain::schedule::AttendanceStatus::Late>
                                {a.name} " " <span class="muted">{a.at.hh_mm()}</span>
                                {(a.status == crate::domain::schedule::AttendanceStatus::Late).then(|| view! { " " <span class="chip late">{t(Key::StatusLate)}</span> })}
                                {a.walk_in.then(|| view! { " " <span class="chip">{t(Key::WalkIn)}</span> })}
                            </li>
                        }).collect_view()}
                    </ol>
                </section>
            </div>
            <section class="door-missing" data-testid="door-missing">
                <h2>{t(Key::NotYetArrived)} " (" {c.not_yet() + c.absent} ")"</h2>
                {unnamed.then(|| view! { <p class="muted">{t(Key::DoorMissingMany)}</p> })}
                {b.missing.into_iter().map(|g| view! {
                    <div class="group">
                        <h3>{if g.community.is_empty() { "—".to_string() } else { g.community }} " · " {g.count}</h3>
                        {(!g.names.is_empty()).then(|| view! { <p>{g.names.join("、")}</p> })}
                    </div>
                }).collect_view()}
            </section>
            <p class="actions no-print">
                <a class="button" href=format!("/organiser/sessions/{id}/attendance")>{t(Key::AttendanceSheet)}</a>
            </p>
        </article>
    }
}
