//! The authors' experiment (Figure 1 right, Appendix A.1): the claim "fig1" at the quick budget,
//! its figures, and `shape-matters simulate` on generated and CSV data.

mod common;

use common::{assert_sound, assert_verdict, exact, json, json_exit, mc, measurement, run, run_quick, snapshot};
use shape_matters::claim::{Ctx, DEFAULT_SEED};
use shape_matters::claims::experiment::one_step;
use shape_matters::claims::experiment::statements as st;
use shape_matters::engine::model::Data;
use shape_matters::engine::rng::stream;
use shape_matters::engine::runner::Runner;
use shape_matters::evidence::{Class, FAMILY_ALPHA, Grade, Provenance, Role, Verdict, control_key};
use shape_matters::overrides::Overrides;
use shape_matters::{Budget, claims};

fn tmp_dir(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("shape-matters-exp-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

const FIGURES: [&str; 7] = [
    "fig1_test_error.svg",
    "fig1_train_error.svg",
    "fig1_label_noise.svg",
    "fig1_label_noise_train.svg",
    "fig1_gaussian_test_error.svg",
    "fig1_gaussian_train_error.svg",
    "fig1_gaussian_norm.svg",
];

#[test]
fn fig1_reproduces_figure_1_right() {
    let o = run_quick("fig1");
    assert_sound(&o);

    // The experiment is not Algorithm 1, and the report says so; the regime is derived from audits.
    assert!(o.notes.iter().any(|n| n.contains("NOT Algorithm 1")), "{:?}", o.notes);
    assert!(o.audit("exp").unwrap().failing().contains(&"(alg)".to_string()));
    assert!(o.audit("alg1").unwrap().hypotheses.iter().any(|h| h.id == "(alg)" && h.holds));
    for c in &o.mc {
        assert!(matches!(c.class, Class::Practical { .. }), "{}: {:?}", c.id, c.class);
    }
    // Exact: the experiment's steps decode as the script's updates; Algorithm 1's does not.
    for k in [one_step::LN_SCRIPT_STEP, one_step::LN_PAPER_STEP, one_step::MB_STEP, one_step::DELTA0_IS_GD] {
        let c = exact(&o, k);
        assert!(c.holds() && c.states >= 16, "{k}: {} states, {} violations", c.states, c.violations);
    }
    let ctl = exact(&o, one_step::ALG1_STEP_CONTROL);
    assert!(ctl.violations > 0 && matches!(ctl.role, Role::Control { .. }));
    // Issue 13: each counted decoding has a caught control; δ = 0 = GD is a computed fact.
    for k in [one_step::LN_SCRIPT_STEP, one_step::LN_PAPER_STEP, one_step::MB_STEP] {
        assert!(exact(&o, k).counted() && exact(&o, &control_key(k)).as_expected(), "{k}");
    }
    assert!(!exact(&o, one_step::DELTA0_IS_GD).counted());

    // The paper's qualitative statements, over seeded data sets.
    for k in [
        st::LN_BEATS_TRIVIAL,
        st::ALG1_BEATS_TRIVIAL,
        st::GAUSS_NOT_BELOW_TRIVIAL,
        st::LN_SMALL,
        st::LN_PM_SMALL,
        st::LN_FLOOR_KEY,
        st::ALG1_SMALL,
        st::GD_INTERPOLATES,
        st::GD_LARGE_KEY,
        st::GD_BAND_KEY,
        st::GAUSS_FAR_WORSE,
        st::MB_BEATS_GD,
        st::MB_BEATS_GAUSS,
    ] {
        assert_verdict(&o, k, Verdict::Confirmed);
    }
    for k in [
        st::CONTROL_DELTA0,
        st::CONTROL_DELTA0_TRIVIAL,
        st::CONTROL_LN_INTERPOLATES,
        st::CONTROL_LN_LARGE,
        st::CONTROL_PM_FAR_WORSE,
        st::CONTROL_SMALLEST_SIGMA,
        // E-A1-MB witness: minibatch noise does not reach the label-noise level.
        st::MB_SMALL,
    ] {
        assert_verdict(&o, k, Verdict::Violated);
    }
    // ‖v‖ grows under large σ in most data sets; at the quick horizon (1e5 steps, 12 data sets)
    // the exceptions are too many for significance, so only the direction is asserted.
    let g = mc(&o, st::GAUSS_NORM_GROWS);
    assert_ne!(g.verdict, Verdict::Violated);
    assert!(g.estimate < 0.5, "‖v‖ did not grow in most data sets: {}", g.estimate);
    let e = o.erratum("E-A1-MB").unwrap();
    assert!(e.witnessed);
    fig1_threshold_provenance(&o);

    // Medians: label noise ≈ 1e−3, GD ≈ 70–80, minibatch in between, Gaussian ≥ GD's order.
    let ln = measurement(&o, "median test error: label noise, s ~ N(0,δ²) (script)");
    assert!((1e-4..1e-2).contains(&ln), "{ln}");
    let gd = measurement(&o, "median test error: GD");
    assert!((50.0..100.0).contains(&gd), "{gd}");
    let mb = measurement(&o, "median test error: minibatch (δ = 1)");
    assert!(ln < mb && mb < gd, "{ln} {mb} {gd}");
    assert!(measurement(&o, "median test error, best σ per data set") > 1e3 * ln);
    let rate = measurement(&o, "minibatch divergence rate (short runs)");
    assert!(rate > 0.0 && rate < 0.5, "{rate}");
    // The ±δ vs N(0, δ²) difference is reported (both reach ≈ 1e−3).
    let d = measurement(&o, "label noise ±δ vs script: median log10(test error ratio)");
    assert!(d.abs() < 1.0, "{d}");

    // Figures: train and test error of every variant, the σ grid and ‖v‖.
    let files: Vec<&str> = o.figures.iter().map(|f| f.file.as_str()).collect();
    assert_eq!(files, FIGURES);
    for f in &o.figures {
        assert!(f.svg.starts_with("<svg") && f.svg.matches("<polyline").count() >= 4, "{}", f.file);
    }
    let tables: Vec<&str> = o.tables.iter().map(|t| t.title.as_str()).collect();
    assert!(tables.iter().any(|t| t.starts_with("Final values over 18 seeded data sets")), "{tables:?}");
    snapshot(&o);
}

/// Issue 13: Figure 1's levels are the project's. Those set beside the first results (0.01, the
/// label-noise floor, GD's band, ×100, ×1.25) are exploratory and never counted; the counted
/// statements are parameter-free (against the trivial predictor v = 0, whose test error is
/// computed per data set, or between variants). E-A1-MB rests on the 0.01 threshold: grade R, and
/// its threshold-free reading is a counted statement check.
fn fig1_threshold_provenance(o: &shape_matters::evidence::Outcome) {
    for k in [
        st::LN_SMALL,
        st::CONTROL_DELTA0,
        st::LN_PM_SMALL,
        st::LN_FLOOR_KEY,
        st::ALG1_SMALL,
        st::GD_BAND_KEY,
        st::GAUSS_FAR_WORSE,
        st::GAUSS_NORM_GROWS,
        st::MB_SMALL,
    ] {
        let c = mc(o, k);
        assert_eq!(c.threshold, Provenance::Exploratory, "{k}");
        assert!(!c.counts(), "{k}: an exploratory level is never counted");
    }
    for k in [
        st::LN_BEATS_TRIVIAL,
        st::ALG1_BEATS_TRIVIAL,
        st::GD_LARGE_KEY,
        st::GAUSS_NOT_BELOW_TRIVIAL,
        st::GD_INTERPOLATES,
        st::MB_BEATS_TRIVIAL,
        st::MB_BEATS_GD,
        st::MB_BEATS_GAUSS,
    ] {
        let c = mc(o, k);
        assert_eq!(c.threshold, Provenance::PreStated, "{k}");
        assert!(c.counts(), "{k}");
    }
    // The trivial predictor's test error is computed on each data set: ‖v*⊙v*‖² = r = 5.
    assert_eq!(measurement(o, "test error of the trivial predictor v = 0 (median over data sets)"), 5.0);
    assert!(mc(o, st::MB_BEATS_TRIVIAL).event.contains("v = 0"));
    let e = o.erratum("E-A1-MB").unwrap();
    assert_eq!(e.grade, Grade::R);
    assert!(e.instance.contains("exploratory threshold") && e.finding.contains("threshold-free"), "{}", e.instance);
    // The threshold-free comparison: the minibatch median test error is above v = 0's.
    let k = measurement(o, "minibatch: data sets with test error ≥ v = 0's");
    assert!(k > 9.0, "{k} of 18: the median data set is worse than v = 0");
    assert!(measurement(o, "median test error: minibatch (δ = 1)") > 5.0);
    // ... but 11 of 18 is not significant: the counted threshold-free statement check is not
    // CONFIRMED and not VIOLATED at the quick budget (INCONCLUSIVE; one-sided p = 0.24 before Holm),
    // which is why E-A1-MB stays graded R.
    assert_eq!(mc(o, st::MB_BEATS_TRIVIAL).verdict, Verdict::Inconclusive);
    // Audit facts are computed from the dynamics, not constants.
    assert!(o.audit("exp").unwrap().hypotheses.iter().any(|h| h.id == "(alg)" && !h.holds));
}

fn tiny_ctx(budget: Budget, threads: usize) -> Ctx {
    let overrides = Overrides { instances: Some(3), steps: Some(3000), ..Overrides::default() };
    Ctx { budget, seed: DEFAULT_SEED, overrides, runner: Runner::new(Some(threads), false).unwrap() }
}

#[test]
fn fig1_is_bitwise_identical_with_one_or_two_threads() {
    let c = claims::find("fig1").unwrap();
    let json = |threads| {
        let mut o = vec![c.execute(&tiny_ctx(Budget::Quick, threads)).unwrap()];
        o[0].elapsed_s = None;
        shape_matters::evidence::finalize(&mut o, FAMILY_ALPHA);
        let svgs: Vec<String> = o[0].figures.iter().map(|f| f.svg.clone()).collect();
        (serde_json::to_string(&o[0]).unwrap(), svgs)
    };
    assert_eq!(json(1), json(2));
}

#[test]
fn fig1_full_budget_plots_gaussian_runs_on_a_quarter_axis() {
    // The paper's protocol: Gaussian runs are 4× longer and plotted with the x-axis ÷ 4.
    let o = claims::find("fig1").unwrap().execute(&tiny_ctx(Budget::Full, 2)).unwrap();
    let grid = o.tables.iter().find(|t| t.title.starts_with("Spherical Gaussian noise")).unwrap();
    assert_eq!(grid.rows.len(), 1 + shape_matters::claims::experiment::protocol::SIGMA_GRID.len());
    assert_eq!(grid.rows[1][1], "12000", "{:?}", grid.rows[1]);
    let f = o.figures.iter().find(|f| f.file == "fig1_gaussian_test_error.svg").unwrap();
    assert!(f.caption.contains("x-axis ÷ 4"), "{}", f.caption);
    assert!(o.notes.iter().any(|n| n.contains("plotted with the x-axis ÷ 4")), "{:?}", o.notes);
}

#[test]
fn check_fig1_writes_the_report_and_figures() {
    let dir = tmp_dir("check");
    let out = run(&[
        "check",
        "fig1",
        "--budget",
        "quick",
        "--instances",
        "2",
        "--steps",
        "1200",
        "--quiet",
        "--out",
        dir.to_str().unwrap(),
    ]);
    // Two instances cannot catch Figure 1's controls: the computation is INVALID at these parameters,
    // the run exits 1 and says so, and the report is still written in full.
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("INVALID at these parameters"), "{err}");
    let md = std::fs::read_to_string(dir.join("report.md")).unwrap();
    assert!(md.contains("NOT Algorithm 1") && md.contains("with command-line overrides"));
    assert!(md.contains("INVALID at these parameters (no verdict on the paper)"));
    for f in FIGURES {
        let svg = std::fs::read_to_string(dir.join(f)).unwrap_or_else(|_| panic!("{f} missing"));
        assert!(svg.starts_with("<svg"), "{f}");
        assert!(md.contains(&format!("]({f})")), "{f} not linked");
    }
    // --data: every seed runs on the CSV data set (here 10 × 20, r = 5 by default).
    let data = Data::gaussian(10, 20, &mut stream(5, "exp-test", "csv", 0)).unwrap();
    let text: String =
        (0..10).map(|i| (0..20).map(|k| format!("{:?}", data.x(i, k))).collect::<Vec<_>>().join(",") + "\n").collect();
    let csv = dir.join("data.csv");
    std::fs::write(&csv, text).unwrap();
    let (v, _) = json_exit(
        &[
            "check",
            "fig1",
            "--budget",
            "quick",
            "--data",
            csv.to_str().unwrap(),
            "--instances",
            "2",
            "--steps",
            "600",
            "--quiet",
            "--json",
        ],
        1,
    );
    assert_eq!(v["overridden"], true);
    assert!(
        v["notes"].as_array().unwrap().iter().any(|n| n.as_str().unwrap().contains("same data set from the CSV file"))
    );
    assert!(v["audits"][0]["title"].as_str().unwrap().contains("d = 20, n = 10"));
    // Overrides are validated with one clear line.
    let bad = run(&["check", "fig1", "--sigma", "0.1"]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("does not accept --sigma"));
    let csv = dir.join("x.csv");
    std::fs::write(&csv, "1,2\n3,4\n").unwrap();
    let bad = run(&["check", "fig1", "--data", csv.to_str().unwrap(), "--d", "3"]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("--data"));
}

/// The issue's vocabulary on generated data: every variant runs, the JSON has per-chain
/// trajectories {iter, train_loss, test_error} and final values, and the experiment's variants
/// say they are not Algorithm 1.
#[test]
fn simulate_speaks_the_experiments_vocabulary() {
    let common =
        ["--d", "20", "--n", "8", "--r", "2", "--steps", "3000", "--log-every", "1000", "--chains", "2", "--json"];
    for (dynamics, extra) in [
        ("gd", vec![]),
        ("minibatch", vec!["--delta", "0.2", "--bs", "2"]),
        ("label-noise", vec!["--lr-decay-at", "1000,2000", "--label-noise", "rademacher"]),
        ("label-noise", vec!["--lr-decay-at", "1000,2000", "--label-noise", "gaussian"]),
        ("gaussian", vec!["--sigma", "0.01"]),
        ("alg1", vec!["--alpha", "0.5", "--lr", "0.005"]),
    ] {
        let mut args = vec!["simulate", "--dynamics", dynamics];
        args.extend(extra.iter().copied());
        args.extend(common);
        let v = json(&args);
        let chains = v["chains"].as_array().unwrap();
        assert_eq!(chains.len(), 2, "{dynamics}");
        for c in chains {
            let traj = c["trajectory"].as_array().unwrap();
            let iters: Vec<u64> = traj.iter().map(|p| p["iter"].as_u64().unwrap()).collect();
            assert_eq!(iters, vec![0, 1000, 2000, 3000], "{dynamics}");
            for p in traj {
                assert!(p["train_loss"].is_f64() && p["test_error"].is_f64(), "{dynamics}: {p}");
            }
            let fin = &c["final_point"];
            assert_eq!(fin["iter"].as_u64(), Some(3000), "{dynamics}");
            assert_eq!(fin["test_error"], traj[3]["test_error"], "{dynamics}");
        }
        let note = v["config"]["note"].as_str().unwrap();
        assert_eq!(note.contains("not Algorithm 1"), dynamics != "alg1", "{dynamics}: {note}");
    }
    // The noise distribution flag reaches the dynamics.
    let v = json(&[
        "simulate",
        "--dynamics",
        "label-noise",
        "--label-noise",
        "rademacher",
        "--steps",
        "10",
        "--d",
        "10",
        "--n",
        "4",
        "--json",
    ]);
    assert_eq!(v["config"]["dynamics_detail"]["noise"], "rademacher");
    assert_eq!(v["config"]["lr_decay_at"].as_array().unwrap().len(), 0);
    // Label noise lowers the test error below GD's on the default protocol size (short run).
    let args = |d: &'static str| -> Vec<&'static str> {
        vec![
            "simulate",
            "--dynamics",
            d,
            "--steps",
            "40000",
            "--lr-decay-at",
            "100000,200000",
            "--log-every",
            "0",
            "--seed",
            "3",
            "--json",
        ]
    };
    let gd = json(&args("gd"))["chains"][0]["final_point"]["test_error"].as_f64().unwrap();
    let ln = json(&args("label-noise"))["chains"][0]["final_point"]["test_error"].as_f64().unwrap();
    assert!(ln < 0.5 * gd, "label noise {ln} vs GD {gd}");
    // --bs must be in [1, n].
    for bs in ["0", "9"] {
        let out = run(&["simulate", "--dynamics", "minibatch", "--n", "8", "--bs", bs]);
        assert_eq!(out.status.code(), Some(2));
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("--bs") && err.lines().count() == 1, "{err}");
    }
}

/// `--data` reads the n×d matrix from a CSV file: the data set that `simulate` draws for a seed,
/// written to CSV with round-trip precision, gives the same trajectories bit for bit.
#[test]
fn simulate_on_csv_data_matches_generated_data() {
    let (n, d, seed) = (12usize, 30usize, 17u64);
    let data = Data::gaussian(n, d, &mut stream(seed, "simulate", "data", 0)).unwrap();
    let text: String =
        (0..n).map(|i| (0..d).map(|k| format!("{:?}", data.x(i, k))).collect::<Vec<_>>().join(",") + "\n").collect();
    let dir = tmp_dir("csv");
    let csv = dir.join("data.csv");
    std::fs::write(&csv, text).unwrap();
    let seed_s = seed.to_string();
    for (dynamics, extra) in
        [("minibatch", vec![]), ("label-noise", vec!["--lr-decay-at", "1000"]), ("gaussian", vec!["--sigma", "0.05"])]
    {
        let base = [
            "simulate",
            "--dynamics",
            dynamics,
            "--r",
            "3",
            "--steps",
            "2000",
            "--log-every",
            "500",
            "--chains",
            "2",
            "--seed",
            &seed_s,
            "--json",
        ];
        let mut gen_args: Vec<&str> = base.to_vec();
        gen_args.extend(["--d", "30", "--n", "12"]);
        gen_args.extend(extra.iter().copied());
        let mut csv_args: Vec<&str> = base.to_vec();
        csv_args.extend(["--data", csv.to_str().unwrap()]);
        csv_args.extend(extra.iter().copied());
        let (a, b) = (json(&gen_args), json(&csv_args));
        assert_eq!(b["config"]["n"].as_u64(), Some(n as u64));
        assert_eq!(b["config"]["d"].as_u64(), Some(d as u64));
        assert_eq!(a["chains"], b["chains"], "{dynamics}: CSV and generated data differ");
    }
}
