use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use crate::api::settings::{
    AddTheme, ResetSettings, SaveAttendanceRules, SaveHoursRule, settings_overview,
};
use crate::components::layout::{ErrorDetails, outcome};
use crate::components::rule_holder::HolderBar;
use crate::i18n::{Key, t, use_lang};

/// Organisers set the study-hours rule, the attendance rules and the door's safeguards of
/// the district or of their subdistrict (`?unit=`), and add themes.
#[component]
pub fn SettingsPage() -> impl IntoView {
    let lang = use_lang();
    let query = use_query_map();
    let unit = move || query.read().get("unit").filter(|u| !u.is_empty());
    let save_rule = ServerAction::<SaveHoursRule>::new();
    let add_theme = ServerAction::<AddTheme>::new();
    let save_attendance = ServerAction::<SaveAttendanceRules>::new();
    let save_leave = ServerAction::<crate::api::settings::SaveLeaveRules>::new();
    let save_door = ServerAction::<crate::api::settings::SaveDoorSettings>::new();
    let reset = ServerAction::<ResetSettings>::new();
    let renew = ServerAction::<crate::api::settings::RenewDoorKey>::new();
    let door = Resource::new(
        move || (save_door.version().get(), reset.version().get(), unit()),
        |(_, _, unit)| crate::api::settings::door_settings(unit),
    );
    let settings = Resource::new(
        move || {
            (
                save_rule.version().get(),
                add_theme.version().get(),
                save_attendance.version().get(),
                save_door.version().get(),
                reset.version().get(),
                renew.version().get(),
                unit(),
                save_leave.version().get(),
            )
        },
        |(_, _, _, _, _, _, unit, _)| settings_overview(unit),
    );
    let note = move |v: Option<Result<(), crate::error::AppError>>| {
        v.map(|r| match r {
            Ok(()) => view! { <p class="ok" role="status">{t(Key::Saved)}</p> }.into_any(),
            Err(e) => view! { <ErrorDetails error=e /> }.into_any(),
        })
    };
    view! {
        <h1>{t(Key::SettingsTitle)}</h1>
        <Suspense fallback=|| view! { <p class="muted">{t(Key::Loading)}</p> }>
            {move || Suspend::new(async move {
                let s = match settings.await {
                    Ok(s) => s,
                    Err(e) => return view! { <ErrorDetails error=e /> }.into_any(),
                };
                let shown = s.holders.shown.clone();
                let sub = s.holders.subdistrict();
                let own = s.holders.own;
                let (unit_rule, unit_attendance, unit_leave, unit_door) =
                    (shown.clone(), shown.clone(), shown.clone(), shown);
                view! {
                    <HolderBar holders=s.holders.clone() path="/organiser/settings" />
                    {(sub.is_some() && own).then(|| {
                        let unit = s.holders.shown.clone();
                        view! {
                            <ActionForm action=reset attr:class="row" attr:data-testid="rules-reset">
                                <input type="hidden" name="unit" value=unit />
                                <button type="submit">{t(Key::RulesReset)}</button>
                            </ActionForm>
                        }
                    })}
                    {move || note(outcome(reset))}
                    <section class="card stack" data-testid="hours-rule">
                        <h2>{t(Key::HoursLabel)}</h2>
                        {move || note(outcome(save_rule))}
                        <ActionForm action=save_rule attr:class="row">
                            <input type="hidden" name="unit" value=unit_rule />
                            <label><span>{t(Key::HoursRuleLabel)}</span>
                                <input name="minutes" inputmode="numeric" required value=s.minutes_per_hour />
                            </label>
                            <button type="submit" class="primary">{t(Key::Save)}</button>
                        </ActionForm>
                        <p class="hint">{t(Key::HoursRuleHint)}</p>
                    </section>
                    <section class="card stack" data-testid="attendance-rules">
                        <h2>{t(Key::AttendanceRules)}</h2>
                        {move || note(outcome(save_attendance))}
                        <ActionForm action=save_attendance attr:class="row">
                            <input type="hidden" name="unit" value=unit_attendance />
                            <label><span>{t(Key::LeaveCapLabel)}</span>
                                <input name="leave_cap" required value=s.leave_cap.clone() />
                            </label>
                            <label><span>{t(Key::MakeUpShareLabel)}</span>
                                <input name="make_up_share" required value=s.make_up_share.clone() />
                            </label>
                            <button type="submit" class="primary">{t(Key::Save)}</button>
                        </ActionForm>
                        <p class="hint">{t(Key::AttendanceRulesHint)}</p>
                    </section>
                    <section class="card stack" data-testid="leave-rules">
                        <h2>{t(Key::LeaveRulesTitle)}</h2>
                        {move || note(outcome(save_leave))}
                        <ActionForm action=save_leave attr:class="row wrap">
                            <input type="hidden" name="unit" value=unit_leave />
                            <label><span>{t(Key::LeaveAfterDays)}</span>
                                <input name="after_days" inputmode="numeric" size="3" required value=s.leave_rules.after_days />
                            </label>
                            <label><span>{t(Key::DutyMakeUpDays)}</span>
                                <input name="duty_make_up_days" inputmode="numeric" size="3" required value=s.leave_rules.duty_make_up_days />
                            </label>
                            <label><span>{t(Key::CorrectionDays)}</span>
                                <input name="correction_days" inputmode="numeric" size="3" required value=s.correction_rules.days />
                            </label>
                            <label><span>{t(Key::CorrectionQuota)}</span>
                                <input name="correction_quota" inputmode="numeric" size="3" required value=s.correction_rules.quota />
                            </label>
                            <label class="check">
                                <input type="checkbox" name="duty_outside_cap" value="1" checked=s.leave_rules.duty_outside_cap />
                                <span>{t(Key::DutyOutsideCap)}</span>
                            </label>
                            <button type="submit" class="primary">{t(Key::Save)}</button>
                        </ActionForm>
                    </section>
                    <SeriesCaps />
                    <Suspense fallback=|| ()>
                        {move || {
                            let unit = unit_door.clone();
                            Suspend::new(async move {
                            let renew_unit = unit.clone();
                            door.await.ok().map(|d| view! {
                                <section class="card stack" data-testid="door-settings">
                                    <h2>{t(Key::DoorSettingsTitle)}</h2>
                                    {move || note(outcome(save_door))}
                                    <ActionForm action=save_door attr:class="stack">
                                        <input type="hidden" name="unit" value=unit.clone() />
                                        <label><span>{t(Key::VenueNetworksLabel)}</span>
                                            <textarea name="venue_networks" rows="3" maxlength="2000">{d.venue_networks.clone()}</textarea>
                                        </label>
                                        <p class="hint">{t(Key::VenueNetworksHint)}</p>
                                        <label class="check">
                                            <input type="checkbox" name="confirm_walk_ins" checked=d.confirm_walk_ins />
                                            <span>{t(Key::ConfirmWalkInsLabel)}</span>
                                        </label>
                                        <button type="submit" class="primary">{t(Key::Save)}</button>
                                    </ActionForm>
                                    <ActionForm action=renew attr:class="row" attr:data-testid="door-key-renew">
                                        <input type="hidden" name="unit" value=renew_unit />
                                        <button type="submit">{t(Key::DoorKeyRenew)}</button>
                                    </ActionForm>
                                    {move || note(outcome(renew))}
                                    <p class="hint">{t(Key::DoorKeyRenewHint)}</p>
                                </section>
                            })
                        })}}
                    </Suspense>
                    <section class="card stack" data-testid="themes">
                        <h2>{t(Key::ThemesTitle)}</h2>
                        <ul class="chips">
                            {s.themes.into_iter().map(|c| view! {
                                <li class="chip theme">{move || lang.get().pick(&c.name_zh, &c.name_en).to_string()}</li>
                            }).collect_view()}
                        </ul>
                        {move || note(outcome(add_theme))}
                        <ActionForm action=add_theme attr:class="row">
                            {sub.map(|id| view! { <input type="hidden" name="subdistrict_id" value=id /> })}
                            <label><span>{t(Key::ThemeNameZh)}</span><input name="name_zh" required maxlength="40" /></label>
                            <label><span>{t(Key::ThemeNameEn)}</span><input name="name_en" maxlength="80" /></label>
                            <button type="submit">{t(Key::AddTheme)}</button>
                        </ActionForm>
                    </section>
                }.into_any()
            })}
        </Suspense>
        <crate::pages::inbox::MessageBudgetPanel />
    }
}

/// The series run as special classes (专题班): leave past the cap there means withdrawal.
#[component]
fn SeriesCaps() -> impl IntoView {
    use crate::api::attendance::{SetSeriesCap, series_caps};
    let set = ServerAction::<SetSeriesCap>::new();
    let list = Resource::new(move || set.version().get(), |_| series_caps());
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                list.await.ok().filter(|l| !l.is_empty()).map(|l| view! {
                    <section class="card stack" data-testid="series-caps">
                        <h2>{t(Key::SeriesCapsTitle)}</h2>
                        <p class="hint">{t(Key::SeriesCapsHint)}</p>
                        {move || set.value().get().and_then(|r| r.err()).map(|e| view! { <ErrorDetails error=e /> })}
                        <ul class="plain stack">
                            {l.into_iter().map(|c| {
                                let name = c.series.clone();
                                view! {
                                    <li>
                                        <ActionForm action=set attr:class="row">
                                            <input type="hidden" name="series" value=c.series.clone() />
                                            <label class="check">
                                                <input type="checkbox" name="capped" value="1" checked=c.capped disabled=!c.may_set />
                                                <span>{name}</span>
                                            </label>
                                            {c.may_set.then(|| view! { <button type="submit">{t(Key::Save)}</button> })}
                                        </ActionForm>
                                    </li>
                                }
                            }).collect_view()}
                        </ul>
                    </section>
                })
            })}
        </Suspense>
    }
}
