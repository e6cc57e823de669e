//! The door: check-in tokens and codes, windows, repeats and bursts, walk-ins, and two app
//! servers over one database.
use app::domain::Timestamp;
use app::domain::attendance::TokenClock;
use app::domain::audience::Audience;
use app::domain::hours::StudyHours;
use app::domain::people::Position;
use app::domain::schedule::{AttendanceStatus, SessionFormat};
use app::domain::{DisplayName, Role, Roles, Username};
use app::ssr::db::{NewAccount, NewAuthSession, NewPerson, NewSession};
use app::ssr::door::{DoorKey, load_secret};
use reqwest::header::{COOKIE, HeaderMap, HeaderValue};
use reqwest::{Client, StatusCode};
use serde_json::Value;

use crate::helpers::*;

both_backends!(
    a_cadre_checks_in_once_with_the_qr_code,
    the_door_opens_and_closes_on_time,
    fifty_identical_check_ins_leave_one_record,
    someone_outside_the_audience_is_a_walk_in,
    two_servers_behind_one_database_act_as_one,
    door_codes_cannot_be_guessed,
    a_subdistrict_renews_its_door_key,
);

async fn door_codes_cannot_be_guessed(backend: Backend) {
    let app = spawn_app(backend).await;
    let a = door_session(&app, 0, 90, Audience::Everyone).await;
    let b = door_session(&app, 0, 90, Audience::Everyone).await;
    let key = door_key(&app).await;
    let code_a = key.code(a, key.clock.step(Timestamp::now()));
    let (sa, sb) = (a.to_string(), b.to_string());
    // Someone who is not a cadre learns nothing: right and wrong codes answer alike.
    let organiser = app.signed_in("organiser").await;
    for code in [code_a.as_str(), "00000000"] {
        assert_eq!(
            tap(
                &organiser,
                &app.address,
                &[("code", code), ("session", &sa)]
            )
            .await,
            "not_cadre"
        );
    }
    let cadre = app.signed_in("cadre").await;
    // With several doors open a code must name its session; one session's code does not
    // open another.
    assert_eq!(
        tap(&cadre, &app.address, &[("code", &code_a)]).await,
        "choose_session"
    );
    assert_eq!(
        tap(&cadre, &app.address, &[("code", &code_a), ("session", &sb)]).await,
        "wrong_code"
    );
    for guess in 0..4 {
        let g = format!("{guess:08}");
        assert_eq!(
            tap(&cadre, &app.address, &[("code", &g), ("session", &sa)]).await,
            "wrong_code"
        );
    }
    // Five wrong codes, then a wait: even the right code is refused meanwhile.
    assert_eq!(
        tap(&cadre, &app.address, &[("code", &code_a), ("session", &sa)]).await,
        "too_many_tries"
    );
    let me = demo_cadre(&app).await;
    assert_eq!(app.repo.attendance_of(a, me).await.unwrap(), None);
    assert_eq!(app.repo.attendance_of(b, me).await.unwrap(), None);
    // The wrong codes are counted and logged; the QR code still works (it cannot be guessed).
    let wrong = app
        .repo
        .count_audit(
            app::domain::audit::AuditKind::DoorWrongCode,
            &format!("session:{a}"),
            Timestamp(0),
        )
        .await
        .unwrap();
    assert_eq!(wrong, 4);
    let t = token(&app, a).await;
    assert_eq!(
        tap(&cadre, &app.address, &[("token", &t)]).await,
        "recorded"
    );
    let sheet = app.repo.session_sheet(a, None).await.unwrap();
    let mine = sheet.iter().find(|r| r.person_id == me).unwrap();
    assert_eq!(mine.address.as_deref(), Some("127.0.0.1"));
    assert_eq!(
        mine.device.as_deref().map(str::len),
        Some(64),
        "device cookie kept"
    );
}

/// A session `starts_in` minutes from now (negative: already started), `minutes` long.
pub(crate) async fn door_session(
    app: &TestApp,
    starts_in: i64,
    minutes: i64,
    audience: Audience,
) -> i64 {
    lectured_session(app, starts_in, minutes, audience, vec![]).await
}

/// As [`door_session`], with the given lecturers.
pub(crate) async fn lectured_session(
    app: &TestApp,
    starts_in: i64,
    minutes: i64,
    audience: Audience,
    lecturer_ids: Vec<i64>,
) -> i64 {
    held_session(app, Some(1), starts_in, minutes, audience, lecturer_ids).await
}

/// As [`lectured_session`], held by the subdistrict given (`None`: the district).
pub(crate) async fn held_session(
    app: &TestApp,
    subdistrict_id: Option<i64>,
    starts_in: i64,
    minutes: i64,
    audience: Audience,
    lecturer_ids: Vec<i64>,
) -> i64 {
    let series = "运河红·初心讲堂";
    series_session(
        app,
        subdistrict_id,
        series,
        starts_in,
        minutes,
        audience,
        lecturer_ids,
    )
    .await
}

/// As [`held_session`], in the series given (a 专题班 of its own).
pub(crate) async fn series_session(
    app: &TestApp,
    subdistrict_id: Option<i64>,
    series: &str,
    starts_in: i64,
    minutes: i64,
    audience: Audience,
    lecturer_ids: Vec<i64>,
) -> i64 {
    let start = Timestamp::now().0 + starts_in * 60;
    let theme = app.repo.themes().await.unwrap()[0].id;
    app.repo
        .create_session(
            &NewSession {
                subdistrict_id,
                series: series.into(),
                title: format!("签到测试 {start}"),
                theme_id: theme,
                format: SessionFormat::Lecture,
                starts_at: Timestamp(start),
                ends_at: Timestamp(start + minutes * 60),
                place: "街道党群服务中心".into(),
                description_md: "本期材料".into(),
                lecturer_ids,
                audience,
                study_hours: StudyHours(20),
                hours_overridden: false,
                capacity: None,
                clash_override_reason: None,
            },
            Timestamp::now(),
        )
        .await
        .unwrap()
}

pub(crate) async fn door_key(app: &TestApp) -> DoorKey {
    DoorKey::new(
        &load_secret(app.repo.as_ref()).await.unwrap(),
        TokenClock::default(),
    )
}

pub(crate) async fn token(app: &TestApp, session: i64) -> String {
    let key = door_key(app).await;
    key.token(session, key.clock.step(Timestamp::now()))
}

/// Posts the one-tap form to `base` and returns the outcome the result page is sent.
pub(crate) async fn tap(client: &Client, base: &str, form: &[(&str, &str)]) -> String {
    let res = client
        .post(format!("{base}/door/checkin"))
        .form(form)
        .send()
        .await
        .unwrap();
    assert_eq!(
        res.status(),
        StatusCode::SEE_OTHER,
        "{}",
        res.text().await.unwrap()
    );
    let to = location(&res);
    assert!(to.starts_with("/checkin/done?"), "{to}");
    to.split(['?', '&'])
        .find_map(|p| p.strip_prefix("outcome="))
        .unwrap_or_default()
        .to_string()
}

/// `n` new cadres of the demo cadre's tier and community, each with a signed-in client.
pub(crate) async fn cadres(app: &TestApp, n: usize) -> Vec<(i64, Client)> {
    let now = Timestamp::now();
    let reference = app
        .repo
        .member(demo_cadre(app).await)
        .await
        .unwrap()
        .unwrap();
    let people: Vec<NewPerson> = (0..n)
        .map(|i| NewPerson {
            name: format!("测试学员{i:04}"),
            community_id: reference.community_id,
            tier_id: reference.tier_id,
            position: Position::GridWorker,
            phone: String::new(),
        })
        .collect();
    let ids = app.repo.create_people(&people, now).await.unwrap();
    let mut out = Vec::new();
    for (i, person_id) in ids.into_iter().enumerate() {
        let account_id = app
            .repo
            .create_account(
                &NewAccount {
                    username: Username::parse(&format!("door{i:04}")).unwrap(),
                    display_name: DisplayName::parse(&format!("测试学员{i:04}")).unwrap(),
                    password_hash: "not-a-hash".into(),
                    roles: Roles::new([Role::Cadre]),
                    person_id: Some(person_id),
                    must_change_password: false,
                },
                None,
                now,
            )
            .await
            .unwrap();
        let secret = format!("door-test-token-{i}-{}", now.0);
        app.repo
            .create_auth_session(
                &NewAuthSession {
                    token_hash: token_hash(&secret),
                    pending: None,
                    account_id,
                    created_at: now,
                    idle_secs: 3600,
                    expires_at: Timestamp(now.0 + 3600),
                },
                "",
                &app::ssr::audit::system(app::domain::audit::AuditKind::AccountCreated, "test"),
            )
            .await
            .unwrap();
        let mut headers = HeaderMap::new();
        headers.insert(
            COOKIE,
            HeaderValue::from_str(&format!("ns_session={secret}")).unwrap(),
        );
        let client = Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .default_headers(headers)
            .build()
            .unwrap();
        out.push((person_id, client));
    }
    out
}

pub(crate) async fn demo_cadre(app: &TestApp) -> i64 {
    app.account("cadre").await.person_id
}

pub(crate) async fn status_of(
    app: &TestApp,
    session: i64,
    person: i64,
) -> Option<AttendanceStatus> {
    app.repo
        .attendance_of(session, person)
        .await
        .unwrap()
        .map(|r| r.0)
}

async fn a_cadre_checks_in_once_with_the_qr_code(backend: Backend) {
    let app = spawn_app(backend).await;
    let session = door_session(&app, 5, 120, Audience::Everyone).await;
    let token = token(&app, session).await;
    let base = app.address.clone();

    // Anonymous: the link and the tap both lead to the login form, which comes back here.
    let anon = client();
    let res = anon
        .get(app.url(&format!("/c/{token}")))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert!(
        location(&res).starts_with("/login?next=%2Fc%2F"),
        "{}",
        location(&res)
    );
    let res = anon
        .post(app.url("/door/checkin"))
        .form(&[("token", token.as_str())])
        .send()
        .await
        .unwrap();
    assert!(
        location(&res).starts_with("/login?next="),
        "{}",
        location(&res)
    );

    let cadre = app.signed_in("cadre").await;
    let me = demo_cadre(&app).await;
    // The page shows the session and a button; nothing is recorded yet.
    let (status, page) = app.page(&cadre, &format!("/c/{token}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("data-outcome=\"ready\""), "{page}");
    assert!(page.contains("action=\"/door/checkin\""));
    assert_eq!(status_of(&app, session, me).await, None);

    assert_eq!(tap(&cadre, &base, &[("token", &token)]).await, "recorded");
    assert_eq!(
        status_of(&app, session, me).await,
        Some(AttendanceStatus::Present)
    );
    // Again: "already", nothing changes.
    assert_eq!(tap(&cadre, &base, &[("token", &token)]).await, "already");
    let trail = app.repo.audit_trail(session, None).await.unwrap();
    assert_eq!(trail.len(), 1, "{trail:?}");
    assert_eq!(trail[0].to, AttendanceStatus::Present);
    let (_, done) = app
        .page(
            &cadre,
            &format!("/checkin/done?outcome=already&session={session}"),
        )
        .await;
    assert!(done.contains("data-testid=\"checkin-status\""), "{done}");

    // Forged, moved and stale tokens are refused.
    let forged = format!("{}00", &token[..token.len() - 2]);
    let forged = if forged == token {
        token.replace('-', "-1")
    } else {
        forged
    };
    assert_eq!(tap(&cadre, &base, &[("token", &forged)]).await, "forged");
    let key = door_key(&app).await;
    let other = door_session(&app, 5, 60, Audience::Everyone).await;
    let moved = token.replacen(&format!("{session}-"), &format!("{other}-"), 1);
    assert_eq!(tap(&cadre, &base, &[("token", &moved)]).await, "forged");
    let stale = key.token(other, key.clock.step(Timestamp::now()) - 30);
    assert_eq!(tap(&cadre, &base, &[("token", &stale)]).await, "expired");
    assert_eq!(status_of(&app, other, me).await, None);
    // Organisers do not check in.
    let organiser = app.signed_in("organiser").await;
    let fresh = key.token(other, key.clock.step(Timestamp::now()));
    assert_eq!(
        tap(&organiser, &base, &[("token", &fresh)]).await,
        "not_cadre"
    );
    // A cross-site form post never reaches the door.
    let res = cadre
        .post(app.url("/door/checkin"))
        .header("origin", "https://evil.example")
        .form(&[("token", fresh.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert_eq!(status_of(&app, other, me).await, None);
}

async fn the_door_opens_and_closes_on_time(backend: Backend) {
    let app = spawn_app(backend).await;
    let cadre = app.signed_in("cadre").await;
    let me = demo_cadre(&app).await;
    let base = app.address.clone();
    let early = door_session(&app, 45, 60, Audience::Everyone).await;
    let late = door_session(&app, -20, 120, Audience::Everyone).await;
    let over = door_session(&app, -180, 120, Audience::Everyone).await;
    let cancelled = door_session(&app, 0, 60, Audience::Everyone).await;
    app.repo
        .cancel_session(cancelled, "停课", Timestamp::now(), &Default::default())
        .await
        .unwrap();
    for (session, want) in [(early, "not_yet"), (over, "over"), (cancelled, "cancelled")] {
        let t = token(&app, session).await;
        assert_eq!(tap(&cadre, &base, &[("token", &t)]).await, want);
        assert_eq!(status_of(&app, session, me).await, None);
    }
    // Twenty minutes in is past the ten-minute grace: late.
    let t = token(&app, late).await;
    assert_eq!(tap(&cadre, &base, &[("token", &t)]).await, "recorded");
    assert_eq!(
        status_of(&app, late, me).await,
        Some(AttendanceStatus::Late)
    );

    // The organiser widens the window; the early session opens.
    let organiser = app.signed_in("organiser").await;
    let id = early.to_string();
    let res = app
        .call(
            &organiser,
            "attendance_rules",
            &[
                ("session_id", &id),
                ("opens_minutes_before", "50"),
                ("late_after_minutes", "x"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let res = app
        .call(
            &organiser,
            "attendance_rules",
            &[
                ("session_id", &id),
                ("opens_minutes_before", "60"),
                ("late_after_minutes", "10"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    // The eight-digit code on the screen works as well as the QR code, for the session
    // it is typed for.
    let key = door_key(&app).await;
    let code = key.code(early, key.clock.step(Timestamp::now()));
    let wrong = format!("{:08}", (code.parse::<u64>().unwrap() + 1) % 100_000_000);
    let sid = early.to_string();
    assert_eq!(
        tap(&cadre, &base, &[("code", &wrong), ("session", &sid)]).await,
        "wrong_code"
    );
    assert_eq!(
        tap(&cadre, &base, &[("code", "12ab5678"), ("session", &sid)]).await,
        "wrong_code"
    );
    assert_eq!(
        tap(&cadre, &base, &[("code", &code), ("session", &sid)]).await,
        "recorded"
    );
    assert_eq!(
        status_of(&app, early, me).await,
        Some(AttendanceStatus::Present)
    );
    // The board: organisers only, with the code and a link that carries a token.
    let cadre_board = app.call(&cadre, "door_board", &[("session_id", &id)]).await;
    assert_eq!(cadre_board.status(), StatusCode::FORBIDDEN);
    let board: Value = app
        .call(&organiser, "door_board", &[("session_id", &id)])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(board["state"], "Open");
    assert_eq!(board["code"].as_str().unwrap().len(), 8);
    assert_eq!(
        board["wrong_codes"], 2,
        "the wrong codes are counted on the board"
    );
    assert!(
        board["link"]
            .as_str()
            .unwrap()
            .contains(&format!("/c/{early}-"))
    );
    assert!(board["qr_svg"].as_str().unwrap().starts_with("<?xml"));
    assert_eq!(board["counts"]["present"], 1);
}

async fn fifty_identical_check_ins_leave_one_record(backend: Backend) {
    let app = spawn_app(backend).await;
    let cadre = app.signed_in("cadre").await;
    let me = demo_cadre(&app).await;
    let session = door_session(&app, 0, 90, Audience::Everyone).await;
    let t = token(&app, session).await;
    let base = app.address.clone();
    let taps = (0..50).map(|_| {
        let (cadre, base, t) = (cadre.clone(), base.clone(), t.clone());
        tokio::spawn(async move { tap(&cadre, &base, &[("token", &t)]).await })
    });
    let mut outcomes = Vec::new();
    for task in taps {
        outcomes.push(task.await.unwrap());
    }
    assert_eq!(
        outcomes.iter().filter(|o| *o == "recorded").count(),
        1,
        "{outcomes:?}"
    );
    assert_eq!(
        outcomes.iter().filter(|o| *o == "already").count(),
        49,
        "{outcomes:?}"
    );
    let sheet = app.repo.session_sheet(session, None).await.unwrap();
    let mine: Vec<_> = sheet.iter().filter(|r| r.person_id == me).collect();
    assert_eq!(mine.len(), 1);
    assert_eq!(mine[0].status, Some(AttendanceStatus::Present));
    assert_eq!(app.repo.audit_trail(session, None).await.unwrap().len(), 1);
}

async fn someone_outside_the_audience_is_a_walk_in(backend: Backend) {
    let app = spawn_app(backend).await;
    let lead = app.repo.tiers().await.unwrap()[0].id;
    let session = door_session(
        &app,
        0,
        90,
        Audience::Chosen {
            tiers: vec![lead],
            communities: vec![],
            people: vec![],
        },
    )
    .await;
    let cadre = app.signed_in("cadre").await;
    let t = token(&app, session).await;
    // Walk-ins wait for an organiser: no record, no hours until confirmed.
    assert_eq!(
        tap(&cadre, &app.address, &[("token", &t)]).await,
        "awaiting_confirmation"
    );
    let me = demo_cadre(&app).await;
    assert_eq!(app.repo.attendance_of(session, me).await.unwrap(), None);
    let organiser = app.signed_in("organiser").await;
    let sheet: Value = app
        .call(
            &organiser,
            "attendance_sheet",
            &[("session_id", &session.to_string())],
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(sheet["claims"].as_array().unwrap().len(), 1);
    let cadre_tries = app
        .call(
            &cadre,
            "attendance_decide_walk_in",
            &[
                ("session_id", &session.to_string()),
                ("person_id", &me.to_string()),
                ("confirm", "true"),
            ],
        )
        .await;
    assert_eq!(
        cadre_tries.status(),
        StatusCode::FORBIDDEN,
        "a cadre cannot confirm"
    );
    let res = app
        .call(
            &organiser,
            "attendance_decide_walk_in",
            &[
                ("session_id", &session.to_string()),
                ("person_id", &me.to_string()),
                ("confirm", "true"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let row = app.repo.attendance_of(session, me).await.unwrap().unwrap();
    assert_eq!(row.0, AttendanceStatus::Present);
    assert!(row.2, "flagged as a walk-in");
    let organiser = app.signed_in("organiser").await;
    let board: Value = app
        .call(
            &organiser,
            "door_board",
            &[("session_id", &session.to_string())],
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(board["walk_ins"], 1);
    // A walk-in is not one of the expected.
    let expected = board["counts"]["expected"].as_i64().unwrap();
    let leads = app
        .repo
        .session_sheet(session, None)
        .await
        .unwrap()
        .iter()
        .filter(|r| !r.walk_in)
        .count() as i64;
    assert_eq!(expected, leads);
}

async fn two_servers_behind_one_database_act_as_one(backend: Backend) {
    let app = spawn_app(backend).await;
    let second = app.second_server().await;
    let session = door_session(&app, 0, 90, Audience::Everyone).await;
    // A token shown by one server is good at the other: the secret is shared.
    let t = token(&app, session).await;
    let people = cadres(&app, 40).await;
    let mut tasks = Vec::new();
    for (_, client) in &people {
        // Every cadre taps twice, once at each server, at the same moment.
        for base in [app.address.clone(), second.clone()] {
            let (client, t) = (client.clone(), t.clone());
            tasks.push(tokio::spawn(async move {
                tap(&client, &base, &[("token", &t)]).await
            }));
        }
    }
    let mut outcomes = Vec::new();
    for task in tasks {
        outcomes.push(task.await.unwrap());
    }
    assert_eq!(
        outcomes.iter().filter(|o| *o == "recorded").count(),
        40,
        "{outcomes:?}"
    );
    assert_eq!(
        outcomes.iter().filter(|o| *o == "already").count(),
        40,
        "{outcomes:?}"
    );
    for (person, _) in &people {
        assert_eq!(
            status_of(&app, session, *person).await,
            Some(AttendanceStatus::Present)
        );
    }
    assert_eq!(app.repo.audit_trail(session, None).await.unwrap().len(), 40);
    // Each server's board reads the database: both count the same 40.
    let organiser = app.signed_in("organiser").await;
    let res = app
        .login(&organiser, "organiser", app::ssr::demo::DEMO_PASSWORD)
        .await;
    let cookie = session_token(&res);
    for base in [&app.address, &second] {
        let board: Value = client()
            .post(format!("{base}/api/door_board"))
            .header(COOKIE, format!("ns_session={cookie}"))
            .form(&[("session_id", session.to_string())])
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(board["counts"]["present"], 40, "{base}");
    }
}

/// 观音阁 renews its door key: the codes shown before stop working for its sessions, its
/// boards show codes that work, and the district's and other subdistricts' doors are not
/// touched.
async fn a_subdistrict_renews_its_door_key(backend: Backend) {
    let app = spawn_app(backend).await;
    let base = app.address.clone();
    let organiser = app.signed_in("organiser").await;
    let liying = app.signed_in("liying").await;
    let mut people = cadres(&app, 2).await;
    let (_, second_cadre) = people.pop().unwrap();
    let (_, cadre) = people.pop().unwrap();
    let ours = door_session(&app, 0, 90, Audience::Everyone).await;
    let before = token(&app, ours).await;
    let key = door_key(&app).await;
    let code_before = key.code(ours, key.clock.step(Timestamp::now()));

    // Another subdistrict's organiser may not; the district's organiser renews 观音阁's.
    let unit = [("unit", "subdistrict:1")];
    assert_eq!(
        app.call(&liying, "settings_door_renew", &unit)
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
    let res = app.call(&organiser, "settings_door_renew", &unit).await;
    assert_eq!(
        res.status(),
        StatusCode::OK,
        "{}",
        res.text().await.unwrap()
    );
    let lines = app
        .repo
        .audit_lines(
            &app::ssr::db::AuditFilter {
                kind: Some(app::domain::audit::AuditKind::SettingsChanged),
                ..Default::default()
            },
            5,
        )
        .await
        .unwrap();
    assert_eq!(lines[0].line.target, "subdistrict:1");
    assert!(!lines[0].line.detail.contains(&key_salt(&app, 1).await));

    // What was shown before is refused, token and typed code alike.
    assert_eq!(tap(&cadre, &base, &[("token", &before)]).await, "forged");
    let sid = ours.to_string();
    assert_eq!(
        tap(
            &cadre,
            &base,
            &[("code", code_before.as_str()), ("session", sid.as_str())]
        )
        .await,
        "wrong_code"
    );
    // The board shows codes signed with the new key.
    let board: Value = app
        .call(&organiser, "door_board", &[("session_id", &sid)])
        .await
        .json()
        .await
        .unwrap();
    let link = board["link"].as_str().unwrap();
    let fresh = link.rsplit('/').next().unwrap();
    assert_ne!(fresh, before);
    assert_eq!(tap(&cadre, &base, &[("token", fresh)]).await, "recorded");
    let code = board["code"].as_str().unwrap();
    assert_eq!(
        tap(
            &second_cadre,
            &base,
            &[("code", code), ("session", sid.as_str())]
        )
        .await,
        "recorded"
    );

    // A district session still takes the install's key.
    let district = held_session(&app, None, 0, 90, Audience::Everyone, vec![]).await;
    let t = token(&app, district).await;
    assert_eq!(
        tap(&second_cadre, &base, &[("token", &t)]).await,
        "recorded"
    );
}

/// The salt 观音阁's renewed key was made with (it must not reach the audit log).
async fn key_salt(app: &TestApp, subdistrict: i64) -> String {
    app.repo
        .setting_book()
        .await
        .unwrap()
        .set_by(
            app::domain::settings::RuleHolder::Subdistrict(subdistrict),
            app::domain::settings::DOOR_SALT_SETTING,
        )
        .unwrap()
        .to_string()
}
