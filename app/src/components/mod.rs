pub mod layout;
pub mod people_picker;
pub mod session_card;
