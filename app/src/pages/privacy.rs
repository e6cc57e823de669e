use leptos::prelude::*;

use crate::i18n::{Key, t};

/// 隐私说明: which personal data Night School keeps, why, who sees it and for how long, and
/// what it never collects. Public: readable before signing in.
#[component]
pub fn PrivacyPage() -> impl IntoView {
    let rows = [
        (
            Key::PrivacyIdentity,
            Key::PrivacyIdentityWhy,
            Key::PrivacyIdentityWho,
        ),
        (
            Key::PrivacyPhone,
            Key::PrivacyPhoneWhy,
            Key::PrivacyPhoneWho,
        ),
        (
            Key::PrivacyEmail,
            Key::PrivacyEmailWhy,
            Key::PrivacyEmailWho,
        ),
        (
            Key::PrivacyAttendance,
            Key::PrivacyAttendanceWhy,
            Key::PrivacyAttendanceWho,
        ),
        (
            Key::PrivacyRequests,
            Key::PrivacyRequestsWhy,
            Key::PrivacyRequestsWho,
        ),
        (
            Key::PrivacyClaims,
            Key::PrivacyClaimsWhy,
            Key::PrivacyClaimsWho,
        ),
        (
            Key::PrivacyEvaluations,
            Key::PrivacyEvaluationsWhy,
            Key::PrivacyEvaluationsWho,
        ),
        (
            Key::PrivacyCertificates,
            Key::PrivacyCertificatesWhy,
            Key::PrivacyCertificatesWho,
        ),
        (
            Key::PrivacyMessages,
            Key::PrivacyMessagesWhy,
            Key::PrivacyMessagesWho,
        ),
        (
            Key::PrivacySuggestions,
            Key::PrivacySuggestionsWhy,
            Key::PrivacySuggestionsWho,
        ),
        (
            Key::PrivacyLogins,
            Key::PrivacyLoginsWhy,
            Key::PrivacyLoginsWho,
        ),
    ];
    view! {
        <article class="card stack" data-testid="privacy">
            <h1>{t(Key::PrivacyTitle)}</h1>
            <p>{t(Key::PrivacyIntro)}</p>
            <table class="table">
                <thead><tr><th>{t(Key::PrivacyWhat)}</th><th>{t(Key::PrivacyWhy)}</th><th>{t(Key::PrivacyWho)}</th></tr></thead>
                <tbody>
                    {rows.into_iter().map(|(what, why, who)| view! {
                        <tr><td>{t(what)}</td><td>{t(why)}</td><td>{t(who)}</td></tr>
                    }).collect_view()}
                </tbody>
            </table>
            <h2>{t(Key::PrivacyNeverTitle)}</h2>
            <p>{t(Key::PrivacyNever)}</p>
            <h2>{t(Key::PrivacyKeepTitle)}</h2>
            <p>{t(Key::PrivacyKeep)}</p>
        </article>
    }
}
