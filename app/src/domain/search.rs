//! Search terms and highlighted snippets. The database finds the candidates (FTS5 trigram
//! on SQLite, `pg_trgm` on PostgreSQL); what counts as a match and what is marked is decided
//! here, the same for both.
use serde::{Deserialize, Serialize};

/// At most this many terms in a query.
pub const MAX_TERMS: usize = 5;
/// Longest query, in characters.
pub const MAX_QUERY_CHARS: usize = 100;

/// Where a match was found.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum HitKind {
    /// A session's title or description.
    Session,
    Material,
    Reflection,
}

/// A query split into terms (by spaces, full-width ones included), lower-cased.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Query {
    terms: Vec<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum QueryProblem {
    Empty,
    TooLong,
}

impl Query {
    pub fn parse(raw: &str) -> Result<Query, QueryProblem> {
        if raw.chars().count() > MAX_QUERY_CHARS {
            return Err(QueryProblem::TooLong);
        }
        let mut terms: Vec<String> = Vec::new();
        for term in raw.split(|c: char| c.is_whitespace() || c == '\u{3000}') {
            let term = term.to_lowercase();
            if !term.is_empty() && !terms.contains(&term) {
                terms.push(term);
            }
        }
        if terms.is_empty() {
            return Err(QueryProblem::Empty);
        }
        terms.truncate(MAX_TERMS);
        Ok(Query { terms })
    }

    pub fn terms(&self) -> &[String] {
        &self.terms
    }

    /// Whether every term occurs in `text` (case-insensitively).
    pub fn matches(&self, text: &str) -> bool {
        let lower = text.to_lowercase();
        self.terms.iter().all(|t| lower.contains(t.as_str()))
    }

    /// An FTS5 query: every term as a quoted phrase, all required. `None` when a term is
    /// shorter than a trigram, which FTS5 cannot look up (the caller scans instead).
    pub fn fts5(&self) -> Option<String> {
        if self.terms.iter().any(|t| t.chars().count() < 3) {
            return None;
        }
        Some(
            self.terms
                .iter()
                .map(|t| format!("\"{}\"", t.replace('"', "\"\"")))
                .collect::<Vec<_>>()
                .join(" AND "),
        )
    }

    /// `LIKE` patterns, one per term, with `\` escaping `%`, `_` and itself.
    pub fn like_patterns(&self) -> Vec<String> {
        self.terms
            .iter()
            .map(|t| {
                let mut p = String::with_capacity(t.len() + 2);
                p.push('%');
                for c in t.chars() {
                    if matches!(c, '%' | '_' | '\\') {
                        p.push('\\');
                    }
                    p.push(c);
                }
                p.push('%');
                p
            })
            .collect()
    }
}

/// A run of text, marked when it matched.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Piece {
    pub text: String,
    pub hit: bool,
}

/// `text` cut into pieces with every occurrence of a term marked. With `window`, only about
/// that many characters around the first match are kept (with `…` where cut).
pub fn highlight(text: &str, query: &Query, window: Option<usize>) -> Vec<Piece> {
    let chars: Vec<char> = text.chars().collect();
    let lower: Vec<char> = chars
        .iter()
        .map(|c| c.to_lowercase().next().unwrap_or(*c))
        .collect();
    let mut marked = vec![false; chars.len()];
    let mut first = None;
    for term in query.terms() {
        let term: Vec<char> = term.chars().collect();
        if term.is_empty() || term.len() > lower.len() {
            continue;
        }
        for start in 0..=lower.len() - term.len() {
            if lower[start..start + term.len()] == term[..] {
                marked[start..start + term.len()].fill(true);
                first = Some(first.map_or(start, |f: usize| f.min(start)));
            }
        }
    }
    let (from, to) = match window {
        Some(w) if chars.len() > w => {
            let before = w / 4;
            let from = first.unwrap_or(0).saturating_sub(before);
            let to = (from + w).min(chars.len());
            (to.saturating_sub(w), to)
        }
        _ => (0, chars.len()),
    };
    let mut pieces: Vec<Piece> = Vec::new();
    if from > 0 {
        pieces.push(Piece {
            text: "…".into(),
            hit: false,
        });
    }
    // The leading ellipsis stays a piece of its own.
    let first_piece = pieces.len();
    for i in from..to {
        let c = if chars[i].is_whitespace() {
            ' '
        } else {
            chars[i]
        };
        let merge = pieces.len() > first_piece;
        match pieces.last_mut() {
            Some(last) if merge && last.hit == marked[i] => last.text.push(c),
            _ => pieces.push(Piece {
                text: c.to_string(),
                hit: marked[i],
            }),
        }
    }
    if to < chars.len() {
        pieces.push(Piece {
            text: "…".into(),
            hit: false,
        });
    }
    pieces
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shown(pieces: &[Piece]) -> String {
        pieces
            .iter()
            .map(|p| {
                if p.hit {
                    format!("[{}]", p.text)
                } else {
                    p.text.clone()
                }
            })
            .collect()
    }

    #[test]
    fn queries_split_on_any_space() {
        let q = Query::parse(" 信访\u{3000}维稳  信访 ").unwrap();
        assert_eq!(q.terms(), ["信访", "维稳"]);
        assert_eq!(Query::parse("   "), Err(QueryProblem::Empty));
        assert_eq!(
            Query::parse(&"长".repeat(MAX_QUERY_CHARS + 1)),
            Err(QueryProblem::TooLong)
        );
        assert_eq!(
            Query::parse("a b c d e f g").unwrap().terms().len(),
            MAX_TERMS
        );
    }

    #[test]
    fn short_terms_scan_instead_of_fts() {
        assert_eq!(Query::parse("信访").unwrap().fts5(), None);
        assert_eq!(
            Query::parse("枫桥经验 say\"hi").unwrap().fts5().as_deref(),
            Some("\"枫桥经验\" AND \"say\"\"hi\"")
        );
    }

    #[test]
    fn like_patterns_escape_wildcards() {
        let q = Query::parse("50%_a\\b").unwrap();
        assert_eq!(q.like_patterns(), ["%50\\%\\_a\\\\b%"]);
    }

    #[test]
    fn every_occurrence_is_marked() {
        let q = Query::parse("信访 Law").unwrap();
        let pieces = highlight("《信访工作条例》与 law：信访", &q, None);
        assert_eq!(shown(&pieces), "《[信访]工作条例》与 [law]：[信访]");
        assert!(q.matches("信访 LAW"));
        assert!(!q.matches("只有信访"));
    }

    #[test]
    fn snippets_keep_the_first_match_in_view() {
        let q = Query::parse("枫桥").unwrap();
        let text = format!(
            "{}坚持和发展新时代枫桥经验{}",
            "前".repeat(100),
            "后".repeat(100)
        );
        let shown = shown(&highlight(&text, &q, Some(40)));
        assert!(shown.starts_with('…') && shown.ends_with('…'), "{shown}");
        assert!(shown.contains("[枫桥]"), "{shown}");
        assert!(shown.chars().count() <= 40 + 4, "{shown}");
        // No match: the start of the text.
        let none = highlight(&text, &Query::parse("无关").unwrap(), Some(10));
        assert_eq!(none[0].text, "前".repeat(10));
    }
}
