//! 外部学时申报: the cadre's claims and the form to file one (a plain multipart form that
//! works without the script), and the organisers' page to approve or decline them.
use leptos::either::Either;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use crate::api::claims::{
    ClaimItem, DecideClaim, SaveConversion, claims_desk, conversion_table, my_claims,
};
use crate::components::layout::{ErrorNote, outcome};
use crate::domain::claims::{
    CONVERSION_NAME_CHARS, ClaimForm, ClaimMode, Conversion, Elsewhere, MAX_UNITS, NAME_CHARS,
};
use crate::domain::session_draft::FieldProblem;
use crate::i18n::{Key, moment, t, tf, use_lang};

fn state_key(state: &str) -> Key {
    match state {
        "approved" => Key::ClaimApproved,
        "declined" => Key::ClaimDeclined,
        _ => Key::ClaimPending,
    }
}

/// What came back from a refused filing: the problem in words, and what was typed.
fn refused_note(code: &str, left: Option<String>) -> Option<(Key, Option<String>)> {
    let key = match code {
        "" => return None,
        "form" => Key::ClaimRefusedForm,
        "too_large" => Key::UpTooLarge,
        "not_a_certificate" | "not_allowed" | "name_mismatch" => Key::ClaimNotACertificate,
        "not_counted" => Key::ClaimNotCounted,
        "over_cap" => Key::ClaimOverCap,
        _ => Key::ClaimNoCertificate,
    };
    Some((key, left))
}

/// A value the filing handler put in the query as JSON. Pages are rendered on the server
/// only (islands are the browser's part), so the browser build never needs to read it.
fn decode<T: serde::de::DeserializeOwned + Default>(raw: &str) -> T {
    #[cfg(feature = "ssr")]
    {
        serde_json::from_str(raw).unwrap_or_default()
    }
    #[cfg(not(feature = "ssr"))]
    {
        let _ = raw;
        T::default()
    }
}

#[component]
pub fn ClaimsPage() -> impl IntoView {
    let query = use_query_map();
    let data = Resource::new(|| (), |_| my_claims());
    let lang = use_lang();
    let typed = move || {
        query
            .read()
            .get("form")
            .map(|f| decode::<ClaimForm>(&f))
            .unwrap_or_default()
    };
    let problems = move || {
        query
            .read()
            .get("problems")
            .map(|p| decode::<Vec<FieldProblem>>(&p))
            .unwrap_or_default()
    };
    let refused = move || {
        let q = query.read();
        refused_note(&q.get("refused").unwrap_or_default(), q.get("left"))
    };
    let filed = move || query.read().get("filed").is_some();
    view! {
        <Suspense fallback=|| view! { <p class="muted">{t(Key::Loading)}</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(d) => {
                        let form = typed();
                        let rule = d.rule;
                        let rule_note = move || match rule {
                            Elsewhere::NotCounted => Key::ClaimRuleNone.text(lang.get()).to_string(),
                            Elsewhere::UpTo(cap) => Key::ClaimRuleUpTo.fill(lang.get(), &[cap.display()]),
                            Elsewhere::All => Key::ClaimRuleAll.text(lang.get()).to_string(),
                        };
                        let (approved, pending) = d.claimed;
                        Either::Left(view! {
                            <section class="card stack" data-testid="claim-form">
                                <h1>{t(Key::ClaimsTitle)}</h1>
                                <p class="hint">{t(Key::ClaimsIntro)}</p>
                                <p class="muted" data-testid="claim-rule">{rule_note} " " {tf(Key::ClaimClaimed, [approved.display(), pending.display()])}</p>
                                {filed().then(|| view! { <p class="ok" role="status" data-testid="claim-filed">{t(Key::StoredFiled)}</p> })}
                                {refused().map(|(key, left)| view! {
                                    <div class="error" role="alert" data-testid="claim-refused">
                                        <p>{t(key)} {left.map(|l| format!(" {l}"))}</p>
                                        <ul>{problems().into_iter().map(|p| view! { <li>{t(p.label())}</li> }).collect_view()}</ul>
                                    </div>
                                })}
                                <form method="post" action="/claims/file" enctype="multipart/form-data" class="stack">
                                    <label><span>{t(Key::ClaimTraining)}</span><input name="training" required maxlength=NAME_CHARS.to_string() value=form.training.clone() /></label>
                                    <label><span>{t(Key::ClaimOrganiser)}</span><input name="organiser" required maxlength=NAME_CHARS.to_string() value=form.organiser.clone() /></label>
                                    <div class="row">
                                        <label><span>{t(Key::ClaimFrom)}</span><input type="date" name="from" required value=form.from.clone() /></label>
                                        <label><span>{t(Key::ClaimTo)}</span><input type="date" name="to" required value=form.to.clone() /></label>
                                    </div>
                                    <fieldset class="row wrap">
                                        <legend>{t(Key::ClaimMode)}</legend>
                                        <label class="check"><input type="radio" name="mode" value=ClaimMode::InPerson.as_str() checked=form.mode != ClaimMode::Online.as_str() /><span>{t(Key::ClaimInPerson)}</span></label>
                                        <label class="check"><input type="radio" name="mode" value=ClaimMode::Online.as_str() checked=form.mode == ClaimMode::Online.as_str() /><span>{t(Key::ClaimOnline)}</span></label>
                                    </fieldset>
                                    <div class="row">
                                        <label><span>{t(Key::ClaimConversion)}</span>
                                            <select name="conversion_id">
                                                <option value="">{t(Key::ClaimTyped)}</option>
                                                {d.conversions.into_iter().map(|c| {
                                                    let selected = form.conversion_id == c.id.to_string();
                                                    let label = move || format!("{}（{} 学时）", lang.get().pick(&c.name_zh, &c.name_en), c.hours.display());
                                                    view! { <option value=c.id selected=selected>{label}</option> }
                                                }).collect_view()}
                                            </select>
                                        </label>
                                        <label><span>{t(Key::ClaimUnits)}</span><input name="units" inputmode="numeric" max=MAX_UNITS.to_string() value=form.units.clone() /></label>
                                        <label><span>{t(Key::ClaimHours)}</span><input name="hours" inputmode="decimal" value=form.hours.clone() /></label>
                                    </div>
                                    <label><span>{t(Key::ClaimCertificate)}</span><input type="file" name="certificate" accept="image/*,application/pdf" required /></label>
                                    <label class="check"><input type="checkbox" name="pledge" value="1" required /><span>{t(Key::ClaimPledge)}</span></label>
                                    <button type="submit" class="primary" data-testid="claim-submit">{t(Key::ClaimSubmit)}</button>
                                </form>
                            </section>
                            <section class="card stack" data-testid="claims-mine">
                                <h2>{t(Key::ClaimsMine)}</h2>
                                {d.claims.is_empty().then(|| view! { <p class="muted">{t(Key::ClaimsNone)}</p> })}
                                <ul class="inbox-list">
                                    {d.claims.into_iter().map(|c| view! { <ClaimLine c decide=false /> }).collect_view()}
                                </ul>
                            </section>
                        })
                    }
                    Err(e) => Either::Right(view! { <h1>{t(Key::ClaimsTitle)}</h1><ErrorNote error=e /> }),
                }
            })}
        </Suspense>
    }
}

#[component]
fn ClaimLine(c: ClaimItem, decide: bool) -> impl IntoView {
    let lang = use_lang();
    let at = c.created_at;
    let pending = c.state == "pending";
    let detail = match &c.conversion {
        Some((line, units)) => format!("{line} × {units}"),
        None => String::new(),
    };
    view! {
        <li class="inbox-item" class:unread=pending data-testid="claim-item">
            <p class="inbox-subject">
                <span class="chip" data-testid="claim-state">{t(state_key(&c.state))}</span> " "
                <strong>{c.training.clone()}</strong> " · " {c.organiser.clone()}
            </p>
            <p class="small">
                {decide.then(|| format!("{}（{}） · ", c.person, c.community))}
                {c.from.clone()} " – " {c.to.clone()} " · "
                <strong data-testid="claim-hours">{c.hours.display()}</strong> " " {t(Key::StudyHoursUnit)}
                {(!detail.is_empty()).then(|| format!(" （{detail}）"))}
                " · " <a href=format!("/claims/{}/certificate", c.id) target="_blank" rel="noopener">{t(Key::ClaimCertificateLink)}</a>
                " · " <span class="muted">{move || moment(lang.get(), at)}</span>
            </p>
            {(c.state == "declined").then(|| view! { <p class="small" data-testid="claim-reason">{t(Key::ClaimReason)} " " {c.reason.clone()}</p> })}
            {(decide && pending).then(|| view! { <ClaimDecision id=c.id /> })}
        </li>
    }
}

#[component]
fn ClaimDecision(id: i64) -> impl IntoView {
    let action = expect_context::<ServerAction<DecideClaim>>();
    view! {
        <div class="row wrap">
            <ActionForm action=action attr:class="inline">
                <input type="hidden" name="id" value=id />
                <input type="hidden" name="approve" value="1" />
                <button type="submit" class="primary" data-testid="claim-approve">{t(Key::ClaimApprove)}</button>
            </ActionForm>
            <ActionForm action=action attr:class="inline row">
                <input type="hidden" name="id" value=id />
                <input name="reason" aria-label=t(Key::ClaimReason) placeholder=t(Key::ClaimReason) maxlength="200" />
                <button type="submit" data-testid="claim-decline">{t(Key::ClaimDecline)}</button>
            </ActionForm>
        </div>
    }
}

/// The organisers' page: the claims of cadres in their reach, waiting ones first.
#[component]
pub fn ClaimsDeskPage() -> impl IntoView {
    let action = ServerAction::<DecideClaim>::new();
    provide_context(action);
    let list = Resource::new(move || action.version().get(), |_| claims_desk());
    view! {
        <section class="card stack" data-testid="claims-desk">
            <h1>{t(Key::ClaimsDeskTitle)}</h1>
            {move || match outcome(action) {
                Some(Ok(())) => Some(Either::Left(view! { <p class="ok" role="status">{t(Key::ClaimDecided)}</p> })),
                Some(Err(e)) => Some(Either::Right(view! { <ErrorNote error=e /> })),
                None => None,
            }}
            <Suspense fallback=|| view! { <p class="muted">{t(Key::Loading)}</p> }>
                {move || Suspend::new(async move {
                    match list.await {
                        Ok(l) => Either::Left(view! {
                            {l.is_empty().then(|| view! { <p class="muted">{t(Key::ClaimsNone)}</p> })}
                            <ul class="inbox-list">
                                {l.into_iter().map(|c| view! { <ClaimLine c decide=true /> }).collect_view()}
                            </ul>
                        }),
                        Err(e) => Either::Right(view! { <ErrorNote error=e /> }),
                    }
                })}
            </Suspense>
        </section>
        <Conversions />
    }
}

/// The conversion table: district organisers add, change and retire lines; the others
/// read it.
#[component]
fn Conversions() -> impl IntoView {
    let action = ServerAction::<SaveConversion>::new();
    let table = Resource::new(move || action.version().get(), |_| conversion_table());
    view! {
        <section class="card stack" data-testid="conversions">
            <h2>{t(Key::ConversionsTitle)}</h2>
            <p class="muted small">{t(Key::ConversionsIntro)}</p>
            {move || match outcome(action) {
                Some(Ok(())) => Some(Either::Left(view! { <p class="ok" role="status">{t(Key::ConversionSaved)}</p> })),
                Some(Err(e)) => Some(Either::Right(view! { <ErrorNote error=e /> })),
                None => None,
            }}
            <Suspense fallback=|| view! { <p class="muted">{t(Key::Loading)}</p> }>
                {move || Suspend::new(async move {
                    match table.await {
                        Ok(table) if table.may_edit => Either::Left(view! {
                            <ul class="plain stack">
                                {table.lines.into_iter().map(|c| view! { <li><ConversionLine c action /></li> }).collect_view()}
                            </ul>
                            <h3>{t(Key::ConversionAdd)}</h3>
                            <ConversionLine c=Conversion { id: 0, name_zh: String::new(), name_en: String::new(), hours: Default::default(), retired: false } action />
                        }),
                        Ok(table) => Either::Right(Either::Left(view! {
                            <p class="muted small">{t(Key::ConversionsReadOnly)}</p>
                            <table class="table">
                                <thead><tr><th>{t(Key::ConversionNameZh)}</th><th>{t(Key::ConversionHours)}</th></tr></thead>
                                <tbody>
                                    {table.lines.into_iter().filter(|c| !c.retired).map(|c| view! {
                                        <tr><td>{c.name_zh}</td><td>{c.hours.display()}</td></tr>
                                    }).collect_view()}
                                </tbody>
                            </table>
                        })),
                        Err(e) => Either::Right(Either::Right(view! { <ErrorNote error=e /> })),
                    }
                })}
            </Suspense>
        </section>
    }
}

#[component]
fn ConversionLine(c: Conversion, action: ServerAction<SaveConversion>) -> impl IntoView {
    let new = c.id == 0;
    let hours = if new {
        String::new()
    } else {
        c.hours.display()
    };
    let name_en = if c.name_en == c.name_zh {
        String::new()
    } else {
        c.name_en.clone()
    };
    view! {
        <ActionForm action=action attr:class="row wrap" attr:data-testid=if new { "conversion-new" } else { "conversion-line" }>
            <input type="hidden" name="id" value=c.id />
            <label><span>{t(Key::ConversionNameZh)}</span><input name="name_zh" required maxlength=CONVERSION_NAME_CHARS.to_string() value=c.name_zh /></label>
            <label><span>{t(Key::ConversionNameEn)}</span><input name="name_en" maxlength=CONVERSION_NAME_CHARS.to_string() value=name_en /></label>
            <label><span>{t(Key::ConversionHours)}</span><input name="hours" required inputmode="decimal" size="5" value=hours /></label>
            {(!new).then(|| view! {
                <label class="check"><input type="checkbox" name="retired" value="1" checked=c.retired /><span>{t(Key::ConversionRetired)}</span></label>
            })}
            <button type="submit">{t(if new { Key::ConversionAdd } else { Key::Save })}</button>
        </ActionForm>
    }
}
