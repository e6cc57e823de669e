//! Attendance: the door's projector board, the cadre's check-in page, marking with its
//! audit trail, leave and make-up requests. Reports live in `api/reports.rs`.
mod corrections;
mod door;
mod excusals;
mod requests;
mod sheet;

pub use corrections::*;
pub use door::*;
pub use excusals::*;
pub use requests::*;
pub use sheet::*;
