pub mod evaluation;
pub mod late_reminder;
pub mod layout;
pub mod material;
pub mod my_attendance;
pub mod people_picker;
pub mod rule_holder;
pub mod session_card;
