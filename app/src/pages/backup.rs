use leptos::prelude::*;

use crate::api::backup::backup_overview;
use crate::components::layout::ErrorNote;
use crate::i18n::{Key, t};

/// Backups for admins: download one now (a plain form post, no JavaScript needed), the
/// scheduled snapshots, and how to restore.
#[component]
pub fn BackupPage() -> impl IntoView {
    let overview = Resource::new(|| (), |_| backup_overview());
    view! {
        <section class="card stack" data-testid="backup-page">
            <h1>{t(Key::BackupTitle)}</h1>
            <p class="muted">{t(Key::BackupIntro)}</p>
            <form method="post" action="/admin/backup.nsbak">
                <button type="submit" class="primary" data-testid="backup-download">{t(Key::BackupDownload)}</button>
            </form>
            <p class="hint">{t(Key::BackupDownloadHint)}</p>
            <Suspense fallback=|| view! { <p class="muted">{t(Key::Loading)}</p> }>
                {move || Suspend::new(async move {
                    match overview.await {
                        Ok(o) => view! {
                            <h2>{t(Key::BackupScheduled)}</h2>
                            {match o.schedule {
                                Some((dir, hours, keep)) => view! {
                                    <p data-testid="backup-schedule">
                                        {t(Key::BackupEvery)}" "<strong>{hours}</strong>" "{t(Key::BackupHours)}
                                        "；"{t(Key::BackupKeep)}" "<strong>{keep}</strong>" "{t(Key::BackupCopies)}
                                        "；"{t(Key::BackupFolder)}" "<code>{dir}</code>
                                    </p>
                                }.into_any(),
                                None => view! { <p class="warning" data-testid="backup-schedule-off">{t(Key::BackupOff)}</p> }.into_any(),
                            }}
                            {if o.snapshots.is_empty() {
                                view! { <p class="muted">{t(Key::BackupNone)}</p> }.into_any()
                            } else {
                                view! {
                                    <div class="table-wrap">
                                    <table class="table">
                                        <thead><tr><th>{t(Key::BackupFile)}</th><th>{t(Key::AuditWhen)}</th><th>{t(Key::BackupSize)}</th></tr></thead>
                                        <tbody>
                                            {o.snapshots.into_iter().map(|s| {
                                                let at = s.modified;
                                                view! {
                                                    <tr data-testid="backup-snapshot">
                                                        <td><code>{s.name}</code></td>
                                                        <td>{move || at.local().format("%Y-%m-%d %H:%M").to_string()}</td>
                                                        <td>{format!("{:.1} MB", s.bytes as f64 / 1e6)}</td>
                                                    </tr>
                                                }
                                            }).collect_view()}
                                        </tbody>
                                    </table>
                                    </div>
                                }.into_any()
                            }}
                            <h2>{t(Key::BackupRestoreTitle)}</h2>
                            <p>{t(Key::BackupRestoreHow)}</p>
                            <pre><code>"nightschool restore nightschool-20261204-193000.nsbak"</code></pre>
                            <p class="muted">{t(Key::BackupMoveHow)}</p>
                            <p class="muted small">{t(Key::BackupBackend)}" "<code>{o.backend}</code></p>
                        }.into_any(),
                        Err(e) => view! { <ErrorNote error=e /> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}
