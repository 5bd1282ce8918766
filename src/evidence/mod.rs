//! The evidence harness every claim shares: what a claim's run produces, layer by layer.
//!
//! 1. [`audit`]: hypotheses evaluated at the instantiated constants, both sides printed; the
//!    [`Class`] of a statement check is *derived* from an audit ([`Class::of`]): literal iff every
//!    hypothesis holds (literal on designed data when the audit's data are designed), else
//!    practical. Supporting facts and computed facts say what they are; every threshold carries
//!    its [`Provenance`], and exploratory ones never count;
//! 2. [`exact`]: exact one-step checks, the worst margin over enumerated states; each counted
//!    check has a linked control ([`ExactCheck::control_for`]), checks that cannot fail are
//!    computed facts, and a worst margin within a few ulps of 0 is an equality by rounding;
//!    [`search`]: the same inequalities minimized over their whole admissible sets (seeded
//!    Nelder–Mead), with controls, known-witness rediscovery and reproducible JSON witnesses;
//! 3. [`monte_carlo`]: counts, Clopper–Pearson interval, p-values (one-sided for bounds, TOST and
//!    the point null for equalities), and after [`finalize`] (Holm over every p-value of the run)
//!    a [`Verdict`] and the slack;
//! 4. negative controls: checks with [`Role::Control`] that must come out the other way;
//! 5. [`errata`]: suspected errors of the paper, graded S/P/R ([`Grade`]), witnessed only when
//!    their witness checks fail as predicted.
//!
//! [`outcome`] holds them together. This module never imports the report: the CLI table,
//! `report.md`, `results.json`, the insta snapshots and PAPER_MAP.md are views of an [`Outcome`].

pub mod audit;
pub mod errata;
pub mod exact;
pub mod monte_carlo;
pub mod outcome;
pub mod search;
pub mod sizing;

pub use audit::{Audit, Class, Data, Hypothesis, Provenance, Rel};
pub use errata::{Erratum, Grade, Reading};
pub use exact::{ExactCheck, ExactClass, Ineq, Margin, State, control_key, key};
pub use monte_carlo::{
    CI_LEVEL, CONTROL_FAMILY_REFERENCE, Equivalence, FAMILY_ALPHA, McCheck, McKind, McSubject, Verdict, finalize,
    power_note,
};
pub use outcome::{
    ClassCounts, ErrataCounts, Figure, Measurement, Outcome, PathStats, Role, SearchCounts, Summary, Table,
    non_finite_fields,
};
pub use search::{SearchCheck, WITNESS_SCHEMA, Witness};
