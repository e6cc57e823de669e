use leptos::prelude::*;

use crate::api::auth::ChangePassword;
use crate::components::layout::{ErrorNote, outcome};
use crate::i18n::{Key, t};

/// Every signed-in person can change their own password.
#[component]
pub fn PasswordPage() -> impl IntoView {
    let change = ServerAction::<ChangePassword>::new();
    let result = move || outcome(change);
    let query = leptos_router::hooks::use_query_map();
    let required = move || query.read().get("required").is_some() && result().is_none();
    view! {
        <section class="card narrow">
            <h1>{t(Key::ChangePassword)}</h1>
            {move || required().then(|| view! { <p class="note" role="status" data-testid="password-required">{t(Key::PasswordRequired)}</p> })}
            {move || match result() {
                Some(Ok(())) => view! { <p class="ok" role="status">{t(Key::PasswordChanged)}</p> }.into_any(),
                Some(Err(e)) => view! { <ErrorNote error=e /> }.into_any(),
                None => ().into_any(),
            }}
            <ActionForm action=change attr:class="stack">
                <label>
                    <span>{t(Key::CurrentPassword)}</span>
                    <input name="current" type="password" autocomplete="current-password" required />
                </label>
                <label>
                    <span>{t(Key::NewPassword)}</span>
                    <input name="new_password" type="password" autocomplete="new-password" minlength="8" required />
                </label>
                <label>
                    <span>{t(Key::NewPasswordAgain)}</span>
                    <input name="new_password_again" type="password" autocomplete="new-password" minlength="8" required />
                </label>
                <button type="submit" class="primary">{t(Key::Save)}</button>
            </ActionForm>
        </section>
    }
}
