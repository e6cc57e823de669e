//! Attendance reports kept in memory: each finished session's head-counts per community,
//! counted once and then only again where a write touched them, and cut to the asker's
//! reach per request. Organisers reloading the report page, or downloading its CSV, share
//! one count.
//!
//! Change stamps in the database (migration 0018) say what moved, also across several app
//! servers on one database: triggers move a session's own stamp with its fields and its
//! audience, its stamp per community with the attendance of that community's people, and a
//! community's stamp with the people who join, leave or change tier in it. A report reads
//! the sessions' own stamps and the sums of their attendance stamps (one row per session)
//! and the communities' stamps; only for a session whose sum moved does it read that
//! session's stamps per community. A check-in costs the next report one community's count
//! at one session, a cadre moved one community's count per session; nothing costs every
//! session's whole audience again but a change to the sessions themselves, the first
//! report after the server starts, and a restore.
use std::collections::HashMap;
use std::sync::Arc;

use super::db::Repository;
use crate::domain::Timestamp;
use crate::domain::org::{Place, Reach};
use crate::domain::report::{
    Cell, CommunityStamps, CountRow, KeptSession, Recount, Stamps, communities_of, sessions_of,
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
        let stamps: Stamps = repo.community_stamps().await?.into_iter().collect();
        let stamps: CommunityStamps = Arc::new(stamps);
        // One request counts at a time; those waiting then find the counts made.
        let mut kept = self.kept.lock().await;
        let mut cells = Vec::new();
        for session in &held {
            let mut marked = None;
            if KeptSession::needs_marks(kept.get(&session.id), session) {
                marked = Some(marks(repo, session.id).await?);
            }
            match KeptSession::recount(kept.get(&session.id), session, &stamps, marked.as_ref()) {
                Recount::Nothing => {}
                Recount::Whole => {
                    let marked = marks(repo, session.id).await?;
                    let groups = repo.report_groups(session.id, None).await?;
                    kept.insert(
                        session.id,
                        KeptSession {
                            stamp: session.stamp,
                            marks: marked.values().sum(),
                            marked,
                            communities: stamps.clone(),
                            groups,
                        },
                    );
                }
                Recount::Communities(only) => {
                    let fresh = repo.report_groups(session.id, Some(&only)).await?;
                    if let Some(k) = kept.get_mut(&session.id) {
                        k.refresh(&only, fresh, stamps.clone(), marked);
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

/// The session's attendance stamps per community.
async fn marks(repo: &dyn Repository, session_id: i64) -> AppResult<Stamps> {
    Ok(repo.session_marks(session_id).await?.into_iter().collect())
}
