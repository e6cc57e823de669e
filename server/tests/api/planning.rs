//! Scheduling, part two: editing series, lists, calendars, the session page, feeds and
//! the programme settings.
use app::domain::Timestamp;
use app::domain::audience::Member;
use reqwest::{Client, StatusCode};
use serde_json::{Value, json};

use crate::helpers::*;
use crate::schedule::{create, lecturer_person, series_form};

both_backends!(
    edits_reach_one_or_the_following_occurrences,
    lists_filter_and_page,
    calendars_show_the_week_and_the_month,
    the_session_page_is_sanitised_and_private,
    calendar_feeds_are_private_and_revocable,
    calendar_reminders_follow_each_persons_choice,
    organisers_set_the_hours_rule_and_themes,
    named_people_are_found_and_admitted,
);

async fn member_of(app: &TestApp, username: &str) -> Member {
    let account = app.account(username).await;
    app.repo.member(account.person_id).await.unwrap().unwrap()
}

/// Creates the form's sessions and returns their ids.
async fn created(app: &TestApp, organiser: &Client, form: &Value) -> Vec<i64> {
    let res = create(app, organiser, form, "").await;
    assert_eq!(
        res.status(),
        StatusCode::OK,
        "{}",
        res.text().await.unwrap()
    );
    res.json().await.unwrap()
}

async fn update(
    app: &TestApp,
    c: &Client,
    id: i64,
    form: &Value,
    scope: &str,
) -> reqwest::Response {
    c.post(app.url("/api/sessions_update"))
        .json(&json!({ "id": id, "form": form, "scope": scope, "clash_reason": "" }))
        .send()
        .await
        .unwrap()
}

async fn edits_reach_one_or_the_following_occurrences(backend: Backend) {
    let app = spawn_app(backend).await;
    let organiser = app.signed_in("organiser").await;
    let lecturer = lecturer_person(&app).await;
    let form = series_form(&app, "周二周四夜学", lecturer, json!({ "everyone": true })).await;
    let ids = created(&app, &organiser, &form).await;
    assert_eq!(ids.len(), 4);
    let before: Vec<_> = rows_of(&app, &ids).await;

    // The template of the second occurrence is the planner's form, and knows its series.
    let tpl: Value = app
        .call(
            &organiser,
            "planner_template",
            &[("id", &ids[1].to_string())],
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(tpl["in_series"], true);
    assert_eq!(tpl["form"]["start"], "19:00");
    let mut edit = tpl["form"].clone();
    edit["title"] = json!("周二周四夜学（调整）");
    edit["start"] = json!("18:30");
    edit["end"] = json!("20:00");
    let res = update(&app, &organiser, ids[1], &edit, "Following").await;
    assert_eq!(
        res.status(),
        StatusCode::OK,
        "{}",
        res.text().await.unwrap()
    );
    assert_eq!(res.json::<usize>().await.unwrap(), 3);
    let after = rows_of(&app, &ids).await;
    assert_eq!(after[0], before[0], "the earlier occurrence is untouched");
    for (old, new) in before.iter().zip(&after).skip(1) {
        assert_eq!(new.2, "周二周四夜学（调整）");
        assert_eq!(new.0.0, old.0.0 - 30 * 60, "starts 30 minutes earlier");
        assert_eq!(new.1.0 - new.0.0, 90 * 60, "and lasts 90 minutes");
        assert_eq!(new.3.0, 20, "90 minutes at 45 a study hour");
    }
    // A changed session's calendar event carries a higher SEQUENCE.
    let ics = app
        .page(&organiser, &format!("/sessions/{}/calendar.ics", ids[2]))
        .await
        .1;
    assert!(ics.contains("SEQUENCE:1"), "{ics}");

    // This occurrence only (moving it onto another occurrence's time would clash).
    let mut clashing = edit.clone();
    clashing["place"] = json!("东关社区活动室");
    let res = update(&app, &organiser, ids[3], &clashing, "This").await;
    assert_eq!(
        res.status(),
        StatusCode::CONFLICT,
        "same lecturer as occurrence 2"
    );
    let tpl: Value = app
        .call(
            &organiser,
            "planner_template",
            &[("id", &ids[3].to_string())],
        )
        .await
        .json()
        .await
        .unwrap();
    let mut one = tpl["form"].clone();
    one["place"] = json!("东关社区活动室");
    let res = update(&app, &organiser, ids[3], &one, "This").await;
    assert_eq!(res.status(), StatusCode::OK);
    let places = places_of(&app, &ids).await;
    assert_eq!(places[3], "东关社区活动室");
    assert_ne!(places[2], "东关社区活动室");

    // Bad input and a cancelled session change nothing.
    let mut bad = edit.clone();
    bad["end"] = json!("17:00");
    let res = update(&app, &organiser, ids[1], &bad, "Following").await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.text().await.unwrap().contains("EndNotAfterStart"));
    assert_eq!(rows_of(&app, &ids).await, after);
    app.call(
        &organiser,
        "sessions_cancel",
        &[("id", &ids[0].to_string()), ("reason", "场地检修")],
    )
    .await;
    let res = update(&app, &organiser, ids[0], &edit, "This").await;
    assert_eq!(res.status(), StatusCode::CONFLICT);
    // Cadres may not edit; unknown sessions are not found.
    let cadre = app.signed_in("cadre").await;
    assert_eq!(
        update(&app, &cadre, ids[1], &edit, "This").await.status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        update(&app, &organiser, 999_999, &edit, "This")
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
}

type Row = (Timestamp, Timestamp, String, app::domain::hours::StudyHours);

async fn rows_of(app: &TestApp, ids: &[i64]) -> Vec<Row> {
    let mut out = Vec::new();
    for id in ids {
        let d = app.repo.session_detail(*id).await.unwrap().unwrap().summary;
        out.push((d.starts_at, d.ends_at, d.title, d.study_hours));
    }
    out
}

async fn places_of(app: &TestApp, ids: &[i64]) -> Vec<String> {
    let mut out = Vec::new();
    for id in ids {
        out.push(
            app.repo
                .session_detail(*id)
                .await
                .unwrap()
                .unwrap()
                .summary
                .place,
        );
    }
    out
}

async fn list(app: &TestApp, c: &Client, filter: Value) -> Value {
    let res = c
        .post(app.url("/api/list_sessions"))
        .json(&json!({ "filter": filter }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    res.json().await.unwrap()
}

fn titles(list: &Value) -> Vec<String> {
    list["sessions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["title"].as_str().unwrap().to_string())
        .collect()
}

async fn lists_filter_and_page(backend: Backend) {
    let app = spawn_app(backend).await;
    let organiser = app.signed_in("organiser").await;
    let base = json!({ "when": "Upcoming", "theme_id": null, "format": null, "lecturer_id": null,
        "community_id": null, "tier_id": null, "page": 0 });
    let all = list(&app, &organiser, base.clone()).await;
    assert!(!titles(&all).is_empty());
    assert_eq!(all["more"], false);
    assert!(!all["choices"]["themes"].as_array().unwrap().is_empty());

    // Past sessions, newest first; forums only.
    let mut past = base.clone();
    past["when"] = json!("Past");
    let past = list(&app, &organiser, past).await;
    let starts: Vec<i64> = past["sessions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["starts_at"].as_i64().unwrap())
        .collect();
    assert!(
        starts.len() >= 6 && starts.windows(2).all(|w| w[0] >= w[1]),
        "{starts:?}"
    );
    let mut forums = base.clone();
    forums["when"] = json!("Past");
    forums["format"] = json!("Forum");
    let forums = list(&app, &organiser, forums).await;
    assert!(
        forums["sessions"]
            .as_array()
            .unwrap()
            .iter()
            .all(|s| s["format"] == "Forum")
    );
    assert_eq!(titles(&forums).len(), 2, "{:?}", titles(&forums));

    // Forty sessions make two pages.
    let mut form = series_form(
        &app,
        "每周一练",
        lecturer_person(&app).await,
        json!({ "everyone": true }),
    )
    .await;
    form["repeat_weekdays"] = json!([0, 1, 2, 3, 4, 5, 6]);
    form["repeat_count"] = json!("40");
    form["place"] = json!("线上");
    created(&app, &organiser, &form).await;
    let first = list(&app, &organiser, base.clone()).await;
    assert_eq!(first["sessions"].as_array().unwrap().len(), 30);
    assert_eq!(first["more"], true);
    let mut second = base.clone();
    second["page"] = json!(1);
    let second = list(&app, &organiser, second).await;
    let (a, b) = (titles(&first), titles(&second));
    assert!(!b.is_empty() && second["more"] == false);
    assert_eq!(
        a.len() + b.len(),
        all["sessions"].as_array().unwrap().len() + 40
    );

    // A cadre's list holds only their audience's sessions: not the League training, which
    // is for League secretaries, unless they are one.
    let cadre = app.signed_in("cadre").await;
    let me = member_of(&app, "cadre").await;
    let mut theirs = base.clone();
    theirs["when"] = json!("Past");
    let visible = list(&app, &cadre, theirs).await;
    let now = Timestamp::now();
    let expected = app
        .repo
        .sessions_for_member(&me, Timestamp(now.0 - 400 * 86_400), now, 1000)
        .await
        .unwrap()
        .into_iter()
        .filter(|s| s.ends_at <= now)
        .count();
    assert_eq!(titles(&visible).len(), expected);
}

async fn calendar(app: &TestApp, c: &Client, view: &str, date: &str) -> Value {
    let res = app
        .call(c, "calendar_sessions", &[("view", view), ("date", date)])
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    res.json().await.unwrap()
}

async fn calendars_show_the_week_and_the_month(backend: Backend) {
    let app = spawn_app(backend).await;
    let organiser = app.signed_in("organiser").await;
    let communities = app.repo.communities().await.unwrap();
    let me = member_of(&app, "cadre").await;
    let other = communities
        .iter()
        .find(|c| Some(c.id) != me.community_id)
        .unwrap()
        .id;
    let mut form = series_form(
        &app,
        "社区议事会观摩",
        lecturer_person(&app).await,
        json!({ "community_ids": [other] }),
    )
    .await;
    form["repeat_weekdays"] = json!([]);
    let ids = created(&app, &organiser, &form).await;
    let date = form["date"].as_str().unwrap().to_string();

    let week = calendar(&app, &organiser, "week", &date).await;
    assert_eq!(week["span"]["view"], "Week");
    assert!(
        week["sessions"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s["id"] == ids[0])
    );
    let month = calendar(&app, &organiser, "month", &date[..7]).await;
    assert_eq!(month["span"]["view"], "Month");
    let days = month["span"]["first"].as_str().unwrap().to_string();
    assert!(days <= date);
    assert!(
        month["sessions"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s["id"] == ids[0])
    );
    // The cadre is not in that community's audience.
    let cadre = app.signed_in("cadre").await;
    let theirs = calendar(&app, &cadre, "month", &date).await;
    assert!(
        theirs["sessions"]
            .as_array()
            .unwrap()
            .iter()
            .all(|s| s["id"] != ids[0])
    );
    // Both pages render on the server, with junk parameters falling back to today.
    for path in [
        format!("/calendar?view=month&date={date}"),
        "/calendar?view=year&date=soon".to_string(),
    ] {
        let (status, html) = app.page(&organiser, &path).await;
        assert_eq!(status, StatusCode::OK, "{path}");
        assert!(html.contains("calendar-title"), "{path}");
    }
    let (_, html) = app
        .page(&organiser, &format!("/calendar?view=month&date={date}"))
        .await;
    assert!(html.contains("社区议事会观摩") && html.contains("month-grid"));
    let (_, html) = app
        .page(&cadre, &format!("/calendar?view=week&date={date}"))
        .await;
    assert!(!html.contains("社区议事会观摩"));
}

async fn the_session_page_is_sanitised_and_private(backend: Backend) {
    let app = spawn_app(backend).await;
    let organiser = app.signed_in("organiser").await;
    let me = member_of(&app, "cadre").await;
    let other = app
        .repo
        .communities()
        .await
        .unwrap()
        .into_iter()
        .find(|c| Some(c.id) != me.community_id)
        .unwrap()
        .id;
    let mut form = series_form(
        &app,
        "议事规则专题",
        lecturer_person(&app).await,
        json!({ "community_ids": [other] }),
    )
    .await;
    form["repeat_weekdays"] = json!([]);
    form["description_md"] = json!(
        "## 提纲\n\n| 环节 | 时长 |\n|---|---|\n| 讲授 | 60 |\n\n<script>alert(1)</script>\n[坏链接](javascript:alert(1)) [资料](https://example.org/a)"
    );
    let id = created(&app, &organiser, &form).await[0];
    let res = app
        .call(&organiser, "open_session", &[("id", &id.to_string())])
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let v: Value = res.json().await.unwrap();
    let html = v["description_html"].as_str().unwrap();
    assert!(
        html.contains("<table>") && html.contains("<h2>提纲</h2>"),
        "{html}"
    );
    assert!(
        !html.contains("<script") && !html.contains("javascript:"),
        "{html}"
    );
    assert!(html.contains("target=\"_blank\""), "{html}");
    assert_eq!(v["may_edit"], true);
    assert_eq!(v["audience"]["communities"].as_array().unwrap().len(), 1);

    let (status, page) = app.page(&organiser, &format!("/sessions/{id}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("议事规则专题") && page.contains("<table>"));
    assert!(!page.contains("<script>alert"));

    // A cadre outside the audience gets the same answer as for a session that does not exist.
    let cadre = app.signed_in("cadre").await;
    let res = app
        .call(&cadre, "open_session", &[("id", &id.to_string())])
        .await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    let res = app.call(&cadre, "open_session", &[("id", "999999")]).await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    let (status, _) = app.page(&client(), &format!("/sessions/{id}")).await;
    assert_eq!(
        status,
        StatusCode::SEE_OTHER,
        "anonymous visitors sign in first"
    );
}

async fn feed(app: &TestApp, path: &str) -> (StatusCode, String) {
    app.page(&client(), path).await
}

async fn calendar_feeds_are_private_and_revocable(backend: Backend) {
    let app = spawn_app(backend).await;
    let cadre = app.signed_in("cadre").await;
    let status: Value = app
        .call(&cadre, "calendar_feed", &[])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(status["since"], Value::Null);
    let made: Value = app
        .call(&cadre, "calendar_feed_renew", &[])
        .await
        .json()
        .await
        .unwrap();
    let path = made["path"].as_str().unwrap().to_string();
    assert!(path.starts_with("/feeds/") && path.ends_with(".ics"));

    // Anyone holding the address gets the cadre's own sessions, and nobody else's.
    let (code, ics) = feed(&app, &path).await;
    assert_eq!(code, StatusCode::OK);
    assert!(ics.starts_with("BEGIN:VCALENDAR") && ics.contains("TZID=Asia/Shanghai"));
    let me = member_of(&app, "cadre").await;
    let now = Timestamp::now();
    let theirs = app
        .repo
        .sessions_for_member(
            &me,
            Timestamp(now.0 - 90 * 86_400),
            Timestamp(now.0 + 390 * 86_400),
            1000,
        )
        .await
        .unwrap();
    assert!(!theirs.is_empty());
    assert_eq!(ics.matches("BEGIN:VEVENT").count(), theirs.len());
    for s in &theirs {
        assert!(ics.contains(&format!("UID:session-{}@", s.id)));
    }
    // The status says when it was made, never the address again.
    let status: Value = app
        .call(&cadre, "calendar_feed", &[])
        .await
        .json()
        .await
        .unwrap();
    assert!(status["since"].is_number() && status["path"].is_null());

    // Renewing stops the old address; revoking stops the new one.
    let renewed: Value = app
        .call(&cadre, "calendar_feed_renew", &[])
        .await
        .json()
        .await
        .unwrap();
    let new_path = renewed["path"].as_str().unwrap().to_string();
    assert_ne!(new_path, path);
    assert_eq!(feed(&app, &path).await.0, StatusCode::NOT_FOUND);
    assert_eq!(feed(&app, &new_path).await.0, StatusCode::OK);
    app.call(&cadre, "calendar_feed_revoke", &[]).await;
    assert_eq!(feed(&app, &new_path).await.0, StatusCode::NOT_FOUND);
    assert_eq!(
        feed(&app, "/feeds/guess.ics").await.0,
        StatusCode::NOT_FOUND
    );
    // Anonymous callers cannot make one.
    assert_eq!(
        app.call(&client(), "calendar_feed_renew", &[])
            .await
            .status(),
        StatusCode::UNAUTHORIZED
    );
}

/// The `TRIGGER` lines of a calendar's reminders.
fn triggers(ics: &str) -> Vec<String> {
    ics.replace("\r\n ", "")
        .split("\r\n")
        .filter(|l| l.starts_with("TRIGGER"))
        .map(String::from)
        .collect()
}

async fn alarm_of(app: &TestApp, c: &Client) -> Value {
    app.call(c, "calendar_alarm", &[])
        .await
        .json()
        .await
        .unwrap()
}

async fn calendar_reminders_follow_each_persons_choice(backend: Backend) {
    let app = spawn_app(backend).await;
    let cadre = app.signed_in("cadre").await;
    let made: Value = app
        .call(&cadre, "calendar_feed_renew", &[])
        .await
        .json()
        .await
        .unwrap();
    let path = made["path"].as_str().unwrap().to_string();

    // Two hours before every session that takes place, until the cadre chooses.
    assert_eq!(alarm_of(&app, &cadre).await, 120);
    let (_, ics) = feed(&app, &path).await;
    let taking_place = ics.matches("STATUS:CONFIRMED").count();
    assert!(taking_place > 0);
    assert_eq!(
        triggers(&ics),
        vec!["TRIGGER;RELATED=START:-PT120M".to_string(); taking_place],
        "one reminder per session that takes place, none for a cancelled one"
    );
    let me = member_of(&app, "cadre").await;
    let now = Timestamp::now();
    let upcoming = app
        .repo
        .sessions_for_member(&me, now, Timestamp(now.0 + 390 * 86_400), 10)
        .await
        .unwrap();
    let session = upcoming
        .iter()
        .find(|s| !s.cancelled)
        .expect("an upcoming session of the cadre")
        .id;
    let download = format!("/sessions/{session}/calendar.ics");

    // A day before: the feed and the session's download both carry it.
    let res = app
        .call(&cadre, "calendar_alarm_set", &[("minutes", "1440")])
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(alarm_of(&app, &cadre).await, 1440);
    let (_, ics) = feed(&app, &path).await;
    assert_eq!(
        triggers(&ics),
        vec!["TRIGGER;RELATED=START:-PT1440M".to_string(); taking_place]
    );
    let (code, one) = app.page(&cadre, &download).await;
    assert_eq!(code, StatusCode::OK);
    assert_eq!(triggers(&one), ["TRIGGER;RELATED=START:-PT1440M"]);
    // Another person's choice is their own.
    let organiser = app.signed_in("organiser").await;
    let (_, theirs) = app.page(&organiser, &download).await;
    assert_eq!(triggers(&theirs), ["TRIGGER;RELATED=START:-PT120M"]);

    // Anything not offered is refused and changes nothing.
    for bad in ["45", "abc", "", "-30", "99999999999999999999"] {
        let res = app
            .call(&cadre, "calendar_alarm_set", &[("minutes", bad)])
            .await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "{bad:?}");
        assert_eq!(alarm_of(&app, &cadre).await, 1440, "{bad:?}");
    }
    // No reminder at all.
    app.call(&cadre, "calendar_alarm_set", &[("minutes", "0")])
        .await;
    let (_, ics) = feed(&app, &path).await;
    assert!(!ics.contains("VALARM"));
    assert!(ics.contains("BEGIN:VEVENT"));
    // The page offers the choices with the current one selected.
    let (code, page) = app.page(&cadre, "/account/calendar").await;
    assert_eq!(code, StatusCode::OK);
    assert!(page.contains(r#"data-testid="alarm-minutes""#), "{page}");
    assert!(page.contains(r#"<option value="0" selected"#), "{page}");
    // Anonymous callers choose nothing.
    assert_eq!(
        app.call(&client(), "calendar_alarm_set", &[("minutes", "30")])
            .await
            .status(),
        StatusCode::UNAUTHORIZED
    );
}

async fn organisers_set_the_hours_rule_and_themes(backend: Backend) {
    let app = spawn_app(backend).await;
    let organiser = app.signed_in("organiser").await;
    let settings: Value = app
        .call(&organiser, "settings_overview", &[])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(settings["minutes_per_hour"], 45);
    for bad in ["5", "abc", "121", ""] {
        let res = app
            .call(&organiser, "settings_hours_rule", &[("minutes", bad)])
            .await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
    }
    let res = app
        .call(&organiser, "settings_hours_rule", &[("minutes", "60")])
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    // A two-hour session is now worth 2 study hours.
    let mut form = series_form(
        &app,
        "按新规则计学时",
        lecturer_person(&app).await,
        json!({ "everyone": true }),
    )
    .await;
    form["repeat_weekdays"] = json!([]);
    let id = created(&app, &organiser, &form).await[0];
    let d = app.repo.session_detail(id).await.unwrap().unwrap();
    assert_eq!(d.summary.study_hours.0, 20);

    let res = app
        .call(
            &organiser,
            "themes_add",
            &[("name_zh", "平安建设"), ("name_en", "")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let themes = app.repo.themes().await.unwrap();
    let added = themes.iter().find(|t| t.name_zh == "平安建设").unwrap();
    assert_eq!(added.name_en, "平安建设");
    let res = app
        .call(
            &organiser,
            "themes_add",
            &[("name_zh", "平安建设"), ("name_en", "x")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::CONFLICT);
    let res = app
        .call(
            &organiser,
            "themes_add",
            &[("name_zh", " "), ("name_en", "x")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(app.repo.themes().await.unwrap().len(), themes.len());

    let cadre = app.signed_in("cadre").await;
    for (endpoint, args) in [
        ("settings_hours_rule", vec![("minutes", "30")]),
        ("themes_add", vec![("name_zh", "x"), ("name_en", "")]),
        ("settings_overview", vec![]),
    ] {
        assert_eq!(
            app.call(&cadre, endpoint, &args).await.status(),
            StatusCode::FORBIDDEN,
            "{endpoint}"
        );
    }
}

async fn named_people_are_found_and_admitted(backend: Backend) {
    let app = spawn_app(backend).await;
    let organiser = app.signed_in("organiser").await;
    let me = member_of(&app, "cadre").await;
    let name = app.repo.people_names(&[me.person_id]).await.unwrap()[0]
        .1
        .clone();
    let surname: String = name.chars().take(1).collect();
    let found: Value = app
        .call(&organiser, "people_search", &[("query", &surname)])
        .await
        .json()
        .await
        .unwrap();
    let found = found.as_array().unwrap();
    assert!(!found.is_empty() && found.len() <= 20);
    assert!(
        found
            .iter()
            .all(|p| p["name"].as_str().unwrap().contains(&surname))
    );
    let none: Value = app
        .call(&organiser, "people_search", &[("query", "%")])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(none.as_array().unwrap().len(), 0, "wildcards are literal");
    // A session for this one person reaches them and no one else in their tier.
    let mut form = series_form(
        &app,
        "个别谈话辅导",
        lecturer_person(&app).await,
        json!({ "person_ids": [me.person_id] }),
    )
    .await;
    form["repeat_weekdays"] = json!([]);
    let id = created(&app, &organiser, &form).await[0];
    let cadre = app.signed_in("cadre").await;
    assert_eq!(
        app.call(&cadre, "open_session", &[("id", &id.to_string())])
            .await
            .status(),
        StatusCode::OK
    );
    let peer = Member {
        person_id: me.person_id + 1,
        ..me
    };
    let (in_audience, _) = app.repo.relation_to_session(id, &peer).await.unwrap();
    assert!(!in_audience);
    let cadre_search = app
        .call(&cadre, "people_search", &[("query", &surname)])
        .await;
    assert_eq!(cadre_search.status(), StatusCode::FORBIDDEN);
}
