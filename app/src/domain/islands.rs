//! Which pages hold an island (a part the browser runs as WASM). Every other page is plain
//! HTML and gets no script at all, so a cadre's phone downloads no WASM for it. The
//! integration test `pages::*::only_pages_with_islands_load_the_script` loads every page
//! and checks this list against what the pages really hold.

/// The groups of pages whose islands ship together. A release build (`scripts/build-release`)
/// makes one WASM bundle per group with the app's feature `bundle-NAME`, holding only that
/// group's islands, so a page downloads only the code it runs; without them every page
/// with an island loads the one bundle that holds them all.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Bundle {
    /// The door board and the attendance sheet (its print button).
    Door,
    /// The planner, new and edit, and the people picker of a new announcement.
    Planner,
    /// The material editor and its attachments.
    Material,
    /// The calendar-feed and second-factor panels.
    Account,
}

impl Bundle {
    pub const ALL: [Bundle; 4] = [
        Bundle::Door,
        Bundle::Planner,
        Bundle::Material,
        Bundle::Account,
    ];

    /// The name of the bundle's files (without `.js` / `.wasm`), given the name of the full
    /// bundle's: `nightschool` → `nightschool-door`.
    pub fn output_name(self, full: &str) -> String {
        format!("{full}-{}", self.name())
    }

    /// The bundle's name: its feature is `bundle-NAME`, its files `nightschool-NAME.*`.
    pub fn name(self) -> &'static str {
        match self {
            Bundle::Door => "door",
            Bundle::Planner => "planner",
            Bundle::Material => "material",
            Bundle::Account => "account",
        }
    }
}

/// The bundle of the page at `path`, if it holds an island: the planner (new and edit)
/// and the announcement form's people picker,
/// the door board, the attendance sheet (print button), the material editor, and the
/// calendar-feed and second-factor panels.
pub fn bundle(path: &str) -> Option<Bundle> {
    let parts: Vec<&str> = path.trim_end_matches('/').split('/').collect();
    match parts.as_slice() {
        ["", "organiser", "sessions", "new"]
        | ["", "organiser", "sessions", _, "edit"]
        | ["", "announcements", "new"] => Some(Bundle::Planner),
        ["", "organiser", "sessions", _, "door" | "attendance"] => Some(Bundle::Door),
        ["", "sessions", _, "material", "edit"] => Some(Bundle::Material),
        ["", "account", "calendar" | "totp"] => Some(Bundle::Account),
        _ => None,
    }
}

/// Whether the page at `path` may hold an island (and so loads a script at all).
pub fn on_page(path: &str) -> bool {
    bundle(path).is_some()
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
        let bundles = [
            ("/organiser/sessions/new", Bundle::Planner),
            ("/organiser/sessions/12/edit", Bundle::Planner),
            ("/announcements/new", Bundle::Planner),
            ("/organiser/sessions/12/door", Bundle::Door),
            ("/organiser/sessions/12/attendance/", Bundle::Door),
            ("/sessions/3/material/edit", Bundle::Material),
            ("/account/calendar", Bundle::Account),
            ("/account/totp", Bundle::Account),
        ];
        for (path, expected) in bundles {
            assert_eq!(bundle(path), Some(expected), "{path}");
        }
        // scripts/build-release writes pkg/nightschool-NAME.{js,wasm}.
        assert_eq!(Bundle::Door.output_name("nightschool"), "nightschool-door");
        // Every bundle serves some page.
        for b in Bundle::ALL {
            assert!(bundles.iter().any(|(_, x)| *x == b), "{}", b.name());
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
            "/announcements",
            "/announcements/4",
            "/suggestions",
            "/suggestions/4",
        ] {
            assert!(!on_page(path), "{path}");
        }
    }
}
