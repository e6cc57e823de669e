//! The `nightschool` binary's admin commands, run as an operator would.
use std::process::Command;

use app::domain::Username;
use nightschool_server::open_database;

use crate::helpers::*;

both_backends!(
    create_admin_only_on_an_empty_database,
    demo_data_only_goes_into_an_empty_database,
);

fn nightschool(url: &str, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_nightschool"))
        .args(args)
        .env("DATABASE_URL", url)
        .env("NIGHTSCHOOL_ADMIN_PASSWORD", "first-admin-pw")
        .env("RUST_LOG", "warn")
        .output()
        .expect("run nightschool")
}

async fn create_admin_only_on_an_empty_database(backend: Backend) {
    let db = fresh_db(backend).await;
    let out = nightschool(&db.url, &["create-admin", "Root", "街道管理员"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let repo = open_database(&db.url).await.unwrap();
    let rec = repo
        .login_record(&Username::parse("root").unwrap())
        .await
        .unwrap()
        .unwrap();
    assert!(rec.roles.has(app::domain::Role::Admin));
    assert!(
        app::ssr::password::verify("first-admin-pw", Some(rec.password_hash)).await == Ok(true)
    );
    let again = nightschool(&db.url, &["create-admin", "second"]);
    assert!(!again.status.success(), "a second first-admin is refused");
    assert!(String::from_utf8_lossy(&again.stderr).contains("already has accounts"));
    assert_eq!(repo.count_accounts().await.unwrap(), 1);
}

async fn demo_data_only_goes_into_an_empty_database(backend: Backend) {
    let db = fresh_db(backend).await;
    let out = nightschool(&db.url, &["seed-demo"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let repo = open_database(&db.url).await.unwrap();
    // 179 cadres of 观音阁街道 and 12 of 李营街道; four accounts and two organisers of part
    // of the district.
    assert_eq!(repo.count_cadres().await.unwrap(), 191);
    assert_eq!(repo.count_accounts().await.unwrap(), 6);
    let again = nightschool(&db.url, &["seed-demo"]);
    assert!(!again.status.success(), "seeding twice is refused");
    assert_eq!(
        repo.count_cadres().await.unwrap(),
        191,
        "nothing was added twice"
    );
    let bad = nightschool(&db.url, &["frobnicate"]);
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("USAGE"));
}
