//! 投诉建议: what a signed-in user writes to the organisers, a suggestion or a complaint,
//! optionally anonymous; the organisers' (or an admin's) answer and its closing. Pure rules:
//! what a text may be, what state a suggestion is in, and whose name is shown.
use serde::{Deserialize, Serialize};

use super::account::Invalid;

/// The longest title, in characters.
pub const TITLE_CHARS: usize = 60;
/// The longest text or answer, in characters.
pub const TEXT_CHARS: usize = 2000;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum SuggestionKind {
    /// 建议
    Suggestion,
    /// 投诉
    Complaint,
}

impl SuggestionKind {
    pub fn as_str(self) -> &'static str {
        match self {
            SuggestionKind::Suggestion => "suggestion",
            SuggestionKind::Complaint => "complaint",
        }
    }

    pub fn parse(raw: &str) -> Option<SuggestionKind> {
        match raw.trim() {
            "suggestion" => Some(SuggestionKind::Suggestion),
            "complaint" => Some(SuggestionKind::Complaint),
            _ => None,
        }
    }
}

/// Where a suggestion stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum SuggestionState {
    /// Waiting for an answer.
    Open,
    /// Answered, not closed yet (the organisers may follow up).
    Answered,
    /// Closed (办结), answered or not.
    Closed,
}

impl SuggestionState {
    pub fn of(answered: bool, closed: bool) -> SuggestionState {
        match (answered, closed) {
            (_, true) => SuggestionState::Closed,
            (true, false) => SuggestionState::Answered,
            (false, false) => SuggestionState::Open,
        }
    }
}

/// A suggestion as it is stored: trimmed, within the limits.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CheckedSuggestion {
    pub kind: SuggestionKind,
    pub title: String,
    pub body: String,
}

fn within(text: &str, max: usize) -> bool {
    !text.is_empty() && text.chars().count() <= max
}

/// Checks what was written: a known kind, a title of 1–60 characters and a text of
/// 1–2000, neither only blanks.
pub fn check_suggestion(kind: &str, title: &str, body: &str) -> Result<CheckedSuggestion, Invalid> {
    let kind = SuggestionKind::parse(kind).ok_or(Invalid::Suggestion)?;
    let (title, body) = (title.trim(), body.trim());
    if within(title, TITLE_CHARS) && within(body, TEXT_CHARS) {
        Ok(CheckedSuggestion {
            kind,
            title: title.to_string(),
            body: body.to_string(),
        })
    } else {
        Err(Invalid::Suggestion)
    }
}

/// Checks an answer: up to 2000 characters, trimmed; empty only when the suggestion is
/// being closed (closing needs no words, answering does). `None`: nothing to answer.
pub fn check_answer(answer: &str, close: bool) -> Result<Option<String>, Invalid> {
    let answer = answer.trim();
    match (answer.is_empty(), close) {
        (true, true) => Ok(None),
        (true, false) => Err(Invalid::Answer),
        (false, _) if answer.chars().count() <= TEXT_CHARS => Ok(Some(answer.to_string())),
        (false, _) => Err(Invalid::Answer),
    }
}

/// Whether the writer's name is shown to this reader: to the writer always, to nobody else
/// when they chose to be anonymous.
pub fn author_shown(anonymous: bool, reader_is_author: bool) -> bool {
    reader_is_author || !anonymous
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_may_be_written() {
        let long = "字".repeat(TITLE_CHARS + 1);
        let longer = "字".repeat(TEXT_CHARS + 1);
        let cases: &[(&str, &str, &str, bool)] = &[
            (
                "suggestion",
                "希望增加周末场次",
                "工作日晚上常有值班。",
                true,
            ),
            ("complaint", " 会议室太冷 ", " 冬天没有暖气 ", true),
            ("praise", "标题", "正文", false),
            ("suggestion", "   ", "正文", false),
            ("suggestion", "标题", " \n ", false),
            ("suggestion", &long, "正文", false),
            ("suggestion", "标题", &longer, false),
            (
                "suggestion",
                &long[..long.len() - 3],
                &longer[..longer.len() - 3],
                true,
            ),
        ];
        for (kind, title, body, ok) in cases {
            assert_eq!(
                check_suggestion(kind, title, body).is_ok(),
                *ok,
                "{kind} {title} {body}"
            );
        }
        let c = check_suggestion("complaint", " 会议室太冷 ", " 冬天没有暖气 ").unwrap();
        assert_eq!(
            (c.kind, c.title.as_str(), c.body.as_str()),
            (SuggestionKind::Complaint, "会议室太冷", "冬天没有暖气")
        );
    }

    #[test]
    fn answers_and_closing() {
        assert_eq!(check_answer("  已协调 ", false), Ok(Some("已协调".into())));
        assert_eq!(check_answer("已协调", true), Ok(Some("已协调".into())));
        assert_eq!(check_answer("  ", true), Ok(None));
        assert_eq!(check_answer("  ", false), Err(Invalid::Answer));
        assert_eq!(
            check_answer(&"字".repeat(TEXT_CHARS + 1), true),
            Err(Invalid::Answer)
        );
        assert_eq!(SuggestionState::of(false, false), SuggestionState::Open);
        assert_eq!(SuggestionState::of(true, false), SuggestionState::Answered);
        assert_eq!(SuggestionState::of(true, true), SuggestionState::Closed);
        assert_eq!(SuggestionState::of(false, true), SuggestionState::Closed);
    }

    #[test]
    fn anonymous_writers_are_shown_only_to_themselves() {
        assert!(author_shown(false, false));
        assert!(author_shown(true, true));
        assert!(!author_shown(true, false));
    }
}
