//! Builds the Night School web application: the router, its state and the listener.
#![recursion_limit = "512"]
use std::net::SocketAddr;
use std::sync::Arc;

use anyhow::Context;
use app::domain::attendance::TokenClock;
use app::domain::files::DEFAULT_MAX_UPLOAD_BYTES;
use app::ssr::db::{self, Repository};
use app::ssr::state::AppState;
use app::ssr::{auth, backup, calendar, checkin, door, exports, files, import, security};
use app::{App, shell};
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};
use axum::serve::ListenerExt;
use leptos::config::{LeptosOptions, get_configuration};
use leptos::prelude::provide_context;
use leptos_axum::{LeptosRoutes, generate_route_list};
use tokio::net::TcpListener;
use tower_http::compression::CompressionLayer;

/// What the server needs to start; read from the environment by [`Settings::from_env`].
#[derive(Clone, Debug)]
pub struct Settings {
    pub database_url: String,
    /// `None` takes `LEPTOS_SITE_ADDR` (default 127.0.0.1:3000); tests pass port 0.
    pub addr: Option<SocketAddr>,
    pub secure_cookies: bool,
    /// `NIGHTSCHOOL_PUBLIC_URL`: the address printed in the door's QR code.
    pub public_url: Option<String>,
    /// How the door's QR code turns over (`NIGHTSCHOOL_QR_ROTATE_SECONDS`,
    /// `NIGHTSCHOOL_QR_ACCEPT_SECONDS`).
    pub token_clock: TokenClock,
    /// The largest attachment accepted (`NIGHTSCHOOL_MAX_UPLOAD_MB`, default 50 MB).
    pub max_upload_bytes: u64,
    /// `NIGHTSCHOOL_TRUST_PROXY=1`: clients' addresses come from `X-Forwarded-For`.
    pub trust_forwarded: bool,
    /// `NIGHTSCHOOL_AUDIT_DAYS`: audit lines are kept this many days (at least 180).
    pub audit_days: i64,
    /// Scheduled snapshots (`NIGHTSCHOOL_BACKUP_DIR`, `_HOURS`, `_KEEP`); `None`: off.
    pub backups: Option<backup::Schedule>,
    /// Sign-in through the district's identity provider (`NIGHTSCHOOL_OIDC_*`, read by
    /// [`Settings::with_oidc_from_env`]); `None`: password sign-in only.
    pub oidc: Option<app::ssr::oidc::OidcConfig>,
    /// How often login sessions' last-seen times are stored (`app::ssr::seen`).
    pub seen_every: std::time::Duration,
    /// E-mail for the outbox (`NIGHTSCHOOL_SMTP_*`, read by
    /// [`Settings::with_channels_from_env`]); `None`: off.
    pub email: Option<app::ssr::outbox::email::EmailConfig>,
    /// Text messages for the outbox (`NIGHTSCHOOL_SMS_*`); `None`: off.
    pub sms: Option<app::ssr::outbox::sms::SmsConfig>,
    /// Community work groups' robots (`NIGHTSCHOOL_DINGTALK_ROBOTS`,
    /// `NIGHTSCHOOL_WECOM_ROBOTS`); empty: off.
    pub robots: Vec<(
        app::domain::messages::Channel,
        Vec<app::ssr::outbox::robots::RobotEntry>,
    )>,
    /// Write the evening-before and late reminders when due (tests switch it off, so that
    /// nothing is written behind their backs).
    pub reminders: bool,
}

pub const DEFAULT_DATABASE_URL: &str = "sqlite://data/nightschool.db";

impl Settings {
    pub fn from_env() -> Self {
        Settings {
            database_url: std::env::var("DATABASE_URL")
                .unwrap_or_else(|_| DEFAULT_DATABASE_URL.into()),
            addr: None,
            secure_cookies: std::env::var("NIGHTSCHOOL_SECURE_COOKIES")
                .is_ok_and(|v| v == "1" || v == "true"),
            public_url: std::env::var("NIGHTSCHOOL_PUBLIC_URL")
                .ok()
                .map(|u| u.trim_end_matches('/').to_string())
                .filter(|u| !u.is_empty()),
            token_clock: token_clock_from_env(),
            max_upload_bytes: std::env::var("NIGHTSCHOOL_MAX_UPLOAD_MB")
                .ok()
                .and_then(|v| v.trim().parse::<u64>().ok())
                .filter(|mb| (1..=1024).contains(mb))
                .map_or(DEFAULT_MAX_UPLOAD_BYTES, |mb| mb * 1024 * 1024),
            trust_forwarded: std::env::var("NIGHTSCHOOL_TRUST_PROXY")
                .is_ok_and(|v| v == "1" || v == "true"),
            audit_days: std::env::var("NIGHTSCHOOL_AUDIT_DAYS")
                .ok()
                .and_then(|v| v.trim().parse::<i64>().ok())
                .filter(|d| *d >= app::domain::audit::DEFAULT_RETENTION_DAYS)
                .unwrap_or(app::domain::audit::DEFAULT_RETENTION_DAYS),
            backups: None,
            oidc: None,
            seen_every: app::ssr::seen::FLUSH_EVERY,
            email: None,
            sms: None,
            robots: Vec::new(),
            reminders: true,
        }
        .with_backups_from_env()
    }

    /// The identity provider's settings; an error names the one that is wrong, so a
    /// server configured half-way does not start.
    pub fn with_oidc_from_env(mut self) -> anyhow::Result<Self> {
        self.oidc = app::ssr::oidc::OidcConfig::from_env().map_err(anyhow::Error::msg)?;
        Ok(self)
    }

    /// The channels messages are pushed through besides the inbox, each off unless
    /// configured; an error names the value that is wrong, so the server does not start.
    pub fn with_channels_from_env(mut self) -> anyhow::Result<Self> {
        self.email =
            app::ssr::outbox::email::EmailConfig::from_env().map_err(anyhow::Error::msg)?;
        Ok(self)
    }

    /// Scheduled snapshots: every `NIGHTSCHOOL_BACKUP_HOURS` (default 24; 0 switches them
    /// off), the last `NIGHTSCHOOL_BACKUP_KEEP` kept (default 14), in
    /// `NIGHTSCHOOL_BACKUP_DIR` — by default `backups/` beside a SQLite file; a PostgreSQL
    /// deployment names its folder.
    fn with_backups_from_env(mut self) -> Self {
        let hours = std::env::var("NIGHTSCHOOL_BACKUP_HOURS")
            .ok()
            .and_then(|v| v.trim().parse::<u64>().ok())
            .filter(|h| *h <= 24 * 365)
            .unwrap_or(24);
        let keep = std::env::var("NIGHTSCHOOL_BACKUP_KEEP")
            .ok()
            .and_then(|v| v.trim().parse::<usize>().ok())
            .filter(|k| (1..=10_000).contains(k))
            .unwrap_or(14);
        let dir = std::env::var("NIGHTSCHOOL_BACKUP_DIR")
            .ok()
            .filter(|d| !d.trim().is_empty())
            .map(std::path::PathBuf::from)
            .or_else(|| sqlite_path(&self.database_url).map(|p| p.with_file_name("backups")));
        self.backups = dir.filter(|_| hours > 0).map(|dir| backup::Schedule {
            dir,
            every: std::time::Duration::from_secs(hours * 3600),
            keep,
        });
        self
    }

    /// Where `nightschool restore` keeps the snapshot it takes first.
    pub fn restore_snapshot_dir(&self) -> std::path::PathBuf {
        std::env::var("NIGHTSCHOOL_BACKUP_DIR")
            .ok()
            .filter(|d| !d.trim().is_empty())
            .map(std::path::PathBuf::from)
            .or_else(|| sqlite_path(&self.database_url).map(|p| p.with_file_name("backups")))
            .unwrap_or_else(|| std::path::PathBuf::from("backups"))
    }
}

/// The file of a `sqlite:` URL.
pub fn sqlite_path(url: &str) -> Option<std::path::PathBuf> {
    let path = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))?;
    let path = path.split('?').next().unwrap_or(path);
    Some(std::path::PathBuf::from(path))
}

fn token_clock_from_env() -> TokenClock {
    let read = |name: &str, default: i64, range: std::ops::RangeInclusive<i64>| {
        std::env::var(name)
            .ok()
            .and_then(|v| v.trim().parse::<i64>().ok())
            .filter(|v| range.contains(v))
            .unwrap_or(default)
    };
    let d = TokenClock::default();
    let rotate_seconds = read("NIGHTSCHOOL_QR_ROTATE_SECONDS", d.rotate_seconds, 5..=300);
    TokenClock {
        rotate_seconds,
        accept_seconds: read(
            "NIGHTSCHOOL_QR_ACCEPT_SECONDS",
            d.accept_seconds,
            rotate_seconds..=3600,
        ),
    }
}

/// Opens the database, creating the directory of a SQLite file when needed.
pub async fn open_database(url: &str) -> anyhow::Result<Arc<dyn Repository>> {
    if let Some(path) = sqlite_path(url)
        && let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty())
    {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    }
    db::connect(url)
        .await
        .with_context(|| format!("opening the database {}", redact(url)))
}

/// A database URL without its password, for messages.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            format!("{}://***{}", &url[..scheme], &url[at..])
        }
        _ => url.to_string(),
    }
}

pub fn leptos_options() -> anyhow::Result<LeptosOptions> {
    Ok(get_configuration(None)
        .context("reading the Leptos configuration")?
        .leptos_options)
}

pub fn router(state: AppState) -> Router {
    let routes = generate_route_list(App);
    let download_state = state.clone();
    let logged = move || {
        axum::middleware::from_fn_with_state(download_state.clone(), app::ssr::audit::log_download)
    };
    let context_state = state.clone();
    let provide_state = move || {
        provide_context(context_state.clone());
        security::provide_request_nonce();
    };
    Router::new()
        .route("/", get(auth::root))
        .route("/auth/login", post(auth::login))
        .route("/auth/logout", post(auth::logout))
        .route("/auth/totp", post(app::ssr::second_factor::verify))
        .route("/auth/oidc/start", get(app::ssr::oidc::start))
        .route(app::ssr::oidc::CALLBACK_PATH, get(app::ssr::oidc::callback))
        .route("/lang", post(auth::set_language))
        .route("/healthz", get(|| async { "ok" }))
        .route("/sessions/{id}/calendar.ics", get(calendar::session_ics))
        .route("/feeds/{file}", get(calendar::feed_ics))
        .route("/door/checkin", post(checkin::check_in))
        .route("/sessions/{id}/attendance.csv", get(exports::session_csv).layer(logged()))
        .route("/sessions/{id}/attendance.xlsx", get(exports::session_xlsx).layer(logged()))
        .route("/reports/{file}", get(exports::report_file).layer(logged()))
        .route("/admin/audit.csv", get(app::ssr::audit::download).layer(logged()))
        .route("/admin/backup.nsbak", post(backup::download))
        // The upload handler enforces the configured ceiling itself, with a clear answer.
        .route(
            "/sessions/{id}/attachments",
            post(files::upload).layer(DefaultBodyLimit::disable()),
        )
        .route(
            "/organiser/programme/import/upload",
            post(import::upload).layer(DefaultBodyLimit::max(import::MAX_SHEET_BYTES as usize * 2)),
        )
        .route("/files/{id}/{name}", get(files::download).layer(logged()))
        // Claims of hours earned elsewhere, with their certificate (the handler enforces the
        // upload ceiling itself).
        .route(
            "/claims/file",
            post(app::ssr::claims::file).layer(DefaultBodyLimit::disable()),
        )
        .route(
            "/claims/{id}/certificate",
            get(app::ssr::claims::certificate).layer(logged()),
        )
        // Leave with its kind and an optional attachment (the handler enforces the upload
        // ceiling itself), and the attachment for the cadre and their organisers.
        .route(
            "/sessions/{id}/leave",
            post(app::ssr::leave::file).layer(DefaultBodyLimit::disable()),
        )
        .route(
            "/leave/{id}/attachment",
            get(app::ssr::leave::attachment).layer(logged()),
        )
        // Certificates and annual dossiers as PDF (the verification page is a page).
        .route(
            "/certificates/{serial}/pdf",
            get(app::ssr::certificates::pdf).layer(logged()),
        )
        .route("/dossier.pdf", post(app::api::dossier::dossier))
        .leptos_routes_with_context(&state, routes, provide_state.clone(), {
            let options = state.leptos_options.clone();
            move || shell(options.clone())
        })
        .fallback(leptos_axum::file_and_error_handler_with_context::<AppState, _>(
            provide_state,
            shell,
        ))
        // Inside the session middleware (it needs the login and the change counters) and
        // inside compression (it keeps pages compressed as sent).
        .layer(axum::middleware::from_fn_with_state(
            state.kept_pages.clone(),
            app::ssr::kept_pages::serve,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            auth::resolve_session,
        ))
        .layer(axum::middleware::from_fn(app::ssr::guard::mark_plain_posts))
        // Pages compress well and phones at the door often have one bar of signal; the
        // WASM and CSS are precompressed at build time and pass through untouched.
        .layer(CompressionLayer::new())
        // The access log: one span per request, named by the id the audit log also sees.
        .layer(
            tower_http::trace::TraceLayer::new_for_http().make_span_with(
                |req: &axum::http::Request<axum::body::Body>| {
                    let id = req
                        .extensions()
                        .get::<security::RequestMeta>()
                        .map(|m| m.request_id.clone())
                        .unwrap_or_default();
                    tracing::info_span!("request", id = %id, method = %req.method(), path = %req.uri().path())
                },
            ),
        )
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            security::harden,
        ))
        .with_state(state)
}

/// A bound, not yet serving, application. Binding first lets tests use port 0.
pub struct Application {
    listener: TcpListener,
    router: Router,
    repo: Arc<dyn Repository>,
    audit_days: i64,
    backups: Option<backup::Schedule>,
    seen: Arc<app::ssr::seen::Seen>,
    outbox: Arc<app::ssr::outbox::Outbox>,
    reminders: bool,
    standings: Arc<app::ssr::standings::Standings>,
}

impl Application {
    pub async fn build(settings: Settings, repo: Arc<dyn Repository>) -> anyhow::Result<Self> {
        let mut options = leptos_options()?;
        if let Some(addr) = settings.addr {
            options.site_addr = addr;
        }
        let listener = TcpListener::bind(options.site_addr)
            .await
            .with_context(|| format!("binding {}", options.site_addr))?;
        let secret = door::load_secret(repo.as_ref()).await?;
        let door = door::Door {
            key: door::DoorKey::new(&secret, settings.token_clock),
            writer: door::CheckinWriter::spawn(repo.clone()),
            public_url: settings.public_url.clone(),
        };
        let seen = app::ssr::seen::Seen::spawn(repo.clone(), settings.seen_every);
        let mut senders: Vec<Arc<dyn app::ssr::outbox::Sender>> = Vec::new();
        if let Some(email) = &settings.email {
            senders.push(Arc::new(
                app::ssr::outbox::email::EmailSender::new(email).map_err(anyhow::Error::msg)?,
            ));
        }
        if let Some(sms) = &settings.sms {
            senders.push(app::ssr::outbox::providers::sms_sender(sms).map_err(anyhow::Error::msg)?);
        }
        if !settings.robots.is_empty() {
            let subdistricts = repo.subdistricts().await?;
            let communities: Vec<(i64, String, String)> = repo
                .communities()
                .await?
                .into_iter()
                .map(|c| {
                    let held = subdistricts
                        .iter()
                        .find(|s| s.id == c.subdistrict_id)
                        .map(|s| s.name.clone())
                        .unwrap_or_default();
                    (c.id, c.name, held)
                })
                .collect();
            for (channel, entries) in &settings.robots {
                let sender = app::ssr::outbox::robots::RobotSender::new(
                    *channel,
                    entries.clone(),
                    &communities,
                )
                .map_err(anyhow::Error::msg)?;
                senders.push(Arc::new(sender));
            }
        }
        let outbox = Arc::new(app::ssr::outbox::Outbox::new(senders));
        let standings: Arc<app::ssr::standings::Standings> = Default::default();
        let state = AppState {
            leptos_options: options,
            repo: repo.clone(),
            secure_cookies: settings.secure_cookies,
            door,
            seen: seen.clone(),
            outbox: outbox.clone(),
            logins: Default::default(),
            reference: Default::default(),
            standings: standings.clone(),
            reports: Default::default(),
            kept_pages: Default::default(),
            sheets: Default::default(),
            max_upload_bytes: settings.max_upload_bytes,
            trust_forwarded: settings.trust_forwarded,
            refusals: Default::default(),
            backups: settings.backups.clone(),
            oidc: match settings.oidc.clone() {
                Some(config) => {
                    Some(app::ssr::oidc::Oidc::new(config).map_err(anyhow::Error::msg)?)
                }
                None => None,
            },
        };
        Ok(Application {
            listener,
            router: router(state),
            repo,
            audit_days: settings.audit_days,
            backups: settings.backups,
            seen,
            outbox,
            reminders: settings.reminders,
            standings,
        })
    }

    pub fn port(&self) -> u16 {
        self.listener.local_addr().map(|a| a.port()).unwrap_or(0)
    }

    pub async fn run(self) -> anyhow::Result<()> {
        spawn_pruning(self.repo.clone(), self.audit_days);
        if let Err(why) = tokio::task::spawn_blocking(app::ssr::pdf::check_font).await? {
            tracing::warn!(%why, "certificates and dossiers cannot be downloaded as PDF");
        }
        self.outbox
            .clone()
            .spawn(self.repo.clone(), self.reminders, self.standings.clone());
        if let Some(schedule) = self.backups {
            tracing::info!(dir = %schedule.dir.display(), hours = schedule.every.as_secs() / 3600, keep = schedule.keep, "scheduled backups on");
            backup::spawn_schedule(self.repo.clone(), schedule);
        }
        // Leptos streams pages in chunks: without TCP_NODELAY, Nagle's algorithm and
        // delayed ACKs add ~40 ms to every page.
        let listener = self.listener.tap_io(|tcp| {
            let _ = tcp.set_nodelay(true);
        });
        axum::serve(
            listener,
            self.router
                .into_make_service_with_connect_info::<SocketAddr>(),
        )
        .with_graceful_shutdown(shutdown_signal())
        .await
        .context("serving")?;
        // What was seen since the last flush is stored before the process ends.
        if let Err(err) = self.seen.flush(self.repo.as_ref()).await {
            tracing::warn!(error = %err, "storing login sessions' last-seen times failed");
        }
        Ok(())
    }
}

/// Hourly: forgets login sessions that can no longer be valid, tries older than any
/// throttle's window, and audit lines past their keeping time.
fn spawn_pruning(repo: Arc<dyn Repository>, audit_days: i64) {
    tokio::spawn(async move {
        let mut every = tokio::time::interval(std::time::Duration::from_secs(3600));
        loop {
            every.tick().await;
            let now = app::domain::Timestamp::now();
            if let Err(err) = repo.prune_auth_sessions(now).await {
                tracing::warn!(error = %err, "pruning login sessions failed");
            }
            let tries_before = app::domain::Timestamp(now.0 - 2 * 3600);
            let audit_before = app::domain::Timestamp(now.0 - audit_days * 24 * 3600);
            if let Err(err) = repo.prune_security(tries_before, audit_before).await {
                tracing::warn!(error = %err, "pruning tries and audit lines failed");
            }
        }
    });
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
}

pub fn init_tracing() {
    use tracing_subscriber::EnvFilter;
    let filter =
        EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn"));
    let _ = tracing_subscriber::fmt().with_env_filter(filter).try_init();
}

#[cfg(test)]
mod tests {
    use super::redact;

    #[test]
    fn passwords_are_hidden_from_messages() {
        assert_eq!(
            redact("postgres://u:secret@db:5432/ns"),
            "postgres://***@db:5432/ns"
        );
        assert_eq!(redact("sqlite://data/ns.db"), "sqlite://data/ns.db");
    }
}
