//! Server-only parts: state, authentication, the database.
pub mod auth;
pub mod calendar;
pub mod db;
pub mod demo;
pub mod guard;
pub mod markdown;
pub mod password;
pub mod state;
