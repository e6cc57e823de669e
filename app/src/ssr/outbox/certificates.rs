//! Certificates earned and not issued yet, issued in the worker's look at the standings
//! (after attendance changed, and every half hour; organisers may also ask for it at once):
//! a series over and completed, a tier's year met. Once per person and series or tier
//! year, also with several app servers (a unique index decides); a revoked one is not
//! issued again.
use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::Datelike;

use crate::domain::Timestamp;
use crate::domain::certificates::{
    self as rules, CertificateKind, Serial, SeriesRules, SeriesSession, series_completed,
};
use crate::domain::leave::LeaveRules;
use crate::domain::messages::ChannelsOn;
use crate::domain::programme::{Cadre, meant_for};
use crate::domain::progress::Outlook;
use crate::error::{AppError, AppResult};
use crate::ssr::db::{NewCertificate, Repository};
use crate::ssr::progress::{this_year, year_bounds};
use crate::ssr::standings::Standings;

/// A new serial for `year`.
pub fn new_serial(year: i32) -> AppResult<Serial> {
    let mut random = [0u8; 5];
    getrandom::getrandom(&mut random).map_err(AppError::internal)?;
    Ok(Serial::new(year, random))
}

/// Issues every series and tier certificate earned and not issued yet (revoked ones are
/// not issued again), this year's and last year's; those issued.
pub async fn issue_due(
    repo: &dyn Repository,
    standings: &Standings,
    channels: &ChannelsOn,
    now: Timestamp,
) -> AppResult<Vec<NewCertificate>> {
    let certified: HashSet<(String, i64, i64, String)> =
        repo.certified().await?.into_iter().collect();
    let subdistricts: HashMap<i64, String> = repo
        .subdistricts()
        .await?
        .into_iter()
        .map(|s| (s.id, s.name))
        .collect();
    let issuer_of = |sub: Option<i64>| {
        rules::issuer(sub.and_then(|s| subdistricts.get(&s)).map(String::as_str))
    };
    let this = this_year(now);
    let mut new = Vec::new();

    // The year's requirements of a tier, met.
    let tier_names: HashMap<i64, String> = repo
        .tier_plans()
        .await?
        .into_iter()
        .map(|t| (t.tier.id, t.tier.name_zh))
        .collect();
    for year in [this - 1, this] {
        let programme = standings.programme(repo, repo, year, now, None).await?;
        for s in &programme.standings {
            let Some(tier) = s.cadre.tier_id else {
                continue;
            };
            if s.assessments.is_empty() || s.outlook != Outlook::Met {
                continue;
            }
            let key = (
                CertificateKind::Tier.as_str().to_string(),
                s.cadre.person_id,
                i64::from(year),
                tier.to_string(),
            );
            if certified.contains(&key) {
                continue;
            }
            new.push(NewCertificate {
                serial: new_serial(year)?.to_string(),
                kind: CertificateKind::Tier,
                person_id: s.cadre.person_id,
                year: i64::from(year),
                subject: tier.to_string(),
                name: s.cadre.name.clone(),
                programme: rules::tier_programme(
                    tier_names
                        .get(&tier)
                        .map(String::as_str)
                        .unwrap_or_default(),
                ),
                issuer: issuer_of(s.cadre.subdistrict_id),
                hours: s.year.credited(&s.credits, s.owed.elsewhere),
            });
        }
    }

    // Series whose sessions of a year are all over, completed.
    let (from, _, _) = year_bounds(this - 1, now)?;
    let mut groups: BTreeMap<(String, i32), Vec<(i64, Timestamp)>> = BTreeMap::new();
    for (series, id, starts, ends) in repo.series_sessions(from).await? {
        groups
            .entry((series, starts.local_date().year()))
            .or_default()
            .push((id, ends));
    }
    groups.retain(|_, sessions| sessions.iter().all(|(_, ends)| ends.0 <= now.0));
    if !groups.is_empty() {
        let ids: Vec<i64> = groups.values().flatten().map(|(id, _)| *id).collect();
        let year_sessions: HashMap<i64, crate::domain::programme::YearSession> = repo
            .year_sessions(from, now)
            .await?
            .into_iter()
            .map(|s| (s.id, s))
            .collect();
        let records: HashMap<(i64, i64), crate::domain::schedule::AttendanceStatus> = repo
            .records_at(&ids, None)
            .await?
            .into_iter()
            .map(|(s, p, status)| ((s, p), status))
            .collect();
        let duty: HashSet<(i64, i64)> = repo.duty_excused_at(&ids).await?.into_iter().collect();
        let book = repo.setting_book().await?;
        let cadres = repo.programme_cadres(None, None).await?;
        for c in &cadres {
            let cadre = Cadre {
                person_id: c.person_id,
                community_id: c.community_id,
                subdistrict_id: c.subdistrict_id,
                tiers: c.tiers.clone(),
                withdrawn: c.withdrawn.clone(),
            };
            let sub = c.subdistrict_id;
            let series_rules = SeriesRules {
                cap: book.leave_cap(sub),
                duty_outside_cap: LeaveRules::from_settings(|k| book.get(sub, k)).duty_outside_cap,
                credits: book.credits(sub),
            };
            for ((series, year), sessions) in &groups {
                let key = (
                    CertificateKind::Series.as_str().to_string(),
                    c.person_id,
                    i64::from(*year),
                    series.clone(),
                );
                if certified.contains(&key) {
                    continue;
                }
                let meant: Vec<SeriesSession> = sessions
                    .iter()
                    .filter_map(|(id, _)| year_sessions.get(id))
                    .filter(|s| meant_for(s, &cadre))
                    .map(|s| SeriesSession {
                        hours: s.hours,
                        status: records.get(&(s.id, c.person_id)).copied(),
                        duty: duty.contains(&(s.id, c.person_id)),
                    })
                    .collect();
                let out = c.withdrawn.iter().any(|(s, _)| s == series);
                let Some(hours) = series_completed(&meant, &series_rules, out) else {
                    continue;
                };
                new.push(NewCertificate {
                    serial: new_serial(*year)?.to_string(),
                    kind: CertificateKind::Series,
                    person_id: c.person_id,
                    year: i64::from(*year),
                    subject: series.clone(),
                    name: c.name.clone(),
                    programme: series.clone(),
                    issuer: issuer_of(sub),
                    hours,
                });
            }
        }
    }
    Ok(repo.issue_certificates(&new, channels, now).await?)
}
