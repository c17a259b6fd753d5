//! The `citymirror` command line, end to end, on the embedded SQLite store.

mod common;

use common::citymirror;

/// The count `stats` prints for a layer or record kind.
fn count(stats: &str, name: &str) -> u64 {
    let line = stats
        .lines()
        .find(|l| l.split_whitespace().next() == Some(name))
        .unwrap_or_else(|| panic!("{name} in {stats}"));
    line.split_whitespace()
        .nth(1)
        .unwrap()
        .replace(',', "")
        .parse()
        .unwrap()
}

#[test]
fn generate_then_stats_reports_the_scaled_figures() {
    let dir = tempfile::tempdir().unwrap();
    common::generate_tiny(dir.path());
    let (ok, stats, err) = citymirror(&["stats", "--data-dir", dir.path().to_str().unwrap()]);
    assert!(ok, "{err}");
    assert_eq!(count(&stats, "streets"), 10);
    assert_eq!(count(&stats, "communities"), 92);
    assert_eq!(count(&stats, "buildings"), 40);
    assert_eq!(count(&stats, "components"), 1_100);
    assert_eq!(count(&stats, "cameras"), 48);
    assert_eq!(count(&stats, "devices"), 360);
    assert!(count(&stats, "total") >= 6_000, "{stats}");

    // A second generate into the same store is refused rather than mixing two twins.
    let (ok, _, err) = citymirror(&[
        "generate",
        "--scale",
        "0.002",
        "--data-dir",
        dir.path().to_str().unwrap(),
    ]);
    assert!(!ok && err.contains("already holds a twin"), "{err}");
}

#[test]
fn a_malformed_import_changes_nothing_and_names_the_line() {
    let dir = tempfile::tempdir().unwrap();
    common::generate_tiny(dir.path());
    let d = dir.path().to_str().unwrap();
    let stats = |()| citymirror(&["stats", "--data-dir", d]).1;
    let before = count(&stats(()), "components");

    let bad = dir.path().join("bad.csv");
    std::fs::write(&bad, "lon,lat,category,status\n114.05,22.54,0115,完好\n114.06,22.55,0115,完好\n114.07,abc,0115,完好\n").unwrap();
    let (ok, _, err) = citymirror(&[
        "import",
        "--data-dir",
        d,
        "--layer",
        "components",
        "--file",
        bad.to_str().unwrap(),
    ]);
    assert!(!ok);
    assert!(
        err.contains("line 4") && err.contains("`lat` is not a number"),
        "{err}"
    );
    assert!(err.contains("nothing was imported"), "{err}");
    assert_eq!(count(&stats(()), "components"), before);

    let good = dir.path().join("good.geojson");
    std::fs::write(
        &good,
        r#"{"type":"FeatureCollection","features":[
          {"type":"Feature","geometry":{"type":"Point","coordinates":[114.0602,22.5378]},"properties":{"category":"0115"}},
          {"type":"Feature","geometry":{"type":"Point","coordinates":[114.0612,22.5388]},"properties":{"category":"0120"}}]}"#,
    )
    .unwrap();
    let entries = || {
        let (ok, out, err) = citymirror(&["audit", "verify", "--data-dir", d]);
        assert!(ok, "{out}{err}");
        let all = format!("{out}{err}");
        all.split_whitespace()
            .next()
            .unwrap()
            .parse::<u64>()
            .unwrap()
    };
    let logged = entries();
    let (ok, _, err) = citymirror(&[
        "import",
        "--data-dir",
        d,
        "--layer",
        "components",
        "--file",
        good.to_str().unwrap(),
        "--crs",
        "gcj02",
    ]);
    assert!(ok, "{err}");
    assert_eq!(count(&stats(()), "components"), before + 2);
    // The import is in the audit log, which still verifies.
    assert_eq!(entries(), logged + 1);

    let (ok, _, err) = citymirror(&[
        "import",
        "--data-dir",
        d,
        "--layer",
        "rivers",
        "--file",
        good.to_str().unwrap(),
    ]);
    assert!(!ok && err.contains("--layer"), "{err}");
}
