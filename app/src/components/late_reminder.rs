use leptos::either::Either;
use leptos::prelude::*;

use crate::api::inbox::{SetLateReminder, late_reminder};
use crate::components::layout::ErrorNote;
use crate::i18n::{Key, t};

/// The organiser's switch for one session's reminder to those not checked in: a plain
/// form, rendered on the server.
#[component]
pub fn LateReminderPanel(session_id: i64) -> impl IntoView {
    let set = ServerAction::<SetLateReminder>::new();
    let on = Resource::new(
        move || set.version().get(),
        move |_| late_reminder(session_id),
    );
    view! {
        <section class="card stack" data-testid="late-reminder">
            <h2>{t(Key::LateReminderTitle)}</h2>
            <p class="hint">{t(Key::LateReminderHint)}</p>
            {move || set.value().get().and_then(|r| r.err()).map(|e| view! { <ErrorNote error=e /> })}
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    match on.await {
                        Ok(on) => Either::Left(view! {
                            <p data-testid="late-reminder-state">{if on { t(Key::LateReminderOn) } else { t(Key::LateReminderOff) }}</p>
                            <ActionForm action=set attr:class="inline">
                                <input type="hidden" name="id" value=session_id />
                                <input type="hidden" name="on" value=if on { "0" } else { "1" } />
                                <button type="submit" data-testid="late-reminder-switch">
                                    {if on { t(Key::LateReminderSwitchOff) } else { t(Key::LateReminderSwitchOn) }}
                                </button>
                            </ActionForm>
                        }),
                        Err(e) => Either::Right(view! { <ErrorNote error=e /> }),
                    }
                })}
            </Suspense>
        </section>
    }
}
