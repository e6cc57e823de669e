use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use crate::api::progress::{ResetPlans, SaveCredits, SaveTier, TierName, programme_plans};
use crate::components::layout::{ErrorDetails, outcome};
use crate::components::rule_holder::HolderBar;
use crate::domain::tier_plan::TierForm;
use crate::i18n::{Key, t, use_lang};

/// Organisers set each tier's target head-count and yearly requirements, and the shares of
/// the hours that late arrival and lecturing earn, for the district or their subdistrict
/// (`?unit=`). The forms post without JavaScript.
#[component]
pub fn ProgrammeTiersPage() -> impl IntoView {
    let query = use_query_map();
    let unit = move || query.read().get("unit").filter(|u| !u.is_empty());
    let save_tier = ServerAction::<SaveTier>::new();
    let save_credits = ServerAction::<SaveCredits>::new();
    let reset = ServerAction::<ResetPlans>::new();
    let plans = Resource::new(
        move || {
            (
                save_tier.version().get(),
                save_credits.version().get(),
                reset.version().get(),
                unit(),
            )
        },
        |(_, _, _, unit)| programme_plans(unit),
    );
    let note = move |v: Option<Result<(), crate::error::AppError>>| {
        v.map(|r| match r {
            Ok(()) => view! { <p class="ok" role="status">{t(Key::Saved)}</p> }.into_any(),
            Err(e) => view! { <ErrorDetails error=e /> }.into_any(),
        })
    };
    view! {
        <h1>{t(Key::TierRequirements)}</h1>
        <p class="actions"><a class="button" href="/organiser/programme">{t(Key::ProgrammeTitle)}</a></p>
        <p class="hint">{t(Key::TierRequirementsHint)}</p>
        {move || note(outcome(save_tier))}
        <Suspense fallback=|| view! { <p class="muted">{t(Key::Loading)}</p> }>
            {move || Suspend::new(async move {
                let p = match plans.await {
                    Ok(p) => p,
                    Err(e) => return view! { <ErrorDetails error=e /> }.into_any(),
                };
                let themes = p.themes.clone();
                let shown = p.holders.shown.clone();
                let resettable = p.holders.subdistrict().is_some() && p.holders.own;
                view! {
                    <HolderBar holders=p.holders.clone() path="/organiser/programme/tiers" />
                    {resettable.then(|| {
                        let unit = shown.clone();
                        view! {
                            <ActionForm action=reset attr:class="row" attr:data-testid="rules-reset">
                                <input type="hidden" name="unit" value=unit />
                                <button type="submit">{t(Key::RulesReset)}</button>
                            </ActionForm>
                        }
                    })}
                    {move || note(outcome(reset))}
                    {p.tiers.into_iter().map(|(tier, form)| tier_form(save_tier, tier, form, themes.clone(), shown.clone())).collect_view()}
                    <section class="card stack" data-testid="credits">
                        <h2>{t(Key::CreditShares)}</h2>
                        {move || note(outcome(save_credits))}
                        <ActionForm action=save_credits attr:class="row">
                            <input type="hidden" name="unit" value=p.holders.shown.clone() />
                            <label><span>{t(Key::LateShareLabel)}</span><input name="late_share" required value=p.late_share /></label>
                            <label><span>{t(Key::LecturingShareLabel)}</span><input name="lecturing_share" required value=p.lecturing_share /></label>
                            <button type="submit" class="primary">{t(Key::Save)}</button>
                        </ActionForm>
                        <p class="hint">{t(Key::CreditSharesHint)}</p>
                    </section>
                }.into_any()
            })}
        </Suspense>
    }
}

fn tier_form(
    action: ServerAction<SaveTier>,
    tier: TierName,
    form: TierForm,
    themes: Vec<TierName>,
    unit: String,
) -> impl IntoView {
    let lang = use_lang();
    let (zh, en) = (tier.name_zh.clone(), tier.name_en.clone());
    view! {
        <section class="card stack" data-testid="tier-plan" data-tier=tier.name_zh.clone()>
            <h2>{move || lang.get().pick(&zh, &en).to_string()}</h2>
            <ActionForm action=action attr:class="stack">
                <input type="hidden" name="form[tier_id]" value=tier.id />
                <input type="hidden" name="unit" value=unit />
                <div class="row">
                    <label><span>{t(Key::TargetCount)}</span><input name="form[target_count]" inputmode="numeric" value=form.target_count /></label>
                    <label><span>{t(Key::MeasureHours)}</span><input name="form[hours]" inputmode="decimal" value=form.hours /></label>
                    <label><span>{t(Key::MinAttendance)}</span><input name="form[attendance_percent]" inputmode="numeric" value=form.attendance_percent /></label>
                    <label><span>{t(Key::MeasureReflections)}</span><input name="form[reflections]" inputmode="numeric" value=form.reflections /></label>
                    <label><span>{t(Key::MeasureTeaching)}</span><input name="form[teaching]" inputmode="numeric" value=form.teaching /></label>
                </div>
                <div class="row">
                    <label><span>{t(Key::ElsewhereRule)}</span>
                        <select name="form[elsewhere]">
                            {[("none", Key::ElsewhereNone), ("up_to", Key::ElsewhereUpTo), ("all", Key::ElsewhereAll)]
                                .into_iter()
                                .map(|(value, label)| {
                                    let selected = form.elsewhere == value;
                                    view! { <option value=value selected=selected>{t(label)}</option> }
                                })
                                .collect_view()}
                        </select>
                    </label>
                    <label><span>{t(Key::ElsewhereCap)}</span><input name="form[elsewhere_cap]" inputmode="decimal" value=form.elsewhere_cap.clone() /></label>
                </div>
                <fieldset class="row">
                    <legend>{t(Key::MeasureThemes)}</legend>
                    {themes.into_iter().map(|th| {
                        let checked = form.themes.contains(&th.id);
                        let (zh, en) = (th.name_zh.clone(), th.name_en.clone());
                        view! {
                            <label class="check">
                                <input type="checkbox" name="form[themes][]" value=th.id checked=checked />
                                <span>{move || lang.get().pick(&zh, &en).to_string()}</span>
                            </label>
                        }
                    }).collect_view()}
                </fieldset>
                <button type="submit" class="primary">{t(Key::Save)}</button>
            </ActionForm>
        </section>
    }
}
