//! The organisation tree: the first subdistrict made by the migration, organiser grants
//! given and taken on the accounts page, and an organiser's reach once a district has more
//! than one subdistrict.
use app::domain::Timestamp;
use app::domain::audit::{AuditKind, AuditLine, AuditOutcome};
use app::domain::org::Unit;
use reqwest::StatusCode;
use serde_json::Value;

use crate::helpers::*;

both_backends!(
    the_school_becomes_the_first_subdistrict,
    admins_grant_and_take_organiser_units,
    a_second_subdistrict_keeps_its_sessions_and_organisers_apart,
);

fn line(kind: AuditKind) -> AuditLine {
    AuditLine {
        at: Timestamp::now(),
        actor: None,
        kind,
        target: String::new(),
        address: String::new(),
        user_agent: String::new(),
        outcome: AuditOutcome::Ok,
        detail: String::new(),
    }
}

async fn account_id(app: &TestApp, username: &str) -> i64 {
    app.repo
        .list_accounts()
        .await
        .unwrap()
        .into_iter()
        .find(|a| a.username == username)
        .unwrap()
        .id
}

async fn the_school_becomes_the_first_subdistrict(backend: Backend) {
    let app = spawn_app(backend).await;
    let subdistricts = app.repo.subdistricts().await.unwrap();
    assert_eq!(subdistricts.len(), 1);
    let first = &subdistricts[0];
    assert_eq!(first.name, "观音阁街道");
    let communities = app.repo.communities().await.unwrap();
    assert!(!communities.is_empty());
    assert!(communities.iter().all(|c| c.subdistrict_id == first.id));
    let organiser = account_id(&app, "organiser").await;
    let units = app.repo.organiser_units().await.unwrap();
    assert!(
        units.contains(&(organiser, Unit::Subdistrict(first.id))),
        "{units:?}"
    );
    // Two subdistricts may each have a community of the same name; one may not have two.
    let second = app
        .repo
        .create_subdistrict("李营街道", "", &line(AuditKind::OrganisationChanged))
        .await
        .unwrap();
    let name = &communities[0].name;
    app.repo
        .add_community(second, name, &line(AuditKind::OrganisationChanged))
        .await
        .expect("a community of the same name elsewhere");
    assert!(
        app.repo
            .add_community(second, name, &line(AuditKind::OrganisationChanged))
            .await
            .is_err()
    );
    assert!(
        app.repo
            .create_subdistrict("李营街道", "", &line(AuditKind::OrganisationChanged))
            .await
            .is_err(),
        "names are unique"
    );
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

async fn a_second_subdistrict_keeps_its_sessions_and_organisers_apart(backend: Backend) {
    let app = spawn_app(backend).await;
    let organiser = app.signed_in("organiser").await;
    assert_eq!(
        app.call(&organiser, "organiser_overview", &[])
            .await
            .status(),
        StatusCode::OK
    );
    let second = app
        .repo
        .create_subdistrict("李营街道", "", &line(AuditKind::OrganisationChanged))
        .await
        .unwrap();
    // The first subdistrict's organiser no longer reaches the whole install: the surfaces
    // that act on all of it refuse them.
    let organiser = app.signed_in("organiser").await;
    for endpoint in ["organiser_overview", "requests_queue", "schedule_options"] {
        let res = app.call(&organiser, endpoint, &[]).await;
        assert_eq!(res.status(), StatusCode::FORBIDDEN, "{endpoint}");
    }
    // A district grant gives it back.
    let admin = app.signed_in("admin").await;
    let id = account_id(&app, "organiser").await.to_string();
    let res = app
        .call(
            &admin,
            "accounts_grant_unit",
            &[("id", &id), ("unit", "district")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let organiser = app.signed_in("organiser").await;
    assert_eq!(
        app.call(&organiser, "organiser_overview", &[])
            .await
            .status(),
        StatusCode::OK
    );
    // A session of the second subdistrict for "everyone" is for its cadres, not the first's.
    let theme = app.repo.themes().await.unwrap()[0].id;
    let now = Timestamp::now();
    let starts_at = Timestamp(now.0 + 3 * 86_400);
    let session = app::ssr::db::NewSession {
        subdistrict_id: Some(second),
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
    let titles: Vec<&str> = mine
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|s| s["title"].as_str())
        .collect();
    assert!(!titles.contains(&"李营街道专题课"), "{titles:?}");
    assert!(titles.contains(&"区委党校专题班"), "{titles:?}");
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
}
