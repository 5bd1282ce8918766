//! The engine: everything that is not a particular paper statement.
//!
//! * [`lanes`] — padded aligned vectors and the fixed summation order;
//! * [`rng`] — named ChaCha8 streams `(master seed, claim id, purpose, index)`;
//! * [`model`] — data, support, labels, loss, gradients, data statistics, CSV loader;
//! * [`dynamics`] — Algorithm 1 and every variant it is compared with;
//! * [`schedule`] — piecewise-constant learning-rate schedules;
//! * [`stopped`] — stopped chains (Defs. B.1, C.1, D.2), bounded potentials (Defs. B.3, C.6), observers;
//! * [`exact`] — the 2n-outcome one-step law and its closed forms;
//! * [`kernels`] — the SIMD step kernels (runtime CPU dispatch, bitwise-identical paths);
//! * [`martingale`] — the bounds of Lemmas G.3/G.4 (printed and corrected);
//! * [`cache`] — a process-wide memo so claims of one family share one simulation;
//! * [`search`] — seeded Nelder–Mead (argmin) over the unit box, for the adversarial searches;
//! * [`runner`] — rayon over chains with index-ordered results and progress bars;
//! * [`shard`] — sharded runs: partial files, their checks, and the replay `merge` runs;
//! * [`stats`] — Clopper–Pearson, exact binomial tests, Hoeffding, Holm;
//! * [`lp`] — does `null(X)` meet the open orthant? Normalized LP with verified certificates;
//! * [`partition`] — the truncated Gibbs partition function `Z_R` (Dirichlet polar form).
//!
//! Every `unsafe` block in the engine says why it is sound (`// SAFETY:`), and every `unsafe fn`
//! what its callers promise (`# Safety`); the crate-wide lints in `lib.rs` enforce it.

pub mod cache;
pub mod dynamics;
pub mod exact;
pub mod kernels;
pub mod lanes;
pub mod lp;
pub mod martingale;
pub mod model;
pub mod partition;
pub mod rng;
pub mod runner;
pub mod schedule;
pub mod search;
pub mod shard;
pub mod stats;
pub mod stopped;
