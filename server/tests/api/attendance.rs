//! Marking and its audit trail, leave with the cap warning, make-up study, reports and
//! downloads.
use app::domain::Timestamp;
use app::domain::audience::Audience;
use app::domain::schedule::AttendanceStatus;
use reqwest::StatusCode;
use serde_json::Value;

use crate::checkin::{demo_cadre, door_session, held_session, status_of};
use crate::helpers::*;
use app::domain::report::{DateRange, by_community};
use reqwest::Client;

both_backends!(
    organisers_mark_and_every_change_is_audited,
    leave_is_asked_before_and_warned_past_the_cap,
    a_missed_session_is_made_up_for_half_the_hours,
    reports_and_downloads_are_for_organisers,
    long_sheets_come_in_parts_counted_in_the_database,
    sheets_read_their_audience_by_index,
    a_cadres_own_pages_read_by_index,
    the_year_workbook_holds_every_fact_and_their_sums,
    reports_follow_every_kind_of_write,
);

/// The make-up request filed for `session`, as the organisers' queue shows it.
pub(crate) async fn make_up_request(
    app: &TestApp,
    organiser: &Client,
    session: i64,
) -> Option<Value> {
    let queue: Value = app
        .call(organiser, "requests_queue", &[])
        .await
        .json()
        .await
        .unwrap();
    queue["make_ups"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["session_id"] == session)
        .cloned()
}

/// An organiser accepts the make-up filed for `session`.
pub(crate) async fn accept_make_up(app: &TestApp, organiser: &Client, session: i64) {
    let item = make_up_request(app, organiser, session)
        .await
        .expect("a make-up request");
    let id = item["id"].as_i64().unwrap().to_string();
    let res = app
        .call(
            organiser,
            "requests_decide",
            &[("id", &id), ("kind", "make_up"), ("decision", "approved")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
}

async fn organisers_mark_and_every_change_is_audited(backend: Backend) {
    let app = spawn_app(backend).await;
    let organiser = app.signed_in("organiser").await;
    let cadre = app.signed_in("cadre").await;
    let me = demo_cadre(&app).await;
    let session = door_session(&app, -150, 120, Audience::Everyone).await;
    let (sid, pid) = (session.to_string(), me.to_string());
    let set = |status: &'static str, reason: &'static str| {
        let (sid, pid) = (sid.clone(), pid.clone());
        let (app, organiser) = (&app, &organiser);
        async move {
            app.call(
                organiser,
                "attendance_set",
                &[
                    ("session_id", &sid),
                    ("person_id", &pid),
                    ("status", status),
                    ("reason", reason),
                ],
            )
            .await
            .status()
        }
    };
    // Cadres cannot mark.
    let res = app
        .call(
            &cadre,
            "attendance_set",
            &[
                ("session_id", &sid),
                ("person_id", &pid),
                ("status", "present"),
                ("reason", ""),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert_eq!(set("present", "").await, StatusCode::OK);
    assert_eq!(set("bogus", "x").await, StatusCode::UNPROCESSABLE_ENTITY);
    // A correction needs a reason and changes nothing without one.
    assert_eq!(set("late", "").await, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        status_of(&app, session, me).await,
        Some(AttendanceStatus::Present)
    );
    assert_eq!(set("late", "19:20 才到，补登").await, StatusCode::OK);
    assert_eq!(
        status_of(&app, session, me).await,
        Some(AttendanceStatus::Late)
    );

    // The rest of the audience becomes absent once the session is over.
    let upcoming = door_session(&app, 60, 60, Audience::Everyone).await;
    let res = app
        .call(
            &organiser,
            "attendance_rest_absent",
            &[("session_id", &upcoming.to_string())],
        )
        .await;
    assert_eq!(res.status(), StatusCode::CONFLICT);
    let res = app
        .call(
            &organiser,
            "attendance_rest_absent",
            &[("session_id", &sid)],
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let marked: u64 = res.json().await.unwrap();
    let sheet = app.repo.session_sheet(session, None).await.unwrap();
    assert_eq!(
        marked as usize,
        sheet.len() - 1,
        "everyone but the demo cadre"
    );
    assert!(sheet.iter().all(|r| r.status.is_some()));
    assert_eq!(
        status_of(&app, session, me).await,
        Some(AttendanceStatus::Late)
    );

    let sheet: Value = app
        .call(&organiser, "attendance_sheet", &[("session_id", &sid)])
        .await
        .json()
        .await
        .unwrap();
    let audit = sheet["audit"].as_array().unwrap();
    assert_eq!(audit.len(), 2 + marked as usize);
    // The count in all comes from the kept head-counts, and agrees with the trail.
    assert_eq!(sheet["audit_total"], audit.len());
    assert_eq!(
        app.repo.audit_trail(session, None).await.unwrap().len(),
        audit.len()
    );
    assert_eq!(audit[1]["from"], "Present");
    assert_eq!(audit[1]["to"], "Late");
    assert_eq!(audit[1]["reason"], "19:20 才到，补登");
    assert!(!audit[1]["actor"].as_str().unwrap().is_empty());
    assert_eq!(sheet["counts"]["late"], 1);
    let (status, page) = app
        .page(
            &organiser,
            &format!("/organiser/sessions/{session}/attendance"),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("19:20 才到，补登"));
    let res = app
        .call(&cadre, "attendance_sheet", &[("session_id", &sid)])
        .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
}

async fn leave_is_asked_before_and_warned_past_the_cap(backend: Backend) {
    let app = spawn_app(backend).await;
    let organiser = app.signed_in("organiser").await;
    let cadre = app.signed_in("cadre").await;
    let me = demo_cadre(&app).await;
    let session = door_session(&app, 24 * 60, 120, Audience::Everyone).await;
    let sid = session.to_string();
    let ask = |reason: &'static str| {
        let (app, cadre, sid) = (&app, &cadre, sid.clone());
        async move {
            app.call(
                cadre,
                "leave_ask",
                &[("session_id", &sid), ("reason", reason)],
            )
            .await
            .status()
        }
    };
    assert_eq!(ask("   ").await, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(ask("社区有防汛值班").await, StatusCode::OK);
    assert_eq!(ask("再问一次").await, StatusCode::CONFLICT);
    let started = door_session(&app, -5, 120, Audience::Everyone).await;
    let res = app
        .call(
            &cadre,
            "leave_ask",
            &[("session_id", &started.to_string()), ("reason", "来不了")],
        )
        .await;
    assert_eq!(
        res.status(),
        StatusCode::OK,
        "after the start, leave is asked after the fact (within 3 days by default)"
    );
    let mine: Value = app
        .call(
            &cadre,
            "attendance_mine",
            &[("session_id", &started.to_string())],
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(mine["leave"]["after_the_fact"], true);
    assert_eq!(mine["leave"]["leave_kind"], "Personal");

    // With the cap at 1 %, approving this request passes it: the organiser is warned.
    let res = app
        .call(
            &organiser,
            "settings_attendance",
            &[("leave_cap", "1%"), ("make_up_share", "50%")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let res = app
        .call(
            &organiser,
            "settings_attendance",
            &[("leave_cap", "8/7"), ("make_up_share", "half")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let queue: Value = app
        .call(&organiser, "requests_queue", &[])
        .await
        .json()
        .await
        .unwrap();
    let line = queue["leave"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["request"]["session_id"] == session)
        .unwrap()
        .clone();
    assert_eq!(line["passes_cap"], true);
    assert_eq!(line["request"]["decision"], "Pending");
    assert_eq!(queue["cap"]["den"], 100);
    let id = line["request"]["id"].as_i64().unwrap().to_string();
    let res = app
        .call(
            &cadre,
            "requests_decide",
            &[("id", &id), ("kind", "leave"), ("decision", "approved")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let res = app
        .call(
            &organiser,
            "requests_decide",
            &[("id", &id), ("kind", "leave"), ("decision", "approved")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(
        status_of(&app, session, me).await,
        Some(AttendanceStatus::Excused)
    );
    let res = app
        .call(
            &organiser,
            "requests_decide",
            &[("id", &id), ("kind", "leave"), ("decision", "declined")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::CONFLICT);
    let mine: Value = app
        .call(&cadre, "attendance_mine", &[("session_id", &sid)])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(mine["status"], "Excused");
    assert_eq!(mine["leave"]["decision"], "Approved");
    assert_eq!(mine["may_ask_leave"], false);
}

async fn a_missed_session_is_made_up_for_half_the_hours(backend: Backend) {
    let app = spawn_app(backend).await;
    let organiser = app.signed_in("organiser").await;
    let cadre = app.signed_in("cadre").await;
    let me = demo_cadre(&app).await;
    let session = door_session(&app, -300, 120, Audience::Everyone).await;
    let sid = session.to_string();
    let mine: Value = app
        .call(&cadre, "attendance_mine", &[("session_id", &sid)])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(mine["may_make_up"], true);
    let text = "通过这次补学，我重新学习了信访工作条例，认识到要把群众的每一件小事当成大事来办，在社区工作中主动下沉网格、倾听诉求。";
    let reflect = |sid: String, body: &'static str| {
        let (app, cadre) = (&app, &cadre);
        async move {
            app.call(
                cadre,
                "reflection_save",
                &[("session_id", &sid), ("body", body), ("work", "on")],
            )
            .await
            .status()
        }
    };
    // A make-up starts with reading the material.
    assert_eq!(reflect(sid.clone(), text).await, StatusCode::CONFLICT);
    let res = app
        .call(&cadre, "material_read", &[("session_id", &sid)])
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(
        reflect(sid.clone(), "学到了").await,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    assert_eq!(reflect(sid.clone(), text).await, StatusCode::OK);
    let item = make_up_request(&app, &organiser, session).await.unwrap();
    assert_eq!(item["text"], text);
    accept_make_up(&app, &organiser, session).await;
    assert_eq!(
        status_of(&app, session, me).await,
        Some(AttendanceStatus::MadeUp)
    );
    // The session is worth 2 hours: made up, it earns 1.
    let history: Value = app
        .call(&cadre, "report_history", &[("from", ""), ("to", "")])
        .await
        .json()
        .await
        .unwrap();
    let line = history["lines"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["session_id"] == session)
        .unwrap()
        .clone();
    assert_eq!(line["status"], "MadeUp");
    assert_eq!(line["earned"], 10);
    // A session one attended cannot be "made up"; cadres see only their own history.
    let attended = door_session(&app, -300, 60, Audience::Everyone).await;
    app.repo
        .set_status(
            attended,
            me,
            AttendanceStatus::Present,
            me,
            "",
            Timestamp::now(),
        )
        .await
        .unwrap();
    // Someone who attended may reflect too; that files no make-up.
    assert_eq!(reflect(attended.to_string(), text).await, StatusCode::OK);
    // Rewriting keeps the earlier text.
    let second =
        "再次回顾：就地化解的关键是网格员每天走访，把群众的小事记在本子上，当天能办的当天办好。";
    assert_eq!(reflect(attended.to_string(), second).await, StatusCode::OK);
    let view: Value = app
        .call(
            &cadre,
            "material_view",
            &[("session_id", &attended.to_string())],
        )
        .await
        .json()
        .await
        .unwrap();
    let mine = &view["reader"]["reflection"];
    assert_eq!(mine["body"], second);
    assert_eq!(mine["earlier"][0][0], text);
    assert!(make_up_request(&app, &organiser, attended).await.is_none());
    assert_eq!(
        status_of(&app, attended, me).await,
        Some(AttendanceStatus::Present)
    );
    let other = app.repo.lecturers().await.unwrap()[0].0.to_string();
    let res = app
        .call(
            &cadre,
            "report_history",
            &[("person_id", &other), ("from", ""), ("to", "")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
}

async fn reports_and_downloads_are_for_organisers(backend: Backend) {
    let app = spawn_app(backend).await;
    let organiser = app.signed_in("organiser").await;
    let cadre = app.signed_in("cadre").await;
    let me = demo_cadre(&app).await;
    let session = door_session(&app, -300, 120, Audience::Everyone).await;
    app.repo
        .set_status(
            session,
            me,
            AttendanceStatus::Late,
            me,
            "",
            Timestamp::now(),
        )
        .await
        .unwrap();
    let csv = organiser
        .get(app.url(&format!("/sessions/{session}/attendance.csv")))
        .send()
        .await
        .unwrap();
    assert_eq!(csv.status(), StatusCode::OK);
    assert!(
        csv.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/csv")
    );
    assert!(
        csv.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .contains("attendance-")
    );
    let body = csv.text().await.unwrap();
    assert!(body.starts_with('\u{feff}'));
    assert!(body.contains("姓名,社区,梯队,状态,签到时间,计划外"));
    assert!(body.contains("迟到"));
    let xlsx = organiser
        .get(app.url(&format!("/sessions/{session}/attendance.xlsx")))
        .send()
        .await
        .unwrap();
    assert_eq!(xlsx.status(), StatusCode::OK);
    let bytes = xlsx.bytes().await.unwrap();
    let mut book: calamine::Xlsx<_> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(bytes.to_vec())).unwrap();
    use calamine::Reader;
    assert_eq!(book.sheet_names(), ["签到表", "修改记录"]);
    let trail = book.worksheet_range("修改记录").unwrap();
    let lines: Vec<Vec<String>> = trail
        .rows()
        .map(|r| r.iter().map(|c| c.to_string()).collect())
        .collect();
    assert_eq!(
        lines[0],
        ["姓名", "原状态", "新状态", "操作人", "原因", "时间"]
    );
    assert_eq!(lines.len(), 2, "one change, one line: {lines:?}");
    assert_eq!(lines[1][2], "迟到");
    let year = Timestamp::now().local_date().format("%Y").to_string();
    let book = organiser
        .get(app.url(&format!("/reports/attendance-{year}.xlsx")))
        .send()
        .await
        .unwrap();
    assert_eq!(book.status(), StatusCode::OK);
    assert!(book.bytes().await.unwrap().len() > 2000);
    let rates = organiser
        .get(app.url("/reports/communities.csv"))
        .send()
        .await
        .unwrap();
    assert_eq!(rates.status(), StatusCode::OK);
    assert!(rates.text().await.unwrap().contains("出勤率%"));
    for path in [
        format!("/sessions/{session}/attendance.csv"),
        format!("/reports/attendance-{year}.xlsx"),
    ] {
        let res = cadre.get(app.url(&path)).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::NOT_FOUND, "{path}");
        let res = client().get(app.url(&path)).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED, "{path}");
    }
    assert_eq!(
        organiser
            .get(app.url("/reports/attendance-banana.xlsx"))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::NOT_FOUND
    );
    let report: Value = app
        .call(&organiser, "report_attendance", &[("from", ""), ("to", "")])
        .await
        .json()
        .await
        .unwrap();
    let sessions = report["sessions"].as_array().unwrap();
    let row = sessions.iter().find(|r| r["id"] == session).unwrap();
    assert_eq!(row["counts"]["late"], 1);
    assert!(!report["communities"].as_array().unwrap().is_empty());
    let res = app
        .call(
            &organiser,
            "report_attendance",
            &[("from", "2026-13-01"), ("to", "")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let res = app
        .call(&cadre, "report_attendance", &[("from", ""), ("to", "")])
        .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
}

/// A sheet longer than a page comes a community or a page at a time; its head-counts are
/// counted in the database and agree with every line; the door board and the report (kept
/// between requests) count the same, and the report follows a change at once.
async fn long_sheets_come_in_parts_counted_in_the_database(backend: Backend) {
    use app::domain::people::Position;
    use app::domain::report::{Fact, by_community};
    use app::ssr::db::NewPerson;
    let app = spawn_app(backend).await;
    let organiser = app.signed_in("organiser").await;
    let reference = app
        .repo
        .member(demo_cadre(&app).await)
        .await
        .unwrap()
        .unwrap();
    let people: Vec<NewPerson> = (0..230)
        .map(|i| NewPerson {
            name: format!("长表学员{i:04}"),
            community_id: reference.community_id,
            tier_id: reference.tier_id,
            position: Position::GridWorker,
            phone: String::new(),
        })
        .collect();
    app.repo
        .create_people(&people, Timestamp::now())
        .await
        .unwrap();
    // Held an hour and a half ago, for an hour.
    let session = door_session(&app, -90, 60, Audience::Everyone).await;
    let sid = session.to_string();
    let full = app.repo.session_sheet(session, None).await.unwrap();
    assert!(full.len() > 400, "{}", full.len());
    for (line, status) in full
        .iter()
        .zip(["present", "late", "excused", "absent", "made_up"])
    {
        let res = app
            .call(
                &organiser,
                "attendance_set",
                &[
                    ("session_id", sid.as_str()),
                    ("person_id", &line.person_id.to_string()),
                    ("status", status),
                    ("reason", ""),
                ],
            )
            .await;
        assert_eq!(res.status(), StatusCode::OK, "{status}");
    }
    let full = app.repo.session_sheet(session, None).await.unwrap();
    let sheet = |args: Vec<(&'static str, String)>| {
        let (app, organiser, sid) = (&app, &organiser, sid.clone());
        async move {
            let mut form: Vec<(&str, &str)> = vec![("session_id", sid.as_str())];
            form.extend(args.iter().map(|(k, v)| (*k, v.as_str())));
            let res = app.call(organiser, "attendance_sheet", &form).await;
            assert_eq!(res.status(), StatusCode::OK);
            res.json::<Value>().await.unwrap()
        }
    };

    // Unasked, a long sheet opens on its first community, whole.
    let first = sheet(vec![]).await;
    let groups = first["groups"].as_array().unwrap().clone();
    let first_id = groups[0]["id"].as_i64().unwrap();
    assert_eq!(first["part"]["Community"], first_id);
    let first_name = groups[0]["name"].as_str().unwrap();
    let of_first = full.iter().filter(|l| l.community == first_name).count() as i64;
    assert_eq!(first["total_lines"], of_first);
    assert!(
        first["lines"]
            .as_array()
            .unwrap()
            .iter()
            .all(|l| l["community"] == first_name)
    );

    // Every community, page by page: the lines of the whole sheet, in its order, once each.
    let mut seen: Vec<i64> = Vec::new();
    let mut page = 1;
    loop {
        let part = sheet(vec![
            ("community", "all".into()),
            ("page", page.to_string()),
        ])
        .await;
        assert_eq!(part["total_lines"], full.len() as i64);
        let lines = part["lines"].as_array().unwrap();
        assert!(lines.len() <= 200);
        seen.extend(lines.iter().map(|l| l["person_id"].as_i64().unwrap()));
        if page >= part["pages"].as_i64().unwrap() {
            break;
        }
        page += 1;
    }
    assert_eq!(page, 3);
    assert_eq!(seen, full.iter().map(|l| l.person_id).collect::<Vec<_>>());

    // Head-counts: the groups add up, and agree with a count of the lines.
    let counts = &first["counts"];
    let count =
        |f: &dyn Fn(&app::ssr::db::SheetRow) -> bool| full.iter().filter(|l| f(l)).count() as i64;
    assert_eq!(counts["expected"], count(&|l| !l.walk_in));
    assert_eq!(counts["present"], 1);
    assert_eq!(counts["late"], 1);
    assert_eq!(counts["excused"], 1);
    assert_eq!(counts["absent"], 1);
    assert_eq!(counts["made_up"], 1);
    assert_eq!(first["unmarked"], count(&|l| l.status.is_none()));
    let summed: i64 = groups
        .iter()
        .map(|g| g["counts"]["expected"].as_i64().unwrap())
        .sum();
    assert_eq!(counts["expected"], summed);

    // A name fragment searches every community.
    let found = sheet(vec![("q", "长表学员000".into())]).await;
    assert_eq!(found["total_lines"], 10);
    assert_eq!(found["part"], "All");
    // A page past the end is empty, not an error; a community that is no number is unknown.
    let past = sheet(vec![("community", "all".into()), ("page", "99".into())]).await;
    assert!(past["lines"].as_array().unwrap().is_empty());
    let res = app
        .call(
            &organiser,
            "attendance_sheet",
            &[("session_id", &sid), ("community", "东苑")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);

    // The door board counts the same and lists no names when too many are missing.
    let board: Value = app
        .call(&organiser, "door_board", &[("session_id", &sid)])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(board["counts"], *counts);
    let missing = board["missing"].as_array().unwrap();
    let missing_sum: i64 = missing.iter().map(|g| g["count"].as_i64().unwrap()).sum();
    assert_eq!(
        missing_sum,
        count(&|l| l.status.is_none() || l.status == Some(AttendanceStatus::Absent))
    );
    assert!(
        missing
            .iter()
            .all(|g| g["names"].as_array().unwrap().is_empty())
    );
    let recent = board["recent"].as_array().unwrap();
    assert_eq!(recent.len(), 2, "the present and the late one: {recent:?}");

    // The report counts what the facts count, and follows a change at once.
    let report = || async {
        let res = app
            .call(&organiser, "report_attendance", &[("from", ""), ("to", "")])
            .await;
        assert_eq!(res.status(), StatusCode::OK);
        res.json::<Value>().await.unwrap()
    };
    let year = app::domain::report::DateRange::parse("", "", Timestamp::now().local_date())
        .unwrap()
        .bounds()
        .unwrap();
    let facts: Vec<Fact> = app
        .repo
        .facts(year.0, year.1, Timestamp::now(), None, None)
        .await
        .unwrap();
    let r = report().await;
    let row = r["sessions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == session)
        .unwrap()
        .clone();
    assert_eq!(row["counts"]["expected"], counts["expected"]);
    assert_eq!(
        row["counts"]["absent"].as_i64().unwrap(),
        1 + first["unmarked"].as_i64().unwrap(),
        "no record after the end is absence"
    );
    let expected = by_community(&facts);
    let got = r["communities"].as_array().unwrap();
    assert_eq!(got.len(), expected.len());
    for (g, e) in got.iter().zip(&expected) {
        assert_eq!(g["name"], e.name);
        assert_eq!(g["counts"], serde_json::to_value(e.counts).unwrap());
    }
    let someone = full.iter().find(|l| l.status.is_none()).unwrap().person_id;
    app.call(
        &organiser,
        "attendance_set",
        &[
            ("session_id", sid.as_str()),
            ("person_id", &someone.to_string()),
            ("status", "present"),
            ("reason", ""),
        ],
    )
    .await;
    let r = report().await;
    let row = r["sessions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == session)
        .unwrap()
        .clone();
    assert_eq!(
        row["counts"]["present"], 2,
        "the kept report moved with the change"
    );
}

/// A session's sheet reads the cadres who can be in its audience through indexes (a
/// subdistrict's session never reads every cadre, nor every attendance record: its cost does
/// not grow with the district), and what it finds is exactly whom the audience rule admits,
/// plus anyone with a record. Only a district session for everyone reads every cadre, which
/// the plan shows too (so the check below can tell a full read when there is one).
async fn sheets_read_their_audience_by_index(backend: Backend) {
    use app::domain::audience::Member;
    use app::ssr::db::{AttendanceRecord, PlanStep};
    use std::collections::BTreeSet;
    let app = spawn_app(backend).await;
    let me = app
        .repo
        .member(demo_cadre(&app).await)
        .await
        .unwrap()
        .unwrap();
    let (tier, community) = (me.tier_id.unwrap(), me.community_id.unwrap());
    let everyone = held_session(&app, None, -90, 60, Audience::Everyone, vec![]).await;
    let cadres: Vec<Member> = {
        let mut out = Vec::new();
        for line in app.repo.session_sheet(everyone, None).await.unwrap() {
            out.push(app.repo.member(line.person_id).await.unwrap().unwrap());
        }
        out
    };
    assert!(cadres.len() > 100, "{}", cadres.len());
    let outsider = cadres
        .iter()
        .find(|m| m.community_id != Some(community) && m.tier_id != Some(tier))
        .or_else(|| cadres.iter().find(|m| m.community_id != Some(community)))
        .expect("a cadre of another community")
        .person_id;
    let walk_in = cadres
        .iter()
        .rev()
        .find(|m| m.community_id != Some(community) && m.person_id != outsider)
        .expect("another cadre of another community")
        .person_id;
    let held = me.subdistrict_id;
    let audiences = [
        (held, Audience::Everyone),
        (
            None,
            Audience::Chosen {
                tiers: vec![tier],
                communities: vec![],
                people: vec![],
            },
        ),
        (
            held,
            Audience::Chosen {
                tiers: vec![],
                communities: vec![community],
                people: vec![outsider],
            },
        ),
    ];
    let full_reads = |steps: &[PlanStep]| whole_reads(steps, &["p", "x"]);
    for (subdistrict, audience) in audiences {
        let session = held_session(&app, subdistrict, -90, 60, audience.clone(), vec![]).await;
        app.repo
            .record_attendance(
                &[AttendanceRecord {
                    session_id: session,
                    person_id: walk_in,
                    status: AttendanceStatus::Present,
                    checked_in_at: Some(Timestamp::now()),
                }],
                Timestamp::now(),
            )
            .await
            .unwrap();
        let expected: BTreeSet<i64> = cadres
            .iter()
            .filter(|m| audience.includes(subdistrict, m))
            .map(|m| m.person_id)
            .chain([walk_in])
            .collect();
        let found: BTreeSet<i64> = app
            .repo
            .session_sheet(session, None)
            .await
            .unwrap()
            .iter()
            .map(|l| l.person_id)
            .collect();
        assert_eq!(found, expected, "{audience:?} held by {subdistrict:?}");
        let groups = app.repo.sheet_groups(session, None).await.unwrap();
        let total = app::ssr::db::SheetGroup::total(&groups);
        assert_eq!(
            total.counts.expected + total.walk_ins,
            expected.len() as i64
        );
        let steps = app.repo.sheet_plan(session, None).await.unwrap();
        assert!(!steps.is_empty());
        assert_eq!(
            full_reads(&steps),
            Vec::<String>::new(),
            "{audience:?} held by {subdistrict:?}: {steps:#?}"
        );
    }
    let steps = app.repo.sheet_plan(everyone, None).await.unwrap();
    assert!(
        !full_reads(&steps).is_empty(),
        "a district session for everyone reads every cadre: {steps:#?}"
    );
}

/// The rows of one sheet of a workbook, as text.
fn sheet_lines(
    book: &mut calamine::Xlsx<std::io::Cursor<Vec<u8>>>,
    name: &str,
) -> Vec<Vec<String>> {
    use calamine::Reader;
    let range = book.worksheet_range(name).unwrap();
    range
        .rows()
        .map(|r| r.iter().map(|c| c.to_string()).collect())
        .collect()
}

async fn the_year_workbook_holds_every_fact_and_their_sums(backend: Backend) {
    let app = spawn_app(backend).await;
    let organiser = app.signed_in("organiser").await;
    let me = demo_cadre(&app).await;
    let session = held_session(&app, None, -240, 60, Audience::Everyone, vec![]).await;
    let now = Timestamp::now();
    app.repo
        .set_status(session, me, AttendanceStatus::Late, me, "", now)
        .await
        .unwrap();
    let held = app.repo.door_session(session).await.unwrap().unwrap();
    let year: i32 = held
        .starts_at
        .local_date()
        .format("%Y")
        .to_string()
        .parse()
        .unwrap();
    let (from, to) = DateRange::year(year).unwrap().bounds().unwrap();
    let facts = app.repo.facts(from, to, now, None, None).await.unwrap();
    let download = |client: Client| {
        let url = app.url(&format!("/reports/attendance-{year}.xlsx"));
        async move {
            let res = client.get(url).send().await.unwrap();
            assert_eq!(res.status(), StatusCode::OK);
            let bytes = res.bytes().await.unwrap().to_vec();
            calamine::open_workbook_from_rs::<calamine::Xlsx<_>, _>(std::io::Cursor::new(bytes))
                .unwrap()
        }
    };
    let mut book = download(organiser.clone()).await;
    {
        use calamine::Reader;
        assert_eq!(book.sheet_names(), ["按社区", "按课程", "按学员", "明细"]);
    }
    // Every fact is a line of 明细, in the facts' order.
    let detail = sheet_lines(&mut book, "明细");
    assert_eq!(detail[0][..4], ["课程", "日期", "学时", "姓名"]);
    assert_eq!(detail.len() - 1, facts.len());
    for (line, fact) in detail[1..].iter().zip(&facts) {
        assert_eq!(
            (&line[0], &line[3], &line[4]),
            (&fact.title, &fact.name, &fact.community)
        );
    }
    let mine = detail[1..]
        .iter()
        .find(|l| l[0] == held.title && l[6] == "迟到")
        .expect("the late check-in is a line of 明细");
    assert!(!mine[7].is_empty(), "with its time: {mine:?}");
    // The sums are the domain's sums of the same facts.
    let communities = sheet_lines(&mut book, "按社区");
    let sums = by_community(&facts);
    assert_eq!(communities.len() - 1, sums.len());
    for (line, row) in communities[1..].iter().zip(&sums) {
        let c = row.counts;
        let numbers = [
            c.expected, c.present, c.late, c.excused, c.absent, c.made_up,
        ];
        assert_eq!(line[0], row.name);
        assert_eq!(line[1..7], numbers.map(|n| n.to_string()), "{}", row.name);
    }
    let sessions = sheet_lines(&mut book, "按课程");
    let line = sessions.iter().find(|l| l[0] == held.title).unwrap();
    assert_eq!(line[3], "1", "one late: {line:?}");
    let people = sheet_lines(&mut book, "按学员");
    let distinct: std::collections::BTreeSet<i64> = facts.iter().map(|f| f.person_id).collect();
    assert_eq!(people.len() - 1, distinct.len());
    // A community's organiser gets their community's lines, and no one else's.
    let mut book = download(app.signed_in("community").await).await;
    let theirs = sheet_lines(&mut book, "明细");
    let community = &theirs.get(1).expect("the community has facts")[4];
    assert!(theirs[1..].iter().all(|l| &l[4] == community));
    let expected = facts.iter().filter(|f| &f.community == community).count();
    assert_eq!(theirs.len() - 1, expected);
    assert!(expected < facts.len());
}

/// The steps of a plan that read `people` or `attendance` (by name, or by one of `aliases`)
/// whole rather than through an index.
fn whole_reads(steps: &[app::ssr::db::PlanStep], aliases: &[&str]) -> Vec<String> {
    steps
        .iter()
        .filter(|s| {
            // PostgreSQL numbers an alias used twice: p0, p0_1.
            let alias = s.table.split('_').next().unwrap_or("");
            let alias = alias.trim_end_matches(|c: char| c.is_ascii_digit());
            ["people", "attendance"].contains(&alias) || aliases.contains(&alias)
        })
        .filter(|s| !s.indexed)
        .map(|s| s.detail.clone())
        .collect()
}

/// What a cadre's own pages read per request (the session list, upcoming and past; the
/// history; the progress page's ledger, reflections and tier changes) goes through indexes:
/// no whole read of `people`, `attendance` or the cadre's reflections, on both databases.
async fn a_cadres_own_pages_read_by_index(backend: Backend) {
    use app::domain::listing::{SessionFilter, When};
    use app::ssr::db::Scope;
    let app = spawn_app(backend).await;
    let me = app
        .repo
        .member(demo_cadre(&app).await)
        .await
        .unwrap()
        .unwrap();
    let now = Timestamp::now();
    let (from, to) = (Timestamp(now.0 - 365 * 86_400), Timestamp(now.0 + 86_400));
    let plans = app.repo.person_plans(me.person_id, from, to).await.unwrap();
    let names: Vec<&str> = plans.iter().map(|(name, _)| *name).collect();
    assert_eq!(names, ["history", "ledger", "reflections", "tier_history"]);
    for (name, steps) in plans {
        assert!(!steps.is_empty(), "{name}");
        if ["history", "ledger"].contains(&name) {
            // They do read the cadre's attendance: through its key.
            assert!(
                steps.iter().any(|s| s.table.starts_with('x') && s.indexed),
                "{name}: {steps:#?}"
            );
        }
        assert_eq!(
            whole_reads(&steps, &["p", "x", "a", "r"]),
            Vec::<String>::new(),
            "{name}: {steps:#?}"
        );
    }
    for when in [When::Upcoming, When::Past] {
        let scope = Scope::Person {
            member: me,
            audience: true,
            lectures: false,
            organiser: None,
        };
        let filter = SessionFilter {
            when,
            ..SessionFilter::default()
        };
        let steps = app
            .repo
            .find_sessions_plan(scope, &filter, now)
            .await
            .unwrap();
        assert!(!steps.is_empty());
        assert_eq!(
            whole_reads(&steps, &["p", "x"]),
            Vec::<String>::new(),
            "{when:?}: {steps:#?}"
        );
    }
}

/// The report of this year so far agrees with what the facts count, per community and per
/// session.
async fn report_agrees(app: &TestApp, organiser: &Client, after: &str) {
    use app::domain::report::by_session;
    let res = app
        .call(organiser, "report_attendance", &[("from", ""), ("to", "")])
        .await;
    assert_eq!(res.status(), StatusCode::OK, "{after}");
    let report: Value = res.json().await.unwrap();
    let (from, to) = DateRange::parse("", "", Timestamp::now().local_date())
        .unwrap()
        .bounds()
        .unwrap();
    let facts = app
        .repo
        .facts(from, to, Timestamp::now(), None, None)
        .await
        .unwrap();
    let rows = |v: &Value| -> Vec<(String, Value)> {
        v.as_array()
            .unwrap()
            .iter()
            .map(|r| (r["name"].as_str().unwrap().to_string(), r["counts"].clone()))
            .collect()
    };
    let counted = |rows: Vec<app::domain::report::CountRow>| -> Vec<(String, Value)> {
        rows.into_iter()
            .map(|r| (r.name, serde_json::to_value(r.counts).unwrap()))
            .collect()
    };
    assert_eq!(
        rows(&report["communities"]),
        counted(by_community(&facts)),
        "per community, after {after}"
    );
    assert_eq!(
        rows(&report["sessions"]),
        counted(by_session(&facts)),
        "per session, after {after}"
    );
}

/// The report keeps each finished session's head-counts and counts again only what a write
/// touched (a session's records, fields or audience; a community's people; the community
/// itself). After every kind of write, through the server or straight into the database
/// (as another app server would), it shows exactly what the facts count.
async fn reports_follow_every_kind_of_write(backend: Backend) {
    let app = spawn_app(backend).await;
    let organiser = app.signed_in("organiser").await;
    report_agrees(&app, &organiser, "the first count").await;
    // Counted once more: nothing moved.
    report_agrees(&app, &organiser, "nothing").await;

    let session = held_session(&app, None, -90, 60, Audience::Everyone, vec![]).await;
    report_agrees(&app, &organiser, "a session held").await;
    let cadre = demo_cadre(&app).await;
    let res = app
        .call(
            &organiser,
            "attendance_set",
            &[
                ("session_id", &session.to_string()),
                ("person_id", &cadre.to_string()),
                ("status", "late"),
                ("reason", ""),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    report_agrees(&app, &organiser, "a mark through the server").await;
    app.execute(
        "update attendance set status = 'present' where session_id = $1 and person_id = $2",
        &[Bind::Int(session), Bind::Int(cadre)],
    )
    .await;
    report_agrees(&app, &organiser, "a mark behind the server's back").await;

    let member = app.repo.member(cadre).await.unwrap().unwrap();
    let (tier, home) = (member.tier_id.unwrap(), member.community_id.unwrap());
    let other = app
        .repo
        .communities()
        .await
        .unwrap()
        .into_iter()
        .find(|c| c.id != home)
        .unwrap()
        .id;
    // Writes straight into the database, each followed by a report.
    let writes: [(&str, &str, Vec<Bind>); 9] = [
        (
            "a new cadre",
            "insert into people (name, community_id, tier_id, created_at) \
             values ('核对 新学员', $1, $2, 0)",
            vec![Bind::Int(other), Bind::Int(tier)],
        ),
        (
            "a cadre moved to another community",
            "update people set community_id = $1 where id = $2",
            vec![Bind::Int(other), Bind::Int(cadre)],
        ),
        (
            "a cadre out of the tiers",
            "update people set tier_id = null where id = $1",
            vec![Bind::Int(cadre)],
        ),
        (
            "a cadre with no community",
            "update people set community_id = null, tier_id = $1 where id = $2",
            vec![Bind::Int(tier), Bind::Int(cadre)],
        ),
        (
            "a mark of a cadre with no community",
            "update attendance set status = 'excused' where session_id = $1 and person_id = $2",
            vec![Bind::Int(session), Bind::Int(cadre)],
        ),
        (
            "a community renamed",
            "update communities set name = '核对 改名社区' where id = $1",
            vec![Bind::Int(other)],
        ),
        (
            "a record deleted",
            "delete from attendance where session_id = $1 and person_id = $2",
            vec![Bind::Int(session), Bind::Int(cadre)],
        ),
        (
            "a session renamed",
            "update sessions set title = '核对 改名讲座' where id = $1",
            vec![Bind::Int(session)],
        ),
        (
            "a session cancelled",
            "update sessions set cancelled = true where id = $1",
            vec![Bind::Int(session)],
        ),
    ];
    for (after, sql, binds) in writes {
        app.execute(sql, &binds).await;
        report_agrees(&app, &organiser, after).await;
    }
}
