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
        // Task-list boxes are drawn as marks, not form controls: no <input> of any kind
        // survives (a typed `<input>` would be an editable box on the page).
        .add_allowed_classes("span", ["task", "done"]);
    b
});

pub fn render(markdown: &str) -> String {
    let options = Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS;
    let mut raw = String::with_capacity(markdown.len() * 3 / 2);
    html::push_html(&mut raw, Parser::new_ext(markdown, options).map(adjust));
    CLEANER.clean(&raw).to_string()
}

/// The words of a Markdown text without its markup, for search and snippets: blocks end
/// with a line break, inline code and link texts stay, raw HTML goes.
pub fn plain_text(markdown: &str) -> String {
    let mut out = String::with_capacity(markdown.len());
    for event in Parser::new_ext(markdown, Options::ENABLE_TABLES | Options::ENABLE_FOOTNOTES) {
        match event {
            Event::Text(text) | Event::Code(text) => out.push_str(&text),
            Event::SoftBreak | Event::HardBreak => out.push(' '),
            Event::End(TagEnd::Paragraph | TagEnd::Heading(_) | TagEnd::Item)
            | Event::End(TagEnd::TableCell) => out.push('\n'),
            _ => {}
        }
    }
    out.trim().to_string()
}

/// Links to other sites open in a new tab (ammonia adds `rel="noopener ..."` to every
/// link); links within the page, such as footnotes, stay in it. Task-list boxes become
/// marks.
fn adjust(event: Event<'_>) -> Event<'_> {
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
        Event::TaskListMarker(done) => Event::Html(
            if done {
                "<span class=\"task done\">☑</span> "
            } else {
                "<span class=\"task\">☐</span> "
            }
            .into(),
        ),
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
    use super::{plain_text, render};

    #[test]
    fn plain_text_keeps_the_words() {
        let text = plain_text(
            "# 讲稿\n\n坚持**枫桥经验**，见[条例](https://x.example)。\n\n| 社区 |\n|---|\n| 东关 |\n\n<b>x</b>",
        );
        assert_eq!(text, "讲稿\n坚持枫桥经验，见条例。\n社区\n东关\nx");
    }

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
        assert!(html.contains("☑") && !html.contains("<input"), "{html}");
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

/// The property behind the sanitiser: whatever Markdown (and raw HTML inside it) a lecturer
/// types, the HTML sent to browsers has no script element, no event-handler attribute and
/// no `javascript:`/`data:`/`vbscript:` address. `PROPTEST_CASES=200000 cargo test -p app
/// markdown_never` runs it long; CI runs the default 256 cases plus the fixed attacks above.
#[cfg(test)]
mod property {
    use proptest::prelude::*;

    use super::render;

    /// Pieces attackers and ordinary lecturers use, mixed with arbitrary text.
    const FRAGMENTS: &[&str] = &[
        "<script>alert(1)</script>",
        "<SCRIPT SRC=//x.example/x.js>",
        "<scr<script>ipt>",
        "<img src=x onerror=alert(1)>",
        "<svg/onload=alert(1)>",
        "<a href=\"javascript:alert(1)\">",
        "<a href='jav&#x09;ascript:alert(1)'>",
        "<a href=\"&#106;avascript:x\">",
        "<iframe src=x>",
        "<math><mi xlink:href=\"javascript:x\">",
        "<object data=x>",
        "<embed src=x>",
        "<form action=javascript:x><button>",
        "<input onfocus=x autofocus>",
        "<style>",
        "<details open ontoggle=x>",
        "<body onload=x>",
        "<meta http-equiv=refresh content=0>",
        "<base href=//x>",
        "<link rel=import href=x>",
        "<div style=\"background:url(javascript:x)\">",
        "[x](javascript:alert(1))",
        "[x](JAVASCRIPT:alert(1))",
        "[x](data:text/html,<script>)",
        "[x](vbscript:msgbox)",
        "[x]( javascript:x)",
        "![i](javascript:x)",
        "![i](x \"onerror=x\")",
        "<javascript:alert(1)>",
        "[r]: javascript:x\n[r]",
        "\"",
        "'",
        "<",
        ">",
        "&",
        "&#",
        "=",
        "\n",
        "\n\n",
        "`",
        "```\n",
        "    ",
        "| a | b |\n|---|---|\n| 1 | 2 |\n",
        "- [x] ",
        "[^1]\n\n[^1]: n",
        "~~s~~",
        "**b**",
        "# h\n",
        "> q\n",
        "<!--",
        "-->",
        "<![CDATA[",
        "信访",
        "枫桥经验",
        " onclick=",
        "on",
        "error",
        "javascript",
        ":",
        "/",
        "(",
        ")",
    ];

    fn markdown() -> impl Strategy<Value = String> {
        prop::collection::vec(
            prop_oneof![
                3 => prop::sample::select(FRAGMENTS).prop_map(str::to_string),
                1 => any::<String>(),
            ],
            0..24,
        )
        .prop_map(|parts| parts.concat())
    }

    /// Tags in rendered HTML with their attributes. Text never holds a raw `<` (it is
    /// escaped), so every `<` starts a tag; attribute values may hold anything but quotes.
    fn tags(html: &str) -> Vec<(String, Vec<(String, String)>)> {
        let b: Vec<char> = html.chars().collect();
        let mut out = Vec::new();
        let mut i = 0;
        while i < b.len() {
            if b[i] != '<' {
                i += 1;
                continue;
            }
            i += 1;
            let closing = b.get(i) == Some(&'/');
            let start = i;
            while i < b.len() && !b[i].is_whitespace() && b[i] != '>' && b[i] != '/' {
                i += 1;
            }
            if closing {
                while i < b.len() && b[i] != '>' {
                    i += 1;
                }
                i += 1;
                continue;
            }
            let name: String = b[start..i].iter().collect::<String>().to_ascii_lowercase();
            let mut attrs = Vec::new();
            loop {
                while i < b.len() && (b[i].is_whitespace() || b[i] == '/') {
                    i += 1;
                }
                if i >= b.len() || b[i] == '>' {
                    i += 1;
                    break;
                }
                let s = i;
                while i < b.len() && !b[i].is_whitespace() && b[i] != '=' && b[i] != '>' {
                    i += 1;
                }
                let attr: String = b[s..i].iter().collect::<String>().to_ascii_lowercase();
                let mut value = String::new();
                if b.get(i) == Some(&'=') {
                    i += 1;
                    if b.get(i) == Some(&'"') {
                        i += 1;
                        while i < b.len() && b[i] != '"' {
                            value.push(b[i]);
                            i += 1;
                        }
                        i += 1;
                    } else {
                        while i < b.len() && !b[i].is_whitespace() && b[i] != '>' {
                            value.push(b[i]);
                            i += 1;
                        }
                    }
                }
                attrs.push((attr, value));
            }
            out.push((name, attrs));
        }
        out
    }

    /// What a browser would take an address to be: entities decoded, blanks dropped.
    fn address(value: &str) -> String {
        value
            .replace("&amp;", "&")
            .replace("&quot;", "\"")
            .replace("&#x09;", "")
            .replace("&#9;", "")
            .chars()
            .filter(|c| !c.is_whitespace() && !c.is_control())
            .collect::<String>()
            .to_ascii_lowercase()
    }

    fn check(html: &str) -> Result<(), String> {
        const FORBIDDEN: &[&str] = &[
            "script", "style", "iframe", "object", "embed", "svg", "math", "form", "base", "meta",
            "link", "body", "button", "textarea", "select", "input",
        ];
        for (tag, attrs) in tags(html) {
            if FORBIDDEN.contains(&tag.as_str()) {
                return Err(format!("<{tag}> survived in {html:?}"));
            }
            for (name, value) in &attrs {
                if name.starts_with("on") || name == "style" || name == "srcdoc" {
                    return Err(format!("attribute {name} on <{tag}> in {html:?}"));
                }
                let url = address(value);
                let active = ["javascript:", "data:", "vbscript:"];
                if active.iter().any(|a| url.starts_with(a)) {
                    return Err(format!("{name}={value:?} on <{tag}> in {html:?}"));
                }
            }
        }
        Ok(())
    }

    #[test]
    fn the_checker_catches_what_it_should() {
        assert!(check("<p><script>x</script></p>").is_err());
        assert!(check("<a href=\" JavaScript:x\">x</a>").is_err());
        assert!(check("<img src=x onerror=y>").is_err());
        assert!(check("<a title=\"<script>\" href=\"https://x\">x</a>").is_ok());
        assert!(check("<p>&lt;script&gt; onclick= javascript:</p>").is_ok());
    }

    proptest! {
        #[test]
        fn markdown_never_yields_active_html(md in markdown()) {
            let html = render(&md);
            prop_assert!(check(&html).is_ok(), "{}", check(&html).unwrap_err());
        }
    }
}
