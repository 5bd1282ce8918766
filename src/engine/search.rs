//! A seeded, deterministic minimizer over the unit box `[0, 1]^m`: Nelder–Mead (argmin) from
//! random starts, with the box as the admissible set's chart.
//!
//! The caller maps a point `θ ∈ [0, 1]^m` to an admissible instance (state, data, constants) and
//! returns its exact scaled margin, or `None` when the realised instance fails its hypotheses
//! audit. This module knows nothing about the paper: it minimizes a function of `θ`.
//!
//! # Formula
//! The projection onto the box is the clamp `π(θ)_j = min(1, max(0, θ_j))`; Nelder–Mead
//! minimizes `f(π(θ)) + P‖θ − π(θ)‖²` (`P` = [`OUTSIDE_PENALTY`]) so its simplex is pushed back
//! into the box while the value on the boundary is that of the projected point. A point whose
//! instance is inadmissible, or whose margin is not finite, costs [`INADMISSIBLE_COST`] and is
//! counted. Each restart `j` draws its start from the stream `(seed, claim, purpose, j)`, runs
//! Nelder–Mead from the simplex `{θ0, θ0 ± h e_i}` (`h` = [`START_STEP`], sign chosen to stay in the
//! box), then a compass search (each coordinate tried at both box ends and `± h`, `h` halving
//! over [`COMPASS_SWEEPS`] sweeps), then Nelder–Mead and the compass once more from the best point
//! with step `h/10` (a polish). The best point over all
//! evaluations (not only simplex vertices) is kept; restarts run in parallel and are reduced in
//! index order (ties to the lower index), so the result is the same on every thread count.

use std::cell::Cell;

use argmin::core::{CostFunction, Executor};
use argmin::solver::neldermead::NelderMead;

use super::rng::{Stream, uniform01};
use super::runner::Runner;

/// Weight of the squared distance outside the box (larger than any scaled margin the searches see,
/// so a vertex outside the box is never preferred to its projection).
pub const OUTSIDE_PENALTY: f64 = 1e6;
/// Cost of an inadmissible or non-finite point (finite, so the simplex can be ordered).
pub const INADMISSIBLE_COST: f64 = 1e30;
/// Initial simplex edge in the unit box.
pub const START_STEP: f64 = 0.25;

/// How much to search: tiers of `(restarts, iters)`: restart `j` (numbered across the tiers) runs
/// at most the `iters` Nelder–Mead iterations of its tier (half for the first run, half for the
/// polish) from the start drawn from stream `j`. A larger budget repeats the smaller budget's
/// tiers and adds its own, so its search contains the smaller one's restarts bit for bit: the
/// worst margin found can only get worse (more negative) as the budget grows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SearchPlan {
    pub tiers: &'static [(usize, u64)],
}

impl SearchPlan {
    /// Restarts in all.
    pub fn restarts(&self) -> usize {
        self.tiers.iter().map(|t| t.0).sum()
    }
    /// The iterations of restart `j`.
    pub fn iters_of(&self, j: usize) -> u64 {
        let mut left = j;
        for &(n, iters) in self.tiers {
            if left < n {
                return iters;
            }
            left -= n;
        }
        0
    }
}

/// The result of a search.
#[derive(Clone, Debug, PartialEq)]
pub struct Found {
    /// The best point (in the box), if any evaluation was admissible.
    pub theta: Option<Vec<f64>>,
    /// Its value (the scaled margin).
    pub value: f64,
    /// The restart that found it.
    pub restart: usize,
    /// Objective evaluations in all.
    pub evaluations: u64,
    /// Evaluations at inadmissible or non-finite points.
    pub inadmissible: u64,
}

/// The clamp of `θ` into `[0, 1]^m` (the projection onto the box).
pub fn project(theta: &[f64]) -> Vec<f64> {
    theta.iter().map(|&t| if t.is_nan() { 0.5 } else { t.clamp(0.0, 1.0) }).collect()
}

struct Objective<'a> {
    f: &'a (dyn Fn(&[f64]) -> Option<f64> + Sync),
    evaluations: Cell<u64>,
    inadmissible: Cell<u64>,
    best: Cell<f64>,
    best_theta: std::cell::RefCell<Option<Vec<f64>>>,
}

impl Objective<'_> {
    fn eval(&self, theta: &[f64]) -> f64 {
        let p = project(theta);
        let out: f64 = theta.iter().zip(&p).map(|(a, b)| if a.is_nan() { 1.0 } else { (a - b) * (a - b) }).sum();
        self.evaluations.set(self.evaluations.get() + 1);
        let v = match (self.f)(&p) {
            Some(v) if v.is_finite() => v,
            _ => {
                self.inadmissible.set(self.inadmissible.get() + 1);
                return INADMISSIBLE_COST;
            }
        };
        if v < self.best.get() || self.best_theta.borrow().is_none() {
            self.best.set(v);
            *self.best_theta.borrow_mut() = Some(p);
        }
        v + OUTSIDE_PENALTY * out
    }
}

/// The simplex `{θ0, θ0 ± h e_i}` inside the box.
fn simplex(theta0: &[f64], h: f64) -> Vec<Vec<f64>> {
    let mut s = vec![theta0.to_vec()];
    for i in 0..theta0.len() {
        let mut t = theta0.to_vec();
        t[i] = if t[i] + h <= 1.0 { t[i] + h } else { t[i] - h };
        s.push(t);
    }
    s
}

/// One Nelder–Mead run of at most `iters` iterations from `theta0` with edge `h`.
fn nelder_mead(obj: &Objective<'_>, theta0: &[f64], h: f64, iters: u64) {
    if theta0.is_empty() {
        obj.eval(theta0);
        return;
    }
    let solver = match NelderMead::new(simplex(theta0, h)).with_sd_tolerance(1e-14) {
        Ok(s) => s,
        Err(_) => return,
    };
    // The cost never errs (it returns a finite penalty), so neither does the run; a failure would
    // leave the best point found so far, which is all the search reports.
    let _ = Executor::new(obj, solver).configure(|st| st.max_iters(iters)).run();
}

impl CostFunction for &Objective<'_> {
    type Param = Vec<f64>;
    type Output = f64;
    fn cost(&self, p: &Self::Param) -> Result<f64, argmin::core::Error> {
        Ok(self.eval(p))
    }
}

/// A compass (pattern) search from the best point so far: each sweep tries, coordinate by
/// coordinate, the two box ends and `θ_i ± h`, keeping any improvement; `h` halves every sweep.
/// It moves the many nuisance coordinates of a chart to the box corners that Nelder–Mead in high
/// dimension reaches slowly.
fn compass(obj: &Objective<'_>, sweeps: usize, h0: f64) {
    let Some(mut best) = obj.best_theta.borrow().clone() else { return };
    let mut value = obj.best.get();
    let mut h = h0;
    for _ in 0..sweeps {
        for i in 0..best.len() {
            for cand in [0.0, 1.0, best[i] - h, best[i] + h] {
                if !(0.0..=1.0).contains(&cand) || cand == best[i] {
                    continue;
                }
                let mut t = best.clone();
                t[i] = cand;
                let v = obj.eval(&t);
                if v < value {
                    value = v;
                    best = t;
                }
            }
        }
        h *= 0.5;
    }
}

/// Compass sweeps after each Nelder–Mead run.
pub const COMPASS_SWEEPS: usize = 3;

/// Minimize `f` over `[0, 1]^dim` with `plan.restarts` seeded random starts; `start(j)` is the
/// stream of restart `j`.
pub fn minimize(
    runner: &Runner,
    label: &str,
    dim: usize,
    plan: SearchPlan,
    start: &(dyn Fn(usize) -> Stream + Sync),
    f: &(dyn Fn(&[f64]) -> Option<f64> + Sync),
) -> Found {
    let per: Vec<(Option<Vec<f64>>, f64, u64, u64)> = runner.map(label, plan.restarts().max(1), |j| {
        let iters = plan.iters_of(j);
        let mut rng = start(j);
        let theta0: Vec<f64> = (0..dim).map(|_| uniform01(&mut rng)).collect();
        let obj = Objective {
            f,
            evaluations: Cell::new(0),
            inadmissible: Cell::new(0),
            best: Cell::new(f64::INFINITY),
            best_theta: std::cell::RefCell::new(None),
        };
        let first = iters.div_ceil(2);
        nelder_mead(&obj, &theta0, START_STEP, first);
        compass(&obj, COMPASS_SWEEPS, START_STEP);
        let polish_from = obj.best_theta.borrow().clone().unwrap_or(theta0);
        nelder_mead(&obj, &polish_from, START_STEP / 10.0, iters - first);
        compass(&obj, COMPASS_SWEEPS, START_STEP / 10.0);
        (obj.best_theta.into_inner(), obj.best.get(), obj.evaluations.get(), obj.inadmissible.get())
    });
    let mut found = Found { theta: None, value: f64::INFINITY, restart: 0, evaluations: 0, inadmissible: 0 };
    for (j, (theta, value, evals, bad)) in per.into_iter().enumerate() {
        found.evaluations += evals;
        found.inadmissible += bad;
        if theta.is_some() && (found.theta.is_none() || value < found.value) {
            found.theta = theta;
            found.value = value;
            found.restart = j;
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::rng::stream;

    fn run(f: &(dyn Fn(&[f64]) -> Option<f64> + Sync), dim: usize, threads: usize) -> Found {
        let runner = Runner::new(Some(threads), false).expect("runner");
        let plan = SearchPlan { tiers: &[(4, 200), (2, 100)] };
        minimize(&runner, "test", dim, plan, &|j| stream(7, "test", "search", j as u64), f)
    }

    #[test]
    fn finds_a_corner_minimum_and_is_thread_count_invariant() {
        // Minimum on the boundary: f = (θ0 − 1)² + θ1, at (1, 0).
        let f = |t: &[f64]| Some((t[0] - 1.0) * (t[0] - 1.0) + t[1]);
        let a = run(&f, 2, 1);
        let b = run(&f, 2, 2);
        assert_eq!(a, b);
        let t = a.theta.clone().expect("found");
        assert!(a.value < 1e-8 && t[0] > 1.0 - 1e-4 && t[1] < 1e-8, "{a:?}");
        assert!(a.evaluations > 100);
    }

    #[test]
    fn a_larger_plan_contains_the_smaller_one() {
        let f = |t: &[f64]| Some((t[0] - 0.3).abs() + (t[1] - 0.7).abs() + (5.0 * t[2]).sin());
        let runner = Runner::new(Some(2), false).expect("runner");
        let small = SearchPlan { tiers: &[(3, 50)] };
        let large = SearchPlan { tiers: &[(3, 50), (3, 400)] };
        let st = |j: usize| stream(7, "test", "search", j as u64);
        let a = minimize(&runner, "t", 3, small, &st, &f);
        let b = minimize(&runner, "t", 3, large, &st, &f);
        assert!(b.value <= a.value && b.evaluations > a.evaluations);
        assert_eq!(large.iters_of(4), 400);
        assert_eq!(large.restarts(), 6);
    }

    #[test]
    fn inadmissible_points_are_counted_and_never_returned() {
        let f = |t: &[f64]| if t[0] < 0.5 { None } else { Some(t[0]) };
        let a = run(&f, 1, 1);
        assert!(a.inadmissible > 0);
        let t = a.theta.clone().expect("found");
        assert!(t[0] >= 0.5 && a.value >= 0.5);
    }
}
