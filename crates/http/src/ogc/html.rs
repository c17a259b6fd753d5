//! The HTML forms of OGC API resources: simple, valid, escaped pages in Chinese by
//! default. Each resource builds its body; this file holds the page shell and the few
//! helpers they share. Nothing is loaded from outside the server.

use std::fmt::Write;

use crate::{negotiate::Lang, ogc::link::Link};

/// Escapes text for HTML element content and attribute values.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// `<a href="…">text</a>`, both escaped.
pub fn a(href: &str, text: &str) -> String {
    format!("<a href=\"{}\">{}</a>", escape(href), escape(text))
}

const STYLE: &str = "body{font-family:system-ui,'PingFang SC','Microsoft YaHei',sans-serif;\
margin:2em auto;max-width:72em;padding:0 1em;color:#222}\
table{border-collapse:collapse;margin:1em 0}th,td{border:1px solid #ccc;padding:.3em .6em;\
text-align:left;vertical-align:top}th{background:#f3f3f3}nav{margin-bottom:1em}\
pre{background:#f6f6f6;padding:1em;overflow:auto;max-height:30em}";

/// A whole page: breadcrumbs (label, href), a heading, the body (already HTML) and the
/// links of the resource at the end.
pub fn page(
    lang: Lang,
    title: &str,
    crumbs: &[(&str, String)],
    body: &str,
    links: &[Link],
) -> String {
    let mut nav = String::new();
    for (i, (label, href)) in crumbs.iter().enumerate() {
        if i > 0 {
            nav.push_str(" / ");
        }
        nav.push_str(&a(href, label));
    }
    format!(
        "<!DOCTYPE html>\n<html lang=\"{lang}\">\n<head>\n<meta charset=\"utf-8\">\n\
<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
<link rel=\"icon\" href=\"/favicon.svg\" type=\"image/svg+xml\">\n\
<title>{title} · CityMirror</title>\n<style>{STYLE}</style>\n</head>\n<body>\n\
<nav>{nav}</nav>\n<h1>{title}</h1>\n{body}\n<h2>{links_heading}</h2>\n{links}</body>\n</html>\n",
        lang = lang.tag(),
        title = escape(title),
        links_heading = lang.pick("链接", "Links"),
        links = link_list(links),
    )
}

/// The breadcrumb trail down to a level: the landing page, then collections, etc.
pub fn crumbs(
    lang: Lang,
    base: &crate::base_url::BaseUrl,
    collection: Option<citymirror_core::LayerId>,
) -> Vec<(&'static str, String)> {
    let mut c = vec![
        (lang.pick("首页", "Home"), base.ogc("?f=html")),
        (
            lang.pick("数据集", "Collections"),
            base.ogc("/collections?f=html"),
        ),
    ];
    if let Some(layer) = collection {
        let s = layer.schema();
        c.push((
            lang.pick(s.title_zh, s.title_en),
            base.ogc(&format!("/collections/{layer}?f=html")),
        ));
    }
    c
}

/// A list of links showing their relation and media type.
pub fn link_list(links: &[Link]) -> String {
    let mut s = String::from("<ul>\n");
    for l in links {
        let text = l.title.as_deref().unwrap_or(&l.href);
        let _ = writeln!(
            s,
            "<li>{} <small>({} · {})</small></li>",
            a(&l.href, text),
            escape(l.rel),
            escape(l.media_type)
        );
    }
    s.push_str("</ul>\n");
    s
}

/// A table whose cells are already HTML (escape text with [`escape`] first).
pub fn table(headers: &[&str], rows: impl IntoIterator<Item = Vec<String>>) -> String {
    let mut s = String::from("<table>\n<thead><tr>");
    for h in headers {
        let _ = write!(s, "<th>{}</th>", escape(h));
    }
    s.push_str("</tr></thead>\n<tbody>\n");
    for row in rows {
        s.push_str("<tr>");
        for cell in row {
            let _ = write!(s, "<td>{cell}</td>");
        }
        s.push_str("</tr>\n");
    }
    s.push_str("</tbody>\n</table>\n");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_quotes() {
        assert_eq!(
            escape("<b a=\"1\">福田 & 'x'</b>"),
            "&lt;b a=&quot;1&quot;&gt;福田 &amp; &#39;x&#39;&lt;/b&gt;"
        );
    }
}
