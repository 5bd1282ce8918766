//! Shared helpers of the integration tests: run a claim at the quick budget, assert that its
//! evidence is sound, and snapshot its report.
#![allow(dead_code)]

use std::collections::HashMap;
use std::process::{Command, Output};
use std::sync::{Mutex, OnceLock};

use shape_matters::claim::{Ctx, DEFAULT_SEED};
use shape_matters::evidence::{self, ExactCheck, FAMILY_ALPHA, Grade, McCheck, Outcome, Provenance, Role, Verdict};
use shape_matters::{Budget, claims, report};

/// Run one claim at the quick budget with the default seed; Holm within the claim. Each claim
/// runs once per test binary (the outcome is deterministic; later calls get a copy).
pub fn run_quick(id: &str) -> Outcome {
    /// One cell per claim id, filled by the first caller.
    type Cells = Mutex<HashMap<String, &'static OnceLock<Outcome>>>;
    static CACHE: OnceLock<Cells> = OnceLock::new();
    let cell: &'static OnceLock<Outcome> = {
        let mut m = CACHE.get_or_init(|| Mutex::new(HashMap::new())).lock().unwrap();
        m.entry(id.to_string()).or_insert_with(|| Box::leak(Box::new(OnceLock::new())))
    };
    cell.get_or_init(|| run_quick_uncached(id)).clone()
}

fn run_quick_uncached(id: &str) -> Outcome {
    let c = claims::find(id).expect("registered claim");
    let ctx = Ctx::new(Budget::Quick, DEFAULT_SEED);
    let mut v = vec![c.execute(&ctx).expect("claim runs")];
    evidence::finalize(&mut v, FAMILY_ALPHA);
    v.pop().unwrap()
}

/// The checks every claim must pass whatever its findings: each negative control caught, each
/// exact check as its role requires, each erratum witnessed and graded with its instance, every
/// repair holding, no NaN, and at least one control. Every counted exact check has a linked
/// control that is caught; every threshold carries its provenance; every equality states its
/// equivalence margin. Every Monte Carlo control and witness must be caught robustly: at Holm
/// level α/CONTROL_FAMILY_REFERENCE, i.e. in any run of up to that many checks.
pub fn assert_sound(o: &Outcome) {
    let controls = o.controls();
    assert!(!controls.is_empty(), "{}: a check without a negative control is not done", o.claim);
    // Tests find checks by key (the first match), so a key names one check.
    let keys = o.mc.iter().map(|c| &c.key).chain(o.exact.iter().map(|c| &c.key)).filter(|k| !k.is_empty());
    let mut seen = std::collections::HashSet::new();
    for k in keys {
        assert!(seen.insert(k), "{}: two checks share the key '{k}'", o.claim);
    }
    for (id, caught) in &controls {
        assert!(caught, "{}: negative control '{id}' was not caught", o.claim);
    }
    for c in &o.exact {
        assert!(c.states > 0, "{}: exact check '{}' evaluated no state", o.claim, c.id);
        assert!(
            c.as_expected(),
            "{}: exact check '{}' ({:?}) came out unexpectedly: {} violations, worst margin {:?} at {}",
            o.claim,
            c.id,
            c.role,
            c.violations,
            c.worst_margin,
            c.worst_at
        );
    }
    for c in o.counted_exact() {
        let ctl: Vec<&ExactCheck> = o.exact_controls_of(&c.key).collect();
        assert!(
            !ctl.is_empty(),
            "{}: exact check '{}' ({}) has no control: it cannot be seen to fail",
            o.claim,
            c.id,
            c.key
        );
        for k in ctl {
            assert!(k.as_expected(), "{}: control '{}' of exact check '{}' was not caught", o.claim, k.id, c.id);
        }
    }
    for c in &o.exact {
        assert_ne!(c.threshold, Provenance::Unlabelled, "{}: exact check '{}' has no provenance", o.claim, c.id);
    }
    let robust = evidence::FAMILY_ALPHA / evidence::CONTROL_FAMILY_REFERENCE as f64;
    for c in &o.mc {
        assert_ne!(c.threshold, Provenance::Unlabelled, "{}: Monte Carlo check '{}' has no provenance", o.claim, c.id);
        if let evidence::McKind::ProbEquals { margin, rationale, .. }
        | evidence::McKind::MeanEquals { margin, rationale, .. } = &c.kind
        {
            assert!(
                *margin > 0.0 && !rationale.is_empty(),
                "{}: equality '{}' states no equivalence margin",
                o.claim,
                c.id
            );
        }
        // The p-value that decides a control or witness: the bound check's, or the point null's.
        let deciding = *c.holm_ps().last().expect("a check has a p-value");
        if c.role.must_fail() {
            assert!(
                deciding <= robust,
                "{}: {:?} '{}' is caught only in a small Holm family: holm_p = {:.3e} > α/{} = {robust:.1e} \
                 ({:?} of {} trials); give it more trials",
                o.claim,
                c.role,
                c.id,
                deciding,
                shape_matters::evidence::CONTROL_FAMILY_REFERENCE,
                c.count,
                c.trials
            );
        }
        if matches!(c.role, Role::Repair { .. }) {
            assert_eq!(c.verdict, Verdict::Confirmed, "{}: repair '{}' not confirmed", o.claim, c.id);
        }
        if matches!(c.role, Role::Witness { .. }) {
            assert_eq!(c.verdict, Verdict::Violated, "{}: witness '{}' not violated", o.claim, c.id);
        }
    }
    assert_search_sound(o);
    for e in &o.errata {
        assert!(e.witnessed, "{}: erratum {} not witnessed by {:?}", o.claim, e.id, e.witnesses);
        assert_ne!(e.grade, Grade::Ungraded, "{}: erratum {} is not graded S/P/R", o.claim, e.id);
        assert!(!e.instance.is_empty(), "{}: erratum {} does not name its witness instance", o.claim, e.id);
    }
    let bad = evidence::non_finite_fields(o);
    assert!(bad.is_empty(), "{}: non-finite report fields {bad:?}", o.claim);
    let invalid = o.invalid_reasons();
    assert!(invalid.is_empty(), "{}: the computation is invalid at the quick parameters: {invalid:?}", o.claim);
    assert!(o.unexpected().is_empty(), "{}: unexpected checks {:?}", o.claim, o.unexpected());
}

/// The adversarial searches of an outcome: keys unique, provenance labelled, an admissible point
/// evaluated, every primary or repair search with a caught control searched over the same set (a
/// witness search checks itself: it must fail, at least as badly as its designed witness), every
/// role as required (primary/repair: no violation; witness: a violation, reaching its designed
/// witness), and every witness re-verified from its JSON alone, bit for bit.
pub fn assert_search_sound(o: &Outcome) {
    let mut seen = std::collections::HashSet::new();
    for c in &o.search {
        assert!(!c.key.is_empty() && seen.insert(&c.key), "{}: search '{}' has no key or a shared key", o.claim, c.id);
        assert_ne!(c.threshold, Provenance::Unlabelled, "{}: search '{}' has no provenance", o.claim, c.id);
        assert!(c.worst_margin.is_some(), "{}: search '{}' evaluated no admissible point", o.claim, c.id);
        assert!(c.evaluations > c.inadmissible, "{}: search '{}' found no admissible point", o.claim, c.id);
        assert!(!c.admissible.is_empty(), "{}: search '{}' does not state its admissible set", o.claim, c.id);
        assert!(c.as_expected(), "{}: search '{}' ({:?}) came out unexpectedly: {}", o.claim, c.id, c.role, c.result());
        if matches!(c.role, Role::Primary | Role::Repair { .. }) {
            let ctl: Vec<_> = o.search.iter().filter(|k| k.control_of_key == c.key).collect();
            assert!(!ctl.is_empty(), "{}: search '{}' has no control", o.claim, c.id);
            assert!(ctl.iter().all(|k| k.violated()), "{}: a control of search '{}' was not caught", o.claim, c.id);
        }
        if let Some(w) = &c.witness {
            let back = claims::search::parse_witness(&serde_json::to_string_pretty(w).unwrap(), "test").unwrap();
            let r = claims::search::reverify(&back, "test").expect("witness re-verifies");
            assert!(r.is_witness(), "{}: witness of '{}' does not re-verify: {:?}", o.claim, c.id, r.audit.failing());
            assert_eq!(
                r.margin.margin.to_bits(),
                w.margin.to_bits(),
                "{}: witness of '{}' margin differs",
                o.claim,
                c.id
            );
            assert_eq!(c.witness_file.as_deref(), Some(w.file_name().as_str()));
        } else {
            assert!(!c.violated(), "{}: search '{}' violated without a witness", o.claim, c.id);
        }
    }
}

/// The adversarial search with this stable key.
pub fn search<'a>(o: &'a Outcome, k: &str) -> &'a evidence::SearchCheck {
    o.search_keyed(k).unwrap_or_else(|| panic!("{}: no search keyed {k}", o.claim))
}

/// The Monte Carlo check with this stable key (checks are looked up by key, never by the
/// display id, which is free to change).
pub fn mc<'a>(o: &'a Outcome, k: &str) -> &'a McCheck {
    o.mc_keyed(k).unwrap_or_else(|| panic!("{}: no Monte Carlo check keyed '{k}'", o.claim))
}

/// The exact check with this stable key.
pub fn exact<'a>(o: &'a Outcome, k: &str) -> &'a ExactCheck {
    o.exact_keyed(k).unwrap_or_else(|| panic!("{}: no exact check keyed '{k}'", o.claim))
}

/// Assert the verdict of the Monte Carlo check with this stable key.
pub fn assert_verdict(o: &Outcome, k: &str, v: Verdict) {
    let c = mc(o, k);
    assert_eq!(
        c.verdict, v,
        "{}: check '{}' ({k}): estimate {} in [{}, {}] over {} trials",
        o.claim, c.id, c.estimate, c.ci[0], c.ci[1], c.trials
    );
}

/// Snapshot the claim's rounded report into the top-level snapshots/ folder.
pub fn snapshot(o: &Outcome) {
    let c = claims::find(&o.claim).expect("registered");
    let info = serde_json::json!({
        "claim": c.id,
        "title": c.title,
        "paper": format!("{} {}", c.paper.section, c.paper.equations),
        "spec": c.paper.spec,
        "budget": "quick",
        "seed": DEFAULT_SEED,
        "summary": o.summary().line(),
    });
    insta::with_settings!({
        snapshot_path => "../../snapshots",
        prepend_module_to_snapshot => false,
        omit_expression => true,
        info => &info,
    }, {
        insta::assert_json_snapshot!(c.snapshot_name(), report::snapshot_value(o));
    });
}

/// The `shape-matters` binary, run from the package root.
pub fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_shape-matters"));
    c.current_dir(env!("CARGO_MANIFEST_DIR"));
    c
}

/// Run the binary with these arguments.
pub fn run(args: &[&str]) -> Output {
    bin().args(args).output().expect("binary runs")
}

/// Run the binary and parse its standard output as JSON (the run must succeed).
pub fn json(args: &[&str]) -> serde_json::Value {
    let out = run(args);
    assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{args:?}: not JSON ({e})"))
}

/// Run the binary, assert its exit code, and parse its standard output as JSON (code 1: the run
/// completed, but some self-check failed or some check is unexpected at these parameters).
pub fn json_exit(args: &[&str], code: i32) -> (serde_json::Value, String) {
    let out = run(args);
    let err = String::from_utf8_lossy(&out.stderr).to_string();
    assert_eq!(out.status.code(), Some(code), "{args:?}: {err}");
    (serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{args:?}: not JSON ({e})")), err)
}

/// The value of the outcome's measurement with this name.
pub fn measurement(o: &Outcome, name: &str) -> f64 {
    o.measurements.iter().find(|m| m.name == name).unwrap_or_else(|| panic!("no measurement '{name}'")).value
}
