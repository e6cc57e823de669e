//! Sign-in through the district's identity provider: a real OpenID provider (the certified
//! npm package `oidc-provider`, started here from `end2end/oidc/provider.mjs`), the
//! browser's round trip through its login form, the link made once by the configured claim
//! and kept by subject, and every way the answer can be wrong.
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

use app::domain::audit::AuditKind;
use app::ssr::db::AuditFilter;
use app::ssr::oidc::{LinkClaim, OidcConfig};
use reqwest::{Client, StatusCode};

use crate::helpers::*;

both_backends!(
    cadres_sign_in_through_the_district_provider,
    the_provider_cannot_be_tricked,
);

/// The provider's users: ids as the provider knows them, with the claim that names a Night
/// School account.
const USERS: &str = r#"{
    "E1001": {"preferred_username": "cadre", "name": "王磊"},
    "E1002": {"preferred_username": "lecturer"},
    "E1003": {"preferred_username": "admin"},
    "E9999": {"preferred_username": "nobody-here"}
}"#;

/// The running provider; stopped when dropped.
struct Provider {
    child: Child,
    issuer: String,
}

impl Drop for Provider {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A port nobody listens on now (the provider's issuer URL has to be known before the app
/// that trusts it starts, and the app's address before the provider that redirects to it).
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn start_provider(port: u16, redirect: &str) -> Provider {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../end2end");
    assert!(
        root.join("node_modules/oidc-provider").exists(),
        "end2end/node_modules lacks oidc-provider: run scripts/setup"
    );
    let mut child = Command::new("node")
        .arg("oidc/provider.mjs")
        .current_dir(&root)
        .env("OIDC_PORT", port.to_string())
        .env("OIDC_REDIRECT_URIS", redirect)
        .env("OIDC_USERS", USERS)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("node (Node.js) runs the test provider");
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    out.read_line(&mut line).unwrap();
    // Whatever it prints later is read too: a closed pipe would stop it.
    std::thread::spawn(move || std::io::copy(&mut out, &mut std::io::sink()));
    let issuer = line
        .trim()
        .strip_prefix("issuer ")
        .unwrap_or_else(|| panic!("the provider did not start: {line:?}"))
        .to_string();
    Provider { child, issuer }
}

/// The app, configured for a provider on `port`, and that provider.
async fn app_with_provider(backend: Backend) -> (TestApp, Provider) {
    let port = free_port();
    let app = spawn_app_with(backend, |settings| {
        settings.oidc = Some(OidcConfig {
            issuer: format!("http://127.0.0.1:{port}"),
            client_id: "nightschool".into(),
            client_secret: Some("nightschool-test-secret".into()),
            redirect_url: None,
            claim: LinkClaim::PreferredUsername,
            label: Some("区统一身份认证".into()),
        });
    })
    .await;
    let provider = start_provider(port, &app.url("/auth/oidc/callback"));
    assert_eq!(provider.issuer, format!("http://127.0.0.1:{port}"));
    (app, provider)
}

/// Follows redirects by hand from `url` until one points back at the app's callback; on
/// the provider's login form, signs in as `user`. Returns the callback URL.
async fn through_provider(c: &Client, provider: &Provider, url: &str, user: &str) -> String {
    let mut url = url.to_string();
    for _ in 0..10 {
        if url.contains("/auth/oidc/callback") {
            return url;
        }
        let res = c.get(&url).send().await.unwrap();
        if res.status().is_redirection() {
            url = absolute(&provider.issuer, &location(&res));
            continue;
        }
        let page = res.text().await.unwrap();
        let action = page
            .split("action=\"")
            .nth(1)
            .and_then(|rest| rest.split('"').next())
            .unwrap_or_else(|| panic!("no login form at {url}: {page}"));
        let res = c
            .post(absolute(&provider.issuer, action))
            .form(&[("prompt", "login"), ("login", user), ("password", "any")])
            .send()
            .await
            .unwrap();
        assert!(
            res.status().is_redirection(),
            "login form: {}",
            res.status()
        );
        url = absolute(&provider.issuer, &location(&res));
    }
    panic!("the provider never sent the browser back");
}

fn absolute(base: &str, to: &str) -> String {
    if to.starts_with("http") {
        to.to_string()
    } else {
        format!("{base}{to}")
    }
}

/// A whole sign-in from the login page's button; returns where the app sends the browser.
async fn sign_in(app: &TestApp, provider: &Provider, c: &Client, user: &str, next: &str) -> String {
    let res = c
        .get(app.url(&format!("/auth/oidc/start?next={next}")))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let to = location(&res);
    assert!(to.starts_with(&provider.issuer), "{to}");
    assert!(to.contains("code_challenge="), "PKCE: {to}");
    assert!(to.contains("nonce="), "{to}");
    let callback = through_provider(c, provider, &to, user).await;
    let res = c.get(&callback).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    location(&res)
}

async fn me(app: &TestApp, c: &Client) -> serde_json::Value {
    let res = app.call(c, "me", &[]).await;
    assert_eq!(res.status(), StatusCode::OK);
    res.json().await.unwrap()
}

/// What the refusals logged, for failure messages.
async fn refusals(app: &TestApp) -> Vec<String> {
    lines(app, AuditKind::LoginIdentityRefused)
        .await
        .into_iter()
        .map(|r| r.line.detail)
        .collect()
}

async fn lines(app: &TestApp, kind: AuditKind) -> Vec<app::ssr::db::AuditRecord> {
    let filter = AuditFilter {
        kind: Some(kind),
        ..Default::default()
    };
    app.repo.audit_lines(&filter, 1000).await.unwrap()
}

/// The login page offers the provider's button; a cadre signs in through it, is linked to
/// her account by the claim once, and by subject after that; admins see and remove links.
async fn cadres_sign_in_through_the_district_provider(backend: Backend) {
    let (app, provider) = app_with_provider(backend).await;

    let anonymous = client();
    let res = app.call(&anonymous, "sign_in_options", &[]).await;
    let options: serde_json::Value = res.json().await.unwrap();
    assert_eq!(options["identity_provider"], true);
    assert_eq!(options["label"], "区统一身份认证");
    let (status, page) = app.page(&anonymous, "/login").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        page.contains("/auth/oidc/start"),
        "the button is on the page"
    );
    assert!(page.contains("区统一身份认证"));

    // First sign-in: linked by preferred_username, landing where the cadre was going.
    let c = client();
    let to = sign_in(&app, &provider, &c, "E1001", "/sessions").await;
    assert_eq!(to, "/sessions", "{:?}", refusals(&app).await);
    assert_eq!(me(&app, &c).await["username"], "cadre");
    let links = app.repo.identity_links().await.unwrap();
    assert_eq!(links.len(), 1);
    assert_eq!(links[0].linked_by, "cadre");
    assert_eq!(links[0].issuer, provider.issuer);
    assert_eq!(lines(&app, AuditKind::IdentityLinked).await.len(), 1);
    let ok = lines(&app, AuditKind::LoginSucceeded).await;
    assert!(ok[0].line.detail.contains("oidc"), "{:?}", ok[0].line);

    // Again, from a fresh browser: the link is found by subject, not made twice; with no
    // `next`, the cadre's home.
    let c2 = client();
    let to = sign_in(&app, &provider, &c2, "E1001", "").await;
    assert_eq!(to, "/me");
    assert_eq!(me(&app, &c2).await["username"], "cadre");
    assert_eq!(app.repo.identity_links().await.unwrap().len(), 1);
    assert_eq!(lines(&app, AuditKind::IdentityLinked).await.len(), 1);

    // An admin through the provider still sets up the second factor the role requires.
    let a = client();
    let to = sign_in(&app, &provider, &a, "E1003", "").await;
    assert!(to.starts_with("/account/totp"), "{to}");

    // The admin page shows the link and takes it away; the cadre's sessions end.
    let admin = app.signed_in("admin").await;
    let res = app.call(&admin, "accounts_list", &[]).await;
    let accounts: serde_json::Value = res.json().await.unwrap();
    let cadre = accounts
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["username"] == "cadre")
        .unwrap()
        .clone();
    assert_eq!(cadre["identity"], "cadre");
    let id = cadre["id"].as_i64().unwrap().to_string();
    let res = app
        .call(&admin, "accounts_unlink_identity", &[("id", &id)])
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert!(
        app.repo
            .identity_links()
            .await
            .unwrap()
            .iter()
            .all(|l| l.linked_by != "cadre")
    );
    assert!(me(&app, &c).await.is_null(), "the cadre's sessions ended");
    assert_eq!(lines(&app, AuditKind::IdentityUnlinked).await.len(), 1);
    // A cadre may not unlink anyone.
    let res = app
        .call(&c2, "accounts_unlink_identity", &[("id", &id)])
        .await;
    assert_ne!(res.status(), StatusCode::OK);

    // Without a provider configured there is no button and no endpoint.
    let plain = spawn_app(backend).await;
    let res = plain.call(&client(), "sign_in_options", &[]).await;
    let options: serde_json::Value = res.json().await.unwrap();
    assert_eq!(options["identity_provider"], false);
    let res = client()
        .get(plain.url("/auth/oidc/start"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
}

/// Unknown people, disabled accounts, a forged or replayed answer, an answer for another
/// browser: each ends on the login page with its reason, signs nobody in, and is logged.
async fn the_provider_cannot_be_tricked(backend: Backend) {
    let (app, provider) = app_with_provider(backend).await;

    // Someone the provider knows but Night School does not.
    let c = client();
    let to = sign_in(&app, &provider, &c, "E9999", "").await;
    assert_eq!(to, "/login?error=oidc_unknown");
    assert!(me(&app, &c).await.is_null());
    assert!(app.repo.identity_links().await.unwrap().is_empty());
    let refused = lines(&app, AuditKind::LoginIdentityRefused).await;
    assert_eq!(refused.len(), 1);
    assert!(
        refused[0].line.detail.contains("no_account"),
        "{:?}",
        refused[0]
    );

    // A disabled account.
    let admin = app.signed_in("admin").await;
    let lecturer = app
        .repo
        .list_accounts()
        .await
        .unwrap()
        .into_iter()
        .find(|a| a.username == "lecturer")
        .unwrap();
    let res = app
        .call(
            &admin,
            "accounts_set_disabled",
            &[("id", &lecturer.id.to_string()), ("disabled", "true")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let c = client();
    let to = sign_in(&app, &provider, &c, "E1002", "").await;
    assert_eq!(to, "/login?error=disabled");
    assert!(me(&app, &c).await.is_null());

    // The answer with a changed state, then an answer arriving in a browser that never
    // started a sign-in (login CSRF): both refused; the real one still works once.
    let c = client();
    let res = c.get(app.url("/auth/oidc/start")).send().await.unwrap();
    let callback = through_provider(&c, &provider, &location(&res), "E1001").await;
    let forged = callback.replace("state=", "state=x");
    let res = c.get(&forged).send().await.unwrap();
    assert_eq!(location(&res), "/login?error=oidc_failed");
    assert!(me(&app, &c).await.is_null());
    // The flow cookie was spent by the refusal: the genuine answer now meets no flow.
    let res = c.get(&callback).send().await.unwrap();
    assert_eq!(location(&res), "/login?error=oidc_failed");
    let stranger = client();
    let res = stranger.get(&callback).send().await.unwrap();
    assert_eq!(location(&res), "/login?error=oidc_failed");
    assert!(me(&app, &stranger).await.is_null());

    // A code used once cannot be used again, even with the right state.
    let c = client();
    let res = c.get(app.url("/auth/oidc/start")).send().await.unwrap();
    let flow_cookie = set_cookie(&res);
    let callback = through_provider(&c, &provider, &location(&res), "E1001").await;
    let res = c.get(&callback).send().await.unwrap();
    assert_eq!(location(&res), "/me");
    let replay = client();
    let res = replay
        .get(&callback)
        .header("cookie", flow_cookie.split(';').next().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(location(&res), "/login?error=oidc_failed");
    assert!(me(&app, &replay).await.is_null());

    // The provider says no (the person cancelled).
    let c = client();
    c.get(app.url("/auth/oidc/start")).send().await.unwrap();
    let res = c
        .get(app.url("/auth/oidc/callback?error=access_denied&state=x"))
        .send()
        .await
        .unwrap();
    assert_eq!(location(&res), "/login?error=oidc_failed");

    let reasons: Vec<String> = lines(&app, AuditKind::LoginIdentityRefused)
        .await
        .into_iter()
        .map(|r| r.line.detail)
        .collect();
    for reason in ["state_mismatch", "no_flow", "exchange", "provider_error"] {
        assert!(
            reasons.iter().any(|d| d.contains(reason)),
            "{reason} in {reasons:?}"
        );
    }
}
