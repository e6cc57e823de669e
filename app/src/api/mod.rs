//! Server functions, one file per area. Each body: who is asking, may they (a pure policy
//! function), then the repository.
pub mod accounts;
pub mod announcements;
pub mod attendance;
pub mod audit;
pub mod auth;
pub mod backup;
pub mod browse;
pub mod certificates;
pub mod claims;
pub mod district;
#[cfg(feature = "ssr")]
pub mod dossier;
pub mod evaluation;
pub mod feeds;
pub mod import;
pub mod inbox;
pub mod materials;
pub mod organisation;
pub mod progress;
pub mod reports;
pub mod review;
pub mod schedule;
pub mod second_factor;
pub mod sessions;
pub mod settings;
pub mod suggestions;
