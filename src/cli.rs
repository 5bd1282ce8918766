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
    /// Simulate a dynamics and print trajectories and final metrics.
    Simulate(SimArgs),
    /// Print PAPER_MAP.md generated from the registry and the committed snapshots.
    PaperMap {
        /// Crate root holding snapshots/ (default: the current directory).
        #[arg(long, default_value = ".")]
        root: PathBuf,
        /// Exit non-zero if ROOT/PAPER_MAP.md differs from the generated text.
        #[arg(long)]
        check: bool,
        /// Write ROOT/PAPER_MAP.md instead of printing.
        #[arg(long)]
        write: bool,
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
    #[arg(long, default_value_t = 100)]
    d: usize,
    #[arg(long, default_value_t = 40)]
    n: usize,
    #[arg(long, default_value_t = 5)]
    r: usize,
    /// Initialization scale: v[0] = alpha·1 (the paper's τ).
    #[arg(long, alias = "tau", default_value_t = 1.0)]
    alpha: f64,
    /// Label-noise level δ (alg1, label-noise, minibatch).
    #[arg(long, default_value_t = 1.0)]
    delta: f64,
    /// Gaussian noise level σ (gd-gauss, gaussian, sgd-gauss).
    #[arg(long, default_value_t = 0.01)]
    sigma: f64,
    /// Inverse temperature λ (langevin).
    #[arg(long, default_value_t = 1.0)]
    lambda: f64,
    /// Batch size (minibatch).
    #[arg(long, default_value_t = 1)]
    bs: usize,
    /// Learning rate (step size η).
    #[arg(long, alias = "eta", default_value_t = 0.01)]
    lr: f64,
    /// Iterations at which lr is divided by --lr-decay-factor (comma-separated).
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
    /// Label-noise distribution of the label-noise variant.
    #[arg(long, value_enum, default_value_t = LabelNoiseArg::Gaussian)]
    label_noise: LabelNoiseArg,
    #[arg(long)]
    threads: Option<usize>,
    #[arg(long)]
    json: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum LabelNoiseArg {
    Rademacher,
    Gaussian,
}

/// Entry point; returns the process exit code.
pub fn main() -> i32 {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() { 2 } else { 0 };
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
        }),
        Some(Cmd::Run(a)) => cmd_run(a),
        Some(Cmd::List { json }) => cmd_list(json),
        Some(Cmd::Check(a)) => cmd_check(a),
        Some(Cmd::Simulate(a)) => cmd_simulate(a),
        Some(Cmd::PaperMap { root, check, write }) => cmd_paper_map(root, check, write),
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

fn meta(budget: Budget, seed: u64, runner: &Runner) -> RunMeta {
    RunMeta {
        budget: budget.name().into(),
        seed,
        threads: runner.threads(),
        family_alpha: FAMILY_ALPHA,
        version: env!("CARGO_PKG_VERSION").into(),
    }
}

fn cmd_run(a: RunArgs) -> Result<i32> {
    let runner = Runner::new(a.threads, progress_default(a.quiet))?;
    let selected: Vec<&claim::Claim> = if a.only.is_empty() {
        claims::all().iter().collect()
    } else {
        a.only.iter().map(|id| claims::find(id.trim())).collect::<Result<_>>()?
    };
    let ctx = Ctx { budget: a.budget, seed: a.seed, overrides: Overrides::default(), runner: runner.clone() };
    let t0 = std::time::Instant::now();
    let mut outcomes = Vec::new();
    for c in selected {
        if !a.quiet {
            eprintln!("running {} — {}", c.id, c.title);
        }
        outcomes.push(c.execute(&ctx)?);
    }
    crate::evidence::finalize(&mut outcomes, FAMILY_ALPHA);
    print!("{}", report::table(&outcomes));
    let m = meta(a.budget, a.seed, &runner);
    report::write_report(&a.out, &outcomes, &m)?;
    println!(
        "\nwrote {}/report.md and {}/results.json ({:.1} s)",
        a.out.display(),
        a.out.display(),
        t0.elapsed().as_secs_f64()
    );
    Ok(0)
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
    let c = claims::find(&a.id)?;
    let overrides = a.overrides;
    c.validate_overrides(&overrides)?;
    overrides.validate()?;
    let runner = Runner::new(a.threads, progress_default(a.quiet || a.json))?;
    let ctx = Ctx { budget: a.budget, seed: a.seed, overrides, runner: runner.clone() };
    let mut outcomes = vec![c.execute(&ctx)?];
    crate::evidence::finalize(&mut outcomes, FAMILY_ALPHA);
    if a.json {
        println!("{}", serde_json::to_string_pretty(&outcomes[0]).expect("json"));
    } else {
        print!("{}", report::markdown_section(&outcomes[0]));
    }
    if let Some(dir) = a.out {
        report::write_report(&dir, &outcomes, &meta(a.budget, a.seed, &runner))?;
    }
    Ok(0)
}

/// One logged point of a trajectory.
#[derive(Clone, Debug, Serialize)]
pub struct TrajPoint {
    pub iter: u64,
    pub train_loss: f64,
    pub test_error: f64,
    pub norm2: f64,
}

/// One simulated chain.
#[derive(Clone, Debug, Serialize)]
pub struct SimChain {
    pub chain: usize,
    pub trajectory: Vec<TrajPoint>,
    /// Final values (absent if the chain diverged).
    pub final_point: Option<TrajPoint>,
    pub dist_inf: Option<f64>,
    pub diverged_at: Option<u64>,
}

fn cmd_simulate(a: SimArgs) -> Result<i32> {
    let data = match &a.data {
        Some(p) => Data::from_csv(p)?,
        None => {
            check::at_least_one("--n", a.n as u64)?;
            check::at_least_one("--d", a.d as u64)?;
            Data::gaussian(a.n, a.d, &mut stream(a.seed, "simulate", "data", 0))?
        }
    };
    let d = data.d();
    check::sparsity(a.r, d)?;
    check::positive("--alpha", a.alpha)?;
    check::non_negative("--delta", a.delta)?;
    check::non_negative("--sigma", a.sigma)?;
    check::positive("--lambda", a.lambda)?;
    check::positive("--lr", a.lr)?;
    check::at_least_one("--steps", a.steps)?;
    check::at_least_one("--chains", a.chains as u64)?;
    if a.dynamics == DynName::Minibatch {
        check::int_range("--bs", a.bs as u64, 1, data.n() as u64)?;
    }
    let problem = Problem::new(data, a.r)?;
    let dynamics = match a.dynamics {
        DynName::Alg1 => Dynamics::Alg1 { delta: a.delta },
        DynName::Gd => Dynamics::Gd,
        DynName::GdGauss | DynName::Gaussian => Dynamics::GdGauss { sigma: a.sigma },
        DynName::Langevin => Dynamics::Langevin { lambda: a.lambda },
        DynName::LabelNoise => Dynamics::ExpLabelNoise {
            delta: a.delta,
            noise: match a.label_noise {
                LabelNoiseArg::Rademacher => LabelNoise::Rademacher,
                LabelNoiseArg::Gaussian => LabelNoise::Gaussian,
            },
        },
        DynName::Minibatch => Dynamics::ExpMinibatch { delta: a.delta, bs: a.bs },
        DynName::SgdGauss => Dynamics::SgdGauss { sigma: a.sigma },
    };
    let schedule = Schedule::step_decay(a.lr, &a.lr_decay_at, a.lr_decay_factor, a.steps)?;
    let runner = Runner::new(a.threads, progress_default(a.json))?;
    let point = |t: u64, v: &PVec| TrajPoint {
        iter: t,
        train_loss: problem.loss(v),
        test_error: problem.test_error(v),
        norm2: crate::engine::lanes::sum_sq(v.blocks()).sqrt(),
    };
    let chains: Vec<SimChain> = runner.map("simulate", a.chains, |j| {
        let mut traj = Vec::new();
        let mut rng = stream(a.seed, "simulate", "chain", j as u64);
        let end = run_chain(
            Batch::new(&problem, &dynamics, &schedule, StopSet::Never),
            PVec::constant(d, a.alpha),
            &mut rng,
            &mut |t: u64, v: &PVec| {
                if a.log_every > 0 && t.is_multiple_of(a.log_every) {
                    traj.push(point(t, v));
                }
            },
        );
        let fin = end.diverged_at.is_none().then(|| point(end.steps_run, &end.v));
        SimChain {
            chain: j,
            trajectory: traj,
            dist_inf: fin.as_ref().map(|_| problem.dist_inf(&end.v)),
            final_point: fin,
            diverged_at: end.diverged_at,
        }
    });
    if a.json {
        let cfg = serde_json::json!({
            "dynamics": a.dynamics, "dynamics_detail": dynamics, "d": d, "n": problem.n(), "r": a.r, "alpha": a.alpha,
            "lr": a.lr, "lr_decay_at": a.lr_decay_at, "lr_decay_factor": a.lr_decay_factor, "steps": a.steps,
            "log_every": a.log_every, "seed": a.seed, "data": a.data.as_ref().map(|p| p.display().to_string()),
            "note": match a.dynamics {
                DynName::LabelNoise | DynName::Minibatch | DynName::Gaussian | DynName::GdGauss | DynName::Gd =>
                    "the experiment's variants (Appendix A.1) are not Algorithm 1",
                _ => "",
            },
        });
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
                    crate::numfmt::fmt(c.dist_inf.unwrap_or(0.0))
                ),
                (None, Some(t)) => println!("{:>6} diverged at step {t}", c.chain),
                _ => {}
            }
        }
    }
    Ok(0)
}

fn cmd_paper_map(root: PathBuf, check: bool, write: bool) -> Result<i32> {
    let text = report::paper_map(&root);
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
        std::fs::write(&path, &text)
            .map_err(|e| Error::Io { path: path.display().to_string(), message: e.to_string() })?;
    } else {
        print!("{text}");
    }
    Ok(0)
}
