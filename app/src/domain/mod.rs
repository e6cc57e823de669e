//! Pure types and rules of the night school. No I/O: this module compiles to WASM too and
//! is tested without a database or a browser.

pub mod account;
pub mod attendance;
pub mod audience;
pub mod audit;
pub mod calendar;
pub mod claims;
pub mod conflicts;
pub mod cookie;
pub mod csv;
pub mod district;
pub mod files;
pub mod hours;
pub mod ical;
pub mod import;
pub mod islands;
pub mod kept_pages;
pub mod listing;
pub mod login_policy;
pub mod materials;
pub mod messages;
pub mod network;
pub mod org;
pub mod people;
pub mod policy;
pub mod posted;
pub mod programme;
pub mod progress;
pub mod recurrence;
pub mod report;
pub mod role;
pub mod schedule;
pub mod search;
pub mod second_factor;
pub mod series_edit;
pub mod session_draft;
pub mod settings;
pub mod share;
pub mod suggestions;
pub mod summary;
pub mod throttle;
pub mod tier_plan;
pub mod time;

pub use account::{DisplayName, Password, Username};
pub use role::{Home, Role, Roles};
pub use time::Timestamp;
