//! The organisation tree: the first subdistrict made by the migration, organiser grants
//! given and taken on the accounts page, and an organiser's reach once a district has more
//! than one subdistrict.
use app::domain::Timestamp;
use app::domain::audit::AuditKind;
use app::domain::org::Unit;
use reqwest::StatusCode;
use serde_json::Value;

use crate::helpers::*;

both_backends!(
    an_installs_school_becomes_its_first_subdistrict,
    admins_grant_and_take_organiser_units,
    a_second_subdistrict_keeps_its_sessions_and_organisers_apart,
    each_organiser_acts_within_their_reach,
    the_district_compares_its_subdistricts,
    admins_keep_the_organisation_tree,
    admins_grant_scopes_in_the_import_sheet,
    the_district_holds_classes_across_subdistricts,
    subdistricts_keep_themes_of_their_own,
    a_subdistrict_sets_rules_of_its_own,
);

async fn account_id(app: &TestApp, username: &str) -> i64 {
    app.account(username).await.id
}

/// A database written by the version before subdistricts: its school, communities,
/// organisers and sessions become the first subdistrict's.
async fn an_installs_school_becomes_its_first_subdistrict(backend: Backend) {
    use sqlx::migrate::Migrator;
    let db = fresh_db(backend).await;
    let dir = match backend {
        Backend::Sqlite => "sqlite",
        Backend::Postgres => "postgres",
    };
    let path = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../migrations")
        .join(dir);
    let mut before = Migrator::new(path.as_path()).await.unwrap();
    before.migrations = before
        .migrations
        .iter()
        .filter(|m| m.version < 9)
        .cloned()
        .collect::<Vec<_>>()
        .into();
    let (community, session, account) = match backend {
        Backend::Sqlite => {
            let opts: sqlx::sqlite::SqliteConnectOptions = db
                .url
                .parse::<sqlx::sqlite::SqliteConnectOptions>()
                .unwrap()
                .create_if_missing(true);
            let pool = sqlx::SqlitePool::connect_with(opts).await.unwrap();
            before.run(&pool).await.unwrap();
            old_school(&pool).await
        }
        Backend::Postgres => {
            let pool = sqlx::PgPool::connect(&db.url).await.unwrap();
            before.run(&pool).await.unwrap();
            old_school(&pool).await
        }
    };
    let repo = app::ssr::db::connect(&db.url).await.unwrap();
    let subdistricts = repo.subdistricts().await.unwrap();
    assert_eq!(subdistricts.len(), 1);
    assert_eq!(subdistricts[0].name, "观音阁街道");
    let first = subdistricts[0].id;
    let communities = repo.communities().await.unwrap();
    assert_eq!(communities.len(), 1);
    assert_eq!(
        (communities[0].id, communities[0].subdistrict_id),
        (community, first)
    );
    assert_eq!(
        repo.organiser_units().await.unwrap(),
        vec![(account, Unit::Subdistrict(first))]
    );
    assert_eq!(
        repo.session_subdistrict(session).await.unwrap(),
        Some(Some(first))
    );
    // Nothing lost: the old rows are all there.
    assert_eq!(repo.count_accounts().await.unwrap(), 1);
}

/// One community, one organiser who is also a cadre, one theme and one session, as the
/// version before subdistricts stored them.
async fn old_school<DB>(pool: &sqlx::Pool<DB>) -> (i64, i64, i64)
where
    DB: sqlx::Database,
    for<'q> <DB as sqlx::Database>::Arguments<'q>: sqlx::IntoArguments<'q, DB>,
    for<'c> &'c mut DB::Connection: sqlx::Executor<'c, Database = DB>,
    i64: sqlx::Type<DB> + for<'q> sqlx::Encode<'q, DB> + for<'r> sqlx::Decode<'r, DB>,
    String: sqlx::Type<DB> + for<'q> sqlx::Encode<'q, DB>,
    (i64,): for<'r> sqlx::FromRow<'r, DB::Row>,
{
    let now = Timestamp::now().0;
    let id = |sql: &'static str| {
        let sql = sql.to_string();
        async move {
            let (id,): (i64,) = sqlx::query_as(&sql)
                .bind(now)
                .fetch_one(pool)
                .await
                .unwrap();
            id
        }
    };
    let community =
        id("insert into communities (name, created_at) values ('运河社区', $1) returning id").await;
    let person: (i64,) = sqlx::query_as(
        "insert into people (name, community_id, created_at) values ('王芳', $1, $2) returning id",
    )
    .bind(community)
    .bind(now)
    .fetch_one(pool)
    .await
    .unwrap();
    let account: (i64,) = sqlx::query_as(
        "insert into accounts (username, person_id, password_hash, created_at) \
         values ('wangfang', $1, 'x', $2) returning id",
    )
    .bind(person.0)
    .bind(now)
    .fetch_one(pool)
    .await
    .unwrap();
    for role in ["organiser", "cadre"] {
        sqlx::query("insert into account_roles (account_id, role) values ($1, $2)")
            .bind(account.0)
            .bind(role.to_string())
            .execute(pool)
            .await
            .unwrap();
    }
    let theme = id("insert into themes (name_zh, name_en, created_at) values ('信访维稳', 'Petitions', $1) returning id").await;
    let session: (i64,) = sqlx::query_as(
        "insert into sessions (series, title, theme_id, format, starts_at, ends_at, created_at) \
         values ('运河红·初心讲堂', '专题课', $1, 'lecture', $2, $3, $2) returning id",
    )
    .bind(theme)
    .bind(now)
    .bind(now + 3600)
    .fetch_one(pool)
    .await
    .unwrap();
    (community, session.0, account.0)
}

async fn admins_grant_and_take_organiser_units(backend: Backend) {
    let app = spawn_app(backend).await;
    let admin = app.signed_in("admin").await;
    let cadre_id = account_id(&app, "cadre").await;
    let community = app.repo.communities().await.unwrap()[0].id;
    let unit = format!("community:{community}");
    let id = cadre_id.to_string();
    // Only admins grant, and only units that exist.
    let organiser = app.signed_in("organiser").await;
    let res = app
        .call(
            &organiser,
            "accounts_grant_unit",
            &[("id", &id), ("unit", &unit)],
        )
        .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    for bad in ["community:999999", "street:1", ""] {
        let res = app
            .call(&admin, "accounts_grant_unit", &[("id", &id), ("unit", bad)])
            .await;
        assert_eq!(res.status(), StatusCode::NOT_FOUND, "{bad}");
    }
    assert!(
        !app.repo
            .organiser_units()
            .await
            .unwrap()
            .iter()
            .any(|(a, _)| *a == cadre_id)
    );
    let res = app
        .call(
            &admin,
            "accounts_grant_unit",
            &[("id", &id), ("unit", &unit)],
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let listed: Value = app
        .call(&admin, "accounts_list", &[])
        .await
        .json()
        .await
        .unwrap();
    let row = listed
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["username"] == "cadre")
        .unwrap();
    assert_eq!(
        row["units"],
        serde_json::json!([{ "Community": community }])
    );
    assert!(
        row["roles"]
            .as_array()
            .unwrap()
            .contains(&serde_json::json!("Organiser")),
        "{row}"
    );
    let (status, page) = app.page(&admin, "/admin/accounts").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("组织者范围"));
    let audit = app
        .repo
        .audit_lines(&Default::default(), 200)
        .await
        .unwrap();
    assert!(
        audit
            .iter()
            .any(|l| l.line.kind == AuditKind::RolesChanged && l.line.detail.contains(&unit)),
        "the grant is in the audit log"
    );
    // The last grant taken takes the organiser role with it.
    let res = app
        .call(
            &admin,
            "accounts_revoke_unit",
            &[("id", &id), ("unit", &unit)],
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let account = app.repo.account(cadre_id).await.unwrap().unwrap();
    assert!(!account.roles.has(app::domain::Role::Organiser));
    let res = app
        .call(
            &admin,
            "accounts_revoke_unit",
            &[("id", &id), ("unit", &unit)],
        )
        .await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND, "not held any more");
}

fn titles(v: &Value) -> Vec<String> {
    v.as_array()
        .unwrap()
        .iter()
        .filter_map(|s| s["title"].as_str().map(str::to_string))
        .collect()
}

async fn subdistrict_id(app: &TestApp, name: &str) -> i64 {
    app.repo
        .subdistricts()
        .await
        .unwrap()
        .into_iter()
        .find(|s| s.name == name)
        .unwrap()
        .id
}

/// A session of 李营街道 for "everyone" is for its cadres, not 观音阁's; a district session is
/// for everyone's.
async fn a_second_subdistrict_keeps_its_sessions_and_organisers_apart(backend: Backend) {
    let app = spawn_app(backend).await;
    let liying = subdistrict_id(&app, "李营街道").await;
    let theme = app.repo.themes().await.unwrap()[0].id;
    let now = Timestamp::now();
    let starts_at = Timestamp(now.0 + 3 * 86_400);
    let session = app::ssr::db::NewSession {
        subdistrict_id: Some(liying),
        series: String::new(),
        title: "李营街道专题课".into(),
        theme_id: theme,
        format: app::domain::schedule::SessionFormat::Lecture,
        starts_at,
        ends_at: Timestamp(starts_at.0 + 7200),
        place: "李营街道会议室".into(),
        description_md: String::new(),
        lecturer_ids: Vec::new(),
        audience: app::domain::audience::Audience::Everyone,
        study_hours: app::domain::hours::StudyHours(20),
        hours_overridden: false,
        capacity: None,
        clash_override_reason: None,
    };
    let elsewhere = app.repo.create_session(&session, now).await.unwrap();
    let district = app
        .repo
        .create_session(
            &app::ssr::db::NewSession {
                subdistrict_id: None,
                title: "区委党校专题班".into(),
                ..session.clone()
            },
            now,
        )
        .await
        .unwrap();
    let cadre = app.signed_in("cadre").await;
    let mine: Value = app
        .call(&cadre, "my_upcoming_sessions", &[])
        .await
        .json()
        .await
        .unwrap();
    let mine = titles(&mine);
    assert!(!mine.contains(&"李营街道专题课".to_string()), "{mine:?}");
    assert!(mine.contains(&"区委党校专题班".to_string()), "{mine:?}");
    let open = |id: i64| {
        let (app, cadre) = (&app, &cadre);
        async move {
            app.call(cadre, "open_session", &[("id", &id.to_string())])
                .await
                .status()
        }
    };
    assert_eq!(open(elsewhere).await, StatusCode::NOT_FOUND);
    assert_eq!(open(district).await, StatusCode::OK);
    // The first subdistrict's community names are not offered on the second's pickers.
    let liying_organiser = app.signed_in("liying").await;
    let options: Value = app
        .call(&liying_organiser, "schedule_options", &[])
        .await
        .json()
        .await
        .unwrap();
    let names: Vec<&str> = options["communities"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|c| c["name_zh"].as_str())
        .collect();
    assert_eq!(names, vec!["李营社区", "东营社区"]);
    assert_eq!(options["subdistricts"].as_array().unwrap().len(), 1);
}

/// The district's organiser sees everything; 李营街道's organiser only their subdistrict; the
/// community organiser of 铁塔寺社区 only her community's people.
async fn each_organiser_acts_within_their_reach(backend: Backend) {
    use app::domain::audience::Audience;
    use app::ssr::db::RequestKind;
    let app = spawn_app(backend).await;
    let district = app.signed_in("organiser").await;
    let liying = app.signed_in("liying").await;
    let community = app.signed_in("community").await;
    let tower = app.repo.communities().await.unwrap()[0].clone();
    assert_eq!(tower.name, "铁塔寺社区");
    // A session of 观音阁 for everyone, and leave asked by a cadre of 铁塔寺 and of another
    // community.
    let session = crate::checkin::door_session(&app, 24 * 60, 120, Audience::Everyone).await;
    let sid = session.to_string();
    let cadres = app.repo.programme_cadres(None, None).await.unwrap();
    let ours = cadres
        .iter()
        .find(|c| c.community_id == Some(tower.id))
        .unwrap()
        .person_id;
    let theirs = cadres
        .iter()
        .find(|c| c.subdistrict_id == Some(1) && c.community_id != Some(tower.id))
        .unwrap()
        .person_id;
    let now = Timestamp::now();
    let mut requests = Vec::new();
    for person in [ours, theirs] {
        requests.push(
            app.repo
                .create_request(RequestKind::Leave, session, person, "防汛值班", now)
                .await
                .unwrap(),
        );
    }
    // Rules: the district's for its organiser, a subdistrict's own for the subdistrict's;
    // none for a community's organiser.
    let first = format!("subdistrict:{}", tower.subdistrict_id);
    for (client, unit, want) in [
        (&district, "", StatusCode::OK),
        (&district, first.as_str(), StatusCode::OK),
        (&liying, "", StatusCode::OK),
        (&liying, "district", StatusCode::FORBIDDEN),
        (&liying, first.as_str(), StatusCode::NOT_FOUND),
        (&liying, "community:1", StatusCode::NOT_FOUND),
        (&community, "", StatusCode::FORBIDDEN),
        (&community, first.as_str(), StatusCode::FORBIDDEN),
    ] {
        for endpoint in ["settings_overview", "programme_plans", "settings_door"] {
            assert_eq!(
                app.call(client, endpoint, &[("unit", unit)]).await.status(),
                want,
                "{endpoint} {unit}"
            );
        }
    }
    // Scheduling: organisers of whole subdistricts.
    assert_eq!(
        app.call(&community, "schedule_options", &[]).await.status(),
        StatusCode::FORBIDDEN
    );
    let cancel = [("id", sid.as_str()), ("reason", "改期")];
    assert_eq!(
        app.call(&liying, "sessions_cancel", &cancel).await.status(),
        StatusCode::NOT_FOUND,
        "another subdistrict's session"
    );
    assert_eq!(
        app.call(&community, "sessions_cancel", &cancel)
            .await
            .status(),
        StatusCode::FORBIDDEN,
        "her community is in its audience, but she does not organise it"
    );
    // The door and the sheet: the community organiser sees her community's people only.
    for endpoint in ["door_board", "attendance_sheet"] {
        let res = app.call(&liying, endpoint, &[("session_id", &sid)]).await;
        assert_eq!(res.status(), StatusCode::NOT_FOUND, "{endpoint}");
    }
    let sheet: Value = app
        .call(&community, "attendance_sheet", &[("session_id", &sid)])
        .await
        .json()
        .await
        .unwrap();
    let lines = sheet["lines"].as_array().unwrap();
    assert!(!lines.is_empty());
    assert!(
        lines.iter().all(|l| l["community"] == "铁塔寺社区"),
        "{lines:?}"
    );
    let full: Value = app
        .call(&district, "attendance_sheet", &[("session_id", &sid)])
        .await
        .json()
        .await
        .unwrap();
    assert!(full["lines"].as_array().unwrap().len() > lines.len());
    let mark = |person: i64| {
        let (app, community, sid) = (&app, &community, sid.clone());
        async move {
            app.call(
                community,
                "attendance_set",
                &[
                    ("session_id", sid.as_str()),
                    ("person_id", &person.to_string()),
                    ("status", "excused"),
                    ("reason", ""),
                ],
            )
            .await
            .status()
        }
    };
    assert_eq!(mark(ours).await, StatusCode::OK);
    assert_eq!(mark(theirs).await, StatusCode::NOT_FOUND);
    // Leave: her queue holds her community's request, and she decides only that one.
    let queue: Value = app
        .call(&community, "requests_queue", &[])
        .await
        .json()
        .await
        .unwrap();
    let asked: Vec<i64> = queue["leave"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["request"]["id"].as_i64().unwrap())
        .collect();
    assert_eq!(asked, vec![requests[0]]);
    let decide = |id: i64| {
        let (app, community) = (&app, &community);
        async move {
            app.call(
                community,
                "requests_decide",
                &[
                    ("id", id.to_string().as_str()),
                    ("kind", "leave"),
                    ("decision", "approved"),
                ],
            )
            .await
            .status()
        }
    };
    assert_eq!(decide(requests[1]).await, StatusCode::NOT_FOUND);
    assert_eq!(decide(requests[0]).await, StatusCode::OK);
    let liying_queue: Value = app
        .call(&liying, "requests_queue", &[])
        .await
        .json()
        .await
        .unwrap();
    assert!(liying_queue["leave"].as_array().unwrap().is_empty());
    // Reports and dossiers.
    let year = Timestamp::now().local_date().format("%Y").to_string();
    let report: Value = app
        .call(
            &community,
            "report_attendance",
            &[
                ("from", &format!("{year}-01-01")),
                ("to", &format!("{year}-12-31")),
            ],
        )
        .await
        .json()
        .await
        .unwrap();
    let names: Vec<&str> = report["communities"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|c| c["name"].as_str().or(c["label"].as_str()))
        .collect();
    assert!(names.iter().all(|n| *n == "铁塔寺社区"), "{report}");
    let dossier = |person: i64| {
        let (app, community) = (&app, &community);
        async move {
            app.call(
                community,
                "progress_view",
                &[("person_id", &person.to_string())],
            )
            .await
            .status()
        }
    };
    assert_eq!(dossier(ours).await, StatusCode::OK);
    assert_eq!(dossier(theirs).await, StatusCode::NOT_FOUND);
    let dashboard: Value = app
        .call(&community, "programme_dashboard", &[])
        .await
        .json()
        .await
        .unwrap();
    let communities: Vec<&str> = dashboard["communities"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|c| c["name"].as_str())
        .collect();
    assert_eq!(communities, vec!["铁塔寺社区"], "{dashboard}");
    // The overview lists what each reaches.
    let overview: Value = app
        .call(&liying, "organiser_overview", &[])
        .await
        .json()
        .await
        .unwrap();
    let upcoming = titles(&overview["upcoming"]);
    assert!(
        upcoming.iter().all(|t| t.contains("网格员业务培训")),
        "{upcoming:?}"
    );
    assert_eq!(overview["schedules"], true);
    let overview: Value = app
        .call(&community, "organiser_overview", &[])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(overview["schedules"], false);
    assert!(
        !titles(&overview["upcoming"])
            .iter()
            .any(|t| t.contains("网格员业务培训"))
    );
    // Exports follow the same reach.
    let (status, csv) = app
        .page(&community, &format!("/sessions/{session}/attendance.csv"))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(csv.contains("铁塔寺社区"));
    for other in app.repo.communities().await.unwrap().iter().skip(1) {
        assert!(!csv.contains(&other.name), "{} in {csv}", other.name);
    }
    let (status, _) = app
        .page(&liying, &format!("/sessions/{session}/attendance.csv"))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

/// The district's organisers compare the subdistricts, drill into one, and download one
/// table of every cadre; a subdistrict's organiser sees their own line; a community's none.
async fn the_district_compares_its_subdistricts(backend: Backend) {
    let app = spawn_app(backend).await;
    let district = app.signed_in("organiser").await;
    let liying = app.signed_in("liying").await;
    let community = app.signed_in("community").await;
    let cadre = app.signed_in("cadre").await;
    let view: Value = app
        .call(&district, "district_overview", &[])
        .await
        .json()
        .await
        .unwrap();
    let lines = view["lines"].as_array().unwrap();
    let names: Vec<&str> = lines.iter().filter_map(|l| l["name"].as_str()).collect();
    assert_eq!(names, vec!["观音阁街道", "李营街道"]);
    assert_eq!(lines[0]["figures"]["cadres"], 179);
    assert_eq!(lines[1]["figures"]["cadres"], 12);
    assert_eq!(view["total"]["cadres"], 191);
    for line in lines {
        let f = &line["figures"];
        let groups = f["on_track"].as_i64().unwrap()
            + f["at_risk"].as_i64().unwrap()
            + f["behind"].as_i64().unwrap();
        assert_eq!(groups, f["cadres"].as_i64().unwrap(), "{line}");
    }
    assert!(
        lines[0]["figures"]["expected"].as_i64().unwrap() > 0,
        "the demo's past sessions"
    );
    let own: Value = app
        .call(&liying, "district_overview", &[])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(own["lines"].as_array().unwrap().len(), 1);
    assert_eq!(own["lines"][0]["name"], "李营街道");
    for client in [&community, &cadre] {
        assert_eq!(
            app.call(client, "district_overview", &[]).await.status(),
            StatusCode::FORBIDDEN
        );
    }
    // Drilling into a subdistrict: its communities only; another's is not found.
    let second = subdistrict_id(&app, "李营街道").await.to_string();
    let first = subdistrict_id(&app, "观音阁街道").await.to_string();
    let drilled: Value = app
        .call(
            &district,
            "programme_dashboard",
            &[("subdistrict", &second)],
        )
        .await
        .json()
        .await
        .unwrap();
    let communities: Vec<&str> = drilled["communities"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|c| c["name"].as_str())
        .collect();
    assert_eq!(communities, vec!["东营社区", "李营社区"]);
    assert_eq!(
        app.call(&liying, "programme_dashboard", &[("subdistrict", &first)])
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
    // The table: a header and one row per cadre.
    let year = Timestamp::now().local_date().format("%Y").to_string();
    let path = format!("/reports/district-{year}.csv");
    let (status, csv) = app.page(&district, &path).await;
    assert_eq!(status, StatusCode::OK);
    let rows: Vec<&str> = csv.lines().collect();
    assert_eq!(rows.len(), 1 + 191);
    assert!(
        rows[0].starts_with("\u{feff}街道,社区,姓名,梯队,年度,应参加场次"),
        "{}",
        rows[0]
    );
    assert!(rows[1].starts_with("观音阁街道,"));
    assert!(rows[191].starts_with("李营街道,"));
    let (status, csv) = app.page(&liying, &path).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(csv.lines().count(), 1 + 12);
    assert!(!csv.contains("观音阁街道"));
    let (status, _) = app.page(&community, &path).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

/// Admins add and rename subdistricts and add communities; bad names change nothing.
async fn admins_keep_the_organisation_tree(backend: Backend) {
    let app = spawn_app(backend).await;
    let admin = app.signed_in("admin").await;
    let before = app.repo.subdistricts().await.unwrap();
    for (name, want) in [
        ("", StatusCode::UNPROCESSABLE_ENTITY),
        ("李营街道", StatusCode::CONFLICT),
        (&"很长的名字".repeat(9), StatusCode::UNPROCESSABLE_ENTITY),
    ] {
        let res = app
            .call(
                &admin,
                "subdistrict_add",
                &[("name", name), ("series_name", "")],
            )
            .await;
        assert_eq!(res.status(), want, "{name}");
    }
    assert_eq!(
        app.repo.subdistricts().await.unwrap(),
        before,
        "nothing was added"
    );
    let res = app
        .call(
            &admin,
            "subdistrict_add",
            &[("name", " 南苑街道 "), ("series_name", "南苑讲堂")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let id: i64 = res.json().await.unwrap();
    let sid = id.to_string();
    let res = app
        .call(
            &admin,
            "community_add",
            &[("subdistrict_id", &sid), ("name", "铁塔寺社区")],
        )
        .await;
    assert_eq!(
        res.status(),
        StatusCode::OK,
        "the name is another subdistrict's"
    );
    let res = app
        .call(
            &admin,
            "community_add",
            &[("subdistrict_id", &sid), ("name", "铁塔寺社区")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::CONFLICT);
    let res = app
        .call(
            &admin,
            "community_add",
            &[("subdistrict_id", "999999"), ("name", "某社区")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    let res = app
        .call(
            &admin,
            "subdistrict_rename",
            &[
                ("id", &sid),
                ("name", "南苑街道"),
                ("series_name", "南苑夜校"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let tree: Value = app
        .call(&admin, "organisation_tree", &[])
        .await
        .json()
        .await
        .unwrap();
    let added = tree
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == id)
        .unwrap();
    assert_eq!(added["name"], "南苑街道");
    assert_eq!(added["series_name"], "南苑夜校");
    assert_eq!(added["communities"][0]["name"], "铁塔寺社区");
    let (status, page) = app.page(&admin, "/admin/organisation").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("南苑街道") && page.contains("组织架构"));
    let audit = app
        .repo
        .audit_lines(&Default::default(), 200)
        .await
        .unwrap();
    assert!(
        audit
            .iter()
            .filter(|l| l.line.kind == AuditKind::OrganisationChanged)
            .count()
            >= 3
    );
    let organiser = app.signed_in("organiser").await;
    let (status, _) = app.page(&organiser, "/admin/organisation").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

/// The import sheet names subdistricts and scopes: a community name two subdistricts share
/// needs its subdistrict; a scope makes an organiser of that unit; only admins give scopes.
async fn admins_grant_scopes_in_the_import_sheet(backend: Backend) {
    use crate::progress::{batch_of, upload};
    let app = spawn_app(backend).await;
    let admin = app.signed_in("admin").await;
    let organiser = app.signed_in("organiser").await;
    let subdistricts = app.repo.subdistricts().await.unwrap();
    let liying = subdistricts
        .iter()
        .find(|s| s.name == "李营街道")
        .unwrap()
        .id;
    // A second 铁塔寺社区, in 李营街道: the name alone no longer says which.
    let line = app::ssr::audit::from_meta(
        &Default::default(),
        None,
        AuditKind::OrganisationChanged,
        app::domain::audit::AuditOutcome::Ok,
        "",
    );
    let twin = app
        .repo
        .add_community(liying, "铁塔寺社区", &line)
        .await
        .unwrap();

    let sheet = "姓名,街道,社区,手机,梯队,角色,管理范围\n\
                 新书记,李营街道,东营社区,13900002222,雏雁,学员,社区\n\
                 新主任,观音阁街道,铁塔寺社区,13900002223,雏雁,组织者,\n\
                 区里的人,李营街道,铁塔寺社区,13900002224,雏雁,,全区\n\
                 不知哪个,,铁塔寺社区,13900002225,雏雁,,\n";
    let to = upload(&app, &admin, "scopes.csv", sheet.as_bytes().to_vec()).await;
    let batch = batch_of(&to);
    let res = app
        .call(&admin, "import_preview", &[("batch_id", &batch)])
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let preview: Value = res.json().await.unwrap();
    assert_eq!(preview["problems"][0]["line"], 5, "{preview}");
    assert_eq!(preview["problems"][0]["problem"], "ambiguous_community");

    let sheet = sheet.replace("不知哪个,,", "不知哪个,李营街道,");
    let to = upload(&app, &admin, "scopes.csv", sheet.into_bytes()).await;
    let batch = batch_of(&to);
    let res = app
        .call(&admin, "import_apply", &[("batch_id", &batch)])
        .await;
    assert_eq!(
        res.status(),
        StatusCode::OK,
        "{}",
        res.text().await.unwrap()
    );

    let accounts = app.repo.list_accounts().await.unwrap();
    let id = |name: &str| accounts.iter().find(|a| a.username == name).unwrap().id;
    let units = app.repo.organiser_units().await.unwrap();
    let of = |account: i64| -> Vec<Unit> {
        units
            .iter()
            .filter(|(a, _)| *a == account)
            .map(|(_, u)| *u)
            .collect()
    };
    let dongying = app
        .repo
        .communities()
        .await
        .unwrap()
        .into_iter()
        .find(|c| c.name == "东营社区")
        .unwrap()
        .id;
    assert_eq!(of(id("13900002222")), vec![Unit::Community(dongying)]);
    assert_eq!(
        of(id("13900002223")),
        vec![Unit::Subdistrict(subdistricts[0].id)]
    );
    assert_eq!(of(id("13900002224")), vec![Unit::District]);
    let roles = &accounts
        .iter()
        .find(|a| a.id == id("13900002222"))
        .unwrap()
        .roles;
    assert!(roles.has(app::domain::Role::Organiser) && roles.has(app::domain::Role::Cadre));
    // The person of the twin community is in 李营街道's.
    let placed = app.repo.search_people("不知哪个", 5, None).await.unwrap();
    assert_eq!(placed.len(), 1);
    let place = app.repo.person_place(placed[0].id).await.unwrap().unwrap();
    assert_eq!(place.community, Some(twin));
    assert_eq!(place.subdistrict, Some(liying));

    // An organiser of the whole district imports cadres, but scopes are for admins.
    let sheet = "姓名,社区,手机,梯队,管理范围\n另一人,东营社区,13900002226,雏雁,社区\n";
    let to = upload(&app, &organiser, "scopes.csv", sheet.as_bytes().to_vec()).await;
    let preview: Value = app
        .call(
            &organiser,
            "import_preview",
            &[("batch_id", &batch_of(&to))],
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        preview["problems"][0]["problem"], "role_not_allowed",
        "{preview}"
    );
    // Organisers of less than the whole install do not import at all.
    let liying_organiser = app.signed_in("liying").await;
    let res = app
        .call(
            &liying_organiser,
            "import_preview",
            &[("batch_id", &batch_of(&to))],
        )
        .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
}

/// A 区委党校 class: held by the district, its audience "everyone" is every subdistrict's
/// cadres; only organisers of the district may hold one.
async fn the_district_holds_classes_across_subdistricts(backend: Backend) {
    use crate::schedule::{create, lecturer_person, series_form};
    let app = spawn_app(backend).await;
    let organiser = app.signed_in("organiser").await;
    let liying = app.signed_in("liying").await;

    let options: Value = app
        .call(&organiser, "schedule_options", &[])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(options["district"], true);
    let options: Value = app
        .call(&liying, "schedule_options", &[])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(options["district"], false);

    let mut form = series_form(
        &app,
        "区委党校专题班：基层治理",
        lecturer_person(&app).await,
        serde_json::json!({ "everyone": true, "repeat_weekdays": [], "repeat_count": "" }),
    )
    .await;
    form["subdistrict_id"] = "district".into();
    let res = create(&app, &liying, &form, "").await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let res = create(&app, &organiser, &form, "").await;
    assert_eq!(
        res.status(),
        StatusCode::OK,
        "{}",
        res.text().await.unwrap()
    );
    let ids: Vec<i64> = res.json().await.unwrap();
    let id = ids[0];
    assert_eq!(app.repo.session_subdistrict(id).await.unwrap(), Some(None));
    let detail = app.repo.session_detail(id).await.unwrap().unwrap();
    assert_eq!(detail.series, app::domain::schedule::DISTRICT_SERIES);

    // Its audience: cadres of both subdistricts.
    let sheet = app.repo.session_sheet(id, None).await.unwrap();
    let mut held_in = std::collections::BTreeSet::new();
    for row in &sheet {
        let place = app.repo.person_place(row.person_id).await.unwrap().unwrap();
        held_in.insert(place.subdistrict);
    }
    assert_eq!(held_in.len(), 2, "{held_in:?}");
    assert_eq!(app.repo.count_cadres().await.unwrap() as usize, sheet.len());
}

/// A subdistrict's organiser adds a theme of its own: offered for that subdistrict's
/// sessions, refused for another's; the district's shared themes stay for everyone.
async fn subdistricts_keep_themes_of_their_own(backend: Backend) {
    use crate::schedule::{create, lecturer_person, series_form};
    let app = spawn_app(backend).await;
    let organiser = app.signed_in("organiser").await;
    let liying = app.signed_in("liying").await;
    let subdistricts = app.repo.subdistricts().await.unwrap();
    let (first, second) = (
        subdistricts[0].id.to_string(),
        subdistricts[1].id.to_string(),
    );
    assert_eq!(subdistricts[1].name, "李营街道");

    let add = |who: &reqwest::Client, sub: Option<String>| {
        let mut form = vec![
            ("name_zh", "李营河道治理".to_string()),
            ("name_en", String::new()),
        ];
        if let Some(sub) = sub {
            form.push(("subdistrict_id", sub));
        }
        let (app, who) = (&app, who.clone());
        async move {
            let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
            app.call(&who, "themes_add", &form).await
        }
    };
    // Not for the district as a whole, nor for another subdistrict.
    assert_eq!(add(&liying, None).await.status(), StatusCode::FORBIDDEN);
    assert_eq!(
        add(&liying, Some(first.clone())).await.status(),
        StatusCode::NOT_FOUND
    );
    let res = add(&liying, Some(second.clone())).await;
    assert_eq!(
        res.status(),
        StatusCode::OK,
        "{}",
        res.text().await.unwrap()
    );
    let theme: i64 = res.json().await.unwrap();
    let stored = app.repo.themes().await.unwrap();
    let own = stored.iter().find(|t| t.id == theme).unwrap();
    assert_eq!(own.subdistrict_id, Some(subdistricts[1].id));
    assert_eq!(own.name_en, "李营河道治理");

    let offered = |v: &Value| {
        v["themes"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["id"].as_i64() == Some(theme))
    };
    let options: Value = app
        .call(&liying, "schedule_options", &[])
        .await
        .json()
        .await
        .unwrap();
    assert!(offered(&options));
    assert!(
        options["themes"].as_array().unwrap().len() > 1,
        "shared themes too"
    );

    // Offered for 李营's sessions, refused for 观音阁's.
    let mut form = series_form(
        &app,
        "河道治理实务",
        lecturer_person(&app).await,
        serde_json::json!({ "everyone": true, "repeat_weekdays": [], "repeat_count": "" }),
    )
    .await;
    form["theme_id"] = theme.to_string().into();
    form["subdistrict_id"] = first.clone().into();
    let res = create(&app, &organiser, &form, "").await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    form["subdistrict_id"] = second.clone().into();
    let res = create(&app, &liying, &form, "").await;
    assert_eq!(
        res.status(),
        StatusCode::OK,
        "{}",
        res.text().await.unwrap()
    );
    // The same name twice is refused.
    assert_eq!(
        add(&liying, Some(second.clone())).await.status(),
        StatusCode::CONFLICT
    );
}

/// 李营街道 sets its own leave cap, study-hours rule, credit shares and tier requirements:
/// they apply to its cadres and sessions, 观音阁 keeps the district's, and forgetting them
/// brings the district's back.
async fn a_subdistrict_sets_rules_of_its_own(backend: Backend) {
    let app = spawn_app(backend).await;
    let district = app.signed_in("organiser").await;
    let liying = app.signed_in("liying").await;
    let second = subdistrict_id(&app, "李营街道").await;
    let unit = format!("subdistrict:{second}");
    let overview = |who: reqwest::Client, unit: &'static str| {
        let app = &app;
        async move {
            let v: Value = app
                .call(&who, "settings_overview", &[("unit", unit)])
                .await
                .json()
                .await
                .unwrap();
            v
        }
    };
    let before = overview(liying.clone(), "").await;
    assert_eq!(before["holders"]["shown"], unit.as_str());
    assert_eq!(before["holders"]["own"], false);
    assert_eq!(
        before["leave_cap"], "1/7",
        "the district's until it sets one"
    );

    let ok = |res: reqwest::Response| async move {
        let status = res.status();
        assert_eq!(status, StatusCode::OK, "{}", res.text().await.unwrap());
    };
    ok(app
        .call(
            &liying,
            "settings_attendance",
            &[("leave_cap", "1/5"), ("make_up_share", "100%")],
        )
        .await)
    .await;
    ok(app
        .call(&liying, "settings_hours_rule", &[("minutes", "30")])
        .await)
    .await;
    // Bad input changes nothing.
    assert_eq!(
        app.call(&liying, "settings_hours_rule", &[("minutes", "0")])
            .await
            .status(),
        StatusCode::UNPROCESSABLE_ENTITY
    );
    let after = overview(liying.clone(), "").await;
    assert_eq!(
        (
            &after["leave_cap"],
            &after["make_up_share"],
            &after["minutes_per_hour"],
            &after["holders"]["own"]
        ),
        (&"20%".into(), &"100%".into(), &30.into(), &true.into())
    );
    // 李营's sessions count 30 minutes a study hour; 观音阁's keep the district's 45.
    let hours_of = |who: reqwest::Client, sub: i64, title: &'static str| {
        let app = &app;
        async move {
            use crate::schedule::{create, lecturer_person, series_form};
            let mut form = series_form(
                app,
                title,
                lecturer_person(app).await,
                serde_json::json!({ "everyone": true, "repeat_weekdays": [], "repeat_count": "" }),
            )
            .await;
            form["subdistrict_id"] = sub.to_string().into();
            let res = create(app, &who, &form, "两个街道同时开课").await;
            let status = res.status();
            let text = res.text().await.unwrap();
            assert_eq!(status, StatusCode::OK, "{text}");
            let ids: Vec<i64> = serde_json::from_str(&text).unwrap();
            let detail = app.repo.session_detail(ids[0]).await.unwrap().unwrap();
            detail.summary.study_hours.0
        }
    };
    assert_eq!(hours_of(liying.clone(), second, "李营两小时").await, 40);
    assert_eq!(hours_of(district.clone(), 1, "观音阁两小时").await, 25);
    let theirs = overview(district.clone(), "").await;
    assert_eq!(theirs["holders"]["shown"], "district");
    assert_eq!(
        (&theirs["leave_cap"], &theirs["minutes_per_hour"]),
        (&"1/7".into(), &45.into()),
        "the district's and 观音阁's stay"
    );
    let book = app.repo.setting_book().await.unwrap();
    assert_eq!(book.leave_cap(Some(second)).display(), "20%");
    assert_eq!(book.leave_cap(Some(1)).display(), "1/7");
    let filter = app::ssr::db::AuditFilter {
        kind: Some(AuditKind::SettingsChanged),
        ..Default::default()
    };
    let lines = app.repo.audit_lines(&filter, 10).await.unwrap();
    assert!(
        lines.iter().all(|l| l.line.target == unit) && lines.len() == 2,
        "{lines:?}"
    );

    // A tier's requirements of its own: 李营's cadres owe them, 观音阁's the district's.
    let plans: Value = app
        .call(&liying, "programme_plans", &[])
        .await
        .json()
        .await
        .unwrap();
    let tier = plans["tiers"][0][0]["id"].as_i64().unwrap().to_string();
    let district_hours = app.repo.tier_plans().await.unwrap()[0].requirements.hours;
    ok(app
        .call(
            &liying,
            "programme_tier_save",
            &[
                ("form[tier_id]", tier.as_str()),
                ("form[target_count]", "3"),
                ("form[hours]", "99"),
                ("form[attendance_percent]", "50"),
                ("form[reflections]", "0"),
                ("form[teaching]", "0"),
            ],
        )
        .await)
    .await;
    assert_eq!(
        app.repo.tier_plans().await.unwrap()[0].requirements.hours,
        district_hours,
        "the district's plan is untouched"
    );
    let now = Timestamp::now();
    let year = app::ssr::progress::this_year(now);
    let p =
        app::ssr::progress::programme(app.repo.as_ref(), app.repo.as_ref(), year, None, now, None)
            .await
            .unwrap();
    let top: i64 = tier.parse().unwrap();
    let owed = |sub: i64| {
        p.standings
            .iter()
            .find(|s| s.cadre.subdistrict_id == Some(sub) && s.cadre.tier_id == Some(top))
            .map(|s| s.credits.make_up.display())
    };
    assert_eq!(
        owed(second).as_deref(),
        Some("100%"),
        "李营's make-up share"
    );
    assert_eq!(owed(1).as_deref(), Some("50%"), "观音阁's make-up share");
    let theirs_plans: Value = app
        .call(&district, "programme_plans", &[("unit", unit.as_str())])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(theirs_plans["tiers"][0][1]["hours"], "99");
    assert_eq!(theirs_plans["holders"]["own"], true);
    let liying_standing = p
        .standings
        .iter()
        .find(|s| s.cadre.subdistrict_id == Some(second) && s.cadre.tier_id == Some(top))
        .unwrap();
    assert_eq!(liying_standing.owed.min_attendance_percent, 50);
    assert!(liying_standing.owed.hours.0 <= 990 && liying_standing.owed.hours.0 > 0);
    let guanyinge_standing = p
        .standings
        .iter()
        .find(|s| s.cadre.subdistrict_id == Some(1) && s.cadre.tier_id == Some(top))
        .unwrap();
    assert_ne!(guanyinge_standing.owed.min_attendance_percent, 50);

    // A community's organiser cannot touch them (another subdistrict's answers 404: the
    // matrix); forgetting them restores the district's.
    let community = app.signed_in("community").await;
    assert_eq!(
        app.call(&community, "settings_reset", &[("unit", unit.as_str())])
            .await
            .status(),
        StatusCode::FORBIDDEN
    );
    ok(app
        .call(&liying, "settings_reset", &[("unit", unit.as_str())])
        .await)
    .await;
    ok(app
        .call(&liying, "programme_plans_reset", &[("unit", unit.as_str())])
        .await)
    .await;
    let back = overview(liying.clone(), "").await;
    assert_eq!(
        (&back["leave_cap"], &back["holders"]["own"]),
        (&"1/7".into(), &false.into())
    );
    assert!(
        app.repo.subdistrict_tier_plans().await.unwrap().is_empty(),
        "no tier plan of its own left"
    );
}
