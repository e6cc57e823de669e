//! How long a login lasts and when an account stops accepting password guesses.
use super::{Roles, Timestamp};

/// Failed logins allowed per account within [`FAILURE_WINDOW_SECS`].
pub const MAX_FAILURES: i64 = 10;
pub const FAILURE_WINDOW_SECS: i64 = 15 * 60;

/// Start of the window in which failures are counted.
pub fn failure_window_start(now: Timestamp) -> Timestamp {
    Timestamp(now.0 - FAILURE_WINDOW_SECS)
}

/// Whether the account refuses further attempts, given its failures inside the window.
pub fn is_locked(recent_failures: i64) -> bool {
    recent_failures >= MAX_FAILURES
}

/// Lifetimes of one login session.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SessionLifetime {
    /// The session ends after this long without a request.
    pub idle_secs: i64,
    /// The session ends this long after login, however active.
    pub absolute_secs: i64,
}

const MINUTE: i64 = 60;
const DAY: i64 = 24 * 60 * MINUTE;

impl SessionLifetime {
    /// "Remember me" is for a cadre on their own phone; accounts that can change other
    /// people's records keep the short lifetime whatever the box says.
    pub fn for_login(roles: &Roles, remember_me: bool) -> Self {
        if remember_me && !roles.is_privileged() {
            SessionLifetime {
                idle_secs: 30 * DAY,
                absolute_secs: 90 * DAY,
            }
        } else {
            SessionLifetime {
                idle_secs: 30 * MINUTE,
                absolute_secs: 12 * 60 * MINUTE,
            }
        }
    }
}

/// A stored login session's clock.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SessionClock {
    pub last_seen: Timestamp,
    pub idle_secs: i64,
    pub expires_at: Timestamp,
}

impl SessionClock {
    pub fn is_valid_at(&self, now: Timestamp) -> bool {
        now.0 < self.expires_at.0 && now.0 - self.last_seen.0 < self.idle_secs
    }

    /// Writing `last_seen` on every request would turn each page view into a database write;
    /// once a minute is precise enough for a 30-minute idle timeout.
    pub fn needs_touch(&self, now: Timestamp) -> bool {
        now.0 - self.last_seen.0 >= MINUTE
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Role;

    #[test]
    fn lockout_starts_at_the_tenth_failure() {
        assert!(!is_locked(0));
        assert!(!is_locked(9));
        assert!(is_locked(10));
        assert_eq!(
            failure_window_start(Timestamp(10_000)),
            Timestamp(10_000 - 900)
        );
    }

    #[test]
    fn remember_me_only_extends_unprivileged_sessions() {
        let cadre = Roles::new([Role::Cadre]);
        let organiser = Roles::new([Role::Cadre, Role::Organiser]);
        let short = SessionLifetime::for_login(&cadre, false);
        assert_eq!(short.idle_secs, 1800);
        assert!(SessionLifetime::for_login(&cadre, true).idle_secs > short.idle_secs);
        assert_eq!(SessionLifetime::for_login(&organiser, true), short);
    }

    #[test]
    fn sessions_expire_when_idle_or_too_old() {
        let clock = SessionClock {
            last_seen: Timestamp(1_000),
            idle_secs: 1_800,
            expires_at: Timestamp(5_000),
        };
        assert!(clock.is_valid_at(Timestamp(2_799)));
        assert!(!clock.is_valid_at(Timestamp(2_800)));
        let busy = SessionClock {
            last_seen: Timestamp(4_990),
            ..clock
        };
        assert!(busy.is_valid_at(Timestamp(4_999)));
        assert!(!busy.is_valid_at(Timestamp(5_000)));
    }

    #[test]
    fn touch_at_most_once_a_minute() {
        let clock = SessionClock {
            last_seen: Timestamp(1_000),
            idle_secs: 1_800,
            expires_at: Timestamp(50_000),
        };
        assert!(!clock.needs_touch(Timestamp(1_059)));
        assert!(clock.needs_touch(Timestamp(1_060)));
    }
}
