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

use super::db::{ProgressStore, Repository, RulesStore, StarRow};
use super::progress::{Judged, Programme, Standing, programme, read_year, year_bounds};
use crate::domain::Timestamp;
use crate::domain::org::{Place, Reach};
use crate::error::{AppError, AppResult};

/// A year's standings of everyone, by person id.
struct Year {
    judged: Judged,
    index: HashMap<i64, usize>,
}

/// The month's star points of every cadre who has some, best first.
struct Stars {
    rows: Vec<StarRow>,
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
                let judged = tokio::task::spawn_blocking(move || inputs.judge())
                    .await
                    .map_err(|e| {
                        tracing::error!("judging the standings failed: {e}");
                        AppError::Internal
                    })?;
                // Held and ahead split anew when the next session starts.
                let until = judged.next_start.unwrap_or(Timestamp(i64::MAX));
                let index = judged
                    .standings
                    .iter()
                    .enumerate()
                    .map(|(i, s)| (s.cadre.person_id, i))
                    .collect();
                Ok((version, until, Year { judged, index }))
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
            .index
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
        let mut within = kept
            .rows
            .iter()
            .filter(|r| reach.is_none_or(|reach| reach.covers_person(r.place())));
        let Some(best) = within.next() else {
            return Ok(Vec::new());
        };
        let mut out = vec![best.clone()];
        out.extend(
            within
                .take_while(|r| r.points == best.points)
                .take(limit.saturating_sub(1))
                .cloned(),
        );
        Ok(out)
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
        let Some(mine) = kept.rows.iter().find(|r| r.person_id == person) else {
            return Ok((0, false));
        };
        let best = kept
            .rows
            .iter()
            .find(|r| mine.subdistrict_id.is_none() || r.subdistrict_id == mine.subdistrict_id)
            .map_or(0, |r| r.points);
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
                Ok((version, to, Stars { rows }))
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
