//! Learning-rate schedules as data: piecewise-constant phases.

use serde::{Deserialize, Serialize};

use crate::error::{Result, check};

/// One phase: `steps` steps at step size `eta`.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Phase {
    pub steps: u64,
    pub eta: f64,
}

/// A piecewise-constant schedule `η[0:T]`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Schedule {
    phases: Vec<Phase>,
}

impl Schedule {
    /// Validated schedule from phases (every `eta` finite and > 0).
    pub fn new(phases: Vec<Phase>) -> Result<Schedule> {
        for p in &phases {
            check::positive("eta", p.eta)?;
        }
        Ok(Schedule { phases })
    }
    /// `T` steps at constant `eta`.
    pub fn constant(eta: f64, steps: u64) -> Result<Schedule> {
        Self::new(vec![Phase { steps, eta }])
    }
    /// `lr` divided by `factor` at each iteration in `decay_at` (as in the authors' script:
    /// `lr /= 10` at iterations 1e5 and 2e5), `total` steps in all.
    pub fn step_decay(lr: f64, decay_at: &[u64], factor: f64, total: u64) -> Result<Schedule> {
        check::positive("lr", lr)?;
        check::positive("lr decay factor", factor)?;
        let mut phases = Vec::new();
        let mut start = 0;
        let mut eta = lr;
        let mut cuts: Vec<u64> = decay_at.iter().copied().filter(|&c| c < total).collect();
        cuts.sort_unstable();
        for c in cuts {
            if c > start {
                phases.push(Phase { steps: c - start, eta });
            }
            start = c;
            eta /= factor;
        }
        if total > start {
            phases.push(Phase { steps: total - start, eta });
        }
        Self::new(phases)
    }
    /// The phases.
    pub fn phases(&self) -> &[Phase] {
        &self.phases
    }
    /// Total number of steps `T`.
    pub fn total_steps(&self) -> u64 {
        self.phases.iter().map(|p| p.steps).sum()
    }
    /// Step size at step `t` (0-based); the last phase's value past the end.
    pub fn eta_at(&self, t: u64) -> f64 {
        let mut acc = 0;
        for p in &self.phases {
            acc += p.steps;
            if t < acc {
                return p.eta;
            }
        }
        self.phases.last().map(|p| p.eta).unwrap_or(0.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn step_decay_matches_the_authors_script() {
        let s = Schedule::step_decay(0.01, &[100_000, 200_000], 10.0, 300_000).unwrap();
        assert_eq!(s.total_steps(), 300_000);
        assert_eq!(s.eta_at(99_999), 0.01);
        assert!((s.eta_at(100_000) - 0.001).abs() < 1e-18);
        assert!((s.eta_at(299_999) - 0.0001).abs() < 1e-18);
        assert!(Schedule::constant(-1.0, 5).unwrap_err().to_string().contains("eta"));
    }
}
