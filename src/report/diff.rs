//! `shape-matters diff OLD NEW`: what changed between two runs, as a Markdown table (or JSON).
//!
//! Each input is a `results.json` file (`{"meta": …, "outcomes": [Outcome…]}`), a directory of insta
//! snapshot files (`claim_*.snap`, e.g. `snapshots/` of two commits), or one snapshot file. The
//! comparison lists, per claim:
//!
//! * the claim's verdict line ([`Summary::line`](crate::evidence::Summary::line), the row `run`
//!   prints without its wall time) when it changed;
//! * every check (Monte Carlo, exact, search) whose verdict changed;
//! * Monte Carlo estimates that moved beyond their intervals (the new estimate outside the old
//!   confidence interval, or the old one outside the new interval);
//! * errata that became or stopped being witnessed, or changed grade;
//! * claims, checks and errata that appear in only one input.
//!
//! Checks are matched by claim and printed id (with the occurrence number when a claim prints the
//! same id twice): their stable `key` is not serialized in results.json or in the snapshots, so a
//! renamed check shows as one removed and one added check. Errata are matched by their SPEC id.
//!
//! A change *gates* (`diff` exits 1) when a primary-role check's verdict changed, an erratum's
//! status (witnessed, grade) changed, or a primary check, an erratum or a claim appears in only
//! one input. Everything else (controls, witnesses, repairs, estimates, verdict lines) is shown
//! but does not gate.

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::path::Path;

use serde::Serialize;

use crate::error::{Error, Result};
use crate::evidence::{McCheck, Outcome, Role, SearchCheck};
use crate::numfmt::{cell, fmt};

/// The snapshot files a directory input is read from: `claim_*.snap`.
pub const SNAPSHOT_PREFIX: &str = "claim_";
/// The extension of an insta snapshot file.
pub const SNAPSHOT_EXT: &str = "snap";

/// The outcomes of one input, with where they came from.
#[derive(Clone, Debug)]
pub struct Input {
    /// The path as given.
    pub origin: String,
    /// "results.json", "snapshot directory" or "snapshot file".
    pub kind: &'static str,
    pub outcomes: Vec<Outcome>,
}

/// Restore the links the serialized form drops: the stable `key` and `control_of_key` are not
/// serialized, so a loaded outcome's exact and search controls are linked to their targets by
/// printed id (`control_of`), and each check's key is its printed id. Without this the verdict
/// line of a loaded outcome would count no exact check as controlled.
pub fn relink(o: &mut Outcome) {
    for c in &mut o.exact {
        if c.key.is_empty() {
            c.key = c.id.clone();
        }
        if c.control_of_key.is_empty() {
            c.control_of_key = c.control_of.clone().unwrap_or_default();
        }
    }
    for c in &mut o.search {
        if c.key.is_empty() {
            c.key = c.id.clone();
        }
        if c.control_of_key.is_empty() {
            c.control_of_key = c.control_of.clone().unwrap_or_default();
        }
    }
    for c in &mut o.mc {
        if c.key.is_empty() {
            c.key = c.id.clone();
        }
    }
}

fn bad(path: &Path, message: impl Into<String>) -> Error {
    Error::Data { path: path.display().to_string(), line: None, message: message.into() }
}

fn read(path: &Path) -> Result<String> {
    std::fs::read_to_string(path).map_err(|e| Error::Io { path: path.display().to_string(), message: e.to_string() })
}

/// Read a results.json file, a directory of `claim_*.snap` files or one snapshot file. Errors name
/// the file and what is wrong with it.
pub fn load(path: &Path) -> Result<Input> {
    let origin = path.display().to_string();
    if path.is_dir() {
        let entries = std::fs::read_dir(path).map_err(|e| bad(path, format!("cannot list the directory: {e}")))?;
        let mut files: Vec<std::path::PathBuf> = entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| {
                let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
                name.starts_with(SNAPSHOT_PREFIX) && p.extension().and_then(|x| x.to_str()) == Some(SNAPSHOT_EXT)
            })
            .collect();
        files.sort();
        if files.is_empty() {
            return Err(bad(
                path,
                "no claim_*.snap snapshot files in this directory (expected snapshots/ or a results.json)",
            ));
        }
        let mut outcomes = Vec::new();
        for f in &files {
            outcomes.push(super::parse_snapshot(&read(f)?).map_err(|m| bad(f, m))?);
        }
        outcomes.iter_mut().for_each(relink);
        return Ok(Input { origin, kind: "snapshot directory", outcomes });
    }
    let text = read(path)?;
    if text.trim_start().starts_with("---") {
        let mut o = super::parse_snapshot(&text).map_err(|m| bad(path, m))?;
        relink(&mut o);
        return Ok(Input { origin, kind: "snapshot file", outcomes: vec![o] });
    }
    let v: serde_json::Value =
        serde_json::from_str(&text).map_err(|e| bad(path, format!("not JSON (a results.json or a snapshot): {e}")))?;
    let outs = v
        .get("outcomes")
        .ok_or_else(|| bad(path, "not a results.json: no \"outcomes\" array at the top level"))?
        .clone();
    let mut outcomes: Vec<Outcome> =
        serde_json::from_value(outs).map_err(|e| bad(path, format!("\"outcomes\" is not a list of outcomes: {e}")))?;
    outcomes.iter_mut().for_each(relink);
    let mut seen = BTreeSet::new();
    for o in &outcomes {
        if !seen.insert(o.claim.clone()) {
            return Err(bad(path, format!("claim {} appears twice in \"outcomes\"", o.claim)));
        }
    }
    Ok(Input { origin, kind: "results.json", outcomes })
}

/// A claim's verdict line in both inputs (only claims whose line changed are listed).
#[derive(Clone, Debug, Serialize)]
pub struct LineChange {
    pub claim: String,
    /// The claim's snapshot file (`snapshots/claim_<id>.snap`) when it is registered.
    pub snapshot: Option<String>,
    pub old: String,
    pub new: String,
}

/// A check whose verdict changed.
#[derive(Clone, Debug, Serialize)]
pub struct VerdictChange {
    pub claim: String,
    /// "Monte Carlo", "exact" or "search".
    pub layer: &'static str,
    /// The printed id (matched on; the stable key is not serialized).
    pub check: String,
    /// "claim", "control: …", "witness E-…", "repair E-…".
    pub role: String,
    pub old: String,
    pub new: String,
    /// A primary-role check: the change makes `diff` exit 1.
    pub gates: bool,
}

/// A Monte Carlo estimate that moved beyond its interval.
#[derive(Clone, Debug, Serialize)]
pub struct EstimateMove {
    pub claim: String,
    pub check: String,
    pub role: String,
    pub old_estimate: f64,
    pub old_ci: [f64; 2],
    pub new_estimate: f64,
    pub new_ci: [f64; 2],
    /// The new estimate lies outside the old interval.
    pub new_outside_old: bool,
    /// The old estimate lies outside the new interval.
    pub old_outside_new: bool,
}

/// An erratum whose status changed.
#[derive(Clone, Debug, Serialize)]
pub struct ErratumChange {
    pub claim: String,
    pub erratum: String,
    pub old: String,
    pub new: String,
}

/// A claim, check or erratum present in one input only.
#[derive(Clone, Debug, Serialize)]
pub struct Presence {
    pub claim: String,
    /// "claim", "Monte Carlo", "exact", "search" or "erratum".
    pub what: &'static str,
    pub id: String,
    pub role: String,
    /// "added" (only in NEW) or "removed" (only in OLD).
    pub change: &'static str,
    pub gates: bool,
}

/// One side's description.
#[derive(Clone, Debug, Serialize)]
pub struct Side {
    pub input: String,
    pub kind: &'static str,
    pub claims: usize,
    pub budgets: Vec<String>,
    pub seeds: Vec<u64>,
    pub overridden: bool,
}

impl Side {
    fn of(i: &Input) -> Side {
        let budgets: BTreeSet<String> = i.outcomes.iter().map(|o| o.budget.name().to_string()).collect();
        let seeds: BTreeSet<u64> = i.outcomes.iter().map(|o| o.seed).collect();
        Side {
            input: i.origin.clone(),
            kind: i.kind,
            claims: i.outcomes.len(),
            budgets: budgets.into_iter().collect(),
            seeds: seeds.into_iter().collect(),
            overridden: i.outcomes.iter().any(|o| o.overridden),
        }
    }
    fn line(&self) -> String {
        let seeds: Vec<String> = self.seeds.iter().map(|s| s.to_string()).collect();
        format!(
            "{} claim(s), budget {}, seed {}{}",
            self.claims,
            self.budgets.join("/"),
            seeds.join("/"),
            if self.overridden { ", overridden instance" } else { "" }
        )
    }
}

/// Everything that changed between two inputs.
#[derive(Clone, Debug, Serialize)]
pub struct Diff {
    pub old: Side,
    pub new: Side,
    pub lines: Vec<LineChange>,
    pub verdicts: Vec<VerdictChange>,
    pub estimates: Vec<EstimateMove>,
    pub errata: Vec<ErratumChange>,
    pub presence: Vec<Presence>,
    /// Changes of a primary verdict or an erratum status (and primary checks, errata or claims
    /// present in one input only).
    pub gating: usize,
}

/// One check of any layer, reduced to what the diff compares.
struct Row<'a> {
    layer: &'static str,
    id: String,
    role: &'a Role,
    verdict: String,
    mc: Option<&'a McCheck>,
}

fn search_verdict(c: &SearchCheck) -> String {
    // The result without its evaluation count, which changes with the budget.
    if c.worst_margin.is_none() {
        "no admissible point".into()
    } else if c.equality_by_rounding() {
        "equality (by rounding)".into()
    } else if c.violated() {
        "VIOLATED at an admissible point".into()
    } else {
        "no violation found".into()
    }
}

/// The checks of an outcome with their identity (layer, printed id and occurrence number).
fn rows(o: &Outcome) -> Vec<Row<'_>> {
    let mut v: Vec<Row> = Vec::new();
    for c in &o.mc {
        v.push(Row {
            layer: "Monte Carlo",
            id: c.id.clone(),
            role: &c.role,
            verdict: c.verdict.name().into(),
            mc: Some(c),
        });
    }
    for c in &o.exact {
        v.push(Row { layer: "exact", id: c.id.clone(), role: &c.role, verdict: c.result().into(), mc: None });
    }
    for c in &o.search {
        v.push(Row { layer: "search", id: c.id.clone(), role: &c.role, verdict: search_verdict(c), mc: None });
    }
    // A claim that prints an id twice: the second is "id (#2)".
    let mut seen: Vec<(&'static str, String)> = Vec::new();
    for r in &mut v {
        let k = seen.iter().filter(|(l, i)| *l == r.layer && *i == r.id).count();
        seen.push((r.layer, r.id.clone()));
        if k > 0 {
            r.id = format!("{} (#{})", r.id, k + 1);
        }
    }
    v
}

fn erratum_status(e: &crate::evidence::Erratum) -> String {
    format!("{} (grade {})", if e.witnessed { "witnessed" } else { "not witnessed" }, e.grade.label())
}

fn outside(x: f64, ci: [f64; 2]) -> bool {
    x.is_finite() && ci[0].is_finite() && ci[1].is_finite() && (x < ci[0] || x > ci[1])
}

/// Compare two inputs.
pub fn compare(old: &Input, new: &Input) -> Diff {
    let mut d = Diff {
        old: Side::of(old),
        new: Side::of(new),
        lines: Vec::new(),
        verdicts: Vec::new(),
        estimates: Vec::new(),
        errata: Vec::new(),
        presence: Vec::new(),
        gating: 0,
    };
    let role = |r: &Role| super::role_label(r);
    for o in &old.outcomes {
        if !new.outcomes.iter().any(|n| n.claim == o.claim) {
            d.presence.push(Presence {
                claim: o.claim.clone(),
                what: "claim",
                id: o.claim.clone(),
                role: String::new(),
                change: "removed",
                gates: true,
            });
        }
    }
    for n in &new.outcomes {
        let Some(o) = old.outcomes.iter().find(|o| o.claim == n.claim) else {
            d.presence.push(Presence {
                claim: n.claim.clone(),
                what: "claim",
                id: n.claim.clone(),
                role: String::new(),
                change: "added",
                gates: true,
            });
            continue;
        };
        let (lo, ln) = (o.summary().line(), n.summary().line());
        if lo != ln {
            let snapshot = crate::claims::find(&n.claim).ok().map(|c| c.snapshot_path());
            d.lines.push(LineChange { claim: n.claim.clone(), snapshot, old: lo, new: ln });
        }
        let (ro, rn) = (rows(o), rows(n));
        for a in &ro {
            match rn.iter().find(|b| b.layer == a.layer && b.id == a.id) {
                None => d.presence.push(Presence {
                    claim: n.claim.clone(),
                    what: a.layer,
                    id: a.id.clone(),
                    role: role(a.role),
                    change: "removed",
                    gates: *a.role == Role::Primary,
                }),
                Some(b) => {
                    if a.verdict != b.verdict || a.role != b.role {
                        let primary = *a.role == Role::Primary || *b.role == Role::Primary;
                        let (ra, rb) = (role(a.role), role(b.role));
                        let (old_v, new_v) = if ra == rb {
                            (a.verdict.clone(), b.verdict.clone())
                        } else {
                            (format!("{} ({ra})", a.verdict), format!("{} ({rb})", b.verdict))
                        };
                        d.verdicts.push(VerdictChange {
                            claim: n.claim.clone(),
                            layer: a.layer,
                            check: a.id.clone(),
                            role: rb,
                            old: old_v,
                            new: new_v,
                            gates: primary,
                        });
                    }
                    if let (Some(x), Some(y)) = (a.mc, b.mc) {
                        let (no, on) = (outside(y.estimate, x.ci), outside(x.estimate, y.ci));
                        if no || on {
                            d.estimates.push(EstimateMove {
                                claim: n.claim.clone(),
                                check: a.id.clone(),
                                role: role(b.role),
                                old_estimate: x.estimate,
                                old_ci: x.ci,
                                new_estimate: y.estimate,
                                new_ci: y.ci,
                                new_outside_old: no,
                                old_outside_new: on,
                            });
                        }
                    }
                }
            }
        }
        for b in rn.iter().filter(|b| !ro.iter().any(|a| a.layer == b.layer && a.id == b.id)) {
            d.presence.push(Presence {
                claim: n.claim.clone(),
                what: b.layer,
                id: b.id.clone(),
                role: role(b.role),
                change: "added",
                gates: *b.role == Role::Primary,
            });
        }
        for e in &o.errata {
            match n.erratum(&e.id) {
                None => d.presence.push(Presence {
                    claim: n.claim.clone(),
                    what: "erratum",
                    id: e.id.clone(),
                    role: erratum_status(e),
                    change: "removed",
                    gates: true,
                }),
                Some(f) => {
                    let (so, sn) = (erratum_status(e), erratum_status(f));
                    if so != sn {
                        d.errata.push(ErratumChange {
                            claim: n.claim.clone(),
                            erratum: e.id.clone(),
                            old: so,
                            new: sn,
                        });
                    }
                }
            }
        }
        for f in n.errata.iter().filter(|f| o.erratum(&f.id).is_none()) {
            d.presence.push(Presence {
                claim: n.claim.clone(),
                what: "erratum",
                id: f.id.clone(),
                role: erratum_status(f),
                change: "added",
                gates: true,
            });
        }
    }
    d.gating =
        d.verdicts.iter().filter(|v| v.gates).count() + d.errata.len() + d.presence.iter().filter(|p| p.gates).count();
    d
}

impl Diff {
    /// Nothing at all changed (verdict lines, verdicts, estimates, errata, checks).
    pub fn is_empty(&self) -> bool {
        self.lines.is_empty()
            && self.verdicts.is_empty()
            && self.estimates.is_empty()
            && self.errata.is_empty()
            && self.presence.is_empty()
    }
    /// The exit code: 0 when no primary verdict and no erratum status changed, 1 otherwise.
    pub fn exit_code(&self) -> i32 {
        i32::from(self.gating > 0)
    }
    /// The Markdown report.
    pub fn markdown(&self) -> String {
        let mut s = String::new();
        let yes = |g: bool| if g { "**yes**" } else { "no" };
        let _ = writeln!(s, "## shape-matters diff\n");
        let _ = writeln!(s, "| | old | new |\n|---|---|---|");
        let _ = writeln!(
            s,
            "| input | `{}` ({}) | `{}` ({}) |",
            self.old.input, self.old.kind, self.new.input, self.new.kind
        );
        let _ = writeln!(s, "| run | {} | {} |\n", self.old.line(), self.new.line());
        let _ = writeln!(
            s,
            "Checks are matched by claim and printed id (their stable key is not serialized), errata by SPEC id. \
             \"gates\": a primary verdict or an erratum status changed (exit 1).\n"
        );
        if !self.lines.is_empty() {
            let _ = writeln!(s, "### Claim verdict lines ({} changed)\n", self.lines.len());
            let _ = writeln!(s, "| claim | old | new |\n|---|---|---|");
            for l in &self.lines {
                let _ = writeln!(s, "| {} | {} | {} |", l.claim, cell(&l.old), cell(&l.new));
            }
            s.push('\n');
        }
        if !self.verdicts.is_empty() {
            let _ = writeln!(s, "### Verdict changes ({})\n", self.verdicts.len());
            let _ = writeln!(s, "| claim | layer | check | role | old | new | gates |\n|---|---|---|---|---|---|---|");
            for v in &self.verdicts {
                let _ = writeln!(
                    s,
                    "| {} | {} | {} | {} | {} | {} | {} |",
                    v.claim,
                    v.layer,
                    cell(&v.check),
                    cell(&v.role),
                    cell(&v.old),
                    cell(&v.new),
                    yes(v.gates)
                );
            }
            s.push('\n');
        }
        if !self.estimates.is_empty() {
            let _ = writeln!(s, "### Estimates beyond their intervals ({})\n", self.estimates.len());
            let _ = writeln!(
                s,
                "| claim | check | role | old [99% CI] | new [99% CI] | moved |\n|---|---|---|---|---|---|"
            );
            for e in &self.estimates {
                let moved = match (e.new_outside_old, e.old_outside_new) {
                    (true, true) => "each outside the other's interval",
                    (true, false) => "new outside the old interval",
                    _ => "old outside the new interval",
                };
                let _ = writeln!(
                    s,
                    "| {} | {} | {} | {} [{}, {}] | {} [{}, {}] | {moved} |",
                    e.claim,
                    cell(&e.check),
                    cell(&e.role),
                    fmt(e.old_estimate),
                    fmt(e.old_ci[0]),
                    fmt(e.old_ci[1]),
                    fmt(e.new_estimate),
                    fmt(e.new_ci[0]),
                    fmt(e.new_ci[1])
                );
            }
            s.push('\n');
        }
        if !self.errata.is_empty() {
            let _ = writeln!(s, "### Errata ({} changed)\n", self.errata.len());
            let _ = writeln!(s, "| claim | erratum | old | new | gates |\n|---|---|---|---|---|");
            for e in &self.errata {
                let _ = writeln!(s, "| {} | {} | {} | {} | {} |", e.claim, e.erratum, e.old, e.new, yes(true));
            }
            s.push('\n');
        }
        if !self.presence.is_empty() {
            let _ = writeln!(s, "### Added and removed ({})\n", self.presence.len());
            let _ = writeln!(s, "| claim | what | id | role / status | change | gates |\n|---|---|---|---|---|---|");
            for p in &self.presence {
                let _ = writeln!(
                    s,
                    "| {} | {} | {} | {} | {} | {} |",
                    p.claim,
                    p.what,
                    cell(&p.id),
                    cell(&p.role),
                    p.change,
                    yes(p.gates)
                );
            }
            s.push('\n');
        }
        if self.is_empty() {
            let _ = writeln!(s, "No change: the same verdicts, verdict lines, estimates, errata and checks (exit 0).");
        } else if self.gating == 0 {
            let _ = writeln!(s, "No primary verdict and no erratum status changed (exit 0).");
        } else {
            let _ = writeln!(s, "**{} change(s) of a primary verdict or an erratum status (exit 1).**", self.gating);
        }
        s
    }
}
