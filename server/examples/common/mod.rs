//! Pieces the shipped benchmarks and the crash test share: where the release server is, a
//! child process running it, and a door set up with many signed-in cadres.
#![allow(dead_code)]
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use std::time::Duration;

use anyhow::{Context, bail};
use app::domain::attendance::TokenClock;
use app::domain::audience::Audience;
use app::domain::audit::AuditKind;
use app::domain::hours::StudyHours;
use app::domain::org::Unit;
use app::domain::people::Position;
use app::domain::schedule::{LECTURE_SERIES, SessionFormat};
use app::domain::{DisplayName, Role, Roles, Timestamp, Username};
use app::ssr::db::{self, NewAccount, NewAuthSession, NewPerson, NewSession, Tier};
use app::ssr::door::DoorKey;
use reqwest::Client;
use sha2::{Digest, Sha256};

pub fn repo_root() -> PathBuf {
    let server_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    server_dir.parent().unwrap_or(server_dir).to_path_buf()
}

pub fn default_server_bin() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR").map(PathBuf::from);
    let target = target.unwrap_or_else(|| repo_root().join("target"));
    target.join("release").join("nightschool")
}

pub fn cpu_model() -> String {
    let info = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let model = info.lines().find_map(|l| l.strip_prefix("model name"));
    model
        .map_or("unknown CPU", |m| m.trim_start_matches([' ', '\t', ':']))
        .to_string()
}

/// A process's CPU time so far, user and system (`/proc/PID/stat`, in the kernel's 100 Hz
/// ticks); zero when it cannot be read.
pub fn cpu_time(pid: u32) -> Duration {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    // The command name is in parentheses and may hold spaces: count fields after it.
    let after = stat.rsplit_once(')').map_or("", |(_, rest)| rest);
    let fields: Vec<&str> = after.split_whitespace().collect();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|v| v.parse::<u64>().ok())
            .unwrap_or(0)
    };
    // utime and stime are fields 14 and 15 of the line; after the name, field 3 is first.
    Duration::from_millis((ticks(11) + ticks(12)) * 10)
}

/// The release server as a child process, killed (SIGKILL) when dropped, on errors too.
pub struct ServerProcess(pub Child);

impl ServerProcess {
    pub fn start(
        bin: &Path,
        url: &str,
        addr: SocketAddr,
        env: &[(&str, &str)],
    ) -> anyhow::Result<Self> {
        let site_root = std::env::var_os("LEPTOS_SITE_ROOT").map(PathBuf::from);
        let site_root = site_root.unwrap_or_else(|| repo_root().join("target/site"));
        let mut command = Command::new(bin);
        command
            .arg("serve")
            .env("DATABASE_URL", url)
            .env("LEPTOS_SITE_ADDR", addr.to_string())
            .env("LEPTOS_SITE_ROOT", site_root)
            .env("RUST_LOG", "warn")
            // A scheduled snapshot at start would copy the whole database mid-measurement.
            .env("NIGHTSCHOOL_BACKUP_HOURS", "0");
        for (k, v) in env {
            command.env(k, v);
        }
        let child = command
            .spawn()
            .with_context(|| format!("starting {}", bin.display()))?;
        Ok(ServerProcess(child))
    }

    pub async fn wait_until_up(&self, base: &str) -> anyhow::Result<()> {
        let client = Client::new();
        for _ in 0..300 {
            let health = client.get(format!("{base}/healthz")).send().await;
            if health.is_ok_and(|r| r.status().is_success()) {
                return Ok(());
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        bail!("the server did not answer within 30 s")
    }

    /// SIGKILL: no shutdown, no flushing, like a power cut for the process.
    pub fn kill(mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// The check-in secret the door tools give the server (and sign their tokens with).
pub const DOOR_SECRET: &str = "door-benchmark-secret-not-for-production";

/// A session whose door is open now, and `cadres` cadres signed in to check in to it.
pub struct Door {
    pub session_id: i64,
    /// `(person id, cookie header value)` per cadre.
    pub cadres: Vec<(i64, String)>,
    /// The cookie header value of the district's organiser, who watches the door board and
    /// the programme dashboard.
    pub organiser: String,
    pub key: DoorKey,
}

impl Door {
    pub fn token(&self) -> String {
        self.key
            .token(self.session_id, self.key.clock.step(Timestamp::now()))
    }
}

/// Fills an empty database with one community, one tier, `cadres` cadres with accounts and
/// login sessions, the district's organiser (signed in too), and one session that started
/// five minutes ago, for everyone.
pub async fn seed_door(url: &str, cadres: usize) -> anyhow::Result<Door> {
    let repo = db::connect(url).await.context("opening the database")?;
    let repo = repo.as_ref();
    let now = Timestamp::now();
    let community = repo.create_community(1, "运河社区", now).await?;
    let tier = repo
        .create_tier(
            &Tier {
                id: 0,
                name_zh: "雏雁".into(),
                name_en: "Young goose".into(),
                rank: 1,
                target_count: cadres as i64,
                description: String::new(),
            },
            now,
        )
        .await?;
    let theme = repo
        .create_theme("信访维稳", "Petitions and stability", None, now)
        .await?;
    let people: Vec<NewPerson> = (0..cadres)
        .map(|i| NewPerson {
            name: format!("学员{i:05}"),
            community_id: Some(community),
            tier_id: Some(tier),
            position: Position::GridWorker,
            phone: String::new(),
        })
        .collect();
    let mut ids = Vec::with_capacity(cadres);
    for batch in people.chunks(1000) {
        ids.extend(repo.create_people(batch, now).await?);
    }
    let account = |username: String, role: Role, person_id: i64| async move {
        repo.create_account(
            &NewAccount {
                display_name: DisplayName::parse(&username)?,
                username: Username::parse(&username)?,
                password_hash: "no password: signed in by the benchmark".into(),
                roles: Roles::new([role]),
                person_id: Some(person_id),
                must_change_password: false,
            },
            None,
            now,
        )
        .await
        .map_err(anyhow::Error::from)
    };
    // Signed in an hour ago and not seen since, as phones are on a real evening: the first
    // tap makes the login seen again.
    let sign_in = |account_id: i64, token: String| async move {
        let hash: String = Sha256::digest(token.as_bytes())
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        let signed_in = Timestamp(now.0 - 3600);
        repo.create_auth_session(
            &NewAuthSession {
                token_hash: hash,
                pending: None,
                account_id,
                created_at: signed_in,
                idle_secs: 12 * 3600,
                expires_at: Timestamp(signed_in.0 + 12 * 3600),
            },
            "",
            &app::ssr::audit::system(AuditKind::AccountCreated, "bench"),
        )
        .await?;
        anyhow::Ok(format!("ns_session={token}"))
    };
    let mut out = Vec::with_capacity(cadres);
    for (i, person_id) in ids.into_iter().enumerate() {
        let id = account(format!("door{i:05}"), Role::Cadre, person_id).await?;
        out.push((person_id, sign_in(id, format!("door-{i}-{}", now.0)).await?));
    }
    let staff = repo
        .create_people(
            &[NewPerson {
                name: "赵敏".into(),
                community_id: None,
                tier_id: None,
                position: Position::SubdistrictLeader,
                phone: String::new(),
            }],
            now,
        )
        .await?;
    let id = account("organiser".into(), Role::Organiser, staff[0]).await?;
    // Granting ends the account's logins (what they allowed changed): sign in after.
    let line = app::ssr::audit::system(AuditKind::RolesChanged, "bench");
    repo.grant_unit(id, Unit::District, &line).await?;
    let organiser = sign_in(id, format!("organiser-{}", now.0)).await?;
    let session_id = repo
        .create_session(
            &NewSession {
                subdistrict_id: Some(1),
                series: LECTURE_SERIES.into(),
                title: "运河红·初心讲堂：信访工作条例".into(),
                theme_id: theme,
                format: SessionFormat::Lecture,
                starts_at: Timestamp(now.0 - 300),
                ends_at: Timestamp(now.0 + 6 * 3600),
                place: "街道党群服务中心".into(),
                description_md: String::new(),
                lecturer_ids: vec![],
                audience: Audience::Everyone,
                study_hours: StudyHours(20),
                hours_overridden: false,
                capacity: None,
                clash_override_reason: None,
            },
            now,
        )
        .await?;
    Ok(Door {
        session_id,
        cadres: out,
        organiser,
        key: DoorKey::new(DOOR_SECRET.as_bytes(), TokenClock::default()),
    })
}

/// One tap at the door. `Ok(true)` when the server confirmed the check-in (recorded or
/// already there), `Ok(false)` for any other answer, `Err` when there was no answer.
pub async fn tap(client: &Client, base: &str, cookie: &str, token: &str) -> reqwest::Result<bool> {
    let res = client
        .post(format!("{base}/door/checkin"))
        .header(reqwest::header::COOKIE, cookie)
        .form(&[("token", token)])
        .send()
        .await?;
    let location = res
        .headers()
        .get(reqwest::header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    Ok(res.status() == reqwest::StatusCode::SEE_OTHER
        && (location.contains("outcome=recorded") || location.contains("outcome=already")))
}

/// A client that does not follow redirects and keeps one connection.
pub fn door_client() -> anyhow::Result<Client> {
    Ok(Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .pool_max_idle_per_host(1)
        .build()?)
}

/// The q-quantile of sorted durations, in milliseconds.
pub fn quantile_ms(sorted: &[Duration], q: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() - 1) as f64 * q).round() as usize;
    sorted[i].as_secs_f64() * 1000.0
}
