//! How many tries at a secret (a password, a door code) are allowed, and how long the next
//! one must wait. Every try is recorded before its secret is checked, so tries sent in
//! parallel all count: the verdict is read from the tries recorded so far, this one
//! included.
use super::Timestamp;

/// A bucket's rule: `free` tries within `window_secs`, then each further try must wait
/// after the one before it, `first_delay_secs` at first and twice as long each time, up to
/// `max_delay_secs`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limit {
    pub free: i64,
    pub window_secs: i64,
    pub first_delay_secs: i64,
    pub max_delay_secs: i64,
}

/// What a bucket says about one try.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    Allowed,
    /// Refused; the caller may try again in this many seconds.
    Wait(i64),
}

impl Limit {
    /// Where the bucket's window starts at `now`.
    pub fn since(self, now: Timestamp) -> Timestamp {
        Timestamp(now.0 - self.window_secs)
    }

    /// The delay owed before the `n`-th try of the window (this one included).
    pub fn delay_before(self, n: i64) -> i64 {
        if n <= self.free {
            return 0;
        }
        let doublings = (n - self.free - 1).clamp(0, 30) as u32;
        self.first_delay_secs
            .saturating_mul(1_i64 << doublings)
            .min(self.max_delay_secs)
    }

    /// The verdict on a try, given the tries of the window (this one included) and when the
    /// try before it was made.
    pub fn verdict(self, tries: i64, previous: Option<Timestamp>, now: Timestamp) -> Verdict {
        let delay = self.delay_before(tries);
        match previous {
            _ if delay == 0 => Verdict::Allowed,
            None => Verdict::Allowed,
            Some(prev) if now.0 - prev.0 >= delay => Verdict::Allowed,
            Some(prev) => Verdict::Wait(delay - (now.0 - prev.0)),
        }
    }
}

/// The strictest of several verdicts: refused if any bucket refuses, for the longest wait.
pub fn strictest(verdicts: impl IntoIterator<Item = Verdict>) -> Verdict {
    verdicts
        .into_iter()
        .fold(Verdict::Allowed, |acc, v| match (acc, v) {
            (Verdict::Wait(a), Verdict::Wait(b)) => Verdict::Wait(a.max(b)),
            (Verdict::Wait(a), Verdict::Allowed) | (Verdict::Allowed, Verdict::Wait(a)) => {
                Verdict::Wait(a)
            }
            (Verdict::Allowed, Verdict::Allowed) => Verdict::Allowed,
        })
}

const MINUTE: i64 = 60;

/// Wrong passwords for one user name from one device (or, without a device cookie, one
/// address): a few slips, then a growing wait.
pub const LOGIN_PER_DEVICE: Limit = Limit {
    free: 5,
    window_secs: 15 * MINUTE,
    first_delay_secs: 2,
    max_delay_secs: 15 * MINUTE,
};

/// Codes typed for one account's second factor, whoever types them: a million codes make
/// guessing hopeless at five tries per quarter hour (the password had to be right first).
pub const SECOND_FACTOR: Limit = Limit {
    free: 5,
    window_secs: 15 * MINUTE,
    first_delay_secs: 5,
    max_delay_secs: 15 * MINUTE,
};

/// Wrong passwords for one user name from anywhere. Not applied to a device that signed in
/// to the account before, so guesses from elsewhere cannot lock its owner out.
pub const LOGIN_PER_USER: Limit = Limit {
    free: 10,
    window_secs: 15 * MINUTE,
    first_delay_secs: 2,
    max_delay_secs: 15 * MINUTE,
};

/// Wrong passwords from one address, whatever the user name. A meeting room's phones often
/// share one address, hence the room for slips. Not applied to known devices either.
pub const LOGIN_PER_ADDRESS: Limit = Limit {
    free: 30,
    window_secs: 15 * MINUTE,
    first_delay_secs: 2,
    max_delay_secs: 15 * MINUTE,
};

/// Wrong current passwords when changing one's password.
pub const PASSWORD_CHANGE: Limit = Limit {
    free: 5,
    window_secs: 15 * MINUTE,
    first_delay_secs: 2,
    max_delay_secs: 15 * MINUTE,
};

/// Wrong door codes typed by one account.
pub const DOOR_PER_ACCOUNT: Limit = Limit {
    free: 5,
    window_secs: 60 * MINUTE,
    first_delay_secs: 5,
    max_delay_secs: 10 * MINUTE,
};

/// Wrong door codes typed from one address (the hall's phones often share it).
pub const DOOR_PER_ADDRESS: Limit = Limit {
    free: 30,
    window_secs: 60 * MINUTE,
    first_delay_secs: 2,
    max_delay_secs: 10 * MINUTE,
};

/// Certificate serials looked up on the public verification page from one address: a
/// hall checking a class's certificates is free, guessing serials is slowed to a crawl.
pub const VERIFY_PER_ADDRESS: Limit = Limit {
    free: 60,
    window_secs: 60 * MINUTE,
    first_delay_secs: 5,
    max_delay_secs: 30 * MINUTE,
};

/// Whole minutes to show for a wait of `secs` seconds (at least one).
pub fn wait_minutes(secs: i64) -> i64 {
    ((secs + MINUTE - 1) / MINUTE).max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    const L: Limit = Limit {
        free: 3,
        window_secs: 900,
        first_delay_secs: 2,
        max_delay_secs: 60,
    };

    #[test]
    fn free_tries_then_a_doubling_wait() {
        let delays: Vec<i64> = (1..=10).map(|n| L.delay_before(n)).collect();
        assert_eq!(delays, vec![0, 0, 0, 2, 4, 8, 16, 32, 60, 60]);
        assert_eq!(L.delay_before(10_000), 60, "capped, no overflow");
    }

    #[test]
    fn a_try_waits_after_the_one_before() {
        let now = Timestamp(10_000);
        assert_eq!(L.verdict(3, Some(now), now), Verdict::Allowed);
        assert_eq!(L.verdict(4, Some(Timestamp(9_999)), now), Verdict::Wait(1));
        assert_eq!(L.verdict(4, Some(Timestamp(9_998)), now), Verdict::Allowed);
        assert_eq!(L.verdict(9, Some(Timestamp(9_990)), now), Verdict::Wait(50));
        assert_eq!(L.verdict(9, None, now), Verdict::Allowed);
    }

    #[test]
    fn parallel_tries_are_refused_beyond_the_free_ones() {
        // 200 tries arriving in the same second: each sees the ones recorded before it.
        let now = Timestamp(10_000);
        let allowed = (1..=200)
            .filter(|n| L.verdict(*n, (*n > 1).then_some(now), now) == Verdict::Allowed)
            .count();
        assert_eq!(allowed, 3);
    }

    #[test]
    fn the_strictest_bucket_decides() {
        assert_eq!(strictest([]), Verdict::Allowed);
        assert_eq!(
            strictest([Verdict::Allowed, Verdict::Wait(5), Verdict::Wait(9)]),
            Verdict::Wait(9)
        );
        assert_eq!(wait_minutes(1), 1);
        assert_eq!(wait_minutes(61), 2);
    }

    #[test]
    fn guessing_a_door_code_is_hopeless() {
        // Tries one account can make in an hour of steady guessing, waiting out each delay.
        let mut t = 0;
        let mut tries = 0;
        let mut last: Option<i64> = None;
        while t < 3600 {
            let n = tries + 1;
            let wait = DOOR_PER_ACCOUNT.delay_before(n);
            let ready = last.map_or(0, |l| l + wait);
            t = t.max(ready);
            if t >= 3600 {
                break;
            }
            tries = n;
            last = Some(t);
        }
        assert!(tries <= 20, "{tries} tries an hour");
    }
}
