use app::domain::Timestamp;
use app::domain::audience::Member;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::*;

both_backends!(
    organiser_plans_a_weekly_series_for_a_tier,
    clashes_are_refused_unless_a_reason_is_given,
    bad_session_input_saves_nothing,
    sessions_download_as_ics_for_their_audience,
    organisers_cancel_with_a_reason,
);

/// The form for a Tuesday/Thursday series of four, 19:00-21:00, 60 days from now.
pub(crate) async fn series_form(
    app: &TestApp,
    title: &str,
    lecturer: i64,
    audience: Value,
) -> Value {
    let date = Timestamp(Timestamp::now().0 + 60 * 86_400).local_date();
    let theme = app.repo.themes().await.unwrap()[0].id;
    let mut form = json!({
        "title": title, "theme_id": theme.to_string(), "format": "lecture",
        "date": date.format("%Y-%m-%d").to_string(), "start": "19:00", "end": "21:00",
        "ends_next_day": false, "place": "街道党群服务中心三楼会议室",
        "lecturer_ids": [lecturer], "everyone": false, "tier_ids": [], "community_ids": [],
        "person_ids": [], "capacity": "", "hours": "", "description_md": "",
        "repeat_weekdays": [1, 3], "repeat_until": "", "repeat_count": "4"
    });
    if let (Some(f), Some(a)) = (form.as_object_mut(), audience.as_object()) {
        for (k, v) in a {
            f.insert(k.clone(), v.clone());
        }
    }
    form
}

pub(crate) async fn lecturer_person(app: &TestApp) -> i64 {
    app.repo.lecturers().await.unwrap()[0].0
}

pub(crate) async fn create(
    app: &TestApp,
    client: &reqwest::Client,
    form: &Value,
    reason: &str,
) -> reqwest::Response {
    client
        .post(app.url("/api/sessions_create"))
        .json(&json!({ "form": form, "clash_reason": reason }))
        .send()
        .await
        .unwrap()
}

async fn organiser_plans_a_weekly_series_for_a_tier(backend: Backend) {
    let app = spawn_app(backend).await;
    let organiser = app.signed_in("organiser").await;
    let strong = app.repo.tiers().await.unwrap()[1].id;
    let form = series_form(
        &app,
        "强雁夜学：网格治理实务",
        lecturer_person(&app).await,
        json!({ "tier_ids": [strong] }),
    )
    .await;
    let res = create(&app, &organiser, &form, "").await;
    assert_eq!(
        res.status(),
        StatusCode::OK,
        "{}",
        res.text().await.unwrap()
    );
    let ids: Vec<i64> = res.json().await.unwrap();
    assert_eq!(ids.len(), 4);
    // The demo cadre is a strong goose: the series is on their timetable.
    let cadre = app.signed_in("cadre").await;
    let mine: Value = app
        .call(&cadre, "my_upcoming_sessions", &[])
        .await
        .json()
        .await
        .unwrap();
    let titles: Vec<&str> = mine
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|s| s["title"].as_str())
        .collect();
    assert!(titles.contains(&"强雁夜学：网格治理实务"), "{titles:?}");
    let first = mine
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["title"] == "强雁夜学：网格治理实务")
        .unwrap();
    assert_eq!(
        first["study_hours"], 25,
        "2 hours at 45 minutes a study hour, in halves"
    );
    // A lead goose is not in the audience.
    let lead = app.repo.tiers().await.unwrap()[0].id;
    let outsider = Member {
        person_id: 1,
        tier_id: Some(lead),
        community_id: None,
        subdistrict_id: None,
    };
    let now = Timestamp::now();
    let theirs = app
        .repo
        .sessions_for_member(&outsider, now, Timestamp(now.0 + 400 * 86_400), 100)
        .await
        .unwrap();
    assert!(theirs.iter().all(|s| s.title != "强雁夜学：网格治理实务"));
    // Cadres may not plan.
    let res = create(&app, &cadre, &form, "").await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
}

async fn clashes_are_refused_unless_a_reason_is_given(backend: Backend) {
    let app = spawn_app(backend).await;
    let organiser = app.signed_in("organiser").await;
    let lecturer = lecturer_person(&app).await;
    let form = series_form(&app, "第一场", lecturer, json!({ "everyone": true })).await;
    assert_eq!(
        create(&app, &organiser, &form, "").await.status(),
        StatusCode::OK
    );
    let mut clash = series_form(&app, "第二场", lecturer, json!({ "everyone": true })).await;
    clash["start"] = json!("20:00");
    clash["end"] = json!("22:00");
    clash["place"] = json!("别处");
    let before = app
        .repo
        .bookings_between(Timestamp(0), Timestamp(i64::MAX / 2))
        .await
        .unwrap()
        .len();
    let res = create(&app, &organiser, &clash, "").await;
    assert_eq!(res.status(), StatusCode::CONFLICT);
    let body = res.text().await.unwrap();
    assert!(
        body.contains("第一场"),
        "the other session is named: {body}"
    );
    assert_eq!(
        app.repo
            .bookings_between(Timestamp(0), Timestamp(i64::MAX / 2))
            .await
            .unwrap()
            .len(),
        before
    );
    let res = create(&app, &organiser, &clash, "书记临时调整，已与讲师确认").await;
    assert_eq!(res.status(), StatusCode::OK);
    // Touching ends are no clash.
    let mut after = series_form(&app, "第三场", lecturer, json!({ "everyone": true })).await;
    after["start"] = json!("22:00");
    after["end"] = json!("23:00");
    assert_eq!(
        create(&app, &organiser, &after, "").await.status(),
        StatusCode::OK
    );
}

async fn bad_session_input_saves_nothing(backend: Backend) {
    let app = spawn_app(backend).await;
    let organiser = app.signed_in("organiser").await;
    let before = app
        .repo
        .bookings_between(Timestamp(0), Timestamp(i64::MAX / 2))
        .await
        .unwrap()
        .len();
    let good = series_form(
        &app,
        "好课",
        lecturer_person(&app).await,
        json!({ "everyone": true }),
    )
    .await;
    let cadre_person = app
        .repo
        .list_accounts()
        .await
        .unwrap()
        .into_iter()
        .find(|a| a.username == "cadre")
        .unwrap()
        .person_id;
    let cases = [
        (json!({ "title": "  " }), "Title"),
        (json!({ "end": "18:00" }), "EndNotAfterStart"),
        (json!({ "lecturer_ids": [cadre_person] }), "NotALecturer"),
        (json!({ "everyone": false }), "EmptyAudience"),
        (json!({ "repeat_until": "2020-01-01" }), "Recurrence"),
        (json!({ "theme_id": "99999" }), "Theme"),
    ];
    for (patch, why) in cases {
        let mut form = good.clone();
        for (k, v) in patch.as_object().unwrap() {
            form[k] = v.clone();
        }
        if why == "Recurrence" {
            form["repeat_count"] = json!("");
        }
        let res = create(&app, &organiser, &form, "").await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "{why}");
        let body = res.text().await.unwrap();
        assert!(body.contains(why), "{why}: {body}");
    }
    assert_eq!(
        app.repo
            .bookings_between(Timestamp(0), Timestamp(i64::MAX / 2))
            .await
            .unwrap()
            .len(),
        before
    );
}

pub(crate) async fn session_id(app: &TestApp, title: &str) -> i64 {
    let now = Timestamp::now();
    let all = app
        .repo
        .sessions_between(
            Timestamp(now.0 - 400 * 86_400),
            Timestamp(now.0 + 400 * 86_400),
            1000,
        )
        .await
        .unwrap();
    all.into_iter()
        .find(|s| s.title == title)
        .map(|s| s.id)
        .expect(title)
}

async fn sessions_download_as_ics_for_their_audience(backend: Backend) {
    let app = spawn_app(backend).await;
    let everyone = session_id(&app, "信访维稳专题（二）：矛盾纠纷多元化解").await;
    let lead_forum = session_id(&app, "“头雁”讲坛（第二期）").await;
    let ics = |id: i64| app.url(&format!("/sessions/{id}/calendar.ics"));
    let cadre = app.signed_in("cadre").await;
    let res = cadre.get(ics(everyone)).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(
        res.headers()["content-type"],
        "text/calendar; charset=utf-8"
    );
    assert!(
        res.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .contains(".ics")
    );
    let body = res.text().await.unwrap().replace("\r\n ", "");
    assert!(body.contains(&format!("UID:session-{everyone}@nightschool")));
    assert!(body.contains("SUMMARY:信访维稳专题（二）：矛盾纠纷多元化解"));
    assert!(body.contains("DTSTART;TZID=Asia/Shanghai:"));
    assert!(body.contains("STATUS:CONFIRMED"));
    // A strong goose is not in the lead-goose forum's audience; its lecturer and organisers are.
    assert_eq!(
        cadre.get(ics(lead_forum)).send().await.unwrap().status(),
        StatusCode::NOT_FOUND
    );
    let organiser = app.signed_in("organiser").await;
    assert_eq!(
        organiser
            .get(ics(lead_forum))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::OK
    );
    assert_eq!(
        organiser.get(ics(999_999)).send().await.unwrap().status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        client().get(ics(everyone)).send().await.unwrap().status(),
        StatusCode::UNAUTHORIZED
    );
}

async fn organisers_cancel_with_a_reason(backend: Backend) {
    let app = spawn_app(backend).await;
    let id = session_id(&app, "信访维稳专题（二）：矛盾纠纷多元化解").await;
    let sid = id.to_string();
    let cadre = app.signed_in("cadre").await;
    let res = app
        .call(
            &cadre,
            "sessions_cancel",
            &[("id", &sid), ("reason", "防汛")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let organiser = app.signed_in("organiser").await;
    let res = app
        .call(
            &organiser,
            "sessions_cancel",
            &[("id", &sid), ("reason", "  ")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.text().await.unwrap().contains("Reason"));
    let res = app
        .call(
            &organiser,
            "sessions_cancel",
            &[("id", "999999"), ("reason", "防汛")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    let res = app
        .call(
            &organiser,
            "sessions_cancel",
            &[("id", &sid), ("reason", "防汛值守，顺延一周")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let mine: Value = app
        .call(&cadre, "my_upcoming_sessions", &[])
        .await
        .json()
        .await
        .unwrap();
    let s = mine
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == id)
        .expect("still listed");
    assert_eq!(s["cancelled"], true, "the audience sees it as cancelled");
    let ics = cadre
        .get(app.url(&format!("/sessions/{id}/calendar.ics")))
        .send()
        .await
        .unwrap();
    assert!(ics.text().await.unwrap().contains("STATUS:CANCELLED"));
}
