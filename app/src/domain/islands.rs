//! Which pages hold an island (a part the browser runs as WASM). Every other page is plain
//! HTML and gets no script at all, so a cadre's phone downloads no WASM for it. The
//! integration test `pages::*::only_pages_with_islands_load_the_script` loads every page
//! and checks this list against what the pages really hold.

/// Whether the page at `path` may hold an island: the planner (new and edit), the door
/// board, the attendance sheet (print button), the material editor, and the calendar-feed
/// and second-factor panels.
pub fn on_page(path: &str) -> bool {
    let parts: Vec<&str> = path.trim_end_matches('/').split('/').collect();
    matches!(
        parts.as_slice(),
        ["", "organiser", "sessions", "new"]
            | [
                "",
                "organiser",
                "sessions",
                _,
                "edit" | "door" | "attendance"
            ]
            | ["", "sessions", _, "material", "edit"]
            | ["", "account", "calendar" | "totp"]
    )
}

/// The Content-Security-Policy of every answer, given the sources its scripts may come
/// from: the request's nonce (`'nonce-…'`), or, for a kept page with an island, its inline
/// scripts' hashes (`'sha256-…'`); scripts those load are trusted in turn.
pub fn content_security_policy(script_sources: &str) -> String {
    format!(
        "script-src {script_sources} 'strict-dynamic' 'wasm-unsafe-eval'; object-src 'none'; \
         base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_interactive_pages_load_the_script() {
        for path in [
            "/organiser/sessions/new",
            "/organiser/sessions/12/edit",
            "/organiser/sessions/12/door",
            "/organiser/sessions/12/attendance/",
            "/sessions/3/material/edit",
            "/account/calendar",
            "/account/totp",
        ] {
            assert!(on_page(path), "{path}");
        }
        for path in [
            "/",
            "/me",
            "/sessions",
            "/sessions/3",
            "/sessions/3/material/history",
            "/organiser",
            "/organiser/settings",
            "/organiser/sessions/12",
            "/account/password",
            "/calendar",
        ] {
            assert!(!on_page(path), "{path}");
        }
    }
}
