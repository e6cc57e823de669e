//! Excusing a whole community at once ("社区X今晚防汛值班"): one reason for everyone of the
//! community in a session's audience who has not come; their make-up opens when it is duty.
use leptos::prelude::*;

use crate::error::AppError;

/// An organiser who holds the session (or its door) and reaches the community excuses its
/// cadres with one reason: `kind` `duty` (the default), `sick` or `personal`. The session
/// may have started; after its end only within the days leave may be asked after the fact.
/// Answers how many were excused (those already checked in, or excused, are left alone).
#[server(endpoint = "leave_excuse_group")]
pub async fn excuse_group(
    session_id: i64,
    community_id: i64,
    reason: String,
    #[server(default)] kind: String,
) -> Result<u64, AppError> {
    use crate::domain::Timestamp;
    use crate::domain::leave::{LeaveKind, make_up_due};
    use crate::domain::org::{Place, SessionRight};
    use crate::domain::session_draft::{Field, Problem, text_between};
    use crate::error::Conflict;
    use crate::ssr::db::GroupExcusal;
    use crate::ssr::guard::{finish, state};
    finish(
        async {
            let organiser = crate::ssr::access::organiser()?;
            let state = state()?;
            let repo = state.repo.clone();
            let access = organiser
                .session(repo.as_ref(), session_id, SessionRight::Door)
                .await?;
            let community = repo
                .communities()
                .await?
                .into_iter()
                .find(|c| c.id == community_id)
                .ok_or(AppError::field(
                    Field::ExcusedCommunity,
                    Problem::NotAllowed,
                ))?;
            let place = Place {
                subdistrict: Some(community.subdistrict_id),
                community: Some(community.id),
            };
            if access.people().is_some_and(|r| !r.covers_person(place)) {
                return Err(AppError::field(
                    Field::ExcusedCommunity,
                    Problem::NotAllowed,
                ));
            }
            let kind = if kind.trim().is_empty() {
                LeaveKind::Duty
            } else {
                LeaveKind::parse(&kind)
                    .ok_or(AppError::field(Field::LeaveKind, Problem::NotAllowed))?
            };
            let reason = text_between(&reason, 2, 200, Field::Reason)?;
            let door = repo
                .door_session(session_id)
                .await?
                .ok_or(AppError::NotFound)?;
            let rules =
                crate::ssr::leave::rules(repo.as_ref(), Some(community.subdistrict_id)).await?;
            let now = Timestamp::now();
            let closes = door.ends_at.0 + rules.after_days.max(0) * 86_400;
            if door.cancelled || now.0 > closes {
                return Err(AppError::Conflict(Conflict::LeaveClosed));
            }
            let (_, excused) = repo
                .excuse_group(
                    &GroupExcusal {
                        session_id,
                        community_id,
                        kind,
                        reason: &reason,
                        by: organiser.user().account.person_id,
                        make_up_due: kind
                            .opens_make_up()
                            .then(|| make_up_due(door.ends_at, now, rules.duty_make_up_days)),
                    },
                    &state.outbox.channels(),
                    now,
                )
                .await?;
            state.outbox.wake();
            crate::ssr::guard::after_plain_post(&format!(
                "/organiser/sessions/{session_id}/attendance?c=all&excused={excused}"
            ));
            Ok(excused)
        }
        .await,
    )
}

/// A series, whether it runs as a special class (专题班: leave past the cap there means
/// withdrawal), and whether the caller may change that.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct SeriesCap {
    pub series: String,
    pub capped: bool,
    pub may_set: bool,
}

/// The series the organiser's sessions belong to, with their special-class mark.
#[server(endpoint = "leave_series_caps")]
pub async fn series_caps() -> Result<Vec<SeriesCap>, AppError> {
    use crate::ssr::guard::{finish, state};
    finish(
        async {
            let organiser = crate::ssr::access::organiser()?;
            let repo = state()?.repo;
            let capped = repo.capped_series().await?;
            let mut out: Vec<SeriesCap> = Vec::new();
            for (series, holders) in holders_by_series(repo.series_holders().await?) {
                let may_set = holds_all(&organiser, &holders);
                let seen = holders.iter().any(|h| match h {
                    None => organiser.holds_district(),
                    Some(sub) => {
                        organiser.holds_district() || organiser.reach().covers_subdistrict(*sub)
                    }
                });
                if may_set || seen {
                    out.push(SeriesCap {
                        capped: capped.contains(&series),
                        series,
                        may_set,
                    });
                }
            }
            Ok(out)
        }
        .await,
    )
}

/// Marks a series as a special class (`capped` set) or no longer; organisers who hold
/// every session of the series only.
#[server(endpoint = "leave_series_cap_set")]
pub async fn set_series_cap(
    series: String,
    #[server(default)] capped: Option<String>,
) -> Result<(), AppError> {
    use crate::domain::Timestamp;
    use crate::ssr::guard::{finish, state};
    finish(
        async {
            let organiser = crate::ssr::access::organiser()?;
            let repo = state()?.repo;
            let holders = holders_by_series(repo.series_holders().await?)
                .into_iter()
                .find(|(s, _)| *s == series)
                .map(|(_, h)| h)
                .ok_or(AppError::NotFound)?;
            if !holds_all(&organiser, &holders) {
                tracing::warn!(
                    account = organiser.user().account.id,
                    "refused: a series held by others"
                );
                return Err(AppError::Forbidden);
            }
            tracing::info!(
                account = organiser.user().account.id,
                series = %series,
                capped = capped.is_some(),
                "special class mark changed"
            );
            repo.set_series_cap(
                &series,
                capped.is_some(),
                organiser.user().account.person_id,
                Timestamp::now(),
            )
            .await?;
            Ok(())
        }
        .await,
    )
}

#[cfg(feature = "ssr")]
fn holders_by_series(rows: Vec<(String, Option<i64>)>) -> Vec<(String, Vec<Option<i64>>)> {
    let mut out: Vec<(String, Vec<Option<i64>>)> = Vec::new();
    for (series, holder) in rows {
        match out.last_mut() {
            Some((s, holders)) if *s == series => holders.push(holder),
            _ => out.push((series, vec![holder])),
        }
    }
    out
}

#[cfg(feature = "ssr")]
fn holds_all(organiser: &crate::ssr::access::Organiser, holders: &[Option<i64>]) -> bool {
    holders.iter().all(|h| match h {
        None => organiser.holds_district(),
        Some(sub) => organiser.holds_district() || organiser.reach().covers_subdistrict(*sub),
    })
}
