//! The Markdown renderer: arbitrary text (lossy UTF-8) through `render` and `plain_text`.
//!
//! Checked, as `app/src/ssr/markdown.rs` promises (its module comment and the property test
//! there): the HTML has no `<script`, no element that runs or embeds anything, no
//! event-handler (`on…`) attribute, no `style`/`srcdoc` attribute, and no `javascript:`,
//! `data:` or `vbscript:` address.
//!
//! The scan relies on how the sanitiser (ammonia, serialising with html5ever) writes HTML:
//! text and attribute values have `<`, `>`, `&` and `"` escaped, every attribute value is
//! double-quoted and comments are dropped, so every `<` starts a tag and every `>` ends one.
#![no_main]

use app::ssr::markdown::{plain_text, render};
use libfuzzer_sys::fuzz_target;

/// Elements that must never reach a browser.
const FORBIDDEN_TAGS: &[&str] = &[
    "script", "style", "iframe", "object", "embed", "svg", "math", "form", "base", "meta", "link",
    "body", "button", "textarea", "select", "input",
];

/// Attributes a browser follows or loads as an address.
const URL_ATTRIBUTES: &[&str] = &[
    "href",
    "src",
    "cite",
    "longdesc",
    "action",
    "formaction",
    "poster",
    "background",
    "xlink:href",
    "srcset",
    "data",
    "codebase",
    "manifest",
    "ping",
    "usemap",
];

fuzz_target!(|data: &[u8]| {
    let markdown = String::from_utf8_lossy(data);
    let html = render(&markdown);
    let _ = plain_text(&markdown);

    assert!(
        !html.to_ascii_lowercase().contains("<script"),
        "<script in {html:?}"
    );
    for (tag, attributes) in tags(&html) {
        assert!(
            !FORBIDDEN_TAGS.contains(&tag.as_str()),
            "<{tag}> survived in {html:?}"
        );
        for (name, value) in attributes {
            assert!(
                !name.starts_with("on") && name != "style" && name != "srcdoc",
                "attribute {name} on <{tag}> in {html:?}"
            );
            if URL_ATTRIBUTES.contains(&name.as_str()) {
                let url = address(&value);
                assert!(
                    !["javascript:", "data:", "vbscript:"]
                        .iter()
                        .any(|scheme| url.starts_with(scheme)),
                    "{name}={value:?} on <{tag}> in {html:?}"
                );
            }
        }
    }
});

/// Opening tags: lower-cased name and `(name, raw value)` attributes.
fn tags(html: &str) -> Vec<(String, Vec<(String, String)>)> {
    let mut out = Vec::new();
    let mut rest = html;
    while let Some(at) = rest.find('<') {
        rest = &rest[at + 1..];
        let end = rest.find('>').unwrap_or(rest.len());
        let inside = &rest[..end];
        rest = &rest[end..];
        if inside.starts_with('/') {
            continue;
        }
        let name_end = inside
            .find(|c: char| c.is_whitespace() || c == '/')
            .unwrap_or(inside.len());
        let name = inside[..name_end].to_ascii_lowercase();
        // Outside quotes (even pieces): attribute names, each ending in `=` when a value
        // follows; inside quotes (odd pieces): the values.
        let pieces: Vec<&str> = inside[name_end..].split('"').collect();
        let mut attributes = Vec::new();
        for (i, piece) in pieces.iter().enumerate().step_by(2) {
            let mut names = piece
                .split(|c: char| c.is_whitespace() || c == '/')
                .filter(|s| !s.is_empty())
                .peekable();
            while let Some(word) = names.next() {
                let (attr, has_value) = match word.strip_suffix('=') {
                    Some(attr) => (attr, true),
                    None => (word, false),
                };
                let value = if has_value && names.peek().is_none() {
                    pieces.get(i + 1).copied().unwrap_or_default()
                } else {
                    ""
                };
                attributes.push((attr.to_ascii_lowercase(), value.to_string()));
            }
        }
        out.push((name, attributes));
    }
    out
}

/// What a browser takes an address to be, as the URL standard parses it: entities decoded,
/// C0 controls and spaces trimmed from both ends, tabs and line breaks removed anywhere.
/// (A control character inside, as in `jav\u{4}ascript:`, is not dropped: it ends the
/// scheme, and the address is a harmless relative path.)
fn address(value: &str) -> String {
    value
        .replace("&quot;", "\"")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&nbsp;", "\u{a0}")
        .replace("&amp;", "&")
        .trim_matches(|c: char| c <= ' ')
        .chars()
        .filter(|c| !matches!(c, '\t' | '\n' | '\r'))
        .collect::<String>()
        .to_ascii_lowercase()
}
