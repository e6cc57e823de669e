use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use crate::api::district::{DistrictData, district_overview};
use crate::components::layout::ErrorDetails;
use crate::domain::district::Figures;
use crate::i18n::{Key, t};

/// The district organiser's page: each subdistrict's head-count, on-track / at-risk /
/// behind, hours and attendance side by side, each drilling down to that subdistrict's
/// programme dashboard; and the district's one table of every cadre.
#[component]
pub fn DistrictPage() -> impl IntoView {
    let query = use_query_map();
    let year = move || query.read().get("year").and_then(|y| y.parse::<i32>().ok());
    let data = Resource::new(year, district_overview);
    view! {
        <h1>{t(Key::DistrictTitle)}</h1>
        <Suspense fallback=|| view! { <p class="muted">{t(Key::Loading)}</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(d) => table(d).into_any(),
                    Err(e) => view! { <ErrorDetails error=e /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

fn cells(f: &Figures) -> impl IntoView + use<> {
    let percent = f
        .attendance_percent()
        .map(|p| format!("{p}%"))
        .unwrap_or_else(|| "—".into());
    view! {
        <td data-testid="cadres">{f.cadres}</td>
        <td data-testid="on-track">{f.on_track}</td>
        <td data-testid="at-risk">{f.at_risk}</td>
        <td data-testid="behind">{f.behind}</td>
        <td data-testid="hours">{f.earned_per_cadre().display()}</td>
        <td data-testid="attendance">{percent}</td>
    }
}

fn table(d: DistrictData) -> impl IntoView {
    let year = d.year;
    view! {
        <form method="get" class="row filters no-print">
            <label><span>{t(Key::Year)}</span><input name="year" inputmode="numeric" value=year /></label>
            <button type="submit">{t(Key::Show)}</button>
        </form>
        <p class="actions">
            <a class="button" href=format!("/reports/district-{year}.csv") rel="external" download data-testid="district-export">
                {t(Key::DistrictExport)}
            </a>
        </p>
        <div class="table-wrap">
            <table data-testid="district">
                <thead>
                    <tr>
                        <th>{t(Key::Subdistrict)}</th>
                        <th>{t(Key::Cadres)}</th>
                        <th>{t(Key::OutlookOnTrack)}</th>
                        <th>{t(Key::OutlookAtRisk)}</th>
                        <th>{t(Key::OutlookBehind)}</th>
                        <th>{t(Key::HoursPerCadre)}</th>
                        <th>{t(Key::AttendanceRate)}</th>
                    </tr>
                </thead>
                <tbody>
                    {d.lines.into_iter().map(|l| view! {
                        <tr data-subdistrict=l.id>
                            <th scope="row">
                                <a href=format!("/organiser/programme?year={year}&subdistrict={}", l.id)>{l.name}</a>
                            </th>
                            {cells(&l.figures)}
                        </tr>
                    }).collect_view()}
                </tbody>
                <tfoot>
                    <tr data-testid="district-total">
                        <th scope="row">{t(Key::DistrictTotal)}</th>
                        {cells(&d.total)}
                    </tr>
                </tfoot>
            </table>
        </div>
        <p class="hint">{t(Key::DistrictHint)}</p>
    }
}
