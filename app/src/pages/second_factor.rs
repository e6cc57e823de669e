use leptos::either::{Either, EitherOf3};
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use crate::api::second_factor::{TotpBegin, TotpConfirm, TotpDisable, TotpRecovery, totp_status};
use crate::components::layout::ErrorNote;
use crate::i18n::{Key, t};
use crate::pages::accounts::latest_error;

/// The code step of a login: a plain form (works without JavaScript) posted to
/// `/auth/totp`, for a six-digit code or a recovery code.
#[component]
pub fn LoginCodePage() -> impl IntoView {
    let query = use_query_map();
    let param = move |name: &'static str| query.read().get(name).unwrap_or_default();
    let error = move || {
        let key = match param("error").as_str() {
            "" => return None,
            "locked" => Key::ErrTooManyTries,
            "unavailable" => Key::ErrUnavailable,
            _ => Key::ErrWrongCode,
        };
        Some(view! { <p class="error" role="alert" data-testid="code-error">{t(key)}</p> })
    };
    view! {
        <section class="card narrow login">
            <h1>{t(Key::CodeTitle)}</h1>
            <p class="muted">{t(Key::CodeIntro)}</p>
            {error}
            <form method="post" action="/auth/totp" class="stack">
                <label>
                    <span>{t(Key::CodeLabel)}</span>
                    <input name="code" inputmode="numeric" autocomplete="one-time-code" autocapitalize="none" required autofocus data-testid="code-input" />
                </label>
                <p class="hint">{t(Key::CodeRecoveryHint)}</p>
                <input type="hidden" name="next" value=move || param("next") />
                {move || (!param("remember").is_empty()).then(|| view! { <input type="hidden" name="remember" value="1" /> })}
                <button type="submit" class="primary">{t(Key::Login)}</button>
            </form>
            <form method="post" action="/auth/logout"><button type="submit" class="link">{t(Key::CodeStartOver)}</button></form>
        </section>
    }
}

/// Shows recovery codes once, with what to do with them.
#[component]
fn RecoveryCodes(codes: Vec<String>) -> impl IntoView {
    view! {
        <div class="card stack" data-testid="recovery-codes">
            <p class="ok" role="status">{t(Key::RecoveryCodesIntro)}</p>
            <ul class="codes">
                {codes.into_iter().map(|c| view! { <li><code data-testid="recovery-code">{c}</code></li> }).collect_view()}
            </ul>
        </div>
    }
}

/// 两步验证: set up with an authenticator app (scan or type the key, then a first code),
/// recovery codes, and turning it off when the account's roles do not ask for it.
#[component]
pub fn SecondFactorPage() -> impl IntoView {
    let required = use_query_map().with_untracked(|q| q.get("required").is_some());
    view! { <FactorPanel required /> }
}

/// An island: the key, the recovery codes and the steps between them exist only in the
/// answers that made them.
#[cfg_attr(any(not(feature = "split"), feature = "bundle-account"), island)]
#[cfg_attr(all(feature = "split", not(feature = "bundle-account")), component)]
fn FactorPanel(required: bool) -> impl IntoView {
    let required_now = move || required;
    let begin = ServerAction::<TotpBegin>::new();
    let confirm = ServerAction::<TotpConfirm>::new();
    let renew = ServerAction::<TotpRecovery>::new();
    let disable = ServerAction::<TotpDisable>::new();
    let status = Resource::new(
        move || (confirm.version().get(), disable.version().get()),
        |_| totp_status(),
    );
    let errors = (
        latest_error(begin),
        latest_error(confirm),
        latest_error(renew),
        latest_error(disable),
    );
    let error = move || {
        errors.0()
            .or_else(errors.1)
            .or_else(errors.2)
            .or_else(errors.3)
    };
    let shown_codes = move || {
        confirm
            .value()
            .get()
            .and_then(Result::ok)
            .or_else(|| renew.value().get().and_then(Result::ok))
    };
    view! {
        <section class="card narrow stack" data-testid="second-factor">
            <h1>{t(Key::FactorTitle)}</h1>
            {move || (required_now() && shown_codes().is_none()).then(|| view! { <p class="note" role="status" data-testid="factor-required">{t(Key::FactorRequired)}</p> })}
            <p class="muted">{t(Key::FactorIntro)}</p>
            {move || error().map(|e| view! { <ErrorNote error=e /> })}
            {move || shown_codes().map(|codes| view! {
                <RecoveryCodes codes=codes />
                <p><a class="button primary" href="/" rel="external" data-testid="factor-continue">{t(Key::FactorContinue)}</a></p>
            })}
            <Suspense fallback=|| view! { <p class="muted">{t(Key::Loading)}</p> }>
                {move || Suspend::new(async move {
                    match status.await {
                        Err(e) => EitherOf3::A(view! { <ErrorNote error=e /> }),
                        Ok(s) if s.enabled => EitherOf3::B(view! {
                            <p class="ok" data-testid="factor-on">{t(Key::FactorOn)}" "{t(Key::FactorCodesLeft)}" "<strong>{s.codes_left}</strong></p>
                            <h2>{t(Key::RecoveryRenew)}</h2>
                            <ActionForm action=renew attr:class="row wrap">
                                <label><span>{t(Key::CodeLabel)}</span><input name="code" inputmode="numeric" autocomplete="one-time-code" required /></label>
                                <button type="submit">{t(Key::RecoveryRenew)}</button>
                            </ActionForm>
                            {(!s.required).then(|| view! {
                                <h2>{t(Key::FactorOff)}</h2>
                                <ActionForm action=disable attr:class="row wrap">
                                    <label><span>{t(Key::CodeLabel)}</span><input name="code" inputmode="numeric" autocomplete="one-time-code" required /></label>
                                    <button type="submit" class="danger">{t(Key::FactorOff)}</button>
                                </ActionForm>
                            })}
                        }),
                        Ok(_) => EitherOf3::C(view! {
                            {move || match begin.value().get() {
                                Some(Ok(e)) => Either::Left(view! {
                                    <ol class="stack">
                                        <li>{t(Key::FactorScan)}
                                            <div class="qr" inner_html=e.qr_svg.clone() role="img" aria-label=t(Key::FactorScan) />
                                            <p class="hint">{t(Key::FactorTypeKey)}" "<code data-testid="totp-secret">{e.secret.clone()}</code></p>
                                        </li>
                                        <li>
                                            <ActionForm action=confirm attr:class="row wrap">
                                                <label><span>{t(Key::FactorFirstCode)}</span><input name="code" inputmode="numeric" autocomplete="one-time-code" required data-testid="factor-code" /></label>
                                                <button type="submit" class="primary" data-testid="factor-confirm">{t(Key::FactorConfirm)}</button>
                                            </ActionForm>
                                        </li>
                                    </ol>
                                }),
                                _ => Either::Right(view! {
                                    <ActionForm action=begin>
                                        <button type="submit" class="primary" data-testid="factor-begin">{t(Key::FactorBegin)}</button>
                                    </ActionForm>
                                }),
                            }}
                        }),
                    }
                })}
            </Suspense>
        </section>
    }
}
