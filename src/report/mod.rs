//! Views of [`Outcome`] values: the verdict table, the report index and claim pages
//! ([`index`]), report.md, results.json ([`json`]), the insta snapshot value, PAPER_MAP.md and SVG
//! figures. They all read the same values, so they cannot disagree.

pub mod diff;
pub mod svg;

use std::fmt::Write as _;
use std::path::Path;

use serde_json::Value;

use crate::claim::Claim;
use crate::claims;
use crate::error::{Error, Result};
use crate::evidence::{Class, ExactCheck, ExactClass, McCheck, McKind, Outcome, Role};
use crate::numfmt::{cell, fmt, round_sig};

pub mod index;
pub mod json;

pub use index::{CLAIMS_DIR, INDEX_FILE, KEY_FIGURES, page_path};
pub use json::{Results, RunStatus, RunSummary, run_status};

/// Significant digits kept in snapshots.
pub const SNAPSHOT_SIG_DIGITS: usize = 4;

fn round_value(v: &mut Value, sig: usize) {
    match v {
        Value::Number(n) => {
            if n.is_f64()
                && let Some(x) = n.as_f64()
            {
                let r = round_sig(x, sig);
                if let Some(m) = serde_json::Number::from_f64(r) {
                    *n = m;
                }
            }
        }
        Value::Array(a) => a.iter_mut().for_each(|x| round_value(x, sig)),
        Value::Object(m) => m.values_mut().for_each(|x| round_value(x, sig)),
        _ => {}
    }
}

/// The deterministic part of an outcome, floats rounded to [`SNAPSHOT_SIG_DIGITS`]: what the
/// insta snapshots store (wall time removed).
pub fn snapshot_value(o: &Outcome) -> Value {
    let mut v = serde_json::to_value(o).expect("outcome serializes");
    if let Value::Object(m) = &mut v {
        m.remove("elapsed_s");
    }
    round_value(&mut v, SNAPSHOT_SIG_DIGITS);
    v
}

/// Parse the JSON body of an insta snapshot file back into an outcome (`None` if it does not parse;
/// see [`parse_snapshot`] for the reason).
pub fn outcome_from_snapshot(text: &str) -> Option<Outcome> {
    parse_snapshot(text).ok()
}

/// Parse an insta snapshot file strictly: a YAML header between two `---` lines, then the JSON body
/// of an outcome. The error says what is wrong (truncated, garbled, no header).
pub fn parse_snapshot(text: &str) -> std::result::Result<Outcome, String> {
    let mut seps = 0;
    let mut body = String::new();
    for line in text.lines() {
        if seps >= 2 {
            body.push_str(line);
            body.push('\n');
        } else if line.trim_end() == "---" {
            seps += 1;
        }
    }
    if seps < 2 {
        return Err("not an insta snapshot (no header between two '---' lines)".into());
    }
    serde_json::from_str(&body).map_err(|e| format!("the snapshot body is not a valid outcome: {e}"))
}

/// Run metadata shown in reports. results.json is written last and carries `complete: true`, so a
/// results.json without it (or none at all) is not the result of a finished run.
#[derive(Clone, Debug, serde::Serialize)]
pub struct RunMeta {
    pub budget: String,
    pub seed: u64,
    pub threads: usize,
    pub family_alpha: f64,
    pub version: String,
    /// The claim ids run, in order.
    pub claims: Vec<String>,
    /// Start of the run (RFC 3339, UTC).
    pub started: String,
    /// End of the computation (RFC 3339, UTC).
    pub finished: String,
    /// Every selected claim ran to the end.
    pub complete: bool,
}

/// `t` as RFC 3339 in UTC with second precision (`1970-01-01T00:00:00Z`).
pub fn rfc3339(t: std::time::SystemTime) -> String {
    let secs = t.duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0);
    let (days, rem) = (secs / 86_400, secs % 86_400);
    // Civil date from days since 1970-01-01 (H. Hinnant's algorithm).
    let z = days as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z", rem / 3600, rem % 3600 / 60, rem % 60)
}

/// The verdict table printed by `run` (one line per claim).
pub fn table(outcomes: &[Outcome]) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "{:<8} {:<20} {:<9} verdict", "claim", "statement checked", "time");
    for o in outcomes {
        let sm = o.summary();
        let t = o.elapsed_s.map(|t| format!("{t:.1}s")).unwrap_or_default();
        let _ = writeln!(s, "{:<8} {:<20} {:<9} {}", o.claim, sm.classes, t, sm.line());
    }
    s
}

fn mc_line(c: &McCheck) -> String {
    let bound = match &c.kind {
        McKind::ProbUpper { bound } => format!("≤ {}", fmt(*bound)),
        McKind::ProbEquals { p0, margin, .. } => format!("= {} ± {}", fmt(*p0), fmt(*margin)),
        McKind::MeanUpper { bound, .. } => format!("E ≤ {}", fmt(*bound)),
        McKind::MeanEquals { mu0, margin, .. } => format!("E = {} ± {}", fmt(*mu0), fmt(*margin)),
    };
    let count = c.count.map(|k| format!("{k}/{}", c.trials)).unwrap_or_else(|| format!("N={}", c.trials));
    let slack = match (c.slack, c.slack_at_least) {
        (Some(s), _) => fmt(s),
        (None, Some(s)) => format!("≥ {}", fmt(s)),
        _ => "–".into(),
    };
    format!(
        "| {} | {} | {} | {} | {} | {} | [{}, {}] | {} | {} | {} |",
        cell(&c.id),
        c.class.label(),
        c.threshold.label(),
        cell(&role_label(&c.role)),
        count,
        fmt(c.estimate),
        fmt(c.ci[0]),
        fmt(c.ci[1]),
        bound,
        slack,
        c.verdict.name()
    )
}

fn role_label(r: &Role) -> String {
    match r {
        Role::Primary => "claim".into(),
        Role::Control { variant } => format!("control: {variant}"),
        Role::Witness { erratum } => format!("witness {erratum}"),
        Role::Repair { erratum } => format!("repair {erratum}"),
    }
}

fn exact_line(c: &ExactCheck) -> String {
    let class = match &c.class {
        ExactClass::Check => "check".to_string(),
        ExactClass::Computed { .. } => "computed fact".to_string(),
    };
    let result = match (c.as_expected(), c.class == ExactClass::Check) {
        (_, false) => format!("{} (not counted)", c.result()),
        (true, true) => format!("{}, as expected", c.result()),
        (false, true) => format!("{}, UNEXPECTED", c.result()),
    };
    format!(
        "| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |",
        cell(&c.id),
        cell(&c.statement),
        class,
        c.threshold.label(),
        cell(&role_label(&c.role)),
        c.states,
        c.violations,
        c.worst_margin.map(fmt).unwrap_or_else(|| "–".into()),
        c.worst_scaled.map(fmt).unwrap_or_else(|| "–".into()),
        result
    )
}

/// The markdown section of one outcome (also what `check ID` prints), figures linked as files next
/// to the page.
pub fn markdown_section(o: &Outcome) -> String {
    section(o, "")
}

/// The markdown section of one outcome, its figures linked as `{figure_dir}{file}`.
fn section(o: &Outcome, figure_dir: &str) -> String {
    let mut s = String::new();
    let sm = o.summary();
    let _ = writeln!(s, "## {} — {}\n", o.claim, o.title);
    let _ = writeln!(
        s,
        "Budget `{}`, seed {}{}. Statement checked: **{}**. Verdict: **{}**.\n",
        o.budget.name(),
        o.seed,
        if o.overridden { " (with command-line overrides)" } else { "" },
        sm.classes,
        sm.line()
    );
    for n in &o.notes {
        let _ = writeln!(s, "> {n}\n");
    }
    for a in &o.audits {
        let _ = writeln!(s, "### Hypotheses audit `{}`: {}\n", a.id, a.title);
        let _ = writeln!(s, "| hypothesis | statement | lhs | | rhs | holds |\n|---|---|---|---|---|---|");
        for h in &a.hypotheses {
            let _ = writeln!(
                s,
                "| {} | {} | {} | {} | {} | {} |",
                cell(&h.id),
                cell(&h.statement),
                fmt(h.lhs),
                h.rel.symbol(),
                fmt(h.rhs),
                if h.holds { "yes" } else { "**no**" }
            );
        }
        let _ = writeln!(
            s,
            "\n→ {}\n",
            match Class::of(a) {
                Class::Designed { .. } =>
                    "all hold, on designed data: **statement, literal on designed data**".to_string(),
                Class::Literal { .. } => "all hold: **statement, literal**".to_string(),
                _ => format!("fails {}: **statement, practical**", a.failing().join(", ")),
            }
        );
    }
    if !o.exact.is_empty() {
        let _ = writeln!(s, "### Exact checks (2n-outcome enumeration / deterministic)\n");
        let _ = writeln!(
            s,
            "| id | inequality (margin ≥ 0 ⇔ holds) | class | constants | role | states | violations | worst margin \
             | worst scaled | result |\n\
             |---|---|---|---|---|---|---|---|---|---|"
        );
        for c in &o.exact {
            let _ = writeln!(s, "{}", exact_line(c));
        }
        let _ = writeln!(s);
        for c in &o.exact {
            if let ExactClass::Computed { why } = &c.class {
                let _ = writeln!(s, "- {} is a computed fact, not counted: {why}", c.id);
            }
            if !c.worst_at.is_empty() {
                let _ = writeln!(s, "- worst state of {}: {}", c.id, c.worst_at);
            }
        }
        let _ = writeln!(s);
    }
    if !o.search.is_empty() {
        let _ = writeln!(
            s,
            "### Adversarial search (exact margins minimized over the admissible set: seeded Nelder–Mead from \
             random starts)\n"
        );
        let _ = writeln!(
            s,
            "| id | role | constants | restarts | evaluations | excluded (audit failed) | worst scaled at designed \
             states | worst scaled found | result | witness |\n|---|---|---|---|---|---|---|---|---|---|"
        );
        for c in &o.search {
            let result = if c.as_expected() {
                format!("{}, as expected", c.result())
            } else {
                format!("{}, UNEXPECTED", c.result())
            };
            let _ = writeln!(
                s,
                "| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |",
                cell(&c.id),
                cell(&role_label(&c.role)),
                c.threshold.label(),
                c.restarts,
                c.evaluations,
                c.inadmissible,
                c.designed.map(fmt).unwrap_or_else(|| "–".into()),
                c.worst_scaled.map(fmt).unwrap_or_else(|| "–".into()),
                result,
                c.witness_file.as_deref().map(|f| format!("`{WITNESS_DIR}/{f}`")).unwrap_or_else(|| "–".into())
            );
        }
        let _ = writeln!(s);
        let mut sets: Vec<&str> = o.search.iter().map(|c| c.admissible.as_str()).collect();
        sets.dedup();
        for a in sets {
            let _ = writeln!(s, "- admissible set: {a}");
        }
        for c in o.search.iter().filter(|c| c.role == Role::Primary || matches!(c.role, Role::Witness { .. })) {
            if let Some(t) = c.rediscover {
                let _ = writeln!(s, "- {} must reach the designed witness's {} from random starts", c.id, fmt(t));
            }
            let _ = writeln!(s, "- worst point of {}: {}", c.id, c.worst_at);
        }
        let _ = writeln!(s);
    }
    if !o.mc.is_empty() {
        let fam = o.mc.first().and_then(|c| c.holm_family).unwrap_or(0);
        let _ = writeln!(
            s,
            "### Monte Carlo (Clopper–Pearson {}% intervals; Holm over {} p-values at α = {}; equalities by \
             equivalence test)\n",
            crate::evidence::CI_LEVEL * 100.0,
            fam,
            crate::evidence::FAMILY_ALPHA
        );
        let _ = writeln!(
            s,
            "| check | class | threshold | role | events | estimate | 99% CI | paper | slack | verdict |\n\
             |---|---|---|---|---|---|---|---|---|---|"
        );
        for c in &o.mc {
            let _ = writeln!(s, "{}", mc_line(c));
        }
        let _ = writeln!(s);
        for c in &o.mc {
            let mut extra = Vec::new();
            if c.diverged > 0 {
                extra.push(format!("{} diverged chains", c.diverged));
            }
            if let Some(r) = c.detectable_rate {
                extra.push(format!("would flag VIOLATED from rate {}", fmt(r)));
            }
            if let McKind::ProbEquals { margin, rationale, .. } | McKind::MeanEquals { margin, rationale, .. } = &c.kind
            {
                extra.push(format!(
                    "equivalence margin {} stated before the run: {rationale}; TOST p = {}, point-null p = {}",
                    fmt(*margin),
                    fmt(c.p_confirm),
                    fmt(c.p_violate)
                ));
            }
            if let Class::Supporting { fact } = &c.class {
                extra.push(format!("supporting fact: {fact}"));
            }
            if !c.threshold.counts() {
                extra.push("exploratory threshold: reported, not counted".into());
            }
            let _ = writeln!(
                s,
                "- {}: {}{}",
                c.id,
                c.event,
                if extra.is_empty() { String::new() } else { format!(" ({})", extra.join("; ")) }
            );
        }
        let _ = writeln!(s);
    }
    let controls = o.controls();
    if !controls.is_empty() {
        let _ = writeln!(s, "### Negative controls\n");
        for (id, caught) in controls {
            let _ = writeln!(s, "- {id}: {}", if caught { "caught" } else { "**NOT caught**" });
        }
        let _ = writeln!(s);
    }
    if !o.errata.is_empty() {
        let _ = writeln!(s, "### Errata\n");
        for e in &o.errata {
            let _ = writeln!(
                s,
                "- **{}** (grade **{}**: {}; {}; reading of the OCR: {}) — {}: printed “{}”. {} Witness instance: \
                 {}. Witnesses: {}.",
                e.id,
                e.grade.label(),
                e.grade.meaning(),
                if e.witnessed { "witnessed" } else { "not witnessed" },
                e.reading.label(),
                e.location,
                e.printed,
                e.finding,
                if e.instance.is_empty() { "–" } else { &e.instance },
                e.witnesses.join(", ")
            );
        }
        let _ = writeln!(s);
    }
    for t in &o.tables {
        let _ = writeln!(s, "### {}\n", t.title);
        let _ = writeln!(s, "| {} |", t.columns.iter().map(|c| cell(c)).collect::<Vec<_>>().join(" | "));
        let _ = writeln!(s, "|{}", "---|".repeat(t.columns.len()));
        for r in &t.rows {
            let _ = writeln!(s, "| {} |", r.iter().map(|c| cell(c)).collect::<Vec<_>>().join(" | "));
        }
        let _ = writeln!(s);
    }
    if !o.measurements.is_empty() {
        let _ = writeln!(s, "### Measurements\n");
        for m in &o.measurements {
            let _ = writeln!(
                s,
                "- {} = {}{}",
                m.name,
                fmt(m.value),
                if m.note.is_empty() { String::new() } else { format!(" ({})", m.note) }
            );
        }
        let _ = writeln!(s);
    }
    for f in &o.figures {
        let _ = writeln!(s, "![{}]({figure_dir}{})\n", f.caption, f.file);
    }
    s
}

/// The full report.md.
pub fn markdown(outcomes: &[Outcome], meta: &RunMeta) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "# shape-matters report\n");
    let _ = writeln!(
        s,
        "Budget `{}`, seed {}, {} threads, family-wise α = {} (Holm over every Monte Carlo check of this run), \
         shape-matters {}.\n",
        meta.budget, meta.seed, meta.threads, meta.family_alpha, meta.version
    );
    let _ = writeln!(s, "```text\n{}```\n", table(outcomes));
    for o in outcomes {
        s.push_str(&markdown_section(o));
    }
    s
}

/// results.json: the [`RunSummary`] first, then `meta` and the outcomes.
pub fn results_json<'a>(outcomes: &'a [Outcome], meta: &'a RunMeta) -> Results<'a> {
    Results { summary: json::summary(outcomes, meta.family_alpha), meta, outcomes }
}

/// Make sure `dir` exists and is writable, before any computation: create it, then create and
/// remove a probe file. The error names the directory.
pub fn prepare_out_dir(dir: &Path) -> Result<()> {
    let io = |what: &str, e: std::io::Error| Error::Io {
        path: dir.display().to_string(),
        message: format!("output directory is not usable ({what}: {e})"),
    };
    std::fs::create_dir_all(dir).map_err(|e| io("cannot create it", e))?;
    let probe = dir.join(format!(".shape-matters-probe-{}", std::process::id()));
    std::fs::write(&probe, b"probe").map_err(|e| io("cannot write to it", e))?;
    std::fs::remove_file(&probe).map_err(|e| io("cannot remove a file from it", e))?;
    Ok(())
}

/// Write `bytes` to `path` atomically: a temporary file in the same directory, then a rename, so
/// a reader sees either the old file or the complete new one (never a half-written one).
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let io = |e: std::io::Error| Error::Io { path: path.display().to_string(), message: e.to_string() };
    let dir = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let tmp = dir.join(format!(".{name}.tmp-{}", std::process::id()));
    let res = (|| {
        use std::io::Write as _;
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if res.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    res.map_err(io)
}

/// The folder of `--out DIR` that holds the search witnesses (`DIR/witnesses/<claim>-<key>.json`).
pub const WITNESS_DIR: &str = "witnesses";

/// Write the figures, the search witnesses (`DIR/witnesses/`), the claim pages
/// (`DIR/claims/<id>.md`), report.md, the index `DIR/README.md` and, last, results.json into `dir`,
/// each atomically.
pub fn write_report(dir: &Path, outcomes: &[Outcome], meta: &RunMeta) -> Result<()> {
    prepare_out_dir(dir)?;
    for o in outcomes {
        for f in &o.figures {
            write_atomic(&dir.join(&f.file), f.svg.as_bytes())?;
        }
        let witnesses: Vec<&crate::evidence::Witness> = o.search.iter().filter_map(|c| c.witness.as_ref()).collect();
        if !witnesses.is_empty() {
            let wdir = dir.join(WITNESS_DIR);
            std::fs::create_dir_all(&wdir)
                .map_err(|e| Error::Io { path: wdir.display().to_string(), message: e.to_string() })?;
            for w in witnesses {
                let json = serde_json::to_string_pretty(w).expect("json");
                write_atomic(&wdir.join(w.file_name()), json.as_bytes())?;
            }
        }
    }
    let pages = dir.join(CLAIMS_DIR);
    std::fs::create_dir_all(&pages)
        .map_err(|e| Error::Io { path: pages.display().to_string(), message: e.to_string() })?;
    for o in outcomes {
        write_atomic(&dir.join(page_path(&o.claim)), index::claim_page(o, meta).as_bytes())?;
    }
    write_atomic(&dir.join("report.md"), markdown(outcomes, meta).as_bytes())?;
    write_atomic(&dir.join(INDEX_FILE), index::index(outcomes, meta).as_bytes())?;
    let json = serde_json::to_string_pretty(&results_json(outcomes, meta)).expect("json");
    write_atomic(&dir.join("results.json"), json.as_bytes())?;
    Ok(())
}

fn map_row(c: &Claim, root: &Path) -> Result<(String, Option<Outcome>)> {
    let path = root.join(c.snapshot_path());
    let snap = match std::fs::read_to_string(&path) {
        Ok(t) => Some(parse_snapshot(&t).map_err(|message| Error::Data {
            path: path.display().to_string(),
            line: None,
            message,
        })?),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => return Err(Error::Io { path: path.display().to_string(), message: e.to_string() }),
    };
    let (classes, verdict) = match &snap {
        Some(o) => {
            let sm = o.summary();
            (sm.classes.clone(), sm.line())
        }
        None => ("–".into(), "no snapshot yet".into()),
    };
    let row = format!(
        "| {} | {} — {} | {} {} ({}) | [{}]({}) | [{}]({}) | [{}]({}) | {} | {} |",
        c.id,
        cell(c.title),
        cell(c.statement),
        c.paper.section,
        c.paper.equations,
        c.paper.spec,
        c.module,
        c.module,
        c.test,
        c.test,
        c.snapshot_name(),
        c.snapshot_path(),
        classes,
        verdict
    );
    Ok((row, snap))
}

/// PAPER_MAP.md: statement → module → test → snapshot → classes checked → current verdict, from the
/// registry and the committed quick-budget snapshots under `root`. An error (see
/// [`paper_map_strict`]) becomes the text `error: …`, which differs from any committed map.
pub fn paper_map(root: &Path) -> String {
    paper_map_strict(root).unwrap_or_else(|e| format!("error: {e}\n"))
}

/// [`paper_map`], strictly: `root` must be a checkout (holding `Cargo.toml` and `snapshots/`), and a
/// snapshot that exists but does not parse is an error naming the file.
pub fn paper_map_strict(root: &Path) -> Result<String> {
    if !root.join("Cargo.toml").is_file() || !root.join("snapshots").is_dir() {
        return Err(Error::Io {
            path: root.display().to_string(),
            message: "not a shape-matters checkout (no Cargo.toml and snapshots/ there): run paper-map from the \
                      crate root or pass --root DIR"
                .into(),
        });
    }
    let mut s = String::new();
    let _ = writeln!(s, "# PAPER_MAP — every formal claim of the paper, and where it is checked\n");
    let _ = writeln!(
        s,
        "Generated by `shape-matters paper-map` from the claims registry (`src/claims/mod.rs`) and the committed"
    );
    let _ = writeln!(
        s,
        "quick-budget snapshots in `snapshots/`; `tests/paper_map.rs` fails when this file differs from the \
         generated one."
    );
    let _ = writeln!(
        s,
        "Do not edit by hand. The verdicts are those recorded in the snapshots (budget `quick`, seed {}, Holm \
         within each",
        crate::claim::DEFAULT_SEED
    );
    let _ = writeln!(
        s,
        "claim); the snapshot tests re-run every claim and fail if a verdict changes. `cargo run --release` \
         reruns them at the"
    );
    let _ = writeln!(s, "default budget with Holm over the whole run.\n");
    let _ = writeln!(
        s,
        "Statement checked: *literal* = the statement's conclusion at an instance where every hypothesis holds \
         (audited in code), data from the paper's distribution; *designed* = the same on deterministic designed data;"
    );
    let _ = writeln!(
        s,
        "*practical* = some hypothesis fails, the check is an extrapolation; *supporting* = only supporting facts \
         (exact laws, cross-checks) are checked by Monte Carlo; *exact* = no Monte Carlo. In the verdict, \
         *supporting* counts checks of facts the proof relies on, not the statement; *exact a/b (controls c/b)* \
         counts exact checks that could fail and those with a caught deliberately wrong variant; *computed* facts \
         and *exploratory* thresholds are never counted; errata are counted by grade (S: statement contradicted, \
         P: proof step fails, R: rests on a reconstruction or a project-chosen threshold).\n"
    );
    let _ = writeln!(s, "| id | statement | paper | module | test | snapshot | checked | verdict (quick) |");
    let _ = writeln!(s, "|---|---|---|---|---|---|---|---|");
    let mut errata = Vec::new();
    for c in claims::all() {
        let (row, snap) = map_row(c, root)?;
        let _ = writeln!(s, "{row}");
        if let Some(o) = snap {
            for e in o.errata {
                errata.push((c.id, e));
            }
        }
    }
    if !errata.is_empty() {
        let _ = writeln!(s, "\n## Errata found\n");
        let _ = writeln!(
            s,
            "| erratum | grade | claim | where | status | witness instance | reading of the OCR |\n\
             |---|---|---|---|---|---|---|"
        );
        for (id, e) in errata {
            let _ = writeln!(
                s,
                "| {} | {} | {} | {} | {} | {} | {} |",
                e.id,
                e.grade.label(),
                id,
                cell(&e.location),
                if e.witnessed { "witnessed by a failing check" } else { "not witnessed" },
                if e.instance.is_empty() { "–".to_string() } else { cell(&e.instance) },
                e.reading.label()
            );
        }
    }
    Ok(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rounding_and_formatting() {
        assert_eq!(round_sig(0.123456, 4), 0.1235);
        assert_eq!(round_sig(-123456.0, 3), -123000.0);
        assert_eq!(fmt(0.000123456), "1.235e-4");
        assert_eq!(fmt(12.3456), "12.35");
        assert_eq!(fmt(1.0), "1");
        assert_eq!(fmt(2.5e17), "2.500e17");
    }

    #[test]
    fn rfc3339_dates() {
        let at = |s: u64| rfc3339(std::time::UNIX_EPOCH + std::time::Duration::from_secs(s));
        assert_eq!(at(0), "1970-01-01T00:00:00Z");
        assert_eq!(at(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(at(1_798_761_599), "2026-12-31T23:59:59Z");
    }

    #[test]
    fn strict_snapshot_parsing() {
        assert!(parse_snapshot("garbage").unwrap_err().contains("not an insta snapshot"));
        assert!(parse_snapshot("---\nsource: x\n---\n{\"claim\": ").unwrap_err().contains("not a valid outcome"));
    }
}
