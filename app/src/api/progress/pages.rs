//! Turns the programme's standings into what the pages show.
use std::collections::{BTreeMap, HashMap};

use super::*;
use crate::domain::district::Figures;
use crate::domain::programme::month_of;
use crate::error::AppResult;
use crate::ssr::db::TierPlan;
use crate::ssr::progress::{Standing, this_year};
use crate::ssr::state::AppState;

fn tier_name(t: &TierPlan) -> TierName {
    TierName {
        id: t.tier.id,
        name_zh: t.tier.name_zh.clone(),
        name_en: t.tier.name_en.clone(),
    }
}

fn names(tiers: &[TierPlan]) -> HashMap<i64, TierName> {
    tiers.iter().map(|t| (t.tier.id, tier_name(t))).collect()
}

fn line(s: &Standing, tiers: &HashMap<i64, TierName>) -> CadreLine {
    let tier = s.cadre.tier_id.and_then(|t| tiers.get(&t));
    CadreLine {
        person_id: s.cadre.person_id,
        name: s.cadre.name.clone(),
        community: s.cadre.community.clone(),
        tier_zh: tier.map(|t| t.name_zh.clone()).unwrap_or_default(),
        tier_en: tier.map(|t| t.name_en.clone()).unwrap_or_default(),
        outlook: s.outlook,
        earned: s.year.credited(&s.credits, s.owed.elsewhere),
        owed: s.owed.hours,
        attendance_percent: s.year.attendance_percent(),
        three_missed: s.three_missed,
        under_minimum: s.under_minimum,
        candidate_for: s.candidate_for.and_then(|t| tiers.get(&t).cloned()),
    }
}

pub async fn progress_data(
    state: &AppState,
    person_id: i64,
    year: Option<i32>,
    organises: bool,
) -> AppResult<ProgressData> {
    let repo = state.repo.as_ref();
    let now = Timestamp::now();
    let year = year.unwrap_or_else(|| this_year(now));
    let p = state
        .standings
        .standing(&state.repo, year, person_id, now)
        .await?;
    let (from, to) = (p.from, p.to);
    let tiers = names(&p.tiers);
    let standing = p.standings.into_iter().next().ok_or(AppError::NotFound)?;
    let credits = standing.credits;
    let ledger = repo
        .ledger_rows(person_id, from, to)
        .await?
        .into_iter()
        .map(|r| {
            let credited = StudyHours(
                r.status.map_or(0, |s| credits.for_status(s, r.hours).0)
                    + if r.lectured {
                        credits.for_lecturing(r.hours).0
                    } else {
                        0
                    },
            );
            LedgerLine {
                session_id: r.session_id,
                title: r.title,
                starts_at: r.starts_at,
                theme: r.theme,
                hours: r.hours,
                status: r.status,
                lectured: r.lectured,
                credited,
            }
        })
        .collect();
    let mut ledger_elsewhere: Vec<ElsewhereLine> = repo
        .claims_of(person_id)
        .await?
        .into_iter()
        .filter(|c| c.state == "approved" && c.year == i64::from(year))
        .map(|c| ElsewhereLine {
            claim_id: c.id,
            training: c.training,
            organiser: c.organiser,
            from: c.from_day,
            to: c.to_day,
            hours: StudyHours(c.hours),
        })
        .collect();
    ledger_elsewhere.sort_by(|a, b| (&a.to, a.claim_id).cmp(&(&b.to, b.claim_id)));
    let history = repo
        .tier_history(person_id)
        .await?
        .into_iter()
        .map(|h| HistoryEntry {
            tier: h.tier_id.and_then(|t| tiers.get(&t).cloned()),
            change: h.change,
            effective_at: h.effective_at,
            note: h.note,
            actor: h.actor,
        })
        .collect();
    let reflections = repo
        .reflection_lines(person_id, from, to)
        .await?
        .into_iter()
        .map(|r| (r.session_id, r.title, r.starts_at, r.body, r.accepted))
        .collect();
    let theme_names: HashMap<i64, String> = repo
        .themes()
        .await?
        .into_iter()
        .map(|t| (t.id, t.name_zh))
        .collect();
    let themes = standing
        .owed
        .themes
        .iter()
        .map(|t| {
            (
                theme_names.get(t).cloned().unwrap_or_default(),
                standing.year.themes_met.contains(t),
            )
        })
        .collect();
    let (star_points, is_star) = state.standings.star_of(repo, now, person_id).await?;
    let is_star = is_star && crate::ssr::outbox::star_of_month(repo).await?;
    Ok(ProgressData {
        person_id,
        name: standing.cadre.name.clone(),
        community: standing.cadre.community.clone(),
        tier: standing.cadre.tier_id.and_then(|t| tiers.get(&t).cloned()),
        year,
        earned: standing.year.credited(&credits, standing.owed.elsewhere),
        reachable: crate::domain::hours::StudyHours(
            standing.year.reachable(&credits).0
                + standing.owed.elsewhere.credited(standing.year.elsewhere).0,
        ),
        elsewhere: (
            standing.year.elsewhere,
            standing.owed.elsewhere.credited(standing.year.elsewhere),
        ),
        attendance_percent: standing.year.attendance_percent(),
        bars: standing.assessments.clone(),
        outlook: standing.outlook,
        themes,
        ledger,
        ledger_elsewhere,
        withdrawn: repo.withdrawals_of(person_id).await?,
        history,
        reflections,
        star_points,
        is_star,
        three_missed: standing.three_missed,
        under_minimum: standing.under_minimum,
        candidate_for: if organises {
            standing.candidate_for.and_then(|t| tiers.get(&t).cloned())
        } else {
            None
        },
        viewer_organises: organises,
    })
}

pub async fn dashboard(
    state: &AppState,
    year: Option<i32>,
    drill: Drill,
    reach: Option<&crate::domain::org::Reach>,
) -> AppResult<DashboardData> {
    let repo = state.repo.as_ref();
    let now = Timestamp::now();
    let year = year.unwrap_or_else(|| this_year(now));
    let summary = state
        .standings
        .summary(repo, repo, year, now, reach)
        .await?;
    let tier_names = names(&summary.tiers);
    let sums = summary.selection();
    let tiers: Vec<TierLine> = summary
        .tiers
        .iter()
        .map(|t| TierLine {
            tier: tier_name(t),
            target: t.tier.target_count,
            groups: Groups::of(&sums.tier(t.tier.id)),
        })
        .collect();
    // People with no community, in whichever subdistrict, are one line.
    let mut communities: BTreeMap<(&str, i64), Figures> = BTreeMap::new();
    for place in &sums.places {
        communities
            .entry((place.community.as_str(), place.place.community.unwrap_or(0)))
            .or_default()
            .merge(&place.figures);
    }
    let lines = |positions: Vec<usize>| -> Vec<CadreLine> {
        positions
            .into_iter()
            .map(|i| line(summary.standing(i), &tier_names))
            .collect()
    };
    let (warned, warnings_total) = sums.warned(LIST_LIMIT);
    let (candidates, _) = sums.candidates(LIST_LIMIT);
    let drilled = drill.tier.is_some() || drill.community.is_some() || drill.outlook.is_some();
    let (list, list_total) = if drilled {
        let filter = crate::domain::summary::Filter {
            tier: drill.tier,
            community: drill.community,
            outlook: drill.outlook,
        };
        sums.drilled(filter, LIST_LIMIT)
    } else {
        (Vec::new(), 0)
    };
    let expected_by_month = sums.expected_by_month();
    let months: HashMap<i64, _> = repo
        .month_tallies(year)
        .await?
        .into_iter()
        .map(|m| (m.month, m))
        .collect();
    let this_month = month_of(now);
    let trend = (1..=12)
        .map(|m| {
            let key = i64::from(year) * 100 + m;
            let expected = expected_by_month.get(&key).copied().unwrap_or(0);
            let percent = months.get(&key).and_then(|t| {
                let base = expected - t.excused;
                (base > 0 && key <= this_month)
                    .then(|| ((t.present + t.late) * 100 / base).min(100))
            });
            TrendPoint {
                month: m as u32,
                percent,
            }
        })
        .collect();
    let duty = duty_lines(repo, year, reach).await?;
    let star_of_month = crate::ssr::outbox::star_of_month(repo).await?;
    let stars = if star_of_month {
        state.standings.stars(repo, now, reach, 3).await?
    } else {
        Vec::new()
    };
    let stars = stars
        .into_iter()
        .map(|r| Star {
            person_id: r.person_id,
            name: r.name,
            community: r.community,
            points: r.points,
        })
        .collect();
    Ok(DashboardData {
        year,
        tiers,
        communities: communities
            .into_iter()
            .map(|((name, id), figures)| CommunityLine {
                id,
                name: name.to_string(),
                groups: Groups::of(&figures),
            })
            .collect(),
        trend,
        warnings: lines(warned),
        warnings_total,
        candidates: lines(candidates),
        stars,
        star_of_month,
        drill,
        list: lines(list),
        list_total,
        duty,
    })
}

/// Duty excusals per community and month of `year` within `reach`, communities by name.
async fn duty_lines(
    repo: &dyn crate::ssr::db::Repository,
    year: i32,
    reach: Option<&crate::domain::org::Reach>,
) -> AppResult<Vec<DutyLine>> {
    use chrono::Datelike;
    let (from, to) = crate::domain::report::DateRange::year(year)
        .and_then(|r| r.bounds())
        .ok_or(AppError::Internal)?;
    let rows = repo.duty_rows(from, to, reach).await?;
    let names: HashMap<i64, String> = rows
        .iter()
        .map(|r| (r.community_id, r.community.clone()))
        .collect();
    let months: Vec<(i64, u32)> = rows
        .iter()
        .map(|r| (r.community_id, Timestamp(r.starts_at).local_date().month()))
        .collect();
    let mut lines: Vec<DutyLine> = crate::domain::leave::duty_by_month(&months)
        .into_iter()
        .map(|(id, months)| DutyLine {
            community: names.get(&id).cloned().unwrap_or_default(),
            months: months.to_vec(),
        })
        .collect();
    lines.sort_by(|a, b| a.community.cmp(&b.community));
    Ok(lines)
}
