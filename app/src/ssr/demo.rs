//! Demo data drawn from the report on Guanyinge Subdistrict (../shared/DOMAIN.md): its
//! communities, the three tiers of the "535 Geese Formation", 92 two-committee members
//! and 87 grid workers, the six sessions since May and a few to come. Dates are placed
//! relative to the day of seeding so the demo always has a past and a future.
use anyhow::Context;
use chrono::Duration;

use super::db::{
    AttendanceRecord, MaterialSave, NewAccount, NewPerson, NewSession, Repository, Tier,
};
use super::password;
use crate::domain::audience::{Audience, Member};
use crate::domain::audit::{AuditKind, AuditLine, AuditOutcome};
use crate::domain::hours::{HoursRule, StudyHours};
use crate::domain::materials::{Outlook, Outlooks, Publication};
use crate::domain::org::Unit;
use crate::domain::people::Position;
use crate::domain::progress::Requirements;
use crate::domain::schedule::{AttendanceStatus, LECTURE_SERIES as SERIES, SessionFormat};
use crate::domain::{DisplayName, Password, Role, Roles, Timestamp, Username};

/// Days from today, title, theme, format, lecturers, place.
type PlannedSession<'a> = (i64, &'a str, i64, SessionFormat, Vec<i64>, &'a str);

pub const DEMO_PASSWORD: &str = "nightschool";

const COMMUNITIES: [&str; 7] = [
    "铁塔寺社区",
    "竹竿巷社区",
    "小闸口社区",
    "运河社区",
    "太白楼社区",
    "南池社区",
    "东门社区",
];
const SURNAMES: [&str; 24] = [
    "王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "徐", "孙", "胡", "朱", "高", "林",
    "何", "郭", "马", "罗", "梁", "宋", "郑", "韩",
];
const GIVEN: [&str; 30] = [
    "伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明",
    "超", "秀英", "霞", "平", "刚", "桂英", "文", "晓东", "海燕", "建华", "玉兰", "志强", "春梅",
    "立新",
];

/// Whether the database has nothing in it yet.
pub async fn is_empty(repo: &dyn Repository) -> anyhow::Result<bool> {
    Ok(repo.count_accounts().await? == 0 && repo.communities().await?.is_empty())
}

/// Fills an empty database. Refuses to touch one that has data.
pub async fn seed(repo: &dyn Repository, now: Timestamp) -> anyhow::Result<()> {
    anyhow::ensure!(
        is_empty(repo).await?,
        "the database is not empty; demo data is only added to an empty one"
    );
    let subdistrict = repo
        .subdistricts()
        .await?
        .first()
        .map(|s| s.id)
        .context("the migrations add the first subdistrict")?;
    let mut community_ids = Vec::new();
    for name in COMMUNITIES {
        community_ids.push(
            repo.create_community(subdistrict, name, now)
                .await
                .context("adding communities")?,
        );
    }
    let tiers = [
        ("头雁", "Lead goose", 1, 12, "标杆型社区党组织书记及骨干"),
        ("强雁", "Strong goose", 2, 80, "骨干型社区“两委”成员"),
        ("雏雁", "Young goose", 3, 87, "后备及新招录社区干部、网格员"),
    ];
    let mut tier_ids = Vec::new();
    for (zh, en, rank, target, desc) in tiers {
        let tier = Tier {
            id: 0,
            name_zh: zh.into(),
            name_en: en.into(),
            rank,
            target_count: target,
            description: desc.into(),
        };
        tier_ids.push(repo.create_tier(&tier, now).await.context("adding tiers")?);
    }
    let themes = [
        ("信访维稳", "Petitions and stability"),
        ("基层社会治理", "Grassroots social governance"),
        ("头雁讲坛", "Lead-goose forum"),
        ("强雁讲坛", "Strong-goose forum"),
        ("专题班", "Special class"),
        ("团务工作", "Youth League work"),
    ];
    let mut theme_ids = Vec::new();
    for (zh, en) in themes {
        theme_ids.push(
            repo.create_theme(zh, en, None, now)
                .await
                .context("adding themes")?,
        );
    }

    // What each tier asks in a year (demo figures; organisers edit them on the programme
    // page): hours, attendance, accepted reflections, teaching, and for lead geese the
    // grassroots-governance theme and a forum of their own.
    let requirements = [
        (120, 90, 1, 1, vec![theme_ids[1]]),
        (100, 85, 1, 0, vec![theme_ids[0]]),
        (60, 80, 0, 0, vec![]),
    ];
    for ((tier_id, tier), (hours, rate, reflections, teaching, themes)) in
        tier_ids.iter().zip(tiers).zip(requirements)
    {
        let req = Requirements {
            hours: StudyHours(hours),
            themes,
            min_attendance_percent: rate,
            reflections,
            teaching,
            // Centralised training elsewhere (the district party school, online courses)
            // counts for up to 12 study hours a year.
            elsewhere: crate::domain::claims::Elsewhere::UpTo(StudyHours(120)),
        };
        repo.save_tier_plan(*tier_id, tier.3, &req, now, None)
            .await
            .context("setting tier requirements")?;
    }

    // The demo's cadres joined the programme a year before its oldest session.
    let joined = Timestamp(now.0 - 365 * 86_400);
    let cadres = demo_cadres(&community_ids, &tier_ids);
    let cadre_ids = repo
        .create_people(&cadres, joined)
        .await
        .context("adding cadres")?;
    let staff = [
        ("王建国", Position::SubdistrictLeader),
        ("陈立华", Position::SubdistrictLeader),
        ("赵敏", Position::SubdistrictStaff),
        ("系统管理员", Position::SubdistrictStaff),
    ];
    let staff: Vec<NewPerson> = staff
        .iter()
        .map(|(name, position)| NewPerson {
            name: (*name).into(),
            community_id: None,
            tier_id: None,
            position: *position,
            phone: String::new(),
        })
        .collect();
    let staff_ids = repo
        .create_people(&staff, now)
        .await
        .context("adding staff")?;
    let [secretary, deputy, organiser, admin] = staff_ids[..] else {
        anyhow::bail!("staff insert returned {} ids", staff_ids.len());
    };
    // The demo cadre is a strong-goose two-committee member of the first community; the
    // first two party secretaries lecture at the lead-goose forum.
    let demo_cadre = cadre_ids[7];
    let benchmark = [cadre_ids[0], cadre_ids[1]];
    let backbone = [cadre_ids[8], cadre_ids[9]];

    let accounts = [
        ("admin", admin, vec![Role::Admin]),
        ("organiser", organiser, vec![Role::Organiser]),
        ("lecturer", secretary, vec![Role::Lecturer]),
        ("cadre", demo_cadre, vec![Role::Cadre]),
    ];
    let hash = password::hash(&Password::parse(DEMO_PASSWORD)?).await?;
    let mut account_ids = Vec::new();
    for (username, person_id, roles) in accounts {
        let new = NewAccount {
            username: Username::parse(username)?,
            display_name: DisplayName::parse(username)?,
            password_hash: hash.clone(),
            roles: Roles::new(roles),
            person_id: Some(person_id),
            must_change_password: false,
        };
        account_ids.push(
            repo.create_account(&new, None, now)
                .await
                .context("adding demo accounts")?,
        );
    }
    // The demo organiser is the district's: the office that runs every subdistrict's
    // night school.
    regrant(repo, account_ids[1], Unit::District, now).await?;
    let district = District {
        hash: &hash,
        tier_ids: &tier_ids,
        theme_ids: &theme_ids,
        first_community: community_ids[0],
        joined,
    };
    seed_district(repo, &district, now).await?;

    let today = now.local_date();
    let evening = |days: i64| -> anyhow::Result<(Timestamp, Timestamp)> {
        let date = today + Duration::days(days);
        let start = Timestamp::from_local(date, 19, 0).context("local time")?;
        Ok((start, Timestamp(start.0 + 2 * 3600)))
    };
    let [petitions, governance, lead, strong, special, league] = theme_ids[..] else {
        anyhow::bail!("theme insert returned {} ids", theme_ids.len());
    };
    use SessionFormat::*;
    let plan: Vec<PlannedSession> = vec![
        (
            -189,
            "信访维稳专题：依法及时就地解决群众合理诉求",
            petitions,
            Lecture,
            vec![secretary],
            "街道党群服务中心三楼会议室",
        ),
        (
            -168,
            "基层社会治理专题（一）：党建引领“三长”制",
            governance,
            Lecture,
            vec![deputy],
            "街道党群服务中心三楼会议室",
        ),
        (
            -161,
            "“乐善·习语堂”暨团务工作专题培训",
            league,
            Lecture,
            vec![deputy],
            "街道党群服务中心二楼活动室",
        ),
        (
            -140,
            "基层社会治理专题（二）：“红色物业”情景分析",
            governance,
            Scenario,
            vec![deputy],
            "铁塔寺社区党群服务站",
        ),
        (
            -112,
            "“头雁”讲坛：标杆型社区书记谈先进经验",
            lead,
            Forum,
            benchmark.to_vec(),
            "街道党群服务中心三楼会议室",
        ),
        (
            -84,
            "“强雁”讲坛：骨干“两委”谈为民服务心得",
            strong,
            Forum,
            backbone.to_vec(),
            "街道党群服务中心三楼会议室",
        ),
        (
            -56,
            "省第十二次党代会报告专题班",
            special,
            Lecture,
            vec![secretary],
            "街道党群服务中心三楼会议室",
        ),
        (
            0,
            "挑灯夜学：基层社会治理案例研读",
            governance,
            SelfStudy,
            vec![secretary],
            "街道党群服务中心图书室",
        ),
        (
            14,
            "信访维稳专题（二）：矛盾纠纷多元化解",
            petitions,
            Lecture,
            vec![secretary],
            "街道党群服务中心三楼会议室",
        ),
        (
            28,
            "“头雁”讲坛（第二期）",
            lead,
            Forum,
            benchmark.to_vec(),
            "街道党群服务中心三楼会议室",
        ),
    ];
    // Forums are for their tier; the League training for the League branch secretaries.
    let (lead_tier, strong_tier) = (tier_ids[0], tier_ids[1]);
    let league_secretaries: Vec<i64> = cadre_ids[12..=18].to_vec();
    let audience_of = |theme_id: i64| -> anyhow::Result<Audience> {
        let audience = if theme_id == lead {
            Audience::chosen(vec![lead_tier], vec![], vec![])?
        } else if theme_id == strong {
            Audience::chosen(vec![strong_tier], vec![], vec![])?
        } else if theme_id == league {
            Audience::chosen(vec![], vec![], league_secretaries.clone())?
        } else {
            Audience::Everyone
        };
        Ok(audience)
    };
    let mut past_sessions = Vec::new();
    let mut by_day = Vec::new();
    for (days, title, theme_id, format, lecturer_ids, place) in plan {
        let (starts_at, ends_at) = evening(days)?;
        let series = if theme_id == league {
            "乐善·习语堂"
        } else {
            SERIES
        };
        let audience = audience_of(theme_id)?;
        let id = repo
            .create_session(
                &NewSession {
                    subdistrict_id: Some(subdistrict),
                    series: series.into(),
                    title: title.into(),
                    theme_id,
                    format,
                    starts_at,
                    ends_at,
                    place: place.into(),
                    description_md: String::new(),
                    lecturer_ids,
                    audience: audience.clone(),
                    study_hours: HoursRule::default().hours_for((ends_at.0 - starts_at.0) / 60),
                    hours_overridden: false,
                    capacity: None,
                    clash_override_reason: None,
                },
                now,
            )
            .await
            .context("adding sessions")?;
        if days < 0 {
            past_sessions.push((id, starts_at, audience));
        }
        by_day.push((days, id));
    }
    let mut rows = Vec::new();
    for (n, (session_id, starts_at, audience)) in past_sessions.iter().enumerate() {
        for (i, (person_id, cadre)) in cadre_ids.iter().zip(&cadres).enumerate() {
            let member = Member {
                person_id: *person_id,
                tier_id: cadre.tier_id,
                community_id: cadre.community_id,
                subdistrict_id: cadre.community_id.map(|_| subdistrict),
            };
            if !audience.includes(Some(subdistrict), &member) {
                continue;
            }
            let status = demo_status(i, n);
            let checked_in_at = match status {
                AttendanceStatus::Present => {
                    Some(Timestamp(starts_at.0 - 600 + (i as i64 % 9) * 60))
                }
                AttendanceStatus::Late => Some(Timestamp(starts_at.0 + 900)),
                _ => None,
            };
            rows.push(AttendanceRecord {
                session_id: *session_id,
                person_id: *person_id,
                status,
                checked_in_at,
            });
        }
    }
    repo.record_attendance(&rows, now)
        .await
        .context("adding attendance")?;
    let session_on = |day: i64| by_day.iter().find(|(d, _)| *d == day).map(|(_, id)| *id);
    let (Some(petitions_past), Some(congress), Some(petitions_next)) =
        (session_on(-189), session_on(-56), session_on(14))
    else {
        anyhow::bail!("demo sessions missing");
    };
    let materials = [
        (petitions_past, PETITIONS_MD, Publication::Published),
        (congress, CONGRESS_MD, Publication::AfterSession),
        (petitions_next, PETITIONS_NEXT_MD, Publication::Draft),
    ];
    for (session_id, body, publication) in materials {
        let html = super::markdown::render(body);
        let text = super::markdown::plain_text(body);
        repo.save_material(&MaterialSave {
            session_id,
            body_md: body,
            body_html: &html,
            body_text: &text,
            publication,
            base_version: 0,
            restored_from: None,
            author: secretary,
            now,
        })
        .await
        .context("adding materials")?;
    }
    // The demo cadre read the first lecture and reflected on it; the lecturer answered.
    repo.mark_read(petitions_past, demo_cadre, now)
        .await
        .context("adding a read mark")?;
    repo.save_reflection(
        petitions_past,
        demo_cadre,
        DEMO_REFLECTION,
        Outlooks::new([Outlook::Thinking, Outlook::Work]),
        now,
    )
    .await
    .context("adding a reflection")?;
    if let Some(reflection) = repo.reflection_of(petitions_past, demo_cadre).await? {
        repo.add_comment(
            reflection.id,
            secretary,
            "“小事不出网格”说得好。下次可以把你们社区调解的具体案例写进来，大家互相借鉴。",
            now,
        )
        .await
        .context("adding a comment")?;
    }
    // Five young geese reflected on the Congress class (the first on the petitions lecture
    // too) and the lecturer accepted them: they count towards the tier above, and the first
    // is this month's 学习之星.
    let young: Vec<i64> = cadre_ids
        .iter()
        .zip(&cadres)
        .filter(|(_, c)| c.tier_id == tier_ids.get(2).copied())
        .map(|(id, _)| *id)
        .take(5)
        .collect();
    for (k, person) in young.iter().enumerate() {
        let sessions = if k == 0 {
            vec![congress, petitions_past]
        } else {
            vec![congress]
        };
        for session in sessions {
            repo.save_reflection(
                session,
                *person,
                YOUNG_REFLECTIONS[k % YOUNG_REFLECTIONS.len()],
                Outlooks::new([Outlook::Work]),
                now,
            )
            .await
            .context("adding reflections")?;
            if let Some(r) = repo.reflection_of(session, *person).await? {
                repo.accept_reflection(r.id, now)
                    .await
                    .context("accepting reflections")?;
            }
        }
    }
    Ok(())
}

/// What the district part of the demo shares with the first subdistrict's.
struct District<'a> {
    hash: &'a str,
    tier_ids: &'a [i64],
    theme_ids: &'a [i64],
    first_community: i64,
    joined: Timestamp,
}

/// Gives an organiser account exactly one unit instead of the default first subdistrict.
async fn regrant(
    repo: &dyn Repository,
    account_id: i64,
    unit: Unit,
    now: Timestamp,
) -> anyhow::Result<()> {
    let line = AuditLine {
        at: now,
        actor: None,
        kind: AuditKind::RolesChanged,
        target: format!("account:{account_id}"),
        address: String::new(),
        user_agent: String::new(),
        outcome: AuditOutcome::Ok,
        detail: "demo".into(),
    };
    repo.grant_unit(account_id, unit, &line).await?;
    let first = repo.subdistricts().await?.first().map(|s| s.id);
    if let Some(first) = first.filter(|f| unit != Unit::Subdistrict(*f)) {
        repo.revoke_unit(account_id, Unit::Subdistrict(first), &line)
            .await?;
    }
    Ok(())
}

/// A second subdistrict (李营街道) with two communities, a dozen cadres and an evening of its
/// own, its organiser, and the party secretary of the first community as that community's
/// organiser.
async fn seed_district(
    repo: &dyn Repository,
    d: &District<'_>,
    now: Timestamp,
) -> anyhow::Result<()> {
    let audit = AuditLine {
        at: now,
        actor: None,
        kind: AuditKind::OrganisationChanged,
        target: String::new(),
        address: String::new(),
        user_agent: String::new(),
        outcome: AuditOutcome::Ok,
        detail: "demo".into(),
    };
    let liying = repo
        .create_subdistrict("李营街道", "李营夜校", &audit)
        .await
        .context("adding the second subdistrict")?;
    let mut communities = Vec::new();
    for name in ["李营社区", "东营社区"] {
        communities.push(repo.add_community(liying, name, &audit).await?);
    }
    let cadres: Vec<NewPerson> = (0..12usize)
        .map(|i| NewPerson {
            name: demo_name(400 + i),
            community_id: Some(communities[i % 2]),
            tier_id: Some(
                d.tier_ids[if i < 2 {
                    0
                } else if i < 6 {
                    1
                } else {
                    2
                }],
            ),
            position: if i < 2 {
                Position::PartySecretary
            } else if i < 6 {
                Position::TwoCommittee
            } else {
                Position::GridWorker
            },
            phone: format!("1380538{:04}", 1000 + i),
        })
        .collect();
    repo.create_people(&cadres, d.joined).await?;
    let staff = [
        ("周强", None, Position::SubdistrictStaff),
        ("孙丽", Some(d.first_community), Position::PartySecretary),
    ];
    let staff: Vec<NewPerson> = staff
        .iter()
        .map(|(name, community_id, position)| NewPerson {
            name: (*name).into(),
            community_id: *community_id,
            tier_id: None,
            position: *position,
            phone: String::new(),
        })
        .collect();
    let staff_ids = repo.create_people(&staff, now).await?;
    for (username, person_id, unit) in [
        ("liying", staff_ids[0], Unit::Subdistrict(liying)),
        (
            "community",
            staff_ids[1],
            Unit::Community(d.first_community),
        ),
    ] {
        let new = NewAccount {
            username: Username::parse(username)?,
            display_name: DisplayName::parse(username)?,
            password_hash: d.hash.to_string(),
            roles: Roles::new([Role::Organiser]),
            person_id: Some(person_id),
            must_change_password: false,
        };
        let id = repo.create_account(&new, None, now).await?;
        regrant(repo, id, unit, now).await?;
    }
    let start =
        Timestamp::from_local(now.local_date() + Duration::days(5), 19, 0).context("local time")?;
    repo.create_session(
        &NewSession {
            subdistrict_id: Some(liying),
            series: "李营夜校".into(),
            title: "网格员业务培训：入户走访与信息采集".into(),
            theme_id: d.theme_ids[1],
            format: SessionFormat::Lecture,
            starts_at: start,
            ends_at: Timestamp(start.0 + 2 * 3600),
            place: "李营街道党群服务中心".into(),
            description_md: String::new(),
            lecturer_ids: Vec::new(),
            audience: Audience::Everyone,
            study_hours: HoursRule::default().hours_for(120),
            hours_overridden: false,
            capacity: None,
            clash_override_reason: None,
        },
        now,
    )
    .await
    .context("adding the second subdistrict's session")?;
    Ok(())
}

const YOUNG_REFLECTIONS: [&str; 3] = [
    "作为网格员，我体会到“小事不出网格”要靠每天走访把情况摸清，群众的诉求要当天登记、及时回应。",
    "学习党代会报告后，我对社区治理的方向更清楚了，要把报告精神和本社区的老旧小区改造结合起来。",
    "这堂课让我认识到依法办事的重要性，今后处理邻里纠纷要先讲清政策，再耐心做好解释和调解。",
];

const PETITIONS_MD: &str = "## 信访维稳专题：依法及时就地解决群众合理诉求

### 一、为什么讲“就地”
群众的诉求大多发生在家门口，**矛盾解决在基层、化解在萌芽**，是新时代“枫桥经验”的核心。

### 二、工作流程
1. 网格员走访发现诉求，当天登记；
2. 社区“两委”三日内研判、分类处理；
3. 疑难问题提交街道联席会议，限时答复。

| 环节 | 责任人 | 时限 |
|---|---|---|
| 登记 | 网格员 | 当天 |
| 研判 | 社区“两委” | 3 日 |
| 答复 | 街道 | 15 日 |

### 三、课后思考
- [ ] 本社区近一年的信访件主要集中在哪些问题？
- [ ] 哪些可以在网格内解决？

延伸阅读：[《信访工作条例》](https://www.gov.cn/zhengce/2022-04/07/content_5683877.htm)
";

const CONGRESS_MD: &str = "## 省第十二次党代会报告专题班

本期集中学习省第十二次党代会报告，结合运河沿线社区实际，谈**怎么学、怎么干**。

- 学习原文，读懂目标任务；
- 对照社区工作，找准结合点；
- 每位学员提交一篇心得体会，围绕思想格局、工作格局、能力格局展开。
";

const PETITIONS_NEXT_MD: &str = "## 信访维稳专题（二）：矛盾纠纷多元化解（讲稿草稿）

- 人民调解、行政调解、司法调解如何衔接
- 案例：邻里噪音纠纷的三次调解
";

const DEMO_REFLECTION: &str = "这次课让我认识到，信访工作的关键在“早”和“小”。以前我们社区遇到邻里纠纷往往等到闹大了才介入，今后要让网格员每天走访时把群众的小事记下来，做到小事不出网格、大事不出社区。";

/// 92 two-committee members (a party secretary and a League secretary in each community
/// among them) and 87 grid workers, spread over the communities and tiers.
fn demo_cadres(community_ids: &[i64], tier_ids: &[i64]) -> Vec<NewPerson> {
    let (lead, strong, young) = (tier_ids[0], tier_ids[1], tier_ids[2]);
    let mut people = Vec::new();
    for i in 0..179usize {
        let community = i % community_ids.len();
        let (position, tier) = match i {
            0..=6 => (Position::PartySecretary, lead),
            7..=11 => (Position::TwoCommittee, if i == 7 { strong } else { lead }),
            12..=18 => (Position::LeagueSecretary, strong),
            19..=91 => (Position::TwoCommittee, strong),
            _ => (Position::GridWorker, young),
        };
        people.push(NewPerson {
            name: demo_name(i),
            community_id: Some(community_ids[community]),
            tier_id: Some(tier),
            position,
            phone: format!("1380537{:04}", 1000 + i),
        });
    }
    people
}

/// Distinct, stable names: 24 surnames times 30 given names.
fn demo_name(i: usize) -> String {
    let surname = SURNAMES[i % SURNAMES.len()];
    let given = GIVEN[(i * 7 + i / SURNAMES.len()) % GIVEN.len()];
    format!("{surname}{given}")
}

/// Mostly present, with some late, on leave or absent; the same every time.
fn demo_status(person: usize, session: usize) -> AttendanceStatus {
    match (person * 31 + session * 17) % 40 {
        0..=1 => AttendanceStatus::Late,
        2..=3 => AttendanceStatus::Excused,
        4 => AttendanceStatus::Absent,
        _ => AttendanceStatus::Present,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn demo_people_match_the_report() {
        let people = demo_cadres(&[1, 2, 3, 4, 5, 6, 7], &[10, 20, 30]);
        let grid = people
            .iter()
            .filter(|p| p.position == Position::GridWorker)
            .count();
        assert_eq!(grid, 87);
        assert_eq!(people.len() - grid, 92);
        for tier in [10, 20, 30] {
            assert!(people.iter().any(|p| p.tier_id == Some(tier)));
        }
        let mut names: Vec<_> = people.iter().map(|p| p.name.clone()).collect();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), 179, "demo names must be distinct");
    }
}
