//! Two-step verification: admins must set it up, organisers when the install says so; a
//! login with a password only is nobody until its code; codes are accepted once, recovery
//! codes once; wrong codes are throttled and logged; admins reset a lost phone.
use app::domain::audit::AuditKind;
use app::ssr::db::AuditFilter;
use reqwest::{Client, StatusCode};

use crate::helpers::*;

both_backends!(
    admins_set_up_and_use_a_second_factor,
    organisers_by_setting_and_a_lost_phone,
);

async fn lines(app: &TestApp, kind: AuditKind) -> usize {
    let filter = AuditFilter {
        kind: Some(kind),
        ..Default::default()
    };
    app.repo.audit_lines(&filter, 1000).await.unwrap().len()
}

/// Posts a code to the login's second step.
async fn code_step(app: &TestApp, c: &Client, code: &str) -> String {
    let res = c
        .post(app.url("/auth/totp"))
        .form(&[("code", code)])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    location(&res)
}

/// Signs in with the password only; answers where the server sends the browser.
async fn password_step(app: &TestApp, who: &str) -> (Client, String) {
    let c = client();
    let res = app.login(&c, who, app::ssr::demo::DEMO_PASSWORD).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let to = location(&res);
    (c, to)
}

async fn admins_set_up_and_use_a_second_factor(backend: Backend) {
    let app = spawn_app(backend).await;

    // The first sign-in leads to the setup, and nothing else is open until it is done.
    let (admin, to) = password_step(&app, "admin").await;
    assert_eq!(to, "/account/totp?required=1");
    let res = admin.get(app.url("/admin/accounts")).send().await.unwrap();
    assert_eq!(location(&res), "/account/totp?required=1");
    let res = app.call(&admin, "accounts_list", &[]).await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let (status, page) = app.page(&admin, "/account/totp?required=1").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("两步验证"));

    let res = app.call(&admin, "totp_begin", &[]).await;
    assert_eq!(res.status(), StatusCode::OK);
    let enrolment: serde_json::Value = res.json().await.unwrap();
    let secret = enrolment["secret"].as_str().unwrap().to_string();
    assert!(enrolment["qr_svg"].as_str().unwrap().starts_with("<?xml"));
    let res = app.call(&admin, "totp_confirm", &[("code", "12345")]).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(lines(&app, AuditKind::SecondFactorEnabled).await, 0);
    let res = app
        .call(&admin, "totp_confirm", &[("code", &totp_now(&secret))])
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let mut recovery: Vec<String> = res.json().await.unwrap();
    assert_eq!(recovery.len(), 10);
    assert_eq!(lines(&app, AuditKind::SecondFactorEnabled).await, 1);
    let (status, _) = app.page(&admin, "/admin/accounts").await;
    assert_eq!(status, StatusCode::OK, "set up: the session goes on");
    let res = app.call(&admin, "totp_begin", &[]).await;
    assert_ne!(res.status(), StatusCode::OK, "a second setup is refused");

    // The next sign-in: the password alone is nobody.
    let (c, to) = password_step(&app, "admin").await;
    assert!(to.starts_with("/login/totp"), "{to}");
    let res = c.get(app.url("/admin/accounts")).send().await.unwrap();
    assert!(
        location(&res).starts_with("/login"),
        "pending is signed out"
    );
    let res = app.call(&c, "accounts_list", &[]).await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    let (status, page) = app.page(&c, "/login/totp").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("/auth/totp"), "the code form");
    assert_eq!(
        code_step(&app, &c, "000 00").await,
        "/login/totp?error=wrong"
    );
    assert_eq!(lines(&app, AuditKind::LoginCodeFailed).await, 1);
    // Only the first sign-in (which set the factor up) is logged as one so far.
    assert_eq!(lines(&app, AuditKind::LoginSucceeded).await, 1);
    assert_eq!(lines(&app, AuditKind::LoginCodeAsked).await, 1);
    // The setup used this 30-second step's code: the app's next one (drift allows a step
    // ahead) is the one left.
    assert_eq!(
        code_step(&app, &c, &totp_now(&secret)).await,
        "/login/totp?error=wrong",
        "the setup's code is not accepted again"
    );
    let code = totp_at(&secret, 30);
    let to = code_step(&app, &c, &code).await;
    assert_eq!(to, "/admin/accounts", "the admin's home");
    let (status, _) = app.page(&c, "/admin/accounts").await;
    assert_eq!(status, StatusCode::OK);

    // A code is accepted once: the same digits on another login are refused.
    let (c2, _) = password_step(&app, "admin").await;
    assert_eq!(code_step(&app, &c2, &code).await, "/login/totp?error=wrong");
    // A recovery code works once, shown or typed in capitals without its dash.
    let spare = recovery.pop().unwrap();
    let typed = spare.replace('-', " ").to_uppercase();
    assert_eq!(code_step(&app, &c2, &typed).await, "/admin/accounts");
    assert_eq!(lines(&app, AuditKind::RecoveryCodeUsed).await, 1);
    let (c3, _) = password_step(&app, "admin").await;
    assert_eq!(
        code_step(&app, &c3, &spare).await,
        "/login/totp?error=wrong"
    );
    let res = app.call(&c, "totp_status", &[]).await;
    let status: serde_json::Value = res.json().await.unwrap();
    assert_eq!(status["enabled"], true);
    assert_eq!(status["required"], true);
    assert_eq!(status["codes_left"], 9);

    // Guessing is throttled per account, whoever guesses: a fresh login cannot reset it.
    let mut last = String::new();
    for _ in 0..8 {
        last = code_step(&app, &c3, "123 456").await;
    }
    assert_eq!(last, "/login/totp?error=locked");
    let (c4, _) = password_step(&app, "admin").await;
    let next_code = recovery.pop().unwrap();
    assert_eq!(
        code_step(&app, &c4, &next_code).await,
        "/login/totp?error=locked",
        "even a right code waits"
    );
    assert!(lines(&app, AuditKind::LoginThrottled).await >= 1);

    // An admin may not turn off what the role asks for.
    let res = app
        .call(&c, "totp_disable", &[("code", &recovery[0])])
        .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
}

async fn organisers_by_setting_and_a_lost_phone(backend: Backend) {
    let app = spawn_app(backend).await;
    let admin = app.signed_in("admin").await;

    // By default organisers need no second factor.
    let (_, to) = password_step(&app, "organiser").await;
    assert!(!to.starts_with("/account/totp"), "{to}");
    let cadre = app.signed_in("cadre").await;
    let res = app
        .call(&cadre, "security_settings_save", &[("required", "on")])
        .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let res = app
        .call(&admin, "security_settings_save", &[("required", "on")])
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let res = app.call(&admin, "security_settings", &[]).await;
    assert!(res.json::<bool>().await.unwrap());

    let (organiser, to) = password_step(&app, "organiser").await;
    assert_eq!(to, "/account/totp?required=1");
    let codes = app.enrol(&organiser).await;
    assert_eq!(codes.len(), 10);
    let (status, _) = app.page(&organiser, "/organiser").await;
    assert_eq!(status, StatusCode::OK);

    // A cadre may set one up by choice, and turn it off again.
    let res = app.call(&cadre, "totp_status", &[]).await;
    let s: serde_json::Value = res.json().await.unwrap();
    assert_eq!(
        (s["enabled"].as_bool(), s["required"].as_bool()),
        (Some(false), Some(false))
    );

    // A lost phone: the admin resets it; the organiser's sessions end and the next
    // sign-in sets up a new one. Others may not reset, nor learn who has one.
    let account = app
        .repo
        .login_record(&app::domain::Username::parse("organiser").unwrap())
        .await
        .unwrap()
        .unwrap()
        .account_id;
    let id = account.to_string();
    let res = app
        .call(&cadre, "account_factor_reset", &[("account_id", &id)])
        .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let res = app
        .call(&admin, "account_factor_reset", &[("account_id", &id)])
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(lines(&app, AuditKind::SecondFactorReset).await, 1);
    let res = organiser.get(app.url("/organiser")).send().await.unwrap();
    assert!(location(&res).starts_with("/login"), "sessions ended");
    let (_, to) = password_step(&app, "organiser").await;
    assert_eq!(to, "/account/totp?required=1", "a new one is set up");
    let res = app
        .call(&admin, "account_factor_reset", &[("account_id", &id)])
        .await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND, "nothing left to reset");

    // The last admin's lost phone, from the server's command line.
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_nightschool"))
        .args(["reset-second-factor", "admin"])
        .env("DATABASE_URL", app.db_url())
        .env("RUST_LOG", "warn")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let (_, to) = password_step(&app, "admin").await;
    assert_eq!(to, "/account/totp?required=1");
}
