//! The full-budget sizing table (README, "Full budget and scaling out") from a run's results.json.
//!
//! ```sh
//! cargo run --release -- run --budget default --out /tmp/default
//! cargo run --release --example full_budget_table -- /tmp/default/results.json [CORES]
//! ```
//!
//! For every literal statement Monte Carlo check (class "statement, literal" or "literal on designed
//! data", role primary or repair) it prints the chains needed for a decisive verdict at the worst-case
//! Holm level α/m of the run ([`shape_matters::evidence::sizing`]), at the estimate and at the end of
//! the 99% interval nearer the bound, and the cost: core-seconds per chain measured from the run as
//! `elapsed × CORES / chains`, CORES the average number of cores the run had (its process CPU time
//! over its wall time; default 2, an idle 2-core machine). Claims that share their
//! simulations within one process (the Stage-0 claims 3.1, 3.2, B.2, B.4; the Stage-2 claims D.1,
//! D.3–D.6) are one cost group: the group's summed elapsed time divided by the chains of its distinct
//! literal runs (a run is an audited instance, the claim id stripped, with its chain count), so every
//! second of the group (controls, exact checks, searches included) is charged to the literal chains:
//! an upper estimate of the per-chain cost, and a poor one when the group's runs have very different
//! lengths (Stage 0: chains of length T0 next to 12 000 short ones). Further arguments `GROUP=SECONDS`
//! replace a group's per-chain cost by a measured one, e.g. the marginal CPU time of `check ID --chains K`
//! between two values of K (one chain of every literal run the group's `--chains` sets).

use std::collections::{BTreeMap, BTreeSet};

use shape_matters::evidence::sizing::{self, Need};
use shape_matters::evidence::{Class, FAMILY_ALPHA, McCheck, McKind, Provenance, Role};
use shape_matters::numfmt::fmt;

/// Claims that share their simulations (one process-wide cache per group).
const GROUPS: [(&str, &[&str]); 2] =
    [("Stage 0", &["3.1", "3.2", "B.2", "B.4"]), ("Stage 2", &["D.1", "D.3", "D.4", "D.5", "D.6"])];
/// Shard counts of the wall-time columns (one core per shard; N = 1 is this 2-core machine).
const SHARDS: [u64; 3] = [1, 8, 64];

fn group_of(claim: &str) -> String {
    GROUPS.iter().find(|(_, ids)| ids.contains(&claim)).map(|(g, _)| g.to_string()).unwrap_or(claim.to_string())
}

/// The run an audited check simulates: its audit id without the claim id and without "(short T)"
/// (the short-horizon checks count the chains of the same run).
fn run_key(class: &Class) -> String {
    let audit = match class {
        Class::Literal { audit } | Class::Designed { audit } => audit.as_str(),
        _ => "",
    };
    let (first, rest) = audit.split_once(' ').unwrap_or(("", audit));
    let variant = if first.ends_with("(b)") { "(b) " } else { "" };
    format!("{variant}{}", rest.replace(" (short T)", ""))
}

fn show_need(n: &Need) -> String {
    match n {
        Need::Chains { n } => n.to_string(),
        Need::Beyond { cap } => format!("> {cap}"),
        Need::Undecidable { .. } => "undecidable".into(),
    }
}

fn hours(h: f64) -> String {
    if h < 1.0 / 60.0 {
        format!("{:.0} s", h * 3600.0)
    } else if h < 1.0 {
        format!("{:.0} min", h * 60.0)
    } else {
        format!("{} h", fmt(h))
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let Some(path) = args.get(1) else {
        eprintln!("usage: full_budget_table RESULTS.json [CORES]");
        std::process::exit(2);
    };
    let cores: f64 = args.get(2).map(|c| c.parse().expect("CORES: a number > 0")).unwrap_or(2.0);
    assert!(cores > 0.0 && cores.is_finite(), "CORES: a number > 0");
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let v: serde_json::Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"));
    let outcomes = v["outcomes"].as_array().expect("results.json: outcomes");

    // The checks, the group elapsed times and the group chain counts.
    let mut checks: Vec<(String, McCheck)> = Vec::new();
    let mut elapsed: BTreeMap<String, f64> = BTreeMap::new();
    let mut runs: BTreeMap<String, BTreeSet<(String, u64)>> = BTreeMap::new();
    let mut m = 0u64;
    for o in outcomes {
        let claim = o["claim"].as_str().expect("claim").to_string();
        let g = group_of(&claim);
        *elapsed.entry(g.clone()).or_default() += o["elapsed_s"].as_f64().unwrap_or(0.0);
        for c in o["mc"].as_array().into_iter().flatten() {
            let c: McCheck = serde_json::from_value(c.clone()).expect("a Monte Carlo check");
            m = m.max(c.holm_family.unwrap_or(0));
            let literal = matches!(c.class, Class::Literal { .. } | Class::Designed { .. });
            if literal && matches!(c.role, Role::Primary | Role::Repair { .. }) {
                runs.entry(g.clone()).or_default().insert((run_key(&c.class), c.trials));
                checks.push((claim.clone(), c));
            }
        }
    }
    let from_run: BTreeMap<String, f64> = runs
        .iter()
        .map(|(g, r)| (g.clone(), elapsed[g] * cores / r.iter().map(|(_, n)| *n as f64).sum::<f64>()))
        .collect();
    let mut per_chain = from_run.clone();
    let mut measured = Vec::new();
    for a in args.iter().skip(3) {
        let (g, sec) = a.split_once('=').expect("GROUP=SECONDS");
        let sec: f64 = sec.parse().expect("SECONDS: a number");
        assert!(per_chain.contains_key(g), "unknown cost group '{g}'");
        measured.push(format!("Cost group {g}: {} core-s per chain, measured (argument).", fmt(sec)));
        per_chain.insert(g.to_string(), sec);
    }

    println!(
        "Family α = {FAMILY_ALPHA}, m = {m} Monte Carlo p-values in the run: worst-case Holm level α/m = {} \
         (bounds: one-sided α/(2m) = {}).\n",
        fmt(sizing::holm_worst_level(FAMILY_ALPHA, m)),
        fmt(sizing::holm_worst_level(FAMILY_ALPHA, m) / 2.0)
    );
    println!(
        "| claim | check | observed | bound | chains at the estimate | chains at the interval end | full | \
         core-s / chain | CPU-h | wall N = 1 (2 cores) | N = 8 | N = 64 |"
    );
    println!("|---|---|---|---|---|---|---|---|---|---|---|---|");
    // The CPU-hours of each run (checks on the same run share its chains: the largest count pays).
    let mut run_cpu: BTreeMap<(String, String), f64> = BTreeMap::new();
    let mut notes = Vec::new();
    for (claim, c) in &checks {
        let s = sizing::size(c, FAMILY_ALPHA, m);
        let observed = match (c.count, &c.kind) {
            (Some(k), _) => format!("{k}/{}", c.trials),
            (None, McKind::MeanUpper { .. } | McKind::MeanEquals { .. }) => {
                format!("{} (N = {})", fmt(c.estimate), c.trials)
            }
            _ => fmt(c.estimate),
        };
        let g = group_of(claim);
        let cps = per_chain[&g];
        let exploratory = c.threshold == Provenance::Exploratory;
        let (full, cpu, walls) = match s.chosen() {
            Need::Chains { n } => {
                let cpu = sizing::cpu_hours(*n, cps);
                let sensible = sizing::sensible(*n, cpu);
                if !sensible {
                    notes.push(format!("{claim} '{}': {n} chains, {} CPU-h: beyond a sensible budget", c.id, fmt(cpu)));
                } else if !exploratory {
                    let e = run_cpu.entry((g.clone(), run_key(&c.class))).or_default();
                    *e = e.max(cpu);
                }
                let w: Vec<String> =
                    SHARDS.iter().map(|&k| hours(sizing::wall_hours(cpu, k, if k == 1 { 2 } else { 1 }))).collect();
                let label = if sensible { n.to_string() } else { format!("({n}: not set)") };
                (label, hours(cpu), w)
            }
            other => {
                if let Need::Undecidable { why } = other {
                    notes.push(format!("{claim} '{}': undecidable: {why}", c.id));
                }
                (show_need(other), "–".into(), vec!["–".into(); SHARDS.len()])
            }
        };
        let id = if exploratory { format!("{} (exploratory: not counted)", c.id) } else { c.id.clone() };
        println!(
            "| {claim} | {} | {observed} | {} | {} | {} | {full} | {} | {cpu} | {} |",
            id.replace('|', "\\|"),
            fmt(s.bound),
            show_need(&s.at_estimate),
            show_need(&s.conservative),
            fmt(cps),
            walls.join(" | ")
        );
    }
    let total_cpu: f64 = run_cpu.values().sum();
    println!();
    println!(
        "Total over the {} literal runs sized into the full budget (checks on one run share its chains): {} CPU-h; \
         wall {} on N = 1 (2 cores), {} on N = 8, {} on N = 64 (perfectly balanced shards, 1 core each).",
        run_cpu.len(),
        fmt(total_cpu),
        hours(sizing::wall_hours(total_cpu, 1, 2)),
        hours(sizing::wall_hours(total_cpu, 8, 1)),
        hours(sizing::wall_hours(total_cpu, 64, 1))
    );
    for (g, r) in &runs {
        println!(
            "Cost group {g} from the run: {} s elapsed × {} cores over {} chains of {} literal runs = {} core-s \
             per chain.",
            fmt(elapsed[g]),
            fmt(cores),
            r.iter().map(|(_, n)| n).sum::<u64>(),
            r.len(),
            fmt(from_run[g])
        );
    }
    for m in measured {
        println!("{m}");
    }
    for n in notes {
        println!("- {n}");
    }
}
