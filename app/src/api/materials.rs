//! A session's material: reading it, writing it (with a live preview), its versions and its
//! attachments. Uploads and downloads are plain HTTP handlers in `ssr/files.rs`.
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::domain::Timestamp;
use crate::domain::materials::{MakeUpStep, Publication};
use crate::error::AppError;

/// An attachment as pages list it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FileLink {
    pub id: i64,
    pub name: String,
    pub size: i64,
    pub url: String,
}

/// A reflection with its comments, as its author and the session's editors see it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ReflectionView {
    pub id: i64,
    pub person: String,
    pub community: String,
    pub body: String,
    pub outlooks: crate::domain::materials::Outlooks,
    pub accepted: bool,
    pub updated_at: Timestamp,
    pub comments: Vec<CommentView>,
    /// Earlier texts, newest first, with when each was written.
    pub earlier: Vec<(String, Timestamp)>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CommentView {
    pub author: String,
    pub body: String,
    pub created_at: Timestamp,
}

/// A cadre's side of the material: read, reflected, and the make-up steps when they
/// missed the session.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ReaderState {
    pub read_at: Option<Timestamp>,
    pub reflection: Option<ReflectionView>,
    pub may_reflect: bool,
    pub make_up: Option<MakeUpStep>,
}

/// The material section of a session page.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MaterialData {
    pub session_id: i64,
    pub may_edit: bool,
    /// `None` when nothing has been written yet.
    pub publication: Option<Publication>,
    /// The rendered (sanitised) material, when the caller may read it.
    pub html: Option<String>,
    /// Published for after the session, which has not ended yet.
    pub after_session: bool,
    pub attachments: Vec<FileLink>,
    pub reader: Option<ReaderState>,
    /// How many reflections were handed in, for the session's editors.
    pub reflections: Option<i64>,
}

/// What the editor starts from.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EditorData {
    pub session_id: i64,
    pub title: String,
    pub body_md: String,
    pub publication: Publication,
    pub version: i64,
    pub attachments: Vec<FileLink>,
    pub max_upload_bytes: u64,
    pub may_see_history: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct VersionView {
    pub version: i64,
    pub html: String,
    pub chars: usize,
    pub publication: Publication,
    pub saved_by: String,
    pub saved_at: Timestamp,
    pub restored_from: Option<i64>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct HistoryData {
    pub session_id: i64,
    pub title: String,
    pub current: i64,
    pub versions: Vec<VersionView>,
}

#[cfg(feature = "ssr")]
impl From<crate::ssr::db::Attachment> for FileLink {
    fn from(a: crate::ssr::db::Attachment) -> Self {
        FileLink {
            url: crate::domain::files::file_url(a.id, &a.name),
            id: a.id,
            name: a.name,
            size: a.size,
        }
    }
}

#[cfg(feature = "ssr")]
impl From<crate::ssr::db::ReflectionEntry> for ReflectionView {
    fn from(r: crate::ssr::db::ReflectionEntry) -> Self {
        ReflectionView {
            id: r.id,
            person: r.person,
            community: r.community,
            body: r.body,
            outlooks: r.outlooks,
            accepted: r.accepted_at.is_some(),
            updated_at: r.updated_at,
            earlier: r.earlier,
            comments: r
                .comments
                .into_iter()
                .map(|c| CommentView {
                    author: c.author,
                    body: c.body,
                    created_at: c.created_at,
                })
                .collect(),
        }
    }
}

/// The material section of a session page, as the caller may see it.
#[server(endpoint = "material_view")]
pub async fn material_view(session_id: i64) -> Result<MaterialData, AppError> {
    use crate::domain::attendance::Decision;
    use crate::domain::materials::{make_up_step, may_reflect};
    use crate::ssr::db::RequestKind;
    use crate::ssr::guard::finish;
    finish(
        async {
            let (user, repo, access) =
                crate::ssr::access::caller_stance(session_id, crate::ssr::access::Need::See)
                    .await?;
            let now = Timestamp::now();
            let material = repo.material(session_id).await?;
            let readable = access.may_read(material.as_ref(), now);
            let attachments = if readable {
                repo.attachments(session_id).await?
            } else {
                Vec::new()
            };
            let reader = if access.reader {
                let person = user.account.person_id;
                let reflection = repo.reflection_of(session_id, person).await?;
                let status = repo.attendance_of(session_id, person).await?.map(|r| r.0);
                let read_at = repo.read_at(session_id, person).await?;
                let request = repo
                    .request_of(RequestKind::MakeUp, session_id, person)
                    .await?;
                let missed = crate::ssr::leave::may_make_up(
                    repo.as_ref(),
                    person,
                    status,
                    access.door.ends_at,
                    session_id,
                    now,
                )
                .await?;
                let accepted = reflection.as_ref().is_some_and(|r| r.accepted_at.is_some());
                let waiting = request
                    .as_ref()
                    .is_some_and(|r| r.decision == Decision::Pending);
                let make_up = (missed || request.is_some()).then(|| {
                    make_up_step(
                        read_at.is_some(),
                        request.is_some(),
                        accepted
                            || request
                                .as_ref()
                                .is_some_and(|r| r.decision == Decision::Approved),
                    )
                });
                Some(ReaderState {
                    read_at,
                    may_reflect: !access.door.cancelled
                        && may_reflect(now, access.door.starts_at, accepted || waiting),
                    reflection: reflection.map(ReflectionView::from),
                    make_up,
                })
            } else {
                None
            };
            let reflections = if access.editor {
                Some(repo.reflection_count(session_id).await?)
            } else {
                None
            };
            Ok(MaterialData {
                session_id,
                may_edit: access.editor,
                publication: material.as_ref().map(|m| m.publication),
                after_session: material.as_ref().is_some_and(|m| {
                    m.publication == Publication::AfterSession && now.0 < access.door.ends_at.0
                }),
                html: material.filter(|_| readable).map(|m| m.body_html),
                attachments: attachments.into_iter().map(FileLink::from).collect(),
                reader,
                reflections,
            })
        }
        .await,
    )
}

/// What the material editor starts from: the session's lecturers and organisers only.
#[server(endpoint = "material_editor")]
pub async fn material_editor(session_id: i64) -> Result<EditorData, AppError> {
    use crate::ssr::guard::finish;
    finish(
        async {
            let (_, repo, access) =
                crate::ssr::access::caller_stance(session_id, crate::ssr::access::Need::Edit)
                    .await?;
            let material = repo.material(session_id).await?;
            let attachments = repo.attachments(session_id).await?;
            Ok(EditorData {
                session_id,
                title: access.door.title,
                body_md: material
                    .as_ref()
                    .map(|m| m.body_md.clone())
                    .unwrap_or_default(),
                publication: material.as_ref().map(|m| m.publication).unwrap_or_default(),
                version: material.as_ref().map(|m| m.version).unwrap_or(0),
                attachments: attachments.into_iter().map(FileLink::from).collect(),
                max_upload_bytes: crate::ssr::guard::state()?.max_upload_bytes,
                may_see_history: access.organiser,
            })
        }
        .await,
    )
}

/// Saves the material as a new version. `base_version` is the version the editor opened;
/// when someone saved since, nothing is written and the editor keeps the text.
#[server(endpoint = "material_save")]
pub async fn save_material(
    session_id: i64,
    body: String,
    publication: String,
    base_version: i64,
) -> Result<i64, AppError> {
    use crate::ssr::guard::finish;
    finish(
        async {
            let (user, repo, _) =
                crate::ssr::access::caller_stance(session_id, crate::ssr::access::Need::Edit)
                    .await?;
            let publication = parse_publication(&publication)?;
            write_material(
                repo.as_ref(),
                session_id,
                &body,
                publication,
                base_version,
                None,
                user.account.person_id,
            )
            .await
        }
        .await,
    )
}

#[cfg(feature = "ssr")]
fn parse_publication(raw: &str) -> Result<Publication, AppError> {
    use crate::domain::session_draft::{Field, Problem};
    Publication::parse(raw).ok_or_else(|| AppError::field(Field::Status, Problem::NotAllowed))
}

/// Renders, sanitises and saves; the one write path of save and restore.
#[cfg(feature = "ssr")]
async fn write_material(
    repo: &dyn crate::ssr::db::Repository,
    session_id: i64,
    body: &str,
    publication: Publication,
    base_version: i64,
    restored_from: Option<i64>,
    author: i64,
) -> Result<i64, AppError> {
    use crate::domain::materials::check_material;
    use crate::error::Conflict;
    use crate::ssr::db::{MaterialSave, SaveOutcome};
    use crate::ssr::markdown::{plain_text, render};
    check_material(body).map_err(|p| AppError::Form(vec![p]))?;
    let html = render(body);
    let text = plain_text(body);
    let outcome = repo
        .save_material(&MaterialSave {
            session_id,
            body_md: body,
            body_html: &html,
            body_text: &text,
            publication,
            base_version,
            restored_from,
            author,
            now: Timestamp::now(),
        })
        .await?;
    match outcome {
        SaveOutcome::Saved { version } => Ok(version),
        SaveOutcome::Stale { .. } => Err(AppError::Conflict(Conflict::StaleMaterial)),
    }
}

/// The live preview: the same rendering and sanitising as a save, nothing stored.
#[server(endpoint = "material_preview")]
pub async fn preview_material(body: String) -> Result<String, AppError> {
    use crate::domain::Role;
    use crate::domain::materials::check_material;
    use crate::ssr::guard::{caller, finish};
    finish(
        async {
            let user = caller()?;
            let roles = &user.account.roles;
            if !(roles.has(Role::Lecturer) || roles.has(Role::Organiser)) {
                return Err(AppError::Forbidden);
            }
            check_material(&body).map_err(|p| AppError::Form(vec![p]))?;
            Ok(crate::ssr::markdown::render(&body))
        }
        .await,
    )
}

/// Every version of the material, newest first: organisers only.
#[server(endpoint = "material_history")]
pub async fn material_history(session_id: i64) -> Result<HistoryData, AppError> {
    use crate::ssr::guard::finish;
    use crate::ssr::markdown::render;
    finish(
        async {
            let (_, repo, access) =
                crate::ssr::access::caller_stance(session_id, crate::ssr::access::Need::Organise)
                    .await?;
            let versions = repo.material_versions(session_id).await?;
            Ok(HistoryData {
                session_id,
                title: access.door.title,
                current: versions.first().map(|v| v.version).unwrap_or(0),
                versions: versions
                    .into_iter()
                    .map(|v| VersionView {
                        version: v.version,
                        html: render(&v.body_md),
                        chars: v.body_md.chars().count(),
                        publication: v.publication,
                        saved_by: v.saved_by,
                        saved_at: v.saved_at,
                        restored_from: v.restored_from,
                    })
                    .collect(),
            })
        }
        .await,
    )
}

/// Saves an earlier version's text as the newest version (publication stays as it is
/// now): organisers only. `base_version` is the newest version the page showed.
#[server(endpoint = "material_restore")]
pub async fn restore_material(
    session_id: i64,
    version: i64,
    base_version: i64,
) -> Result<i64, AppError> {
    use crate::ssr::guard::finish;
    finish(
        async {
            let (user, repo, _) =
                crate::ssr::access::caller_stance(session_id, crate::ssr::access::Need::Organise)
                    .await?;
            let old = repo
                .material_version(session_id, version)
                .await?
                .ok_or(AppError::NotFound)?;
            let publication = repo
                .material(session_id)
                .await?
                .map(|m| m.publication)
                .unwrap_or(old.publication);
            write_material(
                repo.as_ref(),
                session_id,
                &old.body_md,
                publication,
                base_version,
                Some(version),
                user.account.person_id,
            )
            .await
        }
        .await,
    )
}

/// Removes an attachment: the session's lecturers and organisers.
#[server(endpoint = "attachment_remove")]
pub async fn remove_attachment(session_id: i64, attachment_id: i64) -> Result<(), AppError> {
    use crate::ssr::guard::finish;
    finish(
        async {
            let (_, repo, _) =
                crate::ssr::access::caller_stance(session_id, crate::ssr::access::Need::Edit)
                    .await?;
            if repo.remove_attachment(session_id, attachment_id).await? {
                Ok(())
            } else {
                Err(AppError::NotFound)
            }
        }
        .await,
    )
}
