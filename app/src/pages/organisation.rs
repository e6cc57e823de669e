use leptos::prelude::*;

use crate::api::organisation::{
    AddCommunity, AddSubdistrict, RenameSubdistrict, SubdistrictView, organisation_tree,
};
use crate::components::layout::ErrorNote;
use crate::i18n::{Key, t};
use crate::pages::accounts::latest_error;

/// Admins keep the district's tree: its subdistricts (with their lecture series' names)
/// and each subdistrict's communities.
#[component]
pub fn OrganisationPage() -> impl IntoView {
    let add = ServerAction::<AddSubdistrict>::new();
    let rename = ServerAction::<RenameSubdistrict>::new();
    let add_community = ServerAction::<AddCommunity>::new();
    let tree = Resource::new(
        move || {
            (
                add.version().get(),
                rename.version().get(),
                add_community.version().get(),
            )
        },
        |_| organisation_tree(),
    );
    let errors = (
        latest_error(add),
        latest_error(rename),
        latest_error(add_community),
    );
    let error = move || errors.0().or_else(errors.1).or_else(errors.2);
    view! {
        <h1>{t(Key::OrganisationTitle)}</h1>
        <p class="muted">{t(Key::OrganisationIntro)}</p>
        {move || error().map(|e| view! { <ErrorNote error=e /> })}
        <Transition fallback=|| view! { <p class="muted">{t(Key::Loading)}</p> }>
            {move || Suspend::new(async move {
                match tree.await {
                    Ok(list) => view! {
                        <div class="stack" data-testid="organisation">
                            {list.into_iter().map(|s| subdistrict(s, rename, add_community)).collect_view()}
                        </div>
                    }.into_any(),
                    Err(e) => view! { <ErrorNote error=e /> }.into_any(),
                }
            })}
        </Transition>
        <details class="card">
            <summary>{t(Key::AddSubdistrict)}</summary>
            <ActionForm action=add attr:class="stack" attr:data-testid="add-subdistrict">
                <label><span>{t(Key::Subdistrict)}</span><input name="name" required maxlength="40" /></label>
                <label><span>{t(Key::SeriesNameLabel)}</span><input name="series_name" maxlength="40" /></label>
                <button type="submit" class="primary">{t(Key::Create)}</button>
            </ActionForm>
        </details>
    }
}

fn subdistrict(
    s: SubdistrictView,
    rename: ServerAction<RenameSubdistrict>,
    add_community: ServerAction<AddCommunity>,
) -> impl IntoView {
    let id = s.id;
    view! {
        <article class="card stack" data-subdistrict=id>
            <h2>{s.name.clone()}</h2>
            <ActionForm action=rename attr:class="row wrap">
                <input type="hidden" name="id" value=id />
                <label><span>{t(Key::Subdistrict)}</span><input name="name" required maxlength="40" value=s.name.clone() /></label>
                <label><span>{t(Key::SeriesNameLabel)}</span><input name="series_name" maxlength="40" value=s.series_name.clone() /></label>
                <button type="submit">{t(Key::Save)}</button>
            </ActionForm>
            <p class="hint">{t(Key::Communities)} " · " {s.communities.len()}</p>
            <ul class="chips" data-testid="communities">
                {s.communities.into_iter().map(|c| view! { <li class="chip" data-community=c.id>{c.name}</li> }).collect_view()}
            </ul>
            <ActionForm action=add_community attr:class="row">
                <input type="hidden" name="subdistrict_id" value=id />
                <input name="name" required maxlength="40" aria-label=t(Key::AddCommunity) />
                <button type="submit">{t(Key::AddCommunity)}</button>
            </ActionForm>
        </article>
    }
}
