//! Hostile command lines (issue 17, the CLI's cases): each case is one row of a table with its
//! expected exit code and what its one stderr line must name. The cases of the claims' numerics
//! (2.2's λ, warm-up underflow, B.4, 2.1, C.2, F.1's audit) are in tests/hostile_claims.rs.

mod common;

use std::path::{Path, PathBuf};

use common::{bin, run};

/// What a case must do.
enum Expect {
    /// Exit 2 with exactly one non-empty stderr line containing every string; nothing on stdout.
    Bad(&'static [&'static str]),
    /// Exit 0.
    Ok,
}

struct Case {
    /// Issue case number and what it tries.
    name: &'static str,
    args: &'static [&'static str],
    expect: Expect,
}

const CASES: &[Case] = &[
    // 2: sizes bounded before allocation (simulate).
    Case {
        name: "2 simulate --d 4e9",
        args: &["simulate", "--d", "4000000000", "--n", "40", "--r", "5", "--steps", "10"],
        expect: Expect::Bad(&["--d", "4000000000", "[1, 10000000]"]),
    },
    Case {
        name: "2 simulate --chains 4e9",
        args: &["simulate", "--chains", "4000000000", "--steps", "10", "--log-every", "0"],
        expect: Expect::Bad(&["--chains", "[1, 1000000]"]),
    },
    Case {
        name: "2 simulate --n 1e9",
        args: &["simulate", "--n", "1000000000", "--steps", "10"],
        expect: Expect::Bad(&["--n", "[1, 1000000]"]),
    },
    Case {
        name: "2 simulate n·d too large",
        args: &["simulate", "--n", "400", "--d", "1000000", "--steps", "1"],
        expect: Expect::Bad(&["--n × --d", "at most 50000000"]),
    },
    Case {
        name: "2 simulate work too large",
        args: &["simulate", "--steps", "100000000", "--chains", "10000", "--log-every", "0"],
        expect: Expect::Bad(&["--steps × --chains × --n × --d", "at most 1e13"]),
    },
    Case {
        name: "2 simulate trajectory too large",
        args: &["simulate", "--steps", "100000000", "--chains", "10", "--log-every", "1"],
        expect: Expect::Bad(&["--log-every", "at most 50000000"]),
    },
    // 6: parse-level errors are one line naming the flag; hyphen values reach the range check.
    Case {
        name: "6 --alpha -inf as a separate word",
        args: &["simulate", "--alpha", "-inf"],
        expect: Expect::Bad(&["--alpha", "-inf", "finite number > 0"]),
    },
    Case {
        name: "6 check --eta -inf",
        args: &["check", "warmup", "--eta", "-inf"],
        expect: Expect::Bad(&["--eta", "finite"]),
    },
    Case {
        name: "6 integer flag given a word",
        args: &["simulate", "--d", "x"],
        expect: Expect::Bad(&["--d", "'x'", "whole number in [0, "]),
    },
    Case {
        name: "6 negative integer",
        args: &["simulate", "--chains", "-3"],
        expect: Expect::Bad(&["--chains", "'-3'"]),
    },
    Case {
        name: "6 float flag given a word",
        args: &["simulate", "--lr", "fast"],
        expect: Expect::Bad(&["--lr", "'fast'", "must be a number"]),
    },
    Case {
        name: "6 unknown enum value",
        args: &["simulate", "--dynamics", "adam"],
        expect: Expect::Bad(&["--dynamics", "'adam'", "alg1", "langevin"]),
    },
    Case {
        name: "6 unknown budget",
        args: &["check", "G.1", "--budget", "huge"],
        expect: Expect::Bad(&["--budget", "'huge'", "quick"]),
    },
    Case {
        name: "6 flag without value",
        args: &["check", "warmup", "--eta"],
        expect: Expect::Bad(&["--eta", "value"]),
    },
    Case {
        name: "6 unknown flag lists the flags",
        args: &["simulate", "--foo", "1"],
        expect: Expect::Bad(&["'--foo'", "--dynamics", "--alpha"]),
    },
    Case { name: "6 unknown command", args: &["frobnicate"], expect: Expect::Bad(&["'frobnicate'", "simulate"]) },
    Case { name: "6 missing claim id", args: &["check"], expect: Expect::Bad(&["missing", "ID"]) },
    Case {
        name: "6 flag given twice",
        args: &["check", "warmup", "--eta", "0.5", "--eta", "0.3"],
        expect: Expect::Bad(&["--eta", "more than once"]),
    },
    Case { name: "6 --help exits 0", args: &["simulate", "--help"], expect: Expect::Ok },
    Case { name: "6 --version exits 0", args: &["--version"], expect: Expect::Ok },
    // 7: --threads bounded before any thread is created.
    Case {
        name: "7 simulate --threads 10000",
        args: &["simulate", "--threads", "10000"],
        expect: Expect::Bad(&["--threads", "10000", "4 ×"]),
    },
    Case {
        name: "7 check --threads 4e9",
        args: &["check", "G.1", "--budget", "quick", "--threads", "4000000000"],
        expect: Expect::Bad(&["--threads", "4000000000", "available cores"]),
    },
    Case { name: "7 --threads 0", args: &["simulate", "--threads", "0"], expect: Expect::Bad(&["--threads", "[1, "]) },
    // 8: silent acceptance.
    Case {
        name: "8 --lr-decay-at unsorted",
        args: &["simulate", "--lr-decay-at", "80,20,20"],
        expect: Expect::Bad(&["--lr-decay-at", "80,20,20", "strictly increasing"]),
    },
    Case {
        name: "8 --lr-decay-at repeated",
        args: &["simulate", "--lr-decay-at", "20,20"],
        expect: Expect::Bad(&["--lr-decay-at", "strictly increasing"]),
    },
    Case {
        name: "8 --sigma with alg1",
        args: &["simulate", "--dynamics", "alg1", "--sigma", "1"],
        expect: Expect::Bad(&["--sigma", "alg1", "--delta"]),
    },
    Case {
        name: "8 --lambda with gd",
        args: &["simulate", "--dynamics", "gd", "--lambda", "2"],
        expect: Expect::Bad(&["--lambda", "gd", "no dynamics-specific flag"]),
    },
    Case {
        name: "8 --bs with alg1",
        args: &["simulate", "--bs", "2"],
        expect: Expect::Bad(&["--bs", "alg1", "--delta"]),
    },
    Case {
        name: "8 --label-noise with alg1",
        args: &["simulate", "--label-noise", "rademacher"],
        expect: Expect::Bad(&["--label-noise", "alg1"]),
    },
    Case {
        name: "8 --delta with langevin",
        args: &["simulate", "--dynamics", "langevin", "--delta", "1"],
        expect: Expect::Bad(&["--delta", "langevin", "--lambda"]),
    },
    Case {
        name: "8 paper-map --write --check",
        args: &["paper-map", "--write", "--check"],
        expect: Expect::Bad(&["--write", "--check"]),
    },
    // Issue 14: a witness file that does not exist, or no file at all.
    Case {
        name: "14 witness of a missing file",
        args: &["witness", "/nonexistent/w.json"],
        expect: Expect::Bad(&["/nonexistent/w.json"]),
    },
    Case { name: "14 witness without a file", args: &["witness"], expect: Expect::Bad(&["FILES"]) },
    // 9: paper-map outside a checkout.
    Case {
        name: "9 paper-map --root /nonexistent",
        args: &["paper-map", "--root", "/nonexistent"],
        expect: Expect::Bad(&["/nonexistent", "not a shape-matters checkout"]),
    },
    Case {
        name: "9 paper-map --check --root /",
        args: &["paper-map", "--check", "--root", "/"],
        expect: Expect::Bad(&["not a shape-matters checkout"]),
    },
    // 10: the output directory is validated before any computation.
    Case {
        name: "10 run --out /proc/x",
        args: &["run", "--budget", "quick", "--out", "/proc/x/y", "--quiet"],
        expect: Expect::Bad(&["/proc/x/y", "output directory"]),
    },
    Case {
        name: "10 check --json --out bad",
        args: &["check", "G.1", "--budget", "quick", "--json", "--out", "/proc/x/y"],
        expect: Expect::Bad(&["/proc/x/y", "output directory"]),
    },
];

#[test]
fn table_of_hostile_command_lines() {
    let mut failures = Vec::new();
    for c in CASES {
        let out = run(c.args);
        let err = String::from_utf8_lossy(&out.stderr);
        let code = out.status.code();
        let problem = match &c.expect {
            Expect::Bad(needles) => {
                let lines: Vec<&str> = err.lines().filter(|l| !l.trim().is_empty()).collect();
                let missing: Vec<&&str> = needles.iter().filter(|m| !err.contains(**m)).collect();
                if code != Some(2) {
                    Some(format!("exit {code:?}, want 2"))
                } else if lines.len() != 1 {
                    Some(format!("{} stderr lines, want 1", lines.len()))
                } else if !missing.is_empty() {
                    Some(format!("stderr lacks {missing:?}"))
                } else if !out.stdout.is_empty() {
                    Some("something on stdout".into())
                } else {
                    None
                }
            }
            Expect::Ok => (code != Some(0)).then(|| format!("exit {code:?}, want 0")),
        };
        if let Some(p) = problem {
            failures.push(format!("{} {:?}: {p}\n  stderr: {err}", c.name, c.args));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

fn tmpdir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("shape-matters-hostile-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn assert_bad(args: &[&str], needles: &[&str]) {
    let out = run(args);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
    assert_eq!(err.lines().filter(|l| !l.trim().is_empty()).count(), 1, "{args:?}: {err}");
    for n in needles {
        assert!(err.contains(n), "{args:?}: '{n}' not in {err}");
    }
}

/// Every number in a JSON value is finite, and no numeric field is null (serde writes a
/// non-finite f64 as null).
fn assert_no_null_or_nan(v: &serde_json::Value, path: &str) {
    match v {
        serde_json::Value::Null => panic!("null at {path}"),
        serde_json::Value::Number(n) => assert!(n.as_f64().is_some_and(f64::is_finite), "{path}: {n}"),
        serde_json::Value::String(s) => {
            assert!(!["NaN", "inf", "-inf", "∞"].contains(&s.as_str()), "{path}: {s}")
        }
        serde_json::Value::Array(a) => {
            a.iter().enumerate().for_each(|(i, x)| assert_no_null_or_nan(x, &format!("{path}[{i}]")))
        }
        serde_json::Value::Object(m) => m.iter().for_each(|(k, x)| assert_no_null_or_nan(x, &format!("{path}.{k}"))),
        serde_json::Value::Bool(_) => {}
    }
}

/// Case 4: a start that is already non-finite in its derived values diverges at step 0, and the
/// JSON has a named state, no null and no NaN.
#[test]
fn simulate_json_names_divergence_at_step_zero() {
    let out = run(&["simulate", "--alpha", "1e200", "--steps", "100", "--log-every", "10", "--json"]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_no_null_or_nan(&v, "");
    let c = &v["chains"][0];
    assert_eq!(c["state"], "diverged");
    assert_eq!(c["diverged_at"].as_u64(), Some(0));
    assert_eq!(c["cause"], "overflow");
    assert!(c["trajectory"].as_array().unwrap().is_empty());
    assert!(c.get("final_point").is_none());

    // A later divergence: the trajectory holds the finite points before it, and the step is named.
    let out = run(&["simulate", "--alpha", "1e5", "--steps", "100", "--log-every", "1", "--json", "--chains", "2"]);
    assert_eq!(out.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_no_null_or_nan(&v, "");
    for c in v["chains"].as_array().unwrap() {
        assert_eq!(c["state"], "diverged");
        let at = c["diverged_at"].as_u64().unwrap();
        assert!(at >= 1, "{c}");
        let last = c["trajectory"].as_array().unwrap().last().map(|p| p["iter"].as_u64().unwrap());
        assert!(last.is_none_or(|l| l < at), "{c}");
    }

    // A finite run is `finished` with its final point.
    let out = run(&["simulate", "--d", "10", "--n", "4", "--r", "2", "--steps", "50", "--json"]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_no_null_or_nan(&v, "");
    assert_eq!(v["chains"][0]["state"], "finished");
    assert!(v["chains"][0]["final_point"]["train_loss"].as_f64().is_some());
}

/// Case 8: `--data` with `--d`/`--n` must agree with the file.
#[test]
fn simulate_data_and_sizes_must_agree() {
    let dir = tmpdir("data");
    let csv = dir.join("x.csv");
    std::fs::write(&csv, "1,0,0.5\n0,1,-0.5\n").unwrap();
    let f = csv.to_str().unwrap();
    assert_bad(&["simulate", "--data", f, "--r", "1", "--d", "50"], &["--d", "50", "3 columns", "x.csv"]);
    assert_bad(&["simulate", "--data", f, "--r", "1", "--n", "7"], &["--n", "7", "2 rows"]);
    let out = run(&["simulate", "--data", f, "--r", "1", "--d", "3", "--n", "2", "--steps", "10", "--json"]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
}

/// Case 8: `run --only G.1,G.1` runs G.1 once and lists it once; case 10: results.json `meta`.
#[test]
fn run_only_merges_duplicates_and_records_meta() {
    let dir = tmpdir("run");
    let out = run(&["run", "--budget", "quick", "--only", "G.1,G.1,g.1", "--out", dir.to_str().unwrap(), "--quiet"]);
    assert!(out.status.code() == Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let table = String::from_utf8_lossy(&out.stdout);
    assert_eq!(table.lines().filter(|l| l.starts_with("G.1 ")).count(), 1, "{table}");
    let v: serde_json::Value = serde_json::from_slice(&std::fs::read(dir.join("results.json")).unwrap()).unwrap();
    assert_eq!(v["meta"]["claims"], serde_json::json!(["G.1"]));
    assert_eq!(v["meta"]["complete"], true);
    assert_eq!(v["outcomes"].as_array().unwrap().len(), 1);
    for k in ["started", "finished"] {
        let t = v["meta"][k].as_str().unwrap();
        assert!(t.len() == 20 && t.ends_with('Z') && t.as_bytes()[10] == b'T', "{k}: {t}");
    }
    assert!(v["meta"]["started"].as_str() <= v["meta"]["finished"].as_str());
    // Nothing but the reports is left in the directory (no temp or probe files).
    let mut names: Vec<String> =
        std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    names.sort();
    assert_eq!(names, ["README.md", "claims", "report.md", "results.json"]);
}

/// Case 10: `check --json --out` writes the files first, then prints the JSON; a bad directory
/// prints no JSON (in the table). Atomic writing itself is a library function.
#[test]
fn reports_are_written_atomically() {
    let dir = tmpdir("atomic");
    let p = dir.join("f.txt");
    shape_matters::report::write_atomic(&p, b"old").unwrap();
    shape_matters::report::write_atomic(&p, b"new").unwrap();
    assert_eq!(std::fs::read(&p).unwrap(), b"new");
    let names: Vec<_> = std::fs::read_dir(&dir).unwrap().collect();
    assert_eq!(names.len(), 1, "temp file left behind");
    // A path whose parent is not writable fails and leaves nothing.
    assert!(shape_matters::report::write_atomic(Path::new("/proc/x/f.txt"), b"x").is_err());
    assert!(shape_matters::report::prepare_out_dir(Path::new("/proc/x")).is_err());

    let out = run(&["check", "G.1", "--budget", "quick", "--json", "--out", dir.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let _: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(dir.join("results.json").is_file() && dir.join("report.md").is_file());
}

/// Case 9: a truncated or garbled snapshot is an error naming the file (exit 2), for printing,
/// --check and --write; a missing one is still "no snapshot yet".
#[test]
fn paper_map_rejects_corrupt_snapshots() {
    let root = tmpdir("pm");
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    std::fs::copy(repo.join("Cargo.toml"), root.join("Cargo.toml")).unwrap();
    std::fs::create_dir_all(root.join("snapshots")).unwrap();
    for e in std::fs::read_dir(repo.join("snapshots")).unwrap() {
        let e = e.unwrap();
        std::fs::copy(e.path(), root.join("snapshots").join(e.file_name())).unwrap();
    }
    std::fs::copy(repo.join("PAPER_MAP.md"), root.join("PAPER_MAP.md")).unwrap();
    let r = root.to_str().unwrap();
    let ok = run(&["paper-map", "--check", "--root", r]);
    assert_eq!(ok.status.code(), Some(0), "{}", String::from_utf8_lossy(&ok.stderr));

    let snap = root.join("snapshots/claim_g_1.snap");
    let text = std::fs::read_to_string(&snap).unwrap();
    // Truncated in the middle of the JSON body.
    std::fs::write(&snap, &text[..text.len() * 2 / 3]).unwrap();
    for extra in [&[][..], &["--check"][..], &["--write"][..]] {
        let mut args = vec!["paper-map", "--root", r];
        args.extend_from_slice(extra);
        assert_bad(&args, &["claim_g_1.snap", "not a valid outcome"]);
    }
    // Garbled: no header at all.
    std::fs::write(&snap, "garbage\n").unwrap();
    assert_bad(&["paper-map", "--check", "--root", r], &["claim_g_1.snap", "not an insta snapshot"]);
    assert_eq!(std::fs::read(root.join("PAPER_MAP.md")).unwrap(), std::fs::read(repo.join("PAPER_MAP.md")).unwrap());
}

/// Case 8: an explicit kernel request the CPU cannot honour warns once, naming the fallback;
/// one it can honour is silent.
#[test]
fn kernel_env_fallback_is_not_silent() {
    use shape_matters::engine::kernels::Path as K;
    for (req, path) in [("avx512", K::Avx512), ("avx2", K::Avx2)] {
        let out = bin()
            .args(["simulate", "--d", "10", "--n", "4", "--r", "2", "--steps", "10"])
            .env("SHAPE_MATTERS_KERNEL", req)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0));
        let err = String::from_utf8_lossy(&out.stderr);
        if path.is_available() {
            assert!(err.trim().is_empty(), "{req}: {err}");
        } else {
            assert_eq!(err.lines().count(), 1, "{err}");
            assert!(err.contains(&format!("SHAPE_MATTERS_KERNEL={req}")) && err.contains("using the"), "{err}");
        }
    }
}

/// Case 11: the exit status is 0 for a sound outcome and 1 once anything in it is unexpected or
/// invalid (here: a non-finite value injected into a committed snapshot's outcome).
#[test]
fn exit_status_follows_unexpected_and_invalid() {
    let text = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("snapshots/claim_g_1.snap")).unwrap();
    let o = shape_matters::report::parse_snapshot(&text).unwrap();
    assert!(o.unexpected().is_empty() && o.invalid_reasons().is_empty());
    assert_eq!(shape_matters::cli::exit_status(std::slice::from_ref(&o)), 0);
    let mut bad = o.clone();
    bad.measure("broken", f64::NAN, "injected");
    assert_eq!(shape_matters::cli::exit_status(&[o, bad]), 1);
}

/// Case 11 end to end: the exit code of `check` is 1 exactly when the printed verdict is INVALID or
/// a check is UNEXPECTED, with one stderr line per reason naming the claim.
#[test]
fn check_exit_code_matches_the_printed_verdict() {
    for args in [
        &["check", "G.1", "--budget", "quick"][..],
        &["check", "warmup", "--budget", "quick", "--eta", "0.9", "--steps", "2000"][..],
    ] {
        let out = run(args);
        let text = String::from_utf8_lossy(&out.stdout);
        let err = String::from_utf8_lossy(&out.stderr);
        let flagged = text.contains("INVALID at these parameters") || text.contains("UNEXPECTED");
        match out.status.code() {
            Some(0) => assert!(!flagged && err.trim().is_empty(), "{args:?}: {err}"),
            Some(1) => {
                assert!(flagged, "{args:?}: exit 1 without INVALID/UNEXPECTED in the report");
                assert!(err.lines().all(|l| l.starts_with(&format!("{}:", args[1]))), "{err}");
            }
            c => panic!("{args:?}: exit {c:?}: {err}"),
        }
    }
    assert_eq!(run(&["check", "G.1", "--budget", "quick"]).status.code(), Some(0));
}

/// Case 11: SIGINT ends a run with the default disposition (the shell's 130 = 128 + SIGINT) and
/// leaves no report, temp or probe file behind.
#[cfg(unix)]
#[test]
fn sigint_leaves_no_partial_files() {
    use std::os::unix::process::ExitStatusExt;
    let dir = tmpdir("sigint");
    let out_dir = dir.join("out");
    let mut child = bin()
        .args(["run", "--budget", "default", "--quiet", "--out", out_dir.to_str().unwrap()])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    // Wait until the output directory has been validated (so the run is computing), then interrupt.
    for _ in 0..600 {
        if out_dir.is_dir() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    std::thread::sleep(std::time::Duration::from_millis(500));
    let st = std::process::Command::new("kill").args(["-INT", &child.id().to_string()]).status().unwrap();
    assert!(st.success());
    let status = child.wait().unwrap();
    assert!(status.signal() == Some(2) || status.code() == Some(130), "{status:?}");
    let left: Vec<_> = std::fs::read_dir(&out_dir).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert!(left.is_empty(), "left behind: {left:?}");
}
