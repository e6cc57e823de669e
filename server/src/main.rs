//! `nightschool` — the Night School server and its admin commands.
use std::io::BufRead;

use anyhow::{Context, bail};
use app::domain::{DisplayName, Password, Role, Roles, Timestamp, Username};
use app::ssr::db::NewAccount;
use app::ssr::{demo, password};
use nightschool_server::{Application, Settings, init_tracing, open_database};

const USAGE: &str = "\
nightschool — 夜校 Night School

USAGE:
  nightschool [serve] [--demo]      start the web server; --demo first fills an EMPTY database with demo data
  nightschool seed-demo             fill an empty database with the demo data and exit
  nightschool create-admin USERNAME [NAME]
                                    create an admin account on a database without accounts;
                                    the password is read from NIGHTSCHOOL_ADMIN_PASSWORD or stdin

ENVIRONMENT:
  DATABASE_URL        sqlite://path/to/file.db (created if missing) or postgres://user@host/db
                      default: sqlite://data/nightschool.db
  LEPTOS_SITE_ADDR    address to listen on, default 127.0.0.1:3000
  LEPTOS_SITE_ROOT    folder with the built site (pkg/), default target/site
  NIGHTSCHOOL_SECURE_COOKIES=1   mark cookies Secure (set it when served over HTTPS)
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
