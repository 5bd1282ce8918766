//! Command-line overrides of a claim's instance, declared once.
//!
//! The table in `declare_overrides!` below is the only place an override is named: it generates
//! the [`Param`] enum (what a claim's `accepts` lists), the [`Overrides`] struct (a `clap::Args`
//! flattened into `check`), the flag names and the validation of each value. A claim rejects the
//! overrides it does not accept ([`crate::Claim::validate_overrides`]).

use std::path::PathBuf;

use serde::Serialize;

use crate::engine::model::Data;
use crate::error::{Error, Result, check};

macro_rules! declare_overrides {
    ($($(#[doc = $extra:literal])* $variant:ident $field:ident : $ty:ty => |$v:ident| $validate:expr;)*) => {
        /// Command-line overrides a claim may accept.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
        #[serde(rename_all = "lowercase")]
        pub enum Param {
            $(
                #[doc = concat!("`--", stringify!($field), "`")]
                $variant,
            )*
        }

        impl Param {
            /// The flag name.
            pub fn flag(self) -> &'static str {
                match self {
                    $(Param::$variant => stringify!($field),)*
                }
            }
        }

        /// Parameter overrides from the command line (`None`: the claim's default for the budget).
        #[derive(Clone, Debug, Default, PartialEq, Serialize, clap::Args)]
        pub struct Overrides {
            $(
                #[doc = concat!("Override `", stringify!($field), "` (only for claims that accept it).")]
                $(#[doc = $extra])*
                #[arg(long)]
                pub $field: Option<$ty>,
            )*
        }

        impl Overrides {
            /// The overrides that are set, in declaration order.
            pub fn set_params(&self) -> Vec<Param> {
                let mut v = Vec::new();
                $(
                    if self.$field.is_some() {
                        v.push(Param::$variant);
                    }
                )*
                v
            }

            /// Check every value that is set against its valid range (and `--data` by reading it):
            /// the error names the flag and the range.
            pub fn validate(&self) -> Result<()> {
                $(
                    if let Some($v) = &self.$field {
                        $validate?;
                    }
                )*
                if let (Some(r), Some(d)) = (self.r, self.d) {
                    check::sparsity(r, d)?;
                }
                self.validate_products()
            }
        }
    };
}

declare_overrides! {
    D d: usize => |x| check::int_range("--d", *x as u64, 1, MAX_D as u64);
    N n: usize => |x| check::int_range("--n", *x as u64, 1, MAX_N as u64);
    R r: usize => |x| Ok::<_, crate::error::Error>(x); // checked against --d below (r ≤ d)
    Tau tau: f64 => |x| range("--tau", *x, Open(0.0), MAX_SCALE);
    Delta delta: f64 => |x| range("--delta", *x, Closed(0.0), MAX_SCALE);
    Eta eta: f64 => |x| range("--eta", *x, Open(0.0), MAX_SCALE);
    Steps steps: u64 => |x| check::int_range("--steps", *x, 1, MAX_STEPS);
    /// The chains of every literal statement variant of the claim (the checks of class "statement, literal"
    /// or "literal on designed data"); controls and practical variants keep their plan. Per claim: Stage 0
    /// (3.1, 3.2, B.2, B.4): the Algorithm-1 chains of instances L and M and of the variant at b = 2τd and
    /// its mean check (the four claims share these runs); D.1, D.3–D.6: both literal rounds, δ = 0 and
    /// δ = 1; G.1: the data sets at (n, d) and at (40, 100); G.2: the data sets at (n, d) and (40, 100);
    /// G.3, G.4: every process; warmup: both walks, long and short horizon; 2.1 (practical only): the
    /// label-noise chains of the end-to-end check; Stage 1 (practical only): the label-noise chains per n.
    Chains chains: usize => |x| check::int_range("--chains", *x as u64, 1, MAX_CHAINS as u64);
    Data data: PathBuf => |x| Data::from_csv(x);
    Instances instances: usize => |x| check::int_range("--instances", *x as u64, 1, MAX_INSTANCES as u64);
    Rho rho: f64 => |x| check::open_interval("--rho", *x, 0.0, 1.0);
    Sigma sigma: f64 => |x| range("--sigma", *x, Closed(0.0), MAX_SCALE);
    Lambda lambda: f64 => |x| range("--lambda", *x, Closed(LAMBDA_RANGE.0), LAMBDA_RANGE.1);
}

/// Largest `--d` of any claim (a claim may bound it further): `M = XᵀX/n` is a dense `d×d` matrix
/// (200 MB at the limit), the data matrix `n·d` numbers ([`MAX_ND`]).
pub const MAX_D: usize = 5_000;
/// Largest `--n` of any claim (a claim may bound it further).
pub const MAX_N: usize = 1_000_000;
/// Largest `n·d` when both are given: the data matrix of `n·d` f64 (≤ 400 MB).
pub const MAX_ND: u64 = 50_000_000;
/// Largest `--chains` (per-chain results are kept; a claim may bound it further).
pub const MAX_CHAINS: usize = 10_000_000;
/// Largest `--instances` (per-instance results are kept).
pub const MAX_INSTANCES: usize = 10_000_000;
/// Largest `--steps` (the run length; `chains·steps` is bounded by [`MAX_WORK`] as well).
pub const MAX_STEPS: u64 = 10_000_000_000;
/// Largest `chains·steps` when both are given (≈ hours at ~10⁸ coordinate updates per second).
pub const MAX_WORK: u64 = 1_000_000_000_000;
/// Largest value of a scale parameter (`--tau`, `--delta`, `--eta`, `--sigma`): beyond it the
/// proofs' constants (powers of τ, δ, η up to the sixth) leave the range of f64.
pub const MAX_SCALE: f64 = 1e6;
/// The range of `--lambda` (Theorem 2.2's inverse temperature): the growth exponent `d/2 − n` does
/// not depend on λ, and inside this range the tool's own cross-checks (the `d = 2` quadrature of
/// `Z_R`, the importance-sampled small-ball slopes) hold at the quick budget; at λ = 30 the `d = 2`
/// quadrature of `e^{−λL}` no longer resolves the integrand (7/8), at λ = 10⁻⁴ the `Z_R` grid no
/// longer reaches the growth regime (its exponents fail), and from λ ≈ 10⁵⁰ the special functions
/// no longer finish or leave f64.
pub const LAMBDA_RANGE: (f64, f64) = (1e-2, 10.0);

/// `--lambda` within [`LAMBDA_RANGE`] (the error names the flag and the range).
pub fn check_lambda(x: f64) -> Result<f64> {
    range("--lambda", x, Closed(LAMBDA_RANGE.0), LAMBDA_RANGE.1)
}

/// A value for an error message: plain digits for moderate magnitudes, else scientific (`1e308`,
/// never 309 digits).
pub fn show(x: f64) -> String {
    if x == 0.0 || !x.is_finite() || (1e-4..1e7).contains(&x.abs()) { x.to_string() } else { format!("{x:e}") }
}

/// A lower end of a real range.
#[derive(Clone, Copy)]
enum Lo {
    Open(f64),
    Closed(f64),
}
use Lo::{Closed, Open};

/// `x` finite, above `lo` and `≤ hi`; the error names the flag and the range.
fn range(name: &str, x: f64, lo: Lo, hi: f64) -> Result<f64> {
    let (ok_lo, text) = match lo {
        Open(l) => (x > l, format!("> {l} and <= {}", show(hi))),
        Closed(l) => (x >= l, format!(">= {l} and <= {}", show(hi))),
    };
    if x.is_finite() && ok_lo && x <= hi {
        Ok(x)
    } else {
        Err(Error::InvalidParam {
            name: name.to_string(),
            value: show(x),
            valid: format!("must be a finite number {text}"),
        })
    }
}

impl Overrides {
    /// Bounds on products of sizes given together (memory and time estimated before any
    /// allocation): `n·d ≤ MAX_ND`, `chains·steps ≤ MAX_WORK`.
    fn validate_products(&self) -> Result<()> {
        if let (Some(n), Some(d)) = (self.n, self.d) {
            let nd = n as u64 * d as u64;
            if nd > MAX_ND {
                return Err(Error::InvalidParam {
                    name: "--n".into(),
                    value: format!("{n} (with --d {d})"),
                    valid: format!(
                        "n·d = {nd} exceeds {MAX_ND} (the data matrix would need {} MB)",
                        nd * 8 / 1_000_000
                    ),
                });
            }
        }
        if let (Some(k), Some(t)) = (self.chains, self.steps) {
            let w = (k as u64).saturating_mul(t);
            if w > MAX_WORK {
                return Err(Error::InvalidParam {
                    name: "--steps".into(),
                    value: format!("{t} (with --chains {k})"),
                    valid: format!("chains·steps = {w} exceeds {MAX_WORK} (hours of work)"),
                });
            }
        }
        Ok(())
    }
}

impl Overrides {
    /// True when nothing is overridden.
    pub fn is_empty(&self) -> bool {
        self.set_params().is_empty()
    }
}

/// Largest number of random numbers a claim draws for its data sets (`sets·n·d`, ≈ minutes).
pub const MAX_DRAWS: u64 = 20_000_000_000;

/// Refuse `sets` data sets of `n·d` draws each when their total exceeds [`MAX_DRAWS`] (estimated
/// before any allocation): the error names `--chains` (the number of data sets) and the limit.
pub fn bound_draws(sets: usize, n: usize, d: usize) -> Result<()> {
    let nd = (n as u64).saturating_mul(d as u64);
    if nd > MAX_ND {
        return Err(Error::InvalidParam {
            name: "--n".into(),
            value: format!("{n} (with d = {d})"),
            valid: format!("n·d = {nd} exceeds {MAX_ND} (the data matrix would need {} MB)", nd / 125_000),
        });
    }
    let total = nd.saturating_mul(sets as u64);
    if total > MAX_DRAWS {
        return Err(Error::InvalidParam {
            name: "--chains".into(),
            value: format!("{sets} (data sets of n·d = {n}·{d})"),
            valid: format!("chains·n·d = {total} exceeds {MAX_DRAWS} random draws: need chains ≤ {}", MAX_DRAWS / nd),
        });
    }
    Ok(())
}
