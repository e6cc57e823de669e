//! The door: the projector's board, a cadre's check-in by token or code, the doors open now.
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::domain::Timestamp;
use crate::domain::attendance::{DoorOutcome, DoorSession};
use crate::domain::schedule::{AttendanceCounts, AttendanceStatus};
use crate::error::AppError;

/// Whether the door is open now.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum DoorState {
    Open,
    NotYet(Timestamp),
    Over,
    Cancelled,
}

/// People of one community who have not checked in yet.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MissingGroup {
    pub community: String,
    pub count: i64,
    /// Their names, when few enough are missing to list them on a projector.
    pub names: Vec<String>,
}

/// Most names of people not yet arrived the board lists; beyond, it shows counts only.
pub const MISSING_NAMED: i64 = 120;

/// Someone who checked in, newest first on the board.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Arrival {
    pub name: String,
    pub status: AttendanceStatus,
    pub at: Timestamp,
    pub walk_in: bool,
}

/// What the projector shows; fetched again every few seconds.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BoardData {
    pub session: DoorSession,
    pub state: DoorState,
    /// The check-in address in the QR code.
    pub link: String,
    pub qr_svg: String,
    pub code: String,
    pub seconds_left: i64,
    pub counts: AttendanceCounts,
    pub walk_ins: i64,
    /// Wrong codes typed for this session so far.
    pub wrong_codes: i64,
    /// Walk-ins waiting for an organiser's confirmation.
    pub awaiting: i64,
    pub missing: Vec<MissingGroup>,
    pub recent: Vec<Arrival>,
}

/// The cadre's view of the door: the session, what the door says, their record.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CheckinView {
    pub session: Option<DoorSession>,
    pub outcome: DoorOutcome,
    pub status: Option<AttendanceStatus>,
    pub checked_in_at: Option<Timestamp>,
    pub walk_in: bool,
}

/// A session the door is open for now, to pick before typing its code.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OpenDoor {
    pub id: i64,
    pub title: String,
    pub place: String,
    pub starts_at: Timestamp,
}

/// The projector page's data: the current QR code and short code, and who has arrived.
#[server(endpoint = "door_board")]
pub async fn door_board(session_id: i64) -> Result<BoardData, AppError> {
    use crate::domain::attendance::{WindowClosed, checkin_status};
    use crate::domain::org::SessionRight;
    use crate::ssr::access::organiser;
    use crate::ssr::guard::{finish, state};
    finish(
        async {
            let organiser = organiser()?;
            let st = state()?;
            let repo = st.repo.as_ref();
            let access = organiser
                .session(repo, session_id, SessionRight::Door)
                .await?;
            let door = repo
                .door_session(session_id)
                .await?
                .ok_or(AppError::NotFound)?;
            let now = Timestamp::now();
            let state = if door.cancelled {
                DoorState::Cancelled
            } else {
                match checkin_status(now, door.starts_at, door.ends_at, door.rules) {
                    Ok(_) => DoorState::Open,
                    Err(WindowClosed::NotYet(at)) => DoorState::NotYet(at),
                    Err(WindowClosed::Over) => DoorState::Over,
                }
            };
            let key = st.door.key_for(repo, door.id).await?;
            let step = key.clock.step(now);
            let link = format!(
                "{}/c/{}",
                crate::ssr::guard::public_origin(st.door.public_url.as_deref()),
                key.token(door.id, step)
            );
            let reach = access.people();
            let groups = st
                .sheets
                .groups(repo, &st.reference, door.id, reach)
                .await?;
            let all = crate::ssr::db::SheetGroup::total(&groups);
            let counts = all.counts;
            let walk_ins = all.walk_ins;
            let wrong_codes = crate::ssr::rules::wrong_codes(repo, door.id).await?;
            let awaiting = repo.walk_in_claims(door.id, reach).await?.len() as i64;
            let mut missing: Vec<(Option<i64>, MissingGroup)> = groups
                .into_iter()
                .map(|g| {
                    let group = MissingGroup {
                        community: g.community,
                        count: g.unmarked + g.counts.absent,
                        names: Vec::new(),
                    };
                    (g.community_id, group)
                })
                .filter(|(_, g)| g.count > 0)
                .collect();
            let missing_total: i64 = missing.iter().map(|(_, g)| g.count).sum();
            if missing_total > 0 && missing_total <= MISSING_NAMED {
                let slice = crate::ssr::db::SheetSlice {
                    missing: true,
                    ..Default::default()
                };
                for row in repo.sheet_lines(door.id, reach, &slice).await?.rows {
                    let home = missing.iter_mut().find(|(id, _)| *id == row.community_id);
                    if let Some((_, group)) = home {
                        group.names.push(row.name);
                    }
                }
            }
            let recent = repo
                .recent_arrivals(door.id, reach, 12)
                .await?
                .into_iter()
                .filter_map(|row| {
                    Some(Arrival {
                        status: row.status?,
                        at: row.checked_in_at?,
                        name: row.name,
                        walk_in: row.walk_in,
                    })
                })
                .collect();
            Ok(BoardData {
                qr_svg: crate::ssr::qr::svg(&link)?,
                code: key.code(door.id, step),
                seconds_left: key.clock.seconds_left(now),
                link,
                session: door,
                state,
                counts,
                walk_ins,
                wrong_codes,
                awaiting,
                missing: missing.into_iter().map(|(_, g)| g).collect(),
                recent,
            })
        }
        .await,
    )
}

/// What the door says to this cadre for a scanned token, before they tap: the session, and
/// whether one tap will check them in.
#[server(endpoint = "checkin_preview")]
pub async fn checkin_preview(token: String) -> Result<CheckinView, AppError> {
    use crate::ssr::checkin::{Ask, attempt};
    use crate::ssr::guard::{caller, finish, state};
    use crate::ssr::security::request_meta;
    finish(
        async {
            let user = caller()?;
            let st = state()?;
            let ask = Ask {
                token: Some(&token),
                ..Ask::default()
            };
            let a = attempt(&st, &user, &request_meta(), ask, false).await?;
            checkin_view(&st, &user, a.session, a.outcome).await
        }
        .await,
    )
}

/// The caller's record at a session after a check-in, for the result page.
#[server(endpoint = "checkin_result")]
pub async fn checkin_result(
    session_id: Option<i64>,
    outcome: String,
) -> Result<CheckinView, AppError> {
    use crate::ssr::guard::{caller, finish, state};
    finish(
        async {
            let user = caller()?;
            let st = state()?;
            let outcome = DoorOutcome::parse(&outcome).unwrap_or(DoorOutcome::Forged);
            let session = match session_id {
                Some(id) => st.repo.door_session(id).await?,
                None => None,
            };
            checkin_view(&st, &user, session, outcome).await
        }
        .await,
    )
}

#[cfg(feature = "ssr")]
async fn checkin_view(
    st: &crate::ssr::state::AppState,
    user: &crate::ssr::user::CurrentUser,
    session: Option<crate::ssr::db::DoorSession>,
    outcome: DoorOutcome,
) -> Result<CheckinView, AppError> {
    let record = match &session {
        Some(s) => st.repo.attendance_of(s.id, user.account.person_id).await?,
        None => None,
    };
    Ok(CheckinView {
        session,
        outcome,
        status: record.map(|r| r.0),
        checked_in_at: record.and_then(|r| r.1),
        walk_in: record.is_some_and(|r| r.2),
    })
}

/// The sessions whose door is open now, for the cadre to pick before typing a code.
#[server(endpoint = "open_doors")]
pub async fn open_doors() -> Result<Vec<OpenDoor>, AppError> {
    use crate::ssr::guard::{caller, finish, state};
    finish(
        async {
            caller()?;
            let doors = state()?.repo.open_doors(Timestamp::now()).await?;
            Ok(doors
                .into_iter()
                .map(|d| OpenDoor {
                    id: d.id,
                    title: d.title,
                    place: d.place,
                    starts_at: d.starts_at,
                })
                .collect())
        }
        .await,
    )
}
