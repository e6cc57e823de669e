use reqwest::StatusCode;
use serde_json::Value;

use crate::helpers::*;

both_backends!(
    roles_are_checked_on_the_server,
    admin_creates_an_account_that_can_sign_in,
    bad_account_input_is_refused_and_saves_nothing,
    the_last_admin_cannot_be_removed,
    everyone_can_change_their_own_password,
);

async fn roles_are_checked_on_the_server(backend: Backend) {
    let app = spawn_app(backend).await;
    let cadre = app.signed_in("cadre").await;
    for endpoint in [
        "accounts_list",
        "organiser_overview",
        "my_lectures",
        "schedule_options",
    ] {
        let res = app.call(&cadre, endpoint, &[]).await;
        assert_eq!(
            res.status(),
            StatusCode::FORBIDDEN,
            "cadre calling {endpoint}"
        );
    }
    let res = app
        .call(
            &cadre,
            "accounts_create",
            &[
                ("username", "x1x"),
                ("display_name", "X"),
                ("password", "hongqi-lantern-42"),
                ("admin", "on"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let res = app.call(&client(), "accounts_list", &[]).await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    let (status, body) = app.page(&cadre, "/admin/accounts").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(body.contains("您没有权限查看此页面"));
    let organiser = app.signed_in("organiser").await;
    assert_eq!(
        app.call(&organiser, "organiser_overview", &[])
            .await
            .status(),
        StatusCode::OK
    );
    assert_eq!(
        app.call(&organiser, "my_upcoming_sessions", &[])
            .await
            .status(),
        StatusCode::FORBIDDEN
    );
}

async fn admin_creates_an_account_that_can_sign_in(backend: Backend) {
    let app = spawn_app(backend).await;
    let admin = app.signed_in("admin").await;
    let res = app
        .call(
            &admin,
            "accounts_create",
            &[
                ("username", "Li.Ming"),
                ("display_name", "李明"),
                ("password", "夜校学习非常重要"),
                ("cadre", "on"),
                ("lecturer", "on"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let list: Value = app
        .call(&admin, "accounts_list", &[])
        .await
        .json()
        .await
        .unwrap();
    let created = list
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["username"] == "li.ming")
        .expect("listed");
    assert_eq!(created["display_name"], "李明");
    assert_eq!(created["roles"], serde_json::json!(["Cadre", "Lecturer"]));
    let c = client();
    let res = app.login(&c, "LI.MING", "夜校学习非常重要").await;
    // The admin chose this password: its owner must choose their own before anything else.
    assert_eq!(location(&res), "/account/password?required=1");
    let (_, body) = app.page(&c, "/me").await;
    assert!(
        !body.contains("我的近期课程"),
        "pages wait for the new password"
    );
    assert_eq!(
        app.call(&c, "my_upcoming_sessions", &[]).await.status(),
        StatusCode::FORBIDDEN
    );
    let res = app
        .call(
            &c,
            "change_password",
            &[
                ("current", "夜校学习非常重要"),
                ("new_password", "运河红初心讲堂夜校"),
                ("new_password_again", "运河红初心讲堂夜校"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let res = app.login(&client(), "li.ming", "运河红初心讲堂夜校").await;
    assert_eq!(location(&res), "/lecturer");
    // Same name in other case is taken.
    let res = app
        .call(
            &admin,
            "accounts_create",
            &[
                ("username", "li.MING"),
                ("display_name", "L"),
                ("password", "hongqi-lantern-42"),
                ("cadre", "on"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::CONFLICT);
    // Roles can be changed.
    let id = created["id"].to_string();
    let res = app
        .call(
            &admin,
            "accounts_set_roles",
            &[("id", &id), ("organiser", "on")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let res = app.login(&client(), "li.ming", "运河红初心讲堂夜校").await;
    assert_eq!(location(&res), "/organiser");
}

async fn bad_account_input_is_refused_and_saves_nothing(backend: Backend) {
    let app = spawn_app(backend).await;
    let admin = app.signed_in("admin").await;
    let before = app.repo.count_accounts().await.unwrap();
    let cases: [(&[(&str, &str)], &str); 6] = [
        (
            &[
                ("username", "okname"),
                ("display_name", "X"),
                ("password", "Password1"),
                ("cadre", "on"),
            ],
            "CommonPassword",
        ),
        (
            &[
                ("username", "oknameok"),
                ("display_name", "X"),
                ("password", "OKNAMEOK"),
                ("cadre", "on"),
            ],
            "CommonPassword",
        ),
        (
            &[
                ("username", "a b"),
                ("display_name", "X"),
                ("password", "hongqi-lantern-42"),
                ("cadre", "on"),
            ],
            "Username",
        ),
        (
            &[
                ("username", "okname"),
                ("display_name", " "),
                ("password", "hongqi-lantern-42"),
                ("cadre", "on"),
            ],
            "DisplayName",
        ),
        (
            &[
                ("username", "okname"),
                ("display_name", "X"),
                ("password", "short"),
                ("cadre", "on"),
            ],
            "PasswordLength",
        ),
        (
            &[
                ("username", "okname"),
                ("display_name", "X"),
                ("password", "hongqi-lantern-42"),
            ],
            "NoRole",
        ),
    ];
    for (form, why) in cases {
        let res = app.call(&admin, "accounts_create", form).await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "{why}");
        let body = res.text().await.unwrap();
        assert!(body.contains(why), "{why}: {body}");
    }
    assert_eq!(app.repo.count_accounts().await.unwrap(), before);
}

async fn the_last_admin_cannot_be_removed(backend: Backend) {
    let app = spawn_app(backend).await;
    let admin = app.signed_in("admin").await;
    let id = app
        .repo
        .list_accounts()
        .await
        .unwrap()
        .into_iter()
        .find(|a| a.username == "admin")
        .unwrap()
        .id
        .to_string();
    let res = app
        .call(
            &admin,
            "accounts_set_roles",
            &[("id", &id), ("organiser", "on")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::CONFLICT);
    assert!(res.text().await.unwrap().contains("LastAdmin"));
    let res = app
        .call(
            &admin,
            "accounts_set_disabled",
            &[("id", &id), ("disabled", "true")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::CONFLICT);
    let me: Value = app.call(&admin, "me", &[]).await.json().await.unwrap();
    assert_eq!(me["roles"], serde_json::json!(["Admin"]));
}

async fn everyone_can_change_their_own_password(backend: Backend) {
    let app = spawn_app(backend).await;
    let phone = app.signed_in("cadre").await;
    let laptop = app.signed_in("cadre").await;
    let change = |current: &'static str, new: &'static str, again: &'static str| {
        [
            ("current", current),
            ("new_password", new),
            ("new_password_again", again),
        ]
    };
    let res = app
        .call(
            &phone,
            "change_password",
            &change("wrong-one", "newpassword1", "newpassword1"),
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let res = app
        .call(
            &phone,
            "change_password",
            &change("nightschool", "newpassword1", "newpassword2"),
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let res = app
        .call(
            &phone,
            "change_password",
            &change("nightschool", "newpassword1", "newpassword1"),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let me: Value = app.call(&phone, "me", &[]).await.json().await.unwrap();
    assert_eq!(me["username"], "cadre", "the session that changed it stays");
    let me: Value = app.call(&laptop, "me", &[]).await.json().await.unwrap();
    assert!(me.is_null(), "other sessions end");
    assert!(
        location(&app.login(&client(), "cadre", "nightschool").await).contains("bad_credentials")
    );
    assert_eq!(
        location(&app.login(&client(), "cadre", "newpassword1").await),
        "/me"
    );
}
