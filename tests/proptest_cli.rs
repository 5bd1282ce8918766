//! Property test of the binary (issue 17): random finite and non-finite values and random sizes
//! fed to `simulate` and to the overrides of claims, at tiny budgets. Whatever the input: no panic
//! (exit 101), no abort (a signal), an exit code in {0, 1, 2}, one stderr line on exit 2, and with
//! `--json` a valid JSON document on stdout with no NaN, no ±∞ and no null in a numeric field.
//!
//! The fast tests use a fixed seed and a small case count; `long_*` (ignored) run many cases over
//! every override of every claim.

mod common;

use proptest::prelude::*;
use proptest::test_runner::{Config, RngSeed, TestCaseError, TestRunner};

use common::bin;

/// Fields that are `Option<f64>`/`Option<u64>` in an outcome: `null` there means "absent".
const OPTIONAL_KEYS: &[&str] =
    &["detectable_rate", "slack", "slack_at_least", "count", "worst_margin", "worst_scaled", "elapsed_s"];

fn json_ok(v: &serde_json::Value, key: &str, path: &str) -> Result<(), String> {
    match v {
        serde_json::Value::Null if OPTIONAL_KEYS.contains(&key) => Ok(()),
        serde_json::Value::Null => Err(format!("null at {path}")),
        serde_json::Value::Number(n) if n.as_f64().is_some_and(f64::is_finite) => Ok(()),
        serde_json::Value::Number(n) => Err(format!("non-finite number {n} at {path}")),
        serde_json::Value::String(s)
            if ["NaN", "nan", "inf", "-inf", "Infinity", "-Infinity"].contains(&s.as_str()) =>
        {
            Err(format!("non-finite string {s} at {path}"))
        }
        serde_json::Value::Array(a) => {
            a.iter().enumerate().try_for_each(|(i, x)| json_ok(x, key, &format!("{path}[{i}]")))
        }
        serde_json::Value::Object(m) => m.iter().try_for_each(|(k, x)| json_ok(x, k, &format!("{path}.{k}"))),
        _ => Ok(()),
    }
}

/// A run that has not ended after this long is a hang (a failure of the case, not a time
/// measurement: every case here takes well under a second when it behaves).
const HANG: std::time::Duration = std::time::Duration::from_secs(300);

/// Run the binary (killed after [`HANG`]) and return its output.
fn output(args: &[String]) -> Result<std::process::Output, TestCaseError> {
    static N: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let k = N.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let base = std::env::temp_dir().join(format!("shape-matters-prop-{}-{k}", std::process::id()));
    let (o, e) = (base.with_extension("out"), base.with_extension("err"));
    let mut child = bin()
        .args(args)
        .stdout(std::fs::File::create(&o).unwrap())
        .stderr(std::fs::File::create(&e).unwrap())
        .spawn()
        .expect("binary runs");
    let t0 = std::time::Instant::now();
    let status = loop {
        if let Some(st) = child.try_wait().unwrap() {
            break st;
        }
        if t0.elapsed() > HANG {
            let _ = child.kill();
            let _ = child.wait();
            return Err(TestCaseError::fail(format!("{args:?}: did not end within {HANG:?}")));
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    };
    let out = std::process::Output { status, stdout: std::fs::read(&o).unwrap(), stderr: std::fs::read(&e).unwrap() };
    let _ = (std::fs::remove_file(&o), std::fs::remove_file(&e));
    Ok(out)
}

/// Run the binary and check the properties; returns the exit code.
fn check_run(args: &[String]) -> Result<i32, TestCaseError> {
    let out = output(args)?;
    let err = String::from_utf8_lossy(&out.stderr);
    let Some(code) = out.status.code() else {
        return Err(TestCaseError::fail(format!("{args:?}: killed by a signal ({:?}): {err}", out.status)));
    };
    prop_assert!(code != 101 && !err.contains("panicked"), "{args:?}: panic: {err}");
    prop_assert!([0, 1, 2].contains(&code), "{args:?}: exit {code}: {err}");
    if code == 2 {
        let lines = err.lines().filter(|l| !l.trim().is_empty()).count();
        prop_assert_eq!(lines, 1, "{:?}: {}", args, err);
        prop_assert!(out.stdout.is_empty(), "{args:?}: stdout on exit 2");
    } else if args.iter().any(|a| a == "--json") {
        let v: serde_json::Value = serde_json::from_slice(&out.stdout)
            .map_err(|e| TestCaseError::fail(format!("{args:?}: stdout is not JSON: {e}")))?;
        json_ok(&v, "", "").map_err(|e| TestCaseError::fail(format!("{args:?}: {e}")))?;
    }
    Ok(code)
}

/// A number as a command-line word: mostly ordinary values, often extreme or non-finite ones.
fn number() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => (-3.0f64..3.0).prop_map(|x| format!("{}", 10f64.powf(x))),
        1 => prop::sample::select(vec![
            "0", "-0", "-1", "1e308", "-1e308", "1e-308", "5e-324", "1e200", "NaN", "inf", "-inf", "0.5", "0.999999",
            "1", "2",
        ])
        .prop_map(str::to_string),
        1 => any::<f64>().prop_map(|x| format!("{x}")),
    ]
}

/// A size as a command-line word: small, zero, or absurd.
fn size(small: u64) -> impl Strategy<Value = String> {
    prop_oneof![
        6 => (1..=small).prop_map(|x| x.to_string()),
        1 => prop::sample::select(vec!["0", "4000000000", "18446744073709551615", "-1"]).prop_map(str::to_string),
    ]
}

const DYNAMICS: &[(&str, &[&str])] = &[
    ("alg1", &["--delta"]),
    ("gd", &[]),
    ("gd-gauss", &["--sigma"]),
    ("langevin", &["--lambda"]),
    ("label-noise", &["--delta"]),
    ("minibatch", &["--delta", "--bs"]),
    ("sgd-gauss", &["--sigma"]),
];

fn simulate_args() -> impl Strategy<Value = Vec<String>> {
    (
        0..DYNAMICS.len(),
        (size(30), size(20), size(6)),
        (number(), number(), number(), number()),
        (1u64..300, 0u64..120, size(3)),
        any::<bool>(),
    )
        .prop_map(|(k, (d, n, r), (alpha, lr, p1, p2), (steps, log_every, chains), extra)| {
            let (dy, flags) = DYNAMICS[k];
            let mut a: Vec<String> =
                ["simulate", "--json", "--threads", "1", "--dynamics", dy].iter().map(|s| s.to_string()).collect();
            for (f, v) in [("--d", d), ("--n", n), ("--r", r), ("--alpha", alpha), ("--lr", lr), ("--chains", chains)] {
                a.push(f.into());
                a.push(v);
            }
            a.extend(["--steps".into(), steps.to_string(), "--log-every".into(), log_every.to_string()]);
            for (i, f) in flags.iter().enumerate() {
                a.push(f.to_string());
                a.push(if *f == "--bs" {
                    "2".into()
                } else if i == 0 {
                    p1.clone()
                } else {
                    p2.clone()
                });
            }
            // Sometimes a flag the dynamics does not use (must be refused with exit 2).
            if extra {
                a.extend(["--sigma".into(), p2]);
            }
            a
        })
}

fn runner(cases: u32) -> TestRunner {
    TestRunner::new(Config {
        cases,
        rng_seed: RngSeed::Fixed(0x5EED_0017),
        failure_persistence: None,
        max_shrink_iters: 64,
        ..Config::default()
    })
}

/// Run `cases` cases; the inputs must reach both the computation (exit 0 or 1) and the refusal
/// (exit 2), or the test proves little.
fn run_cases(cases: u32, s: impl Strategy<Value = Vec<String>>) {
    let codes = std::sync::Mutex::new([0u32; 3]);
    runner(cases)
        .run(&s, |a| {
            let c = check_run(&a)?;
            codes.lock().unwrap()[c as usize] += 1;
            Ok(())
        })
        .unwrap();
    let c = *codes.lock().unwrap();
    assert!(c[0] + c[1] > 0 && c[2] > 0, "exit codes 0/1/2 seen {c:?} times");
}

#[test]
fn simulate_survives_random_input() {
    run_cases(160, simulate_args());
}

/// Overrides of claims that are cheap at `--budget quick` and already behave on this branch (G.1:
/// sizes and ρ; G.2 and B.4 are covered by the long version, with every other claim).
fn g1_args() -> impl Strategy<Value = Vec<String>> {
    (size(40), size(40), number(), size(4)).prop_map(|(n, d, rho, chains)| {
        let mut a: Vec<String> =
            ["check", "G.1", "--budget", "quick", "--json", "--threads", "1"].iter().map(|s| s.to_string()).collect();
        // Keep the sizes of the fast test small: absurd sizes for G.1 (e.g. --chains 4e9, which
        // allocates gigabytes and runs for hours on this branch) are bounded by the claim's own
        // override validation (the other helper's case 2, tests/hostile_claims.rs); the long
        // version feeds them.
        let small = |s: String| if s.parse::<u64>().is_ok_and(|x| x > 1000) { "40".to_string() } else { s };
        for (f, v) in [("--n", small(n)), ("--d", small(d)), ("--rho", rho), ("--chains", small(chains))] {
            a.push(f.into());
            a.push(v);
        }
        a
    })
}

#[test]
fn check_g1_survives_random_overrides() {
    run_cases(40, g1_args());
}

/// Every claim with random values for one or two of the overrides it accepts (from `list --json`).
fn claim_args(accepts: Vec<(String, Vec<String>)>) -> impl Strategy<Value = Vec<String>> {
    let n = accepts.len();
    (0..n, any::<usize>(), any::<usize>(), number(), size(50), number(), size(50), any::<bool>()).prop_map(
        move |(k, i, j, x, s, y, t, two)| {
            let (id, flags) = &accepts[k];
            let mut a: Vec<String> =
                ["check", id, "--budget", "quick", "--json"].iter().map(|s| s.to_string()).collect();
            let sizes = ["n", "d", "r", "chains", "steps", "k", "bs", "trials"];
            let flags: Vec<&String> = flags.iter().filter(|f| *f != "data").collect();
            if flags.is_empty() {
                return a;
            }
            let (f, g) = (flags[i % flags.len()], flags[j % flags.len()]);
            a.push(format!("--{f}"));
            a.push(if sizes.contains(&f.as_str()) { s } else { x });
            if two && g != f {
                a.push(format!("--{g}"));
                a.push(if sizes.contains(&g.as_str()) { t } else { y });
            }
            a
        },
    )
}

fn registry() -> Vec<(String, Vec<String>)> {
    let out = bin().args(["list", "--json"]).output().unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    v.as_array()
        .unwrap()
        .iter()
        .map(|c| {
            let id = c["id"].as_str().unwrap().to_string();
            let acc = c["accepts"].as_array().unwrap().iter().map(|f| f.as_str().unwrap().to_string()).collect();
            (id, acc)
        })
        .collect()
}

/// Every override of every claim. On the cli branch alone this finds the claims' own cases (fixed
/// by the other helper): G.1 with `--chains 4e9` allocates gigabytes and runs for hours, C.2 with
/// `--eta 1e-308` was still running after 25 s (a quick case takes < 1 s), 2.2 with a huge
/// `--lambda` panics or does not end (issue case 1).
#[test]
#[ignore = "long property run: many cases over every override of every claim (minutes to hours)"]
fn long_every_claim_survives_random_overrides() {
    let mut r = runner(2000);
    r.run(&claim_args(registry()), |a| check_run(&a).map(|_| ())).unwrap();
}

#[test]
#[ignore = "long property run: many simulate cases"]
fn long_simulate_survives_random_input() {
    runner(2000).run(&simulate_args(), |a| check_run(&a).map(|_| ())).unwrap();
}
