//! The Slurm launchers (scripts/slurm/): `bash -n` on every script, and the dry run's shard
//! arithmetic: for N shards the array tasks run exactly the shard specs 1/N … N/N, each once, each
//! writing into the same partials directory, and the merge job gets all N partial files, each once,
//! in shard order. Bad N or a task id outside 1..N exits 2 with one line. Also a sanity check of the
//! GitHub Actions workflow (.github/workflows/full-budget.yml): every action pinned to a commit, the
//! matrix not fail-fast, artifacts named by the shard, the merge job after the shards.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const SLURM: &str = "scripts/slurm";
const SCRIPTS: [&str; 3] = ["full.sbatch", "merge.sbatch", "submit.sh"];
const WORKFLOW: &str = ".github/workflows/full-budget.yml";
/// The output directory the dry runs are given (no whitespace: the printed commands split on it).
const OUT: &str = "/tmp/sm-launcher-test";

fn script(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(SLURM).join(name)
}

fn bash(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut c = Command::new("bash");
    c.args(args);
    for var in ["DRY_RUN", "SM_SHARDS", "SM_OUT", "SM_ONLY", "SLURM_ARRAY_TASK_ID", "SLURM_ARRAY_TASK_COUNT"] {
        c.env_remove(var);
    }
    c.envs(env.iter().copied());
    c.output().expect("bash runs")
}

#[test]
fn scripts_parse() {
    for s in SCRIPTS {
        let p = script(s);
        let out = bash(&["-n", p.to_str().unwrap()], &[]);
        assert!(out.status.success(), "bash -n {s}: {}", String::from_utf8_lossy(&out.stderr));
    }
}

/// The dry run of `submit.sh N`: (shard specs of the array tasks, their --out dirs, merge args).
fn dry_run(n: usize, via_flag: bool) -> (Vec<String>, Vec<String>, Vec<String>) {
    let submit = script("submit.sh");
    let n_s = n.to_string();
    let out = if via_flag {
        bash(&[submit.to_str().unwrap(), "--dry-run", &n_s], &[("SM_OUT", OUT)])
    } else {
        bash(&[submit.to_str().unwrap(), &n_s], &[("SM_OUT", OUT), ("DRY_RUN", "1")])
    };
    assert!(out.status.success(), "dry run N = {n}: {}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8(out.stdout).unwrap();
    let (mut specs, mut dirs, mut merge) = (Vec::new(), Vec::new(), Vec::new());
    let mut merges = 0;
    for line in text.lines() {
        let words: Vec<&str> = line.split_whitespace().collect();
        let after = |flag: &str| words.iter().position(|w| *w == flag).map(|i| words[i + 1].to_string());
        if line.starts_with("[shard ") {
            let spec = after("--shard").expect("a shard task runs --shard K/N");
            assert_eq!(line.split(']').next().unwrap(), format!("[shard {spec}"), "the label matches: {line}");
            assert!(words.contains(&"run"), "a shard task runs `run`: {line}");
            specs.push(spec);
            dirs.push(after("--out").expect("--out"));
        } else if line.starts_with("[merge]") {
            merges += 1;
            assert_eq!(words[2], "merge", "{line}");
            assert_eq!(after("--out").as_deref(), Some(format!("{OUT}/report").as_str()), "{line}");
            merge = words.iter().filter(|w| w.ends_with(".partial")).map(|w| w.to_string()).collect();
        } else {
            assert!(line.starts_with("[submit] sbatch "), "unexpected line: {line}");
        }
    }
    assert_eq!(merges, 1, "exactly one merge job:\n{text}");
    if n > 0 {
        let submit_lines: Vec<&str> = text.lines().filter(|l| l.starts_with("[submit]")).collect();
        assert!(submit_lines[0].contains(&format!("--array=1-{n} ")), "{text}");
        assert!(submit_lines[1].contains("--dependency=afterok:"), "{text}");
    }
    (specs, dirs, merge)
}

#[test]
fn dry_run_shard_arithmetic() {
    for (n, via_flag) in [(1, true), (3, false), (8, true)] {
        let (specs, dirs, merge) = dry_run(n, via_flag);
        let expected: Vec<String> = (1..=n).map(|k| format!("{k}/{n}")).collect();
        assert_eq!(specs, expected, "N = {n}: the array tasks run 1/N … N/N, each once, in order");
        let unique: BTreeSet<&String> = specs.iter().collect();
        assert_eq!(unique.len(), n, "N = {n}: no shard twice");
        assert!(dirs.iter().all(|d| d == &format!("{OUT}/partials")), "N = {n}: one partials directory: {dirs:?}");
        let files: Vec<String> = (1..=n).map(|k| format!("{OUT}/partials/shard-{k}-of-{n}.partial")).collect();
        assert_eq!(merge, files, "N = {n}: the merge job gets all N partial files, each once");
    }
}

#[test]
fn bad_shard_counts_and_task_ids_exit_2_with_one_line() {
    let submit = script("submit.sh");
    for bad in ["0", "-3", "x", "1.5", ""] {
        let out = bash(&[submit.to_str().unwrap(), "--dry-run", bad], &[]);
        assert_eq!(out.status.code(), Some(2), "N = '{bad}'");
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(err.lines().count(), 1, "one line: {err}");
        assert!(err.contains("N = ") && err.contains(">= 1"), "names N and its range: {err}");
        assert!(out.stdout.is_empty(), "nothing printed for N = '{bad}'");
    }
    let full = script("full.sbatch");
    for (task, n) in [("0", "3"), ("4", "3"), ("", "3"), ("2", "0")] {
        let out = bash(
            &[full.to_str().unwrap(), "--dry-run"],
            &[("SLURM_ARRAY_TASK_ID", task), ("SM_SHARDS", n), ("SM_OUT", OUT)],
        );
        assert_eq!(out.status.code(), Some(2), "task '{task}' of {n}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(err.lines().count(), 1, "one line: {err}");
        assert!(out.stdout.is_empty());
    }
    // The merge job refuses a missing shard count.
    let out = bash(&[script("merge.sbatch").to_str().unwrap(), "--dry-run"], &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("SM_SHARDS"));
}

#[test]
fn array_task_count_from_slurm_when_sm_shards_unset() {
    // `sbatch --array=1-5 full.sbatch` without SM_SHARDS: N comes from SLURM_ARRAY_TASK_COUNT.
    let out = bash(
        &[script("full.sbatch").to_str().unwrap(), "--dry-run"],
        &[("SLURM_ARRAY_TASK_ID", "5"), ("SLURM_ARRAY_TASK_COUNT", "5"), ("SM_OUT", OUT)],
    );
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains(" --shard 5/5 "));
}

#[test]
fn workflow_is_a_pinned_matrix_with_a_merge_job() {
    let text = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(WORKFLOW)).expect("workflow");
    assert!(text.contains("workflow_dispatch:"), "dispatched by hand");
    assert!(text.contains("fail-fast: false"), "one failed shard does not cancel the others");
    assert!(text.contains("name: partial-${{ matrix.shard }}"), "artifacts named by the shard");
    assert!(text.contains("--shard \"${{ matrix.shard }}/${{ inputs.shards }}\""), "each job runs its shard K/N");
    let merge = text.split("\n  merge:").nth(1).expect("a merge job");
    assert!(merge.contains("needs:") && merge.contains("shard"), "the merge job needs the shards");
    let mut uses = 0;
    for line in text.lines().filter(|l| l.trim_start().starts_with("- uses:") || l.trim_start().starts_with("uses:")) {
        uses += 1;
        let reference = line.split('@').nth(1).expect("action@ref").split_whitespace().next().unwrap();
        assert!(
            reference.len() == 40 && reference.chars().all(|c| c.is_ascii_hexdigit()),
            "actions are pinned to a full commit SHA: {line}"
        );
    }
    assert!(uses >= 3, "checkout, upload and download actions");
}
