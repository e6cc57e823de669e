use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use crate::api::progress::{
    CadreLine, DashboardData, Groups, Promote, TrendPoint, programme_dashboard,
};
use crate::components::layout::ErrorDetails;
use crate::i18n::{Key, t, use_lang};
use crate::pages::progress::outlook_chip;

/// The organisers' programme dashboard: tiers against their targets, on-track / at-risk /
/// behind per tier and community, the monthly attendance trend, warnings, promotion
/// candidates, the star of the month, and the cadres behind any count (drill-down).
#[component]
pub fn ProgrammePage() -> impl IntoView {
    let query = use_query_map();
    let promote = ServerAction::<Promote>::new();
    let args = move || {
        let q = query.read();
        let num = |k: &str| q.get(k).and_then(|v| v.parse::<i64>().ok());
        (
            q.get("year").and_then(|y| y.parse::<i32>().ok()),
            num("tier"),
            num("community"),
            q.get("outlook"),
            num("subdistrict"),
            promote.version().get(),
        )
    };
    let data = Resource::new(args, |(year, tier, community, outlook, subdistrict, _)| {
        programme_dashboard(year, tier, community, outlook, subdistrict)
    });
    view! {
        <h1>{t(Key::ProgrammeTitle)}</h1>
        <p class="actions"><a class="button" href="/organiser/programme/tiers">{t(Key::TierRequirements)}</a>
            <a class="button" href="/organiser/programme/import">{t(Key::ImportCadres)}</a></p>
        <Suspense fallback=|| view! { <p class="muted">{t(Key::Loading)}</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(d) => dashboard(d, promote).into_any(),
                    Err(e) => view! { <ErrorDetails error=e /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// `base` is the dashboard's own query: the year, and the subdistrict drilled into.
fn drill_link(base: &str, filter: String, n: i64, testid: &'static str) -> impl IntoView + use<> {
    view! { <a href=format!("/organiser/programme?{base}&{filter}#list") data-testid=testid>{n}</a> }
}

fn group_cells(base: &str, filter: String, g: Groups) -> impl IntoView + use<> {
    view! {
        <td>{drill_link(base, format!("{filter}&outlook=on_track"), g.on_track, "on-track")}</td>
        <td>{drill_link(base, format!("{filter}&outlook=at_risk"), g.at_risk, "at-risk")}</td>
        <td>{drill_link(base, format!("{filter}&outlook=cannot_reach"), g.behind, "behind")}</td>
    }
}

fn dashboard(d: DashboardData, promote: ServerAction<Promote>) -> impl IntoView {
    let lang = use_lang();
    let year = d.year;
    let base = match d.drill.subdistrict {
        Some(s) => format!("year={year}&subdistrict={s}"),
        None => format!("year={year}"),
    };
    let group_head = || view! { <th>{t(Key::OutlookOnTrack)}</th><th>{t(Key::OutlookAtRisk)}</th><th>{t(Key::OutlookBehind)}</th> };
    view! {
        <form method="get" class="row filters no-print">
            <label><span>{t(Key::Year)}</span><input name="year" inputmode="numeric" value=year /></label>
            {d.drill.subdistrict.map(|s| view! { <input type="hidden" name="subdistrict" value=s /> })}
            <button type="submit">{t(Key::Show)}</button>
        </form>
        {d.star_of_month.then(|| view! {
            <section class="card stack" data-testid="stars">
                <h2>"★ " {t(Key::StarOfMonth)}</h2>
                {d.stars.is_empty().then(|| view! { <p class="muted">{t(Key::NoStarYet)}</p> })}
                <ul class="plain">
                    {d.stars.into_iter().map(|s| view! {
                        <li><a href=format!("/progress?person={}", s.person_id)>{s.name}</a> " · " {s.community} " · " {s.points} " " {t(Key::Points)}</li>
                    }).collect_view()}
                </ul>
                <p class="hint">{t(Key::StarHint)}</p>
            </section>
        })}
        <h2>{t(Key::ByTier)}</h2>
        <table class="table" data-testid="tiers">
            <thead><tr><th>{t(Key::TierLabel)}</th><th>{t(Key::HeadCount)}</th>{group_head()}</tr></thead>
            <tbody>
                {d.tiers.into_iter().map(|l| {
                    let (zh, en) = (l.tier.name_zh.clone(), l.tier.name_en.clone());
                    view! {
                        <tr>
                            <td>{move || lang.get().pick(&zh, &en).to_string()}</td>
                            <td>{drill_link(&base, format!("tier={}", l.tier.id), l.groups.total(), "head-count")} " / " {l.target}</td>
                            {group_cells(&base, format!("tier={}", l.tier.id), l.groups)}
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
        <h2>{t(Key::ByCommunity)}</h2>
        <table class="table" data-testid="communities">
            <thead><tr><th>{t(Key::Community)}</th><th>{t(Key::HeadCount)}</th>{group_head()}</tr></thead>
            <tbody>
                {d.communities.into_iter().map(|c| view! {
                    <tr>
                        <td>{if c.name.is_empty() { "—".to_string() } else { c.name }}</td>
                        <td>{c.groups.total()}</td>
                        {group_cells(&base, format!("community={}", c.id), c.groups)}
                    </tr>
                }).collect_view()}
            </tbody>
        </table>
        <h2>{t(Key::AttendanceTrend)}</h2>
        {trend_chart(d.trend)}
        {(!d.duty.is_empty()).then(|| view! {
            <h2>{t(Key::DutyTitle)}</h2>
            <p class="hint">{t(Key::DutyHint)}</p>
            <div class="table-scroll">
                <table class="table" data-testid="duty">
                    <thead><tr><th>{t(Key::Community)}</th>{(1..=12).map(|m| view! { <th>{m}</th> }).collect_view()}</tr></thead>
                    <tbody>
                        {d.duty.into_iter().map(|l| view! {
                            <tr>
                                <td>{if l.community.is_empty() { "—".to_string() } else { l.community }}</td>
                                {l.months.into_iter().map(|n| view! { <td>{(n > 0).then(|| n.to_string())}</td> }).collect_view()}
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
        })}
        <h2 id="warnings">{t(Key::Warnings)} " (" {d.warnings_total} ")"</h2>
        {cadre_table(d.warnings, "warnings", None)}
        <h2>{t(Key::PromotionCandidates)}</h2>
        {cadre_table(d.candidates, "candidates", Some(promote))}
        {(!d.list.is_empty() || d.drill.tier.is_some() || d.drill.community.is_some() || d.drill.outlook.is_some()).then(|| view! {
            <h2 id="list">{t(Key::Cadres)} " (" {d.list_total} ")"
                {d.drill.outlook.map(|o| view! { " " {outlook_chip(o)} })}
            </h2>
            {cadre_table(d.list, "drill", None)}
        })}
    }
}

/// Cadres with their standing; with `promote`, a promotion form on each row.
fn cadre_table(
    rows: Vec<CadreLine>,
    testid: &'static str,
    promote: Option<ServerAction<Promote>>,
) -> impl IntoView {
    let lang = use_lang();
    if rows.is_empty() {
        return view! { <p class="muted" data-testid=testid>{t(Key::NobodyHere)}</p> }.into_any();
    }
    view! {
        <table class="table" data-testid=testid>
            <thead><tr><th>{t(Key::Name)}</th><th>{t(Key::Community)}</th><th>{t(Key::TierLabel)}</th>
                <th>{t(Key::MeasureHours)}</th><th>{t(Key::AttendanceRate)}</th><th>{t(Key::OutlookLabel)}</th><th>{t(Key::Actions)}</th></tr></thead>
            <tbody>
                {rows.into_iter().map(|r| {
                    let (zh, en) = (r.tier_zh.clone(), r.tier_en.clone());
                    let action = promote.zip(r.candidate_for.clone()).map(|(action, next)| {
                        let (nzh, nen) = (next.name_zh.clone(), next.name_en.clone());
                        view! {
                            <ActionForm action=action attr:class="inline">
                                <input type="hidden" name="person_id" value=r.person_id />
                                <input type="hidden" name="tier_id" value=next.id />
                                <input name="note" maxlength="500" placeholder=move || Key::PromotionNote.text(lang.get()) />
                                <button type="submit" class="primary">{move || Key::PromoteTo.fill(lang.get(), &[lang.get().pick(&nzh, &nen).to_string()])}</button>
                            </ActionForm>
                        }
                    });
                    view! {
                        <tr data-person=r.person_id>
                            <td><a href=format!("/progress?person={}", r.person_id)>{r.name}</a></td>
                            <td>{r.community}</td>
                            <td>{move || lang.get().pick(&zh, &en).to_string()}</td>
                            <td>{r.earned.display()} " / " {r.owed.display()}</td>
                            <td>{r.attendance_percent.map(|p| format!("{p}%")).unwrap_or_else(|| "—".into())}</td>
                            <td>
                                {outlook_chip(r.outlook)}
                                {r.three_missed.then(|| view! { <span class="chip warn">{t(Key::WarnThreeMissedShort)}</span> })}
                                {r.under_minimum.then(|| view! { <span class="chip warn">{t(Key::WarnUnderMinimumShort)}</span> })}
                            </td>
                            <td>{action}</td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
    }
    .into_any()
}

/// Twelve bars, one per month, labelled with the rate; months without a session held stay
/// empty. Drawn in a 360 × 180 box that scales to the screen.
fn trend_chart(points: Vec<TrendPoint>) -> impl IntoView {
    let lang = use_lang();
    let summary = points
        .iter()
        .filter_map(|p| p.percent.map(|v| format!("{}: {v}%", p.month)))
        .collect::<Vec<_>>()
        .join(", ");
    view! {
        <figure class="trend" data-testid="trend">
            <svg viewBox="0 0 360 180" role="img" aria-label=move || format!("{} {summary}", Key::AttendanceTrend.text(lang.get()))>
                <line x1="0" y1="150" x2="360" y2="150" class="axis" />
                <line x1="0" y1="30" x2="360" y2="30" class="grid" />
                {points.into_iter().map(|p| {
                    let x = (p.month as i64 - 1) * 30 + 5;
                    let bar = p.percent.map(|v| {
                        let h = v * 120 / 100;
                        view! {
                            <rect x=x y=150 - h width="20" height=h class="bar-rect" data-month=p.month />
                            <text x=x + 10 y=144 - h class="value" text-anchor="middle">{v}</text>
                        }
                    });
                    view! {
                        {bar}
                        <text x=x + 10 y="168" class="label" text-anchor="middle">{p.month}</text>
                    }
                }).collect_view()}
            </svg>
            <figcaption class="hint">{t(Key::TrendHint)}</figcaption>
        </figure>
    }
}
