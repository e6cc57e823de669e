//! What this server remembers of refused sign-in tries, so that a flood of them costs no
//! database writes (see `auth::count_try`).
use crate::domain::Timestamp;
use crate::domain::throttle::Limit;

/// Buckets this server refused a try for, and until when. A try at a bucket still waiting
/// is refused from here, without a write: a flood of refused tries then costs no database
/// work (measured: 2,000 logins from one address queued a real user's login for 3.9 s on
/// the single SQLite writer). Each server keeps its own; the database stays the judge of
/// every try that is counted.
#[derive(Default)]
pub struct Refusals {
    until: std::sync::Mutex<std::collections::HashMap<String, i64>>,
    /// Tries this server let through to the database per bucket: (window start, count,
    /// last try). Counted before the database is asked, so that a burst of parallel tries
    /// beyond a bucket's free ones is refused here instead of queueing as writes (the
    /// first real login during a 200-wide flood waited 3.4 s behind them on SQLite).
    /// Also how many it refused here since, for the audit log.
    recent: std::sync::Mutex<std::collections::HashMap<String, (i64, i64, i64, i64)>>,
}

/// Buckets remembered at most; beyond, the expired ones are dropped first.
const MAX_REFUSALS: usize = 10_000;

impl Refusals {
    /// The seconds left to wait for the strictest of `buckets`, if any is waiting.
    pub(crate) fn waiting(&self, buckets: &[(String, Limit)], now: Timestamp) -> Option<i64> {
        let until = self.until.lock().ok()?;
        buckets
            .iter()
            .filter_map(|(b, _)| until.get(b))
            .map(|u| u - now.0)
            .filter(|left| *left > 0)
            .max()
    }

    /// Takes a try for every bucket, or answers how long to wait when one of them already
    /// let its free tries through from this server and the try comes within its first
    /// delay of the last one (the database would refuse it too).
    /// Answers the wait and whether this refusal is worth a line in the audit log (the
    /// first and then every power of two, as for the database's refusals).
    pub(crate) fn reserve(
        &self,
        buckets: &[(String, Limit)],
        now: Timestamp,
    ) -> Option<(i64, bool)> {
        let mut recent = self.recent.lock().ok()?;
        if recent.len() >= MAX_REFUSALS {
            recent.retain(|_, (start, ..)| now.0 - *start < 3600);
        }
        let busy = buckets.iter().any(|(b, limit)| {
            recent.get(b).is_some_and(|(start, count, last, _)| {
                now.0 - start < limit.window_secs
                    && *count >= limit.free
                    && now.0 - last < limit.first_delay_secs
            })
        });
        let wait = buckets.iter().map(|(_, l)| l.first_delay_secs).max()?;
        let mut worth_logging = false;
        for (b, limit) in buckets {
            let entry = recent.entry(b.clone()).or_insert((now.0, 0, now.0, 0));
            if now.0 - entry.0 >= limit.window_secs {
                *entry = (now.0, 0, now.0, 0);
            }
            entry.2 = now.0;
            if busy {
                entry.3 += 1;
                worth_logging |= entry.3 & (entry.3 - 1) == 0;
            } else {
                entry.1 += 1;
            }
        }
        busy.then_some((wait, worth_logging))
    }

    /// Gives back the tries of a right secret (the database forgets them too).
    pub(crate) fn release(&self, buckets: &[(String, Limit)]) {
        if let Ok(mut recent) = self.recent.lock() {
            for (b, _) in buckets {
                if let Some(entry) = recent.get_mut(b) {
                    entry.1 = (entry.1 - 1).max(0);
                }
            }
        }
    }

    pub(crate) fn remember(&self, bucket: &str, until: i64, now: Timestamp) {
        let Ok(mut map) = self.until.lock() else {
            return;
        };
        if map.len() >= MAX_REFUSALS {
            map.retain(|_, u| *u > now.0);
        }
        if map.len() < MAX_REFUSALS {
            map.insert(bucket.to_string(), until);
        }
    }
}
