//! Benchmark of the door: `--cadres` cadres (2,000), whose logins were last seen an hour
//! earlier, check in over `--connections` (64) connections against the release server while
//! the projector's door board refreshes every 3 s and the district's organiser keeps
//! reloading the programme dashboard. The baseline, measured in the same run: the raw rate
//! of single-row committed inserts into a database with the app's schema and settings, no
//! server in between, with the attendance triggers and without them. Run it with
//! `scripts/bench-checkin`; `--help` lists the options.
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, ensure};
use common::{
    DOOR_SECRET, Door, ServerProcess, cpu_model, default_server_bin, door_client, quantile_ms,
    seed_door, tap,
};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqliteSynchronous};
use sqlx::{ConnectOptions, Connection};

mod common;

const USAGE: &str = "\
cargo run --release -p nightschool --example bench_checkin -- [OPTION VALUE]...
  --cadres N           cadres checking in, once each (2000)
  --connections N      concurrent connections (64)
  --server-bin PATH    the release server (default $CARGO_TARGET_DIR/release/nightschool)
  --database-url URL   also run against this EMPTY PostgreSQL database (the raw baseline
                       uses a database beside it, named like it with `_raw`, made anew)
  --no-watchers        no door board or dashboard during the burst
";

struct Options {
    cadres: usize,
    connections: usize,
    server_bin: PathBuf,
    postgres: Option<String>,
    watchers: bool,
}

fn parse() -> anyhow::Result<Options> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.iter().any(|a| a == "--help" || a == "-h") {
        print!("{USAGE}");
        std::process::exit(0);
    }
    let value = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
    };
    let number = |name: &str, default: usize| -> anyhow::Result<usize> {
        value(name).map_or(Ok(default), |v| {
            v.parse().with_context(|| format!("{name} {v}"))
        })
    };
    Ok(Options {
        cadres: number("--cadres", 2000)?.max(1),
        connections: number("--connections", 64)?.max(1),
        server_bin: value("--server-bin").map_or_else(default_server_bin, PathBuf::from),
        postgres: value("--database-url").cloned(),
        watchers: !args.iter().any(|a| a == "--no-watchers"),
    })
}

struct Run {
    label: String,
    n: usize,
    elapsed: Duration,
    latencies: Vec<Duration>,
    failures: usize,
    /// The door board's and the dashboard's requests made during the burst.
    watched: Vec<(&'static str, Watch)>,
    /// Each check-in's start, from the burst's (the server runs only).
    starts: Vec<(Duration, Duration)>,
}

impl Run {
    /// Where in the burst the check-ins slower than 25 ms (issue 15's p99) started: their
    /// count in each tenth of the burst, and the share of all check-ins they make.
    fn print_slow(&self) {
        if self.starts.is_empty() {
            return;
        }
        let slow = Duration::from_millis(25);
        let tenth = self.elapsed.as_secs_f64() / 10.0;
        let mut counts = [0usize; 10];
        for (start, latency) in &self.starts {
            if *latency > slow {
                counts[((start.as_secs_f64() / tenth) as usize).min(9)] += 1;
            }
        }
        let total: usize = counts.iter().sum();
        println!(
            "  over 25 ms: {total} ({:.1} %), by tenth of the burst: {}",
            100.0 * total as f64 / self.starts.len() as f64,
            counts.map(|c| c.to_string()).join(" ")
        );
    }

    fn rate(&self) -> f64 {
        self.n as f64 / self.elapsed.as_secs_f64()
    }

    fn print(&self, raw: f64, bare: f64) {
        println!(
            "{:<38} {:>7} {:>10.0} {:>8.2} {:>8.2} {:>9.2} {:>9.2}  {}",
            self.label,
            self.n,
            self.rate(),
            quantile_ms(&self.latencies, 0.5),
            quantile_ms(&self.latencies, 0.99),
            self.rate() / raw,
            self.rate() / bare,
            if self.failures == 0 {
                "ok".to_string()
            } else {
                format!("{} FAILED", self.failures)
            }
        );
    }
}

/// Requests made beside the burst, and how they went.
#[derive(Default)]
struct Watch {
    latencies: Vec<Duration>,
    failures: usize,
}

impl Watch {
    fn print(&self, label: &str) {
        let mut sorted = self.latencies.clone();
        sorted.sort();
        println!(
            "  beside it: {label:<28} {:>5} requests, p50 {:>7.2} ms, p99 {:>7.2} ms{}",
            sorted.len(),
            quantile_ms(&sorted, 0.5),
            quantile_ms(&sorted, 0.99),
            if self.failures == 0 {
                String::new()
            } else {
                format!(", {} FAILED", self.failures)
            }
        );
    }
}

/// Sends `request()` every `every` until `stop` is set (the first time at once), reading
/// each answer whole.
fn watcher(
    stop: Arc<AtomicBool>,
    every: Duration,
    request: impl Fn() -> reqwest::RequestBuilder + Send + 'static,
) -> tokio::task::JoinHandle<Watch> {
    tokio::spawn(async move {
        let mut watch = Watch::default();
        while !stop.load(Ordering::Relaxed) {
            let t = Instant::now();
            let answered = match request().send().await {
                Ok(res) => res.status().is_success() && res.bytes().await.is_ok(),
                Err(_) => false,
            };
            if answered {
                watch.latencies.push(t.elapsed());
            } else {
                watch.failures += 1;
            }
            tokio::time::sleep(every.saturating_sub(t.elapsed())).await;
        }
        watch
    })
}

/// The projector's look at the door board, as the organiser.
fn board_request(client: &reqwest::Client, base: &str, door: &Door) -> reqwest::RequestBuilder {
    client
        .post(format!("{base}/api/door_board"))
        .header(reqwest::header::COOKIE, &door.organiser)
        .form(&[("session_id", door.session_id.to_string())])
}

/// What the door board says has arrived, as the projector reads it.
async fn board_present(client: &reqwest::Client, base: &str, door: &Door) -> anyhow::Result<i64> {
    let res = board_request(client, base, door).send().await?;
    let status = res.status();
    let text = res.text().await?;
    ensure!(status.is_success(), "the door board: {status} {text}");
    let board: serde_json::Value = serde_json::from_str(&text)?;
    let counts = &board["counts"];
    counts["present"]
        .as_i64()
        .zip(counts["late"].as_i64())
        .map(|(p, l)| p + l)
        .context("the board has no counts")
}

/// Every cadre checks in once; `connections` clients take the next cadre as they finish.
async fn burst(url: &str, opts: &Options, label: &str) -> anyhow::Result<Run> {
    let door = seed_door(url, opts.cadres).await?;
    let addr = std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?;
    let server = ServerProcess::start(
        &opts.server_bin,
        url,
        addr,
        &[("NIGHTSCHOOL_CHECKIN_SECRET", DOOR_SECRET)],
    )?;
    let base = format!("http://{addr}");
    server.wait_until_up(&base).await?;
    let token = door.token();
    let door = Arc::new(door);
    let next = Arc::new(AtomicUsize::new(0));
    // Warm each connection with a cheap request so that connecting is not timed.
    let clients: Vec<reqwest::Client> = (0..opts.connections)
        .map(|_| door_client())
        .collect::<anyhow::Result<_>>()?;
    for c in &clients {
        c.get(format!("{base}/healthz")).send().await?;
    }
    let stop = Arc::new(AtomicBool::new(false));
    let mut watchers = Vec::new();
    if opts.watchers {
        // Before the doors open, the projector already shows the door board and the
        // organiser has the dashboard open (what they cost to build first is not a
        // check-in's); during the burst both go on refreshing.
        let client = door_client()?;
        board_present(&client, &base, &door).await?;
        let res = client
            .get(format!("{base}/organiser/programme"))
            .header(reqwest::header::COOKIE, &door.organiser)
            .send()
            .await?;
        ensure!(res.status().is_success(), "the dashboard: {}", res.status());
        res.bytes().await?;
        let (client, base2, door2) = (door_client()?, base.clone(), door.clone());
        watchers.push((
            "door board every 3 s",
            watcher(stop.clone(), Duration::from_secs(3), move || {
                board_request(&client, &base2, &door2)
            }),
        ));
        let (client, base2, door2) = (door_client()?, base.clone(), door.clone());
        watchers.push((
            "dashboard reloaded each 1 s",
            watcher(stop.clone(), Duration::from_secs(1), move || {
                client
                    .get(format!("{base2}/organiser/programme"))
                    .header(reqwest::header::COOKIE, &door2.organiser)
                    .header(reqwest::header::ACCEPT_ENCODING, "br, gzip")
            }),
        ));
    }
    let started = Instant::now();
    let mut tasks = Vec::new();
    for client in clients {
        let (door, next, base, token) = (door.clone(), next.clone(), base.clone(), token.clone());
        tasks.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            let mut failures = 0;
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some((_, cookie)) = door.cadres.get(i) else {
                    break;
                };
                let t = Instant::now();
                match tap(&client, &base, cookie, &token).await {
                    Ok(true) => latencies.push((t - started, t.elapsed())),
                    _ => failures += 1,
                }
            }
            (latencies, failures)
        }));
    }
    let mut starts = Vec::new();
    let mut failures = 0;
    for task in tasks {
        let (l, f) = task.await?;
        starts.extend(l);
        failures += f;
    }
    let mut latencies: Vec<Duration> = starts.iter().map(|(_, l)| *l).collect();
    let elapsed = started.elapsed();
    stop.store(true, Ordering::Relaxed);
    let mut watched = Vec::new();
    for (name, task) in watchers {
        watched.push((name, task.await?));
    }
    // The board, asked once more after the burst, counts every check-in.
    let shown = board_present(&door_client()?, &base, &door).await?;
    drop(server);
    latencies.sort();
    let repo = app::ssr::db::connect(url).await?;
    let rows = repo.session_sheet(door.session_id, None).await?;
    let present = rows.iter().filter(|r| r.status.is_some()).count();
    ensure!(
        present == opts.cadres,
        "{label}: {present} of {} check-ins stored",
        opts.cadres
    );
    ensure!(
        shown == opts.cadres as i64,
        "{label}: the door board shows {shown} of {} check-ins",
        opts.cadres
    );
    Ok(Run {
        label: label.into(),
        n: opts.cadres,
        elapsed,
        latencies,
        failures,
        watched,
        starts,
    })
}

/// The baseline: one row per committed transaction, one connection, straight into a
/// database migrated and seeded like the app's, with the app's settings (on SQLite: WAL,
/// synchronous FULL, foreign keys on). `triggers: false` first removes (SQLite) or
/// disables (PostgreSQL) the attendance table's own triggers, which keep the tallies.
async fn raw_inserts(url: &str, opts: &Options, triggers: bool) -> anyhow::Result<Run> {
    let door = seed_door(url, opts.cadres).await?;
    let postgres = url.starts_with("postgres");
    let mut conn = if postgres {
        RawConnection::Postgres(sqlx::PgConnection::connect(url).await?)
    } else {
        let options: SqliteConnectOptions = url.parse()?;
        let conn = options
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            .connect()
            .await?;
        RawConnection::Sqlite(conn)
    };
    if !triggers {
        conn.drop_triggers().await?;
    }
    let mut latencies = Vec::with_capacity(opts.cadres);
    let started = Instant::now();
    for (person_id, _) in &door.cadres {
        let t = Instant::now();
        conn.insert(door.session_id, *person_id, app::domain::Timestamp::now().0)
            .await?;
        latencies.push(t.elapsed());
    }
    let elapsed = started.elapsed();
    latencies.sort();
    let backend = if postgres { "PostgreSQL" } else { "SQLite" };
    let with = if triggers { "with" } else { "without" };
    Ok(Run {
        label: format!("raw {backend} inserts, {with} triggers"),
        n: opts.cadres,
        elapsed,
        latencies,
        failures: 0,
        watched: Vec::new(),
        starts: Vec::new(),
    })
}

const RAW_INSERT: &str = "insert into attendance (session_id, person_id, status, checked_in_at, \
     created_at, walk_in, source, updated_at) values ($1, $2, 'present', $3, $3, false, 'qr', $3)";

/// One connection of either backend, for the baseline.
enum RawConnection {
    Sqlite(sqlx::SqliteConnection),
    Postgres(sqlx::PgConnection),
}

impl RawConnection {
    async fn insert(&mut self, session: i64, person: i64, at: i64) -> sqlx::Result<()> {
        match self {
            Self::Sqlite(c) => {
                let query = sqlx::query(RAW_INSERT).bind(session).bind(person).bind(at);
                query.execute(c).await.map(drop)
            }
            Self::Postgres(c) => {
                let query = sqlx::query(RAW_INSERT).bind(session).bind(person).bind(at);
                query.execute(c).await.map(drop)
            }
        }
    }

    async fn drop_triggers(&mut self) -> sqlx::Result<()> {
        match self {
            Self::Sqlite(c) => {
                let names: Vec<String> = sqlx::query_scalar(
                    "select name from sqlite_master where type = 'trigger' and tbl_name = 'attendance'",
                )
                .fetch_all(&mut *c)
                .await?;
                for name in names {
                    sqlx::query(&format!("drop trigger \"{name}\""))
                        .execute(&mut *c)
                        .await?;
                }
                Ok(())
            }
            Self::Postgres(c) => sqlx::query("alter table attendance disable trigger user")
                .execute(c)
                .await
                .map(drop),
        }
    }
}

/// A database beside the one `url` names, called like it with `suffix`, made anew (empty).
async fn sibling_database(url: &str, suffix: &str) -> anyhow::Result<String> {
    let (server, name) = url
        .rsplit_once('/')
        .context("a PostgreSQL URL ends in /DATABASE")?;
    let name = name.split('?').next().unwrap_or(name);
    let sibling = format!("{name}{suffix}");
    ensure!(
        sibling
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_'),
        "database name {sibling:?}: letters, digits and _ only"
    );
    let mut conn = sqlx::postgres::PgConnection::connect(url).await?;
    sqlx::query(&format!("drop database if exists {sibling} with (force)"))
        .execute(&mut conn)
        .await?;
    sqlx::query(&format!("create database {sibling}"))
        .execute(&mut conn)
        .await?;
    Ok(format!("{server}/{sibling}"))
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let opts = parse()?;
    ensure!(
        opts.server_bin.is_file(),
        "no server at {}: build it first",
        opts.server_bin.display()
    );
    let work = tempfile::tempdir()?;
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    println!("machine: {cores} cores, {}", cpu_model());
    println!(
        "load: {} cadres, last seen an hour ago, check in once each over {} connections{} \
         (client, server and database share the machine)",
        opts.cadres,
        opts.connections,
        if opts.watchers {
            ", while the door board refreshes every 3 s and the organiser reloads the dashboard every second"
        } else {
            ""
        }
    );
    let sqlite = |name: &str| format!("sqlite://{}/{name}.db", work.path().display());
    let mut sqlite_runs = vec![
        raw_inserts(&sqlite("raw"), &opts, true).await?,
        raw_inserts(&sqlite("raw-bare"), &opts, false).await?,
    ];
    sqlite_runs.push(burst(&sqlite("door"), &opts, "server on SQLite").await?);
    let mut tables = vec![sqlite_runs];
    if let Some(pg) = &opts.postgres {
        let raw = sibling_database(pg, "_raw").await?;
        let mut runs = vec![raw_inserts(&raw, &opts, true).await?];
        let bare = sibling_database(pg, "_raw").await?;
        runs.push(raw_inserts(&bare, &opts, false).await?);
        runs.push(burst(pg, &opts, "server on PostgreSQL").await?);
        tables.push(runs);
    }
    let mut failed = 0;
    for runs in &tables {
        println!(
            "\n{:<38} {:>7} {:>10} {:>8} {:>8} {:>9} {:>9}",
            "", "n", "per s", "p50 ms", "p99 ms", "÷ raw", "÷ bare"
        );
        let (raw, bare) = (runs[0].rate(), runs[1].rate());
        for run in runs {
            run.print(raw, bare);
            run.print_slow();
            for (name, watch) in &run.watched {
                watch.print(name);
                failed += watch.failures;
            }
            failed += run.failures;
        }
    }
    ensure!(failed == 0, "{failed} requests failed");
    Ok(())
}
