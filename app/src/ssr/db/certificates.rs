//! Certificates and annual dossiers in the database: issued once per series or tier year
//! (a unique index keeps it so with several app servers), kept as printed, revoked with a
//! reason; `certificates_sql.rs` implements [`CertificateStore`] for `SqlRepository<Db>`.
use async_trait::async_trait;

use super::{AuditLine, RepoResult};
use crate::domain::Timestamp;
use crate::domain::certificates::CertificateKind;
use crate::domain::hours::StudyHours;
use crate::domain::messages::ChannelsOn;
use crate::domain::org::Reach;

/// A certificate as issued, with whom it belongs to now (for the organisers' list).
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct CertificateRow {
    pub id: i64,
    pub serial: String,
    pub kind: String,
    pub person_id: i64,
    pub year: i64,
    pub subject: String,
    pub name: String,
    pub programme: String,
    pub issuer: String,
    pub hours: i64,
    pub issued_at: i64,
    pub revoked_at: Option<i64>,
    pub revoke_reason: Option<String>,
    pub revoked_by: String,
    pub community: String,
}

impl CertificateRow {
    pub fn kind(&self) -> CertificateKind {
        CertificateKind::parse(&self.kind).unwrap_or(CertificateKind::Dossier)
    }
}

/// A certificate to issue.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewCertificate {
    pub serial: String,
    pub kind: CertificateKind,
    pub person_id: i64,
    pub year: i64,
    pub subject: String,
    pub name: String,
    pub programme: String,
    pub issuer: String,
    pub hours: StudyHours,
}

/// A session (not cancelled) of a series: (series, session id, start, end).
pub type SeriesSessionRow = (String, i64, Timestamp, Timestamp);

#[async_trait]
pub trait CertificateStore: Send + Sync {
    /// The series and tier years already certified (revoked ones included): (kind, person,
    /// year, subject).
    async fn certified(&self) -> RepoResult<Vec<(String, i64, i64, String)>>;
    /// Issues each certificate not issued yet, with its audit line and a notice to its
    /// holder, in one transaction; those it issued.
    async fn issue_certificates(
        &self,
        new: &[NewCertificate],
        channels: &ChannelsOn,
        now: Timestamp,
    ) -> RepoResult<Vec<NewCertificate>>;
    /// The newest dossier of a person's year.
    async fn last_dossier(&self, person_id: i64, year: i64) -> RepoResult<Option<CertificateRow>>;
    /// Issues a dossier asked for by `by` with its PDF as issued (`sha256`, `pdf`) and its
    /// audit line, in one transaction.
    #[allow(clippy::too_many_arguments)]
    async fn issue_dossier(
        &self,
        new: &NewCertificate,
        by: i64,
        audit: &AuditLine,
        sha256: &str,
        pdf: &[u8],
        now: Timestamp,
    ) -> RepoResult<CertificateRow>;
    /// A dossier's PDF as it was issued.
    async fn certificate_file(&self, id: i64) -> RepoResult<Option<Vec<u8>>>;
    async fn certificate(&self, serial: &str) -> RepoResult<Option<CertificateRow>>;
    async fn certificate_by_id(&self, id: i64) -> RepoResult<Option<CertificateRow>>;
    /// A person's certificates, newest first.
    async fn certificates_of(&self, person_id: i64) -> RepoResult<Vec<CertificateRow>>;
    /// Certificates of people in `reach` (`None`: all), of a year and kind when given,
    /// newest first.
    async fn certificates_within(
        &self,
        reach: Option<&Reach>,
        year: Option<i64>,
        kind: Option<CertificateKind>,
        limit: i64,
    ) -> RepoResult<Vec<CertificateRow>>;
    /// Revokes a standing certificate with the audit line and a notice to its holder, in
    /// one transaction; `false` when it was revoked already.
    #[allow(clippy::too_many_arguments)]
    async fn revoke_certificate(
        &self,
        id: i64,
        reason: &str,
        by: i64,
        channels: &ChannelsOn,
        audit: &AuditLine,
        now: Timestamp,
    ) -> RepoResult<bool>;
    /// The sessions (not cancelled) of every series that start at `from` or later.
    async fn series_sessions(&self, from: Timestamp) -> RepoResult<Vec<SeriesSessionRow>>;
    /// (session, person) of approved duty leave at these sessions.
    async fn duty_excused_at(&self, sessions: &[i64]) -> RepoResult<Vec<(i64, i64)>>;
}
