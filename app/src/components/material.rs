use leptos::prelude::*;

use crate::api::materials::{FileLink, MaterialData, ReaderState, ReflectionView, material_view};
use crate::api::review::{MarkRead, SaveReflection};
use crate::components::layout::ErrorDetails;
use crate::domain::files::human_size;
use crate::domain::materials::{MakeUpStep, Outlook, Publication, REFLECTION_MIN_CHARS};
use crate::i18n::{Key, t};

/// The material part of a session page: the material (or why it is not shown), its
/// attachments, and for a cadre of the audience "mark as read" and their reflection.
#[component]
pub fn MaterialSection(session_id: i64) -> impl IntoView {
    let read = ServerAction::<MarkRead>::new();
    let reflect = ServerAction::<SaveReflection>::new();
    let data = Resource::new(
        move || (read.version().get(), reflect.version().get()),
        move |_| material_view(session_id),
    );
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                data.await.ok().map(|d| section(d, read, reflect))
            })}
        </Suspense>
    }
}

pub fn publication_label(p: Publication) -> Key {
    match p {
        Publication::Draft => Key::PubDraft,
        Publication::Published => Key::PubPublished,
        Publication::AfterSession => Key::PubAfterSession,
    }
}

pub fn outlook_label(o: Outlook) -> Key {
    match o {
        Outlook::Thinking => Key::OutlookThinking,
        Outlook::Work => Key::OutlookWork,
        Outlook::Ability => Key::OutlookAbility,
    }
}

/// Attachments as download links with their sizes.
pub fn file_list(files: Vec<FileLink>) -> impl IntoView {
    (!files.is_empty()).then(|| {
        view! {
            <ul class="files" data-testid="attachments">
                {files.into_iter().map(|f| view! {
                    <li>
                        <a href=f.url rel="external" download=f.name.clone() data-testid="attachment">{f.name.clone()}</a>
                        " " <span class="muted">{human_size(f.size.max(0) as u64)}</span>
                    </li>
                }).collect_view()}
            </ul>
        }
    })
}

fn section(
    d: MaterialData,
    read: ServerAction<MarkRead>,
    reflect: ServerAction<SaveReflection>,
) -> impl IntoView {
    let id = d.session_id;
    let note = match (&d.html, d.publication) {
        (Some(_), _) => None,
        (None, _) if d.after_session => Some(Key::MaterialAfterSession),
        (None, _) => Some(Key::NoMaterial),
    };
    view! {
        <section id="material" class="card stack material" data-testid="material">
            <h2>{t(Key::Material)}</h2>
            {d.may_edit.then(|| view! {
                <p class="actions">
                    {d.publication.map(|p| view! { <span class="chip" data-testid="publication">{t(publication_label(p))}</span> })}
                    <a class="button" href=format!("/sessions/{id}/material/edit") data-testid="edit-material">{t(Key::EditMaterial)}</a>
                    {d.reflections.map(|n| view! {
                        <a class="button" href=format!("/sessions/{id}/reflections") data-testid="open-reflections">{t(Key::ReadReflections)} " (" {n} ")"</a>
                    })}
                </p>
            })}
            {note.map(|k| view! { <p class="muted" data-testid="material-note">{t(k)}</p> })}
            {d.html.map(|html| view! { <div class="markdown" data-testid="material-body" inner_html=html /> })}
            {file_list(d.attachments)}
            {d.reader.map(|r| reader_part(id, r, read, reflect))}
        </section>
    }
}

fn make_up_key(step: MakeUpStep) -> Key {
    match step {
        MakeUpStep::Read => Key::MakeUpStepRead,
        MakeUpStep::Reflect => Key::MakeUpStepReflect,
        MakeUpStep::AwaitAcceptance => Key::MakeUpStepWait,
        MakeUpStep::Done => Key::MakeUpStepDone,
    }
}

fn reader_part(
    id: i64,
    r: ReaderState,
    read: ServerAction<MarkRead>,
    reflect: ServerAction<SaveReflection>,
) -> impl IntoView {
    let min = REFLECTION_MIN_CHARS.to_string();
    let existing = r.reflection.clone();
    let ticked = move |o: Outlook| existing.as_ref().is_some_and(|x| x.outlooks.has(o));
    let boxes = Outlook::ALL
        .into_iter()
        .map(|o| {
            let name = o.as_str();
            view! {
                <label class="check">
                    <input type="checkbox" name=name value="on" checked=ticked(o) data-testid=format!("outlook-{name}") />
                    {t(outlook_label(o))}
                </label>
            }
        })
        .collect_view();
    let body = r
        .reflection
        .as_ref()
        .map(|x| x.body.clone())
        .unwrap_or_default();
    let has_reflection = r.reflection.is_some();
    view! {
        <div class="stack reader">
            {r.make_up.map(|s| view! { <p class="hint" data-testid="make-up-step">{t(make_up_key(s))}</p> })}
            {match r.read_at {
                Some(at) => view! {
                    <p data-testid="read-mark"><span class="chip ok">{t(Key::ReadMark)}</span> " " <span class="muted">{at.local_date().to_string()} " " {at.hh_mm()}</span></p>
                }.into_any(),
                None => view! {
                    <ActionForm action=read attr:class="inline">
                        <input type="hidden" name="session_id" value=id />
                        <button type="submit" class="primary" data-testid="mark-read">{t(Key::MarkRead)}</button>
                    </ActionForm>
                }.into_any(),
            }}
            {move || read.value().get().and_then(|r| r.err()).map(|e| view! { <ErrorDetails error=e /> })}
            <h3>{t(Key::MyReflection)}</h3>
            {r.reflection.map(reflection_card)}
            {move || reflect.value().get().and_then(|r| r.err()).map(|e| view! { <ErrorDetails error=e /> })}
            {r.may_reflect.then(|| view! {
                <details open=!has_reflection>
                    <summary>{if has_reflection { t(Key::EditReflection)() } else { t(Key::WriteReflection)() }}</summary>
                    <ActionForm action=reflect attr:class="stack">
                        <input type="hidden" name="session_id" value=id />
                        <label>
                            <span>{t(Key::Reflection)}</span>
                            <textarea name="body" required minlength=min.clone() maxlength="5000" rows="6" data-testid="reflection-body">{body.clone()}</textarea>
                        </label>
                        <fieldset class="row">
                            <legend>{t(Key::OutlooksLabel)}</legend>
                            {boxes}
                        </fieldset>
                        <button type="submit" class="primary" data-testid="save-reflection">{t(Key::SaveReflection)}</button>
                    </ActionForm>
                </details>
            })}
        </div>
    }
}

/// A reflection with its outlooks and the comments on it.
pub fn reflection_card(r: ReflectionView) -> impl IntoView {
    view! {
        <article class="reflection" data-testid="reflection">
            <p class="muted">
                <strong>{r.person.clone()}</strong>
                {(!r.community.is_empty()).then(|| format!(" · {}", r.community))}
                " · " {r.updated_at.local_date().to_string()}
                {r.accepted.then(|| view! { " " <span class="chip ok">{t(Key::ReflectionAccepted)}</span> })}
            </p>
            <p class="chips">
                {r.outlooks.iter().map(|o| view! { <span class="chip theme">{t(outlook_label(o))}</span> }).collect_view()}
            </p>
            <p class="reflection-body">{r.body.clone()}</p>
            {(!r.earlier.is_empty()).then(|| view! {
                <details class="earlier" data-testid="earlier">
                    <summary>{t(Key::EarlierTexts)} " (" {r.earlier.len()} ")"</summary>
                    {r.earlier.into_iter().map(|(body, at)| view! {
                        <p class="muted">{at.local_date().to_string()} " " {at.hh_mm()}</p>
                        <p class="reflection-body">{body}</p>
                    }).collect_view()}
                </details>
            })}
            {(!r.comments.is_empty()).then(|| view! {
                <ul class="comments" data-testid="comments">
                    {r.comments.into_iter().map(|c| view! {
                        <li data-testid="comment">
                            <strong>{c.author}</strong> " · " <span class="muted">{c.created_at.local_date().to_string()}</span>
                            <p>{c.body}</p>
                        </li>
                    }).collect_view()}
                </ul>
            })}
        </article>
    }
}
