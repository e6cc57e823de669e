//! `nightschool` — the Night School server and its admin commands.
use std::io::BufRead;

use anyhow::{Context, bail};
use app::domain::{DisplayName, Password, Role, Roles, Timestamp, Username};
use app::ssr::db::NewAccount;
use app::ssr::{backup, demo, password};
use nightschool_server::{Application, Settings, init_tracing, open_database};

const USAGE: &str = "\
nightschool — 夜校 Night School

USAGE:
  nightschool [serve] [--demo]      start the web server; --demo first fills an EMPTY database with demo data
  nightschool seed-demo             fill an empty database with the demo data and exit
  nightschool create-admin USERNAME [NAME]
                                    create an admin account on a database without accounts;
                                    the password is read from NIGHTSCHOOL_ADMIN_PASSWORD or stdin
  nightschool reset-second-factor USERNAME
                                    remove an account's two-step verification (a lost phone
                                    and no recovery code); it sets up a new one at sign-in
  nightschool backup FILE           write a consistent snapshot of the database (attachments
                                    included) to FILE while the server runs
  nightschool restore FILE          check FILE, snapshot the current database first, then put
                                    FILE's records in its place and bring them up to date;
                                    works across backends (a SQLite backup into PostgreSQL
                                    and back)

ENVIRONMENT:
  DATABASE_URL        sqlite://path/to/file.db (created if missing) or postgres://user@host/db
                      default: sqlite://data/nightschool.db
  LEPTOS_SITE_ADDR    address to listen on, default 127.0.0.1:3000
  LEPTOS_SITE_ROOT    folder with the built site (pkg/), default target/site
  NIGHTSCHOOL_SECURE_COOKIES=1   mark cookies Secure (set it when served over HTTPS)
  NIGHTSCHOOL_BACKUP_DIR   folder of scheduled snapshots and of the snapshot restore takes
                      first; default: backups/ beside the SQLite file (PostgreSQL: name one)
  NIGHTSCHOOL_BACKUP_HOURS  hours between scheduled snapshots, default 24; 0 = none
  NIGHTSCHOOL_BACKUP_KEEP   scheduled snapshots kept, default 14
  RUST_LOG            log filter, default info
";

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    init_tracing();
    let args: Vec<String> = std::env::args().skip(1).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let settings = Settings::from_env();
    match args.as_slice() {
        [] | ["serve"] => serve(settings, false).await,
        ["--demo"] | ["serve", "--demo"] => serve(settings, true).await,
        ["seed-demo"] => {
            let repo = open_database(&settings.database_url).await?;
            demo::seed(repo.as_ref(), Timestamp::now()).await?;
            println!(
                "demo data added; sign in as admin, organiser, lecturer or cadre with password {}",
                demo::DEMO_PASSWORD
            );
            Ok(())
        }
        ["create-admin", username, rest @ ..] if rest.len() <= 1 => {
            create_admin(
                &settings,
                username,
                rest.first().copied().unwrap_or(username),
            )
            .await
        }
        ["reset-second-factor", username] => reset_second_factor(&settings, username).await,
        ["backup", file] => backup(&settings, file).await,
        ["restore", file] => restore(&settings, file).await,
        ["-h"] | ["--help"] | ["help"] => {
            print!("{USAGE}");
            Ok(())
        }
        _ => {
            eprint!("{USAGE}");
            bail!("unknown arguments: {}", args.join(" "))
        }
    }
}

async fn serve(settings: Settings, demo_data: bool) -> anyhow::Result<()> {
    let settings = settings.with_oidc_from_env()?.with_channels_from_env()?;
    let repo = open_database(&settings.database_url).await?;
    if demo_data {
        if demo::is_empty(repo.as_ref()).await? {
            demo::seed(repo.as_ref(), Timestamp::now()).await?;
            tracing::info!("demo data added");
        } else {
            tracing::info!("the database has data already; demo data not added");
        }
    }
    let app = Application::build(settings, repo).await?;
    tracing::info!(port = app.port(), "Night School is listening");
    app.run().await
}

async fn create_admin(settings: &Settings, username: &str, name: &str) -> anyhow::Result<()> {
    let username = Username::parse(username).map_err(|e| anyhow::anyhow!("{e}"))?;
    let display_name = DisplayName::parse(name).map_err(|e| anyhow::anyhow!("{e}"))?;
    let repo = open_database(&settings.database_url).await?;
    if repo.count_accounts().await? > 0 {
        bail!(
            "the database already has accounts: sign in as an admin and create accounts on the Accounts page"
        );
    }
    let raw = match std::env::var("NIGHTSCHOOL_ADMIN_PASSWORD") {
        Ok(p) => p,
        Err(_) => {
            eprintln!(
                "password for {} (8-128 characters), then Enter:",
                username.as_str()
            );
            let mut line = String::new();
            std::io::stdin()
                .lock()
                .read_line(&mut line)
                .context("reading the password")?;
            line.trim_end_matches(['\r', '\n']).to_string()
        }
    };
    let password = Password::parse(&raw).map_err(|e| anyhow::anyhow!("{e}"))?;
    let password_hash = password::hash(&password).await?;
    let new = NewAccount {
        username,
        display_name,
        password_hash,
        roles: Roles::new([Role::Admin]),
        person_id: None,
        must_change_password: false,
    };
    repo.create_account(&new, None, Timestamp::now()).await?;
    println!("admin account created");
    Ok(())
}

async fn backup(settings: &Settings, file: &str) -> anyhow::Result<()> {
    let repo = open_database(&settings.database_url).await?;
    let started = std::time::Instant::now();
    let path = std::path::Path::new(file);
    let meta = backup::make(repo.as_ref(), path).await?;
    let line = app::ssr::audit::with_detail(
        app::ssr::audit::system(app::domain::audit::AuditKind::BackupMade, file),
        serde_json::json!({ "rows": meta.rows.iter().map(|(_, n)| n).sum::<i64>() }),
    );
    repo.audit(&line).await?;
    let bytes = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
    println!(
        "备份完成 / backup written: {} ({:.1} MB, {} rows in {} tables, {:.1} s)",
        path.display(),
        bytes as f64 / 1e6,
        meta.rows.iter().map(|(_, n)| n).sum::<i64>(),
        meta.rows.len(),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

async fn restore(settings: &Settings, file: &str) -> anyhow::Result<()> {
    let repo = open_database(&settings.database_url).await?;
    let started = std::time::Instant::now();
    let before_dir = settings.restore_snapshot_dir();
    let done = backup::restore(repo.as_ref(), std::path::Path::new(file), &before_dir)
        .await
        .map_err(|e| {
            anyhow::anyhow!(
                "{e}\n恢复未进行，数据库没有改变 / nothing was restored; the database is unchanged"
            )
        })?;
    let rows: i64 = done.rows.iter().map(|(_, n)| n).sum();
    let line = app::ssr::audit::with_detail(
        app::ssr::audit::system(app::domain::audit::AuditKind::BackupRestored, file),
        serde_json::json!({ "rows": rows, "before": done.before.display().to_string() }),
    );
    repo.audit(&line).await?;
    match &done.checked.meta {
        Some(meta) => println!(
            "备份文件 / backup: made {} from {} by version {}",
            app::domain::Timestamp(meta.made_at)
                .local()
                .format("%Y-%m-%d %H:%M"),
            meta.source,
            meta.version
        ),
        None => println!("数据库文件（非备份命令生成）/ a database file, not written by `backup`"),
    }
    println!(
        "恢复完成 / restored: {rows} rows in {} tables into {} ({:.1} s)\n恢复前的数据已另存 / the database as it was is kept in {}",
        done.rows.len(),
        repo.backend(),
        started.elapsed().as_secs_f64(),
        done.before.display()
    );
    Ok(())
}

async fn reset_second_factor(settings: &Settings, username: &str) -> anyhow::Result<()> {
    let username = Username::parse(username).map_err(|e| anyhow::anyhow!("{e}"))?;
    let repo = open_database(&settings.database_url).await?;
    let record = repo
        .login_record(&username)
        .await?
        .with_context(|| format!("没有这个账号 / no account named {}", username.as_str()))?;
    let line = app::ssr::audit::system(
        app::domain::audit::AuditKind::SecondFactorReset,
        &format!("account:{}", record.account_id),
    );
    if repo.remove_factor(record.account_id, &line).await? {
        println!(
            "已重置 / reset: {} sets up two-step verification again at the next sign-in",
            username.as_str()
        );
        Ok(())
    } else {
        bail!(
            "{} 没有设置两步验证 / has no two-step verification",
            username.as_str()
        )
    }
}
