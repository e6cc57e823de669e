use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use crate::api::auth::sign_in_options;
use crate::domain::files::percent_encode;
use crate::i18n::{Key, t};

fn error_key(code: &str) -> Key {
    match code {
        "locked" => Key::ErrLocked,
        "disabled" => Key::ErrDisabled,
        "unavailable" => Key::ErrUnavailable,
        "expired" => Key::ErrLoginExpired,
        "oidc_failed" => Key::ErrOidcFailed,
        "oidc_unknown" => Key::ErrOidcUnknown,
        "oidc_unavailable" => Key::ErrOidcUnavailable,
        _ => Key::ErrBadCredentials,
    }
}

/// A plain form posted to `/auth/login`: one tap on a phone, with or without JavaScript.
#[component]
pub fn LoginPage() -> impl IntoView {
    let query = use_query_map();
    let param = move |name: &'static str| query.read().get(name).unwrap_or_default();
    let error = move || {
        let code = param("error");
        (!code.is_empty()).then(|| {
            view! { <p class="error" role="alert" data-testid="login-error">{t(error_key(&code))}</p> }
        })
    };
    let options = Resource::new(|| (), |_| sign_in_options());
    // The district's identity provider, when configured: one tap, then its own page.
    let provider = move || {
        options.get().and_then(Result::ok).filter(|o| o.identity_provider).map(|o| {
            let href = move || match param("next") {
                next if next.is_empty() => "/auth/oidc/start".to_string(),
                next => format!("/auth/oidc/start?next={}", percent_encode(&next)),
            };
            let label = o.label.clone();
            view! {
                <a class="button primary block" href=href rel="external" data-testid="login-oidc">
                    {move || label.clone().unwrap_or_else(|| t(Key::LoginOidc)().to_string())}
                </a>
                <p class="or muted">{t(Key::LoginOrPassword)}</p>
            }
        })
    };
    view! {
        <section class="card narrow login">
            <h1>{t(Key::LoginTitle)}</h1>
            <p class="muted">{t(Key::LoginIntro)}</p>
            {error}
            <Suspense fallback=|| ()>{provider}</Suspense>
            <form method="post" action="/auth/login" class="stack">
                <label>
                    <span>{t(Key::Username)}</span>
                    <input name="username" autocomplete="username" autocapitalize="none" required value=move || param("username") />
                </label>
                <label>
                    <span>{t(Key::Password)}</span>
                    <input name="password" type="password" autocomplete="current-password" required />
                </label>
                <label class="check">
                    <input name="remember" type="checkbox" />
                    <span>{t(Key::RememberMe)}</span>
                </label>
                <p class="hint">{t(Key::RememberMeHint)}</p>
                <input type="hidden" name="next" value=move || param("next") />
                <button type="submit" class="primary">{t(Key::Login)}</button>
            </form>
            <p class="small"><a href="/privacy" data-testid="privacy-link">{t(Key::PrivacyLink)}</a></p>
        </section>
    }
}
