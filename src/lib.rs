//! # shape-matters
//!
//! Numerical, honest checks of every formal claim of *Shape Matters: Understanding the Implicit
//! Bias of the Noise Covariance* (HaoChen, Wei, Lee, Ma; ICLR 2021 submission).
//!
//! * [`engine`] — model, dynamics, stopped chains, exact one-step enumeration, statistics, runner;
//! * [`claim`] — the evidence model (audit, exact checks, Monte Carlo, controls, errata);
//! * [`claims`] — one module per paper statement, and the registry [`claims::all`];
//! * [`report`] — table, markdown, JSON, PAPER_MAP.md, snapshots and SVG figures, all views of
//!   the same [`claim::Outcome`] values.

pub mod claim;
pub mod claims;
pub mod cli;
pub mod engine;
pub mod error;
pub mod report;

pub use claim::{Budget, Claim, Ctx, Outcome, Verdict};
pub use error::{Error, Result};
