//! Who a session is for: everyone, chosen tiers, chosen communities or named people.
use serde::{Deserialize, Serialize};

/// A cadre as audience rules see them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Member {
    pub person_id: i64,
    pub tier_id: Option<i64>,
    pub community_id: Option<i64>,
    /// The subdistrict of their community.
    pub subdistrict_id: Option<i64>,
}

/// The audience of a session. Apart from `Everyone`, a cadre is in it when they match any
/// of the chosen tiers, communities or people.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Audience {
    Everyone,
    Chosen {
        tiers: Vec<i64>,
        communities: Vec<i64>,
        people: Vec<i64>,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[error("choose who the session is for")]
pub struct EmptyAudience;

impl Audience {
    /// A chosen audience must choose someone.
    pub fn chosen(
        tiers: Vec<i64>,
        communities: Vec<i64>,
        people: Vec<i64>,
    ) -> Result<Self, EmptyAudience> {
        let mut sorted = [tiers, communities, people];
        for list in &mut sorted {
            list.sort_unstable();
            list.dedup();
        }
        let [tiers, communities, people] = sorted;
        if tiers.is_empty() && communities.is_empty() && people.is_empty() {
            Err(EmptyAudience)
        } else {
            Ok(Audience::Chosen {
                tiers,
                communities,
                people,
            })
        }
    }

    /// Whether the member is in the audience of a session held by the subdistrict
    /// `held_by` (`None`: a district session). Everyone, a tier or a community means those of
    /// the holding subdistrict; a person named is in it wherever they are.
    pub fn includes(&self, held_by: Option<i64>, m: &Member) -> bool {
        let named =
            matches!(self, Audience::Chosen { people, .. } if people.contains(&m.person_id));
        let here = held_by.is_none() || (m.subdistrict_id.is_some() && held_by == m.subdistrict_id);
        named
            || here
                && match self {
                    Audience::Everyone => true,
                    Audience::Chosen {
                        tiers, communities, ..
                    } => {
                        m.tier_id.is_some_and(|t| tiers.contains(&t))
                            || m.community_id.is_some_and(|c| communities.contains(&c))
                    }
                }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LEAD: i64 = 1;
    const STRONG: i64 = 2;
    const CANAL: i64 = 10;
    const TOWER: i64 = 11;

    const HERE: i64 = 1;
    const THERE: i64 = 2;

    fn m(person_id: i64, tier_id: Option<i64>, community_id: Option<i64>) -> Member {
        Member {
            person_id,
            tier_id,
            community_id,
            subdistrict_id: community_id.map(|_| HERE),
        }
    }

    #[test]
    fn membership_table() {
        let lead_geese = Audience::chosen(vec![LEAD], vec![], vec![]).unwrap();
        let canal_or_7 = Audience::chosen(vec![], vec![CANAL], vec![7]).unwrap();
        let cases = [
            (&Audience::Everyone, m(1, None, Some(CANAL)), true),
            (&lead_geese, m(1, Some(LEAD), Some(TOWER)), true),
            (&lead_geese, m(2, Some(STRONG), Some(CANAL)), false),
            (&lead_geese, m(3, None, None), false),
            (&canal_or_7, m(4, Some(STRONG), Some(CANAL)), true),
            (&canal_or_7, m(7, None, Some(TOWER)), true),
            (&canal_or_7, m(8, Some(LEAD), Some(TOWER)), false),
        ];
        for (audience, member, expected) in cases {
            assert_eq!(
                audience.includes(Some(HERE), &member),
                expected,
                "{audience:?} {member:?}"
            );
            assert_eq!(
                audience.includes(None, &member),
                expected,
                "a district session: {audience:?} {member:?}"
            );
        }
    }

    #[test]
    fn another_subdistricts_session_names_only_people() {
        let lead_or_7 = Audience::chosen(vec![LEAD], vec![], vec![7]).unwrap();
        let lead = m(1, Some(LEAD), Some(CANAL));
        assert!(!Audience::Everyone.includes(Some(THERE), &lead));
        assert!(!lead_or_7.includes(Some(THERE), &lead));
        assert!(lead_or_7.includes(Some(THERE), &m(7, None, Some(TOWER))));
        let nowhere = m(3, Some(LEAD), None);
        assert!(!Audience::Everyone.includes(Some(HERE), &nowhere));
        assert!(Audience::Everyone.includes(None, &nowhere));
    }

    #[test]
    fn an_empty_choice_is_refused_and_repeats_are_dropped() {
        assert_eq!(Audience::chosen(vec![], vec![], vec![]), Err(EmptyAudience));
        assert_eq!(
            Audience::chosen(vec![2, 1, 2], vec![], vec![]),
            Ok(Audience::Chosen {
                tiers: vec![1, 2],
                communities: vec![],
                people: vec![]
            })
        );
    }
}
