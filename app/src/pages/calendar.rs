use chrono::{Datelike, NaiveDate};
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use crate::api::browse::{CalendarData, calendar_sessions};
use crate::components::layout::ErrorNote;
use crate::domain::calendar::CalendarView;
use crate::domain::schedule::SessionSummary;
use crate::i18n::{EN_DAYS, Key, Lang, ZH_DAYS, t, use_lang};

/// Week and month calendars of the sessions the person may see. The week is a list of
/// days, which reads well on a phone; the month is a grid followed by the same list.
#[component]
pub fn CalendarPage() -> impl IntoView {
    let query = use_query_map();
    let args = move || {
        let q = query.read();
        (
            q.get("view").unwrap_or_default(),
            q.get("date").unwrap_or_default(),
        )
    };
    let data = Resource::new(args, |(view, date)| calendar_sessions(view, date));
    view! {
        <h1>{t(Key::CalendarTitle)}</h1>
        <Suspense fallback=|| view! { <p class="muted">{t(Key::Loading)}</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(d) => calendar(d).into_any(),
                    Err(e) => view! { <ErrorNote error=e /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

fn href(view: CalendarView, date: NaiveDate) -> String {
    format!(
        "/calendar?view={}&date={}",
        view.as_str(),
        date.format("%Y-%m-%d")
    )
}

fn day_label(lang: Lang, day: NaiveDate) -> String {
    let w = day.weekday().num_days_from_monday() as usize;
    match lang {
        Lang::Zh => format!("{}月{}日 {}", day.month(), day.day(), ZH_DAYS[w]),
        Lang::En => format!("{} {}", EN_DAYS[w], day.format("%-d %b")),
    }
}

fn title(lang: Lang, d: &CalendarData) -> String {
    let s = &d.span;
    match (s.view, lang) {
        (CalendarView::Month, Lang::Zh) => format!("{}年{}月", s.anchor.year(), s.anchor.month()),
        (CalendarView::Month, Lang::En) => s.anchor.format("%B %Y").to_string(),
        (CalendarView::Week, _) => {
            let last = s.end.pred_opt().unwrap_or(s.end);
            format!("{} – {}", day_label(lang, s.first), day_label(lang, last))
        }
    }
}

fn on_day(sessions: &[SessionSummary], day: NaiveDate) -> Vec<SessionSummary> {
    sessions
        .iter()
        .filter(|s| s.starts_at.local_date() == day)
        .cloned()
        .collect()
}

fn entry(s: SessionSummary) -> impl IntoView {
    view! {
        <li class:cancelled=s.cancelled>
            <a href=format!("/sessions/{}", s.id)>
                <span class="time">{s.starts_at.hh_mm()} "–" {s.ends_at.hh_mm()}</span>
                " " <span class="title">{s.title}</span>
                {s.cancelled.then(|| view! { " " <span class="chip danger">{t(Key::Cancelled)}</span> })}
            </a>
            {(!s.place.is_empty()).then(|| view! { <span class="muted">" · " {s.place}</span> })}
        </li>
    }
}

fn calendar(d: CalendarData) -> impl IntoView {
    let lang = use_lang();
    let span = d.span.clone();
    let (prev_key, next_key) = match span.view {
        CalendarView::Week => (Key::PrevWeek, Key::NextWeek),
        CalendarView::Month => (Key::PrevMonth, Key::NextMonth),
    };
    let heading = {
        let d = d.clone();
        move || title(lang.get(), &d)
    };
    let today = d.today;
    let days = span.days();
    let agenda_days: Vec<NaiveDate> = match span.view {
        CalendarView::Week => days.clone(),
        CalendarView::Month => days
            .iter()
            .copied()
            .filter(|day| span.in_focus(*day) && !on_day(&d.sessions, *day).is_empty())
            .collect(),
    };
    let sessions = d.sessions.clone();
    let agenda = agenda_days
        .into_iter()
        .map(|day| {
            let list = on_day(&sessions, day);
            view! {
                <section class="day" class:today=day == today data-date=day.format("%Y-%m-%d").to_string()>
                    <h3>{move || day_label(lang.get(), day)}</h3>
                    {if list.is_empty() {
                        view! { <p class="muted">{t(Key::NothingThisDay)}</p> }.into_any()
                    } else {
                        view! { <ul class="entries">{list.into_iter().map(entry).collect_view()}</ul> }.into_any()
                    }}
                </section>
            }
        })
        .collect_view();
    let grid = (span.view == CalendarView::Month).then(|| {
        let weeks: Vec<Vec<NaiveDate>> = days.chunks(7).map(|w| w.to_vec()).collect();
        view! {
            <table class="month-grid" data-testid="month-grid">
                <thead><tr>{(0..7).map(|i| view! { <th scope="col">{move || lang.get().pick(ZH_DAYS[i], EN_DAYS[i]).to_string()}</th> }).collect_view()}</tr></thead>
                <tbody>
                    {weeks.into_iter().map(|week| view! {
                        <tr>
                            {week.into_iter().map(|day| {
                                let list = on_day(&d.sessions, day);
                                let busy = !list.is_empty();
                                view! {
                                    <td class:outside=!span.in_focus(day) class:today=day == today class:busy=busy>
                                        <span class="day-number">{day.day()}</span>
                                        <ul class="entries">
                                            {list.into_iter().map(|s| view! {
                                                <li class:cancelled=s.cancelled><a href=format!("/sessions/{}", s.id) title=s.title.clone()>{s.starts_at.hh_mm()} " " {s.title.clone()}</a></li>
                                            }).collect_view()}
                                        </ul>
                                    </td>
                                }
                            }).collect_view()}
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        }
    });
    let other = match span.view {
        CalendarView::Week => (CalendarView::Month, Key::MonthView),
        CalendarView::Month => (CalendarView::Week, Key::WeekView),
    };
    view! {
        <nav class="calendar-nav row" data-testid="calendar-nav">
            <a href=href(span.view, span.previous) data-testid="previous">{"‹ "}{t(prev_key)}</a>
            <a href=href(span.view, today)>{t(Key::Today)}</a>
            <a href=href(span.view, span.next) data-testid="next">{t(next_key)}{" ›"}</a>
            <a href=href(other.0, span.anchor) class="button" data-testid="switch-view">{t(other.1)}</a>
        </nav>
        <h2 data-testid="calendar-title">{heading}</h2>
        <p class="muted">{t(Key::SessionsThisView)} {d.sessions.len()}</p>
        {grid}
        <div class="agenda" data-testid="agenda">{agenda}</div>
    }
}
