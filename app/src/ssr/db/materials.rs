//! The fourth part of the database seam: materials and their versions, attachments, reads,
//! reflections with comments, and search. `materials_sql.rs` implements [`MaterialStore`]
//! for `SqlRepository<Db>` from one SQL text; only the search differs (FTS5 on SQLite,
//! `pg_trgm` on PostgreSQL).
use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use super::planning::Scope;
use super::{RepoError, RepoResult};
use crate::domain::Timestamp;
use crate::domain::materials::{Outlooks, Publication};
use crate::domain::schedule::AttendanceStatus;
use crate::domain::search::{HitKind, Query};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Material {
    pub session_id: i64,
    pub body_md: String,
    pub body_html: String,
    pub publication: Publication,
    pub version: i64,
}

/// A save of a material. `base_version` is the version the editor started from (0 for a
/// first save): a save on top of a newer version is refused, so nobody overwrites unseen work.
#[derive(Clone, Debug)]
pub struct MaterialSave<'a> {
    pub session_id: i64,
    pub body_md: &'a str,
    pub body_html: &'a str,
    pub body_text: &'a str,
    pub publication: Publication,
    pub base_version: i64,
    pub restored_from: Option<i64>,
    pub author: i64,
    pub now: Timestamp,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SaveOutcome {
    Saved {
        version: i64,
    },
    /// Someone saved `current` since the editor opened the material; nothing was written.
    Stale {
        current: i64,
    },
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MaterialVersion {
    pub version: i64,
    pub body_md: String,
    pub publication: Publication,
    pub saved_by: String,
    pub saved_at: Timestamp,
    pub restored_from: Option<i64>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Attachment {
    pub id: i64,
    pub session_id: i64,
    pub name: String,
    pub content_type: String,
    pub size: i64,
    pub uploaded_by: String,
    pub created_at: Timestamp,
}

/// A file to attach; `sha256` (hex) names its content.
#[derive(Clone, Debug)]
pub struct NewAttachment<'a> {
    pub session_id: i64,
    pub name: &'a str,
    pub content_type: &'a str,
    pub sha256: &'a str,
    pub bytes: &'a [u8],
    pub uploader: i64,
    pub now: Timestamp,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Comment {
    pub id: i64,
    pub author: String,
    pub body: String,
    pub created_at: Timestamp,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ReflectionEntry {
    pub id: i64,
    pub session_id: i64,
    pub person_id: i64,
    pub person: String,
    pub community: String,
    pub body: String,
    pub outlooks: Outlooks,
    pub accepted_at: Option<Timestamp>,
    pub updated_at: Timestamp,
    pub comments: Vec<Comment>,
    /// Earlier texts, newest first, with when each was written.
    pub earlier: Vec<(String, Timestamp)>,
}

/// A cadre's record and marks on a past session for the review page.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewMarks {
    pub status: Option<AttendanceStatus>,
    /// A material the audience can read now.
    pub material: bool,
    pub read: bool,
    pub reflected: bool,
    pub accepted: bool,
}

/// A search candidate: the text that matched and the session it belongs to.
#[derive(Clone, Debug, PartialEq)]
pub struct SearchRow {
    pub kind: HitKind,
    pub session_id: i64,
    pub session_title: String,
    pub starts_at: Timestamp,
    pub body: String,
    /// The reflection's author, for reflections.
    pub author: Option<String>,
}

#[async_trait]
pub trait MaterialStore: Send + Sync {
    async fn material(&self, session_id: i64) -> RepoResult<Option<Material>>;
    /// Saves the material and keeps the save as a new version, in one transaction.
    async fn save_material(&self, save: &MaterialSave<'_>) -> RepoResult<SaveOutcome>;
    /// Every version, newest first.
    async fn material_versions(&self, session_id: i64) -> RepoResult<Vec<MaterialVersion>>;
    async fn material_version(
        &self,
        session_id: i64,
        version: i64,
    ) -> RepoResult<Option<MaterialVersion>>;

    async fn attachments(&self, session_id: i64) -> RepoResult<Vec<Attachment>>;
    /// The attachment and its bytes.
    async fn attachment_file(&self, id: i64) -> RepoResult<Option<(Attachment, Vec<u8>)>>;
    async fn add_attachment(&self, new: &NewAttachment<'_>) -> RepoResult<i64>;
    /// Removes the attachment (and its content when nothing else uses it).
    async fn remove_attachment(&self, session_id: i64, id: i64) -> RepoResult<bool>;
    /// How many attachments and stored files there are: for tests and the health of uploads.
    async fn file_counts(&self) -> RepoResult<(i64, i64)>;

    /// Marks the material read (the first time counts).
    async fn mark_read(&self, session_id: i64, person_id: i64, now: Timestamp) -> RepoResult<()>;
    async fn read_at(&self, session_id: i64, person_id: i64) -> RepoResult<Option<Timestamp>>;

    /// Writes the person's reflection, keeping the text it replaces, unless it was accepted
    /// (then `false`).
    async fn save_reflection(
        &self,
        session_id: i64,
        person_id: i64,
        body: &str,
        outlooks: Outlooks,
        now: Timestamp,
    ) -> RepoResult<bool>;
    async fn reflection_of(
        &self,
        session_id: i64,
        person_id: i64,
    ) -> RepoResult<Option<ReflectionEntry>>;
    async fn reflection(&self, id: i64) -> RepoResult<Option<ReflectionEntry>>;
    /// How many reflections the session has.
    async fn reflection_count(&self, session_id: i64) -> RepoResult<i64>;
    /// The session's reflections with their comments, newest first.
    async fn reflections(&self, session_id: i64) -> RepoResult<Vec<ReflectionEntry>>;
    async fn add_comment(
        &self,
        reflection_id: i64,
        author: i64,
        body: &str,
        now: Timestamp,
    ) -> RepoResult<i64>;
    /// The person's attendance status and marks on each session, in one query.
    async fn review_marks(
        &self,
        person_id: i64,
        session_ids: &[i64],
        now: Timestamp,
    ) -> RepoResult<Vec<(i64, ReviewMarks)>>;

    /// Sessions, materials (and reflections, when `reflections`) that contain every term,
    /// limited to what `scope` may see and, for materials, what has reached the audience
    /// (drafts only for the session's lecturers and organisers). Newest sessions first.
    async fn search(
        &self,
        query: &Query,
        scope: Scope,
        reflections: bool,
        now: Timestamp,
        limit: i64,
    ) -> RepoResult<Vec<SearchRow>>;
}

pub(super) fn parse_publication(s: &str) -> RepoResult<Publication> {
    Publication::parse(s).ok_or_else(|| RepoError::BadValue(s.to_string(), "publication"))
}

pub(super) fn parse_outlooks(s: &str) -> RepoResult<Outlooks> {
    Outlooks::parse_list(s.split(','))
        .ok_or_else(|| RepoError::BadValue(s.to_string(), "reflections.outlooks"))
}

pub(super) fn hit_kind(kind: i64) -> RepoResult<HitKind> {
    match kind {
        0 => Ok(HitKind::Session),
        1 => Ok(HitKind::Material),
        2 => Ok(HitKind::Reflection),
        other => Err(RepoError::BadValue(other.to_string(), "search kind")),
    }
}

#[derive(sqlx::FromRow)]
pub(super) struct VersionRow {
    version: i64,
    body_md: String,
    publication: String,
    saved_by: Option<String>,
    saved_at: i64,
    restored_from: Option<i64>,
}

#[derive(sqlx::FromRow)]
pub(super) struct AttachmentRow {
    id: i64,
    session_id: i64,
    name: String,
    content_type: String,
    size: i64,
    uploaded_by: Option<String>,
    created_at: i64,
}

#[derive(sqlx::FromRow)]
pub(super) struct ReflectionRow {
    id: i64,
    session_id: i64,
    person_id: i64,
    person: String,
    community: Option<String>,
    body: String,
    outlooks: String,
    accepted_at: Option<i64>,
    updated_at: i64,
}

pub(super) const VERSION_COLUMNS: &str = "select v.version, v.body_md, v.publication, \
     p.name as saved_by, v.saved_at, v.restored_from from material_versions v left join people p on p.id = v.saved_by";

pub(super) const ATTACHMENT_COLUMNS: &str = "select a.id, a.session_id, a.name, \
     a.content_type, a.size, p.name as uploaded_by, a.created_at from attachments a \
     left join people p on p.id = a.uploaded_by";

pub(super) const REFLECTION_COLUMNS: &str = "select r.id, r.session_id, r.person_id, \
     p.name as person, c.name as community, r.body, r.outlooks, r.accepted_at, r.updated_at from reflections r \
     join people p on p.id = r.person_id left join communities c on c.id = p.community_id";

pub(super) fn attachment_from(r: AttachmentRow) -> Attachment {
    Attachment {
        id: r.id,
        session_id: r.session_id,
        name: r.name,
        content_type: r.content_type,
        size: r.size,
        uploaded_by: r.uploaded_by.unwrap_or_default(),
        created_at: Timestamp(r.created_at),
    }
}

pub(super) fn version_from(r: VersionRow) -> RepoResult<MaterialVersion> {
    Ok(MaterialVersion {
        version: r.version,
        body_md: r.body_md,
        publication: parse_publication(&r.publication)?,
        saved_by: r.saved_by.unwrap_or_default(),
        saved_at: Timestamp(r.saved_at),
        restored_from: r.restored_from,
    })
}

pub(super) fn reflection_from(r: ReflectionRow) -> RepoResult<ReflectionEntry> {
    Ok(ReflectionEntry {
        id: r.id,
        session_id: r.session_id,
        person_id: r.person_id,
        person: r.person,
        community: r.community.unwrap_or_default(),
        body: r.body,
        outlooks: parse_outlooks(&r.outlooks)?,
        accepted_at: r.accepted_at.map(Timestamp),
        updated_at: Timestamp(r.updated_at),
        comments: Vec::new(),
        earlier: Vec::new(),
    })
}
