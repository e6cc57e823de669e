//! 师资库: the lecturers of the sessions an organiser holds, with the sessions given, the
//! topics and the evaluation means over time; and the evaluation's indicators.
use leptos::either::Either;
use leptos::prelude::*;

use crate::api::evaluation::{
    LecturerLine, SaveIndicator, SaveMinAnswers, indicator_set, lecturer_pool,
};
use crate::components::layout::{ErrorDetails, ErrorNote, outcome};
use crate::domain::evaluation::{INDICATOR_CHARS, Indicator};
use crate::i18n::{Key, session_when, t, tf, use_lang};

fn tenths(v: i64) -> String {
    format!("{}.{}", v / 10, v % 10)
}

/// One lecturer: topics, and each session given with its mean once enough answers are in.
pub fn lecturer_view(l: LecturerLine) -> impl IntoView {
    let lang = use_lang();
    let rated: Vec<i64> = l.sessions.iter().filter_map(|s| s.overall).collect();
    let average = (!rated.is_empty()).then(|| rated.iter().sum::<i64>() / rated.len() as i64);
    let name = l.name.clone();
    view! {
        <section class="card stack" data-testid="lecturer" data-name=name>
            <h2>{l.name}</h2>
            <p class="muted">
                {tf(Key::PoolSessionsGiven, [l.sessions.len().to_string()])}
                {average.map(|a| view! { " · " {tf(Key::PoolAverage, [tenths(a)])} })}
            </p>
            <p class="chips">{l.themes.into_iter().map(|th| view! { <span class="chip theme">{th}</span> }).collect_view()}</p>
            <table class="table">
                <thead><tr><th>{t(Key::DateLabel)}</th><th>{t(Key::Session)}</th><th>{t(Key::Theme)}</th><th>{t(Key::PoolAnswers)}</th><th>{t(Key::PoolMean)}</th></tr></thead>
                <tbody>
                    {l.sessions.into_iter().map(|s| {
                        let a = s.starts_at;
                        view! {
                            <tr>
                                <td>{move || session_when(lang.get(), a, a)}</td>
                                <td><a href=format!("/sessions/{}", s.session_id)>{s.title}</a></td>
                                <td>{s.theme}</td>
                                <td>{s.answers}</td>
                                <td data-testid="pool-mean">{s.overall.map(tenths).unwrap_or_else(|| "—".into())}</td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </section>
    }
}

#[component]
pub fn LecturerPoolPage() -> impl IntoView {
    let pool = Resource::new(|| (), |_| lecturer_pool());
    view! {
        <h1>{t(Key::PoolTitle)}</h1>
        <p class="hint">{t(Key::PoolHint)}</p>
        <Suspense fallback=|| view! { <p class="muted">{t(Key::Loading)}</p> }>
            {move || Suspend::new(async move {
                match pool.await {
                    Ok(list) if list.is_empty() => Either::Left(view! { <p class="muted">{t(Key::PoolEmpty)}</p> }),
                    Ok(list) => Either::Right(Either::Left(list.into_iter().map(lecturer_view).collect_view())),
                    Err(e) => Either::Right(Either::Right(view! { <ErrorNote error=e /> })),
                }
            })}
        </Suspense>
        <Indicators />
    }
}

/// The card's indicators: district organisers add, rename and retire them, and set the
/// fewest answers before means are shown; the others read them.
#[component]
fn Indicators() -> impl IntoView {
    let save = ServerAction::<SaveIndicator>::new();
    let minimum = ServerAction::<SaveMinAnswers>::new();
    let set = Resource::new(
        move || (save.version().get(), minimum.version().get()),
        |_| indicator_set(),
    );
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                let s = set.await.ok()?;
                Some(view! {
                    <section class="card stack" data-testid="indicators">
                        <h2>{t(Key::IndicatorsTitle)}</h2>
                        <p class="hint">{tf(Key::IndicatorsHint, [s.min_answers.to_string()])}</p>
                        {move || outcome(save).and_then(|r| r.err()).map(|e| view! { <ErrorDetails error=e /> })}
                        {move || outcome(minimum).and_then(|r| r.err()).map(|e| view! { <ErrorDetails error=e /> })}
                        {if s.may_edit {
                            Either::Left(view! {
                                <ul class="plain stack">
                                    {s.lines.into_iter().map(|i| view! { <li>{indicator_form(i, save)}</li> }).collect_view()}
                                </ul>
                                <h3>{t(Key::IndicatorAdd)}</h3>
                                {indicator_form(Indicator { id: 0, name_zh: String::new(), name_en: String::new(), retired: false }, save)}
                                <ActionForm action=minimum attr:class="row">
                                    <label><span>{t(Key::MinAnswersLabel)}</span>
                                        <input name="min_answers" inputmode="numeric" size="3" required value=s.min_answers />
                                    </label>
                                    <button type="submit">{t(Key::Save)}</button>
                                </ActionForm>
                            })
                        } else {
                            Either::Right(view! {
                                <ul class="plain">
                                    {s.lines.into_iter().filter(|i| !i.retired).map(|i| view! { <li>{i.name_zh}</li> }).collect_view()}
                                </ul>
                            })
                        }}
                    </section>
                })
            })}
        </Suspense>
    }
}

fn indicator_form(i: Indicator, save: ServerAction<SaveIndicator>) -> impl IntoView {
    let new = i.id == 0;
    let name_en = if i.name_en == i.name_zh {
        String::new()
    } else {
        i.name_en.clone()
    };
    view! {
        <ActionForm action=save attr:class="row wrap">
            <input type="hidden" name="id" value=i.id />
            <label><span>{t(Key::ConversionNameZh)}</span><input name="name_zh" required maxlength=INDICATOR_CHARS.to_string() value=i.name_zh /></label>
            <label><span>{t(Key::ConversionNameEn)}</span><input name="name_en" maxlength=INDICATOR_CHARS.to_string() value=name_en /></label>
            {(!new).then(|| view! {
                <label class="check"><input type="checkbox" name="retired" value="1" checked=i.retired /><span>{t(Key::ConversionRetired)}</span></label>
            })}
            <button type="submit">{t(if new { Key::IndicatorAdd } else { Key::Save })}</button>
        </ActionForm>
    }
}
