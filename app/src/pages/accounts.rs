use leptos::prelude::*;

use crate::api::accounts::{
    AccountView, CreateAccount, GrantOrganiserUnit, ResetPassword, RevokeOrganiserUnit,
    SetAccountDisabled, SetAccountRoles, UnitChoice, UnlinkIdentity, list_accounts,
    organisation_units,
};
use crate::api::auth::MeResource;
use crate::api::second_factor::{ResetFactor, SaveOrganisersNeedFactor, organisers_need_factor};
use crate::components::layout::{ErrorNote, outcome};
use crate::domain::Role;
use crate::error::AppError;
use crate::i18n::{Key, t, use_lang};

/// The latest failure of any of the page's actions, shown once at the top.
pub(crate) fn latest_error<T>(action: ServerAction<T>) -> impl Fn() -> Option<AppError> + Copy
where
    T: Clone + Send + Sync + 'static + leptos::server_fn::ServerFn<Error = AppError>,
    T::Output: Clone + Send + Sync + 'static,
{
    move || action.value().get().and_then(|r| r.err())
}

/// Four role checkboxes named as the server functions expect.
fn role_boxes(checked: impl Fn(Role) -> bool) -> impl IntoView {
    Role::ALL
        .into_iter()
        .map(|role| {
            view! {
                <label class="check">
                    <input type="checkbox" name=role.as_str() checked=checked(role) />
                    <span>{t(role.label())}</span>
                </label>
            }
        })
        .collect_view()
}

/// Admins create and disable accounts, assign roles and reset passwords.
#[component]
pub fn AccountsPage() -> impl IntoView {
    let create = ServerAction::<CreateAccount>::new();
    let set_roles = ServerAction::<SetAccountRoles>::new();
    let set_disabled = ServerAction::<SetAccountDisabled>::new();
    let reset = ServerAction::<ResetPassword>::new();
    let reset_factor = ServerAction::<ResetFactor>::new();
    let save_factor_rule = ServerAction::<SaveOrganisersNeedFactor>::new();
    let grant = ServerAction::<GrantOrganiserUnit>::new();
    let revoke = ServerAction::<RevokeOrganiserUnit>::new();
    let unlink = ServerAction::<UnlinkIdentity>::new();
    let units = Resource::new(|| (), |_| organisation_units());
    let factor_rule = Resource::new(
        move || save_factor_rule.version().get(),
        |_| organisers_need_factor(),
    );
    let accounts = Resource::new(
        move || {
            (
                create.version().get(),
                set_roles.version().get(),
                set_disabled.version().get(),
                reset.version().get(),
                grant.version().get(),
                revoke.version().get(),
                unlink.version().get(),
            )
        },
        |_| list_accounts(),
    );
    let errors = (
        latest_error(create),
        latest_error(set_roles),
        latest_error(set_disabled),
        latest_error(reset),
        latest_error(reset_factor),
        latest_error(save_factor_rule),
        latest_error(grant),
        latest_error(revoke),
        latest_error(unlink),
    );
    let error = move || {
        errors.0()
            .or_else(errors.1)
            .or_else(errors.2)
            .or_else(errors.3)
            .or_else(errors.4)
            .or_else(errors.5)
            .or_else(errors.6)
            .or_else(errors.7)
            .or_else(errors.8)
    };
    let factor_reset = move || matches!(outcome(reset_factor), Some(Ok(())));
    let created = move || matches!(outcome(create), Some(Ok(())));
    view! {
        <h1>{t(Key::AccountsTitle)}</h1>
        <p class="row wrap">
            <a class="button" href="/admin/audit" data-testid="audit-link">{t(Key::NavAudit)}</a>
            <a class="button" href="/admin/backup" data-testid="backup-link">{t(Key::BackupTitle)}</a>
            <a class="button" href="/admin/organisation" data-testid="organisation-link">{t(Key::OrganisationTitle)}</a>
            <a class="button" href="/organiser/programme/import" data-testid="import-link">{t(Key::ImportCadres)}</a>
        </p>
        <p class="muted">{t(Key::AccountsIntro)}</p>
        {move || error().map(|e| view! { <ErrorNote error=e /> })}
        {move || created().then(|| view! { <p class="ok" role="status">{t(Key::AccountCreated)}</p> })}
        {move || factor_reset().then(|| view! { <p class="ok" role="status" data-testid="factor-reset-done">{t(Key::FactorResetDone)}</p> })}
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                factor_rule.await.ok().map(|on| view! {
                    <ActionForm action=save_factor_rule attr:class="card row wrap" attr:data-testid="factor-rule">
                        <label class="check">
                            <input type="checkbox" name="required" checked=on />
                            <span>{t(Key::FactorOrganisers)}</span>
                        </label>
                        <button type="submit">{t(Key::Save)}</button>
                    </ActionForm>
                })
            })}
        </Suspense>
        <details class="card" open>
            <summary>{t(Key::CreateAccount)}</summary>
            <ActionForm action=create attr:class="stack" attr:data-testid="create-account">
                <label><span>{t(Key::Username)}</span><input name="username" autocapitalize="none" required /></label>
                <label><span>{t(Key::DisplayName)}</span><input name="display_name" required /></label>
                <label><span>{t(Key::InitialPassword)}</span><input name="password" type="password" autocomplete="new-password" minlength="8" required /></label>
                <fieldset class="roles"><legend>{t(Key::Roles)}</legend>{role_boxes(|r| r == Role::Cadre)}</fieldset>
                <button type="submit" class="primary">{t(Key::Create)}</button>
            </ActionForm>
        </details>
        <Transition fallback=|| view! { <p class="muted">{t(Key::Loading)}</p> }>
            {move || Suspend::new(async move {
                let choices = units.await.unwrap_or_default();
                match accounts.await {
                    Ok(list) => view! {
                        <div class="account-list" data-testid="accounts">
                            {list.into_iter().map(|a| {
                                let scope = unit_forms(&a, &choices, grant, revoke);
                                account_row(a, set_roles, set_disabled, reset, reset_factor, unlink, scope)
                            }).collect_view()}
                        </div>
                    }.into_any(),
                    Err(e) => view! { <ErrorNote error=e /> }.into_any(),
                }
            })}
        </Transition>
    }
}

fn account_row(
    a: AccountView,
    set_roles: ServerAction<SetAccountRoles>,
    set_disabled: ServerAction<SetAccountDisabled>,
    reset: ServerAction<ResetPassword>,
    reset_factor: ServerAction<ResetFactor>,
    unlink: ServerAction<UnlinkIdentity>,
    scope: Option<AnyView>,
) -> impl IntoView {
    let me = expect_context::<MeResource>();
    let is_me = move || {
        me.get()
            .and_then(|r| r.ok())
            .flatten()
            .is_some_and(|m| m.account_id == a.id)
    };
    let roles = a.roles.clone();
    let id = a.id;
    let disabled = a.disabled;
    view! {
        <article class="card account" class:disabled=disabled data-username=a.username.clone()>
            <header>
                <strong>{a.display_name.clone()}</strong>
                {move || is_me().then(|| t(Key::You))}
                <code>{a.username.clone()}</code>
                <span class="chip" class:danger=disabled>
                    {t(if disabled { Key::Disabled } else { Key::Active })}
                </span>
            </header>
            <ActionForm action=set_roles attr:class="row">
                <input type="hidden" name="id" value=id />
                {role_boxes(move |r| roles.has(r))}
                <button type="submit">{t(Key::SaveRoles)}</button>
            </ActionForm>
            {scope}
            {a.identity.clone().map(|linked_by| view! {
                <div class="row" data-testid="identity-link">
                    <span>{t(Key::IdentityLinkedAs)}</span>
                    <code>{linked_by}</code>
                    <ActionForm action=unlink attr:class="inline">
                        <input type="hidden" name="id" value=id />
                        <button type="submit">{t(Key::IdentityUnlink)}</button>
                    </ActionForm>
                </div>
            })}
            <div class="row">
                <ActionForm action=set_disabled attr:class="inline">
                    <input type="hidden" name="id" value=id />
                    <input type="hidden" name="disabled" value=(!disabled).to_string() />
                    <button type="submit" class:danger=!disabled>
                        {t(if disabled { Key::Enable } else { Key::Disable })}
                    </button>
                </ActionForm>
                <details>
                    <summary>{t(Key::ResetPassword)}</summary>
                    <ActionForm action=reset attr:class="row">
                        <input type="hidden" name="id" value=id />
                        <input name="password" type="password" autocomplete="new-password" minlength="8" required aria-label=t(Key::NewPassword) />
                        <button type="submit">{t(Key::Save)}</button>
                    </ActionForm>
                </details>
                <ActionForm action=reset_factor attr:class="inline">
                    <input type="hidden" name="account_id" value=id />
                    <button type="submit">{t(Key::FactorReset)}</button>
                </ActionForm>
            </div>
        </article>
    }
}

/// An organiser's grants, each with a button to take it away, and a picker to add one.
fn unit_forms(
    a: &AccountView,
    choices: &[UnitChoice],
    grant: ServerAction<GrantOrganiserUnit>,
    revoke: ServerAction<RevokeOrganiserUnit>,
) -> Option<AnyView> {
    if !a.roles.has(Role::Organiser) || choices.is_empty() {
        return None;
    }
    let lang = use_lang();
    let id = a.id;
    let name = |c: &UnitChoice| label(lang, c);
    let held = a
        .units
        .iter()
        .filter_map(|u| choices.iter().find(|c| c.unit == *u).cloned())
        .map(|c| {
            view! {
                <li class="row" data-unit=c.unit.token()>
                    <span>{name(&c)}</span>
                    <ActionForm action=revoke attr:class="inline">
                        <input type="hidden" name="id" value=id />
                        <input type="hidden" name="unit" value=c.unit.token() />
                        <button type="submit">{t(Key::RevokeUnit)}</button>
                    </ActionForm>
                </li>
            }
        })
        .collect_view();
    let none = a
        .units
        .is_empty()
        .then(|| view! { <li class="muted">{t(Key::NoOrganiserUnit)}</li> });
    let options = choices
        .iter()
        .filter(|c| !a.units.contains(&c.unit))
        .map(|c| view! { <option value=c.unit.token()>{name(c)}</option> })
        .collect_view();
    Some(
        view! {
            <div class="stack" data-testid="organiser-units">
                <strong>{t(Key::OrganiserUnits)}</strong>
                <ul class="plain">{held}{none}</ul>
                <ActionForm action=grant attr:class="row">
                    <input type="hidden" name="id" value=id />
                    <select name="unit" aria-label=t(Key::OrganiserUnits)>{options}</select>
                    <button type="submit">{t(Key::GrantUnit)}</button>
                </ActionForm>
            </div>
        }
        .into_any(),
    )
}

fn label(lang: RwSignal<crate::i18n::Lang>, c: &UnitChoice) -> impl Fn() -> String + use<> {
    let (zh, en) = (c.name_zh.clone(), c.name_en.clone());
    move || lang.get().pick(&zh, &en).to_string()
}
