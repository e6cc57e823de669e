//! When each login session was last seen, written off the request path. A request that finds
//! its session's stored `last_seen` a minute old notes the time here instead of writing it; a
//! worker stores every noted time every few seconds, in one transaction. A page view or a
//! check-in therefore never waits for the database's writer because it was seen.
//!
//! Until it is stored, a noted time counts for this server (`noted`); another app server sees
//! it within one flush. A session is ended only when it is idle by both the stored and the
//! noted time, so no one is signed out early for a time not yet written.
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use super::db::{AccountStore, RepoResult};
use crate::domain::Timestamp;

/// How often noted times are stored.
pub const FLUSH_EVERY: Duration = Duration::from_secs(5);

#[derive(Default)]
pub struct Seen {
    noted: Mutex<HashMap<String, Timestamp>>,
}

impl Seen {
    /// Notes that the session with `token_hash` was seen at `at`.
    pub fn note(&self, token_hash: &str, at: Timestamp) {
        let mut noted = self.noted.lock().unwrap_or_else(|e| e.into_inner());
        let slot = noted.entry(token_hash.to_string()).or_insert(at);
        *slot = (*slot).max(at);
    }

    /// The time noted for the session and not yet stored.
    pub fn noted(&self, token_hash: &str) -> Option<Timestamp> {
        let noted = self.noted.lock().unwrap_or_else(|e| e.into_inner());
        noted.get(token_hash).copied()
    }

    /// Stores every noted time; how many. What fails to be stored is noted again, so the
    /// next flush tries once more.
    pub async fn flush(&self, store: &dyn AccountStore) -> RepoResult<usize> {
        let batch: Vec<(String, Timestamp)> = {
            let mut noted = self.noted.lock().unwrap_or_else(|e| e.into_inner());
            noted.drain().collect()
        };
        if batch.is_empty() {
            return Ok(0);
        }
        match store.touch_auth_sessions(&batch).await {
            Ok(()) => Ok(batch.len()),
            Err(err) => {
                for (hash, at) in &batch {
                    self.note(hash, *at);
                }
                Err(err)
            }
        }
    }

    /// Starts the worker that flushes every `every`; it lives as long as the process.
    pub fn spawn(store: Arc<dyn AccountStore>, every: Duration) -> Arc<Seen> {
        let seen = Arc::new(Seen::default());
        let worker = seen.clone();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(every);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tick.tick().await;
                if let Err(err) = worker.flush(store.as_ref()).await {
                    tracing::warn!(error = %err, "storing login sessions' last-seen times failed");
                }
            }
        });
        seen
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_latest_note_of_a_session_counts() {
        let seen = Seen::default();
        assert_eq!(seen.noted("a"), None);
        seen.note("a", Timestamp(20));
        seen.note("a", Timestamp(10));
        seen.note("b", Timestamp(5));
        assert_eq!(seen.noted("a"), Some(Timestamp(20)));
        assert_eq!(seen.noted("b"), Some(Timestamp(5)));
    }
}
