//! The conformance suite: the same repository behaviour on both backends.
use app::domain::audience::{Audience, Member};
use app::domain::hours::StudyHours;
use app::domain::schedule::{AttendanceStatus, SessionFormat};
use app::domain::{DisplayName, Role, Roles, Timestamp, Username};
use app::ssr::db::{AttendanceRecord, NewAccount, NewAuthSession, NewSession, RepoError};
use nightschool_server::open_database;

use crate::helpers::*;

both_backends!(
    usernames_are_unique_ignoring_case,
    roles_round_trip_and_admins_are_counted,
    auth_sessions_live_and_die,
    attendance_is_one_row_per_cadre_and_session,
    sessions_list_in_order_with_their_lecturers,
    audiences_pick_the_same_cadres_as_the_domain_rule,
);

fn account(username: &str, roles: &[Role]) -> NewAccount {
    NewAccount {
        username: Username::parse(username).unwrap(),
        display_name: DisplayName::parse("测试").unwrap(),
        password_hash: "x".into(),
        roles: Roles::new(roles.iter().copied()),
        person_id: None,
        must_change_password: false,
    }
}

async fn usernames_are_unique_ignoring_case(backend: Backend) {
    let db = fresh_db(backend).await;
    let repo = open_database(&db.url).await.unwrap();
    let now = Timestamp::now();
    repo.create_account(&account("zhang", &[Role::Cadre]), None, now)
        .await
        .unwrap();
    let again = repo
        .create_account(&account("zhang", &[Role::Cadre]), None, now)
        .await;
    assert!(matches!(again, Err(RepoError::Conflict)), "{again:?}");
    assert_eq!(
        repo.count_accounts().await.unwrap(),
        1,
        "nothing half-written"
    );
    let rec = repo
        .login_record(&Username::parse("ZHANG").unwrap())
        .await
        .unwrap()
        .unwrap();
    assert!(!rec.disabled);
    assert!(repo.create_community(1, "运河社区", now).await.is_ok());
    assert!(matches!(
        repo.create_community(1, "运河社区", now).await,
        Err(RepoError::Conflict)
    ));
}

async fn roles_round_trip_and_admins_are_counted(backend: Backend) {
    let db = fresh_db(backend).await;
    let repo = open_database(&db.url).await.unwrap();
    let now = Timestamp::now();
    let id = repo
        .create_account(&account("boss", &[Role::Admin, Role::Organiser]), None, now)
        .await
        .unwrap();
    let a = repo.account(id).await.unwrap().unwrap();
    assert_eq!(a.roles, Roles::new([Role::Organiser, Role::Admin]));
    assert_eq!(a.display_name, "测试");
    assert_eq!(repo.count_active_admins().await.unwrap(), 1);
    assert!(
        repo.set_account_roles(
            id,
            &Roles::new([Role::Cadre]),
            &app::ssr::audit::system(app::domain::audit::AuditKind::AccountCreated, "test")
        )
        .await
        .unwrap()
    );
    assert_eq!(repo.count_active_admins().await.unwrap(), 0);
    assert!(
        !repo
            .set_account_roles(
                9999,
                &Roles::new([Role::Cadre]),
                &app::ssr::audit::system(app::domain::audit::AuditKind::AccountCreated, "test")
            )
            .await
            .unwrap()
    );
    assert!(
        repo.set_account_disabled(
            id,
            true,
            &app::ssr::audit::system(app::domain::audit::AuditKind::AccountCreated, "test")
        )
        .await
        .unwrap()
    );
    assert!(repo.account(id).await.unwrap().unwrap().disabled);
    assert_eq!(repo.list_accounts().await.unwrap().len(), 1);
}

async fn auth_sessions_live_and_die(backend: Backend) {
    let db = fresh_db(backend).await;
    let repo = open_database(&db.url).await.unwrap();
    let now = Timestamp::now();
    let id = repo
        .create_account(&account("li.na", &[Role::Cadre]), None, now)
        .await
        .unwrap();
    for (hash, expires) in [("a", now.0 + 3600), ("b", now.0 + 3600), ("old", now.0 - 1)] {
        let s = NewAuthSession {
            token_hash: hash.into(),
            pending: None,
            account_id: id,
            created_at: now,
            idle_secs: 1800,
            expires_at: Timestamp(expires),
        };
        repo.create_auth_session(
            &s,
            "",
            &app::ssr::audit::system(app::domain::audit::AuditKind::AccountCreated, "test"),
        )
        .await
        .unwrap();
    }
    let stored = repo.auth_session("a").await.unwrap().unwrap();
    assert_eq!(stored.account_id, id);
    assert!(stored.clock.is_valid_at(now));
    assert_eq!(stored.pending, None);
    repo.touch_auth_sessions(&[("a".into(), Timestamp(now.0 + 60))])
        .await
        .unwrap();
    assert_eq!(
        repo.auth_session("a")
            .await
            .unwrap()
            .unwrap()
            .clock
            .last_seen,
        Timestamp(now.0 + 60)
    );
    assert_eq!(repo.prune_auth_sessions(now).await.unwrap(), 1);
    repo.delete_auth_sessions_of(id, Some("a")).await.unwrap();
    assert!(repo.auth_session("a").await.unwrap().is_some());
    assert!(repo.auth_session("b").await.unwrap().is_none());
}

async fn attendance_is_one_row_per_cadre_and_session(backend: Backend) {
    let app = spawn_app(backend).await;
    let repo = &app.repo;
    let now = Timestamp::now();
    let today = repo
        .sessions_between(now.local_day_bounds().0, now.local_day_bounds().1, 10)
        .await
        .unwrap();
    let session_id = today[0].id;
    let counts_of = async |id| {
        app::ssr::db::SheetGroup::total(&repo.sheet_groups(id, None).await.unwrap()).counts
    };
    let before = counts_of(session_id).await;
    assert_eq!(before.checked_in(), 0);
    assert_eq!(before.expected, 179);
    let row = |status| AttendanceRecord {
        session_id,
        person_id: 1,
        status,
        checked_in_at: Some(now),
    };
    repo.record_attendance(&[row(AttendanceStatus::Present)], now)
        .await
        .unwrap();
    repo.record_attendance(&[row(AttendanceStatus::Late)], now)
        .await
        .unwrap();
    let after = counts_of(session_id).await;
    assert_eq!((after.present, after.late, after.checked_in()), (0, 1, 1));
}

async fn sessions_list_in_order_with_their_lecturers(backend: Backend) {
    let db = fresh_db(backend).await;
    let repo = open_database(&db.url).await.unwrap();
    let now = Timestamp(1_800_000_000);
    let theme = repo
        .create_theme("信访维稳", "Petitions", None, now)
        .await
        .unwrap();
    let a = repo
        .create_account(&account("lec.one", &[Role::Lecturer]), None, now)
        .await
        .unwrap();
    let b = repo
        .create_account(&account("lec.two", &[Role::Lecturer]), None, now)
        .await
        .unwrap();
    let pa = repo.account(a).await.unwrap().unwrap().person_id;
    let pb = repo.account(b).await.unwrap().unwrap().person_id;
    for (offset, title, lecturers) in [
        (7200, "second", vec![pb, pa]),
        (0, "first", vec![pa]),
        (3600, "none", vec![]),
    ] {
        let s = NewSession {
            subdistrict_id: Some(1),
            series: "运河红·初心讲堂".into(),
            title: title.into(),
            theme_id: theme,
            format: SessionFormat::Forum,
            starts_at: Timestamp(now.0 + offset),
            ends_at: Timestamp(now.0 + offset + 1800),
            place: "会议室".into(),
            description_md: String::new(),
            lecturer_ids: lecturers,
            audience: Audience::Everyone,
            study_hours: StudyHours(5),
            hours_overridden: false,
            capacity: None,
            clash_override_reason: None,
        };
        repo.create_session(&s, now).await.unwrap();
    }
    let all = repo
        .sessions_between(now, Timestamp(now.0 + 10_000), 10)
        .await
        .unwrap();
    let titles: Vec<_> = all.iter().map(|s| s.title.as_str()).collect();
    assert_eq!(titles, ["first", "none", "second"]);
    assert_eq!(all[2].lecturers, ["测试", "测试"]);
    assert!(all[1].lecturers.is_empty());
    assert_eq!(all[0].format, SessionFormat::Forum);
    assert_eq!(
        repo.sessions_between(now, Timestamp(now.0 + 10_000), 1)
            .await
            .unwrap()
            .len(),
        1
    );
    let latest = repo
        .latest_session_before(Timestamp(now.0 + 7200))
        .await
        .unwrap();
    assert_eq!(latest.map(|s| s.title), Some("none".to_string()));
    assert!(repo.latest_session_before(now).await.unwrap().is_none());
    let mine = repo.lectures_of(pb, now, 10).await.unwrap();
    assert_eq!((mine.upcoming_total, mine.past_total), (1, 0));
    assert_eq!(mine.upcoming.len(), 1);
    assert_eq!(
        mine.upcoming[0].lecturers.len(),
        2,
        "co-lecturers are listed too"
    );
    let later = repo
        .lectures_of(pb, Timestamp(now.0 + 1_000_000), 10)
        .await
        .unwrap();
    assert_eq!((later.upcoming_total, later.past_total), (0, 1));
    assert_eq!(later.past[0].id, mine.upcoming[0].id);
}

async fn audiences_pick_the_same_cadres_as_the_domain_rule(backend: Backend) {
    use app::ssr::db::{NewPerson, Tier};
    let db = fresh_db(backend).await;
    let repo = open_database(&db.url).await.unwrap();
    let now = Timestamp(1_800_000_000);
    let canal = repo.create_community(1, "运河社区", now).await.unwrap();
    let tower = repo.create_community(1, "铁塔寺社区", now).await.unwrap();
    let tier = |zh: &str, rank| Tier {
        id: 0,
        name_zh: zh.into(),
        name_en: zh.into(),
        rank,
        target_count: 5,
        description: String::new(),
    };
    let lead = repo.create_tier(&tier("头雁", 1), now).await.unwrap();
    let strong = repo.create_tier(&tier("强雁", 2), now).await.unwrap();
    let person = |name: &str, tier_id, community_id| NewPerson {
        name: name.into(),
        community_id,
        tier_id,
        position: app::domain::people::Position::TwoCommittee,
        phone: String::new(),
    };
    let people = [
        person("甲", Some(lead), Some(canal)),
        person("乙", Some(strong), Some(tower)),
        person("丙", Some(strong), Some(canal)),
        person("丁", None, Some(tower)),
    ];
    let ids = repo.create_people(&people, now).await.unwrap();
    let members: Vec<Member> = ids
        .iter()
        .zip(&people)
        .map(|(id, p)| Member {
            person_id: *id,
            tier_id: p.tier_id,
            community_id: p.community_id,
            subdistrict_id: p.community_id.map(|_| 1),
        })
        .collect();
    let theme = repo
        .create_theme("头雁讲坛", "Lead-goose forum", None, now)
        .await
        .unwrap();
    let audiences = [
        ("everyone", Audience::Everyone),
        (
            "lead",
            Audience::chosen(vec![lead], vec![], vec![]).unwrap(),
        ),
        (
            "tower",
            Audience::chosen(vec![], vec![tower], vec![]).unwrap(),
        ),
        (
            "named",
            Audience::chosen(vec![], vec![], vec![ids[2]]).unwrap(),
        ),
        (
            "mixed",
            Audience::chosen(vec![lead], vec![tower], vec![ids[2]]).unwrap(),
        ),
    ];
    let mut session_ids = Vec::new();
    for (i, (title, audience)) in audiences.iter().enumerate() {
        let s = NewSession {
            subdistrict_id: Some(1),
            series: "运河红·初心讲堂".into(),
            title: (*title).into(),
            theme_id: theme,
            format: SessionFormat::Forum,
            starts_at: Timestamp(now.0 + i as i64 * 3600),
            ends_at: Timestamp(now.0 + i as i64 * 3600 + 1800),
            place: String::new(),
            description_md: String::new(),
            lecturer_ids: vec![],
            audience: audience.clone(),
            study_hours: StudyHours(5),
            hours_overridden: false,
            capacity: None,
            clash_override_reason: None,
        };
        session_ids.push(repo.create_session(&s, now).await.unwrap());
    }
    let until = Timestamp(now.0 + 100_000);
    for m in &members {
        assert_eq!(repo.member(m.person_id).await.unwrap().as_ref(), Some(m));
        let got: Vec<String> = repo
            .sessions_for_member(m, now, until, 100)
            .await
            .unwrap()
            .into_iter()
            .map(|s| s.title)
            .collect();
        let want: Vec<String> = audiences
            .iter()
            .filter(|(_, a)| a.includes(Some(1), m))
            .map(|(t, _)| t.to_string())
            .collect();
        assert_eq!(got, want, "{m:?}");
    }
    // Expected head-counts count cadres (people with a tier) in each audience.
    let mut counts = Vec::new();
    for id in &session_ids {
        counts.push(
            app::ssr::db::SheetGroup::total(&repo.sheet_groups(*id, None).await.unwrap()).counts,
        );
    }
    for ((_, audience), c) in audiences.iter().zip(&counts) {
        let want = members
            .iter()
            .filter(|m| m.tier_id.is_some() && audience.includes(Some(1), m))
            .count();
        assert_eq!(c.expected, want as i64, "{audience:?}");
    }
}
