//! Server-only parts: state, authentication, the database.
pub mod auth;
pub mod db;
pub mod demo;
pub mod guard;
pub mod password;
pub mod state;
