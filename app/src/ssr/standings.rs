//! The year's standings of everyone, and the month's star points, kept in memory between
//! requests. Building them reads every cadre's tallies; a request only filters them by the
//! asker's reach.
//!
//! What is kept is labelled with the change counter (`data_changes`, moved by triggers on
//! every write a standing depends on, by whichever app server made it) as it was read
//! *before* the build read anything, and holds until the next session starts (which moves
//! sessions from ahead to held) or the month ends (for the star). A request reads the counter
//! once: a kept value labelled at least as high is fresh, since every write committed before
//! the request began moved the counter no later than that label. Otherwise the request waits
//! for one build; requests arriving meanwhile share it, so a burst of check-ins costs one
//! rebuild at a time however many organisers reload. The judging itself runs on a blocking
//! thread, never on the async workers that serve check-ins.
use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use super::memo::Memo;

use super::db::TierPlan;
use super::db::{ProgressStore, Repository, RulesStore, StarRow};
use super::progress::{Judged, Programme, Standing, programme, read_year, year_bounds};
use crate::domain::Timestamp;
use crate::domain::org::{Place, Reach};
use crate::domain::summary::{Entry, Index, Selection, first};
use crate::error::{AppError, AppResult};

/// A year's standings of everyone, by person id, and their sums per place.
struct Year {
    judged: Judged,
    position: HashMap<i64, usize>,
    sums: Index,
}

impl Year {
    fn new(judged: Judged) -> Year {
        let position = judged
            .standings
            .iter()
            .enumerate()
            .map(|(i, s)| (s.cadre.person_id, i))
            .collect();
        let sums = Index::build(judged.standings.iter().map(|s| Entry {
            place: place(s),
            community: &s.cadre.community,
            tier: s.cadre.tier_id,
            outlook: s.outlook,
            warned: s.three_missed || s.under_minimum,
            candidate: s.candidate_for.is_some(),
            earned: s.year.credited(&s.credits, s.owed.elsewhere),
            attended: s.year.present.0 + s.year.late.0,
            expected: s.year.expected - s.year.expected_excused,
            held_months: &s.held_months,
        }));
        Year {
            judged,
            position,
            sums,
        }
    }
}

/// The year's standings as one organiser sees them: summed per place within their reach,
/// with the standings themselves at hand for the few lines a list shows.
pub struct Summary {
    kept: Arc<Year>,
    reach: Option<Reach>,
    /// The tier plans of the one subdistrict looked at (otherwise the district's).
    pub tiers: Vec<TierPlan>,
}

impl Summary {
    /// The places within the reach.
    pub fn selection(&self) -> Selection<'_> {
        self.kept.sums.within(self.reach.as_ref())
    }

    /// The standing at a position a list of [`Selection`] gave.
    pub fn standing(&self, position: usize) -> &Standing {
        &self.kept.judged.standings[position]
    }
}

/// The month's star points of every cadre who has some, best first, with each cadre's
/// position and each place's positions (rising).
struct Stars {
    rows: Vec<StarRow>,
    position: HashMap<i64, usize>,
    by_place: HashMap<Place, Vec<u32>>,
}

impl Stars {
    fn new(rows: Vec<StarRow>) -> Stars {
        let mut position = HashMap::new();
        let mut by_place: HashMap<Place, Vec<u32>> = HashMap::new();
        for (i, r) in rows.iter().enumerate() {
            position.insert(r.person_id, i);
            by_place
                .entry(r.place())
                .or_default()
                .push(u32::try_from(i).unwrap_or(u32::MAX));
        }
        Stars {
            rows,
            position,
            by_place,
        }
    }
}

/// The standings and star points this app server keeps (in `AppState`).
pub struct Standings {
    years: Memo<i32, Year>,
    stars: Memo<i64, Stars>,
    /// A background rebuild is waiting or running.
    refreshing: AtomicBool,
}

/// The least time between background rebuilds of the standings.
pub const REFRESH_GAP: std::time::Duration = std::time::Duration::from_secs(5);

impl Default for Standings {
    fn default() -> Self {
        Standings {
            years: Memo::new(),
            stars: Memo::new(),
            refreshing: AtomicBool::new(false),
        }
    }
}

impl Standings {
    async fn year(
        &self,
        repo: &dyn ProgressStore,
        rules: &dyn RulesStore,
        year: i32,
        now: Timestamp,
    ) -> AppResult<Arc<Year>> {
        year_bounds(year, now)?;
        let version = repo.data_changes().await?;
        self.years
            .get(year, version, now, || async {
                let version = repo.data_changes().await?;
                let inputs = read_year(repo, rules, year, None, now, None).await?;
                let year = tokio::task::spawn_blocking(move || Year::new(inputs.judge()))
                    .await
                    .map_err(|e| {
                        tracing::error!("judging the standings failed: {e}");
                        AppError::Internal
                    })?;
                // Held and ahead split anew when the next session starts.
                let until = year.judged.next_start.unwrap_or(Timestamp(i64::MAX));
                Ok((version, until, year))
            })
            .await
    }

    /// The year's standings of the cadres in `reach` (`None`: everyone), with the tier
    /// plans of the one subdistrict looked at (otherwise the district's).
    pub async fn programme(
        &self,
        repo: &dyn ProgressStore,
        rules: &dyn RulesStore,
        year: i32,
        now: Timestamp,
        reach: Option<&Reach>,
    ) -> AppResult<Programme> {
        let kept = self.year(repo, rules, year, now).await?;
        let standings: Vec<Arc<Standing>> = kept
            .judged
            .standings
            .iter()
            .filter(|s| reach.is_none_or(|r| r.covers_person(place(s))))
            .cloned()
            .collect();
        Ok(kept
            .judged
            .programme(standings, reach.and_then(Reach::single_subdistrict)))
    }

    /// The year's standings summed per place within `reach` (`None`: everyone), with the
    /// tier plans of the one subdistrict looked at (otherwise the district's): what the
    /// dashboard and the district's page show costs as much as the places they cover.
    pub async fn summary(
        &self,
        repo: &dyn ProgressStore,
        rules: &dyn RulesStore,
        year: i32,
        now: Timestamp,
        reach: Option<&Reach>,
    ) -> AppResult<Summary> {
        let kept = self.year(repo, rules, year, now).await?;
        let tiers = kept.judged.tiers(reach.and_then(Reach::single_subdistrict));
        Ok(Summary {
            kept,
            reach: reach.cloned(),
            tiers,
        })
    }

    /// One cadre's standing in the year (404 for someone not in the programme now): from
    /// the kept standings when they are fresh; otherwise read for this cadre alone, and the
    /// kept standings are rebuilt in the background, at most once per [`REFRESH_GAP`], so
    /// that a cadre's page never waits for everyone's and a check-in evening does not keep
    /// a core busy rebuilding.
    pub async fn standing(
        self: &Arc<Self>,
        repo: &Arc<dyn Repository>,
        year: i32,
        person: i64,
        now: Timestamp,
    ) -> AppResult<Programme> {
        year_bounds(year, now)?;
        let version = repo.data_changes().await?;
        let Some(kept) = self.years.fresh(year, version, now) else {
            self.refresh_later(repo.clone(), year);
            return programme(repo.as_ref(), repo.as_ref(), year, Some(person), now, None).await;
        };
        let standing = kept
            .position
            .get(&person)
            .map(|&i| kept.judged.standings[i].clone())
            .ok_or(AppError::NotFound)?;
        let sub = standing.cadre.subdistrict_id;
        Ok(kept.judged.programme(vec![standing], sub))
    }

    fn refresh_later(self: &Arc<Self>, repo: Arc<dyn Repository>, year: i32) {
        if self.refreshing.swap(true, Ordering::AcqRel) {
            return;
        }
        let this = self.clone();
        tokio::spawn(async move {
            tokio::time::sleep(REFRESH_GAP).await;
            if let Err(e) = this
                .year(repo.as_ref(), repo.as_ref(), year, Timestamp::now())
                .await
            {
                tracing::warn!("rebuilding the standings of {year} failed: {e}");
            }
            this.refreshing.store(false, Ordering::Release);
        });
    }

    /// The month's best star points among the cadres in `reach` (`None`: everyone): every
    /// cadre tied at the top, at most `limit` of them.
    pub async fn stars(
        &self,
        repo: &dyn ProgressStore,
        now: Timestamp,
        reach: Option<&Reach>,
        limit: usize,
    ) -> AppResult<Vec<StarRow>> {
        let kept = self.month_stars(repo, now).await?;
        // Rows are best first: the first `limit` positions within reach, cut to those tied
        // with the first.
        let (positions, _) = match reach {
            None => ((0..kept.rows.len().min(limit)).collect(), 0),
            Some(reach) => first(
                kept.by_place
                    .iter()
                    .filter(|(place, _)| reach.covers_person(**place))
                    .map(|(_, list)| list.as_slice()),
                limit,
            ),
        };
        let Some(best) = positions.first().map(|&i| kept.rows[i].points) else {
            return Ok(Vec::new());
        };
        Ok(positions
            .into_iter()
            .map(|i| &kept.rows[i])
            .take_while(|r| r.points == best)
            .cloned()
            .collect())
    }

    /// A cadre's star points this month, and whether they are the best in the cadre's
    /// subdistrict (the whole install for a cadre in none).
    pub async fn star_of(
        &self,
        repo: &dyn ProgressStore,
        now: Timestamp,
        person: i64,
    ) -> AppResult<(i64, bool)> {
        let kept = self.month_stars(repo, now).await?;
        let Some(mine) = kept.position.get(&person).map(|&i| &kept.rows[i]) else {
            return Ok((0, false));
        };
        // The best of the cadre's subdistrict is the first row of any of its places.
        let best = kept
            .by_place
            .iter()
            .filter(|(place, _)| {
                mine.subdistrict_id.is_none() || place.subdistrict == mine.subdistrict_id
            })
            .filter_map(|(_, list)| list.first())
            .min()
            .map_or(0, |&i| kept.rows[i as usize].points);
        Ok((mine.points, mine.points > 0 && mine.points == best))
    }

    async fn month_stars(&self, repo: &dyn ProgressStore, now: Timestamp) -> AppResult<Arc<Stars>> {
        let (from, to) = month_bounds(now);
        let version = repo.data_changes().await?;
        self.stars
            .get(from.0, version, now, || async {
                let version = repo.data_changes().await?;
                let rows = repo
                    .star_rows(from, to, None, i64::MAX)
                    .await?
                    .into_iter()
                    .filter(|r| r.points > 0)
                    .collect();
                Ok((version, to, Stars::new(rows)))
            })
            .await
    }
}

fn place(s: &Standing) -> Place {
    Place {
        subdistrict: s.cadre.subdistrict_id,
        community: s.cadre.community_id,
    }
}

/// The month's bounds `[start, next month)` for the star of the month.
pub fn month_bounds(now: Timestamp) -> (Timestamp, Timestamp) {
    use chrono::{Datelike, NaiveDate};
    let d = now.local_date();
    let first = NaiveDate::from_ymd_opt(d.year(), d.month(), 1).unwrap_or(d);
    let next = first
        .checked_add_months(chrono::Months::new(1))
        .unwrap_or(first);
    (
        Timestamp::from_local(first, 0, 0).unwrap_or(now),
        Timestamp::from_local(next, 0, 0).unwrap_or(now),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::AtomicUsize;

    fn built(
        version: i64,
        until: i64,
        value: &'static str,
    ) -> AppResult<(i64, Timestamp, &'static str)> {
        Ok((version, Timestamp(until), value))
    }

    #[tokio::test]
    async fn a_kept_value_serves_until_the_counter_or_the_clock_moves_past_it() {
        let memo: Memo<i32, &str> = Memo::new();
        let builds = AtomicUsize::new(0);
        let build = |version, until, value| {
            builds.fetch_add(1, Ordering::SeqCst);
            async move { built(version, until, value) }
        };
        let now = Timestamp(100);
        assert_eq!(
            *memo.get(1, 5, now, || build(5, 200, "a")).await.unwrap(),
            "a"
        );
        // Same counter, before `until`: kept.
        assert_eq!(
            *memo.get(1, 5, now, || build(5, 200, "b")).await.unwrap(),
            "a"
        );
        // A build that read a later counter serves requests that read an earlier one.
        assert_eq!(
            *memo.get(1, 4, now, || build(5, 200, "b")).await.unwrap(),
            "a"
        );
        assert_eq!(builds.load(Ordering::SeqCst), 1);
        // The counter moved: rebuilt.
        assert_eq!(
            *memo.get(1, 6, now, || build(6, 200, "c")).await.unwrap(),
            "c"
        );
        // The clock reached `until` (a session started): rebuilt.
        assert_eq!(
            *memo
                .get(1, 6, Timestamp(200), || build(6, 300, "d"))
                .await
                .unwrap(),
            "d"
        );
        // Another key is another value.
        assert_eq!(
            *memo.get(2, 6, now, || build(6, 300, "e")).await.unwrap(),
            "e"
        );
        assert_eq!(builds.load(Ordering::SeqCst), 4);
        // A failed build keeps nothing and fails the request.
        assert!(
            memo.get(3, 6, now, || async {
                Err::<(i64, Timestamp, &str), _>(AppError::NotFound)
            })
            .await
            .is_err()
        );
        assert_eq!(
            *memo.get(3, 6, now, || build(6, 300, "f")).await.unwrap(),
            "f"
        );
    }

    #[tokio::test]
    async fn requests_waiting_for_a_build_share_it() {
        let memo: Arc<Memo<i32, usize>> = Arc::new(Memo::new());
        let builds = Arc::new(AtomicUsize::new(0));
        let gate = Arc::new(tokio::sync::Notify::new());
        let mut waiting = Vec::new();
        for _ in 0..8 {
            let (memo, builds, gate) = (memo.clone(), builds.clone(), gate.clone());
            waiting.push(tokio::spawn(async move {
                *memo
                    .get(1, 7, Timestamp(0), || async {
                        gate.notified().await;
                        Ok((7, Timestamp(10), builds.fetch_add(1, Ordering::SeqCst)))
                    })
                    .await
                    .unwrap()
            }));
        }
        tokio::task::yield_now().await;
        gate.notify_one();
        for w in waiting {
            assert_eq!(w.await.unwrap(), 0);
        }
        assert_eq!(builds.load(Ordering::SeqCst), 1);
    }
}
