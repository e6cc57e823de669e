use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

use crate::api::materials::{HistoryData, RestoreMaterial, material_history};
use crate::components::layout::{ErrorDetails, outcome};
use crate::components::material::publication_label;
use crate::error::AppError;
use crate::i18n::{Key, t, tf};

/// Every saved version of a session's material, newest first, for organisers: what it said,
/// who saved it when, and restoring an earlier one (saved again as the newest version, so
/// nothing is lost by restoring either).
#[component]
pub fn MaterialHistoryPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.read().get("id").and_then(|v| v.parse::<i64>().ok());
    let restore = ServerAction::<RestoreMaterial>::new();
    let history = Resource::new(
        move || (id(), restore.version().get()),
        |(id, _)| async move {
            match id {
                Some(id) => material_history(id).await,
                None => Err(AppError::NotFound),
            }
        },
    );
    view! {
        {move || restore.value().get().and_then(Result::err).map(|e| view! { <ErrorDetails error=e /> })}
        <Transition fallback=|| view! { <p class="muted">{t(Key::Loading)}</p> }>
            {move || Suspend::new(async move {
                match history.await {
                    Ok(h) => history_view(h, restore).into_any(),
                    Err(e) => view! { <h1>{t(Key::VersionHistory)}</h1><ErrorDetails error=e /> }.into_any(),
                }
            })}
        </Transition>
    }
}

fn history_view(h: HistoryData, restore: ServerAction<RestoreMaterial>) -> impl IntoView {
    let id = h.session_id;
    let current = h.current;
    // The restored text is saved as the newest version: the action's answer, or after a
    // plain form post the current version.
    let restored = move || match outcome(restore) {
        Some(Ok(())) => Some(
            restore
                .value()
                .get()
                .and_then(Result::ok)
                .unwrap_or(current),
        ),
        _ => None,
    };
    view! {
        {move || restored().map(|v| view! { <p class="ok" role="status" data-testid="restored">{tf(Key::SavedVersion, [v.to_string()])}</p> })}
        <p class="muted"><a href=format!("/sessions/{id}")>{h.title.clone()}</a></p>
        <h1>{t(Key::VersionHistory)}</h1>
        <p class="actions"><a class="button" href=format!("/sessions/{id}/material/edit")>{t(Key::EditMaterial)}</a></p>
        {h.versions.is_empty().then(|| view! { <p class="muted">{t(Key::NoMaterial)}</p> })}
        <ol class="versions stack" data-testid="versions">
            {h.versions.into_iter().map(|v| view! {
                <li class="card stack" data-testid="version">
                    <p>
                        <strong>{t(Key::VersionLabel)} " " {v.version}</strong>
                        {(v.version == current).then(|| view! { " " <span class="chip ok">{t(Key::CurrentVersion)}</span> })}
                        " · " <span class="chip">{t(publication_label(v.publication))}</span>
                        " · " {v.saved_by.clone()} " · " {v.saved_at.local_date().to_string()} " " {v.saved_at.hh_mm()}
                        " · " {v.chars} " " {t(Key::CharsUnit)}
                        {v.restored_from.map(|f| view! { " · " {t(Key::RestoredFrom)} " " {f} })}
                    </p>
                    <details>
                        <summary>{t(Key::ShowVersion)}</summary>
                        <div class="markdown" inner_html=v.html />
                    </details>
                    {(v.version != current).then(|| view! {
                        <ActionForm action=restore attr:class="inline">
                            <input type="hidden" name="session_id" value=id />
                            <input type="hidden" name="version" value=v.version />
                            <input type="hidden" name="base_version" value=current />
                            <button type="submit" data-testid=format!("restore-{}", v.version)>{t(Key::RestoreVersion)}</button>
                        </ActionForm>
                    })}
                </li>
            }).collect_view()}
        </ol>
    }
}
