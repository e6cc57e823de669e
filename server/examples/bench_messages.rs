//! Benchmark of the outbox: a session for `--cadres` cadres (10,000), each with an e-mail
//! address, is cancelled; the delivery worker then hands every e-mail to a local SMTP
//! server (aiosmtpd, as the tests use). Measured: the cancellation itself (the notice, the
//! inbox lines and the outbox lines in one transaction), the time from the cancellation to
//! the last message accepted by the SMTP server, and the worker's messages a minute. The
//! baseline, in the same run: the same number of e-mails sent to the same SMTP server by
//! the same sender, as many at once, with no database in between. `--help` lists the
//! options.
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, ensure};
use app::domain::Timestamp;
use app::domain::audience::Audience;
use app::domain::hours::StudyHours;
use app::domain::messages::{Budget, Channel, ChannelsOn, Notice};
use app::domain::people::Position;
use app::domain::schedule::SessionFormat;
use app::ssr::db::{MessagePrefs, NewPerson, NewSession, Push, PushPerson};
use app::ssr::outbox::email::{EmailConfig, EmailSender, Security};
use app::ssr::outbox::{Address, BUDGET_SETTING, Outbox, Outgoing, Sender};

const USAGE: &str = "\
cargo run --release -p nightschool --example bench_messages -- [OPTION VALUE]...
  --cadres N           the audience of the cancelled session, each with an e-mail (10000)
  --database-url URL   an EMPTY database to use instead of a new SQLite file
";

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.iter().any(|a| a == "--help" || a == "-h") {
        print!("{USAGE}");
        return Ok(());
    }
    let value = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .cloned()
    };
    let cadres: usize = value("--cadres")
        .map_or(Ok(10_000), |v| v.parse())
        .context("--cadres")?;
    let url = value("--database-url");
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?
        .block_on(run(cadres.max(1), url))
}

/// aiosmtpd on a free port, writing each message to a maildir; killed when dropped.
struct Smtp {
    child: std::process::Child,
    port: u16,
    dir: PathBuf,
}

impl Drop for Smtp {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

async fn smtp(root: &std::path::Path, name: &str) -> anyhow::Result<Smtp> {
    let port = std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port();
    let dir = root.join(name);
    let child = Command::new("python3")
        .args(["-m", "aiosmtpd", "-n", "-l"])
        .arg(format!("127.0.0.1:{port}"))
        .args(["-c", "aiosmtpd.handlers.Mailbox"])
        .arg(&dir)
        .stdout(Stdio::null())
        .spawn()
        .context("python3 -m aiosmtpd (scripts/setup installs it)")?;
    for _ in 0..100 {
        if tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .is_ok()
        {
            return Ok(Smtp { child, port, dir });
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    anyhow::bail!("aiosmtpd did not start")
}

fn delivered(smtp: &Smtp) -> usize {
    std::fs::read_dir(smtp.dir.join("new")).map_or(0, |d| d.count())
}

fn sender(smtp: &Smtp) -> anyhow::Result<Arc<dyn Sender>> {
    Ok(Arc::new(
        EmailSender::new(&EmailConfig {
            host: "127.0.0.1".into(),
            port: smtp.port,
            security: Security::None,
            login: None,
            from: "夜校 <noreply@nightschool.test>".into(),
        })
        .map_err(anyhow::Error::msg)?,
    ))
}

async fn run(cadres: usize, url: Option<String>) -> anyhow::Result<()> {
    let root = tempfile::tempdir()?;
    let url = url.unwrap_or_else(|| {
        format!(
            "sqlite://{}",
            root.path().join("bench.db").to_string_lossy()
        )
    });
    let repo = app::ssr::db::connect(&url).await?;
    let now = Timestamp::now();
    let subdistrict = repo
        .subdistricts()
        .await?
        .first()
        .map(|s| s.id)
        .context("the migrations make the first subdistrict")?;
    let community = repo.create_community(subdistrict, "运河社区", now).await?;
    let tier = match repo.tiers().await?.first() {
        Some(t) => t.id,
        None => {
            repo.create_tier(
                &app::ssr::db::Tier {
                    id: 0,
                    name_zh: "雏雁".into(),
                    name_en: "Young geese".into(),
                    rank: 3,
                    target_count: 10,
                    description: String::new(),
                },
                now,
            )
            .await?
        }
    };
    let theme = match repo.themes().await?.first() {
        Some(t) => t.id,
        None => {
            repo.create_theme("基层治理", "Grassroots governance", None, now)
                .await?
        }
    };
    let started = Instant::now();
    let people: Vec<NewPerson> = (0..cadres)
        .map(|i| NewPerson {
            name: format!("学员{i}"),
            community_id: Some(community),
            tier_id: Some(tier),
            position: Position::GridWorker,
            phone: String::new(),
        })
        .collect();
    let ids = repo.create_people(&people, now).await?;
    for id in &ids {
        repo.set_message_prefs(
            *id,
            &MessagePrefs {
                opted_out: false,
                email: format!("cadre{id}@nightschool.test"),
            },
        )
        .await?;
    }
    let never_quiet = Budget {
        quiet_from: 0,
        quiet_to: 0,
        ..Budget::default()
    };
    repo.set_setting(BUDGET_SETTING, &serde_json::to_string(&never_quiet)?, now)
        .await?;
    let start = Timestamp(now.0 + 86_400);
    let session = repo
        .create_session(
            &NewSession {
                subdistrict_id: Some(subdistrict),
                series: "运河红·初心讲堂".into(),
                title: "暴雨停课演练".into(),
                theme_id: theme,
                format: SessionFormat::Lecture,
                starts_at: start,
                ends_at: Timestamp(start.0 + 5400),
                place: "党群服务中心".into(),
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
    println!(
        "{cadres} cadres with e-mail addresses on {} ({:.1} s to set up)",
        repo.backend(),
        started.elapsed().as_secs_f64()
    );

    // The baseline: the same number of e-mails, straight to the SMTP server, eight at once
    // (as the worker sends them).
    let raw_smtp = smtp(root.path(), "raw").await?;
    let raw_sender = sender(&raw_smtp)?;
    let notice = Notice::SessionCancelled {
        session_id: session,
        title: "暴雨停课演练".into(),
        starts_at: start.0,
        reason: "暴雨红色预警".into(),
    };
    let (subject, text) = app::i18n::word_notice(&notice, app::i18n::Lang::Zh);
    let pushes: Vec<Push> = ids
        .iter()
        .map(|id| Push {
            id: *id,
            notice_id: 0,
            notice: notice.clone(),
            mandatory: true,
            channel: Channel::Email,
            key: format!("raw-{id}"),
            attempts: 0,
            person: Some(PushPerson {
                id: *id,
                phone: String::new(),
                email: format!("cadre{id}@nightschool.test"),
                opted_out: false,
            }),
            community_id: None,
        })
        .collect();
    let raw_started = Instant::now();
    let gate = Arc::new(tokio::sync::Semaphore::new(8));
    let mut sends = tokio::task::JoinSet::new();
    for push in pushes {
        let (sender, subject, text) = (raw_sender.clone(), subject.clone(), text.clone());
        let permit = gate.clone().acquire_owned().await?;
        sends.spawn(async move {
            let message = Outgoing {
                key: &push.key,
                to: Address::Email(
                    push.person
                        .as_ref()
                        .map(|p| p.email.clone())
                        .unwrap_or_default(),
                ),
                subject,
                text,
                push: &push,
            };
            let ok = sender.send(&message).await.is_ok();
            drop(permit);
            ok
        });
    }
    let results: Vec<bool> = sends.join_all().await;
    let raw = raw_started.elapsed();
    ensure!(results.iter().all(|ok| *ok), "the baseline's sends failed");
    ensure!(delivered(&raw_smtp) == cadres, "the baseline lost messages");

    // The outbox: cancel, then let one worker empty it.
    let smtp = smtp(root.path(), "worker").await?;
    let outbox = Outbox::new(vec![sender(&smtp)?]);
    let channels: ChannelsOn = outbox.channels();
    let cancelled = Instant::now();
    repo.cancel_session(session, "暴雨红色预警", Timestamp::now(), &channels)
        .await?;
    let written = cancelled.elapsed();
    let mut handed = 0;
    loop {
        match outbox.deliver_due(repo.as_ref(), Timestamp::now()).await? {
            0 => break,
            n => handed += n,
        }
    }
    let last = cancelled.elapsed();
    let counts = repo.outbox_counts().await?;
    ensure!(
        counts.sent as usize == cadres && delivered(&smtp) == cadres,
        "the worker sent {} of {cadres} ({counts:?})",
        delivered(&smtp)
    );
    ensure!(handed == cadres, "the worker took {handed}");
    let per_minute = |n: usize, d: Duration| n as f64 / d.as_secs_f64() * 60.0;
    println!(
        "cancellation written (notice, {cadres} inbox lines, {cadres} outbox lines): {:.0} ms",
        written.as_secs_f64() * 1000.0
    );
    println!(
        "cancellation → last e-mail accepted by the SMTP server: {:.1} s",
        last.as_secs_f64()
    );
    println!(
        "worker: {:.0} messages a minute; baseline (same sender, no database): {:.0} a minute; \
         ratio {:.2}",
        per_minute(cadres, last - written),
        per_minute(cadres, raw),
        per_minute(cadres, last - written) / per_minute(cadres, raw)
    );
    Ok(())
}
