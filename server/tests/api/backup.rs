//! Backup and restore: a snapshot while the server runs, a restore that puts every record
//! (attachments, tallies, the search index, login state) back, refusals that change nothing,
//! the admins' download, the command line, and a SQLite → PostgreSQL → SQLite round trip.
use std::path::Path;

use app::domain::{DisplayName, Password, Role, Roles, Timestamp, Username};
use app::ssr::backup::{self, RestoreError};
use app::ssr::db::{NewAccount, NewAttachment, Repository};
use chrono::Datelike;
use reqwest::StatusCode;

use crate::helpers::*;

both_backends!(
    a_backup_restores_every_record,
    a_bad_file_is_refused_and_nothing_changes,
    admins_download_a_backup_others_cannot,
    the_command_line_backs_up_and_restores,
);

/// The rows per table as `check` reads them from a backup file.
async fn rows_of(path: &Path) -> Vec<(String, i64)> {
    backup::check(path).await.expect("a sound backup").rows
}

fn count(rows: &[(String, i64)], table: &str) -> i64 {
    rows.iter()
        .find(|(t, _)| t == table)
        .map(|r| r.1)
        .unwrap_or_else(|| panic!("no table {table}"))
}

async fn new_account(repo: &dyn Repository, name: &str) -> i64 {
    let password = Password::parse("a long enough pass").unwrap();
    repo.create_account(
        &NewAccount {
            username: Username::parse(name).unwrap(),
            display_name: DisplayName::parse(name).unwrap(),
            password_hash: app::ssr::password::hash(&password).await.unwrap(),
            roles: Roles::new([Role::Cadre]),
            person_id: None,
            must_change_password: false,
        },
        None,
        Timestamp::now(),
    )
    .await
    .unwrap()
}

async fn search_marks(app: &TestApp, who: &reqwest::Client) -> usize {
    let (status, page) = app.page(who, "/search?q=%E6%9E%AB%E6%A1%A5").await;
    assert_eq!(status, StatusCode::OK);
    page.matches("<mark>").count()
}

async fn a_backup_restores_every_record(backend: Backend) {
    let app = spawn_app(backend).await;
    let repo = app.repo.clone();
    let dir = tempfile::tempdir().unwrap();
    let organiser = app.signed_in("organiser").await;

    // An attachment, so the backup carries file contents too.
    let session = repo
        .latest_session_before(Timestamp::now())
        .await
        .unwrap()
        .expect("a past demo session");
    let uploader = repo.lecturers().await.unwrap()[0].0;
    let bytes = b"%PDF-1.4 night school notes".to_vec();
    let sha = format!("{:x}", <sha2::Sha256 as sha2::Digest>::digest(&bytes));
    let attachment = repo
        .add_attachment(&NewAttachment {
            session_id: session.id,
            name: "讲义.pdf",
            content_type: "application/pdf",
            sha256: &sha,
            bytes: &bytes,
            uploader,
            now: Timestamp::now(),
        })
        .await
        .unwrap();
    let year = Timestamp::now().local().year();
    let tallies = repo.year_tallies(year, None).await.unwrap();
    let accounts = repo.count_accounts().await.unwrap();
    let marks = search_marks(&app, &organiser).await;
    assert!(marks > 0, "the demo data has something to find");

    let file = dir.path().join("snapshot.nsbak");
    let meta = backup::make(repo.as_ref(), &file).await.unwrap();
    assert_eq!(meta.source, repo.backend());
    let rows = rows_of(&file).await;
    assert_eq!(rows, meta.rows, "the file holds what its description says");
    assert_eq!(count(&rows, "accounts"), accounts);
    assert!(count(&rows, "attendance") > 100);
    assert_eq!(count(&rows, "blobs"), 1);
    assert!(
        backup::make(repo.as_ref(), &file).await.is_err(),
        "an existing file is never overwritten"
    );

    // Changes after the backup: a new account, a deleted attachment.
    let extra = new_account(repo.as_ref(), "after-backup").await;
    assert!(
        repo.remove_attachment(session.id, attachment)
            .await
            .unwrap()
    );

    let changes = repo.data_changes().await.unwrap();
    let restored = backup::restore(repo.as_ref(), &file, dir.path())
        .await
        .unwrap();
    assert_eq!(restored.rows, rows, "every table holds the backup's rows");
    // The change counter is not restored with the rows: it moves on, so that what app
    // servers keep in memory is built again from the restored rows.
    assert!(repo.data_changes().await.unwrap() > changes);
    // The database as it was before the restore is kept, with the later account.
    let before = rows_of(&restored.before).await;
    assert_eq!(count(&before, "accounts"), accounts + 1);
    assert_eq!(count(&before, "blobs"), 0);

    assert_eq!(repo.count_accounts().await.unwrap(), accounts);
    assert!(repo.account(extra).await.unwrap().is_none());
    let (_, back) = repo
        .attachment_file(attachment)
        .await
        .unwrap()
        .expect("the attachment is back");
    assert_eq!(back, bytes);
    assert_eq!(repo.year_tallies(year, None).await.unwrap(), tallies);
    // The search index is rebuilt from the restored rows; sign-ins still hold.
    assert_eq!(search_marks(&app, &organiser).await, marks);
    // New rows take fresh ids (PostgreSQL's identity sequences follow the restored rows).
    let next = new_account(repo.as_ref(), "after-restore").await;
    assert!(next > 0);
    assert_eq!(repo.count_accounts().await.unwrap(), accounts + 1);
    let cadre = app.signed_in("cadre").await;
    let (status, _) = app.page(&cadre, "/progress").await;
    assert_eq!(status, StatusCode::OK);
}

async fn a_bad_file_is_refused_and_nothing_changes(backend: Backend) {
    let app = spawn_app(backend).await;
    let repo = app.repo.clone();
    let dir = tempfile::tempdir().unwrap();
    let snapshots = dir.path().join("before");
    let accounts = repo.count_accounts().await.unwrap();
    let refused = |path: std::path::PathBuf| {
        let repo = repo.clone();
        let snapshots = snapshots.clone();
        async move {
            backup::restore(repo.as_ref(), &path, &snapshots)
                .await
                .expect_err("refused")
        }
    };

    let missing = refused(dir.path().join("nothing-here.nsbak")).await;
    assert!(matches!(missing, RestoreError::Missing(_)), "{missing}");

    let text = dir.path().join("notes.nsbak");
    std::fs::write(&text, "这不是备份").unwrap();
    let err = refused(text).await;
    assert!(matches!(err, RestoreError::NotSqlite(_)), "{err}");
    assert!(err.to_string().contains("不是夜校备份文件"));

    let good = dir.path().join("good.nsbak");
    backup::make(repo.as_ref(), &good).await.unwrap();

    // Cut short, as a copy interrupted halfway leaves it.
    let bytes = std::fs::read(&good).unwrap();
    let cut = dir.path().join("cut.nsbak");
    std::fs::write(&cut, &bytes[..bytes.len() / 2]).unwrap();
    let err = refused(cut).await;
    assert!(matches!(err, RestoreError::Damaged(_)), "{err}");

    // Written by a newer program: a migration this one does not know.
    let newer = dir.path().join("newer.nsbak");
    std::fs::copy(&good, &newer).unwrap();
    edit(&newer, "insert into _sqlx_migrations (version, description, installed_on, success, checksum, execution_time) values (99990101000000, 'future', '2030-01-01', 1, x'00', 0)").await;
    let err = refused(newer).await;
    assert!(matches!(err, RestoreError::Newer), "{err}");

    // Rows gone since it was written.
    let short = dir.path().join("short.nsbak");
    std::fs::copy(&good, &short).unwrap();
    edit(
        &short,
        "update nightschool_backup set value = '999999' where key = 'rows.themes'",
    )
    .await;
    let err = refused(short).await;
    assert!(matches!(err, RestoreError::Incomplete(_)), "{err}");

    // A SQLite database of something else.
    let other = dir.path().join("other.db");
    edit(
        &other,
        "create table notes (id integer primary key, body text)",
    )
    .await;
    let err = refused(other).await;
    assert!(matches!(err, RestoreError::NotOurs), "{err}");

    assert_eq!(repo.count_accounts().await.unwrap(), accounts);
    assert!(
        !snapshots.exists(),
        "a refused file is refused before anything is done"
    );
}

/// Runs one statement on a SQLite file (created if missing).
async fn edit(path: &Path, sql: &str) {
    use sqlx::Connection;
    let url = format!("sqlite://{}?mode=rwc", path.display());
    let mut conn = sqlx::SqliteConnection::connect(&url).await.unwrap();
    sqlx::query(sql).execute(&mut conn).await.unwrap();
    conn.close().await.unwrap();
}

async fn admins_download_a_backup_others_cannot(backend: Backend) {
    let app = spawn_app(backend).await;
    let admin = app.signed_in("admin").await;
    let (status, page) = app.page(&admin, "/admin/backup").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("立即下载备份"));
    let res = admin
        .post(app.url("/admin/backup.nsbak"))
        .header("origin", &app.address)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let disposition = res.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(disposition.starts_with("attachment; filename=\"nightschool-"));
    assert!(disposition.ends_with(".nsbak\""));
    assert_eq!(res.headers()["cache-control"], "no-store");
    let body = res.bytes().await.unwrap();
    assert!(body.starts_with(b"SQLite format 3\0"));
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("download.nsbak");
    std::fs::write(&file, &body).unwrap();
    let rows = rows_of(&file).await;
    assert_eq!(
        count(&rows, "accounts"),
        app.repo.count_accounts().await.unwrap()
    );

    let filter = app::ssr::db::AuditFilter {
        kind: Some(app::domain::audit::AuditKind::BackupDownloaded),
        ..Default::default()
    };
    let lines = app.repo.audit_lines(&filter, 10).await.unwrap();
    assert_eq!(lines.len(), 1, "the download is in the audit log");
    assert_eq!(lines[0].actor_username.as_deref(), Some("admin"));

    // Organisers and cadres do not learn it exists; a stranger's site cannot ask for it.
    for who in ["organiser", "cadre"] {
        let c = app.signed_in(who).await;
        let res = c.post(app.url("/admin/backup.nsbak")).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::NOT_FOUND, "{who}");
        let (status, _) = app.page(&c, "/admin/backup").await;
        assert_ne!(status, StatusCode::OK, "{who} sees no backup page");
    }
    let res = client()
        .post(app.url("/admin/backup.nsbak"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    let res = admin
        .post(app.url("/admin/backup.nsbak"))
        .header("origin", "https://evil.example")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert_eq!(app.repo.audit_lines(&filter, 10).await.unwrap().len(), 1);
}

fn nightschool(url: &str, args: &[&str], backups: &Path) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_nightschool"))
        .args(args)
        .env("DATABASE_URL", url)
        .env("NIGHTSCHOOL_BACKUP_DIR", backups)
        .env("RUST_LOG", "warn")
        .output()
        .expect("run nightschool")
}

async fn the_command_line_backs_up_and_restores(backend: Backend) {
    // The server keeps running during the backup.
    let app = spawn_app(backend).await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("cli.nsbak");
    let file_arg = file.to_str().unwrap();
    let out = nightschool(app.db_url(), &["backup", file_arg], dir.path());
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("备份完成"));
    let accounts = app.repo.count_accounts().await.unwrap();
    new_account(app.repo.as_ref(), "later").await;

    let out = nightschool(app.db_url(), &["restore", file_arg], dir.path());
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("恢复完成"));
    assert_eq!(app.repo.count_accounts().await.unwrap(), accounts);
    let kept = backup::snapshots(dir.path());
    assert!(
        kept.iter()
            .any(|s| s.name.starts_with("nightschool-before-restore-")),
        "the database as it was is kept: {kept:?}"
    );

    let junk = dir.path().join("junk.nsbak");
    std::fs::write(&junk, "junk").unwrap();
    let out = nightschool(
        app.db_url(),
        &["restore", junk.to_str().unwrap()],
        dir.path(),
    );
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("不是夜校备份文件"), "{err}");
    assert!(err.contains("数据库没有改变"), "{err}");
}

/// A subdistrict's SQLite file moves into the district's PostgreSQL and back with nothing
/// lost: the same rows per table at every step, and a sound SQLite file at the end.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(not(postgres_tests), ignore = "TEST_DATABASE_URL is not set")]
async fn sqlite_to_postgres_and_back() {
    bounded(async {
        let sqlite = spawn_app(Backend::Sqlite).await;
        let dir = tempfile::tempdir().unwrap();
        let first = dir.path().join("from-sqlite.nsbak");
        backup::make(sqlite.repo.as_ref(), &first).await.unwrap();
        let rows = rows_of(&first).await;

        let pg_db = fresh_db(Backend::Postgres).await;
        let pg = nightschool_server::open_database(&pg_db.url).await.unwrap();
        let restored = backup::restore(pg.as_ref(), &first, dir.path())
            .await
            .unwrap();
        assert_eq!(restored.rows, rows);
        let second = dir.path().join("from-postgres.nsbak");
        let meta = backup::make(pg.as_ref(), &second).await.unwrap();
        assert_eq!(meta.source, "postgres");
        assert_eq!(rows_of(&second).await, rows);

        let back_db = fresh_db(Backend::Sqlite).await;
        let back = nightschool_server::open_database(&back_db.url)
            .await
            .unwrap();
        backup::restore(back.as_ref(), &second, dir.path())
            .await
            .unwrap();
        let third = dir.path().join("back-in-sqlite.nsbak");
        backup::make(back.as_ref(), &third).await.unwrap();
        assert_eq!(rows_of(&third).await, rows, "integrity ok, rows equal");
        let year = Timestamp::now().local().year();
        assert_eq!(
            back.year_tallies(year, None).await.unwrap(),
            sqlite.repo.year_tallies(year, None).await.unwrap()
        );
    })
    .await
}

/// `sslmode=require` in the URL: the app's connections to PostgreSQL are encrypted.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(not(postgres_tests), ignore = "TEST_DATABASE_URL is not set")]
async fn postgres_connections_speak_tls() {
    bounded(async {
        let db = fresh_db(Backend::Postgres).await;
        let sep = if db.url.contains('?') { '&' } else { '?' };
        let url = format!("{}{sep}sslmode=require", db.url);
        let repo = nightschool_server::open_database(&url).await.unwrap();
        assert_eq!(repo.count_accounts().await.unwrap(), 0);
        let name = db
            .url
            .rsplit('/')
            .next()
            .unwrap()
            .split('?')
            .next()
            .unwrap()
            .to_string();
        let base = postgres_url().unwrap();
        let mut plain = <sqlx::PgConnection as sqlx::Connection>::connect(&base)
            .await
            .unwrap();
        let (tls, clear): (i64, i64) = sqlx::query_as(
            "select count(*) filter (where s.ssl), count(*) filter (where not s.ssl) \
             from pg_stat_ssl s join pg_stat_activity a on a.pid = s.pid where a.datname = $1",
        )
        .bind(&name)
        .fetch_one(&mut plain)
        .await
        .unwrap();
        assert!(tls > 0, "the app holds TLS connections");
        assert_eq!(clear, 0, "and no plain ones");
        drop(repo);
    })
    .await
}
