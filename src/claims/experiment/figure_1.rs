//! Figure 1 (right) and Appendix A.1: the authors' experiment on the quadratically-parameterized
//! model. **This experiment is not Algorithm 1** (SPEC §1.7).
//!
//! > **Figure 1** […] Right: Training and validation error on a 100-dimensional
//! > quadratically-parameterized model defined in Section 2. Similar to deep models, label noise or
//! > mini-batch noise leads to better solutions than optimally-tuned spherical Gaussian noise.
//! > Moreover, Gaussian noise causes the parameter to diverge after sufficient mixing, as suggested
//! > by our negative result for Langevin dynamics (Theorem 2.2).
//!
//! > **A.1** […] we use a 100-dimensional model with n = 40 data randomly sampled from
//! > `N(0, I_{100×100})`. We set the first 5 dimensions of the ground-truth `v*` as 1, and the rest
//! > dimensions as 0. We always initialize with `v[0] = 1`. We use a constant learning rate 0.01
//! > for all the experiments except for label noise. For label noise, we start from 0.01 and then
//! > decay the learning rate by a factor of 10 after `1 × 10⁵` and `2 × 10⁵` iterations. For "full
//! > batch" experiment, we run full batch gradient descent without noise. For "small batch"
//! > experiment […] we add small batch noise to full gradient […]: for each iteration, we randomly
//! > sample two data `i` and `j` from `[n]`, and add `δ(∇ℓ^(i)(v) − ∇ℓ^(j)(v))` to the full gradient
//! > (we set `δ = 1.0`). For label noise, we randomly sample `i ∈ [n]` and `s ∈ {δ, −δ}` (`δ = 1.0`),
//! > and add noise `∇ℓ̃^(i)(v) − ∇ℓ^(i)(v)` to full gradient, where
//! > `ℓ̃^(i)(v) = ¼(f_v(x^(i)) − y^(i) − s)²`. For Gaussian noise experiments, we add noise
//! > `ξ ~ N(0, σ² I_{d×d})` to full gradient every iteration […]. For experiments except for
//! > Gaussian noises, we train a total of `3 × 10⁵` iterations. For a more generous comparison, we
//! > run all the Gaussian noise experiments for 4 times longer (i.e., `1.2 × 10⁶` iterations) while
//! > plotting them in the same figure after scaling the x-axis by a factor of 4. The test error is
//! > measured by the square of ℓ2 distance between `v⊙v` and `v*⊙v*`.
//!
//! Section 1: "SGD with mini-batch noise or label noise can generalize with arbitrary initialization
//! without explicit regularization, whereas GD or SGD with spherical Gaussian noise cannot."
//! Section 2.1: "Figure 1 (right) confirms GD performs poorly with large initialization whereas SGD
//! with minibatch or label noise works."
//!
//! # Formula
//! Every variant is an engine dynamics ([`Dynamics`]), run by `run_chain`, not a copy of a loop:
//! * `gd`: `v ← v − η∇L(v)` ([`Dynamics::Gd`]), `η = 0.01` constant;
//! * `minibatch` (the script's "SGD"): `v ← v − η(∇L + δ(∇L_{B1} − ∇L_{B2}))`, `|B1| = |B2| = 1`,
//!   `δ = 1`, `η = 0.01` constant ([`Dynamics::ExpMinibatch`]);
//! * `label-noise` (the script's "LNGD"):
//!   `v ← v − η(∇L + ∇ℓ̃^(i) − ∇ℓ^(i)) = v ⊙ (1 − η M e + η s x^(i))`,
//!   `s ~ N(0, δ²)` (the script) or `s ~ Unif{±δ}` (Appendix A), `η = 10⁻², 10⁻³, 10⁻⁴` for
//!   `10⁵` steps each ([`Dynamics::ExpLabelNoise`]);
//! * `gaussian` (the script's "SGLD"): `v ← v − η(∇L + σξ)`, `ξ ~ N(0, I)` ([`Dynamics::GdGauss`]);
//! * beside them, Algorithm 1 (eq. (1): one-sample gradient plus label noise, **no full gradient**)
//!   with the same schedule ([`Dynamics::Alg1`]).
//!
//! Train error `L(v) = (1/n) Σ_i ¼(y^(i) − ⟨v⊙v, x^(i)⟩)²`; test error `‖v⊙v − v*⊙v*‖²`.
//!
//! # What is checked
//! * Exact (one step from states of real trajectories, decoded): the label-noise step *is*
//!   `v − η(∇L + ∇ℓ̃^(i) − ∇ℓ^(i))` for one `(i, s)` (and `|s| = δ` for the ±δ variant); the
//!   minibatch step *is* `v − η(∇L + δ(∇ℓ^(i) − ∇ℓ^(j)))` for one pair `(i, j)`; `δ = 0` label noise
//!   is GD bit for bit. Control: Algorithm 1's step is **not** of the experiment's form.
//! * Monte Carlo over seeded data sets (one data set and one noise path per seed; the events'
//!   rates with Clopper–Pearson intervals): each qualitative statement as "`P(failure) ≤ 1/2`",
//!   i.e. the median data set satisfies it, with thresholds named below. Controls: the `δ = 0`
//!   label-noise variant (= GD) must not reach small test error; label noise must not count as
//!   "far worse than label noise"; the smallest σ must not count as "‖v‖ grows"; label noise must
//!   not count as "interpolates" or "large test error".
//! * Threshold provenance (issue 13): the paper prints no level. The counted statements are
//!   parameter-free (pre-stated): "generalizes" = test error below the trivial predictor `v = 0`
//!   (`‖v*⊙v*‖² = r`, computed per data set), comparisons between variants on the same data set,
//!   and interpolation = train error ≤ 1e−12. The levels set beside the first results (small =
//!   0.01, the floor 1e−4, GD's band, ×100, ×1.25) are exploratory: reported, never counted.
//!   Exact decodings (tolerance pre-stated in `tol.rs`) each have a control: Algorithm 1's steps,
//!   the script's Gaussian `s` tested for `|s| = δ`, the minibatch decoded with `2δ`; `δ = 0` = GD is a
//!   computed fact (an identity of the code).
//! * Erratum E-A1-MB (new; not in SPEC; graded **R**: it rests on the exploratory 0.01): the
//!   minibatch variant never reaches the label-noise level of test error in our seeds (witness);
//!   the threshold-free reading (worse than `v = 0`: median ≈ 8 against 5) is a counted statement
//!   check, INCONCLUSIVE at 18 data sets (11/18); it does improve on GD and on every Gaussian σ
//!   (repairs); it also diverges (within a few hundred steps) in a sizeable fraction of runs at the
//!   script's `η = 0.01`. Such runs are re-drawn with a fresh noise stream (at most
//!   [`MB_MAX_ATTEMPTS`](crate::claims::experiment::runs::MB_MAX_ATTEMPTS)), so the minibatch
//!   statements are conditional on not diverging, and the divergence rate is measured separately
//!   (first attempts and short side runs).
//! * Figures (SVG, medians over seeds with quartile bands): train and test error of GD, minibatch,
//!   label noise and the best σ; the label-noise family beside Algorithm 1; the σ grid (test and
//!   train error, ‖v‖₂), the Gaussian x-axis divided by 4 when the runs are 4× longer (`full`).
//! * Class: practical, derived from audits against Theorem 2.1 (dynamics ≠ Algorithm 1,
//!   `δ ≥ Θ̃(τ²d²)` fails, `n ≥ Θ̃(r²)` has unspecified constants) and Theorem 2.2 (`v* ≠ 0`,
//!   `n = 40 > d/3`, discrete steps).
//!
//! [`Dynamics`]: crate::engine::dynamics::Dynamics
//! [`Dynamics::Gd`]: crate::engine::dynamics::Dynamics::Gd
//! [`Dynamics::ExpMinibatch`]: crate::engine::dynamics::Dynamics::ExpMinibatch
//! [`Dynamics::ExpLabelNoise`]: crate::engine::dynamics::Dynamics::ExpLabelNoise
//! [`Dynamics::GdGauss`]: crate::engine::dynamics::Dynamics::GdGauss
//! [`Dynamics::Alg1`]: crate::engine::dynamics::Dynamics::Alg1

use crate::claim::{Claim, Ctx, PaperRef};
use crate::claims::experiment::one_step::one_step_checks;
use crate::claims::experiment::plots::figures;
use crate::claims::experiment::protocol::Config;
use crate::claims::experiment::protocol::Variant;
use crate::claims::experiment::runs::{Finals, MbDivergence, Runs};
use crate::claims::experiment::statements::{Regimes, statements};
use crate::claims::experiment::summaries::summaries;
use crate::engine::dynamics::Dynamics;
use crate::error::Result;
use crate::evidence::{Audit, Class, Outcome, Rel};
use crate::numfmt::fmt;
use crate::overrides::Param;

/// The claim.
pub const CLAIM: Claim = Claim {
    id: "fig1",
    title: "Figure 1 (right), Appendix A.1: the authors' experiment (not Algorithm 1)",
    paper: PaperRef { section: "Figure 1 (right), Appendix A.1", equations: "Sections 1, 2.1", spec: "§1.7" },
    statement: "from v[0] = 1, label noise and minibatch noise reach small test error; GD interpolates with large test \
        error (≈ 70–80); spherical Gaussian noise of any σ is far worse and large σ makes ‖v‖ grow",
    module: file!(),
    test: "tests/experiment.rs",
    accepts: &[
        Param::D,
        Param::N,
        Param::R,
        Param::Tau,
        Param::Delta,
        Param::Eta,
        Param::Steps,
        Param::Instances,
        Param::Data,
    ],
    run,
};

/// The claim id (stream names).
pub(super) const ID: &str = "fig1";

// Threshold provenance (issue 13). The paper prints no number for "small", "large" or "far
// worse"; every level below is the project's. The levels tied to the label-noise level "≈ 1e−3"
// (SMALL_TEST_ERROR, LN_FLOOR), the GD band, the ×100 and the ×1.25 were set in the commit that
// first ran the experiment, beside its results: they are EXPLORATORY (reported, never counted).
// The counted statements use parameter-free comparisons instead: against the trivial predictor
// v = 0 (test error ‖v*⊙v*‖² = r, computed per data set) and between variants on the same data
// set (PRE-STATED: nothing in them can be tuned), and TRAIN_ZERO (PRE-STATED: "numerically zero",
// 13 orders below the initial train error; GD ends ~1e−27, label noise ~1e−4, so the outcome does
// not depend on it).

/// "Small test error": the label-noise level (≈ 1e−3 expected), within a decade. Exploratory.
pub const SMALL_TEST_ERROR: f64 = 1e-2;
/// Lower end of "≈ 1e−3" for label noise: a decade below. Exploratory.
pub const LN_FLOOR: f64 = 1e-4;
/// "Train error → 0" (interpolation): the initial train error is ≈ 20. Pre-stated.
pub const TRAIN_ZERO: f64 = 1e-12;
/// "≈ 70–80" read loosely: GD's final test error in this band. Exploratory.
pub const GD_BAND: (f64, f64) = (30.0, 150.0);
/// "Far worse than label noise": test error at least this factor above label noise (same data set).
/// Exploratory.
pub const FAR_WORSE_FACTOR: f64 = 100.0;
/// "‖v‖ grows": final ‖v‖₂ above this factor times GD's (the interpolant reached without noise).
/// Exploratory.
pub const NORM_GROWTH_FACTOR: f64 = 1.25;
/// Every qualitative statement is tested as `P(failure) ≤ 1/2`: the median data set satisfies it.
/// Pre-stated (the reading of a figure that shows one run per variant).
pub const MEDIAN_BOUND: f64 = 0.5;
fn run(ctx: &Ctx) -> Result<Outcome> {
    let c = Config::from_ctx(ctx)?;
    let mut out = Outcome::new();
    // Layer 1: audits (the regime of every Monte Carlo check).
    let regimes = audits(&mut out, &c);
    // Every (seed, variant) run through the engine.
    let runs = Runs::simulate(ctx, &c)?;
    // Layer 2: exact one-step checks at states of real trajectories.
    one_step_checks(ctx, &mut out, &c, &runs);
    // The minibatch variant's divergence rate at the script's η (it diverges within a few dozen
    // steps or not at all): separate short runs, one fresh data set each.
    let mbd = MbDivergence::measure(ctx, &c, &runs)?;
    // Layer 3: Monte Carlo over seeded data sets. Each statement: P(failure) ≤ 1/2.
    let finals = Finals::of(&c, &runs);
    statements(&mut out, &c, &runs, &finals, &regimes);
    // Tables, measurements, the erratum E-A1-MB; notes; figures.
    summaries(&mut out, &c, &runs, &finals, &mbd);
    notes(ctx, &mut out, &c);
    figures(&mut out, &c, &runs, &finals);
    Ok(out)
}

/// The audits against Theorems 2.1 and 2.2; their regimes.
fn audits(out: &mut Outcome, c: &Config) -> Regimes {
    let tau_d2 = c.alpha * c.alpha * (c.d as f64) * (c.d as f64);
    let mut exp_audit = Audit::new(
        "exp",
        format!(
            "the experiment (App. A.1) against Theorem 2.1 (SPEC §7.1): d = {}, n = {}, r = {}, τ = {}, δ = {}",
            c.d, c.n, c.r, c.alpha, c.delta
        ),
    );
    exp_audit.fact(
        "(alg)",
        "dynamics = Algorithm 1 (one-sample gradient + label noise); the experiment adds ∇ℓ̃_i − ∇ℓ_i to \
            the FULL gradient (SPEC §1.7)",
        matches!(Variant::LnScript.dynamics(c), Dynamics::Alg1 { .. }),
    );
    exp_audit.check("(δ)", "δ ≥ Θ̃(τ²d²), read with constant 1 and no log factors", c.delta, Rel::Ge, tau_d2);
    exp_audit.check(
        "(n ≥ r²)",
        "n ≥ r² (the Θ̃(r²) of Theorem 2.1 with constant 1, no logs)",
        c.n as f64,
        Rel::Ge,
        (c.r * c.r) as f64,
    );
    exp_audit.fact(
        "(n ≥ Θ̃(r²))",
        "n ≥ Θ̃(r²) with the theorem's constants and polylog(d, τ, 1/ε) factors: unspecified, not verifiable",
        false,
    );
    exp_audit.check("(n ≪ d)", "over-parameterized: n < d", c.n as f64, Rel::Lt, c.d as f64);
    let exp_regime = Class::of(&exp_audit);
    let mut alg1_audit = Audit::new(
        "alg1",
        format!(
            "Algorithm 1 with the script's schedule against Theorem 2.1: δ = {}, η = {}, {}, {} for {} steps each",
            c.delta,
            c.lr,
            c.lr / 10.0,
            c.lr / 100.0,
            c.t_ln / 3
        ),
    );
    alg1_audit.fact("(alg)", "dynamics = Algorithm 1", matches!(Variant::Alg1.dynamics(c), Dynamics::Alg1 { .. }));
    alg1_audit.check("(δ)", "δ ≥ Θ̃(τ²d²), read with constant 1 and no log factors", c.delta, Rel::Ge, tau_d2);
    alg1_audit.fact(
        "(n ≥ Θ̃(r²))",
        "n ≥ Θ̃(r²) with the theorem's constants: unspecified, not \
        verifiable",
        false,
    );
    alg1_audit.fact(
        "(η)",
        "η0 = Θ̃(1/δ), η1 = Θ̃(1/δ²), η2 = Θ̃(ε²/δ²) with the theorem's constants: unspecified, not \
            verifiable",
        false,
    );
    let alg1_regime = Class::of(&alg1_audit);
    let mut g_audit = Audit::new(
        "gauss",
        format!("the Gaussian variant against Theorem 2.2 (SPEC §8.3): d = {}, n = {}, r = {}", c.d, c.n, c.r),
    );
    g_audit.fact("(v* = 0)", "ground truth v* = 0", c.r == 0);
    g_audit.check("(n ≤ d/3)", "n ≤ d/3", c.n as f64, Rel::Le, c.d as f64 / 3.0);
    g_audit.fact(
        "(LD)",
        "Langevin diffusion (continuous time, η → 0); the experiment takes discrete steps v − η(∇L + σξ) of size \
            η > 0, i.e. eq. (2) with λ = 2/(ησ²)",
        c.lr == 0.0,
    );
    let g_regime = Class::of(&g_audit);
    out.audits.push(exp_audit);
    out.audits.push(alg1_audit);
    out.audits.push(g_audit);
    Regimes { exp: exp_regime, alg1: alg1_regime, gauss: g_regime }
}

/// What the experiment is, the thresholds, the horizons.
fn notes(ctx: &Ctx, out: &mut Outcome, c: &Config) {
    let t_ln = fmt(c.t_ln as f64);
    let t_gdmb = fmt(c.t_gdmb as f64);
    let t_g = fmt(c.t_gauss as f64);
    out.note(
        "This is the authors' experiment (Appendix A.1, quadratic/train_quadratic.py), NOT Algorithm 1: its \
            label-noise variant adds ∇ℓ̃_i − ∇ℓ_i to the FULL gradient every step (SPEC §1.7), and the \
            script draws s ~ N(0, δ²) while Appendix A says s ∈ {±δ}. The exact control shows that an \
            Algorithm-1 step is not of the experiment's form. Algorithm 1 with the same schedule is run beside it \
            (table, figure fig1_label_noise.svg); tests of Theorem 2.1 must use Algorithm 1.",
    );
    out.note(format!(
        "Each seed is one data set and one noise path per variant; every qualitative statement is tested as P(failure) \
            ≤ 1/2 over seeds (the median data set satisfies it; Clopper–Pearson intervals). The paper prints no \
            levels. Counted (pre-stated, parameter-free): generalizes = test error below the trivial predictor \
            v = 0's (‖v*⊙v*‖² = r, computed per data set), comparisons between variants on the same data set, \
            interpolation = train ≤ {TRAIN_ZERO}. Exploratory (set beside the first results; reported, never \
            counted): small = {SMALL_TEST_ERROR}, the label-noise floor {LN_FLOOR}, GD's band {GD_BAND:?}, far \
            worse = ×{FAR_WORSE_FACTOR}, ‖v‖ grows = ×{NORM_GROWTH_FACTOR} GD's."
    ));
    out.note(format!(
        "Budget {}: label-noise variants and Algorithm 1 run the script's schedule (T = {t_ln}, η ÷ 10 at T/3 and \
            2T/3); GD and minibatch run T = {t_gdmb}; the Gaussian grid runs T = {t_g}{}. The paper's protocol (all \
            3e5, Gaussian 1.2e6 = 4× plotted with the x-axis ÷ 4) is the `full` budget.",
        ctx.budget.name(),
        if c.gauss_x_scale() > 1.0 {
            format!(" (plotted with the x-axis ÷ {})", fmt(c.gauss_x_scale()))
        } else {
            " (not the paper's 4× horizon: plotted unscaled)".into()
        }
    ));
    out.note(
        "Arithmetic is float64 (the script uses torch float32); the data and noise streams are ours, so single runs \
            differ from the paper's figure; the statements are about the distribution over data sets.",
    );
    if c.data.is_some() {
        out.note(
            "--data: every seed uses the same data set from the CSV file; seeds differ only in the noise paths, so the \
                rates are over noise, not data.",
        );
    }
}
