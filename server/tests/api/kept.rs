//! Kept pages (`ssr::kept_pages`): answered again without rendering while nothing they
//! may show has changed, validated by `ETag` / `If-None-Match`, and never handed to another
//! login — also after writes made behind the server's back and on a second server.
use reqwest::StatusCode;
use reqwest::header::{CACHE_CONTROL, ETAG, IF_NONE_MATCH};

use crate::checkin::{demo_cadre, door_session};
use crate::helpers::*;
use app::domain::audience::Audience;

both_backends!(
    kept_pages_reach_only_their_login_and_answer_304,
    kept_pages_follow_every_change,
    pages_that_are_not_kept_are_not_stored,
    signing_in_and_out_clears_the_browsers_copies,
    island_pages_are_kept_with_their_scripts_allowed_by_hash,
);

/// The name a page's header shows for `username`.
async fn who(app: &TestApp, username: &str) -> String {
    let account = app.account(username).await;
    format!("<span class=\"who\">{}</span>", account.display_name)
}

/// GETs `path` as `client`, with `If-None-Match` when a tag is given: status, tag, body.
async fn get(
    app: &TestApp,
    client: &reqwest::Client,
    path: &str,
    tag: Option<&str>,
) -> (StatusCode, String, String) {
    let mut req = client.get(app.url(path));
    if let Some(tag) = tag {
        req = req.header(IF_NONE_MATCH, tag);
    }
    let res = req.send().await.unwrap();
    let status = res.status();
    let tag = res
        .headers()
        .get(ETAG)
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default();
    if status == StatusCode::OK {
        assert_eq!(
            res.headers()[CACHE_CONTROL],
            "private, no-cache",
            "{path}: a kept page is stored privately and validated on every use"
        );
    }
    (status, tag, res.text().await.unwrap())
}

async fn kept_pages_reach_only_their_login_and_answer_304(backend: Backend) {
    let app = spawn_app(backend).await;
    let session = door_session(&app, 24 * 60, 120, Audience::Everyone).await;
    let cadre = app.signed_in("cadre").await;
    let same_cadre_elsewhere = app.signed_in("cadre").await;
    let organiser = app.signed_in("organiser").await;
    let names = [who(&app, "cadre").await, who(&app, "organiser").await];

    for path in [
        "/sessions".to_string(),
        format!("/sessions/{session}"),
        "/calendar".to_string(),
    ] {
        let (status, tag, body) = get(&app, &cadre, &path, None).await;
        assert_eq!(status, StatusCode::OK, "{path}");
        assert!(
            tag.starts_with('"') && tag.len() > 10,
            "{path}: tag {tag:?}"
        );
        assert!(body.contains(&names[0]), "{path}");
        // Kept without the hydration scripts (a page without an island is never hydrated),
        // so every rendering of it is the same bytes until something it shows changes.
        assert!(!body.contains("<script"), "{path}");
        // Answered again: the same bytes and tag; with the tag, 304 and nothing else.
        let (status, again, body_again) = get(&app, &cadre, &path, None).await;
        assert_eq!((status, &again, &body_again), (StatusCode::OK, &tag, &body));
        let (status, same, empty) = get(&app, &cadre, &path, Some(&tag)).await;
        assert_eq!(status, StatusCode::NOT_MODIFIED, "{path}");
        assert_eq!(same, tag);
        assert!(empty.is_empty());
        let (status, _, _) = get(&app, &cadre, &path, Some("\"other\", W/")).await;
        assert_eq!(
            status,
            StatusCode::OK,
            "{path}: another tag is not this page"
        );

        // Another login of the same account, another account: the first login's tag
        // validates nothing of theirs, and what they get is their own page.
        for (who, client) in [(&names[0], &same_cadre_elsewhere), (&names[1], &organiser)] {
            let (status, theirs, body) = get(&app, client, &path, Some(&tag)).await;
            assert_eq!(status, StatusCode::OK, "{path} as another login of {who}");
            assert_ne!(theirs, tag, "{path}: tags differ by login");
            assert!(body.contains(who), "{path}: {who} gets their own page");
            let (status, _, _) = get(&app, client, &path, Some(&theirs)).await;
            assert_eq!(status, StatusCode::NOT_MODIFIED, "{path} as {who}");
        }
        let (_, _, body) = get(&app, &organiser, &path, None).await;
        assert!(!body.contains(&names[0]), "{path}: not the cadre's page");
    }

    // In the clock's next window the page is rendered again, to the same bytes: the
    // browser's copy is still good.
    let (_, tag, _) = get(&app, &cadre, "/sessions", None).await;
    tokio::time::sleep(std::time::Duration::from_secs(
        app::domain::kept_pages::CLOCK_STEP_SECS as u64,
    ))
    .await;
    let (status, _, _) = get(&app, &cadre, "/sessions", Some(&tag)).await;
    assert_eq!(
        status,
        StatusCode::NOT_MODIFIED,
        "unchanged across the window"
    );

    // Without a login nothing is kept or answered: the page sends to the login form.
    let anonymous = client();
    let res = anonymous
        .get(app.url("/sessions"))
        .header(IF_NONE_MATCH, "*")
        .send()
        .await
        .unwrap();
    assert!(res.status().is_redirection(), "{}", res.status());
    assert!(location(&res).starts_with("/login"));
}

async fn kept_pages_follow_every_change(backend: Backend) {
    let app = spawn_app(backend).await;
    let session = door_session(&app, 24 * 60, 120, Audience::Everyone).await;
    let me = demo_cadre(&app).await;
    let cadre = app.signed_in("cadre").await;
    let path = format!("/sessions/{session}");
    let (_, first, body) = get(&app, &cadre, &path, None).await;
    assert!(!body.contains("data-testid=\"my-request\""));

    // A write through the app: the cadre asks for leave.
    let res = app
        .call(
            &cadre,
            "leave_ask",
            &[
                ("session_id", &session.to_string()),
                ("reason", "社区防汛值班"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let (status, second, body) = get(&app, &cadre, &path, Some(&first)).await;
    assert_eq!(status, StatusCode::OK, "the old copy is not good any more");
    assert_ne!(second, first);
    assert!(body.contains("社区防汛值班"), "the request shows at once");

    // Writes straight into the database, behind the server's back: a leave decision
    // (`page_changes`), a session's title (`data_changes`), the cadre's name
    // (`reference_changes`, and `data_changes`).
    let mut tag = second;
    let writes: [(&str, Vec<Bind>, &str); 3] = [
        (
            "update leave_requests set decision = 'approved' where session_id = $1 and person_id = $2",
            vec![Bind::Int(session), Bind::Int(me)],
            "已批准",
        ),
        (
            "update sessions set title = '基层治理：改过的题目' where id = $1",
            vec![Bind::Int(session)],
            "基层治理：改过的题目",
        ),
        (
            "update people set name = '张三丰' where id = $1",
            vec![Bind::Int(me)],
            "<span class=\"who\">张三丰</span>",
        ),
    ];
    for (sql, binds, shows) in writes {
        let (_, kept, before) = get(&app, &cadre, &path, None).await;
        assert_eq!(kept, tag, "kept while nothing changed");
        assert!(!before.contains(shows), "{sql}");
        app.execute(sql, &binds).await;
        let (status, now, body) = get(&app, &cadre, &path, Some(&tag)).await;
        assert_eq!(status, StatusCode::OK, "{sql}: the copy is stale");
        assert!(body.contains(shows), "{sql}: shows {shows}");
        tag = now;
    }

    // A second server over the same database keeps its own pages, and follows writes made
    // through the first.
    let other = app.second_server().await;
    let on_other = |tag: Option<String>| {
        let mut req = cadre.get(format!("{other}{path}"));
        if let Some(tag) = tag {
            req = req.header(IF_NONE_MATCH, tag);
        }
        async move {
            let res = req.send().await.unwrap();
            let tag = res.headers()[ETAG].to_str().unwrap().to_string();
            (res.status(), tag, res.text().await.unwrap())
        }
    };
    let (status, there, _) = on_other(None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        there, tag,
        "the same page for the same login: the same bytes, the same tag"
    );
    let (status, _, _) = on_other(Some(there.clone())).await;
    assert_eq!(status, StatusCode::NOT_MODIFIED);
    let organiser = app.signed_in("organiser").await;
    let res = app
        .call(
            &organiser,
            "sessions_cancel",
            &[("id", &session.to_string()), ("reason", "台风停课")],
        )
        .await;
    assert_eq!(
        res.status(),
        StatusCode::OK,
        "{}",
        res.text().await.unwrap()
    );
    let (status, moved, body) = on_other(Some(there.clone())).await;
    assert_eq!(
        status,
        StatusCode::OK,
        "the write on the first server shows"
    );
    assert_ne!(moved, there);
    assert!(body.contains("台风停课"), "the cancellation's reason");
}

async fn pages_that_are_not_kept_are_not_stored(backend: Backend) {
    let app = spawn_app(backend).await;
    let organiser = app.signed_in("organiser").await;
    let cadre = app.signed_in("cadre").await;
    for (client, path) in [
        (&organiser, "/organiser/sessions/new"),
        (&organiser, "/organiser/settings"),
        (&cadre, "/account/password"),
        (&cadre, "/account/calendar"),
    ] {
        let res = client.get(app.url(path)).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::OK, "{path}");
        assert_eq!(res.headers()[CACHE_CONTROL], "no-store", "{path}");
        assert!(res.headers().get(ETAG).is_none(), "{path}");
    }
    // Server functions' answers are never kept either.
    let res = app.call(&cadre, "me", &[]).await;
    assert_eq!(res.headers()[CACHE_CONTROL], "no-store");
    assert!(res.headers().get(ETAG).is_none());
}

async fn signing_in_and_out_clears_the_browsers_copies(backend: Backend) {
    let app = spawn_app(backend).await;
    let c = client();
    let res = app.login(&c, "cadre", app::ssr::demo::DEMO_PASSWORD).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(res.headers()["clear-site-data"], "\"cache\"");
    let token = session_token(&res);
    let (status, tag, _) = get(&app, &c, "/sessions", None).await;
    assert_eq!(status, StatusCode::OK);

    let res = c.post(app.url("/auth/logout")).send().await.unwrap();
    assert_eq!(res.headers()["clear-site-data"], "\"cache\"");
    // The old cookie, replayed with the old tag: no page, no 304, the login form.
    let res = client()
        .get(app.url("/sessions"))
        .header("cookie", format!("ns_session={token}"))
        .header(IF_NONE_MATCH, &tag)
        .send()
        .await
        .unwrap();
    assert!(res.status().is_redirection(), "{}", res.status());
    assert!(location(&res).starts_with("/login"));
    // Pages without a login change are not told to clear anything.
    let cadre = app.signed_in("cadre").await;
    let res = cadre.get(app.url("/sessions")).send().await.unwrap();
    assert!(res.headers().get("clear-site-data").is_none());
}

/// The policy's script sources of an answer.
fn script_sources(res: &reqwest::Response) -> String {
    let csp = res.headers()["content-security-policy"].to_str().unwrap();
    let sources = csp.split(';').next().unwrap().trim();
    assert!(sources.starts_with("script-src "), "{csp}");
    sources.to_string()
}

/// The sheet and the door board hold islands: kept with their scripts, which the kept
/// answer's policy allows by their hashes; no nonce is sent twice.
async fn island_pages_are_kept_with_their_scripts_allowed_by_hash(backend: Backend) {
    use base64::Engine;
    use sha2::{Digest, Sha256};
    let app = spawn_app(backend).await;
    let session = door_session(&app, -30, 120, Audience::Everyone).await;
    let organiser = app.signed_in("organiser").await;
    let elsewhere = app.signed_in("organiser").await;
    for path in [
        format!("/organiser/sessions/{session}/attendance"),
        format!("/organiser/sessions/{session}/door"),
    ] {
        let res = organiser.get(app.url(&path)).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::OK, "{path}");
        assert_eq!(res.headers()[CACHE_CONTROL], "private, no-cache", "{path}");
        let tag = res.headers()[ETAG].to_str().unwrap().to_string();
        let sources = script_sources(&res);
        let body = res.text().await.unwrap();
        assert!(body.contains("<leptos-island"), "{path}: the island");
        assert!(!body.contains(" nonce="), "{path}: no nonce kept");
        assert!(!sources.contains("'nonce-"), "{path}: {sources}");
        // Every inline script is allowed by its own hash, and nothing else is.
        let mut scripts = 0;
        let mut rest = body.as_str();
        while let Some(at) = rest.find("<script") {
            let open = at + rest[at..].find('>').unwrap() + 1;
            let len = rest[open..].find("</script>").unwrap();
            if !rest[at..open].contains(" src=") {
                let hash = base64::engine::general_purpose::STANDARD
                    .encode(Sha256::digest(&rest.as_bytes()[open..open + len]));
                assert!(
                    sources.contains(&format!("'sha256-{hash}'")),
                    "{path}: script {scripts} not allowed by {sources}"
                );
                scripts += 1;
            }
            rest = &rest[open + len..];
        }
        assert!(scripts > 0, "{path}: the hydration script");
        assert_eq!(
            sources.matches("'sha256-").count(),
            scripts,
            "{path}: {sources}"
        );

        // Answered again from memory: same bytes and tag; 304 with the tag.
        let (status, again, body_again) = get(&app, &organiser, &path, None).await;
        assert_eq!((status, &again, &body_again), (StatusCode::OK, &tag, &body));
        let res = organiser
            .get(app.url(&path))
            .header(IF_NONE_MATCH, &tag)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::NOT_MODIFIED, "{path}");
        // The browser updates its copy's headers from the 304: the same policy.
        assert_eq!(script_sources(&res), sources, "{path}");
        // Another login's tag validates nothing.
        let (status, theirs, _) = get(&app, &elsewhere, &path, Some(&tag)).await;
        assert_eq!(status, StatusCode::OK, "{path}");
        assert_ne!(theirs, tag);
    }

    // A check-in changes both pages at once.
    let sheet = format!("/organiser/sessions/{session}/attendance");
    let (_, before, _) = get(&app, &organiser, &sheet, None).await;
    let me = demo_cadre(&app).await;
    let res = app
        .call(
            &organiser,
            "attendance_set",
            &[
                ("session_id", &session.to_string()),
                ("person_id", &me.to_string()),
                ("status", "present"),
                ("reason", ""),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let (status, after, _) = get(&app, &organiser, &sheet, Some(&before)).await;
    assert_eq!(status, StatusCode::OK, "the sheet after a mark");
    assert_ne!(after, before);

    // Pages that are not kept keep this answer's nonce.
    let res = organiser
        .get(app.url("/organiser/sessions/new"))
        .send()
        .await
        .unwrap();
    assert!(script_sources(&res).contains("'nonce-"));
}
