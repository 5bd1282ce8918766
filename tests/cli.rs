//! The binary: registry listing, bad input (one line naming the parameter and its valid range,
//! exit code 2), simulate on generated and CSV data, paper-map --check.

mod common;

use common::run;

fn assert_bad_input(args: &[&str], must_contain: &[&str]) {
    let out = run(args);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
    let lines: Vec<&str> = err.lines().filter(|l| !l.trim().is_empty()).collect();
    assert_eq!(lines.len(), 1, "{args:?}: expected one line, got {err}");
    for m in must_contain {
        assert!(err.contains(m), "{args:?}: '{m}' not in '{err}'");
    }
    assert!(!err.contains("panicked"), "{err}");
}

fn tmp(name: &str, content: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("shape-matters-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let p = dir.join(name);
    std::fs::write(&p, content).unwrap();
    p
}

#[test]
fn list_json_shows_the_registry() {
    let out = run(&["list", "--json"]);
    assert!(out.status.success());
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let ids: Vec<&str> = v.as_array().unwrap().iter().map(|r| r["id"].as_str().unwrap()).collect();
    for id in ["warmup", "G.1", "G.2"] {
        assert!(ids.contains(&id), "{ids:?}");
    }
}

#[test]
fn bad_input_is_one_clear_line() {
    assert_bad_input(&["check", "warmup", "--eta", "-1"], &["--eta", "-1", "> 0"]);
    assert_bad_input(&["check", "warmup", "--eta", "NaN"], &["--eta", "finite"]);
    assert_bad_input(&["check", "warmup", "--eta", "1.5"], &["eta", "(0, 1)"]);
    assert_bad_input(&["check", "nosuch"], &["unknown claim id 'nosuch'", "warmup"]);
    assert_bad_input(&["check", "warmup", "--tau", "2"], &["does not accept --tau", "--eta"]);
    assert_bad_input(&["check", "G.1", "--rho", "1"], &["--rho", "(0, 1)"]);
    assert_bad_input(&["simulate", "--d", "3", "--r", "5"], &["r = 5", "r <= d = 3"]);
    assert_bad_input(&["simulate", "--n", "0"], &["--n", ">= 1"]);
    assert_bad_input(&["simulate", "--lr", "inf"], &["--lr", "finite"]);
    assert_bad_input(&["simulate", "--data", "/nonexistent/x.csv"], &["/nonexistent/x.csv"]);
    let ragged = tmp("ragged.csv", "1,2,3\n4,5\n");
    assert_bad_input(&["simulate", "--data", ragged.to_str().unwrap()], &["line 2", "ragged"]);
    let word = tmp("word.csv", "1,2\n3,x\n");
    assert_bad_input(&["simulate", "--data", word.to_str().unwrap()], &["line 2", "'x' is not a number"]);
    let empty = tmp("empty.csv", "");
    assert_bad_input(&["simulate", "--data", empty.to_str().unwrap()], &["empty file"]);
}

#[test]
fn simulate_on_generated_and_csv_data() {
    let out = run(&[
        "simulate",
        "--dynamics",
        "gd",
        "--d",
        "10",
        "--n",
        "4",
        "--r",
        "2",
        "--steps",
        "200",
        "--log-every",
        "100",
        "--json",
    ]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let traj = v["chains"][0]["trajectory"].as_array().unwrap();
    assert_eq!(traj.iter().map(|p| p["iter"].as_u64().unwrap()).collect::<Vec<_>>(), vec![0, 100, 200]);
    let l0 = traj[0]["train_loss"].as_f64().unwrap();
    let l2 = traj[2]["train_loss"].as_f64().unwrap();
    assert!(l2 < l0, "GD decreases the train loss: {l0} -> {l2}");

    let csv = tmp("x.csv", "1,0,0.5\n0,1,-0.5\n");
    let out = run(&[
        "simulate",
        "--dynamics",
        "alg1",
        "--data",
        csv.to_str().unwrap(),
        "--r",
        "1",
        "--steps",
        "50",
        "--chains",
        "2",
        "--json",
    ]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["config"]["d"].as_u64(), Some(3));
    assert_eq!(v["config"]["n"].as_u64(), Some(2));
    assert_eq!(v["chains"].as_array().unwrap().len(), 2);
}

#[test]
fn paper_map_check_passes_on_the_committed_map() {
    let out = run(&["paper-map", "--check"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
}
