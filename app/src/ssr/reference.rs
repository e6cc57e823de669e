//! The reference data the session list's and the planner's pickers offer (subdistricts,
//! communities, themes, tiers, lecturers), kept between requests. Five queries on every
//! such page become none: what is kept is labelled with the reference change counter
//! (`reference_changes`) read before its rows, and used only while the counter a request
//! read is the same (the session middleware reads it once per signed-in request; see
//! `ssr::logins`). Triggers move the counter with every write to those tables, on any app
//! server, so an edit shows on the very next page.
use std::sync::{Arc, Mutex};

use super::db::{Community, RepoResult, Repository, Subdistrict, Theme, Tier};

/// The counter as the session middleware read it for this request.
#[derive(Clone, Copy, Debug)]
pub struct ReferenceVersion(pub i64);

/// The counter the session middleware read for the current request, if any (server
/// functions; `None` elsewhere).
pub fn version() -> Option<i64> {
    leptos::prelude::use_context::<http::request::Parts>()
        .and_then(|parts| parts.extensions.get::<ReferenceVersion>().map(|v| v.0))
}

/// The reference data as stored, unfiltered.
#[derive(Debug, Default)]
pub struct ReferenceData {
    pub subdistricts: Vec<Subdistrict>,
    pub communities: Vec<Community>,
    pub themes: Vec<Theme>,
    pub tiers: Vec<Tier>,
    /// Enabled accounts with the lecturer role: person id and name, by name.
    pub lecturers: Vec<(i64, String)>,
}

#[derive(Default)]
pub struct Reference {
    kept: Mutex<Option<(i64, Arc<ReferenceData>)>>,
}

impl Reference {
    /// The reference data at counter `version` (`None`: read the counter now).
    pub async fn get(
        &self,
        repo: &dyn Repository,
        version: Option<i64>,
    ) -> RepoResult<Arc<ReferenceData>> {
        let version = match version {
            Some(v) => v,
            None => repo.reference_changes().await?,
        };
        if let Some((at, data)) = self.kept.lock().unwrap_or_else(|e| e.into_inner()).as_ref()
            && *at == version
        {
            return Ok(data.clone());
        }
        let data = Arc::new(ReferenceData {
            subdistricts: repo.subdistricts().await?,
            communities: repo.communities().await?,
            themes: repo.themes().await?,
            tiers: repo.tiers().await?,
            lecturers: repo.lecturers().await?,
        });
        let mut kept = self.kept.lock().unwrap_or_else(|e| e.into_inner());
        // A request that read an older counter does not replace what a newer one kept.
        if kept.as_ref().is_none_or(|(at, _)| *at <= version) {
            *kept = Some((version, data.clone()));
        }
        Ok(data)
    }
}
