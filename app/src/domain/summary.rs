//! The year's standings summed per place (subdistrict and community), built once with the
//! standings, so that what an organiser's pages show costs as much as the places in their
//! reach, not the cadres: head-counts per tier and outlook, the district's figures, the
//! sessions held per month, and, for the lists (warnings, candidates, a drill-down), each
//! place's cadres in the standings' order, merged when asked for the first few.
//!
//! Pure: the service hands in one entry per standing, in the standings' order; the lists
//! answer with positions in that order.
use std::cmp::Reverse;
use std::collections::{BTreeMap, BinaryHeap, HashMap};

use super::district::{CadreFigures, Figures};
use super::hours::StudyHours;
use super::org::{Place, Reach};
use super::progress::Outlook;

/// What one cadre's standing adds to the sums of their place.
#[derive(Clone, Copy, Debug)]
pub struct Entry<'a> {
    pub place: Place,
    /// The community's name, as the dashboard lists it.
    pub community: &'a str,
    pub tier: Option<i64>,
    pub outlook: Outlook,
    /// Three sessions missed in a row, or under the tier's attendance minimum.
    pub warned: bool,
    /// Could be promoted now.
    pub candidate: bool,
    pub earned: StudyHours,
    pub attended: i64,
    pub expected: i64,
    /// Sessions meant for the cadre held so far, per month (yyyymm).
    pub held_months: &'a [(i64, i64)],
}

/// One place's sums and its cadres' positions.
#[derive(Clone, Debug, Default)]
pub struct PlaceSums {
    pub place: Place,
    pub community: String,
    pub figures: Figures,
    /// Figures per tier (`None`: no tier), by tier id.
    pub by_tier: BTreeMap<Option<i64>, Figures>,
    pub expected_by_month: BTreeMap<i64, i64>,
    members: Vec<u32>,
    warned: Vec<u32>,
    candidates: Vec<u32>,
    /// Positions per tier and outlook group (met counts as on track).
    by_key: HashMap<(Option<i64>, Outlook), Vec<u32>>,
}

/// The sums of every place.
#[derive(Clone, Debug, Default)]
pub struct Index {
    places: Vec<PlaceSums>,
}

impl Index {
    /// Sums the entries; the `i`-th entry is the standing at position `i`.
    pub fn build<'a>(entries: impl IntoIterator<Item = Entry<'a>>) -> Index {
        let mut at: HashMap<Place, usize> = HashMap::new();
        let mut places: Vec<PlaceSums> = Vec::new();
        for (i, e) in entries.into_iter().enumerate() {
            let i = u32::try_from(i).unwrap_or(u32::MAX);
            let k = *at.entry(e.place).or_insert_with(|| {
                places.push(PlaceSums {
                    place: e.place,
                    community: e.community.to_string(),
                    ..PlaceSums::default()
                });
                places.len() - 1
            });
            let p = &mut places[k];
            let figures = CadreFigures {
                subdistrict: e.place.subdistrict.unwrap_or(0),
                outlook: e.outlook,
                earned: e.earned,
                attended: e.attended,
                expected: e.expected,
            };
            p.figures.add(&figures);
            p.by_tier.entry(e.tier).or_default().add(&figures);
            for (month, n) in e.held_months {
                *p.expected_by_month.entry(*month).or_insert(0) += n;
            }
            p.members.push(i);
            if e.warned {
                p.warned.push(i);
            }
            if e.candidate {
                p.candidates.push(i);
            }
            p.by_key
                .entry((e.tier, e.outlook.group()))
                .or_default()
                .push(i);
        }
        places.sort_by_key(|p| p.place);
        Index { places }
    }

    /// The places whose cadres `reach` covers (`None`: every place).
    pub fn within(&self, reach: Option<&Reach>) -> Selection<'_> {
        Selection {
            places: self
                .places
                .iter()
                .filter(|p| reach.is_none_or(|r| r.covers_person(p.place)))
                .collect(),
        }
    }
}

/// Some places' sums, as one organiser sees them.
pub struct Selection<'a> {
    pub places: Vec<&'a PlaceSums>,
}

/// Which cadres a drill-down lists: any of the filters given, all of them together.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Filter {
    pub tier: Option<i64>,
    pub community: Option<i64>,
    pub outlook: Option<Outlook>,
}

impl Selection<'_> {
    /// Everyone's figures summed.
    pub fn figures(&self) -> Figures {
        let mut total = Figures::default();
        for p in &self.places {
            total.merge(&p.figures);
        }
        total
    }

    /// The figures of one tier's cadres.
    pub fn tier(&self, tier: i64) -> Figures {
        let mut total = Figures::default();
        for p in &self.places {
            if let Some(f) = p.by_tier.get(&Some(tier)) {
                total.merge(f);
            }
        }
        total
    }

    /// Sessions meant for the cadres held so far, per month (yyyymm), summed.
    pub fn expected_by_month(&self) -> BTreeMap<i64, i64> {
        let mut out = BTreeMap::new();
        for p in &self.places {
            for (m, n) in &p.expected_by_month {
                *out.entry(*m).or_insert(0) += n;
            }
        }
        out
    }

    /// Figures per subdistrict, in the order of `subdistricts`, and their total (the same
    /// as [`super::district::by_subdistrict`] over every cadre).
    pub fn by_subdistrict(&self, subdistricts: &[i64]) -> (Vec<Figures>, Figures) {
        let mut lines = vec![Figures::default(); subdistricts.len()];
        let mut total = Figures::default();
        for p in &self.places {
            let Some(sub) = p.place.subdistrict else {
                continue;
            };
            if let Some(i) = subdistricts.iter().position(|s| *s == sub) {
                lines[i].merge(&p.figures);
                total.merge(&p.figures);
            }
        }
        (lines, total)
    }

    /// The first `limit` warned cadres' positions, and how many there are.
    pub fn warned(&self, limit: usize) -> (Vec<usize>, usize) {
        first(self.places.iter().map(|p| p.warned.as_slice()), limit)
    }

    /// The first `limit` candidates' positions, and how many there are.
    pub fn candidates(&self, limit: usize) -> (Vec<usize>, usize) {
        first(self.places.iter().map(|p| p.candidates.as_slice()), limit)
    }

    /// The first `limit` positions of the cadres the filter lists, and how many there are.
    pub fn drilled(&self, filter: Filter, limit: usize) -> (Vec<usize>, usize) {
        let mut lists: Vec<&[u32]> = Vec::new();
        for p in &self.places {
            if filter
                .community
                .is_some_and(|c| p.place.community != Some(c))
            {
                continue;
            }
            if filter.tier.is_none() && filter.outlook.is_none() {
                lists.push(&p.members);
                continue;
            }
            for ((tier, group), list) in &p.by_key {
                if filter.tier.is_none_or(|t| *tier == Some(t))
                    && filter.outlook.is_none_or(|o| *group == o.group())
                {
                    lists.push(list);
                }
            }
        }
        first(lists, limit)
    }
}

/// The smallest `limit` positions of lists each in rising order, and how many there are in
/// all.
pub fn first<'a>(lists: impl IntoIterator<Item = &'a [u32]>, limit: usize) -> (Vec<usize>, usize) {
    let lists: Vec<&[u32]> = lists.into_iter().filter(|l| !l.is_empty()).collect();
    let total = lists.iter().map(|l| l.len()).sum();
    let mut heap: BinaryHeap<Reverse<(u32, usize, usize)>> = lists
        .iter()
        .enumerate()
        .map(|(k, l)| Reverse((l[0], k, 0)))
        .collect();
    let mut out = Vec::with_capacity(limit.min(total));
    while out.len() < limit {
        let Some(Reverse((pos, k, i))) = heap.pop() else {
            break;
        };
        out.push(pos as usize);
        if let Some(next) = lists[k].get(i + 1) {
            heap.push(Reverse((*next, k, i + 1)));
        }
    }
    (out, total)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::district::by_subdistrict;

    struct Cadre {
        place: Place,
        community: String,
        tier: Option<i64>,
        outlook: Outlook,
        warned: bool,
        candidate: bool,
        attended: i64,
        held: Vec<(i64, i64)>,
    }

    /// A few hundred cadres over three subdistricts, their communities and no community,
    /// with every tier, outlook and flag mixed.
    fn cadres() -> Vec<Cadre> {
        let outlooks = [
            Outlook::Met,
            Outlook::OnTrack,
            Outlook::AtRisk,
            Outlook::CannotReach,
        ];
        (0..300i64)
            .map(|i| {
                let sub = i % 3 + 1;
                let community = (i % 7 != 0).then_some(sub * 10 + i % 4);
                Cadre {
                    place: Place {
                        subdistrict: (i % 29 != 0).then_some(sub),
                        community,
                    },
                    community: community.map(|c| format!("社区{c}")).unwrap_or_default(),
                    tier: (i % 11 != 0).then_some(i % 3 + 100),
                    outlook: outlooks[(i * 7 % 4) as usize],
                    warned: i % 5 == 0,
                    candidate: i % 6 == 1,
                    attended: i % 9,
                    held: vec![(202601 + i % 3, 1 + i % 2), (202605, 1)],
                }
            })
            .collect()
    }

    fn entry(c: &Cadre) -> Entry<'_> {
        Entry {
            place: c.place,
            community: &c.community,
            tier: c.tier,
            outlook: c.outlook,
            warned: c.warned,
            candidate: c.candidate,
            earned: StudyHours(c.attended * 15),
            attended: c.attended,
            expected: 9,
            held_months: &c.held,
        }
    }

    fn figures_of<'a>(cadres: impl Iterator<Item = &'a Cadre>) -> Figures {
        let mut f = Figures::default();
        for c in cadres {
            f.add(&CadreFigures {
                subdistrict: 0,
                outlook: c.outlook,
                earned: StudyHours(c.attended * 15),
                attended: c.attended,
                expected: 9,
            });
        }
        f
    }

    fn reaches() -> Vec<Option<Reach>> {
        vec![
            None,
            Some(Reach {
                district: true,
                ..Reach::default()
            }),
            Some(Reach {
                district: false,
                subdistricts: vec![2],
                communities: vec![],
            }),
            Some(Reach {
                district: false,
                subdistricts: vec![],
                communities: vec![(11, 1), (33, 3)],
            }),
            Some(Reach::default()),
        ]
    }

    #[test]
    fn the_sums_of_the_places_in_reach_equal_the_sums_over_their_cadres() {
        let cadres = cadres();
        let index = Index::build(cadres.iter().map(entry));
        for reach in reaches() {
            let seen: Vec<(usize, &Cadre)> = cadres
                .iter()
                .enumerate()
                .filter(|(_, c)| reach.as_ref().is_none_or(|r| r.covers_person(c.place)))
                .collect();
            let s = index.within(reach.as_ref());
            assert_eq!(s.figures(), figures_of(seen.iter().map(|(_, c)| *c)));
            for tier in [100, 101, 102, 7] {
                let want = figures_of(
                    seen.iter()
                        .map(|(_, c)| *c)
                        .filter(|c| c.tier == Some(tier)),
                );
                assert_eq!(s.tier(tier), want, "tier {tier} in {reach:?}");
            }
            let mut months = BTreeMap::new();
            for (_, c) in &seen {
                for (m, n) in &c.held {
                    *months.entry(*m).or_insert(0) += n;
                }
            }
            assert_eq!(s.expected_by_month(), months);
            let flat: Vec<CadreFigures> = seen
                .iter()
                .filter_map(|(_, c)| {
                    Some(CadreFigures {
                        subdistrict: c.place.subdistrict?,
                        outlook: c.outlook,
                        earned: StudyHours(c.attended * 15),
                        attended: c.attended,
                        expected: 9,
                    })
                })
                .collect();
            assert_eq!(
                s.by_subdistrict(&[3, 1, 8]),
                by_subdistrict(&[3, 1, 8], &flat)
            );
        }
    }

    #[test]
    fn lists_give_the_first_positions_in_the_standings_order_and_the_full_count() {
        let cadres = cadres();
        let index = Index::build(cadres.iter().map(entry));
        let filters = [
            Filter::default(),
            Filter {
                tier: Some(101),
                ..Filter::default()
            },
            Filter {
                community: Some(21),
                ..Filter::default()
            },
            Filter {
                outlook: Some(Outlook::OnTrack),
                ..Filter::default()
            },
            Filter {
                tier: Some(100),
                community: Some(11),
                outlook: Some(Outlook::AtRisk),
            },
            Filter {
                tier: Some(102),
                outlook: Some(Outlook::Met),
                ..Filter::default()
            },
        ];
        for reach in reaches() {
            let seen = |keep: &dyn Fn(&Cadre) -> bool| -> Vec<usize> {
                cadres
                    .iter()
                    .enumerate()
                    .filter(|(_, c)| reach.as_ref().is_none_or(|r| r.covers_person(c.place)))
                    .filter(|(_, c)| keep(c))
                    .map(|(i, _)| i)
                    .collect()
            };
            let s = index.within(reach.as_ref());
            for limit in [0, 1, 7, 1000] {
                let cut = |all: Vec<usize>| {
                    let n = all.len();
                    (all.into_iter().take(limit).collect::<Vec<_>>(), n)
                };
                assert_eq!(s.warned(limit), cut(seen(&|c| c.warned)));
                assert_eq!(s.candidates(limit), cut(seen(&|c| c.candidate)));
                for f in filters {
                    let want = seen(&|c| {
                        f.tier.is_none_or(|t| c.tier == Some(t))
                            && f.community.is_none_or(|k| c.place.community == Some(k))
                            && f.outlook.is_none_or(|o| c.outlook.group() == o.group())
                    });
                    assert_eq!(s.drilled(f, limit), cut(want), "{f:?} in {reach:?}");
                }
            }
        }
    }

    #[test]
    fn a_place_keeps_its_community_name() {
        let cadres = cadres();
        let index = Index::build(cadres.iter().map(entry));
        let s = index.within(None);
        let named = s
            .places
            .iter()
            .find(|p| p.place.community == Some(21))
            .unwrap();
        assert_eq!(named.community, "社区21");
        assert!(s.places.windows(2).all(|w| w[0].place < w[1].place));
    }
}
