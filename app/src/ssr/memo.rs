//! Values kept in memory between requests, each labelled with the database's change
//! counter (`data_changes`) as it was read before the value was built, and a time after
//! which it no longer holds. See `standings.rs` for why that label keeps them exact.
use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex};

use crate::domain::Timestamp;
use crate::error::AppResult;

/// Most keys one memo keeps.
pub(crate) const KEYS_KEPT: usize = 16;

/// A value built at `version` of the change counter, good until `until`.
pub(crate) struct Kept<T> {
    version: i64,
    until: Timestamp,
    value: Arc<T>,
}

/// Values by key, each rebuilt when stale; one build at a time.
pub(crate) struct Memo<K, T> {
    kept: Mutex<HashMap<K, Kept<T>>>,
    building: tokio::sync::Mutex<()>,
}

impl<K: std::hash::Hash + Eq + Copy, T> Memo<K, T> {
    pub(crate) fn new() -> Self {
        Memo {
            kept: Mutex::new(HashMap::new()),
            building: tokio::sync::Mutex::new(()),
        }
    }

    pub(crate) fn fresh(&self, key: K, version: i64, now: Timestamp) -> Option<Arc<T>> {
        let kept = self.kept.lock().unwrap_or_else(|e| e.into_inner());
        kept.get(&key)
            .filter(|k| k.version >= version && now < k.until)
            .map(|k| k.value.clone())
    }

    /// The value for `key`, fresh for a request that read the counter at `version`;
    /// `build` reads the counter itself first and returns `(version, until, value)`.
    pub(crate) async fn get<F, Fut>(
        &self,
        key: K,
        version: i64,
        now: Timestamp,
        build: F,
    ) -> AppResult<Arc<T>>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = AppResult<(i64, Timestamp, T)>>,
    {
        if let Some(v) = self.fresh(key, version, now) {
            return Ok(v);
        }
        let _turn = self.building.lock().await;
        // Someone else may have built it while this request waited its turn.
        if let Some(v) = self.fresh(key, version, now) {
            return Ok(v);
        }
        let (version, until, value) = build().await?;
        let value = Arc::new(value);
        let mut kept = self.kept.lock().unwrap_or_else(|e| e.into_inner());
        // What an older counter labelled, or what the clock has passed, never serves again;
        // and a memo of many keys (report ranges) keeps only the latest few.
        kept.retain(|_, k| k.version >= version && now < k.until);
        if kept.len() >= KEYS_KEPT {
            kept.clear();
        }
        kept.insert(
            key,
            Kept {
                version,
                until,
                value: value.clone(),
            },
        );
        Ok(value)
    }
}
