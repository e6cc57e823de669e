//! Who a session is for: everyone, chosen tiers, chosen communities or named people.
use serde::{Deserialize, Serialize};

/// A cadre as audience rules see them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Member {
    pub person_id: i64,
    pub tier_id: Option<i64>,
    pub community_id: Option<i64>,
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

    pub fn includes(&self, m: &Member) -> bool {
        match self {
            Audience::Everyone => true,
            Audience::Chosen {
                tiers,
                communities,
                people,
            } => {
                m.tier_id.is_some_and(|t| tiers.contains(&t))
                    || m.community_id.is_some_and(|c| communities.contains(&c))
                    || people.contains(&m.person_id)
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

    fn m(person_id: i64, tier_id: Option<i64>, community_id: Option<i64>) -> Member {
        Member {
            person_id,
            tier_id,
            community_id,
        }
    }

    #[test]
    fn membership_table() {
        let lead_geese = Audience::chosen(vec![LEAD], vec![], vec![]).unwrap();
        let canal_or_7 = Audience::chosen(vec![], vec![CANAL], vec![7]).unwrap();
        let cases = [
            (&Audience::Everyone, m(1, None, None), true),
            (&lead_geese, m(1, Some(LEAD), Some(TOWER)), true),
            (&lead_geese, m(2, Some(STRONG), Some(CANAL)), false),
            (&lead_geese, m(3, None, None), false),
            (&canal_or_7, m(4, Some(STRONG), Some(CANAL)), true),
            (&canal_or_7, m(7, None, Some(TOWER)), true),
            (&canal_or_7, m(8, Some(LEAD), Some(TOWER)), false),
        ];
        for (audience, member, expected) in cases {
            assert_eq!(
                audience.includes(&member),
                expected,
                "{audience:?} {member:?}"
            );
        }
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
