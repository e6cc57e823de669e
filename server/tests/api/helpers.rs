use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};

use app::domain::Timestamp;
use app::ssr::db::Repository;
use app::ssr::demo;
use nightschool_server::{Application, Settings, open_database};
use reqwest::redirect::Policy;
use reqwest::{Client, Response, StatusCode};
use sha2::{Digest, Sha256};

#[derive(Clone, Copy, Debug)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Generates one test per backend from one async body taking a `Backend`.
macro_rules! both_backends {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() {
                $crate::helpers::bounded(super::$name($crate::helpers::Backend::Sqlite)).await
            }) *
        }
        // Built without TEST_DATABASE_URL these report themselves as ignored (skipped),
        // never as passed; built with it, an unreachable server fails them.
        mod postgres {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            #[cfg_attr(not(postgres_tests), ignore = "TEST_DATABASE_URL is not set")]
            async fn $name() {
                $crate::helpers::bounded(super::$name($crate::helpers::Backend::Postgres)).await
            }) *
        }
    };
}
pub(crate) use both_backends;

/// A stuck test fails after two minutes instead of holding CI until its deadline.
pub async fn bounded(test: impl std::future::Future<Output = ()>) {
    let limit = std::time::Duration::from_secs(120);
    if tokio::time::timeout(limit, test).await.is_err() {
        panic!("test did not finish within {limit:?}");
    }
}

pub fn postgres_url() -> Option<String> {
    std::env::var("TEST_DATABASE_URL")
        .ok()
        .filter(|u| !u.is_empty())
}

static COUNTER: AtomicU32 = AtomicU32::new(0);

/// A database nobody else uses. The SQLite file lives in a temp dir removed on drop.
pub struct TestDb {
    pub url: String,
    _dir: Option<tempfile::TempDir>,
}

pub async fn fresh_db(backend: Backend) -> TestDb {
    match backend {
        Backend::Sqlite => {
            let dir = tempfile::tempdir().expect("temp dir");
            let url = format!("sqlite://{}/test.db", dir.path().display());
            TestDb {
                url,
                _dir: Some(dir),
            }
        }
        Backend::Postgres => {
            use sqlx::Connection;
            let base = postgres_url()
                .expect("TEST_DATABASE_URL was set when these tests were built but is not set now");
            let name = format!(
                "ns_test_{}_{}_{}",
                std::process::id(),
                COUNTER.fetch_add(1, Ordering::SeqCst),
                Timestamp::now().0
            );
            // CI must fail, not skip, when the server is unreachable.
            let mut admin = sqlx::PgConnection::connect(&base)
                .await
                .unwrap_or_else(|e| panic!("TEST_DATABASE_URL is set but unreachable: {e}"));
            sqlx::query(&format!("create database {name}"))
                .execute(&mut admin)
                .await
                .expect("create test database");
            TestDb {
                url: with_database(&base, &name),
                _dir: None,
            }
        }
    }
}

/// The same server URL with another database name.
fn with_database(url: &str, name: &str) -> String {
    let (base, query) = url
        .split_once('?')
        .map_or((url, None), |(b, q)| (b, Some(q)));
    let scheme_end = base.find("://").map_or(0, |i| i + 3);
    let server = match base[scheme_end..].find('/') {
        Some(slash) => &base[..scheme_end + slash],
        None => base,
    };
    match query {
        Some(q) => format!("{server}/{name}?{q}"),
        None => format!("{server}/{name}"),
    }
}

pub struct TestApp {
    pub address: String,
    pub repo: Arc<dyn Repository>,
    _db: TestDb,
    /// Recovery codes of the accounts whose second factor `signed_in` set up.
    recovery: std::sync::Mutex<std::collections::HashMap<String, Vec<String>>>,
}

/// The upload ceiling test servers run with (the default 50 MB would make slow tests).
pub const TEST_MAX_UPLOAD_BYTES: u64 = 1024 * 1024;

/// Starts the real server on port 0 over a fresh database filled with the demo data.
pub async fn spawn_app(backend: Backend) -> TestApp {
    spawn_app_with(backend, |_| {}).await
}

/// [`spawn_app`] with settings changed first (an identity provider, say).
pub async fn spawn_app_with(backend: Backend, configure: impl FnOnce(&mut Settings)) -> TestApp {
    let db = fresh_db(backend).await;
    let repo = open_database(&db.url).await.expect("open database");
    demo::seed(repo.as_ref(), Timestamp::now())
        .await
        .expect("seed demo data");
    let mut settings = Settings {
        database_url: db.url.clone(),
        addr: Some("127.0.0.1:0".parse().unwrap()),
        secure_cookies: false,
        public_url: None,
        token_clock: Default::default(),
        max_upload_bytes: TEST_MAX_UPLOAD_BYTES,
        trust_forwarded: false,
        audit_days: 180,
        backups: None,
        oidc: None,
        seen_every: app::ssr::seen::FLUSH_EVERY,
        email: None,
        sms: None,
        robots: Vec::new(),
        reminders: false,
    };
    configure(&mut settings);
    let app = Application::build(settings, repo.clone())
        .await
        .expect("build app");
    let address = format!("http://127.0.0.1:{}", app.port());
    tokio::spawn(app.run());
    TestApp {
        address,
        repo,
        _db: db,
        recovery: Default::default(),
    }
}

/// A browser-like client: keeps cookies, does not follow redirects (tests look at them).
pub fn client() -> Client {
    Client::builder()
        .cookie_store(true)
        .redirect(Policy::none())
        .build()
        .expect("client")
}

/// A value bound to a statement of [`TestApp::execute`].
pub enum Bind {
    Int(i64),
    Text(String),
}

impl TestApp {
    /// A second app server over the same database, with its own connections, as a
    /// deployment with several servers behind one PostgreSQL has.
    pub async fn second_server(&self) -> String {
        let repo = open_database(&self._db.url).await.expect("open database");
        let settings = Settings {
            database_url: self._db.url.clone(),
            addr: Some("127.0.0.1:0".parse().unwrap()),
            secure_cookies: false,
            public_url: None,
            token_clock: Default::default(),
            max_upload_bytes: TEST_MAX_UPLOAD_BYTES,
            trust_forwarded: false,
            audit_days: 180,
            backups: None,
            oidc: None,
            seen_every: app::ssr::seen::FLUSH_EVERY,
            email: None,
            sms: None,
            robots: Vec::new(),
            reminders: false,
        };
        let app = Application::build(settings, repo).await.expect("build app");
        let address = format!("http://127.0.0.1:{}", app.port());
        tokio::spawn(app.run());
        address
    }

    /// The database the server runs on.
    pub fn db_url(&self) -> &str {
        &self._db.url
    }

    /// Puts a login session's stored last-seen time at `at` (back in time, to test idling),
    /// past the store's rule that a stored time only moves forward.
    pub async fn set_last_seen(&self, token_hash: &str, at: Timestamp) {
        self.execute(
            "update auth_sessions set last_seen_at = $1 where token_hash = $2",
            &[Bind::Int(at.0), Bind::Text(token_hash.into())],
        )
        .await;
    }

    /// Runs one statement on the database behind the server's back, on its own connection.
    pub async fn execute(&self, sql: &str, binds: &[Bind]) {
        use sqlx::Connection;
        macro_rules! run {
            ($conn:ty) => {{
                let mut conn = <$conn>::connect(&self._db.url).await.unwrap();
                let mut query = sqlx::query(sql);
                for b in binds {
                    query = match b {
                        Bind::Int(v) => query.bind(*v),
                        Bind::Text(v) => query.bind(v.clone()),
                    };
                }
                query.execute(&mut conn).await.unwrap();
            }};
        }
        if self._db.url.starts_with("postgres") {
            run!(sqlx::PgConnection)
        } else {
            run!(sqlx::SqliteConnection)
        }
    }

    /// The login session's stored last-seen time.
    pub async fn stored_last_seen(&self, token_hash: &str) -> Timestamp {
        self.repo
            .auth_session(token_hash)
            .await
            .unwrap()
            .expect("login session")
            .clock
            .last_seen
    }

    /// The stored account named `username`.
    pub async fn account(&self, username: &str) -> app::ssr::db::Account {
        self.repo
            .list_accounts()
            .await
            .unwrap()
            .into_iter()
            .find(|a| a.username == username)
            .unwrap_or_else(|| panic!("no account {username}"))
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.address, path)
    }

    pub async fn login(&self, client: &Client, username: &str, password: &str) -> Response {
        client
            .post(self.url("/auth/login"))
            .form(&[("username", username), ("password", password)])
            .send()
            .await
            .expect("login request")
    }

    /// A client signed in as `username` with the demo password.
    pub async fn signed_in(&self, username: &str) -> Client {
        let c = client();
        let res = self.login(&c, username, demo::DEMO_PASSWORD).await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER, "login as {username}");
        let to = location(&res);
        if to.starts_with("/account/totp") {
            // An admin's first sign-in: set up the second factor as a phone app would.
            let codes = self.enrol(&c).await;
            self.recovery
                .lock()
                .unwrap()
                .insert(username.to_string(), codes);
        } else if to.starts_with("/login/totp") {
            // Later sign-ins: one of the recovery codes (a code is accepted once per
            // 30-second step, and tests sign in more often than that).
            let code = self
                .recovery
                .lock()
                .unwrap()
                .get_mut(username)
                .and_then(|codes| codes.pop())
                .expect("a recovery code left");
            let res = c
                .post(self.url("/auth/totp"))
                .form(&[("code", code.as_str())])
                .send()
                .await
                .unwrap();
            assert_eq!(res.status(), StatusCode::SEE_OTHER);
            assert!(!location(&res).starts_with("/login"), "{}", location(&res));
        } else {
            assert!(
                !to.starts_with("/login"),
                "login as {username} failed: {to}"
            );
        }
        c
    }

    /// Sets up the signed-in client's second factor; returns its recovery codes.
    pub async fn enrol(&self, c: &Client) -> Vec<String> {
        let res = self.call(c, "totp_begin", &[]).await;
        assert_eq!(res.status(), StatusCode::OK);
        let enrolment: serde_json::Value = res.json().await.unwrap();
        let secret = enrolment["secret"].as_str().unwrap().to_string();
        let res = self
            .call(c, "totp_confirm", &[("code", &totp_now(&secret))])
            .await;
        assert_eq!(
            res.status(),
            StatusCode::OK,
            "{}",
            res.text().await.unwrap()
        );
        res.json().await.unwrap()
    }

    /// Calls a server function the way a script on the page does.
    pub async fn call(&self, client: &Client, endpoint: &str, form: &[(&str, &str)]) -> Response {
        client
            .post(self.url(&format!("/api/{endpoint}")))
            .form(form)
            .send()
            .await
            .expect("server fn call")
    }

    pub async fn page(&self, client: &Client, path: &str) -> (StatusCode, String) {
        let res = client
            .get(self.url(path))
            .send()
            .await
            .expect("page request");
        let status = res.status();
        (status, res.text().await.expect("page body"))
    }
}

pub fn location(res: &Response) -> String {
    res.headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string()
}

pub fn set_cookie(res: &Response) -> String {
    res.headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .collect::<Vec<_>>()
        .join("\n")
}

/// The token hash the server stores for a session cookie value.
pub fn token_hash(token: &str) -> String {
    Sha256::digest(token.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

pub fn session_token(res: &Response) -> String {
    let cookies = set_cookie(res);
    let start = cookies.find("ns_session=").expect("session cookie") + "ns_session=".len();
    cookies[start..]
        .split(';')
        .next()
        .unwrap_or_default()
        .to_string()
}

#[test]
fn database_names_are_swapped_in_urls() {
    assert_eq!(
        with_database("postgres://postgres@127.0.0.1:5432/test", "x"),
        "postgres://postgres@127.0.0.1:5432/x"
    );
    assert_eq!(
        with_database("postgres://u@h/test?sslmode=disable", "x"),
        "postgres://u@h/x?sslmode=disable"
    );
    assert_eq!(with_database("postgres://u@h", "x"), "postgres://u@h/x");
}

/// The code an authenticator app shows now for a Base32 secret.
pub fn totp_now(secret: &str) -> String {
    totp_at(secret, 0)
}

/// The code it shows `ahead` seconds from now.
pub fn totp_at(secret: &str, ahead: u64) -> String {
    let bytes = totp_rs::Secret::Encoded(secret.to_string())
        .to_bytes()
        .expect("base32");
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock")
        .as_secs();
    totp_rs::TOTP::new(totp_rs::Algorithm::SHA1, 6, 1, 30, bytes)
        .expect("totp")
        .generate(now + ahead)
}
