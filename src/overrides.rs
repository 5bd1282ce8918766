//! Command-line overrides of a claim's instance, declared once.
//!
//! The table in `declare_overrides!` below is the only place an override is named: it generates
//! the [`Param`] enum (what a claim's `accepts` lists), the [`Overrides`] struct (a `clap::Args`
//! flattened into `check`), the flag names and the validation of each value. A claim rejects the
//! overrides it does not accept ([`crate::Claim::validate_overrides`]).

use std::path::PathBuf;

use serde::Serialize;

use crate::engine::model::Data;
use crate::error::{Result, check};

macro_rules! declare_overrides {
    ($($variant:ident $field:ident : $ty:ty => |$v:ident| $validate:expr;)*) => {
        /// Command-line overrides a claim may accept.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
        #[serde(rename_all = "lowercase")]
        pub enum Param {
            $(
                #[doc = concat!("`--", stringify!($field), "`")]
                $variant,
            )*
        }

        impl Param {
            /// The flag name.
            pub fn flag(self) -> &'static str {
                match self {
                    $(Param::$variant => stringify!($field),)*
                }
            }
        }

        /// Parameter overrides from the command line (`None`: the claim's default for the budget).
        #[derive(Clone, Debug, Default, PartialEq, Serialize, clap::Args)]
        pub struct Overrides {
            $(
                #[doc = concat!("Override `", stringify!($field), "` (only for claims that accept it).")]
                #[arg(long)]
                pub $field: Option<$ty>,
            )*
        }

        impl Overrides {
            /// The overrides that are set, in declaration order.
            pub fn set_params(&self) -> Vec<Param> {
                let mut v = Vec::new();
                $(
                    if self.$field.is_some() {
                        v.push(Param::$variant);
                    }
                )*
                v
            }

            /// Check every value that is set against its valid range (and `--data` by reading it):
            /// the error names the flag and the range.
            pub fn validate(&self) -> Result<()> {
                $(
                    if let Some($v) = &self.$field {
                        $validate?;
                    }
                )*
                if let (Some(r), Some(d)) = (self.r, self.d) {
                    check::sparsity(r, d)?;
                }
                Ok(())
            }
        }
    };
}

declare_overrides! {
    D d: usize => |x| check::at_least_one("--d", *x as u64);
    N n: usize => |x| check::at_least_one("--n", *x as u64);
    R r: usize => |x| Ok::<_, crate::error::Error>(x); // checked against --d below (r ≤ d)
    Tau tau: f64 => |x| check::positive("--tau", *x);
    Delta delta: f64 => |x| check::non_negative("--delta", *x);
    Eta eta: f64 => |x| check::positive("--eta", *x);
    Steps steps: u64 => |x| check::at_least_one("--steps", *x);
    Chains chains: usize => |x| check::at_least_one("--chains", *x as u64);
    Data data: PathBuf => |x| Data::from_csv(x);
    Instances instances: usize => |x| check::at_least_one("--instances", *x as u64);
    Rho rho: f64 => |x| check::open_interval("--rho", *x, 0.0, 1.0);
    Sigma sigma: f64 => |x| check::non_negative("--sigma", *x);
    Lambda lambda: f64 => |x| check::positive("--lambda", *x);
}

impl Overrides {
    /// True when nothing is overridden.
    pub fn is_empty(&self) -> bool {
        self.set_params().is_empty()
    }
}
