//! Who may do what, decided in one place. Each request's caller is resolved once, with how
//! far their organiser grants reach in the organisation tree; server functions then ask this
//! module for a capability value and pass it on, so "may they" is a value, not a comment:
//!
//! - [`organiser`] gives an [`Organiser`]: the caller holds an organiser grant. Its
//!   [`Organiser::people`] limits every query about people to the grant's reach, and
//!   [`Organiser::whole`] admits only grants that reach the whole install (tiers, settings,
//!   imports, which are the install's).
//! - [`Organiser::session`] gives a [`SessionAccess`]: see, run the door, or organise one
//!   session, with the people of it the organiser may see. Out-of-reach ids answer 404.
//!
//! Surfaces that act on the whole install and take no scope keep asking `guard::authorize`,
//! which admits an organiser only with grants that reach every subdistrict: a grant never
//! opens more than it names.
use super::db::{Repository, Scope};
use super::user::CurrentUser;
use crate::domain::Role;
use crate::domain::attendance::DoorSession;
use crate::domain::org::{Reach, SessionRight};
use crate::domain::policy::{may_edit_material, may_see_session};
use crate::error::{AppError, AppResult};
use crate::ssr::db::Material;

/// The caller acting as an organiser. Only [`organiser`] makes one.
#[derive(Clone, Debug)]
pub struct Organiser {
    user: CurrentUser,
}

/// The caller as an organiser: signed in, holding the role and a grant that reaches
/// something.
pub fn organiser() -> AppResult<Organiser> {
    Organiser::of(super::guard::caller()?)
}

/// The caller as an organiser when they are one; `None` (and nothing logged) otherwise: for
/// pages that show more to organisers but are open to others.
pub fn organiser_if_any() -> Option<Organiser> {
    let user = super::guard::caller().ok()?;
    (user.account.roles.has(Role::Organiser) && !user.grants.reach.is_empty())
        .then_some(Organiser { user })
}

impl Organiser {
    /// The user as an organiser (for handlers outside server functions).
    pub fn of(user: CurrentUser) -> AppResult<Organiser> {
        if user.account.roles.has(Role::Organiser) && !user.grants.reach.is_empty() {
            Ok(Organiser { user })
        } else {
            tracing::warn!(account = user.account.id, "refused: not an organiser");
            Err(AppError::Forbidden)
        }
    }
}

impl Organiser {
    pub fn user(&self) -> &CurrentUser {
        &self.user
    }

    pub fn reach(&self) -> &Reach {
        &self.user.grants.reach
    }

    /// The limit on the people this organiser sees: `None` when the grants reach the whole
    /// install.
    pub fn people(&self) -> Option<&Reach> {
        (!self.user.grants.everything).then_some(&self.user.grants.reach)
    }

    /// Admits only grants that reach the whole install.
    pub fn whole(&self) -> AppResult<&CurrentUser> {
        if self.user.grants.everything {
            Ok(&self.user)
        } else {
            tracing::warn!(
                account = self.user.account.id,
                "refused: not the whole install"
            );
            Err(AppError::Forbidden)
        }
    }

    /// Refuses (as not found) a person outside the reach.
    pub async fn person(&self, repo: &dyn Repository, person_id: i64) -> AppResult<()> {
        let place = repo
            .person_place(person_id)
            .await?
            .ok_or(AppError::NotFound)?;
        if self.user.grants.everything || self.reach().covers_person(place) {
            Ok(())
        } else {
            Err(AppError::NotFound)
        }
    }

    /// The subdistricts this organiser may hold sessions for (every one for the whole
    /// install); refused when none (an organiser of single communities).
    pub async fn holds(&self, repo: &dyn Repository) -> AppResult<Vec<super::db::Subdistrict>> {
        let held: Vec<_> = repo
            .subdistricts()
            .await?
            .into_iter()
            .filter(|s| self.user.grants.everything || self.reach().covers_subdistrict(s.id))
            .collect();
        if held.is_empty() {
            tracing::warn!(
                account = self.user.account.id,
                "refused: holds no subdistrict"
            );
            return Err(AppError::Forbidden);
        }
        Ok(held)
    }

    /// The places whose announcements (通知公告) this organiser posts and manages, with
    /// their names: the district (`None`) for grants of the district, and each subdistrict
    /// held wholly. Empty for organisers of single communities.
    pub async fn announcement_places(
        &self,
        repo: &dyn Repository,
    ) -> AppResult<Vec<(Option<i64>, String)>> {
        let mut places = Vec::new();
        if self.holds_district() {
            places.push((None, String::new()));
        }
        let held = repo
            .subdistricts()
            .await?
            .into_iter()
            .filter(|s| self.user.grants.everything || self.reach().covers_subdistrict(s.id));
        places.extend(held.map(|s| (Some(s.id), s.name)));
        Ok(places)
    }

    /// Whether this organiser manages the announcements of `place` (`None`: the district's).
    pub async fn manages_announcements(
        &self,
        repo: &dyn Repository,
        place: Option<i64>,
    ) -> AppResult<bool> {
        Ok(self
            .announcement_places(repo)
            .await?
            .iter()
            .any(|(p, _)| *p == place))
    }

    /// Whether this organiser may hold district sessions (a 区委党校 class whose audience
    /// spans subdistricts): grants of the district, or of the whole install.
    pub fn holds_district(&self) -> bool {
        self.user.grants.everything || self.reach().district
    }

    /// Admits organisers of the district (or the whole install), who keep what is one for
    /// the install (the conversion table, the evaluation's indicators); others are refused
    /// and the refusal logged with `what`.
    pub fn keeps_district_tables(&self, what: &str) -> AppResult<()> {
        if self.holds_district() {
            Ok(())
        } else {
            tracing::warn!(
                account = self.user.account.id,
                what,
                "refused: kept by the district"
            );
            Err(AppError::Forbidden)
        }
    }

    /// The subdistricts whose sessions this organiser works with (wholly or through a
    /// community); `None` when the grants reach the whole install.
    pub fn session_subdistricts(&self) -> Option<Vec<i64>> {
        if self.user.grants.everything {
            None
        } else {
            self.reach().touched_subdistricts()
        }
    }

    /// The reach narrowed to one subdistrict (a drill-down), which the grants must cover
    /// wholly; `None` keeps the organiser's own limit.
    pub fn narrowed(&self, subdistrict: Option<i64>) -> AppResult<Option<Reach>> {
        match subdistrict {
            None => Ok(self.people().cloned()),
            Some(id) if self.user.grants.everything || self.reach().covers_subdistrict(id) => {
                Ok(Some(Reach {
                    district: false,
                    subdistricts: vec![id],
                    communities: Vec::new(),
                }))
            }
            Some(_) => Err(AppError::NotFound),
        }
    }

    /// Whose rules (settings, tier plans) this organiser may read and change, with the
    /// subdistricts' names: the district's for grants of the whole install, and each
    /// subdistrict held wholly. Organisers of single communities hold none.
    pub async fn rule_holders(
        &self,
        repo: &dyn Repository,
    ) -> AppResult<Vec<(crate::domain::settings::RuleHolder, String)>> {
        use crate::domain::settings::RuleHolder;
        let mut holders = Vec::new();
        if self.user.grants.everything {
            holders.push((RuleHolder::District, String::new()));
        }
        holders.extend(
            self.holds(repo)
                .await?
                .into_iter()
                .map(|s| (RuleHolder::Subdistrict(s.id), s.name)),
        );
        Ok(holders)
    }

    /// The rules `asked` for (a token as [`crate::domain::settings::RuleHolder::token`]
    /// writes it) among those this organiser `held` (as [`Organiser::rule_holders`] lists
    /// them), or without one the first (the district's for the whole install). A
    /// subdistrict out of reach answers as not found; a malformed token as not found too.
    pub fn rules(
        &self,
        held: &[(crate::domain::settings::RuleHolder, String)],
        asked: Option<&str>,
    ) -> AppResult<crate::domain::settings::RuleHolder> {
        use crate::domain::settings::RuleHolder;
        let wanted = match asked.map(str::trim).filter(|s| !s.is_empty()) {
            None => return held.first().map(|(h, _)| *h).ok_or(AppError::Forbidden),
            Some(token) => RuleHolder::parse_token(token).ok_or(AppError::NotFound)?,
        };
        if held.iter().any(|(h, _)| *h == wanted) {
            Ok(wanted)
        } else if wanted == RuleHolder::District {
            tracing::warn!(
                account = self.user.account.id,
                "refused: the district's rules"
            );
            Err(AppError::Forbidden)
        } else {
            Err(AppError::NotFound)
        }
    }

    /// Refuses (as not found) a person outside the reach, and (as forbidden) one the reach
    /// covers only through a single community: moving a cadre between the programme's
    /// tiers is for organisers of their whole subdistrict.
    pub async fn programme_person(&self, repo: &dyn Repository, person_id: i64) -> AppResult<()> {
        self.person(repo, person_id).await?;
        let place = repo
            .person_place(person_id)
            .await?
            .ok_or(AppError::NotFound)?;
        if self.user.grants.everything
            || place
                .subdistrict
                .is_some_and(|s| self.reach().covers_subdistrict(s))
        {
            Ok(())
        } else {
            Err(AppError::Forbidden)
        }
    }

    /// What this organiser may do with session `id`, at least `need`. A session out of
    /// reach answers as not found; one in reach but needing more answers as forbidden.
    pub async fn session(
        &self,
        repo: &dyn Repository,
        id: i64,
        need: SessionRight,
    ) -> AppResult<SessionAccess<'_>> {
        let held_by = repo
            .session_subdistrict(id)
            .await?
            .ok_or(AppError::NotFound)?;
        let right = if self.user.grants.everything {
            Some(SessionRight::Organise)
        } else {
            let reach = self.reach();
            match reach.session_right(held_by, false) {
                Some(right) => Some(right),
                None => reach.session_right(held_by, repo.audience_reached(id, reach).await?),
            }
        };
        let Some(right) = right else {
            return Err(AppError::NotFound);
        };
        if right < need {
            tracing::warn!(
                account = self.user.account.id,
                session = id,
                ?need,
                "refused"
            );
            return Err(AppError::Forbidden);
        }
        Ok(SessionAccess {
            id,
            right,
            people: if right == SessionRight::Organise {
                None
            } else {
                self.people()
            },
        })
    }
}

/// An organiser's hold on one session. Only [`Organiser::session`] makes one.
#[derive(Clone, Debug)]
pub struct SessionAccess<'a> {
    pub id: i64,
    pub right: SessionRight,
    people: Option<&'a Reach>,
}

impl SessionAccess<'_> {
    /// The limit on the session's people this organiser sees and marks: `None` for all of
    /// them (organising it).
    pub fn people(&self) -> Option<&Reach> {
        self.people
    }
}

/// How the caller stands to a session's material.
pub struct Stance {
    pub door: DoorSession,
    pub editor: bool,
    /// A cadre in the session's audience.
    pub reader: bool,
    pub organiser: bool,
}

/// Whether `user` may import a sheet of cadres: an organiser whose grants reach the whole
/// install, or an admin (who alone may give organiser scopes and staff roles in it).
pub fn may_import(user: &CurrentUser) -> bool {
    use crate::domain::policy::{Action, may};
    (may(&user.account.roles, Action::ManageProgramme) && user.grants.everything)
        || may(&user.account.roles, Action::ManageAccounts)
}

/// The signed-in caller, if they may import (see [`may_import`]).
pub fn importer() -> AppResult<CurrentUser> {
    let user = super::guard::caller()?;
    if may_import(&user) {
        Ok(user)
    } else {
        tracing::warn!(account = user.account.id, "import refused");
        Err(AppError::Forbidden)
    }
}

/// The signed-in caller of a server function, the repository and their access to
/// session `id`, refused unless they have what `need` asks.
pub async fn caller_stance(
    id: i64,
    need: Need,
) -> AppResult<(CurrentUser, std::sync::Arc<dyn Repository>, Stance)> {
    let user = crate::ssr::guard::caller()?;
    let repo = crate::ssr::guard::state()?.repo;
    let stance = stance(&user, repo.as_ref(), id).await?;
    stance.require(need)?;
    Ok((user, repo, stance))
}

/// The caller's access to session `id`; sessions they may not see answer `NotFound`.
pub async fn stance(user: &CurrentUser, repo: &dyn Repository, id: i64) -> AppResult<Stance> {
    let r = relation(user, repo, id).await?;
    let roles = &user.account.roles;
    let door = repo.door_session(id).await?.ok_or(AppError::NotFound)?;
    Ok(Stance {
        door,
        editor: may_edit_material(r.organiser, roles, r.lectures_it),
        reader: r.in_audience && roles.has(Role::Cadre),
        organiser: r.organiser,
    })
}

/// How the caller stands to a session they may see.
struct Relation {
    in_audience: bool,
    lectures_it: bool,
    /// Organises it: an organiser of the whole install, or one whose grants hold it.
    organiser: bool,
}

/// The one rule of who sees a session: organisers of the whole install, its lecturers, the
/// cadres of its audience, and organisers of part of the install whose grants reach it.
/// Anything else answers `NotFound`.
async fn relation(user: &CurrentUser, repo: &dyn Repository, id: i64) -> AppResult<Relation> {
    let roles = &user.account.roles;
    let member = user.member.ok_or(AppError::NotFound)?;
    let (in_audience, lectures_it) = repo.relation_to_session(id, &member).await?;
    let whole = roles.has(Role::Organiser) && user.grants.everything;
    let partial = if roles.has(Role::Organiser) && !whole && !user.grants.reach.is_empty() {
        match (Organiser { user: user.clone() })
            .session(repo, id, SessionRight::See)
            .await
        {
            Ok(access) => Some(access.right),
            Err(AppError::NotFound) => None,
            Err(e) => return Err(e),
        }
    } else {
        None
    };
    if !may_see_session(whole, roles, lectures_it, in_audience) && partial.is_none() {
        return Err(AppError::NotFound);
    }
    Ok(Relation {
        in_audience,
        lectures_it,
        organiser: whole || partial == Some(SessionRight::Organise),
    })
}

/// What a server function needs of the caller.
pub enum Need {
    /// To see the session.
    See,
    /// To be one of its lecturers or an organiser.
    Edit,
    /// To be an organiser.
    Organise,
}

impl Stance {
    pub fn require(&self, need: Need) -> AppResult<()> {
        let ok = match need {
            Need::See => true,
            Need::Edit => self.editor,
            Need::Organise => self.organiser,
        };
        if ok { Ok(()) } else { Err(AppError::Forbidden) }
    }

    /// Whether the caller may read this material (and its attachments) now.
    pub fn may_read(&self, material: Option<&Material>, now: crate::domain::Timestamp) -> bool {
        self.editor
            || material.is_some_and(|m| m.publication.reaches_audience(now, self.door.ends_at))
    }
}

/// Which sessions the caller sees in lists, calendars and feeds: every session for an
/// organiser of the whole install; otherwise the ones they are in the audience of (cadres),
/// lecture at, or that their organiser grants reach.
pub fn scope_of(user: &CurrentUser) -> AppResult<Scope> {
    let roles = &user.account.roles;
    if roles.has(Role::Organiser) && user.grants.everything {
        return Ok(Scope::All);
    }
    let member = user.member.ok_or(AppError::NotFound)?;
    Ok(Scope::Person {
        member,
        audience: roles.has(Role::Cadre),
        lectures: roles.has(Role::Lecturer),
        organiser: (roles.has(Role::Organiser) && !user.grants.reach.is_empty())
            .then(|| user.grants.reach.clone()),
    })
}

/// The subdistricts whose communities a scope's pickers offer: the caller's own and those
/// their organiser grants touch (`None`: all of them).
pub fn subdistricts_of(scope: &Scope) -> Option<Vec<i64>> {
    match scope {
        Scope::All => None,
        Scope::Person {
            member, organiser, ..
        } => {
            let mut subs = match organiser {
                Some(reach) => reach.touched_subdistricts()?,
                None => Vec::new(),
            };
            subs.extend(member.subdistrict_id);
            subs.sort_unstable();
            subs.dedup();
            Some(subs)
        }
    }
}

/// Whether the caller may open session `id`. An unknown id and a session they may not see
/// answer alike, so ids reveal nothing.
pub async fn may_open_session(user: &CurrentUser, repo: &dyn Repository, id: i64) -> AppResult<()> {
    relation(user, repo, id).await.map(|_| ())
}

/// Who answers and closes suggestions (投诉建议): admins, all of them; organisers, those
/// written by people in their reach. Only [`suggestion_desk`] makes one.
#[derive(Clone, Debug)]
pub struct SuggestionDesk {
    /// `None`: every suggestion.
    reach: Option<Reach>,
    person_id: i64,
}

/// The caller as a suggestion desk when they are an admin or an organiser; `None` otherwise.
pub fn suggestion_desk() -> Option<SuggestionDesk> {
    let user = super::guard::caller().ok()?;
    let person_id = user.account.person_id;
    if user.account.roles.has(Role::Admin) {
        return Some(SuggestionDesk {
            reach: None,
            person_id,
        });
    }
    organiser_if_any().map(|o| SuggestionDesk {
        reach: o.people().cloned(),
        person_id,
    })
}

impl SuggestionDesk {
    /// The limit on the suggestions seen: `None` for all.
    pub fn reach(&self) -> Option<&Reach> {
        self.reach.as_ref()
    }

    pub fn person_id(&self) -> i64 {
        self.person_id
    }

    /// Whether a suggestion written from `place` is this desk's.
    pub fn covers(&self, place: crate::domain::org::Place) -> bool {
        self.reach.as_ref().is_none_or(|r| r.covers_person(place))
    }
}
