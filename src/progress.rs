//! Progress of a run over claims, on stderr: on a terminal, an indicatif bar over the claims
//! (weighted by [`cost`], with an ETA) above the current claim's chain bars that the
//! [`Runner`](crate::engine::runner::Runner) draws; otherwise one line when a claim starts and one
//! when it ends; nothing with `--quiet`.

use std::io::IsTerminal as _;
use std::sync::Mutex;
use std::time::Instant;

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::claim::Claim;

/// Relative cost of each claim: its wall time in seconds (rounded, at least 1) in one default-budget
/// run, seed 2021, on the project's 2-core machine while other jobs shared it (1419 s in all). It
/// only weights the overall bar's ETA; a claim missing here weighs [`UNKNOWN_COST`].
const COST: [(&str, f64); 24] = [
    ("warmup", 7.0),
    ("G.1", 4.0),
    ("G.2", 11.0),
    ("B.2", 120.0),
    ("3.2", 20.0),
    ("B.4", 37.0),
    ("3.1", 87.0),
    ("G.3", 1.0),
    ("G.4", 1.0),
    ("C.2", 103.0),
    ("C.3", 14.0),
    ("C.4", 44.0),
    ("C.5", 184.0),
    ("C.7", 72.0),
    ("3.3", 11.0),
    ("D.1", 69.0),
    ("D.3", 57.0),
    ("D.4", 23.0),
    ("D.5", 31.0),
    ("D.6", 54.0),
    ("2.1", 41.0),
    ("F.1", 320.0),
    ("2.2", 66.0),
    ("fig1", 43.0),
];
/// Weight of a claim not in [`COST`].
const UNKNOWN_COST: f64 = 30.0;
/// Redraw interval of the overall bar.
const TICK: std::time::Duration = std::time::Duration::from_millis(500);
/// Bar units per cost second (the bar counts integers).
const UNITS: f64 = 100.0;

/// The ETA weight of the claim `id`.
pub fn cost(id: &str) -> f64 {
    COST.iter().find(|(c, _)| *c == id).map(|(_, w)| *w).unwrap_or(UNKNOWN_COST)
}

/// The multi-bar display of the running [`ClaimProgress`], if any: the Runner's chain bars join it
/// ([`attach`]) so the two kinds of bars share the terminal without overwriting each other.
static ACTIVE: Mutex<Option<MultiProgress>> = Mutex::new(None);

/// `bar` drawn inside the running claim progress display when there is one, else as it is.
pub fn attach(bar: ProgressBar) -> ProgressBar {
    match ACTIVE.lock().ok().and_then(|m| m.clone()) {
        Some(m) => m.add(bar),
        None => bar,
    }
}

enum Mode {
    Quiet,
    Lines,
    Bars { multi: MultiProgress, overall: ProgressBar },
}

/// Progress over the claims of a run.
pub struct ClaimProgress {
    mode: Mode,
    total: usize,
    done: usize,
    started: Option<Instant>,
}

impl ClaimProgress {
    /// Bars when stderr is a terminal, lines when it is not, nothing when `quiet`.
    pub fn new(claims: &[&Claim], quiet: bool) -> ClaimProgress {
        let mode = if quiet {
            Mode::Quiet
        } else if std::io::stderr().is_terminal() {
            Self::bars(claims)
        } else {
            Mode::Lines
        };
        ClaimProgress { mode, total: claims.len(), done: 0, started: None }
    }

    fn bars(claims: &[&Claim]) -> Mode {
        let multi = MultiProgress::with_draw_target(ProgressDrawTarget::stderr());
        let units: f64 = claims.iter().map(|c| cost(c.id) * UNITS).sum();
        let overall = multi.add(ProgressBar::new(units.round() as u64));
        overall.set_style(
            ProgressStyle::with_template("{prefix:>14} [{bar:30}] ({elapsed}, eta {eta}) {wide_msg}")
                .unwrap_or_else(|_| ProgressStyle::default_bar())
                .progress_chars("=> "),
        );
        overall.set_prefix(format!("claims 0/{}", claims.len()));
        // Redraw on a timer, so the elapsed time and the ETA move while a claim runs.
        overall.enable_steady_tick(TICK);
        if let Ok(mut a) = ACTIVE.lock() {
            *a = Some(multi.clone());
        }
        Mode::Bars { multi, overall }
    }

    /// Claim `c` starts.
    pub fn start(&mut self, c: &Claim) {
        self.started = Some(Instant::now());
        match &self.mode {
            Mode::Quiet => {}
            Mode::Lines => eprintln!("running {} — {}", c.id, c.title),
            Mode::Bars { overall, .. } => overall.set_message(format!("{} — {}", c.id, c.title)),
        }
    }

    /// Claim `c` ended.
    pub fn finish(&mut self, c: &Claim) {
        self.done += 1;
        let secs = self.started.take().map(|t| t.elapsed().as_secs_f64()).unwrap_or(0.0);
        let line = format!("done {} in {secs:.1} s ({}/{})", c.id, self.done, self.total);
        match &self.mode {
            Mode::Quiet => {}
            Mode::Lines => eprintln!("{line}"),
            Mode::Bars { multi, overall } => {
                let _ = multi.println(line);
                overall.inc((cost(c.id) * UNITS).round() as u64);
                overall.set_prefix(format!("claims {}/{}", self.done, self.total));
            }
        }
    }
}

impl Drop for ClaimProgress {
    /// Clear the bars and detach the Runner's bars from them.
    fn drop(&mut self) {
        if let Mode::Bars { overall, .. } = &self.mode {
            overall.finish_and_clear();
            if let Ok(mut a) = ACTIVE.lock() {
                *a = None;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_registered_claim_has_a_cost() {
        let ids: Vec<&str> = crate::claims::all().iter().map(|c| c.id).collect();
        let known: Vec<&str> = COST.iter().map(|(c, _)| *c).collect();
        assert_eq!(ids, known, "progress::COST must list the registry's claims in order");
        assert!(COST.iter().all(|(_, w)| *w > 0.0));
        assert_eq!(cost("no such claim"), UNKNOWN_COST);
    }

    #[test]
    fn attach_without_a_display_keeps_the_bar() {
        let b = attach(ProgressBar::hidden());
        assert!(b.is_hidden());
    }
}
