//! Typed errors. Every message names the offending parameter (or file and line) and the valid range.

use std::fmt;

/// The crate's error type.
#[derive(Debug, Clone, PartialEq)]
pub enum Error {
    /// A parameter outside its valid range, or not finite.
    InvalidParam { name: String, value: String, valid: String },
    /// A malformed data file.
    Data { path: String, line: Option<usize>, message: String },
    /// An unknown claim id.
    UnknownClaim { id: String, known: Vec<String> },
    /// A claim does not accept an override.
    UnsupportedOverride { claim: String, name: String, accepted: Vec<String> },
    /// I/O failure.
    Io { path: String, message: String },
    /// A numerical failure that the caller should see (never used for diverging chains,
    /// which are observed events).
    Numerical(String),
    /// A flag that the chosen dynamics (or command) does not use: it would do nothing.
    UnusedFlag { flag: String, context: String, applies: Vec<String> },
    /// A command-line usage error (parse errors, conflicting flags), already one line.
    Usage(String),
    /// A bad partial file of a sharded run, or a set of them that cannot be merged.
    Partial { file: String, message: String },
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::InvalidParam { name, value, valid } => {
                write!(f, "invalid {name} = {value}: {valid}")
            }
            Error::Data { path, line: Some(l), message } => write!(f, "{path}: line {l}: {message}"),
            Error::Data { path, line: None, message } => write!(f, "{path}: {message}"),
            Error::UnknownClaim { id, known } => {
                write!(f, "unknown claim id '{id}': known ids are {}", known.join(", "))
            }
            Error::UnsupportedOverride { claim, name, accepted } => {
                let acc = if accepted.is_empty() { "none".to_string() } else { accepted.join(", ") };
                write!(f, "claim {claim} does not accept --{name}; it accepts: {acc}")
            }
            Error::Io { path, message } => write!(f, "{path}: {message}"),
            Error::Numerical(m) => write!(f, "numerical failure: {m}"),
            Error::UnusedFlag { flag, context, applies } => {
                let acc = if applies.is_empty() { "none".to_string() } else { applies.join(", ") };
                write!(f, "{flag} does nothing with {context}; the flags that apply there are: {acc}")
            }
            Error::Usage(m) => f.write_str(m),
            Error::Partial { file, message } => write!(f, "{file}: {message}"),
        }
    }
}

impl std::error::Error for Error {}

/// Result alias.
pub type Result<T> = std::result::Result<T, Error>;

/// Parameter validation helpers (argmin style: constructors validate and return typed errors).
pub mod check {
    use super::{Error, Result};

    fn invalid(name: &str, value: impl ToString, valid: &str) -> Error {
        Error::InvalidParam { name: name.to_string(), value: value.to_string(), valid: valid.to_string() }
    }

    /// `x` must be finite.
    pub fn finite(name: &str, x: f64) -> Result<f64> {
        if x.is_finite() { Ok(x) } else { Err(invalid(name, x, "must be a finite number")) }
    }
    /// `x > 0` and finite.
    pub fn positive(name: &str, x: f64) -> Result<f64> {
        if x.is_finite() && x > 0.0 { Ok(x) } else { Err(invalid(name, x, "must be a finite number > 0")) }
    }
    /// `x ≥ 0` and finite.
    pub fn non_negative(name: &str, x: f64) -> Result<f64> {
        if x.is_finite() && x >= 0.0 { Ok(x) } else { Err(invalid(name, x, "must be a finite number >= 0")) }
    }
    /// `lo < x < hi` (open interval).
    pub fn open_interval(name: &str, x: f64, lo: f64, hi: f64) -> Result<f64> {
        if x.is_finite() && x > lo && x < hi {
            Ok(x)
        } else {
            Err(invalid(name, x, &format!("must lie in the open interval ({lo}, {hi})")))
        }
    }
    /// `lo ≤ n ≤ hi` for integers.
    pub fn int_range(name: &str, n: u64, lo: u64, hi: u64) -> Result<u64> {
        if (lo..=hi).contains(&n) {
            Ok(n)
        } else {
            Err(invalid(name, n, &format!("must be an integer in [{lo}, {hi}]")))
        }
    }
    /// `n ≥ 1`.
    pub fn at_least_one(name: &str, n: u64) -> Result<u64> {
        if n >= 1 { Ok(n) } else { Err(invalid(name, n, "must be an integer >= 1")) }
    }
    /// `r ≤ d` (sparsity at most the dimension).
    pub fn sparsity(r: usize, d: usize) -> Result<()> {
        if r <= d { Ok(()) } else { Err(invalid("r", r, &format!("must satisfy r <= d = {d}"))) }
    }
}
