//! The command-line interface (clap). `cargo run --release` with no arguments runs
//! `run --budget default`.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};
use serde::Serialize;

use crate::claim::{self, Budget, Ctx, DEFAULT_SEED};
use crate::claims;
use crate::engine::dynamics::{Dynamics, LabelNoise};
use crate::engine::lanes::PVec;
use crate::engine::model::{Data, Problem};
use crate::engine::rng::stream;
use crate::engine::runner::Runner;
use crate::engine::schedule::Schedule;
use crate::engine::stopped::{Batch, StopSet, run_chain};
use crate::error::{Error, Result, check};
use crate::evidence::FAMILY_ALPHA;
use crate::overrides::Overrides;
use crate::report::{self, RunMeta};

#[derive(Parser, Debug)]
#[command(
    name = "shape-matters",
    version,
    about = "Numerical, honest checks of every formal claim of 'Shape Matters' (HaoChen, Wei, Lee, Ma)"
)]
struct Cli {
    #[command(subcommand)]
    cmd: Option<Cmd>,
}

#[derive(Subcommand, Debug)]
enum Cmd {
    /// Run claims, print the verdict table, write DIR/report.md and DIR/results.json.
    Run(RunArgs),
    /// List the registered claims.
    List {
        #[arg(long)]
        json: bool,
    },
    /// Run one claim, optionally with parameter overrides, and print its full evidence.
    Check(CheckArgs),
    /// Merge the partial files of a sharded run (`run --shard K/N`, every K of one N) into the
    /// report and results.json of the unsharded run; exit codes as `run`, 2 on bad partial files.
    Merge(MergeArgs),
    /// Simulate a dynamics and print trajectories and final metrics.
    Simulate(SimArgs),
    /// Re-verify search witness files (`DIR/witnesses/*.json`) from the files alone: recompute the
    /// hypotheses audit and the exact margin at the stored point. Exit 0 when every file is a
    /// witness (all hypotheses hold, the margin is negative and equals the stored one bit for bit),
    /// 1 otherwise, 2 on a malformed file.
    Witness {
        /// Witness files.
        #[arg(required = true)]
        files: Vec<PathBuf>,
        #[arg(long)]
        json: bool,
    },
    /// Print PAPER_MAP.md generated from the registry and the committed snapshots.
    PaperMap {
        /// Crate root holding snapshots/ (default: the current directory).
        #[arg(long, default_value = ".")]
        root: PathBuf,
        /// Exit non-zero if ROOT/PAPER_MAP.md differs from the generated text.
        #[arg(long, conflicts_with = "write")]
        check: bool,
        /// Write ROOT/PAPER_MAP.md instead of printing.
        #[arg(long)]
        write: bool,
    },
    /// Compare two runs: verdict changes per check, estimates beyond their intervals, errata, added
    /// and removed checks, as a Markdown table. OLD and NEW are results.json files or directories of
    /// snapshot files (snapshots/). Exit 0 when no primary verdict and no erratum status changed, 1
    /// when one did, 2 on bad input.
    Diff {
        /// The old run: DIR/results.json, a snapshots/ directory or one .snap file.
        old: PathBuf,
        /// The new run (same forms).
        new: PathBuf,
        /// Print the changes as JSON instead of Markdown.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Args, Debug)]
struct RunArgs {
    #[arg(long, value_enum, default_value_t = Budget::Default)]
    budget: Budget,
    /// Comma-separated claim ids.
    #[arg(long, value_delimiter = ',')]
    only: Vec<String>,
    #[arg(long, default_value_t = DEFAULT_SEED)]
    seed: u64,
    #[arg(long)]
    threads: Option<usize>,
    #[arg(long, default_value = "report")]
    out: PathBuf,
    /// Hide progress bars.
    #[arg(long)]
    quiet: bool,
    /// Compute only shard K of N (1 <= K <= N) of the run's work and write DIR/shard-K-of-N.partial
    /// (no report); `merge` combines the N partial files.
    #[arg(long, value_name = "K/N")]
    shard: Option<String>,
}

#[derive(Args, Debug)]
struct MergeArgs {
    /// The partial files of one sharded run (`DIR/shard-K-of-N.partial`, K = 1..N).
    #[arg(required = true)]
    files: Vec<PathBuf>,
    #[arg(long, default_value = "report")]
    out: PathBuf,
    #[arg(long)]
    threads: Option<usize>,
    /// Hide progress bars.
    #[arg(long)]
    quiet: bool,
}

#[derive(Args, Debug)]
#[command(allow_negative_numbers = true)]
struct CheckArgs {
    /// Claim id (see `list`).
    id: String,
    #[arg(long)]
    json: bool,
    #[arg(long, value_enum, default_value_t = Budget::Default)]
    budget: Budget,
    #[arg(long, default_value_t = DEFAULT_SEED)]
    seed: u64,
    #[arg(long)]
    threads: Option<usize>,
    /// Also write report.md / results.json / figures into this directory.
    #[arg(long)]
    out: Option<PathBuf>,
    #[arg(long)]
    quiet: bool,
    #[command(flatten)]
    overrides: Overrides,
}

/// Dynamics names of `simulate`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum DynName {
    /// Algorithm 1 (SGD with label noise ±δ), eq. (1).
    Alg1,
    /// Full-batch gradient descent.
    Gd,
    /// GD + spherical Gaussian noise: v − lr(∇L + σξ) (the authors' "SGLD").
    GdGauss,
    /// Same as gd-gauss (the experiment's name).
    Gaussian,
    /// Langevin dynamics, eq. (2): v − lr ∇L + sqrt(2 lr/λ) ξ.
    Langevin,
    /// The experiment's label-noise variant: ∇L + ∇ℓ̃_i − ∇ℓ_i (the authors' "LNGD").
    LabelNoise,
    /// The experiment's minibatch variant: ∇L + δ(∇L_B1 − ∇L_B2) (the authors' "SGD").
    Minibatch,
    /// SGD + spherical Gaussian noise instead of label noise (negative control).
    SgdGauss,
}

#[derive(Args, Debug)]
#[command(allow_negative_numbers = true)]
struct SimArgs {
    #[arg(long, value_enum, default_value_t = DynName::Alg1)]
    dynamics: DynName,
    /// Dimension [default: 100; with --data: the file's number of columns, and --d must agree].
    #[arg(long)]
    d: Option<usize>,
    /// Number of samples [default: 40; with --data: the file's number of rows, and --n must agree].
    #[arg(long)]
    n: Option<usize>,
    #[arg(long, default_value_t = 5)]
    r: usize,
    /// Initialization scale: v[0] = alpha·1 (the paper's τ).
    #[arg(long, alias = "tau", default_value_t = 1.0)]
    alpha: f64,
    /// Label-noise level δ (alg1, label-noise, minibatch) [default: 1].
    #[arg(long)]
    delta: Option<f64>,
    /// Gaussian noise level σ (gd-gauss, gaussian, sgd-gauss) [default: 0.01].
    #[arg(long)]
    sigma: Option<f64>,
    /// Inverse temperature λ (langevin) [default: 1].
    #[arg(long)]
    lambda: Option<f64>,
    /// Batch size (minibatch) [default: 1].
    #[arg(long)]
    bs: Option<usize>,
    /// Learning rate (step size η).
    #[arg(long, alias = "eta", default_value_t = 0.01)]
    lr: f64,
    /// Iterations at which lr is divided by --lr-decay-factor (comma-separated, strictly increasing).
    #[arg(long, value_delimiter = ',')]
    lr_decay_at: Vec<u64>,
    #[arg(long, default_value_t = 10.0)]
    lr_decay_factor: f64,
    #[arg(long, default_value_t = 10_000)]
    steps: u64,
    /// Record the trajectory every this many iterations (0: only the final state).
    #[arg(long, default_value_t = 1000)]
    log_every: u64,
    #[arg(long, default_value_t = 1)]
    chains: usize,
    #[arg(long, default_value_t = DEFAULT_SEED)]
    seed: u64,
    /// Read the n×d data matrix from a CSV file (one row per sample, no header).
    #[arg(long)]
    data: Option<PathBuf>,
    /// Label-noise distribution of the label-noise variant [default: gaussian].
    #[arg(long, value_enum)]
    label_noise: Option<LabelNoiseArg>,
    #[arg(long)]
    threads: Option<usize>,
    #[arg(long)]
    json: bool,
}

/// Upper bounds of `simulate`'s sizes, from memory and time, checked before any allocation.
pub mod sim_limits {
    /// Largest `--d`.
    pub const MAX_D: u64 = 10_000_000;
    /// Largest `--n`.
    pub const MAX_N: u64 = 1_000_000;
    /// Largest `n·d` (the data matrix and its test copy: ≈ 16 bytes per entry, so ≤ 800 MB).
    pub const MAX_ND: u64 = 50_000_000;
    /// Largest `--chains`.
    pub const MAX_CHAINS: u64 = 1_000_000;
    /// Largest number of recorded trajectory points over all chains (≈ 40 bytes each: ≤ 2 GB).
    pub const MAX_POINTS: u64 = 50_000_000;
    /// Largest work `steps × chains × n × d` (an upper estimate of the floating-point operations;
    /// 10¹³ is hours on one core).
    pub const MAX_WORK: f64 = 1e13;
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum LabelNoiseArg {
    Rademacher,
    Gaussian,
}

/// The command with every value-taking flag accepting a leading hyphen, so `--alpha -inf` or
/// `--tau -1` reach the range check that names the flag (instead of "unexpected argument '-i'").
fn command() -> clap::Command {
    use clap::CommandFactory;
    fn hyphens(c: clap::Command) -> clap::Command {
        c.mut_args(|a| {
            if a.get_long().is_some() && a.get_action().takes_values() { a.allow_hyphen_values(true) } else { a }
        })
    }
    let mut cmd = hyphens(Cli::command());
    let names: Vec<String> = cmd.get_subcommands().map(|c| c.get_name().to_string()).collect();
    for n in names {
        cmd = cmd.mut_subcommand(n, hyphens);
    }
    cmd
}

/// One line for a clap error: the flag, the value and the valid range or values where known.
fn clap_line(e: &clap::Error, cmd: &clap::Command) -> String {
    use clap::error::{ContextKind, ContextValue, ErrorKind};
    let ctx = |k: ContextKind| -> Option<String> {
        match e.get(k)? {
            ContextValue::String(s) => Some(s.clone()),
            ContextValue::Strings(v) => Some(v.join(", ")),
            ContextValue::StyledStr(s) => Some(s.to_string()),
            ContextValue::StyledStrs(v) => Some(v.iter().map(|s| s.to_string()).collect::<Vec<_>>().join(", ")),
            ContextValue::Number(n) => Some(n.to_string()),
            _ => None,
        }
    };
    // "--d <D>" → "--d"
    let arg = ctx(ContextKind::InvalidArg).map(|a| a.split(' ').next().unwrap_or_default().to_string());
    let value = ctx(ContextKind::InvalidValue).unwrap_or_default();
    let first_line = || {
        let text = e.to_string();
        let line = text.lines().find(|l| !l.trim().is_empty()).unwrap_or("invalid command line").to_string();
        line.trim_start_matches("error: ").to_string()
    };
    let help = "see `shape-matters --help`";
    match e.kind() {
        ErrorKind::InvalidValue => {
            let arg = arg.unwrap_or_else(|| "a flag".into());
            match ctx(ContextKind::ValidValue).filter(|v| !v.is_empty()) {
                Some(valid) => format!("invalid {arg} = '{value}': must be one of {valid}"),
                None if value.is_empty() => format!("{arg} needs a value"),
                None => format!("invalid {arg} = '{value}'"),
            }
        }
        ErrorKind::ValueValidation => {
            let arg = arg.unwrap_or_else(|| "a flag".into());
            let src = std::error::Error::source(e);
            let valid = if let Some(pe) = src.and_then(|s| s.downcast_ref::<std::num::ParseIntError>()) {
                format!("must be a whole number in [0, {}] ({pe})", u64::MAX)
            } else if src.is_some_and(|s| s.is::<std::num::ParseFloatError>()) {
                "must be a number (decimal or scientific notation, e.g. 0.01 or 1e-3)".to_string()
            } else {
                src.map(|s| s.to_string()).unwrap_or_else(|| "not a valid value".into())
            };
            format!("invalid {arg} = '{value}': {valid}")
        }
        ErrorKind::UnknownArgument => {
            let hint = ctx(ContextKind::SuggestedArg).map(|s| format!(" (did you mean {s}?)")).unwrap_or_default();
            // The flags of the subcommand named on the command line, if any.
            let sub = std::env::args().skip(1).find_map(|w| cmd.find_subcommand(&w).cloned());
            let flags = match &sub {
                Some(c) => {
                    let f: Vec<String> =
                        c.get_arguments().filter_map(|a| a.get_long()).map(|l| format!("--{l}")).collect();
                    format!("; the flags of {} are {}", c.get_name(), f.join(", "))
                }
                None => format!("; {help}"),
            };
            format!("unknown argument '{}'{hint}{flags}", arg.unwrap_or_default())
        }
        ErrorKind::InvalidSubcommand => {
            let known: Vec<&str> = cmd.get_subcommands().map(|c| c.get_name()).filter(|n| *n != "help").collect();
            let word = ctx(ContextKind::InvalidSubcommand).or(arg).unwrap_or_default();
            format!("unknown command '{word}': the commands are {}", known.join(", "))
        }
        ErrorKind::MissingRequiredArgument => {
            format!("missing required argument {}; {help}", ctx(ContextKind::InvalidArg).unwrap_or_default())
        }
        ErrorKind::ArgumentConflict => {
            let other = ctx(ContextKind::PriorArg).map(|p| p.split(' ').next().unwrap_or_default().to_string());
            let arg = arg.unwrap_or_default();
            match other {
                Some(o) if o == arg => format!("{arg} is given more than once: give it once"),
                Some(o) => format!("{arg} cannot be used together with {o}"),
                None => format!("{arg} conflicts with another argument; {help}"),
            }
        }
        _ => format!("{}; {help}", first_line()),
    }
}

/// Entry point; returns the process exit code: 0 every check as its role requires, 1 a check
/// unexpected or a computation invalid, 2 bad input or an I/O error (130, interrupted, is the
/// default SIGINT disposition: the shell reports 128 + 2).
pub fn main() -> i32 {
    use clap::FromArgMatches;
    let cmd = command();
    let cli = match cmd.clone().try_get_matches().and_then(|m| Cli::from_arg_matches(&m)) {
        Ok(c) => c,
        Err(e) => {
            use clap::error::ErrorKind;
            if matches!(e.kind(), ErrorKind::DisplayHelp | ErrorKind::DisplayVersion) {
                let _ = e.print();
                return 0;
            }
            eprintln!("error: {}", clap_line(&e, &cmd));
            return 2;
        }
    };
    let res = match cli.cmd {
        None => cmd_run(RunArgs {
            budget: Budget::Default,
            only: vec![],
            seed: DEFAULT_SEED,
            threads: None,
            out: "report".into(),
            quiet: false,
            shard: None,
        }),
        Some(Cmd::Run(a)) => cmd_run(a),
        Some(Cmd::List { json }) => cmd_list(json),
        Some(Cmd::Check(a)) => cmd_check(a),
        Some(Cmd::Merge(a)) => cmd_merge(a),
        Some(Cmd::Simulate(a)) => cmd_simulate(a),
        Some(Cmd::Witness { files, json }) => cmd_witness(files, json),
        Some(Cmd::PaperMap { root, check, write }) => cmd_paper_map(root, check, write),
        Some(Cmd::Diff { old, new, json }) => cmd_diff(old, new, json),
    };
    match res {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e}");
            2
        }
    }
}

fn progress_default(quiet: bool) -> bool {
    use std::io::IsTerminal;
    !quiet && std::io::stderr().is_terminal()
}

fn meta(
    budget: Budget,
    seed: u64,
    runner: &Runner,
    outcomes: &[crate::evidence::Outcome],
    started: std::time::SystemTime,
) -> RunMeta {
    RunMeta {
        budget: budget.name().into(),
        seed,
        threads: runner.threads(),
        family_alpha: FAMILY_ALPHA,
        version: env!("CARGO_PKG_VERSION").into(),
        claims: outcomes.iter().map(|o| o.claim.clone()).collect(),
        started: report::rfc3339(started),
        finished: report::rfc3339(std::time::SystemTime::now()),
        complete: true,
    }
}

/// The exit status of a finished run: 0 if every outcome is as its roles require and valid, else 1,
/// with one line per unexpected check or invalid outcome on stderr.
pub fn exit_status(outcomes: &[crate::evidence::Outcome]) -> i32 {
    // The one rule (report::json::run_status, also written to results.json's summary), printed.
    let status = report::json::run_status(outcomes);
    for r in &status.reasons {
        eprintln!("{r}");
    }
    status.exit_code
}

fn cmd_run(a: RunArgs) -> Result<i32> {
    let started = std::time::SystemTime::now();
    let shard = a.shard.as_deref().map(crate::engine::shard::parse_spec).transpose()?;
    let mut selected: Vec<&claim::Claim> = Vec::new();
    if a.only.is_empty() {
        selected.extend(claims::all().iter());
    } else {
        for id in &a.only {
            let c = claims::find(id.trim())?;
            // `--only G.1,G.1` runs G.1 once.
            if !selected.iter().any(|s| s.id == c.id) {
                selected.push(c);
            }
        }
    }
    let runner = Runner::new(a.threads, progress_default(a.quiet))?;
    report::prepare_out_dir(&a.out)?;
    if let Some((k, n)) = shard {
        return run_shard(&a, &selected, runner, k, n);
    }
    let ctx = Ctx { budget: a.budget, seed: a.seed, overrides: Overrides::default(), runner: runner.clone() };
    let t0 = std::time::Instant::now();
    let mut outcomes = Vec::new();
    let mut progress = crate::progress::ClaimProgress::new(&selected, a.quiet);
    for c in selected {
        progress.start(c);
        outcomes.push(c.execute(&ctx)?);
        progress.finish(c);
    }
    drop(progress);
    finish_run(outcomes, &ctx, &a.out, started, t0)
}

/// Holm over the run, the report files, the verdict table and the exit status (`run`, `merge`).
fn finish_run(
    mut outcomes: Vec<crate::evidence::Outcome>,
    ctx: &Ctx,
    out: &std::path::Path,
    started: std::time::SystemTime,
    t0: std::time::Instant,
) -> Result<i32> {
    crate::evidence::finalize(&mut outcomes, FAMILY_ALPHA);
    let m = meta(ctx.budget, ctx.seed, &ctx.runner, &outcomes, started);
    report::write_report(out, &outcomes, &m)?;
    print!("{}", report::table(&outcomes));
    println!(
        "\nwrote {}/report.md and {}/results.json ({:.1} s)",
        out.display(),
        out.display(),
        t0.elapsed().as_secs_f64()
    );
    Ok(exit_status(&outcomes))
}

/// The plan every shard of a run must agree on.
fn shard_plan(budget: Budget, seed: u64, selected: &[&claim::Claim]) -> crate::engine::shard::Plan {
    crate::engine::shard::Plan {
        budget: budget.name().into(),
        seed,
        claims: selected.iter().map(|c| c.id.to_string()).collect(),
        overrides: format!("{:?}", Overrides::default()),
        version: env!("CARGO_PKG_VERSION").into(),
    }
}

/// The text of a panic payload.
fn panic_text(p: &(dyn std::any::Any + Send)) -> String {
    p.downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| p.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a panic".into())
}

/// `run --shard K/N`: run every claim with the runner in shard mode (each top-level call computes
/// the indices shard K owns, the rest are placeholders), discard the outcomes, and write
/// DIR/shard-K-of-N.partial.
fn run_shard(a: &RunArgs, selected: &[&claim::Claim], runner: Runner, k: usize, n: usize) -> Result<i32> {
    use crate::engine::runner::Mode;
    use crate::engine::shard::{Recorder, Status, file_name};
    let t0 = std::time::Instant::now();
    let rec = std::sync::Arc::new(Recorder::new(k, n));
    let runner = runner.with_mode(Mode::Shard(rec.clone()));
    let ctx = Ctx { budget: a.budget, seed: a.seed, overrides: Overrides::default(), runner };
    // A claim may panic on another shard's placeholders: that is recorded, not printed.
    let hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    for c in selected {
        if !a.quiet {
            eprintln!("running {} — {} (shard {k}/{n})", c.id, c.title);
        }
        ctx.runner.begin_claim(c.id);
        let attempt = || match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| c.execute(&ctx))) {
            Ok(Ok(_)) => Status::Finished,
            Ok(Err(e)) => Status::Error(e.to_string()),
            Err(p) => Status::Panicked(panic_text(p.as_ref())),
        };
        let mut status = attempt();
        if let Status::Panicked(why) = &status {
            // The claim cannot run on other shards' placeholders: compute all of it in this
            // shard, recording the owned units as usual.
            if !a.quiet {
                eprintln!("{}: panicked on placeholders ({why}); computing it in full in this shard", c.id);
            }
            let first_status = status.clone();
            let first = rec.restart_claim_in_full(true);
            status = attempt();
            rec.restart_claim_in_full(false);
            if let Some(first) = first
                && !rec.keep_full_or_restore(first)
            {
                status = first_status;
                if !a.quiet {
                    eprintln!("{}: the run in full made other calls; the first attempt's calls are kept", c.id);
                }
            }
        }
        rec.end_claim(status);
    }
    std::panic::set_hook(hook);
    let partial = rec.finish(shard_plan(a.budget, a.seed, selected));
    let bytes = partial.encode();
    let path = a.out.join(file_name(k, n));
    report::write_atomic(&path, &bytes)?;
    let (own, all) = partial.units();
    println!(
        "wrote {} ({} bytes): shard {k} of {n}, {own} of {all} units computed ({:.1} s)",
        path.display(),
        bytes.len(),
        t0.elapsed().as_secs_f64()
    );
    Ok(0)
}

/// `merge PARTIAL…`: validate every file, then run the plan's claims with the runner replaying
/// the recorded outputs, and write the report exactly as the unsharded run.
fn cmd_merge(a: MergeArgs) -> Result<i32> {
    use crate::engine::runner::Mode;
    use crate::engine::shard::{Partial, Replayer, validate};
    let started = std::time::SystemTime::now();
    let t0 = std::time::Instant::now();
    let runner = Runner::new(a.threads, progress_default(a.quiet))?;
    let mut parts = Vec::with_capacity(a.files.len());
    for f in &a.files {
        parts.push((f.display().to_string(), Partial::read(f)?));
    }
    let parts = validate(parts)?;
    let (first, plan) = (parts[0].0.clone(), parts[0].1.plan.clone());
    let bad = |m: String| Error::Partial { file: first.clone(), message: m };
    let budget = <Budget as ValueEnum>::from_str(&plan.budget, true)
        .map_err(|_| bad(format!("unknown budget '{}'", plan.budget)))?;
    let here = shard_plan(budget, plan.seed, &[]);
    if plan.version != here.version || plan.overrides != here.overrides {
        return Err(bad(format!(
            "written by shape-matters {} with overrides {}; this is {} (a run has none)",
            plan.version, plan.overrides, here.version
        )));
    }
    let selected = plan.claims.iter().map(|id| claims::find(id)).collect::<Result<Vec<_>>>()?;
    let existed = a.out.exists();
    report::prepare_out_dir(&a.out)?;
    let rep = std::sync::Arc::new(Replayer::new(parts));
    let runner = runner.with_mode(Mode::Replay(rep.clone()));
    let ctx = Ctx { budget, seed: plan.seed, overrides: Overrides::default(), runner };
    // After a replay error the claim runs on placeholders and may panic: report the error instead.
    let hook = std::sync::Arc::new(std::panic::take_hook());
    {
        let (hook, rep) = (hook.clone(), rep.clone());
        std::panic::set_hook(Box::new(move |info| {
            if rep.error().is_none() {
                hook(info)
            }
        }));
    }
    let mut outcomes = Vec::new();
    for c in selected {
        if !a.quiet {
            eprintln!("merging {} — {}", c.id, c.title);
        }
        ctx.runner.begin_claim(c.id);
        let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| c.execute(&ctx)));
        if let Some(e) = rep.end_claim() {
            if !existed {
                let _ = std::fs::remove_dir(&a.out);
            }
            return Err(Error::Partial { file: "merge".into(), message: e });
        }
        match r {
            Ok(o) => outcomes.push(o?),
            Err(p) => std::panic::resume_unwind(p),
        }
    }
    finish_run(outcomes, &ctx, &a.out, started, t0)
}

fn cmd_list(json: bool) -> Result<i32> {
    #[derive(Serialize)]
    struct Row<'a> {
        id: &'a str,
        title: &'a str,
        statement: &'a str,
        paper: claim::PaperRef,
        module: &'a str,
        test: &'a str,
        snapshot: String,
        accepts: Vec<&'static str>,
    }
    let rows: Vec<Row> = claims::all()
        .iter()
        .map(|c| Row {
            id: c.id,
            title: c.title,
            statement: c.statement,
            paper: c.paper,
            module: c.module,
            test: c.test,
            snapshot: c.snapshot_path(),
            accepts: c.accepts.iter().map(|p| p.flag()).collect(),
        })
        .collect();
    if json {
        println!("{}", serde_json::to_string_pretty(&rows).expect("json"));
    } else {
        for r in rows {
            println!("{:<8} {}", r.id, r.title);
        }
    }
    Ok(0)
}

fn cmd_check(a: CheckArgs) -> Result<i32> {
    let started = std::time::SystemTime::now();
    let c = claims::find(&a.id)?;
    let overrides = a.overrides;
    c.validate_overrides(&overrides)?;
    overrides.validate()?;
    let runner = Runner::new(a.threads, progress_default(a.quiet || a.json))?;
    if let Some(dir) = &a.out {
        report::prepare_out_dir(dir)?;
    }
    let ctx = Ctx { budget: a.budget, seed: a.seed, overrides, runner: runner.clone() };
    let mut outcomes = vec![c.execute(&ctx)?];
    crate::evidence::finalize(&mut outcomes, FAMILY_ALPHA);
    // Files first: a failure to write them must not follow a complete JSON on stdout.
    if let Some(dir) = &a.out {
        report::write_report(dir, &outcomes, &meta(a.budget, a.seed, &runner, &outcomes, started))?;
    }
    if a.json {
        println!("{}", serde_json::to_string_pretty(&outcomes[0]).expect("json"));
    } else {
        print!("{}", report::markdown_section(&outcomes[0]));
    }
    Ok(exit_status(&outcomes))
}

/// One logged point of a trajectory (all values finite: a point with a non-finite value is not
/// recorded; the chain is then marked diverged at that step).
#[derive(Clone, Debug, Serialize)]
pub struct TrajPoint {
    pub iter: u64,
    pub train_loss: f64,
    pub test_error: f64,
    pub norm2: f64,
}

impl TrajPoint {
    /// The named state of a point with a non-finite value (`None`: all finite): `overflow` when
    /// the state `v` is finite (a value computed from it overflowed, and ∞ − ∞ gives NaN) or has
    /// an infinite entry, `undefined` when `v` itself holds a NaN.
    fn breakdown(&self, v: &PVec) -> Option<&'static str> {
        let xs = [self.train_loss, self.test_error, self.norm2];
        if xs.iter().all(|x| x.is_finite()) {
            None
        } else if v.all_finite() || !self.norm2.is_nan() {
            Some("overflow")
        } else {
            Some("undefined")
        }
    }
}

/// One simulated chain. Absent fields are omitted from the JSON (never `null`).
#[derive(Clone, Debug, Serialize)]
pub struct SimChain {
    pub chain: usize,
    /// `finished` or `diverged`.
    pub state: &'static str,
    pub trajectory: Vec<TrajPoint>,
    /// Final values (absent if the chain diverged).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub final_point: Option<TrajPoint>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dist_inf: Option<f64>,
    /// The first step whose state (or a value reported from it) is not finite.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub diverged_at: Option<u64>,
    /// Why: `overflow` (a value computed from the state overflowed: ±∞, or NaN from ∞ − ∞),
    /// `undefined` (the state holds a NaN) or `non-finite residual` (the dynamics met a
    /// non-finite residual before its step).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cause: Option<&'static str>,
}

/// Refuse a flag that `dynamics` does not use.
fn unused(flag: &str, set: bool, dynamics: DynName, uses: &[&str]) -> Result<()> {
    if set && !uses.contains(&flag) {
        let name = dynamics.to_possible_value().map(|v| v.get_name().to_string()).unwrap_or_default();
        let applies = if uses.is_empty() {
            vec!["(no dynamics-specific flag)".to_string()]
        } else {
            uses.iter().map(|s| s.to_string()).collect()
        };
        return Err(Error::UnusedFlag { flag: flag.into(), context: format!("--dynamics {name}"), applies });
    }
    Ok(())
}

/// Check `simulate`'s sizes against [`sim_limits`] before anything is allocated.
fn check_sim_sizes(a: &SimArgs, n: usize, d: usize) -> Result<()> {
    use sim_limits::*;
    let invalid =
        |name: &str, value: String, valid: String| Err(Error::InvalidParam { name: name.into(), value, valid });
    check::int_range("--d", d as u64, 1, MAX_D)?;
    check::int_range("--n", n as u64, 1, MAX_N)?;
    if (n as u64) * (d as u64) > MAX_ND {
        return invalid(
            "--n × --d",
            format!("{n} × {d}"),
            format!("n·d must be at most {MAX_ND} (the data would need ≈ {:.1} GB)", 16.0 * n as f64 * d as f64 / 1e9),
        );
    }
    check::int_range("--chains", a.chains as u64, 1, MAX_CHAINS)?;
    check::int_range("--steps", a.steps, 1, u64::MAX)?;
    let points = a.steps.checked_div(a.log_every).map_or(0, |k| k + 1);
    let total_points = (points as f64) * a.chains as f64;
    if total_points > MAX_POINTS as f64 {
        return invalid(
            "--chains × --steps / --log-every",
            format!("{} × {} / {}", a.chains, a.steps, a.log_every),
            format!(
                "at most {MAX_POINTS} recorded trajectory points in all (raise --log-every, or 0 for final states only)"
            ),
        );
    }
    let work = a.steps as f64 * a.chains as f64 * n as f64 * d as f64;
    if work > MAX_WORK {
        return invalid(
            "--steps × --chains × --n × --d",
            format!("{} × {} × {n} × {d}", a.steps, a.chains),
            format!("the work estimate {work:.2e} must be at most {MAX_WORK:.0e} floating-point operations"),
        );
    }
    Ok(())
}

fn cmd_simulate(a: SimArgs) -> Result<i32> {
    // Flags the dynamics does not use would do nothing: refuse them, naming the ones that apply.
    let uses: &[&str] = match a.dynamics {
        DynName::Alg1 => &["--delta"],
        DynName::Gd => &[],
        DynName::GdGauss | DynName::Gaussian | DynName::SgdGauss => &["--sigma"],
        DynName::Langevin => &["--lambda"],
        DynName::LabelNoise => &["--delta", "--label-noise"],
        DynName::Minibatch => &["--delta", "--bs"],
    };
    unused("--delta", a.delta.is_some(), a.dynamics, uses)?;
    unused("--sigma", a.sigma.is_some(), a.dynamics, uses)?;
    unused("--lambda", a.lambda.is_some(), a.dynamics, uses)?;
    unused("--bs", a.bs.is_some(), a.dynamics, uses)?;
    unused("--label-noise", a.label_noise.is_some(), a.dynamics, uses)?;
    let delta = check::non_negative("--delta", a.delta.unwrap_or(1.0))?;
    let sigma = check::non_negative("--sigma", a.sigma.unwrap_or(0.01))?;
    let lambda = check::positive("--lambda", a.lambda.unwrap_or(1.0))?;
    check::positive("--alpha", a.alpha)?;
    check::positive("--lr", a.lr)?;
    check::positive("--lr-decay-factor", a.lr_decay_factor)?;
    if let Some(w) = a.lr_decay_at.windows(2).find(|w| w[0] >= w[1]) {
        return Err(Error::InvalidParam {
            name: "--lr-decay-at".into(),
            value: a.lr_decay_at.iter().map(|x| x.to_string()).collect::<Vec<_>>().join(","),
            valid: format!("must be strictly increasing ({} is followed by {})", w[0], w[1]),
        });
    }
    // Threads are checked before anything is allocated or any thread is created.
    let runner = Runner::new(a.threads, progress_default(a.json))?;
    let data = match &a.data {
        Some(p) => {
            let data = Data::from_csv(p)?;
            for (flag, given, actual, what) in [("--d", a.d, data.d(), "columns"), ("--n", a.n, data.n(), "rows")] {
                if let Some(g) = given
                    && g != actual
                {
                    return Err(Error::InvalidParam {
                        name: flag.into(),
                        value: g.to_string(),
                        valid: format!("--data {} has {actual} {what}: omit {flag} or give {actual}", p.display()),
                    });
                }
            }
            check_sim_sizes(&a, data.n(), data.d())?;
            data
        }
        None => {
            let (n, d) = (a.n.unwrap_or(40), a.d.unwrap_or(100));
            check::at_least_one("--n", n as u64)?;
            check::at_least_one("--d", d as u64)?;
            check_sim_sizes(&a, n, d)?;
            Data::gaussian(n, d, &mut stream(a.seed, "simulate", "data", 0))?
        }
    };
    let d = data.d();
    check::sparsity(a.r, d)?;
    let bs = a.bs.unwrap_or(1);
    if a.dynamics == DynName::Minibatch {
        check::int_range("--bs", bs as u64, 1, data.n() as u64)?;
    }
    let problem = Problem::new(data, a.r)?;
    let dynamics = match a.dynamics {
        DynName::Alg1 => Dynamics::Alg1 { delta },
        DynName::Gd => Dynamics::Gd,
        DynName::GdGauss | DynName::Gaussian => Dynamics::GdGauss { sigma },
        DynName::Langevin => Dynamics::Langevin { lambda },
        DynName::LabelNoise => Dynamics::ExpLabelNoise {
            delta,
            noise: match a.label_noise.unwrap_or(LabelNoiseArg::Gaussian) {
                LabelNoiseArg::Rademacher => LabelNoise::Rademacher,
                LabelNoiseArg::Gaussian => LabelNoise::Gaussian,
            },
        },
        DynName::Minibatch => Dynamics::ExpMinibatch { delta, bs },
        DynName::SgdGauss => Dynamics::SgdGauss { sigma },
    };
    let schedule = Schedule::step_decay(a.lr, &a.lr_decay_at, a.lr_decay_factor, a.steps)?;
    let point = |t: u64, v: &PVec| TrajPoint {
        iter: t,
        train_loss: problem.loss(v),
        test_error: problem.test_error(v),
        norm2: crate::engine::lanes::sum_sq(v.blocks()).sqrt(),
    };
    let chains: Vec<SimChain> = runner.map_full("simulate", a.chains, |j| {
        let mut traj = Vec::new();
        // The first observed step with a non-finite value, and its named state.
        let mut broke: Option<(u64, &'static str)> = None;
        let mut rng = stream(a.seed, "simulate", "chain", j as u64);
        let end = run_chain(
            Batch::new(&problem, &dynamics, &schedule, StopSet::Never),
            PVec::constant(d, a.alpha),
            &mut rng,
            &mut |t: u64, v: &PVec| {
                let logged = a.log_every > 0 && t.is_multiple_of(a.log_every);
                if broke.is_some() || !(logged || t == 0) {
                    return;
                }
                let p = point(t, v);
                match p.breakdown(v) {
                    Some(state) => broke = Some((t, state)),
                    None if logged => traj.push(p),
                    None => {}
                }
            },
        );
        let fin = point(end.steps_run, &end.v);
        let (diverged_at, cause) = match (broke, end.diverged_at) {
            (Some((t, _)), Some(u)) if u < t => (Some(u), Some("non-finite residual")),
            (Some((t, state)), _) => (Some(t), Some(state)),
            (None, Some(u)) => (Some(u), Some("non-finite residual")),
            (None, None) => match fin.breakdown(&end.v) {
                Some(state) => (Some(end.steps_run), Some(state)),
                None => (None, None),
            },
        };
        let dist = diverged_at.is_none().then(|| problem.dist_inf(&end.v)).filter(|x| x.is_finite());
        SimChain {
            chain: j,
            state: if diverged_at.is_some() { "diverged" } else { "finished" },
            trajectory: traj,
            dist_inf: dist,
            final_point: diverged_at.is_none().then_some(fin),
            diverged_at,
            cause,
        }
    });
    if a.json {
        let cfg = serde_json::json!({
            "dynamics": a.dynamics, "dynamics_detail": dynamics, "d": d, "n": problem.n(), "r": a.r, "alpha": a.alpha,
            "lr": a.lr, "lr_decay_at": a.lr_decay_at, "lr_decay_factor": a.lr_decay_factor, "steps": a.steps,
            "log_every": a.log_every, "seed": a.seed,
            "note": match a.dynamics {
                DynName::LabelNoise | DynName::Minibatch | DynName::Gaussian | DynName::GdGauss | DynName::Gd =>
                    "the experiment's variants (Appendix A.1) are not Algorithm 1",
                _ => "",
            },
        });
        let mut cfg = cfg;
        if let Some(p) = &a.data {
            cfg["data"] = serde_json::Value::String(p.display().to_string());
        }
        println!(
            "{}",
            serde_json::to_string_pretty(&serde_json::json!({ "config": cfg, "chains": chains })).expect("json")
        );
    } else {
        println!(
            "{} on d = {d}, n = {}, r = {}, {} steps, lr {} (decay at {:?})",
            dynamics.name(),
            problem.n(),
            a.r,
            a.steps,
            a.lr,
            a.lr_decay_at
        );
        println!("{:>6} {:>14} {:>14} {:>12} {:>12}", "chain", "train loss", "test error", "‖v‖₂", "‖v − v*‖∞");
        for c in &chains {
            match (&c.final_point, c.diverged_at) {
                (Some(p), _) => println!(
                    "{:>6} {:>14} {:>14} {:>12} {:>12}",
                    c.chain,
                    crate::numfmt::fmt(p.train_loss),
                    crate::numfmt::fmt(p.test_error),
                    crate::numfmt::fmt(p.norm2),
                    c.dist_inf.map(crate::numfmt::fmt).unwrap_or_else(|| "–".into())
                ),
                (None, Some(t)) => {
                    println!("{:>6} diverged at step {t} ({})", c.chain, c.cause.unwrap_or("non-finite"))
                }
                _ => {}
            }
        }
    }
    Ok(0)
}

/// What `witness` prints per file.
#[derive(Clone, Debug, Serialize)]
struct WitnessReport {
    file: String,
    claim: String,
    key: String,
    id: String,
    point: String,
    hypotheses_hold: bool,
    failing: Vec<String>,
    margin: f64,
    stored_margin: f64,
    scaled: f64,
    same_bits: bool,
    reproduced: bool,
}

fn cmd_witness(files: Vec<PathBuf>, json: bool) -> Result<i32> {
    use crate::claims::search::{parse_witness, reverify};
    let mut reports = Vec::new();
    for f in &files {
        let origin = f.display().to_string();
        let text =
            std::fs::read_to_string(f).map_err(|e| Error::Io { path: origin.clone(), message: e.to_string() })?;
        let w = parse_witness(&text, &origin)?;
        let r = reverify(&w, &origin)?;
        let scaled = if r.margin.scale > 0.0 { r.margin.margin / r.margin.scale } else { r.margin.margin };
        let same_bits = r.margin.margin.to_bits() == w.margin.to_bits();
        reports.push(WitnessReport {
            file: origin,
            claim: w.claim.clone(),
            key: w.key.clone(),
            id: w.id.clone(),
            point: r.point.clone(),
            hypotheses_hold: r.audit.all_hold(),
            failing: r.audit.failing(),
            margin: r.margin.margin,
            stored_margin: w.margin,
            scaled,
            same_bits,
            reproduced: r.is_witness() && same_bits,
        });
    }
    if json {
        println!("{}", serde_json::to_string_pretty(&reports).expect("json"));
    } else {
        for r in &reports {
            println!("{} — {} {} ({})", r.file, r.claim, r.id, r.key);
            println!("  point: {}", r.point);
            if r.hypotheses_hold {
                println!("  hypotheses: every one holds at the stored point");
            } else {
                println!("  hypotheses: FAIL {}", r.failing.join(", "));
            }
            println!(
                "  margin: {} (scaled {}), stored {}{}",
                crate::numfmt::fmt(r.margin),
                crate::numfmt::fmt(r.scaled),
                crate::numfmt::fmt(r.stored_margin),
                if r.same_bits { ", bit for bit" } else { ", DIFFERENT" }
            );
            println!(
                "  {}",
                if r.reproduced {
                    "reproduced: an admissible point where the inequality fails"
                } else {
                    "NOT reproduced"
                }
            );
        }
    }
    Ok(if reports.iter().all(|r| r.reproduced) { 0 } else { 1 })
}

fn cmd_paper_map(root: PathBuf, check: bool, write: bool) -> Result<i32> {
    let text = report::paper_map_strict(&root)?;
    let path = root.join("PAPER_MAP.md");
    if check {
        let cur = std::fs::read_to_string(&path)
            .map_err(|e| Error::Io { path: path.display().to_string(), message: e.to_string() })?;
        if cur != text {
            eprintln!("PAPER_MAP.md is out of date: run `shape-matters paper-map --write`");
            return Ok(1);
        }
        return Ok(0);
    }
    if write {
        report::write_atomic(&path, text.as_bytes())?;
    } else {
        print!("{text}");
    }
    Ok(0)
}

fn cmd_diff(old: PathBuf, new: PathBuf, json: bool) -> Result<i32> {
    let (a, b) = (report::diff::load(&old)?, report::diff::load(&new)?);
    let d = report::diff::compare(&a, &b);
    if json {
        println!("{}", serde_json::to_string_pretty(&d).expect("json"));
    } else {
        print!("{}", d.markdown());
    }
    Ok(d.exit_code())
}
