//! The evidence harness every claim shares: what a claim's run produces, layer by layer.
//!
//! 1. [`audit`]: hypotheses evaluated at the instantiated constants, both sides printed; the
//!    [`Regime`] of a Monte Carlo check is *derived* from an audit ([`Regime::of`]) — literal iff
//!    every hypothesis holds;
//! 2. [`exact`]: exact one-step checks, the worst margin over enumerated states;
//! 3. [`monte_carlo`]: counts, Clopper–Pearson interval, p-values, and after [`finalize`] (Holm
//!    over every check of the run) a [`Verdict`] and the slack;
//! 4. negative controls: checks with [`Role::Control`] that must come out the other way;
//! 5. [`errata`]: suspected errors of the paper, witnessed only when their witness checks fail as
//!    predicted.
//!
//! [`outcome`] holds them together. This module never imports the report: the CLI table,
//! `report.md`, `results.json`, the insta snapshots and PAPER_MAP.md are views of an [`Outcome`].

pub mod audit;
pub mod errata;
pub mod exact;
pub mod monte_carlo;
pub mod outcome;

pub use audit::{Audit, Hypothesis, Regime, Rel};
pub use errata::{Erratum, Reading};
pub use exact::{ExactCheck, Ineq, Margin, State, key};
pub use monte_carlo::{
    CI_LEVEL, CONTROL_FAMILY_REFERENCE, FAMILY_ALPHA, McCheck, McKind, McSubject, Verdict, finalize, power_note,
};
pub use outcome::{Figure, Measurement, Outcome, PathStats, RegimeCounts, Role, Summary, Table, non_finite_fields};
