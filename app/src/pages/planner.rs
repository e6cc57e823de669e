use leptos::either::{Either, EitherOf3};
use leptos::ev::SubmitEvent;
use leptos::prelude::*;

use leptos_router::hooks::{use_params_map, use_query_map};

use crate::api::schedule::{
    Choice, PlannerChoices, SessionTemplate, create_sessions, planner_template, schedule_options,
    update_session,
};
use crate::api::settings::AddTheme;
use crate::components::layout::ErrorNote;
use crate::components::people_picker::PeoplePicker;
use crate::domain::conflicts::Clash;
use crate::domain::schedule::SessionFormat;
use crate::domain::series_edit::EditScope;
use crate::domain::session_draft::{Field, SessionForm};
use crate::error::AppError;
use crate::i18n::{EN_DAYS, Key, Lang, ZH_DAYS, t, use_lang};

type Outcome = Option<Result<Vec<i64>, AppError>>;

/// The message next to `field`, if the last attempt had a problem there.
fn field_note(
    result: impl Get<Value = Outcome> + Copy + Send + Sync + 'static,
    field: Field,
) -> impl IntoView {
    move || {
        let problem = match result.get() {
            Some(Err(AppError::Form(problems))) => problems.into_iter().find(|p| p.field == field),
            _ => None,
        };
        problem
            .map(|p| view! { <span class="field-error" role="alert">{t(p.problem.label())}</span> })
    }
}

fn choice_boxes(
    name: &'static str,
    choices: Vec<Choice>,
    chosen: &[i64],
    lang: RwSignal<Lang>,
) -> impl IntoView + use<> {
    choices
        .into_iter()
        .map(|c| {
            let checked = chosen.contains(&c.id);
            let label = move || lang.get().pick(&c.name_zh, &c.name_en).to_string();
            view! {
                <label class="check">
                    <input type="checkbox" name=name value=c.id checked=checked />
                    <span>{label}</span>
                </label>
            }
        })
        .collect_view()
}

fn clash_list(clashes: Vec<Clash>) -> impl IntoView {
    view! {
        <ul class="clashes" data-testid="clashes">
            {clashes
                .into_iter()
                .map(|c| {
                    let (title, what) = match c {
                        Clash::Lecturer { other_title, .. } => (other_title, Key::ClashLecturer),
                        Clash::Place { other_title, .. } => (other_title, Key::ClashPlace),
                    };
                    view! { <li>{t(Key::ClashWith)} "《" {title} "》 " {t(what)}</li> }
                })
                .collect_view()}
        </ul>
    }
}

/// Reads the planner form. Only the browser submits it: the pickers send lists, which the
/// JSON-encoded server function takes as they are.
#[cfg(feature = "hydrate")]
fn read_form(ev: &SubmitEvent) -> Option<(SessionForm, String, EditScope)> {
    use wasm_bindgen::JsCast;
    let form: web_sys::HtmlFormElement = ev.target()?.dyn_into().ok()?;
    let data = web_sys::FormData::new_with_form(&form).ok()?;
    let text = |name: &str| data.get(name).as_string().unwrap_or_default();
    let ids = |name: &str| -> Vec<i64> {
        data.get_all(name)
            .iter()
            .filter_map(|v| v.as_string()?.parse().ok())
            .collect()
    };
    let form = SessionForm {
        subdistrict_id: text("subdistrict_id"),
        title: text("title"),
        theme_id: text("theme_id"),
        format: text("format"),
        date: text("date"),
        start: text("start"),
        end: text("end"),
        ends_next_day: !text("ends_next_day").is_empty(),
        place: text("place"),
        lecturer_ids: ids("lecturer_ids"),
        everyone: !text("everyone").is_empty(),
        tier_ids: ids("tier_ids"),
        community_ids: ids("community_ids"),
        person_ids: ids("person_ids"),
        capacity: text("capacity"),
        hours: text("hours"),
        description_md: text("description_md"),
        repeat_weekdays: ids("repeat_weekdays")
            .into_iter()
            .filter_map(|d| u8::try_from(d).ok())
            .collect(),
        repeat_until: text("repeat_until"),
        repeat_count: text("repeat_count"),
    };
    let scope = if text("scope") == "following" {
        EditScope::Following
    } else {
        EditScope::This
    };
    Some((form, text("clash_reason"), scope))
}

#[cfg(not(feature = "hydrate"))]
fn read_form(_: &SubmitEvent) -> Option<(SessionForm, String, EditScope)> {
    None
}

/// What the editor does when saved.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
enum Mode {
    /// Schedule new sessions (possibly from a copy).
    New,
    /// Change session `id`.
    Edit(i64),
}

/// What the form starts with: a copy's or the edited session's values, or sensible blanks.
fn initial(template: Option<&SessionTemplate>) -> SessionForm {
    template
        .map(|t| t.form.clone())
        .unwrap_or_else(|| SessionForm {
            start: "19:00".into(),
            end: "21:00".into(),
            everyone: true,
            ..SessionForm::default()
        })
}

/// Organisers schedule one session or a weekly series; `?from=ID` starts from a copy.
#[component]
pub fn PlannerPage() -> impl IntoView {
    let query = use_query_map();
    let from = move || query.read().get("from").and_then(|v| v.parse::<i64>().ok());
    // Everything the editor starts from is read here and handed to the island as props:
    // an island reads no data of its own while the page is rendered.
    let template = Resource::new(from, |from| async move {
        let template = match from {
            Some(id) => Some(planner_template(id).await?),
            None => None,
        };
        Ok::<_, AppError>((template, schedule_options().await?))
    });
    view! {
        <h1>{move || t(if from().is_some() { Key::DuplicateTitle } else { Key::PlannerTitle })()}</h1>
        <Suspense fallback=|| view! { <p class="muted">{t(Key::Loading)}</p> }>
            {move || Suspend::new(async move {
                match template.await {
                    Ok((template, options)) => view! { <SessionEditor mode=Mode::New template options /> }.into_any(),
                    Err(e) => view! { <ErrorNote error=e /> }.into_any(),
                }
            })}
        </Suspense>
        <crate::components::evaluation::WishesPanel />
    }
}

/// Organisers change a session, or it and the rest of its series.
#[component]
pub fn EditSessionPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.read().get("id").and_then(|v| v.parse::<i64>().ok());
    let template = Resource::new(id, |id| async move {
        let template = match id {
            Some(id) => planner_template(id).await?,
            None => return Err(AppError::NotFound),
        };
        Ok((template, schedule_options().await?))
    });
    view! {
        <h1>{t(Key::EditTitle)}</h1>
        <Suspense fallback=|| view! { <p class="muted">{t(Key::Loading)}</p> }>
            {move || Suspend::new(async move {
                match template.await {
                    Ok((tpl, _)) if tpl.cancelled => view! { <ErrorNote error=AppError::Conflict(crate::error::Conflict::SessionCancelled) /> }.into_any(),
                    Ok((tpl, options)) => view! { <SessionEditor mode=Mode::Edit(tpl.id) template=Some(tpl) options /> }.into_any(),
                    Err(e) => view! { <ErrorNote error=e /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// The planner's form, for new sessions and for edits: an island (the pickers, the themes
/// added beside it and the clash confirmation live in the browser; the form is sent as
/// JSON, which is why it needs JavaScript).
#[cfg_attr(any(not(feature = "split"), feature = "bundle-planner"), island)]
#[cfg_attr(all(feature = "split", not(feature = "bundle-planner")), component)]
fn SessionEditor(
    mode: Mode,
    template: Option<SessionTemplate>,
    options: PlannerChoices,
) -> impl IntoView {
    let lang = use_lang();
    // Themes added here join the picker at once, without reloading (and losing) the form.
    let add_theme = ServerAction::<AddTheme>::new();
    let added = RwSignal::new(Vec::<Choice>::new());
    let asked = RwSignal::new(None::<(String, String)>);
    Effect::new(move |_| {
        if let Some(input) = add_theme.input().get() {
            asked.set(Some((input.name_zh, input.name_en)));
        }
    });
    Effect::new(move |_| {
        if let Some(Ok(id)) = add_theme.value().get()
            && let Some((zh, en)) = asked.get_untracked()
            && !added.get_untracked().iter().any(|c: &Choice| c.id == id)
        {
            let (zh, en) = (zh.trim().to_string(), en.trim().to_string());
            let en = if en.is_empty() { zh.clone() } else { en };
            added.update(|a| a.push(Choice::new(id, zh, en)));
        }
    });
    let in_series = template.as_ref().is_some_and(|t| t.in_series);
    let people = template
        .as_ref()
        .map(|t| t.people.clone())
        .unwrap_or_default();
    let f = initial(template.as_ref());
    let save = Action::new(move |input: &(SessionForm, String, EditScope)| {
        let (form, reason, scope) = input.clone();
        async move {
            match mode {
                Mode::New => create_sessions(form, reason).await,
                Mode::Edit(id) => update_session(id, form, scope, reason)
                    .await
                    .map(|n| vec![id; n]),
            }
        }
    });
    let result = save.value();
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if let Some(input) = read_form(&ev) {
            save.dispatch(input);
        }
    };
    let clashes = move || match result.get() {
        Some(Err(AppError::Clashes(c))) => Some(c),
        _ => None,
    };
    let done_key = match mode {
        Mode::New => Key::CreatedSessions,
        Mode::Edit(_) => Key::UpdatedSessions,
    };
    view! {
        {move || match result.get() {
            Some(Ok(ids)) => {
                let first = ids.first().copied().unwrap_or_default();
                EitherOf3::A(view! {
                    <p class="ok" role="status" data-testid="created">
                        {t(done_key)} {ids.len()} " "
                        <a href=format!("/sessions/{first}")>{t(Key::ViewIt)}</a>
                    </p>
                })
            }
            Some(Err(e)) => EitherOf3::B(view! { <ErrorNote error=e /> }),
            None => EitherOf3::C(()),
        }}
        {
                let o = options;
                let theme = f.theme_id.clone();
                let format = f.format.clone();
                view! {
                    <form class="card stack planner" on:submit=submit data-testid="planner">
                        {(matches!(mode, Mode::New) && (o.subdistricts.len() > 1 || o.district)).then(|| view! {
                            <label><span>{t(Key::Subdistrict)}</span>
                                <select name="subdistrict_id" data-testid="planner-subdistrict">
                                    {o.subdistricts.clone().into_iter().map(|c| { let label = move || lang.get().pick(&c.name_zh, &c.name_en).to_string(); view! { <option value=c.id>{label}</option> } }).collect_view()}
                                    {o.district.then(|| view! { <option value=crate::api::schedule::DISTRICT>{t(Key::PlannerDistrictSession)}</option> })}
                                </select>
                            </label>
                        })}
                        <label><span>{t(Key::FieldTitle)}</span><input name="title" required maxlength="120" value=f.title.clone() />{field_note(result, Field::Title)}</label>
                        <div class="row">
                            <label><span>{t(Key::Theme)}</span>
                                <select name="theme_id">
                                    {o.themes.into_iter().map(|c| { let selected = c.id.to_string() == theme; let label = move || lang.get().pick(&c.name_zh, &c.name_en).to_string(); view! { <option value=c.id selected=selected>{label}</option> } }).collect_view()}
                                    {move || added.get().into_iter().map(|c| { let label = move || lang.get().pick(&c.name_zh, &c.name_en).to_string(); view! { <option value=c.id selected=true>{label}</option> } }).collect_view()}
                                </select>
                                {field_note(result, Field::Theme)}
                            </label>
                            <label><span>{t(Key::FieldFormat)}</span>
                                <select name="format">
                                    {SessionFormat::ALL.into_iter().map(|x| view! { <option value=x.as_str() selected=x.as_str() == format>{t(x.label())}</option> }).collect_view()}
                                </select>
                            </label>
                        </div>
                        <div class="row">
                            <label><span>{t(Key::FieldDate)}</span><input name="date" type="date" required value=f.date.clone() />{field_note(result, Field::Date)}</label>
                            <label><span>{t(Key::FieldStart)}</span><input name="start" type="time" value=f.start.clone() required />{field_note(result, Field::Start)}</label>
                            <label><span>{t(Key::FieldEnd)}</span><input name="end" type="time" value=f.end.clone() required />{field_note(result, Field::End)}</label>
                            <label class="check"><input type="checkbox" name="ends_next_day" checked=f.ends_next_day /><span>{t(Key::EndsNextDay)}</span></label>
                        </div>
                        <label><span>{t(Key::Place)}</span><input name="place" value=f.place.clone() /></label>
                        <fieldset><legend>{t(Key::Lecturers)}</legend>{choice_boxes("lecturer_ids", o.lecturers, &f.lecturer_ids, lang)}{field_note(result, Field::Lecturers)}</fieldset>
                        <fieldset>
                            <legend>{t(Key::AudienceLabel)}</legend>
                            <label class="check"><input type="checkbox" name="everyone" checked=f.everyone /><span>{t(Key::Everyone)}</span></label>
                            <p class="hint">{t(Key::Tiers)}</p>{choice_boxes("tier_ids", o.tiers, &f.tier_ids, lang)}
                            <p class="hint">{t(Key::Communities)}</p>{choice_boxes("community_ids", o.communities, &f.community_ids, lang)}
                            <PeoplePicker initial=people />
                            {field_note(result, Field::Audience)}
                        </fieldset>
                        <div class="row">
                            <label><span>{t(Key::Capacity)}</span><input name="capacity" inputmode="numeric" value=f.capacity.clone() />{field_note(result, Field::Capacity)}</label>
                            <label><span>{t(Key::HoursLabel)}</span><input name="hours" inputmode="decimal" value=f.hours.clone() />{field_note(result, Field::Hours)}</label>
                        </div>
                        <p class="hint">{t(Key::HoursHint)}</p>
                        {match mode {
                            Mode::New => EitherOf3::A(view! {
                                <fieldset>
                                    <legend>{t(Key::RepeatLabel)}</legend>
                                    {(0..7u8).map(|d| view! {
                                        <label class="check"><input type="checkbox" name="repeat_weekdays" value=d /><span>{move || lang.get().pick(ZH_DAYS[d as usize], EN_DAYS[d as usize]).to_string()}</span></label>
                                    }).collect_view()}
                                    <div class="row">
                                        <label><span>{t(Key::RepeatUntil)}</span><input name="repeat_until" type="date" /></label>
                                        <label><span>{t(Key::RepeatCount)}</span><input name="repeat_count" inputmode="numeric" /></label>
                                    </div>
                                    {field_note(result, Field::Repeat)}
                                </fieldset>
                            }),
                            Mode::Edit(_) if in_series => EitherOf3::B(view! {
                                <fieldset data-testid="scope">
                                    <legend>{t(Key::ScopeLabel)}</legend>
                                    <label class="check"><input type="radio" name="scope" value="this" checked /><span>{t(Key::ScopeThis)}</span></label>
                                    <label class="check"><input type="radio" name="scope" value="following" /><span>{t(Key::ScopeFollowing)}</span></label>
                                </fieldset>
                            }),
                            Mode::Edit(_) => EitherOf3::C(()),
                        }}
                        <label><span>{t(Key::DescriptionLabel)}</span><textarea name="description_md" rows="6">{f.description_md.clone()}</textarea></label>
                        {move || clashes().map(|c| view! {
                            {clash_list(c)}
                            <label><span>{t(Key::ClashReason)}</span><input name="clash_reason" /></label>
                        })}
                        <button type="submit" class="primary">{t(Key::Save)}</button>
                    </form>
                    {(!o.subdistricts.is_empty()).then(|| theme_form(add_theme, &o.subdistricts))}
                }
        }
    }
}

/// A theme of the organiser's own subdistrict, added beside the planner (the district's
/// shared themes are kept under 课程设置).
fn theme_form(add_theme: ServerAction<AddTheme>, subdistricts: &[Choice]) -> impl IntoView + use<> {
    let lang = use_lang();
    let picker = match subdistricts {
        [one] => Either::Left(view! { <input type="hidden" name="subdistrict_id" value=one.id /> }),
        many => {
            let options = many
                .iter()
                .cloned()
                .map(|c| {
                    let label = move || lang.get().pick(&c.name_zh, &c.name_en).to_string();
                    view! { <option value=c.id>{label}</option> }
                })
                .collect_view();
            Either::Right(view! {
                <label><span>{t(Key::Subdistrict)}</span>
                    <select name="subdistrict_id">{options}</select>
                </label>
            })
        }
    };
    let error = move || match add_theme.value().get() {
        Some(Err(e)) => Some(view! { <ErrorNote error=e /> }),
        _ => None,
    };
    let done = move || matches!(add_theme.value().get(), Some(Ok(_)));
    view! {
        <details class="card" data-testid="own-theme">
            <summary>{t(Key::OwnThemeAdd)}</summary>
            <p class="hint">{t(Key::OwnThemeHint)}</p>
            {error}
            {move || done().then(|| view! { <p class="ok" role="status">{t(Key::OwnThemeAdded)}</p> })}
            <ActionForm action=add_theme attr:class="stack">
                {picker}
                <label><span>{t(Key::ThemeNameZh)}</span><input name="name_zh" required maxlength="40" /></label>
                <label><span>{t(Key::ThemeNameEn)}</span><input name="name_en" maxlength="80" /></label>
                <button type="submit">{t(Key::OwnThemeAdd)}</button>
            </ActionForm>
        </details>
    }
}
