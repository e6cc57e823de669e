pub mod layout;
pub mod session_card;
