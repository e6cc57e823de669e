//! Sessions' head-counts per community kept in memory: counted once per change of the
//! database (`data_changes`, which every attendance write moves) for everyone, and cut to
//! the asker's reach per request. The organiser's desk, the sheet and every projector's door
//! board, reloading every few seconds, share one count between two check-ins.
use super::db::{Repository, SheetGroup};
use super::memo::Memo;
use crate::domain::Timestamp;
use crate::domain::org::{Place, Reach};
use crate::error::AppResult;

/// The head-counts this app server keeps (in `AppState`), by session.
pub struct Sheets {
    groups: Memo<i64, Vec<SheetGroup>>,
}

impl Default for Sheets {
    fn default() -> Self {
        Sheets {
            groups: Memo::new(),
        }
    }
}

impl Sheets {
    /// The session's head-counts per community, of the people within `reach` (`None`:
    /// everyone); `reference` is the request's reference counter, if it read one.
    pub async fn groups(
        &self,
        repo: &dyn Repository,
        reference: &super::reference::Reference,
        session_id: i64,
        reach: Option<&Reach>,
    ) -> AppResult<Vec<SheetGroup>> {
        let version = repo.data_changes().await?;
        let all = self
            .groups
            .get(session_id, version, Timestamp::now(), || async {
                let version = repo.data_changes().await?;
                let groups = repo.sheet_groups(session_id, None).await?;
                Ok((version, Timestamp(i64::MAX), groups))
            })
            .await?;
        let Some(reach) = reach else {
            return Ok(all.to_vec());
        };
        let data = reference.get(repo, super::reference::version()).await?;
        let subdistrict_of = |community: i64| {
            data.communities
                .iter()
                .find(|c| c.id == community)
                .map(|c| c.subdistrict_id)
        };
        Ok(all
            .iter()
            .filter(|g| {
                reach.covers_person(Place {
                    subdistrict: g.community_id.and_then(subdistrict_of),
                    community: g.community_id,
                })
            })
            .cloned()
            .collect())
    }

    /// The session's head-counts summed, within `reach`.
    pub async fn totals(
        &self,
        repo: &dyn Repository,
        reference: &super::reference::Reference,
        session_id: i64,
        reach: Option<&Reach>,
    ) -> AppResult<crate::domain::schedule::AttendanceCounts> {
        let groups = self.groups(repo, reference, session_id, reach).await?;
        Ok(SheetGroup::total(&groups).counts)
    }
}
