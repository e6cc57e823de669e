//! The organisation tree (district → subdistricts → communities → people) and how far an
//! organiser's grants reach in it. Pure: the access module resolves a caller's grants into a
//! [`Reach`] once per request, and every scoped query is limited by it.
use serde::{Deserialize, Serialize};

/// One organiser grant: the unit of the tree it covers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Unit {
    /// The whole district: every subdistrict, and the district's own sessions.
    District,
    Subdistrict(i64),
    Community(i64),
}

impl Unit {
    /// `(kind, ref_id)` as stored.
    pub fn stored(self) -> (&'static str, i64) {
        match self {
            Unit::District => ("district", 0),
            Unit::Subdistrict(id) => ("subdistrict", id),
            Unit::Community(id) => ("community", id),
        }
    }

    pub fn from_stored(kind: &str, id: i64) -> Option<Unit> {
        match kind {
            "district" => Some(Unit::District),
            "subdistrict" => Some(Unit::Subdistrict(id)),
            "community" => Some(Unit::Community(id)),
            _ => None,
        }
    }

    /// The spelling used in forms and the import sheet: `district`, `subdistrict:3`,
    /// `community:12`.
    pub fn token(self) -> String {
        match self {
            Unit::District => "district".into(),
            Unit::Subdistrict(id) => format!("subdistrict:{id}"),
            Unit::Community(id) => format!("community:{id}"),
        }
    }

    pub fn parse_token(s: &str) -> Option<Unit> {
        let s = s.trim();
        if s == "district" {
            return Some(Unit::District);
        }
        let (kind, id) = s.split_once(':')?;
        let id: i64 = id.trim().parse().ok().filter(|id| *id > 0)?;
        match kind.trim() {
            "subdistrict" => Some(Unit::Subdistrict(id)),
            "community" => Some(Unit::Community(id)),
            _ => None,
        }
    }
}

/// Where a person or session sits in the tree.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Place {
    /// `None`: a district session, or a person in no community (a lecturer from outside).
    pub subdistrict: Option<i64>,
    pub community: Option<i64>,
}

/// What an organiser's grants reach, with each community's subdistrict already looked up.
#[derive(Clone, Debug, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Reach {
    pub district: bool,
    /// Whole subdistricts, sorted.
    pub subdistricts: Vec<i64>,
    /// Single communities outside those subdistricts, sorted, with their subdistrict.
    pub communities: Vec<(i64, i64)>,
}

/// What an organiser may do with one session.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub enum SessionRight {
    /// Read it (its page, material and the attendance of people in reach).
    See,
    /// Run its door and mark the attendance of the people in reach.
    Door,
    /// Change, cancel and run everything about it.
    Organise,
}

impl Reach {
    /// Resolves grants; `subdistrict_of` gives a community's subdistrict (`None` for an
    /// unknown community, whose grant then reaches nothing).
    pub fn resolve(grants: &[Unit], subdistrict_of: impl Fn(i64) -> Option<i64>) -> Reach {
        let mut reach = Reach::default();
        for grant in grants {
            match *grant {
                Unit::District => reach.district = true,
                Unit::Subdistrict(id) => reach.subdistricts.push(id),
                Unit::Community(_) => {}
            }
        }
        reach.subdistricts.sort_unstable();
        reach.subdistricts.dedup();
        for grant in grants {
            if let Unit::Community(id) = *grant
                && let Some(sub) = subdistrict_of(id)
                && !reach.subdistricts.contains(&sub)
            {
                reach.communities.push((id, sub));
            }
        }
        reach.communities.sort_unstable();
        reach.communities.dedup();
        if reach.district {
            reach.subdistricts.clear();
            reach.communities.clear();
        }
        reach
    }

    /// Reaches nothing: no organiser grant at all.
    pub fn is_empty(&self) -> bool {
        !self.district && self.subdistricts.is_empty() && self.communities.is_empty()
    }

    /// Whether the whole of the subdistrict is reached.
    pub fn covers_subdistrict(&self, id: i64) -> bool {
        self.district || self.subdistricts.contains(&id)
    }

    /// Whether a person in this place is reached (a person in no community only by the
    /// district).
    pub fn covers_person(&self, place: Place) -> bool {
        if self.district {
            return true;
        }
        match (place.subdistrict, place.community) {
            (Some(sub), Some(community)) => {
                self.subdistricts.contains(&sub)
                    || self.communities.iter().any(|(c, _)| *c == community)
            }
            _ => false,
        }
    }

    /// What these grants allow with a session held by `subdistrict` (`None`: the district),
    /// given whether any of its audience is reached. Nothing is `None`.
    pub fn session_right(
        &self,
        subdistrict: Option<i64>,
        audience_reached: bool,
    ) -> Option<SessionRight> {
        if self.district {
            return Some(SessionRight::Organise);
        }
        if let Some(sub) = subdistrict
            && self.subdistricts.contains(&sub)
        {
            return Some(SessionRight::Organise);
        }
        if !audience_reached {
            return None;
        }
        if self.subdistricts.is_empty() && self.communities.is_empty() {
            None
        } else {
            Some(SessionRight::Door)
        }
    }

    /// Subdistricts touched at all (wholly or through a community), sorted; `None` for all.
    pub fn touched_subdistricts(&self) -> Option<Vec<i64>> {
        if self.district {
            return None;
        }
        let mut subs = self.subdistricts.clone();
        subs.extend(self.communities.iter().map(|(_, s)| *s));
        subs.sort_unstable();
        subs.dedup();
        Some(subs)
    }

    /// The one subdistrict everything reached lies in, if there is one.
    pub fn single_subdistrict(&self) -> Option<i64> {
        match self.touched_subdistricts()?.as_slice() {
            [only] => Some(*only),
            _ => None,
        }
    }

    /// Whether these grants reach every subdistrict of an install that has `all`.
    pub fn covers_all(&self, all: &[i64]) -> bool {
        self.district || all.iter().all(|id| self.subdistricts.contains(id))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sub_of(c: i64) -> Option<i64> {
        match c {
            11 | 12 => Some(1),
            21 => Some(2),
            _ => None,
        }
    }

    #[test]
    fn tokens_round_trip_and_refuse_nonsense() {
        for unit in [Unit::District, Unit::Subdistrict(3), Unit::Community(12)] {
            assert_eq!(Unit::parse_token(&unit.token()), Some(unit));
            let (kind, id) = unit.stored();
            assert_eq!(Unit::from_stored(kind, id), Some(unit));
        }
        for bad in [
            "",
            "community",
            "community:",
            "community:x",
            "street:1",
            "subdistrict:0",
        ] {
            assert_eq!(Unit::parse_token(bad), None, "{bad}");
        }
        assert_eq!(Unit::from_stored("street", 1), None);
    }

    #[test]
    fn grants_resolve_into_a_reach() {
        let reach = Reach::resolve(
            &[
                Unit::Community(11),
                Unit::Subdistrict(1),
                Unit::Community(21),
            ],
            sub_of,
        );
        assert_eq!(reach.subdistricts, vec![1]);
        assert_eq!(
            reach.communities,
            vec![(21, 2)],
            "11 lies inside subdistrict 1"
        );
        assert_eq!(reach.touched_subdistricts(), Some(vec![1, 2]));
        let district = Reach::resolve(&[Unit::Community(11), Unit::District], sub_of);
        assert!(district.district && district.communities.is_empty());
        assert_eq!(district.touched_subdistricts(), None);
        assert!(Reach::resolve(&[Unit::Community(99)], sub_of).is_empty());
        assert!(Reach::resolve(&[], sub_of).is_empty());
        assert_eq!(reach.single_subdistrict(), None, "two subdistricts");
        assert_eq!(district.single_subdistrict(), None);
        let one = Reach::resolve(&[Unit::Community(11), Unit::Community(12)], sub_of);
        assert_eq!(one.single_subdistrict(), Some(1));
        assert_eq!(
            Reach::resolve(&[Unit::Subdistrict(2)], sub_of).single_subdistrict(),
            Some(2)
        );
    }

    #[test]
    fn who_is_reached() {
        let community = Reach::resolve(&[Unit::Community(11)], sub_of);
        let here = Place {
            subdistrict: Some(1),
            community: Some(11),
        };
        let next_door = Place {
            subdistrict: Some(1),
            community: Some(12),
        };
        let nowhere = Place::default();
        assert!(community.covers_person(here));
        assert!(!community.covers_person(next_door));
        assert!(!community.covers_person(nowhere));
        let sub = Reach::resolve(&[Unit::Subdistrict(1)], sub_of);
        assert!(sub.covers_person(here) && sub.covers_person(next_door));
        assert!(!sub.covers_person(nowhere));
        assert!(Reach::resolve(&[Unit::District], sub_of).covers_person(nowhere));
        assert!(sub.covers_all(&[1]) && !sub.covers_all(&[1, 2]));
        assert!(!community.covers_subdistrict(1));
    }

    #[test]
    fn what_may_be_done_with_a_session() {
        use SessionRight::*;
        let district = Reach::resolve(&[Unit::District], sub_of);
        let sub1 = Reach::resolve(&[Unit::Subdistrict(1)], sub_of);
        let c11 = Reach::resolve(&[Unit::Community(11)], sub_of);
        let table = [
            (&district, Some(2), false, Some(Organise)),
            (&district, None, false, Some(Organise)),
            (&sub1, Some(1), false, Some(Organise)),
            (&sub1, Some(2), false, None),
            (&sub1, Some(2), true, Some(Door)),
            (&sub1, None, true, Some(Door)),
            (&sub1, None, false, None),
            (&c11, Some(1), true, Some(Door)),
            (&c11, Some(1), false, None),
        ];
        for (reach, sub, reached, want) in table {
            assert_eq!(reach.session_right(sub, reached), want, "{reach:?} {sub:?}");
        }
        assert_eq!(Reach::default().session_right(Some(1), true), None);
    }
}
