//! The district's view, computed once for every subdistrict an organiser covers: each
//! subdistrict's figures from its cadres' standings, and the one-row-per-cadre table
//! (一张表) that spares the same figures being reported twice.
use super::db::Subdistrict;
use super::progress::Programme;
use super::state::AppState;
use crate::domain::Timestamp;
use crate::domain::district::Figures;
use crate::domain::org::Reach;
use crate::error::AppResult;

fn reach(subdistricts: &[Subdistrict]) -> Reach {
    Reach {
        district: false,
        subdistricts: subdistricts.iter().map(|s| s.id).collect(),
        communities: Vec::new(),
    }
}

/// The year's standings of the cadres of `subdistricts` (for the table, a line each).
pub async fn standings(
    state: &AppState,
    year: i32,
    subdistricts: &[Subdistrict],
    now: Timestamp,
) -> AppResult<Programme> {
    let repo = state.repo.as_ref();
    state
        .standings
        .programme(repo, repo, year, now, Some(&reach(subdistricts)))
        .await
}

/// Each subdistrict's figures, in the order given, and their total: summed from the sums
/// kept per place, so the page costs as much as the places, not the cadres.
pub async fn figures(
    state: &AppState,
    year: i32,
    subdistricts: &[Subdistrict],
    now: Timestamp,
) -> AppResult<(Vec<Figures>, Figures)> {
    let repo = state.repo.as_ref();
    let summary = state
        .standings
        .summary(repo, repo, year, now, Some(&reach(subdistricts)))
        .await?;
    let ids: Vec<i64> = subdistricts.iter().map(|s| s.id).collect();
    Ok(summary.selection().by_subdistrict(&ids))
}

/// The columns of the district's table, in order (README, "The district's table").
pub const TABLE_COLUMNS: [&str; 14] = [
    "街道",
    "社区",
    "姓名",
    "梯队",
    "年度",
    "应参加场次",
    "出勤场次",
    "请假场次",
    "补学场次",
    "出勤率",
    "已获学时",
    "应获学时",
    "心得已采纳",
    "进度",
];

/// One row per cadre, sorted by subdistrict, community and name; the header first.
pub fn table(p: &Programme, subdistricts: &[Subdistrict]) -> Vec<Vec<String>> {
    use crate::domain::progress::Outlook;
    let mut rows: Vec<(usize, Vec<String>)> = p
        .standings
        .iter()
        .filter_map(|s| {
            let place = subdistricts
                .iter()
                .position(|d| Some(d.id) == s.cadre.subdistrict_id)?;
            let tier = p
                .tiers
                .iter()
                .find(|t| Some(t.tier.id) == s.cadre.tier_id)
                .map(|t| t.tier.name_zh.clone())
                .unwrap_or_default();
            let y = &s.year;
            let outlook = match s.outlook {
                Outlook::Met => "已达标",
                Outlook::OnTrack => "进度正常",
                Outlook::AtRisk => "有风险",
                Outlook::CannotReach => "落后",
            };
            Some((
                place,
                vec![
                    subdistricts[place].name.clone(),
                    s.cadre.community.clone(),
                    s.cadre.name.clone(),
                    tier,
                    p.year.to_string(),
                    (y.expected - y.expected_excused).to_string(),
                    (y.present.0 + y.late.0).to_string(),
                    y.expected_excused.to_string(),
                    y.made_up.0.to_string(),
                    y.attendance_percent()
                        .map(|p| format!("{p}%"))
                        .unwrap_or_default(),
                    y.credited(&s.credits, s.owed.elsewhere).display(),
                    s.owed.hours.display(),
                    y.reflections_accepted.to_string(),
                    outlook.to_string(),
                ],
            ))
        })
        .collect();
    rows.sort_by(|a, b| (a.0, &a.1[1], &a.1[2]).cmp(&(b.0, &b.1[1], &b.1[2])));
    let mut out = vec![TABLE_COLUMNS.iter().map(|c| c.to_string()).collect()];
    out.extend(rows.into_iter().map(|(_, r)| r));
    out
}
