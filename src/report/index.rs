//! The report in layers: `README.md`, an index a reviewer reads in minutes (run line and status,
//! the verdict table, the errata table, the key figures, one line per claim), and one page per
//! claim, `claims/<id>.md`, holding that claim's full section.

use std::fmt::Write as _;

use super::json::{RunSummary, summary};
use super::{RunMeta, WITNESS_DIR, section};
use crate::evidence::{Outcome, Role};
use crate::numfmt::cell;

/// The index file of the report directory.
pub const INDEX_FILE: &str = "README.md";
/// The folder of the claim pages.
pub const CLAIMS_DIR: &str = "claims";
/// The figures the index embeds, with a heading each (the other figures are linked). A figure of
/// a claim that was not run is left out.
pub const KEY_FIGURES: [(&str, &str); 5] = [
    ("fig1_test_error.svg", "Figure 1 (right): test error of GD, minibatch SGD, label noise and Gaussian noise"),
    ("fig1_label_noise.svg", "Figure 1: the experiment's label noise beside Algorithm 1"),
    ("thm22_z_r_growth.svg", "Theorem 2.2: growth of the truncated partition function Z_R"),
    ("thm22_langevin_vs_alg1.svg", "Theorem 2.2: Langevin dynamics vs Algorithm 1"),
    ("t2_1_tau_sweep.svg", "Theorem 2.1: test error vs the initialization scale τ"),
];
/// Longest finding shown in the index's errata table (characters; the claim page has it all).
const FINDING_CHARS: usize = 220;

/// The file name of a claim's page: the id with every character other than ASCII letters,
/// digits, `.`, `-` and `_` replaced by `_` (`C.2` → `C.2.md`, `fig1` → `fig1.md`).
pub fn page_file(id: &str) -> String {
    let safe: String =
        id.chars().map(|c| if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') { c } else { '_' }).collect();
    format!("{}.md", safe.trim_start_matches('.'))
}

/// A claim page's path relative to the report directory (`claims/C.2.md`).
pub fn page_path(id: &str) -> String {
    format!("{CLAIMS_DIR}/{}", page_file(id))
}

/// Markdown link text with its brackets escaped.
fn alt(s: &str) -> String {
    cell(s).replace('[', "\\[").replace(']', "\\]")
}

/// The first sentence of `s` (up to ". "), cut at a word boundary to at most `max` characters.
fn one_line(s: &str, max: usize) -> String {
    let s = s.split_once(". ").map(|(a, _)| a).unwrap_or(s).trim_end_matches('.');
    if s.chars().count() <= max {
        return s.to_string();
    }
    let cut: String = s.chars().take(max).collect();
    if s.chars().nth(max) == Some(' ') {
        return format!("{cut} …");
    }
    let cut = cut.rsplit_once(' ').map(|(a, _)| a).unwrap_or(&cut);
    format!("{cut} …")
}

fn run_line(meta: &RunMeta, sum: &RunSummary) -> String {
    format!(
        "Budget `{}`, seed {}, {} threads, family-wise α = {} (Holm over the {} Monte Carlo p-values of this run), \
         shape-matters {}; run {} → {}{}.",
        meta.budget,
        meta.seed,
        meta.threads,
        meta.family_alpha,
        sum.monte_carlo.holm_family,
        meta.version,
        meta.started,
        meta.finished,
        if meta.complete { "" } else { " (incomplete)" }
    )
}

/// One claim's page, `claims/<id>.md`: a link back to the index, the run line and the claim's full
/// section (figure links relative to the page).
pub fn claim_page(o: &Outcome, meta: &RunMeta) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "[← report index](../{INDEX_FILE}) · budget `{}`, seed {}, family-wise α = {} (Holm over the whole run) · \
         shape-matters {}\n",
        meta.budget, meta.seed, meta.family_alpha, meta.version
    );
    s.push_str(&section(o, "../"));
    s
}

/// The index, `README.md`.
pub fn index(outcomes: &[Outcome], meta: &RunMeta) -> String {
    let sum = summary(outcomes, meta.family_alpha);
    let mut s = String::new();
    let _ = writeln!(s, "# shape-matters report\n");
    let _ = writeln!(s, "{}\n", run_line(meta, &sum));
    let st = &sum.status;
    let _ = writeln!(s, "**Exit status {}**: {}.\n", st.exit_code, st.meaning);
    for r in &st.reasons {
        let _ = writeln!(s, "- {}", cell(r));
    }
    if !st.reasons.is_empty() {
        let _ = writeln!(s);
    }
    let witnesses: usize = outcomes.iter().map(|o| o.search.iter().filter(|c| c.witness.is_some()).count()).sum();
    let _ = writeln!(
        s,
        "This page is the index. Each claim's full evidence (hypotheses audits, exact checks, searches, Monte Carlo \
         checks, controls, errata, tables, figures) is on its page under `{CLAIMS_DIR}/`; [report.md](report.md) \
         holds every page in one file and [results.json](results.json) every number, its `summary` object first.{}\n",
        if witnesses > 0 {
            format!(
                " The {witnesses} search witnesses are in `{WITNESS_DIR}/` (re-verify them with \
                 `shape-matters witness {WITNESS_DIR}/*.json`)."
            )
        } else {
            String::new()
        }
    );

    let _ = writeln!(s, "## Verdicts\n");
    let _ = writeln!(
        s,
        "*Statement checked*: literal (every hypothesis holds, audited in code), designed (the same on designed \
         data), practical (some hypothesis fails: an extrapolation), supporting (only facts the proof relies on), \
         exact (no Monte Carlo). The verdict counts the counted primary checks per class; errata are counted by \
         grade (S statement contradicted, P proof step fails, R rests on a reconstruction or a chosen threshold).\n"
    );
    let _ = writeln!(s, "| claim | statement checked | verdict | errata | status |\n|---|---|---|---|---|");
    for (o, c) in outcomes.iter().zip(&sum.claims) {
        let status = if !c.counts.invalid.is_empty() {
            "**INVALID**".to_string()
        } else {
            let un = o.unexpected();
            if un.is_empty() { "ok".to_string() } else { format!("**{} unexpected**", un.len()) }
        };
        let _ = writeln!(
            s,
            "| [{}]({}) {} | {} | {} | {} | {} |",
            c.claim,
            c.page,
            cell(&c.title),
            c.classes,
            cell(&c.verdict),
            if c.counts.errata.any() { c.counts.errata.line() } else { "–".into() },
            status
        );
    }
    let _ = writeln!(s);

    let errata: Vec<(&Outcome, &crate::evidence::Erratum)> =
        outcomes.iter().flat_map(|o| o.errata.iter().map(move |e| (o, e))).collect();
    if !errata.is_empty() {
        let e = &sum.errata;
        let _ = writeln!(s, "## Errata\n");
        let _ = writeln!(
            s,
            "{} errata, {} witnessed by a failing check (S {}/{}, P {}/{}, R {}/{} witnessed).\n",
            e.total,
            e.witnessed,
            e.s.witnessed,
            e.s.witnessed + e.s.not_witnessed,
            e.p.witnessed,
            e.p.witnessed + e.p.not_witnessed,
            e.r.witnessed,
            e.r.witnessed + e.r.not_witnessed
        );
        let _ = writeln!(s, "| erratum | claim | grade | witnessed | where | finding |\n|---|---|---|---|---|---|");
        for (o, e) in errata {
            let _ = writeln!(
                s,
                "| {} | [{}]({}) | {} | {} | {} | {} |",
                e.id,
                o.claim,
                page_path(&o.claim),
                e.grade.label(),
                if e.witnessed { "yes" } else { "**no**" },
                cell(&e.location),
                cell(&one_line(&e.finding, FINDING_CHARS))
            );
        }
        let _ = writeln!(s);
    }

    let figures: Vec<(&Outcome, &crate::evidence::Figure)> =
        outcomes.iter().flat_map(|o| o.figures.iter().map(move |f| (o, f))).collect();
    if !figures.is_empty() {
        let _ = writeln!(s, "## Key figures\n");
        for (file, heading) in KEY_FIGURES {
            if let Some((o, f)) = figures.iter().find(|(_, f)| f.file == file) {
                let _ = writeln!(s, "### {heading}\n");
                let _ = writeln!(s, "![{}]({})\n", alt(&f.caption), f.file);
                let _ = writeln!(s, "{} ([{}]({}))\n", cell(&f.caption), o.claim, page_path(&o.claim));
            }
        }
        let others: Vec<_> = figures.iter().filter(|(_, f)| !KEY_FIGURES.iter().any(|(k, _)| *k == f.file)).collect();
        if !others.is_empty() {
            let _ = writeln!(s, "Other figures:\n");
            for (o, f) in others {
                let _ = writeln!(s, "- [{}]({}) ({}): {}", f.file, f.file, o.claim, cell(&f.caption));
            }
            let _ = writeln!(s);
        }
    }

    let _ = writeln!(s, "## Claim pages\n");
    for o in outcomes {
        let count = |n: usize, one: &str, many: &str| match n {
            0 => None,
            1 => Some(format!("1 {one}")),
            _ => Some(format!("{n} {many}")),
        };
        let parts: Vec<String> = [
            count(o.audits.len(), "hypotheses audit", "hypotheses audits"),
            count(o.exact.len(), "exact check", "exact checks"),
            count(o.search.len(), "search", "searches"),
            count(o.mc.iter().filter(|c| c.role == Role::Primary).count(), "Monte Carlo check", "Monte Carlo checks"),
            count(o.errata.len(), "erratum", "errata"),
            count(o.figures.len(), "figure", "figures"),
        ]
        .into_iter()
        .flatten()
        .collect();
        let _ = writeln!(s, "- [{} — {}]({}): {}", o.claim, alt(&o.title), page_path(&o.claim), parts.join(", "));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_files_are_safe() {
        assert_eq!(page_file("C.2"), "C.2.md");
        assert_eq!(page_file("fig1"), "fig1.md");
        assert_eq!(page_file("a/b c"), "a_b_c.md");
        assert_eq!(page_file("../x"), "_x.md");
        assert_eq!(page_path("3.1"), "claims/3.1.md");
    }

    #[test]
    fn findings_shrink_to_one_line() {
        assert_eq!(one_line("First part. Second part.", 100), "First part");
        assert_eq!(one_line("a b c d e f", 5), "a b c …");
    }
}
