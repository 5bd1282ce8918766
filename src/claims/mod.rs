//! One module per paper statement, and the registry every view reads.
//!
//! Each module's documentation quotes the statement with its equation numbers and exports one
//! `pub const CLAIM: Claim`. The order of [`all`] is the order of the report and of PAPER_MAP.md
//! (paper order: warm-up, data lemmas, Stage 0, Stage 1, Stage 2, main theorem, Section F,
//! experiment).

use crate::claim::Claim;
use crate::error::{Error, Result};

pub mod warmup; // Section 3.1

pub mod data; // Appendix G: Lemmas G.1, G.2
pub mod experiment; // Appendix A.1: Figure 1
pub mod martingale; // Appendix G: Lemmas G.3, G.4
pub mod section_f; // Appendix F: Lemma F.1, Theorem 2.2, Langevin dynamics
pub mod stage0; // Appendix B, Section 3.2
pub mod stage1; // Appendix C, Section 3.3
pub mod stage2; // Appendices D, E

static ALL: &[Claim] = &[
    warmup::CLAIM,
    data::lemma_g_1::CLAIM,
    data::lemma_g_2::CLAIM,
    // stage 0
    stage0::lemma_b_2::CLAIM,
    stage0::lemma_3_2::CLAIM,
    stage0::lemma_b_4::CLAIM,
    stage0::theorem_3_1::CLAIM,
    // stage 1
    martingale::lemma_g_3::CLAIM,
    martingale::lemma_g_4::CLAIM,
    stage1::lemma_c_2::CLAIM,
    stage1::lemma_c_3::CLAIM,
    stage1::lemma_c_4::CLAIM,
    stage1::lemma_c_5::CLAIM,
    stage1::lemma_c_7::CLAIM,
    stage1::theorem_3_3::CLAIM,
    // stage 2 + theorem 2.1
    stage2::theorem_d_1::CLAIM,
    stage2::lemma_d_3::CLAIM,
    stage2::lemma_d_4::CLAIM,
    stage2::lemma_d_5::CLAIM,
    stage2::lemma_d_6::CLAIM,
    stage2::theorem_2_1::CLAIM,
    // section F
    section_f::lemma_f_1::CLAIM,
    section_f::theorem_2_2::CLAIM,
    // experiment
    experiment::figure_1::CLAIM,
];

/// Every claim, in paper order.
pub fn all() -> &'static [Claim] {
    ALL
}

/// The claim with this id (case-insensitive).
pub fn find(id: &str) -> Result<&'static Claim> {
    ALL.iter().find(|c| c.id.eq_ignore_ascii_case(id)).ok_or_else(|| Error::UnknownClaim {
        id: id.to_string(),
        known: ALL.iter().map(|c| c.id.to_string()).collect(),
    })
}
