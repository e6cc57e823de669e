//! The session lists' filters, as they travel in a page's query string.
use serde::{Deserialize, Serialize};

use super::schedule::SessionFormat;

/// How many sessions a list page shows.
pub const PAGE_SIZE: usize = 30;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum When {
    /// Not yet ended, soonest first.
    #[default]
    Upcoming,
    /// Ended, latest first.
    Past,
}

impl When {
    pub fn as_str(self) -> &'static str {
        match self {
            When::Upcoming => "upcoming",
            When::Past => "past",
        }
    }
}

/// Filters of the session list. Unknown or malformed values are ignored, as a hand-edited
/// address should still show a list.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionFilter {
    pub when: When,
    pub theme_id: Option<i64>,
    pub format: Option<SessionFormat>,
    pub lecturer_id: Option<i64>,
    pub community_id: Option<i64>,
    pub tier_id: Option<i64>,
    /// Zero-based page.
    pub page: u32,
}

impl SessionFilter {
    /// Reads the filter from query parameters by name.
    pub fn from_query(get: impl Fn(&str) -> Option<String>) -> SessionFilter {
        let id = |name: &str| {
            get(name)
                .and_then(|v| v.trim().parse::<i64>().ok())
                .filter(|v| *v > 0)
        };
        SessionFilter {
            when: match get("when").as_deref() {
                Some("past") => When::Past,
                _ => When::Upcoming,
            },
            theme_id: id("theme"),
            format: get("format").and_then(|f| SessionFormat::parse(&f)),
            lecturer_id: id("lecturer"),
            community_id: id("community"),
            tier_id: id("tier"),
            page: get("page")
                .and_then(|v| v.trim().parse::<u32>().ok())
                .unwrap_or(0)
                .min(10_000),
        }
    }

    /// The query string for this filter on another page (0-based).
    pub fn query_string(&self, page: u32) -> String {
        let mut parts = vec![format!("when={}", self.when.as_str())];
        let mut push = |name: &str, v: Option<String>| {
            if let Some(v) = v {
                parts.push(format!("{name}={v}"));
            }
        };
        push("theme", self.theme_id.map(|v| v.to_string()));
        push("format", self.format.map(|f| f.as_str().to_string()));
        push("lecturer", self.lecturer_id.map(|v| v.to_string()));
        push("community", self.community_id.map(|v| v.to_string()));
        push("tier", self.tier_id.map(|v| v.to_string()));
        if page > 0 {
            parts.push(format!("page={page}"));
        }
        parts.join("&")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn from(pairs: &[(&str, &str)]) -> SessionFilter {
        SessionFilter::from_query(|name| {
            pairs
                .iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| v.to_string())
        })
    }

    #[test]
    fn filters_round_trip_through_the_query_string() {
        let f = from(&[
            ("when", "past"),
            ("theme", "3"),
            ("format", "forum"),
            ("tier", "1"),
            ("page", "2"),
        ]);
        assert_eq!(f.when, When::Past);
        assert_eq!(f.format, Some(SessionFormat::Forum));
        assert_eq!(f.page, 2);
        assert_eq!(
            f.query_string(2),
            "when=past&theme=3&format=forum&tier=1&page=2"
        );
        let q = f.query_string(1);
        let back = from(
            &q.split('&')
                .filter_map(|kv| kv.split_once('='))
                .collect::<Vec<_>>(),
        );
        assert_eq!(back, SessionFilter { page: 1, ..f });
    }

    #[test]
    fn junk_is_ignored() {
        let f = from(&[
            ("when", "later"),
            ("theme", "x"),
            ("format", "party"),
            ("lecturer", "-4"),
            ("page", "lots"),
        ]);
        assert_eq!(f, SessionFilter::default());
    }
}
