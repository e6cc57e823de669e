//! Issue 17, course evaluation (课程评估) and the lecturer pool (师资库): a card once per
//! session for those who attended, anonymous; means only past the threshold; the response
//! rate for organisers; wishes tied to a new session tell those who wished.
use app::domain::Timestamp;
use app::domain::audience::Audience;
use app::domain::evaluation::Card;
use app::ssr::db::NewPerson;
use reqwest::StatusCode;
use serde_json::Value;

use crate::checkin::{demo_cadre, door_session, lectured_session};
use crate::helpers::*;

both_backends!(
    cards_are_anonymous_once_and_means_wait_for_the_threshold,
    only_those_who_attended_evaluate_and_the_district_keeps_the_indicators,
);

/// Marks `person`'s status at `session` from the sheet, as an organiser corrects it.
pub(crate) async fn mark(
    app: &TestApp,
    organiser: &reqwest::Client,
    session: i64,
    person: i64,
    status: &str,
) {
    let res = app
        .call(
            organiser,
            "attendance_set",
            &[
                ("session_id", &session.to_string()),
                ("person_id", &person.to_string()),
                ("status", status),
                ("reason", "按签到表补录"),
            ],
        )
        .await;
    assert_eq!(
        res.status(),
        StatusCode::OK,
        "{}",
        res.text().await.unwrap()
    );
}

/// The card's form: a level for each indicator.
fn card_form(session: i64, levels: &[(i64, &str)], wish: &str) -> Vec<(String, String)> {
    let mut form = vec![
        ("session_id".to_string(), session.to_string()),
        ("wish".to_string(), wish.to_string()),
    ];
    form.extend(
        levels
            .iter()
            .map(|(id, level)| (format!("scores[{id}]"), level.to_string())),
    );
    form
}

async fn send(app: &TestApp, client: &reqwest::Client, form: Vec<(String, String)>) -> StatusCode {
    let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    app.call(client, "evaluation_send", &form).await.status()
}

async fn cards_are_anonymous_once_and_means_wait_for_the_threshold(backend: Backend) {
    let app = spawn_app(backend).await;
    let cadre = app.signed_in("cadre").await;
    let lecturer = app.signed_in("lecturer").await;
    let organiser = app.signed_in("organiser").await;
    let me = demo_cadre(&app).await;
    let lecturer_id = app.account("lecturer").await.person_id;
    let session = lectured_session(&app, -180, 120, Audience::Everyone, vec![lecturer_id]).await;
    let sid = session.to_string();
    mark(&app, &organiser, session, me, "present").await;

    let card: Value = app
        .call(&cadre, "evaluation_card", &[("session_id", &sid)])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(card["may_evaluate"], true, "{card}");
    let ids: Vec<i64> = card["indicators"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids.len(), 4, "relevance, content, method, delivery");
    let open: Value = app
        .call(&cadre, "evaluation_open", &[])
        .await
        .json()
        .await
        .unwrap();
    assert!(
        open.as_array()
            .unwrap()
            .iter()
            .any(|c| c["session_id"] == session)
    );

    // A level missing, or out of range: refused, nothing stored.
    let partial: Vec<(i64, &str)> = ids.iter().take(3).map(|i| (*i, "4")).collect();
    assert_eq!(
        send(&app, &cadre, card_form(session, &partial, "")).await,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    let wrong: Vec<(i64, &str)> = ids.iter().map(|i| (*i, "5")).collect();
    assert_eq!(
        send(&app, &cadre, card_form(session, &wrong, "")).await,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    let levels: Vec<(i64, &str)> = vec![(ids[0], "4"), (ids[1], "3"), (ids[2], "3"), (ids[3], "2")];
    assert_eq!(
        send(
            &app,
            &cadre,
            card_form(session, &levels, "想学信访积案化解的方法")
        )
        .await,
        StatusCode::OK
    );
    assert_eq!(
        send(&app, &cadre, card_form(session, &levels, "")).await,
        StatusCode::CONFLICT,
        "a second card"
    );
    let card: Value = app
        .call(&cadre, "evaluation_card", &[("session_id", &sid)])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        (card["answered"].clone(), card["may_evaluate"].clone()),
        (Value::Bool(true), Value::Bool(false))
    );

    // One answer: the lecturer sees the count, no means; the organiser also the rate.
    let results: Value = app
        .call(&lecturer, "evaluation_results", &[("session_id", &sid)])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(results["answers"], 1);
    assert!(results["means"].is_null(), "below the threshold: {results}");
    assert!(results["response_percent"].is_null(), "organisers only");
    let results: Value = app
        .call(&organiser, "evaluation_results", &[("session_id", &sid)])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(results["response_percent"], 100, "{results}");
    assert!(results["means"].is_null());

    // Four more cards from others who attended reach the threshold of five.
    let community = app.repo.member(me).await.unwrap().unwrap().community_id;
    let others = app
        .repo
        .create_people(
            &(0..4)
                .map(|i| NewPerson {
                    name: format!("评价学员{i}"),
                    community_id: community,
                    tier_id: None,
                    position: app::domain::people::Position::GridWorker,
                    phone: String::new(),
                })
                .collect::<Vec<_>>(),
            Timestamp::now(),
        )
        .await
        .unwrap();
    for (n, person) in others.iter().enumerate() {
        let card = Card {
            scores: ids
                .iter()
                .map(|i| (*i, if n % 2 == 0 { 4 } else { 3 }))
                .collect(),
            wish: String::new(),
        };
        app.repo
            .evaluate(session, *person, &card, Timestamp::now())
            .await
            .unwrap();
    }
    let results: Value = app
        .call(&lecturer, "evaluation_results", &[("session_id", &sid)])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(results["answers"], 5);
    let means = results["means"]
        .as_array()
        .expect("means past the threshold");
    // Relevance: 4, 4, 3, 4, 3 = 18 / 5 = 3.6.
    assert_eq!(means[0][1], 36, "{results}");
    let text = results.to_string();
    assert!(
        !text.contains("黄平") && !text.contains("评价学员"),
        "no names: {text}"
    );

    // The pool shows the lecturer's session with its overall mean.
    let pool: Value = app
        .call(&organiser, "lecturer_pool", &[])
        .await
        .json()
        .await
        .unwrap();
    let line = pool
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["person_id"] == lecturer_id)
        .expect("the lecturer in the pool");
    let given = line["sessions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["session_id"] == session)
        .unwrap();
    assert_eq!(given["answers"], 5);
    assert!(given["overall"].is_i64(), "{given}");
    let (status, page) = app.page(&organiser, "/organiser/lecturers").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("data-testid=\"lecturer\""), "{page}");

    // The wish is on the planner without its writer; tied to a session ahead, she is told.
    let ahead = door_session(&app, 3 * 24 * 60, 120, Audience::Everyone).await;
    let wishes: Value = app
        .call(&organiser, "wishes_list", &[])
        .await
        .json()
        .await
        .unwrap();
    let wish = wishes["wishes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|w| w["body"] == "想学信访积案化解的方法")
        .expect("the wish")
        .clone();
    assert!(!wishes.to_string().contains("黄平"), "anonymous");
    assert!(
        wishes["ahead"]
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a[0] == ahead),
        "{wishes}"
    );
    let wid = wish["id"].as_i64().unwrap().to_string();
    let tie = |client: &reqwest::Client| {
        let (app, client, wid) = (&app, client.clone(), wid.clone());
        async move {
            app.call(
                &client,
                "wishes_tie",
                &[("session_id", &ahead.to_string()), ("wish_ids[]", &wid)],
            )
            .await
        }
    };
    let res = tie(&app.signed_in("liying").await).await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    let res = tie(&organiser).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.json::<u64>().await.unwrap(), 1);
    assert_eq!(
        tie(&organiser).await.json::<u64>().await.unwrap(),
        0,
        "tied once"
    );
    let (_, inbox) = app.page(&cadre, "/inbox").await;
    assert!(inbox.contains("您想学的内容有课了"), "{inbox}");
}

async fn only_those_who_attended_evaluate_and_the_district_keeps_the_indicators(backend: Backend) {
    let app = spawn_app(backend).await;
    let cadre = app.signed_in("cadre").await;
    let organiser = app.signed_in("organiser").await;
    let liying = app.signed_in("liying").await;
    let me = demo_cadre(&app).await;
    let session = door_session(&app, -180, 120, Audience::Everyone).await;
    let sid = session.to_string();
    mark(&app, &organiser, session, me, "absent").await;
    let card: Value = app
        .call(&cadre, "evaluation_card", &[("session_id", &sid)])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(card["may_evaluate"], false);
    let table: Value = app
        .call(&organiser, "evaluation_indicators", &[])
        .await
        .json()
        .await
        .unwrap();
    let ids: Vec<i64> = table["lines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_i64().unwrap())
        .collect();
    let all: Vec<(i64, &str)> = ids.iter().map(|i| (*i, "3")).collect();
    let res = app
        .call(
            &cadre,
            "evaluation_send",
            &card_form(session, &all, "")
                .iter()
                .map(|(k, v)| (k.as_str(), v.as_str()))
                .collect::<Vec<_>>(),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CONFLICT);
    assert!(res.text().await.unwrap().contains("EvaluationClosed"));

    // Indicators: the district adds and retires; a subdistrict's organiser may not.
    let res = app
        .call(
            &liying,
            "evaluation_indicator_save",
            &[("id", "0"), ("name_zh", "联系实际")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let res = app
        .call(
            &organiser,
            "evaluation_indicator_save",
            &[("id", "0"), ("name_zh", "联系实际")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let first = ids[0].to_string();
    let res = app
        .call(
            &organiser,
            "evaluation_indicator_save",
            &[("id", &first), ("name_zh", "内容针对性"), ("retired", "1")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let res = app
        .call(
            &organiser,
            "evaluation_minimum_save",
            &[("min_answers", "2")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let res = app
        .call(
            &organiser,
            "evaluation_minimum_save",
            &[("min_answers", "3")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    // A present cadre's card now asks the four active ones.
    mark(&app, &organiser, session, me, "present").await;
    let card: Value = app
        .call(&cadre, "evaluation_card", &[("session_id", &sid)])
        .await
        .json()
        .await
        .unwrap();
    let names: Vec<&str> = card["indicators"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["name_zh"].as_str().unwrap())
        .collect();
    assert!(
        names.contains(&"联系实际") && !names.contains(&"内容针对性"),
        "{names:?}"
    );
    let table: Value = app
        .call(&organiser, "evaluation_indicators", &[])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(table["min_answers"], 3);
    let (_, audit) = app
        .page(&app.signed_in("admin").await, "/admin/audit")
        .await;
    assert!(audit.contains("修改课程评价指标"), "{audit}");
}
