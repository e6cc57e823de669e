use reqwest::{Client, StatusCode};

use crate::helpers::*;

both_backends!(
    anonymous_visitors_are_sent_to_login,
    language_follows_the_cookie,
    homes_show_the_demo_programme,
    unknown_pages_are_not_found,
    plain_form_posts_come_back_saying_what_became_of_them,
    only_pages_with_islands_load_the_script,
);

async fn anonymous_visitors_are_sent_to_login(backend: Backend) {
    let app = spawn_app(backend).await;
    let c = client();
    for path in ["/", "/me", "/admin/accounts"] {
        let res = c.get(app.url(path)).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::SEE_OTHER, "{path}");
        assert!(location(&res).starts_with("/login"), "{path}");
    }
    let (status, body) = app.page(&c, "/login").await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("<html lang=\"zh-CN\""), "Chinese by default");
    assert!(body.contains("登录夜校"));
    assert!(
        !body.contains("/pkg/nightschool.wasm") && !body.contains("<script type=\"module\""),
        "a page without islands loads no WASM"
    );
    // Signed in, the login page sends you home.
    let cadre = app.signed_in("cadre").await;
    let res = cadre.get(app.url("/login")).send().await.unwrap();
    assert_eq!(location(&res), "/me");
}

async fn language_follows_the_cookie(backend: Backend) {
    let app = spawn_app(backend).await;
    let c = client();
    let res = c
        .post(app.url("/lang"))
        .form(&[("lang", "en"), ("next", "/login")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&res), "/login");
    assert!(set_cookie(&res).contains("ns_lang=en"));
    let (_, body) = app.page(&c, "/login").await;
    assert!(body.contains("<html lang=\"en\""));
    assert!(body.contains("Sign in to Night School"));
    let res = c
        .post(app.url("/lang"))
        .form(&[("lang", "zh-CN"), ("next", "https://evil.example/")])
        .send()
        .await
        .unwrap();
    assert_eq!(location(&res), "/", "no open redirect");
}

async fn homes_show_the_demo_programme(backend: Backend) {
    let app = spawn_app(backend).await;
    let (_, body) = app.page(&app.signed_in("cadre").await, "/me").await;
    assert!(body.contains("信访维稳专题（二）"), "an upcoming session");
    assert!(
        !body.contains("省第十二次党代会报告专题班"),
        "past sessions are not upcoming"
    );
    assert!(
        !body.contains("“头雁”讲坛（第二期）"),
        "a strong goose is not in the lead-goose forum's audience"
    );
    let (_, body) = app
        .page(&app.signed_in("lecturer").await, "/lecturer")
        .await;
    assert!(
        body.contains("省第十二次党代会报告专题班"),
        "a given lecture"
    );
    assert!(body.contains("信访维稳专题（二）"), "a coming lecture");
    assert!(!body.contains("“强雁”讲坛"), "someone else's lecture");
    let (_, body) = app
        .page(&app.signed_in("organiser").await, "/organiser")
        .await;
    assert!(body.contains("今日签到"));
    assert!(
        body.contains("挑灯夜学：基层社会治理案例研读"),
        "today's session"
    );
    assert!(
        body.contains("省第十二次党代会报告专题班"),
        "latest finished session"
    );
    assert!(body.contains("179"), "expected head-count of cadres");
}

async fn unknown_pages_are_not_found(backend: Backend) {
    let app = spawn_app(backend).await;
    let (status, body) = app
        .page(&app.signed_in("cadre").await, "/no/such/page")
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(body.contains("页面不存在"));
}

/// Pages are islands: a form outside an island is a plain form post, and the page it comes
/// back to says "saved" (the `__ok` mark) or shows the error (leptos' `__err`), once.
async fn plain_form_posts_come_back_saying_what_became_of_them(backend: Backend) {
    let app = spawn_app(backend).await;
    let organiser = app.signed_in("organiser").await;
    let page = app.url("/organiser/settings");
    let post = |minutes: &'static str, referer: String| {
        organiser
            .post(app.url("/api/settings_hours_rule"))
            .header("accept", "text/html,application/xhtml+xml")
            .header("referer", referer)
            .form(&[("minutes", minutes)])
            .send()
    };
    let res = post("40", page.clone()).await.unwrap();
    assert!(res.status().is_redirection(), "{}", res.status());
    let back = location(&res);
    assert_eq!(back, format!("{page}?__ok=/api/settings_hours_rule"));
    let relative = |url: &str| url.trim_start_matches(&app.url("")).to_string();
    let back = relative(&back);
    let (status, body) = app.page(&organiser, &back).await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("已保存。"), "the note after a plain post");
    assert!(body.contains("value=\"40\""), "the saved value");
    let (_, fresh) = app.page(&organiser, "/organiser/settings").await;
    assert!(!fresh.contains("已保存。"), "no note without the mark");

    // Bad input: the error comes back instead, the older success mark goes, nothing changes.
    let res = post("forty", app.url(&back)).await.unwrap();
    let failed = relative(&location(&res));
    assert!(failed.contains("__err="), "{failed}");
    assert!(!failed.contains("__ok="), "{failed}");
    let (_, body) = app.page(&organiser, &failed).await;
    assert!(body.contains("role=\"alert\""), "the error is shown");
    assert!(!body.contains("已保存。"));
    assert!(body.contains("value=\"40\""), "nothing changed");

    // A success after a failure drops the failure from the address.
    let res = post("45", app.url(&failed)).await.unwrap();
    assert_eq!(
        location(&res),
        format!("{page}?__ok=/api/settings_hours_rule")
    );

    // The language switch leads back to the page without the mark.
    let (_, body) = app.page(&organiser, &back).await;
    assert!(
        body.contains("name=\"next\" value=\"/organiser/settings\""),
        "switch target unmarked"
    );
}

/// Only the interactive parts are islands, and only a page that holds one loads the
/// script (`domain::islands`): every page, as the people who open it, against that list.
async fn only_pages_with_islands_load_the_script(backend: Backend) {
    use app::domain::audience::Audience;
    let app = spawn_app(backend).await;
    let session = crate::checkin::door_session(&app, -30, 120, Audience::Everyone).await;
    let later = crate::checkin::door_session(&app, 24 * 60, 120, Audience::Everyone).await;
    let organiser = app.signed_in("organiser").await;
    let lecturer = app.signed_in("lecturer").await;
    let cadre = app.signed_in("cadre").await;
    let admin = app.signed_in("admin").await;
    let pages: Vec<(&Client, String)> = [
        (&cadre, "/me"),
        (&cadre, "/sessions"),
        (&cadre, "/sessions/{s}"),
        (&cadre, "/calendar"),
        (&cadre, "/checkin"),
        (&cadre, "/history"),
        (&cadre, "/review"),
        (&cadre, "/progress"),
        (&cadre, "/claims"),
        (&organiser, "/organiser/claims"),
        (&cadre, "/search?q=%E7%BD%91%E6%A0%BC"),
        (&cadre, "/account/calendar"),
        (&cadre, "/account/password"),
        (&cadre, "/account/totp"),
        (&lecturer, "/lecturer"),
        (&organiser, "/sessions/{f}/material/edit"),
        (&organiser, "/sessions/{s}/reflections"),
        (&organiser, "/organiser"),
        (&organiser, "/organiser/sessions/new"),
        (&organiser, "/organiser/sessions/{f}/edit"),
        (&organiser, "/organiser/sessions/{s}/door"),
        (&organiser, "/organiser/sessions/{s}/attendance"),
        (&organiser, "/organiser/settings"),
        (&organiser, "/organiser/requests"),
        (&organiser, "/organiser/reports"),
        (&organiser, "/organiser/programme"),
        (&organiser, "/organiser/programme/tiers"),
        (&organiser, "/organiser/programme/import"),
        (&organiser, "/organiser/district"),
        (&organiser, "/sessions/{s}/material/history"),
        (&admin, "/admin/accounts"),
        (&admin, "/admin/audit"),
        (&admin, "/admin/backup"),
        (&admin, "/admin/organisation"),
        (&cadre, "/inbox"),
        (&cadre, "/announcements"),
        (&cadre, "/suggestions"),
        (&cadre, "/account/messages"),
        (&organiser, "/announcements/new"),
        (&organiser, "/suggestions"),
    ]
    .into_iter()
    .map(|(c, p)| {
        let p = p.replace("{s}", &session.to_string());
        (c, p.replace("{f}", &later.to_string()))
    })
    .collect();
    let mut with_islands = 0;
    for (client, path) in &pages {
        let (status, body) = app.page(client, path).await;
        assert_eq!(status, StatusCode::OK, "{path}");
        let island = body.contains("<leptos-island");
        // The bundle of every island, or (when scripts/build-release made them) the page's
        // own group's, never another group's.
        let page = path.split('?').next().unwrap();
        let own = app::domain::islands::bundle(page);
        for other in app::domain::islands::Bundle::ALL {
            let file = format!("/pkg/{}.js", other.output_name("nightschool"));
            if Some(other) != own {
                assert!(!body.contains(&file), "{path} loads {file}");
            }
        }
        let script = body.contains("/pkg/nightschool.js")
            || own.is_some_and(|b| {
                body.contains(&format!("/pkg/{}.js", b.output_name("nightschool")))
            });
        let listed = app::domain::islands::on_page(page);
        assert_eq!(island, listed, "{path}: islands {island}, listed {listed}");
        assert_eq!(script, listed, "{path}: script {script}, listed {listed}");
        with_islands += usize::from(island);
    }
    assert_eq!(
        with_islands, 8,
        "the eight pages with islands were all seen"
    );
    // The planner's island is the session editor, with its props in the page.
    let (_, body) = app.page(&organiser, "/organiser/sessions/new").await;
    assert!(body.contains("SessionEditor"), "the planner is an island");
}
