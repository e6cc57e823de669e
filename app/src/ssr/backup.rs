//! Backup and restore for an office without IT staff: `nightschool backup FILE`, scheduled
//! snapshots that keep the last N, a download for admins, and `nightschool restore FILE`,
//! which checks the file, snapshots the current database first, then restores and migrates.
//! The format (see [`super::db::backup`]) is the same for both backends.
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use super::db::backup::{self as store, FORMAT};
use super::db::{BackupMeta, Repository};
pub use super::state::BackupSchedule as Schedule;
use crate::domain::Timestamp;

/// The extension of backup files.
pub const EXTENSION: &str = "nsbak";
/// Scheduled snapshots are named `nightschool-auto-…`; only those are pruned.
const AUTO_PREFIX: &str = "nightschool-auto-";

/// `nightschool-<prefix>20261204-193000.nsbak`, in Beijing time.
pub fn file_name(prefix: &str, now: Timestamp) -> String {
    format!(
        "nightschool-{prefix}{}.{EXTENSION}",
        now.local().format("%Y%m%d-%H%M%S")
    )
}

/// `dir/name`, or `dir/name` with `-2`, `-3`, … before its extension when taken (two
/// restores within one second keep both safety snapshots).
pub fn unused_path(dir: &Path, name: &str) -> std::path::PathBuf {
    let first = dir.join(name);
    if !first.exists() {
        return first;
    }
    let (stem, ext) = name.rsplit_once('.').unwrap_or((name, ""));
    (2..)
        .map(|n| dir.join(format!("{stem}-{n}.{ext}")))
        .find(|p| !p.exists())
        .unwrap_or(first)
}

/// Writes a backup of the database to `path`, through a temporary name beside it, so a
/// file with the final name is always whole. Refuses to overwrite a file.
pub async fn make(repo: &dyn Repository, path: &Path) -> anyhow::Result<BackupMeta> {
    if path.exists() {
        anyhow::bail!(
            "{} 已存在 / exists already: choose another name",
            path.display()
        );
    }
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)?;
    }
    let partial = path.with_extension("partial");
    let _ = std::fs::remove_file(&partial);
    let made = repo
        .snapshot_to(&partial, env!("CARGO_PKG_VERSION"), Timestamp::now().0)
        .await;
    match made {
        Ok(meta) => {
            std::fs::rename(&partial, path)?;
            Ok(meta)
        }
        Err(err) => {
            let _ = std::fs::remove_file(&partial);
            Err(err.into())
        }
    }
}

/// Why a file cannot be restored; every message in both languages, for the command line.
#[derive(Debug, thiserror::Error)]
pub enum RestoreError {
    #[error("找不到文件 / no such file: {0}")]
    Missing(String),
    #[error("不是夜校备份文件 / not a Night School backup (nor a SQLite database): {0}")]
    NotSqlite(String),
    #[error("备份文件已损坏 / the backup file is damaged: {0}")]
    Damaged(String),
    #[error(
        "这个备份来自更新版本的夜校，请先升级 / the backup was made by a newer Night School: upgrade first"
    )]
    Newer,
    #[error("文件里没有夜校的数据 / the file holds no Night School data")]
    NotOurs,
    #[error("备份文件不完整 / the backup is incomplete: rows of {0} are missing")]
    Incomplete(String),
    #[error("{0}")]
    Other(#[from] anyhow::Error),
}

/// A backup that passed the checks: its description (none for a plain database file) and
/// its rows per table.
#[derive(Clone, Debug)]
pub struct Checked {
    pub meta: Option<BackupMeta>,
    pub rows: Vec<(String, i64)>,
}

/// What a restore did.
#[derive(Clone, Debug)]
pub struct Restored {
    pub checked: Checked,
    /// The snapshot of the database taken before it was replaced.
    pub before: PathBuf,
    pub rows: Vec<(String, i64)>,
}

/// Checks that `path` is a sound backup this program can read, without changing it.
pub async fn check(path: &Path) -> Result<Checked, RestoreError> {
    let mut head = [0u8; 16];
    {
        use std::io::Read;
        let mut file = std::fs::File::open(path)
            .map_err(|_| RestoreError::Missing(path.display().to_string()))?;
        if file.read_exact(&mut head).is_err() || &head != b"SQLite format 3\0" {
            return Err(RestoreError::NotSqlite(path.display().to_string()));
        }
    }
    let pool = store::open_file(path, true, false)
        .await
        .map_err(|e| RestoreError::Damaged(e.to_string()))?;
    let seen = store::inspect(&pool).await;
    pool.close().await;
    let seen = seen.map_err(|e| RestoreError::Damaged(e.to_string()))?;
    if seen.integrity != "ok" {
        return Err(RestoreError::Damaged(seen.integrity));
    }
    if seen.migrations.is_empty() || !seen.rows.iter().any(|(t, _)| t == "accounts") {
        return Err(RestoreError::NotOurs);
    }
    let known: Vec<i64> = store::sqlite_migrator().iter().map(|m| m.version).collect();
    if seen.migrations.iter().any(|v| !known.contains(v)) {
        return Err(RestoreError::Newer);
    }
    if let Some(meta) = &seen.meta {
        if meta.format != FORMAT {
            return Err(RestoreError::Newer);
        }
        let short: Vec<String> = meta
            .rows
            .iter()
            .filter(|(table, n)| {
                seen.rows.iter().find(|(t, _)| t == table).map(|r| r.1) != Some(*n)
            })
            .map(|(t, _)| t.clone())
            .collect();
        if !short.is_empty() {
            return Err(RestoreError::Incomplete(short.join(", ")));
        }
    }
    Ok(Checked {
        meta: seen.meta,
        rows: seen.rows,
    })
}

/// A file removed (with SQLite's companions) when dropped.
struct Scratch(PathBuf);

impl Drop for Scratch {
    fn drop(&mut self) {
        for suffix in ["", "-wal", "-shm", "-journal"] {
            let mut p = self.0.clone().into_os_string();
            p.push(suffix);
            let _ = std::fs::remove_file(p);
        }
    }
}

fn scratch_path(what: &str) -> anyhow::Result<PathBuf> {
    let mut random = [0u8; 8];
    getrandom::getrandom(&mut random).map_err(|e| anyhow::anyhow!("{e}"))?;
    let tag: String = random.iter().map(|b| format!("{b:02x}")).collect();
    Ok(std::env::temp_dir().join(format!("nightschool-{what}-{tag}.db")))
}

/// Restores `path` into the database: checks it, brings a copy of it up to this program's
/// schema, snapshots the database into `before_dir`, then replaces every row in one
/// transaction (all or nothing) and compares the row counts.
pub async fn restore(
    repo: &dyn Repository,
    path: &Path,
    before_dir: &Path,
) -> Result<Restored, RestoreError> {
    let checked = check(path).await?;
    let working = Scratch(scratch_path("restore")?);
    let source = store::open_file(path, true, false)
        .await
        .map_err(|e| RestoreError::Damaged(e.to_string()))?;
    let copy = store::working_copy(&source, &working.0).await;
    source.close().await;
    let copy = copy.map_err(|e| RestoreError::Damaged(e.to_string()))?;
    let before = unused_path(before_dir, &file_name("before-restore-", Timestamp::now()));
    let result = async {
        make(repo, &before).await?;
        let rows = repo
            .replace_with(&copy)
            .await
            .map_err(anyhow::Error::from)?;
        Ok::<_, RestoreError>(rows)
    }
    .await;
    copy.close().await;
    Ok(Restored {
        checked,
        before,
        rows: result?,
    })
}

/// A snapshot in the schedule's folder.
#[derive(Clone, Debug, PartialEq)]
pub struct Snapshot {
    pub name: String,
    pub bytes: u64,
    /// Unix seconds of its last change.
    pub modified: i64,
}

/// The folder's backups, newest first.
pub fn snapshots(dir: &Path) -> Vec<Snapshot> {
    let mut found: Vec<Snapshot> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| {
            let name = e.file_name().into_string().ok()?;
            if !name.starts_with("nightschool-") || !name.ends_with(&format!(".{EXTENSION}")) {
                return None;
            }
            let meta = e.metadata().ok()?;
            let modified = meta
                .modified()
                .ok()?
                .duration_since(std::time::UNIX_EPOCH)
                .ok()?
                .as_secs() as i64;
            Some(Snapshot {
                name,
                bytes: meta.len(),
                modified,
            })
        })
        .collect();
    found.sort_by(|a, b| b.modified.cmp(&a.modified).then(b.name.cmp(&a.name)));
    found
}

/// Deletes the scheduled snapshots beyond the newest `keep` (others are left alone).
fn prune(dir: &Path, keep: usize) {
    let auto: Vec<Snapshot> = snapshots(dir)
        .into_iter()
        .filter(|s| s.name.starts_with(AUTO_PREFIX))
        .collect();
    for old in auto.iter().skip(keep) {
        if let Err(err) = std::fs::remove_file(dir.join(&old.name)) {
            tracing::warn!(error = %err, file = %old.name, "removing an old backup failed");
        }
    }
}

/// Takes a snapshot whenever the newest scheduled one is older than the interval (at start
/// too, so restarts do not postpone it), keeping the last `keep`.
pub fn spawn_schedule(repo: Arc<dyn Repository>, schedule: Schedule) {
    tokio::spawn(async move {
        loop {
            let newest = snapshots(&schedule.dir)
                .into_iter()
                .find(|s| s.name.starts_with(AUTO_PREFIX))
                .map(|s| s.modified);
            let now = Timestamp::now().0;
            let due = newest.map_or(0, |t| t + schedule.every.as_secs() as i64);
            if due > now {
                tokio::time::sleep(Duration::from_secs((due - now) as u64)).await;
                continue;
            }
            let path = schedule.dir.join(file_name("auto-", Timestamp::now()));
            match make(repo.as_ref(), &path).await {
                Ok(meta) => {
                    let rows: i64 = meta.rows.iter().map(|(_, n)| n).sum();
                    tracing::info!(file = %path.display(), rows, "scheduled backup written");
                    let line = super::audit::with_detail(
                        super::audit::system(
                            crate::domain::audit::AuditKind::BackupMade,
                            &path.display().to_string(),
                        ),
                        serde_json::json!({ "rows": rows, "scheduled": true }),
                    );
                    if let Err(err) = repo.audit(&line).await {
                        tracing::error!(error = %err, "audit line not written");
                    }
                    prune(&schedule.dir, schedule.keep);
                }
                Err(err) => {
                    tracing::error!(error = %err, dir = %schedule.dir.display(), "scheduled backup failed");
                    // Try again in an hour rather than in a tight loop.
                    tokio::time::sleep(Duration::from_secs(3600)).await;
                }
            }
        }
    });
}

/// One backup is made for a browser at a time: each is a full copy of the database.
static DOWNLOADS: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(1);

/// `POST /admin/backup.nsbak`: a fresh backup for an admin, streamed as a download, and an
/// audit line saying who took it.
pub async fn download(
    axum::extract::State(state): axum::extract::State<super::state::AppState>,
    user: Option<axum::Extension<super::user::CurrentUser>>,
    meta: Option<axum::Extension<super::security::RequestMeta>>,
) -> axum::response::Response {
    use crate::domain::audit::{AuditKind, AuditOutcome};
    use crate::domain::policy::{Action, may};
    use axum::http::{StatusCode, header};
    use axum::response::IntoResponse;
    let user = match user {
        None => return StatusCode::UNAUTHORIZED.into_response(),
        Some(axum::Extension(u)) if !may(&u.account.roles, Action::ManageAccounts) => {
            return StatusCode::NOT_FOUND.into_response();
        }
        Some(axum::Extension(u)) => u,
    };
    let meta = meta.map(|m| m.0).unwrap_or_default();
    let Ok(_one) = DOWNLOADS.try_acquire() else {
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            [(header::RETRY_AFTER, "60")],
            "正在生成另一份备份，请一分钟后再试 / another backup is being made: try again in a minute",
        )
            .into_response();
    };
    let failed = |err: anyhow::Error| {
        tracing::error!(error = %err, "backup for download failed");
        (
            StatusCode::INTERNAL_SERVER_ERROR,
            "备份失败，请查看服务器日志 / the backup failed: see the server log",
        )
            .into_response()
    };
    let path = match scratch_path("download") {
        Ok(p) => p.with_extension(EXTENSION),
        Err(err) => return failed(err),
    };
    let made = make(state.repo.as_ref(), &path).await;
    let opened = match made {
        Ok(meta) => tokio::fs::File::open(&path).await.map(|f| (f, meta)),
        Err(err) => return failed(err),
    };
    // The open file stays readable after its name is gone; nothing is left behind.
    let _ = std::fs::remove_file(&path);
    let (file, backup) = match opened {
        Ok(f) => f,
        Err(err) => return failed(err.into()),
    };
    let size = file.metadata().await.map(|m| m.len()).unwrap_or(0);
    let rows: i64 = backup.rows.iter().map(|(_, n)| n).sum();
    let line = super::audit::with_detail(
        super::audit::from_meta(
            &meta,
            Some(user.account.id),
            AuditKind::BackupDownloaded,
            AuditOutcome::Ok,
            "database",
        ),
        serde_json::json!({ "rows": rows, "bytes": size }),
    );
    if let Err(err) = state.repo.audit(&line).await {
        tracing::error!(error = %err, "audit line not written");
    }
    let name = file_name("", Timestamp::now());
    let body = axum::body::Body::from_stream(tokio_util::io::ReaderStream::new(file));
    (
        [
            (header::CONTENT_TYPE, "application/vnd.sqlite3".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
            (header::CONTENT_LENGTH, size.to_string()),
            (header::CACHE_CONTROL, "private, no-store".to_string()),
        ],
        body,
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_sort_by_time_and_tell_scheduled_ones() {
        let t = Timestamp(1_796_380_200); // 2026-12-04 18:30 in Beijing
        assert_eq!(
            file_name("auto-", t),
            "nightschool-auto-20261204-183000.nsbak"
        );
        assert!(file_name("auto-", t).starts_with(AUTO_PREFIX));
        assert!(!file_name("before-restore-", t).starts_with(AUTO_PREFIX));
    }

    #[test]
    fn a_taken_name_gets_a_number() {
        let dir = std::env::temp_dir().join(format!("ns-unused-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let name = "nightschool-before-restore-20261201-010000.nsbak";
        assert_eq!(unused_path(&dir, name), dir.join(name));
        std::fs::write(dir.join(name), b"x").unwrap();
        let second = unused_path(&dir, name);
        assert_eq!(
            second,
            dir.join("nightschool-before-restore-20261201-010000-2.nsbak")
        );
        std::fs::write(&second, b"x").unwrap();
        assert!(
            unused_path(&dir, name).ends_with("nightschool-before-restore-20261201-010000-3.nsbak")
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn pruning_keeps_the_newest_scheduled_and_every_other_file() {
        let dir = std::env::temp_dir().join(format!("ns-prune-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let names = [
            "nightschool-auto-20261201-010000.nsbak",
            "nightschool-auto-20261202-010000.nsbak",
            "nightschool-auto-20261203-010000.nsbak",
            "nightschool-before-restore-20261201-010000.nsbak",
            "notes.txt",
        ];
        for (i, n) in names.iter().enumerate() {
            let p = dir.join(n);
            std::fs::write(&p, b"x").unwrap();
            let t = std::time::UNIX_EPOCH + Duration::from_secs(1_000_000 + i as u64 * 10);
            std::fs::File::options()
                .write(true)
                .open(&p)
                .unwrap()
                .set_modified(t)
                .unwrap();
        }
        prune(&dir, 2);
        let mut left: Vec<String> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        left.sort();
        assert_eq!(
            left,
            [
                "nightschool-auto-20261202-010000.nsbak",
                "nightschool-auto-20261203-010000.nsbak",
                "nightschool-before-restore-20261201-010000.nsbak",
                "notes.txt",
            ]
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
