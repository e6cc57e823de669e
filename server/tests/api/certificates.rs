//! Issue 17, verifiable certificates and dossiers: a series completed earns a certificate
//! with a serial, downloaded as a PDF that a real PDF reader (poppler's pdftotext) reads the
//! holder's name from, with the CJK font embedded as a subset; the public page verifies the
//! serial and says no more than the certificate; a forged serial is unknown (and logged), a
//! mistyped one is not a serial; organisers of the holder's reach revoke with a reason; the
//! annual dossier is issued once per state of the year and kept as issued.
use app::domain::Timestamp;
use app::domain::audience::Audience;
use app::domain::certificates::Serial;
use reqwest::StatusCode;
use serde_json::Value;

use crate::checkin::{demo_cadre, series_session};
use crate::evaluation::mark;
use crate::helpers::*;

both_backends!(
    a_completed_series_earns_a_certificate_that_verifies_until_revoked,
    the_annual_dossier_is_issued_once_per_state_and_kept_as_issued,
);

/// A past session of `series` for the people named, worth 2 学时.
async fn past_session(app: &TestApp, series: &str, days_ago: i64, people: Vec<i64>) -> i64 {
    let audience = Audience::Chosen {
        tiers: vec![],
        communities: vec![],
        people,
    };
    let starts_in = -days_ago * 24 * 60;
    series_session(app, Some(1), series, starts_in, 120, audience, vec![]).await
}

async fn json(res: reqwest::Response) -> Value {
    let status = res.status();
    let body = res.text().await.unwrap();
    assert_eq!(status, StatusCode::OK, "{body}");
    serde_json::from_str(&body).unwrap()
}

async fn verify(app: &TestApp, serial: &str) -> Value {
    json(
        app.call(&client(), "certificate_verify", &[("serial", serial)])
            .await,
    )
    .await
}

/// The text a real PDF reader finds in `pdf`.
fn pdf_text(pdf: &[u8]) -> String {
    let dir = std::env::temp_dir().join(format!("ns-pdf-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(format!("{}.pdf", Timestamp::now().0 ^ pdf.len() as i64));
    std::fs::write(&path, pdf).unwrap();
    let out = std::process::Command::new("pdftotext")
        .arg(&path)
        .arg("-")
        .output()
        .expect("pdftotext (poppler-utils, installed by scripts/setup)");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let fonts = std::process::Command::new("pdffonts")
        .arg(&path)
        .output()
        .expect("pdffonts (poppler-utils)");
    let fonts = String::from_utf8_lossy(&fonts.stdout).to_string();
    // The CJK font is embedded, as a subset (its name carries a subset tag, "ABCDEF+").
    assert!(
        fonts
            .lines()
            .skip(2)
            .any(|l| l.contains('+') && l.contains(" yes yes ")),
        "{fonts}"
    );
    let _ = std::fs::remove_file(&path);
    String::from_utf8(out.stdout).unwrap()
}

async fn name_of(app: &TestApp, person: i64) -> String {
    app.repo
        .programme_cadres(Some(person), None)
        .await
        .unwrap()
        .pop()
        .expect("in the programme")
        .name
}

async fn pdf_of(app: &TestApp, who: &reqwest::Client, serial: &str) -> reqwest::Response {
    who.get(app.url(&format!("/certificates/{serial}/pdf")))
        .send()
        .await
        .unwrap()
}

async fn a_completed_series_earns_a_certificate_that_verifies_until_revoked(backend: Backend) {
    let app = spawn_app(backend).await;
    let cadre = app.signed_in("cadre").await;
    let organiser = app.signed_in("organiser").await;
    let liying = app.signed_in("liying").await;
    let me = demo_cadre(&app).await;
    let other = app
        .repo
        .programme_cadres(None, None)
        .await
        .unwrap()
        .into_iter()
        .find(|c| c.person_id != me && c.tier_id.is_some() && c.subdistrict_id == Some(1))
        .expect("another cadre of 观音阁街道")
        .person_id;
    let series = format!("信访维稳专题班{}", Timestamp::now().0);
    let first = past_session(&app, &series, 3, vec![me, other]).await;
    let second = past_session(&app, &series, 2, vec![me, other]).await;
    mark(&app, &organiser, first, me, "present").await;
    mark(&app, &organiser, second, me, "late").await;
    // The other cadre came once: no certificate for them.
    mark(&app, &organiser, first, other, "present").await;
    // A series with a session still ahead is not over yet.
    let open_series = format!("{series}（续）");
    let done = past_session(&app, &open_series, 2, vec![me]).await;
    mark(&app, &organiser, done, me, "present").await;
    past_session(&app, &open_series, -7, vec![me]).await;

    // Cadres cannot make the school look; organisers can.
    let res = app.call(&cadre, "certificates_issue", &[]).await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    json(app.call(&organiser, "certificates_issue", &[]).await).await;

    let mine = json(app.call(&cadre, "certificates_of", &[]).await).await;
    let items = mine["items"].as_array().unwrap();
    let ours: Vec<&Value> = items.iter().filter(|c| c["programme"] == series).collect();
    assert_eq!(ours.len(), 1, "{mine}");
    assert!(
        !items.iter().any(|c| c["programme"] == open_series),
        "a series not over: {mine}"
    );
    let c = ours[0];
    assert_eq!(c["kind"], "Series");
    assert_eq!(c["hours"], 40, "present and late at full credit: {c}");
    let serial = c["serial"].as_str().unwrap().to_string();
    assert!(Serial::parse(&serial).is_ok(), "{serial}");
    let theirs = json(
        app.call(
            &organiser,
            "certificates_of",
            &[("person_id", &other.to_string())],
        )
        .await,
    )
    .await;
    assert!(
        !theirs["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["programme"] == series),
        "one session missed: {theirs}"
    );
    // Looking again issues nothing twice.
    let again = json(app.call(&organiser, "certificates_issue", &[]).await).await;
    assert_eq!(again, 0);
    // The holder is told.
    let inbox = json(app.call(&cadre, "inbox", &[("page", "0")]).await).await;
    assert!(
        inbox["items"].as_array().unwrap().iter().any(|i| {
            i["notice"]["kind"] == "certificate"
                && i["notice"]["serial"] == serial
                && i["notice"]["revoked"] == false
        }),
        "{inbox}"
    );

    // The PDF: the holder's, and her organisers'; nobody else's.
    let res = pdf_of(&app, &cadre, &serial).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["content-type"], "application/pdf");
    let pdf = res.bytes().await.unwrap().to_vec();
    assert!(pdf.starts_with(b"%PDF-"));
    assert!(
        pdf.len() < 300_000,
        "the font is subset: {} bytes",
        pdf.len()
    );
    let text = pdf_text(&pdf);
    let name = name_of(&app, me).await;
    assert!(!name.is_empty());
    assert!(text.contains(&name), "the holder's name {name} in: {text}");
    assert!(
        text.contains("结业证书") || text.contains("结 业 证 书"),
        "{text}"
    );
    assert!(text.contains(&serial), "{text}");
    assert_eq!(
        pdf_of(&app, &organiser, &serial).await.status(),
        StatusCode::OK
    );
    assert_eq!(
        pdf_of(&app, &liying, &serial).await.status(),
        StatusCode::NOT_FOUND
    );
    // Signed out: to the sign-in page first.
    let res = client()
        .get(app.url(&format!("/certificates/{serial}/pdf")))
        .send()
        .await
        .unwrap();
    assert!(res.status().is_redirection(), "{}", res.status());
    assert!(
        location(&res).starts_with("/login?next="),
        "{}",
        location(&res)
    );

    // Anyone verifies it, and learns no more than the certificate says.
    let v = verify(&app, &serial).await;
    assert_eq!(v["verdict"], "Valid", "{v}");
    assert_eq!(v["name"], name);
    assert_eq!(v["programme"], series);
    assert_eq!(v["hours"], 40);
    let said = v.to_string();
    assert!(
        !said.contains("社区"),
        "no community on the public page: {said}"
    );
    // Typed as people type it.
    let typed = serial.to_lowercase().replace('-', " ");
    assert_eq!(verify(&app, &typed).await["verdict"], "Valid");
    // The public page, signed out.
    let (status, page) = app.page(&client(), &format!("/verify/{serial}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains(&name) && page.contains("真实有效"), "{page}");

    // A forged serial (well formed, never issued) is unknown, and logged; a mistyped one
    // is not a serial at all.
    let forged = Serial::new(2026, [9, 8, 7, 6, 5]).to_string();
    let v = verify(&app, &forged).await;
    assert_eq!(v["verdict"], "Unknown", "{v}");
    assert_eq!(v["name"], "");
    let audit = app.repo.audit_lines(&Default::default(), 50).await.unwrap();
    assert!(
        audit
            .iter()
            .any(|l| l.line.kind.code() == "certificate.unknown" && l.line.target == forged),
        "{audit:?}"
    );
    let mut symbols: Vec<char> = serial.chars().collect();
    let i = symbols.len() - 4;
    symbols[i] = if symbols[i] == '7' { '8' } else { '7' };
    let typo: String = symbols.into_iter().collect();
    assert_eq!(verify(&app, &typo).await["verdict"], "Malformed");
    assert_eq!(verify(&app, "<script>").await["verdict"], "Malformed");

    // Revoking: only the holder's organisers, with a reason, once.
    let id = c["id"].as_i64().unwrap().to_string();
    let res = app
        .call(
            &liying,
            "certificate_revoke",
            &[("id", &id), ("reason", "出勤记录有误")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    let res = app
        .call(
            &organiser,
            "certificate_revoke",
            &[("id", &id), ("reason", " ")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        verify(&app, &serial).await["verdict"],
        "Valid",
        "nothing changed"
    );
    let res = app
        .call(
            &organiser,
            "certificate_revoke",
            &[("id", &id), ("reason", "出勤记录有误")],
        )
        .await;
    assert_eq!(
        res.status(),
        StatusCode::OK,
        "{}",
        res.text().await.unwrap()
    );
    let res = app
        .call(
            &organiser,
            "certificate_revoke",
            &[("id", &id), ("reason", "再次撤销")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::CONFLICT);
    let v = verify(&app, &serial).await;
    assert!(v["verdict"]["Revoked"]["at"].is_i64(), "{v}");
    assert!(
        !v.to_string().contains("出勤记录有误"),
        "the reason stays private: {v}"
    );
    assert_eq!(
        pdf_of(&app, &cadre, &serial).await.status(),
        StatusCode::GONE
    );
    let (_, page) = app.page(&client(), &format!("/verify/{serial}")).await;
    assert!(page.contains("已被撤销"), "{page}");
    // The holder sees why, and is told.
    let mine = json(app.call(&cadre, "certificates_of", &[]).await).await;
    let c = mine["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["serial"] == serial.as_str())
        .unwrap()
        .clone();
    assert_eq!(c["reason"], "出勤记录有误");
    let inbox = json(app.call(&cadre, "inbox", &[("page", "0")]).await).await;
    assert!(
        inbox["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|i| { i["notice"]["kind"] == "certificate" && i["notice"]["revoked"] == true }),
        "{inbox}"
    );
    // A revoked certificate is not issued again.
    assert_eq!(
        json(app.call(&organiser, "certificates_issue", &[]).await).await,
        0
    );
    // The organisers' list shows it, revoked.
    let desk = json(
        app.call(&organiser, "certificates_desk", &[("kind", "series")])
            .await,
    )
    .await;
    assert!(
        desk["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["serial"] == serial.as_str() && !c["revoked_at"].is_null()),
        "{desk}"
    );
    let desk = json(app.call(&liying, "certificates_desk", &[]).await).await;
    assert!(
        !desk.to_string().contains(&serial),
        "another subdistrict's organiser: {desk}"
    );
}

async fn post_dossier(
    app: &TestApp,
    who: &reqwest::Client,
    form: &[(&str, &str)],
) -> reqwest::Response {
    who.post(app.url("/dossier.pdf"))
        .header("origin", app.url(""))
        .form(form)
        .send()
        .await
        .unwrap()
}

fn serial_in(text: &str) -> String {
    text.split(|c: char| c.is_whitespace())
        .find_map(|w| {
            w.find("YX-")
                .map(|i| w[i..].chars().take(20).collect::<String>())
        })
        .expect("a serial in the dossier")
}

async fn the_annual_dossier_is_issued_once_per_state_and_kept_as_issued(backend: Backend) {
    let app = spawn_app(backend).await;
    let cadre = app.signed_in("cadre").await;
    let organiser = app.signed_in("organiser").await;
    let liying = app.signed_in("liying").await;
    let me = demo_cadre(&app).await;
    let year = app::ssr::progress::this_year(Timestamp::now()).to_string();

    let res = post_dossier(&app, &cadre, &[("year", &year)]).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["content-type"], "application/pdf");
    let first = res.bytes().await.unwrap().to_vec();
    let text = pdf_text(&first);
    let name = name_of(&app, me).await;
    assert!(text.contains(&name), "{text}");
    assert!(text.contains("年度学习档案"), "{text}");
    assert!(text.contains("参学记录"), "{text}");
    let serial = serial_in(&text);
    assert!(Serial::parse(&serial).is_ok(), "{serial}");
    let v = verify(&app, &serial).await;
    assert_eq!(v["verdict"], "Valid");
    assert_eq!(v["kind"], "Dossier");
    assert_eq!(v["name"], name);

    // Nothing changed: the same dossier again, as issued; also for her organiser.
    let again = post_dossier(&app, &cadre, &[("year", &year)]).await;
    assert_eq!(again.bytes().await.unwrap().to_vec(), first);
    let theirs = post_dossier(
        &app,
        &organiser,
        &[("year", &year), ("person", &me.to_string())],
    )
    .await;
    assert_eq!(theirs.status(), StatusCode::OK);
    assert_eq!(theirs.bytes().await.unwrap().to_vec(), first);
    let res = post_dossier(
        &app,
        &liying,
        &[("year", &year), ("person", &me.to_string())],
    )
    .await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    // Cross-site posts are refused.
    let res = cadre
        .post(app.url("/dossier.pdf"))
        .header("origin", "https://evil.example")
        .form(&[("year", year.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    // The kept PDF is what a later download gives.
    let res = pdf_of(&app, &cadre, &serial).await;
    assert_eq!(res.bytes().await.unwrap().to_vec(), first);

    // The hours changed: a new serial; the old one still verifies (as of its day).
    let session = past_session(&app, "档案测试", 1, vec![me]).await;
    mark(&app, &organiser, session, me, "present").await;
    let res = post_dossier(&app, &cadre, &[("year", &year)]).await;
    let second = res.bytes().await.unwrap().to_vec();
    let new_serial = serial_in(&pdf_text(&second));
    assert_ne!(new_serial, serial);
    assert_eq!(verify(&app, &serial).await["verdict"], "Valid");
    assert_eq!(verify(&app, &new_serial).await["verdict"], "Valid");
    let audit = app.repo.audit_lines(&Default::default(), 50).await.unwrap();
    assert!(
        audit
            .iter()
            .filter(|l| l.line.kind.code() == "certificate.issued")
            .count()
            >= 2,
        "{audit:?}"
    );
}
