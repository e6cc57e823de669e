//! Markdown to safe HTML, on the server only. pulldown-cmark renders (tables, footnotes,
//! strikethrough, task lists); ammonia then keeps an allow-list of tags and attributes, so no
//! script, event handler, `javascript:` or `data:` URL survives, and links to other sites
//! open in a new tab without access to this one.
use std::collections::HashSet;
use std::sync::LazyLock;

use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd, html};

static CLEANER: LazyLock<ammonia::Builder<'static>> = LazyLock::new(|| {
    let mut b = ammonia::Builder::default();
    b.url_schemes(HashSet::from(["http", "https", "mailto", "tel"]))
        .link_rel(Some("noopener noreferrer nofollow"))
        .add_tag_attribute_values("a", "target", ["_blank"])
        .add_allowed_classes("div", ["footnote-definition"])
        .add_allowed_classes("sup", ["footnote-reference", "footnote-definition-label"])
        // Task-list boxes: shown, never editable.
        .add_tags(["input"])
        .add_tag_attributes("input", ["checked", "disabled"])
        .add_tag_attribute_values("input", "type", ["checkbox"]);
    b
});

pub fn render(markdown: &str) -> String {
    let options = Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS;
    let mut raw = String::with_capacity(markdown.len() * 3 / 2);
    html::push_html(
        &mut raw,
        Parser::new_ext(markdown, options).map(open_external_links),
    );
    CLEANER.clean(&raw).to_string()
}

/// Links to other sites open in a new tab (ammonia adds `rel="noopener ..."` to every
/// link); links within the page, such as footnotes, stay in it.
fn open_external_links(event: Event<'_>) -> Event<'_> {
    match event {
        Event::Start(Tag::Link {
            dest_url, title, ..
        }) => {
            let external = dest_url.starts_with("http://") || dest_url.starts_with("https://");
            Event::Html(
                format!(
                    "<a href=\"{}\" title=\"{}\"{}>",
                    attribute(&dest_url),
                    attribute(&title),
                    if external { " target=\"_blank\"" } else { "" }
                )
                .into(),
            )
        }
        Event::End(TagEnd::Link) => Event::Html("</a>".into()),
        other => other,
    }
}

/// Text made safe inside a double-quoted attribute (ammonia re-checks the result).
fn attribute(raw: &str) -> String {
    raw.replace('&', "&amp;")
        .replace('"', "&quot;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

#[cfg(test)]
mod tests {
    use super::render;

    #[test]
    fn renders_the_extensions() {
        let html = render(
            "| 社区 | 人数 |\n|---|---|\n| 东关 | 12 |\n\n~~旧~~ 新[^1]\n\n[^1]: 注\n\n- [x] 已读\n",
        );
        assert!(
            html.contains("<table>") && html.contains("<td>东关</td>"),
            "{html}"
        );
        assert!(html.contains("<del>旧</del>"), "{html}");
        assert!(html.contains("footnote"), "{html}");
        assert!(
            html.contains("type=\"checkbox\"") && html.contains("disabled"),
            "{html}"
        );
    }

    #[test]
    fn nothing_active_survives() {
        let attacks = [
            "<script>alert(1)</script>",
            "<img src=x onerror=alert(1)>",
            "[x](javascript:alert(1))",
            "[x](JaVaScRiPt:alert(1))",
            "<a href=\"data:text/html,<script>alert(1)</script>\">x</a>",
            "<iframe src=//evil.example></iframe>",
            "<svg onload=alert(1)>",
            "<input type=text onfocus=alert(1) autofocus>",
            "<style>body{display:none}</style>",
        ];
        for attack in attacks {
            let html = render(attack).to_ascii_lowercase();
            for bad in [
                "<script",
                "onerror",
                "onload",
                "onfocus",
                "javascript:",
                "data:",
                "<iframe",
                "<style",
                "type=\"text\"",
            ] {
                assert!(!html.contains(bad), "{attack:?} gave {html:?}");
            }
        }
    }

    #[test]
    fn external_links_open_safely() {
        let html = render("[省委报告](https://example.org/report)");
        assert!(html.contains("href=\"https://example.org/report\""));
        assert!(html.contains("rel=\"noopener noreferrer nofollow\""));
        assert!(html.contains("target=\"_blank\""));
        let inside = render("见[第二部分](#part-2)");
        assert!(!inside.contains("target"), "{inside}");
        let quoted = render("[x](https://example.org/\"onmouseover=alert(1)//)");
        // The quote stays inside the address: no attribute is smuggled in.
        assert!(
            quoted.contains("&quot;onmouseover") && !quoted.contains(" onmouseover"),
            "{quoted}"
        );
    }
}
