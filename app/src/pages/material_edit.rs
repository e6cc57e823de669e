use leptos::either::{Either, EitherOf3};
use leptos::prelude::*;
use leptos_router::hooks::{use_params_map, use_query_map};

use crate::api::materials::{
    EditorData, RemoveAttachment, SaveMaterial, material_editor, material_view, preview_material,
};
use crate::components::layout::{ErrorDetails, posted_ok};
use crate::components::material::publication_label;
use crate::domain::files::human_size;
use crate::domain::materials::Publication;
use crate::error::AppError;
use crate::i18n::{Key, t, tf};

/// How long typing pauses before the preview is rendered again.
const PREVIEW_DELAY_MS: u64 = 400;

/// The material editor of a session's lecturers and organisers: Markdown with a live
/// preview rendered (and sanitised) by the server, publication, attachments with upload
/// progress, and (organisers) the link to the version history.
#[component]
pub fn MaterialEditPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.read().get("id").and_then(|v| v.parse::<i64>().ok());
    // After a plain form post (no JavaScript) the address says what became of it.
    let saved = posted_ok(<SaveMaterial as leptos::server_fn::ServerFn>::PATH);
    let upload_note = use_query_map().with_untracked(|q| {
        if let Some(name) = q.get("uploaded") {
            Some(UploadNote::Uploaded(name))
        } else {
            q.get("upload_error").map(|code| UploadNote::Refused {
                code,
                max_bytes: None,
                actual: None,
            })
        }
    });
    let editor = Resource::new(id, |id| async move {
        match id {
            Some(id) => material_editor(id).await,
            None => Err(AppError::NotFound),
        }
    });
    view! {
        <Suspense fallback=|| view! { <p class="muted">{t(Key::Loading)}</p> }>
            {move || {
                let upload_note = upload_note.clone();
                Suspend::new(async move {
                match editor.await {
                    Ok(d) => {
                        let (session_id, max_bytes) = (d.session_id, d.max_upload_bytes);
                        view! {
                            <MaterialEditor d saved />
                            <Attachments session_id max_bytes note=upload_note />
                        }
                        .into_any()
                    }
                    Err(e) => view! { <h1>{t(Key::EditMaterial)}</h1><ErrorDetails error=e /> }.into_any(),
                }
            })}}
        </Suspense>
    }
}

/// The text and its live preview: an island (the preview follows the typing).
#[cfg_attr(any(not(feature = "split"), feature = "bundle-material"), island)]
#[cfg_attr(all(feature = "split", not(feature = "bundle-material")), component)]
fn MaterialEditor(d: EditorData, saved: bool) -> impl IntoView {
    let id = d.session_id;
    let version = d.version;
    let save = ServerAction::<SaveMaterial>::new();
    let base = RwSignal::new(d.version);
    Effect::new(move |_| {
        if let Some(Ok(v)) = save.value().get() {
            base.set(v);
        }
    });
    let draft = RwSignal::new(d.body_md.clone());
    let shown = RwSignal::new(d.body_md.clone());
    let preview = Resource::new(move || shown.get(), preview_material);
    let pending = StoredValue::new(None::<TimeoutHandle>);
    let on_input = move |ev: leptos::ev::Event| {
        draft.set(event_target_value(&ev));
        if let Some(h) = pending.get_value() {
            h.clear();
        }
        let handle = set_timeout_with_handle(
            move || shown.set(draft.get_untracked()),
            std::time::Duration::from_millis(PREVIEW_DELAY_MS),
        )
        .ok();
        pending.set_value(handle);
    };
    let choices = Publication::ALL
        .into_iter()
        .map(|p| {
            let hint = match p {
                Publication::Draft => Key::PubDraftHint,
                Publication::Published => Key::PubPublishedHint,
                Publication::AfterSession => Key::PubAfterSessionHint,
            };
            view! {
                <label class="check">
                    <input type="radio" name="publication" value=p.as_str() checked=d.publication == p data-testid=format!("publication-{}", p.as_str()) />
                    <strong>{t(publication_label(p))}</strong> " " <span class="muted">{t(hint)}</span>
                </label>
            }
        })
        .collect_view();
    view! {
        <p class="muted"><a href=format!("/sessions/{id}")>{d.title.clone()}</a></p>
        <h1>{t(Key::EditMaterial)}</h1>
        {move || save.value().get().or_else(|| saved.then_some(Ok(version))).map(|r| match r {
            Ok(v) => Either::Left(view! { <p class="ok" role="status" data-testid="saved">{tf(Key::SavedVersion, [v.to_string()])}</p> }),
            Err(e) => Either::Right(view! { <ErrorDetails error=e /> }),
        })}
        <ActionForm action=save attr:class="stack editor">
            <input type="hidden" name="session_id" value=id />
            <input type="hidden" name="base_version" prop:value=move || base.get().to_string() value=d.version />
            <div class="editor-panes">
                <label class="stack">
                    <span>{t(Key::MarkdownLabel)}</span>
                    <textarea name="body" rows="18" maxlength="200000" spellcheck="false" data-testid="material-source" on:input=on_input>{d.body_md.clone()}</textarea>
                </label>
                <div class="stack">
                    <span>{t(Key::Preview)}</span>
                    <Transition fallback=|| ()>
                        {move || Suspend::new(async move {
                            match preview.await {
                                Ok(html) => Either::Left(view! { <div class="markdown preview" data-testid="preview" inner_html=html /> }),
                                Err(e) => Either::Right(view! { <ErrorDetails error=e /> }),
                            }
                        })}
                    </Transition>
                </div>
            </div>
            <fieldset class="stack">
                <legend>{t(Key::PublicationLabel)}</legend>
                {choices}
            </fieldset>
            <p class="actions">
                <button type="submit" class="primary" data-testid="save-material">{t(Key::SaveMaterial)}</button>
                <a class="button" href=format!("/sessions/{id}#material")>{t(Key::BackToSession)}</a>
                {d.may_see_history.then(|| view! {
                    <a class="button" href=format!("/sessions/{id}/material/history") data-testid="open-history">{t(Key::VersionHistory)}</a>
                })}
            </p>
        </ActionForm>
    }
}

/// What became of an upload, from the script's request or (without JavaScript) the query
/// the server redirected back with.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
enum UploadNote {
    Uploaded(String),
    Refused {
        code: String,
        max_bytes: Option<u64>,
        actual: Option<String>,
    },
    /// The request never got an answer (only the script's upload can tell).
    #[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
    Failed,
}

impl UploadNote {
    fn view(self, max: u64) -> impl IntoView {
        match self {
            UploadNote::Uploaded(name) => EitherOf3::A(
                view! { <p class="ok" role="status" data-testid="upload-ok">{tf(Key::Uploaded, [name.to_string()])}</p> },
            ),
            UploadNote::Failed => EitherOf3::B(
                view! { <p class="error" role="alert" data-testid="upload-error">{t(Key::UpFailed)}</p> },
            ),
            UploadNote::Refused {
                code,
                max_bytes,
                actual,
            } => {
                let key = match code.as_str() {
                    "too_large" => Key::UpTooLarge,
                    "not_allowed" => Key::UpNotAllowed,
                    "name_mismatch" => Key::UpNameMismatch,
                    "bad_name" => Key::UpBadName,
                    _ => Key::UpEmpty,
                };
                let detail = match key {
                    Key::UpTooLarge => Some(human_size(max_bytes.unwrap_or(max))),
                    Key::UpNameMismatch => actual.map(|a| a.to_uppercase()),
                    _ => None,
                };
                EitherOf3::C(
                    view! { <p class="error" role="alert" data-testid="upload-error">{t(key)} {detail.map(|d| format!(" {d}"))}</p> },
                )
            }
        }
    }
}

/// The session's attachments with remove buttons, and the upload form: a plain multipart
/// form without JavaScript; with it, the file goes up with a progress bar and the list
/// refreshes in place (the text being edited above is left alone). An island; `note` is
/// what the address said after a plain upload.
#[cfg_attr(any(not(feature = "split"), feature = "bundle-material"), island)]
#[cfg_attr(all(feature = "split", not(feature = "bundle-material")), component)]
fn Attachments(session_id: i64, max_bytes: u64, note: Option<UploadNote>) -> impl IntoView {
    let remove = ServerAction::<RemoveAttachment>::new();
    let uploads = RwSignal::new(0u32);
    let progress = RwSignal::new(None::<u32>);
    let note = RwSignal::new(note);
    let files = Resource::new(
        move || (uploads.get(), remove.version().get()),
        move |_| material_view(session_id),
    );
    let input = NodeRef::<leptos::html::Input>::new();
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        #[cfg(feature = "hydrate")]
        {
            ev.prevent_default();
            upload::start(&ev, input, max_bytes, progress, note, uploads);
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = (&ev, input);
    };
    let accept = ".pdf,.doc,.docx,.xls,.xlsx,.ppt,.pptx,.png,.jpg,.jpeg,.gif,.webp";
    view! {
        <section class="card stack" data-testid="attachment-manager">
            <h2>{t(Key::Attachments)}</h2>
            {move || remove.value().get().and_then(|r| r.err()).map(|e| view! { <ErrorDetails error=e /> })}
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    files.await.ok().map(|d| view! {
                        <ul class="files">
                            {d.attachments.into_iter().map(|f| view! {
                                <li data-testid="attachment-row">
                                    <a href=f.url rel="external" download=f.name.clone()>{f.name.clone()}</a>
                                    " " <span class="muted">{human_size(f.size.max(0) as u64)}</span> " "
                                    <ActionForm action=remove attr:class="inline">
                                        <input type="hidden" name="session_id" value=session_id />
                                        <input type="hidden" name="attachment_id" value=f.id />
                                        <button type="submit" class="link-button danger">{t(Key::Remove)}</button>
                                    </ActionForm>
                                </li>
                            }).collect_view()}
                        </ul>
                    })
                })}
            </Transition>
            {move || note.get().map(|n| n.view(max_bytes))}
            <form method="post" enctype="multipart/form-data" action=format!("/sessions/{session_id}/attachments") class="stack" on:submit=on_submit>
                <label>
                    <span>{tf(Key::UploadHint, [human_size(max_bytes)])}</span>
                    <input type="file" name="file" required accept=accept node_ref=input data-testid="upload-input" />
                </label>
                {move || progress.get().map(|p| view! {
                    <progress max="100" value=p data-testid="upload-progress">{p} "%"</progress>
                })}
                <button type="submit" data-testid="upload" disabled=move || progress.get().is_some()>{t(Key::UploadFile)}</button>
            </form>
        </section>
    }
}

#[cfg(feature = "hydrate")]
mod upload {
    use leptos::prelude::*;
    use wasm_bindgen::JsCast;
    use wasm_bindgen::closure::Closure;

    use super::UploadNote;

    /// Sends the form's file with `XMLHttpRequest` (fetch has no upload progress), after
    /// checking its size here so an oversize file is refused at once.
    pub fn start(
        ev: &leptos::ev::SubmitEvent,
        input: NodeRef<leptos::html::Input>,
        max_bytes: u64,
        progress: RwSignal<Option<u32>>,
        note: RwSignal<Option<UploadNote>>,
        uploads: RwSignal<u32>,
    ) {
        let Some(form) = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::HtmlFormElement>().ok())
        else {
            return;
        };
        let size = input
            .get_untracked()
            .and_then(|i| i.files())
            .and_then(|f| f.get(0))
            .map(|f| f.size() as u64);
        match size {
            None => {
                note.set(Some(refused("empty", None)));
                return;
            }
            Some(n) if n > max_bytes => {
                note.set(Some(refused("too_large", Some(max_bytes))));
                return;
            }
            Some(_) => {}
        }
        note.set(None);
        if send(&form, progress, note, uploads, input).is_err() {
            progress.set(None);
            note.set(Some(UploadNote::Failed));
        }
    }

    fn refused(code: &str, max_bytes: Option<u64>) -> UploadNote {
        UploadNote::Refused {
            code: code.into(),
            max_bytes,
            actual: None,
        }
    }

    fn send(
        form: &web_sys::HtmlFormElement,
        progress: RwSignal<Option<u32>>,
        note: RwSignal<Option<UploadNote>>,
        uploads: RwSignal<u32>,
        input: NodeRef<leptos::html::Input>,
    ) -> Result<(), wasm_bindgen::JsValue> {
        let data = web_sys::FormData::new_with_form(form)?;
        let xhr = web_sys::XmlHttpRequest::new()?;
        xhr.open("POST", &form.action())?;
        xhr.set_request_header("Accept", "application/json")?;
        let on_progress =
            Closure::<dyn FnMut(web_sys::ProgressEvent)>::new(move |e: web_sys::ProgressEvent| {
                if e.length_computable() && e.total() > 0.0 {
                    progress.set(Some((e.loaded() / e.total() * 100.0).round() as u32));
                }
            });
        xhr.upload()?
            .set_onprogress(Some(on_progress.as_ref().unchecked_ref()));
        let answered = xhr.clone();
        let on_end = Closure::once_into_js(move || {
            // The progress handler lives exactly as long as the request.
            drop(on_progress);
            progress.set(None);
            let status = answered.status().unwrap_or(0);
            let text = answered.response_text().ok().flatten().unwrap_or_default();
            let field = |name: &str| {
                js_sys::JSON::parse(&text)
                    .ok()
                    .and_then(|v| js_sys::Reflect::get(&v, &name.into()).ok())
            };
            let result = match status {
                201 => UploadNote::Uploaded(
                    field("name")
                        .and_then(|v| v.as_string())
                        .unwrap_or_default(),
                ),
                413 | 422 => UploadNote::Refused {
                    code: field("error")
                        .and_then(|v| v.as_string())
                        .unwrap_or_default(),
                    max_bytes: field("max_bytes")
                        .and_then(|v| v.as_f64())
                        .map(|n| n as u64),
                    actual: field("actual").and_then(|v| v.as_string()),
                },
                _ => UploadNote::Failed,
            };
            if status == 201 {
                uploads.update(|n| *n += 1);
                if let Some(i) = input.get_untracked() {
                    i.set_value("");
                }
            }
            note.set(Some(result));
        });
        xhr.set_onloadend(Some(on_end.unchecked_ref()));
        xhr.send_with_opt_form_data(Some(&data))?;
        Ok(())
    }
}
