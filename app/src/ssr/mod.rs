//! Server-only parts: state, authentication, the database.
pub mod audit;
pub mod auth;
pub mod backup;
pub mod calendar;
pub mod checkin;
pub mod db;
pub mod demo;
pub mod exports;
pub mod files;
pub mod guard;
pub mod import;
pub mod markdown;
pub mod password;
pub mod progress;
pub mod security;
pub mod state;
