//! Materials (drafts, versions, restore), attachments (content checks, ceiling, who may
//! download), reflections with comments and make-up, and search in Chinese.
use app::domain::audience::Audience;
use app::domain::schedule::AttendanceStatus;
use reqwest::multipart::{Form, Part};
use reqwest::{Client, StatusCode};
use serde_json::Value;

use crate::attendance::accept_make_up;
use crate::checkin::{cadres, demo_cadre, lectured_session, status_of};
use crate::helpers::*;

both_backends!(
    materials_are_drafted_versioned_and_restored,
    attachments_are_checked_and_only_the_audience_downloads,
    reflections_are_answered_and_make_up_needs_reading,
    search_finds_chinese_in_what_one_may_read,
);

const TABLE_MD: &str = "# 第一讲\n\n| 社区 | 人数 |\n|---|---|\n| 东关社区 | 12 |\n\n\
     见[信访工作条例](https://www.gov.cn/)。<script>alert(1)</script>[x](javascript:alert(1))";

const REFLECTION: &str = "学习了新时代枫桥经验，认识到矛盾纠纷要就地化解，回社区后要把网格走访做实做细，主动倾听群众诉求。";

/// The demo lecturer's person id.
async fn lecturer_id(app: &TestApp) -> i64 {
    app.repo.lecturers().await.unwrap()[0].0
}

/// A session lectured by the demo lecturer, for `audience`.
async fn lecture(app: &TestApp, starts_in: i64, minutes: i64, audience: Audience) -> i64 {
    let lecturer = lecturer_id(app).await;
    lectured_session(app, starts_in, minutes, audience, vec![lecturer]).await
}

/// An audience of exactly these people.
fn only(people: Vec<i64>) -> Audience {
    Audience::Chosen {
        tiers: vec![],
        communities: vec![],
        people,
    }
}

async fn save(
    app: &TestApp,
    who: &Client,
    session: i64,
    body: &str,
    publication: &str,
    base: i64,
) -> reqwest::Response {
    app.call(
        who,
        "material_save",
        &[
            ("session_id", &session.to_string()),
            ("body", body),
            ("publication", publication),
            ("base_version", &base.to_string()),
        ],
    )
    .await
}

async fn view(app: &TestApp, who: &Client, session: i64) -> (StatusCode, Value) {
    let res = app
        .call(
            who,
            "material_view",
            &[("session_id", &session.to_string())],
        )
        .await;
    let status = res.status();
    (status, res.json().await.unwrap_or(Value::Null))
}

async fn upload(
    app: &TestApp,
    who: &Client,
    session: i64,
    name: &str,
    bytes: Vec<u8>,
) -> (StatusCode, Value) {
    let form = Form::new().part("file", Part::bytes(bytes).file_name(name.to_string()));
    let res = who
        .post(app.url(&format!("/sessions/{session}/attachments")))
        .header("accept", "application/json")
        .multipart(form)
        .send()
        .await
        .unwrap();
    let status = res.status();
    (status, res.json().await.unwrap_or(Value::Null))
}

async fn materials_are_drafted_versioned_and_restored(backend: Backend) {
    let app = spawn_app(backend).await;
    let lecturer = app.signed_in("lecturer").await;
    let organiser = app.signed_in("organiser").await;
    let outsider = app.signed_in("cadre").await;
    let (insider_id, insider) = cadres(&app, 1).await.remove(0);
    let session = lecture(&app, -60, 120, only(vec![insider_id])).await;

    // A draft is for the lecturer and organisers only.
    let res = save(&app, &lecturer, session, "草稿：第一讲提纲", "draft", 0).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.json::<i64>().await.unwrap(), 1);
    let (status, mine) = view(&app, &insider, session).await;
    assert_eq!(status, StatusCode::OK);
    assert!(mine["html"].is_null(), "{mine}");
    assert_eq!(mine["may_edit"], false);
    let (status, _) = view(&app, &outsider, session).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "outside the audience");
    let res = save(&app, &insider, session, "改写", "published", 1).await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN, "cadres do not edit");

    // Published, rendered and sanitised on the server.
    let res = save(&app, &lecturer, session, TABLE_MD, "published", 1).await;
    assert_eq!(res.json::<i64>().await.unwrap(), 2);
    let (_, mine) = view(&app, &insider, session).await;
    let html = mine["html"].as_str().unwrap();
    assert!(html.contains("<td>东关社区</td>"), "{html}");
    assert!(html.contains("href=\"https://www.gov.cn/\""), "{html}");
    assert!(html.contains("target=\"_blank\""), "{html}");
    assert!(
        !html.contains("<script") && !html.contains("javascript:"),
        "{html}"
    );
    let (_, outsider_view) = view(&app, &outsider, session).await;
    assert!(outsider_view.is_null() || outsider_view["html"].is_null());

    // Saving over a version one has not seen is refused and writes nothing.
    let res = save(&app, &lecturer, session, "旧稿覆盖", "published", 1).await;
    assert_eq!(res.status(), StatusCode::CONFLICT);
    let (_, mine) = view(&app, &insider, session).await;
    assert!(mine["html"].as_str().unwrap().contains("东关社区"));

    // The preview renders like a save, for lecturers and organisers only.
    let res = app
        .call(&lecturer, "material_preview", &[("body", TABLE_MD)])
        .await;
    assert!(res.text().await.unwrap().contains("<table>"));
    let res = app
        .call(&insider, "material_preview", &[("body", "# x")])
        .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let res = save(&app, &lecturer, session, "x", "public", 2).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let huge = "字".repeat(200_001);
    let res = save(&app, &lecturer, session, &huge, "published", 2).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);

    // History and restore: organisers only; restoring saves a new version.
    let sid = session.to_string();
    let res = app
        .call(&lecturer, "material_history", &[("session_id", &sid)])
        .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let history: Value = app
        .call(&organiser, "material_history", &[("session_id", &sid)])
        .await
        .json()
        .await
        .unwrap();
    let versions = history["versions"].as_array().unwrap();
    assert_eq!(versions.len(), 2);
    assert_eq!(history["current"], 2);
    assert_eq!(versions[1]["publication"], "Draft");
    let res = app
        .call(
            &organiser,
            "material_restore",
            &[
                ("session_id", &sid),
                ("version", "1"),
                ("base_version", "2"),
            ],
        )
        .await;
    assert_eq!(res.json::<i64>().await.unwrap(), 3);
    let (_, mine) = view(&app, &insider, session).await;
    let html = mine["html"].as_str().unwrap();
    assert!(
        html.contains("第一讲提纲"),
        "restored text, still published: {html}"
    );
    let history: Value = app
        .call(&organiser, "material_history", &[("session_id", &sid)])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(history["versions"][0]["restored_from"], 1);
    assert_eq!(history["versions"].as_array().unwrap().len(), 3);

    // "After the session": the audience waits for the end.
    let upcoming = lecture(&app, 60, 120, only(vec![insider_id])).await;
    let res = save(&app, &lecturer, upcoming, "课后材料", "after_session", 0).await;
    assert_eq!(res.status(), StatusCode::OK);
    let (_, mine) = view(&app, &insider, upcoming).await;
    assert!(mine["html"].is_null());
    assert_eq!(mine["after_session"], true);
    // The pages render on the server with what they show.
    let (status, page) = app
        .page(&lecturer, &format!("/sessions/{session}/material/edit"))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("data-testid=\"material-source\"") && page.contains("第一讲提纲"));
    let (_, page) = app
        .page(&organiser, &format!("/sessions/{session}/material/history"))
        .await;
    assert_eq!(page.matches("data-testid=\"version\"").count(), 3);
    let (_, page) = app.page(&insider, &format!("/sessions/{session}")).await;
    assert!(page.contains("data-testid=\"material-body\""));
    // A lecturer who does not lecture a session cannot touch it.
    let other = lectured_session(&app, -60, 120, Audience::Everyone, vec![]).await;
    let res = save(&app, &lecturer, other, "x", "draft", 0).await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
}

async fn attachments_are_checked_and_only_the_audience_downloads(backend: Backend) {
    let app = spawn_app(backend).await;
    let lecturer = app.signed_in("lecturer").await;
    let outsider = app.signed_in("cadre").await;
    let (insider_id, insider) = cadres(&app, 1).await.remove(0);
    let session = lecture(&app, -60, 120, only(vec![insider_id])).await;
    save(&app, &lecturer, session, "讲稿", "draft", 0).await;

    let pdf = b"%PDF-1.4\n% \xe8\xbf\x90\n1 0 obj\n<<>>\nendobj\n".to_vec();
    let (status, stored) = upload(&app, &lecturer, session, "第一讲 讲义.pdf", pdf.clone()).await;
    assert_eq!(status, StatusCode::CREATED, "{stored}");
    let url = stored["url"].as_str().unwrap().to_string();
    assert_eq!(app.repo.file_counts().await.unwrap(), (1, 1));

    // A draft's attachments are not for the audience yet.
    let get = |who: &Client| who.get(app.url(&url)).send();
    assert_eq!(get(&insider).await.unwrap().status(), StatusCode::NOT_FOUND);
    save(&app, &lecturer, session, "讲稿", "published", 1).await;
    let res = get(&insider).await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let header = |name: &str| {
        res.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string()
    };
    assert_eq!(header("content-type"), "application/pdf");
    assert_eq!(header("x-content-type-options"), "nosniff");
    assert!(
        header("content-disposition")
            .contains("filename*=UTF-8''%E7%AC%AC%E4%B8%80%E8%AE%B2%20%E8%AE%B2%E4%B9%89.pdf"),
        "{}",
        header("content-disposition")
    );
    assert_eq!(res.bytes().await.unwrap().to_vec(), pdf);
    assert_eq!(
        get(&outsider).await.unwrap().status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        get(&client()).await.unwrap().status(),
        StatusCode::UNAUTHORIZED
    );

    // Refused uploads store nothing: a program renamed .pdf, a file over the ceiling, a
    // picture calling itself a PDF, an upload by a cadre.
    let program = b"MZ\x90\0\x03\0\0\0\x04\0\0\0\xff\xff".to_vec();
    let (status, answer) = upload(&app, &lecturer, session, "讲义.pdf", program).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(answer["error"], "not_allowed");
    let mut big = b"%PDF-1.4\n".to_vec();
    big.resize(TEST_MAX_UPLOAD_BYTES as usize + 10, b'0');
    let (status, answer) = upload(&app, &lecturer, session, "大文件.pdf", big).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(answer["error"], "too_large");
    assert_eq!(answer["max_bytes"], TEST_MAX_UPLOAD_BYTES);
    let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
    let (status, answer) = upload(&app, &lecturer, session, "图.pdf", png.clone()).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(answer["error"], "name_mismatch");
    assert_eq!(answer["actual"], "png");
    let (status, _) = upload(&app, &insider, session, "讲义.pdf", pdf.clone()).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(
        app.repo.file_counts().await.unwrap(),
        (1, 1),
        "nothing left behind"
    );

    // Without JavaScript the form posts and comes back to the editor. The same file twice
    // is stored once.
    let form = Form::new().part("file", Part::bytes(pdf.clone()).file_name("副本.pdf"));
    let res = lecturer
        .post(app.url(&format!("/sessions/{session}/attachments")))
        .header("accept", "text/html")
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert!(location(&res).starts_with(&format!("/sessions/{session}/material/edit?uploaded=")));
    assert_eq!(app.repo.file_counts().await.unwrap(), (2, 1));
    let (status, _) = upload(&app, &lecturer, session, "图.png", png).await;
    assert_eq!(status, StatusCode::CREATED);

    // Removing an attachment keeps a file another one still uses.
    let first = stored["id"].as_i64().unwrap().to_string();
    let res = app
        .call(
            &insider,
            "attachment_remove",
            &[
                ("session_id", &session.to_string()),
                ("attachment_id", &first),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let res = app
        .call(
            &lecturer,
            "attachment_remove",
            &[
                ("session_id", &session.to_string()),
                ("attachment_id", &first),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(app.repo.file_counts().await.unwrap(), (2, 2));
    assert_eq!(get(&insider).await.unwrap().status(), StatusCode::NOT_FOUND);
}

async fn reflections_are_answered_and_make_up_needs_reading(backend: Backend) {
    let app = spawn_app(backend).await;
    let lecturer = app.signed_in("lecturer").await;
    let organiser = app.signed_in("organiser").await;
    let cadre = app.signed_in("cadre").await;
    let me = demo_cadre(&app).await;
    let finished = lecture(&app, -300, 120, Audience::Everyone).await;
    let sid = finished.to_string();
    save(
        &app,
        &lecturer,
        finished,
        "# 枫桥经验\n\n就地化解矛盾。",
        "published",
        0,
    )
    .await;
    let reflect = |body: &'static str, tags: &'static [&'static str]| {
        let (app, cadre, sid) = (&app, &cadre, sid.clone());
        async move {
            let mut form = vec![("session_id", sid.as_str()), ("body", body)];
            form.extend(tags.iter().map(|t| (*t, "on")));
            app.call(cadre, "reflection_save", &form).await.status()
        }
    };

    // Missed: reading comes first, then a reflection with an outlook.
    let (_, mine) = view(&app, &cadre, finished).await;
    assert_eq!(mine["reader"]["make_up"], "Read");
    assert_eq!(reflect(REFLECTION, &["work"]).await, StatusCode::CONFLICT);
    let res = app
        .call(&cadre, "material_read", &[("session_id", &sid)])
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let (_, mine) = view(&app, &cadre, finished).await;
    assert_eq!(mine["reader"]["make_up"], "Reflect");
    assert!(mine["reader"]["read_at"].is_i64() || mine["reader"]["read_at"].is_number());
    assert_eq!(
        reflect(REFLECTION, &[]).await,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    assert_eq!(
        reflect("太短", &["work"]).await,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    assert_eq!(
        reflect(REFLECTION, &["thinking", "work"]).await,
        StatusCode::OK
    );
    let (_, mine) = view(&app, &cadre, finished).await;
    assert_eq!(mine["reader"]["make_up"], "AwaitAcceptance");
    assert_eq!(mine["reader"]["may_reflect"], false);
    assert_eq!(
        reflect(REFLECTION, &["work"]).await,
        StatusCode::CONFLICT,
        "under review"
    );

    // The lecturer reads and answers; an outsider cannot.
    let data: Value = app
        .call(&lecturer, "reflections_of", &[("session_id", &sid)])
        .await
        .json()
        .await
        .unwrap();
    let entry = &data["entries"][0];
    assert_eq!(entry["body"], REFLECTION);
    let rid = entry["id"].as_i64().unwrap().to_string();
    let res = app
        .call(&cadre, "reflections_of", &[("session_id", &sid)])
        .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let reply = "写得很实在，建议结合本社区的网格案例再展开。";
    let res = app
        .call(
            &lecturer,
            "reflection_comment",
            &[("reflection_id", &rid), ("body", reply)],
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let res = app
        .call(
            &lecturer,
            "reflection_comment",
            &[("reflection_id", &rid), ("body", "  ")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let res = app
        .call(
            &cadre,
            "reflection_comment",
            &[("reflection_id", &rid), ("body", "我也说")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let (_, mine) = view(&app, &cadre, finished).await;
    let mine_reflection = &mine["reader"]["reflection"];
    assert_eq!(mine_reflection["comments"][0]["body"], reply);
    assert_eq!(mine_reflection["outlooks"], serde_json::json!(3));

    // Accepting the make-up accepts the reflection: made up, and it no longer changes.
    accept_make_up(&app, &organiser, finished).await;
    assert_eq!(
        status_of(&app, finished, me).await,
        Some(AttendanceStatus::MadeUp)
    );
    let (_, mine) = view(&app, &cadre, finished).await;
    assert_eq!(mine["reader"]["make_up"], "Done");
    assert_eq!(mine["reader"]["reflection"]["accepted"], true);
    assert_eq!(reflect(REFLECTION, &["work"]).await, StatusCode::CONFLICT);

    // Before the start nobody reflects; the review page lists the finished session.
    let upcoming = lecture(&app, 60, 60, Audience::Everyone).await;
    let res = app
        .call(
            &cadre,
            "reflection_save",
            &[
                ("session_id", &upcoming.to_string()),
                ("body", REFLECTION),
                ("work", "on"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::CONFLICT);
    let review: Value = app
        .call(&cadre, "review_mine", &[("page", "0")])
        .await
        .json()
        .await
        .unwrap();
    let item = review["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["session"]["id"] == finished)
        .unwrap()
        .clone();
    assert_eq!(item["read"], true);
    assert_eq!(item["reflected"], true);
    assert_eq!(item["accepted"], true);
    assert_eq!(item["material"], true);
    assert_eq!(item["status"], "MadeUp");
    assert!(
        review["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|i| i["session"]["id"] != upcoming)
    );
    let (status, page) = app.page(&cadre, "/review").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        page.contains("签到测试"),
        "the review page lists the session"
    );
}

async fn search_finds_chinese_in_what_one_may_read(backend: Backend) {
    let app = spawn_app(backend).await;
    let lecturer = app.signed_in("lecturer").await;
    let organiser = app.signed_in("organiser").await;
    let cadre = app.signed_in("cadre").await;
    let (other_id, _) = cadres(&app, 1).await.remove(0);
    let open = lecture(&app, -300, 120, Audience::Everyone).await;
    let closed = lecture(&app, -300, 120, only(vec![other_id])).await;
    let draft = lecture(&app, -300, 120, Audience::Everyone).await;
    let body = "## 学习要点\n\n坚持和发展**新时代枫桥经验**，矛盾不上交。";
    save(&app, &lecturer, open, body, "published", 0).await;
    save(
        &app,
        &lecturer,
        closed,
        "别的社区的枫桥经验",
        "published",
        0,
    )
    .await;
    save(&app, &lecturer, draft, "枫桥经验草稿", "draft", 0).await;
    let find = |who: &'static str, q: &'static str| {
        let app = &app;
        let client = match who {
            "lecturer" => &lecturer,
            "organiser" => &organiser,
            _ => &cadre,
        };
        async move {
            let res = app.call(client, "search", &[("q", q)]).await;
            let status = res.status();
            (status, res.json::<Value>().await.unwrap_or(Value::Null))
        }
    };
    let sessions_of = |data: &Value, kind: &str| -> Vec<i64> {
        data["hits"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|h| h["kind"] == kind)
            .map(|h| h["session_id"].as_i64().unwrap())
            .collect()
    };

    // Trigram path (4 characters) and the short-term path (2 characters) agree.
    for q in ["枫桥经验", "枫桥"] {
        let (status, data) = find("cadre", q).await;
        assert_eq!(status, StatusCode::OK);
        let hits = sessions_of(&data, "Material");
        assert!(hits.contains(&open), "{q}: {data}");
        assert!(!hits.contains(&closed), "{q}: not in the audience");
        assert!(!hits.contains(&draft), "{q}: a draft");
        let hit = data["hits"]
            .as_array()
            .unwrap()
            .iter()
            .find(|h| h["session_id"] == open && h["kind"] == "Material")
            .unwrap();
        let marked: Vec<&str> = hit["snippet"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|p| p["hit"] == true)
            .map(|p| p["text"].as_str().unwrap())
            .collect();
        assert_eq!(marked, vec![q], "{hit}");
        // The snippet is plain text, not Markdown.
        assert!(!hit["snippet"].to_string().contains("**"), "{hit}");
    }
    // Every term must occur; titles match too.
    let (_, data) = find("cadre", "枫桥 上交").await;
    assert_eq!(sessions_of(&data, "Material"), vec![open]);
    let (_, data) = find("cadre", "签到测试").await;
    assert!(sessions_of(&data, "Session").contains(&open));
    // The lecturer finds their own draft.
    let (_, data) = find("lecturer", "枫桥经验草稿").await;
    assert_eq!(sessions_of(&data, "Material"), vec![draft]);

    // Reflections: organisers only.
    let res = app
        .call(
            &cadre,
            "material_read",
            &[("session_id", &open.to_string())],
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let res = app
        .call(
            &cadre,
            "reflection_save",
            &[
                ("session_id", &open.to_string()),
                ("body", REFLECTION),
                ("ability", "on"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let (_, data) = find("organiser", "网格走访").await;
    assert_eq!(sessions_of(&data, "Reflection"), vec![open]);
    let (_, data) = find("cadre", "网格走访").await;
    assert!(sessions_of(&data, "Reflection").is_empty());
    let (status, _) = find("cadre", "   ").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let (status, page) = app.page(&cadre, "/search?q=%E6%9E%AB%E6%A1%A5").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        page.contains("<mark>枫桥</mark>"),
        "highlighted in the page"
    );
}
