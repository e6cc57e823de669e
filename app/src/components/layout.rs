use leptos::either::Either;
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_location;

use crate::api::auth::MeResource;
use crate::domain::Home;
use crate::error::AppError;
use crate::i18n::{Key, t, use_lang};

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
                                    <A href="/claims">{t(Key::NavClaims)}</A>
                                    <A href="/certificates">{t(Key::NavCertificates)}</A>
                                })}
                                {me.roles.has(crate::domain::Role::Organiser).then(|| view! {
                                    <A href="/organiser/requests">{t(Key::NavRequests)}</A>
                                    <A href="/organiser/reports">{t(Key::NavReports)}</A>
                                    <A href="/organiser/programme">{t(Key::NavProgramme)}</A>
                                    <A href="/organiser/claims">{t(Key::NavClaimsDesk)}</A>
                                    <A href="/organiser/certificates">{t(Key::NavCertificateDesk)}</A>
                                    <A href="/organiser/lecturers">{t(Key::NavLecturerPool)}</A>
                                })}
                                {me.schedules.then(|| view! {
                                    <A href="/organiser/district">{t(Key::NavDistrict)}</A>
                                    <A href="/organiser/settings">{t(Key::NavSettings)}</A>
                                })}
                                {me.roles.sees_sessions().then(|| view! { <A href="/search">{t(Key::NavSearch)}</A> })}
                                <A href="/announcements">{t(Key::NavAnnouncements)}</A>
                                <A href="/suggestions">{t(Key::NavSuggestions)}</A>
                                <A href="/account/password">{t(Key::NavPassword)}</A>
                            </nav>
                            <InboxLink unread=me.unread />
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

/// The bar's way to the inbox, with the number of unread notices.
#[component]
fn InboxLink(unread: i64) -> impl IntoView {
    let lang = use_lang();
    let label = move || {
        let lang = lang.get();
        if unread > 0 {
            format!(
                "{}（{}）",
                Key::NavInbox.text(lang),
                Key::InboxUnread.fill(lang, &[unread.to_string()])
            )
        } else {
            Key::NavInbox.text(lang).to_string()
        }
    };
    view! {
        <a class="inbox-link" href="/inbox" aria-label=label data-testid="inbox-link">
            <span aria-hidden="true">{t(Key::NavInbox)}</span>
            {(unread > 0).then(|| view! {
                <span class="badge" aria-hidden="true" data-testid="inbox-unread">{unread.min(99)}{(unread > 99).then_some("+")}</span>
            })}
        </a>
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

/// The language switch: a plain form (the server sets the cookie and sends the person back
/// to the same address, now in the other language). Works with or without JavaScript.
#[component]
pub fn LanguageSwitch() -> impl IntoView {
    let lang = use_lang().get_untracked();
    let location = use_location();
    let search = crate::domain::posted::unmarked(&location.search.get_untracked());
    let next = if search.is_empty() {
        location.pathname.get_untracked()
    } else {
        format!("{}?{}", location.pathname.get_untracked(), search)
    };
    view! {
        <form method="post" action="/lang" class="lang-switch inline">
            <input type="hidden" name="lang" value=lang.other().code() />
            <input type="hidden" name="next" value=next />
            <button type="submit" lang=lang.other().code() title=t(Key::SwitchLanguageLabel) data-testid="lang-switch">
                {t(Key::SwitchLanguage)}
            </button>
        </form>
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
        AppError::Form(problems) => Either::Left(view! {
            <div class="error" role="alert">
                {problems.into_iter().map(|p| view! { <p>{t(p.label())}</p> }).collect_view()}
            </div>
        }),
        other => Either::Right(view! { <ErrorNote error=other /> }),
    }
}

/// What became of a form's latest post: the action's answer when an island posted it, or,
/// when the page is rendered again after a plain form post, the error leptos put in the
/// address or the success mark the server put there (`ssr::guard::mark_plain_posts`).
pub fn outcome<S>(action: ServerAction<S>) -> Option<Result<(), AppError>>
where
    S: leptos::server_fn::ServerFn<Error = AppError> + Clone + Send + Sync + 'static,
    S::Output: Clone + Send + Sync + 'static,
{
    match action.value().get() {
        Some(r) => Some(r.map(|_| ())),
        None => posted_ok(S::PATH).then_some(Ok(())),
    }
}

/// Whether a plain form post to the server function at `fn_path` has just succeeded.
pub fn posted_ok(#[allow(unused_variables)] fn_path: &str) -> bool {
    #[cfg(feature = "ssr")]
    {
        crate::ssr::guard::posted_ok(fn_path)
    }
    #[cfg(not(feature = "ssr"))]
    {
        false
    }
}

/// Opens the browser's print dialog (the print styles leave the controls out). An island:
/// the page's security policy allows no inline script.
#[cfg_attr(any(not(feature = "split"), feature = "bundle-door"), island)]
#[cfg_attr(all(feature = "split", not(feature = "bundle-door")), component)]
pub fn PrintButton() -> impl IntoView {
    let print = move |_| {
        #[cfg(feature = "hydrate")]
        {
            let _ = window().print();
        }
    };
    view! { <button type="button" on:click=print>{t(Key::Print)}</button> }
}
