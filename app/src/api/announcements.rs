//! Announcements (通知公告): organisers post one to the cadres of a subdistrict they hold
//! (or of the district), everyone or chosen tiers and communities, pinned or not, with an
//! end date or none; each cadre marks it read (the receipt), the organisers see who has not
//! read it, by community, and may remind them once.
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::domain::Timestamp;
use crate::error::AppError;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AnnouncementItem {
    pub id: i64,
    pub title: String,
    pub pinned: bool,
    pub expires_at: Option<Timestamp>,
    pub posted_at: Timestamp,
    pub posted_by: String,
    pub recipients: i64,
    pub read: i64,
    /// For the reader: whether they marked it read.
    pub mine_read: Option<bool>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AnnouncementList {
    pub mine: Vec<AnnouncementItem>,
    /// Those the caller may manage (organisers).
    pub managed: Vec<AnnouncementItem>,
    pub may_post: bool,
}

/// Receipts of one community.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CommunityReceipts {
    pub community: String,
    pub total: usize,
    pub unread: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AnnouncementView {
    pub item: AnnouncementItem,
    pub body_html: String,
    /// The notice to mark read, when it went to the caller.
    pub notice_id: Option<i64>,
    /// For organisers who manage it.
    pub receipts: Option<Vec<CommunityReceipts>>,
    pub reminded_at: Option<Timestamp>,
}

/// The choices of the posting form.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AnnouncementOptions {
    /// (id, name); `None`: the district.
    pub places: Vec<(Option<i64>, String)>,
    pub tiers: Vec<(i64, String, String)>,
    /// (id, name, subdistrict id).
    pub communities: Vec<(i64, String, i64)>,
}

#[cfg(feature = "ssr")]
fn item(row: crate::ssr::db::AnnouncementRow, mine_read: Option<bool>) -> AnnouncementItem {
    AnnouncementItem {
        id: row.id,
        title: row.title,
        pinned: row.pinned,
        expires_at: row.expires_at.map(Timestamp),
        posted_at: Timestamp(row.posted_at),
        posted_by: row.posted_by,
        recipients: row.recipients,
        read: row.read,
        mine_read,
    }
}

#[server(endpoint = "announcements")]
pub async fn announcements() -> Result<AnnouncementList, AppError> {
    use crate::ssr::guard::{caller, finish, state};
    finish(
        async {
            let me = caller()?;
            let repo = state()?.repo;
            let now = Timestamp::now();
            let mine = repo
                .announcements_of(me.account.person_id, now)
                .await?
                .into_iter()
                .map(|(row, read)| item(row, Some(read)))
                .collect();
            let (managed, may_post) = match crate::ssr::access::organiser_if_any() {
                Some(organiser) => {
                    let places = organiser.announcement_places(repo.as_ref()).await?;
                    let held: Vec<Option<i64>> = places.iter().map(|(id, _)| *id).collect();
                    let rows = if held.is_empty() {
                        Vec::new()
                    } else {
                        repo.announcements_held(Some(&held), 50).await?
                    };
                    (
                        rows.into_iter().map(|r| item(r, None)).collect(),
                        !held.is_empty(),
                    )
                }
                None => (Vec::new(), false),
            };
            Ok(AnnouncementList {
                mine,
                managed,
                may_post,
            })
        }
        .await,
    )
}

/// One announcement: for those it went to, and for the organisers who manage it (with the
/// receipts by community); for anyone else it does not exist.
#[server(endpoint = "announcement")]
pub async fn announcement(id: i64) -> Result<AnnouncementView, AppError> {
    use crate::ssr::guard::{caller, finish, state};
    finish(
        async {
            let me = caller()?;
            let repo = state()?.repo;
            let row = repo.announcement(id).await?.ok_or(AppError::NotFound)?;
            let mine = repo.announcement_for(id, me.account.person_id).await?;
            let manages = match crate::ssr::access::organiser_if_any() {
                Some(organiser) => {
                    organiser
                        .manages_announcements(repo.as_ref(), row.subdistrict_id)
                        .await?
                }
                None => false,
            };
            if mine.is_none() && !manages {
                return Err(AppError::NotFound);
            }
            let receipts = if manages {
                let mut by: Vec<CommunityReceipts> = Vec::new();
                for r in repo.announcement_receipts(id).await? {
                    let community = r.community.unwrap_or_default();
                    if by.last().is_none_or(|c| c.community != community) {
                        by.push(CommunityReceipts {
                            community: community.clone(),
                            total: 0,
                            unread: Vec::new(),
                        });
                    }
                    if let Some(c) = by.last_mut() {
                        c.total += 1;
                        if r.read_at.is_none() {
                            c.unread.push(r.name);
                        }
                    }
                }
                Some(by)
            } else {
                None
            };
            let body_html = crate::ssr::markdown::render(&row.body_md);
            let notice_id = mine.and(row.notice_id);
            let reminded_at = row.reminded_at.map(Timestamp);
            Ok(AnnouncementView {
                item: item(row, mine),
                body_html,
                notice_id,
                receipts,
                reminded_at,
            })
        }
        .await,
    )
}

#[server(endpoint = "announcement_choices")]
pub async fn announcement_choices() -> Result<AnnouncementOptions, AppError> {
    use crate::ssr::guard::{finish, state};
    finish(
        async {
            let organiser = crate::ssr::access::organiser()?;
            let repo = state()?.repo;
            let places = organiser.announcement_places(repo.as_ref()).await?;
            if places.is_empty() {
                return Err(AppError::Forbidden);
            }
            let held: Vec<i64> = places.iter().filter_map(|(id, _)| *id).collect();
            let district = organiser.holds_district();
            Ok(AnnouncementOptions {
                places,
                tiers: repo
                    .tiers()
                    .await?
                    .into_iter()
                    .map(|t| (t.id, t.name_zh, t.name_en))
                    .collect(),
                communities: repo
                    .communities()
                    .await?
                    .into_iter()
                    .filter(|c| district || held.contains(&c.subdistrict_id))
                    .map(|c| (c.id, c.name, c.subdistrict_id))
                    .collect(),
            })
        }
        .await,
    )
}

pub use posting::*;

/// Posting, in a module of its own: the form's fields are the server function's arguments
/// (a plain form posts them by name), one more than clippy's limit, which an `allow` on the
/// function does not reach through the `#[server]` macro in the browser build.
mod posting {
    #![allow(clippy::too_many_arguments)]
    use leptos::prelude::*;

    #[cfg(feature = "ssr")]
    use crate::domain::Timestamp;
    use crate::error::AppError;

    /// The most people an announcement names.
    pub const MAX_NAMED: usize = 200;

    /// Posts an announcement. `place` is a subdistrict's id, or empty for the district; its
    /// audience is the chosen tiers and communities (of that place) and the people named (of
    /// that place), or every cadre there when none is chosen.
    #[server(endpoint = "announcement_post")]
    pub async fn post_announcement(
        title: String,
        body_md: String,
        place: String,
        #[server(default)] tier_ids: Vec<i64>,
        #[server(default)] community_ids: Vec<i64>,
        #[server(default)] person_ids: Vec<i64>,
        #[server(default)] pinned: Option<String>,
        #[server(default)] expires: String,
    ) -> Result<i64, AppError> {
        use crate::domain::audience::Audience;
        use crate::domain::messages::check_announcement;
        use crate::ssr::db::NewAnnouncement;
        use crate::ssr::guard::{finish, state};
        finish(
            async {
                let organiser = crate::ssr::access::organiser()?;
                let state = state()?;
                let repo = state.repo.clone();
                let place = match place.trim() {
                    "" => None,
                    raw => Some(raw.parse::<i64>().map_err(|_| AppError::Forbidden)?),
                };
                if !organiser
                    .manages_announcements(repo.as_ref(), place)
                    .await?
                {
                    return Err(AppError::Forbidden);
                }
                let now = Timestamp::now();
                let checked = check_announcement(&title, &body_md, &expires, now)?;
                let audience =
                    if tier_ids.is_empty() && community_ids.is_empty() && person_ids.is_empty() {
                        Audience::Everyone
                    } else {
                        let communities = repo.communities().await?;
                        let within = |id: &i64| {
                            communities
                                .iter()
                                .any(|c| c.id == *id && place.is_none_or(|p| c.subdistrict_id == p))
                        };
                        if !community_ids.iter().all(within) {
                            return Err(AppError::Forbidden);
                        }
                        let mut people = person_ids;
                        people.sort_unstable();
                        people.dedup();
                        if people.len() > MAX_NAMED {
                            return Err(AppError::Invalid(
                                crate::domain::account::Invalid::Announcement,
                            ));
                        }
                        // Each person named is within the organiser's reach, and lives in the place
                        // (or in no community: a lecturer from outside).
                        for id in &people {
                            organiser
                                .person(repo.as_ref(), *id)
                                .await
                                .map_err(|_| AppError::Forbidden)?;
                            let at = repo.person_place(*id).await?.ok_or(AppError::Forbidden)?;
                            let inside = place.is_none()
                                || at.community.is_none()
                                || at.subdistrict == place;
                            if !inside {
                                return Err(AppError::Forbidden);
                            }
                        }
                        Audience::Chosen {
                            tiers: tier_ids,
                            communities: community_ids,
                            people,
                        }
                    };
                let (id, _) = repo
                    .post_announcement(
                        &NewAnnouncement {
                            title: checked.title,
                            body_md: checked.body_md,
                            subdistrict_id: place,
                            audience,
                            pinned: pinned.is_some(),
                            expires_at: checked.expires_at,
                            posted_by: organiser.user().account.person_id,
                        },
                        &state.outbox.channels(),
                        now,
                    )
                    .await?;
                state.outbox.wake();
                // A plain form post lands on the new announcement, with its receipts.
                crate::ssr::guard::after_plain_post(&format!("/announcements/{id}"));
                Ok(id)
            }
            .await,
        )
    }
}

/// Reminds those who have not read it, once; a second time is refused.
#[server(endpoint = "announcement_remind")]
pub async fn remind_announcement(id: i64) -> Result<(), AppError> {
    use crate::ssr::guard::{finish, state};
    finish(
        async {
            let organiser = crate::ssr::access::organiser()?;
            let state = state()?;
            let repo = state.repo.clone();
            let row = repo.announcement(id).await?.ok_or(AppError::NotFound)?;
            if !organiser
                .manages_announcements(repo.as_ref(), row.subdistrict_id)
                .await?
            {
                return Err(AppError::NotFound);
            }
            match repo
                .remind_unread(id, &state.outbox.channels(), Timestamp::now())
                .await?
            {
                Some(_) => {
                    state.outbox.wake();
                    Ok(())
                }
                None => Err(AppError::Conflict(crate::error::Conflict::AlreadyReminded)),
            }
        }
        .await,
    )
}
