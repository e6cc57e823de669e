//! Crash test of the door on SQLite: bursts of check-ins against the release server, which
//! is killed with SIGKILL at random moments and restarted, `--kills` times (20). Afterwards
//! every check-in that got a success answer must be stored, exactly once, and SQLite's
//! `integrity_check` must say ok. `scripts/test` runs it after the release build.
use std::collections::{HashSet, VecDeque};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::{Context, ensure};
use common::{DOOR_SECRET, ServerProcess, default_server_bin, door_client, seed_door, tap};
use sqlx::ConnectOptions;

mod common;

/// A small deterministic generator (xorshift): reproducible runs without another crate.
struct Random(u64);

impl Random {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n.max(1)
    }
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let value = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
    };
    let kills: usize = value("--kills")
        .map_or(Ok(20), |v| v.parse())
        .context("--kills")?;
    let cadres: usize = value("--cadres")
        .map_or(Ok(3000), |v| v.parse())
        .context("--cadres")?;
    let seed: u64 = value("--seed")
        .map_or(Ok(0x5eed_cafe), |v| v.parse())
        .context("--seed")?;
    let bin = value("--server-bin").map_or_else(default_server_bin, PathBuf::from);
    ensure!(
        bin.is_file(),
        "no server at {}: build it first",
        bin.display()
    );

    let work = tempfile::tempdir()?;
    let url = format!("sqlite://{}/crash.db", work.path().display());
    let door = Arc::new(seed_door(&url, cadres).await?);
    let mut random = Random(seed | 1);
    let queue: Arc<Mutex<VecDeque<usize>>> = Arc::new(Mutex::new((0..cadres).collect()));
    let confirmed: Arc<Mutex<HashSet<i64>>> = Arc::default();
    let mut unanswered = 0usize;
    let env = [("NIGHTSCHOOL_CHECKIN_SECRET", DOOR_SECRET)];

    for round in 0..kills {
        let addr = std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?;
        let server = ServerProcess::start(&bin, &url, addr, &env)?;
        let base = format!("http://{addr}");
        server
            .wait_until_up(&base)
            .await
            .with_context(|| format!("restart {round}"))?;
        let token = door.token();
        let mut tasks = Vec::new();
        for worker in 0..32u64 {
            let (door, queue, confirmed) = (door.clone(), queue.clone(), confirmed.clone());
            let (base, token) = (base.clone(), token.clone());
            let client = door_client()?;
            let mut pick = Random((seed ^ (worker << 32) ^ round as u64) | 1);
            tasks.push(tokio::spawn(async move {
                let mut lost = 0;
                // Until the server dies: new check-ins first, then repeats of any cadre
                // (which must answer "already" and store nothing new).
                loop {
                    let queued = queue.lock().ok().and_then(|mut q| q.pop_front());
                    let i = queued.unwrap_or_else(|| pick.below(door.cadres.len() as u64) as usize);
                    let (person, cookie) = &door.cadres[i];
                    let answer = tap(&client, &base, cookie, &token).await;
                    if let Ok(true) = answer {
                        if let Ok(mut c) = confirmed.lock() {
                            c.insert(*person);
                        }
                        continue;
                    }
                    lost += 1;
                    if let (Some(i), Ok(mut q)) = (queued, queue.lock()) {
                        q.push_back(i);
                    }
                    if answer.is_err() {
                        break;
                    }
                }
                lost
            }));
        }
        tokio::time::sleep(Duration::from_millis(100 + random.below(500))).await;
        server.kill();
        for task in tasks {
            unanswered += task.await?;
        }
        let done = confirmed.lock().map(|c| c.len()).unwrap_or(0);
        println!("kill {:>2}: {done} check-ins confirmed so far", round + 1);
    }

    // Read the file the way a fresh start would: no server running.
    let mut conn = url
        .parse::<sqlx::sqlite::SqliteConnectOptions>()?
        .connect()
        .await?;
    let integrity: String = sqlx::query_scalar("pragma integrity_check")
        .fetch_one(&mut conn)
        .await?;
    ensure!(integrity == "ok", "integrity_check: {integrity}");
    let rows: Vec<(i64, i64)> = sqlx::query_as(
        "select person_id, count(*) from attendance where session_id = $1 group by person_id",
    )
    .bind(door.session_id)
    .fetch_all(&mut conn)
    .await?;
    let audit: Vec<(i64, i64)> = sqlx::query_as(
        "select person_id, count(*) from attendance_audit where session_id = $1 group by person_id",
    )
    .bind(door.session_id)
    .fetch_all(&mut conn)
    .await?;
    let stored: HashSet<i64> = rows.iter().map(|(p, _)| *p).collect();
    let confirmed = confirmed.lock().map(|c| c.clone()).unwrap_or_default();
    let missing: Vec<&i64> = confirmed.iter().filter(|p| !stored.contains(p)).collect();
    let doubled = rows.iter().filter(|(_, n)| *n > 1).count();
    let double_audit = audit.iter().filter(|(_, n)| *n > 1).count();
    println!(
        "{kills} kills: {} check-ins confirmed, {} stored, {unanswered} requests unanswered or \
         refused and retried, {} missing, {doubled} duplicated, {double_audit} double audit \
         entries, integrity_check {integrity}",
        confirmed.len(),
        stored.len(),
        missing.len()
    );
    ensure!(missing.is_empty(), "confirmed check-ins lost: {missing:?}");
    ensure!(doubled == 0 && double_audit == 0, "duplicates stored");
    ensure!(
        !confirmed.is_empty(),
        "no check-in was confirmed: the test did not test anything"
    );
    Ok(())
}
