//! The second factor as rules: who must have one, which time steps a typed code may match
//! (RFC 6238, 30-second steps, one step of clock drift either side, never a step already
//! used), and how codes are told apart from recovery codes.
use serde::{Deserialize, Serialize};

use super::{Role, Roles};

/// Seconds per TOTP time step.
pub const STEP_SECS: i64 = 30;
/// Recovery codes handed out at once.
pub const RECOVERY_CODES: usize = 10;
/// Characters of a recovery code (from [`RECOVERY_ALPHABET`]: about 49 bits).
pub const RECOVERY_LEN: usize = 10;
/// Letters and digits that cannot be mistaken for each other when copied by hand.
pub const RECOVERY_ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";
/// A login waiting for its code lasts this long (seconds).
pub const PENDING_SECS: i64 = 300;

/// What a login session still waits for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Pending {
    /// The password was right; the code is still to come.
    Verify,
    /// The account must set up a second factor before doing anything else.
    Enroll,
}

impl Pending {
    pub fn code(self) -> &'static str {
        match self {
            Pending::Verify => "verify",
            Pending::Enroll => "enroll",
        }
    }

    pub fn parse(s: &str) -> Option<Pending> {
        match s {
            "verify" => Some(Pending::Verify),
            "enroll" => Some(Pending::Enroll),
            _ => None,
        }
    }
}

/// Admins always need a second factor; organisers when the install says so.
pub fn required(roles: &Roles, organisers_too: bool) -> bool {
    roles.has(Role::Admin) || (organisers_too && roles.has(Role::Organiser))
}

/// The time steps a code typed at `now` may belong to, newest first: the current step and
/// one either side, but only steps after `last_used` (a code is accepted once).
pub fn candidate_steps(now: i64, last_used: i64) -> Vec<i64> {
    let current = now.div_euclid(STEP_SECS);
    [current + 1, current, current - 1]
        .into_iter()
        .filter(|s| *s > last_used)
        .collect()
}

/// What the user typed into the code field.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Typed {
    /// Six digits from the authenticator app.
    Code(String),
    /// A recovery code, normalised (lower case, no spaces or dashes).
    Recovery(String),
    Invalid,
}

/// Spaces and dashes are ignored, letters taken in either case.
pub fn classify(raw: &str) -> Typed {
    let clean: String = raw
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .flat_map(char::to_lowercase)
        .collect();
    if clean.len() == 6 && clean.bytes().all(|b| b.is_ascii_digit()) {
        Typed::Code(clean)
    } else if clean.len() == RECOVERY_LEN && clean.bytes().all(|b| RECOVERY_ALPHABET.contains(&b)) {
        Typed::Recovery(clean)
    } else {
        Typed::Invalid
    }
}

/// A recovery code as it is shown: two groups of five.
pub fn show_recovery(code: &str) -> String {
    if code.len() == RECOVERY_LEN && code.is_ascii() {
        format!("{}-{}", &code[..5], &code[5..])
    } else {
        code.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn admins_always_need_a_second_factor_organisers_by_setting() {
        let admin = Roles::new([Role::Admin]);
        let organiser = Roles::new([Role::Organiser]);
        let cadre = Roles::new([Role::Cadre, Role::Lecturer]);
        let table = [
            (&admin, false, true),
            (&admin, true, true),
            (&organiser, false, false),
            (&organiser, true, true),
            (&cadre, true, false),
        ];
        for (roles, setting, expected) in table {
            assert_eq!(required(roles, setting), expected, "{roles:?} {setting}");
        }
    }

    #[test]
    fn a_code_matches_its_step_or_a_neighbour_once() {
        let now = 1_000_000_015; // step 33_333_333
        assert_eq!(
            candidate_steps(now, 0),
            vec![33_333_334, 33_333_333, 33_333_332]
        );
        // After the current step was used, only the next one is left.
        assert_eq!(candidate_steps(now, 33_333_333), vec![33_333_334]);
        assert!(candidate_steps(now, 33_333_334).is_empty());
    }

    #[test]
    fn codes_and_recovery_codes_are_told_apart() {
        let table = [
            ("123456", Typed::Code("123456".into())),
            (" 123 456 ", Typed::Code("123456".into())),
            ("abcde-fghjk", Typed::Recovery("abcdefghjk".into())),
            ("ABCDE FGHJK", Typed::Recovery("abcdefghjk".into())),
            ("12345", Typed::Invalid),
            ("1234567", Typed::Invalid),
            ("abcde-fghio", Typed::Invalid), // i and o are not in the alphabet
            ("", Typed::Invalid),
        ];
        for (raw, expected) in table {
            assert_eq!(classify(raw), expected, "{raw:?}");
        }
        assert_eq!(show_recovery("abcdefghjk"), "abcde-fghjk");
    }

    #[test]
    fn pending_codes_round_trip() {
        for p in [Pending::Verify, Pending::Enroll] {
            assert_eq!(Pending::parse(p.code()), Some(p));
        }
        assert_eq!(Pending::parse("other"), None);
    }
}
