//! The attendance rules organisers set, the district's or a subdistrict's own: the leave
//! cap, the make-up share, and the other shares of a session's hours; with the door's count
//! of wrong codes.
use super::db::{RulesStore, SecurityStore};
use crate::domain::Timestamp;
use crate::domain::share::Share;
use crate::error::AppResult;

pub use crate::domain::settings::{LEAVE_CAP_KEY, MAKE_UP_KEY};

/// A share setting in force for a subdistrict (`None`: the district's), or `default` when
/// unset or unreadable.
pub async fn share_setting(
    repo: &dyn RulesStore,
    subdistrict: Option<i64>,
    key: &str,
    default: Share,
) -> AppResult<Share> {
    Ok(repo
        .setting_in(subdistrict, key)
        .await?
        .and_then(|v| Share::parse(&v))
        .unwrap_or(default))
}

/// The share of a cadre's scheduled hours their approved leave may reach, for a cadre of
/// the subdistrict.
pub async fn leave_cap(repo: &dyn RulesStore, subdistrict: Option<i64>) -> AppResult<Share> {
    share_setting(repo, subdistrict, LEAVE_CAP_KEY, Share::LEAVE_CAP).await
}

/// The share of a session's hours a make-up earns a cadre of the subdistrict.
pub async fn make_up_share(repo: &dyn RulesStore, subdistrict: Option<i64>) -> AppResult<Share> {
    share_setting(repo, subdistrict, MAKE_UP_KEY, Share::MAKE_UP).await
}

/// Wrong codes typed for the session, from the audit log.
pub async fn wrong_codes(repo: &dyn SecurityStore, session_id: i64) -> AppResult<i64> {
    Ok(repo
        .count_audit(
            crate::domain::audit::AuditKind::DoorWrongCode,
            &format!("session:{session_id}"),
            Timestamp(0),
        )
        .await?)
}
