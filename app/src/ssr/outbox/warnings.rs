//! Warnings told once per event: "three sessions missed in a row" and "under the tier's
//! attendance minimum", to the cadre and to the organisers of their community, with the
//! dates. The worker looks at the year's standings (kept in memory, shared with the
//! dashboards) after attendance changed and every half hour; a warning is raised with its
//! notices in one transaction, at most one open per person and kind (also with two servers),
//! and closed when the cadre comes again, so that a later fall is a new warning.
use std::collections::{BTreeSet, HashMap, HashSet};

use crate::domain::Timestamp;
use crate::domain::messages::{ChannelsOn, Notice, Warning};
use crate::domain::progress::{SETTLED_AFTER_SECS, Streak, missed_streak, under_minimum};
use crate::error::AppResult;
use crate::ssr::db::Repository;
use crate::ssr::progress::this_year;
use crate::ssr::standings::Standings;

/// What one look at the standings did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Looked {
    pub raised: usize,
    pub cleared: u64,
}

/// Raises the warnings that hold now and none is open for, and closes those whose condition
/// ended.
pub async fn look(
    repo: &dyn Repository,
    standings: &Standings,
    channels: &ChannelsOn,
    now: Timestamp,
) -> AppResult<Looked> {
    let programme = standings
        .programme(repo, repo, this_year(now), now, None)
        .await?;
    let open: HashSet<(i64, String)> = repo.open_warnings().await?.into_iter().collect();
    let ids: BTreeSet<i64> = programme
        .standings
        .iter()
        .flat_map(|s| s.recent.iter().map(|(id, _)| *id))
        .collect();
    let ids: Vec<i64> = ids.into_iter().collect();
    let times: HashMap<i64, (Timestamp, Timestamp)> = repo
        .session_times(&ids)
        .await?
        .into_iter()
        .map(|(id, start, end)| (id, (start, end)))
        .collect();
    let mut looked = Looked::default();
    let mut clear = Vec::new();
    let mut seen = HashSet::new();
    for s in &programme.standings {
        let person = s.cadre.person_id;
        seen.insert(person);
        let is_open = |kind: &str| open.contains(&(person, kind.to_string()));
        let recent: Vec<_> = s
            .recent
            .iter()
            .map(|(id, status)| {
                let settled = times
                    .get(id)
                    .is_some_and(|(_, end)| now.0 - end.0 >= SETTLED_AFTER_SECS);
                (*id, *status, settled)
            })
            .collect();
        let mut warnings = Vec::new();
        match missed_streak(&recent) {
            Streak::Missed(newest_first) if !is_open("three_missed") => {
                let dates = newest_first
                    .iter()
                    .rev()
                    .filter_map(|id| times.get(id).map(|(start, _)| start.0))
                    .collect();
                warnings.push(Warning::ThreeMissed { dates });
            }
            Streak::Broken if is_open("three_missed") => {
                clear.push((person, "three_missed".to_string()));
            }
            _ => {}
        }
        match under_minimum(&s.year, &s.owed) {
            Some((percent, minimum)) if !is_open("under_minimum") => {
                warnings.push(Warning::UnderMinimum {
                    percent,
                    minimum,
                    on: now.0,
                });
            }
            None if is_open("under_minimum") => {
                clear.push((person, "under_minimum".to_string()));
            }
            _ => {}
        }
        for warning in warnings {
            let notice = |own| Notice::Warned {
                person_id: person,
                name: s.cadre.name.clone(),
                community: s.cadre.community.clone(),
                warning: warning.clone(),
                own,
            };
            if repo
                .raise_warning(
                    person,
                    &warning,
                    [&notice(true), &notice(false)],
                    channels,
                    now,
                )
                .await?
            {
                looked.raised += 1;
            }
        }
    }
    // Those no longer in the programme are no longer warned about.
    clear.extend(open.iter().filter(|(p, _)| !seen.contains(p)).cloned());
    looked.cleared = repo.clear_warnings(&clear, now).await?;
    Ok(looked)
}
