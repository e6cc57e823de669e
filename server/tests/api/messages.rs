//! Messages (issue 16): notices written with the event that causes them, the inbox with its
//! read receipts, and the outbox's delivery to a real SMTP server (aiosmtpd, from PyPI):
//! each push once, through a worker that dies between sending and recording and with two
//! servers' workers on one database.
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;

use app::api::inbox::InboxPage;
use app::domain::Timestamp;
use app::domain::attendance::Decision;
use app::domain::audience::Audience;
use app::domain::messages::{Budget, Channel, ChannelsOn, LEASE_SECS, Notice};
use app::ssr::db::{MessagePrefs, NewPerson, OutboxCounts, PushEnd, Repository, RequestKind};
use app::ssr::outbox::email::{EmailConfig, EmailSender, Security};
use app::ssr::outbox::robots::{RobotEntry, RobotSender};
use app::ssr::outbox::sms::{Provider, SmsConfig, parse_templates};
use app::ssr::outbox::{BUDGET_SETTING, Outbox, budget};
use reqwest::StatusCode;

use crate::checkin::door_session;
use crate::helpers::*;

both_backends!(
    cancelling_and_moving_tell_the_audience_in_their_inbox,
    decisions_reach_the_cadre_who_asked,
    the_outbox_delivers_each_push_once_through_a_crash_and_two_servers,
    quiet_hours_hold_pushes_and_an_opt_out_never_hides_a_cancellation,
    each_person_keeps_their_own_message_settings,
    texts_and_work_groups_reach_the_providers_signed_as_they_document,
    reminders_go_once_to_those_expected_and_to_those_not_checked_in,
    the_district_sets_the_budget_and_sees_messages_per_cadre,
    announcements_reach_their_audience_with_receipts_and_one_reminder,
);

/// The providers' endpoints (`tests/providers/verify.py`): each request's signature checked
/// by the provider's own SDK from PyPI; stopped when dropped.
struct Providers {
    child: Child,
    port: u16,
}

const ALIYUN_ID: &str = "LTAI5tNightSchool";
const ALIYUN_SECRET: &str = "aliyun-secret-运河";
const TENCENT_ID: &str = "AKIDNightSchool";
const TENCENT_SECRET: &str = "tencent-secret";
const DING_TOKEN: &str = "ding-token";
const DING_SECRET: &str = "SECding";
const WECOM_KEY: &str = "wecom-key";

impl Providers {
    async fn start() -> Providers {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/providers/verify.py");
        let child = Command::new("python3")
            .arg(script)
            .arg(port.to_string())
            .args([
                ALIYUN_ID,
                ALIYUN_SECRET,
                TENCENT_ID,
                TENCENT_SECRET,
                DING_TOKEN,
                DING_SECRET,
                WECOM_KEY,
            ])
            .stderr(Stdio::inherit())
            .spawn()
            .expect("python3 tests/providers/verify.py (scripts/setup installs its SDKs)");
        let providers = Providers { child, port };
        for _ in 0..100 {
            if tokio::net::TcpStream::connect(("127.0.0.1", port))
                .await
                .is_ok()
            {
                return providers;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        panic!("the providers' stand-in did not start: are the SDKs installed (scripts/setup)?");
    }

    fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// What was accepted and what refused, by provider.
    async fn received(&self) -> (Vec<serde_json::Value>, Vec<serde_json::Value>) {
        let all: serde_json::Value = reqwest::get(self.url())
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        (
            all["accepted"].as_array().unwrap().clone(),
            all["refused"].as_array().unwrap().clone(),
        )
    }
}

impl Drop for Providers {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A real SMTP server (aiosmtpd's Mailbox handler) on a free port, writing each message it
/// accepts as a file; stopped when dropped.
struct SmtpServer {
    child: Child,
    port: u16,
    dir: PathBuf,
    _root: tempfile::TempDir,
}

impl SmtpServer {
    async fn start() -> SmtpServer {
        let root = tempfile::tempdir().unwrap();
        // aiosmtpd makes the mailbox itself: it must not exist yet.
        let dir = root.path().join("mail");
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let child = Command::new("python3")
            .args(["-m", "aiosmtpd", "-n", "-l"])
            .arg(format!("127.0.0.1:{port}"))
            .args(["-c", "aiosmtpd.handlers.Mailbox"])
            .arg(&dir)
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("python3 -m aiosmtpd (scripts/setup installs it from PyPI)");
        let server = SmtpServer {
            child,
            port,
            dir,
            _root: root,
        };
        for _ in 0..100 {
            if tokio::net::TcpStream::connect(("127.0.0.1", port))
                .await
                .is_ok()
            {
                return server;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        panic!("aiosmtpd did not start on port {port}: is it installed (scripts/setup)?");
    }

    fn config(&self) -> EmailConfig {
        EmailConfig {
            host: "127.0.0.1".into(),
            port: self.port,
            security: Security::None,
            login: None,
            from: "夜校 <noreply@nightschool.test>".into(),
        }
    }

    /// Every message received: (Message-ID, recipient, whole text).
    fn received(&self) -> Vec<(String, String, String)> {
        let Ok(entries) = std::fs::read_dir(self.dir.join("new")) else {
            return Vec::new();
        };
        entries
            .map(|e| std::fs::read_to_string(e.unwrap().path()).unwrap())
            .map(|text| {
                let header = |name: &str| {
                    text.lines()
                        .find_map(|l| {
                            l.strip_prefix(name)
                                .filter(|_| l.len() > name.len())
                                .map(|v| v.trim().to_string())
                        })
                        .unwrap_or_default()
                };
                (header("Message-ID:"), header("To:"), text.clone())
            })
            .collect()
    }
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

async fn inbox_of(app: &TestApp, client: &reqwest::Client) -> InboxPage {
    let res = app.call(client, "inbox", &[("page", "0")]).await;
    assert_eq!(res.status(), StatusCode::OK);
    res.json().await.unwrap()
}

fn only(people: Vec<i64>) -> Audience {
    Audience::Chosen {
        tiers: vec![],
        communities: vec![],
        people,
    }
}

/// Session `id` as it is stored, for `people`, ready to be changed and saved again.
async fn as_stored(repo: &dyn Repository, id: i64, people: Vec<i64>) -> app::ssr::db::NewSession {
    let detail = repo.session_detail(id).await.unwrap().unwrap();
    app::ssr::db::NewSession {
        subdistrict_id: Some(1),
        series: detail.series.clone(),
        title: detail.summary.title.clone(),
        theme_id: detail.theme_id,
        format: detail.summary.format,
        starts_at: detail.summary.starts_at,
        ends_at: detail.summary.ends_at,
        place: detail.summary.place.clone(),
        description_md: String::new(),
        lecturer_ids: vec![],
        audience: only(people),
        study_hours: detail.summary.study_hours,
        hours_overridden: false,
        capacity: None,
        clash_override_reason: None,
    }
}

/// `n` new cadres of the first community and tier, each with an e-mail address.
async fn cadres_with_mail(repo: &dyn Repository, n: usize) -> Vec<i64> {
    let community = repo.communities().await.unwrap()[0].id;
    let tier = repo.tiers().await.unwrap()[0].id;
    let people: Vec<NewPerson> = (0..n)
        .map(|i| NewPerson {
            name: format!("收信人{i}"),
            community_id: Some(community),
            tier_id: Some(tier),
            position: app::domain::people::Position::GridWorker,
            phone: format!("1380000{i:04}"),
        })
        .collect();
    let ids = repo.create_people(&people, Timestamp::now()).await.unwrap();
    for id in &ids {
        repo.set_message_prefs(
            *id,
            &MessagePrefs {
                opted_out: false,
                email: format!("cadre{id}@nightschool.test"),
            },
        )
        .await
        .unwrap();
    }
    ids
}

/// No quiet hours: the delivery tests must not depend on the time of day they run at.
async fn never_quiet(repo: &dyn Repository) {
    let budget = Budget {
        quiet_from: 0,
        quiet_to: 0,
        ..Budget::default()
    };
    repo.set_setting(
        BUDGET_SETTING,
        &serde_json::to_string(&budget).unwrap(),
        Timestamp::now(),
    )
    .await
    .unwrap();
}

async fn cancelling_and_moving_tell_the_audience_in_their_inbox(backend: Backend) {
    let app = spawn_app(backend).await;
    let cadre_person = app.account("cadre").await.person_id;
    let session = door_session(&app, 24 * 60, 90, only(vec![cadre_person])).await;
    let organiser = app.signed_in("organiser").await;
    let cadre = app.signed_in("cadre").await;
    let lecturer = app.signed_in("lecturer").await;
    let before = inbox_of(&app, &cadre).await;

    let cancel = [
        ("id", session.to_string()),
        ("reason", "台风停课".to_string()),
    ];
    let cancel: Vec<(&str, &str)> = cancel.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let res = app.call(&organiser, "sessions_cancel", &cancel).await;
    assert_eq!(
        res.status(),
        StatusCode::OK,
        "{}",
        res.text().await.unwrap()
    );
    let after = inbox_of(&app, &cadre).await;
    assert_eq!(after.unread, before.unread + 1);
    let newest = &after.items[0];
    assert!(!newest.read);
    let Notice::SessionCancelled {
        session_id, reason, ..
    } = &newest.notice
    else {
        panic!("a cancellation, not {:?}", newest.notice);
    };
    assert_eq!((*session_id, reason.as_str()), (session, "台风停课"));

    // The page and the bar say so, in words.
    let (status, page) = app.page(&cadre, "/inbox").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("课程取消"), "{page}");
    assert!(page.contains("台风停课"));
    assert!(
        page.contains("data-testid=\"inbox-unread\""),
        "the bar shows the count"
    );

    // Cancelling again says nothing new; someone outside the audience hears nothing.
    let res = app.call(&organiser, "sessions_cancel", &cancel).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(inbox_of(&app, &cadre).await.unread, after.unread);
    let lecturer_inbox = inbox_of(&app, &lecturer).await;
    assert!(
        lecturer_inbox
            .items
            .iter()
            .all(|i| i.notice.session_id() != Some(session))
    );

    // The read receipt: another person's id marks nothing; the cadre's own marks one.
    let id = newest.id.to_string();
    let res = app.call(&lecturer, "inbox_read", &[("id", &id)]).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(inbox_of(&app, &cadre).await.unread, after.unread);
    let res = app.call(&cadre, "inbox_read", &[("id", &id)]).await;
    assert_eq!(res.status(), StatusCode::OK);
    let read = inbox_of(&app, &cadre).await;
    assert_eq!(read.unread, after.unread - 1);
    assert!(read.items[0].read);
    let res = app
        .call(&cadre, "inbox_read", &[("id", "not-a-number")])
        .await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);

    // Moving a session tells its audience the new time and the old; a new description
    // alone tells nobody.
    let moved = door_session(&app, 2 * 24 * 60, 90, only(vec![cadre_person])).await;
    let base = app::ssr::db::NewSession {
        description_md: "新的说明".into(),
        ..as_stored(app.repo.as_ref(), moved, vec![cadre_person]).await
    };
    let count = inbox_of(&app, &cadre).await.unread;
    assert!(
        app.repo
            .update_sessions(
                &[(moved, base.clone())],
                Timestamp::now(),
                &Default::default()
            )
            .await
            .unwrap()
    );
    assert_eq!(inbox_of(&app, &cadre).await.unread, count);
    let later = app::ssr::db::NewSession {
        starts_at: Timestamp(base.starts_at.0 + 3600),
        ends_at: Timestamp(base.ends_at.0 + 3600),
        place: "社区会议室".into(),
        ..base
    };
    app.repo
        .update_sessions(&[(moved, later)], Timestamp::now(), &Default::default())
        .await
        .unwrap();
    let told = inbox_of(&app, &cadre).await;
    assert_eq!(told.unread, count + 1);
    let Notice::SessionMoved {
        starts_at,
        was_starts_at,
        place,
        ..
    } = &told.items[0].notice
    else {
        panic!("a move, not {:?}", told.items[0].notice);
    };
    assert_eq!(*starts_at - *was_starts_at, 3600);
    assert_eq!(place, "社区会议室");

    // All read at once; signed out, there is no inbox.
    let res = app.call(&cadre, "inbox_read", &[("id", "")]).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(inbox_of(&app, &cadre).await.unread, 0);
    let res = app.call(&client(), "inbox", &[("page", "0")]).await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
}

async fn decisions_reach_the_cadre_who_asked(backend: Backend) {
    let app = spawn_app(backend).await;
    let cadre_person = app.account("cadre").await.person_id;
    let organiser_person = app.account("organiser").await.person_id;
    let session = door_session(&app, 3 * 24 * 60, 90, only(vec![cadre_person])).await;
    let request = app
        .repo
        .create_request(
            RequestKind::Leave,
            session,
            cadre_person,
            "防汛值班",
            Timestamp::now(),
        )
        .await
        .unwrap();
    let cadre = app.signed_in("cadre").await;
    let before = inbox_of(&app, &cadre).await.unread;
    let organiser = app.signed_in("organiser").await;
    let res = app
        .call(
            &organiser,
            "requests_decide",
            &[
                ("id", &request.to_string()),
                ("kind", "leave"),
                ("decision", "declined"),
            ],
        )
        .await;
    assert_eq!(
        res.status(),
        StatusCode::OK,
        "{}",
        res.text().await.unwrap()
    );
    let inbox = inbox_of(&app, &cadre).await;
    assert_eq!(inbox.unread, before + 1);
    assert!(matches!(
        inbox.items[0].notice,
        Notice::LeaveDecided {
            approved: false,
            session_id,
            ..
        } if session_id == session
    ));
    let (_, page) = app.page(&cadre, "/inbox").await;
    assert!(page.contains("请假未批准"), "{page}");
    // A decision refused (already decided) says nothing more.
    assert!(
        !app.repo
            .decide_request(
                RequestKind::Leave,
                request,
                Decision::Approved,
                organiser_person,
                Timestamp::now(),
                &Default::default(),
                &Default::default(),
            )
            .await
            .unwrap()
    );
    assert_eq!(inbox_of(&app, &cadre).await.unread, before + 1);
}

async fn the_outbox_delivers_each_push_once_through_a_crash_and_two_servers(backend: Backend) {
    let app = spawn_app(backend).await;
    let smtp = SmtpServer::start().await;
    let repo = app.repo.clone();
    never_quiet(repo.as_ref()).await;
    let people = cadres_with_mail(repo.as_ref(), 30).await;
    let session = door_session(&app, 24 * 60, 90, only(people.clone())).await;
    let mail: Arc<dyn app::ssr::outbox::Sender> =
        Arc::new(EmailSender::new(&smtp.config()).unwrap());
    let channels = ChannelsOn::people(vec![Channel::Email]);
    let now = Timestamp::now();
    assert!(
        repo.cancel_session(session, "暴雨", now, &channels)
            .await
            .unwrap()
    );
    assert_eq!(
        repo.outbox_counts().await.unwrap(),
        OutboxCounts {
            pending: 30,
            ..Default::default()
        },
        "one e-mail per person of the audience, written with the cancellation"
    );

    // Worker A takes ten, sends them and dies before recording anything.
    let dying = Outbox::new(vec![mail.clone()]);
    let rules = budget(repo.as_ref()).await.unwrap();
    let taken = repo
        .claim_pushes(dying.worker(), now, Timestamp(now.0 + LEASE_SECS), 10)
        .await
        .unwrap();
    assert_eq!(taken.len(), 10);
    for push in &taken {
        let end = dying
            .attempt(repo.as_ref(), &rules, push, now)
            .await
            .unwrap();
        assert!(matches!(end, PushEnd::Sent { .. }), "{end:?}");
    }
    assert_eq!(smtp.received().len(), 10);

    // Two servers, each with its own connections and worker, empty the rest at once; the
    // dead worker's ten are still held.
    let second = app::ssr::db::connect(app.db_url()).await.unwrap();
    let b = Outbox::new(vec![mail.clone()]);
    let c = Outbox::new(vec![mail.clone()]);
    let drain = |outbox: Outbox, repo: Arc<dyn Repository>| async move {
        let mut taken = 0;
        loop {
            match outbox.deliver_due(repo.as_ref(), now).await.unwrap() {
                0 => return taken,
                n => taken += n,
            }
        }
    };
    let (by_b, by_c) = tokio::join!(drain(b, repo.clone()), drain(c, second.clone()));
    assert_eq!(by_b + by_c, 20, "each of the other twenty taken once");
    let counts = repo.outbox_counts().await.unwrap();
    assert_eq!((counts.sent, counts.pending), (20, 10));

    // Once the dead worker's hold runs out, its ten are taken again and sent with the same
    // keys; its own late record is refused.
    let after = Timestamp(now.0 + LEASE_SECS + 1);
    let again = Outbox::new(vec![mail.clone()]);
    assert_eq!(again.deliver_due(second.as_ref(), after).await.unwrap(), 10);
    assert!(
        !repo
            .finish_push(
                taken[0].id,
                dying.worker(),
                &PushEnd::Sent {
                    detail: "late".into()
                },
                after
            )
            .await
            .unwrap()
    );
    assert_eq!(
        repo.outbox_counts().await.unwrap(),
        OutboxCounts {
            sent: 30,
            attempts: 30,
            ..Default::default()
        }
    );

    // The mail server got 40 messages with 30 Message-IDs: the ten sent twice are the dead
    // worker's, each twice with its own key, so a mail program shows it once.
    let received = smtp.received();
    assert_eq!(received.len(), 40);
    let mut ids: Vec<&str> = received.iter().map(|(id, _, _)| id.as_str()).collect();
    ids.sort();
    let twice: Vec<&str> = ids
        .windows(2)
        .filter(|w| w[0] == w[1])
        .map(|w| w[0])
        .collect();
    ids.dedup();
    assert_eq!(ids.len(), 30);
    let mut dead: Vec<String> = taken
        .iter()
        .map(|p| format!("<{}@nightschool.test>", p.key))
        .collect();
    dead.sort();
    assert_eq!(twice, dead.iter().map(String::as_str).collect::<Vec<_>>());
    let mut to: Vec<&str> = received.iter().map(|(_, to, _)| to.as_str()).collect();
    to.sort();
    to.dedup();
    assert_eq!(to.len(), 30, "every person of the audience");
    assert!(received[0].2.contains("Subject:"));
    // Each push has one recorded attempt: the unrecorded send left none.
    assert_eq!(repo.outbox_counts().await.unwrap().attempts, 30);
}

async fn quiet_hours_hold_pushes_and_an_opt_out_never_hides_a_cancellation(backend: Backend) {
    let app = spawn_app(backend).await;
    let smtp = SmtpServer::start().await;
    let repo = app.repo.clone();
    let people = cadres_with_mail(repo.as_ref(), 2).await;
    repo.set_message_prefs(
        people[1],
        &MessagePrefs {
            opted_out: true,
            email: format!("cadre{}@nightschool.test", people[1]),
        },
    )
    .await
    .unwrap();
    let mail: Arc<dyn app::ssr::outbox::Sender> =
        Arc::new(EmailSender::new(&smtp.config()).unwrap());
    let outbox = Outbox::new(vec![mail]);
    let channels = ChannelsOn::people(vec![Channel::Email]);
    let session = door_session(&app, 24 * 60, 90, only(people.clone())).await;
    let now = Timestamp::now();
    repo.cancel_session(session, "暴雨", now, &channels)
        .await
        .unwrap();

    // Quiet hours from a minute ago to an hour from now: nothing goes, both wait.
    let minute = {
        use chrono::Timelike;
        let local = now.local();
        local.hour() * 60 + local.minute()
    };
    let quiet = Budget {
        quiet_from: (minute + 1439) % 1440,
        quiet_to: (minute + 60) % 1440,
        ..Budget::default()
    };
    repo.set_setting(BUDGET_SETTING, &serde_json::to_string(&quiet).unwrap(), now)
        .await
        .unwrap();
    assert_eq!(outbox.deliver_due(repo.as_ref(), now).await.unwrap(), 2);
    assert_eq!(outbox.deliver_due(repo.as_ref(), now).await.unwrap(), 0);
    assert_eq!(repo.outbox_counts().await.unwrap().pending, 2);
    assert!(smtp.received().is_empty());

    // After the quiet hours both go: a cancellation reaches those who opted out too.
    never_quiet(repo.as_ref()).await;
    let morning = Timestamp(now.0 + 3601);
    assert_eq!(outbox.deliver_due(repo.as_ref(), morning).await.unwrap(), 2);
    assert_eq!(repo.outbox_counts().await.unwrap().sent, 2);
    assert_eq!(smtp.received().len(), 2);
}

async fn each_person_keeps_their_own_message_settings(backend: Backend) {
    let app = spawn_app(backend).await;
    let cadre = app.signed_in("cadre").await;
    let person = app.account("cadre").await.person_id;
    let settings = |client: reqwest::Client| {
        let app = &app;
        async move {
            let res = app.call(&client, "message_settings", &[]).await;
            assert_eq!(res.status(), StatusCode::OK);
            res.json::<app::api::inbox::MessageSettingsView>()
                .await
                .unwrap()
        }
    };
    let first = settings(cadre.clone()).await;
    assert_eq!(first.email, "");
    assert!(!first.opted_out);
    assert_eq!(first.budget, Budget::default());

    let res = app
        .call(
            &cadre,
            "message_settings_set",
            &[("email", " wang.li@example.cn "), ("opted_out", "1")],
        )
        .await;
    assert_eq!(
        res.status(),
        StatusCode::OK,
        "{}",
        res.text().await.unwrap()
    );
    let saved = settings(cadre.clone()).await;
    assert_eq!(
        (saved.email.as_str(), saved.opted_out),
        ("wang.li@example.cn", true)
    );
    assert_eq!(
        app.repo.message_prefs(person).await.unwrap(),
        MessagePrefs {
            opted_out: true,
            email: "wang.li@example.cn".into()
        }
    );

    // A malformed address is refused in words and changes nothing.
    let res = app
        .call(
            &cadre,
            "message_settings_set",
            &[("email", "wang li@example")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(settings(cadre.clone()).await, saved);
    let (status, page) = app.page(&cadre, "/account/messages").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("wang.li@example.cn"));
    // Without the box ticked the opt-out ends; another person's settings stay as they were.
    let res = app
        .call(&cadre, "message_settings_set", &[("email", "")])
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(
        app.repo.message_prefs(person).await.unwrap(),
        MessagePrefs::default()
    );
    let lecturer = app.account("lecturer").await.person_id;
    assert_eq!(
        app.repo.message_prefs(lecturer).await.unwrap(),
        MessagePrefs::default()
    );
}

fn sms_config(provider: Provider, endpoint: String, secret: &str) -> SmsConfig {
    SmsConfig {
        provider,
        key_id: match provider {
            Provider::Aliyun => ALIYUN_ID,
            Provider::Tencent => TENCENT_ID,
        }
        .into(),
        key_secret: secret.into(),
        sign_name: "运河街道".into(),
        templates: parse_templates(
            "session_moved:SMS_MOVED,session_cancelled:SMS_CANCELLED,leave_decided:SMS_LEAVE",
        )
        .unwrap(),
        app_id: "1400000001".into(),
        region: "ap-guangzhou".into(),
        endpoint,
    }
}

async fn texts_and_work_groups_reach_the_providers_signed_as_they_document(backend: Backend) {
    let app = spawn_app(backend).await;
    let providers = Providers::start().await;
    let repo = app.repo.clone();
    never_quiet(repo.as_ref()).await;
    let people = cadres_with_mail(repo.as_ref(), 2).await;
    let community = repo.communities().await.unwrap()[0].clone();
    let communities: Vec<(i64, String, String)> = repo
        .communities()
        .await
        .unwrap()
        .into_iter()
        .map(|c| (c.id, c.name, String::new()))
        .collect();
    let ding = RobotSender::new(
        Channel::DingTalk,
        vec![RobotEntry {
            community: community.name.clone(),
            url: format!("{}/robot/send?access_token={DING_TOKEN}", providers.url()),
            secret: Some(DING_SECRET.into()),
        }],
        &communities,
    )
    .unwrap();
    let wecom = RobotSender::new(
        Channel::WeCom,
        vec![RobotEntry {
            community: community.name.clone(),
            url: format!("{}/cgi-bin/webhook/send?key={WECOM_KEY}", providers.url()),
            secret: None,
        }],
        &communities,
    )
    .unwrap();
    let aliyun = app::ssr::outbox::providers::sms_sender(&sms_config(
        Provider::Aliyun,
        providers.url(),
        ALIYUN_SECRET,
    ))
    .unwrap();
    let outbox = Outbox::new(vec![aliyun, Arc::new(ding), Arc::new(wecom)]);
    let session = door_session(&app, 24 * 60, 90, only(people.clone())).await;
    let now = Timestamp::now();
    repo.cancel_session(session, "暴雨红色预警", now, &outbox.channels())
        .await
        .unwrap();
    assert_eq!(
        repo.outbox_counts().await.unwrap().pending,
        4,
        "a text to each of the two, and one post to each of their community's two groups"
    );
    assert_eq!(outbox.deliver_due(repo.as_ref(), now).await.unwrap(), 4);
    assert_eq!(repo.outbox_counts().await.unwrap().sent, 4);
    let (accepted, refused) = providers.received().await;
    assert!(refused.is_empty(), "{refused:?}");
    let texts: Vec<&serde_json::Value> = accepted
        .iter()
        .filter(|a| a["provider"] == "aliyun")
        .collect();
    assert_eq!(texts.len(), 2);
    for text in &texts {
        assert_eq!(text["template"], "SMS_CANCELLED");
        assert_eq!(text["sign"], "运河街道");
        assert_eq!(text["values"]["reason"], "暴雨红色预警");
        assert!(text["key"].as_str().unwrap().starts_with("ns-"));
    }
    let ding_post = accepted
        .iter()
        .find(|a| a["provider"] == "dingtalk")
        .unwrap();
    assert!(ding_post["text"].as_str().unwrap().contains("课程取消"));
    let wecom_post = accepted.iter().find(|a| a["provider"] == "wecom").unwrap();
    assert!(
        wecom_post["text"]
            .as_str()
            .unwrap()
            .contains("暴雨红色预警")
    );

    // Tencent Cloud takes the next notice: a move.
    let tencent = app::ssr::outbox::providers::sms_sender(&sms_config(
        Provider::Tencent,
        providers.url(),
        TENCENT_SECRET,
    ))
    .unwrap();
    let outbox = Outbox::new(vec![tencent]);
    let moved = door_session(&app, 2 * 24 * 60, 90, only(people.clone())).await;
    let stored = as_stored(repo.as_ref(), moved, people.clone()).await;
    let change = app::ssr::db::NewSession {
        starts_at: Timestamp(stored.starts_at.0 + 1800),
        ends_at: Timestamp(stored.ends_at.0 + 1800),
        ..stored
    };
    repo.update_sessions(&[(moved, change)], now, &outbox.channels())
        .await
        .unwrap();
    assert_eq!(outbox.deliver_due(repo.as_ref(), now).await.unwrap(), 2);
    let (accepted, refused) = providers.received().await;
    assert!(refused.is_empty(), "{refused:?}");
    let tencent: Vec<&serde_json::Value> = accepted
        .iter()
        .filter(|a| a["provider"] == "tencent")
        .collect();
    assert_eq!(tencent.len(), 2);
    assert!(tencent[0]["phone"].as_str().unwrap().starts_with("+86138"));
    assert_eq!(tencent[0]["template"], "SMS_MOVED");
    assert_eq!(tencent[0]["values"].as_array().unwrap().len(), 3);

    // A wrong secret is refused by the provider's check: the push fails for good, with the
    // provider's answer kept, and is not sent again.
    let forged = app::ssr::outbox::providers::sms_sender(&sms_config(
        Provider::Aliyun,
        providers.url(),
        "not-the-secret",
    ))
    .unwrap();
    let outbox = Outbox::new(vec![forged]);
    let third = door_session(&app, 3 * 24 * 60, 90, only(vec![people[0]])).await;
    repo.cancel_session(third, "停课", now, &outbox.channels())
        .await
        .unwrap();
    assert_eq!(outbox.deliver_due(repo.as_ref(), now).await.unwrap(), 1);
    let (_, refused) = providers.received().await;
    assert_eq!(refused.len(), 1, "{refused:?}");
    assert!(refused[0].as_str().unwrap().contains("signature"));
    let counts = repo.outbox_counts().await.unwrap();
    assert_eq!((counts.failed, counts.pending), (1, 0));
}

async fn reminders_go_once_to_those_expected_and_to_those_not_checked_in(backend: Backend) {
    let app = spawn_app(backend).await;
    let repo = app.repo.clone();
    let people = cadres_with_mail(repo.as_ref(), 3).await;
    let (on_leave, present, missing) = (people[0], people[1], people[2]);
    // Tomorrow at 19:00 Beijing time.
    let tomorrow = Timestamp::now().local_date().succ_opt().unwrap();
    let start = Timestamp::from_local(tomorrow, 19, 0).unwrap();
    let session = {
        let id = door_session(&app, 0, 90, only(people.clone())).await;
        let change = app::ssr::db::NewSession {
            title: "明晚的课".into(),
            starts_at: start,
            ends_at: Timestamp(start.0 + 5400),
            place: "社区会议室".into(),
            ..as_stored(repo.as_ref(), id, people.clone()).await
        };
        repo.update_sessions(&[(id, change)], Timestamp::now(), &Default::default())
            .await
            .unwrap();
        id
    };
    let organiser = app.account("organiser").await.person_id;
    let leave = repo
        .create_request(
            RequestKind::Leave,
            session,
            on_leave,
            "值班",
            Timestamp::now(),
        )
        .await
        .unwrap();
    repo.decide_request(
        RequestKind::Leave,
        leave,
        Decision::Approved,
        organiser,
        Timestamp::now(),
        &Default::default(),
        &Default::default(),
    )
    .await
    .unwrap();
    let inbox = |person: i64| {
        let repo = repo.clone();
        async move {
            repo.inbox(person, 50, 0)
                .await
                .unwrap()
                .into_iter()
                .filter(|l| l.notice.session_id() == Some(session))
                .map(|l| l.notice)
                .filter(|n| matches!(n, Notice::Tomorrow { .. } | Notice::NotCheckedIn { .. }))
                .collect::<Vec<_>>()
        }
    };
    let outbox = Outbox::inbox_only();
    // The demo's own sessions may be due reminders at the same moments: only this
    // session's are counted, in its people's inboxes.
    let eve = Timestamp::from_local(Timestamp::now().local_date(), 18, 0).unwrap();
    // Before six the evening before: nothing. At 18:00: once, to those not on leave, even
    // when two servers try at the same moment.
    outbox
        .remind_due(repo.as_ref(), Timestamp(eve.0 - 60))
        .await
        .unwrap();
    assert!(inbox(missing).await.is_empty());
    let second = app::ssr::db::connect(app.db_url()).await.unwrap();
    let other = Outbox::inbox_only();
    let (a, b) = tokio::join!(
        outbox.remind_due(repo.as_ref(), eve),
        other.remind_due(second.as_ref(), eve)
    );
    a.unwrap();
    b.unwrap();
    outbox.remind_due(repo.as_ref(), eve).await.unwrap();
    assert!(matches!(
        inbox(missing).await.as_slice(),
        [Notice::Tomorrow { .. }]
    ));
    assert!(matches!(
        inbox(present).await.as_slice(),
        [Notice::Tomorrow { .. }]
    ));
    assert!(
        inbox(on_leave).await.is_empty(),
        "nobody on approved leave is reminded"
    );

    // The late reminder only when the organiser asked, only to those not checked in.
    let late = Timestamp(start.0 + 16 * 60);
    outbox.remind_due(repo.as_ref(), late).await.unwrap();
    assert_eq!(
        inbox(missing).await.len(),
        1,
        "not asked for: no late reminder"
    );
    let organiser_client = app.signed_in("organiser").await;
    let res = app
        .call(
            &organiser_client,
            "late_reminder_set",
            &[("id", &session.to_string()), ("on", "1")],
        )
        .await;
    assert_eq!(
        res.status(),
        StatusCode::OK,
        "{}",
        res.text().await.unwrap()
    );
    let res = app
        .call(
            &organiser_client,
            "late_reminder",
            &[("id", &session.to_string())],
        )
        .await;
    assert!(res.json::<bool>().await.unwrap());
    let cadre = app.signed_in("cadre").await;
    let res = app
        .call(
            &cadre,
            "late_reminder_set",
            &[("id", &session.to_string()), ("on", "0")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    repo.record_attendance(
        &[app::ssr::db::AttendanceRecord {
            session_id: session,
            person_id: present,
            status: app::domain::schedule::AttendanceStatus::Present,
            checked_in_at: Some(Timestamp(start.0 + 60)),
        }],
        Timestamp(start.0 + 60),
    )
    .await
    .unwrap();
    outbox
        .remind_due(repo.as_ref(), Timestamp(start.0 + 10 * 60))
        .await
        .unwrap();
    assert_eq!(
        inbox(missing).await.len(),
        1,
        "not before a quarter of an hour"
    );
    outbox.remind_due(repo.as_ref(), late).await.unwrap();
    outbox.remind_due(repo.as_ref(), late).await.unwrap();
    assert!(matches!(
        inbox(missing).await.as_slice(),
        [Notice::NotCheckedIn { .. }, Notice::Tomorrow { .. }]
    ));
    assert_eq!(
        inbox(present).await.len(),
        1,
        "checked in: no late reminder"
    );
    assert!(inbox(on_leave).await.is_empty());
}

async fn the_district_sets_the_budget_and_sees_messages_per_cadre(backend: Backend) {
    let app = spawn_app(backend).await;
    let organiser = app.signed_in("organiser").await;
    let budget = |client: reqwest::Client| {
        let app = &app;
        async move {
            let res = app.call(&client, "message_budget", &[]).await;
            assert_eq!(res.status(), StatusCode::OK);
            res.json::<app::api::inbox::MessageBudgetView>()
                .await
                .unwrap()
        }
    };
    let before = budget(organiser.clone()).await;
    assert_eq!(before.budget, Budget::default());
    assert!(before.may_change && before.star_of_month);
    assert_eq!(before.months.len(), 3);

    // A cancellation puts a line in each inbox of its audience: this month's figure grows.
    let cadre_person = app.account("cadre").await.person_id;
    let session = door_session(&app, 24 * 60, 90, only(vec![cadre_person])).await;
    app.repo
        .cancel_session(session, "停课", Timestamp::now(), &Default::default())
        .await
        .unwrap();
    let after = budget(organiser.clone()).await;
    assert_eq!(after.months[0].inbox, before.months[0].inbox + 1);
    assert!(after.months[0].cadres > 0);

    let save = [
        ("per_week", "5"),
        ("per_session", "1"),
        ("quiet_from", "23:00"),
        ("quiet_to", "06:30"),
    ];
    let res = app.call(&organiser, "message_budget_save", &save).await;
    assert_eq!(
        res.status(),
        StatusCode::OK,
        "{}",
        res.text().await.unwrap()
    );
    let saved = budget(organiser.clone()).await;
    assert_eq!(
        saved.budget,
        Budget {
            per_week: 5,
            per_session: 1,
            quiet_from: 23 * 60,
            quiet_to: 6 * 60 + 30
        }
    );
    assert!(
        !saved.star_of_month,
        "the box was not ticked: the star is switched off"
    );
    let (_, page) = app.page(&organiser, "/organiser/programme").await;
    assert!(
        !page.contains("data-testid=\"stars\""),
        "no star of the month"
    );

    // Out of range: refused in words, nothing changed; a subdistrict's organiser may not.
    let mut bad = save;
    bad[0] = ("per_week", "50");
    let res = app.call(&organiser, "message_budget_save", &bad).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(budget(organiser.clone()).await.budget, saved.budget);
    let liying = app.signed_in("liying").await;
    assert!(!budget(liying.clone()).await.may_change);
    let res = app.call(&liying, "message_budget_save", &save).await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);

    // Switched on again, the dashboard shows it.
    let mut on = save.to_vec();
    on.push(("star_of_month", "1"));
    let res = app.call(&organiser, "message_budget_save", &on).await;
    assert_eq!(res.status(), StatusCode::OK);
    let (_, page) = app.page(&organiser, "/organiser/programme").await;
    assert!(page.contains("data-testid=\"stars\""));
}

async fn announcements_reach_their_audience_with_receipts_and_one_reminder(backend: Backend) {
    use app::api::announcements::{AnnouncementList, AnnouncementOptions, AnnouncementView};
    let app = spawn_app(backend).await;
    let organiser = app.signed_in("organiser").await;
    let cadre = app.signed_in("cadre").await;
    let lecturer = app.signed_in("lecturer").await;
    let res = app.call(&organiser, "announcement_choices", &[]).await;
    assert_eq!(res.status(), StatusCode::OK);
    let choices: AnnouncementOptions = res.json().await.unwrap();
    assert!(
        choices.places.iter().any(|(id, _)| id.is_none()),
        "the district"
    );
    let guanyinge = choices
        .places
        .iter()
        .find(|(_, name)| name == "观音阁街道")
        .and_then(|(id, _)| *id)
        .unwrap();
    let place = guanyinge.to_string();
    let post = |fields: Vec<(&'static str, String)>| {
        let app = &app;
        let organiser = organiser.clone();
        async move {
            let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
            app.call(&organiser, "announcement_post", &fields).await
        }
    };
    let base = vec![
        ("title", "防汛值班安排".to_string()),
        ("body_md", "今晚**各社区**安排专人值班。".to_string()),
        ("place", place.clone()),
    ];

    // Refused in words, nothing posted: no title; an end date already past.
    let mut untitled = base.clone();
    untitled[0].1 = " ".into();
    assert_eq!(
        post(untitled).await.status(),
        StatusCode::UNPROCESSABLE_ENTITY
    );
    let mut past = base.clone();
    past.push(("expires", "2020-01-01".into()));
    assert_eq!(post(past).await.status(), StatusCode::UNPROCESSABLE_ENTITY);
    // Another subdistrict's organiser may not post for this one.
    let liying = app.signed_in("liying").await;
    let res = app
        .call(
            &liying,
            "announcement_post",
            &[("title", "t"), ("body_md", "b"), ("place", &place)],
        )
        .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);

    // No tier or community ticked: every cadre of the subdistrict.
    let mut everyone = base.clone();
    everyone.push(("pinned", "1".into()));
    let res = post(everyone).await;
    assert_eq!(
        res.status(),
        StatusCode::OK,
        "{}",
        res.text().await.unwrap()
    );
    let id: i64 = res.json().await.unwrap();

    let list: AnnouncementList = app
        .call(&cadre, "announcements", &[])
        .await
        .json()
        .await
        .unwrap();
    let mine = list
        .mine
        .iter()
        .find(|a| a.id == id)
        .expect("the cadre has it");
    assert_eq!((mine.pinned, mine.mine_read), (true, Some(false)));
    assert!(!list.may_post);
    // Not a cadre of that subdistrict: it does not exist for them.
    let res = app
        .call(&lecturer, "announcement", &[("id", &id.to_string())])
        .await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);

    let view: AnnouncementView = app
        .call(&cadre, "announcement", &[("id", &id.to_string())])
        .await
        .json()
        .await
        .unwrap();
    assert!(view.body_html.contains("<strong>各社区</strong>"));
    assert!(
        view.receipts.is_none(),
        "a cadre sees no one else's receipt"
    );
    let notice = view.notice_id.unwrap().to_string();
    let res = app.call(&cadre, "inbox_read", &[("id", &notice)]).await;
    assert_eq!(res.status(), StatusCode::OK);

    let seen: AnnouncementView = app
        .call(&organiser, "announcement", &[("id", &id.to_string())])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(seen.item.read, 1);
    assert!(seen.item.recipients > 1);
    let receipts = seen.receipts.unwrap();
    let tieta = receipts
        .iter()
        .find(|c| c.community == "铁塔寺社区")
        .unwrap();
    assert_eq!(
        tieta.unread.len(),
        tieta.total - 1,
        "all but the demo cadre"
    );
    let unread_before: usize = receipts.iter().map(|c| c.unread.len()).sum();

    // One reminder, to the unread only; a second is refused.
    let res = app
        .call(
            &organiser,
            "announcement_remind",
            &[("id", &id.to_string())],
        )
        .await;
    assert_eq!(
        res.status(),
        StatusCode::OK,
        "{}",
        res.text().await.unwrap()
    );
    let res = app
        .call(
            &organiser,
            "announcement_remind",
            &[("id", &id.to_string())],
        )
        .await;
    assert_eq!(res.status(), StatusCode::CONFLICT);
    let inbox = inbox_of(&app, &cadre).await;
    assert!(
        !inbox
            .items
            .iter()
            .any(|i| matches!(i.notice, Notice::AnnouncementReminder { .. })),
        "who read it is not reminded"
    );
    let after: AnnouncementView = app
        .call(&organiser, "announcement", &[("id", &id.to_string())])
        .await
        .json()
        .await
        .unwrap();
    assert!(after.reminded_at.is_some());
    assert_eq!(
        after.item.recipients, seen.item.recipients,
        "the reminder is not a receipt"
    );
    assert!(unread_before > 0);

    // Chosen tiers, through the form's numbered fields: only that tier's cadres.
    let tier = choices.tiers[0].0;
    let mut chosen = base.clone();
    chosen[0].1 = "头雁论坛预告".into();
    chosen.push(("tier_ids[0]", tier.to_string()));
    let res = post(chosen).await;
    assert_eq!(
        res.status(),
        StatusCode::OK,
        "{}",
        res.text().await.unwrap()
    );
    let tiered: i64 = res.json().await.unwrap();
    let view: AnnouncementView = app
        .call(&organiser, "announcement", &[("id", &tiered.to_string())])
        .await
        .json()
        .await
        .unwrap();
    assert!(view.item.recipients > 0 && view.item.recipients < seen.item.recipients);
    // A community outside the place chosen is refused.
    let outside = choices
        .communities
        .iter()
        .find(|(_, _, s)| *s != guanyinge)
        .unwrap()
        .0;
    let mut wrong = base.clone();
    wrong.push(("community_ids[0]", outside.to_string()));
    assert_eq!(post(wrong).await.status(), StatusCode::FORBIDDEN);
}
