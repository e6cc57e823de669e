//! The one-minute card after a session (课程评估) for those who attended, and its results
//! for the session's lecturers and organisers.
use leptos::prelude::*;

use crate::api::evaluation::{SendEvaluation, evaluation_card, evaluation_results, open_cards};
use crate::components::layout::{ErrorDetails, outcome};
use crate::i18n::{Key, session_when, t, tf, use_lang};

/// The levels as the card names them, 1 to 4.
const LEVELS: [(i64, Key); 4] = [
    (4, Key::LevelVeryGood),
    (3, Key::LevelGood),
    (2, Key::LevelFair),
    (1, Key::LevelPoor),
];

/// The card on a session's page, for a cadre who attended it and has not answered.
#[component]
pub fn EvaluationCard(session_id: i64) -> impl IntoView {
    let send = ServerAction::<SendEvaluation>::new();
    let card = Resource::new(
        move || send.version().get(),
        move |_| evaluation_card(session_id),
    );
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                let c = card.await.ok()?;
                let sent = matches!(outcome(send), Some(Ok(())));
                if !c.may_evaluate && !c.answered {
                    return None;
                }
                Some(view! {
                    <section class="card stack" id="evaluation" data-testid="evaluation">
                        <h2>{t(Key::EvaluationTitle)}</h2>
                        {move || outcome(send).and_then(|r| r.err()).map(|e| view! { <ErrorDetails error=e /> })}
                        {(c.answered || sent).then(|| view! { <p class="ok" role="status" data-testid="evaluation-done">{t(Key::EvaluationThanks)}</p> })}
                        {c.may_evaluate.then(|| view! {
                            <p class="hint">{t(Key::EvaluationHint)}</p>
                            <ActionForm action=send attr:class="stack">
                                <input type="hidden" name="session_id" value=session_id />
                                {c.indicators.into_iter().map(|i| view! {
                                    <fieldset class="levels" data-testid="indicator">
                                        <legend>{i.name_zh.clone()}</legend>
                                        {LEVELS.into_iter().map(|(level, key)| view! {
                                            <label class="check">
                                                <input type="radio" name=format!("scores[{}]", i.id) value=level required />
                                                <span>{t(key)}</span>
                                            </label>
                                        }).collect_view()}
                                    </fieldset>
                                }).collect_view()}
                                <label><span>{t(Key::EvaluationWish)}</span>
                                    <textarea name="wish" maxlength="200" rows="2"></textarea>
                                </label>
                                <button type="submit" class="primary" data-testid="evaluation-send">{t(Key::EvaluationSend)}</button>
                            </ActionForm>
                        })}
                    </section>
                })
            })}
        </Suspense>
    }
}

/// The session's results, for its lecturers and organisers.
#[component]
pub fn EvaluationResults(session_id: i64) -> impl IntoView {
    let results = Resource::new(|| (), move |_| evaluation_results(session_id));
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                let r = results.await.ok()?;
                Some(view! {
                    <section class="card stack" data-testid="evaluation-results">
                        <h2>{t(Key::EvaluationResults)}</h2>
                        <p data-testid="evaluation-answers">
                            {tf(Key::EvaluationAnswers, [r.answers.to_string()])}
                            {r.response_percent.map(|p| view! { " · " {tf(Key::EvaluationResponseRate, [format!("{p}%"), r.attended.unwrap_or_default().to_string()])} })}
                        </p>
                        {match r.means {
                            Some(means) => view! {
                                <table class="table" data-testid="evaluation-means">
                                    <tbody>
                                        {means.into_iter().map(|(i, mean)| view! {
                                            <tr><td>{i.name_zh}</td><td>{format!("{}.{}", mean / 10, mean % 10)} " / 4"</td></tr>
                                        }).collect_view()}
                                    </tbody>
                                </table>
                            }.into_any(),
                            None => view! {
                                <p class="muted" data-testid="evaluation-hidden">{tf(Key::EvaluationBelowMinimum, [r.min_answers.to_string()])}</p>
                            }.into_any(),
                        }}
                    </section>
                })
            })}
        </Suspense>
    }
}

/// On the cadre's home: the sessions whose card is still open.
#[component]
pub fn OpenCards() -> impl IntoView {
    let cards = Resource::new(|| (), |_| open_cards());
    let lang = use_lang();
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                let list = cards.await.ok().filter(|l| !l.is_empty())?;
                Some(view! {
                    <section class="card stack" data-testid="open-cards">
                        <h2>{t(Key::EvaluationOpen)}</h2>
                        <ul class="plain">
                            {list.into_iter().map(|c| {
                                let a = c.starts_at;
                                view! {
                                    <li><a href=format!("/sessions/{}#evaluation", c.session_id)>{c.title}</a>
                                        " · " <span class="muted">{move || session_when(lang.get(), a, a)}</span></li>
                                }
                            }).collect_view()}
                        </ul>
                    </section>
                })
            })}
        </Suspense>
    }
}

/// On the planner: what cadres want to learn next, open ones first; an organiser ticks some
/// and ties them to a session ahead, and those who wished are told.
#[component]
pub fn WishesPanel() -> impl IntoView {
    use crate::api::evaluation::{TieWishes, wishes_list};
    let tie = ServerAction::<TieWishes>::new();
    let data = Resource::new(move || tie.version().get(), |_| wishes_list());
    let lang = use_lang();
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                let d = data.await.ok()?;
                if d.wishes.is_empty() {
                    return None;
                }
                let open = d.wishes.iter().any(|w| w.answered_by.is_none());
                Some(view! {
                    <section class="card stack" data-testid="wishes">
                        <h2>{t(Key::WishesTitle)}</h2>
                        <p class="hint">{t(Key::WishesHint)}</p>
                        {move || match outcome(tie) {
                            Some(Ok(())) => Some(view! { <p class="ok" role="status">{t(Key::WishesTied)}</p> }.into_any()),
                            Some(Err(e)) => Some(view! { <ErrorDetails error=e /> }.into_any()),
                            None => None,
                        }}
                        <ActionForm action=tie attr:class="stack">
                            <ul class="plain">
                                {d.wishes.into_iter().map(|w| {
                                    let at = w.created_at;
                                    view! {
                                        <li data-testid="wish">
                                            {match w.answered_by {
                                                None => view! { <label class="check"><input type="checkbox" name="wish_ids[]" value=w.id /><span>{w.body.clone()}</span></label> }.into_any(),
                                                Some((id, title)) => view! {
                                                    <span>{w.body.clone()}</span> " → " <a href=format!("/sessions/{id}")>{title}</a>
                                                }.into_any(),
                                            }}
                                            <span class="muted small">" · " {w.title} " · " {move || session_when(lang.get(), at, at)}</span>
                                        </li>
                                    }
                                }).collect_view()}
                            </ul>
                            {(open && !d.ahead.is_empty()).then(|| view! {
                                <label><span>{t(Key::WishesSession)}</span>
                                    <select name="session_id">
                                        {d.ahead.into_iter().map(|(id, title, at)| view! {
                                            <option value=id>{move || format!("{} · {}", session_when(lang.get(), at, at), title)}</option>
                                        }).collect_view()}
                                    </select>
                                </label>
                                <button type="submit" data-testid="tie-wishes">{t(Key::WishesTie)}</button>
                            })}
                        </ActionForm>
                    </section>
                })
            })}
        </Suspense>
    }
}
