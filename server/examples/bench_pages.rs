//! Benchmark of the timetable and calendar pages on a large data set, served by the release
//! build, next to a static file server serving the same bytes in the same run. Run it with
//! `scripts/bench`, which builds the release first; `--help` lists the options.
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::{Duration, Instant};

use anyhow::{Context, ensure};
use app::domain::audience::{Audience, Member};
use app::domain::audit::AuditKind;
use app::domain::hours::HoursRule;
use app::domain::org::Unit;
use app::domain::people::Position;
use app::domain::schedule::{AttendanceStatus, LECTURE_SERIES, SessionFormat};
use app::domain::{DisplayName, Password, Role, Roles, Timestamp, Username};
use app::ssr::db::{self, AttendanceRecord, NewAccount, NewPerson, NewSession, Repository, Tier};
use app::ssr::{demo, password};
use axum::serve::ListenerExt;
use common::{ServerProcess, cpu_model, default_server_bin};
use reqwest::redirect::Policy;
use reqwest::{Client, StatusCode};

mod common;

const USAGE: &str = "\
cargo run --release -p nightschool --example bench_pages -- [OPTION VALUE]...
  --seconds N          load time per page and per server (10)
  --connections N      concurrent closed-loop clients (16)
  --cadres N           cadres in the data set (10000)
  --sessions N         sessions over the year around today (500)
  --subdistricts N     subdistricts the communities are spread over; a quarter of the
                       sessions are the district's, the rest each subdistrict's (3)
  --register N         percent of a past session's audience with an attendance row (62:
                       about a million rows with the defaults)
  --pages LIST         comma-separated ROLE:PATH; ROLE is cadre, lecturer or organiser;
                       {past} in PATH is the latest session already held
  --rounds N           app and static runs alternate N times per page, each a share of
                       --seconds (4)
  --server-bin PATH    the release server (default $CARGO_TARGET_DIR/release/nightschool)
  --database-url URL   an EMPTY PostgreSQL database instead of a temporary SQLite file
  --seed-into PATH     only seed a new SQLite file at PATH and stop (scripts/measure-backup)
";
const DEFAULT_PAGES: &str = "cadre:/me,lecturer:/lecturer,organiser:/organiser,\
    cadre:/sessions,cadre:/calendar?view=week,\
    cadre:/calendar?view=month,organiser:/sessions,organiser:/calendar?view=month,\
    cadre:/sessions/{past},cadre:/search?q=%E6%9E%AB%E6%A1%A5%E7%BB%8F%E9%AA%8C,\
    organiser:/search?q=%E7%BD%91%E6%A0%BC,cadre:/progress,cadre:/history,\
    cadre:/review,organiser:/organiser/programme,\
    organiser:/organiser/programme?outlook=at_risk,organiser:/organiser/programme?subdistrict=1,\
    organiser:/organiser/district,organiser:/organiser/reports,\
    organiser:/organiser/sessions/{past}/attendance,organiser:/organiser/sessions/{past}/door";
const COMMUNITIES: usize = 7;
const TIERS: [(&str, &str, i64); 3] = [
    ("头雁", "Lead goose", 1000),
    ("强雁", "Strong goose", 3000),
    ("雏雁", "Young goose", 6000),
];
const THEMES: [(&str, &str); 4] = [
    ("信访维稳", "Petitions and stability"),
    ("基层社会治理", "Grassroots social governance"),
    ("雁阵讲坛", "Geese forum"),
    ("专题班", "Special class"),
];
const SURNAMES: [&str; 8] = ["王", "李", "张", "刘", "陈", "杨", "赵", "黄"];
const GIVEN: [&str; 8] = ["伟", "芳", "敏", "强", "秀英", "建华", "玉兰", "志强"];

struct Options {
    seconds: u64,
    rounds: u32,
    connections: usize,
    cadres: usize,
    sessions: usize,
    register_percent: usize,
    subdistricts: usize,
    pages: Vec<(String, String)>,
    server_bin: PathBuf,
    database_url: Option<String>,
    seed_into: Option<PathBuf>,
}

impl Options {
    fn parse() -> anyhow::Result<Options> {
        let args: Vec<String> = std::env::args().skip(1).collect();
        if args.iter().any(|a| a == "-h" || a == "--help") {
            print!("{USAGE}");
            std::process::exit(0);
        }
        for pair in args.chunks(2) {
            ensure!(
                pair.len() == 2 && USAGE.contains(&format!("  {} ", pair[0])),
                "bad option {:?}\n{USAGE}",
                pair[0]
            );
        }
        let value = |flag: &str| args.chunks(2).find(|p| p[0] == flag).map(|p| &p[1]);
        Ok(Options {
            seconds: number(value("--seconds"), 10)?,
            rounds: number(value("--rounds"), 4)?.max(1),
            connections: number(value("--connections"), 16)?.max(1),
            cadres: number(value("--cadres"), 10_000)?.max(10),
            sessions: number(value("--sessions"), 500)?.max(1),
            register_percent: number(value("--register"), 62)?.min(100),
            subdistricts: number(value("--subdistricts"), 3)?.clamp(1, COMMUNITIES),
            pages: parse_pages(value("--pages").map_or(DEFAULT_PAGES, String::as_str))?,
            server_bin: value("--server-bin").map_or_else(default_server_bin, PathBuf::from),
            database_url: value("--database-url").cloned(),
            seed_into: value("--seed-into").map(PathBuf::from),
        })
    }
}

fn number<T: FromStr>(value: Option<&String>, default: T) -> anyhow::Result<T> {
    value.map_or(Ok(default), |v| {
        v.parse().map_err(|_| anyhow::anyhow!("not a number: {v}"))
    })
}

fn parse_pages(list: &str) -> anyhow::Result<Vec<(String, String)>> {
    let mut pages = Vec::new();
    for entry in list.split(',').map(str::trim).filter(|e| !e.is_empty()) {
        let (role, path) = entry.split_once(':').unwrap_or(("cadre", entry));
        ensure!(
            ["cadre", "lecturer", "organiser"].contains(&role) && path.starts_with('/'),
            "page {entry:?}: expected ROLE:/path with ROLE cadre, lecturer or organiser"
        );
        pages.push((role.to_string(), path.to_string()));
    }
    Ok(pages)
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let opts = Options::parse()?;
    // Declared first so it is removed last, after the server using its database is gone.
    let work = tempfile::tempdir().context("creating a temp dir")?;
    if let Some(path) = &opts.seed_into {
        ensure!(!path.exists(), "{} exists already", path.display());
        let started = std::time::Instant::now();
        seed(&format!("sqlite://{}", path.display()), &opts).await?;
        println!(
            "seeded {} in {:.0} s",
            path.display(),
            started.elapsed().as_secs_f64()
        );
        return Ok(());
    }
    let url = match &opts.database_url {
        Some(url) => url.clone(),
        None => format!("sqlite://{}/bench.db", work.path().display()),
    };
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    println!("machine: {cores} cores, {}", cpu_model());
    println!("database: {}", nightschool_server::redact(&url));
    let bin = &opts.server_bin;
    ensure!(
        bin.is_file(),
        "no server at {}: build it first",
        bin.display()
    );
    let past = seed(&url, &opts).await?;
    looks(&url).await?;

    let addr = std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?;
    let server = ServerProcess::start(&opts.server_bin, &url, addr, &[])?;
    let app = format!("http://{addr}");
    server.wait_until_up(&app).await?;
    let dir = work.path().join("pages");
    std::fs::create_dir(&dir).context("creating the pages folder")?;
    let copies = serve_static(&dir).await?;
    println!("server: {}", opts.server_bin.display());
    println!(
        "load: {} connections, {} s per run",
        opts.connections, opts.seconds
    );
    let bench = Bench {
        opts,
        app,
        copies,
        dir,
        server_pid: server.0.id(),
    };
    bench.reports(&url, past).await?;
    print_header();
    let mut failures = 0;
    for (i, (role, path)) in bench.opts.pages.iter().enumerate() {
        let path = path.replace("{past}", &past.to_string());
        match bench.page(i, role, &path).await {
            Ok(errors) => failures += usize::from(errors > 0),
            Err(err) => {
                failures += 1;
                println!("{:<46} FAILED: {err:#}", format!("{role} {path}"));
            }
        }
    }
    print_footer();
    bench.bundle().await?;
    bench.recount(&url).await?;
    bench.workbook(&url).await?;
    drop(server);
    ensure!(failures == 0, "{failures} page(s) failed or had errors");
    Ok(())
}

/// The outbox worker's look at the year's standings, in process, on the seeded database:
/// the certificates earned (finished series, tiers' years met), first and again (when
/// nothing is new, what every later look costs), against the warnings' look again in the
/// same run (the baseline: the step the worker already takes over the same standings).
async fn looks(url: &str) -> anyhow::Result<()> {
    use app::domain::messages::ChannelsOn;
    use app::ssr::standings::Standings;
    let repo = db::connect(url).await.context("opening the database")?;
    let repo = repo.as_ref();
    let standings = Standings::default();
    let channels = ChannelsOn::default();
    let now = Timestamp::now();
    let year = app::ssr::progress::this_year(now);
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    // The standings of both years the certificates look at, built once (the worker keeps
    // them in memory with the dashboards).
    let started = Instant::now();
    for y in [year - 1, year] {
        standings.programme(repo, repo, y, now, None).await?;
    }
    let built = started.elapsed();
    app::ssr::outbox::warnings::look(repo, &standings, &channels, now).await?;
    let started = Instant::now();
    app::ssr::outbox::warnings::look(repo, &standings, &channels, now).await?;
    let warnings = started.elapsed();
    let started = Instant::now();
    let first = app::ssr::outbox::certificates::issue_due(repo, &standings, &channels, now).await?;
    let certify_first = started.elapsed();
    let started = Instant::now();
    let again = app::ssr::outbox::certificates::issue_due(repo, &standings, &channels, now).await?;
    let certify_again = started.elapsed();
    ensure!(
        again.is_empty(),
        "the second look issued {} again",
        again.len()
    );
    println!(
        "worker look (standings built in {:.0} ms): warnings again {:.1} ms (baseline); \
         certificates first {:.1} ms ({} issued, {:.1}x), again {:.1} ms ({:.1}x)",
        ms(built),
        ms(warnings),
        ms(certify_first),
        first.len(),
        ms(certify_first) / ms(warnings).max(0.001),
        ms(certify_again),
        ms(certify_again) / ms(warnings).max(0.001),
    );
    Ok(())
}

/// Fills the empty database through the app's own repository; returns the latest session
/// already held.
async fn seed(url: &str, opts: &Options) -> anyhow::Result<i64> {
    let started = Instant::now();
    let repo = db::connect(url).await.context("opening the database")?;
    let repo = repo.as_ref();
    ensure!(demo::is_empty(repo).await?, "the database is not empty");
    let now = Timestamp::now();
    let reference = seed_reference(repo, opts.subdistricts, now).await?;
    let cadres = seed_cadres(repo, opts.cadres, &reference, now).await?;
    let lecturers = seed_accounts(repo, [cadres[1].person_id, cadres[2].person_id], now).await?;
    // The organiser is the district's: the dashboard and lists cover every subdistrict.
    let organiser = repo
        .list_accounts()
        .await?
        .into_iter()
        .find(|a| a.username == "organiser")
        .context("the organiser account")?;
    let line = app::ssr::audit::system(AuditKind::RolesChanged, "bench");
    repo.grant_unit(organiser.id, Unit::District, &line).await?;
    let mut past = Vec::new();
    for k in 0..opts.sessions {
        let session = planned_session(k, opts.sessions, now, &reference, &lecturers)?;
        let id = repo.create_session(&session, now).await?;
        if k % 40 == 39 {
            repo.cancel_session(id, "讲师临时公务", now, &Default::default())
                .await?;
        }
        if session.starts_at < now {
            past.push((
                id,
                session.starts_at,
                session.audience,
                session.subdistrict_id,
            ));
        }
    }
    let register = seed_attendance(repo, &past, &cadres, opts.register_percent, now).await?;
    let (materials, reflections) = seed_materials(repo, &past, &cadres, lecturers[0], now).await?;
    println!(
        "data set: {} subdistricts, {COMMUNITIES} communities, {} tiers, {} cadres, {} sessions ({} past, one in \
         40 cancelled), {register} attendance rows, {materials} published materials, \
         {reflections} reflections; seeded in {:.1} s",
        reference.subdistricts.len(),
        TIERS.len(),
        cadres.len(),
        opts.sessions,
        past.len(),
        started.elapsed().as_secs_f64()
    );
    past.iter()
        .max_by_key(|(_, at, _, _)| *at)
        .map(|(id, _, _, _)| *id)
        .context("no session held yet: seed more sessions")
}

/// Ids of the communities, tiers (highest first) and themes.
#[derive(Default)]
struct Reference {
    subdistricts: Vec<i64>,
    communities: Vec<i64>,
    /// The subdistrict of each community, in the same order.
    community_subdistrict: Vec<i64>,
    tiers: Vec<i64>,
    themes: Vec<i64>,
}

async fn seed_reference(
    repo: &dyn Repository,
    subdistricts: usize,
    now: Timestamp,
) -> anyhow::Result<Reference> {
    let mut refs = Reference {
        subdistricts: vec![repo.subdistricts().await?[0].id],
        ..Reference::default()
    };
    let line = app::ssr::audit::system(AuditKind::OrganisationChanged, "bench");
    for n in 2..=subdistricts {
        let id = repo
            .create_subdistrict(&format!("第{n}街道"), &format!("第{n}街道夜校"), &line)
            .await?;
        refs.subdistricts.push(id);
    }
    for n in 1..=COMMUNITIES {
        let subdistrict = refs.subdistricts[(n - 1) % refs.subdistricts.len()];
        let id = repo
            .create_community(subdistrict, &format!("第{n}社区"), now)
            .await?;
        refs.communities.push(id);
        refs.community_subdistrict.push(subdistrict);
    }
    for (rank, (name_zh, name_en, target_count)) in TIERS.into_iter().enumerate() {
        let tier = Tier {
            id: 0,
            name_zh: name_zh.into(),
            name_en: name_en.into(),
            rank: rank as i64 + 1,
            target_count,
            description: String::new(),
        };
        refs.tiers.push(repo.create_tier(&tier, now).await?);
    }
    for (zh, en) in THEMES {
        refs.themes
            .push(repo.create_theme(zh, en, None, now).await?);
    }
    // What each tier asks in a year, so that every requirement has a bar to compute.
    for (k, (tier, (_, _, target))) in refs.tiers.iter().zip(TIERS).enumerate() {
        let req = app::domain::progress::Requirements {
            hours: app::domain::hours::StudyHours(240 - 60 * k as i64),
            themes: vec![refs.themes[k]],
            min_attendance_percent: 90 - 5 * k as i64,
            reflections: 4 - k as i64,
            teaching: i64::from(k == 0),
            elsewhere: app::domain::claims::Elsewhere::UpTo(app::domain::hours::StudyHours(120)),
        };
        repo.save_tier_plan(*tier, target, &req, now, None).await?;
    }
    Ok(refs)
}

/// Cadres over the communities and tiers: a tenth lead geese, three tenths strong geese.
async fn seed_cadres(
    repo: &dyn Repository,
    count: usize,
    refs: &Reference,
    now: Timestamp,
) -> anyhow::Result<Vec<Member>> {
    let cadre = |i: usize| {
        let (tier, position) = match i % 10 {
            0 => (refs.tiers[0], Position::PartySecretary),
            1..=3 => (refs.tiers[1], Position::TwoCommittee),
            _ => (refs.tiers[2], Position::GridWorker),
        };
        NewPerson {
            name: format!("{}{}", SURNAMES[i % 8], GIVEN[i / 8 % 8]),
            community_id: Some(refs.communities[i % COMMUNITIES]),
            tier_id: Some(tier),
            position,
            phone: format!("139{i:08}"),
        }
    };
    let people: Vec<NewPerson> = (0..count).map(cadre).collect();
    let mut members = Vec::with_capacity(count);
    // In the programme since before the first session of the data set.
    let joined = Timestamp(now.0 - 400 * 86_400);
    for batch in people.chunks(1000) {
        let ids = repo.create_people(batch, joined).await?;
        members.extend(ids.into_iter().zip(batch).map(|(person_id, p)| Member {
            person_id,
            tier_id: p.tier_id,
            community_id: p.community_id,
            subdistrict_id: p.community_id.map(|c| {
                let at = refs.communities.iter().position(|x| *x == c).unwrap_or(0);
                refs.community_subdistrict[at]
            }),
        }));
    }
    Ok(members)
}

/// The organiser, four lecturers (the first with the `lecturer` account) and the `cadre` and
/// `cadre2` accounts, all with the demo password. Returns the lecturers' person ids.
async fn seed_accounts(
    repo: &dyn Repository,
    cadres: [i64; 2],
    now: Timestamp,
) -> anyhow::Result<Vec<i64>> {
    let staff: Vec<NewPerson> = ["赵敏", "王建国", "陈立华", "李卫东", "孙海燕"]
        .into_iter()
        .map(|name| NewPerson {
            name: name.into(),
            community_id: None,
            tier_id: None,
            position: Position::SubdistrictLeader,
            phone: String::new(),
        })
        .collect();
    let ids = repo.create_people(&staff, now).await?;
    let hash = password::hash(&Password::parse(demo::DEMO_PASSWORD)?).await?;
    let accounts = [
        ("organiser", ids[0], Role::Organiser),
        ("lecturer", ids[1], Role::Lecturer),
    ];
    let cadres = [
        ("cadre", cadres[0], Role::Cadre),
        ("cadre2", cadres[1], Role::Cadre),
    ];
    for (username, person_id, role) in accounts.into_iter().chain(cadres) {
        let new = NewAccount {
            username: Username::parse(username)?,
            display_name: DisplayName::parse(username)?,
            password_hash: hash.clone(),
            roles: Roles::new([role]),
            person_id: Some(person_id),
            must_change_password: false,
        };
        repo.create_account(&new, None, now).await?;
    }
    Ok(ids[1..].to_vec())
}

/// Session `k` of `n`, spread evenly over the year around today: half for everyone, a
/// quarter for one tier, a quarter for two communities; every third with two lecturers.
fn planned_session(
    k: usize,
    n: usize,
    now: Timestamp,
    refs: &Reference,
    lecturers: &[i64],
) -> anyhow::Result<NewSession> {
    let day = (k * 365 / n) as i64 - 182;
    // Afternoons 14:30-16:00, evenings 19:00-21:00.
    let (start_minute, minutes) = if k.is_multiple_of(3) {
        (870, 90)
    } else {
        (1140, 120)
    };
    // Shanghai keeps +08:00 all year, so local days are exactly 86,400 s apart.
    let starts_at = Timestamp(now.local_day_bounds().0.0 + day * 86_400 + start_minute * 60);
    let audience = match k % 4 {
        0 | 1 => Audience::Everyone,
        2 => Audience::chosen(vec![refs.tiers[k % 3]], vec![], vec![])?,
        _ => {
            let communities = vec![refs.communities[k % 7], refs.communities[(k + 3) % 7]];
            Audience::chosen(vec![], communities, vec![])?
        }
    };
    let mut lecturer_ids = vec![lecturers[k % lecturers.len()]];
    if k.is_multiple_of(3) {
        lecturer_ids.push(lecturers[(k + 1) % lecturers.len()]);
    }
    use SessionFormat::*;
    Ok(NewSession {
        // A quarter the district's (for every subdistrict), the rest each subdistrict's.
        subdistrict_id: (!k.is_multiple_of(4))
            .then(|| refs.subdistricts[k % refs.subdistricts.len()]),
        // The special classes run as a series a quarter (专题班第N期): those of the quarters
        // past are over, so the worker's look has finished series to certify.
        series: if k % THEMES.len() == 3 {
            format!("专题班（第{}期）", (day + 182) / 92 + 1)
        } else {
            LECTURE_SERIES.into()
        },
        title: format!("{}（第{}讲）", THEMES[k % THEMES.len()].0, k + 1),
        theme_id: refs.themes[k % THEMES.len()],
        format: [Lecture, SelfStudy, Scenario, Forum][k % 4],
        starts_at,
        ends_at: Timestamp(starts_at.0 + minutes * 60),
        place: ["街道党群服务中心三楼会议室", "街道党群服务中心图书室"][k % 2].into(),
        description_md: "围绕基层治理中的**真实案例**展开，课后交流心得。".into(),
        lecturer_ids,
        audience,
        study_hours: HoursRule::default().hours_for(minutes),
        hours_overridden: false,
        capacity: None,
        clash_override_reason: None,
    })
}

/// Sentences a material is made of; one in three mentions 枫桥经验, every one 网格 or not.
const SENTENCES: [&str; 12] = [
    "坚持和发展新时代枫桥经验，把矛盾纠纷化解在基层、化解在萌芽状态。",
    "社区“两委”要定期研判辖区信访形势，建立问题清单和责任清单。",
    "网格员每天走访，做到底数清、情况明，群众诉求当天登记。",
    "党建引领“三长”制，楼栋长、单元长、户长各负其责。",
    "“红色物业”把党组织建在小区上，物业服务与社区治理同向发力。",
    "头雁示范带动，强雁担当作为，雏雁在实践中成长。",
    "学习省第十二次党代会报告，找准社区工作的结合点和发力点。",
    "依法及时就地解决群众合理诉求，信访事项办理要有回音、有结果。",
    "运河沿线社区要讲好运河故事，传承红色基因。",
    "小事不出网格、大事不出社区、矛盾不上交。",
    "把群众满意作为检验工作的标准，倾听诉求、解决难题。",
    "总结典型案例，形成可复制、可推广的经验做法。",
];

/// A published material (about 1,500 characters) for every past session and five
/// reflections on each, so search has real text to look through.
async fn seed_materials(
    repo: &dyn Repository,
    past: &[(i64, Timestamp, Audience, Option<i64>)],
    cadres: &[Member],
    author: i64,
    now: Timestamp,
) -> anyhow::Result<(usize, usize)> {
    use app::domain::materials::{Outlook, Outlooks, Publication};
    use app::ssr::markdown::{plain_text, render};
    let mut reflections = 0;
    for (k, (session_id, _, _, _)) in past.iter().enumerate() {
        let mut body = format!("## 第{}讲 学习材料\n\n", k + 1);
        for i in 0..40 {
            // Only one session in three carries the 枫桥 sentence at all.
            let pick = (k * 7 + i * 5) % SENTENCES.len();
            if pick == 0 && k % 3 != 0 {
                continue;
            }
            body.push_str(SENTENCES[pick]);
            body.push_str(if i % 5 == 4 { "\n\n" } else { "" });
        }
        let (html, text) = (render(&body), plain_text(&body));
        repo.save_material(&db::MaterialSave {
            session_id: *session_id,
            body_md: &body,
            body_html: &html,
            body_text: &text,
            publication: Publication::Published,
            base_version: 0,
            restored_from: None,
            author,
            now,
        })
        .await
        .context("adding materials")?;
        for j in 0..5 {
            let cadre = &cadres[(k * 5 + j) % cadres.len()];
            let text = format!(
                "{}{}这次课对我启发很大，回去要结合本社区实际抓好落实。",
                SENTENCES[(k + j) % SENTENCES.len()],
                SENTENCES[(k + j + 3) % SENTENCES.len()]
            );
            repo.save_reflection(
                *session_id,
                cadre.person_id,
                &text,
                Outlooks::new([Outlook::Work]),
                now,
            )
            .await
            .context("adding reflections")?;
            reflections += 1;
        }
    }
    Ok((past.len(), reflections))
}

/// `percent` of each past session's audience on its register, mostly present; the rest
/// have no record (absent, as reports count them).
async fn seed_attendance(
    repo: &dyn Repository,
    past: &[(i64, Timestamp, Audience, Option<i64>)],
    cadres: &[Member],
    percent: usize,
    now: Timestamp,
) -> anyhow::Result<usize> {
    let mut total = 0;
    for (n, (session_id, starts_at, audience, held_by)) in past.iter().enumerate() {
        let on_register = |(i, m): &(usize, &Member)| {
            (i * 7 + n) % 100 < percent && audience.includes(*held_by, m)
        };
        let rows: Vec<AttendanceRecord> = cadres
            .iter()
            .enumerate()
            .filter(on_register)
            .map(|(i, m)| {
                let (status, arrived) = match (i / 3 + n) % 12 {
                    0 => (AttendanceStatus::Late, Some(900)),
                    1 => (AttendanceStatus::Excused, None),
                    2 => (AttendanceStatus::Absent, None),
                    _ => (AttendanceStatus::Present, Some(-600)),
                };
                let checked_in_at = arrived.map(|s| Timestamp(starts_at.0 + s));
                AttendanceRecord {
                    session_id: *session_id,
                    person_id: m.person_id,
                    status,
                    checked_in_at,
                }
            })
            .collect();
        repo.record_attendance(&rows, now).await?;
        total += rows.len();
    }
    Ok(total)
}

/// Serves the saved pages from this process; the `.html` name makes them `text/html`.
async fn serve_static(dir: &Path) -> anyhow::Result<String> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    // TCP_NODELAY like the app server, so that neither waits on Nagle's algorithm.
    let listener = listener.tap_io(|tcp| {
        let _ = tcp.set_nodelay(true);
    });
    // What a static server in front of a site does: send the precompressed file the client
    // accepts. `/compress/` compresses on the fly, once per page, to write those files with
    // the same encoder and level as the app.
    let files = tower_http::services::ServeDir::new(dir)
        .precompressed_br()
        .precompressed_gzip();
    let compress = axum::Router::new()
        .fallback_service(tower_http::services::ServeDir::new(dir))
        .layer(tower_http::compression::CompressionLayer::new());
    let router = axum::Router::new()
        .nest("/compress", compress)
        .fallback_service(files);
    tokio::spawn(async move {
        if let Err(err) = axum::serve(listener, router.into_make_service()).await {
            eprintln!("the static server stopped: {err}");
        }
    });
    Ok(format!("http://{addr}"))
}

/// A client signed in with the demo account named like the role; it keeps the cookie.
async fn sign_in(base: &str, username: &str) -> anyhow::Result<Client> {
    let client = Client::builder()
        .cookie_store(true)
        .redirect(Policy::none())
        .build()?;
    let res = client
        .post(format!("{base}/auth/login"))
        .form(&[("username", username), ("password", demo::DEMO_PASSWORD)])
        .send()
        .await
        .with_context(|| format!("signing in as {username}"))?;
    let location = res.headers().get(reqwest::header::LOCATION);
    let location = location.and_then(|v| v.to_str().ok()).unwrap_or_default();
    ensure!(
        res.status() == StatusCode::SEE_OTHER && !location.starts_with("/login"),
        "signing in as {username}: {} to {location:?}",
        res.status()
    );
    Ok(client)
}

/// Where the app and the static copies are served, and how hard to load them.
struct Bench {
    opts: Options,
    app: String,
    copies: String,
    dir: PathBuf,
    /// The app server's process, whose CPU time is read around its runs.
    server_pid: u32,
}

impl Bench {
    /// What a phone downloads besides the page: the WASM of the islands, its JavaScript
    /// glue and the style sheet, raw and as sent with `Accept-Encoding: br, gzip`.
    async fn bundle(&self) -> anyhow::Result<()> {
        let client = Client::builder().redirect(Policy::none()).build()?;
        println!(
            "\nbrowser bundle (bytes: raw, as sent with br; the goal for the WASM is 250 KB as sent):\n  \
             the one with every island (a build without scripts/build-release's bundles), then\n  \
             each group's own, which its pages load instead"
        );
        let mut files = vec!["nightschool.wasm".to_string(), "nightschool.js".to_string()];
        for bundle in app::domain::islands::Bundle::ALL {
            let name = bundle.output_name("nightschool");
            files.push(format!("{name}.wasm"));
            files.push(format!("{name}.js"));
        }
        files.push("nightschool.css".to_string());
        for file in files.iter().map(String::as_str) {
            let url = format!("{}/pkg/{file}", self.app);
            let size = |encoding: &'static str| {
                let request = client.get(&url).header("accept-encoding", encoding);
                async move {
                    let res = request.send().await?;
                    ensure!(res.status() == StatusCode::OK, "{file}: {}", res.status());
                    anyhow::Ok(res.bytes().await?.len())
                }
            };
            let (raw, sent) = (size("identity").await?, size(ACCEPT).await?);
            println!("  {file:<28}{raw:>10}{sent:>10}");
        }
        Ok(())
    }

    /// The reports page's head-counts: counted whole by the first report after the server
    /// starts, then again only where a write touched them. Times the report's server
    /// function (this year so far, everyone) first, again with nothing changed, after one
    /// mark at a held session, and after one new cadre (written straight into the database,
    /// as another app server would).
    async fn reports(&self, url: &str, past: i64) -> anyhow::Result<()> {
        let repo = db::connect(url).await.context("opening the database")?;
        let organiser = sign_in(&self.app, "organiser").await?;
        let report = || async {
            let started = Instant::now();
            let res = organiser
                .post(format!("{}/api/report_attendance", self.app))
                .form(&[("from", ""), ("to", "")])
                .send()
                .await?;
            ensure!(res.status() == StatusCode::OK, "report: {}", res.status());
            let body: serde_json::Value = res.json().await?;
            let sessions = body["sessions"].as_array().map_or(0, Vec::len);
            anyhow::Ok((started.elapsed().as_secs_f64() * 1000.0, sessions))
        };
        let (first, sessions) = report().await?;
        let (again, _) = report().await?;
        let slice = db::SheetSlice {
            limit: Some(1),
            ..Default::default()
        };
        let someone = repo.sheet_lines(past, None, &slice).await?.rows;
        let someone = someone
            .first()
            .context("no one on the held session's sheet")?;
        repo.record_attendance(
            &[AttendanceRecord {
                session_id: past,
                person_id: someone.person_id,
                status: AttendanceStatus::Excused,
                checked_in_at: None,
            }],
            Timestamp::now(),
        )
        .await?;
        let (after_mark, _) = report().await?;
        let member = repo.member(someone.person_id).await?.context("no member")?;
        repo.create_people(
            &[NewPerson {
                name: "核对 报表学员".into(),
                phone: String::new(),
                community_id: member.community_id,
                tier_id: member.tier_id,
                position: Position::GridWorker,
            }],
            Timestamp::now(),
        )
        .await?;
        let (after_cadre, _) = report().await?;
        println!(
            "reports ({sessions} sessions held this year): first {first:.0} ms, again \
             {again:.1} ms, after a mark {after_mark:.1} ms, after a new cadre \
             {after_cadre:.1} ms"
        );
        Ok(())
    }

    /// The dashboard's head-counts, served from the standings kept in memory, against a
    /// count in the database; and again after a write, which they must show at once.
    async fn recount(&self, url: &str) -> anyhow::Result<()> {
        let repo = db::connect(url).await.context("opening the database")?;
        let organiser = sign_in(&self.app, "organiser").await?;
        let heads = || async {
            let d: serde_json::Value = organiser
                .post(format!("{}/api/programme_dashboard", self.app))
                .send()
                .await?
                .json()
                .await?;
            let tiers = d["tiers"].as_array().context("no tiers")?;
            let sum: i64 = tiers
                .iter()
                .map(|t| {
                    let g = &t["groups"];
                    ["on_track", "at_risk", "behind"]
                        .iter()
                        .filter_map(|k| g[*k].as_i64())
                        .sum::<i64>()
                })
                .sum();
            anyhow::Ok(sum)
        };
        let counted = repo.count_cadres().await?;
        let shown = heads().await?;
        ensure!(
            shown == counted,
            "the dashboard counts {shown} cadres, the database {counted}"
        );
        // A new cadre, written behind the server's back: the next dashboard counts them.
        let now = Timestamp::now();
        let tier = repo.tier_plans().await?.last().context("no tiers")?.tier.id;
        let community = repo
            .communities()
            .await?
            .first()
            .context("no communities")?
            .id;
        repo.create_people(
            &[NewPerson {
                name: "核对 新学员".into(),
                phone: String::new(),
                community_id: Some(community),
                tier_id: Some(tier),
                position: Position::GridWorker,
            }],
            now,
        )
        .await?;
        let shown = heads().await?;
        ensure!(
            shown == counted + 1,
            "after one more cadre the dashboard counts {shown}, not {}",
            counted + 1
        );
        println!(
            "recount: the dashboard's {counted} cadres match the database, and one more at once"
        );
        Ok(())
    }
}

impl Bench {
    /// The year's workbook as the district's organiser downloads it, timed against a
    /// command-line tool's CSV dump of the same rows (`sqlite3`, or `psql` on PostgreSQL),
    /// with the server's CPU time and how far its resident memory rose above what it held
    /// before; the rows of the workbook's 明细 sheet are counted against the dump's.
    async fn workbook(&self, url: &str) -> anyhow::Result<()> {
        const RUNS: usize = 3;
        let now = Timestamp::now();
        let year = app::ssr::progress::this_year(now);
        let (from, to) = app::domain::report::DateRange::year(year)
            .and_then(|r| r.bounds())
            .context("the year's bounds")?;
        let sql = db::facts_dump_sql(from, to, now);
        let out = self.dir.join("dump.csv");
        let (tool, mut command) = if let Some(file) = url.strip_prefix("sqlite://") {
            let mut c = std::process::Command::new("sqlite3");
            c.arg("-csv").arg(file).arg(&sql);
            ("sqlite3 -csv", c)
        } else {
            let mut c = std::process::Command::new("psql");
            c.arg("-X")
                .arg("-q")
                .arg(url)
                .arg("-c")
                .arg(format!("copy ({sql}) to stdout with csv"));
            ("psql copy … csv", c)
        };
        let mut dump = Vec::new();
        for _ in 0..RUNS {
            let started = Instant::now();
            let status = command
                .stdout(std::fs::File::create(&out)?)
                .status()
                .with_context(|| format!("running {tool} (install it to compare)"))?;
            ensure!(status.success(), "{tool} failed: {status}");
            dump.push(started.elapsed());
        }
        let dumped = std::fs::read(&out)?.iter().filter(|b| **b == b'\n').count();
        let organiser = sign_in(&self.app, "organiser").await?;
        let status = |key: &str| {
            let text = std::fs::read_to_string(format!("/proc/{}/status", self.server_pid));
            text.ok()
                .and_then(|t| {
                    t.lines()
                        .find_map(|l| l.strip_prefix(key))
                        .and_then(|v| v.trim().trim_end_matches(" kB").parse::<u64>().ok())
                })
                .unwrap_or(0)
        };
        let before = status("VmRSS:");
        // Resets the peak (VmHWM) to the present size, so the peak read after is the export's.
        std::fs::write(format!("/proc/{}/clear_refs", self.server_pid), "5").ok();
        let (mut app, mut cpu, mut bytes) = (Vec::new(), Vec::new(), Vec::new());
        for _ in 0..RUNS {
            let cpu_before = common::cpu_time(self.server_pid);
            let started = Instant::now();
            let res = organiser
                .get(format!("{}/reports/attendance-{year}.xlsx", self.app))
                .send()
                .await?;
            ensure!(res.status().is_success(), "the workbook: {}", res.status());
            bytes = res.bytes().await?.to_vec();
            app.push(started.elapsed());
            cpu.push(common::cpu_time(self.server_pid) - cpu_before);
        }
        let peak = status("VmHWM:");
        let path = self.dir.join("year.xlsx");
        std::fs::write(&path, &bytes)?;
        use calamine::Reader;
        let mut book: calamine::Xlsx<_> = calamine::open_workbook(&path)?;
        // 明细, 明细2 …: the facts go on in the next sheet past Excel's limit of rows.
        let mut written = 0;
        for n in 1.. {
            let name = app::ssr::exports::detail_sheet_name(n);
            if !book.sheet_names().contains(&name) {
                break;
            }
            written += book.worksheet_range(&name)?.height().saturating_sub(1);
        }
        ensure!(
            written == dumped,
            "the workbook's 明细 sheets have {written} rows, {tool} dumped {dumped}"
        );
        app.sort();
        dump.sort();
        cpu.sort();
        let (app, dump) = (app[RUNS / 2], dump[RUNS / 2]);
        println!(
            "year workbook {year}: {written} rows, {:.1} MB; median of {RUNS}: {:.2} s \
             (server CPU {:.2} s) against {tool} {:.2} s for the same rows: {:.2}× its time; \
             the server's memory rose {:.0} MB above the {:.0} MB it held before",
            bytes.len() as f64 / 1e6,
            app.as_secs_f64(),
            cpu[RUNS / 2].as_secs_f64(),
            dump.as_secs_f64(),
            app.as_secs_f64() / dump.as_secs_f64(),
            peak.saturating_sub(before) as f64 / 1024.0,
            before as f64 / 1024.0,
        );
        Ok(())
    }
}

/// What both sides are asked with, as a browser asks.
const ACCEPT: &str = "br, gzip";

impl Bench {
    /// Loads the page, then its saved copy on the static server, and prints the row.
    /// Returns the number of failed requests; a 404 (page not built yet) is skipped.
    async fn page(&self, i: usize, role: &str, path: &str) -> anyhow::Result<usize> {
        let label = format!("{role} {path}");
        let client = sign_in(&self.app, role).await?;
        let url = format!("{}{path}", self.app);
        let res = client.get(&url).send().await?;
        if res.status() == StatusCode::NOT_FOUND {
            println!("{label:<46} 404 Not Found (not built yet?): skipped");
            return Ok(0);
        }
        ensure!(res.status() == StatusCode::OK, "answered {}", res.status());
        let body = res.bytes().await?;
        let name = format!("page-{i}.html");
        std::fs::write(self.dir.join(&name), &body).context("saving the page")?;
        let copy_url = format!("{}/{name}", self.copies);
        let plain = Client::builder().redirect(Policy::none()).build()?;
        let copy = plain.get(&copy_url).send().await?.bytes().await?;
        ensure!(copy == body, "the static server answered other bytes");
        for (encoding, suffix) in [("br", "br"), ("gzip", "gz")] {
            let packed = plain
                .get(format!("{}/compress/{name}", self.copies))
                .header(reqwest::header::ACCEPT_ENCODING, encoding)
                .send()
                .await?;
            ensure!(
                packed.headers().get(reqwest::header::CONTENT_ENCODING)
                    == Some(&reqwest::header::HeaderValue::from_static(encoding)),
                "no {encoding} copy"
            );
            let packed = packed.bytes().await?;
            std::fs::write(self.dir.join(format!("{name}.{suffix}")), &packed)?;
        }
        // The app compresses the same page as the static side sends it.
        let sent = client
            .get(&url)
            .header(reqwest::header::ACCEPT_ENCODING, ACCEPT)
            .send()
            .await?;
        let app_encoding = sent
            .headers()
            .get(reqwest::header::CONTENT_ENCODING)
            .cloned();
        let sent = sent.bytes().await?.len();
        let static_sent = plain
            .get(&copy_url)
            .header(reqwest::header::ACCEPT_ENCODING, ACCEPT)
            .send()
            .await?;
        ensure!(
            static_sent.headers().get(reqwest::header::CONTENT_ENCODING) == app_encoding.as_ref(),
            "the two sides chose different encodings"
        );
        let kept = self.kept_checks(&client, role, &url, &body).await?;
        let (mut app, mut fresh, mut copy) = (Load::default(), Load::default(), Load::default());
        let slice = Duration::from_secs_f64(self.opts.seconds as f64 / f64::from(self.opts.rounds));
        let (mut cpu, mut fresh_cpu) = (Duration::ZERO, Duration::ZERO);
        for _ in 0..self.opts.rounds {
            let before = common::cpu_time(self.server_pid);
            app.add(load(&client, &url, &self.opts, slice, false).await?);
            let between = common::cpu_time(self.server_pid);
            cpu += between.saturating_sub(before);
            if kept {
                fresh.add(load(&client, &url, &self.opts, slice, true).await?);
                fresh_cpu += common::cpu_time(self.server_pid).saturating_sub(between);
            }
            copy.add(load(&plain, &copy_url, &self.opts, slice, false).await?);
        }
        app.finish();
        fresh.finish();
        copy.finish();
        let per = |cpu: Duration, run: &Load| {
            cpu.as_secs_f64() * 1000.0 / run.latencies.len().max(1) as f64
        };
        let cpu_ms = per(cpu, &app);
        let fresh = kept.then(|| (per(fresh_cpu, &fresh), &fresh));
        print_row(&label, sent, &app, fresh, &copy, cpu_ms);
        Ok(app.errors + copy.errors + fresh.map_or(0, |(_, f)| f.errors))
    }

    /// Whether the app keeps this page (`ssr::kept_pages`), after checking what must hold
    /// of a kept page: the browser's copy is validated with a 304, another login's tag never
    /// validates it, and another cadre gets their own page, never this one.
    async fn kept_checks(
        &self,
        client: &Client,
        role: &str,
        url: &str,
        body: &[u8],
    ) -> anyhow::Result<bool> {
        let res = client.get(url).send().await?;
        let Some(mut tag) = res.headers().get(reqwest::header::ETAG).cloned() else {
            return Ok(false);
        };
        let mut status = StatusCode::OK;
        // A page is rendered anew (another nonce, another tag) when the clock's window
        // turns between the two requests: then the next one must be a 304.
        for _ in 0..2 {
            let res = client
                .get(url)
                .header(reqwest::header::IF_NONE_MATCH, tag.clone())
                .send()
                .await?;
            status = res.status();
            if status != StatusCode::OK {
                break;
            }
            tag = res
                .headers()
                .get(reqwest::header::ETAG)
                .cloned()
                .unwrap_or(tag);
        }
        ensure!(
            status == StatusCode::NOT_MODIFIED,
            "no 304 for the browser's own copy: {status}"
        );
        let other_login = sign_in(&self.app, role).await?;
        let res = other_login
            .get(url)
            .header(reqwest::header::IF_NONE_MATCH, tag.clone())
            .send()
            .await?;
        ensure!(
            res.status() == StatusCode::OK,
            "another login's tag validated this page: {}",
            res.status()
        );
        if role == "cadre" {
            let other = sign_in(&self.app, "cadre2").await?;
            let theirs = other.get(url).send().await?.text().await?;
            let mine = String::from_utf8_lossy(body);
            // The name in the page's header.
            let who = |page: &str| {
                page.split("<span class=\"who\">")
                    .nth(1)
                    .and_then(|rest| rest.split("</span>").next())
                    .map(str::to_string)
            };
            let (me, them) = (who(&mine), who(&theirs));
            ensure!(
                me.is_some() && them.is_some() && me != them,
                "another cadre was handed this cadre's page ({me:?}, {them:?})"
            );
        }
        Ok(true)
    }
}

/// What a closed-loop run saw: the latencies of its 200 answers, sorted, and its failures.
#[derive(Default)]
struct Load {
    latencies: Vec<Duration>,
    errors: usize,
    first_error: Option<String>,
    elapsed: Duration,
}

impl Load {
    fn add(&mut self, run: Load) {
        self.latencies.extend(run.latencies);
        self.errors += run.errors;
        self.first_error = self.first_error.take().or(run.first_error);
        self.elapsed += run.elapsed;
    }

    fn finish(&mut self) {
        self.latencies.sort_unstable();
    }

    fn per_second(&self) -> f64 {
        self.latencies.len() as f64 / self.elapsed.as_secs_f64()
    }

    /// Nearest-rank percentile in milliseconds.
    fn ms(&self, percentile: f64) -> f64 {
        let rank = (percentile / 100.0 * self.latencies.len() as f64).ceil() as usize;
        let latency = self.latencies.get(rank.max(1) - 1);
        latency.map_or(f64::NAN, |d| d.as_secs_f64() * 1000.0)
    }
}

/// `connections` tasks, each sending its next request as soon as it has read an answer.
/// `fresh`: every request's address is new (an unused `_` parameter), so a page the app
/// keeps is rendered for each one, as after every write.
async fn load(
    client: &Client,
    url: &str,
    opts: &Options,
    time: Duration,
    fresh: bool,
) -> anyhow::Result<Load> {
    static FRESH: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let started = Instant::now();
    let deadline = started + time;
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..opts.connections {
        let (client, url) = (client.clone(), url.to_string());
        tasks.spawn(async move {
            let (mut latencies, mut errors) = (Vec::new(), Vec::new());
            while Instant::now() < deadline {
                let sent = Instant::now();
                let address = if fresh {
                    let n = FRESH.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    let glue = if url.contains('?') { '&' } else { '?' };
                    std::borrow::Cow::Owned(format!("{url}{glue}_={n}"))
                } else {
                    std::borrow::Cow::Borrowed(url.as_str())
                };
                let asked = client
                    .get(address.as_ref())
                    .header(reqwest::header::ACCEPT_ENCODING, ACCEPT);
                match asked.send().await {
                    Ok(res) if res.status() == StatusCode::OK => match res.bytes().await {
                        Ok(_) => latencies.push(sent.elapsed()),
                        Err(err) => errors.push(err.to_string()),
                    },
                    Ok(res) => errors.push(format!("status {}", res.status())),
                    Err(err) => errors.push(err.to_string()),
                }
            }
            (latencies, errors)
        });
    }
    let mut all = Load::default();
    while let Some(done) = tasks.join_next().await {
        let (latencies, errors) = done.context("a load task panicked")?;
        all.latencies.extend(latencies);
        all.errors += errors.len();
        all.first_error = all.first_error.or(errors.into_iter().next());
    }
    all.elapsed = started.elapsed();
    all.latencies.sort_unstable();
    Ok(all)
}

fn print_header() {
    let heads = [
        "app/s", "p50 ms", "p99 ms", "cpu ms", "render/s", "p99 ms", "cpu ms", "static/s",
        "p50 ms", "p99 ms", "app/st %", "rnd/st %",
    ];
    let heads: String = heads.iter().map(|h| format!("{h:>10}")).collect();
    println!("\n{:<46}{:>8}{heads}{:>7}", "page", "bytes", "errors");
}

fn print_row(
    label: &str,
    bytes: usize,
    app: &Load,
    fresh: Option<(f64, &Load)>,
    copy: &Load,
    cpu_ms: f64,
) {
    let cell = |v: f64| format!("{v:>10.2}");
    let dash = || format!("{:>10}", "-");
    let mut cells: String = [app.per_second(), app.ms(50.0), app.ms(99.0), cpu_ms]
        .map(cell)
        .concat();
    match fresh {
        Some((cpu, run)) => {
            cells += &[run.per_second(), run.ms(99.0), cpu].map(cell).concat();
        }
        None => cells += &[dash(), dash(), dash()].concat(),
    }
    cells += &[copy.per_second(), copy.ms(50.0), copy.ms(99.0)]
        .map(cell)
        .concat();
    cells += &cell(100.0 * app.per_second() / copy.per_second());
    cells += &fresh.map_or_else(dash, |(_, run)| {
        cell(100.0 * run.per_second() / copy.per_second())
    });
    let errors = app.errors + copy.errors + fresh.map_or(0, |(_, run)| run.errors);
    println!("{label:<46}{bytes:>8}{cells}{errors:>7}");
    let runs = [
        ("app", Some(app)),
        ("rendered", fresh.map(|f| f.1)),
        ("static", Some(copy)),
    ];
    for (who, run) in runs {
        if let Some(first) = run.and_then(|r| r.first_error.as_ref()) {
            println!(
                "  {} errors from {who}, the first: {first}",
                run.map_or(0, |r| r.errors)
            );
        }
    }
}

fn print_footer() {
    println!(
        "\napp/s and static/s: requests per second; cpu ms: the app server's CPU time (user + \
         system) per answer; app/st % = app/s as a share of static/s; bytes: the app's \
         compressed answer. A page the app keeps (ssr::kept_pages) is answered from memory \
         while nothing it shows changed; render/s asks for it at a new address each time \
         (as after every write), so the app renders and compresses every answer; rnd/st % is \
         that rate as a share of static/s; '-': the page is not kept (every answer is \
         rendered). For each kept page the benchmark checks a 304 for the browser's own copy, \
         that another login's tag is refused, and that another cadre gets their own page. Both sides are asked with Accept-Encoding: \
         {ACCEPT}; the static side sends files compressed beforehand with the app's encoder. App \
         and static runs alternate (--rounds) so that both see the same machine. This process \
         (load and static server) shares the cores with the app server."
    );
}
