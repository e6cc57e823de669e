//! The access matrix: every registered server function called by every kind of caller,
//! with the answer each should get. The list of functions is read from the server
//! functions the app registers, so a new function without a row here fails the test.
//!
//! Callers, in column order: anonymous, the demo cadre (铁塔寺社区 of 观音阁街道), a lecturer
//! who does not lecture the session used, the session's own lecturer, the organiser of
//! 铁塔寺社区 (the session's audience), the organiser of another community of 观音阁街道,
//! the organiser of 观音阁街道 (which holds the session), the organiser of 李营街道 (another
//! subdistrict), the district's organiser, an admin. Each function is
//! called with arguments that are valid for the session and people used, or that fail a
//! check made after the access check (an empty reason, an unknown status), so nothing the
//! other rows depend on changes.
//!
//! The letters: `Y` allowed (anything but 401, 403, 404), `R` allowed by role, though the
//! object named may not exist for them (anything but 401, 403), `N` refused (401 when
//! anonymous, otherwise 403 or 404), `P` public (allowed, even signed out).
use std::collections::BTreeSet;

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::*;

both_backends!(every_server_function_answers_each_caller_as_expected);

const CALLERS: [&str; 10] = [
    "anonymous",
    "cadre",
    "lecturer",
    "speaker",
    "community",
    "neighbour",
    "guanyinge",
    "liying",
    "organiser",
    "admin",
];

/// The ids the calls name.
struct Ids {
    session: String,
    person: String,
    spare_account: String,
    first_subdistrict: String,
}

enum Body {
    Form(Vec<(&'static str, String)>),
    Json(Value),
}

fn form(fields: &[(&'static str, &str)]) -> Body {
    Body::Form(fields.iter().map(|(k, v)| (*k, v.to_string())).collect())
}

/// Every server function: its endpoint, the arguments, and the expected answer per caller.
fn rows(ids: &Ids) -> Vec<(&'static str, Body, &'static str)> {
    let s = ids.session.as_str();
    let p = ids.person.as_str();
    let spare = ids.spare_account.as_str();
    let sub = ids.first_subdistrict.as_str();
    let empty_session = json!({
        "title": "", "theme_id": "", "format": "", "date": "", "start": "", "end": "",
        "ends_next_day": false, "place": "", "lecturer_ids": [], "everyone": true,
        "tier_ids": [], "community_ids": [], "person_ids": [], "capacity": "", "hours": "",
        "description_md": "", "repeat_weekdays": [], "repeat_until": "", "repeat_count": ""
    });
    vec![
        // Accounts and the organisation tree: admins.
        ("accounts_list", form(&[]), "NNNNNNNNNY"),
        ("accounts_units", form(&[]), "NNNNNNNNNY"),
        (
            "accounts_create",
            form(&[("username", "x"), ("display_name", ""), ("password", "")]),
            "NNNNNNNNNY",
        ),
        (
            "accounts_set_disabled",
            form(&[("id", spare), ("disabled", "false")]),
            "NNNNNNNNNY",
        ),
        (
            "accounts_set_roles",
            form(&[("id", spare), ("cadre", "on")]),
            "NNNNNNNNNY",
        ),
        (
            "accounts_reset_password",
            form(&[("id", spare), ("password", "short")]),
            "NNNNNNNNNY",
        ),
        (
            "accounts_grant_unit",
            form(&[("id", spare), ("unit", "district")]),
            "NNNNNNNNNY",
        ),
        (
            "accounts_revoke_unit",
            form(&[("id", spare), ("unit", "district")]),
            "NNNNNNNNNY",
        ),
        (
            // The spare account has no second factor to reset.
            "account_factor_reset",
            form(&[("account_id", spare)]),
            "NNNNNNNNNR",
        ),
        (
            // The spare account has no identity-provider link to remove.
            "accounts_unlink_identity",
            form(&[("id", spare)]),
            "NNNNNNNNNR",
        ),
        ("security_settings", form(&[]), "NNNNNNNNNY"),
        ("security_settings_save", form(&[]), "NNNNNNNNNY"),
        (
            "audit_log",
            form(&[
                ("query[user]", ""),
                ("query[kind]", ""),
                ("query[from]", ""),
                ("query[to]", ""),
            ]),
            "NNNNNNNNNY",
        ),
        ("backup_overview", form(&[]), "NNNNNNNNNY"),
        ("organisation_tree", form(&[]), "NNNNNNNNNY"),
        (
            "subdistrict_add",
            form(&[("name", ""), ("series_name", "")]),
            "NNNNNNNNNY",
        ),
        (
            "subdistrict_rename",
            form(&[("id", sub), ("name", ""), ("series_name", "")]),
            "NNNNNNNNNY",
        ),
        (
            "community_add",
            form(&[("subdistrict_id", sub), ("name", "")]),
            "NNNNNNNNNY",
        ),
        // Everyone's own things.
        ("me", form(&[]), "PPPPPPPPPP"),
        ("sign_in_options", form(&[]), "PPPPPPPPPP"),
        (
            "change_password",
            form(&[
                ("current", ""),
                ("new_password", "a"),
                ("new_password_again", "b"),
            ]),
            "NYYYYYYYYY",
        ),
        ("totp_status", form(&[]), "NYYYYYYYYY"),
        ("totp_begin", form(&[]), "NYYYYYYYYY"),
        ("totp_confirm", form(&[("code", "000000")]), "NRRRRRRRRR"),
        ("totp_recovery", form(&[("code", "")]), "NRRRRRRRRR"),
        // Admins must keep their second factor: refused whatever the code.
        ("totp_disable", form(&[("code", "")]), "NRRRRRRRRN"),
        ("calendar_feed", form(&[]), "NYYYYYYYYY"),
        ("calendar_feed_renew", form(&[]), "NYYYYYYYYY"),
        ("calendar_feed_revoke", form(&[]), "NYYYYYYYYY"),
        ("calendar_alarm", form(&[]), "NYYYYYYYYY"),
        (
            "calendar_alarm_set",
            form(&[("minutes", "60")]),
            "NYYYYYYYYY",
        ),
        ("inbox", form(&[("page", "0")]), "NYYYYYYYYY"),
        ("inbox_unread", form(&[]), "NYYYYYYYYY"),
        ("inbox_read", form(&[("id", "")]), "NYYYYYYYYY"),
        ("message_settings", form(&[]), "NYYYYYYYYY"),
        (
            "message_settings_set",
            form(&[("email", "someone@example.cn")]),
            "NYYYYYYYYY",
        ),
        ("open_doors", form(&[]), "NYYYYYYYYY"),
        (
            "checkin_preview",
            form(&[("token", "forged")]),
            "NYYYYYYYYY",
        ),
        (
            "checkin_result",
            form(&[("outcome", "forged")]),
            "NYYYYYYYYY",
        ),
        (
            "list_sessions",
            Body::Json(json!({ "filter": { "when": "Upcoming", "page": 0 } })),
            "NYYYYYYYYY",
        ),
        (
            "calendar_sessions",
            form(&[("view", "week"), ("date", "")]),
            "NYYYYYYYYY",
        ),
        ("search", form(&[("q", "讲堂")]), "NYYYYYYYYY"),
        (
            "reflection_comment",
            form(&[("reflection_id", "999999"), ("body", "")]),
            "NRRRRRRRRR",
        ),
        // Cadres.
        ("my_upcoming_sessions", form(&[]), "NYNNNNNNNN"),
        ("review_mine", form(&[("page", "0")]), "NYNNNNNNNN"),
        (
            "leave_ask",
            form(&[("session_id", s), ("reason", "")]),
            "NYNNNNNNNN",
        ),
        ("material_read", form(&[("session_id", s)]), "NYNNNNNNNN"),
        (
            "reflection_save",
            form(&[("session_id", s), ("body", "")]),
            "NRNNNNNNNN",
        ),
        // Lecturers.
        ("my_lectures", form(&[]), "NNYYNNNNNN"),
        (
            "material_preview",
            form(&[("body", "# 讲义")]),
            "NNYYYYYYYN",
        ),
        // The session: its audience, its door (the community's organiser), its organisers.
        ("open_session", form(&[("id", s)]), "NYNYYNYNYN"),
        ("attendance_mine", form(&[("session_id", s)]), "NYNYYNYNYN"),
        ("material_view", form(&[("session_id", s)]), "NYNYYNYNYN"),
        ("door_board", form(&[("session_id", s)]), "NNNNYNYNYN"),
        ("attendance_sheet", form(&[("session_id", s)]), "NNNNYNYNYN"),
        (
            "attendance_set",
            form(&[
                ("session_id", s),
                ("person_id", p),
                ("status", "bogus"),
                ("reason", ""),
            ]),
            "NNNNYNYNYN",
        ),
        (
            "attendance_rest_absent",
            form(&[("session_id", s)]),
            "NNNNYNYNYN",
        ),
        (
            "attendance_decide_walk_in",
            form(&[("session_id", s), ("person_id", p), ("confirm", "false")]),
            "NNNNRNRNRN",
        ),
        (
            "attendance_rules",
            form(&[
                ("session_id", s),
                ("opens_minutes_before", "x"),
                ("late_after_minutes", "y"),
            ]),
            "NNNNNNYNYN",
        ),
        ("material_editor", form(&[("session_id", s)]), "NNNYNNYNYN"),
        // The version history is for organisers, not the lecturer.
        ("material_history", form(&[("session_id", s)]), "NNNNNNYNYN"),
        (
            "material_save",
            form(&[
                ("session_id", s),
                ("body", ""),
                ("publication", "bogus"),
                ("base_version", "0"),
            ]),
            "NNNYNNYNYN",
        ),
        (
            "material_restore",
            form(&[
                ("session_id", s),
                ("version", "999999"),
                ("base_version", "0"),
            ]),
            "NNNNNNRNRN",
        ),
        (
            "attachment_remove",
            form(&[("session_id", s), ("attachment_id", "999999")]),
            "NNNRNNRNRN",
        ),
        ("reflections_of", form(&[("session_id", s)]), "NNNYNNYNYN"),
        (
            "reflection_accept",
            form(&[("session_id", s), ("reflection_id", "999999")]),
            "NNNRNNRNRN",
        ),
        ("planner_template", form(&[("id", s)]), "NNNNNNYNYN"),
        (
            "sessions_cancel",
            form(&[("id", s), ("reason", "")]),
            "NNNNNNYNYN",
        ),
        ("late_reminder", form(&[("id", s)]), "NNNNNNYNYN"),
        ("message_budget", form(&[]), "NNNNNNYYYN"),
        ("claims_mine", form(&[]), "NYYYYYYYYY"),
        ("claims_desk", form(&[]), "NNNNYYYYYN"),
        (
            "claim_decide",
            form(&[("id", "999999"), ("approve", "1")]),
            "NNNNRRRRRN",
        ),
        ("claims_conversions", form(&[]), "NNNNYYYYYN"),
        // Certificates: one's own, or a cadre's for the organisers of their reach; the
        // verification is public.
        ("certificates_of", form(&[("person_id", p)]), "NYNNYNYNYN"),
        ("certificates_desk", form(&[]), "NNNNYYYYYN"),
        (
            "certificate_revoke",
            form(&[("id", "999999"), ("reason", "")]),
            "NNNNRRRRRN",
        ),
        ("certificates_issue", form(&[]), "NNNNYYYYYN"),
        (
            "certificate_verify",
            form(&[("serial", "YX-2026-0000-0000-00")]),
            "PPPPPPPPPP",
        ),
        (
            "claims_conversion_save",
            form(&[("id", "0"), ("name_zh", ""), ("hours", "")]),
            "NNNNNNNNYN",
        ),
        (
            "leave_excuse_group",
            form(&[
                ("session_id", s),
                ("community_id", "999999"),
                ("reason", ""),
            ]),
            "NNNNYNYNYN",
        ),
        ("leave_series_caps", form(&[]), "NNNNYYYYYN"),
        ("evaluation_card", form(&[("session_id", s)]), "NYYYYYYYYY"),
        ("evaluation_open", form(&[]), "NYYYYYYYYY"),
        (
            "evaluation_send",
            form(&[("session_id", s), ("wish", "")]),
            "NYNNNNNNNN",
        ),
        (
            "evaluation_results",
            form(&[("session_id", s)]),
            "NNNYNNYNYN",
        ),
        ("lecturer_pool", form(&[]), "NNNNYYYYYN"),
        ("lecturer_mine", form(&[]), "NNYYNNNNNN"),
        ("wishes_list", form(&[]), "NNNNYYYYYN"),
        ("wishes_tie", form(&[("session_id", s)]), "NNNNNNYNYN"),
        ("evaluation_indicators", form(&[]), "NNNNYYYYYN"),
        (
            "evaluation_indicator_save",
            form(&[("id", "0"), ("name_zh", "")]),
            "NNNNNNNNYN",
        ),
        (
            "evaluation_minimum_save",
            form(&[("min_answers", "x")]),
            "NNNNNNNNYN",
        ),
        (
            "correction_chance",
            form(&[("session_id", s)]),
            "NYYYYYYYYY",
        ),
        (
            "correction_ask",
            form(&[("session_id", s), ("reason", "")]),
            "NYNNNNNNNN",
        ),
        ("corrections_to_confirm", form(&[]), "NNYYNNNNNN"),
        (
            "correction_confirm",
            form(&[("id", "999999")]),
            "NNRRNNNNNN",
        ),
        (
            "correction_decide",
            form(&[("id", "999999"), ("decision", "approved")]),
            "NNNNRRRRRN",
        ),
        (
            "leave_series_cap_set",
            form(&[("series", "没有这个系列"), ("capped", "1")]),
            "NNNNRRRRRN",
        ),
        ("suggestions", form(&[]), "NYYYYYYYYY"),
        ("suggestion", form(&[("id", "999999")]), "NRRRRRRRRR"),
        (
            "suggestion_post",
            form(&[("kind", "suggestion"), ("title", ""), ("body", "")]),
            "NYYYYYYYYY",
        ),
        (
            "suggestion_reply",
            form(&[("id", "999999"), ("answer", "x")]),
            "NNNNRRRRRR",
        ),
        ("announcements", form(&[]), "NYYYYYYYYY"),
        ("announcement", form(&[("id", "999999")]), "NRRRRRRRRR"),
        ("announcement_choices", form(&[]), "NNNNNNYYYN"),
        (
            "announcement_post",
            form(&[("title", ""), ("body_md", ""), ("place", "")]),
            "NNNNNNNNYN",
        ),
        (
            "announcement_remind",
            form(&[("id", "999999")]),
            "NNNNRRRRRN",
        ),
        (
            "message_budget_save",
            form(&[
                ("per_week", "0"),
                ("per_session", "2"),
                ("quiet_from", "22:00"),
                ("quiet_to", "07:00"),
            ]),
            "NNNNNNNNYN",
        ),
        (
            "late_reminder_set",
            form(&[("id", s), ("on", "0")]),
            "NNNNNNYNYN",
        ),
        (
            "sessions_update",
            Body::Json(
                json!({ "id": s.parse::<i64>().unwrap(), "form": empty_session, "scope": "This", "clash_reason": "" }),
            ),
            "NNNNNNYNYN",
        ),
        // Organisers, each within their reach.
        ("organiser_overview", form(&[]), "NNNNYYYYYN"),
        ("requests_queue", form(&[]), "NNNNYYYYYN"),
        (
            "requests_decide",
            form(&[("id", "999999"), ("kind", "leave"), ("decision", "bogus")]),
            "NNNNYYYYYN",
        ),
        (
            "report_attendance",
            form(&[("from", "bad"), ("to", "bad")]),
            "NNNNYYYYYN",
        ),
        ("programme_dashboard", form(&[]), "NNNNYYYYYN"),
        ("progress_view", form(&[("person_id", p)]), "NYNNYNYNYN"),
        (
            "report_history",
            form(&[("person_id", p), ("from", ""), ("to", "")]),
            "NYNNYNYNYN",
        ),
        (
            "programme_promote",
            form(&[("person_id", p), ("tier_id", "999999"), ("note", "")]),
            "NNNNNNRNRN",
        ),
        // Organisers of whole subdistricts.
        ("schedule_options", form(&[]), "NNNNNNYYYN"),
        ("people_search", form(&[("query", "张")]), "NNNNNNYYYN"),
        ("district_overview", form(&[]), "NNNNNNYYYN"),
        (
            "sessions_create",
            Body::Json(json!({ "form": empty_session, "clash_reason": "" })),
            "NNNNNNYYYN",
        ),
        // Settings and tiers: the district's for organisers of the whole install, a
        // subdistrict's own for its organisers (each sees their own without a unit).
        ("settings_overview", form(&[]), "NNNNNNYYYN"),
        ("settings_door", form(&[]), "NNNNNNYYYN"),
        (
            "settings_door_save",
            form(&[("venue_networks", "not a network")]),
            "NNNNNNYYYN",
        ),
        // Renewing the door key of the caller's own (the district's, or its subdistrict's)
        // leaves the codes the other rows use alone: none of them carries a real one.
        ("settings_door_renew", form(&[]), "NNNNNNYYYN"),
        (
            "settings_hours_rule",
            form(&[("minutes", "x")]),
            "NNNNNNYYYN",
        ),
        (
            "settings_attendance",
            form(&[("leave_cap", "x"), ("make_up_share", "y")]),
            "NNNNNNYYYN",
        ),
        (
            "settings_leave",
            form(&[
                ("after_days", "x"),
                ("duty_make_up_days", "1"),
                ("correction_days", "1"),
                ("correction_quota", "1"),
            ]),
            "NNNNNNYYYN",
        ),
        (
            "settings_reset",
            form(&[("unit", &format!("subdistrict:{sub}"))]),
            "NNNNNNYNYN",
        ),
        (
            "themes_add",
            form(&[("name_zh", ""), ("name_en", "")]),
            "NNNNNNNNYN",
        ),
        ("programme_plans", form(&[]), "NNNNNNYYYN"),
        (
            "programme_tier_save",
            form(&[
                ("form[tier_id]", "999999"),
                ("form[target_count]", "x"),
                ("form[hours]", ""),
                ("form[attendance_percent]", ""),
                ("form[reflections]", ""),
                ("form[teaching]", ""),
            ]),
            "NNNNNNRRRN",
        ),
        (
            "programme_credits_save",
            form(&[("late_share", "x"), ("lecturing_share", "y")]),
            "NNNNNNYYYN",
        ),
        (
            "programme_plans_reset",
            form(&[("unit", &format!("subdistrict:{sub}"))]),
            "NNNNNNYNYN",
        ),
        (
            "import_preview",
            form(&[("batch_id", "999999")]),
            "NNNNNNNNRR",
        ),
        (
            "import_apply",
            form(&[("batch_id", "999999")]),
            "NNNNNNNNRR",
        ),
    ]
}

fn meets(expected: char, anonymous: bool, status: StatusCode) -> bool {
    let refused = [
        StatusCode::UNAUTHORIZED,
        StatusCode::FORBIDDEN,
        StatusCode::NOT_FOUND,
    ];
    match expected {
        'P' | 'Y' => !refused.contains(&status) && !status.is_server_error(),
        'R' => {
            status != StatusCode::UNAUTHORIZED
                && status != StatusCode::FORBIDDEN
                && !status.is_server_error()
        }
        'N' if anonymous => status == StatusCode::UNAUTHORIZED,
        'N' => status == StatusCode::FORBIDDEN || status == StatusCode::NOT_FOUND,
        other => panic!("unknown letter {other}"),
    }
}

async fn every_server_function_answers_each_caller_as_expected(backend: Backend) {
    use app::domain::audience::Audience;
    let app = spawn_app(backend).await;
    let person = crate::checkin::demo_cadre(&app).await;
    let tieta = app
        .repo
        .member(person)
        .await
        .unwrap()
        .unwrap()
        .community_id
        .unwrap();
    let first = app.repo.subdistricts().await.unwrap()[0].id;
    let other = app
        .repo
        .communities()
        .await
        .unwrap()
        .into_iter()
        .find(|c| c.subdistrict_id == first && c.id != tieta)
        .unwrap()
        .id;
    // The callers the demo has no account for: the session's own lecturer, the organiser
    // of another community of 观音阁街道, and the organiser of all of 观音阁街道.
    let admin = app.signed_in("admin").await;
    let hash = app::ssr::password::hash(
        &app::domain::Password::parse(app::ssr::demo::DEMO_PASSWORD).unwrap(),
    )
    .await
    .unwrap();
    let make = |username: &'static str, role: app::domain::Role| {
        let (app, hash) = (&app, hash.clone());
        async move {
            app.repo
                .create_account(
                    &app::ssr::db::NewAccount {
                        username: app::domain::Username::parse(username).unwrap(),
                        display_name: app::domain::DisplayName::parse(username).unwrap(),
                        password_hash: hash,
                        roles: app::domain::Roles::new([role]),
                        person_id: None,
                        must_change_password: false,
                    },
                    None,
                    app::domain::Timestamp::now(),
                )
                .await
                .unwrap()
        }
    };
    let speaker = make("speaker", app::domain::Role::Lecturer).await;
    let speaker = app.repo.account(speaker).await.unwrap().unwrap().person_id;
    let neighbour = make("neighbour", app::domain::Role::Organiser)
        .await
        .to_string();
    let community = format!("community:{other}");
    let subdistrict = format!("subdistrict:{first}");
    for (endpoint, unit) in [
        ("accounts_grant_unit", &community),
        ("accounts_revoke_unit", &subdistrict),
    ] {
        let res = app
            .call(&admin, endpoint, &[("id", &neighbour), ("unit", unit)])
            .await;
        assert_eq!(res.status(), StatusCode::OK, "{endpoint}");
    }
    make("guanyinge", app::domain::Role::Organiser).await;
    // A session of 观音阁街道 for 铁塔寺社区, lectured by the speaker.
    let session = crate::checkin::lectured_session(
        &app,
        24 * 60,
        120,
        Audience::Chosen {
            tiers: vec![],
            communities: vec![tieta],
            people: vec![],
        },
        vec![speaker],
    )
    .await;
    let spare = app
        .repo
        .create_account(
            &app::ssr::db::NewAccount {
                username: app::domain::Username::parse("matrix").unwrap(),
                display_name: app::domain::DisplayName::parse("matrix").unwrap(),
                password_hash: "x".into(),
                roles: app::domain::Roles::new([app::domain::Role::Cadre]),
                person_id: None,
                must_change_password: false,
            },
            None,
            app::domain::Timestamp::now(),
        )
        .await
        .unwrap();
    let ids = Ids {
        session: session.to_string(),
        person: person.to_string(),
        spare_account: spare.to_string(),
        first_subdistrict: first.to_string(),
    };
    let rows = rows(&ids);

    // Every registered server function has a row, and every row a function.
    let registered: BTreeSet<String> = leptos::server_fn::axum::server_fn_paths()
        .map(|(path, _)| path.trim_start_matches("/api/").to_string())
        .collect();
    let listed: BTreeSet<String> = rows.iter().map(|r| r.0.to_string()).collect();
    assert_eq!(listed.len(), rows.len(), "a function listed twice");
    let missing: Vec<_> = registered.difference(&listed).collect();
    let stale: Vec<_> = listed.difference(&registered).collect();
    assert!(
        missing.is_empty(),
        "server functions with no row in the matrix: {missing:?}"
    );
    assert!(
        stale.is_empty(),
        "rows for functions that do not exist: {stale:?}"
    );

    let mut clients = vec![client()];
    for who in &CALLERS[1..] {
        clients.push(app.signed_in(who).await);
    }
    let mut wrong = Vec::new();
    for (endpoint, body, expected) in &rows {
        assert_eq!(expected.len(), CALLERS.len(), "{endpoint}");
        for ((who, c), letter) in CALLERS.iter().zip(&clients).zip(expected.chars()) {
            let request = c.post(app.url(&format!("/api/{endpoint}")));
            let res = match body {
                Body::Form(fields) => request.form(fields),
                Body::Json(value) => request.json(value),
            }
            .send()
            .await
            .unwrap();
            let status = res.status();
            if !meets(letter, *who == "anonymous", status) {
                let text = res.text().await.unwrap_or_default();
                wrong.push(format!(
                    "{endpoint} as {who}: {status} (expected {letter}) {text:.120}"
                ));
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "{} of {} calls answered wrongly:\n{}",
        wrong.len(),
        rows.len() * CALLERS.len(),
        wrong.join("\n")
    );
}
