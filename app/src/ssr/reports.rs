//! Attendance reports kept in memory: each finished session's head-counts per community,
//! counted once and then only again where a write touched them, and cut to the asker's
//! reach per request. Organisers reloading the report page, or downloading its CSV, share
//! one count.
//!
//! Every session and every community has a change stamp in the database (migration 0018:
//! triggers move a session's with its attendance, its fields and its audience, a community's
//! with the people who join, leave or change tier in it), so what is kept is checked by
//! reading a few hundred small rows, also across several app servers on one database. A
//! check-in costs the next report one session's count, a cadre moved one community's count
//! per session; nothing costs every session's whole audience again except a restore.
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use super::db::Repository;
use crate::domain::Timestamp;
use crate::domain::org::{Place, Reach};
use crate::domain::report::{
    Cell, CommunityStamps, CountRow, KeptSession, Recount, communities_of, sessions_of,
};
use crate::error::AppResult;

/// The finished sessions' head-counts this app server keeps (in `AppState`), by session.
#[derive(Default)]
pub struct Reports {
    kept: tokio::sync::Mutex<HashMap<i64, KeptSession>>,
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
        let cells = self.cells(repo, from, to, now).await?;
        let within = |c: &&Cell| {
            reach.is_none_or(|r| {
                r.covers_person(Place {
                    subdistrict: c.subdistrict_id,
                    community: c.community_id,
                })
            })
        };
        Ok((
            communities_of(cells.iter().filter(within)),
            sessions_of(cells.iter().filter(within)),
        ))
    }

    /// Every cell of the range as the database holds it now: the stamps are read first,
    /// so a write that lands while counting is counted again by the next request.
    async fn cells(
        &self,
        repo: &dyn Repository,
        from: Timestamp,
        to: Timestamp,
        now: Timestamp,
    ) -> AppResult<Vec<Cell>> {
        let held = repo.held_sessions(from, to, now).await?;
        let stamps: BTreeMap<i64, i64> = repo.community_stamps().await?.into_iter().collect();
        let stamps: CommunityStamps = Arc::new(stamps);
        // One request counts at a time; those waiting then find the counts made.
        let mut kept = self.kept.lock().await;
        let mut cells = Vec::new();
        for session in &held {
            match KeptSession::recount(kept.get(&session.id), session.stamp, &stamps) {
                Recount::Nothing => {}
                Recount::Whole => {
                    let groups = repo.report_groups(session.id, None).await?;
                    kept.insert(
                        session.id,
                        KeptSession {
                            stamp: session.stamp,
                            communities: stamps.clone(),
                            groups,
                        },
                    );
                }
                Recount::Communities(only) => {
                    let fresh = repo.report_groups(session.id, Some(&only)).await?;
                    if let Some(k) = kept.get_mut(&session.id) {
                        k.refresh(&only, fresh, stamps.clone());
                    }
                }
            }
            if let Some(k) = kept.get(&session.id) {
                cells.extend(k.cells(session));
            }
        }
        Ok(cells)
    }
}
