//! Issue 16's last parts: warnings told once per event to the cadre and the organisers of
//! their community, with the dates; a scheduled session told to its audience; 投诉建议
//! written (optionally anonymous), answered and closed, the answer reaching the writer's
//! inbox; and announcements naming people.
use app::api::inbox::InboxPage;
use app::api::suggestions::{SuggestionList, SuggestionView};
use app::domain::Timestamp;
use app::domain::audience::Audience;
use app::domain::messages::{Notice, Warning};
use app::domain::schedule::AttendanceStatus;
use app::domain::suggestions::SuggestionState;
use app::ssr::db::{NewPerson, Repository};
use app::ssr::outbox::Outbox;
use app::ssr::outbox::warnings::look;
use app::ssr::standings::Standings;
use reqwest::StatusCode;

use crate::checkin::door_session;
use crate::helpers::*;

both_backends!(
    warnings_are_told_once_to_the_cadre_and_their_community_organiser,
    a_scheduled_session_is_told_to_its_audience,
    suggestions_are_answered_and_the_writer_is_told,
    announcements_may_name_people,
);

fn only(people: Vec<i64>) -> Audience {
    Audience::Chosen {
        tiers: vec![],
        communities: vec![],
        people,
    }
}

async fn inbox_of(app: &TestApp, client: &reqwest::Client) -> InboxPage {
    let res = app.call(client, "inbox", &[("page", "0")]).await;
    assert_eq!(res.status(), StatusCode::OK);
    res.json().await.unwrap()
}

/// Answers suggestion `id` with `fields` (answer, close): the status, with the body on
/// failure printed.
async fn reply(
    app: &TestApp,
    client: &reqwest::Client,
    id: i64,
    fields: &[(&str, &str)],
) -> StatusCode {
    let id = id.to_string();
    let mut form = vec![("id", id.as_str())];
    form.extend_from_slice(fields);
    let res = app.call(client, "suggestion_reply", &form).await;
    let status = res.status();
    if status != StatusCode::OK {
        eprintln!(
            "suggestion_reply: {status} {}",
            res.text().await.unwrap_or_default()
        );
    }
    status
}

async fn view(app: &TestApp, client: &reqwest::Client, id: i64) -> SuggestionView {
    let res = app
        .call(client, "suggestion", &[("id", &id.to_string())])
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    res.json().await.unwrap()
}

/// The warnings in a person's inbox: (about whom, own, what).
async fn warnings_of(repo: &dyn Repository, person: i64) -> Vec<(i64, bool, Warning)> {
    repo.inbox(person, 100, 0)
        .await
        .unwrap()
        .into_iter()
        .filter_map(|l| match l.notice {
            Notice::Warned {
                person_id,
                own,
                warning,
                ..
            } => Some((person_id, own, warning)),
            _ => None,
        })
        .collect()
}

/// A cadre of 李营街道's first community (no organiser holds the community itself: the
/// subdistrict's, the demo's `liying`, is the nearest), in the programme since a month ago
/// and in the audience of no session already held.
async fn new_cadre(repo: &dyn Repository, name: &str) -> i64 {
    let liying = repo
        .subdistricts()
        .await
        .unwrap()
        .into_iter()
        .find(|s| s.name == "李营街道")
        .unwrap()
        .id;
    let community = repo
        .communities()
        .await
        .unwrap()
        .into_iter()
        .find(|c| c.subdistrict_id == liying)
        .unwrap()
        .id;
    let tier = repo.tiers().await.unwrap()[0].id;
    let joined = Timestamp(Timestamp::now().0 - 30 * 86_400);
    repo.create_people(
        &[NewPerson {
            name: name.into(),
            community_id: Some(community),
            tier_id: Some(tier),
            position: app::domain::people::Position::GridWorker,
            phone: String::new(),
        }],
        joined,
    )
    .await
    .unwrap()[0]
}

async fn warnings_are_told_once_to_the_cadre_and_their_community_organiser(backend: Backend) {
    let app = spawn_app(backend).await;
    let repo = app.repo.as_ref();
    let cadre = new_cadre(repo, "缺课者").await;
    let nearest = app.account("liying").await.person_id;
    let district = app.account("organiser").await.person_id;
    // Two sessions long over without a record, and one just over.
    let old = door_session(&app, -50 * 60, 60, only(vec![cadre])).await;
    let older = door_session(&app, -74 * 60, 60, only(vec![cadre])).await;
    let last = door_session(&app, -3 * 60, 60, only(vec![cadre])).await;
    let channels = Outbox::inbox_only().channels();
    let standings = Standings::default();

    let now = Timestamp::now();
    look(repo, &standings, &channels, now).await.unwrap();
    assert!(
        !repo
            .open_warnings()
            .await
            .unwrap()
            .contains(&(cadre, "three_missed".to_string())),
        "the last session's sheet may still be filled in: no warning yet"
    );

    // The door closes: the rest are absent, and the third miss is a fact.
    repo.mark_rest_absent(last, nearest, "not checked in", now, None)
        .await
        .unwrap();
    let looked = look(repo, &standings, &channels, Timestamp::now())
        .await
        .unwrap();
    assert!(looked.raised >= 1, "{looked:?}");
    let starts: Vec<i64> = {
        let mut s = Vec::new();
        for id in [older, old, last] {
            s.push(
                repo.session_detail(id)
                    .await
                    .unwrap()
                    .unwrap()
                    .summary
                    .starts_at
                    .0,
            );
        }
        s
    };
    let own = warnings_of(repo, cadre).await;
    assert!(
        own.contains(&(
            cadre,
            true,
            Warning::ThreeMissed {
                dates: starts.clone()
            }
        )),
        "the cadre is told, with the dates oldest first: {own:?}"
    );
    let told = warnings_of(repo, nearest).await;
    assert!(
        told.iter().any(|(p, own, w)| *p == cadre
            && !own
            && matches!(w, Warning::ThreeMissed { dates } if *dates == starts)),
        "the nearest organiser (the subdistrict's) is told: {told:?}"
    );
    assert!(
        warnings_of(repo, district)
            .await
            .iter()
            .all(|(p, _, _)| *p != cadre),
        "the district's organiser is not: the subdistrict has its own"
    );
    // The cadre reads it in words, with the dates, on the site.
    let (_, text) = app::i18n::word_notice(
        &Notice::Warned {
            person_id: cadre,
            name: "缺课者".into(),
            community: "c".into(),
            warning: Warning::ThreeMissed {
                dates: starts.clone(),
            },
            own: true,
        },
        app::i18n::Lang::Zh,
    );
    assert!(text.contains("连续三次") && text.contains('月'), "{text}");

    // Once per event: looking again (here or on a second server) tells nobody again.
    let before = warnings_of(repo, cadre).await.len();
    let other = Standings::default();
    let (a, b) = tokio::join!(
        look(repo, &standings, &channels, Timestamp::now()),
        look(repo, &other, &channels, Timestamp::now())
    );
    assert_eq!(a.unwrap().raised + b.unwrap().raised, 0);
    assert_eq!(warnings_of(repo, cadre).await.len(), before);
    // Two servers raising the same warning at the same moment: one wins. This cadre's
    // community has an organiser of its own (the demo's `community`): only she is told.
    let second = repo
        .create_people(
            &[NewPerson {
                name: "另一人".into(),
                community_id: Some(repo.communities().await.unwrap()[0].id),
                tier_id: Some(repo.tiers().await.unwrap()[0].id),
                position: app::domain::people::Position::GridWorker,
                phone: String::new(),
            }],
            now,
        )
        .await
        .unwrap()[0];
    let warning = Warning::UnderMinimum {
        percent: 10,
        minimum: 80,
        on: now.0,
    };
    let notice = |own| Notice::Warned {
        person_id: second,
        name: "另一人".into(),
        community: String::new(),
        warning: warning.clone(),
        own,
    };
    let (n1, n2) = (notice(true), notice(false));
    let (x, y) = tokio::join!(
        repo.raise_warning(second, &warning, [&n1, &n2], &channels, now),
        repo.raise_warning(second, &warning, [&n1, &n2], &channels, now)
    );
    assert!(x.unwrap() ^ y.unwrap(), "exactly one raises it");
    assert_eq!(warnings_of(repo, second).await.len(), 1);
    let community = app.account("community").await.person_id;
    assert!(
        warnings_of(repo, community)
            .await
            .iter()
            .any(|(p, _, _)| *p == second)
    );
    assert!(
        warnings_of(repo, district)
            .await
            .iter()
            .all(|(p, _, _)| *p != second)
    );

    // The cadre comes again: the warning ends, and a later run of misses is a new one.
    let again = door_session(&app, -90, 60, only(vec![cadre])).await;
    repo.set_status(
        again,
        cadre,
        AttendanceStatus::Present,
        nearest,
        "",
        Timestamp::now(),
    )
    .await
    .unwrap();
    look(repo, &standings, &channels, Timestamp::now())
        .await
        .unwrap();
    assert!(
        !repo
            .open_warnings()
            .await
            .unwrap()
            .contains(&(cadre, "three_missed".to_string())),
        "attending ends the run"
    );
}

async fn a_scheduled_session_is_told_to_its_audience(backend: Backend) {
    use crate::schedule::{create, lecturer_person, series_form};
    let app = spawn_app(backend).await;
    let cadre_person = app.account("cadre").await.person_id;
    let organiser = app.signed_in("organiser").await;
    let cadre = app.signed_in("cadre").await;
    let before = inbox_of(&app, &cadre).await.items.len();
    let lecturer = lecturer_person(&app).await;
    let form = series_form(
        &app,
        "新排课程：网格化治理",
        lecturer,
        serde_json::json!({ "person_ids": [cadre_person] }),
    )
    .await;
    let res = create(&app, &organiser, &form, "").await;
    assert_eq!(
        res.status(),
        StatusCode::OK,
        "{}",
        res.text().await.unwrap()
    );
    let ids: Vec<i64> = res.json().await.unwrap();
    let inbox = inbox_of(&app, &cadre).await;
    assert_eq!(inbox.items.len(), before + 1, "one notice for the series");
    match &inbox.items[0].notice {
        Notice::SessionScheduled {
            session_id, more, ..
        } => {
            assert_eq!(*session_id, ids[0]);
            assert_eq!(*more, ids.len() as i64 - 1);
        }
        other => panic!("{other:?}"),
    }
    // The lecturer is told too; someone outside the audience is not.
    let first = ids[0];
    let told = |person: i64| {
        let repo = app.repo.clone();
        async move {
            repo.inbox(person, 10, 0)
                .await
                .unwrap()
                .iter()
                .any(|l| matches!(l.notice, Notice::SessionScheduled { session_id, .. } if session_id == first))
        }
    };
    assert!(told(lecturer).await);
    assert!(!told(app.account("liying").await.person_id).await);
}

async fn suggestions_are_answered_and_the_writer_is_told(backend: Backend) {
    let app = spawn_app(backend).await;
    let cadre = app.signed_in("cadre").await;
    let organiser = app.signed_in("organiser").await;
    let liying = app.signed_in("liying").await;
    let admin = app.signed_in("admin").await;

    // Refused in words, nothing stored: no title, an unknown kind.
    for fields in [
        [("kind", "suggestion"), ("title", " "), ("body", "内容")],
        [("kind", "praise"), ("title", "标题"), ("body", "内容")],
    ] {
        let res = app.call(&cadre, "suggestion_post", &fields).await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    }
    let list: SuggestionList = app
        .call(&cadre, "suggestions", &[])
        .await
        .json()
        .await
        .unwrap();
    assert!(list.mine.is_empty() && list.desk.is_none());

    // Anonymous: nobody but the writer sees the name.
    let res = app
        .call(
            &cadre,
            "suggestion_post",
            &[
                ("kind", "complaint"),
                ("title", "会议室冬天太冷"),
                ("body", "晚上上课没有暖气，希望改善。"),
                ("anonymous", "1"),
            ],
        )
        .await;
    assert_eq!(
        res.status(),
        StatusCode::OK,
        "{}",
        res.text().await.unwrap()
    );
    let id: i64 = res.json().await.unwrap();
    let me = app.account("cadre").await;
    let name = app
        .repo
        .people_names(&[me.person_id])
        .await
        .unwrap()
        .into_iter()
        .next()
        .map(|(_, n)| n)
        .unwrap();
    let mine: SuggestionView = view(&app, &cadre, id).await;
    assert_eq!(mine.item.author.as_deref(), Some(name.as_str()));
    assert!(!mine.may_reply);
    for desk in [&organiser, &admin] {
        let list: SuggestionList = app
            .call(desk, "suggestions", &[])
            .await
            .json()
            .await
            .unwrap();
        let seen = list
            .desk
            .unwrap()
            .into_iter()
            .find(|s| s.id == id)
            .expect("the desk has it");
        assert_eq!((seen.author, seen.state), (None, SuggestionState::Open));
        let (_, page) = app.page(desk, &format!("/suggestions/{id}")).await;
        assert!(!page.contains(&name), "the name is nowhere on the page");
    }
    // Another subdistrict's organiser: not theirs.
    let res = app
        .call(&liying, "suggestion", &[("id", &id.to_string())])
        .await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    assert_eq!(
        reply(&app, &liying, id, &[("answer", "x")]).await,
        StatusCode::NOT_FOUND
    );
    // The writer cannot answer their own.
    assert_eq!(
        reply(&app, &cadre, id, &[("answer", "x")]).await,
        StatusCode::FORBIDDEN
    );
    // An empty answer without closing is refused.
    assert_eq!(
        reply(&app, &organiser, id, &[("answer", " ")]).await,
        StatusCode::UNPROCESSABLE_ENTITY
    );

    // Answered: the writer is told in the inbox and reads it.
    assert_eq!(
        reply(
            &app,
            &organiser,
            id,
            &[("answer", "已联系物业，下周起开暖气。")]
        )
        .await,
        StatusCode::OK
    );
    let inbox = inbox_of(&app, &cadre).await;
    assert!(matches!(
        &inbox.items[0].notice,
        Notice::SuggestionReply { suggestion_id, answered: true, closed: false, .. } if *suggestion_id == id
    ));
    let answered: SuggestionView = view(&app, &cadre, id).await;
    assert_eq!(answered.item.state, SuggestionState::Answered);
    assert_eq!(answered.answer, "已联系物业，下周起开暖气。");

    // Closed by an admin without more words; then it takes nothing more.
    assert_eq!(
        reply(&app, &admin, id, &[("close", "1")]).await,
        StatusCode::OK
    );
    let closed: SuggestionView = view(&app, &cadre, id).await;
    assert_eq!(closed.item.state, SuggestionState::Closed);
    assert_eq!(
        closed.answer, "已联系物业，下周起开暖气。",
        "closing keeps the answer"
    );
    assert_eq!(
        reply(&app, &organiser, id, &[("answer", "补充")]).await,
        StatusCode::CONFLICT
    );
    assert!(matches!(
        &inbox_of(&app, &cadre).await.items[0].notice,
        Notice::SuggestionReply {
            answered: false,
            closed: true,
            ..
        }
    ));

    // Signed: the writer's name is shown when they did not ask for anonymity.
    let res = app
        .call(
            &cadre,
            "suggestion_post",
            &[
                ("kind", "suggestion"),
                ("title", "增加周末场次"),
                ("body", "工作日常有值班。"),
            ],
        )
        .await;
    let signed: i64 = res.json().await.unwrap();
    let list: SuggestionList = app
        .call(&organiser, "suggestions", &[])
        .await
        .json()
        .await
        .unwrap();
    let desk = list.desk.unwrap();
    assert_eq!(desk[0].id, signed, "open ones first");
    assert_eq!(desk[0].author.as_deref(), Some(name.as_str()));

    // A plain form post (no script) lands on the new suggestion.
    let res = cadre
        .post(app.url("/api/suggestion_post"))
        .header("accept", "text/html,application/xhtml+xml")
        .header("referer", app.url("/suggestions"))
        .form(&[
            ("kind", "suggestion"),
            ("title", "纸质材料"),
            ("body", "希望提供打印版。"),
        ])
        .send()
        .await
        .unwrap();
    assert!(res.status().is_redirection(), "{}", res.status());
    assert!(
        location(&res).contains("/suggestions/"),
        "{}",
        location(&res)
    );
}

/// Posts an announcement of 观音阁街道 naming one person, as the people picker's field does.
async fn name_in_announcement(
    app: &TestApp,
    client: &reqwest::Client,
    title: &str,
    person: i64,
) -> reqwest::Response {
    let person = person.to_string();
    let fields = [
        ("title", title),
        ("body_md", "请讲师们周五到街道开会。"),
        ("place", "1"),
        ("person_ids[]", person.as_str()),
    ];
    app.call(client, "announcement_post", &fields).await
}

async fn announcements_may_name_people(backend: Backend) {
    use app::api::announcements::AnnouncementView;
    let app = spawn_app(backend).await;
    let organiser = app.signed_in("organiser").await;
    let lecturer = app.account("lecturer").await.person_id;
    let res = name_in_announcement(&app, &organiser, "讲师碰头会", lecturer).await;
    assert_eq!(
        res.status(),
        StatusCode::OK,
        "{}",
        res.text().await.unwrap()
    );
    let id: i64 = res.json().await.unwrap();
    let view: AnnouncementView = app
        .call(&organiser, "announcement", &[("id", &id.to_string())])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(view.item.recipients, 1, "only the lecturer named (no tier)");
    let lecturer_client = app.signed_in("lecturer").await;
    let res = app
        .call(&lecturer_client, "announcement", &[("id", &id.to_string())])
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    // Someone of another subdistrict may not be named for this one.
    let elsewhere = new_cadre(app.repo.as_ref(), "李营学员").await;
    let res = name_in_announcement(&app, &organiser, "李营的人", elsewhere).await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
}
