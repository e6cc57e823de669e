//! What admins see of backups: the schedule, the snapshots in its folder, and how to
//! restore. The download itself is a plain form post (`ssr::backup::download`).
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

/// One snapshot in the schedule's folder.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SnapshotView {
    pub name: String,
    pub bytes: u64,
    pub modified: crate::domain::Timestamp,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BackupStatus {
    /// `sqlite` or `postgres`.
    pub backend: String,
    /// The folder, hours between snapshots and how many are kept; `None` when off.
    pub schedule: Option<(String, u64, usize)>,
    /// Newest first.
    pub snapshots: Vec<SnapshotView>,
}

#[server(endpoint = "backup_overview")]
pub async fn backup_overview() -> Result<BackupStatus, AppError> {
    use crate::domain::policy::Action;
    use crate::ssr::guard::{authorize, finish, state};
    finish(
        async {
            authorize(Action::ManageAccounts)?;
            let state = state()?;
            let snapshots = state
                .backups
                .as_ref()
                .map(|s| crate::ssr::backup::snapshots(&s.dir))
                .unwrap_or_default()
                .into_iter()
                .map(|s| SnapshotView {
                    name: s.name,
                    bytes: s.bytes,
                    modified: crate::domain::Timestamp(s.modified),
                })
                .collect();
            Ok(BackupStatus {
                backend: state.repo.backend().to_string(),
                schedule: state.backups.as_ref().map(|s| {
                    (
                        s.dir.display().to_string(),
                        s.every.as_secs() / 3600,
                        s.keep,
                    )
                }),
                snapshots,
            })
        }
        .await,
    )
}
