//! The annual dossier as PDF (`POST /dossier.pdf`, `year`, and `person` for organisers):
//! drawn from what the progress page shows, issued with a serial (the last one again when
//! the hours did not change) and kept as issued. A plain handler next to the server
//! functions, as it reads the progress page's data.
use axum::Extension;
use axum::extract::{Form, State};
use axum::response::Response;
use serde::Deserialize;
use sha2::{Digest, Sha256};

use crate::domain::Timestamp;
use crate::domain::audit::{AuditKind, AuditOutcome};
use crate::domain::certificates::{self as rules, CertificateKind};
use crate::domain::hours::StudyHours;
use crate::error::AppError;
use crate::ssr::certificates::{
    date_zh, may_see, off_thread, origin_of, pdf_response, refused, verify_link,
};
use crate::ssr::db::{CertificateRow, NewCertificate};
use crate::ssr::outbox::certificates::new_serial;
use crate::ssr::pdf::{DossierPrint, Table};
use crate::ssr::progress::this_year;
use crate::ssr::state::AppState;
use crate::ssr::user::CurrentUser;

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
    meta: Option<Extension<crate::ssr::security::RequestMeta>>,
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
        let bytes = off_thread(move || crate::ssr::pdf::dossier(&print, &link)).await?;
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
        let mut line = crate::ssr::audit::from_meta(
            &meta,
            Some(user.account.id),
            AuditKind::CertificateIssued,
            AuditOutcome::Ok,
            &format!("person:{person}"),
        );
        line.detail = serde_json::json!({ "serial": new.serial, "kind": "dossier", "year": year })
            .to_string();
        let sha = crate::ssr::tokens::hex(&Sha256::digest(&bytes));
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
