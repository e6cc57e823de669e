//! Issue 17, step one: study hours earned elsewhere (外部学时申报). A claim is stored with its
//! certificate, decided once, and an approved one counts toward the tier's hours as far as
//! the tier says (not at all, up to a cap, or all of it), in the standings and the forecast.
use app::domain::Timestamp;
use app::domain::claims::{ClaimForm, Elsewhere};
use app::domain::hours::StudyHours;
use app::ssr::db::{NewPerson, Repository, StoredFile};

use reqwest::StatusCode;

use crate::helpers::*;

both_backends!(
    approved_claims_count_toward_the_tier_as_far_as_it_says,
    organisers_of_the_cadres_scope_decide_claims,
    cadres_file_claims_with_a_certificate,
);

/// The credited hours of `person` this year, and the hours elsewhere approved.
async fn credited(repo: &dyn Repository, person: i64) -> (StudyHours, StudyHours) {
    let now = Timestamp::now();
    let year = app::ssr::progress::this_year(now);
    let p = app::ssr::progress::programme(repo, repo, year, Some(person), now, None)
        .await
        .unwrap();
    let s = &p.standings[0];
    (
        s.year.credited(&s.credits, s.owed.elsewhere),
        s.year.elsewhere,
    )
}

async fn approved_claims_count_toward_the_tier_as_far_as_it_says(backend: Backend) {
    let app = spawn_app(backend).await;
    let repo = app.repo.as_ref();
    let now = Timestamp::now();
    let today = now.local_date();
    let organiser = app.account("organiser").await.person_id;
    let channels = app::ssr::outbox::Outbox::inbox_only().channels();

    // A cadre of a subdistrict that follows the district's tier plans.
    let own: Vec<i64> = repo
        .subdistrict_tier_plans()
        .await
        .unwrap()
        .into_iter()
        .map(|(s, _)| s)
        .collect();
    let community = repo
        .communities()
        .await
        .unwrap()
        .into_iter()
        .find(|c| !own.contains(&c.subdistrict_id))
        .expect("a subdistrict on the district's plans");
    let plans = repo.tier_plans().await.unwrap();
    let plan = plans
        .iter()
        .find(|p| p.requirements.hours.0 > 0)
        .expect("a tier that asks for hours")
        .clone();
    let cadre = repo
        .create_people(
            &[NewPerson {
                name: "外训学员".into(),
                community_id: Some(community.id),
                tier_id: Some(plan.tier.id),
                position: app::domain::people::Position::GridWorker,
                phone: String::new(),
            }],
            Timestamp(now.0 - 40 * 86_400),
        )
        .await
        .unwrap()[0];

    // The conversion table starts with the defaults; a full day is 8 学时.
    let table = repo.conversions(false).await.unwrap();
    assert_eq!(table.len(), 5);
    let day = table.iter().find(|c| c.hours == StudyHours(80)).unwrap();
    let form = ClaimForm {
        training: "区委党校基层治理专题班".into(),
        organiser: "区委党校".into(),
        from: today.to_string(),
        to: today.to_string(),
        mode: "in_person".into(),
        conversion_id: day.id.to_string(),
        units: "1".into(),
        hours: String::new(),
        pledge: true,
    };
    let claim = form.check(&table, today).unwrap();
    let pdf = b"%PDF-1.4\n% a certificate\n";
    let file = StoredFile {
        name: "结业证书.pdf",
        content_type: "application/pdf",
        sha256: "5f1c0e5b8f2c4b1a9d7e6f3a2b1c0d9e8f7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c",
        bytes: pdf,
    };
    let id = repo.file_claim(cadre, &claim, &file, now).await.unwrap();
    let year = app::ssr::progress::this_year(now);
    assert_eq!(
        repo.claimed_hours(cadre, year).await.unwrap(),
        (StudyHours(0), StudyHours(80)),
        "waiting, not yet approved"
    );
    let stored = repo.claim(id).await.unwrap().unwrap();
    assert_eq!(
        (
            stored.state.as_str(),
            stored.hours,
            stored.file_name.as_str()
        ),
        ("pending", 80, "结业证书.pdf")
    );
    let (kind, name, bytes) = repo.claim_file(id).await.unwrap().unwrap();
    assert_eq!(
        (kind.as_str(), name.as_str(), bytes.as_slice()),
        ("application/pdf", "结业证书.pdf", &pdf[..])
    );

    // Up to 5 学时 a year count for this tier.
    let mut req = plan.requirements.clone();
    req.elsewhere = Elsewhere::UpTo(StudyHours(50));
    assert!(
        repo.save_tier_plan(plan.tier.id, plan.tier.target_count, &req, now, None)
            .await
            .unwrap()
    );
    let (before, _) = credited(repo, cadre).await;
    assert!(
        repo.decide_claim(id, true, "", organiser, &channels, now)
            .await
            .unwrap()
    );
    assert!(
        !repo
            .decide_claim(id, false, "重复", organiser, &channels, now)
            .await
            .unwrap(),
        "decided once"
    );
    let (after, elsewhere) = credited(repo, cadre).await;
    assert_eq!(elsewhere, StudyHours(80));
    assert_eq!(after.0 - before.0, 50, "up to the cap");
    assert_eq!(
        repo.claimed_hours(cadre, year).await.unwrap(),
        (StudyHours(80), StudyHours(0))
    );
    // Every hour, or none.
    for (rule, more) in [(Elsewhere::All, 80), (Elsewhere::NotCounted, 0)] {
        req.elsewhere = rule;
        repo.save_tier_plan(plan.tier.id, plan.tier.target_count, &req, now, None)
            .await
            .unwrap();
        let (now_credited, _) = credited(repo, cadre).await;
        assert_eq!(now_credited.0 - before.0, more, "{rule:?}");
    }
    // The tier's rule reads back as saved.
    let back = repo.tier_plans().await.unwrap();
    let back = back.iter().find(|p| p.tier.id == plan.tier.id).unwrap();
    assert_eq!(back.requirements.elsewhere, Elsewhere::NotCounted);

    // The organisers' list shows waiting claims first; a declined one keeps its reason.
    let second = repo.file_claim(cadre, &claim, &file, now).await.unwrap();
    let list = repo.claims_within(None, 50).await.unwrap();
    assert_eq!(list[0].id, second);
    assert!(
        repo.decide_claim(second, false, "证书不清晰", organiser, &channels, now)
            .await
            .unwrap()
    );
    let declined = repo.claim(second).await.unwrap().unwrap();
    assert_eq!(
        (declined.state.as_str(), declined.reason.as_str()),
        ("declined", "证书不清晰")
    );
    assert_eq!(repo.claims_of(cadre).await.unwrap().len(), 2);
    // The cadre was told of both decisions, the reason with the refusal.
    let told: Vec<_> = repo
        .inbox(cadre, 10, 0)
        .await
        .unwrap()
        .into_iter()
        .filter_map(|l| match l.notice {
            app::domain::messages::Notice::ClaimDecided {
                approved, reason, ..
            } => Some((approved, reason)),
            _ => None,
        })
        .collect();
    assert_eq!(
        told,
        vec![(false, "证书不清晰".to_string()), (true, String::new())]
    );
}

/// A claim of the demo cadre (铁塔寺社区, 观音阁街道), filed through the store.
async fn demo_claim(app: &TestApp) -> i64 {
    let repo = app.repo.as_ref();
    let now = Timestamp::now();
    let today = now.local_date();
    let cadre = app.account("cadre").await.person_id;
    let form = ClaimForm {
        training: "网络学院：基层治理在线课程".into(),
        organiser: "干部网络学院".into(),
        from: today.to_string(),
        to: today.to_string(),
        mode: "online".into(),
        hours: "6".into(),
        pledge: true,
        ..ClaimForm::default()
    };
    let claim = form.check(&[], today).unwrap();
    let file = StoredFile {
        name: "学习记录.png",
        content_type: "image/png",
        sha256: "0b1c0e5b8f2c4b1a9d7e6f3a2b1c0d9e8f7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c",
        bytes: b"\x89PNG\r\n\x1a\n",
    };
    repo.file_claim(cadre, &claim, &file, now).await.unwrap()
}

async fn organisers_of_the_cadres_scope_decide_claims(backend: Backend) {
    use app::api::claims::{ClaimItem, ClaimsOfMine};
    let app = spawn_app(backend).await;
    let id = demo_claim(&app).await.to_string();
    let cadre = app.signed_in("cadre").await;
    let liying = app.signed_in("liying").await;
    let organiser = app.signed_in("organiser").await;
    let decide = |client: &reqwest::Client, fields: Vec<(&'static str, &'static str)>| {
        let mut form = vec![("id", id.clone())];
        form.extend(fields.into_iter().map(|(k, v)| (k, v.to_string())));
        let client = client.clone();
        let app = &app;
        async move {
            let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
            app.call(&client, "claim_decide", &form).await.status()
        }
    };
    // The cadre sees their claim waiting; another subdistrict's organiser does not.
    let mine: ClaimsOfMine = app
        .call(&cadre, "claims_mine", &[])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(mine.claims.len(), 1);
    assert_eq!(mine.claims[0].state, "pending");
    assert_eq!(mine.conversions.len(), 5);
    assert_eq!(mine.claimed.1, StudyHours(60));
    let theirs: Vec<ClaimItem> = app
        .call(&liying, "claims_desk", &[])
        .await
        .json()
        .await
        .unwrap();
    assert!(theirs.is_empty());
    assert_eq!(
        decide(&liying, vec![("approve", "1")]).await,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        decide(&cadre, vec![("approve", "1")]).await,
        StatusCode::FORBIDDEN
    );
    // Declining needs a reason; nothing changes without one.
    assert_eq!(
        decide(&organiser, vec![("reason", " ")]).await,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    let desk: Vec<ClaimItem> = app
        .call(&organiser, "claims_desk", &[])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(desk[0].state, "pending");
    assert_eq!(
        decide(
            &organiser,
            vec![("reason", "学习记录截图不完整，请补充证书")]
        )
        .await,
        StatusCode::OK
    );
    assert_eq!(
        decide(&organiser, vec![("approve", "1")]).await,
        StatusCode::CONFLICT
    );
    let mine: ClaimsOfMine = app
        .call(&cadre, "claims_mine", &[])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        (
            mine.claims[0].state.as_str(),
            mine.claims[0].reason.as_str()
        ),
        ("declined", "学习记录截图不完整，请补充证书")
    );
}

/// The claim form as a browser posts it (multipart, no script), with a certificate.
fn claim_form(hours: &str, pledge: bool, file: (&str, &[u8])) -> reqwest::multipart::Form {
    let today = Timestamp::now().local_date().to_string();
    let mut form = reqwest::multipart::Form::new()
        .text("training", "区委党校基层治理专题班")
        .text("organiser", "区委党校")
        .text("from", today.clone())
        .text("to", today)
        .text("mode", "in_person")
        .text("conversion_id", "")
        .text("units", "")
        .text("hours", hours.to_string())
        .part(
            "certificate",
            reqwest::multipart::Part::bytes(file.1.to_vec()).file_name(file.0.to_string()),
        );
    if pledge {
        form = form.text("pledge", "1");
    }
    form
}

async fn post_claim(
    app: &TestApp,
    client: &reqwest::Client,
    form: reqwest::multipart::Form,
) -> String {
    let res = client
        .post(app.url("/claims/file"))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert!(res.status().is_redirection(), "{}", res.status());
    location(&res)
}

async fn cadres_file_claims_with_a_certificate(backend: Backend) {
    use app::api::claims::ClaimsOfMine;
    let app = spawn_app(backend).await;
    let cadre = app.signed_in("cadre").await;
    let png: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR a certificate";

    // Refused with every problem and what was typed; nothing stored.
    let back = post_claim(&app, &cadre, claim_form("0.2", false, ("证书.png", png))).await;
    assert!(
        back.starts_with("/claims?") && back.contains("refused=form"),
        "{back}"
    );
    assert!(
        back.contains("ClaimPledge") && back.contains("ClaimHours"),
        "{back}"
    );
    assert!(
        back.contains(&percent("区委党校")),
        "the typed form comes back: {back}"
    );
    let back = post_claim(
        &app,
        &cadre,
        claim_form("6", true, ("证书.txt", b"just text")),
    )
    .await;
    assert!(back.contains("refused=not_allowed"), "{back}");
    let mine: ClaimsOfMine = app
        .call(&cadre, "claims_mine", &[])
        .await
        .json()
        .await
        .unwrap();
    assert!(mine.claims.is_empty());

    // Filed: it waits for an organiser.
    let back = post_claim(&app, &cadre, claim_form("6", true, ("证书.png", png))).await;
    assert!(back.starts_with("/claims?filed="), "{back}");
    let mine: ClaimsOfMine = app
        .call(&cadre, "claims_mine", &[])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(mine.claims.len(), 1);
    assert_eq!(
        (mine.claims[0].state.as_str(), mine.claims[0].hours),
        ("pending", StudyHours(60))
    );
    assert_eq!(
        mine.rule,
        Elsewhere::UpTo(StudyHours(120)),
        "the demo's tiers count up to 12"
    );

    // Over the tier's cap (12 a year, 6 waiting): refused, with the hours still open.
    let back = post_claim(&app, &cadre, claim_form("8", true, ("证书.png", png))).await;
    assert!(
        back.contains("refused=over_cap") && back.contains("left=6"),
        "{back}"
    );

    // The certificate: the cadre and the organisers of their scope, nobody else.
    let id = mine.claims[0].id;
    let path = format!("/claims/{id}/certificate");
    let res = cadre.get(app.url(&path)).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["content-type"], "image/png");
    assert_eq!(res.bytes().await.unwrap().as_ref(), png);
    let organiser = app.signed_in("organiser").await;
    assert_eq!(
        organiser.get(app.url(&path)).send().await.unwrap().status(),
        StatusCode::OK
    );
    let liying = app.signed_in("liying").await;
    assert_eq!(
        liying.get(app.url(&path)).send().await.unwrap().status(),
        StatusCode::NOT_FOUND
    );
    let lecturer = app.signed_in("lecturer").await;
    assert_eq!(
        lecturer.get(app.url(&path)).send().await.unwrap().status(),
        StatusCode::NOT_FOUND
    );

    // The pages: the cadre's list and form, the organisers' desk.
    let (status, page) = app.page(&cadre, "/claims").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("区委党校基层治理专题班") && page.contains("待审核"));
    let (status, page) = app.page(&organiser, "/organiser/claims").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("区委党校基层治理专题班") && page.contains("认定"));
    // Signed out: refused before the body is read (the connection may close under the
    // upload), and nothing is stored.
    let anonymous = client();
    let res = anonymous
        .post(app.url("/claims/file"))
        .multipart(claim_form("6", true, ("证书.png", png)))
        .send()
        .await;
    if let Ok(res) = res {
        assert!(
            res.status().is_redirection() || res.status() == StatusCode::UNAUTHORIZED,
            "{}",
            res.status()
        );
    }
    let mine: ClaimsOfMine = app
        .call(&cadre, "claims_mine", &[])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(mine.claims.len(), 1);
}

/// `s` as it stands in a query string.
fn percent(s: &str) -> String {
    let url = reqwest::Url::parse_with_params("http://x/", &[("x", s)]).unwrap();
    url.query().unwrap()[2..].to_string()
}
