use app::domain::Timestamp;
use reqwest::StatusCode;
use serde_json::Value;

use crate::helpers::*;

both_backends!(
    each_demo_role_lands_on_its_home,
    wrong_password_is_refused_with_a_clear_message,
    wrong_passwords_are_throttled_alike_for_every_name,
    parallel_guesses_all_count,
    redirects_stay_on_this_site,
    pages_carry_security_headers,
    cross_origin_posts_are_refused,
    disabled_account_is_refused,
    login_rotates_the_session_and_logout_ends_it,
    idle_sessions_expire,
    being_seen_is_stored_off_the_request_path,
    remember_me_sets_a_lasting_cookie_only_for_cadres,
    kept_logins_follow_every_change_behind_the_servers_back,
    kept_pickers_follow_every_change_behind_the_servers_back,
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
        if user == "admin" {
            // An admin first sets up two-step verification (second_factor.rs).
            assert_eq!(location(&res), "/account/totp?required=1");
            app.enrol(&c).await;
        } else {
            assert_eq!(location(&res), home, "{user}");
        }
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

async fn wrong_passwords_are_throttled_alike_for_every_name(backend: Backend) {
    let app = spawn_app(backend).await;
    // A phone the cadre signed in on before: guesses from elsewhere must not lock it out.
    let own_phone = client();
    assert_eq!(
        location(&app.login(&own_phone, "cadre", "nightschool").await),
        "/me"
    );
    own_phone
        .post(app.url("/auth/logout"))
        .send()
        .await
        .unwrap();
    // One attacker's browser: five slips, then a wait, the right password included.
    let c = client();
    for name in ["cadre", "nobody-here"] {
        for _ in 0..5 {
            let res = app.login(&c, name, "wrong-password").await;
            assert!(location(&res).contains("bad_credentials"), "{name}");
        }
        let res = app.login(&c, name, "nightschool").await;
        assert!(
            location(&res).contains("error=locked"),
            "{name}: {}",
            location(&res)
        );
    }
    // Fresh browsers each time (no cookies): the account's own bucket holds them too.
    let mut answers = Vec::new();
    for _ in 0..12 {
        answers.push(location(
            &app.login(&client(), "cadre", "wrong-password").await,
        ));
    }
    assert!(
        answers.iter().any(|a| a.contains("error=locked")),
        "{answers:?}"
    );
    let res = app.login(&client(), "cadre", "nightschool").await;
    assert!(
        location(&res).contains("error=locked"),
        "a new device waits"
    );
    // The cadre's own phone still gets in, and another account is not affected.
    assert_eq!(
        location(&app.login(&own_phone, "cadre", "nightschool").await),
        "/me"
    );
    let res = app.login(&client(), "lecturer", "nightschool").await;
    assert_eq!(location(&res), "/lecturer");
    // Every try is on record, unknown names included.
    let lines = app
        .repo
        .audit_lines(&Default::default(), 1000)
        .await
        .unwrap();
    let failed = lines
        .iter()
        .filter(|l| l.line.kind == app::domain::audit::AuditKind::LoginFailed)
        .count();
    assert!(failed >= 10, "{failed} failures logged");
    assert!(lines.iter().any(|l| l.line.target == "user:nobody-here"));
    assert!(
        lines
            .iter()
            .any(|l| l.line.kind == app::domain::audit::AuditKind::LoginThrottled)
    );
}

async fn parallel_guesses_all_count(backend: Backend) {
    let app = spawn_app(backend).await;
    let tries: Vec<_> = (0..40)
        .map(|_| {
            let app_url = app.url("/auth/login");
            tokio::spawn(async move {
                let res = client()
                    .post(app_url)
                    .form(&[("username", "organiser"), ("password", "wrong-password")])
                    .send()
                    .await
                    .unwrap();
                res.headers()
                    .get("location")
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or("")
                    .to_string()
            })
        })
        .collect();
    let mut checked = 0;
    for t in tries {
        let loc = t.await.unwrap();
        if loc.contains("bad_credentials") {
            checked += 1;
        }
    }
    // The user bucket lets ten through; the rest are refused before any hashing.
    assert!(checked <= 10, "{checked} guesses were checked");
}

async fn redirects_stay_on_this_site(backend: Backend) {
    let app = spawn_app(backend).await;
    for next in [
        "/\t/evil.example",
        "//evil.example",
        "https://evil.example",
        "/\\evil.example",
    ] {
        let res = client()
            .post(app.url("/auth/login"))
            .form(&[
                ("username", "cadre"),
                ("password", "nightschool"),
                ("next", next),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(location(&res), "/me", "{next:?}");
    }
}

async fn pages_carry_security_headers(backend: Backend) {
    let app = spawn_app(backend).await;
    let res = client().get(app.url("/login")).send().await.unwrap();
    let h = res.headers().clone();
    let csp = h["content-security-policy"].to_str().unwrap().to_string();
    for part in [
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
        "form-action 'self'",
        "script-src 'nonce-",
    ] {
        assert!(csp.contains(part), "{csp}");
    }
    assert_eq!(h["referrer-policy"], "same-origin");
    assert_eq!(h["x-content-type-options"], "nosniff");
    assert!(h.get("strict-transport-security").is_none(), "plain HTTP");
    let body = res.text().await.unwrap();
    let nonce = csp
        .split("'nonce-")
        .nth(1)
        .and_then(|s| s.split('\'').next())
        .unwrap();
    assert!(
        body.contains(&format!("nonce=\"{nonce}\"")),
        "inline scripts carry the nonce"
    );
    let cadre = app.signed_in("cadre").await;
    let res = cadre
        .get(app.url("/account/password"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.headers()["cache-control"], "no-store");
    // Kept pages (`ssr::kept_pages`) are stored privately and validated on every use.
    let res = cadre.get(app.url("/me")).send().await.unwrap();
    assert_eq!(res.headers()["cache-control"], "private, no-cache");
    let res = cadre.post(app.url("/api/me")).send().await.unwrap();
    assert_eq!(res.headers()["cache-control"], "no-store");
    // Over HTTPS (as a proxy says): HSTS and the __Host- cookie.
    let res = client()
        .post(app.url("/auth/login"))
        .header("x-forwarded-proto", "https")
        .form(&[("username", "cadre"), ("password", "nightschool")])
        .send()
        .await
        .unwrap();
    assert!(res.headers().get("strict-transport-security").is_some());
    let cookies: Vec<&str> = res
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .collect();
    assert!(
        cookies
            .iter()
            .any(|c| c.starts_with("__Host-ns_session=") && c.contains("Secure")),
        "{cookies:?}"
    );
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
            ("password", "hongqi-lantern-42"),
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
            ("password", "hongqi-lantern-42"),
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
    app.set_last_seen(&hash, Timestamp(Timestamp::now().0 - 31 * 60))
        .await;
    let me: Value = app.call(&c, "me", &[]).await.json().await.unwrap();
    assert!(me.is_null(), "30 idle minutes end a session");
    let res = c.get(app.url("/me")).send().await.unwrap();
    assert!(
        location(&res).starts_with("/login?next=%2Fme"),
        "{}",
        location(&res)
    );
}

/// A page view notes that its session was seen; the time is stored by the next flush, not by
/// the request. Until then the noted time keeps the session alive on this server.
async fn being_seen_is_stored_off_the_request_path(backend: Backend) {
    // A flush far away: nothing a request does may reach the table.
    let app = spawn_app_with(backend, |s| {
        s.seen_every = std::time::Duration::from_secs(3600)
    })
    .await;
    let c = client();
    let hash = token_hash(&session_token(&app.login(&c, "cadre", "nightschool").await));
    let old = Timestamp(Timestamp::now().0 - 29 * 60);
    app.set_last_seen(&hash, old).await;
    let (status, _) = app.page(&c, "/me").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        app.stored_last_seen(&hash).await,
        old,
        "a page view writes nothing"
    );
    // Two minutes on, the stored time alone is 31 idle minutes old; the noted one keeps
    // the session (the server's clock is not ours to move, so the stored time moves back).
    app.set_last_seen(&hash, Timestamp(old.0 - 2 * 60)).await;
    let (status, _) = app.page(&c, "/me").await;
    assert_eq!(
        status,
        StatusCode::OK,
        "the noted time counts before it is stored"
    );

    // With a short flush the time reaches the table by itself.
    let app = spawn_app_with(backend, |s| {
        s.seen_every = std::time::Duration::from_millis(100)
    })
    .await;
    let c = client();
    let hash = token_hash(&session_token(&app.login(&c, "cadre", "nightschool").await));
    app.set_last_seen(&hash, old).await;
    let before = Timestamp::now();
    let (status, _) = app.page(&c, "/me").await;
    assert_eq!(status, StatusCode::OK);
    let mut stored = old;
    for _ in 0..50 {
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        stored = app.stored_last_seen(&hash).await;
        if stored != old {
            break;
        }
    }
    assert!(stored >= before, "stored {stored:?}, request at {before:?}");
    // A flush never moves a stored time back.
    let later = Timestamp(Timestamp::now().0 + 600);
    app.set_last_seen(&hash, later).await;
    app.repo
        .touch_auth_sessions(&[(hash.clone(), Timestamp::now())])
        .await
        .unwrap();
    assert_eq!(app.stored_last_seen(&hash).await, later);
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
        let clock = app
            .repo
            .auth_session(&token_hash(&token))
            .await
            .unwrap()
            .unwrap()
            .clock;
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

/// A login is resolved once and kept (`ssr::logins`); every change to who it is, made by
/// any server or straight in the database, is honoured on the very next request.
async fn kept_logins_follow_every_change_behind_the_servers_back(backend: Backend) {
    let app = spawn_app(backend).await;
    let cadre = client();
    let token = session_token(&app.login(&cadre, "cadre", "nightschool").await);
    for _ in 0..2 {
        assert_eq!(app.page(&cadre, "/me").await.0, StatusCode::OK);
    }
    let by_name = "(select id from accounts where username = $1)";
    app.execute(
        &format!("update accounts set disabled = true where id = {by_name}"),
        &[Bind::Text("cadre".into())],
    )
    .await;
    assert_eq!(app.page(&cadre, "/me").await.0, StatusCode::SEE_OTHER);
    app.execute(
        &format!("update accounts set disabled = false where id = {by_name}"),
        &[Bind::Text("cadre".into())],
    )
    .await;
    assert_eq!(app.page(&cadre, "/me").await.0, StatusCode::OK);
    app.execute(
        "delete from auth_sessions where token_hash = $1",
        &[Bind::Text(token_hash(&token))],
    )
    .await;
    assert_eq!(app.page(&cadre, "/me").await.0, StatusCode::SEE_OTHER);

    // A withdrawn role: the organiser's desk refuses at once.
    let organiser = app.signed_in("organiser").await;
    for _ in 0..2 {
        assert_eq!(
            app.call(&organiser, "organiser_overview", &[])
                .await
                .status(),
            StatusCode::OK
        );
    }
    app.execute(
        &format!("delete from account_roles where role = 'organiser' and account_id = {by_name}"),
        &[Bind::Text("organiser".into())],
    )
    .await;
    assert_ne!(
        app.call(&organiser, "organiser_overview", &[])
            .await
            .status(),
        StatusCode::OK
    );
    // A renamed person shows under the new name on the next page.
    let me: Value = app.call(&cadre, "me", &[]).await.json().await.unwrap();
    assert!(me.is_null());
    let again = app.signed_in("cadre").await;
    app.execute(
        &format!(
            "update people set name = '改名学员' where id = \
             (select person_id from accounts where id = {by_name})"
        ),
        &[Bind::Text("cadre".into())],
    )
    .await;
    let (_, page) = app.page(&again, "/me").await;
    assert!(page.contains("改名学员"));
}

/// The pickers' reference data is kept too (`ssr::reference`); a theme, tier, community or
/// lecturer changed straight in the database shows on the very next page.
async fn kept_pickers_follow_every_change_behind_the_servers_back(backend: Backend) {
    let app = spawn_app(backend).await;
    let cadre = app.signed_in("cadre").await;
    let (status, before) = app.page(&cadre, "/sessions").await;
    assert_eq!(status, StatusCode::OK);
    assert!(!before.contains("改过名的主题"));
    let (_, again) = app.page(&cadre, "/sessions").await;
    assert_eq!(before.len(), again.len());
    for (table, name) in [
        ("themes", "name_zh = '改过名的主题'"),
        ("tiers", "name_zh = '改过名的梯队'"),
        ("communities", "name = '改过名的社区'"),
    ] {
        app.execute(
            &format!("update {table} set {name} where id = (select min(id) from {table})"),
            &[],
        )
        .await;
    }
    let (_, after) = app.page(&cadre, "/sessions").await;
    for name in ["改过名的主题", "改过名的梯队", "改过名的社区"] {
        assert!(after.contains(name), "{name}");
    }
}
