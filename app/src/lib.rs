//! Night School (夜校): the cadre night school's app, rendered on the server and hydrated
//! in the browser from the same crate.
#![recursion_limit = "256"]

pub mod api;
pub mod components;
pub mod domain;
pub mod error;
pub mod i18n;
pub mod pages;
#[cfg(feature = "ssr")]
pub mod ssr;

use leptos::prelude::*;
use leptos_meta::{MetaTags, Stylesheet, Title, provide_meta_context};
use leptos_router::components::{Route, Router, Routes};
use leptos_router::{SsrMode, path};

use crate::api::auth::me;
use crate::components::layout::TopBar;
use crate::i18n::{Key, initial_lang, provide_i18n};
use crate::pages::{
    accounts::AccountsPage, cadre_home::CadreHome, calendar::CalendarPage, feed::FeedPage,
    lecturer_home::LecturerHome, login::LoginPage, not_found::NotFound,
    organiser_home::OrganiserHome, password::PasswordPage, planner::EditSessionPage,
    planner::PlannerPage, session::SessionPage, sessions::SessionsPage, settings::SettingsPage,
};
use crate::pages::{
    attendance::AttendancePage, checkin::CheckinCodePage, checkin::CheckinDonePage,
    checkin::CheckinTokenPage, door::DoorPage, reports::HistoryPage, reports::ReportsPage,
    requests::RequestsPage,
};
use crate::pages::{
    district::DistrictPage, organisation::OrganisationPage, programme::ProgrammePage,
    programme_import::ImportPage, programme_tiers::ProgrammeTiersPage, progress::ProgressPage,
};
use crate::pages::{
    material_edit::MaterialEditPage, material_history::MaterialHistoryPage,
    reflections::ReflectionsPage, review::ReviewPage, search::SearchPage,
};

/// The whole HTML document. `<html lang>` follows the language cookie.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    let lang = initial_lang();
    // Only a page with an island loads the WASM (`domain::islands`), and, where the
    // release built it, only its own group's bundle.
    let path = page_path();
    let islands = path.as_deref().is_none_or(domain::islands::on_page);
    let mut options = options;
    if let Some(bundle) = path.as_deref().and_then(domain::islands::bundle)
        && bundle_built(&options, bundle)
    {
        options.output_name = bundle.output_name(&options.output_name).into();
    }
    view! {
        <!DOCTYPE html>
        <html lang=lang.code()>
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <meta name="theme-color" content="#b3261e" />
                <link rel="icon" href="/favicon.svg" type="image/svg+xml" />
                <AutoReload options=options.clone() />
                {islands.then(|| view! { <HydrationScripts options islands=true /> })}
                <MetaTags />
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

/// Whether the release build made `bundle`'s own WASM (`scripts/build-release`); looked up
/// once per bundle, as the files do not change under a running server.
fn bundle_built(
    #[allow(unused_variables)] options: &LeptosOptions,
    #[allow(unused_variables)] bundle: domain::islands::Bundle,
) -> bool {
    #[cfg(feature = "ssr")]
    {
        use std::sync::OnceLock;
        static BUILT: OnceLock<Vec<domain::islands::Bundle>> = OnceLock::new();
        BUILT
            .get_or_init(|| {
                let pkg = std::path::Path::new(&*options.site_root).join(&*options.site_pkg_dir);
                domain::islands::Bundle::ALL
                    .into_iter()
                    .filter(|b| {
                        let name = b.output_name(&options.output_name);
                        pkg.join(format!("{name}.wasm")).is_file()
                            && pkg.join(format!("{name}.js")).is_file()
                    })
                    .collect()
            })
            .contains(&bundle)
    }
    #[cfg(not(feature = "ssr"))]
    {
        false
    }
}

/// The path of the page being rendered (on the server).
fn page_path() -> Option<String> {
    #[cfg(feature = "ssr")]
    {
        use_context::<http::request::Parts>().map(|p| p.uri.path().to_string())
    }
    #[cfg(not(feature = "ssr"))]
    {
        None
    }
}

use api::auth::MeResource;

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    let lang = initial_lang();
    provide_i18n(lang);
    let me: MeResource = Resource::new(|| (), |_| me());
    provide_context(me);
    // A plain string, not a signal: leptos_axum reads the title after the page's reactive
    // owner may already be gone, and reading a disposed signal there panicked the worker
    // (seen under load). The language switch retitles the document in the browser.
    let title = Key::AppName.text(lang);
    view! {
        <Stylesheet id="leptos" href="/pkg/nightschool.css" />
        <Title text=title />
        <Router>
            <TopBar />
            <main class="page">
                <Routes fallback=NotFound>
                    <Route path=path!("/login") view=LoginPage ssr=SsrMode::Async />
                    <Route path=path!("/me") view=CadreHome ssr=SsrMode::Async />
                    <Route path=path!("/lecturer") view=LecturerHome ssr=SsrMode::Async />
                    <Route path=path!("/organiser") view=OrganiserHome ssr=SsrMode::Async />
                    <Route path=path!("/organiser/sessions/new") view=PlannerPage ssr=SsrMode::Async />
                    <Route path=path!("/organiser/sessions/:id/edit") view=EditSessionPage ssr=SsrMode::Async />
                    <Route path=path!("/organiser/settings") view=SettingsPage ssr=SsrMode::Async />
                    <Route path=path!("/organiser/sessions/:id/door") view=DoorPage ssr=SsrMode::Async />
                    <Route path=path!("/organiser/sessions/:id/attendance") view=AttendancePage ssr=SsrMode::Async />
                    <Route path=path!("/organiser/requests") view=RequestsPage ssr=SsrMode::Async />
                    <Route path=path!("/organiser/reports") view=ReportsPage ssr=SsrMode::Async />
                    <Route path=path!("/history") view=HistoryPage ssr=SsrMode::Async />
                    <Route path=path!("/progress") view=ProgressPage ssr=SsrMode::Async />
                    <Route path=path!("/organiser/programme") view=ProgrammePage ssr=SsrMode::Async />
                    <Route path=path!("/organiser/district") view=DistrictPage ssr=SsrMode::Async />
                    <Route path=path!("/admin/organisation") view=OrganisationPage ssr=SsrMode::Async />
                    <Route path=path!("/organiser/programme/tiers") view=ProgrammeTiersPage ssr=SsrMode::Async />
                    <Route path=path!("/organiser/programme/import") view=ImportPage ssr=SsrMode::Async />
                    <Route path=path!("/checkin") view=CheckinCodePage ssr=SsrMode::Async />
                    <Route path=path!("/checkin/done") view=CheckinDonePage ssr=SsrMode::Async />
                    <Route path=path!("/c/:token") view=CheckinTokenPage ssr=SsrMode::Async />
                    <Route path=path!("/sessions") view=SessionsPage ssr=SsrMode::Async />
                    <Route path=path!("/sessions/:id") view=SessionPage ssr=SsrMode::Async />
                    <Route path=path!("/sessions/:id/material/edit") view=MaterialEditPage ssr=SsrMode::Async />
                    <Route path=path!("/sessions/:id/material/history") view=MaterialHistoryPage ssr=SsrMode::Async />
                    <Route path=path!("/sessions/:id/reflections") view=ReflectionsPage ssr=SsrMode::Async />
                    <Route path=path!("/review") view=ReviewPage ssr=SsrMode::Async />
                    <Route path=path!("/search") view=SearchPage ssr=SsrMode::Async />
                    <Route path=path!("/calendar") view=CalendarPage ssr=SsrMode::Async />
                    <Route path=path!("/account/calendar") view=FeedPage ssr=SsrMode::Async />
                    <Route path=path!("/inbox") view=crate::pages::inbox::InboxPage ssr=SsrMode::Async />
                    <Route path=path!("/privacy") view=crate::pages::privacy::PrivacyPage />
                    <Route path=path!("/announcements") view=crate::pages::announcements::AnnouncementsPage ssr=SsrMode::Async />
                    <Route path=path!("/announcements/new") view=crate::pages::announcements::NewAnnouncementPage ssr=SsrMode::Async />
                    <Route path=path!("/announcements/:id") view=crate::pages::announcements::AnnouncementPage ssr=SsrMode::Async />
                    <Route path=path!("/claims") view=crate::pages::claims::ClaimsPage ssr=SsrMode::Async />
                    <Route path=path!("/organiser/claims") view=crate::pages::claims::ClaimsDeskPage ssr=SsrMode::Async />
                    <Route path=path!("/certificates") view=crate::pages::certificates::CertificatesPage ssr=SsrMode::Async />
                    <Route path=path!("/organiser/certificates") view=crate::pages::certificates::CertificateDeskPage ssr=SsrMode::Async />
                    <Route path=path!("/verify") view=crate::pages::certificates::VerifyPage ssr=SsrMode::Async />
                    <Route path=path!("/verify/:serial") view=crate::pages::certificates::VerifyPage ssr=SsrMode::Async />
                    <Route path=path!("/organiser/lecturers") view=crate::pages::lecturers::LecturerPoolPage ssr=SsrMode::Async />
                    <Route path=path!("/suggestions") view=crate::pages::suggestions::SuggestionsPage ssr=SsrMode::Async />
                    <Route path=path!("/suggestions/:id") view=crate::pages::suggestions::SuggestionPage ssr=SsrMode::Async />
                    <Route path=path!("/account/messages") view=crate::pages::inbox::MessageSettingsPage ssr=SsrMode::Async />
                    <Route path=path!("/admin/accounts") view=AccountsPage ssr=SsrMode::Async />
                    <Route path=path!("/admin/audit") view=crate::pages::audit::AuditPage ssr=SsrMode::Async />
                    <Route path=path!("/admin/backup") view=crate::pages::backup::BackupPage ssr=SsrMode::Async />
                    <Route path=path!("/account/password") view=PasswordPage ssr=SsrMode::Async />
                    <Route path=path!("/account/totp") view=crate::pages::second_factor::SecondFactorPage ssr=SsrMode::Async />
                    <Route path=path!("/login/totp") view=crate::pages::second_factor::LoginCodePage />
                </Routes>
            </main>
        </Router>
    }
}

#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    // Pages are plain HTML from the server; only the islands (`#[island]`) come alive here.
    // Each island's owner is a child of this root, so they all share the page's language.
    leptos::mount::hydrate_islands();
    provide_i18n(initial_lang());
    // The islands are hydrated right after this returns, in one run of promise callbacks;
    // a zero timeout fires after them. Lets browser tests (and curious people) see that
    // the page is live.
    set_timeout(
        || {
            if let Some(body) = document().body() {
                let _ = body.set_attribute("data-hydrated", "true");
            }
        },
        std::time::Duration::ZERO,
    );
}
