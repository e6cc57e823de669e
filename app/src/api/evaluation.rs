//! 课程评估 and 师资库: the one-minute card after a session, its results for the session's
//! lecturers and organisers (means only once enough answers are in), the wishes ("what I
//! want to learn next") an organiser ties to a new session, the indicators, and the
//! lecturer pool.
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::domain::Timestamp;
use crate::domain::evaluation::Indicator;
use crate::error::AppError;

/// The card of a session for the caller.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct CardData {
    pub may_evaluate: bool,
    pub answered: bool,
    pub indicators: Vec<Indicator>,
}

/// A session whose card the caller may still fill.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OpenCard {
    pub session_id: i64,
    pub title: String,
    pub starts_at: Timestamp,
}

/// A session's results: for its lecturers and organisers.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ResultsData {
    pub answers: i64,
    pub min_answers: i64,
    /// Organisers only: answers over those who attended.
    pub response_percent: Option<i64>,
    pub attended: Option<i64>,
    /// Per indicator, its names and the mean in tenths; none below the minimum.
    pub means: Option<Vec<(Indicator, i64)>>,
}

/// One session a lecturer gave, in the lecturer pool.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GivenLine {
    pub session_id: i64,
    pub title: String,
    pub theme: String,
    pub starts_at: Timestamp,
    pub answers: i64,
    /// The mean over all indicators, in tenths, once enough answers are in.
    pub overall: Option<i64>,
}

/// A lecturer in the pool (师资库): the sessions given, the topics, the means over time.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LecturerLine {
    pub person_id: i64,
    pub name: String,
    pub themes: Vec<String>,
    pub sessions: Vec<GivenLine>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct WishItem {
    pub id: i64,
    pub session_id: i64,
    pub title: String,
    pub body: String,
    pub created_at: Timestamp,
    pub answered_by: Option<(i64, String)>,
}

/// The wishes on the planner, and the sessions ahead an organiser may tie them to.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct WishesData {
    pub wishes: Vec<WishItem>,
    pub ahead: Vec<(i64, String, Timestamp)>,
}

#[cfg(feature = "ssr")]
async fn min_answers(repo: &dyn crate::ssr::db::Repository) -> Result<i64, AppError> {
    use crate::domain::evaluation::{DEFAULT_MIN_ANSWERS, MIN_ANSWERS, MIN_ANSWERS_KEY};
    let book = repo.setting_book().await?;
    Ok(book
        .get(None, MIN_ANSWERS_KEY)
        .and_then(|v| v.trim().parse::<i64>().ok())
        .filter(|v| MIN_ANSWERS.contains(v))
        .unwrap_or(DEFAULT_MIN_ANSWERS))
}

/// The caller's card for a session.
#[server(endpoint = "evaluation_card")]
pub async fn evaluation_card(session_id: i64) -> Result<CardData, AppError> {
    use crate::domain::evaluation::may_evaluate;
    use crate::ssr::guard::{caller, finish, state};
    finish(
        async {
            let user = caller()?;
            let repo = state()?.repo;
            let person = user.account.person_id;
            let Some((door, _)) = repo.door_for(session_id, person).await? else {
                return Err(AppError::NotFound);
            };
            let status = repo.attendance_of(session_id, person).await?.map(|r| r.0);
            let answered = repo.has_evaluated(session_id, person).await?;
            let may = !door.cancelled
                && user.account.roles.has(crate::domain::Role::Cadre)
                && may_evaluate(status, answered, Timestamp::now(), door.ends_at);
            Ok(CardData {
                may_evaluate: may,
                answered,
                indicators: if may {
                    repo.indicators(false).await?
                } else {
                    Vec::new()
                },
            })
        }
        .await,
    )
}

/// The sessions whose card the caller may still fill (attended, ended in the last two
/// weeks, not answered), newest first.
#[server(endpoint = "evaluation_open")]
pub async fn open_cards() -> Result<Vec<OpenCard>, AppError> {
    use crate::domain::evaluation::OPEN_DAYS;
    use crate::ssr::guard::{caller, finish, state};
    finish(
        async {
            let user = caller()?;
            if !user.account.roles.has(crate::domain::Role::Cadre) {
                return Ok(Vec::new());
            }
            let now = Timestamp::now();
            Ok(state()?
                .repo
                .open_cards(
                    user.account.person_id,
                    Timestamp(now.0 - OPEN_DAYS * 86_400),
                    now,
                )
                .await?
                .into_iter()
                .map(|(session_id, title, starts_at)| OpenCard {
                    session_id,
                    title,
                    starts_at: Timestamp(starts_at),
                })
                .collect())
        }
        .await,
    )
}

/// Fills the card: `scores[ID]` a level 1–4 for every indicator, `wish` optional. Once per
/// session and person; anonymous.
#[server(endpoint = "evaluation_send")]
pub async fn send_evaluation(
    session_id: i64,
    #[server(default)] scores: std::collections::BTreeMap<String, String>,
    #[server(default)] wish: String,
) -> Result<(), AppError> {
    use crate::domain::evaluation::{check_card, may_evaluate};
    use crate::domain::policy::Action;
    use crate::error::Conflict;
    use crate::ssr::db::RepoError;
    use crate::ssr::guard::{authorize, finish, state};
    finish(
        async {
            let user = authorize(Action::AttendAsCadre)?;
            let repo = state()?.repo;
            let person = user.account.person_id;
            let Some((door, _)) = repo.door_for(session_id, person).await? else {
                return Err(AppError::NotFound);
            };
            let given: Vec<(i64, String)> = scores
                .into_iter()
                .filter_map(|(k, v)| k.trim().parse::<i64>().ok().map(|k| (k, v)))
                .collect();
            let card = check_card(&repo.indicators(false).await?, &given, &wish)
                .map_err(AppError::Form)?;
            let now = Timestamp::now();
            let status = repo.attendance_of(session_id, person).await?.map(|r| r.0);
            let answered = repo.has_evaluated(session_id, person).await?;
            if answered {
                return Err(AppError::Conflict(Conflict::AlreadyEvaluated));
            }
            if door.cancelled || !may_evaluate(status, false, now, door.ends_at) {
                return Err(AppError::Conflict(Conflict::EvaluationClosed));
            }
            match repo.evaluate(session_id, person, &card, now).await {
                Ok(()) => Ok(()),
                Err(RepoError::Conflict) => Err(AppError::Conflict(Conflict::AlreadyEvaluated)),
                Err(e) => Err(e.into()),
            }
        }
        .await,
    )
}

/// A session's results, for its lecturers and organisers: how many answered, and the
/// means once the minimum is in; organisers also see the response rate.
#[server(endpoint = "evaluation_results")]
pub async fn evaluation_results(session_id: i64) -> Result<ResultsData, AppError> {
    use crate::domain::evaluation::{means, response_percent};
    use crate::ssr::access::{Need, caller_stance};
    use crate::ssr::guard::finish;
    finish(
        async {
            let (_, repo, stance) = caller_stance(session_id, Need::Edit).await?;
            let sums = repo.evaluation_sums(session_id).await?;
            let min = min_answers(repo.as_ref()).await?;
            let indicators = repo.indicators(true).await?;
            let means = means(sums.answers, &sums.sums, min).map(|m| {
                m.into_iter()
                    .filter_map(|(id, mean)| {
                        indicators
                            .iter()
                            .find(|i| i.id == id)
                            .map(|i| (i.clone(), mean))
                    })
                    .collect()
            });
            Ok(ResultsData {
                answers: sums.answers,
                min_answers: min,
                response_percent: stance
                    .organiser
                    .then(|| response_percent(sums.answers, sums.attended))
                    .flatten(),
                attended: stance.organiser.then_some(sums.attended),
                means,
            })
        }
        .await,
    )
}

#[cfg(feature = "ssr")]
fn pool(given: Vec<crate::ssr::db::GivenSession>, min: i64) -> Vec<LecturerLine> {
    let mut out: Vec<LecturerLine> = Vec::new();
    for g in given {
        let overall = crate::domain::evaluation::overall(g.sums.answers, &g.sums.sums, min);
        let line = GivenLine {
            session_id: g.session_id,
            title: g.title,
            theme: g.theme.clone(),
            starts_at: Timestamp(g.starts_at),
            answers: g.sums.answers,
            overall,
        };
        match out.last_mut() {
            Some(l) if l.person_id == g.lecturer_id => {
                if !l.themes.contains(&g.theme) {
                    l.themes.push(g.theme);
                }
                l.sessions.push(line);
            }
            _ => out.push(LecturerLine {
                person_id: g.lecturer_id,
                name: g.lecturer,
                themes: vec![g.theme],
                sessions: vec![line],
            }),
        }
    }
    out
}

/// The lecturer pool (师资库) for organisers: every lecturer of the sessions they hold (and
/// the district's), with the sessions given, the topics and the means over time.
#[server(endpoint = "lecturer_pool")]
pub async fn lecturer_pool() -> Result<Vec<LecturerLine>, AppError> {
    use crate::ssr::guard::{finish, state};
    finish(
        async {
            let organiser = crate::ssr::access::organiser()?;
            let repo = state()?.repo;
            let held = organiser.session_subdistricts();
            let min = min_answers(repo.as_ref()).await?;
            Ok(pool(
                repo.given_sessions(None, held.as_deref(), Timestamp::now())
                    .await?,
                min,
            ))
        }
        .await,
    )
}

/// A lecturer's own sessions given, with their means over time.
#[server(endpoint = "lecturer_mine")]
pub async fn my_evaluations() -> Result<Vec<LecturerLine>, AppError> {
    use crate::domain::policy::Action;
    use crate::ssr::guard::{authorize, finish, state};
    finish(
        async {
            let user = authorize(Action::ViewOwnLectures)?;
            let repo = state()?.repo;
            let min = min_answers(repo.as_ref()).await?;
            Ok(pool(
                repo.given_sessions(Some(user.account.person_id), None, Timestamp::now())
                    .await?,
                min,
            ))
        }
        .await,
    )
}

/// The wishes of sessions the organiser holds (open ones first), and the sessions ahead
/// they organise, to tie wishes to.
#[server(endpoint = "wishes_list")]
pub async fn wishes_list() -> Result<WishesData, AppError> {
    use crate::ssr::guard::{finish, state};
    finish(
        async {
            let organiser = crate::ssr::access::organiser()?;
            let repo = state()?.repo;
            let held = organiser.session_subdistricts();
            let wishes = repo
                .wishes(held.as_deref(), 200)
                .await?
                .into_iter()
                .map(|w| WishItem {
                    id: w.id,
                    session_id: w.session_id,
                    title: w.title,
                    body: w.body,
                    created_at: Timestamp(w.created_at),
                    answered_by: w.answered_by_session.zip(w.answered_title),
                })
                .collect();
            let now = Timestamp::now();
            let ahead = repo
                .sessions_ahead(held.as_deref(), now, Timestamp(now.0 + 90 * 86_400))
                .await?
                .into_iter()
                .map(|(id, title, at)| (id, title, Timestamp(at)))
                .collect();
            Ok(WishesData { wishes, ahead })
        }
        .await,
    )
}

/// Ties wishes (`wish_ids[]`) to a session ahead the organiser organises; each writer is
/// told. How many were tied (wishes tied already are left alone).
#[server(endpoint = "wishes_tie")]
pub async fn tie_wishes(
    session_id: i64,
    #[server(default)] wish_ids: Vec<i64>,
) -> Result<u64, AppError> {
    use crate::domain::org::SessionRight;
    use crate::domain::session_draft::{Field, Problem};
    use crate::ssr::guard::{finish, state};
    finish(
        async {
            let organiser = crate::ssr::access::organiser()?;
            let state = state()?;
            let repo = state.repo.clone();
            organiser
                .session(repo.as_ref(), session_id, SessionRight::Organise)
                .await?;
            if wish_ids.is_empty() || wish_ids.len() > 200 {
                return Err(AppError::field(Field::Wish, Problem::Required));
            }
            let held = organiser.session_subdistricts();
            let mine: Vec<i64> = repo
                .wishes(held.as_deref(), 10_000)
                .await?
                .into_iter()
                .map(|w| w.id)
                .collect();
            if wish_ids.iter().any(|id| !mine.contains(id)) {
                return Err(AppError::NotFound);
            }
            let tied = repo
                .tie_wishes(
                    &wish_ids,
                    session_id,
                    &state.outbox.channels(),
                    Timestamp::now(),
                )
                .await?;
            state.outbox.wake();
            Ok(tied)
        }
        .await,
    )
}

/// The indicators with retired ones, for organisers; whether the caller may change them
/// (organisers of the district), and the fewest answers before means are shown.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct IndicatorTable {
    pub lines: Vec<Indicator>,
    pub may_edit: bool,
    pub min_answers: i64,
}

#[server(endpoint = "evaluation_indicators")]
pub async fn indicator_set() -> Result<IndicatorTable, AppError> {
    use crate::ssr::guard::{finish, state};
    finish(
        async {
            let organiser = crate::ssr::access::organiser()?;
            let repo = state()?.repo;
            Ok(IndicatorTable {
                lines: repo.indicators(true).await?,
                may_edit: organiser.holds_district(),
                min_answers: min_answers(repo.as_ref()).await?,
            })
        }
        .await,
    )
}

/// Adds (`id` 0) or changes an indicator, retiring it with `retired`: organisers of the
/// district only; names of 1–30 characters (the English one may be left out). Audited.
#[server(endpoint = "evaluation_indicator_save")]
pub async fn save_indicator(
    #[server(default)] id: i64,
    name_zh: String,
    #[server(default)] name_en: String,
    #[server(default)] retired: Option<String>,
) -> Result<(), AppError> {
    use crate::domain::audit::{AuditKind, AuditOutcome};
    use crate::domain::evaluation::check_indicator;
    use crate::ssr::guard::{finish, state};
    finish(
        async {
            let organiser = crate::ssr::access::organiser()?;
            organiser.keeps_district_tables("evaluation indicators")?;
            let line = check_indicator(id.max(0), &name_zh, &name_en, retired.is_some())
                .map_err(AppError::Form)?;
            let audit = crate::ssr::audit::with_detail(
                crate::ssr::audit::by(
                    organiser.user(),
                    AuditKind::IndicatorsChanged,
                    AuditOutcome::Ok,
                    &format!("indicator:{}", line.id),
                ),
                serde_json::json!({
                    "name_zh": line.name_zh,
                    "name_en": line.name_en,
                    "retired": line.retired,
                }),
            );
            state()?
                .repo
                .save_indicator(&line, &audit, Timestamp::now())
                .await?
                .map(|_| ())
                .ok_or(AppError::NotFound)
        }
        .await,
    )
}

/// Sets the fewest answers before means are shown (3–30), for the whole install.
#[server(endpoint = "evaluation_minimum_save")]
pub async fn save_min_answers(min_answers: String) -> Result<(), AppError> {
    use crate::domain::evaluation::{MIN_ANSWERS, MIN_ANSWERS_KEY};
    use crate::domain::session_draft::{Field, Problem};
    use crate::domain::settings::RuleHolder;
    use crate::ssr::guard::{finish, state};
    finish(
        async {
            let organiser = crate::ssr::access::organiser()?;
            organiser.keeps_district_tables("evaluation minimum")?;
            let n = min_answers
                .trim()
                .parse::<i64>()
                .ok()
                .filter(|n| MIN_ANSWERS.contains(n))
                .ok_or(AppError::field(Field::MinAnswers, Problem::OutOfRange))?;
            state()?
                .repo
                .save_settings(
                    RuleHolder::District,
                    &[(MIN_ANSWERS_KEY, n.to_string())],
                    Timestamp::now(),
                    &crate::api::settings::settings_line(&organiser, RuleHolder::District),
                )
                .await?;
            Ok(())
        }
        .await,
    )
}
