//! One module per paper statement, and the registry every view reads.
//!
//! Each module's documentation quotes the statement with its equation numbers and exports one
//! `pub const CLAIM: Claim`. Each section folder's `mod.rs` lists its statements in `CLAIMS`;
//! [`all`] concatenates the sections in paper order (warm-up, data lemmas, Stage 0, martingale
//! lemmas, Stage 1, Stage 2 with the main theorem, Section F, experiment), which is the order of
//! the report and of PAPER_MAP.md.

use std::sync::LazyLock;

use crate::claim::Claim;
use crate::error::{Error, Result};

pub mod warmup; // Section 3.1

pub mod data; // Appendix G: Lemmas G.1, G.2
pub mod experiment; // Appendix A.1: Figure 1
pub mod martingale; // Appendix G: Lemmas G.3, G.4
pub mod search; // the adversarial searches of Stages 0–2 (shared)
pub mod section_f; // Appendix F: Lemma F.1, Theorem 2.2, Langevin dynamics
pub mod stage0; // Appendix B, Section 3.2
pub mod stage1; // Appendix C, Section 3.3
pub mod stage2; // Appendices D, E

/// The sections in paper order; each folder's `CLAIMS` lists its statements in paper order.
static SECTIONS: &[&[Claim]] = &[
    &[warmup::CLAIM],
    data::CLAIMS,
    stage0::CLAIMS,
    martingale::CLAIMS,
    stage1::CLAIMS,
    stage2::CLAIMS,
    section_f::CLAIMS,
    experiment::CLAIMS,
];

static ALL: LazyLock<Vec<Claim>> = LazyLock::new(|| SECTIONS.concat());

/// Every claim, in paper order.
pub fn all() -> &'static [Claim] {
    &ALL
}

/// The claim with this id (case-insensitive).
pub fn find(id: &str) -> Result<&'static Claim> {
    ALL.iter().find(|c| c.id.eq_ignore_ascii_case(id)).ok_or_else(|| Error::UnknownClaim {
        id: id.to_string(),
        known: ALL.iter().map(|c| c.id.to_string()).collect(),
    })
}
