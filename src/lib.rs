//! # shape-matters
//!
//! Numerical, honest checks of every formal claim of *Shape Matters: Understanding the Implicit
//! Bias of the Noise Covariance* (HaoChen, Wei, Lee, Ma; ICLR 2021 submission).
//!
//! * [`engine`] — model, dynamics, stopped chains, exact one-step enumeration, statistics, runner;
//! * [`claim`] — the claim as data ([`Claim`], [`Ctx`], [`Budget`]);
//! * [`evidence`] — the evidence harness (audit, exact checks, Monte Carlo, controls, errata,
//!   outcome), shared by every claim; it never imports the report;
//! * [`overrides`] — the command-line overrides, declared once;
//! * [`numfmt`] — number formatting below both evidence and report;
//! * [`paper`] — the paper's constants; [`tol`] — every named tolerance, with its reason;
//! * [`claims`] — one module per paper statement, and the registry [`claims::all`];
//! * [`report`] — table, markdown, JSON, PAPER_MAP.md, snapshots and SVG figures, all views of
//!   the same [`evidence::Outcome`] values.

// Every `unsafe` block says why it is sound (`// SAFETY:`), every `unsafe fn` what its callers
// promise (`# Safety`).
#![deny(clippy::undocumented_unsafe_blocks, clippy::missing_safety_doc)]

pub mod claim;
pub mod claims;
pub mod cli;
pub mod engine;
pub mod error;
pub mod evidence;
pub mod numfmt;
pub mod overrides;
pub mod paper;
pub mod progress;
pub mod report;
pub mod tol;

pub use claim::{Budget, Claim, Ctx};
pub use error::{Error, Result};
pub use evidence::{Outcome, Verdict};
