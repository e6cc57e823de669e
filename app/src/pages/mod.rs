pub mod accounts;
pub mod cadre_home;
pub mod lecturer_home;
pub mod login;
pub mod not_found;
pub mod organiser_home;
pub mod password;
pub mod planner;
