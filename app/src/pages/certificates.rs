//! 证书: a cadre's certificates and annual dossiers (PDF downloads, each with a QR code to
//! its verification), the organisers' list with revocation, and the public verification
//! page, which shows only the name, programme, year and hours and whether it was revoked.
use leptos::either::{Either, EitherOf3};
use leptos::prelude::*;
use leptos_router::hooks::{use_params_map, use_query_map};

use crate::api::certificates::{
    CertificateItem, IssueCertificates, RevokeCertificate, certificates_desk, certificates_of,
    verify_certificate,
};
use crate::components::layout::{ErrorNote, outcome};
use crate::domain::certificates::{CertificateKind, REASON_CHARS, Verdict};
use crate::i18n::{Key, moment, t, tf, use_lang};

fn kind_key(kind: CertificateKind) -> Key {
    match kind {
        CertificateKind::Series => Key::CertSeries,
        CertificateKind::Tier => Key::CertTier,
        CertificateKind::Dossier => Key::CertDossier,
    }
}

fn verdict_code(v: &Verdict) -> &'static str {
    match v {
        Verdict::Valid => "valid",
        Verdict::Revoked { .. } => "revoked",
        Verdict::Unknown => "unknown",
        Verdict::Malformed => "malformed",
    }
}

/// One certificate: what, for which programme and year, its hours and serial, the PDF, and
/// (for organisers) revocation.
#[component]
fn CertificateLine(c: CertificateItem, desk: bool, may_revoke: bool) -> impl IntoView {
    let lang = use_lang();
    let issued = c.issued_at;
    let revoked = c.revoked_at;
    let pdf = format!("/certificates/{}/pdf", c.serial);
    let verify = format!("/verify/{}", c.serial);
    view! {
        <li class="inbox-item" data-testid="certificate" data-serial=c.serial.clone()>
            <p class="inbox-subject">
                <span class="chip" data-testid="certificate-state">{t(if revoked.is_some() { Key::CertRevoked } else { Key::CertValid })}</span> " "
                <strong>{t(kind_key(c.kind))}</strong> " · " {c.programme.clone()} " · " {tf(Key::YearOf, [c.year.to_string()])}
            </p>
            <p class="small">
                {desk.then(|| format!("{}（{}） · ", c.name, c.community))}
                <strong data-testid="certificate-hours">{c.hours.display()}</strong> " " {t(Key::StudyHoursUnit)}
                " · " {t(Key::CertSerial)} " " <code data-testid="certificate-serial">{c.serial.clone()}</code>
                " · " <span class="muted">{move || moment(lang.get(), issued)}</span>
            </p>
            {revoked.map(|at| view! {
                <p class="small" data-testid="certificate-reason">
                    {move || tf(Key::CertRevokedOn, [moment(lang.get(), at)])} " " {c.reason.clone()}
                    {(!c.revoked_by.is_empty()).then(|| format!("（{}）", c.revoked_by))}
                </p>
            })}
            <p class="row wrap small">
                {revoked.is_none().then(|| view! {
                    <a href=pdf.clone() data-testid="certificate-pdf" download>{t(Key::CertDownload)}</a>
                })}
                <a href=verify>{t(Key::CertVerifyLink)}</a>
            </p>
            {(may_revoke && revoked.is_none()).then(|| view! { <RevokeForm id=c.id /> })}
        </li>
    }
}

#[component]
fn RevokeForm(id: i64) -> impl IntoView {
    let action = expect_context::<ServerAction<RevokeCertificate>>();
    view! {
        <details>
            <summary>{t(Key::CertRevoke)}</summary>
            <ActionForm action=action attr:class="row wrap" attr:data-testid="certificate-revoke">
                <input type="hidden" name="id" value=id />
                <input name="reason" required minlength=REASON_CHARS.start().to_string() maxlength=REASON_CHARS.end().to_string()
                    aria-label=t(Key::CertRevokeReason) placeholder=t(Key::CertRevokeReason) />
                <button type="submit" class="danger" data-testid="certificate-revoke-submit">{t(Key::CertRevoke)}</button>
            </ActionForm>
        </details>
    }
}

/// The annual dossier as PDF: issued (or the last one again) when asked for.
#[component]
fn DossierForm(year: i32, person: Option<i64>) -> impl IntoView {
    view! {
        <form method="post" action="/dossier.pdf" class="row wrap" data-testid="dossier-form">
            {person.map(|p| view! { <input type="hidden" name="person" value=p /> })}
            <label><span>{t(Key::CertDossierYear)}</span>
                <select name="year">
                    {(0..3).map(|back| {
                        let y = year - back;
                        view! { <option value=y selected=back == 0>{y}</option> }
                    }).collect_view()}
                </select>
            </label>
            <button type="submit" class="primary" data-testid="dossier-pdf">{t(Key::CertDossierDownload)}</button>
        </form>
    }
}

/// The caller's own certificates (or, with `?person=`, a cadre's for their organiser).
#[component]
pub fn CertificatesPage() -> impl IntoView {
    let query = use_query_map();
    let person = move || {
        query
            .read()
            .get("person")
            .and_then(|p| p.parse::<i64>().ok())
    };
    let action = ServerAction::<RevokeCertificate>::new();
    provide_context(action);
    let list = Resource::new(
        move || (person(), action.version().get()),
        |(person, _)| certificates_of(person),
    );
    view! {
        <h1>{t(Key::CertTitle)}</h1>
        <p class="hint">{t(Key::CertIntro)}</p>
        {move || match outcome(action) {
            Some(Ok(())) => Some(Either::Left(view! { <p class="ok" role="status">{t(Key::CertRevokedDone)}</p> })),
            Some(Err(e)) => Some(Either::Right(view! { <ErrorNote error=e /> })),
            None => None,
        }}
        <Suspense fallback=|| view! { <p class="muted">{t(Key::Loading)}</p> }>
            {move || Suspend::new(async move {
                match list.await {
                    Ok(l) => {
                        let asked = person();
                        let may_revoke = l.may_revoke;
                        Either::Left(view! {
                            <section class="card stack" data-testid="dossier">
                                <h2>{t(Key::CertDossierTitle)}</h2>
                                <p class="muted small">{t(Key::CertDossierHint)}</p>
                                <DossierForm year=l.year person=asked />
                            </section>
                            <section class="card stack" data-testid="certificates">
                                <h2>{t(Key::CertList)}</h2>
                                {l.items.is_empty().then(|| view! { <p class="muted">{t(Key::CertNone)}</p> })}
                                <ul class="inbox-list">
                                    {l.items.into_iter().map(|c| view! { <CertificateLine c desk=false may_revoke /> }).collect_view()}
                                </ul>
                            </section>
                        })
                    }
                    Err(e) => Either::Right(view! { <ErrorNote error=e /> }),
                }
            })}
        </Suspense>
    }
}

/// The organisers' list: the certificates of the cadres in their reach, by year and kind,
/// with revocation and "issue what was earned now".
#[component]
pub fn CertificateDeskPage() -> impl IntoView {
    let query = use_query_map();
    let year = move || query.read().get("year").and_then(|y| y.parse::<i32>().ok());
    let kind = move || query.read().get("kind").filter(|k| !k.is_empty());
    let revoke = ServerAction::<RevokeCertificate>::new();
    provide_context(revoke);
    let issue = ServerAction::<IssueCertificates>::new();
    let list = Resource::new(
        move || {
            (
                year(),
                kind(),
                revoke.version().get(),
                issue.version().get(),
            )
        },
        |(year, kind, _, _)| certificates_desk(year, kind),
    );
    view! {
        <section class="card stack" data-testid="certificate-desk">
            <h1>{t(Key::CertDeskTitle)}</h1>
            <p class="hint">{t(Key::CertDeskHint)}</p>
            <ActionForm action=issue attr:class="inline">
                <button type="submit" data-testid="certificates-issue">{t(Key::CertIssueNow)}</button>
            </ActionForm>
            // The page is plain HTML (no island): the form posts and comes back, and the
            // server marks the success in the address.
            {move || match outcome(issue) {
                Some(Ok(())) => Some(Either::Left(view! { <p class="ok" role="status" data-testid="certificates-issued">{t(Key::CertIssued)}</p> })),
                Some(Err(e)) => Some(Either::Right(view! { <ErrorNote error=e /> })),
                None => None,
            }}
            {move || match outcome(revoke) {
                Some(Ok(())) => Some(Either::Left(view! { <p class="ok" role="status">{t(Key::CertRevokedDone)}</p> })),
                Some(Err(e)) => Some(Either::Right(view! { <ErrorNote error=e /> })),
                None => None,
            }}
            <form method="get" class="row wrap">
                <label><span>{t(Key::CertYear)}</span><input name="year" inputmode="numeric" size="6" value=move || year().map(|y| y.to_string()).unwrap_or_default() /></label>
                <label><span>{t(Key::CertKind)}</span>
                    <select name="kind">
                        <option value="">{t(Key::CertAllKinds)}</option>
                        {CertificateKind::ALL.into_iter().map(|k| view! {
                            <option value=k.as_str() selected=move || kind().as_deref() == Some(k.as_str())>{t(kind_key(k))}</option>
                        }).collect_view()}
                    </select>
                </label>
                <button type="submit">{t(Key::CertFilter)}</button>
            </form>
            <Suspense fallback=|| view! { <p class="muted">{t(Key::Loading)}</p> }>
                {move || Suspend::new(async move {
                    match list.await {
                        Ok(d) => Either::Left(view! {
                            {d.items.is_empty().then(|| view! { <p class="muted">{t(Key::CertNone)}</p> })}
                            {d.limited.then(|| view! { <p class="muted small">{t(Key::CertLimited)}</p> })}
                            <ul class="inbox-list">
                                {d.items.into_iter().map(|c| view! { <CertificateLine c desk=true may_revoke=true /> }).collect_view()}
                            </ul>
                        }),
                        Err(e) => Either::Right(view! { <ErrorNote error=e /> }),
                    }
                })}
            </Suspense>
        </section>
    }
}

/// The public verification page (`/verify/{serial}`, or `/verify?serial=` from its form):
/// no sign-in, and nothing beyond what the certificate itself says.
#[component]
pub fn VerifyPage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let serial = move || {
        params
            .read()
            .get("serial")
            .or_else(|| query.read().get("serial"))
            .filter(|s| !s.trim().is_empty())
    };
    let found = Resource::new(serial, |serial| async move {
        match serial {
            Some(s) => verify_certificate(s).await.map(Some),
            None => Ok(None),
        }
    });
    let lang = use_lang();
    view! {
        <section class="card stack narrow" data-testid="verify">
            <h1>{t(Key::VerifyTitle)}</h1>
            <form method="get" action="/verify" class="row wrap">
                <label><span>{t(Key::CertSerial)}</span>
                    <input name="serial" required maxlength="40" autocomplete="off" placeholder="YX-2026-XXXX-XXXX-XX" value=move || serial().unwrap_or_default() />
                </label>
                <button type="submit" class="primary">{t(Key::VerifySubmit)}</button>
            </form>
            <Suspense fallback=|| view! { <p class="muted">{t(Key::Loading)}</p> }>
                {move || Suspend::new(async move {
                    match found.await {
                        Ok(None) => EitherOf3::A(view! { <p class="muted">{t(Key::VerifyHint)}</p> }),
                        Ok(Some(v)) => {
                            let (class, key) = match &v.verdict {
                                Verdict::Valid => ("ok", Key::VerifyValid),
                                Verdict::Revoked { .. } => ("error", Key::VerifyRevoked),
                                Verdict::Unknown => ("error", Key::VerifyUnknown),
                                Verdict::Malformed => ("error", Key::VerifyMalformed),
                            };
                            let revoked_at = match v.verdict {
                                Verdict::Revoked { at } => Some(crate::domain::Timestamp(at)),
                                _ => None,
                            };
                            let shown = matches!(v.verdict, Verdict::Valid | Verdict::Revoked { .. });
                            EitherOf3::B(view! {
                                <p class=class role="status" data-testid="verify-verdict" data-verdict=verdict_code(&v.verdict)>
                                    <strong>{t(key)}</strong>
                                    {revoked_at.map(|at| view! { " " {move || tf(Key::CertRevokedOn, [moment(lang.get(), at)])} })}
                                </p>
                                {shown.then(|| view! {
                                    <dl class="facts" data-testid="verify-facts">
                                        <dt>{t(Key::CertSerial)}</dt><dd><code>{v.serial.clone()}</code></dd>
                                        <dt>{t(Key::VerifyName)}</dt><dd data-testid="verify-name">{v.name.clone()}</dd>
                                        <dt>{t(Key::VerifyProgramme)}</dt><dd data-testid="verify-programme">{v.kind.map(|k| t(kind_key(k)))} " · " {v.programme.clone()}</dd>
                                        <dt>{t(Key::CertYear)}</dt><dd data-testid="verify-year">{v.year}</dd>
                                        <dt>{t(Key::MeasureHours)}</dt><dd data-testid="verify-hours">{v.hours.display()}</dd>
                                    </dl>
                                })}
                            })
                        }
                        Err(e) => EitherOf3::C(view! { <ErrorNote error=e /> }),
                    }
                })}
            </Suspense>
            <p class="muted small">{t(Key::VerifyPrivacy)}</p>
        </section>
    }
}
