//! Parallel execution over chains: rayon, combined in index order, with optional progress bars.
//!
//! Chain `j` gets its own stream `(master, claim, purpose, j)` and its result is stored at index
//! `j`; all reductions are done afterwards, sequentially, in index order. The results are
//! therefore bitwise identical for any number of threads (a test asserts it).

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use rayon::prelude::*;

use crate::error::{Error, Result};

/// Runs independent work items in parallel and returns their results in index order.
#[derive(Clone)]
pub struct Runner {
    pool: Arc<rayon::ThreadPool>,
    threads: usize,
    progress: Arc<AtomicBool>,
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
        Ok(Runner { pool: Arc::new(pool), threads, progress: Arc::new(AtomicBool::new(progress)) })
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

    /// `f(0), …, f(count−1)` in parallel, returned in index order.
    pub fn map<T, F>(&self, label: &str, count: usize, f: F) -> Vec<T>
    where
        T: Send,
        F: Fn(usize) -> T + Sync + Send,
    {
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
            (0..count)
                .into_par_iter()
                .map(|j| {
                    let r = f(j);
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

    /// `f` over the index batches `[0, b)`, `[b, 2b)`, …, `[⌊(count−1)/b⌋·b, count)` in parallel
    /// (`b = batch`), concatenated in index order. `f(range)` must return one result per index of
    /// `range`, in order. Used to give each task several chains that one kernel call interleaves
    /// (`stopped::run_chains_par`); results are bitwise identical for any number of threads.
    pub fn map_batched<T, F>(&self, label: &str, count: usize, batch: usize, f: F) -> Vec<T>
    where
        T: Send,
        F: Fn(std::ops::Range<usize>) -> Vec<T> + Sync + Send,
    {
        let batch = batch.max(1);
        let parts = self.map(label, count.div_ceil(batch), |b| {
            let range = b * batch..((b + 1) * batch).min(count);
            let len = range.len();
            let out = f(range);
            assert_eq!(out.len(), len, "map_batched: f must return one result per index");
            out
        });
        let mut out = Vec::with_capacity(count);
        for part in parts {
            out.extend(part);
        }
        out
    }

    /// Run `f` inside the pool (so nested rayon calls use its threads).
    pub fn install<T: Send, F: FnOnce() -> T + Send>(&self, f: F) -> T {
        self.pool.install(f)
    }
}
