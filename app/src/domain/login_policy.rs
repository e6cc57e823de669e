//! How long a login lasts. How many password guesses are allowed is `throttle`'s.
use super::{Roles, Timestamp};

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
    /// "Remember me" is for a cadre on their own phone; an account with any other role
    /// (lecturers included: they edit materials and read reflections) keeps the short
    /// lifetime whatever the box says.
    pub fn for_login(roles: &Roles, remember_me: bool) -> Self {
        if remember_me && roles.is_cadre_only() {
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
    /// The clock with a sighting not yet stored (`noted`) taken into account: the later of
    /// the stored and the noted time counts.
    pub fn seen(self, noted: Option<Timestamp>) -> SessionClock {
        SessionClock {
            last_seen: noted.map_or(self.last_seen, |n| n.max(self.last_seen)),
            ..self
        }
    }

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
    fn a_noted_sighting_keeps_a_session_alive_until_it_is_stored() {
        let stored = SessionClock {
            last_seen: Timestamp(1_000),
            idle_secs: 1_800,
            expires_at: Timestamp(100_000),
        };
        let now = Timestamp(1_000 + 1_800 + 5);
        assert!(!stored.is_valid_at(now));
        assert!(stored.seen(Some(Timestamp(2_000))).is_valid_at(now));
        // An older note never moves the clock back.
        assert_eq!(stored.seen(Some(Timestamp(10))), stored);
        assert_eq!(stored.seen(None), stored);
        assert!(
            !stored
                .seen(Some(Timestamp(2_000)))
                .needs_touch(Timestamp(2_030))
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
        let lecturer = Roles::new([Role::Cadre, Role::Lecturer]);
        assert_eq!(SessionLifetime::for_login(&lecturer, true), short);
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
