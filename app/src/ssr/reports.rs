//! Attendance reports kept in memory: the head-counts per session and community of a date
//! range, counted once per change of the database (`data_changes`) or when the next session
//! in the range ends, and cut to the asker's reach per request. Organisers reloading the
//! report page, or downloading its CSV, share one count.
use super::db::Repository;
use super::memo::Memo;
use crate::domain::Timestamp;
use crate::domain::org::{Place, Reach};
use crate::domain::report::{Cell, CountRow, communities_of, sessions_of};
use crate::error::AppResult;

/// The report cells this app server keeps (in `AppState`), by range.
pub struct Reports {
    cells: Memo<(i64, i64), Vec<Cell>>,
}

impl Default for Reports {
    fn default() -> Self {
        Reports { cells: Memo::new() }
    }
}

impl Reports {
    /// Attendance per community and per session of the finished sessions starting in
    /// `[from, to)`, of the people within `reach` (`None`: everyone).
    pub async fn counts(
        &self,
        repo: &dyn Repository,
        from: Timestamp,
        to: Timestamp,
        now: Timestamp,
        reach: Option<&Reach>,
    ) -> AppResult<(Vec<CountRow>, Vec<CountRow>)> {
        let version = repo.data_changes().await?;
        let all = self
            .cells
            .get((from.0, to.0), version, now, || async {
                let version = repo.data_changes().await?;
                let built_at = Timestamp::now();
                let cells = repo.report_counts(from, to, built_at).await?;
                // The next session to end joins the report then.
                let until = repo
                    .next_end(from, to, built_at)
                    .await?
                    .unwrap_or(Timestamp(i64::MAX));
                Ok((version, until, cells))
            })
            .await?;
        let within = |c: &&Cell| {
            reach.is_none_or(|r| {
                r.covers_person(Place {
                    subdistrict: c.subdistrict_id,
                    community: c.community_id,
                })
            })
        };
        Ok((
            communities_of(all.iter().filter(within)),
            sessions_of(all.iter().filter(within)),
        ))
    }
}
