//! Sharded runs: `merge(run --shard 1/N … N/N)` writes the same files as the unsharded `run`, byte
//! for byte with the timings (`elapsed_s`, `meta.started`, `meta.finished`, the table's wall
//! times) removed, and bad partial files are refused with a named error, exit 2 and nothing
//! written.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use common::bin;

/// A subset that exercises every kind of call and stays near a minute per N on 2 idle cores: plain
/// maps (warmup, G.1, F.1), batched chains with observers and the searches (C.4, D.1, D.3), the
/// Stage-1 check chains and exact checks skipped by the shards and computed by `merge`
/// (`map_local`, C.4), Stage 0's finals computed in full to start Stage 1's sharded chains
/// (`map_full`, 3.3), D.1's cached rounds read by D.3, and F.1's LPs. 3.2, B.4 and 2.2 are in the
/// ignored test of every claim (B.4 and 2.2 panic on other shards' placeholders and are recomputed
/// in full by the shard; see the README's "Sharded runs").
const SUBSET: &str = "warmup,G.1,C.4,3.3,D.1,D.3,F.1";

/// The merge and the reference run use this many threads (`meta.threads` is in the report).
const THREADS: &str = "2";

fn tmp(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("shape-matters-shard-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    d
}

fn s(p: &Path) -> String {
    p.display().to_string()
}

/// Run the binary; returns (exit code, stdout, stderr).
fn run(args: &[&str]) -> (i32, String, String) {
    finish(bin().args(args).output().expect("binary runs"))
}

fn finish(out: std::process::Output) -> (i32, String, String) {
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Start the binary without waiting (its output is read by `wait`; with `--quiet` it prints one line).
fn spawn(args: &[&str]) -> std::process::Child {
    use std::process::Stdio;
    bin().args(args).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().expect("binary starts")
}

fn wait(child: std::process::Child) -> (i32, String, String) {
    finish(child.wait_with_output().expect("binary runs"))
}

/// Remove the timing fields from a JSON value.
fn strip_timing(v: &mut serde_json::Value) {
    match v {
        serde_json::Value::Object(m) => {
            for k in ["elapsed_s", "started", "finished"] {
                m.remove(k);
            }
            m.values_mut().for_each(strip_timing);
        }
        serde_json::Value::Array(a) => a.iter_mut().for_each(strip_timing),
        _ => {}
    }
}

/// The verdict table's wall time (`12.3s`, the first such word of a line) replaced by `-`, and that
/// line's runs of spaces (the time column's padding) collapsed.
fn strip_table_times(text: &str) -> String {
    let is_time = |w: &str| {
        w.strip_suffix('s').is_some_and(|n| n.contains('.') && n.chars().all(|c| c.is_ascii_digit() || c == '.'))
    };
    text.lines()
        .map(|l| match l.split_whitespace().take(6).find(|w| is_time(w)) {
            Some(w) => l.replacen(w, "-", 1).split_whitespace().collect::<Vec<_>>().join(" "),
            None => l.to_string(),
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// `text` with every RFC 3339 time stamp (`2026-12-06T16:40:47Z`, the run's start and end in the
/// report index) replaced by `-`.
fn strip_timestamps(text: &str) -> String {
    let shape = "dddd-dd-ddTdd:dd:ddZ";
    let b = text.as_bytes();
    let matches = |i: usize| {
        b.len() >= i + shape.len()
            && shape
                .bytes()
                .zip(&b[i..i + shape.len()])
                .all(|(s, &c)| if s == b'd' { c.is_ascii_digit() } else { s == c })
    };
    let (mut out, mut i) = (Vec::with_capacity(b.len()), 0);
    while i < b.len() {
        if matches(i) {
            out.push(b'-');
            i += shape.len();
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Every file under `dir` (relative path → normalized content).
fn tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    fn walk(root: &Path, d: &Path, out: &mut BTreeMap<String, Vec<u8>>) {
        for e in std::fs::read_dir(d).expect("readable dir") {
            let p = e.expect("entry").path();
            if p.is_dir() {
                walk(root, &p, out);
                continue;
            }
            let rel = p.strip_prefix(root).expect("under root").display().to_string();
            let bytes = std::fs::read(&p).expect("readable file");
            let norm = if rel.ends_with(".json") {
                let mut v: serde_json::Value = serde_json::from_slice(&bytes).expect("json");
                strip_timing(&mut v);
                serde_json::to_vec_pretty(&v).expect("json")
            } else if rel.ends_with(".md") {
                strip_table_times(&strip_timestamps(&String::from_utf8_lossy(&bytes))).into_bytes()
            } else {
                bytes
            };
            out.insert(rel, norm);
        }
    }
    let mut out = BTreeMap::new();
    walk(dir, dir, &mut out);
    out
}

fn assert_same_tree(want: &Path, got: &Path, what: &str) {
    let (a, b) = (tree(want), tree(got));
    assert_eq!(a.keys().collect::<Vec<_>>(), b.keys().collect::<Vec<_>>(), "{what}: different files");
    assert!(a.contains_key("results.json") && a.contains_key("report.md"), "{what}: no report");
    for (k, x) in &a {
        let y = &b[k];
        if x != y {
            let (xs, ys) = (String::from_utf8_lossy(x), String::from_utf8_lossy(y));
            let line = xs.lines().zip(ys.lines()).position(|(p, q)| p != q).unwrap_or(0);
            panic!(
                "{what}: {k} differs at line {}:\n  unsharded: {}\n  merged:    {}",
                line + 1,
                xs.lines().nth(line).unwrap_or(""),
                ys.lines().nth(line).unwrap_or("")
            );
        }
    }
}

/// Run `only` unsharded, then as N shards (alternating 1 and 2 threads) and merge, for each N,
/// and compare the trees. `only = None`: every claim. The unsharded run and every shard of every N
/// are separate processes started together (as on a cluster), so the wall time is their CPU time
/// over the cores; the merges follow.
fn round_trip(name: &str, only: Option<&str>, ns: &[usize]) {
    let root = tmp(name);
    let mut common_args = vec!["--budget", "quick", "--quiet"];
    if let Some(o) = only {
        common_args.extend(["--only", o]);
    }
    let full = root.join("unsharded");
    let mut args = vec!["run", "--threads", THREADS, "--out"];
    let full_s = s(&full);
    args.push(&full_s);
    args.extend(&common_args);
    let unsharded = spawn(&args);
    let mut shards = Vec::new();
    for &n in ns {
        let parts_s = s(&root.join(format!("parts-{n}")));
        for k in 1..=n {
            let spec = format!("{k}/{n}");
            let threads = if k % 2 == 1 { "1" } else { "2" };
            let mut args = vec!["run", "--shard", &spec, "--threads", threads, "--out", &parts_s];
            args.extend(&common_args);
            shards.push((n, k, spawn(&args)));
        }
    }
    let (code, _, err) = wait(unsharded);
    assert!(code == 0 || code == 1, "unsharded run: exit {code}: {err}");
    let mut shards = shards.into_iter();
    for &n in ns {
        let parts = root.join(format!("parts-{n}"));
        let mut files = Vec::new();
        for (sn, k, child) in shards.by_ref().take(n) {
            assert_eq!(sn, n);
            let spec = format!("{k}/{n}");
            let (c, out, err) = wait(child);
            assert_eq!(c, 0, "shard {spec}: {err}");
            assert!(out.contains(&format!("shard-{k}-of-{n}.partial")), "shard {spec} says what it wrote: {out}");
            files.push(s(&parts.join(format!("shard-{k}-of-{n}.partial"))));
        }
        // Only the partial files are written by the shards.
        let written: Vec<_> = std::fs::read_dir(&parts).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(written.len(), n, "N = {n}: the shards wrote only their partial files: {written:?}");
        let merged = root.join(format!("merged-{n}"));
        let merged_s = s(&merged);
        // Shards given in reverse order: merge sorts them.
        let mut args = vec!["merge", "--quiet", "--threads", THREADS, "--out", &merged_s];
        args.extend(files.iter().rev().map(String::as_str));
        let (c, _, err) = run(&args);
        assert_eq!(c, code, "merge of N = {n} exits as the unsharded run: {err}");
        assert_same_tree(&full, &merged, &format!("N = {n}"));
    }
    let _ = std::fs::remove_dir_all(&root);
}

#[test]
fn merge_of_shards_equals_the_unsharded_run_on_a_subset() {
    round_trip("subset", Some(SUBSET), &[1, 2, 5]);
}

#[test]
#[ignore = "every claim at the quick budget, N = 1, 2, 5: ~10 minutes on 2 idle cores"]
fn merge_of_shards_equals_the_unsharded_run_on_every_claim() {
    round_trip("all", None, &[1, 2, 5]);
}

/// Two small valid shard sets (N = 2, seed 2021 and seed 7) of a cheap claim.
fn small_parts(root: &Path) -> (PathBuf, PathBuf) {
    let a = root.join("a");
    let b = root.join("b");
    for (dir, seed) in [(&a, "2021"), (&b, "7")] {
        for k in 1..=2 {
            let spec = format!("{k}/2");
            let d = s(dir);
            let (c, _, err) =
                run(&["run", "--shard", &spec, "--budget", "quick", "--only", "warmup", "--seed", seed, "--out", &d]);
            assert_eq!(c, 0, "{err}");
        }
    }
    (a, b)
}

/// `merge` exits 2 with one line containing every `needles`, and writes nothing.
fn refused(files: &[PathBuf], out: &Path, needles: &[&str]) {
    let out_s = s(out);
    let mut args = vec!["merge".to_string(), "--quiet".into(), "--out".into(), out_s];
    args.extend(files.iter().map(|f| s(f)));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let (code, stdout, err) = run(&args);
    assert_eq!(code, 2, "{args:?}: {err}");
    assert_eq!(err.trim().lines().count(), 1, "one line: {err}");
    for n in needles {
        assert!(err.contains(n), "'{n}' in: {err}");
    }
    assert!(stdout.is_empty(), "nothing printed on stdout: {stdout}");
    assert!(!out.exists(), "nothing written: {}", out.display());
}

#[test]
fn bad_partial_files_are_refused_by_name() {
    let root = tmp("bad");
    let (a, b) = small_parts(&root);
    let (a1, a2) = (a.join("shard-1-of-2.partial"), a.join("shard-2-of-2.partial"));
    let b2 = b.join("shard-2-of-2.partial");
    let out = root.join("out");
    let bytes = std::fs::read(&a2).unwrap();

    // The valid set merges (a control for every refusal below).
    let ok = root.join("ok");
    let (c, _, err) = run(&["merge", "--quiet", "--out", &s(&ok), &s(&a1), &s(&a2)]);
    assert_eq!(c, 0, "{err}");
    assert!(ok.join("results.json").exists());

    let truncated = root.join("truncated.partial");
    std::fs::write(&truncated, &bytes[..bytes.len() - 100]).unwrap();
    refused(&[a1.clone(), truncated.clone()], &out, &["truncated.partial", "truncated"]);

    let corrupt = root.join("corrupt.partial");
    let mut c = bytes.clone();
    let mid = c.len() / 2;
    c[mid] ^= 0x40;
    std::fs::write(&corrupt, &c).unwrap();
    refused(&[a1.clone(), corrupt.clone()], &out, &["corrupt.partial", "checksum"]);

    let not_partial = root.join("report.md");
    std::fs::write(&not_partial, "# not a partial file\n").unwrap();
    refused(&[a1.clone(), not_partial], &out, &["report.md", "not a shape-matters partial file"]);
    let empty = root.join("empty.partial");
    std::fs::write(&empty, b"").unwrap();
    refused(&[empty], &out, &["empty.partial", "not a shape-matters partial file"]);

    refused(std::slice::from_ref(&a1), &out, &["missing shard(s) 2 of 2"]);
    refused(std::slice::from_ref(&a2), &out, &["missing shard(s) 1 of 2"]);
    let copy = root.join("copy.partial");
    std::fs::copy(&a2, &copy).unwrap();
    refused(&[a1.clone(), a2.clone(), copy.clone()], &out, &["shard 2 of 2", "twice"]);

    refused(&[a1.clone(), b2.clone()], &out, &["different plan", "--seed 7 vs 2021"]);

    // A shard of another budget.
    let q = root.join("q");
    let (c, _, err) =
        run(&["run", "--shard", "2/2", "--budget", "default", "--only", "warmup", "--out", &s(&q), "--quiet"]);
    assert_eq!(c, 0, "{err}");
    refused(&[a1.clone(), q.join("shard-2-of-2.partial")], &out, &["different plan", "--budget default vs quick"]);
    // Another N.
    let (c, _, err) = run(&["run", "--shard", "1/3", "--budget", "quick", "--only", "warmup", "--out", &s(&q)]);
    assert_eq!(c, 0, "{err}");
    refused(&[a1.clone(), q.join("shard-1-of-3.partial")], &out, &["N = 3", "N = 2"]);
    // Another claim list.
    let (c, _, err) =
        run(&["run", "--shard", "2/2", "--budget", "quick", "--only", "warmup,G.1", "--out", &s(&q), "--quiet"]);
    assert_eq!(c, 0, "{err}");
    refused(&[a1.clone(), q.join("shard-2-of-2.partial")], &out, &["different plan", "--only"]);
    let _ = std::fs::remove_dir_all(&root);
}

#[test]
fn bad_shard_specs_name_the_flag() {
    let out = tmp("spec");
    for bad in ["0/2", "3/2", "2", "x/2", "1/0", "1/-2"] {
        let (code, _, err) = run(&["run", "--shard", bad, "--budget", "quick", "--only", "warmup", "--out", &s(&out)]);
        assert_eq!(code, 2, "--shard {bad}: {err}");
        assert!(err.contains("--shard") && err.contains("K/N"), "--shard {bad}: {err}");
        assert_eq!(err.trim().lines().count(), 1, "{err}");
    }
    assert!(!out.exists(), "nothing written");
}
