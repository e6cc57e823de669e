use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_location;

use crate::api::auth::MeResource;
use crate::domain::Home;
use crate::error::AppError;
use crate::i18n::{Key, Lang, t, use_lang};

/// The bar on every page: the school's name, the signed-in person's homes, the language
/// switch and sign-out.
#[component]
pub fn TopBar() -> impl IntoView {
    let me = expect_context::<MeResource>();
    view! {
        <header class="topbar">
            <a class="brand" href="/" rel="external">
                <span class="brand-mark" aria-hidden="true">"夜"</span>
                <span>{t(Key::AppName)}</span>
            </a>
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    me.await.ok().flatten().map(|me| {
                        let homes = me.roles.homes();
                        view! {
                            <nav class="nav" aria-label=t(Key::Menu)>
                                {homes.into_iter().map(|h| view! { <A href=h.path()>{t(home_label(h))}</A> }).collect_view()}
                                {me.roles.sees_sessions().then(|| view! {
                                    <A href="/sessions">{t(Key::NavSessions)}</A>
                                    <A href="/calendar">{t(Key::NavCalendar)}</A>
                                    <A href="/account/calendar">{t(Key::NavFeed)}</A>
                                })}
                                {me.roles.has(crate::domain::Role::Cadre).then(|| view! {
                                    <A href="/checkin">{t(Key::CheckIn)}</A>
                                    <A href="/history">{t(Key::NavMyAttendance)}</A>
                                    <A href="/review">{t(Key::NavReview)}</A>
                                    <A href="/progress">{t(Key::NavProgress)}</A>
                                })}
                                {me.roles.has(crate::domain::Role::Organiser).then(|| view! {
                                    <A href="/organiser/requests">{t(Key::NavRequests)}</A>
                                    <A href="/organiser/reports">{t(Key::NavReports)}</A>
                                    <A href="/organiser/programme">{t(Key::NavProgramme)}</A>
                                })}
                                {me.schedules.then(|| view! {
                                    <A href="/organiser/district">{t(Key::NavDistrict)}</A>
                                    <A href="/organiser/settings">{t(Key::NavSettings)}</A>
                                })}
                                {me.roles.sees_sessions().then(|| view! { <A href="/search">{t(Key::NavSearch)}</A> })}
                                <A href="/account/password">{t(Key::NavPassword)}</A>
                            </nav>
                            <span class="who">{me.display_name.clone()}</span>
                            <form method="post" action="/auth/logout" class="inline">
                                <button type="submit" class="link-button">{t(Key::Logout)}</button>
                            </form>
                        }
                    })
                })}
            </Suspense>
            <LanguageSwitch />
        </header>
    }
}

fn home_label(home: Home) -> Key {
    match home {
        Home::Cadre => Key::NavMyTimetable,
        Home::Lecturer => Key::NavLecturer,
        Home::Organiser => Key::NavOrganiser,
        Home::Accounts => Key::NavAccounts,
    }
}

/// A form that works without JavaScript (the server sets the cookie and redirects back);
/// once hydrated it switches in place without a reload.
#[component]
pub fn LanguageSwitch() -> impl IntoView {
    let lang = use_lang();
    let location = use_location();
    let next = move || {
        let search = location.search.get();
        if search.is_empty() {
            location.pathname.get()
        } else {
            format!("{}?{}", location.pathname.get(), search)
        }
    };
    Effect::new(move |_| remember_language(lang.get()));
    let switch = move |ev: SubmitEvent| {
        ev.prevent_default();
        lang.update(|l| *l = l.other());
    };
    view! {
        <form method="post" action="/lang" class="lang-switch inline" on:submit=switch>
            <input type="hidden" name="lang" value=move || lang.get().other().code() />
            <input type="hidden" name="next" value=next />
            <button type="submit" lang=move || lang.get().other().code() title=t(Key::SwitchLanguageLabel) data-testid="lang-switch">
                {t(Key::SwitchLanguage)}
            </button>
        </form>
    }
}

/// Keeps `<html lang>` and the cookie in step with a switch made in the browser.
#[allow(unused_variables)]
fn remember_language(lang: Lang) {
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::JsCast;
        let doc = document();
        if let Some(root) = doc.document_element() {
            let _ = root.set_attribute("lang", lang.code());
        }
        doc.set_title(Key::AppName.text(lang));
        if let Ok(html) = doc.dyn_into::<web_sys::HtmlDocument>() {
            let cookie = format!(
                "{}={}; Path=/; Max-Age=31536000; SameSite=Lax",
                crate::i18n::LANG_COOKIE,
                lang.code()
            );
            let _ = html.set_cookie(&cookie);
        }
    }
}

/// An error from a server function, in the user's language.
#[component]
pub fn ErrorNote(error: AppError) -> impl IntoView {
    let key = error.label();
    view! { <p class="error" role="alert">{t(key)}</p> }
}

/// An error with each of a form's problems spelled out, for short forms that have no room
/// for a note beside every field.
#[component]
pub fn ErrorDetails(error: AppError) -> impl IntoView {
    match error {
        AppError::Form(problems) => view! {
            <div class="error" role="alert">
                {problems.into_iter().map(|p| view! { <p>{t(p.label())}</p> }).collect_view()}
            </div>
        }
        .into_any(),
        other => view! { <ErrorNote error=other /> }.into_any(),
    }
}
