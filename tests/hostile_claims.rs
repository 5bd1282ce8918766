//! Hostile input and numerical breakdown on the claims' side (issue 17): every case runs the
//! binary at the quick budget with small chain counts and asserts no panic, no abort (no signal,
//! never exit 101), a one-line error naming the flag and its range for refused input (exit 2), and
//! for completed runs (`--json`) no NaN/∞/null in a numeric field or a table cell, with the summary
//! INVALID where the tool's own computation broke.

use std::path::PathBuf;
use std::process::Command;

use serde_json::Value;

const BIN: &str = env!("CARGO_BIN_EXE_shape-matters");

struct Run {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

fn run(args: &[&str]) -> Run {
    let out = Command::new(BIN).args(args).output().expect("the binary runs");
    Run {
        code: out.status.code(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// Refused input: exit 2, one line on stderr naming `flag` (and its valid range), no NaN.
fn assert_refused(args: &[&str], flag: &str) {
    let r = run(args);
    assert_eq!(r.code, Some(2), "{args:?}: expected exit 2, got {:?}; stderr: {}", r.code, r.stderr);
    let lines: Vec<&str> = r.stderr.lines().filter(|l| !l.trim().is_empty()).collect();
    assert_eq!(lines.len(), 1, "{args:?}: expected one line, got: {}", r.stderr);
    assert!(lines[0].contains(flag), "{args:?}: the error must name {flag}: {}", lines[0]);
    if !args.iter().any(|a| a.to_lowercase().contains("nan")) {
        assert!(!lines[0].contains("NaN"), "{args:?}: NaN in the error: {}", lines[0]);
    }
    assert!(r.stdout.is_empty(), "{args:?}: nothing on stdout for refused input: {}", r.stdout);
}

/// A completed run: not a panic (101) nor a signal; exit 0 or 1.
fn assert_completed(r: &Run, args: &[&str]) {
    assert!(
        matches!(r.code, Some(0) | Some(1)),
        "{args:?}: expected a completed run (exit 0/1), got {:?}; stderr: {}",
        r.code,
        r.stderr
    );
}

/// Fields that are legitimately optional (null when absent), as in `evidence::non_finite_fields`.
const OPTIONAL: &[&str] = &[
    "count",
    "slack",
    "slack_at_least",
    "detectable_rate",
    "holm_family",
    "worst_margin",
    "worst_scaled",
    "elapsed_s",
];

/// Paths of nulls (non-finite floats serialize as null) outside optional fields, of strings that
/// are a bare non-finite value, and of table cells that show NaN or ∞.
fn non_finite(v: &Value) -> Vec<String> {
    fn walk(v: &Value, path: &str, key: &str, bad: &mut Vec<String>) {
        match v {
            Value::Null if !OPTIONAL.contains(&key) => bad.push(path.to_string()),
            Value::String(s) => {
                let t = s.trim();
                if t.contains("NaN") || ["inf", "-inf", "∞", "−∞", "Infinity"].contains(&t) {
                    bad.push(format!("{path} = {s}"));
                }
            }
            Value::Array(a) => a.iter().enumerate().for_each(|(i, x)| walk(x, &format!("{path}[{i}]"), key, bad)),
            Value::Object(m) => m.iter().for_each(|(k, x)| walk(x, &format!("{path}.{k}"), k, bad)),
            _ => {}
        }
    }
    let mut bad = Vec::new();
    walk(v, "", "", &mut bad);
    // Table cells: no ∞ or NaN inside a cell either ("[∞, ∞]").
    if let Some(tables) = v.get("tables").and_then(Value::as_array) {
        for (ti, t) in tables.iter().enumerate() {
            for (ri, row) in t.get("rows").and_then(Value::as_array).into_iter().flatten().enumerate() {
                for (ci, cell) in row.as_array().into_iter().flatten().enumerate() {
                    let s = cell.as_str().unwrap_or("");
                    let tokens = s.split(|c: char| c.is_whitespace() || "[],–()".contains(c));
                    if tokens.into_iter().any(|t| ["∞", "−∞", "-∞", "NaN", "inf", "-inf"].contains(&t)) {
                        bad.push(format!(".tables[{ti}].rows[{ri}][{ci}] = {s}"));
                    }
                }
            }
        }
    }
    bad
}

/// Run `check … --json`, assert a completed run with finite JSON, return the JSON.
fn json_run(args: &[&str]) -> Value {
    let mut a = args.to_vec();
    a.push("--json");
    let r = run(&a);
    assert_completed(&r, &a);
    let v: Value = serde_json::from_str(&r.stdout).unwrap_or_else(|e| panic!("{a:?}: invalid JSON ({e})"));
    let bad = non_finite(&v);
    assert!(bad.is_empty(), "{a:?}: non-finite values in the JSON: {bad:?}");
    v
}

/// Run `check …` (Markdown), assert a completed run, return the verdict line.
fn verdict_line(args: &[&str]) -> String {
    let r = run(args);
    assert_completed(&r, args);
    assert!(!r.stdout.contains("NaN"), "{args:?}: NaN in the report");
    r.stdout.lines().find(|l| l.contains("Verdict:")).unwrap_or_else(|| panic!("{args:?}: no verdict line")).to_string()
}

fn audit_row<'a>(v: &'a Value, audit: &str, row: &str) -> &'a Value {
    v["audits"]
        .as_array()
        .and_then(|a| a.iter().find(|x| x["id"] == audit))
        .and_then(|a| a["hypotheses"].as_array())
        .and_then(|h| h.iter().find(|x| x["id"] == row))
        .unwrap_or_else(|| panic!("no row '{row}' in audit '{audit}'"))
}

/// A data file of `n × d` entries `±x`, unique per test, removed on drop.
struct TempCsv(PathBuf);
impl TempCsv {
    fn new(tag: &str, n: usize, d: usize, x: &str) -> TempCsv {
        let p = std::env::temp_dir().join(format!("hostile-claims-{tag}-{}.csv", std::process::id()));
        let mut s = String::new();
        for i in 0..n {
            let row: Vec<String> =
                (0..d).map(|k| if (i * 7 + k * 3) % 2 == 0 { x.to_string() } else { format!("-{x}") }).collect();
            s.push_str(&row.join(","));
            s.push('\n');
        }
        std::fs::write(&p, s).expect("temp file");
        TempCsv(p)
    }
    fn path(&self) -> &str {
        self.0.to_str().expect("utf-8 path")
    }
}
impl Drop for TempCsv {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

/// Case 1 (and 5): λ outside the range the partition function and its cross-checks honour is
/// refused with the range (was: a statrs unwrap panic at 1e307/1e308, no end for 1e50–1e306, a
/// failing d = 2 quadrature at 100 and VIOLATED checks at 1e6/1e10).
#[test]
fn lambda_out_of_range_is_refused() {
    for l in ["1e308", "1e307", "1e306", "1e50", "1e10", "1e6", "100", "30", "0.001", "inf", "nan", "0"] {
        assert_refused(&["check", "2.2", "--budget", "quick", "--lambda", l], "--lambda");
    }
    let r = run(&["check", "2.2", "--budget", "quick", "--lambda", "1e308"]);
    assert!(r.stderr.contains(">= 0.01 and <= 10"), "the range is stated: {}", r.stderr);
}

/// Case 1: at the top of λ's range the d = 2 quadrature cross-check holds (exact 8/8) and the run
/// is not INVALID.
#[test]
fn lambda_at_the_range_edge_keeps_the_cross_checks() {
    let line = verdict_line(&["check", "2.2", "--budget", "quick", "--lambda", "10"]);
    assert!(!line.contains("INVALID"), "{line}");
    assert!(line.contains("exact 8/8"), "{line}");
}

/// Case 2: sizes are bounded before any allocation (was: SIGABRT on a 10¹⁸-entry allocation).
#[test]
fn sizes_are_bounded_before_allocation() {
    assert_refused(&["check", "G.1", "--budget", "quick", "--d", "1000000000", "--n", "1000000000"], "--d");
    assert_refused(&["check", "G.1", "--budget", "quick", "--d", "5000", "--n", "100000"], "--n");
    assert_refused(&["check", "G.1", "--budget", "quick", "--d", "5000", "--n", "10000"], "--chains");
    assert_refused(
        &["check", "G.2", "--budget", "quick", "--chains", "10000000", "--d", "1000", "--n", "1000"],
        "--chains",
    );
    assert_refused(&["check", "warmup", "--budget", "quick", "--steps", "100000000000"], "--steps");
    assert_refused(&["check", "warmup", "--budget", "quick", "--chains", "1000000", "--steps", "10000000"], "--steps");
    assert_refused(&["check", "F.1", "--budget", "quick", "--instances", "100000000"], "--instances");
    assert_refused(&["check", "B.4", "--budget", "quick", "--chains", "18446744073709551615"], "--chains");
}

/// Case 3: the warm-up walk (5) at η = 0.9, t = 2000 underflows f64 (v_t ≈ e^−1660) but not its
/// logarithm: no −∞/NaN, the product form holds on every chain, and no check is VIOLATED (was: −∞,
/// [NaN, NaN], a VIOLATED E v_t = 1 and the product form failing 4000/4000).
#[test]
fn warmup_underflow_is_not_a_violation() {
    let args = ["check", "warmup", "--budget", "quick", "--eta", "0.9", "--steps", "2000", "--chains", "400"];
    let v = json_run(&args);
    let pf = v["exact"].as_array().unwrap().iter().find(|c| c["id"] == "product form").expect("product form");
    assert_eq!(pf["violations"], 0, "{pf}");
    for c in v["mc"].as_array().unwrap() {
        let control =
            c["role"].to_string().contains("control") || c["id"].as_str().unwrap_or("").starts_with("control");
        if !control {
            assert_ne!(c["verdict"], "VIOLATED", "{}", c["id"]);
        }
    }
    let line = verdict_line(&args);
    assert!(!line.contains("INVALID"), "{line}");
}

/// Case 3: a data file whose entries overflow the losses is refused naming the file, line and range
/// (was: NaN in 4 table rows and the string "NaN" in the JSON).
#[test]
fn huge_data_entries_are_refused() {
    let f = TempCsv::new("fig1-huge", 40, 100, "1e300");
    assert_refused(&["check", "fig1", "--budget", "quick", "--data", f.path()], f.path());
    let r = run(&["check", "fig1", "--budget", "quick", "--data", f.path()]);
    assert!(r.stderr.contains("line 1") && r.stderr.contains("1e6"), "{}", r.stderr);
}

/// Case 5: Theorem 2.1 at n ≥ d: the audit shows the failing hypothesis n < d, and the controls
/// that are not caught make the run INVALID (no verdict on the paper).
#[test]
fn theorem_2_1_at_n_above_d_is_invalid_with_its_audit_row() {
    let args = ["check", "2.1", "--budget", "quick", "--d", "10", "--n", "20", "--r", "2", "--chains", "5"];
    let v = json_run(&args);
    assert_eq!(audit_row(&v, "2.1 practical", "n < d")["holds"], false);
    let line = verdict_line(&args);
    assert!(line.contains("INVALID at these parameters"), "{line}");
}

/// Case 5: C.2 off its defaults: the check texts name the parameters used and an overflowing
/// support is a named state, not ∞ in a cell (was: ∞, and "δ = 2, η = 1e-3, T = 2e6").
#[test]
fn c2_texts_follow_the_parameters_and_cells_are_finite() {
    let args =
        ["check", "C.2", "--budget", "quick", "--eta", "0.9", "--delta", "100", "--chains", "10", "--steps", "1000"];
    let v = json_run(&args);
    let texts: Vec<&str> = v["mc"].as_array().unwrap().iter().filter_map(|c| c["event"].as_str()).collect();
    assert!(texts.iter().any(|t| t.contains("δ = 100, η = 0.9, T = 1000")), "{texts:?}");
    assert!(!texts.iter().any(|t| t.contains("δ = 2, η = 1e-3")), "{texts:?}");
    let notes = v["notes"].to_string();
    assert!(!notes.contains("δ = 2, η = 1e−3"), "{notes}");
}

/// Case 6: Stage-0 scale parameters: the error names the flag the user gave and the range (was:
/// `--tau 1e308` and `--delta 1e308` blamed eta and printed NaN).
#[test]
fn stage0_errors_name_the_right_flag() {
    assert_refused(&["check", "B.4", "--budget", "quick", "--tau", "1e308"], "--tau");
    assert_refused(&["check", "B.4", "--budget", "quick", "--delta", "1e308"], "--delta");
    assert_refused(&["check", "B.4", "--budget", "quick", "--tau", "1e-300"], "tau");
    assert_refused(&["check", "B.4", "--budget", "quick", "--delta", "1e-3"], "delta");
    assert_refused(&["check", "B.4", "--budget", "quick", "--eta", "0.01"], "eta");
    let r = run(&["check", "B.4", "--budget", "quick", "--delta", "1e308"]);
    assert!(!r.stderr.contains("eta"), "{}", r.stderr);
}

/// Case 8: F.1 at a command-line (d, n) = (10, 20) audits the lemma's hypotheses: n < d fails.
#[test]
fn f1_audit_at_n_above_d() {
    let v = json_run(&["check", "F.1", "--budget", "quick", "--d", "10", "--n", "20", "--instances", "20"]);
    assert_eq!(audit_row(&v, "F.1 at (10,20)", "dim K = d − n ≥ 1")["holds"], false);
    assert_eq!(audit_row(&v, "F.1 at (10,20)", "n ≤ d − 9√d")["holds"], false);
}

/// Every real override of every claim that accepts it: non-finite and huge values are refused
/// with one line naming the flag; zero sizes too.
#[test]
fn non_finite_and_huge_overrides_are_refused() {
    let real: &[(&str, &str)] = &[
        ("B.4", "tau"),
        ("B.4", "delta"),
        ("B.4", "eta"),
        ("B.4", "rho"),
        ("C.2", "delta"),
        ("C.2", "eta"),
        ("warmup", "eta"),
        ("2.1", "delta"),
        ("fig1", "tau"),
        ("fig1", "delta"),
        ("fig1", "eta"),
        ("G.1", "rho"),
        ("2.2", "lambda"),
    ];
    for &(claim, flag) in real {
        for x in ["nan", "inf", "-inf", "1e308", "-1"] {
            let arg = format!("--{flag}={x}");
            assert_refused(&["check", claim, "--budget", "quick", &arg], flag);
        }
    }
    let sizes: &[(&str, &str)] = &[
        ("B.4", "d"),
        ("B.4", "n"),
        ("B.4", "steps"),
        ("B.4", "chains"),
        ("G.1", "d"),
        ("G.1", "n"),
        ("2.1", "d"),
        ("2.2", "d"),
        ("F.1", "instances"),
        ("fig1", "steps"),
        ("warmup", "steps"),
        ("C.2", "n"),
    ];
    for &(claim, flag) in sizes {
        for x in ["0", "18446744073709551615"] {
            let arg = format!("--{flag}={x}");
            assert_refused(&["check", claim, "--budget", "quick", &arg], flag);
        }
    }
}
