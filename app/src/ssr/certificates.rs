//! Certificates and annual dossiers on the server: the look that issues what was earned
//! (the outbox worker runs it after attendance changed, and organisers may run it at once),
//! the PDF downloads, and the serial numbers.
//!
//! - `GET /certificates/{serial}/pdf`: the holder's own, or one of a cadre in the
//!   organiser's reach; a revoked one is not handed out again (410).
//! - `POST /dossier.pdf` (`year`, `person` for organisers): issues the year's dossier (a new
//!   serial when the hours changed since the last one) and keeps its PDF as issued.
use std::collections::{BTreeMap, HashMap, HashSet};

use axum::Extension;
use axum::extract::{Form, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::Datelike;
use serde::Deserialize;
use sha2::{Digest, Sha256};

use super::db::{CertificateRow, NewCertificate, Repository};
use super::pdf::{CertificatePrint, DossierPrint, Table};
use super::state::AppState;
use super::user::CurrentUser;
use crate::domain::Timestamp;
use crate::domain::audit::{AuditKind, AuditOutcome};
use crate::domain::certificates::{
    self as rules, CertificateKind, Serial, SeriesRules, SeriesSession, series_completed,
};
use crate::domain::hours::StudyHours;
use crate::domain::leave::LeaveRules;
use crate::domain::messages::ChannelsOn;
use crate::domain::programme::{Cadre, meant_for};
use crate::domain::progress::Outlook;
use crate::error::{AppError, AppResult};
use crate::ssr::progress::{this_year, year_bounds};
use crate::ssr::standings::Standings;

/// A new serial for `year`.
pub fn new_serial(year: i32) -> AppResult<Serial> {
    let mut random = [0u8; 5];
    getrandom::getrandom(&mut random).map_err(AppError::internal)?;
    Ok(Serial::new(year, random))
}

/// The public page that verifies `serial`.
pub fn verify_link(origin: &str, serial: &str) -> String {
    format!("{}/verify/{serial}", origin.trim_end_matches('/'))
}

/// The address phones reach the school at: the configured one, else the request's host.
fn origin_of(state: &AppState, headers: &axum::http::HeaderMap) -> String {
    if let Some(url) = &state.door.public_url {
        return url.clone();
    }
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    let forwarded = state.trust_forwarded;
    let host = forwarded
        .then(|| header("x-forwarded-host"))
        .flatten()
        .or_else(|| header("host"))
        .unwrap_or("localhost");
    let scheme = forwarded
        .then(|| header("x-forwarded-proto"))
        .flatten()
        .unwrap_or("http");
    format!("{scheme}://{host}")
}

/// `2026年12月6日`, in Beijing time.
pub fn date_zh(at: Timestamp) -> String {
    let d = at.local_date();
    format!("{}年{}月{}日", d.year(), d.month(), d.day())
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

/// What a series or tier certificate says.
pub fn print_of(c: &CertificateRow) -> CertificatePrint {
    let hours = StudyHours(c.hours).display();
    let body = match c.kind() {
        CertificateKind::Series => format!(
            "于{}年参加“{}”学习，完成全部课程，累计取得学时 {}，准予结业。\n特发此证。",
            c.year, c.programme, hours
        ),
        CertificateKind::Tier => format!(
            "在{}年度{}中，完成本梯队年度学习要求，累计取得学时 {}。\n特发此证。",
            c.year, c.programme, hours
        ),
        CertificateKind::Dossier => format!("{}年度学习档案，累计取得学时 {}。", c.year, hours),
    };
    CertificatePrint {
        title: c.kind().title_zh().to_string(),
        name: c.name.clone(),
        body,
        issuer: c.issuer.clone(),
        date: date_zh(Timestamp(c.issued_at)),
        serial: c.serial.clone(),
    }
}

fn refused(err: AppError) -> Response {
    let status = err.status();
    if status == StatusCode::INTERNAL_SERVER_ERROR {
        tracing::error!(error = %err, "a certificate download failed");
    }
    (status, status.canonical_reason().unwrap_or("")).into_response()
}

/// Lays out and subsets off the async threads (tens of milliseconds of work).
async fn off_thread(
    work: impl FnOnce() -> AppResult<Vec<u8>> + Send + 'static,
) -> AppResult<Vec<u8>> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(AppError::internal)?
}

fn pdf_response(name: &str, bytes: Vec<u8>) -> Response {
    super::files::file_response("application/pdf", name, bytes, "private")
}

/// Whether `user` may have `person`'s documents: their own, or an organiser's reach.
async fn may_see(repo: &dyn Repository, user: &CurrentUser, person: i64) -> AppResult<()> {
    if person == user.account.person_id {
        return Ok(());
    }
    super::access::Organiser::of(user.clone())
        .map_err(|_| AppError::NotFound)?
        .person(repo, person)
        .await
}

/// `GET /certificates/{serial}/pdf`.
pub async fn pdf(
    State(state): State<AppState>,
    user: Option<Extension<CurrentUser>>,
    headers: axum::http::HeaderMap,
    Path(serial): Path<String>,
) -> Response {
    let result = async {
        let Some(Extension(user)) = user else {
            return Err(AppError::Unauthenticated);
        };
        let serial = Serial::parse(&serial).map_err(|_| AppError::NotFound)?;
        let repo = state.repo.as_ref();
        let c = repo
            .certificate(serial.as_str())
            .await?
            .ok_or(AppError::NotFound)?;
        may_see(repo, &user, c.person_id).await?;
        if c.revoked_at.is_some() {
            return Ok(Err(()));
        }
        let name = format!("{}.pdf", c.serial);
        if c.kind() == CertificateKind::Dossier {
            let bytes = repo
                .certificate_file(c.id)
                .await?
                .ok_or(AppError::NotFound)?;
            return Ok(Ok((name, bytes)));
        }
        let origin = origin_of(&state, &headers);
        let (print, link) = (print_of(&c), verify_link(&origin, &c.serial));
        let bytes = off_thread(move || super::pdf::certificate(&print, &link)).await?;
        Ok(Ok((name, bytes)))
    }
    .await;
    match result {
        Ok(Ok((name, bytes))) => pdf_response(&name, bytes),
        Ok(Err(())) => (
            StatusCode::GONE,
            [(
                axum::http::header::CONTENT_TYPE,
                "text/plain; charset=utf-8",
            )],
            "此证书已撤销，不再提供下载。This certificate was revoked.",
        )
            .into_response(),
        Err(err) => refused(err),
    }
}

#[derive(Deserialize)]
pub struct DossierAsk {
    pub year: Option<i32>,
    pub person: Option<i64>,
}

/// `POST /dossier.pdf`: the annual dossier of the caller, or of a cadre in the organiser's
/// reach, issued with a serial (the last one again when nothing changed) and kept as issued.
pub async fn dossier(
    State(state): State<AppState>,
    user: Option<Extension<CurrentUser>>,
    meta: Option<Extension<super::security::RequestMeta>>,
    headers: axum::http::HeaderMap,
    Form(ask): Form<DossierAsk>,
) -> Response {
    let result = async {
        let Some(Extension(user)) = user else {
            return Err(AppError::Unauthenticated);
        };
        let person = ask.person.unwrap_or(user.account.person_id);
        let repo = state.repo.clone();
        may_see(repo.as_ref(), &user, person).await?;
        let now = Timestamp::now();
        let year = ask.year.unwrap_or_else(|| this_year(now));
        let organises = person != user.account.person_id;
        let data =
            crate::api::progress::progress_data(&state, person, Some(year), organises).await?;
        let last = repo.last_dossier(person, i64::from(year)).await?;
        let reuse = rules::reuse_dossier(
            last.as_ref()
                .map(|l| (StudyHours(l.hours), l.revoked_at.is_some())),
            data.earned,
        );
        if let (true, Some(last)) = (reuse, &last) {
            let bytes = repo
                .certificate_file(last.id)
                .await?
                .ok_or(AppError::NotFound)?;
            return Ok((format!("{}.pdf", last.serial), bytes));
        }
        let member = repo.member(person).await?;
        let sub_name = match member.as_ref().and_then(|m| m.subdistrict_id) {
            Some(id) => repo
                .subdistricts()
                .await?
                .into_iter()
                .find(|s| s.id == id)
                .map(|s| s.name),
            None => None,
        };
        let serial = new_serial(year)?;
        let held = repo.certificates_of(person).await?;
        let print = dossier_print(&data, &held, sub_name.as_deref(), serial.as_str(), now);
        let origin = origin_of(&state, &headers);
        let link = verify_link(&origin, serial.as_str());
        let bytes = off_thread(move || super::pdf::dossier(&print, &link)).await?;
        let new = NewCertificate {
            serial: serial.to_string(),
            kind: CertificateKind::Dossier,
            person_id: person,
            year: i64::from(year),
            subject: String::new(),
            name: data.name.clone(),
            programme: rules::dossier_programme(data.tier.as_ref().map(|t| t.name_zh.as_str())),
            issuer: rules::issuer(sub_name.as_deref()),
            hours: data.earned,
        };
        let meta = meta.map(|Extension(m)| m).unwrap_or_default();
        let mut line = super::audit::from_meta(
            &meta,
            Some(user.account.id),
            AuditKind::CertificateIssued,
            AuditOutcome::Ok,
            &format!("person:{person}"),
        );
        line.detail = serde_json::json!({ "serial": new.serial, "kind": "dossier", "year": year })
            .to_string();
        let sha = super::tokens::hex(&Sha256::digest(&bytes));
        let row = repo
            .issue_dossier(&new, user.account.person_id, &line, &sha, &bytes, now)
            .await?;
        Ok((format!("{}.pdf", row.serial), bytes))
    }
    .await;
    match result {
        Ok((name, bytes)) => pdf_response(&name, bytes),
        Err(err) => refused(err),
    }
}

fn status_zh(status: Option<crate::domain::schedule::AttendanceStatus>, lectured: bool) -> String {
    use crate::domain::schedule::AttendanceStatus::*;
    let s = match status {
        Some(Present) => "出席",
        Some(Late) => "迟到",
        Some(Excused) => "请假",
        Some(Absent) => "缺席",
        Some(MadeUp) => "已补学",
        None => "未记录",
    };
    if lectured {
        format!("{s}（授课）")
    } else {
        s.to_string()
    }
}

/// The dossier as printed, from the progress page's data.
pub fn dossier_print(
    d: &crate::api::progress::ProgressData,
    held: &[CertificateRow],
    subdistrict: Option<&str>,
    serial: &str,
    now: Timestamp,
) -> DossierPrint {
    let tier = d
        .tier
        .as_ref()
        .map(|t| t.name_zh.clone())
        .unwrap_or_else(|| "—".into());
    let mut facts = vec![
        ("姓名".to_string(), d.name.clone()),
        ("所在社区".to_string(), d.community.clone()),
        ("梯队".to_string(), tier),
        ("年度".to_string(), format!("{}年", d.year)),
        ("累计学时".to_string(), d.earned.display()),
    ];
    if d.elsewhere.0.0 > 0 {
        facts.push((
            "其中外部学时".to_string(),
            format!(
                "{}（申报 {}）",
                d.elsewhere.1.display(),
                d.elsewhere.0.display()
            ),
        ));
    }
    facts.push((
        "出勤率".to_string(),
        d.attendance_percent
            .map_or_else(|| "—".to_string(), |p| format!("{p}%")),
    ));
    let accepted = d.reflections.iter().filter(|r| r.4).count();
    facts.push(("心得体会（已采纳）".to_string(), accepted.to_string()));
    let ledger = Table {
        heading: "参学记录".into(),
        columns: vec![
            ("日期".into(), 1.3),
            ("课程".into(), 3.6),
            ("专题".into(), 1.8),
            ("学时".into(), 0.8),
            ("情况".into(), 1.2),
            ("计入".into(), 0.8),
        ],
        rows: d
            .ledger
            .iter()
            .map(|l| {
                vec![
                    l.starts_at.local_date().to_string(),
                    l.title.clone(),
                    l.theme.clone(),
                    l.hours.display(),
                    status_zh(l.status, l.lectured),
                    l.credited.display(),
                ]
            })
            .collect(),
        empty: "本年度暂无记录。".into(),
    };
    let elsewhere = Table {
        heading: "外部学时（已认定）".into(),
        columns: vec![
            ("培训".into(), 3.4),
            ("举办单位".into(), 2.4),
            ("时间".into(), 2.4),
            ("学时".into(), 0.8),
        ],
        rows: d
            .ledger_elsewhere
            .iter()
            .map(|e| {
                vec![
                    e.training.clone(),
                    e.organiser.clone(),
                    format!("{} 至 {}", e.from, e.to),
                    e.hours.display(),
                ]
            })
            .collect(),
        empty: "无。".into(),
    };
    let certificates = Table {
        heading: "本年度证书".into(),
        columns: vec![
            ("证书".into(), 2.0),
            ("项目".into(), 3.6),
            ("编号".into(), 2.6),
            ("状态".into(), 1.0),
        ],
        rows: held
            .iter()
            .filter(|c| c.year == i64::from(d.year) && c.kind() != CertificateKind::Dossier)
            .map(|c| {
                vec![
                    c.kind().title_zh().to_string(),
                    c.programme.clone(),
                    c.serial.clone(),
                    if c.revoked_at.is_some() {
                        "已撤销"
                    } else {
                        "有效"
                    }
                    .to_string(),
                ]
            })
            .collect(),
        empty: "无。".into(),
    };
    DossierPrint {
        title: format!("{}年度学习档案", d.year),
        issuer: rules::issuer(subdistrict),
        facts,
        tables: vec![ledger, elsewhere, certificates],
        serial: serial.to_string(),
        date: date_zh(now),
    }
}
