//! Builds the programme's standings for a year from the repository's aggregates and the
//! pure rules of `domain::progress` and `domain::programme`. One set of queries serves one
//! cadre or all of them; nothing here queries per cadre.
use std::collections::HashMap;
use std::sync::Arc;

use chrono::Datelike;

use crate::domain::Timestamp;
use crate::domain::programme::{Cadre, Plan, Planned, plan};
use crate::domain::progress::{
    Assessment, CadreYear, Credits, Outlook, Requirements, assess, months_in_programme, overall,
    three_missed_in_a_row,
};
use crate::domain::report::DateRange;
use crate::error::{AppError, AppResult};
use crate::ssr::db::{ProgrammeCadre, ProgressStore, RulesStore, TierPlan};

/// The tier plans in force for a subdistrict (`None`: the district's): the district's,
/// each replaced by the subdistrict's own where it set one; highest tier first.
pub fn plans_in(
    district: &[TierPlan],
    own: &[(i64, TierPlan)],
    subdistrict: Option<i64>,
) -> Vec<TierPlan> {
    district
        .iter()
        .map(|d| {
            own.iter()
                .find(|(s, p)| Some(*s) == subdistrict && p.tier.id == d.tier.id)
                .map_or_else(|| d.clone(), |(_, p)| p.clone())
        })
        .collect()
}

/// One cadre's year, judged.
#[derive(Clone, Debug)]
pub struct Standing {
    pub cadre: ProgrammeCadre,
    pub year: CadreYear,
    /// The requirements owed (the current tier's, prorated for a late join).
    pub owed: Requirements,
    pub assessments: Vec<Assessment>,
    pub outlook: Outlook,
    /// The credit shares of the cadre's subdistrict.
    pub credits: Credits,
    pub three_missed: bool,
    pub under_minimum: bool,
    /// The last three held sessions meant for the cadre, newest first, with the cadre's
    /// status there (`None`: no record).
    pub recent: Vec<(i64, Option<crate::domain::schedule::AttendanceStatus>)>,
    /// The next tier up, when the cadre meets its requirements now.
    pub candidate_for: Option<i64>,
    /// Sessions meant for the cadre held so far, per month (yyyymm).
    pub held_months: Vec<(i64, i64)>,
}

/// The programme in a year: tiers, each cadre's standing, and the month counts, with the
/// year's bounds they were computed with.
pub struct Programme {
    pub year: i32,
    /// `[from, to)` of the year.
    pub from: Timestamp,
    pub to: Timestamp,
    /// The tier plans of the one subdistrict looked at (the reach's, or the one cadre's),
    /// otherwise the district's.
    pub tiers: Vec<TierPlan>,
    pub standings: Vec<Arc<Standing>>,
    pub expected_by_month: std::collections::BTreeMap<i64, i64>,
}

/// `[start, end)` of a year and the instant that splits held from ahead within it.
pub fn year_bounds(year: i32, now: Timestamp) -> AppResult<(Timestamp, Timestamp, Timestamp)> {
    let (from, to) = DateRange::year(year)
        .and_then(|r| r.bounds())
        .ok_or(AppError::NotFound)?;
    Ok((from, to, Timestamp(now.0.clamp(from.0 - 1, to.0))))
}

pub fn this_year(now: Timestamp) -> i32 {
    now.local_date().year()
}

/// Standings of everyone in the programme (or only `person`) who holds a tier now.
pub async fn programme(
    repo: &dyn ProgressStore,
    rules: &dyn RulesStore,
    year: i32,
    person: Option<i64>,
    now: Timestamp,
    reach: Option<&crate::domain::org::Reach>,
) -> AppResult<Programme> {
    let judged = read_year(repo, rules, year, person, now, reach)
        .await?
        .judge();
    let looked_at = match (person, reach) {
        (Some(_), _) => judged
            .standings
            .first()
            .and_then(|s| s.cadre.subdistrict_id),
        (None, Some(r)) => r.single_subdistrict(),
        (None, None) => None,
    };
    Ok(judged.programme(judged.standings.clone(), looked_at))
}

/// Everything a year's standings are built from, read from the stores, with the schedule
/// already planned per cadre.
pub struct YearInputs {
    year: i32,
    from: Timestamp,
    to: Timestamp,
    next_start: Option<Timestamp>,
    book: crate::domain::settings::SettingBook,
    district_tiers: Vec<TierPlan>,
    own_tiers: Vec<(i64, TierPlan)>,
    cadres: Vec<ProgrammeCadre>,
    plans: Vec<Planned>,
    tallies: HashMap<i64, crate::ssr::db::Tally>,
    themes: HashMap<i64, Vec<i64>>,
    reflections: HashMap<i64, (i64, i64)>,
    excused_ahead: HashMap<i64, (i64, i64)>,
    records: HashMap<(i64, i64), crate::domain::schedule::AttendanceStatus>,
    /// Approved hours earned elsewhere this year, per person.
    elsewhere: HashMap<i64, crate::domain::hours::StudyHours>,
}

/// A year's standings, judged, with what it takes to show them for any part of the tree.
pub struct Judged {
    pub year: i32,
    pub from: Timestamp,
    pub to: Timestamp,
    district_tiers: Vec<TierPlan>,
    own_tiers: Vec<(i64, TierPlan)>,
    /// The start of the year's next session after the instant judged at: held and ahead
    /// split differently from then on.
    pub next_start: Option<Timestamp>,
    /// By person id.
    pub standings: Vec<Arc<Standing>>,
}

impl Judged {
    /// The tier plans of the subdistrict `looked_at` (`None`: the district's).
    pub fn tiers(&self, looked_at: Option<i64>) -> Vec<TierPlan> {
        plans_in(&self.district_tiers, &self.own_tiers, looked_at)
    }

    /// The programme of `standings` (some of this year's), with the tier plans of the
    /// subdistrict `looked_at` (`None`: the district's).
    pub fn programme(&self, standings: Vec<Arc<Standing>>, looked_at: Option<i64>) -> Programme {
        let mut expected_by_month = std::collections::BTreeMap::new();
        for s in &standings {
            for (m, n) in &s.held_months {
                *expected_by_month.entry(*m).or_insert(0) += n;
            }
        }
        Programme {
            year: self.year,
            from: self.from,
            to: self.to,
            tiers: self.tiers(looked_at),
            standings,
            expected_by_month,
        }
    }
}

/// Reads what the year's standings of everyone (or only `person`, or only the cadres in
/// `reach`) are built from, as of `now`.
pub async fn read_year(
    repo: &dyn ProgressStore,
    rules: &dyn RulesStore,
    year: i32,
    person: Option<i64>,
    now: Timestamp,
    reach: Option<&crate::domain::org::Reach>,
) -> AppResult<YearInputs> {
    let (from, to, cut) = year_bounds(year, now)?;
    let book = rules.setting_book().await?;
    let district_tiers = repo.tier_plans().await?;
    let own_tiers = rules.subdistrict_tier_plans().await?;
    let sessions = repo.year_sessions(from, to).await?;
    let next_start = sessions
        .iter()
        .filter(|s| !s.cancelled && s.starts_at > cut)
        .map(|s| s.starts_at)
        .min();
    let cadres: Vec<ProgrammeCadre> = repo
        .programme_cadres(person, reach)
        .await?
        .into_iter()
        .filter(|c| c.tier_id.is_some())
        .collect();
    let inputs: Vec<Cadre> = cadres
        .iter()
        .map(|c| Cadre {
            person_id: c.person_id,
            community_id: c.community_id,
            subdistrict_id: c.subdistrict_id,
            tiers: c.tiers.clone(),
            withdrawn: c.withdrawn.clone(),
        })
        .collect();
    let Plan { cadres: plans, .. } = plan(&sessions, &inputs, cut);

    let mut tallies: HashMap<i64, crate::ssr::db::Tally> =
        repo.year_tallies(year, person).await?.into_iter().collect();
    // Excused at a special class's sessions after a withdrawal: not meant for them any
    // more, so not an excusal of the plan either.
    for (p, n) in repo.excused_withdrawn(from, to, person).await? {
        if let Some(t) = tallies.get_mut(&p) {
            t.excused = (t.excused - n).max(0);
        }
    }
    let mut themes: HashMap<i64, Vec<i64>> = HashMap::new();
    for (p, theme) in repo.required_themes_met(year, person).await? {
        themes.entry(p).or_default().push(theme);
    }
    let reflections = repo
        .reflection_counts(from, to, person)
        .await?
        .into_iter()
        .map(|(p, a, w)| (p, (a, w)))
        .collect();
    let excused_ahead = repo
        .excused_between(Timestamp(cut.0 + 1), to, person)
        .await?
        .into_iter()
        .map(|(p, n, h)| (p, (n, h.0)))
        .collect();
    let mut recent: Vec<i64> = plans.iter().flat_map(|p| p.recent.clone()).collect();
    recent.sort_unstable();
    recent.dedup();
    let records = repo
        .records_at(&recent, person)
        .await?
        .into_iter()
        .map(|(s, p, status)| ((s, p), status))
        .collect();
    let elsewhere = repo
        .approved_elsewhere(year, person)
        .await?
        .into_iter()
        .collect();
    Ok(YearInputs {
        year,
        from,
        to,
        next_start,
        book,
        district_tiers,
        own_tiers,
        cadres,
        plans,
        tallies,
        themes,
        reflections,
        excused_ahead,
        records,
        elsewhere,
    })
}

impl YearInputs {
    /// Judges every cadre read: pure computation, no store.
    pub fn judge(self) -> Judged {
        let YearInputs {
            year,
            from,
            to,
            next_start,
            book,
            district_tiers,
            own_tiers,
            cadres,
            plans,
            tallies,
            mut themes,
            reflections,
            excused_ahead,
            records,
            elsewhere,
        } = self;
        // The rules of each subdistrict met, worked out once.
        let mut rules: HashMap<Option<i64>, (Credits, Vec<TierPlan>)> = HashMap::new();
        for c in &cadres {
            rules.entry(c.subdistrict_id).or_insert_with(|| {
                (
                    book.credits(c.subdistrict_id),
                    plans_in(&district_tiers, &own_tiers, c.subdistrict_id),
                )
            });
        }
        let standings = cadres
            .into_iter()
            .zip(plans)
            .map(|(cadre, planned)| {
                let id = cadre.person_id;
                let tally = tallies.get(&id).copied().unwrap_or_default();
                let (excused_n, excused_h) = excused_ahead.get(&id).copied().unwrap_or_default();
                let (accepted, waiting) = reflections.get(&id).copied().unwrap_or_default();
                let mut year_facts = cadre_year(
                    &planned,
                    tally,
                    (excused_n, excused_h),
                    (accepted, waiting),
                    themes.remove(&id).unwrap_or_default(),
                );
                year_facts.elsewhere = elsewhere.get(&id).copied().unwrap_or_default();
                let joined = cadre.tiers.first().map(|(at, _)| {
                    let d = at.local_date();
                    (d.year(), d.month())
                });
                let months = months_in_programme(joined, year);
                let (credits, plans) = &rules[&cadre.subdistrict_id];
                let credits = *credits;
                let tier = cadre
                    .tier_id
                    .and_then(|t| plans.iter().find(|p| p.tier.id == t));
                let owed = tier
                    .map(|t| t.requirements.prorated(months))
                    .unwrap_or_default();
                let assessments = assess(&owed, &year_facts, &credits);
                let statuses: Vec<_> = planned
                    .recent
                    .iter()
                    .map(|s| records.get(&(*s, id)).copied())
                    .collect();
                let under_minimum = owed.min_attendance_percent > 0
                    && year_facts
                        .attendance_percent()
                        .is_some_and(|p| p < owed.min_attendance_percent);
                let candidate_for = tier.and_then(|t| {
                    plans
                        .iter()
                        .filter(|n| n.tier.rank < t.tier.rank)
                        .max_by_key(|n| n.tier.rank)
                        .filter(|n| {
                            n.requirements
                                .prorated(months)
                                .met_by(&year_facts, &credits)
                        })
                        .map(|n| n.tier.id)
                });
                let recent = planned.recent.iter().copied().zip(statuses.iter().copied());
                Arc::new(Standing {
                    outlook: overall(&assessments),
                    credits,
                    three_missed: three_missed_in_a_row(&statuses),
                    recent: recent.collect(),
                    under_minimum,
                    candidate_for,
                    cadre,
                    year: year_facts,
                    owed,
                    assessments,
                    held_months: planned.held_months,
                })
            })
            .collect();
        Judged {
            year,
            from,
            to,
            district_tiers,
            next_start,
            own_tiers,
            standings,
        }
    }
}

fn cadre_year(
    planned: &Planned,
    tally: crate::ssr::db::Tally,
    excused_ahead: (i64, i64),
    reflections: (i64, i64),
    themes_met: Vec<i64>,
) -> CadreYear {
    CadreYear {
        present: tally.present,
        late: tally.late,
        made_up: tally.made_up,
        excused: tally.excused,
        expected: planned.held,
        expected_excused: (tally.excused - excused_ahead.0).clamp(0, planned.held),
        ahead: (
            (planned.ahead - excused_ahead.0).max(0),
            crate::domain::hours::StudyHours((planned.ahead_hours.0 - excused_ahead.1).max(0)),
        ),
        lectured: (planned.lectured, planned.lectured_hours),
        lecturing_ahead: planned.lecturing_ahead,
        reflections_accepted: reflections.0,
        reflections_waiting: reflections.1,
        themes_met,
        themes_ahead: planned.themes_ahead.clone(),
        elapsed_percent: planned.elapsed_percent(),
        elsewhere: crate::domain::hours::StudyHours(0),
    }
}
