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

/// One naming rule for claim files: `<kind>_<number>.rs`, with the kind and number from the
/// title ("Lemma B.2" → `lemma_b_2.rs`, "Theorem 3.1" → `theorem_3_1.rs`, "Figure 1" →
/// `figure_1.rs`) and `.` → `_`; a claim without such a title (the warm-up) is named by its id. Every
/// claim file sits in a folder of `src/claims/` named after the paper's part, except the warm-up.
#[test]
fn claim_files_follow_one_naming_rule() {
    for c in claims::all() {
        let path = Path::new(c.module);
        let stem = path.file_stem().and_then(|s| s.to_str()).expect("module path has a stem");
        let mut words = c.title.split_whitespace();
        let kind = words.next().unwrap_or("").to_lowercase();
        let number = words.next().unwrap_or("").to_lowercase().replace('.', "_");
        let expected = match kind.as_str() {
            "lemma" | "theorem" | "figure" => format!("{kind}_{number}"),
            _ => c.id.to_lowercase(),
        };
        assert_eq!(stem, expected, "{}: file {} breaks the naming rule", c.id, c.module);
        let depth = path.components().count();
        assert!(c.module.starts_with("src/claims/"), "{}: {} is outside src/claims", c.id, c.module);
        assert!(depth == 4 || c.id == "warmup", "{}: {} is not in a section folder", c.id, c.module);
    }
}
