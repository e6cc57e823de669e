//! Attendance reports, summed from facts: one fact per cadre expected at (or recorded at) a
//! finished session. A finished session with no record for an expected cadre counts as
//! absent.
use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::Timestamp;
use super::attendance::earned_hours;
use super::hours::StudyHours;
use super::schedule::{AttendanceCounts, AttendanceStatus};
use super::share::Share;

/// One expected or recorded attendance.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Fact {
    pub session_id: i64,
    pub title: String,
    pub starts_at: Timestamp,
    pub study_hours: StudyHours,
    pub person_id: i64,
    pub name: String,
    pub community: String,
    /// The subdistrict of the person's community, whose make-up share applies.
    pub subdistrict_id: Option<i64>,
    pub tier_zh: String,
    pub status: Option<AttendanceStatus>,
    pub checked_in_at: Option<Timestamp>,
    pub walk_in: bool,
}

impl Fact {
    /// The status a report shows: no record after the end is absence.
    pub fn final_status(&self) -> AttendanceStatus {
        self.status.unwrap_or(AttendanceStatus::Absent)
    }

    fn count_into(&self, counts: &mut AttendanceCounts) {
        if !self.walk_in {
            counts.expected += 1;
        }
        counts.add(self.final_status(), 1);
    }
}

/// A row of a report: a name and its counts.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CountRow {
    pub id: i64,
    pub name: String,
    pub counts: AttendanceCounts,
}

/// Attendance per community, by name.
pub fn by_community(facts: &[Fact]) -> Vec<CountRow> {
    tally(facts, |_| Share::MAKE_UP).communities()
}

/// Attendance per session, in the order of the facts (by start).
pub fn by_session(facts: &[Fact]) -> Vec<CountRow> {
    tally(facts, |_| Share::MAKE_UP).sessions
}

fn tally(facts: &[Fact], make_up: impl Fn(Option<i64>) -> Share) -> Tally {
    let mut tally = Tally::default();
    for f in facts {
        tally.add(f, make_up(f.subdistrict_id));
    }
    tally
}

/// Facts summed one at a time, per community, per session and per cadre, so that a year of
/// facts can be read as a stream: what it holds grows with the communities, sessions and
/// cadres, not with the facts.
#[derive(Debug, Default)]
pub struct Tally {
    communities: BTreeMap<String, AttendanceCounts>,
    /// In the order the facts come (by start); a session's facts come together.
    sessions: Vec<CountRow>,
    people: std::collections::HashMap<i64, PersonRow>,
}

impl Tally {
    /// Counts one fact; `make_up` is the make-up share in force for its subdistrict.
    pub fn add(&mut self, f: &Fact, make_up: Share) {
        let community = match self.communities.get_mut(f.community.as_str()) {
            Some(c) => c,
            None => self.communities.entry(f.community.clone()).or_default(),
        };
        f.count_into(community);
        if self.sessions.last().is_none_or(|r| r.id != f.session_id) {
            self.sessions.push(CountRow {
                id: f.session_id,
                name: f.title.clone(),
                counts: AttendanceCounts::default(),
            });
        }
        if let Some(row) = self.sessions.last_mut() {
            f.count_into(&mut row.counts);
        }
        let row = match self.people.get_mut(&f.person_id) {
            Some(row) => row,
            None => self.people.entry(f.person_id).or_insert_with(|| PersonRow {
                person_id: f.person_id,
                name: f.name.clone(),
                community: f.community.clone(),
                tier_zh: f.tier_zh.clone(),
                counts: AttendanceCounts::default(),
                earned: StudyHours(0),
            }),
        };
        f.count_into(&mut row.counts);
        row.earned.0 += earned_hours(f.final_status(), f.study_hours, make_up).0;
    }

    /// Per community, by name (`id`: the place in that order).
    pub fn communities(&self) -> Vec<CountRow> {
        self.communities
            .iter()
            .enumerate()
            .map(|(i, (name, counts))| CountRow {
                id: i as i64,
                name: name.clone(),
                counts: *counts,
            })
            .collect()
    }

    /// Per session, in the order of the facts.
    pub fn sessions(&self) -> &[CountRow] {
        &self.sessions
    }

    /// Per cadre, by community then name.
    pub fn people(self) -> Vec<PersonRow> {
        let mut people: Vec<PersonRow> = self.people.into_values().collect();
        people.sort_by(|a, b| {
            (&a.community, &a.name, a.person_id).cmp(&(&b.community, &b.name, b.person_id))
        });
        people
    }
}

/// The head-counts of one community at one finished session: the facts of that pair,
/// counted (in the database, so a report never carries a line per cadre and session).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Cell {
    pub session_id: i64,
    pub title: String,
    pub starts_at: Timestamp,
    pub community_id: Option<i64>,
    pub subdistrict_id: Option<i64>,
    pub community: String,
    pub counts: AttendanceCounts,
}

impl Cell {
    /// The facts of one session and community, counted as [`by_community`] counts them.
    pub fn count<'a>(facts: impl IntoIterator<Item = &'a Fact>) -> AttendanceCounts {
        let mut counts = AttendanceCounts::default();
        for f in facts {
            f.count_into(&mut counts);
        }
        counts
    }
}

/// A finished session as a report lists it, with its change stamps (see
/// [`KeptSession::recount`]).
#[derive(Clone, Debug, PartialEq)]
pub struct HeldSession {
    pub id: i64,
    pub title: String,
    pub starts_at: Timestamp,
    /// The session's own stamp: its fields and its audience.
    pub stamp: i64,
    /// The sum of its stamps per community: its attendance.
    pub marks: i64,
}

/// One community's head-counts at one finished session (no record is absence).
#[derive(Clone, Debug, PartialEq)]
pub struct ReportGroup {
    /// `None`: people with no community.
    pub community_id: Option<i64>,
    pub subdistrict_id: Option<i64>,
    pub community: String,
    pub counts: AttendanceCounts,
}

impl ReportGroup {
    /// The group's key among a session's groups and in the stamps.
    fn key(&self) -> i64 {
        self.community_id.unwrap_or(0)
    }
}

/// Stamps by community id (0: people with no community); a community not listed is at 0.
pub type Stamps = BTreeMap<i64, i64>;

/// Every community's change stamp, shared by the sessions counted at it.
pub type CommunityStamps = std::sync::Arc<Stamps>;

/// What of a kept session must be counted again.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Recount {
    Nothing,
    /// Everything: the session was never counted, or its own stamp moved.
    Whole,
    /// Only these communities' people (0: no community): their community's stamp, or the
    /// session's attendance stamp of that community, moved.
    Communities(Vec<i64>),
}

/// A finished session's head-counts per community, kept between requests with the stamps
/// they were counted at: the session's own, its attendance's per community, and every
/// community's.
#[derive(Clone, Debug)]
pub struct KeptSession {
    pub stamp: i64,
    /// The session's attendance stamps per community, and their sum.
    pub marked: Stamps,
    pub marks: i64,
    pub communities: CommunityStamps,
    /// By community name, then id.
    pub groups: Vec<ReportGroup>,
}

/// The keys whose stamps differ between `a` and `b`.
fn moved(a: &Stamps, b: &Stamps, into: &mut Vec<i64>) {
    let at = |stamps: &Stamps, id: &i64| stamps.get(id).copied().unwrap_or(0);
    into.extend(
        a.keys()
            .chain(b.keys())
            .filter(|id| at(a, id) != at(b, id))
            .copied(),
    );
}

impl KeptSession {
    /// Whether telling what to count again for `session` needs its attendance stamps per
    /// community: only when their sum moved since `kept` was counted.
    pub fn needs_marks(kept: Option<&KeptSession>, session: &HeldSession) -> bool {
        kept.is_some_and(|k| k.stamp == session.stamp && k.marks != session.marks)
    }

    /// What must be counted again for `session` to be as the database is now, with the
    /// communities at `communities` and, when [`needs_marks`](Self::needs_marks) said so,
    /// the session's attendance stamps at `marked`; `kept` is what was kept of it.
    pub fn recount(
        kept: Option<&KeptSession>,
        session: &HeldSession,
        communities: &Stamps,
        marked: Option<&Stamps>,
    ) -> Recount {
        let Some(kept) = kept.filter(|k| k.stamp == session.stamp) else {
            return Recount::Whole;
        };
        let mut stale = Vec::new();
        moved(&kept.communities, communities, &mut stale);
        if kept.marks != session.marks {
            let Some(marked) = marked else {
                return Recount::Whole;
            };
            moved(&kept.marked, marked, &mut stale);
        }
        stale.sort_unstable();
        stale.dedup();
        if stale.is_empty() {
            Recount::Nothing
        } else {
            Recount::Communities(stale)
        }
    }

    /// Puts `fresh`, counted for the communities `only`, in place of what was kept of them;
    /// the session is then as of `communities` and, when given, `marked`.
    pub fn refresh(
        &mut self,
        only: &[i64],
        fresh: Vec<ReportGroup>,
        communities: CommunityStamps,
        marked: Option<Stamps>,
    ) {
        self.groups.retain(|g| !only.contains(&g.key()));
        self.groups.extend(fresh);
        self.groups
            .sort_by(|a, b| (&a.community, a.key()).cmp(&(&b.community, b.key())));
        self.communities = communities;
        if let Some(marked) = marked {
            self.marks = marked.values().sum();
            self.marked = marked;
        }
    }

    /// The session's cells, in the order of its groups.
    pub fn cells<'a>(&'a self, session: &'a HeldSession) -> impl Iterator<Item = Cell> + 'a {
        self.groups.iter().map(move |g| Cell {
            session_id: session.id,
            title: session.title.clone(),
            starts_at: session.starts_at,
            community_id: g.community_id,
            subdistrict_id: g.subdistrict_id,
            community: g.community.clone(),
            counts: g.counts,
        })
    }
}

/// Attendance per community (`id`: the community's, 0 for none), by name, from cells.
pub fn communities_of<'a>(cells: impl IntoIterator<Item = &'a Cell>) -> Vec<CountRow> {
    let mut map: BTreeMap<(&str, i64), AttendanceCounts> = BTreeMap::new();
    for c in cells {
        let key = (c.community.as_str(), c.community_id.unwrap_or(0));
        map.entry(key).or_default().merge(&c.counts);
    }
    map.into_iter()
        .map(|((name, id), counts)| CountRow {
            id,
            name: name.to_string(),
            counts,
        })
        .collect()
}

/// Attendance per session, in the order of the cells (by start), from cells.
pub fn sessions_of<'a>(cells: impl IntoIterator<Item = &'a Cell>) -> Vec<CountRow> {
    let mut out: Vec<CountRow> = Vec::new();
    let mut at: std::collections::HashMap<i64, usize> = std::collections::HashMap::new();
    for c in cells {
        let i = *at.entry(c.session_id).or_insert_with(|| {
            out.push(CountRow {
                id: c.session_id,
                name: c.title.clone(),
                counts: AttendanceCounts::default(),
            });
            out.len() - 1
        });
        out[i].counts.merge(&c.counts);
    }
    out
}

/// One cadre's year: counts and the study hours earned.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PersonRow {
    pub person_id: i64,
    pub name: String,
    pub community: String,
    pub tier_zh: String,
    pub counts: AttendanceCounts,
    pub earned: StudyHours,
}

/// Per cadre, by community then name.
/// `make_up` gives the make-up share in force for a subdistrict.
pub fn by_person(facts: &[Fact], make_up: impl Fn(Option<i64>) -> Share) -> Vec<PersonRow> {
    tally(facts, make_up).people()
}

/// Hours one person earned from the facts.
pub fn earned_total(facts: &[Fact], make_up: Share) -> StudyHours {
    StudyHours(
        facts
            .iter()
            .map(|f| earned_hours(f.final_status(), f.study_hours, make_up).0)
            .sum(),
    )
}

/// A report's days, both ends included, in Asia/Shanghai.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DateRange {
    pub from: chrono::NaiveDate,
    pub to: chrono::NaiveDate,
}

impl DateRange {
    /// Longest range a report covers, in days.
    pub const MAX_DAYS: i64 = 3 * 366;

    /// Reads two `YYYY-MM-DD` dates; empty ones default to 1 January and today. `None` when
    /// a date is not one, the range is backwards or longer than [`Self::MAX_DAYS`].
    pub fn parse(from: &str, to: &str, today: chrono::NaiveDate) -> Option<DateRange> {
        use chrono::Datelike;
        let read = |raw: &str, default: chrono::NaiveDate| {
            let raw = raw.trim();
            if raw.is_empty() {
                Some(default)
            } else {
                chrono::NaiveDate::parse_from_str(raw, "%Y-%m-%d").ok()
            }
        };
        let jan1 = chrono::NaiveDate::from_ymd_opt(today.year(), 1, 1)?;
        let range = DateRange {
            from: read(from, jan1)?,
            to: read(to, today)?,
        };
        let days = (range.to - range.from).num_days();
        (0..=Self::MAX_DAYS).contains(&days).then_some(range)
    }

    /// A calendar year.
    pub fn year(year: i32) -> Option<DateRange> {
        Some(DateRange {
            from: chrono::NaiveDate::from_ymd_opt(year, 1, 1)?,
            to: chrono::NaiveDate::from_ymd_opt(year, 12, 31)?,
        })
    }

    /// `[start of from, start of the day after to)` as instants.
    pub fn bounds(self) -> Option<(Timestamp, Timestamp)> {
        Some((
            Timestamp::from_local(self.from, 0, 0)?,
            Timestamp::from_local(self.to.succ_opt()?, 0, 0)?,
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use AttendanceStatus::*;

    fn fact(session: i64, person: i64, community: &str, status: Option<AttendanceStatus>) -> Fact {
        Fact {
            session_id: session,
            title: format!("第{session}期"),
            starts_at: Timestamp(session * 1000),
            study_hours: StudyHours(20),
            person_id: person,
            name: format!("p{person}"),
            community: community.into(),
            subdistrict_id: Some(1),
            tier_zh: "雏雁".into(),
            status,
            checked_in_at: None,
            walk_in: false,
        }
    }

    /// Two sessions, two communities, one cadre with no record and one walk-in.
    fn sample_facts() -> Vec<Fact> {
        let mut walk_in = fact(2, 3, "东苑", Some(Present));
        walk_in.walk_in = true;
        vec![
            fact(1, 1, "西苑", Some(Present)),
            fact(1, 2, "东苑", Some(Late)),
            fact(1, 3, "东苑", None),
            fact(2, 1, "西苑", Some(MadeUp)),
            fact(2, 2, "东苑", Some(Excused)),
            walk_in,
        ]
    }

    #[test]
    fn date_ranges() {
        let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 26).unwrap();
        let d = |s: &str| chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        assert_eq!(
            DateRange::parse("", "", today),
            Some(DateRange {
                from: d("2026-01-01"),
                to: today
            })
        );
        assert_eq!(
            DateRange::parse("2026-03-01", "2026-03-01", today).map(|r| r.to),
            Some(d("2026-03-01"))
        );
        assert_eq!(DateRange::parse("2026-03-02", "2026-03-01", today), None);
        assert_eq!(DateRange::parse("2020-01-01", "2026-03-01", today), None);
        assert_eq!(DateRange::parse("March", "", today), None);
        let (a, b) = DateRange::year(2026).unwrap().bounds().unwrap();
        assert_eq!(b.0 - a.0, 365 * 86400);
        assert_eq!(a.local_date(), d("2026-01-01"));
    }

    #[test]
    fn sums_by_community_session_and_person() {
        let facts = sample_facts();
        let c = by_community(&facts);
        assert_eq!(c.len(), 2);
        assert_eq!(c[0].name, "东苑");
        assert_eq!(
            (c[0].counts.expected, c[0].counts.late, c[0].counts.absent),
            (3, 1, 1)
        );
        assert_eq!(c[0].counts.present, 1, "the walk-in came");
        assert_eq!(c[1].counts.made_up, 1);
        let s = by_session(&facts);
        assert_eq!(
            s.iter().map(|r| r.counts.expected).collect::<Vec<_>>(),
            [3, 2]
        );
        let p = by_person(&facts, |_| Share::MAKE_UP);
        let p1 = p.iter().find(|r| r.person_id == 1).unwrap();
        assert_eq!(p1.earned, StudyHours(30), "2 present + half of 2 made up");
        let p3 = p.iter().find(|r| r.person_id == 3).unwrap();
        assert_eq!(p3.counts.absent, 1);
        assert_eq!(p3.earned, StudyHours(20));
        assert_eq!(earned_total(&facts[..2], Share::MAKE_UP), StudyHours(40));
        // Each person's make-up earns their own subdistrict's share.
        let mut elsewhere = facts.clone();
        for f in elsewhere.iter_mut().filter(|f| f.person_id == 1) {
            f.subdistrict_id = Some(2);
        }
        let p = by_person(&elsewhere, |sub| {
            if sub == Some(2) {
                Share { num: 1, den: 1 }
            } else {
                Share::MAKE_UP
            }
        });
        let p1 = p.iter().find(|r| r.person_id == 1).unwrap();
        assert_eq!(p1.earned, StudyHours(40), "2 present + all of 2 made up");
    }

    #[test]
    fn cells_sum_as_the_facts_do() {
        let facts = sample_facts();
        let id = |name: &str| if name == "东苑" { 7 } else { 9 };
        let mut cells: Vec<Cell> = Vec::new();
        for f in &facts {
            if cells
                .iter()
                .any(|c| c.session_id == f.session_id && c.community == f.community)
            {
                continue;
            }
            let same = facts
                .iter()
                .filter(|g| g.session_id == f.session_id && g.community == f.community);
            cells.push(Cell {
                session_id: f.session_id,
                title: f.title.clone(),
                starts_at: f.starts_at,
                community_id: Some(id(&f.community)),
                subdistrict_id: f.subdistrict_id,
                community: f.community.clone(),
                counts: Cell::count(same),
            });
        }
        let from_cells = communities_of(&cells);
        let from_facts = by_community(&facts);
        assert_eq!(from_cells.len(), from_facts.len());
        for (a, b) in from_cells.iter().zip(&from_facts) {
            assert_eq!((&a.name, &a.counts), (&b.name, &b.counts));
            assert_eq!(
                a.id,
                id(&a.name),
                "a community row carries the community's id"
            );
        }
        assert_eq!(sessions_of(&cells), by_session(&facts));
        // Two communities of one name (in two subdistricts) stay apart.
        let mut twin = cells[0].clone();
        twin.community_id = Some(99);
        let rows = communities_of(cells.iter().chain([&twin]));
        assert_eq!(rows.len(), 3);
    }

    fn group(id: Option<i64>, name: &str, present: i64) -> ReportGroup {
        ReportGroup {
            community_id: id,
            subdistrict_id: id.map(|_| 1),
            community: name.into(),
            counts: AttendanceCounts {
                present,
                expected: present,
                ..Default::default()
            },
        }
    }

    #[test]
    fn a_kept_session_is_counted_again_only_where_a_stamp_moved() {
        let stamps = |pairs: &[(i64, i64)]| pairs.iter().copied().collect::<Stamps>();
        let held = |stamp: i64, marks: i64| HeldSession {
            id: 42,
            title: "讲座".into(),
            starts_at: Timestamp(0),
            stamp,
            marks,
        };
        let at_first = stamps(&[(0, 1), (7, 3), (9, 2)]);
        let marked = stamps(&[(7, 5), (9, 1)]);
        assert_eq!(
            KeptSession::recount(None, &held(4, 6), &at_first, None),
            Recount::Whole
        );
        let mut kept = KeptSession {
            stamp: 4,
            marked: marked.clone(),
            marks: 6,
            communities: std::sync::Arc::new(at_first.clone()),
            groups: vec![
                group(None, "", 1),
                group(Some(7), "东苑", 5),
                group(Some(9), "西苑", 6),
            ],
        };
        let now = held(4, 6);
        assert!(!KeptSession::needs_marks(Some(&kept), &now));
        assert_eq!(
            KeptSession::recount(Some(&kept), &now, &at_first, None),
            Recount::Nothing
        );
        // The session's own stamp moved: everything again.
        assert_eq!(
            KeptSession::recount(Some(&kept), &held(5, 6), &at_first, None),
            Recount::Whole
        );
        // A mark at one community: only that one, once the marks are read.
        let marked_later = stamps(&[(7, 5), (9, 2)]);
        let now = held(4, 7);
        assert!(KeptSession::needs_marks(Some(&kept), &now));
        assert_eq!(
            KeptSession::recount(Some(&kept), &now, &at_first, None),
            Recount::Whole,
            "without the marks, everything"
        );
        assert_eq!(
            KeptSession::recount(Some(&kept), &now, &at_first, Some(&marked_later)),
            Recount::Communities(vec![9])
        );
        // Two communities' people moved, one community appeared (at 0 before): only those.
        let later = stamps(&[(0, 1), (7, 4), (9, 2), (11, 1)]);
        let only = match KeptSession::recount(Some(&kept), &now, &later, Some(&marked_later)) {
            Recount::Communities(only) => only,
            other => panic!("{other:?}"),
        };
        assert_eq!(only, vec![7, 9, 11]);
        kept.refresh(
            &only,
            vec![
                group(Some(11), "北苑", 2),
                group(Some(7), "东苑", 4),
                group(Some(9), "西苑", 7),
            ],
            std::sync::Arc::new(later.clone()),
            Some(marked_later.clone()),
        );
        assert_eq!(kept.marks, 7);
        assert!(!KeptSession::needs_marks(Some(&kept), &now));
        assert_eq!(
            KeptSession::recount(Some(&kept), &now, &later, None),
            Recount::Nothing
        );
        let names: Vec<(&str, i64)> = kept
            .groups
            .iter()
            .map(|g| (g.community.as_str(), g.counts.present))
            .collect();
        assert_eq!(names, vec![("", 1), ("东苑", 4), ("北苑", 2), ("西苑", 7)]);
        // A community whose people all left counts nothing any more.
        let emptied = stamps(&[(0, 1), (7, 4), (9, 3), (11, 1)]);
        assert_eq!(
            KeptSession::recount(Some(&kept), &now, &emptied, None),
            Recount::Communities(vec![9])
        );
        kept.refresh(&[9], Vec::new(), std::sync::Arc::new(emptied), None);
        assert!(kept.groups.iter().all(|g| g.community_id != Some(9)));
        let cells: Vec<Cell> = kept.cells(&now).collect();
        assert_eq!(cells.len(), 3);
        assert!(
            cells
                .iter()
                .all(|c| c.session_id == 42 && c.title == "讲座")
        );
        assert_eq!(
            sessions_of(&cells)[0].counts.present,
            1 + 4 + 2,
            "the session's row sums its communities"
        );
    }
}
