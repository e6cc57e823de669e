//! Issue 17, leave that knows duty: the kinds of leave with an attachment, leave after the
//! fact within the days allowed, a whole community excused at once whose make-up opens,
//! duty outside the cap and counted per community and month, and the cap per special
//! class (专题班) that withdraws. Also the conversion table's editor (外部学时).
use app::domain::Timestamp;
use app::domain::audience::Audience;
use app::domain::hours::StudyHours;
use app::domain::schedule::AttendanceStatus;
use reqwest::StatusCode;
use serde_json::Value;

use crate::checkin::{demo_cadre, door_session, status_of};
use crate::helpers::*;

both_backends!(
    a_community_on_duty_is_excused_at_once_and_its_make_up_opens,
    leave_after_the_fact_carries_its_kind_and_attachment,
    leave_past_a_special_classs_cap_withdraws,
    district_organisers_keep_the_conversion_table,
);

async fn community_of(app: &TestApp, person: i64) -> i64 {
    app.repo
        .member(person)
        .await
        .unwrap()
        .unwrap()
        .community_id
        .unwrap()
}

async fn a_community_on_duty_is_excused_at_once_and_its_make_up_opens(backend: Backend) {
    let app = spawn_app(backend).await;
    let organiser = app.signed_in("organiser").await;
    let liying = app.signed_in("liying").await;
    let cadre = app.signed_in("cadre").await;
    let me = demo_cadre(&app).await;
    let community = community_of(&app, me).await.to_string();
    // Tonight's session, over an hour ago.
    let session = door_session(&app, -180, 120, Audience::Everyone).await;
    let sid = session.to_string();
    let excuse = |client: &reqwest::Client, community: &str, reason: &str| {
        let (app, client, sid) = (&app, client.clone(), sid.clone());
        let form = [
            ("session_id", sid),
            ("community_id", community.to_string()),
            ("reason", reason.to_string()),
            ("kind", "duty".to_string()),
        ];
        async move {
            let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
            app.call(&client, "leave_excuse_group", &form).await
        }
    };
    // Refusals change nothing: an empty reason, another subdistrict's organiser.
    let res = excuse(&organiser, &community, " ").await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let res = excuse(&liying, &community, "防汛值班").await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    assert_eq!(status_of(&app, session, me).await, None);

    let res = excuse(&organiser, &community, "社区今晚防汛值班").await;
    assert_eq!(res.status(), StatusCode::OK);
    let excused: u64 = res.json().await.unwrap();
    assert!(excused >= 1, "the demo cadre's community has cadres");
    assert_eq!(
        status_of(&app, session, me).await,
        Some(AttendanceStatus::Excused)
    );
    // Again: everyone is excused already.
    let again: u64 = excuse(&organiser, &community, "社区今晚防汛值班")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(again, 0);

    // The cadre sees the duty leave, the make-up open with its deadline, and was told.
    let mine: Value = app
        .call(&cadre, "attendance_mine", &[("session_id", &sid)])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(mine["leave"]["leave_kind"], "Duty");
    assert_eq!(mine["leave"]["group"], true);
    assert_eq!(mine["leave"]["decision"], "Approved");
    let due = mine["leave"]["make_up_due"].as_i64().expect("a deadline");
    let days = (due - Timestamp::now().0) as f64 / 86_400.0;
    assert!((13.9..=14.1).contains(&days), "14 days by default: {days}");
    assert_eq!(mine["may_make_up"], true, "{mine}");
    let (_, page) = app.page(&cadre, "/inbox").await;
    assert!(page.contains("补学已开放"), "{page}");

    // Duty stays outside the cap: the queue's load leaves it out and says so.
    let member = app.repo.member(me).await.unwrap().unwrap();
    let year = DateBounds::this_year();
    let hours = app
        .repo
        .leave_hours_by_kind(&member, year.0, year.1, None)
        .await
        .unwrap();
    assert_eq!(hours.duty, StudyHours(20));
    let rules = app::domain::leave::LeaveRules::default();
    assert_eq!(
        hours.load(&rules).approved,
        StudyHours(hours.personal.0 + hours.sick.0)
    );
    let counted = app::domain::leave::LeaveRules {
        duty_outside_cap: false,
        ..rules
    };
    assert_eq!(
        hours.load(&counted).approved.0,
        hours.personal.0 + hours.sick.0 + 20
    );

    // The dashboard counts duty per community and month.
    let dashboard: Value = app
        .call(&organiser, "programme_dashboard", &[])
        .await
        .json()
        .await
        .unwrap();
    let duty = dashboard["duty"].as_array().expect("duty lines");
    let month = chrono::Datelike::month(&Timestamp::now().local_date()) as usize;
    let total: i64 = duty
        .iter()
        .map(|l| l["months"][month - 1].as_i64().unwrap())
        .sum();
    assert_eq!(total, excused as i64);
    let (_, page) = app.page(&organiser, "/organiser/programme").await;
    assert!(
        page.contains("data-testid=\"duty\""),
        "the table is on the page"
    );
}

/// This year's bounds.
struct DateBounds;

impl DateBounds {
    fn this_year() -> (Timestamp, Timestamp) {
        let year = chrono::Datelike::year(&Timestamp::now().local_date());
        app::domain::report::DateRange::year(year)
            .and_then(|r| r.bounds())
            .unwrap()
    }
}

fn leave_form(kind: &str, reason: &str, file: Option<(&str, &[u8])>) -> reqwest::multipart::Form {
    let mut form = reqwest::multipart::Form::new()
        .text("kind", kind.to_string())
        .text("reason", reason.to_string());
    if let Some((name, bytes)) = file {
        form = form.part(
            "attachment",
            reqwest::multipart::Part::bytes(bytes.to_vec()).file_name(name.to_string()),
        );
    }
    form
}

async fn post_leave(
    app: &TestApp,
    client: &reqwest::Client,
    session: i64,
    form: reqwest::multipart::Form,
) -> String {
    let res = client
        .post(app.url(&format!("/sessions/{session}/leave")))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert!(res.status().is_redirection(), "{}", res.status());
    location(&res)
}

async fn leave_after_the_fact_carries_its_kind_and_attachment(backend: Backend) {
    let app = spawn_app(backend).await;
    let cadre = app.signed_in("cadre").await;
    let organiser = app.signed_in("organiser").await;
    let liying = app.signed_in("liying").await;
    let png: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR a sick note";
    // Yesterday's session: leave may still be asked, after the fact.
    let yesterday = door_session(&app, -26 * 60, 120, Audience::Everyone).await;
    let back = post_leave(
        &app,
        &cadre,
        yesterday,
        leave_form("sick", "发烧就医", Some(("假条.txt", b"just text"))),
    )
    .await;
    assert!(back.ends_with("?leave=not_allowed#my-attendance"), "{back}");
    let back = post_leave(
        &app,
        &cadre,
        yesterday,
        leave_form("holiday", "发烧就医", None),
    )
    .await;
    assert!(back.contains("leave=reason"), "an unknown kind: {back}");
    let back = post_leave(&app, &cadre, yesterday, leave_form("sick", "", None)).await;
    assert!(back.contains("leave=reason"), "{back}");
    let mine: Value = app
        .call(
            &cadre,
            "attendance_mine",
            &[("session_id", &yesterday.to_string())],
        )
        .await
        .json()
        .await
        .unwrap();
    assert!(mine["leave"].is_null(), "nothing stored: {mine}");
    assert!(mine["after_the_fact_until"].is_i64(), "{mine}");

    let back = post_leave(
        &app,
        &cadre,
        yesterday,
        leave_form("sick", "发烧就医", Some(("假条.png", png))),
    )
    .await;
    assert!(back.contains("leave=asked"), "{back}");
    let mine: Value = app
        .call(
            &cadre,
            "attendance_mine",
            &[("session_id", &yesterday.to_string())],
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(mine["leave"]["leave_kind"], "Sick");
    assert_eq!(mine["leave"]["after_the_fact"], true);
    let href = mine["leave"]["attachment"][0].as_str().unwrap().to_string();
    // The attachment: the cadre and their organisers, nobody else.
    for (client, want) in [
        (&cadre, StatusCode::OK),
        (&organiser, StatusCode::OK),
        (&liying, StatusCode::NOT_FOUND),
    ] {
        let res = client.get(app.url(&href)).send().await.unwrap();
        assert_eq!(res.status(), want, "{href}");
    }
    let back = post_leave(
        &app,
        &cadre,
        yesterday,
        leave_form("sick", "再请一次", None),
    )
    .await;
    assert!(back.contains("leave=already"), "{back}");
    // The queue shows the kind; sick leave counts toward the cap.
    let queue: Value = app
        .call(&organiser, "requests_queue", &[])
        .await
        .json()
        .await
        .unwrap();
    let line = queue["leave"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["request"]["session_id"] == yesterday)
        .unwrap()
        .clone();
    assert_eq!(line["counts"], true);
    assert_eq!(line["request"]["leave_kind"], "Sick");

    // Five days ago is past the 3 days; with 7 allowed it is open again.
    let older = door_session(&app, -5 * 24 * 60, 120, Audience::Everyone).await;
    let back = post_leave(
        &app,
        &cadre,
        older,
        leave_form("personal", "家中有事", None),
    )
    .await;
    assert!(back.contains("leave=closed"), "{back}");
    let res = app
        .call(
            &organiser,
            "settings_leave",
            &[
                ("after_days", "15"),
                ("duty_make_up_days", "10"),
                ("correction_days", "3"),
                ("correction_quota", "2"),
                ("duty_outside_cap", "1"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let res = app
        .call(
            &organiser,
            "settings_leave",
            &[
                ("after_days", "7"),
                ("duty_make_up_days", "10"),
                ("correction_days", "3"),
                ("correction_quota", "2"),
                ("duty_outside_cap", "1"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let back = post_leave(
        &app,
        &cadre,
        older,
        leave_form("personal", "家中有事", None),
    )
    .await;
    assert!(back.contains("leave=asked"), "{back}");
}

async fn leave_past_a_special_classs_cap_withdraws(backend: Backend) {
    let app = spawn_app(backend).await;
    let cadre = app.signed_in("cadre").await;
    let organiser = app.signed_in("organiser").await;
    let me = demo_cadre(&app).await;
    // The helper's sessions belong to 运河红·初心讲堂; mark it as a special class.
    let series = "运河红·初心讲堂";
    let caps: Value = app
        .call(&organiser, "leave_series_caps", &[])
        .await
        .json()
        .await
        .unwrap();
    assert!(
        caps.as_array()
            .unwrap()
            .iter()
            .any(|c| c["series"] == series),
        "{caps}"
    );
    let res = app
        .call(
            &cadre,
            "leave_series_cap_set",
            &[("series", series), ("capped", "1")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let res = app
        .call(
            &organiser,
            "leave_series_cap_set",
            &[("series", series), ("capped", "1")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    // A tiny cap: one session's leave passes it.
    let res = app
        .call(
            &organiser,
            "settings_attendance",
            &[("leave_cap", "1%"), ("make_up_share", "50%")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let session = door_session(&app, 24 * 60, 120, Audience::Everyone).await;
    // The class goes on: another session of it next week.
    let later = door_session(&app, 7 * 24 * 60, 120, Audience::Everyone).await;
    let res = app
        .call(
            &cadre,
            "leave_ask",
            &[("session_id", &session.to_string()), ("reason", "家中有事")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let before: Value = app
        .call(&cadre, "progress_view", &[])
        .await
        .json()
        .await
        .unwrap();
    let queue: Value = app
        .call(&organiser, "requests_queue", &[])
        .await
        .json()
        .await
        .unwrap();
    let line = queue["leave"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["request"]["session_id"] == session)
        .unwrap()
        .clone();
    assert_eq!(line["withdraws_from"], series, "{line}");
    let id = line["request"]["id"].as_i64().unwrap().to_string();
    let res = app
        .call(
            &organiser,
            "requests_decide",
            &[("id", &id), ("kind", "leave"), ("decision", "approved")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let withdrawn = app.repo.withdrawals_of(me).await.unwrap();
    assert_eq!(withdrawn.len(), 1);
    assert_eq!(withdrawn[0].0, series);
    let progress: Value = app
        .call(&cadre, "progress_view", &[])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(progress["withdrawn"][0][0], series, "{progress}");
    // Withdrawn, the class's sessions ahead are no longer hers: neither the one excused
    // nor the next week's are counted ahead (nothing subtracted twice), and the evening
    // before she is not reminded of it.
    let reachable = |p: &Value| p["reachable"].as_i64().unwrap();
    assert!(
        reachable(&progress) <= reachable(&before) - 40,
        "before {} after {}",
        reachable(&before),
        reachable(&progress)
    );
    let notice = app::domain::messages::Notice::Tomorrow {
        session_id: later,
        title: "专题班".into(),
        starts_at: 0,
        ends_at: 0,
        place: String::new(),
    };
    app.repo
        .post(
            &notice,
            app::ssr::db::Recipients::Expected(later),
            &Default::default(),
            app::domain::Timestamp::now(),
        )
        .await
        .unwrap();
    let inbox: Value = app
        .call(&cadre, "inbox", &[("page", "0")])
        .await
        .json()
        .await
        .unwrap();
    assert!(
        !inbox["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|i| i["notice"]["kind"] == "tomorrow" && i["notice"]["session_id"] == later),
        "{inbox}"
    );
}

async fn district_organisers_keep_the_conversion_table(backend: Backend) {
    use app::api::claims::ConversionLines;
    let app = spawn_app(backend).await;
    // The demo's `organiser` holds the district; `liying` one subdistrict.
    let district = app.signed_in("organiser").await;
    let organiser = app.signed_in("liying").await;
    let cadre = app.signed_in("cadre").await;
    let save = |client: &reqwest::Client, form: Vec<(&'static str, &'static str)>| {
        let (app, client) = (&app, client.clone());
        async move {
            app.call(&client, "claims_conversion_save", &form)
                .await
                .status()
        }
    };
    let line = vec![("name_zh", "党校调训一天"), ("hours", "7.5")];
    assert_eq!(save(&organiser, line.clone()).await, StatusCode::FORBIDDEN);
    assert_eq!(
        save(&district, vec![("name_zh", ""), ("hours", "99")]).await,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    assert_eq!(save(&district, line).await, StatusCode::OK);
    let table: ConversionLines = app
        .call(&organiser, "claims_conversions", &[])
        .await
        .json()
        .await
        .unwrap();
    assert!(!table.may_edit, "a subdistrict's organiser reads it");
    let added = table
        .lines
        .iter()
        .find(|c| c.name_zh == "党校调训一天")
        .expect("the new line")
        .clone();
    assert_eq!(added.hours, StudyHours(75));
    assert_eq!(added.name_en, "党校调训一天");
    // Retired: no longer offered to cadres, still listed for organisers.
    let id = added.id.to_string();
    let res = app
        .call(
            &district,
            "claims_conversion_save",
            &[
                ("id", &id),
                ("name_zh", "党校调训一天"),
                ("hours", "7.5"),
                ("retired", "1"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let mine: app::api::claims::ClaimsOfMine = app
        .call(&cadre, "claims_mine", &[])
        .await
        .json()
        .await
        .unwrap();
    assert!(mine.conversions.iter().all(|c| c.id != added.id));
    let res = app
        .call(
            &district,
            "claims_conversion_save",
            &[("id", "999999"), ("name_zh", "无此项"), ("hours", "1")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    // Every change is in the audit log.
    let (_, audit) = app
        .page(&app.signed_in("admin").await, "/admin/audit")
        .await;
    assert!(audit.contains("修改学时折算标准"), "{audit}");
}
