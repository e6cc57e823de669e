use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use crate::api::progress::{ProgressData, Promote, TierName, progress_view};
use crate::components::layout::{ErrorDetails, outcome};
use crate::domain::people::TierChangeKind;
use crate::domain::progress::{Assessment, Measure, Outlook};
use crate::i18n::{Key, moment, session_when, t, tf, use_lang};

/// A cadre's progress this year: a bar per requirement with the forecast, the ledger of
/// hours, the tier history. Organisers open anyone's with `?person=` (the dossier, which
/// prints on its own: the print stylesheet hides the navigation and the forms).
#[component]
pub fn ProgressPage() -> impl IntoView {
    let query = use_query_map();
    let promote = ServerAction::<Promote>::new();
    let args = move || {
        let q = query.read();
        (
            q.get("person").and_then(|p| p.parse::<i64>().ok()),
            q.get("year").and_then(|y| y.parse::<i32>().ok()),
            promote.version().get(),
        )
    };
    let data = Resource::new(args, |(person, year, _)| progress_view(person, year));
    view! {
        <Suspense fallback=|| view! { <p class="muted">{t(Key::Loading)}</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(d) => progress_body(d, promote).into_any(),
                    Err(e) => view! { <h1>{t(Key::ProgressTitle)}</h1><ErrorDetails error=e /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

pub fn outlook_key(o: Outlook) -> Key {
    match o {
        Outlook::Met => Key::OutlookMet,
        Outlook::OnTrack => Key::OutlookOnTrack,
        Outlook::AtRisk => Key::OutlookAtRisk,
        Outlook::CannotReach => Key::OutlookCannotReach,
    }
}

pub fn outlook_chip(o: Outlook) -> impl IntoView {
    view! { <span class=format!("chip outlook {}", o.as_str()) data-testid="outlook">{t(outlook_key(o))}</span> }
}

fn tier_label(tier: Option<TierName>) -> impl Fn() -> String + Send + Sync + 'static {
    let lang = use_lang();
    move || match &tier {
        Some(t) => lang.get().pick(&t.name_zh, &t.name_en).to_string(),
        None => "—".to_string(),
    }
}

/// "12.5 / 24 学时", "86% / 85%", "3 / 4".
fn amount(measure: Measure, n: i64) -> String {
    match measure {
        Measure::Hours => crate::domain::hours::StudyHours(n).display(),
        Measure::Attendance => format!("{n}%"),
        _ => n.to_string(),
    }
}

fn bar(a: Assessment) -> impl IntoView {
    let label = match a.measure {
        Measure::Hours => Key::MeasureHours,
        Measure::Attendance => Key::MeasureAttendance,
        Measure::Reflections => Key::MeasureReflections,
        Measure::Themes => Key::MeasureThemes,
        Measure::Teaching => Key::MeasureTeaching,
    };
    let reach = if a.target > 0 {
        (a.reachable * 100 / a.target).clamp(0, 100)
    } else {
        100
    };
    view! {
        <li class="bar-row" data-testid="bar" data-measure=format!("{:?}", a.measure).to_lowercase()>
            <div class="bar-head">
                <strong>{t(label)}</strong>
                <span>{amount(a.measure, a.done)} " / " {amount(a.measure, a.target)}</span>
                {outlook_chip(a.outlook)}
            </div>
            <div class="bar" role="progressbar" aria-label=t(label) aria-valuemin="0" aria-valuemax="100" aria-valuenow=a.percent()>
                <span class="reach" style=format!("width:{reach}%")></span>
                <span class=format!("fill {}", a.outlook.as_str()) style=format!("width:{}%", a.percent())></span>
            </div>
            <p class="hint">{tf(Key::MostReachable, [amount(a.measure, a.reachable)])}</p>
        </li>
    }
}

fn progress_body(d: ProgressData, promote: ServerAction<Promote>) -> impl IntoView {
    let lang = use_lang();
    let person = d.person_id;
    let candidate = d.candidate_for.clone();
    view! {
        <h1>{t(Key::ProgressTitle)} " · " {d.name.clone()}</h1>
        <p class="chips" data-testid="progress-head">
            <span class="chip">{tier_label(d.tier.clone())}</span>
            <span class="chip">{if d.community.is_empty() { "—".to_string() } else { d.community.clone() }}</span>
            <span class="chip">{tf(Key::YearOf, [d.year.to_string()])}</span>
            {outlook_chip(d.outlook)}
            {d.is_star.then(|| view! { <span class="chip star" data-testid="star">"★ " {t(Key::StarOfMonth)}</span> })}
        </p>
        <p class="big-note" data-testid="earned">
            {t(Key::HoursEarned)} " " <strong>{d.earned.display()}</strong> " " {t(Key::StudyHoursUnit)}
            " · " {tf(Key::MostReachable, [d.reachable.display()])}
            " · " {t(Key::StarPoints)} " " <strong>{d.star_points}</strong>
        </p>
        {d.withdrawn.into_iter().map(|(series, at)| view! {
            <p class="error" data-testid="withdrawn">{move || tf(Key::SeriesWithdrawn, [series.clone(), moment(lang.get(), at)])}</p>
        }).collect_view()}
        {(d.elsewhere.0.0 > 0).then(|| view! {
            <p class="muted" data-testid="elsewhere">
                {tf(Key::ElsewhereCounted, [d.elsewhere.0.display(), d.elsewhere.1.display()])}
            </p>
        })}
        {(d.three_missed || d.under_minimum).then(|| view! {
            <div class="warning" role="status" data-testid="progress-warnings">
                {d.three_missed.then(|| view! { <p>{t(Key::WarnThreeMissed)}</p> })}
                {d.under_minimum.then(|| view! { <p>{t(Key::WarnUnderMinimum)}</p> })}
            </div>
        })}
        {d.bars.is_empty().then(|| view! { <p class="muted">{t(Key::NoRequirements)}</p> })}
        <ul class="bars" data-testid="bars">{d.bars.into_iter().map(bar).collect_view()}</ul>
        {(!d.themes.is_empty()).then(|| view! {
            <p class="chips" data-testid="themes-required">
                {d.themes.into_iter().map(|(name, met)| view! {
                    <span class="chip" class:ok=met>{if met { "✓ " } else { "○ " }} {name}</span>
                }).collect_view()}
            </p>
        })}
        {candidate.map(|next| {
            let name = tier_label(Some(next.clone()));
            view! {
                <section class="card stack no-print" data-testid="promote">
                    <h2>{move || Key::PromoteTo.fill(lang.get(), &[name()])}</h2>
                    <ActionForm action=promote attr:class="stack">
                        <input type="hidden" name="person_id" value=person />
                        <input type="hidden" name="tier_id" value=next.id />
                        <label><span>{t(Key::PromotionNote)}</span><input name="note" maxlength="500" /></label>
                        <button type="submit" class="primary">{t(Key::Promote)}</button>
                    </ActionForm>
                    {move || outcome(promote).map(|r| match r {
                        Ok(()) => view! { <p class="ok" role="status">{t(Key::Saved)}</p> }.into_any(),
                        Err(e) => view! { <ErrorDetails error=e /> }.into_any(),
                    })}
                </section>
            }
        })}
        <p class="actions no-print">
            {d.viewer_organises.then(|| view! {
                <a class="button" href=format!("/history?person={person}")>{t(Key::NavMyAttendance)}</a>
            })}
            <a class="button" data-testid="progress-certificates" href=if d.viewer_organises {
                format!("/certificates?person={person}")
            } else {
                "/certificates".to_string()
            }>{t(Key::CertDossierTitle)}</a>
        </p>
        <h2>{t(Key::TierHistory)}</h2>
        <table class="table" data-testid="tier-history">
            <thead><tr><th>{t(Key::DateLabel)}</th><th>{t(Key::TierLabel)}</th><th>{t(Key::TierChangeKind)}</th><th>{t(Key::PromotionNote)}</th></tr></thead>
            <tbody>
                {d.history.into_iter().map(|h| {
                    let at = h.effective_at;
                    let change = match TierChangeKind::parse(&h.change) {
                        Some(TierChangeKind::Promoted) => Key::ChangePromoted,
                        Some(TierChangeKind::Left) => Key::ChangeLeft,
                        Some(TierChangeKind::Moved) => Key::ChangeMoved,
                        _ => Key::ChangeJoined,
                    };
                    view! {
                        <tr>
                            <td>{if at.0 <= 0 { "—".to_string() } else { at.local_date().to_string() }}</td>
                            <td>{tier_label(h.tier)}</td>
                            <td>{t(change)}</td>
                            <td>{h.note} {h.actor.map(|a| format!(" ({a})"))}</td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
        <h2>{t(Key::Reflection)} " (" {d.reflections.len()} ")"</h2>
        <ul class="stack plain" data-testid="dossier-reflections">
            {d.reflections.into_iter().map(|(sid, title, at, body, accepted)| view! {
                <li class="card stack">
                    <p><a href=format!("/sessions/{sid}")>{title}</a> " · " {at.local_date().to_string()}
                        {accepted.then(|| view! { " " <span class="chip ok">{t(Key::ReflectionAccepted)}</span> })}</p>
                    <p class="reflection-body">{body}</p>
                </li>
            }).collect_view()}
        </ul>
        <h2>{t(Key::Ledger)}</h2>
        {(d.ledger.is_empty() && d.ledger_elsewhere.is_empty()).then(|| view! { <p class="muted">{t(Key::NoSessions)}</p> })}
        <table class="table" data-testid="ledger">
            <thead><tr><th>{t(Key::Session)}</th><th>{t(Key::DateLabel)}</th><th>{t(Key::Theme)}</th><th>{t(Key::Status)}</th><th>{t(Key::HoursEarned)}</th></tr></thead>
            <tbody>
                {d.ledger.into_iter().map(|l| {
                    let a = l.starts_at;
                    view! {
                        <tr>
                            <td><a href=format!("/sessions/{}", l.session_id)>{l.title}</a></td>
                            <td>{move || session_when(lang.get(), a, a)}</td>
                            <td>{l.theme}</td>
                            <td>
                                {l.status.map(|s| view! { <span class="chip status">{t(s.label())}</span> })}
                                {l.lectured.then(|| view! { <span class="chip">{t(Key::Lectured)}</span> })}
                            </td>
                            <td>{l.credited.display()} " / " {l.hours.display()}</td>
                        </tr>
                    }
                }).collect_view()}
                {d.ledger_elsewhere.into_iter().map(|l| view! {
                    <tr data-testid="ledger-elsewhere">
                        <td>{l.training}</td>
                        <td>{if l.from == l.to { l.from } else { format!("{} – {}", l.from, l.to) }}</td>
                        <td>{l.organiser}</td>
                        <td><span class="chip">{t(Key::LedgerElsewhere)}</span> <span class="chip status">{t(Key::ClaimApproved)}</span></td>
                        <td>{l.hours.display()}</td>
                    </tr>
                }).collect_view()}
            </tbody>
        </table>
    }
}
