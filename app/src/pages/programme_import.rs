use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use crate::api::import::{ImportApply, ImportDone, ImportSheet, import_preview};
use crate::components::layout::ErrorDetails;
use crate::domain::Role;
use crate::domain::import::RowProblem;
use crate::i18n::{Key, t};

fn problem_key(p: RowProblem) -> Key {
    match p {
        RowProblem::NoHeader => Key::ImpNoHeader,
        RowProblem::Empty => Key::ImpEmpty,
        RowProblem::TooManyRows => Key::ImpTooManyRows,
        RowProblem::NameMissing => Key::ImpNameMissing,
        RowProblem::NameTooLong => Key::ImpNameTooLong,
        RowProblem::UnknownCommunity => Key::ImpUnknownCommunity,
        RowProblem::UnknownTier => Key::ImpUnknownTier,
        RowProblem::BadPhone => Key::ImpBadPhone,
        RowProblem::UnknownRole => Key::ImpUnknownRole,
        RowProblem::RoleNotAllowed => Key::ImpRoleNotAllowed,
        RowProblem::PhoneNeededForAccount => Key::ImpPhoneNeeded,
        RowProblem::UsernameTaken => Key::ImpUsernameTaken,
        RowProblem::Duplicate => Key::ImpDuplicate,
        RowProblem::Ambiguous => Key::ImpAmbiguous,
        RowProblem::UnknownSubdistrict => Key::ImpUnknownSubdistrict,
        RowProblem::AmbiguousCommunity => Key::ImpAmbiguousCommunity,
        RowProblem::UnknownScope => Key::ImpUnknownScope,
    }
}

/// The message for `?error=` after an upload the server could not read.
fn upload_error(code: &str) -> Key {
    match code {
        "too_large" => Key::ImpTooLarge,
        "too_many_columns" => Key::ImpTooManyColumns,
        "timed_out" => Key::ImpTimedOut,
        "internal" => Key::ErrInternal,
        other => RowProblem::from_code(other).map_or(Key::ImpUnreadable, problem_key),
    }
}

/// Organisers upload a sheet of cadres, see what it would do row by row, and confirm.
#[component]
pub fn ImportPage() -> impl IntoView {
    let query = use_query_map();
    let apply = ServerAction::<ImportApply>::new();
    let batch = move || {
        query
            .read()
            .get("batch")
            .and_then(|b| b.parse::<i64>().ok())
    };
    let preview = Resource::new(batch, |b| async move {
        match b {
            Some(id) => import_preview(id).await.map(Some),
            None => Ok(None),
        }
    });
    let error = move || {
        let q = query.read();
        q.get("error")
            .map(|code| (upload_error(&code), q.get("line")))
    };
    view! {
        <h1>{t(Key::ImportTitle)}</h1>
        <p class="actions"><a class="button" href="/organiser/programme">{t(Key::ProgrammeTitle)}</a></p>
        <p class="hint">{t(Key::ImportHint)}</p>
        {move || error().map(|(key, line)| view! {
            <p class="error" role="alert" data-testid="import-error">
                {line.map(|l| format!("{l} ")).map(|l| view! { {t(Key::ImportLine)} " " {l} })} {t(key)}
            </p>
        })}
        <form method="post" enctype="multipart/form-data" action="/organiser/programme/import/upload" class="card stack">
            <label><span>{t(Key::ImportFile)}</span>
                <input type="file" name="file" required accept=".csv,.xlsx,text/csv" data-testid="import-file" />
            </label>
            <button type="submit" class="primary" data-testid="import-upload">{t(Key::ImportUpload)}</button>
        </form>
        {move || done(apply).map(|r| match r {
            Ok(done) => view! {
                <p class="ok" role="status" data-testid="import-done">
                    {t(Key::ImportDoneMsg)} " " {t(Key::ImportAdded)} " " {done.added} " · " {t(Key::ImportUpdated)} " " {done.updated}
                </p>
            }.into_any(),
            Err(e) => view! { <ErrorDetails error=e /> }.into_any(),
        })}
        <Suspense fallback=|| view! { <p class="muted">{t(Key::Loading)}</p> }>
            {move || Suspend::new(async move {
                match preview.await {
                    Ok(Some(p)) => preview_view(p, apply).into_any(),
                    Ok(None) => ().into_any(),
                    Err(e) => view! { <ErrorDetails error=e /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// The answer to the confirmation: from the island-less page's address after the plain
/// post (`?added=&updated=`, set by `import_apply`), or from the action.
fn done(apply: ServerAction<ImportApply>) -> Option<Result<ImportDone, crate::error::AppError>> {
    apply.value().get().or_else(|| {
        let query = use_query_map();
        let q = query.read();
        let count = |k: &str| q.get(k).and_then(|v| v.parse::<usize>().ok());
        Some(Ok(ImportDone {
            added: count("added")?,
            updated: count("updated")?,
        }))
    })
}

fn preview_view(p: ImportSheet, apply: ServerAction<ImportApply>) -> impl IntoView {
    let done = move || done(apply).is_some_and(|r| r.is_ok());
    let ok = p.problems.is_empty();
    let id = p.batch_id;
    view! {
        <h2>{t(Key::ImportPreviewTitle)} " · " {p.file_name.clone()}</h2>
        {(!ok).then(|| view! {
            <div class="error" role="alert" data-testid="import-problems">
                <p>{t(Key::ImportProblems)}</p>
                <ul>
                    {p.problems.into_iter().map(|pr| view! {
                        <li data-line=pr.line>{t(Key::ImportLine)} " " {pr.line} ": " {t(problem_key(pr.problem))}</li>
                    }).collect_view()}
                </ul>
            </div>
        })}
        <table class="table" data-testid="import-rows">
            <thead><tr><th>{t(Key::ImportLine)}</th><th>{t(Key::Name)}</th><th>{t(Key::ImportSubdistrict)}</th><th>{t(Key::Community)}</th><th>{t(Key::Phone)}</th>
                <th>{t(Key::TierLabel)}</th><th>{t(Key::RolesLabel)}</th><th>{t(Key::ImportScope)}</th><th>{t(Key::ImportAction)}</th></tr></thead>
            <tbody>
                {p.rows.into_iter().map(|r| {
                    let roles: Vec<&'static str> = r.roles.iter().map(Role::as_str).collect();
                    view! {
                        <tr>
                            <td>{r.line}</td><td>{r.name}</td><td>{r.subdistrict}</td><td>{r.community}</td><td>{r.phone}</td><td>{r.tier}</td>
                            <td>{roles.join(", ")}</td><td>{r.scope}</td>
                            <td>
                                {if r.person_id.is_some() { t(Key::ImportUpdate).into_any() } else { t(Key::ImportAdd).into_any() }}
                                {r.tier_changes.then(|| view! { " · " {t(Key::ImportTierChange)} })}
                                {r.new_account.then(|| view! { " · " {t(Key::ImportNewAccount)} })}
                            </td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
        {(ok).then(|| view! {
            <ActionForm action=apply attr:class="row">
                <input type="hidden" name="batch_id" value=id />
                <button type="submit" class="primary" data-testid="import-confirm" disabled=done>{t(Key::ImportConfirm)}</button>
            </ActionForm>
        })}
    }
}
