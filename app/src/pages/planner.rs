use leptos::ev::SubmitEvent;
use leptos::prelude::*;

use crate::api::schedule::{Choice, create_sessions, schedule_options};
use crate::components::layout::ErrorNote;
use crate::domain::conflicts::Clash;
use crate::domain::schedule::SessionFormat;
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

fn choice_boxes(name: &'static str, choices: Vec<Choice>, lang: RwSignal<Lang>) -> impl IntoView {
    choices
        .into_iter()
        .map(|c| {
            let label = move || lang.get().pick(&c.name_zh, &c.name_en).to_string();
            view! {
                <label class="check">
                    <input type="checkbox" name=name value=c.id />
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
fn read_form(ev: &SubmitEvent) -> Option<(SessionForm, String)> {
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
        person_ids: Vec::new(),
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
    Some((form, text("clash_reason")))
}

#[cfg(not(feature = "hydrate"))]
fn read_form(_: &SubmitEvent) -> Option<(SessionForm, String)> {
    None
}

/// Organisers schedule one session or a weekly series.
#[component]
pub fn PlannerPage() -> impl IntoView {
    let lang = use_lang();
    let options = Resource::new(|| (), |_| schedule_options());
    let create = Action::new(|input: &(SessionForm, String)| {
        let (form, reason) = input.clone();
        async move { create_sessions(form, reason).await }
    });
    let result = create.value();
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if let Some(input) = read_form(&ev) {
            create.dispatch(input);
        }
    };
    let clashes = move || match result.get() {
        Some(Err(AppError::Clashes(c))) => Some(c),
        _ => None,
    };
    view! {
        <h1>{t(Key::PlannerTitle)}</h1>
        {move || match result.get() {
            Some(Ok(ids)) => view! { <p class="ok" role="status" data-testid="created">{t(Key::CreatedSessions)} {ids.len()}</p> }.into_any(),
            Some(Err(e)) => view! { <ErrorNote error=e /> }.into_any(),
            None => ().into_any(),
        }}
        <Suspense fallback=|| view! { <p class="muted">{t(Key::Loading)}</p> }>
            {move || Suspend::new(async move {
                let o = match options.await {
                    Ok(o) => o,
                    Err(e) => return view! { <ErrorNote error=e /> }.into_any(),
                };
                view! {
                    <form class="card stack planner" on:submit=submit data-testid="planner">
                        <label><span>{t(Key::FieldTitle)}</span><input name="title" required maxlength="120" />{field_note(result, Field::Title)}</label>
                        <div class="row">
                            <label><span>{t(Key::Theme)}</span>
                                <select name="theme_id">
                                    {o.themes.into_iter().map(|c| { let label = move || lang.get().pick(&c.name_zh, &c.name_en).to_string(); view! { <option value=c.id>{label}</option> } }).collect_view()}
                                </select>
                                {field_note(result, Field::Theme)}
                            </label>
                            <label><span>{t(Key::FieldFormat)}</span>
                                <select name="format">
                                    {SessionFormat::ALL.into_iter().map(|f| view! { <option value=f.as_str()>{t(f.label())}</option> }).collect_view()}
                                </select>
                            </label>
                        </div>
                        <div class="row">
                            <label><span>{t(Key::FieldDate)}</span><input name="date" type="date" required />{field_note(result, Field::Date)}</label>
                            <label><span>{t(Key::FieldStart)}</span><input name="start" type="time" value="19:00" required />{field_note(result, Field::Start)}</label>
                            <label><span>{t(Key::FieldEnd)}</span><input name="end" type="time" value="21:00" required />{field_note(result, Field::End)}</label>
                            <label class="check"><input type="checkbox" name="ends_next_day" /><span>{t(Key::EndsNextDay)}</span></label>
                        </div>
                        <label><span>{t(Key::Place)}</span><input name="place" /></label>
                        <fieldset><legend>{t(Key::Lecturers)}</legend>{choice_boxes("lecturer_ids", o.lecturers, lang)}{field_note(result, Field::Lecturers)}</fieldset>
                        <fieldset>
                            <legend>{t(Key::AudienceLabel)}</legend>
                            <label class="check"><input type="checkbox" name="everyone" checked /><span>{t(Key::Everyone)}</span></label>
                            <p class="hint">{t(Key::Tiers)}</p>{choice_boxes("tier_ids", o.tiers, lang)}
                            <p class="hint">{t(Key::Communities)}</p>{choice_boxes("community_ids", o.communities, lang)}
                            {field_note(result, Field::Audience)}
                        </fieldset>
                        <div class="row">
                            <label><span>{t(Key::Capacity)}</span><input name="capacity" inputmode="numeric" />{field_note(result, Field::Capacity)}</label>
                            <label><span>{t(Key::HoursLabel)}</span><input name="hours" inputmode="decimal" />{field_note(result, Field::Hours)}</label>
                        </div>
                        <p class="hint">{t(Key::HoursHint)}</p>
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
                        <label><span>{t(Key::DescriptionLabel)}</span><textarea name="description_md" rows="4"></textarea></label>
                        {move || clashes().map(|c| view! {
                            {clash_list(c)}
                            <label><span>{t(Key::ClashReason)}</span><input name="clash_reason" /></label>
                        })}
                        <button type="submit" class="primary">{t(Key::Save)}</button>
                    </form>
                }.into_any()
            })}
        </Suspense>
    }
}
