//! PAPER_MAP.md is generated from the registry and the committed snapshots; this test fails when
//! the committed file drifts, and checks that every registry row points at files that exist.

use std::path::Path;

use shape_matters::{claims, report};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn paper_map_is_up_to_date() {
    let generated = report::paper_map(root());
    let committed = std::fs::read_to_string(root().join("PAPER_MAP.md")).expect("PAPER_MAP.md is committed");
    assert!(
        committed == generated,
        "PAPER_MAP.md differs from the generated map: run `cargo run --release -- paper-map --write` and commit it"
    );
}

#[test]
fn registry_points_at_real_files() {
    let mut ids = std::collections::HashSet::new();
    for c in claims::all() {
        assert!(ids.insert(c.id), "duplicate claim id {}", c.id);
        let module = std::fs::read_to_string(root().join(c.module))
            .unwrap_or_else(|_| panic!("{}: module {} missing", c.id, c.module));
        assert!(module.starts_with("//!"), "{}: the module doc must quote the statement", c.id);
        assert!(root().join(c.test).exists(), "{}: test file {} missing", c.id, c.test);
        let snap = std::fs::read_to_string(root().join(c.snapshot_path()))
            .unwrap_or_else(|_| panic!("{}: snapshot {} missing", c.id, c.snapshot_path()));
        assert!(report::outcome_from_snapshot(&snap).is_some(), "{}: snapshot does not parse", c.id);
        let test_src = std::fs::read_to_string(root().join(c.test)).unwrap();
        assert!(test_src.contains(&format!("\"{}\"", c.id)), "{}: {} never runs this claim", c.id, c.test);
    }
}
