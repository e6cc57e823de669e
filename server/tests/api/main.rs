//! Integration tests: the real server on port 0 against a fresh database. Every test runs
//! on SQLite, and on PostgreSQL when TEST_DATABASE_URL names a server (CI sets it).
mod helpers;

mod accounts;
mod attendance;
mod auth;
mod backup;
mod certificates;
mod checkin;
mod claims;
mod cli;
mod corrections;
mod evaluation;
mod kept;
mod leave;
mod materials;
mod matrix;
mod messages;
mod oidc;
mod organisation;
mod pages;
mod planning;
mod progress;
mod repository;
mod schedule;
mod second_factor;
mod suggestions;
