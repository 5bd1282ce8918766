//! The fused Algorithm-1 batch driver behind [`super::run_chains_with`]: up to
//! [`super::INTERLEAVE`] chains per kernel call, the update of step `t` and the residual of step
//! `t + 1` (and the stop set's norm) in one sweep, the whole step loop compiled once per kernel
//! path ([`kernels::with_lanes`]).

use super::{ChainEnd, INTERLEAVE, Observer, StopSet, finished, notify};
use crate::engine::dynamics::{alg1_coef, alg1_draw};
use crate::engine::kernels::{self, Lane8, Path};
use crate::engine::lanes::{F8, PVec, blocks_for};
use crate::engine::model::Problem;
use crate::engine::rng::Stream;
use crate::engine::schedule::Schedule;

/// `$go!(k)` for the group length `$len = k ∈ 1..=INTERLEAVE` as a literal (the kernels take the
/// group size as a const generic).
macro_rules! by_group_len {
    ($len:expr, $go:ident) => {
        match $len {
            1 => $go!(1),
            2 => $go!(2),
            3 => $go!(3),
            4 => $go!(4),
            l => unreachable!("group of {l} > INTERLEAVE"),
        }
    };
}
const _: () = assert!(INTERLEAVE == 4, "by_group_len! has an arm for every group length 1..=INTERLEAVE");

/// `max_k |x_k − c|` ignoring NaN terms, `0` for none: exactly `Problem::support_max` (`c = 0`)
/// and `Problem::support_dist_inf` (`c = 1`), whose `fold(0.0, f64::max)` keeps the larger of
/// two numbers and drops a NaN — the maximum of a set of non-negative numbers does not depend on
/// the order, so this branchy loop (cheaper than `f64::max`'s NaN handling) gives the same value.
#[inline(always)]
fn max_abs_ignoring_nan(xs: &[f64], c: f64) -> f64 {
    let mut m = 0.0f64;
    for &x in xs {
        let a = (x - c).abs();
        if a > m {
            m = a;
        }
    }
    m
}

/// One live Algorithm-1 chain of a batch: its position in the batch, state, stream, observer, the
/// outcome `(i, s)` of its pending step and that step's residual `r = ⟨e(v), x^(i)⟩`.
pub(super) struct Chain<'a, O> {
    v: PVec,
    rng: &'a mut Stream,
    obs: &'a mut O,
    i: usize,
    s: f64,
    r: f64,
    /// Left `G` at the current step (removed at the end of the step).
    out: bool,
}

impl<'a, O> Chain<'a, O> {
    /// A chain at its start `v` (its first outcome is drawn by the driver).
    pub(super) fn new(v: PVec, rng: &'a mut Stream, obs: &'a mut O) -> Self {
        Chain { v, rng, obs, i: 0, s: 0.0, r: 0.0, out: false }
    }
}

/// The fused Algorithm-1 loop for a batch of chains.
pub(super) struct Alg1Driver<'a> {
    path: Path,
    p: &'a Problem,
    w: *const F8,
    nbw: usize,
    nb: usize,
    delta: f64,
    grad_sign: f64,
    schedule: &'a Schedule,
    stop: StopSet,
}

/// The arguments of one [`Alg1Driver::run`], as a [`kernels::WithLanes`] job.
struct Alg1Job<'d, 'c, O> {
    driver: &'d Alg1Driver<'d>,
    chains: Vec<Chain<'c, O>>,
    ends: &'d mut Vec<(usize, ChainEnd)>,
    interleave: usize,
}

impl<O: Observer> kernels::WithLanes for Alg1Job<'_, '_, O> {
    type Out = ();
    #[inline(always)]
    unsafe fn run<V: Lane8>(self) {
        // SAFETY: `run_g`'s only precondition, that the CPU has `V`'s features, is this
        // function's (`with_lanes` calls it only with an available path's lane type).
        unsafe { self.driver.run_g::<V, O>(self.chains, self.ends, self.interleave) }
    }
}

impl<'a> Alg1Driver<'a> {
    pub(super) fn new(
        path: Path,
        p: &'a Problem,
        delta: f64,
        grad_sign: f64,
        schedule: &'a Schedule,
        stop: StopSet,
    ) -> Self {
        let w = p.w_star().blocks();
        // v* vanishes off S = {0, …, r−1}: only the first ⌈r/8⌉ blocks need `v v − w`.
        let nbw = blocks_for(p.r());
        debug_assert!(kernels::nonzero_blocks(w) <= nbw);
        Alg1Driver { path, p, w: w.as_ptr(), nbw, nb: w.len(), delta, grad_sign, schedule, stop }
    }

    /// Run the chains (batch positions `0..m`) to their ends; pushes `(position, end)`. The whole
    /// loop is compiled per path (`kernels::with_lanes`).
    pub(super) fn run<O: Observer>(
        &self,
        chains: Vec<Chain<'_, O>>,
        ends: &mut Vec<(usize, ChainEnd)>,
        interleave: usize,
    ) {
        // The kernels read and write `nb` blocks of every state (see `run_g`'s safety argument).
        assert!(chains.iter().all(|c| c.v.blocks().len() == self.nb), "start dimension ≠ the problem's d");
        kernels::with_lanes(self.path, Alg1Job { driver: self, chains, ends, interleave })
    }

    #[inline(always)]
    fn row(&self, i: usize) -> *const F8 {
        self.p.data().row(i).as_ptr()
    }

    /// [`StopSet::contains`] given the norm the fused sweep computed (`Σ|v_j|` for B.1,
    /// `‖v_S̄‖₁` for C.1/D.2; same operations and order as `contains`, so the same answer).
    #[inline(always)]
    fn contains_from_norm(&self, v: &PVec, norm: f64) -> bool {
        let r = self.p.r();
        match self.stop {
            StopSet::Never => true,
            StopSet::L1Ball { b } => norm <= b,
            StopSet::SupportBox { b, eps } => norm <= eps && max_abs_ignoring_nan(&v.as_slice()[..r], 0.0) <= b,
            StopSet::NearTruth { b, eps } => norm <= eps && max_abs_ignoring_nan(&v.as_slice()[..r], 1.0) <= b,
        }
    }

    /// Does the sweep accumulate `‖v_S̄‖₁` (`Σ|v_j| m_j` with the off-support mask, bitwise
    /// `Problem::off_l1`)? For the sets C.1 and D.2, whose test needs it, and for an observer that
    /// reads it ([`Observer::WANTS_OFF_L1`]) when the set needs no other norm.
    #[inline(always)]
    fn off_norm<O: Observer>(&self) -> bool {
        match self.stop {
            StopSet::SupportBox { .. } | StopSet::NearTruth { .. } => true,
            StopSet::Never => O::WANTS_OFF_L1,
            StopSet::L1Ball { .. } => false,
        }
    }

    /// The step loop on lane type `V`.
    ///
    /// # Safety
    /// The CPU has `V`'s features. (The memory side is this type's invariant: every state has
    /// `nb` blocks, asserted in [`Alg1Driver::run`]; `w`, the off-support mask and every row of
    /// `p` have `nb` blocks, `w` zero beyond `nbw`; row indices come from `alg1_draw` and are
    /// `< n`; groups are `chunks_mut(interleave)` of distinct chains, `1 ≤ interleave ≤ INTERLEAVE`.)
    #[inline(always)]
    unsafe fn run_g<V: Lane8, O: Observer>(
        &self,
        chains: Vec<Chain<'_, O>>,
        ends: &mut Vec<(usize, ChainEnd)>,
        interleave: usize,
    ) {
        let p = self.p;
        let n = p.n();
        let total = self.schedule.total_steps();
        let check = !matches!(self.stop, StopSet::Never);
        // Step 0: observe, check the start, draw step 1's outcome.
        let mut live: Vec<(usize, Chain<'_, O>)> = Vec::with_capacity(chains.len());
        for (j, mut c) in chains.into_iter().enumerate() {
            notify(c.obs, 0, &c.v, p, None);
            if !self.stop.contains_with(self.path, &c.v, p) {
                ends.push((j, ChainEnd { v: c.v, steps_run: 0, exit_step: Some(0), diverged_at: None }));
            } else if total == 0 {
                ends.push((j, finished(c.v, 0)));
            } else {
                (c.i, c.s) = alg1_draw(c.rng, n, self.delta);
                live.push((j, c));
            }
        }
        for g in live.chunks_mut(interleave) {
            // SAFETY: `V`'s features by this function's contract; `g` is a group as
            // `residual_group` requires (see the invariant in this function's doc).
            unsafe { self.residual_group::<V, O>(g) };
        }
        let mut t: u64 = 0;
        'phases: for phase in self.schedule.phases() {
            for _ in 0..phase.steps {
                if live.is_empty() {
                    break 'phases;
                }
                t += 1;
                let last = t == total;
                // A non-finite residual: step t diverges before changing v (as `alg1_apply`).
                if live.iter().any(|(_, c)| !c.r.is_finite()) {
                    let mut k = 0;
                    while k < live.len() {
                        if live[k].1.r.is_finite() {
                            k += 1;
                        } else {
                            let (j, c) = live.swap_remove(k);
                            ends.push((
                                j,
                                ChainEnd { v: c.v, steps_run: t - 1, exit_step: None, diverged_at: Some(t) },
                            ));
                        }
                    }
                }
                let mut left = false;
                for g in live.chunks_mut(interleave) {
                    // SAFETY: as for `residual_group` above; every residual of `live` is finite
                    // (the divergent chains were removed just above).
                    let norms = unsafe { self.fused_group::<V, O>(g, phase.eta, last) };
                    for (k, (_, c)) in g.iter_mut().enumerate() {
                        notify(c.obs, t, &c.v, p, self.off_norm::<O>().then_some(norms[k]));
                        if check && !self.contains_from_norm(&c.v, norms[k]) {
                            c.out = true;
                            left = true;
                        }
                    }
                }
                if left {
                    let mut k = 0;
                    while k < live.len() {
                        if !live[k].1.out {
                            k += 1;
                            continue;
                        }
                        let (j, c) = live.swap_remove(k);
                        if !last {
                            // Undo the draw of step t + 1 (one u64 = two 32-bit words).
                            let pos = c.rng.get_word_pos();
                            c.rng.set_word_pos(pos - 2);
                        }
                        ends.push((j, ChainEnd { v: c.v, steps_run: t, exit_step: Some(t), diverged_at: None }));
                    }
                }
            }
        }
        for (j, c) in live {
            ends.push((j, finished(c.v, t)));
        }
    }

    /// Residuals of the pending steps of a group.
    ///
    /// # Safety
    /// The CPU has `V`'s features; `g` holds 1 to `INTERLEAVE` chains of this driver, each with
    /// a state of `nb` blocks and a pending row index `i < n`.
    #[inline(always)]
    unsafe fn residual_group<V: Lane8, O>(&self, g: &mut [(usize, Chain<'_, O>)]) {
        macro_rules! go {
            ($k:literal) => {{
                let vs: [*const F8; $k] = std::array::from_fn(|k| g[k].1.v.blocks().as_ptr());
                let xs: [*const F8; $k] = std::array::from_fn(|k| self.row(g[k].1.i));
                // SAFETY: `V`'s features by this function's contract; every state and row has `nb`
                // blocks (rows: `i < n` in `p`'s data), `w` has `nb` blocks, zero beyond `nbw`.
                let r = unsafe { kernels::residual_multi_g::<V, $k>(vs, xs, self.w, self.nbw, self.nb) };
                for k in 0..$k {
                    g[k].1.r = r[k];
                }
            }};
        }
        by_group_len!(g.len(), go);
    }

    /// One step of a group (all residuals finite): update with the pending outcome and, unless
    /// this is the last step, draw the next outcome and compute its residual in the same sweep,
    /// together with the stop set's norm of each updated state (returned; for `Never`, `‖v_S̄‖₁`
    /// when the observer reads it, else 0).
    ///
    /// # Safety
    /// As [`Alg1Driver::residual_group`].
    #[inline(always)]
    unsafe fn fused_group<V: Lane8, O: Observer>(
        &self,
        g: &mut [(usize, Chain<'_, O>)],
        eta: f64,
        last: bool,
    ) -> [f64; INTERLEAVE] {
        use kernels::{NORM_ABS, NORM_MASKED_ABS, NORM_NONE};
        let mask = self.p.off_mask().blocks().as_ptr();
        let rows = self.p.data().row(0).as_ptr();
        let mut norms = [0.0; INTERLEAVE];
        macro_rules! sweep {
            ($k:literal, $next:literal, $vs:expr, $now:expr, $c:expr, $nx:expr) => {
                // SAFETY: `V`'s features by this function's contract. Every state has `nb` blocks
                // and the states are distinct `PVec`s (borrowed `&mut` through `g`), so they
                // overlap neither each other nor `p`'s `w`, mask or rows; `rows` is row 0 of `p`'s
                // data, whose `n` rows of `nb` blocks are one allocation, and the offsets
                // `now`/`next` are `i·nb` with `i < n`; `w` and the mask have `nb` blocks, `w`
                // zero beyond `nbw`.
                unsafe {
                    match self.stop {
                        StopSet::Never if O::WANTS_OFF_L1 => {
                            kernels::alg1_fused_norm_g::<V, $k, $next, NORM_MASKED_ABS>(
                                $vs, rows, $now, $c, $nx, self.w, self.nbw, mask, self.nb,
                            )
                        }
                        StopSet::Never => kernels::alg1_fused_norm_g::<V, $k, $next, NORM_NONE>(
                            $vs, rows, $now, $c, $nx, self.w, self.nbw, mask, self.nb,
                        ),
                        StopSet::L1Ball { .. } => kernels::alg1_fused_norm_g::<V, $k, $next, NORM_ABS>(
                            $vs, rows, $now, $c, $nx, self.w, self.nbw, mask, self.nb,
                        ),
                        StopSet::SupportBox { .. } | StopSet::NearTruth { .. } => {
                            kernels::alg1_fused_norm_g::<V, $k, $next, NORM_MASKED_ABS>(
                                $vs, rows, $now, $c, $nx, self.w, self.nbw, mask, self.nb,
                            )
                        }
                    }
                }
            };
        }
        macro_rules! go {
            ($k:literal) => {{
                let c: [f64; $k] = std::array::from_fn(|k| alg1_coef(eta, g[k].1.s, g[k].1.r, self.grad_sign));
                // Rows as block offsets from row 0 (all rows are in the data's one allocation).
                let now: [usize; $k] = std::array::from_fn(|k| g[k].1.i * self.nb);
                let vs: [*mut F8; $k] = std::array::from_fn(|k| g[k].1.v.blocks_mut().as_mut_ptr());
                let n = if last {
                    sweep!($k, false, vs, now, c, now).1
                } else {
                    let n = self.p.n();
                    for k in 0..$k {
                        let ch = &mut g[k].1;
                        (ch.i, ch.s) = alg1_draw(ch.rng, n, self.delta);
                    }
                    let next: [usize; $k] = std::array::from_fn(|k| g[k].1.i * self.nb);
                    let (r, n) = sweep!($k, true, vs, now, c, next);
                    for k in 0..$k {
                        g[k].1.r = r[k];
                    }
                    n
                };
                norms[..$k].copy_from_slice(&n);
            }};
        }
        by_group_len!(g.len(), go);
        norms
    }
}
