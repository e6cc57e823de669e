use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use crate::api::reports::{History, attendance_history, attendance_report};
use crate::components::layout::ErrorDetails;
use crate::domain::report::CountRow;
use crate::i18n::{Key, session_when, t, tf, use_lang};

fn range_args() -> impl Fn() -> (String, String) + Copy + Send + Sync + 'static {
    let query = use_query_map();
    move || {
        let q = query.read();
        (
            q.get("from").unwrap_or_default(),
            q.get("to").unwrap_or_default(),
        )
    }
}

/// Attendance rates per community and per session over a date range, with downloads.
#[component]
pub fn ReportsPage() -> impl IntoView {
    let args = range_args();
    let report = Resource::new(args, |(from, to)| attendance_report(from, to));
    view! {
        <h1>{t(Key::ReportsTitle)}</h1>
        <Suspense fallback=|| view! { <p class="muted">{t(Key::Loading)}</p> }>
            {move || Suspend::new(async move {
                let r = match report.await {
                    Ok(r) => r,
                    Err(e) => return view! { {range_form(args().0, args().1)} <ErrorDetails error=e /> }.into_any(),
                };
                let (from, to) = (r.range.from.to_string(), r.range.to.to_string());
                use chrono::Datelike;
                let year = r.range.to.year();
                view! {
                    {range_form(from.clone(), to.clone())}
                    <p class="actions">
                        <a class="button" rel="external" download href=format!("/reports/communities.csv?from={from}&to={to}")>{t(Key::CommunitiesCsv)}</a>
                        <a class="button" rel="external" download href=format!("/reports/attendance-{year}.xlsx") data-testid="year-xlsx">{tf(Key::YearWorkbook, [year.to_string()])}</a>
                    </p>
                    <h2>{t(Key::ByCommunity)}</h2>
                    {count_table(Key::Community, r.communities, None)}
                    <h2>{t(Key::BySession)}</h2>
                    {count_table(Key::Session, r.sessions, Some("/organiser/sessions/{}/attendance"))}
                }.into_any()
            })}
        </Suspense>
    }
}

fn range_form(from: String, to: String) -> impl IntoView {
    view! {
        <form method="get" class="row filters" data-testid="range">
            <label><span>{t(Key::From)}</span><input type="date" name="from" value=from /></label>
            <label><span>{t(Key::To)}</span><input type="date" name="to" value=to /></label>
            <button type="submit">{t(Key::Show)}</button>
        </form>
    }
}

fn count_table(first: Key, rows: Vec<CountRow>, link: Option<&'static str>) -> impl IntoView {
    view! {
        <table class="table" data-testid="count-table">
            <thead><tr>
                <th>{t(first)}</th><th>{t(Key::Expected)}</th><th>{t(Key::StatusPresent)}</th><th>{t(Key::StatusLate)}</th>
                <th>{t(Key::StatusExcused)}</th><th>{t(Key::StatusAbsent)}</th><th>{t(Key::StatusMadeUp)}</th><th>{t(Key::AttendanceRate)}</th>
            </tr></thead>
            <tbody>
                {rows.into_iter().map(|r| {
                    let c = r.counts;
                    let name = match link {
                        Some(pattern) => view! { <a href=pattern.replace("{}", &r.id.to_string())>{r.name}</a> }.into_any(),
                        None => view! { <span>{if r.name.is_empty() { "—".to_string() } else { r.name }}</span> }.into_any(),
                    };
                    view! {
                        <tr>
                            <td>{name}</td><td>{c.expected}</td><td>{c.present}</td><td>{c.late}</td>
                            <td>{c.excused}</td><td>{c.absent}</td><td>{c.made_up}</td>
                            <td>{c.attendance_percent().map(|p| format!("{p}%")).unwrap_or_else(|| "—".into())}</td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
    }
}

/// A cadre's attendance over a range with the hours earned: their own, or (organisers)
/// anyone's via `?person=`.
#[component]
pub fn HistoryPage() -> impl IntoView {
    let query = use_query_map();
    let args = move || {
        let q = query.read();
        (
            q.get("person").and_then(|p| p.parse::<i64>().ok()),
            q.get("from").unwrap_or_default(),
            q.get("to").unwrap_or_default(),
        )
    };
    let history = Resource::new(args, |(person, from, to)| {
        attendance_history(person, from, to)
    });
    view! {
        <Suspense fallback=|| view! { <p class="muted">{t(Key::Loading)}</p> }>
            {move || Suspend::new(async move {
                match history.await {
                    Ok(h) => history_view(h).into_any(),
                    Err(e) => view! { <h1>{t(Key::HistoryTitle)}</h1><ErrorDetails error=e /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

fn history_view(h: History) -> impl IntoView {
    let lang = use_lang();
    let person = h.person_id;
    view! {
        <h1>{t(Key::HistoryTitle)} " · " {h.name}</h1>
        <form method="get" class="row filters">
            <input type="hidden" name="person" value=person />
            <label><span>{t(Key::From)}</span><input type="date" name="from" value=h.range.from.to_string() /></label>
            <label><span>{t(Key::To)}</span><input type="date" name="to" value=h.range.to.to_string() /></label>
            <button type="submit">{t(Key::Show)}</button>
        </form>
        <p class="big-note" data-testid="earned">{t(Key::HoursEarned)} " " <strong>{h.earned.display()}</strong> " " {t(Key::StudyHoursUnit)}</p>
        {h.lines.is_empty().then(|| view! { <p class="muted">{t(Key::NoSessions)}</p> })}
        <ul class="history" data-testid="history">
            {h.lines.into_iter().map(|l| {
                let a = l.starts_at;
                view! {
                    <li class="card row">
                        <a href=format!("/sessions/{}", l.session_id)>{l.title}</a>
                        <span class="muted">{move || session_when(lang.get(), a, a)}</span>
                        <span class="chip status" class:late=l.status == crate::domain::schedule::AttendanceStatus::Late>{t(l.status.label())}</span>
                        {l.walk_in.then(|| view! { <span class="chip">{t(Key::WalkIn)}</span> })}
                        <span>{l.earned.display()} " / " {l.study_hours.display()} " " {t(Key::StudyHoursUnit)}</span>
                    </li>
                }
            }).collect_view()}
        </ul>
    }
}
