//! Resolved logins kept between requests. Resolving a session cookie costs four to five
//! queries (the session, the account with its roles, the person's tier and community, the
//! organiser grants and, for them, the subdistricts); every page and server function pays it. What they resolved to is
//! kept here, labelled with the reference change counter (`reference_changes`) as it was read
//! before the rows were: a request reads that one row and uses what is kept only when it
//! has not moved since. The counter moves with every committed write that changes who a
//! login is (a session ended, an account disabled, a role or grant changed, a name, the
//! organisation) on any app server sharing the database, so nothing kept outlives a logout,
//! a disabled account or a withdrawn grant by even one request.
//!
//! The key is the SHA-256 of the cookie's token: what is kept for one cookie is never
//! handed to another. Sightings (`last_seen`) do not move the counter; a kept login whose
//! idle clock says it ended is read again from the database before anything is decided,
//! since another app server may have seen it since.
use std::collections::HashMap;
use std::sync::Mutex;

use super::db::{Account, StoredSession};
use super::grants::Grants;
use crate::domain::Timestamp;
use crate::domain::audience::Member;

/// At most this many logins are kept; beyond it, those of an older counter go first, then
/// all of them.
pub const KEPT: usize = 50_000;

/// A login as it was resolved.
#[derive(Clone, Debug)]
pub struct Resolved {
    pub session: StoredSession,
    pub account: Account,
    pub grants: Grants,
    pub member: Option<Member>,
}

#[derive(Default)]
pub struct Logins {
    kept: Mutex<HashMap<String, (i64, Resolved)>>,
}

impl Logins {
    /// The login kept for `token_hash`, if it was resolved at counter `version`.
    pub fn get(&self, token_hash: &str, version: i64) -> Option<Resolved> {
        let kept = self.kept.lock().unwrap_or_else(|e| e.into_inner());
        match kept.get(token_hash) {
            Some((at, resolved)) if *at == version => Some(resolved.clone()),
            _ => None,
        }
    }

    /// Keeps what `token_hash` resolved to; `version` is the counter read before its rows.
    pub fn put(&self, token_hash: &str, version: i64, resolved: Resolved) {
        let mut kept = self.kept.lock().unwrap_or_else(|e| e.into_inner());
        if kept.len() >= KEPT && !kept.contains_key(token_hash) {
            kept.retain(|_, (at, _)| *at == version);
            if kept.len() >= KEPT {
                kept.clear();
            }
        }
        kept.insert(token_hash.to_string(), (version, resolved));
    }

    /// Records that the kept login was seen at `at` (the sighting itself is stored by
    /// `seen`), so that its clock does not ask for another sighting within the minute.
    pub fn saw(&self, token_hash: &str, at: Timestamp) {
        let mut kept = self.kept.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((_, resolved)) = kept.get_mut(token_hash) {
            let clock = &mut resolved.session.clock;
            clock.last_seen = clock.last_seen.max(at);
        }
    }

    /// Forgets the login kept for `token_hash`.
    pub fn forget(&self, token_hash: &str) {
        let mut kept = self.kept.lock().unwrap_or_else(|e| e.into_inner());
        kept.remove(token_hash);
    }

    /// How many logins are kept.
    pub fn len(&self) -> usize {
        self.kept.lock().unwrap_or_else(|e| e.into_inner()).len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::login_policy::SessionClock;
    use crate::domain::{Role, Roles};

    fn resolved(account_id: i64) -> Resolved {
        Resolved {
            session: StoredSession {
                account_id,
                clock: SessionClock {
                    last_seen: Timestamp(100),
                    idle_secs: 1_800,
                    expires_at: Timestamp(10_000),
                },
                pending: None,
            },
            account: Account {
                id: account_id,
                username: format!("u{account_id}"),
                display_name: format!("用户{account_id}"),
                person_id: account_id,
                roles: Roles::new(vec![Role::Cadre]),
                disabled: false,
                created_at: Timestamp(0),
                must_change_password: false,
            },
            grants: Grants::default(),
            member: None,
        }
    }

    #[test]
    fn a_login_is_kept_only_for_its_counter_and_its_own_cookie() {
        let logins = Logins::default();
        logins.put("a", 7, resolved(1));
        assert_eq!(logins.get("a", 7).map(|r| r.account.id), Some(1));
        assert!(logins.get("a", 8).is_none(), "the counter moved");
        assert!(logins.get("b", 7).is_none(), "another cookie");
        logins.forget("a");
        assert!(logins.get("a", 7).is_none());
    }

    #[test]
    fn a_sighting_moves_the_kept_clock_forward_only() {
        let logins = Logins::default();
        logins.put("a", 1, resolved(1));
        logins.saw("a", Timestamp(500));
        logins.saw("a", Timestamp(200));
        let clock = logins.get("a", 1).unwrap().session.clock;
        assert_eq!(clock.last_seen, Timestamp(500));
    }

    #[test]
    fn the_store_stays_bounded_dropping_older_counters_first() {
        let logins = Logins::default();
        for i in 0..KEPT {
            logins.put(&format!("old{i}"), 1, resolved(1));
        }
        logins.put("new", 2, resolved(2));
        assert_eq!(logins.len(), 1, "those of counter 1 were stale");
        assert!(logins.get("new", 2).is_some());
    }
}
