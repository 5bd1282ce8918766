//! `shape-matters diff OLD NEW`: on real results.json files written by the binary (quick budget,
//! fast claims) that differ by a changed seed and by a changed bound, on the committed snapshots and
//! on a snapshot directory with one erratum flipped; exit codes 0 (no primary verdict or erratum
//! status changed), 1 (one did) and 2 (bad input, one line naming the file).

mod common;

use std::path::{Path, PathBuf};
use std::process::Output;

use common::run;
use shape_matters::report::diff;

/// A fresh scratch directory for this test binary.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("shape-matters-diff-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Run the binary with `args`, which must write DIR/results.json; returns that path.
fn results(args: &[&str], dir: &Path) -> PathBuf {
    let mut a: Vec<&str> = args.to_vec();
    let d = dir.to_str().unwrap();
    a.extend(["--out", d, "--quiet"]);
    let out = run(&a);
    assert_eq!(out.status.code(), Some(0), "{a:?}: {}", String::from_utf8_lossy(&out.stderr));
    let p = dir.join("results.json");
    assert!(p.is_file(), "{a:?} wrote no results.json");
    p
}

fn diff_of(old: &Path, new: &Path, extra: &[&str]) -> Output {
    let mut a = vec!["diff", old.to_str().unwrap(), new.to_str().unwrap()];
    a.extend(extra);
    run(&a)
}

fn text_of(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// The bad-input contract: exit 2, nothing on stdout, one line on stderr naming the file.
fn assert_bad(old: &Path, new: &Path, names: &Path, says: &str) {
    let out = diff_of(old, new, &[]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(out.stdout.is_empty(), "bad input printed a table: {}", text_of(&out));
    let lines: Vec<&str> = err.lines().filter(|l| !l.trim().is_empty()).collect();
    assert_eq!(lines.len(), 1, "expected one line, got {err}");
    assert!(err.contains(&names.display().to_string()), "'{err}' does not name {}", names.display());
    assert!(err.contains(says), "'{err}' does not say '{says}'");
}

/// Two real runs of G.1, G.4 and the warm-up at the quick budget, seeds 2021 and 2022: Monte Carlo
/// estimates move, no primary verdict and no erratum changes, so exit 0; identical inputs print the
/// "No change" line and exit 0.
#[test]
fn a_changed_seed_moves_estimates_and_keeps_the_verdicts() {
    let dir = scratch("seed");
    let only = ["run", "--only", "G.1,G.4,warmup", "--budget", "quick"];
    let a = results(&[&only[..], &["--seed", "2021"]].concat(), &dir.join("a"));
    let b = results(&[&only[..], &["--seed", "2022"]].concat(), &dir.join("b"));

    let out = diff_of(&a, &b, &[]);
    let t = text_of(&out);
    assert_eq!(out.status.code(), Some(0), "{t}\n{}", String::from_utf8_lossy(&out.stderr));
    assert!(t.contains("| run | 3 claim(s), budget quick, seed 2021 | 3 claim(s), budget quick, seed 2022 |"), "{t}");
    assert!(!t.contains("### Verdict changes"), "{t}");
    assert!(!t.contains("### Errata"), "{t}");
    // At n = 40, d = 100 the 3000 quick data sets see one exceedance with seed 2021 and none with 2022.
    assert!(t.contains("### Estimates beyond their intervals (1)"), "{t}");
    assert!(
        t.contains(
            "| G.1 | G.1 (40,100): P(max\\|x\\| > b_x) ≤ ρ | claim | 3.333e-4 [1.671e-6, 0.002474] | 0 [0, 0.001765] \
             | new outside the old interval |"
        ),
        "{t}"
    );
    assert!(t.contains("No primary verdict and no erratum status changed (exit 0)."), "{t}");

    for p in [&a, &b] {
        let same = diff_of(p, p, &[]);
        assert_eq!(same.status.code(), Some(0));
        let t = text_of(&same);
        assert!(
            t.contains("No change: the same verdicts, verdict lines, estimates, errata and checks (exit 0)."),
            "{t}"
        );
        assert!(!t.contains("###"), "identical inputs listed a change: {t}");
    }
}

/// A changed bound: `check G.1 --rho 1e-6` moves the failure level ρ of G.1's bound
/// `P(max|x| > b_x) ≤ ρ` (and with it b_x = sqrt(2 log(2nd/ρ))) from 0.5 to 10⁻⁶. The 20,000 quick
/// data sets then see no exceedance: N·ρ = 0.02 < 5, so the bound is INCONCLUSIVE instead of
/// CONFIRMED. A primary verdict changed: exit 1, in both directions.
#[test]
fn a_changed_bound_changes_a_primary_verdict_and_exits_1() {
    let dir = scratch("bound");
    let a = results(&["check", "G.1", "--budget", "quick"], &dir.join("a"));
    let b = results(&["check", "G.1", "--budget", "quick", "--rho", "1e-6"], &dir.join("b"));

    let out = diff_of(&a, &b, &[]);
    let t = text_of(&out);
    assert_eq!(out.status.code(), Some(1), "{t}\n{}", String::from_utf8_lossy(&out.stderr));
    assert!(t.contains("1 claim(s), budget quick, seed 2021, overridden instance"), "{t}");
    assert!(t.contains("### Verdict changes (1)"), "{t}");
    assert!(
        t.contains("| G.1 | Monte Carlo | G.1: P(max\\|x\\| > b_x) ≤ ρ | claim | CONFIRMED | INCONCLUSIVE | **yes** |"),
        "{t}"
    );
    assert!(t.contains("### Claim verdict lines (1 changed)"), "{t}");
    assert!(
        t.contains(
            "| G.1 | statement literal: CONFIRMED 2/2 · supporting: CONFIRMED 1/1 · exact 2/2 (controls 2/2) · \
             MC controls 1/1 | statement literal: CONFIRMED 1/2, INCONCLUSIVE 1/2 · supporting: CONFIRMED 1/1 · \
             exact 2/2 (controls 2/2) · MC controls 1/1 |"
        ),
        "{t}"
    );
    // The event's probability falls from 0.0624 to 0: each estimate is outside the other's interval.
    assert!(
        t.contains(
            "| G.1 | G.1: P(max\\|x\\| > b_x) ≤ ρ | claim | 0.0624 [0.05807, 0.06694] | 0 [0, 2.649e-4] \
             | each outside the other's interval |"
        ),
        "{t}"
    );
    assert!(t.contains("**1 change(s) of a primary verdict or an erratum status (exit 1).**"), "{t}");

    let back = diff_of(&b, &a, &[]);
    assert_eq!(back.status.code(), Some(1));
    assert!(text_of(&back).contains("| claim | INCONCLUSIVE | CONFIRMED | **yes** |"), "{}", text_of(&back));

    // --json: the same changes, machine-readable.
    let j = diff_of(&a, &b, &["--json"]);
    assert_eq!(j.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&j.stdout).expect("--json prints JSON");
    assert_eq!(v["gating"].as_u64(), Some(1));
    assert_eq!(v["verdicts"][0]["check"].as_str(), Some("G.1: P(max|x| > b_x) ≤ ρ"));
    assert_eq!(v["verdicts"][0]["old"].as_str(), Some("CONFIRMED"));
    assert_eq!(v["verdicts"][0]["new"].as_str(), Some("INCONCLUSIVE"));
    assert_eq!(v["lines"][0]["snapshot"].as_str(), Some("snapshots/claim_g_1.snap"));
}

/// The committed snapshots read as a directory: the verdict line recomputed from a snapshot body is the
/// line of a live quick run (controls relinked by printed id, since keys are not serialized: without
/// that, no exact check would count as controlled); a directory compared with itself gives exit 0 and
/// "No change".
#[test]
fn snapshot_directories_give_the_live_verdict_lines() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("snapshots");
    let input = diff::load(&root).expect("the committed snapshots load");
    assert_eq!(input.outcomes.len(), shape_matters::claims::all().len());
    for id in ["G.1", "G.4", "warmup", "D.4"] {
        let live = common::run_quick(id).summary().line();
        let loaded = input.outcomes.iter().find(|o| o.claim == id).expect("a snapshot per claim");
        assert_eq!(loaded.summary().line(), live, "{id}");
    }
    let text = std::fs::read_to_string(root.join("claim_g_1.snap")).unwrap();
    let raw = shape_matters::report::parse_snapshot(&text).unwrap();
    assert!(raw.summary().line().contains("exact 2/2 (controls 0/2)"), "{}", raw.summary().line());
    let out = diff_of(&root, &root, &[]);
    assert_eq!(out.status.code(), Some(0), "{}", text_of(&out));
    assert!(text_of(&out).contains("No change:"), "{}", text_of(&out));
}

/// A snapshot directory (as CI extracts the base's snapshots/) with one erratum no longer witnessed
/// and one claim missing: the erratum change and the removed claim gate (exit 1).
#[test]
fn an_erratum_that_stops_being_witnessed_exits_1() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("snapshots");
    let dir = scratch("snaps");
    for e in std::fs::read_dir(&root).unwrap() {
        let p = e.unwrap().path();
        std::fs::copy(&p, dir.join(p.file_name().unwrap())).unwrap();
    }
    let c5 = dir.join("claim_c_5.snap");
    let body = std::fs::read_to_string(&c5).unwrap();
    assert!(body.contains("\"witnessed\": true"), "C.5 has a witnessed erratum");
    std::fs::write(&c5, body.replacen("\"witnessed\": true", "\"witnessed\": false", 1)).unwrap();
    std::fs::remove_file(dir.join("claim_g_1.snap")).unwrap();

    let out = diff_of(&root, &dir, &[]);
    let t = text_of(&out);
    assert_eq!(out.status.code(), Some(1), "{t}");
    assert!(t.contains("### Errata (1 changed)"), "{t}");
    assert!(t.contains("| C.5 | E-C5"), "{t}");
    assert!(t.contains("| witnessed (grade "), "{t}");
    assert!(t.contains("| not witnessed (grade "), "{t}");
    assert!(t.contains("| G.1 | claim | G.1 |  | removed | **yes** |"), "{t}");
    assert!(t.contains("**2 change(s) of a primary verdict or an erratum status (exit 1).**"), "{t}");
}

/// Bad input: exit 2 and one line naming the file and what is wrong.
#[test]
fn bad_input_exits_2_with_one_line_naming_the_file() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("snapshots");
    let good = root.join("claim_g_1.snap");
    let dir = scratch("bad");
    let w = |name: &str, body: &str| {
        let p = dir.join(name);
        std::fs::write(&p, body).unwrap();
        p
    };
    let truncated = w("truncated.json", "{\"meta\": {}, \"outcomes\": [{\"claim\": \"G.1\"");
    assert_bad(&good, &truncated, &truncated, "not JSON");
    let no_outcomes = w("meta.json", "{\"meta\": {}}");
    assert_bad(&no_outcomes, &good, &no_outcomes, "no \"outcomes\" array");
    let wrong = w("wrong.json", "{\"outcomes\": [{\"claim\": 3}]}");
    assert_bad(&good, &wrong, &wrong, "\"outcomes\" is not a list of outcomes");
    let missing = dir.join("missing.json");
    assert_bad(&good, &missing, &missing, "No such file");
    let empty = dir.join("empty");
    std::fs::create_dir_all(&empty).unwrap();
    assert_bad(&empty, &good, &empty, "no claim_*.snap snapshot files");
    let snaps = dir.join("snaps");
    std::fs::create_dir_all(&snaps).unwrap();
    std::fs::copy(&good, snaps.join("claim_g_1.snap")).unwrap();
    let garbled = snaps.join("claim_x.snap");
    std::fs::write(&garbled, "---\nsource: x\n---\n{\"claim\": \"X\",").unwrap();
    assert_bad(&root, &snaps, &garbled, "not a valid outcome");
}
