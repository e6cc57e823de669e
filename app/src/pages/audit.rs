use crate::domain::files::percent_encode;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use crate::api::audit::{AuditQuery, audit_log};
use crate::components::layout::ErrorNote;
use crate::domain::audit::{AuditKind, AuditOutcome};
use crate::i18n::{Key, t, use_lang};

/// The admins' audit log: a plain GET form filters it (works without JavaScript), the same
/// filter downloads it as CSV.
#[component]
pub fn AuditPage() -> impl IntoView {
    let lang = use_lang();
    let query = use_query_map();
    let q = move || {
        let q = query.read();
        AuditQuery {
            user: q.get("user").unwrap_or_default(),
            kind: q.get("kind").unwrap_or_default(),
            from: q.get("from").unwrap_or_default(),
            to: q.get("to").unwrap_or_default(),
            before: q.get("before").and_then(|v| v.parse().ok()),
        }
    };
    let page = Resource::new(q, audit_log);
    let csv_href = move || {
        let q = q();
        let pairs = [
            ("user", q.user),
            ("kind", q.kind),
            ("from", q.from),
            ("to", q.to),
        ];
        let query: Vec<String> = pairs
            .iter()
            .filter(|(_, v)| !v.is_empty())
            .map(|(k, v)| format!("{k}={}", percent_encode(v)))
            .collect();
        format!("/admin/audit.csv?{}", query.join("&"))
    };
    view! {
        <section class="card stack" data-testid="audit-log">
            <h1>{t(Key::AuditTitle)}</h1>
            <p class="muted">{t(Key::AuditIntro)}</p>
            <form method="get" action="/admin/audit" class="row wrap">
                <label><span>{t(Key::AuditUser)}</span><input name="user" value=move || q().user autocapitalize="none" /></label>
                <label><span>{t(Key::AuditKindLabel)}</span>
                    <select name="kind">
                        <option value="">{t(Key::AuditAll)}</option>
                        {AuditKind::ALL.iter().map(|k| {
                            let code = k.code();
                            let words = k.words();
                            view! { <option value=code selected=move || q().kind == code>{move || lang.get().pick(words.0, words.1).to_string()}</option> }
                        }).collect_view()}
                    </select>
                </label>
                <label><span>{t(Key::AuditFrom)}</span><input name="from" type="date" value=move || q().from /></label>
                <label><span>{t(Key::AuditTo)}</span><input name="to" type="date" value=move || q().to /></label>
                <button type="submit" class="primary">{t(Key::AuditFilterButton)}</button>
                <a class="button" href=csv_href rel="external" download data-testid="audit-csv">{t(Key::AuditDownload)}</a>
            </form>
            <Suspense fallback=|| view! { <p class="muted">{t(Key::Loading)}</p> }>
                {move || Suspend::new(async move {
                    match page.await {
                        Ok(p) if p.lines.is_empty() => view! { <p class="muted">{t(Key::AuditNone)}</p> }.into_any(),
                        Ok(p) => {
                            let older = p.older.map(|id| {
                                let q = q();
                                format!(
                                    "/admin/audit?user={}&kind={}&from={}&to={}&before={id}",
                                    percent_encode(&q.user), percent_encode(&q.kind), percent_encode(&q.from), percent_encode(&q.to)
                                )
                            });
                            view! {
                                <div class="table-wrap">
                                <table class="table">
                                    <thead><tr>
                                        <th>{t(Key::AuditWhen)}</th><th>{t(Key::AuditWho)}</th><th>{t(Key::AuditWhat)}</th>
                                        <th>{t(Key::AuditTarget)}</th><th>{t(Key::AuditFromAddress)}</th><th>{t(Key::AuditOutcomeLabel)}</th>
                                    </tr></thead>
                                    <tbody>
                                        {p.lines.into_iter().map(|r| {
                                            let actor = r.actor_username;
                                            let l = r.line;
                                            let words = l.kind.words();
                                            let outcome = match l.outcome {
                                                AuditOutcome::Ok => Key::OutcomeOk,
                                                AuditOutcome::Refused => Key::OutcomeRefused,
                                                AuditOutcome::Failed => Key::OutcomeFailed,
                                            };
                                            let at = l.at;
                                            view! {
                                                <tr data-testid="audit-line" data-kind=l.kind.code()>
                                                    <td>{move || at.local().format("%Y-%m-%d %H:%M:%S").to_string()}</td>
                                                    <td>{actor.unwrap_or_else(|| "—".into())}</td>
                                                    <td>{move || lang.get().pick(words.0, words.1).to_string()}
                                                        {(!l.detail.is_empty()).then(|| view! { <br /><span class="muted small">{l.detail.clone()}</span> })}</td>
                                                    <td>{l.target}</td>
                                                    <td><span title=l.user_agent>{l.address}</span></td>
                                                    <td>{t(outcome)}</td>
                                                </tr>
                                            }
                                        }).collect_view()}
                                    </tbody>
                                </table>
                                </div>
                                {older.map(|href| view! { <p><a class="button" href=href>{t(Key::AuditOlder)}</a></p> })}
                            }.into_any()
                        }
                        Err(e) => view! { <ErrorNote error=e /> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}
