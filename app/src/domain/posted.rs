//! What a page shows after a plain form post. Without JavaScript a form posts to its
//! server function, which answers with a redirect back to the page; on failure leptos puts
//! the error in the address (`__path`, `__err`), and on success the server adds `__ok` with
//! the server function's path, so the page rendered again can say "saved".

/// The query key that marks a server function's success in the address.
pub const OK_KEY: &str = "__ok";

/// The redirect target after a plain form post to the server function at `fn_path`, which
/// came from the page at `referer`. leptos sends a success back to the referring page as it
/// is, and a failure there with `__path` and `__err` appended. A failure keeps only its own
/// error (the referring page's address may hold an older one, which leptos would read
/// first); a success drops any older outcome and marks `fn_path`.
pub fn mark(location: &str, referer: Option<&str>, fn_path: &str) -> String {
    let (rest, fragment) = match location.split_once('#') {
        Some((r, f)) => (r, Some(f)),
        None => (location, None),
    };
    let (base, query) = rest.split_once('?').unwrap_or((rest, ""));
    let pairs: Vec<&str> = query.split('&').filter(|p| !p.is_empty()).collect();
    let failed = Some(location) != referer && pairs.iter().any(|p| key(p) == "__err");
    let last = |k: &str| pairs.iter().rposition(|p| key(p) == k);
    let (own_path, own_err) = (last("__path"), last("__err"));
    let mut kept: Vec<String> = pairs
        .iter()
        .enumerate()
        .filter(|(i, p)| match key(p) {
            OK_KEY => false,
            "__path" => failed && Some(*i) == own_path,
            "__err" => failed && Some(*i) == own_err,
            _ => true,
        })
        .map(|(_, p)| p.to_string())
        .collect();
    if !failed {
        kept.push(format!("{OK_KEY}={fn_path}"));
    }
    let mut out = base.to_string();
    if !kept.is_empty() {
        out.push('?');
        out.push_str(&kept.join("&"));
    }
    if let Some(f) = fragment {
        out.push('#');
        out.push_str(f);
    }
    out
}

/// Whether the query string (without `?`) marks the server function at `fn_path` as done.
pub fn marked(query: &str, fn_path: &str) -> bool {
    query.split('&').any(|p| {
        p.split_once('=')
            .is_some_and(|(k, v)| k == OK_KEY && v == fn_path)
    })
}

/// The query string without any form outcome (for links that lead back to the same page,
/// such as the language switch, which must not say "saved" a second time).
pub fn unmarked(query: &str) -> String {
    query
        .split('&')
        .filter(|p| !p.is_empty() && !matches!(key(p), OK_KEY | "__err" | "__path"))
        .collect::<Vec<_>>()
        .join("&")
}

fn key(pair: &str) -> &str {
    pair.split_once('=').map_or(pair, |(k, _)| k)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_success_marks_its_function_and_drops_an_older_outcome() {
        let cases = [
            ("http://h/settings", "http://h/settings?__ok=/api/save"),
            ("/settings?unit=3", "/settings?unit=3&__ok=/api/save"),
            (
                "/settings?unit=3&__path=/api/x&__err=abc&__ok=/api/y#rules",
                "/settings?unit=3&__ok=/api/save#rules",
            ),
        ];
        for (location, expected) in cases {
            // leptos sends a success back to the referring page unchanged.
            assert_eq!(
                mark(location, Some(location), "/api/save"),
                expected,
                "{location}"
            );
        }
        // A server function that chose its own address succeeded too.
        assert_eq!(
            mark("/import?added=2", Some("/import?batch=1"), "/api/apply"),
            "/import?added=2&__ok=/api/apply"
        );
    }

    #[test]
    fn a_failure_keeps_only_its_own_error() {
        let referer = "/s?unit=3&__ok=/api/save";
        assert_eq!(
            mark(
                "/s?unit=3&__ok=/api/save&__path=/api/save&__err=e1",
                Some(referer),
                "/api/save"
            ),
            "/s?unit=3&__path=/api/save&__err=e1"
        );
        let referer = "/s?__path=/api/save&__err=old";
        assert_eq!(
            mark(
                "/s?__path=/api/save&__err=old&__path=/api/save&__err=new",
                Some(referer),
                "/api/save"
            ),
            "/s?__path=/api/save&__err=new"
        );
    }

    #[test]
    fn only_the_marked_function_reads_as_done() {
        let q = "unit=3&__ok=/api/save";
        assert!(marked(q, "/api/save"));
        assert!(!marked(q, "/api/save_other"));
        assert!(!marked("unit=3", "/api/save"));
        assert!(!marked("", "/api/save"));
    }

    #[test]
    fn unmarked_keeps_only_the_pages_own_parameters() {
        assert_eq!(unmarked("unit=3&__ok=/api/save"), "unit=3");
        assert_eq!(unmarked("__path=/api/x&__err=e&q=a"), "q=a");
        assert_eq!(unmarked(""), "");
    }
}
