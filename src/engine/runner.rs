//! Parallel execution over chains: rayon, combined in index order, with optional progress bars.
//!
//! Chain `j` gets its own stream `(master, claim, purpose, j)` and its result is stored at index
//! `j`; all reductions are done afterwards, sequentially, in index order. The results are
//! therefore bitwise identical for any number of threads (a test asserts it).
//!
//! A runner also has a [`Mode`] for sharded runs ([`crate::engine::shard`]): every *top-level*
//! call of [`Runner::map`] (one made by claim code, not from inside another call's item) is a
//! numbered unit of work `(claim, call number, label, index range)`. In shard `K/N` a top-level
//! call computes only the indices shard `K` owns, records them and returns `T::default()` for the
//! others; in replay mode (`merge`) it returns the outputs the shards recorded, so the claim code
//! runs exactly as in an unsharded run. [`Runner::map_full`] is the call whose outputs decide the
//! count or the inputs of later calls: every shard computes all of it and nothing is recorded.

use std::cell::Cell;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use rayon::prelude::*;
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::engine::shard::{CallKind, Recorder, Replayer, owned_range};
use crate::error::{Error, Result};

/// What a sharded call's output must be: recorded exactly (`Serialize + DeserializeOwned`) and
/// replaced by a placeholder (`Default`) where another shard computes it.
pub trait Unit: Serialize + DeserializeOwned + Default + Send {}
impl<T: Serialize + DeserializeOwned + Default + Send> Unit for T {}

/// How a runner treats top-level calls.
#[derive(Clone, Debug, Default)]
pub enum Mode {
    /// Compute every index.
    #[default]
    Normal,
    /// Compute the indices shard `k` of `n` owns and record them.
    Shard(Arc<Recorder>),
    /// Return the outputs the shards recorded.
    Replay(Arc<Replayer>),
}

thread_local! {
    /// How many map items this thread is inside (0: a call made here is top-level).
    static DEPTH: Cell<usize> = const { Cell::new(0) };
}

/// Increments [`DEPTH`] for its lifetime (also when the item panics).
struct Inside;
impl Inside {
    fn enter() -> Inside {
        DEPTH.with(|d| d.set(d.get() + 1));
        Inside
    }
}
impl Drop for Inside {
    fn drop(&mut self) {
        DEPTH.with(|d| d.set(d.get() - 1));
    }
}

fn top_level() -> bool {
    DEPTH.with(|d| d.get() == 0)
}

/// Runs independent work items in parallel and returns their results in index order.
#[derive(Clone)]
pub struct Runner {
    pool: Arc<rayon::ThreadPool>,
    threads: usize,
    progress: Arc<AtomicBool>,
    mode: Mode,
}

impl std::fmt::Debug for Runner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Runner {{ threads: {} }}", self.threads)
    }
}

impl Runner {
    /// A runner with `threads` worker threads (`None`: one per core) and progress bars on or off.
    /// `threads` must lie in `[1, 4 × available parallelism]` ([`Runner::max_threads`]); it is
    /// checked before any thread is created.
    pub fn new(threads: Option<usize>, progress: bool) -> Result<Runner> {
        let cores = Self::cores();
        let threads = match threads {
            Some(t) if t == 0 || t > Self::max_threads() => {
                return Err(Error::InvalidParam {
                    name: "--threads".into(),
                    value: t.to_string(),
                    valid: format!(
                        "must be an integer in [1, {}] (at most 4 × the {cores} available cores)",
                        Self::max_threads()
                    ),
                });
            }
            Some(t) => t,
            None => cores,
        };
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .map_err(|e| Error::Numerical(format!("cannot start the thread pool: {e}")))?;
        Ok(Runner { pool: Arc::new(pool), threads, progress: Arc::new(AtomicBool::new(progress)), mode: Mode::Normal })
    }
    /// The same runner in `mode` (set it before the runner is cloned into a context).
    pub fn with_mode(mut self, mode: Mode) -> Runner {
        self.mode = mode;
        self
    }
    /// The runner's mode.
    pub fn mode(&self) -> &Mode {
        &self.mode
    }
    /// Start numbering the top-level calls of claim `id` (sharded and replayed runs).
    pub fn begin_claim(&self, id: &str) {
        match &self.mode {
            Mode::Normal => {}
            Mode::Shard(r) => r.begin_claim(id),
            Mode::Replay(r) => r.begin_claim(id),
        }
    }
    /// The available parallelism (1 if unknown).
    pub fn cores() -> usize {
        std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1)
    }
    /// The largest accepted `--threads`: 4 × [`Runner::cores`].
    pub fn max_threads() -> usize {
        4 * Self::cores()
    }
    /// A quiet runner with the default number of threads (used by tests).
    pub fn quiet() -> Runner {
        Runner::new(None, false).expect("thread pool")
    }
    /// Number of worker threads.
    pub fn threads(&self) -> usize {
        self.threads
    }
    /// Turn progress bars on or off.
    pub fn set_progress(&self, on: bool) {
        self.progress.store(on, Ordering::Relaxed);
    }

    /// `f(j)` for `j` in `range`, in parallel, returned in index order.
    fn run_range<T, F>(&self, label: &str, range: std::ops::Range<usize>, f: &F) -> Vec<T>
    where
        T: Send,
        F: Fn(usize) -> T + Sync + Send,
    {
        let count = range.len();
        let bar = if self.progress.load(Ordering::Relaxed) && count > 1 {
            let b = crate::progress::attach(ProgressBar::with_draw_target(
                Some(count as u64),
                ProgressDrawTarget::stderr(),
            ));
            b.set_style(
                ProgressStyle::with_template("{prefix:>14} [{bar:30}] {pos}/{len} {msg} ({elapsed}, eta {eta})")
                    .unwrap_or_else(|_| ProgressStyle::default_bar())
                    .progress_chars("=> "),
            );
            b.set_prefix(label.to_string());
            Some(b)
        } else {
            None
        };
        let out = self.pool.install(|| {
            range
                .into_par_iter()
                .map(|j| {
                    let r = {
                        let _inside = Inside::enter();
                        f(j)
                    };
                    if let Some(b) = &bar {
                        b.inc(1);
                    }
                    r
                })
                .collect::<Vec<T>>()
        });
        if let Some(b) = bar {
            b.finish_and_clear();
        }
        out
    }

    /// `f(0), …, f(count−1)` in parallel, returned in index order.
    ///
    /// In a sharded run a top-level call computes only the indices its shard owns
    /// ([`owned_range`]) and returns `T::default()` for the others; in a replayed run it returns
    /// the recorded outputs. Use [`Runner::map_full`] when the outputs decide the count or the
    /// inputs of a later call.
    pub fn map<T, F>(&self, label: &str, count: usize, f: F) -> Vec<T>
    where
        T: Unit,
        F: Fn(usize) -> T + Sync + Send,
    {
        if !top_level() {
            return self.run_range(label, 0..count, &f);
        }
        match &self.mode {
            Mode::Normal => self.run_range(label, 0..count, &f),
            Mode::Shard(rec) => {
                let seq = rec.call(label, count, CallKind::Sharded);
                let own = owned_range(rec.k(), rec.n(), count);
                if rec.in_full() {
                    let all = self.run_range(label, 0..count, &f);
                    rec.store(seq, own.clone(), &all[own]);
                    return all;
                }
                let part = self.run_range(label, own.clone(), &f);
                rec.store(seq, own.clone(), &part);
                let mut part = part.into_iter();
                (0..count)
                    .map(|j| if own.contains(&j) { part.next().unwrap_or_default() } else { T::default() })
                    .collect()
            }
            Mode::Replay(rep) => rep.replay(label, count),
        }
    }

    /// `f(0), …, f(count−1)` in parallel, every index computed in every mode (a sharded run
    /// computes all of them and records only that the call was made; a replayed run recomputes
    /// them). For calls whose outputs decide the count or the inputs of a later call.
    pub fn map_full<T, F>(&self, label: &str, count: usize, f: F) -> Vec<T>
    where
        T: Send,
        F: Fn(usize) -> T + Sync + Send,
    {
        if top_level() {
            match &self.mode {
                Mode::Normal => {}
                Mode::Shard(rec) => {
                    rec.call(label, count, CallKind::Full);
                }
                Mode::Replay(rep) => rep.full(label, count, CallKind::Full),
            }
        }
        self.run_range(label, 0..count, &f)
    }

    /// `f(0), …, f(count−1)` for a call whose inputs derive from another call's outputs (e.g. a
    /// per-chain check re-reading a sharded call's chains) and whose outputs feed only the claim's
    /// outcome: an unsharded run and a replayed run (`merge`) compute every index; a sharded run
    /// skips the call (its outcome is discarded) and returns `T::default()`s. Only the call's
    /// label is recorded (its count may depend on another shard's placeholders).
    pub fn map_local<T, F>(&self, label: &str, count: usize, f: F) -> Vec<T>
    where
        T: Send + Default,
        F: Fn(usize) -> T + Sync + Send,
    {
        if top_level() {
            match &self.mode {
                Mode::Normal => {}
                Mode::Shard(rec) => {
                    rec.call(label, 0, CallKind::Local);
                    if !rec.in_full() {
                        return (0..count).map(|_| T::default()).collect();
                    }
                }
                Mode::Replay(rep) => rep.full(label, 0, CallKind::Local),
            }
        }
        self.run_range(label, 0..count, &f)
    }

    /// `f` over the index batches `[0, b)`, `[b, 2b)`, …, `[⌊(count−1)/b⌋·b, count)` in parallel
    /// (`b = batch`), concatenated in index order. `f(range)` must return one result per index of
    /// `range`, in order. Used to give each task several chains that one kernel call interleaves
    /// (`stopped::run_chains_par_map`); results are bitwise identical for any number of threads.
    /// In a sharded run the batches are the units (see [`Runner::map`]).
    pub fn map_batched<T, F>(&self, label: &str, count: usize, batch: usize, f: F) -> Vec<T>
    where
        T: Unit,
        F: Fn(std::ops::Range<usize>) -> Vec<T> + Sync + Send,
    {
        let batch = batch.max(1);
        let parts = self.map(label, count.div_ceil(batch), |b| batch_of(&f, b, batch, count));
        concat_batches(parts, batch, count)
    }

    /// [`Runner::map_batched`] with every batch computed in every mode (see [`Runner::map_full`]).
    pub fn map_batched_full<T, F>(&self, label: &str, count: usize, batch: usize, f: F) -> Vec<T>
    where
        T: Send,
        F: Fn(std::ops::Range<usize>) -> Vec<T> + Sync + Send,
    {
        let batch = batch.max(1);
        let parts = self.map_full(label, count.div_ceil(batch), |b| batch_of(&f, b, batch, count));
        parts.into_iter().flatten().collect()
    }

    /// Run `f` inside the pool (so nested rayon calls use its threads).
    pub fn install<T: Send, F: FnOnce() -> T + Send>(&self, f: F) -> T {
        self.pool.install(f)
    }
}

/// Batch `b` of `map_batched`: `f` over `[b·batch, min((b+1)·batch, count))`.
fn batch_of<T, F: Fn(std::ops::Range<usize>) -> Vec<T>>(f: &F, b: usize, batch: usize, count: usize) -> Vec<T> {
    let range = b * batch..((b + 1) * batch).min(count);
    let len = range.len();
    let out = f(range);
    assert_eq!(out.len(), len, "map_batched: f must return one result per index");
    out
}

/// The batches concatenated in index order; a placeholder batch (another shard's, empty) is
/// padded with `T::default()` to its length.
fn concat_batches<T: Send + Default>(parts: Vec<Vec<T>>, batch: usize, count: usize) -> Vec<T> {
    let mut out = Vec::with_capacity(count);
    for (b, mut part) in parts.into_iter().enumerate() {
        let len = ((b + 1) * batch).min(count) - b * batch;
        part.resize_with(len, T::default);
        out.extend(part);
    }
    out
}
