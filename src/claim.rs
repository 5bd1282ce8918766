//! The claim as data: a [`Claim`] per paper statement, the [`Ctx`] its run gets (budget, seed,
//! overrides, runner), and the [`Budget`] levels. What a run produces, the [`Outcome`] with its
//! evidence layers, lives in [`crate::evidence`].

use serde::{Deserialize, Serialize};

use crate::engine::rng::{Stream, stream};
use crate::engine::runner::Runner;
use crate::error::{Error, Result, check};
use crate::evidence::Outcome;
use crate::overrides::{Overrides, Param};

/// Default master seed.
pub const DEFAULT_SEED: u64 = 2021;

/// How much work a run does.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Budget {
    /// The smallest honest instances (used by `cargo test --release`).
    Quick,
    /// `cargo run --release`: minutes on 2 cores.
    Default,
    /// The largest instances (hours).
    Full,
}

impl Budget {
    /// Lower-case name.
    pub fn name(self) -> &'static str {
        match self {
            Budget::Quick => "quick",
            Budget::Default => "default",
            Budget::Full => "full",
        }
    }
}

/// A value per budget: a claim's plan names each of its budget-dependent sizes once, e.g.
/// `const CHAINS: PerBudget<usize> = PerBudget::new(4000, 20_000, 200_000);`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PerBudget<T> {
    pub quick: T,
    pub default: T,
    pub full: T,
}

impl<T: Copy> PerBudget<T> {
    /// The values for `quick`, `default` and `full`.
    pub const fn new(quick: T, default: T, full: T) -> PerBudget<T> {
        PerBudget { quick, default, full }
    }
    /// The value for `budget`.
    pub fn at(self, budget: Budget) -> T {
        match budget {
            Budget::Quick => self.quick,
            Budget::Default => self.default,
            Budget::Full => self.full,
        }
    }
}

/// Where a statement is in the paper.
#[derive(Clone, Copy, Debug, Serialize)]
pub struct PaperRef {
    /// Section or appendix, e.g. "Appendix B".
    pub section: &'static str,
    /// Equation numbers, e.g. "(21)–(31)".
    pub equations: &'static str,
    /// SPEC.md section with the cleaned statement, e.g. "§4.5".
    pub spec: &'static str,
}

/// Everything a claim's run needs.
#[derive(Clone, Debug)]
pub struct Ctx {
    pub budget: Budget,
    pub seed: u64,
    pub overrides: Overrides,
    pub runner: Runner,
}

impl Ctx {
    /// A quiet context (tests).
    pub fn new(budget: Budget, seed: u64) -> Ctx {
        Ctx { budget, seed, overrides: Overrides::default(), runner: Runner::quiet() }
    }
    /// The stream `(seed, claim, purpose, index)`.
    pub fn stream(&self, claim: &str, purpose: &str, index: u64) -> Stream {
        stream(self.seed, claim, purpose, index)
    }
    /// The number of chains: `--chains` when given, else the plan's value for the budget; at
    /// least 1.
    pub fn chains_or(&self, plan: PerBudget<usize>) -> Result<usize> {
        let k = self.overrides.chains.unwrap_or(plan.at(self.budget));
        Ok(check::at_least_one("chains", k as u64)? as usize)
    }
}

/// One paper statement, as data.
#[derive(Clone, Copy)]
pub struct Claim {
    /// Short id, e.g. "B.4", "3.1", "G.2", "warmup".
    pub id: &'static str,
    /// Title, e.g. "Lemma B.4 (the b-bounded potential contracts)".
    pub title: &'static str,
    /// Paper reference.
    pub paper: PaperRef,
    /// The statement in one line.
    pub statement: &'static str,
    /// Source file of the module.
    pub module: &'static str,
    /// Integration test that asserts it.
    pub test: &'static str,
    /// Overrides accepted by `check`.
    pub accepts: &'static [Param],
    /// Run the checks.
    pub run: fn(&Ctx) -> Result<Outcome>,
}

impl std::fmt::Debug for Claim {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Claim({})", self.id)
    }
}

impl Claim {
    /// The insta snapshot name of the claim's quick-budget report.
    pub fn snapshot_name(&self) -> String {
        let slug: String =
            self.id.chars().map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '_' }).collect();
        format!("claim_{slug}")
    }
    /// Path of the snapshot file, relative to the crate root.
    pub fn snapshot_path(&self) -> String {
        format!("snapshots/{}.snap", self.snapshot_name())
    }
    /// Reject overrides the claim does not accept.
    pub fn validate_overrides(&self, o: &Overrides) -> Result<()> {
        for p in o.set_params() {
            if !self.accepts.contains(&p) {
                return Err(Error::UnsupportedOverride {
                    claim: self.id.into(),
                    name: p.flag().into(),
                    accepted: self.accepts.iter().map(|a| format!("--{}", a.flag())).collect(),
                });
            }
        }
        Ok(())
    }
    /// Run with the context, time it, and stamp the outcome with the claim's metadata.
    pub fn execute(&self, ctx: &Ctx) -> Result<Outcome> {
        self.validate_overrides(&ctx.overrides)?;
        let t0 = std::time::Instant::now();
        let mut o = (self.run)(ctx)?;
        o.claim = self.id.to_string();
        o.title = self.title.to_string();
        o.budget = ctx.budget;
        o.seed = ctx.seed;
        o.overridden = !ctx.overrides.is_empty();
        o.elapsed_s = Some(t0.elapsed().as_secs_f64());
        Ok(o)
    }
}
