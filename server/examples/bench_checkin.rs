//! Benchmark of the door: `--cadres` cadres (2,000) check in over `--connections` (64)
//! connections against the release server, and — in the same run, as the baseline — the
//! raw rate of single-row committed inserts into a SQLite file with the app's schema and
//! settings, no server in between. Run it with `scripts/bench-checkin`; `--help` lists the
//! options.
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, ensure};
use common::{
    DOOR_SECRET, ServerProcess, cpu_model, default_server_bin, door_client, quantile_ms, seed_door,
    tap,
};
use sqlx::ConnectOptions;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode};

mod common;

const USAGE: &str = "\
cargo run --release -p nightschool --example bench_checkin -- [OPTION VALUE]...
  --cadres N           cadres checking in, once each (2000)
  --connections N      concurrent connections (64)
  --server-bin PATH    the release server (default $CARGO_TARGET_DIR/release/nightschool)
  --database-url URL   also run against this EMPTY PostgreSQL database
";

struct Options {
    cadres: usize,
    connections: usize,
    server_bin: PathBuf,
    postgres: Option<String>,
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
    })
}

struct Run {
    label: String,
    n: usize,
    elapsed: Duration,
    latencies: Vec<Duration>,
    failures: usize,
}

impl Run {
    fn rate(&self) -> f64 {
        self.n as f64 / self.elapsed.as_secs_f64()
    }

    fn print(&self, baseline: f64) {
        println!(
            "{:<34} {:>7} {:>10.0} {:>8.2} {:>8.2} {:>9.2}  {}",
            self.label,
            self.n,
            self.rate(),
            quantile_ms(&self.latencies, 0.5),
            quantile_ms(&self.latencies, 0.99),
            self.rate() / baseline,
            if self.failures == 0 {
                "ok".to_string()
            } else {
                format!("{} FAILED", self.failures)
            }
        );
    }
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
                    Ok(true) => latencies.push(t.elapsed()),
                    _ => failures += 1,
                }
            }
            (latencies, failures)
        }));
    }
    let mut latencies = Vec::new();
    let mut failures = 0;
    for task in tasks {
        let (l, f) = task.await?;
        latencies.extend(l);
        failures += f;
    }
    let elapsed = started.elapsed();
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
    Ok(Run {
        label: label.into(),
        n: opts.cadres,
        elapsed,
        latencies,
        failures,
    })
}

/// The baseline: one row per committed transaction, one connection, straight into a SQLite
/// file migrated and seeded like the app's, with the app's settings (WAL, synchronous
/// FULL, foreign keys on).
async fn raw_inserts(url: &str, opts: &Options) -> anyhow::Result<Run> {
    let door = seed_door(url, opts.cadres).await?;
    let options: SqliteConnectOptions = url.parse()?;
    let mut conn = options
        .journal_mode(SqliteJournalMode::Wal)
        .foreign_keys(true)
        .connect()
        .await?;
    let mut latencies = Vec::with_capacity(opts.cadres);
    let started = Instant::now();
    for (person_id, _) in &door.cadres {
        let t = Instant::now();
        sqlx::query(
            "insert into attendance (session_id, person_id, status, checked_in_at, created_at, \
             walk_in, source, updated_at) values ($1, $2, 'present', $3, $3, false, 'qr', $3)",
        )
        .bind(door.session_id)
        .bind(person_id)
        .bind(app::domain::Timestamp::now().0)
        .execute(&mut conn)
        .await?;
        latencies.push(t.elapsed());
    }
    let elapsed = started.elapsed();
    latencies.sort();
    Ok(Run {
        label: "raw SQLite inserts (baseline)".into(),
        n: opts.cadres,
        elapsed,
        latencies,
        failures: 0,
    })
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
        "load: {} cadres check in once each over {} connections (client, server and database share the machine)",
        opts.cadres, opts.connections
    );
    let raw = raw_inserts(&format!("sqlite://{}/raw.db", work.path().display()), &opts).await?;
    let mut runs = vec![
        burst(
            &format!("sqlite://{}/door.db", work.path().display()),
            &opts,
            "server on SQLite",
        )
        .await?,
    ];
    if let Some(pg) = &opts.postgres {
        runs.push(burst(pg, &opts, "server on PostgreSQL").await?);
    }
    println!(
        "\n{:<34} {:>7} {:>10} {:>8} {:>8} {:>9}",
        "", "n", "per s", "p50 ms", "p99 ms", "÷ raw"
    );
    raw.print(raw.rate());
    for run in &runs {
        run.print(raw.rate());
    }
    let failed: usize = runs.iter().map(|r| r.failures).sum();
    ensure!(failed == 0, "{failed} check-ins failed");
    Ok(())
}
