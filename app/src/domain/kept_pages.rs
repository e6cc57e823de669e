//! Which rendered pages the server keeps and answers again without rendering, and the
//! rules of that: what a kept answer is labelled with, which compressed form a browser
//! gets, and when a browser's copy is still good (`If-None-Match`).
//!
//! A kept page belongs to one login: it is found by the login's token and the request's
//! exact address, language and encoding, so it can only ever reach the browser that asked
//! for it first. It is used again only while nothing it may show has changed: the three
//! change counters (`data_changes`, `reference_changes`, `page_changes`, which triggers
//! move on every write to what pages show, from any app server) are the same as when it was
//! rendered, and the clock is in the same [`CLOCK_STEP_SECS`] window (pages say "today",
//! "check-in opens at …", "2 hours ago").

/// How long, at most, a kept page may go on showing what the clock said when it was
/// rendered. Ten seconds is below anything a page words by the clock.
pub const CLOCK_STEP_SECS: i64 = 10;

/// Whether the page at `path` may be kept. Only the pages people open all evening (with
/// the session's sheet and door board, whose islands are kept with their scripts, see
/// [`without_nonce`]), none of the other pages with an island (the planner, the editors),
/// none of the account and admin pages (security settings, audit), none of the check-in
/// pages (their codes turn over by the clock).
pub fn may_keep(path: &str) -> bool {
    let parts: Vec<&str> = path.trim_end_matches('/').split('/').collect();
    matches!(
        parts.as_slice(),
        [
            "",
            "me" | "lecturer"
                | "sessions"
                | "calendar"
                | "history"
                | "progress"
                | "review"
                | "search"
        ] | ["", "organiser"]
            | [
                "",
                "organiser",
                "programme" | "district" | "reports" | "requests"
            ]
            | ["", "organiser", "sessions", _, "attendance" | "door"]
            | ["", "sessions", _]
            | ["", "sessions", _, "reflections"]
            | ["", "sessions", _, "material", "history"]
    )
}

/// What a kept answer is valid for: the three change counters and the clock's window.
/// Every part only moves forward.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Stamp {
    pub reference: i64,
    pub data: i64,
    pub pages: i64,
    pub window: i64,
}

impl Stamp {
    pub fn new(reference: i64, data: i64, pages: i64, unix_secs: i64) -> Self {
        Stamp {
            reference,
            data,
            pages,
            window: unix_secs.div_euclid(CLOCK_STEP_SECS),
        }
    }

    /// Whether `self` was read no earlier than `other` (every part at least as far on).
    pub fn not_before(&self, other: &Stamp) -> bool {
        self.reference >= other.reference
            && self.data >= other.data
            && self.pages >= other.pages
            && self.window >= other.window
    }
}

/// The compressed form an answer is kept and sent in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Encoding {
    Brotli,
    Gzip,
    Identity,
}

impl Encoding {
    /// The best form `Accept-Encoding` allows (q-values of zero refuse a form).
    pub fn choose(accept_encoding: &str) -> Encoding {
        let allows = |name: &str| {
            accept_encoding.split(',').any(|part| {
                let mut bits = part.split(';').map(str::trim);
                let coding = bits.next().unwrap_or("");
                let refused = bits.any(|p| {
                    p.strip_prefix("q=")
                        .and_then(|q| q.trim().parse::<f32>().ok())
                        .is_some_and(|q| q <= 0.0)
                });
                coding.eq_ignore_ascii_case(name) && !refused
            })
        };
        if allows("br") {
            Encoding::Brotli
        } else if allows("gzip") {
            Encoding::Gzip
        } else {
            Encoding::Identity
        }
    }

    /// The `Content-Encoding` value, if any.
    pub fn header(self) -> Option<&'static str> {
        match self {
            Encoding::Brotli => Some("br"),
            Encoding::Gzip => Some("gzip"),
            Encoding::Identity => None,
        }
    }
}

/// Whether an `If-None-Match` header names `etag` (a strong tag, `"…"`; `*` matches any).
pub fn still_good(if_none_match: &str, etag: &str) -> bool {
    if_none_match
        .split(',')
        .map(str::trim)
        .any(|tag| tag == "*" || tag.strip_prefix("W/").unwrap_or(tag) == etag)
}

/// A page without an island, as kept: without its `<script>` elements. Leptos writes the
/// resources a page read into inline scripts for hydration; a page without an island is never
/// hydrated, so they are dead weight, and they carry the request's nonce, which would make
/// every rendering's bytes (and tag) differ. Without them a page renders to the same bytes
/// until something it shows changes, so the browser's tag stays good across the clock's
/// windows, encodings and app servers. User text never holds a literal `<script`: text is
/// escaped and Markdown is sanitised on the server.
pub fn without_scripts(page: &str) -> String {
    let mut out = String::with_capacity(page.len());
    let mut rest = page;
    while let Some(start) = rest.find("<script") {
        out.push_str(&rest[..start]);
        match rest[start..].find("</script>") {
            Some(end) => rest = &rest[start + end + "</script>".len()..],
            None => {
                rest = "";
                break;
            }
        }
    }
    out.push_str(rest);
    out
}

/// A page with an island, as kept: with its scripts, which hydrate the island, but without
/// the request's CSP nonce, which Leptos writes as the scripts' `nonce` and, on the preload
/// links, as their `crossorigin` value (any value there means `anonymous`). The kept
/// answer's policy allows its inline scripts by their hashes instead ([`inline_scripts`]),
/// so no nonce is ever sent twice and the page renders to the same bytes while what it
/// shows is the same. `None` (answer as rendered, keep nothing) when the nonce is empty or
/// stands anywhere else in the page.
pub fn without_nonce(page: &str, nonce: &str) -> Option<String> {
    if nonce.is_empty() {
        return None;
    }
    let out = page.replace(&format!(" nonce=\"{nonce}\""), "").replace(
        &format!("crossorigin=\"{nonce}\""),
        "crossorigin=\"anonymous\"",
    );
    (!out.contains(nonce)).then_some(out)
}

/// The text of each inline script of a page (a `<script>` without `src`), exactly as a
/// CSP hash source covers it.
pub fn inline_scripts(page: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = page;
    while let Some(start) = rest.find("<script") {
        let Some(open_end) = rest[start..].find('>') else {
            break;
        };
        let tag = &rest[start..start + open_end];
        let body_start = start + open_end + 1;
        let Some(len) = rest[body_start..].find("</script>") else {
            break;
        };
        if !tag.contains(" src=") {
            out.push(&rest[body_start..body_start + len]);
        }
        rest = &rest[body_start + len + "</script>".len()..];
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_pages_people_open_all_evening_are_kept() {
        for path in [
            "/me",
            "/lecturer",
            "/organiser",
            "/organiser/programme",
            "/organiser/district",
            "/organiser/reports",
            "/organiser/requests",
            "/sessions",
            "/sessions/12",
            "/sessions/12/reflections",
            "/sessions/12/material/history",
            "/calendar",
            "/history",
            "/progress",
            "/review",
            "/search",
            "/organiser/sessions/12/attendance",
            "/organiser/sessions/12/door",
        ] {
            assert!(may_keep(path), "{path}");
        }
    }

    #[test]
    fn editors_accounts_admin_and_check_in_are_not() {
        for path in [
            "/",
            "/login",
            "/login/totp",
            "/organiser/sessions/new",
            "/organiser/sessions/12/edit",
            "/organiser/sessions/12/door/extra",
            "/organiser/settings",
            "/organiser/programme/tiers",
            "/organiser/programme/import",
            "/sessions/12/material/edit",
            "/account/calendar",
            "/account/password",
            "/account/totp",
            "/admin/accounts",
            "/admin/audit",
            "/admin/backup",
            "/checkin",
            "/checkin/done",
            "/c/abc",
            "/sessions/12/calendar.ics",
            "/api/me",
            "/files/3/a.pdf",
        ] {
            assert!(!may_keep(path), "{path}");
        }
    }

    #[test]
    fn a_stamp_is_newer_only_when_every_part_is() {
        let at = |r, d, p, t| Stamp::new(r, d, p, t);
        assert_eq!(at(1, 2, 3, 100), at(1, 2, 3, 109));
        assert_ne!(at(1, 2, 3, 109), at(1, 2, 3, 110));
        assert!(at(1, 2, 3, 110).not_before(&at(1, 2, 3, 100)));
        assert!(at(1, 3, 3, 100).not_before(&at(1, 2, 3, 100)));
        assert!(!at(1, 2, 3, 100).not_before(&at(1, 3, 3, 100)));
        // Two servers' reads that crossed: neither is newer.
        assert!(!at(2, 1, 3, 100).not_before(&at(1, 2, 3, 100)));
        assert!(!at(1, 2, 3, 100).not_before(&at(2, 1, 3, 100)));
        assert_eq!(at(0, 0, 0, -1).window, -1);
    }

    #[test]
    fn the_best_encoding_the_browser_takes() {
        assert_eq!(
            Encoding::choose("gzip, deflate, br, zstd"),
            Encoding::Brotli
        );
        assert_eq!(Encoding::choose("br;q=0, gzip"), Encoding::Gzip);
        assert_eq!(Encoding::choose("BR"), Encoding::Brotli);
        assert_eq!(Encoding::choose("gzip;q=0.5"), Encoding::Gzip);
        assert_eq!(Encoding::choose(""), Encoding::Identity);
        assert_eq!(Encoding::choose("deflate"), Encoding::Identity);
        assert_eq!(Encoding::choose("brotli"), Encoding::Identity);
        assert_eq!(Encoding::Brotli.header(), Some("br"));
        assert_eq!(Encoding::Identity.header(), None);
    }

    #[test]
    fn if_none_match_names_the_tag() {
        let tag = "\"ab12\"";
        assert!(still_good("\"ab12\"", tag));
        assert!(still_good("\"x\", \"ab12\"", tag));
        assert!(still_good("W/\"ab12\"", tag));
        assert!(still_good("*", tag));
        assert!(!still_good("\"ab1\"", tag));
        assert!(!still_good("", tag));
        assert!(!still_good("ab12", tag));
    }

    #[test]
    fn pages_are_kept_without_their_scripts() {
        let page = "<html><head><title>t</title></head><body><p>运河红</p>\
            <script nonce=\"abc\">__RESOLVED_RESOURCES=[];</script>\
            <script nonce=\"abc\">__RESOLVED_RESOURCES[0] = \"{}\";</script></body></html>";
        assert_eq!(
            without_scripts(page),
            "<html><head><title>t</title></head><body><p>运河红</p></body></html>"
        );
        assert_eq!(
            without_scripts("no scripts &lt;script&gt;"),
            "no scripts &lt;script&gt;"
        );
        assert_eq!(without_scripts("a<script>unclosed"), "a");
        assert_eq!(without_scripts(""), "");
    }

    #[test]
    fn an_island_page_is_kept_without_the_nonce_and_its_scripts_are_found() {
        let n = "q7Zx+/w==";
        let page = format!(
            "<head><link rel=\"modulepreload\" href=\"/pkg/a.js\" crossorigin=\"{n}\">\
             <script type=\"module\" nonce=\"{n}\">import('/pkg/a.js')</script>\
             <script src=\"/pkg/b.js\"></script></head>\
             <body><leptos-island>门</leptos-island><script nonce=\"{n}\">x=1</script></body>"
        );
        let kept = without_nonce(&page, n).unwrap();
        assert!(!kept.contains(n));
        assert!(kept.contains("crossorigin=\"anonymous\""));
        assert!(kept.contains("<script type=\"module\">import('/pkg/a.js')</script>"));
        assert_eq!(inline_scripts(&kept), vec!["import('/pkg/a.js')", "x=1"]);
        // The nonce anywhere else: not kept.
        let leaked = format!("{page}<p>{n}</p>");
        assert_eq!(without_nonce(&leaked, n), None);
        assert_eq!(without_nonce(&page, ""), None);
        assert!(inline_scripts("<p>no scripts</p>").is_empty());
        assert!(inline_scripts("<script>unclosed").is_empty());
    }
}
