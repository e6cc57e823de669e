//! Issue 17, check-in corrections (补签): asked within the days allowed, with a reason and
//! optionally a lecturer to confirm, within a monthly quota; an organiser of the cadre's
//! scope decides, and the audit trail names the correction.
use app::domain::audience::Audience;
use app::domain::schedule::AttendanceStatus;
use reqwest::StatusCode;
use serde_json::Value;

use crate::checkin::{demo_cadre, door_session, lectured_session, status_of};
use crate::helpers::*;

both_backends!(
    a_correction_confirmed_by_the_lecturer_makes_the_cadre_present,
    corrections_are_refused_past_the_days_and_the_quota,
);

async fn ask(
    app: &TestApp,
    cadre: &reqwest::Client,
    session: i64,
    lecturer: Option<i64>,
) -> StatusCode {
    let sid = session.to_string();
    let lecturer = lecturer.map(|l| l.to_string()).unwrap_or_default();
    app.call(
        cadre,
        "correction_ask",
        &[
            ("session_id", &sid),
            ("reason", "到场听课，手机没电未能扫码"),
            ("lecturer_id", &lecturer),
        ],
    )
    .await
    .status()
}

async fn a_correction_confirmed_by_the_lecturer_makes_the_cadre_present(backend: Backend) {
    let app = spawn_app(backend).await;
    let cadre = app.signed_in("cadre").await;
    let lecturer = app.signed_in("lecturer").await;
    let organiser = app.signed_in("organiser").await;
    let liying = app.signed_in("liying").await;
    let me = demo_cadre(&app).await;
    let lecturer_id = app.account("lecturer").await.person_id;
    let session = lectured_session(&app, -180, 120, Audience::Everyone, vec![lecturer_id]).await;
    let sid = session.to_string();
    // Marked absent at the end of the evening.
    let res = app
        .call(
            &organiser,
            "attendance_rest_absent",
            &[("session_id", &sid)],
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(
        status_of(&app, session, me).await,
        Some(AttendanceStatus::Absent)
    );

    let chance: Value = app
        .call(&cadre, "correction_chance", &[("session_id", &sid)])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(chance["may_ask"], true, "{chance}");
    assert_eq!(chance["left"], 2);
    assert_eq!(chance["lecturers"][0][0], lecturer_id);
    // Naming someone who does not lecture it is refused.
    assert_eq!(
        ask(&app, &cadre, session, Some(me)).await,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    assert_eq!(
        ask(&app, &cadre, session, Some(lecturer_id)).await,
        StatusCode::OK
    );
    assert_eq!(
        ask(&app, &cadre, session, None).await,
        StatusCode::CONFLICT,
        "one per session"
    );

    // The lecturer confirms; nobody else can.
    let waiting: Value = app
        .call(&lecturer, "corrections_to_confirm", &[])
        .await
        .json()
        .await
        .unwrap();
    let id = waiting[0]["id"]
        .as_i64()
        .expect("one to confirm")
        .to_string();
    let (_, home) = app.page(&lecturer, "/lecturer").await;
    assert!(
        home.contains("data-testid=\"corrections-to-confirm\""),
        "{home}"
    );
    let res = app.call(&cadre, "correction_confirm", &[("id", &id)]).await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let res = app
        .call(&lecturer, "correction_confirm", &[("id", &id)])
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let res = app
        .call(&lecturer, "correction_confirm", &[("id", &id)])
        .await;
    assert_eq!(res.status(), StatusCode::CONFLICT);

    // Another subdistrict's organiser cannot decide; the cadre's can, once.
    let decide = |client: &reqwest::Client, decision: &'static str| {
        let (app, client, id) = (&app, client.clone(), id.clone());
        async move {
            app.call(
                &client,
                "correction_decide",
                &[("id", &id), ("decision", decision)],
            )
            .await
            .status()
        }
    };
    assert_eq!(decide(&liying, "approved").await, StatusCode::NOT_FOUND);
    let queue: Value = app
        .call(&organiser, "requests_queue", &[])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(queue["corrections"][0]["confirmed"], true, "{queue}");
    assert_eq!(decide(&organiser, "approved").await, StatusCode::OK);
    assert_eq!(decide(&organiser, "declined").await, StatusCode::CONFLICT);
    assert_eq!(
        status_of(&app, session, me).await,
        Some(AttendanceStatus::Present)
    );
    // The audit trail says where the status came from; the cadre was told.
    let trail = app.repo.audit_trail(session, None).await.unwrap();
    assert!(
        trail
            .iter()
            .any(|e| e.reason == "correction confirmed" && e.to == AttendanceStatus::Present),
        "{trail:?}"
    );
    let (_, sheet) = app
        .page(
            &organiser,
            &format!("/organiser/sessions/{session}/attendance?c=all"),
        )
        .await;
    assert!(sheet.contains("补签（主讲人确认，组织者批准）"), "{sheet}");
    let (_, inbox) = app.page(&cadre, "/inbox").await;
    assert!(inbox.contains("补签已通过"), "{inbox}");
}

async fn corrections_are_refused_past_the_days_and_the_quota(backend: Backend) {
    let app = spawn_app(backend).await;
    let cadre = app.signed_in("cadre").await;
    let organiser = app.signed_in("organiser").await;
    // Not yet started, and five days ago (past the 3 days).
    let ahead = door_session(&app, 60, 120, Audience::Everyone).await;
    assert_eq!(ask(&app, &cadre, ahead, None).await, StatusCode::CONFLICT);
    let old = door_session(&app, -5 * 24 * 60, 120, Audience::Everyone).await;
    assert_eq!(ask(&app, &cadre, old, None).await, StatusCode::CONFLICT);
    // Two a month: the third is refused, and a declined one frees its place.
    let mut sessions = Vec::new();
    for i in 0..3 {
        sessions.push(door_session(&app, -60 * (i + 3), 60, Audience::Everyone).await);
    }
    assert_eq!(ask(&app, &cadre, sessions[0], None).await, StatusCode::OK);
    assert_eq!(ask(&app, &cadre, sessions[1], None).await, StatusCode::OK);
    let res = app
        .call(
            &cadre,
            "correction_ask",
            &[
                ("session_id", &sessions[2].to_string()),
                ("reason", "到场听课，手机没电未能扫码"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::CONFLICT);
    let body = res.text().await.unwrap();
    assert!(body.contains("CorrectionQuotaUsed"), "{body}");
    let queue: Value = app
        .call(&organiser, "requests_queue", &[])
        .await
        .json()
        .await
        .unwrap();
    let first = queue["corrections"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["session_id"] == sessions[0])
        .unwrap()["id"]
        .as_i64()
        .unwrap()
        .to_string();
    let res = app
        .call(
            &organiser,
            "correction_decide",
            &[("id", &first), ("decision", "declined")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(ask(&app, &cadre, sessions[2], None).await, StatusCode::OK);
    // A quota of 0 switches corrections off.
    let res = app
        .call(
            &organiser,
            "settings_leave",
            &[
                ("after_days", "3"),
                ("duty_make_up_days", "14"),
                ("correction_days", "3"),
                ("correction_quota", "11"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let res = app
        .call(
            &organiser,
            "settings_leave",
            &[
                ("after_days", "3"),
                ("duty_make_up_days", "14"),
                ("correction_days", "3"),
                ("correction_quota", "0"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let fresh = door_session(&app, -90, 60, Audience::Everyone).await;
    let chance: Value = app
        .call(
            &cadre,
            "correction_chance",
            &[("session_id", &fresh.to_string())],
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(chance["may_ask"], false, "{chance}");
    assert_eq!(ask(&app, &cadre, fresh, None).await, StatusCode::CONFLICT);
}
