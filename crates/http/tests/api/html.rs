//! HTML pages: negotiated by `f=html` or a browser's `Accept`, Chinese by default, escaped.

use crate::common::{fixture, TestApp};

const BROWSER: &str = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8";

#[tokio::test]
async fn browsers_get_chinese_html_and_f_json_still_wins() {
    let app = TestApp::new().await;
    for path in [
        "/ogc",
        "/ogc/conformance",
        "/ogc/collections",
        "/ogc/collections/buildings",
        "/ogc/collections/buildings/items",
        "/ogc/collections/buildings/items/1",
        "/ogc/collections/buildings/queryables",
        "/ogc/api",
    ] {
        let r = app.get_with(path, &[("accept", BROWSER)]).await;
        assert_eq!(r.status, 200, "{path}");
        assert_eq!(
            r.header("content-type"),
            "text/html; charset=utf-8",
            "{path}"
        );
        assert_eq!(r.header("vary"), "Accept", "{path}");
        let page = r.text();
        assert!(
            page.starts_with("<!DOCTYPE html>") && page.contains("<html lang=\"zh-CN\">"),
            "{path}"
        );
        let sep = if path.contains('?') { '&' } else { '?' };
        let r = app
            .get_with(&format!("{path}{sep}f=json"), &[("accept", BROWSER)])
            .await;
        assert!(r.header("content-type").contains("json"), "{path}");
    }
}

#[tokio::test]
async fn text_from_the_data_is_escaped() {
    let app = TestApp::new().await;
    for path in [
        "/ogc/collections/buildings/items?f=html",
        "/ogc/collections/buildings/items/1?f=html",
    ] {
        let page = app.get(path).await.text();
        assert!(!page.contains(fixture::MARKUP_NAME), "{path}");
        assert!(
            page.contains("&lt;b&gt;&quot;福田&quot; &amp; &#39;x&#39;&lt;/b&gt;"),
            "{path}"
        );
    }
}

#[tokio::test]
async fn the_items_page_is_a_table_with_paging() {
    let app = TestApp::new().await;
    let page = app
        .get("/ogc/collections/buildings/items?f=html&limit=5&offset=5")
        .await
        .text();
    assert!(page.contains("<table>"));
    assert_eq!(page.matches("<tr><td>").count(), 5);
    assert!(page.contains("共 20 个要素符合条件"));
    assert!(page.contains("offset=10") && page.contains("上一页"));
}

#[tokio::test]
async fn english_is_there_for_who_asks() {
    let app = TestApp::new().await;
    let page = app
        .get_with(
            "/ogc/collections?f=html",
            &[("accept-language", "en-GB,en;q=0.9")],
        )
        .await
        .text();
    assert!(page.contains("<html lang=\"en\">") && page.contains("Collections"));
}

#[tokio::test]
async fn items_and_features_are_shown_on_a_map_each_linking_to_its_page() {
    let app = TestApp::new().await;
    let page = app
        .get("/ogc/collections/buildings/items?f=html&limit=5")
        .await
        .text();
    let map = &page[page.find("<svg").expect("a map")..page.find("</svg>").unwrap()];
    assert_eq!(map.matches("<a href=").count(), 5, "{map}");
    assert_eq!(map.matches("<path").count(), 5, "buildings are outlines");
    let first = crate::common::ids(
        &app.get_json("/ogc/collections/buildings/items?limit=1")
            .await,
    )[0];
    assert!(map.contains(&format!("/items/{first}?f=html")));

    let one = app
        .get(&format!("/ogc/collections/cameras/items/{}?f=html", {
            let fc = app.get_json("/ogc/collections/cameras/items?limit=1").await;
            crate::common::ids(&fc)[0]
        }))
        .await
        .text();
    assert_eq!(one.matches("<circle").count(), 1, "a camera is a point");
    assert!(one.contains("图宽约"));
    assert!(one.contains("rel=\"icon\""));
}
