//! `docs/permissions.md` is the permission matrix for people; `Role::grants` is the one
//! the server applies. This test fails the moment they disagree.

use citymirror_trust::{Action, Principal, Role, Target};

fn matrix() -> Vec<(String, Vec<bool>)> {
    let doc = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../docs/permissions.md"
    ))
    .expect("docs/permissions.md");
    let mut rows = Vec::new();
    let mut header: Option<Vec<String>> = None;
    for line in doc.lines() {
        let cells: Vec<String> = line
            .trim()
            .trim_matches('|')
            .split('|')
            .map(|c| c.trim().to_owned())
            .collect();
        if cells.first().map(String::as_str) == Some("action") && cells.len() == Role::ALL.len() + 2
        {
            header = Some(cells);
            continue;
        }
        let Some(h) = &header else { continue };
        if cells.len() != h.len() {
            if !rows.is_empty() {
                break;
            }
            continue;
        }
        if cells[0].starts_with("---") {
            continue;
        }
        rows.push((
            cells[0].clone(),
            cells[1..].iter().map(|c| c == "✓").collect(),
        ));
    }
    let h = header.expect("the matrix's header row");
    let expected: Vec<&str> = Role::ALL
        .iter()
        .map(|r| r.as_str())
        .chain(["anonymous"])
        .collect();
    assert_eq!(
        &h[1..],
        expected.as_slice(),
        "columns must be the roles in Role::ALL order, then anonymous"
    );
    rows
}

#[test]
fn the_documented_matrix_is_the_one_applied() {
    let rows = matrix();
    let actions: Vec<&str> = rows.iter().map(|(a, _)| a.as_str()).collect();
    let expected: Vec<&str> = Action::ALL.iter().map(|a| a.as_str()).collect();
    assert_eq!(
        actions, expected,
        "one row per action, in Action::ALL order"
    );
    for ((name, cells), action) in rows.iter().zip(Action::ALL) {
        for (role, &doc) in Role::ALL.iter().zip(cells) {
            assert_eq!(role.grants(action), doc, "{name} for {role}");
        }
        let anonymous_may = Principal::anonymous()
            .authorize(action, Target::Any)
            .is_ok();
        assert_eq!(
            anonymous_may,
            cells[Role::ALL.len()],
            "{name} for anonymous callers"
        );
    }
}
