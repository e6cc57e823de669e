//! The programme's year for many cadres at once: which of the year's sessions were meant
//! for each cadre, which are held and which lie ahead, and what they lectured. Cadres who
//! share a tier and a community share an audience, so each session's audience rule is
//! checked once per such group, not once per cadre.
use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use super::Timestamp;
use super::audience::{Audience, Member};
use super::hours::StudyHours;

/// A session of the year (never a cancelled one).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct YearSession {
    pub id: i64,
    pub starts_at: Timestamp,
    pub hours: StudyHours,
    pub theme_id: i64,
    /// Cancelled sessions are meant for nobody and count for nothing.
    pub cancelled: bool,
    /// The subdistrict holding it; `None` for a district session.
    pub subdistrict_id: Option<i64>,
    pub audience: Audience,
    pub lecturers: Vec<i64>,
    /// The series it belongs to (a 专题班 one may withdraw from).
    #[serde(default)]
    pub series: String,
}

/// `(since, tier)` entries, oldest first.
pub type TierHistory = [(Timestamp, Option<i64>)];

/// A cadre and their tiers over time.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cadre {
    pub person_id: i64,
    pub community_id: Option<i64>,
    /// The subdistrict of their community.
    pub subdistrict_id: Option<i64>,
    /// `(since, tier)`, oldest first; `None` once they left the programme. Sessions before
    /// the first entry were not meant for them.
    pub tiers: Vec<(Timestamp, Option<i64>)>,
    /// Special classes (专题班) the cadre was withdrawn from, and when: their sessions after
    /// that are no longer meant for them.
    #[serde(default)]
    pub withdrawn: Vec<(String, Timestamp)>,
}

impl Cadre {
    /// Whether the cadre was withdrawn from the session's series before it began.
    pub fn withdrawn_from(&self, s: &YearSession) -> bool {
        self.withdrawn
            .iter()
            .any(|(series, at)| *series == s.series && s.starts_at > *at)
    }

    /// The tier held at `at`; `None` before joining or after leaving.
    pub fn tier_at(&self, at: Timestamp) -> Option<i64> {
        self.tiers
            .iter()
            .rev()
            .find(|(since, _)| *since <= at)
            .and_then(|(_, tier)| *tier)
    }
}

/// What the schedule holds for one cadre this year.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Planned {
    /// Sessions begun so far that were meant for the cadre.
    pub held: i64,
    pub held_hours: StudyHours,
    /// Sessions ahead meant for the cadre (leave not yet subtracted).
    pub ahead: i64,
    pub ahead_hours: StudyHours,
    /// Themes of the sessions ahead, each once.
    pub themes_ahead: Vec<i64>,
    /// The last three held sessions meant for the cadre, newest first.
    pub recent: Vec<i64>,
    /// Sessions begun so far per month (yyyymm), oldest first.
    pub held_months: Vec<(i64, i64)>,
    /// Sessions lectured so far (and their hours), and sessions ahead to lecture.
    pub lectured: i64,
    pub lectured_hours: StudyHours,
    pub lecturing_ahead: i64,
}

impl Planned {
    /// The share of the cadre's scheduled hours already held, in whole percent.
    pub fn elapsed_percent(&self) -> i64 {
        let total = self.held_hours.0 + self.ahead_hours.0;
        if total <= 0 {
            if self.held > 0 { 100 } else { 0 }
        } else {
            self.held_hours.0 * 100 / total
        }
    }
}

/// The schedule of many cadres: `cadres[i]` for `cadres[i]`, and per month (yyyymm) how
/// many attendances were expected at the sessions held.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Plan {
    pub cadres: Vec<Planned>,
    pub expected_by_month: std::collections::BTreeMap<i64, i64>,
}

/// yyyymm of an instant in Asia/Shanghai.
pub fn month_of(at: Timestamp) -> i64 {
    use chrono::Datelike;
    let d = at.local_date();
    i64::from(d.year()) * 100 + i64::from(d.month())
}

/// Whether a session is meant for the cadre's tier (at its start) and community.
fn in_group_audience(s: &YearSession, c: &Cadre) -> bool {
    c.tier_at(s.starts_at).is_some_and(|tier| {
        s.audience.includes(
            s.subdistrict_id,
            &Member {
                person_id: i64::MIN,
                tier_id: Some(tier),
                community_id: c.community_id,
                subdistrict_id: c.subdistrict_id,
            },
        )
    })
}

/// Whether a session (not cancelled) is meant for the cadre: for their tier and community
/// at its start, or naming them while they are in the programme. What [`plan`] counts,
/// for one session.
pub fn meant_for(s: &YearSession, c: &Cadre) -> bool {
    !s.cancelled
        && !c.withdrawn_from(s)
        && (in_group_audience(s, c)
            || matches!(&s.audience, Audience::Chosen { people, .. }
                if people.contains(&c.person_id) && c.tier_at(s.starts_at).is_some()))
}

/// Plans `cadres` (in their order) over `sessions` (in any order).
pub fn plan(sessions: &[YearSession], cadres: &[Cadre], now: Timestamp) -> Plan {
    let mut sessions: Vec<&YearSession> = sessions.iter().filter(|s| !s.cancelled).collect();
    sessions.sort_by_key(|s| (s.starts_at, s.id));
    // Sessions meant for a tier history and community, by both: cadres who share them
    // share an audience.
    let mut by_group: HashMap<(&TierHistory, Option<i64>), Vec<usize>> = HashMap::new();
    // Sessions that name people, by person.
    let mut named: HashMap<i64, Vec<usize>> = HashMap::new();
    for (i, s) in sessions.iter().enumerate() {
        if let Audience::Chosen { people, .. } = &s.audience {
            for p in people {
                named.entry(*p).or_default().push(i);
            }
        }
    }
    let months: Vec<i64> = sessions.iter().map(|s| month_of(s.starts_at)).collect();
    let mut expected_by_month = std::collections::BTreeMap::new();
    let mut lecturing: HashMap<i64, Vec<usize>> = HashMap::new();
    for (i, s) in sessions.iter().enumerate() {
        for p in &s.lecturers {
            lecturing.entry(*p).or_default().push(i);
        }
    }
    let cadres = cadres
        .iter()
        .map(|c| {
            let group = by_group
                .entry((c.tiers.as_slice(), c.community_id))
                .or_insert_with(|| {
                    (0..sessions.len())
                        .filter(|&i| in_group_audience(sessions[i], c))
                        .collect()
                });
            let mut mine: Vec<usize> = group.clone();
            if let Some(extra) = named.get(&c.person_id) {
                // Named people are in the audience while they are in the programme.
                mine.extend(
                    extra
                        .iter()
                        .filter(|&&i| c.tier_at(sessions[i].starts_at).is_some()),
                );
                mine.sort_unstable();
                mine.dedup();
            }
            // Withdrawn from a special class: its later sessions are no longer theirs.
            if !c.withdrawn.is_empty() {
                mine.retain(|&i| !c.withdrawn_from(sessions[i]));
            }
            let mut out = Planned::default();
            for &i in &mine {
                let s = sessions[i];
                if s.starts_at <= now {
                    *expected_by_month.entry(months[i]).or_insert(0) += 1;
                    match out.held_months.last_mut() {
                        Some((m, n)) if *m == months[i] => *n += 1,
                        _ => out.held_months.push((months[i], 1)),
                    }
                    out.held += 1;
                    out.held_hours.0 += s.hours.0;
                    out.recent.insert(0, s.id);
                    out.recent.truncate(3);
                } else {
                    out.ahead += 1;
                    out.ahead_hours.0 += s.hours.0;
                    if !out.themes_ahead.contains(&s.theme_id) {
                        out.themes_ahead.push(s.theme_id);
                    }
                }
            }
            for &i in lecturing.get(&c.person_id).into_iter().flatten() {
                let s = sessions[i];
                if s.starts_at <= now {
                    out.lectured += 1;
                    out.lectured_hours.0 += s.hours.0;
                } else {
                    out.lecturing_ahead += 1;
                }
            }
            out
        })
        .collect();
    Plan {
        cadres,
        expected_by_month,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DAY: i64 = 86_400;
    const NOW: Timestamp = Timestamp(200 * DAY);

    fn session(id: i64, day: i64, audience: Audience) -> YearSession {
        YearSession {
            id,
            starts_at: Timestamp(day * DAY),
            hours: StudyHours(20),
            theme_id: id % 3,
            cancelled: false,
            subdistrict_id: Some(1),
            audience,
            lecturers: Vec::new(),
            series: if id == 6 {
                "专题班".into()
            } else {
                String::new()
            },
        }
    }

    fn cadre(person_id: i64, community: i64, tiers: &[(i64, Option<i64>)]) -> Cadre {
        Cadre {
            person_id,
            community_id: Some(community),
            subdistrict_id: Some(1),
            tiers: tiers
                .iter()
                .map(|&(d, t)| (Timestamp(d * DAY), t))
                .collect(),
            withdrawn: Vec::new(),
        }
    }

    fn tier(t: i64) -> Audience {
        Audience::chosen(vec![t], vec![], vec![]).unwrap()
    }

    #[test]
    fn the_schedule_of_each_cadre() {
        let mut cancelled = session(9, 150, Audience::Everyone);
        cancelled.cancelled = true;
        let mut lectured = session(10, 120, tier(3));
        lectured.lecturers = vec![1];
        let mut to_lecture = session(11, 260, Audience::Everyone);
        to_lecture.lecturers = vec![1];
        let sessions = vec![
            session(1, 10, Audience::Everyone),
            session(2, 100, tier(1)),
            session(3, 180, tier(2)),
            session(4, 190, Audience::chosen(vec![], vec![50], vec![]).unwrap()),
            session(5, 195, Audience::chosen(vec![], vec![], vec![4]).unwrap()),
            session(6, 250, Audience::Everyone),
            session(7, 280, tier(2)),
            cancelled,
            lectured,
            to_lecture,
        ];
        let cadres = vec![
            // A lead goose all year, in community 50, who lectured.
            cadre(1, 50, &[(0, Some(1))]),
            // Promoted from tier 3 to tier 2 on day 150: tier 3's session before, tier 2's after.
            cadre(2, 60, &[(0, Some(3)), (150, Some(2))]),
            // Joined in tier 2 on day 185: nothing before counts.
            cadre(3, 60, &[(185, Some(2))]),
            // Named for session 5, in tier 3 since day 0.
            cadre(4, 60, &[(0, Some(3))]),
            // Left the programme on day 105.
            cadre(5, 50, &[(0, Some(1)), (105, None)]),
        ];
        let all = plan(&sessions, &cadres, NOW);
        let plans = &all.cadres;
        let ids = |p: &Planned| p.recent.clone();
        // (person, held, ahead, recent newest first, lectured, lecturing ahead)
        let expected: [(i64, i64, &[i64], i64, i64); 5] = [
            (3, 2, &[4, 2, 1], 1, 1),
            (3, 3, &[3, 10, 1], 0, 0),
            (0, 3, &[], 0, 0),
            (3, 2, &[5, 10, 1], 0, 0),
            (2, 0, &[2, 1], 0, 0),
        ];
        for (i, (held, ahead, recent, lectured, lecturing_ahead)) in
            expected.into_iter().enumerate()
        {
            let p = &plans[i];
            assert_eq!(p.held, held, "cadre {}", i + 1);
            assert_eq!(p.ahead, ahead, "cadre {}", i + 1);
            assert_eq!(ids(p), recent.to_vec(), "cadre {}", i + 1);
            assert_eq!(p.lectured, lectured, "cadre {}", i + 1);
            assert_eq!(p.lecturing_ahead, lecturing_ahead, "cadre {}", i + 1);
        }
        // The cancelled session is nobody's.
        assert!(plans.iter().all(|p| !p.recent.contains(&9)));
        assert_eq!(plans[0].held_hours, StudyHours(60));
        assert_eq!(plans[0].lectured_hours, StudyHours(20));
        assert_eq!(plans[2].themes_ahead, vec![0, 2, 1]);
        // Cadre 1: 60 of 100 scheduled hours held.
        assert_eq!(plans[0].elapsed_percent(), 60);
        assert_eq!(Planned::default().elapsed_percent(), 0);
        // Held attendances expected per month: 3 + 3 + 0 + 3 + 2 over the months held.
        assert_eq!(all.expected_by_month.values().sum::<i64>(), 11);
        // Each cadre's months add up to their held sessions, and all cadres' to the school's.
        let mut summed = std::collections::BTreeMap::new();
        for p in plans {
            assert_eq!(p.held_months.iter().map(|(_, n)| n).sum::<i64>(), p.held);
            assert!(p.held_months.windows(2).all(|w| w[0].0 < w[1].0));
            for (m, n) in &p.held_months {
                *summed.entry(*m).or_insert(0) += n;
            }
        }
        assert_eq!(summed, all.expected_by_month);
        assert_eq!(month_of(Timestamp(0)), 197001);
        // Withdrawn from the special class (session 6, day 250) on day 200: no longer
        // theirs; withdrawn after it began, it stays.
        let mut out = cadres.clone();
        out[0].withdrawn = vec![("专题班".into(), Timestamp(200 * DAY))];
        out[1].withdrawn = vec![("专题班".into(), Timestamp(251 * DAY))];
        let after = plan(&sessions, &out, NOW);
        assert_eq!(after.cadres[0].ahead, plans[0].ahead - 1);
        assert_eq!(after.cadres[0].ahead_hours.0, plans[0].ahead_hours.0 - 20);
        assert_eq!(after.cadres[1], plans[1]);
        assert!(!meant_for(&sessions[5], &out[0]) && meant_for(&sessions[5], &out[1]));
        // One session at a time, `meant_for` says what the plan counted.
        for (c, p) in out.iter().zip(&after.cadres) {
            let meant = sessions.iter().filter(|s| meant_for(s, c));
            let (held, ahead): (Vec<_>, Vec<_>) = meant.partition(|s| s.starts_at <= NOW);
            assert_eq!(held.len() as i64, p.held, "cadre {}", c.person_id);
            assert_eq!(ahead.len() as i64, p.ahead, "cadre {}", c.person_id);
        }
    }

    #[test]
    fn tier_at_follows_the_history() {
        let c = cadre(1, 1, &[(10, Some(3)), (20, Some(2)), (30, None)]);
        assert_eq!(c.tier_at(Timestamp(5 * DAY)), None);
        assert_eq!(c.tier_at(Timestamp(10 * DAY)), Some(3));
        assert_eq!(c.tier_at(Timestamp(25 * DAY)), Some(2));
        assert_eq!(c.tier_at(Timestamp(31 * DAY)), None);
    }
}
