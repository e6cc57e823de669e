use app::domain::Timestamp;
use reqwest::StatusCode;
use serde_json::Value;

use crate::helpers::*;

both_backends!(
    each_demo_role_lands_on_its_home,
    wrong_password_is_refused_with_a_clear_message,
    ten_failures_lock_the_account,
    cross_origin_posts_are_refused,
    disabled_account_is_refused,
    login_rotates_the_session_and_logout_ends_it,
    idle_sessions_expire,
    remember_me_sets_a_lasting_cookie_only_for_cadres,
);

async fn each_demo_role_lands_on_its_home(backend: Backend) {
    let app = spawn_app(backend).await;
    for (user, home, heading) in [
        ("cadre", "/me", "我的近期课程"),
        ("lecturer", "/lecturer", "我的授课"),
        ("organiser", "/organiser", "组织工作台"),
        ("admin", "/admin/accounts", "账号管理"),
    ] {
        let c = client();
        let res = app.login(&c, user, "nightschool").await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
        assert_eq!(location(&res), home, "{user}");
        let cookie = set_cookie(&res);
        assert!(
            cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
            "{cookie}"
        );
        assert!(
            !cookie.contains("Secure"),
            "plain HTTP must not get Secure cookies: {cookie}"
        );
        let (status, body) = app.page(&c, home).await;
        assert_eq!(status, StatusCode::OK, "{user} {home}");
        assert!(body.contains(heading), "{user} sees {heading}");
        let me: Value = app.call(&c, "me", &[]).await.json().await.unwrap();
        assert_eq!(me["username"], user);
    }
}

async fn wrong_password_is_refused_with_a_clear_message(backend: Backend) {
    let app = spawn_app(backend).await;
    let c = client();
    let res = app.login(&c, "cadre", "not-the-password").await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let to = location(&res);
    assert!(to.starts_with("/login?error=bad_credentials"), "{to}");
    assert!(!set_cookie(&res).contains("ns_session="));
    let (_, body) = app.page(&c, &to).await;
    assert!(body.contains("用户名或密码不正确"));
    assert!(
        body.contains("value=\"cadre\"") || body.contains("cadre"),
        "username kept"
    );
    // Unknown users get the same answer.
    let res = app.login(&c, "nobody", "whatever1").await;
    assert!(location(&res).starts_with("/login?error=bad_credentials"));
    let me: Value = app.call(&c, "me", &[]).await.json().await.unwrap();
    assert!(me.is_null());
}

async fn ten_failures_lock_the_account(backend: Backend) {
    let app = spawn_app(backend).await;
    let c = client();
    for _ in 0..10 {
        let res = app.login(&c, "cadre", "wrong-password").await;
        assert!(location(&res).contains("bad_credentials"));
    }
    let res = app.login(&c, "cadre", "nightschool").await;
    assert!(
        location(&res).contains("error=locked"),
        "{}",
        location(&res)
    );
    // Another account is not affected.
    let res = app.login(&c, "lecturer", "nightschool").await;
    assert_eq!(location(&res), "/lecturer");
}

async fn cross_origin_posts_are_refused(backend: Backend) {
    let app = spawn_app(backend).await;
    let admin = app.signed_in("admin").await;
    let evil = admin
        .post(app.url("/api/accounts_create"))
        .header("origin", "https://evil.example")
        .form(&[
            ("username", "mallory"),
            ("display_name", "M"),
            ("password", "password1"),
            ("admin", "on"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(evil.status(), StatusCode::FORBIDDEN);
    let evil = admin
        .post(app.url("/auth/logout"))
        .header("sec-fetch-site", "cross-site")
        .send()
        .await
        .unwrap();
    assert_eq!(evil.status(), StatusCode::FORBIDDEN);
    let names: Vec<String> = app
        .repo
        .list_accounts()
        .await
        .unwrap()
        .into_iter()
        .map(|a| a.username)
        .collect();
    assert!(!names.contains(&"mallory".to_string()));
    // The same request from the app's own origin goes through.
    let host = app.address.trim_start_matches("http://").to_string();
    let ok = admin
        .post(app.url("/api/accounts_create"))
        .header("origin", format!("http://{host}"))
        .form(&[
            ("username", "mallory"),
            ("display_name", "M"),
            ("password", "password1"),
            ("cadre", "on"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status(), StatusCode::OK);
}

async fn disabled_account_is_refused(backend: Backend) {
    let app = spawn_app(backend).await;
    let cadre = app.signed_in("cadre").await;
    let admin = app.signed_in("admin").await;
    let accounts = app.repo.list_accounts().await.unwrap();
    let id = accounts
        .iter()
        .find(|a| a.username == "cadre")
        .unwrap()
        .id
        .to_string();
    let res = app
        .call(
            &admin,
            "accounts_set_disabled",
            &[("id", &id), ("disabled", "true")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    // The running session ends at once...
    let me: Value = app.call(&cadre, "me", &[]).await.json().await.unwrap();
    assert!(me.is_null());
    // ...and the right password no longer signs in.
    let res = app.login(&client(), "cadre", "nightschool").await;
    assert!(
        location(&res).contains("error=disabled"),
        "{}",
        location(&res)
    );
    let (_, body) = app.page(&client(), &location(&res)).await;
    assert!(body.contains("该账号已停用"));
    // Re-enabled, it works again.
    app.call(
        &admin,
        "accounts_set_disabled",
        &[("id", &id), ("disabled", "false")],
    )
    .await;
    app.signed_in("cadre").await;
}

async fn login_rotates_the_session_and_logout_ends_it(backend: Backend) {
    let app = spawn_app(backend).await;
    let c = client();
    let first = session_token(&app.login(&c, "cadre", "nightschool").await);
    let second = session_token(&app.login(&c, "cadre", "nightschool").await);
    assert_ne!(first, second);
    assert!(
        app.repo
            .auth_session(&token_hash(&first))
            .await
            .unwrap()
            .is_none(),
        "old id is dropped"
    );
    assert!(
        app.repo
            .auth_session(&token_hash(&second))
            .await
            .unwrap()
            .is_some()
    );
    let res = c.post(app.url("/auth/logout")).send().await.unwrap();
    assert_eq!(location(&res), "/login");
    assert!(
        app.repo
            .auth_session(&token_hash(&second))
            .await
            .unwrap()
            .is_none()
    );
    let (status, _) = app.page(&c, "/me").await;
    assert_eq!(status, StatusCode::SEE_OTHER);
}

async fn idle_sessions_expire(backend: Backend) {
    let app = spawn_app(backend).await;
    let c = client();
    let token = session_token(&app.login(&c, "cadre", "nightschool").await);
    let hash = token_hash(&token);
    app.repo
        .touch_auth_session(&hash, Timestamp(Timestamp::now().0 - 31 * 60))
        .await
        .unwrap();
    let me: Value = app.call(&c, "me", &[]).await.json().await.unwrap();
    assert!(me.is_null(), "30 idle minutes end a session");
    let res = c.get(app.url("/me")).send().await.unwrap();
    assert!(
        location(&res).starts_with("/login?next=%2Fme"),
        "{}",
        location(&res)
    );
}

async fn remember_me_sets_a_lasting_cookie_only_for_cadres(backend: Backend) {
    let app = spawn_app(backend).await;
    for (user, lasting) in [("cadre", true), ("organiser", false)] {
        let res = client()
            .post(app.url("/auth/login"))
            .form(&[
                ("username", user),
                ("password", "nightschool"),
                ("remember", "on"),
            ])
            .send()
            .await
            .unwrap();
        let token = session_token(&res);
        let (_, clock) = app
            .repo
            .auth_session(&token_hash(&token))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(clock.idle_secs > 30 * 60, lasting, "{user}");
    }
    // Behind an HTTPS proxy the cookie is Secure.
    let res = client()
        .post(app.url("/auth/login"))
        .header("x-forwarded-proto", "https")
        .form(&[("username", "cadre"), ("password", "nightschool")])
        .send()
        .await
        .unwrap();
    assert!(set_cookie(&res).contains("Secure"));
}
