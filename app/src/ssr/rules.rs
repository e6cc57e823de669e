//! The attendance rules organisers set, as the settings table holds them: the leave cap,
//! the make-up share, and the other shares of a session's hours; with the door's count of
//! wrong codes.
use super::db::Repository;
use crate::domain::Timestamp;
use crate::domain::share::Share;
use crate::error::AppResult;

pub const LEAVE_CAP_KEY: &str = "attendance.leave_cap";
pub const MAKE_UP_KEY: &str = "attendance.make_up_share";

/// A share setting, or `default` when unset or unreadable.
pub async fn share_setting(repo: &dyn Repository, key: &str, default: Share) -> AppResult<Share> {
    Ok(repo
        .setting(key)
        .await?
        .and_then(|v| Share::parse(&v))
        .unwrap_or(default))
}

/// The share of a cadre's scheduled hours their approved leave may reach.
pub async fn leave_cap(repo: &dyn Repository) -> AppResult<Share> {
    share_setting(repo, LEAVE_CAP_KEY, Share::LEAVE_CAP).await
}

/// The share of a session's hours a make-up earns.
pub async fn make_up_share(repo: &dyn Repository) -> AppResult<Share> {
    share_setting(repo, MAKE_UP_KEY, Share::MAKE_UP).await
}

/// Wrong codes typed for the session, from the audit log.
pub async fn wrong_codes(repo: &dyn Repository, session_id: i64) -> AppResult<i64> {
    Ok(repo
        .count_audit(
            crate::domain::audit::AuditKind::DoorWrongCode,
            &format!("session:{session_id}"),
            Timestamp(0),
        )
        .await?)
}
