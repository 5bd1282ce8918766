//! Figure 1's Monte Carlo layer: each qualitative statement of the paper about the experiment,
//! tested over seeded data sets as "`P(failure) ≤ 1/2`" (the median data set satisfies it), with
//! its controls, and the minibatch statements behind the erratum E-A1-MB.

// NaN-safe comparisons (`!(x > 0.0)` is true for NaN) are deliberate, as in `claim.rs`.
#![allow(clippy::neg_cmp_op_on_partial_ord)]

use crate::claims::experiment::figure_1::{
    FAR_WORSE_FACTOR, GD_BAND, LN_FLOOR, MEDIAN_BOUND, NORM_GROWTH_FACTOR, SMALL_TEST_ERROR, TRAIN_ZERO,
};
use crate::claims::experiment::protocol::{Config, Variant};
use crate::claims::experiment::runs::{Finals, MB_MAX_ATTEMPTS, Runs};
use crate::evidence::{Class, McCheck, Outcome, Provenance, Role};
use crate::numfmt::fmt;

/// The printed id of the E-A1-MB witness (the erratum names its witness by id).
pub const MB_WITNESS_ID: &str = "minibatch: P(test error > 1e-2 | no divergence) ≤ 1/2";

/// Key of "label noise (script) reaches small test error".
pub const LN_SMALL: &str = "fig1-ln-small";
/// Key of the `δ = 0` control.
pub const CONTROL_DELTA0: &str = "fig1-control-delta0";
/// Key of "label noise (±δ) reaches small test error".
pub const LN_PM_SMALL: &str = "fig1-ln-pm-small";
/// Key of "label noise is not a decade below 1e−3".
pub const LN_FLOOR_KEY: &str = "fig1-ln-floor";
/// Key of "Algorithm 1 reaches small test error".
pub const ALG1_SMALL: &str = "fig1-alg1-small";
/// Key of "GD interpolates".
pub const GD_INTERPOLATES: &str = "fig1-gd-interpolates";
/// Key of the control: label noise does not interpolate.
pub const CONTROL_LN_INTERPOLATES: &str = "fig1-control-ln-interpolates";
/// Key of "GD's test error stays large".
pub const GD_LARGE_KEY: &str = "fig1-gd-large";
/// Key of the control: label noise's test error is not large.
pub const CONTROL_LN_LARGE: &str = "fig1-control-ln-large";
/// Key of "GD's test error ≈ 70–80".
pub const GD_BAND_KEY: &str = "fig1-gd-band";
/// Key of "every Gaussian σ is far worse than label noise".
pub const GAUSS_FAR_WORSE: &str = "fig1-gauss-far-worse";
/// Key of the control: ±δ label noise is not far worse.
pub const CONTROL_PM_FAR_WORSE: &str = "fig1-control-pm-far-worse";
/// Key of "large σ makes ‖v‖ grow".
pub const GAUSS_NORM_GROWS: &str = "fig1-gauss-norm-grows";
/// Key of the control: the smallest σ does not make ‖v‖ grow.
pub const CONTROL_SMALLEST_SIGMA: &str = "fig1-control-smallest-sigma";
/// Key of "minibatch reaches the label-noise level" (E-A1-MB witness).
pub const MB_SMALL: &str = "fig1-mb-small";
/// Key of "minibatch improves on GD" (E-A1-MB repair).
pub const MB_BEATS_GD: &str = "fig1-mb-beats-gd";
/// Key of "minibatch beats the best Gaussian σ" (E-A1-MB repair).
pub const MB_BEATS_GAUSS: &str = "fig1-mb-beats-gauss";
/// Key of "label noise (script) generalizes": below the trivial predictor `v = 0` (threshold-free).
pub const LN_BEATS_TRIVIAL: &str = "fig1-ln-beats-trivial";
/// Key of the control of [`LN_BEATS_TRIVIAL`]: `δ = 0`.
pub const CONTROL_DELTA0_TRIVIAL: &str = "fig1-control-delta0-trivial";
/// Key of "Algorithm 1 generalizes": below the trivial predictor (threshold-free).
pub const ALG1_BEATS_TRIVIAL: &str = "fig1-alg1-beats-trivial";
/// Key of "minibatch generalizes": below the trivial predictor (threshold-free; Section 1, 2.1).
pub const MB_BEATS_TRIVIAL: &str = "fig1-mb-beats-trivial";
/// Key of "spherical Gaussian noise cannot generalize": the best σ is not below the trivial
/// predictor (threshold-free; Section 1).
pub const GAUSS_NOT_BELOW_TRIVIAL: &str = "fig1-gauss-not-below-trivial";

/// The event text of "below the trivial predictor".
const TRIVIAL: &str = "the trivial predictor v = 0's test error ‖v*⊙v*‖² (= r, computed on the data set)";

/// The regimes of the experiment's audits.
pub(super) struct Regimes {
    /// The experiment against Theorem 2.1.
    pub exp: Class,
    /// Algorithm 1 with the script's schedule against Theorem 2.1.
    pub alg1: Class,
    /// The Gaussian variant against Theorem 2.2.
    pub gauss: Class,
}

/// Layer 3: Monte Carlo over seeded data sets. Each statement: `P(failure) ≤ 1/2`.
pub(super) fn statements(out: &mut Outcome, c: &Config, runs: &Runs, f: &Finals, regimes: &Regimes) {
    let nseeds = runs.nseeds;
    let count = |flags: &[bool]| flags.iter().filter(|&&b| b).count() as u64;
    // `prov`: the provenance of the event's level (the bound 1/2 is pre-stated, see MEDIAN_BOUND).
    let half = |id: &str, event: String, regime: &Class, role: Role, flags: &[bool], diverged: u64, prov| {
        McCheck::about(id, &event, regime.clone(), role)
            .prob_upper(count(flags), flags.len() as u64, MEDIAN_BOUND)
            .with_diverged(diverged)
            .threshold(prov)
    };
    let (explo, pre) = (Provenance::Exploratory, Provenance::PreStated);
    let t_ln = fmt(c.t_ln as f64);
    let t_gdmb = fmt(c.t_gdmb as f64);
    let t_g = fmt(c.t_gauss as f64);
    let Finals {
        te_gd,
        tr_gd,
        nm_gd,
        te_ln,
        tr_ln,
        te_lnp,
        te_zero,
        te_alg1,
        te_mb,
        gauss,
        nm_g,
        best_g,
        te_trivial,
        ..
    } = f;
    // Per data set: is `xs[s]` at least the trivial predictor's test error (a failure to generalize)?
    let not_below_trivial = |xs: &[f64]| (0..nseeds).map(|s| xs[s] >= te_trivial[s]).collect::<Vec<bool>>();
    let (i_smin, i_smax) = (0, c.sigmas.len() - 1);

    let small = |xs: &[f64]| xs.iter().map(|&x| x > SMALL_TEST_ERROR).collect::<Vec<bool>>();
    out.mc.push(
        half(
            "label noise (script): P(test error > 1e-2) ≤ 1/2",
            format!(
                "diverged or ‖v⊙v − v*⊙v*‖² > {SMALL_TEST_ERROR} at T = {t_ln} for the script's label noise \
                    s ~ N(0, δ²) (small test error in at least half of the data sets)"
            ),
            &regimes.exp,
            Role::Primary,
            &small(te_ln),
            runs.ndiv(Variant::LnScript),
            explo,
        )
        .keyed(LN_SMALL),
    );
    out.mc.push(
        half(
            "label noise (script): P(test error ≥ v = 0's) ≤ 1/2",
            format!(
                "diverged or test error ≥ {TRIVIAL} at T = {t_ln} for the script's label noise (label noise \
                    generalizes: better than v = 0 in at least half of the data sets)"
            ),
            &regimes.exp,
            Role::Primary,
            &not_below_trivial(te_ln),
            runs.ndiv(Variant::LnScript),
            pre,
        )
        .keyed(LN_BEATS_TRIVIAL),
    );
    out.mc.push(
        half(
            "control δ = 0: P(test error ≥ v = 0's) ≤ 1/2",
            format!("the same event for the label-noise variant with δ = 0 (= GD), same schedule, T = {t_ln}"),
            &regimes.exp,
            Role::Control { variant: "no label noise (δ = 0)".into() },
            &not_below_trivial(te_zero),
            runs.ndiv(Variant::LnZero),
            pre,
        )
        .keyed(CONTROL_DELTA0_TRIVIAL),
    );
    out.mc.push(
        half(
            "control δ = 0: P(test error > 1e-2) ≤ 1/2",
            format!(
                "the same event for the label-noise variant with δ = 0 (= GD bit for bit), same schedule, T = {t_ln}"
            ),
            &regimes.exp,
            Role::Control { variant: "no label noise (δ = 0)".into() },
            &small(te_zero),
            runs.ndiv(Variant::LnZero),
            explo,
        )
        .keyed(CONTROL_DELTA0),
    );
    out.mc.push(
        half(
            "label noise (±δ): P(test error > 1e-2) ≤ 1/2",
            format!("diverged or test error > {SMALL_TEST_ERROR} at T = {t_ln} for Appendix A's label noise s = ±δ"),
            &regimes.exp,
            Role::Primary,
            &small(te_lnp),
            runs.ndiv(Variant::LnPaper),
            explo,
        )
        .keyed(LN_PM_SMALL),
    );
    out.mc.push(
        half(
            "label noise (script): P(test error < 1e-4) ≤ 1/2",
            format!("test error < {LN_FLOOR} at T = {t_ln} (the '≈ 1e−3' read as 'not a decade below 1e−3')"),
            &regimes.exp,
            Role::Primary,
            &te_ln.iter().map(|&x| x < LN_FLOOR).collect::<Vec<_>>(),
            0,
            explo,
        )
        .keyed(LN_FLOOR_KEY),
    );
    out.mc.push(
        half(
            "Algorithm 1: P(test error > 1e-2) ≤ 1/2",
            format!(
                "diverged or test error > {SMALL_TEST_ERROR} at T = {t_ln} for Algorithm 1 (not the experiment) with \
                    the same schedule"
            ),
            &regimes.alg1,
            Role::Primary,
            &small(te_alg1),
            runs.ndiv(Variant::Alg1),
            explo,
        )
        .keyed(ALG1_SMALL),
    );
    out.mc.push(
        half(
            "Algorithm 1: P(test error ≥ v = 0's) ≤ 1/2",
            format!(
                "diverged or test error ≥ {TRIVIAL} at T = {t_ln} for Algorithm 1 (not the experiment) with the \
                    same schedule"
            ),
            &regimes.alg1,
            Role::Primary,
            &not_below_trivial(te_alg1),
            runs.ndiv(Variant::Alg1),
            pre,
        )
        .keyed(ALG1_BEATS_TRIVIAL),
    );
    out.mc.push(
        half(
            "GD: P(train error > 1e-12) ≤ 1/2",
            format!("diverged or train error L(v) > {TRAIN_ZERO} at T = {t_gdmb} for GD (GD interpolates)"),
            &regimes.exp,
            Role::Primary,
            &tr_gd.iter().map(|&x| x > TRAIN_ZERO).collect::<Vec<_>>(),
            runs.ndiv(Variant::Gd),
            pre,
        )
        .keyed(GD_INTERPOLATES),
    );
    out.mc.push(half(
        "control label noise: P(train error > 1e-12) ≤ 1/2",
        format!(
            "the same event for the script's label noise at T = {t_ln} (it keeps fluctuating, it does not interpolate)"
        ),
        &regimes.exp,
        Role::Control { variant: "label noise in place of GD".into() },
        &tr_ln.iter().map(|&x| x > TRAIN_ZERO).collect::<Vec<_>>(),
        runs.ndiv(Variant::LnScript),
        pre,
    )
    .keyed(CONTROL_LN_INTERPOLATES));
    let below_trivial = |xs: &[f64]| (0..nseeds).map(|s| xs[s] < te_trivial[s]).collect::<Vec<bool>>();
    out.mc.push(
        half(
            "GD: P(test error < v = 0's) ≤ 1/2",
            format!("test error < {TRIVIAL} at T = {t_gdmb} for GD (GD performs poorly: no better than v = 0)"),
            &regimes.exp,
            Role::Primary,
            &below_trivial(te_gd),
            0,
            pre,
        )
        .keyed(GD_LARGE_KEY),
    );
    out.mc.push(
        half(
            "control label noise: P(test error < v = 0's) ≤ 1/2",
            format!("the same event for the script's label noise at T = {t_ln}"),
            &regimes.exp,
            Role::Control { variant: "label noise in place of GD".into() },
            &below_trivial(te_ln),
            0,
            pre,
        )
        .keyed(CONTROL_LN_LARGE),
    );
    out.mc.push(
        half(
            "Gaussian, best σ: P(test error < v = 0's) ≤ 1/2",
            format!(
                "min over the σ grid of the test error at T = {t_g} < {TRIVIAL} (spherical Gaussian noise cannot \
                    generalize, Section 1)"
            ),
            &regimes.gauss,
            Role::Primary,
            &below_trivial(best_g),
            gauss.iter().map(|&g| runs.ndiv(g)).sum(),
            pre,
        )
        .keyed(GAUSS_NOT_BELOW_TRIVIAL),
    );
    out.mc.push(
        half(
            "GD: P(test error ∉ [30, 150]) ≤ 1/2",
            format!(
                "test error outside [{}, {}] at T = {t_gdmb} for GD (the paper's '≈ 70–80', read loosely)",
                GD_BAND.0, GD_BAND.1
            ),
            &regimes.exp,
            Role::Primary,
            &te_gd.iter().map(|&x| !(GD_BAND.0..=GD_BAND.1).contains(&x)).collect::<Vec<_>>(),
            0,
            explo,
        )
        .keyed(GD_BAND_KEY),
    );
    let sig_list = c.sigmas.iter().map(|s| fmt(*s)).collect::<Vec<_>>().join(", ");
    out.mc.push(
        half(
            "Gaussian, best σ: P(test error ≤ 100 × label noise) ≤ 1/2",
            format!(
                "min over σ ∈ {{{sig_list}}} of the test error at T = {t_g} ≤ {FAR_WORSE_FACTOR} × the script's \
                    label noise on the same data set (every σ far worse)"
            ),
            &regimes.gauss,
            Role::Primary,
            &(0..nseeds).map(|s| best_g[s] <= FAR_WORSE_FACTOR * te_ln[s]).collect::<Vec<_>>(),
            gauss.iter().map(|&g| runs.ndiv(g)).sum(),
            explo,
        )
        .keyed(GAUSS_FAR_WORSE),
    );
    out.mc.push(
        half(
            "control ±δ label noise: P(test error ≤ 100 × label noise) ≤ 1/2",
            "the same event with the ±δ label-noise run in place of the Gaussian grid".into(),
            &regimes.gauss,
            Role::Control { variant: "label noise ±δ in place of Gaussian noise".into() },
            &(0..nseeds).map(|s| te_lnp[s] <= FAR_WORSE_FACTOR * te_ln[s]).collect::<Vec<_>>(),
            0,
            explo,
        )
        .keyed(CONTROL_PM_FAR_WORSE),
    );
    out.mc.push(
        half(
            "Gaussian, largest σ: P(‖v‖ ≤ 1.25 ‖v_GD‖) ≤ 1/2",
            format!(
                "‖v[T]‖₂ ≤ {NORM_GROWTH_FACTOR} × GD's final ‖v‖₂ on the same data set for σ = {} at T \
                    = {t_g} (large σ makes ‖v‖ grow)",
                fmt(c.sigmas[i_smax])
            ),
            &regimes.gauss,
            Role::Primary,
            &(0..nseeds).map(|s| nm_g[i_smax][s] <= NORM_GROWTH_FACTOR * nm_gd[s]).collect::<Vec<_>>(),
            runs.ndiv(gauss[i_smax]),
            explo,
        )
        .keyed(GAUSS_NORM_GROWS),
    );
    out.mc.push(
        half(
            "control smallest σ: P(‖v‖ ≤ 1.25 ‖v_GD‖) ≤ 1/2",
            format!("the same event for σ = {}", fmt(c.sigmas[i_smin])),
            &regimes.gauss,
            Role::Control { variant: format!("σ = {} (nearly GD)", fmt(c.sigmas[i_smin])) },
            &(0..nseeds).map(|s| nm_g[i_smin][s] <= NORM_GROWTH_FACTOR * nm_gd[s]).collect::<Vec<_>>(),
            runs.ndiv(gauss[i_smin]),
            explo,
        )
        .keyed(CONTROL_SMALLEST_SIGMA),
    );

    // Minibatch: a run that diverges is re-drawn (fresh noise stream, same data set, at most
    // MB_MAX_ATTEMPTS): the statements are about the law conditional on not diverging; a data set
    // whose every attempt diverged counts as a failure. The divergence rate is measured from the
    // first attempts and from the short runs.
    let (k_div_mb, k_lost_mb) = (f.k_div_mb, runs.ndiv(Variant::Minibatch));
    let mb_note = format!(
        " ({k_div_mb} of {nseeds} first attempts diverged and were re-drawn; {k_lost_mb} data sets diverged in all \
            {MB_MAX_ATTEMPTS} attempts and count as failures)"
    );
    out.mc.push(
        half(
            MB_WITNESS_ID,
            format!(
                "test error > {SMALL_TEST_ERROR} at T = {t_gdmb} for minibatch noise (minibatch reaches the \
                    label-noise level){mb_note}"
            ),
            &regimes.exp,
            Role::Witness { erratum: "E-A1-MB".into() },
            &te_mb.iter().map(|&x| x > SMALL_TEST_ERROR).collect::<Vec<_>>(),
            k_div_mb,
            explo,
        )
        .keyed(MB_SMALL),
    );
    out.mc.push(
        half(
            "minibatch: P(test error ≥ v = 0's | no divergence) ≤ 1/2",
            format!(
                "test error ≥ {TRIVIAL} at T = {t_gdmb} for minibatch noise (the threshold-free reading of \
                    'minibatch noise can generalize'){mb_note}"
            ),
            &regimes.exp,
            Role::Primary,
            &not_below_trivial(te_mb),
            k_div_mb,
            pre,
        )
        .keyed(MB_BEATS_TRIVIAL),
    );
    out.mc.push(
        half(
            "minibatch: P(test error ≥ GD's | no divergence) ≤ 1/2",
            format!(
                "test error of minibatch ≥ GD's on the same data set at T = {t_gdmb} (minibatch noise improves on \
                    GD){mb_note}"
            ),
            &regimes.exp,
            Role::Repair { erratum: "E-A1-MB".into() },
            &(0..nseeds).map(|s| te_mb[s] >= te_gd[s]).collect::<Vec<_>>(),
            k_div_mb,
            pre,
        )
        .keyed(MB_BEATS_GD),
    );
    out.mc.push(
        half(
            "minibatch: P(test error ≥ best Gaussian σ | no divergence) ≤ 1/2",
            format!(
                "test error of minibatch at T = {t_gdmb} ≥ the best σ of the grid at T = {t_g} on the same data set \
                    (the caption: better than optimally tuned Gaussian noise){mb_note}"
            ),
            &regimes.gauss,
            Role::Repair { erratum: "E-A1-MB".into() },
            &(0..nseeds).map(|s| te_mb[s] >= best_g[s]).collect::<Vec<_>>(),
            k_div_mb,
            pre,
        )
        .keyed(MB_BEATS_GAUSS),
    );
}
