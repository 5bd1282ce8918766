//! Stage 0 (Appendix B, Section 3.2): from a large initialization to ‖v‖_∞ ≤ 1/d.
//!
//! One file per statement (Lemma B.2, Lemma 3.2, Lemma B.4, Theorem 3.1) and the pieces they
//! share: [`setting`] (the validator of the proof's constants, the literal instances and the
//! plan), [`chains`] (the runs, cached so that the four claims of one process share them),
//! [`states`] (the state families of the exact one-step checks), [`exact`] (those checks as keyed
//! tables of inequalities, one file per statement) and [`audits`] (the hypotheses audits and the
//! caveats).
//!
//! The chains are Algorithm 1 itself, run unstopped; the `b0`-bounded coupling of Definition B.1
//! is read off the same path (`ṽ[t] = v[min(t, τ_b0)]`, SPEC §0.5) and the identity with the
//! engine's stopped chain is checked on real chains (Lemma 3.2's tests).
//!
//! # Instances, budgets and power
//! * **L** — the paper's `ρ = 0.01`, `d = 20, n = 100, r = 2, τ = 1` (full: `d = 100, n = 100,
//!   r = 5`); `T0 ≈ 9.8e6` steps per chain. Confirming a bound `β = 2ρ/3` with no event needs
//!   `N ≳ 5/β ≈ 750` chains (≈ 1e10 steps): only the full budget (2000 chains) can; quick (8) and
//!   default (32) can only flag gross violations (rates ≥ 0.25 / ≥ 0.09), and say so in a note.
//! * **M** — `ρ = 0.3` (the lemmas hold for every `ρ`), otherwise as L; `T0 ≈ 5.0e6`. A few dozen
//!   chains confirm `β = ρ/3 = 0.1`; the extra short chains (to `(ηδ)²t = 16`) serve `E Φ` and
//!   the lemmas at a short horizon.
//! * **V** — the proof of Lemma B.2 at level `b = 2τd` with L's constants, `T = 2.5e5`: the bound
//!   ≈ 1/2 is nearly attained (rate ≈ 0.44), 800 / 1500 / 20000 chains decide.
//! * **P0** and the `τ` sweep — the practical regime of SPEC §9.2 (labelled by its audit).
//!
//! The four claims share these runs through a process-wide cache
//! ([`crate::engine::cache::cached`]), so `cargo test` and `cargo run` pay for them once.

use crate::claim::Claim;

pub mod audits;
pub mod chains;
pub mod exact;
pub mod lemma_3_2;
pub mod lemma_b_2;
pub mod lemma_b_4;
pub mod search;
pub mod setting;
pub mod states;
pub mod theorem_3_1;

/// This section's claims, in paper order (the registry line of each statement).
pub const CLAIMS: &[Claim] = &[lemma_b_2::CLAIM, lemma_3_2::CLAIM, lemma_b_4::CLAIM, theorem_3_1::CLAIM];
