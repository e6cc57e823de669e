use leptos::either::Either;
use leptos::prelude::*;

use crate::api::feeds::{RenewCalendarFeed, RevokeCalendarFeed, calendar_feed};
use crate::components::layout::ErrorNote;
use crate::i18n::{Key, t};

/// A person's private calendar-feed address: make it, make a new one, or turn it off.
#[component]
pub fn FeedPage() -> impl IntoView {
    view! { <FeedPanel /> }
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
