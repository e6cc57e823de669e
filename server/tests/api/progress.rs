//! Programme progress: the attendance tallies the triggers keep, the progress page and the
//! dashboard, tier requirements, promotion with history, and cadre import.
use app::domain::Timestamp;
use app::domain::audience::Audience;
use app::domain::hours::StudyHours;
use app::domain::report::DateRange;
use app::domain::schedule::{AttendanceStatus, SessionFormat};
use app::ssr::db::{NewSession, Tally};
use chrono::Datelike;
use reqwest::multipart::{Form, Part};
use reqwest::{Client, StatusCode};
use serde_json::Value;

use crate::checkin::{cadres, demo_cadre, door_session};
use crate::helpers::*;

both_backends!(
    tallies_follow_every_change,
    progress_bars_dashboard_and_promotion,
    kept_standings_follow_every_server_and_the_clock,
    import_previews_then_writes_all_or_nothing,
);

fn year_now() -> i32 {
    Timestamp::now().local_date().year()
}

/// What the tally of `person` should say for `year`, counted from their ledger.
async fn recount(app: &TestApp, person: i64, year: i32) -> Tally {
    let (from, to) = DateRange::year(year).unwrap().bounds().unwrap();
    let mut t = Tally::default();
    for row in app.repo.ledger_rows(person, from, to).await.unwrap() {
        let h = row.hours;
        match row.status {
            Some(AttendanceStatus::Present) => {
                t.present = (t.present.0 + 1, StudyHours(t.present.1.0 + h.0))
            }
            Some(AttendanceStatus::Late) => t.late = (t.late.0 + 1, StudyHours(t.late.1.0 + h.0)),
            Some(AttendanceStatus::MadeUp) => {
                t.made_up = (t.made_up.0 + 1, StudyHours(t.made_up.1.0 + h.0))
            }
            Some(AttendanceStatus::Excused) => t.excused += 1,
            Some(AttendanceStatus::Absent) => t.absent += 1,
            None => {}
        }
    }
    t
}

async fn tally(app: &TestApp, person: i64, year: i32) -> Tally {
    app.repo
        .year_tallies(year, Some(person))
        .await
        .unwrap()
        .pop()
        .map(|(_, t)| t)
        .unwrap_or_default()
}

async fn set(
    app: &TestApp,
    organiser: &Client,
    session: i64,
    person: i64,
    status: &str,
    reason: &str,
) {
    let res = app
        .call(
            organiser,
            "attendance_set",
            &[
                ("session_id", &session.to_string()),
                ("person_id", &person.to_string()),
                ("status", status),
                ("reason", reason),
            ],
        )
        .await;
    assert_eq!(
        res.status(),
        StatusCode::OK,
        "{}",
        res.text().await.unwrap()
    );
}

async fn tallies_follow_every_change(backend: Backend) {
    let app = spawn_app(backend).await;
    let organiser = app.signed_in("organiser").await;
    let people: Vec<i64> = cadres(&app, 3)
        .await
        .into_iter()
        .map(|(id, _)| id)
        .collect();
    let year = year_now();
    let check = |label: &'static str| {
        let (app, people) = (&app, people.clone());
        async move {
            for y in [year - 1, year] {
                for p in &people {
                    assert_eq!(
                        tally(app, *p, y).await,
                        recount(app, *p, y).await,
                        "{label}: person {p}, {y}"
                    );
                }
            }
        }
    };
    let a = door_session(&app, -300, 120, Audience::Everyone).await;
    let b = door_session(&app, -150, 120, Audience::Everyone).await;
    set(&app, &organiser, a, people[0], "present", "").await;
    set(&app, &organiser, a, people[1], "late", "").await;
    set(&app, &organiser, a, people[2], "excused", "").await;
    set(&app, &organiser, b, people[0], "present", "").await;
    set(&app, &organiser, b, people[1], "absent", "").await;
    check("first records").await;
    assert_eq!(
        tally(&app, people[0], year).await.present,
        (2, StudyHours(40))
    );

    // A correction moves the row from one status to another.
    set(&app, &organiser, b, people[0], "late", "迟到补记").await;
    set(&app, &organiser, b, people[1], "present", "补签").await;
    check("corrections").await;
    assert_eq!(tally(&app, people[0], year).await.late, (1, StudyHours(20)));

    // Other hours, another theme, moved into last year: counted where it now is.
    let detail = app.repo.session_detail(a).await.unwrap().unwrap();
    let themes = app.repo.themes().await.unwrap();
    let moved = Timestamp(detail.summary.starts_at.0 - 400 * 86_400);
    let changed = NewSession {
        subdistrict_id: Some(1),
        series: "运河红·初心讲堂".into(),
        title: "改期".into(),
        theme_id: themes[1].id,
        format: SessionFormat::Lecture,
        starts_at: moved,
        ends_at: Timestamp(moved.0 + 7200),
        place: String::new(),
        description_md: String::new(),
        lecturer_ids: vec![],
        audience: Audience::Everyone,
        study_hours: StudyHours(35),
        hours_overridden: true,
        capacity: None,
        clash_override_reason: None,
    };
    assert!(
        app.repo
            .update_sessions(&[(a, changed)], Timestamp::now(), &Default::default())
            .await
            .unwrap()
    );
    check("session moved and re-weighed").await;
    assert_eq!(
        tally(&app, people[0], year - 1).await.present,
        (1, StudyHours(35))
    );

    // A cancelled session counts for nothing.
    let res = app
        .call(
            &organiser,
            "sessions_cancel",
            &[("id", &b.to_string()), ("reason", "停电")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    check("cancelled").await;
    assert_eq!(tally(&app, people[1], year).await, Tally::default());
    // The months the trend reads agree with the people's tallies (all demo data included).
    let months = app.repo.month_tallies(year).await.unwrap();
    let all = app.repo.year_tallies(year, None).await.unwrap();
    assert_eq!(
        months.iter().map(|m| m.present + m.late).sum::<i64>(),
        all.iter().map(|(_, t)| t.present.0 + t.late.0).sum::<i64>()
    );
}

async fn json(res: reqwest::Response) -> Value {
    let status = res.status();
    let text = res.text().await.unwrap();
    assert_eq!(status, StatusCode::OK, "{text}");
    serde_json::from_str(&text).unwrap()
}

/// Saves the requirements of `tier` through the form the tiers page posts.
async fn save_tier(
    app: &TestApp,
    who: &Client,
    tier: i64,
    fields: &[(&str, &str)],
) -> reqwest::Response {
    let tier = tier.to_string();
    let mut form = vec![("form[tier_id]", tier.as_str())];
    form.extend_from_slice(fields);
    app.call(who, "programme_tier_save", &form).await
}

/// The dashboard's standings are kept in memory by each server: a write through another
/// server, or straight into the database, shows at once, and so does a session starting.
async fn kept_standings_follow_every_server_and_the_clock(backend: Backend) {
    let app = spawn_app(backend).await;
    let second = app.second_server().await;
    let me = demo_cadre(&app).await;
    let organiser = app.signed_in("organiser").await;
    let res = app
        .login(&organiser, "organiser", app::ssr::demo::DEMO_PASSWORD)
        .await;
    let cookie = session_token(&res);
    let warned = |base: String| {
        let cookie = cookie.clone();
        async move {
            let d: Value = client()
                .post(format!("{base}/api/programme_dashboard"))
                .header(reqwest::header::COOKIE, format!("ns_session={cookie}"))
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            d["warnings"]
                .as_array()
                .unwrap()
                .iter()
                .any(|w| w["person_id"] == me && w["three_missed"] == true)
        }
    };
    let (first, other) = (app.address.clone(), second.clone());
    assert!(!warned(first.clone()).await && !warned(other.clone()).await);
    let alone = || Audience::Chosen {
        tiers: vec![],
        communities: vec![],
        people: vec![me],
    };
    // One session for the cadre alone that they came to, then two begun with no record,
    // and a third starting in a few seconds: not yet three missed, on either server.
    // The demo data holds an evening session today: out of the way, whatever the hour.
    let now = Timestamp::now().0;
    app.execute(
        "update sessions set cancelled = true where starts_at > $1 and starts_at < $2",
        &[Bind::Int(now - 86_400), Bind::Int(now + 86_400)],
    )
    .await;
    let came = door_session(&app, -50, 120, alone()).await;
    app.repo
        .record_attendance(
            &[app::ssr::db::AttendanceRecord {
                session_id: came,
                person_id: me,
                status: AttendanceStatus::Present,
                checked_in_at: Some(Timestamp::now()),
            }],
            Timestamp::now(),
        )
        .await
        .unwrap();
    let mut sessions = Vec::new();
    for minutes in [-30, -20] {
        sessions.push(door_session(&app, minutes, 120, alone()).await);
    }
    let start = Timestamp::now().0 + 3;
    let third = door_session(&app, 1, 120, alone()).await;
    app.execute(
        "update sessions set starts_at = $1 where id = $2",
        &[Bind::Int(start), Bind::Int(third)],
    )
    .await;
    assert!(!warned(first.clone()).await && !warned(other.clone()).await);
    // Once it has begun, with no write in between, both servers warn.
    tokio::time::sleep(std::time::Duration::from_secs(
        (start - Timestamp::now().0 + 1).max(0) as u64,
    ))
    .await;
    assert!(warned(first.clone()).await && warned(other.clone()).await);
    // The cadre is marked present at one of them through the first server: the second
    // server's dashboard no longer warns.
    set(&app, &organiser, sessions[0], me, "present", "").await;
    assert!(!warned(other).await && !warned(first).await);
}

async fn progress_bars_dashboard_and_promotion(backend: Backend) {
    let app = spawn_app(backend).await;
    let organiser = app.signed_in("organiser").await;
    let cadre = app.signed_in("cadre").await;
    let me = demo_cadre(&app).await;
    let plans = app.repo.tier_plans().await.unwrap();
    let mine = app.repo.member(me).await.unwrap().unwrap().tier_id.unwrap();
    let rank = plans.iter().find(|t| t.tier.id == mine).unwrap().tier.rank;
    let upper = plans
        .iter()
        .find(|t| t.tier.rank == rank - 1)
        .unwrap()
        .tier
        .id;

    // Only organisers set requirements; bad numbers are refused and change nothing.
    let fields = [
        ("form[target_count]", "90"),
        ("form[hours]", "2"),
        ("form[attendance_percent]", ""),
        ("form[reflections]", ""),
        ("form[teaching]", ""),
        ("form[elsewhere]", "up_to"),
        ("form[elsewhere_cap]", "6"),
    ];
    assert_eq!(
        save_tier(&app, &cadre, mine, &fields).await.status(),
        StatusCode::FORBIDDEN
    );
    let bad = [
        ("form[target_count]", "九十"),
        ("form[hours]", "2.25"),
        ("form[attendance_percent]", "120"),
        ("form[reflections]", ""),
        ("form[teaching]", ""),
        ("form[elsewhere]", "up_to"),
        ("form[elsewhere_cap]", "300"),
    ];
    assert_eq!(
        save_tier(&app, &organiser, mine, &bad).await.status(),
        StatusCode::UNPROCESSABLE_ENTITY
    );
    assert_eq!(app.repo.tier_plans().await.unwrap(), plans);
    let res = save_tier(&app, &organiser, mine, &fields).await;
    assert_eq!(
        res.status(),
        StatusCode::OK,
        "{}",
        res.text().await.unwrap()
    );
    let saved = app.repo.tier_plans().await.unwrap();
    let saved = saved.iter().find(|t| t.tier.id == mine).unwrap();
    assert_eq!(
        (saved.tier.target_count, saved.requirements.hours),
        (90, StudyHours(20))
    );
    assert_eq!(
        saved.requirements.elsewhere,
        app::domain::claims::Elsewhere::UpTo(StudyHours(60)),
        "hours earned elsewhere count up to 6 a year"
    );
    assert!(
        saved.requirements.themes.is_empty(),
        "no box ticked: no themes"
    );

    // The cadre's bars: hours only, as the tier now asks; earned = the ledger's credits.
    let p = json(app.call(&cadre, "progress_view", &[]).await).await;
    let bars = p["bars"].as_array().unwrap();
    assert_eq!(bars.len(), 1);
    assert_eq!(bars[0]["measure"], "Hours");
    assert_eq!(bars[0]["target"], 20);
    let credited: i64 = p["ledger"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["credited"].as_i64().unwrap())
        .sum();
    assert_eq!(p["earned"].as_i64().unwrap(), credited);
    assert!(credited >= 20, "the demo cadre has attended: {credited}");
    assert_eq!(bars[0]["outlook"], "Met");
    // Someone else's progress is not for a cadre; the dashboard is for organisers.
    let other = (me + 1).to_string();
    assert_eq!(
        app.call(&cadre, "progress_view", &[("person_id", &other)])
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.call(&cadre, "programme_dashboard", &[]).await.status(),
        StatusCode::FORBIDDEN
    );

    // Three sessions for the cadre alone, just begun, with no record: three missed.
    for minutes in [30, 20, 10] {
        door_session(
            &app,
            -minutes,
            120,
            Audience::Chosen {
                tiers: vec![],
                communities: vec![],
                people: vec![me],
            },
        )
        .await;
    }
    let d = json(app.call(&organiser, "programme_dashboard", &[]).await).await;
    let heads: i64 = d["tiers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            let g = &t["groups"];
            g["on_track"].as_i64().unwrap()
                + g["at_risk"].as_i64().unwrap()
                + g["behind"].as_i64().unwrap()
        })
        .sum();
    assert_eq!(heads, app.repo.count_cadres().await.unwrap());
    let warned = d["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|w| w["person_id"] == me)
        .cloned()
        .expect("warned");
    assert_eq!(warned["three_missed"], true);
    assert_eq!(d["trend"].as_array().unwrap().len(), 12);
    // The star of the month: the demo's young goose with two accepted reflections (3 points
    // each); only the best is listed, and their own page says so.
    let stars = d["stars"].as_array().unwrap();
    assert_eq!(stars.len(), 1, "{stars:?}");
    assert_eq!(stars[0]["points"], 6);
    let star = stars[0]["person_id"].as_i64().unwrap().to_string();
    let p = json(
        app.call(&organiser, "progress_view", &[("person_id", &star)])
            .await,
    )
    .await;
    assert_eq!(
        (p["is_star"].as_bool(), p["star_points"].as_i64()),
        (Some(true), Some(6))
    );
    let own = json(app.call(&cadre, "progress_view", &[]).await).await;
    assert_eq!(own["is_star"], false);
    // Drill-down from a count lists exactly that many.
    let tier_line = d["tiers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["tier"]["id"] == mine)
        .unwrap()
        .clone();
    let on_track = tier_line["groups"]["on_track"].as_i64().unwrap();
    let drill = json(
        app.call(
            &organiser,
            "programme_dashboard",
            &[("tier", &mine.to_string()), ("outlook", "on_track")],
        )
        .await,
    )
    .await;
    assert_eq!(drill["list_total"].as_i64().unwrap(), on_track);

    // The next tier up asks what the cadre has, a theme their own tier does not ask for
    // included: a candidate, promoted with a note.
    let theme = app.repo.themes().await.unwrap()[0].id.to_string();
    let attended = door_session(&app, -400, 120, Audience::Everyone).await;
    set(&app, &organiser, attended, me, "present", "").await;
    let next = [
        ("form[target_count]", "12"),
        ("form[hours]", "1"),
        ("form[attendance_percent]", ""),
        ("form[reflections]", ""),
        ("form[teaching]", ""),
        ("form[themes][]", theme.as_str()),
    ];
    assert_eq!(
        save_tier(&app, &organiser, upper, &next).await.status(),
        StatusCode::OK
    );
    let d = json(app.call(&organiser, "programme_dashboard", &[]).await).await;
    let candidate = d["candidates"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["person_id"] == me)
        .cloned()
        .expect("candidate");
    assert_eq!(candidate["candidate_for"]["id"], upper);
    let promote = |who: &'static str, tier: i64, note: &'static str| {
        let (app, organiser, cadre) = (&app, &organiser, &cadre);
        async move {
            let client = if who == "organiser" { organiser } else { cadre };
            app.call(
                client,
                "programme_promote",
                &[
                    ("person_id", &me.to_string()),
                    ("tier_id", &tier.to_string()),
                    ("note", note),
                ],
            )
            .await
            .status()
        }
    };
    assert_eq!(promote("cadre", upper, "").await, StatusCode::FORBIDDEN);
    assert_eq!(
        promote("organiser", 999_999, "").await,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    assert_eq!(
        promote("organiser", upper, "年度考核优秀").await,
        StatusCode::OK
    );
    let history = app.repo.tier_history(me).await.unwrap();
    let last = history.last().unwrap();
    assert_eq!(
        (last.tier_id, last.change.as_str(), last.note.as_str()),
        (Some(upper), "promoted", "年度考核优秀")
    );
    assert_eq!(
        app.repo.member(me).await.unwrap().unwrap().tier_id,
        Some(upper)
    );
    // The promotion and every saved requirement are in the audit log, by the organiser;
    // the refused tries left no line.
    let audit = |kind| {
        let repo = app.repo.clone();
        async move {
            let filter = app::ssr::db::AuditFilter {
                kind: Some(kind),
                ..Default::default()
            };
            repo.audit_lines(&filter, 100).await.unwrap()
        }
    };
    let promoted = audit(app::domain::audit::AuditKind::Promoted).await;
    assert_eq!(promoted.len(), 1);
    assert_eq!(promoted[0].line.target, format!("person:{me}"));
    assert_eq!(promoted[0].actor_username.as_deref(), Some("organiser"));
    assert!(promoted[0].line.detail.contains("\"promoted\""));
    let tiers_changed = audit(app::domain::audit::AuditKind::TierRequirementsChanged).await;
    assert_eq!(tiers_changed.len(), 2, "two saves went through");
    assert!(
        tiers_changed
            .iter()
            .all(|l| l.actor_username.as_deref() == Some("organiser")
                && l.line.target.starts_with("tier:"))
    );

    let p = json(app.call(&cadre, "progress_view", &[]).await).await;
    assert_eq!(p["tier"]["id"], upper);
    assert_eq!(p["history"].as_array().unwrap().len(), history.len());

    // Late arrival at half credit halves a late session's hours.
    let s = door_session(&app, -200, 120, Audience::Everyone).await;
    set(&app, &organiser, s, me, "late", "").await;
    let res = app
        .call(
            &organiser,
            "programme_credits_save",
            &[("late_share", "50%"), ("lecturing_share", "100%")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let p = json(app.call(&cadre, "progress_view", &[]).await).await;
    let line = p["ledger"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["session_id"] == s)
        .cloned()
        .unwrap();
    assert_eq!(line["credited"], 10);
    let res = app
        .call(
            &organiser,
            "programme_credits_save",
            &[("late_share", "一半"), ("lecturing_share", "100%")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
}

pub async fn upload(app: &TestApp, who: &Client, name: &str, bytes: Vec<u8>) -> String {
    let form = Form::new().part("file", Part::bytes(bytes).file_name(name.to_string()));
    let res = who
        .post(app.url("/organiser/programme/import/upload"))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    location(&res)
}

pub fn batch_of(location: &str) -> String {
    location
        .split_once("batch=")
        .map(|(_, b)| b.to_string())
        .unwrap_or_else(|| panic!("{location}"))
}

async fn import_previews_then_writes_all_or_nothing(backend: Backend) {
    let app = spawn_app(backend).await;
    let organiser = app.signed_in("organiser").await;
    let cadre = app.signed_in("cadre").await;
    let communities = app.repo.communities().await.unwrap();
    let (c1, c2) = (&communities[0].name, &communities[1].name);
    let people_before = app.repo.count_cadres().await.unwrap();

    // A sheet with one bad row: previewed with the problem, refused, nothing written.
    let bad = format!(
        "姓名,社区,手机,梯队,角色\n新学员甲,{c1},13900001111,雏雁,学员\n新学员乙,不存在社区,,雏雁,\n"
    );
    let to = upload(&app, &organiser, "名单.csv", bad.into_bytes()).await;
    let batch = batch_of(&to);
    let preview = json(
        app.call(&organiser, "import_preview", &[("batch_id", &batch)])
            .await,
    )
    .await;
    assert_eq!(preview["rows"].as_array().unwrap().len(), 1);
    assert_eq!(preview["problems"][0]["line"], 3);
    assert_eq!(preview["problems"][0]["problem"], "unknown_community");
    let res = app
        .call(&organiser, "import_apply", &[("batch_id", &batch)])
        .await;
    assert_eq!(res.status(), StatusCode::CONFLICT);
    assert_eq!(app.repo.count_cadres().await.unwrap(), people_before);

    // The same people as a workbook: one added with an account, the demo cadre updated.
    let me = demo_cadre(&app).await;
    let my_name = app.repo.people_names(&[me]).await.unwrap()[0].1.clone();
    let my_community = app.repo.member(me).await.unwrap().unwrap().community_id;
    let my_community = communities
        .iter()
        .find(|c| Some(c.id) == my_community)
        .unwrap()
        .name
        .clone();
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    for (r, row) in [
        ["姓名", "社区", "手机", "梯队", "角色"],
        ["新学员甲", c2.as_str(), "13900001111", "雏雁", "学员、讲师"],
        [my_name.as_str(), my_community.as_str(), "", "头雁", ""],
    ]
    .iter()
    .enumerate()
    {
        for (c, cell) in row.iter().enumerate() {
            sheet.write_string(r as u32, c as u16, *cell).unwrap();
        }
    }
    let to = upload(
        &app,
        &organiser,
        "名单.xlsx",
        book.save_to_buffer().unwrap(),
    )
    .await;
    let batch = batch_of(&to);
    // Cadres may neither preview nor confirm.
    assert_eq!(
        app.call(&cadre, "import_preview", &[("batch_id", &batch)])
            .await
            .status(),
        StatusCode::FORBIDDEN
    );
    let preview = json(
        app.call(&organiser, "import_preview", &[("batch_id", &batch)])
            .await,
    )
    .await;
    assert!(
        preview["problems"].as_array().unwrap().is_empty(),
        "{preview}"
    );
    assert_eq!(preview["rows"][1]["person_id"], me);
    assert_eq!(preview["rows"][1]["tier_changes"], true);
    let done = json(
        app.call(&organiser, "import_apply", &[("batch_id", &batch)])
            .await,
    )
    .await;
    assert_eq!(
        (done["added"].as_i64(), done["updated"].as_i64()),
        (Some(1), Some(1))
    );
    assert_eq!(app.repo.count_cadres().await.unwrap(), people_before + 1);
    // Confirming twice writes nothing more.
    assert_eq!(
        app.call(&organiser, "import_apply", &[("batch_id", &batch)])
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
    let accounts = app.repo.list_accounts().await.unwrap();
    let new = accounts
        .iter()
        .find(|a| a.username == "13900001111")
        .expect("account named by phone");
    assert!(new.roles.has(app::domain::Role::Lecturer));
    // Nobody can sign in to it until an administrator sets a password.
    let res = app.login(&client(), "13900001111", "").await;
    assert!(location(&res).starts_with("/login"));
    let history = app.repo.tier_history(me).await.unwrap();
    assert_eq!(history.last().unwrap().change, "promoted");

    // Cadres cannot upload; a file that is no sheet is refused with a message.
    let form = Form::new().part("file", Part::bytes(b"x".to_vec()).file_name("a.csv"));
    let res = cadre
        .post(app.url("/organiser/programme/import/upload"))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    let to = upload(&app, &organiser, "a.csv", b"hello,world\n1,2\n".to_vec()).await;
    assert!(to.contains("error=no_header"), "{to}");
}
