//! Account fields that validate on construction.
use serde::{Deserialize, Serialize};

/// Why a value a user typed was refused. The UI turns each into a sentence in the user's
/// language; the variants carry no text of their own.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum Invalid {
    #[error("username must be 3-32 letters, digits, '.', '_' or '-'")]
    Username,
    #[error("name must be 1-40 characters")]
    DisplayName,
    #[error("password must be 8-128 characters")]
    PasswordLength,
    #[error("the two new passwords differ")]
    PasswordMismatch,
    #[error("choose at least one role")]
    NoRole,
    #[error("that password is on the list of passwords attackers try first")]
    CommonPassword,
    #[error("not a date (YYYY-MM-DD) or a known kind")]
    Date,
    #[error("choose one of the reminders offered")]
    AlarmTime,
    #[error("not an e-mail address")]
    Email,
    #[error("a message budget out of range")]
    Budget,
    #[error("an announcement needs a title, a text and an end date not past")]
    Announcement,
    #[error("a suggestion needs a kind, a title of 1-60 and a text of 1-2000 characters")]
    Suggestion,
    #[error("an answer needs 1-2000 characters, unless the suggestion is only closed")]
    Answer,
}

/// A login name: ASCII so that it is easy to type on any phone keyboard and compares
/// case-insensitively everywhere (SQLite's `lower()` only folds ASCII).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Username(String);

impl Username {
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        let s = raw.trim().to_ascii_lowercase();
        let ok_chars = s
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'));
        if (3..=32).contains(&s.len()) && ok_chars {
            Ok(Username(s))
        } else {
            Err(Invalid::Username)
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A person's name as shown to others (Chinese names are usually 2-4 characters).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DisplayName(String);

impl DisplayName {
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        let s = raw.trim();
        let len = s.chars().count();
        if (1..=40).contains(&len) && !s.chars().any(char::is_control) {
            Ok(DisplayName(s.to_string()))
        } else {
            Err(Invalid::DisplayName)
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A new password. Length is the only rule (NIST SP 800-63B): composition rules make
/// people write passwords down on the meeting-room wall.
#[derive(Clone, PartialEq, Eq)]
pub struct Password(String);

impl Password {
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        if (8..=128).contains(&raw.chars().count()) {
            Ok(Password(raw.to_string()))
        } else {
            Err(Invalid::PasswordLength)
        }
    }

    /// A new password typed twice.
    pub fn parse_confirmed(raw: &str, again: &str) -> Result<Self, Invalid> {
        let password = Password::parse(raw)?;
        if raw == again {
            Ok(password)
        } else {
            Err(Invalid::PasswordMismatch)
        }
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Password {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Password(***)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usernames() {
        assert_eq!(Username::parse(" Cadre ").unwrap().as_str(), "cadre");
        assert_eq!(Username::parse("li.ming_2").unwrap().as_str(), "li.ming_2");
        for bad in ["ab", "", "张三", "a b c", "x/../y", &"a".repeat(33)] {
            assert_eq!(Username::parse(bad), Err(Invalid::Username), "{bad:?}");
        }
    }

    #[test]
    fn display_names() {
        assert_eq!(DisplayName::parse(" 王建国 ").unwrap().as_str(), "王建国");
        assert_eq!(DisplayName::parse("   "), Err(Invalid::DisplayName));
        assert_eq!(DisplayName::parse("a\u{7}b"), Err(Invalid::DisplayName));
        assert!(DisplayName::parse(&"名".repeat(40)).is_ok());
        assert!(DisplayName::parse(&"名".repeat(41)).is_err());
    }

    #[test]
    fn passwords_count_characters_not_bytes() {
        assert!(Password::parse("夜校夜校夜校夜校").is_ok());
        assert_eq!(
            Password::parse("short").err(),
            Some(Invalid::PasswordLength)
        );
        assert_eq!(
            Password::parse_confirmed("nightschool", "nightschoo1").err(),
            Some(Invalid::PasswordMismatch)
        );
        assert!(Password::parse_confirmed("nightschool", "nightschool").is_ok());
        assert_eq!(
            format!("{:?}", Password::parse("secret-pw").unwrap()),
            "Password(***)"
        );
    }
}
