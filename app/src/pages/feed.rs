use leptos::either::Either;
use leptos::prelude::*;

use crate::api::feeds::{
    RenewCalendarFeed, RevokeCalendarFeed, SetCalendarAlarm, calendar_alarm, calendar_feed,
};
use crate::components::layout::{ErrorNote, outcome};
use crate::domain::ical::{ALARM_CHOICES, DEFAULT_ALARM_MINUTES};
use crate::i18n::{Key, t, use_lang};

/// A person's private calendar-feed address: make it, make a new one, or turn it off; and
/// the reminder its events (and every session's download) carry.
#[component]
pub fn FeedPage() -> impl IntoView {
    view! {
        <FeedPanel />
        <AlarmForm />
    }
}

/// The reminder before each session, as the phone's calendar gives it: a plain form (no
/// script), rendered on the server.
#[component]
fn AlarmForm() -> impl IntoView {
    let set = ServerAction::<SetCalendarAlarm>::new();
    let chosen = Resource::new(move || set.version().get(), |_| calendar_alarm());
    let result = move || outcome(set);
    view! {
        <section class="card stack" data-testid="feed-alarm">
            <h2>{t(Key::AlarmTitle)}</h2>
            <p class="hint">{t(Key::AlarmHint)}</p>
            {move || match result() {
                Some(Ok(())) => Some(Either::Left(view! { <p class="ok" role="status">{t(Key::AlarmSaved)}</p> })),
                Some(Err(e)) => Some(Either::Right(view! { <ErrorNote error=e /> })),
                None => None,
            }}
            <Suspense fallback=|| view! { <p class="muted">{t(Key::Loading)}</p> }>
                {move || Suspend::new(async move {
                    match chosen.await {
                        Ok(minutes) => Either::Left(view! {
                            <ActionForm action=set attr:class="row">
                                <label>
                                    <span>{t(Key::AlarmLabel)}</span>
                                    <select name="minutes" data-testid="alarm-minutes">
                                        {ALARM_CHOICES.into_iter().map(|m| view! {
                                            <option value=m selected=m == minutes>{alarm_label(m)}</option>
                                        }).collect_view()}
                                    </select>
                                </label>
                                <button type="submit" data-testid="alarm-save">{t(Key::Save)}</button>
                            </ActionForm>
                        }),
                        Err(e) => Either::Right(view! { <ErrorNote error=e /> }),
                    }
                })}
            </Suspense>
        </section>
    }
}

/// "提前 2 小时（默认）", "不提醒" …
fn alarm_label(minutes: i64) -> impl Fn() -> String + Send + Sync + 'static {
    let lang = use_lang();
    move || {
        let lang = lang.get();
        let label = match minutes {
            0 => Key::AlarmNone.text(lang).to_string(),
            m if m % 1440 == 0 => Key::AlarmDaysBefore.fill(lang, &[(m / 1440).to_string()]),
            m if m % 60 == 0 => Key::AlarmHoursBefore.fill(lang, &[(m / 60).to_string()]),
            m => Key::AlarmMinutesBefore.fill(lang, &[m.to_string()]),
        };
        if minutes == DEFAULT_ALARM_MINUTES {
            label + Key::AlarmDefault.text(lang)
        } else {
            label
        }
    }
}

/// An island: the address is shown once, in the answer that made it (the page is never
/// rendered with it, so it stays out of caches and history).
#[cfg_attr(any(not(feature = "split"), feature = "bundle-account"), island)]
#[cfg_attr(all(feature = "split", not(feature = "bundle-account")), component)]
fn FeedPanel() -> impl IntoView {
    let renew = ServerAction::<RenewCalendarFeed>::new();
    let revoke = ServerAction::<RevokeCalendarFeed>::new();
    let status = Resource::new(
        move || (renew.version().get(), revoke.version().get()),
        |_| calendar_feed(),
    );
    // The address exists only in the answer that made it; turning the feed off hides it.
    let shown = RwSignal::new(None::<String>);
    Effect::new(move |_| {
        if let Some(Ok(s)) = renew.value().get() {
            shown.set(s.path);
        }
    });
    Effect::new(move |_| {
        if revoke.version().get() > 0 {
            shown.set(None);
        }
    });
    let origin = move || {
        #[cfg(feature = "hydrate")]
        {
            window().location().origin().unwrap_or_default()
        }
        #[cfg(not(feature = "hydrate"))]
        {
            String::new()
        }
    };
    view! {
        <h1>{t(Key::FeedTitle)}</h1>
        <p>{t(Key::FeedIntro)}</p>
        {move || renew.value().get().and_then(|r| r.err()).map(|e| view! { <ErrorNote error=e /> })}
        {move || revoke.value().get().and_then(|r| r.err()).map(|e| view! { <ErrorNote error=e /> })}
        {move || shown.get().map(|path| {
            let url = format!("{}{}", origin(), path);
            let webcal = url.replacen("https://", "webcal://", 1).replacen("http://", "webcal://", 1);
            view! {
                <div class="card stack" data-testid="feed-address">
                    <p class="ok">{t(Key::FeedShownOnce)}</p>
                    <input readonly class="copy" value=url data-path=path.clone() aria-label=t(Key::FeedTitle) />
                    <a class="button" href=webcal rel="external">{t(Key::FeedSubscribe)}</a>
                </div>
            }
        })}
        <Suspense fallback=|| view! { <p class="muted">{t(Key::Loading)}</p> }>
            {move || Suspend::new(async move {
                match status.await {
                    Ok(s) => Either::Left(view! {
                        <div class="card stack" data-testid="feed-status">
                            {match s.since {
                                Some(at) => Either::Left(view! { <p>{t(Key::FeedSince)} {at.local_date().format("%Y-%m-%d").to_string()} " " {at.hh_mm()}</p> }),
                                None => Either::Right(view! { <p class="muted">{t(Key::FeedNone)}</p> }),
                            }}
                            <ActionForm action=renew>
                                <button type="submit" class="primary" data-testid="feed-make">
                                    {t(if s.since.is_some() { Key::FeedRenew } else { Key::FeedMake })}
                                </button>
                            </ActionForm>
                            {s.since.is_some().then(|| view! {
                                <ActionForm action=revoke>
                                    <button type="submit" class="danger" data-testid="feed-revoke">{t(Key::FeedRevoke)}</button>
                                </ActionForm>
                            })}
                        </div>
                    }),
                    Err(e) => Either::Right(view! { <ErrorNote error=e /> }),
                }
            })}
        </Suspense>
    }
}
